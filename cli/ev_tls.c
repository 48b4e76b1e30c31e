/* cli/ev_tls.c - JSON fields of tls.client_hello, tls.server_hello, tls.certificate, tls.alert,
 * dtls.hello_verify_request, tls.certificate_request, tls.server_key_exchange,
 * tls.encrypted_handshake, tls.session. */
#include "cli/ev_tls.h"
#include "cli/ev_prelude.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/x509.h"
#include "dissect/anomaly.h"
#include "dissect/tls.h"

/* A raw big-endian list of width-byte integers as a JSON array. */
static void
uint_list(struct sd_json *j, const char *key, struct sd_rd r, int width)
{
	uint32_t v;
	uint16_t v16;
	uint8_t b;

	sd_out_json_arr_begin(j, key);
	while (sd_rd_left(&r) >= (size_t)width) {
		if (width == 1) {
			(void)sd_rd_u8(&r, &b);
			v = b;
		} else if (width == 2) {
			(void)sd_rd_be16(&r, &v16);
			v = v16;
		} else
			(void)sd_rd_be24(&r, &v);
		sd_out_json_uint(j, NULL, v);
	}
	sd_out_json_arr_end(j);
}

/* Extension types of a raw extension block, in order. */
static void
ext_types(struct sd_json *j, const char *key, struct sd_rd exts)
{
	struct sd_rd body;
	uint16_t type;

	sd_out_json_arr_begin(j, key);
	while (sd_rd_left(&exts) > 0 && sd_rd_be16(&exts, &type) && sd_rd_vec16(&exts, &body))
		sd_out_json_uint(j, NULL, type);
	sd_out_json_arr_end(j);
}

void
sd_out_ev_alpn_list(struct sd_json *j, const char *key, struct sd_rd list)
{
	struct sd_rd name;

	sd_out_json_arr_begin(j, key);
	while (sd_rd_left(&list) > 0 && sd_rd_vec8(&list, &name))
		sd_out_json_strn(j, NULL, name.p, name.len);
	sd_out_json_arr_end(j);
}

/* DTLS record epoch and handshake message_seq of a DTLS handshake event. */
static void
dtls_pos(struct sd_json *j, bool dtls, uint16_t epoch, uint16_t seq)
{
	if (!dtls)
		return;
	sd_out_json_uint(j, "epoch", epoch);
	sd_out_json_uint(j, "message_seq", seq);
}

/* The closing fields of a handshake message: a DTLS retransmission flag, then its place. */
static void
dtls_tail(struct sd_json *j, bool retransmit, bool dtls, uint16_t epoch, uint16_t seq)
{
	if (retransmit)
		sd_out_json_bool(j, "retransmit", true);
	dtls_pos(j, dtls, epoch, seq);
}

static const char *
role_name(uint8_t role)
{
	return role == SD_ROLE_CLIENT ? "client" : "server";
}

/* KeyShareEntry groups of a client_shares list, in order: (group, vec16 key)* has the
 * shape of an extension block. */
static void
key_share_groups(struct sd_json *j, const char *key, struct sd_rd list)
{
	ext_types(j, key, list);
}

static void
resumed(struct sd_json *j, const char *key, uint8_t r)
{
	const char *n = sd_tls_resumed_name(r);

	if (n == NULL)
		sd_out_json_bool(j, key, false);
	else
		sd_out_json_str(j, key, n);
}

/* Why a hello or Certificate stopped parsing: `malformed` (stable name), its sentence with
 * the numbers, and where in the message body the field at fault starts. */
static void
malformed(struct sd_json *j, const struct sd_tls_fault *f)
{
	char text[160];

	if (f->what == NULL)
		return;
	(void)sd_tls_fault_text(f, text, sizeof(text));
	sd_out_json_str(j, "malformed", f->what);
	sd_out_json_str(j, "malformed_detail", text);
	sd_out_json_uint(j, "malformed_offset", f->offset);
}

/*
 * A malformed hello keeps the fields before its fault (ch->parsed) and leaves out every
 * field after it, fingerprints included: nothing is guessed.
 */
static void
client_hello(struct sd_json *j, const struct sd_tls_client_hello *ch)
{
	bool whole = ch->fault.what == NULL, exts = ch->parsed >= SD_TLS_P_EXTENSIONS;

	sd_out_json_bool(j, "dtls", ch->dtls);
	if (ch->parsed >= SD_TLS_P_VERSION)
		sd_out_json_uint(j, "legacy_version", ch->legacy_version);
	if (ch->parsed >= SD_TLS_P_SUITES)
		uint_list(j, "ciphers", ch->ciphers, ch->cipher_width);
	if (exts) {
		ext_types(j, "extensions", ch->extensions);
		if (ch->has_sni)
			sd_out_json_strn(j, "sni", ch->sni.p, ch->sni.len);
		else
			sd_out_json_null(j, "sni");
		sd_out_ev_alpn_list(j, "alpn", ch->alpn);
		uint_list(j, "supported_versions", ch->supported_versions, 2);
		uint_list(j, "groups", ch->groups, 2);
		uint_list(j, "sig_algs", ch->sig_algs, 2);
	}
	if (whole) {
		char ja3[33], ja4[40];

		sd_tls_hello_fingerprints(ch, ja3, ja4);
		sd_out_json_str_or_null(j, "ja3", ja3);
		sd_out_json_str_or_null(j, "ja4", ja4);
	}
	/* extras */
	sd_out_json_uint(j, "record_version", ch->record_version);
	sd_out_json_bool(j, "sslv2", (ch->flags & SD_TLS_HELLO_SSLV2) != 0);
	if (ch->parsed >= SD_TLS_P_SESSION_ID)
		sd_out_json_hex(j, "session_id", ch->session_id.p, ch->session_id.len);
	if (ch->dtls && ch->parsed >= SD_TLS_P_COOKIE)
		sd_out_json_uint(j, "cookie_len", ch->cookie.len);
	if (ch->retransmit)
		sd_out_json_bool(j, "retransmit", true);
	if (exts) {
		key_share_groups(j, "key_share", ch->key_shares);
		sd_out_json_bool(j, "psk", ch->psk);
		uint_list(j, "psk_modes", ch->psk_modes, 1);
		sd_out_json_bool(j, "early_data", ch->early_data);
		sd_out_json_uint_opt(j, "session_ticket", ch->has_session_ticket,
		    ch->session_ticket_len);
		sd_out_json_bool(j, "ech", ch->ech);
	}
	dtls_pos(j, ch->dtls, ch->epoch, ch->message_seq);
	sd_out_json_anomalies(j, ch->flags, sd_anom_tls_hello, sd_anom_tls_hello_n);
	malformed(j, &ch->fault);
}

static void
server_hello(struct sd_json *j, const struct sd_tls_server_hello *sh)
{
	bool whole = sh->fault.what == NULL, exts = sh->parsed >= SD_TLS_P_EXTENSIONS;

	sd_out_json_bool(j, "dtls", sh->dtls);
	if (sh->parsed >= SD_TLS_P_VERSION)
		sd_out_json_uint(j, "legacy_version", sh->legacy_version);
	if (whole || sh->has_supported_versions)
		sd_out_json_uint(j, "version", sh->version);
	if (sh->parsed >= SD_TLS_P_SUITES)
		sd_out_json_uint(j, "cipher", sh->cipher);
	if (exts)
		ext_types(j, "extensions", sh->extensions);
	if (sh->parsed >= SD_TLS_P_RANDOM)
		sd_out_json_bool(j, "hello_retry", sh->hello_retry);
	if (whole) {
		char ja3s[33];

		sd_tls_server_fingerprint(sh, ja3s);
		sd_out_json_str_or_null(j, "ja3s", ja3s);
	}
	/* extras */
	sd_out_json_uint(j, "record_version", sh->record_version);
	if (sh->has_alpn)
		sd_out_json_strn(j, "alpn", sh->alpn.p, sh->alpn.len);
	else if (exts)
		sd_out_json_null(j, "alpn");
	if (sh->parsed >= SD_TLS_P_SESSION_ID)
		sd_out_json_hex(j, "session_id", sh->session_id.p, sh->session_id.len);
	if (sh->retransmit)
		sd_out_json_bool(j, "retransmit", true);
	if (whole)
		resumed(j, "resumed", sh->resumed);
	dtls_pos(j, sh->dtls, sh->epoch, sh->message_seq);
	sd_out_json_anomalies(j, sh->flags, sd_anom_tls_hello, sd_anom_tls_hello_n);
	malformed(j, &sh->fault);
}

static void
str_list(struct sd_json *j, const char *key, const struct sd_x509_list *l)
{
	size_t i;

	sd_out_json_arr_begin(j, key);
	for (i = 0; i < l->n; i++)
		sd_out_json_strn(j, NULL, l->v[i].p, l->v[i].len);
	sd_out_json_arr_end(j);
}

static void
cert_object(struct sd_json *j, struct sd_rd der)
{
	const struct sd_x509_info *cx = NULL;
	struct sd_x509_info own, x;

	/* from the writer's cache; described here when there is none or it had no room */
	memset(&own, 0, sizeof(own));
	if (j->x509 != NULL)
		cx = sd_x509_cached(j->x509, der.p, der.len);
	if (cx == NULL) {
		(void)sd_x509_describe(der.p, der.len, &own);
		cx = &own;
	}
	x = *cx;
	sd_out_json_obj_begin(j, NULL);
	sd_out_json_str(j, "sha256", x.sha256);
	sd_out_json_str(j, "subject", x.subject);	/* NULL -> null when unparsable */
	sd_out_json_str(j, "issuer", x.issuer);
	sd_out_json_str(j, "serial", x.serial);
	sd_out_json_str_or_null(j, "not_before", x.not_before);
	sd_out_json_str_or_null(j, "not_after", x.not_after);
	str_list(j, "san_dns", &x.san_dns);
	/* extras */
	sd_out_json_str(j, "sha1", x.sha1);
	sd_out_json_bool(j, "parsed", x.parsed);
	if (x.parsed) {
		sd_out_json_str_or_null(j, "key_type", x.key_type);
		sd_out_json_int(j, "key_bits", x.key_bits);
		sd_out_json_str_or_null(j, "sig_alg", x.sig_alg);
		sd_out_json_bool(j, "self_issued", x.self_issued);
		sd_out_json_bool(j, "ca", x.is_ca);
		str_list(j, "crl_dp", &x.crl_dp);
		str_list(j, "ocsp", &x.ocsp);
		str_list(j, "ca_issuers", &x.ca_issuers);
	}
	sd_out_json_obj_end(j);
	sd_x509_info_free(&own);
}

static void
certificate(struct sd_json *j, const struct sd_tls_certificate *c)
{
	uint32_t i;

	sd_out_json_bool(j, "dtls", c->dtls);
	sd_out_json_arr_begin(j, "chain");
	for (i = 0; i < c->kept; i++)
		cert_object(j, c->der[i]);
	sd_out_json_arr_end(j);
	/* extras */
	sd_out_json_uint(j, "count", c->count);
	if (c->decrypted)
		sd_out_json_bool(j, "decrypted", true);
	dtls_tail(j, c->retransmit, c->dtls, c->epoch, c->message_seq);
	malformed(j, &c->fault);
}

static void
alert(struct sd_json *j, const struct sd_tls_alert *a)
{
	sd_out_json_bool(j, "dtls", a->dtls);
	sd_out_json_bool(j, "encrypted", a->encrypted);
	if (a->encrypted) {
		sd_out_json_null(j, "level");
		sd_out_json_null(j, "description");
	} else {
		sd_out_json_uint(j, "level", a->level);
		sd_out_json_uint(j, "description", a->description);
	}
	sd_out_json_uint(j, "record_version", a->record_version);
	sd_out_json_uint(j, "length", a->length);
	sd_out_json_str(j, "sender", role_name(a->sender));
	sd_out_json_str(j, "after", sd_tls_after_name(a->after, a->after_hs));
	sd_out_json_str(j, "peer_last_handshake",
	    a->has_peer_hs ? sd_tls_hs_name(a->peer_hs) : NULL);
	sd_out_json_uint_opt(j, "since_peer_ms", a->has_since_peer, a->since_peer_ms);
	sd_out_json_uint_opt(j, "since_client_hello_ms", a->has_since_client_hello,
	    a->since_client_hello_ms);
	if (a->encrypted)
		sd_out_json_str(j, "phase", a->application ? "application" : "handshake");
	if (a->decrypted)
		sd_out_json_bool(j, "decrypted", true);
}

static void
certificate_request(struct sd_json *j, const struct sd_tls_certificate_request *cr)
{
	uint32_t i;
	char *dn;

	sd_out_json_bool(j, "dtls", cr->dtls);
	if (cr->tls13)
		sd_out_json_null(j, "cert_types");	/* TLS 1.3 has none */
	else
		uint_list(j, "cert_types", cr->cert_types, 1);
	if (cr->has_sig_algs)
		uint_list(j, "sig_algs", cr->sig_algs, 2);
	else
		sd_out_json_null(j, "sig_algs");
	sd_out_json_arr_begin(j, "ca_names");
	for (i = 0; i < cr->ca_kept; i++) {
		dn = sd_x509_name_rfc2253(cr->ca[i].p, cr->ca[i].len);
		sd_out_json_str(j, NULL, dn);	/* null when it is not a DER Name */
		free(dn);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "ca_names_count", cr->ca_count);
	if (cr->decrypted)
		sd_out_json_bool(j, "decrypted", true);
	dtls_tail(j, cr->retransmit, cr->dtls, cr->epoch, cr->message_seq);
}

static void
server_key_exchange(struct sd_json *j, const struct sd_tls_server_key_exchange *ske)
{
	sd_out_json_bool(j, "dtls", ske->dtls);
	sd_out_json_str(j, "kex", ske->kex);
	sd_out_json_uint_opt(j, "group", ske->has_group, ske->group);
	if (ske->curve_type != 0)
		sd_out_json_uint(j, "curve_type", ske->curve_type);
	sd_out_json_uint_opt(j, "dh_bits", ske->dh_bits != 0, ske->dh_bits);
	sd_out_json_uint_opt(j, "sig_alg", ske->has_sig_alg, ske->sig_alg);
	sd_out_json_bool(j, "parsed", ske->parsed);
	dtls_tail(j, ske->retransmit, ske->dtls, ske->epoch, ske->message_seq);
}

static void
encrypted_handshake(struct sd_json *j, const struct sd_tls_encrypted_handshake *eh)
{
	sd_out_json_bool(j, "dtls", eh->dtls);
	sd_out_json_str(j, "sender", role_name(eh->sender));
	sd_out_json_uint(j, "records", eh->records);
	sd_out_json_str(j, "note", "TLS 1.3 handshake encrypted: certificate and later "
	    "handshake messages are not visible");
}

static void
frame_or_null(struct sd_json *j, const char *key, uint64_t frame)
{
	if (frame == 0)
		sd_out_json_null(j, key);
	else
		sd_out_json_uint(j, key, sd_frame_no(frame));
}

static void
session(struct sd_json *j, const struct sd_tls_session *s)
{
	const struct sd_tls_session_alert *a;
	uint32_t i;

	sd_out_json_bool(j, "dtls", s->dtls);
	if (s->has_server_hello) {
		sd_out_json_uint(j, "version", s->version);
		sd_out_json_uint(j, "cipher", s->cipher);
	} else {
		sd_out_json_null(j, "version");
		sd_out_json_null(j, "cipher");
	}
	if (s->has_sni)
		sd_out_json_strn(j, "sni", s->sni, s->sni_len);
	else
		sd_out_json_null(j, "sni");
	resumed(j, "resumed", s->resumed);
	sd_out_json_bool(j, "abbreviated", s->abbreviated);
	frame_or_null(j, "client_hello_frame", s->client_hello_frame);
	frame_or_null(j, "server_hello_frame", s->server_hello_frame);
	sd_out_json_bool(j, "handshake_complete", s->handshake_complete);
	sd_out_json_obj_begin(j, "app_data");
	sd_out_json_uint(j, "client", s->app_data[SD_ROLE_CLIENT]);
	sd_out_json_uint(j, "server", s->app_data[SD_ROLE_SERVER]);
	sd_out_json_obj_end(j);
	sd_out_json_arr_begin(j, "alerts");
	for (i = 0; i < s->nalerts && i < SD_TLS_SESSION_ALERTS; i++) {
		a = &s->alerts[i];
		sd_out_json_obj_begin(j, NULL);
		sd_out_json_str(j, "sender", role_name(a->sender));
		if (a->encrypted) {
			sd_out_json_null(j, "level");
			sd_out_json_null(j, "description");
		} else {
			sd_out_json_uint(j, "level", a->level);
			sd_out_json_uint(j, "description", a->description);
		}
		sd_out_json_bool(j, "encrypted", a->encrypted);
		sd_out_json_uint(j, "frame", sd_frame_no(a->frame));
		if (a->by_length)
			sd_out_json_bool(j, "by_length", true);
		if (a->decrypted)
			sd_out_json_bool(j, "decrypted", true);
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "alerts_count", s->nalerts);
	sd_out_json_bool(j, "client_cert_requested", s->client_cert_requested);
	sd_out_json_bool(j, "client_cert_sent", s->client_cert_sent);
	sd_out_json_bool(j, "encrypted_handshake", s->encrypted_handshake);
	if (s->keylog != SD_TLS_KEYLOG_NONE)
		sd_out_json_str(j, "keylog", sd_tls_keylog_name(s->keylog));
	if (s->dtls) {
		sd_out_json_obj_begin(j, "epochs");
		sd_out_json_uint(j, "client", s->epochs[SD_ROLE_CLIENT]);
		sd_out_json_uint(j, "server", s->epochs[SD_ROLE_SERVER]);
		sd_out_json_obj_end(j);
		sd_out_json_uint(j, "retransmits", s->retransmits);
	}
}

/* One writer per TLS/DTLS message event (the table is in cli/out_events.c). */
void
sd_out_ev_client_hello(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.client_hello != NULL)
		client_hello(j, ev->u.msg.client_hello);
}

void
sd_out_ev_server_hello(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.server_hello != NULL)
		server_hello(j, ev->u.msg.server_hello);
}

void
sd_out_ev_certificate(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.certificate != NULL)
		certificate(j, ev->u.msg.certificate);
}

void
sd_out_ev_alert(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.alert != NULL)
		alert(j, ev->u.msg.alert);
}

void
sd_out_ev_hvr(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_dtls_hello_verify_request *h = ev->u.msg.hvr;

	if (h == NULL)
		return;
	sd_out_json_uint(j, "cookie_len", h->cookie.len);
	sd_out_json_uint(j, "server_version", h->server_version);
	dtls_tail(j, h->retransmit, true, h->epoch, h->message_seq);
}

void
sd_out_ev_certificate_request(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.cert_request != NULL)
		certificate_request(j, ev->u.msg.cert_request);
}

void
sd_out_ev_server_key_exchange(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.ske != NULL)
		server_key_exchange(j, ev->u.msg.ske);
}

void
sd_out_ev_encrypted_handshake(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.enc_hs != NULL)
		encrypted_handshake(j, ev->u.msg.enc_hs);
}

void
sd_out_ev_session(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.session != NULL)
		session(j, ev->u.msg.session);
}
