/* tests/unit/test_tls_session.c - TLS facts beyond the contract: ClientHello extras,
 * resumption, the TLS 1.3 encrypted handshake, CertificateRequest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls_session_harness.h"

/* 1. key_share, psk, psk_modes, early_data, session_ticket, ech */
static void
test_client_hello_extras(void **state)
{
	struct sd_tls_client_hello ch;
	struct sd_rd r;
	uint16_t g;
	uint8_t m;

	(void)state;
	e1.n = e2.n = body.n = 0;
	/* key_share: GREASE (1 byte key), x25519 (32 bytes), secp256r1 (65 bytes) */
	put16(&e2, 4 + 1 + 4 + 32 + 4 + 65);
	put16(&e2, 0x3a3a); put16(&e2, 1); put8(&e2, 0);
	put16(&e2, 0x001d); put16(&e2, 32);
	for (m = 0; m < 32; m++)
		put8(&e2, m);
	put16(&e2, 0x0017); put16(&e2, 65);
	for (m = 0; m < 65; m++)
		put8(&e2, 4);
	ext(&e1, SD_TLS_EXT_KEY_SHARE, &e2);
	e2.n = 0;
	put8(&e2, 1); put8(&e2, 1);			/* psk_dhe_ke */
	ext(&e1, SD_TLS_EXT_PSK_KEY_EXCHANGE_MODES, &e2);
	e2.n = 0;
	ext(&e1, SD_TLS_EXT_EARLY_DATA, &e2);
	put(&e2, "TICK", 4);
	ext(&e1, SD_TLS_EXT_SESSION_TICKET, &e2);
	e2.n = 0;
	put8(&e2, 0);					/* ECH outer, content not read */
	ext(&e1, SD_TLS_EXT_ECH, &e2);
	e2.n = 0;
	put16(&e2, 0);					/* pre_shared_key, last */
	ext(&e1, SD_TLS_EXT_PRE_SHARED_KEY, &e2);
	client_hello(&body, NULL, 0, &e1);
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(body.b, body.n), false, &ch),
	    SD_OK);
	assert_true(ch.has_key_share);
	r = ch.key_shares;
	assert_true(sd_rd_be16(&r, &g) && g == 0x3a3a);	/* GREASE kept, in order */
	assert_true(sd_rd_skip(&r, 3) && sd_rd_be16(&r, &g) && g == 0x001d);
	assert_true(sd_rd_skip(&r, 34) && sd_rd_be16(&r, &g) && g == 0x0017);
	assert_true(ch.psk);
	assert_int_equal(ch.psk_modes.len, 1);
	assert_int_equal(ch.psk_modes.p[0], 1);
	assert_true(ch.early_data);
	assert_true(ch.has_session_ticket);
	assert_int_equal(ch.session_ticket_len, 4);
	assert_true(ch.ech);
	assert_int_equal(ch.flags & SD_TLS_HELLO_BAD_EXT, 0);

	/* the contract vector has none of them; an empty session_ticket is an offer */
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(ch_body, sizeof(ch_body)), false,
	    &ch), SD_OK);
	assert_false(ch.has_key_share || ch.psk || ch.early_data || ch.has_session_ticket ||
	    ch.ech);
	assert_int_equal(ch.psk_modes.len, 0);
	e1.n = e2.n = body.n = 0;
	ext(&e1, SD_TLS_EXT_SESSION_TICKET, &e2);
	client_hello(&body, NULL, 0, &e1);
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(body.b, body.n), false, &ch),
	    SD_OK);
	assert_true(ch.has_session_ticket);
	assert_int_equal(ch.session_ticket_len, 0);

	/* a key_share entry running past its list is a bad extension, not a crash */
	e1.n = e2.n = body.n = 0;
	put16(&e2, 6); put16(&e2, 0x001d); put16(&e2, 32); put16(&e2, 0);
	ext(&e1, SD_TLS_EXT_KEY_SHARE, &e2);
	client_hello(&body, NULL, 0, &e1);
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(body.b, body.n), false, &ch),
	    SD_OK);
	assert_false(ch.has_key_share);
	assert_true(ch.flags & SD_TLS_HELLO_BAD_EXT);
}

static const uint8_t sid32[32] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

/*
 * TLS 1.2 resumption: ClientHello (session id, optionally a ticket), ServerHello echoing
 * sh_sid, then the abbreviated flight (server CCS + Finished, client CCS + Finished),
 * application data.  Returns the tls.session.
 */
static struct sd_tls_session
resume12(struct srec *r, bool ticket, const uint8_t *sh_sid, bool full)
{
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c = sd_tls_conn_new(&mc, false, s_emit, r);
	struct sd_tls_session s;

	assert_non_null(c);
	e1.n = e2.n = body.n = rec.n = 0;
	if (ticket) {
		put(&e2, "TICKETDATA", 10);
		ext(&e1, SD_TLS_EXT_SESSION_TICKET, &e2);
	}
	client_hello(&body, sid32, 32, &e1);
	hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &body);
	feed(c, 0, &rec, 1, 0);
	body.n = rec.n = 0;
	server_hello(&body, sh_sid, 32, 0xc02f, NULL);
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &body);
	if (full) {
		body.n = 0;
		hs_record(&rec, SD_TLS_HS_SERVER_HELLO_DONE, &body);
	}
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);
	raw_record(&rec, SD_TLS_CT_HANDSHAKE, 40, 0xee);	/* protected Finished */
	feed(c, 1, &rec, 2, 10);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);
	raw_record(&rec, SD_TLS_CT_HANDSHAKE, 40, 0xdd);
	raw_record(&rec, SD_TLS_CT_APPDATA, 100, 0xcc);
	raw_record(&rec, SD_TLS_CT_APPDATA, 100, 0xcc);
	feed(c, 0, &rec, 3, 20);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 300, 0xbb);
	feed(c, 1, &rec, 4, 30);
	sd_tls_conn_end(c, NULL);
	sd_tls_conn_end(c, NULL);		/* once only */
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
	assert_int_equal(count(r, SD_EV_TLS_SESSION), 1);
	s = nth(r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_int_equal(nth(r, SD_EV_TLS_SESSION, 0)->frame, 4);	/* last record */
	assert_int_equal(nth(r, SD_EV_TLS_SERVER_HELLO, 0)->m.sh.resumed, s.resumed);
	return s;
}

/* 2. resumption recognised, abbreviated handshake confirmed */
static void
test_resumption_tls12(void **state)
{
	struct srec r;
	struct sd_tls_session s;
	uint8_t other[32];

	(void)state;
	memset(&r, 0, sizeof(r));
	s = resume12(&r, false, sid32, false);
	assert_int_equal(s.resumed, SD_TLS_RESUMED_SESSION_ID);
	assert_true(s.abbreviated);
	assert_true(s.handshake_complete);
	assert_int_equal(s.app_data[0], 2);
	assert_int_equal(s.app_data[1], 1);
	assert_int_equal(s.client_hello_frame, 1);
	assert_int_equal(s.server_hello_frame, 2);
	assert_int_equal(s.version, 0x0303);
	assert_int_equal(s.cipher, 0xc02f);
	assert_false(s.encrypted_handshake);
	assert_int_equal(count(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE), 0);

	memset(&r, 0, sizeof(r));
	s = resume12(&r, true, sid32, false);
	assert_int_equal(s.resumed, SD_TLS_RESUMED_TICKET);
	assert_string_equal(sd_tls_resumed_name(s.resumed), "ticket");

	/* a new session id from the server: a full handshake, not resumed */
	memset(other, 0x77, sizeof(other));
	memset(&r, 0, sizeof(r));
	s = resume12(&r, true, other, true);
	assert_int_equal(s.resumed, SD_TLS_RESUMED_NO);
	assert_false(s.abbreviated);
	assert_null(sd_tls_resumed_name(s.resumed));
}

/* 5. TLS 1.3: PSK resumption, one tls.encrypted_handshake per side, completion */
static void
test_tls13_encrypted_handshake(void **state)
{
	struct sd_memcap mc = { 0 };
	struct srec r;
	struct sd_tls_conn *c;
	struct sd_tls_session s;
	const struct sev *ev;

	(void)state;
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	assert_non_null(c);
	e1.n = e2.n = body.n = rec.n = 0;
	client_hello(&body, NULL, 0, &e1);
	hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &body);
	feed(c, 0, &rec, 1, 0);
	e1.n = e2.n = body.n = rec.n = 0;
	put16(&e2, 0x0304);
	ext(&e1, SD_TLS_EXT_SUPPORTED_VERSIONS, &e2);
	e2.n = 0;
	put16(&e2, 0);
	ext(&e1, SD_TLS_EXT_PRE_SHARED_KEY, &e2);
	server_hello(&body, NULL, 0, 0x1301, &e1);
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &body);
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);		/* middlebox compatibility */
	raw_record(&rec, SD_TLS_CT_APPDATA, 60, 0xaa);	/* EncryptedExtensions.. */
	raw_record(&rec, SD_TLS_CT_APPDATA, 50, 0xab);	/* ..Finished */
	feed(c, 1, &rec, 2, 5);
	assert_int_equal(count(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE), 1);
	ev = nth(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE, 0);
	assert_int_equal(ev->m.eh.sender, SD_ROLE_SERVER);
	assert_int_equal(ev->m.eh.records, 1);
	assert_int_equal(ev->frame, 2);
	assert_int_equal(nth(&r, SD_EV_TLS_SERVER_HELLO, 0)->m.sh.resumed, SD_TLS_RESUMED_PSK);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);
	raw_record(&rec, SD_TLS_CT_APPDATA, 53, 0xac);	/* client Finished */
	raw_record(&rec, SD_TLS_CT_APPDATA, 80, 0xad);	/* request */
	feed(c, 0, &rec, 3, 7);
	assert_int_equal(count(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE), 2);
	ev = nth(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE, 1);
	assert_int_equal(ev->m.eh.sender, SD_ROLE_CLIENT);
	assert_int_equal(ev->frame, 3);
	sd_tls_conn_end(c, NULL);	/* before the server answered: not complete */
	s = nth(&r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_false(s.handshake_complete);
	assert_true(s.encrypted_handshake);
	assert_int_equal(s.resumed, SD_TLS_RESUMED_PSK);
	assert_int_equal(s.app_data[0], 1);
	assert_int_equal(s.app_data[1], 0);
	sd_tls_conn_free(c);

	/* the same with the server's answer: complete */
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	rec.n = body.n = 0;
	client_hello(&body, NULL, 0, &e2);
	e2.n = 0;
	hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &body);
	feed(c, 0, &rec, 1, 0);
	body.n = rec.n = 0;
	server_hello(&body, NULL, 0, 0x1301, &e1);
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &body);
	raw_record(&rec, SD_TLS_CT_APPDATA, 60, 0xaa);
	feed(c, 1, &rec, 2, 5);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 53, 0xac);
	feed(c, 0, &rec, 3, 7);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 200, 0xae);
	feed(c, 1, &rec, 4, 9);
	sd_tls_conn_end(c, NULL);
	s = nth(&r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_true(s.handshake_complete);
	assert_int_equal(s.app_data[1], 1);
	assert_int_equal(s.nalerts, 0);
	assert_int_equal(count(&r, SD_EV_TLS_ENCRYPTED_HANDSHAKE), 2);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);

	/* the server answers the client's Finished with a record of an encrypted alert's
	 * size (2 + 1 + 16-byte tag): refused (e.g. no client certificate), not complete */
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	rec.n = body.n = e2.n = 0;
	client_hello(&body, NULL, 0, &e2);
	hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &body);
	feed(c, 0, &rec, 1, 0);
	body.n = rec.n = 0;
	server_hello(&body, NULL, 0, 0x1301, &e1);
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &body);
	raw_record(&rec, SD_TLS_CT_APPDATA, 60, 0xaa);
	feed(c, 1, &rec, 2, 5);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 53, 0xac);
	feed(c, 0, &rec, 3, 7);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 19, 0xaf);
	feed(c, 1, &rec, 4, 9);
	sd_tls_conn_end(c, NULL);
	s = nth(&r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_false(s.handshake_complete);
	assert_int_equal(s.app_data[1], 0);
	assert_int_equal(s.nalerts, 1);
	assert_true(s.alerts[0].encrypted && s.alerts[0].by_length);
	assert_int_equal(s.alerts[0].sender, SD_ROLE_SERVER);
	assert_int_equal(s.alerts[0].frame, 4);
	assert_int_equal(count(&r, SD_EV_TLS_ALERT), 0);	/* tshark sees data: no event */
	assert_int_equal(count(&r, SD_EV_TLS_CLIENT_HELLO), 1);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* A DistinguishedName: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String cn } } } */
static void
dn(struct bytes *o, const char *cn)
{
	size_t n = strlen(cn);

	put16(o, (unsigned)(n + 13));
	put8(o, 0x30); put8(o, (unsigned)(n + 11));
	put8(o, 0x31); put8(o, (unsigned)(n + 9));
	put8(o, 0x30); put8(o, (unsigned)(n + 7));
	put8(o, 0x06); put8(o, 3); put8(o, 0x55); put8(o, 0x04); put8(o, 0x03);
	put8(o, 0x0c); put8(o, (unsigned)n);
	put(o, cn, n);
}

/* 3. CertificateRequest (TLS 1.2 layout) through a connection */
static void
test_certificate_request(void **state)
{
	struct sd_memcap mc = { 0 };
	struct srec r;
	struct sd_tls_conn *c;
	struct sd_tls_certificate_request cr;
	struct sd_tls_session s;
	const struct sev *ev;
	struct bytes *cas = &e2;
	int i;

	(void)state;
	/* cert types rsa_sign(1), ecdsa_sign(64); sig algs 0x0401, 0x0403; 2 CAs */
	body.n = cas->n = 0;
	put8(&body, 2); put8(&body, 1); put8(&body, 64);
	put16(&body, 4); put16(&body, 0x0401); put16(&body, 0x0403);
	dn(cas, "Test CA");
	dn(cas, "Other CA");
	put16(&body, (unsigned)cas->n);
	put(&body, cas->b, cas->n);
	assert_int_equal(sd_tls_parse_certificate_request(sd_rd_make(body.b, body.n), true, &cr),
	    SD_OK);
	assert_int_equal(cr.cert_types.len, 2);
	assert_true(cr.has_sig_algs);
	assert_int_equal(cr.sig_algs.len, 4);
	assert_int_equal(cr.ca_count, 2);
	assert_int_equal(cr.ca_kept, 2);
	assert_int_equal(cr.ca[0].len, 20);
	assert_int_equal(cr.ca[0].p[0], 0x30);
	/* TLS 1.0/1.1 layout has no signature algorithms: the same bytes do not parse */
	assert_int_not_equal(sd_tls_parse_certificate_request(sd_rd_make(body.b, body.n), false,
	    &cr), SD_OK);
	/* every truncation fails */
	for (i = 0; i < (int)body.n; i++) {
		uint8_t *cp = xmemdup(body.b, (size_t)i);

		assert_int_not_equal(sd_tls_parse_certificate_request(sd_rd_make(cp, (size_t)i),
		    true, &cr), SD_OK);
		free(cp);
	}
	/* 20 CA names: 16 kept, all counted */
	e1.n = cas->n = 0;
	put8(&e1, 1); put8(&e1, 1);
	put16(&e1, 2); put16(&e1, 0x0401);
	for (i = 0; i < 20; i++)
		dn(cas, "CA");
	put16(&e1, (unsigned)cas->n);
	put(&e1, cas->b, cas->n);
	assert_int_equal(sd_tls_parse_certificate_request(sd_rd_make(e1.b, e1.n), true, &cr),
	    SD_OK);
	assert_int_equal(cr.ca_count, 20);
	assert_int_equal(cr.ca_kept, SD_TLS_MAX_CA_NAMES);

	/* in a TLS 1.2 handshake: event, and the session knows a certificate was asked for
	 * and that the client sent an empty Certificate */
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	assert_non_null(c);
	e1.n = e2.n = rec.n = 0;
	{
		static struct bytes ch, sh;

		ch.n = sh.n = 0;
		client_hello(&ch, NULL, 0, &e1);
		hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &ch);
		feed(c, 0, &rec, 1, 0);
		rec.n = 0;
		server_hello(&sh, NULL, 0, 0xc02f, NULL);
		hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &sh);
		hs_record(&rec, SD_TLS_HS_CERTIFICATE_REQUEST, &body);
		sh.n = 0;
		hs_record(&rec, SD_TLS_HS_SERVER_HELLO_DONE, &sh);
		feed(c, 1, &rec, 2, 10);
		rec.n = 0;
		put24(&sh, 0);		/* Certificate: empty certificate_list */
		hs_record(&rec, SD_TLS_HS_CERTIFICATE, &sh);
		feed(c, 0, &rec, 3, 20);
	}
	assert_int_equal(count(&r, SD_EV_TLS_CERTIFICATE_REQUEST), 1);
	ev = nth(&r, SD_EV_TLS_CERTIFICATE_REQUEST, 0);
	assert_int_equal(ev->frame, 2);
	assert_int_equal(ev->dir, SD_ROLE_SERVER);
	assert_int_equal(ev->m.cr.ca_count, 2);
	assert_true(ev->m.cr.has_sig_algs);	/* the ServerHello chose TLS 1.2 */
	sd_tls_conn_end(c, NULL);
	s = nth(&r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_true(s.client_cert_requested);
	assert_false(s.client_cert_sent);
	assert_false(s.handshake_complete);
	assert_false(s.abbreviated);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello_extras),
		cmocka_unit_test(test_resumption_tls12),
		cmocka_unit_test(test_tls13_encrypted_handshake),
		cmocka_unit_test(test_certificate_request),
	};

	(void)rec_emit;		/* tls_vectors.h's recorder: these tests have their own */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
