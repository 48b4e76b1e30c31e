/* dissect/tls_handshake.c - hello, certificate and HelloVerifyRequest bodies (RFC 8446 §4, 5246 §7.4, 6347 §4.2.1). */
#include "dissect/tls.h"

#include <string.h>

/* SHA-256("HelloRetryRequest"), the ServerHello.random of an HRR (RFC 8446 §4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
	0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/*
 * ClientHello (RFC 8446 §4.1.2; DTLS adds cookie<0..2^8-1> after session_id, RFC 6347
 * §4.2.1).  On SD_OK the sd_rd fields borrow from body.
 */
enum sd_rc
sd_tls_parse_client_hello(struct sd_rd body, bool dtls, struct sd_tls_client_hello *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->dtls = dtls;
	ch->cipher_width = 2;
	if (!sd_rd_be16(&body, &ch->legacy_version) ||
	    !sd_rd_copy(&body, ch->random, sizeof(ch->random)) ||
	    !sd_rd_vec8(&body, &ch->session_id))
		return SD_MALFORMED;
	if (dtls && !sd_rd_vec8(&body, &ch->cookie))
		return SD_MALFORMED;
	if (!sd_rd_vec16(&body, &ch->ciphers) || !sd_rd_vec8(&body, &ch->compression))
		return SD_MALFORMED;
	if (sd_rd_left(&ch->session_id) > 32 || sd_rd_left(&ch->ciphers) % 2 != 0 ||
	    sd_rd_left(&ch->compression) == 0)
		return SD_MALFORMED;
	if (sd_rd_left(&body) == 0)
		ch->flags |= SD_TLS_HELLO_NO_EXTENSIONS;	/* legal before TLS 1.3 */
	else {
		if (!sd_rd_vec16(&body, &ch->extensions))
			return SD_MALFORMED;
		if (sd_rd_left(&body) != 0)
			ch->flags |= SD_TLS_HELLO_TRAILING;
		if (sd_tls_parse_ch_extensions(ch) != SD_OK)
			return SD_MALFORMED;
	}
	sd_tls_ja3(ch, ch->ja3);
	sd_tls_ja4(ch, ch->ja4);
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
	return SD_OK;
}

enum sd_rc
sd_tls_parse_server_hello(struct sd_rd body, bool dtls, struct sd_tls_server_hello *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->dtls = dtls;
	if (!sd_rd_be16(&body, &sh->legacy_version) ||
	    !sd_rd_copy(&body, sh->random, sizeof(sh->random)))
		return SD_MALFORMED;
	if ((sh->legacy_version >> 8) == 0x7f && (sh->legacy_version & 0xff) < 22) {
		/* TLS 1.3 drafts before -22: version, random, cipher_suite, extensions
		 * (no legacy_session_id_echo, no compression_method). */
		if (!sd_rd_be16(&body, &sh->cipher))
			return SD_MALFORMED;
	} else if (!sd_rd_vec8(&body, &sh->session_id) || !sd_rd_be16(&body, &sh->cipher) ||
	    !sd_rd_u8(&body, &sh->compression))
		return SD_MALFORMED;
	if (sd_rd_left(&sh->session_id) > 32)
		return SD_MALFORMED;
	sh->version = sh->legacy_version;
	sh->hello_retry = memcmp(sh->random, hrr_random, sizeof(hrr_random)) == 0;
	if (sd_rd_left(&body) == 0)
		sh->flags |= SD_TLS_HELLO_NO_EXTENSIONS;
	else {
		if (!sd_rd_vec16(&body, &sh->extensions))
			return SD_MALFORMED;
		if (sd_rd_left(&body) != 0)
			sh->flags |= SD_TLS_HELLO_TRAILING;
		if (sd_tls_parse_sh_extensions(sh) != SD_OK)
			return SD_MALFORMED;
	}
	sd_tls_ja3s(sh, sh->ja3s);
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
	struct sd_rd ctx, list, der, exts;

	memset(c, 0, sizeof(*c));
	if (tls13 && !sd_rd_vec8(&body, &ctx))
		return SD_MALFORMED;
	if (!sd_rd_vec24(&body, &list) || sd_rd_left(&body) != 0)
		return SD_MALFORMED;
	while (sd_rd_left(&list) > 0) {
		if (!sd_rd_vec24(&list, &der) || sd_rd_left(&der) == 0)
			return SD_MALFORMED;
		if (tls13 && !sd_rd_vec16(&list, &exts))
			return SD_MALFORMED;
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

/* TLS 1.3 (or DTLS 1.3) negotiated: 0x0304, a draft 0x7fXX, or DTLS 0xfefc. */
static bool
is_tls13(uint16_t v)
{
	return v == 0x0304 || (v >> 8) == 0x7f || v == 0xfefc;
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
	} m;
	enum sd_rc rc = SD_OK;

	c->st.hs_messages[dir]++;
	switch (type) {
	case SD_TLS_HS_CLIENT_HELLO:
		if ((rc = sd_tls_parse_client_hello(body, c->dtls, &m.ch)) != SD_OK)
			break;
		m.ch.record_version = record_version;
		m.ch.retransmit = c->retransmit;
		c->emit(c->ctx, SD_EV_TLS_CLIENT_HELLO, &m.ch, dir, pkt);
		break;
	case SD_TLS_HS_SERVER_HELLO:
		if ((rc = sd_tls_parse_server_hello(body, c->dtls, &m.sh)) != SD_OK)
			break;
		m.sh.record_version = record_version;
		m.sh.retransmit = c->retransmit;
		if (!m.sh.hello_retry) {
			c->st.version = m.sh.version;
			c->st.cipher = m.sh.cipher;
			if (is_tls13(m.sh.version)) {
				/* Everything after a TLS 1.3 ServerHello is protected,
				 * in both directions (RFC 8446 §2). */
				c->st.tls13 = true;
				c->d[0].encrypted = true;
				c->d[1].encrypted = true;
			}
		}
		c->emit(c->ctx, SD_EV_TLS_SERVER_HELLO, &m.sh, dir, pkt);
		break;
	case SD_TLS_HS_CERTIFICATE:
		if ((rc = sd_tls_parse_certificate(body, c->st.tls13, &m.cert)) != SD_OK)
			break;
		m.cert.dtls = c->dtls;
		m.cert.retransmit = c->retransmit;
		c->emit(c->ctx, SD_EV_TLS_CERTIFICATE, &m.cert, dir, pkt);
		break;
	case SD_TLS_HS_HELLO_VERIFY_REQUEST:
		if (!c->dtls)
			break;
		if ((rc = sd_dtls_parse_hello_verify_request(body, &m.hvr)) != SD_OK)
			break;
		m.hvr.retransmit = c->retransmit;
		c->emit(c->ctx, SD_EV_DTLS_HELLO_VERIFY_REQUEST, &m.hvr, dir, pkt);
		break;
	default:
		break;
	}
	if (rc != SD_OK)
		c->st.malformed[dir]++;
}

void
sd_tls_alert_record(struct sd_tls_conn *c, int dir, struct sd_rd body, uint16_t record_version,
    bool encrypted, const struct sd_tls_pkt *pkt)
{
	struct sd_tls_alert a;

	memset(&a, 0, sizeof(a));
	a.dtls = c->dtls;
	a.record_version = record_version;
	a.length = (uint16_t)(sd_rd_left(&body) > UINT16_MAX ? UINT16_MAX : sd_rd_left(&body));
	/* A clear alert is exactly level + description; anything else is protected. */
	a.encrypted = encrypted || sd_rd_left(&body) != 2;
	if (!a.encrypted) {
		(void)sd_rd_u8(&body, &a.level);
		(void)sd_rd_u8(&body, &a.description);
	}
	c->emit(c->ctx, SD_EV_TLS_ALERT, &a, dir, pkt);
}
