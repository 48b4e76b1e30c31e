/* dissect/tls_handshake.c - hello, certificate and HelloVerifyRequest bodies (RFC 8446 §4, 5246 §7.4, 6347 §4.2.1). */
#include "dissect/tls.h"

#include <stdio.h>
#include <string.h>

#include "dissect/tls_names.h"

/* SHA-256("HelloRetryRequest"), the ServerHello.random of an HRR (RFC 8446 §4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/*
 * The faults of hellos and Certificates: stable name, the field as the RFC names it, what
 * contains it, and which sentence tells it (sd_tls_fault_text).
 */
enum fault_shape { F_OVERRUN, F_ODD, F_TOO_LONG, F_EMPTY, F_MISSING, F_TRAILING };

static const struct {
	const char		*what, *field, *within;
	enum fault_shape	 shape;
} faults[] = {
	{ "hello_too_short", "legacy_version and random", "message", F_MISSING },
	{ "session_id_overrun", "session_id", "message", F_OVERRUN },
	{ "session_id_too_long", "session_id", "32 bytes", F_TOO_LONG },
	{ "cookie_overrun", "cookie", "message", F_OVERRUN },
	{ "cipher_suites_overrun", "cipher_suites", "message", F_OVERRUN },
	{ "cipher_suites_odd_length", "cipher_suites", "message", F_ODD },
	{ "compression_methods_overrun", "compression_methods", "message", F_OVERRUN },
	{ "compression_methods_empty", "compression_methods", "message", F_EMPTY },
	{ "cipher_suite_missing", "cipher_suite", "message", F_MISSING },
	{ "compression_method_missing", "compression_method", "message", F_MISSING },
	{ "extensions_overrun", "extensions", "message", F_OVERRUN },
	{ "extension_overrun", "extension", "extensions block", F_OVERRUN },
	{ "certificate_request_context_overrun", "certificate_request_context", "message",
	  F_OVERRUN },
	{ "certificate_list_overrun", "certificate_list", "message", F_OVERRUN },
	{ "certificate_list_trailing", "certificate_list", "message", F_TRAILING },
	{ "certificate_overrun", "certificate", "certificate_list", F_OVERRUN },
	{ "certificate_empty", "certificate", "certificate_list", F_EMPTY },
	{ "certificate_extensions_overrun", "extensions of certificate", "certificate_list",
	  F_OVERRUN },
};

size_t
sd_tls_fault_text(const struct sd_tls_fault *f, char *buf, size_t n)
{
	char who[64];
	size_t i;
	int r = 0;

	if (n > 0)
		buf[0] = '\0';
	if (f->what == NULL)
		return 0;
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (strcmp(faults[i].what, f->what) == 0)
			break;
	if (i == sizeof(faults) / sizeof(faults[0]))
		return 0;
	if (f->index > 0 && f->has_ext_type)
		(void)snprintf(who, sizeof(who), "%s %u (type %u)", faults[i].field,
		    (unsigned)f->index, (unsigned)f->ext_type);
	else if (f->index > 0)
		(void)snprintf(who, sizeof(who), "%s %u", faults[i].field, (unsigned)f->index);
	else
		(void)snprintf(who, sizeof(who), "%s", faults[i].field);
	switch (faults[i].shape) {
	case F_OVERRUN:
		if (f->len_cut)
			r = snprintf(buf, n, "%s: its length field is cut (%u byte%s left in the %s)",
			    who, (unsigned)f->avail, f->avail == 1 ? "" : "s", faults[i].within);
		else
			r = snprintf(buf, n, "%s length %u overruns the %s by %u byte%s", who,
			    (unsigned)f->declared, faults[i].within,
			    (unsigned)(f->declared - f->avail),
			    f->declared - f->avail == 1 ? "" : "s");
		break;
	case F_ODD:
		r = snprintf(buf, n, "%s length %u is odd", who, (unsigned)f->declared);
		break;
	case F_TOO_LONG:
		r = snprintf(buf, n, "%s length %u exceeds %s", who, (unsigned)f->declared,
		    faults[i].within);
		break;
	case F_EMPTY:
		r = snprintf(buf, n, "%s is empty", who);
		break;
	case F_MISSING:
		r = snprintf(buf, n, "the message ends before %s (%u byte%s left)", who,
		    (unsigned)f->avail, f->avail == 1 ? "" : "s");
		break;
	case F_TRAILING:
		r = snprintf(buf, n, "%u byte%s follow%s %s", (unsigned)f->avail,
		    f->avail == 1 ? "" : "s", f->avail == 1 ? "s" : "", who);
		break;
	}
	return r > 0 ? (size_t)r : 0;
}

/* Record fault `what` at the current place of r (total: the body's length). */
static enum sd_rc
fault_at(struct sd_tls_fault *f, const char *what, size_t total, const struct sd_rd *r,
    uint32_t declared, uint32_t avail)
{
	f->what = what;
	f->offset = (uint32_t)(total - sd_rd_left(r));
	f->declared = declared;
	f->avail = avail;
	return SD_MALFORMED;
}

/*
 * A vector with a width-byte length (1, 2 or 3): on success out borrows its body; else the
 * fault what is recorded, with the declared length and the bytes there were for it.
 */
static bool
take_vec(struct sd_rd *r, unsigned width, struct sd_rd *out, size_t total,
    struct sd_tls_fault *f, const char *what)
{
	struct sd_rd save = *r;
	size_t left = sd_rd_left(r);
	uint32_t declared = 0;
	unsigned i;
	bool ok;

	ok = width == 1 ? sd_rd_vec8(r, out) : width == 2 ? sd_rd_vec16(r, out) :
	    sd_rd_vec24(r, out);
	if (ok)
		return true;
	if (left < width) {
		(void)fault_at(f, what, total, &save, 0, (uint32_t)left);
		f->len_cut = true;
		return false;
	}
	for (i = 0; i < width; i++)
		declared = declared << 8 | save.p[i];
	(void)fault_at(f, what, total, &save, declared, (uint32_t)(left - width));
	return false;
}

/* legacy_session_id<0..32> of a hello, right after the random (offset 34). */
static bool
take_session_id(struct sd_rd *body, size_t total, struct sd_tls_fault *f, struct sd_rd *sid)
{
	struct sd_rd v;

	if (!take_vec(body, 1, &v, total, f, "session_id_overrun"))
		return false;
	if (sd_rd_left(&v) > 32) {
		f->what = "session_id_too_long";
		f->offset = 34;
		f->declared = f->avail = (uint32_t)sd_rd_left(&v);
		return false;
	}
	*sid = v;
	return true;
}

/*
 * The extensions block that ends a hello, when there is one: *exts borrows it, flags note
 * its absence or bytes after it, and *at is its offset in the message (the extension
 * parsers tell their faults from the block's start).  false: the block's length is at fault.
 */
static bool
take_extensions(struct sd_rd *body, size_t total, struct sd_tls_fault *f, struct sd_rd *exts,
    uint32_t *flags, uint8_t *parsed, size_t *at)
{
	*at = total - sd_rd_left(body) + 2;
	if (sd_rd_left(body) == 0) {
		*flags |= SD_TLS_HELLO_NO_EXTENSIONS;	/* legal before TLS 1.3 */
		return true;
	}
	if (!take_vec(body, 2, exts, total, f, "extensions_overrun"))
		return false;
	*parsed = SD_TLS_P_EXTENSIONS;
	if (sd_rd_left(body) != 0)
		*flags |= SD_TLS_HELLO_TRAILING;
	return true;
}

/*
 * ClientHello (RFC 8446 §4.1.2; DTLS adds cookie<0..2^8-1> after session_id, RFC 6347
 * §4.2.1).  On SD_OK the sd_rd fields borrow from body; on SD_MALFORMED, those before
 * ch->fault (ch->parsed) do.
 */
enum sd_rc
sd_tls_parse_client_hello(struct sd_rd body, bool dtls, struct sd_tls_client_hello *ch)
{
	const size_t total = sd_rd_left(&body);
	struct sd_tls_fault *f = &ch->fault;
	struct sd_rd v;
	size_t ext_at;

	memset(ch, 0, sizeof(*ch));
	ch->dtls = dtls;
	ch->cipher_width = 2;
	if (total < 34)
		return fault_at(f, "hello_too_short", total, &body, 34, (uint32_t)total);
	(void)sd_rd_be16(&body, &ch->legacy_version);
	(void)sd_rd_copy(&body, ch->random, sizeof(ch->random));
	ch->parsed = SD_TLS_P_RANDOM;
	if (!take_session_id(&body, total, f, &ch->session_id))
		return SD_MALFORMED;
	ch->parsed = SD_TLS_P_SESSION_ID;
	if (dtls && !take_vec(&body, 1, &ch->cookie, total, f, "cookie_overrun"))
		return SD_MALFORMED;
	ch->parsed = SD_TLS_P_COOKIE;
	if (!take_vec(&body, 2, &v, total, f, "cipher_suites_overrun"))
		return SD_MALFORMED;
	if (sd_rd_left(&v) % 2 != 0) {
		f->what = "cipher_suites_odd_length";
		f->offset = (uint32_t)(total - sd_rd_left(&body) - sd_rd_left(&v) - 2);
		f->declared = f->avail = (uint32_t)sd_rd_left(&v);
		return SD_MALFORMED;
	}
	ch->ciphers = v;
	ch->parsed = SD_TLS_P_SUITES;
	if (!take_vec(&body, 1, &v, total, f, "compression_methods_overrun"))
		return SD_MALFORMED;
	if (sd_rd_left(&v) == 0) {
		f->what = "compression_methods_empty";
		f->offset = (uint32_t)(total - sd_rd_left(&body) - 1);
		return SD_MALFORMED;
	}
	ch->compression = v;
	ch->parsed = SD_TLS_P_COMPRESSION;
	if (!take_extensions(&body, total, f, &ch->extensions, &ch->flags, &ch->parsed, &ext_at))
		return SD_MALFORMED;
	if (sd_tls_parse_ch_extensions(ch) != SD_OK) {
		f->offset += (uint32_t)ext_at;
		return SD_MALFORMED;
	}
	ch->parsed = SD_TLS_P_ALL;
	return SD_OK;
}

/*
 * SSLv2-compatible CLIENT-HELLO (RFC 5246 Appendix E.2; SSL 2.0 draft §2.5): msg_type(1),
 * version(2), cipher_spec_length(2), session_id_length(2), challenge_length(2), then the
 * three vectors.  Cipher specs are 3 bytes each (cipher_width 3).
 */
enum sd_rc
sd_tls_parse_sslv2_client_hello(struct sd_rd msg, struct sd_tls_client_hello *ch)
{
	uint16_t cs_len, sid_len, ch_len;
	uint8_t type;
	struct sd_rd chal;
	size_t n;

	memset(ch, 0, sizeof(*ch));
	ch->cipher_width = 3;
	ch->flags = SD_TLS_HELLO_SSLV2 | SD_TLS_HELLO_NO_EXTENSIONS;
	ch->record_version = 0x0002;
	if (!sd_rd_u8(&msg, &type) || type != SD_TLS_HS_CLIENT_HELLO ||
	    !sd_rd_be16(&msg, &ch->legacy_version) || !sd_rd_be16(&msg, &cs_len) ||
	    !sd_rd_be16(&msg, &sid_len) || !sd_rd_be16(&msg, &ch_len))
		return SD_MALFORMED;
	if (cs_len % 3 != 0 || cs_len == 0 ||
	    (sid_len != 0 && sid_len != 16) || ch_len < 16 || ch_len > 32)
		return SD_MALFORMED;
	if (!sd_rd_sub(&msg, cs_len, &ch->ciphers) || !sd_rd_sub(&msg, sid_len, &ch->session_id) ||
	    !sd_rd_sub(&msg, ch_len, &chal))
		return SD_MALFORMED;
	if (sd_rd_left(&msg) != 0)
		ch->flags |= SD_TLS_HELLO_TRAILING;
	/* The challenge becomes the right-aligned ClientHello.random (RFC 5246 E.2). */
	n = sd_rd_left(&chal);
	memcpy(ch->random + (32 - n), chal.p, n);
	ch->parsed = SD_TLS_P_ALL;
	return SD_OK;
}

enum sd_rc
sd_tls_parse_server_hello(struct sd_rd body, bool dtls, struct sd_tls_server_hello *sh)
{
	const size_t total = sd_rd_left(&body);
	struct sd_tls_fault *f = &sh->fault;
	size_t ext_at;

	memset(sh, 0, sizeof(*sh));
	sh->dtls = dtls;
	if (total < 34)
		return fault_at(f, "hello_too_short", total, &body, 34, (uint32_t)total);
	(void)sd_rd_be16(&body, &sh->legacy_version);
	(void)sd_rd_copy(&body, sh->random, sizeof(sh->random));
	sh->version = sh->legacy_version;
	sh->hello_retry = memcmp(sh->random, hrr_random, sizeof(hrr_random)) == 0;
	sh->parsed = SD_TLS_P_RANDOM;
	if ((sh->legacy_version >> 8) == 0x7f && (sh->legacy_version & 0xff) < 22) {
		/* TLS 1.3 drafts before -22: version, random, cipher_suite, extensions
		 * (no legacy_session_id_echo, no compression_method). */
		if (sd_rd_left(&body) < 2)
			return fault_at(f, "cipher_suite_missing", total, &body, 2,
			    (uint32_t)sd_rd_left(&body));
		(void)sd_rd_be16(&body, &sh->cipher);
		sh->parsed = SD_TLS_P_COMPRESSION;
	} else {
		if (!take_session_id(&body, total, f, &sh->session_id))
			return SD_MALFORMED;
		sh->parsed = SD_TLS_P_SESSION_ID;
		if (sd_rd_left(&body) < 2)
			return fault_at(f, "cipher_suite_missing", total, &body, 2,
			    (uint32_t)sd_rd_left(&body));
		(void)sd_rd_be16(&body, &sh->cipher);
		sh->parsed = SD_TLS_P_SUITES;
		if (sd_rd_left(&body) < 1)
			return fault_at(f, "compression_method_missing", total, &body, 1, 0);
		(void)sd_rd_u8(&body, &sh->compression);
		sh->parsed = SD_TLS_P_COMPRESSION;
	}
	if (!take_extensions(&body, total, f, &sh->extensions, &sh->flags, &sh->parsed, &ext_at))
		return SD_MALFORMED;
	if (sd_tls_parse_sh_extensions(sh) != SD_OK) {
		f->offset += (uint32_t)ext_at;
		return SD_MALFORMED;
	}
	sh->parsed = SD_TLS_P_ALL;
	return SD_OK;
}

/*
 * Certificate: TLS <= 1.2 is certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>
 * (RFC 5246 §7.4.2); TLS 1.3 adds certificate_request_context<0..255> and per-entry
 * extensions<0..2^16-1> (RFC 8446 §4.4.2).
 */
enum sd_rc
sd_tls_parse_certificate(struct sd_rd body, bool tls13, struct sd_tls_certificate *c)
{
	const size_t total = sd_rd_left(&body);
	struct sd_tls_fault *f = &c->fault;
	struct sd_rd ctx, list, der, exts;
	size_t list_at, len, at;

	memset(c, 0, sizeof(*c));
	if (tls13 && !take_vec(&body, 1, &ctx, total, f, "certificate_request_context_overrun"))
		return SD_MALFORMED;
	if (!take_vec(&body, 3, &list, total, f, "certificate_list_overrun"))
		return SD_MALFORMED;
	list_at = total - sd_rd_left(&body) - sd_rd_left(&list);
	if (sd_rd_left(&body) != 0)
		return fault_at(f, "certificate_list_trailing", total, &body, 0,
		    (uint32_t)sd_rd_left(&body));
	len = sd_rd_left(&list);
	while (sd_rd_left(&list) > 0) {
		/* a fault inside the list is told from the message's start: take_vec measures
		 * from the list's, and list_at is added */
		at = len - sd_rd_left(&list);
		if (!take_vec(&list, 3, &der, len, f, "certificate_overrun") ||
		    (tls13 && !take_vec(&list, 2, &exts, len, f,
		    "certificate_extensions_overrun"))) {
			f->offset += (uint32_t)list_at;
			f->index = c->count + 1;
			return SD_MALFORMED;
		}
		if (sd_rd_left(&der) == 0) {
			f->what = "certificate_empty";
			f->offset = (uint32_t)(list_at + at);
			f->index = c->count + 1;
			return SD_MALFORMED;
		}
		if (c->kept < SD_TLS_MAX_CERTS)
			c->der[c->kept++] = der;
		c->count++;
	}
	return SD_OK;
}

/* HelloVerifyRequest (RFC 6347 §4.2.1): server_version, cookie<0..2^8-1>. */
enum sd_rc
sd_dtls_parse_hello_verify_request(struct sd_rd body, struct sd_dtls_hello_verify_request *h)
{
	memset(h, 0, sizeof(*h));
	if (!sd_rd_be16(&body, &h->server_version) || !sd_rd_vec8(&body, &h->cookie))
		return SD_MALFORMED;
	return sd_rd_left(&body) == 0 ? SD_OK : SD_MALFORMED;
}

const char *
sd_tls_hs_name(uint8_t type)
{
	switch (type) {
	case 0: return "hello_request";
	case 1: return "client_hello";
	case 2: return "server_hello";
	case 3: return "hello_verify_request";
	case 4: return "new_session_ticket";
	case 5: return "end_of_early_data";
	case 8: return "encrypted_extensions";
	case 11: return "certificate";
	case 12: return "server_key_exchange";
	case 13: return "certificate_request";
	case 14: return "server_hello_done";
	case 15: return "certificate_verify";
	case 16: return "client_key_exchange";
	case 20: return "finished";
	case 21: return "certificate_url";
	case 22: return "certificate_status";
	case 23: return "supplemental_data";
	case 24: return "key_update";
	default: return NULL;
	}
}

const char *
sd_tls_resumed_name(uint8_t r)
{
	switch (r) {
	case SD_TLS_RESUMED_SESSION_ID: return "session_id";
	case SD_TLS_RESUMED_TICKET: return "ticket";
	case SD_TLS_RESUMED_PSK: return "psk";
	default: return NULL;
	}
}

const char *
sd_tls_after_name(uint8_t after, uint8_t after_hs)
{
	switch (after) {
	case SD_TLS_AFTER_HS: return sd_tls_hs_name(after_hs);
	case SD_TLS_AFTER_ENC_HS: return "encrypted_handshake";
	case SD_TLS_AFTER_APPDATA: return "application_data";
	case SD_TLS_AFTER_CCS: return "change_cipher_spec";
	case SD_TLS_AFTER_ALERT: return "alert";
	default: return NULL;
	}
}

/*
 * Key exchange from the suite's registry name, TLS_<kx>_WITH_<cipher>: the part before
 * _WITH_ names the exchange and the authentication; only the exchange is kept.  Longer
 * prefixes first (DHE_PSK before DHE_, DH_anon before DH_).
 */
const char *
sd_tls_cipher_kex(uint16_t suite)
{
	static const struct {
		const char	*prefix, *kex;
	} kx[] = {
		{ "ECDHE_PSK_", "ecdhe_psk" }, { "ECDHE_", "ecdhe" },
		{ "ECDH_anon_", "ecdh_anon" }, { "ECDH_", "ecdh" },
		{ "DHE_PSK_", "dhe_psk" }, { "DHE_RSA_EXPORT", "dhe_export" },
		{ "DHE_DSS_EXPORT", "dhe_export" }, { "DHE_", "dhe" },
		{ "DH_anon_", "dh_anon" }, { "DH_", "dh" },
		{ "RSA_PSK_", "rsa_psk" }, { "RSA_EXPORT", "rsa_export" }, { "RSA_", "rsa" },
		{ "PSK_", "psk" }, { "SRP_", "srp" }, { "KRB5_", "krb5" },
		{ "ECCPWD_", "eccpwd" }, { "NULL_", "null" },
	};
	const char *name = sd_tls_cipher_name(suite);
	size_t i, n;

	if ((suite >> 8) == 0x13)
		return "tls13";
	if (name == NULL || (strncmp(name, "TLS_", 4) != 0 && strncmp(name, "SSL_", 4) != 0))
		return NULL;
	name += 4;
	for (i = 0; i < sizeof(kx) / sizeof(kx[0]); i++) {
		n = strlen(kx[i].prefix);
		if (strncmp(name, kx[i].prefix, n) == 0)
			return kx[i].kex;
	}
	return NULL;
}

/* DistinguishedName<1..2^16-1> list (TLS 1.2 certificate_authorities, TLS 1.3 extension 47). */
static enum sd_rc
ca_names(struct sd_rd cas, struct sd_tls_certificate_request *cr)
{
	struct sd_rd dn;

	while (sd_rd_left(&cas) > 0) {
		if (!sd_rd_vec16(&cas, &dn) || sd_rd_left(&dn) == 0)
			return SD_MALFORMED;
		if (cr->ca_kept < SD_TLS_MAX_CA_NAMES)
			cr->ca[cr->ca_kept++] = dn;
		cr->ca_count++;
	}
	return SD_OK;
}

/*
 * CertificateRequest (RFC 5246 §7.4.4; RFC 4346 §7.4.4 has no signature algorithms):
 * certificate_types<1..2^8-1>, [supported_signature_algorithms<2..2^16-2>],
 * certificate_authorities<0..2^16-1> of DistinguishedName<1..2^16-1>.
 */
enum sd_rc
sd_tls_parse_certificate_request(struct sd_rd body, bool tls12,
    struct sd_tls_certificate_request *cr)
{
	struct sd_rd cas;

	memset(cr, 0, sizeof(*cr));
	if (!sd_rd_vec8(&body, &cr->cert_types))
		return SD_MALFORMED;
	if (tls12) {
		if (!sd_rd_vec16(&body, &cr->sig_algs) || sd_rd_left(&cr->sig_algs) % 2 != 0)
			return SD_MALFORMED;
		cr->has_sig_algs = true;
	}
	if (!sd_rd_vec16(&body, &cas) || sd_rd_left(&body) != 0)
		return SD_MALFORMED;
	return ca_names(cas, cr);
}

/*
 * TLS 1.3 CertificateRequest (RFC 8446 §4.3.2): certificate_request_context<0..2^8-1>,
 * extensions<2..2^16-1>; signature_algorithms (13) and certificate_authorities (47,
 * DistinguishedName<1..2^16-1> list) are the ones kept.
 */
enum sd_rc
sd_tls_parse_certificate_request13(struct sd_rd body, struct sd_tls_certificate_request *cr)
{
	struct sd_rd ctx, exts, ext, cas;
	uint16_t type;

	memset(cr, 0, sizeof(*cr));
	cr->tls13 = true;
	if (!sd_rd_vec8(&body, &ctx) || !sd_rd_vec16(&body, &exts) || sd_rd_left(&body) != 0)
		return SD_MALFORMED;
	while (sd_rd_left(&exts) > 0) {
		if (!sd_rd_be16(&exts, &type) || !sd_rd_vec16(&exts, &ext))
			return SD_MALFORMED;
		if (type == SD_TLS_EXT_SIG_ALGS) {
			if (!sd_rd_vec16(&ext, &cr->sig_algs) ||
			    sd_rd_left(&cr->sig_algs) % 2 != 0)
				return SD_MALFORMED;
			cr->has_sig_algs = true;
		} else if (type == 47) {	/* certificate_authorities (RFC 8446 §4.2.4) */
			if (!sd_rd_vec16(&ext, &cas) || ca_names(cas, cr) != SD_OK)
				return SD_MALFORMED;
		}
	}
	return SD_OK;
}

bool
sd_tls_ev_decrypted(const struct sd_event *ev)
{
	switch (ev->type) {
	case SD_EV_TLS_CERTIFICATE:
		return ev->u.msg.certificate != NULL && ev->u.msg.certificate->decrypted;
	case SD_EV_TLS_CERTIFICATE_REQUEST:
		return ev->u.msg.cert_request != NULL && ev->u.msg.cert_request->decrypted;
	case SD_EV_TLS_ALERT:
		return ev->u.msg.alert != NULL && ev->u.msg.alert->decrypted;
	default:
		return false;
	}
}

const char *
sd_tls_keylog_name(uint8_t k)
{
	switch (k) {
	case SD_TLS_KEYLOG_NO_KEYS: return "no_keys";
	case SD_TLS_KEYLOG_DECRYPTED: return "decrypted";
	case SD_TLS_KEYLOG_FAILED: return "failed";
	case SD_TLS_KEYLOG_UNSUPPORTED: return "unsupported";
	default: return NULL;
	}
}

/* Bits of an unsigned big-endian integer (leading zero bytes and bits ignored). */
static uint32_t
bignum_bits(struct sd_rd n)
{
	uint8_t b;
	uint32_t bits;

	while (sd_rd_left(&n) > 0 && n.p[0] == 0)
		(void)sd_rd_skip(&n, 1);
	if (!sd_rd_u8(&n, &b))
		return 0;
	bits = (uint32_t)sd_rd_left(&n) * 8;
	while (b != 0) {
		bits++;
		b >>= 1;
	}
	return bits;
}

static bool
kex_is(const char *kex, const char *a, const char *b, const char *c)
{
	return kex != NULL && (strcmp(kex, a) == 0 || (b != NULL && strcmp(kex, b) == 0) ||
	    (c != NULL && strcmp(kex, c) == 0));
}

/* digitally-signed (RFC 5246 §4.7): TLS 1.2 adds SignatureAndHashAlgorithm. */
static bool
parse_signed(struct sd_rd *body, bool tls12, struct sd_tls_server_key_exchange *ske)
{
	struct sd_rd sig;

	if (tls12) {
		if (!sd_rd_be16(body, &ske->sig_alg))
			return false;
		ske->has_sig_alg = true;
	}
	return sd_rd_vec16(body, &sig);
}

/*
 * ServerKeyExchange: its layout depends on the suite's key exchange (kex, from the
 * ServerHello).  ECDHE: ECParameters (curve_type, named_curve when 3) and ECPoint<1..255>
 * (RFC 8422 §5.4); DHE: dh_p, dh_g, dh_Ys<1..2^16-1> (RFC 5246 §7.4.3); PSK variants put
 * psk_identity_hint<0..2^16-1> first (RFC 4279 §2, RFC 5489 §2); then the signature unless
 * anonymous or PSK.  An unknown kex is SD_OK with parsed false.
 */
enum sd_rc
sd_tls_parse_server_key_exchange(struct sd_rd body, const char *kex, bool tls12,
    struct sd_tls_server_key_exchange *ske)
{
	struct sd_rd hint, v, p;
	bool psk, signed_;

	memset(ske, 0, sizeof(*ske));
	ske->kex = kex;
	psk = kex_is(kex, "psk", "ecdhe_psk", "dhe_psk") || kex_is(kex, "rsa_psk", NULL, NULL);
	if (psk && !sd_rd_vec16(&body, &hint))
		return SD_MALFORMED;
	if (kex_is(kex, "ecdhe", "ecdhe_psk", "ecdh_anon")) {
		if (!sd_rd_u8(&body, &ske->curve_type))
			return SD_MALFORMED;
		if (ske->curve_type != 3)
			return SD_OK;	/* explicit curves (RFC 8422 deprecates them): not read */
		if (!sd_rd_be16(&body, &ske->group) || !sd_rd_vec8(&body, &v))
			return SD_MALFORMED;
		ske->has_group = true;
		signed_ = kex_is(kex, "ecdhe", NULL, NULL);
	} else if (kex_is(kex, "dhe", "dhe_psk", "dh_anon") || kex_is(kex, "dhe_export", NULL, NULL)) {
		if (!sd_rd_vec16(&body, &p) || !sd_rd_vec16(&body, &v) || !sd_rd_vec16(&body, &v))
			return SD_MALFORMED;
		ske->dh_bits = bignum_bits(p);
		signed_ = kex_is(kex, "dhe", "dhe_export", NULL);
	} else if (kex_is(kex, "rsa_export", "rsa", NULL)) {
		/* temporary RSA key (RFC 2246 §7.4.3): modulus, exponent */
		if (!sd_rd_vec16(&body, &v) || !sd_rd_vec16(&body, &v))
			return SD_MALFORMED;
		signed_ = true;
	} else if (kex_is(kex, "psk", "rsa_psk", NULL)) {
		signed_ = false;
	} else
		return SD_OK;
	if (signed_ && !parse_signed(&body, tls12, ske))
		return SD_MALFORMED;
	if (sd_rd_left(&body) != 0)
		return SD_MALFORMED;
	ske->parsed = true;
	return SD_OK;
}

/* TLS 1.3 (or DTLS 1.3) negotiated: 0x0304, a draft 0x7fXX, or DTLS 0xfefc. */
static bool
is_tls13(uint16_t v)
{
	return v == 0x0304 || (v >> 8) == 0x7f || v == 0xfefc;
}

/* TLS 1.2 or DTLS 1.2: the layouts with SignatureAndHashAlgorithm. */
static bool
is_tls12(uint16_t v)
{
	return v == 0x0303 || v == 0xfefd;
}

/* The ClientHello's facts the connection keeps (session id, ticket, SNI, frame). */
static void
track_client_hello(struct sd_tls_conn *c, const struct sd_tls_client_hello *ch,
    const struct sd_tls_pkt *pkt)
{
	struct sd_tls_track *t = &c->t;
	size_t n = ch->session_id.len;

	if (n > sizeof(t->ch_sid))
		n = sizeof(t->ch_sid);
	if (n > 0)
		memcpy(t->ch_sid, ch->session_id.p, n);
	t->ch_sid_len = (uint8_t)n;
	memcpy(t->ch_random, ch->random, sizeof(t->ch_random));
	t->ch_early_data = ch->early_data;
	t->ch_ticket = ch->has_session_ticket && ch->session_ticket_len > 0;
	if (!t->ch_seen) {
		t->ch_seen = true;
		t->ch_pkt = *pkt;
		t->sess.client_hello_frame = pkt->frame;
	}
	t->sess.has_sni = ch->has_sni;
	n = ch->has_sni ? ch->sni.len : 0;
	if (n > sizeof(t->sess.sni))
		n = sizeof(t->sess.sni);
	if (n > 0)
		memcpy(t->sess.sni, ch->sni.p, n);
	t->sess.sni_len = (uint16_t)n;
}

/* Resumption from the ServerHello and what the ClientHello offered. */
static uint8_t
resumed_by(const struct sd_tls_conn *c, const struct sd_tls_server_hello *sh)
{
	const struct sd_tls_track *t = &c->t;

	if (sh->hello_retry)
		return SD_TLS_RESUMED_NO;
	if (is_tls13(sh->version))
		return sh->psk ? SD_TLS_RESUMED_PSK : SD_TLS_RESUMED_NO;
	if (sh->session_id.len == 0 || sh->session_id.len != t->ch_sid_len ||
	    memcmp(sh->session_id.p, t->ch_sid, t->ch_sid_len) != 0)
		return SD_TLS_RESUMED_NO;
	return t->ch_ticket ? SD_TLS_RESUMED_TICKET : SD_TLS_RESUMED_SESSION_ID;
}

/* TLS 1.3 ServerHello: ask the key log for the connection's keys (tls_record.c decrypts). */
static void
dec_open(struct sd_tls_conn *c, uint16_t cipher)
{
	uint8_t why = SD_TLS_KEYLOG_NO_KEYS;

	if (c->dh == NULL || c->dec != NULL || c->dtls || !c->t.ch_seen)
		return;		/* DTLS 1.3: not decrypted (docs/events.md) */
	c->dec = c->dh->open(c->dh->ctx, c->mc, c->t.ch_random, cipher, &why);
	c->keylog = c->dec != NULL ? SD_TLS_KEYLOG_DECRYPTED : why;
}

/* A decrypted Finished or KeyUpdate: the sender's next records use its next keys. */
static void
dec_next_epoch(struct sd_tls_conn *c, int dir, uint8_t type)
{
	if (!c->decrypting || (type == SD_TLS_HS_FINISHED && c->dd[dir].epoch != 0))
		return;
	c->dd[dir].epoch++;
	c->dd[dir].seq = 0;
}

static void
server_hello_msg(struct sd_tls_conn *c, int dir, struct sd_tls_server_hello *sh,
    const struct sd_tls_pkt *pkt)
{
	sh->resumed = resumed_by(c, sh);
	if (!sh->hello_retry) {
		c->st.version = sh->version;
		c->st.cipher = sh->cipher;
		if (is_tls13(sh->version)) {
			/* Everything after a TLS 1.3 ServerHello is protected,
			 * in both directions (RFC 8446 §2). */
			c->st.tls13 = true;
			c->d[0].encrypted = true;
			c->d[1].encrypted = true;
			if (dir == SD_ROLE_SERVER && !c->retransmit)
				dec_open(c, sh->cipher);
		}
		if (!c->retransmit && dir == SD_ROLE_SERVER) {
			c->t.sh_seen = true;
			c->t.server_msgs_after_sh = 0;
			c->t.sess.resumed = sh->resumed;
			if (c->t.sess.server_hello_frame == 0)
				c->t.sess.server_hello_frame = pkt->frame;
		}
	}
	c->emit(c->ctx, SD_EV_TLS_SERVER_HELLO,
	    (union sd_ev_msg){ .server_hello = sh }, dir, pkt);
}

void
sd_tls_handshake_msg(struct sd_tls_conn *c, int dir, uint8_t type, struct sd_rd body,
    uint16_t record_version, const struct sd_tls_pkt *pkt)
{
	union {
		struct sd_tls_client_hello ch;
		struct sd_tls_server_hello sh;
		struct sd_tls_certificate cert;
		struct sd_dtls_hello_verify_request hvr;
		struct sd_tls_certificate_request cr;
		struct sd_tls_server_key_exchange ske;
	} m;
	enum sd_rc rc = SD_OK;
	uint16_t epoch = c->t.cur_epoch, seq = c->t.cur_seq;

	c->st.hs_messages[dir]++;
	if (!c->retransmit) {
		c->t.last[dir] = SD_TLS_AFTER_HS;
		c->t.last_hs[dir] = type;
		c->t.hs_seen[dir] = true;
		if (dir == SD_ROLE_SERVER && c->t.sh_seen && type != SD_TLS_HS_SERVER_HELLO)
			c->t.server_msgs_after_sh++;
	}
	switch (type) {
	case SD_TLS_HS_CLIENT_HELLO:
		/* a malformed hello is still written, with what parsed and why it stopped */
		if ((rc = sd_tls_parse_client_hello(body, c->dtls, &m.ch)) != SD_OK &&
		    m.ch.fault.what == NULL)
			break;
		m.ch.record_version = record_version;
		m.ch.retransmit = c->retransmit;
		m.ch.epoch = epoch;
		m.ch.message_seq = seq;
		if (dir == SD_ROLE_CLIENT && !c->retransmit)
			track_client_hello(c, &m.ch, pkt);
		c->emit(c->ctx, SD_EV_TLS_CLIENT_HELLO,
		    (union sd_ev_msg){ .client_hello = &m.ch }, dir, pkt);
		break;
	case SD_TLS_HS_SERVER_HELLO:
		if ((rc = sd_tls_parse_server_hello(body, c->dtls, &m.sh)) != SD_OK &&
		    m.sh.fault.what == NULL)
			break;
		m.sh.record_version = record_version;
		m.sh.retransmit = c->retransmit;
		m.sh.epoch = epoch;
		m.sh.message_seq = seq;
		if (rc == SD_OK)
			server_hello_msg(c, dir, &m.sh, pkt);
		else	/* told, but what it would choose is not taken as chosen */
			c->emit(c->ctx, SD_EV_TLS_SERVER_HELLO,
			    (union sd_ev_msg){ .server_hello = &m.sh }, dir, pkt);
		break;
	case SD_TLS_HS_CERTIFICATE:
		if ((rc = sd_tls_parse_certificate(body, c->st.tls13, &m.cert)) != SD_OK &&
		    m.cert.fault.what == NULL)
			break;
		m.cert.dtls = c->dtls;
		m.cert.tls13 = c->st.tls13;
		m.cert.decrypted = c->decrypting;
		m.cert.retransmit = c->retransmit;
		m.cert.epoch = epoch;
		m.cert.message_seq = seq;
		if (dir == SD_ROLE_CLIENT && !c->retransmit) {
			c->t.client_cert_msg = true;
			c->t.client_certs += m.cert.count;
		}
		c->emit(c->ctx, SD_EV_TLS_CERTIFICATE,
		    (union sd_ev_msg){ .certificate = &m.cert }, dir, pkt);
		break;
	case SD_TLS_HS_CERTIFICATE_REQUEST:
		/* TLS 1.3's is encrypted (read with a key log) and has another layout */
		if (dir != SD_ROLE_SERVER || (c->st.tls13 && !c->decrypting))
			break;
		if (c->st.tls13)
			rc = sd_tls_parse_certificate_request13(body, &m.cr);
		else
			rc = sd_tls_parse_certificate_request(body, is_tls12(c->st.version),
			    &m.cr);
		if (rc != SD_OK)
			break;
		m.cr.dtls = c->dtls;
		m.cr.decrypted = c->decrypting;
		m.cr.retransmit = c->retransmit;
		m.cr.epoch = epoch;
		m.cr.message_seq = seq;
		c->t.cert_requested = true;
		c->emit(c->ctx, SD_EV_TLS_CERTIFICATE_REQUEST,
		    (union sd_ev_msg){ .cert_request = &m.cr }, dir, pkt);
		break;
	case SD_TLS_HS_SERVER_KEY_EXCHANGE:
		if (c->st.tls13 || dir != SD_ROLE_SERVER)
			break;
		if ((rc = sd_tls_parse_server_key_exchange(body,
		    c->st.version != 0 ? sd_tls_cipher_kex(c->st.cipher) : NULL,
		    is_tls12(c->st.version), &m.ske)) != SD_OK)
			break;
		m.ske.dtls = c->dtls;
		m.ske.retransmit = c->retransmit;
		m.ske.epoch = epoch;
		m.ske.message_seq = seq;
		c->emit(c->ctx, SD_EV_TLS_SERVER_KEY_EXCHANGE,
		    (union sd_ev_msg){ .ske = &m.ske }, dir, pkt);
		break;
	case SD_TLS_HS_HELLO_VERIFY_REQUEST:
		if (!c->dtls)
			break;
		if ((rc = sd_dtls_parse_hello_verify_request(body, &m.hvr)) != SD_OK)
			break;
		m.hvr.retransmit = c->retransmit;
		m.hvr.epoch = epoch;
		m.hvr.message_seq = seq;
		c->emit(c->ctx, SD_EV_DTLS_HELLO_VERIFY_REQUEST,
		    (union sd_ev_msg){ .hvr = &m.hvr }, dir, pkt);
		break;
	case SD_TLS_HS_FINISHED:
	case SD_TLS_HS_KEY_UPDATE:
		dec_next_epoch(c, dir, type);
		break;
	default:
		break;
	}
	if (rc != SD_OK)
		c->st.malformed[dir]++;
}

/* Milliseconds from a to b (0 if b is earlier: capture timestamps can step back). */
static uint64_t
ms_between(const struct sd_tls_pkt *a, const struct sd_tls_pkt *b)
{
	int64_t ns = (b->ts_sec - a->ts_sec) * 1000000000 + ((int64_t)b->ts_nsec - a->ts_nsec);

	return ns > 0 ? (uint64_t)ns / 1000000u : 0;
}

void
sd_tls_alert_record(struct sd_tls_conn *c, int dir, struct sd_rd body, uint16_t record_version,
    bool encrypted, const struct sd_tls_pkt *pkt)
{
	struct sd_tls_alert a;
	struct sd_tls_track *t = &c->t;
	struct sd_tls_session_alert *sa;
	int peer = !dir;

	memset(&a, 0, sizeof(a));
	a.dtls = c->dtls;
	a.record_version = record_version;
	a.length = (uint16_t)(sd_rd_left(&body) > UINT16_MAX ? UINT16_MAX : sd_rd_left(&body));
	/* A clear alert is exactly level + description; anything else is protected. */
	a.encrypted = encrypted || sd_rd_left(&body) != 2;
	a.decrypted = c->decrypting && !a.encrypted;
	if (!a.encrypted) {
		(void)sd_rd_u8(&body, &a.level);
		(void)sd_rd_u8(&body, &a.description);
	}
	a.sender = (uint8_t)dir;
	a.after = t->last[peer];
	a.after_hs = t->last_hs[peer];
	a.has_peer_hs = t->hs_seen[peer];
	a.peer_hs = t->last_hs[peer];
	if ((a.has_since_peer = t->has_last_pkt[peer]))
		a.since_peer_ms = ms_between(&t->last_pkt[peer], pkt);
	if ((a.has_since_client_hello = t->ch_seen))
		a.since_client_hello_ms = ms_between(&t->ch_pkt, pkt);
	a.application = t->appdata[dir] > 0;
	if (t->sess.nalerts < SD_TLS_SESSION_ALERTS) {
		sa = &t->sess.alerts[t->sess.nalerts];
		sa->sender = a.sender;
		sa->level = a.level;
		sa->description = a.description;
		sa->encrypted = a.encrypted;
		sa->decrypted = a.decrypted;
		sa->frame = pkt->frame;
	}
	if (t->sess.nalerts < UINT32_MAX)
		t->sess.nalerts++;
	c->emit(c->ctx, SD_EV_TLS_ALERT, (union sd_ev_msg){ .alert = &a }, dir, pkt);
}
