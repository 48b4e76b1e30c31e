/* cli/ev_tls.c - JSON fields of tls.client_hello, tls.server_hello, tls.certificate, tls.alert, dtls.hello_verify_request. */
#include "cli/ev_tls.h"

#include "analyze/x509.h"
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

/* ProtocolNameList body: (len8, name)*, names escaped by the writer. */
static void
alpn_list(struct sd_json *j, const char *key, struct sd_rd list)
{
	struct sd_rd name;

	sd_out_json_arr_begin(j, key);
	while (sd_rd_left(&list) > 0 && sd_rd_vec8(&list, &name))
		sd_out_json_strn(j, NULL, name.p, name.len);
	sd_out_json_arr_end(j);
}

static void
str_or_null(struct sd_json *j, const char *key, const char *s)
{
	if (s == NULL || s[0] == '\0')
		sd_out_json_null(j, key);
	else
		sd_out_json_str(j, key, s);
}

static void
client_hello(struct sd_json *j, const struct sd_tls_client_hello *ch)
{
	sd_out_json_bool(j, "dtls", ch->dtls);
	sd_out_json_uint(j, "legacy_version", ch->legacy_version);
	uint_list(j, "ciphers", ch->ciphers, ch->cipher_width);
	ext_types(j, "extensions", ch->extensions);
	if (ch->has_sni)
		sd_out_json_strn(j, "sni", ch->sni.p, ch->sni.len);
	else
		sd_out_json_null(j, "sni");
	alpn_list(j, "alpn", ch->alpn);
	uint_list(j, "supported_versions", ch->supported_versions, 2);
	uint_list(j, "groups", ch->groups, 2);
	uint_list(j, "sig_algs", ch->sig_algs, 2);
	str_or_null(j, "ja3", ch->ja3);
	str_or_null(j, "ja4", ch->ja4);
	/* extras */
	sd_out_json_uint(j, "record_version", ch->record_version);
	sd_out_json_bool(j, "sslv2", (ch->flags & SD_TLS_HELLO_SSLV2) != 0);
	sd_out_json_hex(j, "session_id", ch->session_id.p, ch->session_id.len);
	if (ch->dtls)
		sd_out_json_uint(j, "cookie_len", ch->cookie.len);
	if (ch->retransmit)
		sd_out_json_bool(j, "retransmit", true);
}

static void
server_hello(struct sd_json *j, const struct sd_tls_server_hello *sh)
{
	sd_out_json_bool(j, "dtls", sh->dtls);
	sd_out_json_uint(j, "legacy_version", sh->legacy_version);
	sd_out_json_uint(j, "version", sh->version);
	sd_out_json_uint(j, "cipher", sh->cipher);
	ext_types(j, "extensions", sh->extensions);
	sd_out_json_bool(j, "hello_retry", sh->hello_retry);
	str_or_null(j, "ja3s", sh->ja3s);
	/* extras */
	sd_out_json_uint(j, "record_version", sh->record_version);
	if (sh->has_alpn)
		sd_out_json_strn(j, "alpn", sh->alpn.p, sh->alpn.len);
	else
		sd_out_json_null(j, "alpn");
	sd_out_json_hex(j, "session_id", sh->session_id.p, sh->session_id.len);
	if (sh->retransmit)
		sd_out_json_bool(j, "retransmit", true);
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
	struct sd_x509_info x;

	(void)sd_x509_describe(der.p, der.len, &x);
	sd_out_json_obj_begin(j, NULL);
	sd_out_json_str(j, "sha256", x.sha256);
	sd_out_json_str(j, "subject", x.subject);	/* NULL -> null when unparsable */
	sd_out_json_str(j, "issuer", x.issuer);
	sd_out_json_str(j, "serial", x.serial);
	str_or_null(j, "not_before", x.not_before);
	str_or_null(j, "not_after", x.not_after);
	str_list(j, "san_dns", &x.san_dns);
	/* extras */
	sd_out_json_str(j, "sha1", x.sha1);
	sd_out_json_bool(j, "parsed", x.parsed);
	if (x.parsed) {
		str_or_null(j, "key_type", x.key_type);
		sd_out_json_int(j, "key_bits", x.key_bits);
		str_or_null(j, "sig_alg", x.sig_alg);
		sd_out_json_bool(j, "self_issued", x.self_issued);
		sd_out_json_bool(j, "ca", x.is_ca);
		str_list(j, "crl_dp", &x.crl_dp);
		str_list(j, "ocsp", &x.ocsp);
		str_list(j, "ca_issuers", &x.ca_issuers);
	}
	sd_out_json_obj_end(j);
	sd_x509_info_free(&x);
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
	if (c->retransmit)
		sd_out_json_bool(j, "retransmit", true);
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
}

void
sd_out_ev_tls(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_dtls_hello_verify_request *h;

	if (ev->u.msg == NULL)
		return;
	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		client_hello(j, ev->u.msg);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		server_hello(j, ev->u.msg);
		break;
	case SD_EV_TLS_CERTIFICATE:
		certificate(j, ev->u.msg);
		break;
	case SD_EV_TLS_ALERT:
		alert(j, ev->u.msg);
		break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		h = ev->u.msg;
		sd_out_json_uint(j, "cookie_len", h->cookie.len);
		sd_out_json_uint(j, "server_version", h->server_version);
		if (h->retransmit)
			sd_out_json_bool(j, "retransmit", true);
		break;
	default:
		break;
	}
}
