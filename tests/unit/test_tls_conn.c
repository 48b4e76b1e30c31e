/* tests/unit/test_tls_conn.c - TLS facts beyond the contract: ServerKeyExchange, alert
 * context, tls.session, DTLS epoch / message_seq. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls_session_harness.h"


/* 4. ServerKeyExchange per key exchange */
static void
test_server_key_exchange(void **state)
{
	struct sd_tls_server_key_exchange ske;
	int i;

	(void)state;
	assert_string_equal(sd_tls_cipher_kex(0xc02f), "ecdhe");	/* ECDHE_RSA */
	assert_string_equal(sd_tls_cipher_kex(0xc02b), "ecdhe");	/* ECDHE_ECDSA */
	assert_string_equal(sd_tls_cipher_kex(0x009e), "dhe");	/* DHE_RSA_AES128_GCM */
	assert_string_equal(sd_tls_cipher_kex(0x00a8), "psk");	/* PSK_AES128_GCM */
	assert_string_equal(sd_tls_cipher_kex(0x0003), "rsa_export");
	assert_string_equal(sd_tls_cipher_kex(0x002f), "rsa");
	assert_string_equal(sd_tls_cipher_kex(0x0034), "dh_anon");
	assert_string_equal(sd_tls_cipher_kex(0xc037), "ecdhe_psk");
	assert_string_equal(sd_tls_cipher_kex(0x00aa), "dhe_psk");
	assert_string_equal(sd_tls_cipher_kex(0x1302), "tls13");
	assert_null(sd_tls_cipher_kex(0xfefe - 0x1000));	/* unassigned */

	/* ECDHE: named_curve x25519, 32-byte point, rsa_pss_rsae_sha256 signature */
	body.n = 0;
	put8(&body, 3); put16(&body, 0x001d); put8(&body, 32);
	for (i = 0; i < 32; i++)
		put8(&body, 9);
	put16(&body, 0x0804); put16(&body, 4); put(&body, "SIGN", 4);
	assert_int_equal(sd_tls_parse_server_key_exchange(sd_rd_make(body.b, body.n), "ecdhe",
	    true, &ske), SD_OK);
	assert_true(ske.parsed && ske.has_group && ske.has_sig_alg);
	assert_int_equal(ske.group, 0x001d);
	assert_int_equal(ske.sig_alg, 0x0804);
	assert_int_equal(ske.dh_bits, 0);
	/* TLS 1.1 layout (no SignatureAndHashAlgorithm) does not fit these bytes */
	assert_int_not_equal(sd_tls_parse_server_key_exchange(sd_rd_make(body.b, body.n),
	    "ecdhe", false, &ske), SD_OK);
	for (i = 0; i < (int)body.n; i++) {
		uint8_t *cp = xmemdup(body.b, (size_t)i);

		assert_int_not_equal(sd_tls_parse_server_key_exchange(sd_rd_make(cp, (size_t)i),
		    "ecdhe", true, &ske), SD_OK);
		free(cp);
	}

	/* DHE: p with a leading zero byte and 0x7f..: 1 + 128 bytes -> 1023 bits */
	body.n = 0;
	put16(&body, 129); put8(&body, 0);
	put8(&body, 0x7f);
	for (i = 0; i < 127; i++)
		put8(&body, 0xff);
	put16(&body, 1); put8(&body, 2);		/* g */
	put16(&body, 2); put16(&body, 0x1234);		/* Ys */
	put16(&body, 2); put(&body, "SG", 2);		/* TLS 1.0 signature */
	assert_int_equal(sd_tls_parse_server_key_exchange(sd_rd_make(body.b, body.n), "dhe",
	    false, &ske), SD_OK);
	assert_true(ske.parsed);
	assert_int_equal(ske.dh_bits, 1023);
	assert_false(ske.has_group || ske.has_sig_alg);

	/* PSK: only psk_identity_hint */
	body.n = 0;
	put16(&body, 4); put(&body, "hint", 4);
	assert_int_equal(sd_tls_parse_server_key_exchange(sd_rd_make(body.b, body.n), "psk",
	    true, &ske), SD_OK);
	assert_true(ske.parsed);
	assert_false(ske.has_sig_alg);
	/* unknown key exchange: not read, not an error */
	assert_int_equal(sd_tls_parse_server_key_exchange(sd_rd_make(body.b, body.n), NULL,
	    true, &ske), SD_OK);
	assert_false(ske.parsed);
}

/* 6. alert context: sender, what the peer sent last, timing, phase */
static void
test_alert_context(void **state)
{
	struct sd_memcap mc = { 0 };
	struct srec r;
	struct sd_tls_conn *c;
	const struct sev *ev;
	struct sd_tls_session s;

	(void)state;
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	assert_non_null(c);
	e1.n = body.n = rec.n = 0;
	client_hello(&body, NULL, 0, &e1);
	hs_record(&rec, SD_TLS_HS_CLIENT_HELLO, &body);
	feed(c, 0, &rec, 1, 1000);
	body.n = rec.n = 0;
	server_hello(&body, NULL, 0, 0xc02f, NULL);
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO, &body);
	body.n = 0;
	hs_record(&rec, SD_TLS_HS_SERVER_HELLO_DONE, &body);
	feed(c, 1, &rec, 2, 1200);
	rec.n = 0;
	put8(&rec, SD_TLS_CT_ALERT); put16(&rec, 0x0303); put16(&rec, 2);
	put8(&rec, 2); put8(&rec, 42);			/* fatal bad_certificate */
	feed(c, 0, &rec, 3, 1700);
	ev = nth(&r, SD_EV_TLS_ALERT, 0);
	assert_false(ev->m.alert.encrypted);
	assert_int_equal(ev->m.alert.sender, SD_ROLE_CLIENT);
	assert_string_equal(sd_tls_after_name(ev->m.alert.after, ev->m.alert.after_hs),
	    "server_hello_done");
	assert_true(ev->m.alert.has_since_peer);
	assert_int_equal(ev->m.alert.since_peer_ms, 500);
	assert_true(ev->m.alert.has_since_client_hello);
	assert_int_equal(ev->m.alert.since_client_hello_ms, 700);

	/* then the handshake completes and data flows; an encrypted alert from the server
	 * after its application data is in the application phase */
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);
	raw_record(&rec, SD_TLS_CT_HANDSHAKE, 40, 0xee);
	feed(c, 0, &rec, 4, 1800);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_CCS, 1, 1);
	raw_record(&rec, SD_TLS_CT_HANDSHAKE, 40, 0xee);
	feed(c, 1, &rec, 5, 1900);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_ALERT, 26, 0x99);	/* encrypted, before any data */
	feed(c, 1, &rec, 6, 2000);
	ev = nth(&r, SD_EV_TLS_ALERT, 1);
	assert_true(ev->m.alert.encrypted);
	assert_int_equal(ev->m.alert.sender, SD_ROLE_SERVER);
	assert_false(ev->m.alert.application);	/* "phase": "handshake" */
	assert_string_equal(sd_tls_after_name(ev->m.alert.after, ev->m.alert.after_hs),
	    "encrypted_handshake");
	assert_true(ev->m.alert.has_peer_hs);	/* the client's last clear message */
	assert_string_equal(sd_tls_hs_name(ev->m.alert.peer_hs), "client_hello");
	assert_int_equal(ev->m.alert.since_peer_ms, 200);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 100, 0x98);
	feed(c, 0, &rec, 7, 2100);
	rec.n = 0;
	raw_record(&rec, SD_TLS_CT_APPDATA, 100, 0x97);
	raw_record(&rec, SD_TLS_CT_ALERT, 26, 0x96);
	feed(c, 1, &rec, 8, 2300);
	ev = nth(&r, SD_EV_TLS_ALERT, 2);
	assert_true(ev->m.alert.application);	/* "phase": "application" */
	assert_string_equal(sd_tls_after_name(ev->m.alert.after, ev->m.alert.after_hs),
	    "application_data");

	sd_tls_conn_end(c, &(struct sd_tls_pkt){ 9, 1700000003, 0 });
	ev = nth(&r, SD_EV_TLS_SESSION, 0);
	assert_int_equal(ev->frame, 9);		/* the caller's frame (flow end) */
	s = ev->m.sess;
	assert_int_equal(s.nalerts, 3);
	assert_int_equal(s.alerts[0].description, 42);
	assert_int_equal(s.alerts[0].frame, 3);
	assert_int_equal(s.alerts[0].sender, SD_ROLE_CLIENT);
	assert_true(s.alerts[2].encrypted);
	assert_int_equal(s.alerts[2].frame, 8);
	assert_true(s.handshake_complete);
	assert_int_equal(s.app_data[0], 1);
	assert_int_equal(s.app_data[1], 1);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* 8. DTLS: epoch and message_seq on handshake events; tls.session epochs, retransmits */
static void
dtls_hs(struct bytes *o, uint16_t epoch, uint64_t rseq, uint8_t type, uint16_t mseq,
    const struct bytes *b)
{
	put8(o, SD_TLS_CT_HANDSHAKE);
	put16(o, 0xfefd);
	put16(o, epoch);
	put16(o, (unsigned)(rseq >> 32));
	put16(o, (unsigned)(rseq >> 16) & 0xffff);
	put16(o, (unsigned)rseq & 0xffff);
	put16(o, (unsigned)b->n + 12);
	put8(o, type);
	put24(o, (unsigned)b->n);
	put16(o, mseq);
	put24(o, 0);
	put24(o, (unsigned)b->n);
	put(o, b->b, b->n);
}

static void
dgram(struct sd_tls_conn *c, int dir, const struct bytes *b, uint64_t frame)
{
	struct sd_tls_pkt pkt = { frame, 1700000000, 0 };
	uint8_t *cp = xmemdup(b->b, b->n);

	assert_int_equal(sd_dtls_datagram(c, dir, sd_rd_make(cp, b->n), &pkt), SD_OK);
	free(cp);
}

static void
test_dtls_epoch_seq(void **state)
{
	struct sd_memcap mc = { 0 };
	struct srec r;
	struct sd_tls_conn *c;
	const struct sev *ev;
	struct sd_tls_session s;
	size_t i;

	(void)state;
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, true, s_emit, &r);
	assert_non_null(c);
	/* DTLS ClientHello: version, random, session id<0>, cookie<0>, suites, compression */
	body.n = 0;
	put16(&body, 0xfefd);
	for (i = 0; i < 32; i++)
		put8(&body, 0x33);
	put8(&body, 0); put8(&body, 0);
	put16(&body, 2); put16(&body, 0xc02b);
	put8(&body, 1); put8(&body, 0);
	rec.n = 0;
	dtls_hs(&rec, 0, 0, SD_TLS_HS_CLIENT_HELLO, 0, &body);
	dgram(c, 0, &rec, 1);
	dgram(c, 0, &rec, 2);			/* retransmitted */
	e1.n = 0;
	put16(&e1, 0xfefd); put8(&e1, 4); put(&e1, "COOK", 4);
	rec.n = 0;
	dtls_hs(&rec, 0, 0, SD_TLS_HS_HELLO_VERIFY_REQUEST, 0, &e1);
	dgram(c, 1, &rec, 3);
	rec.n = 0;
	dtls_hs(&rec, 0, 1, SD_TLS_HS_CLIENT_HELLO, 1, &body);
	dgram(c, 0, &rec, 4);
	e1.n = 0;
	put16(&e1, 0xfefd);
	for (i = 0; i < 32; i++)
		put8(&e1, 0x44);
	put8(&e1, 0); put16(&e1, 0xc02b); put8(&e1, 0);
	rec.n = 0;
	dtls_hs(&rec, 0, 1, SD_TLS_HS_SERVER_HELLO, 1, &e1);
	put8(&rec, SD_TLS_CT_CCS); put16(&rec, 0xfefd); put16(&rec, 0); put16(&rec, 0);
	put32(&rec, 2); put16(&rec, 1); put8(&rec, 1);
	put8(&rec, SD_TLS_CT_HANDSHAKE); put16(&rec, 0xfefd); put16(&rec, 1); put16(&rec, 0);
	put32(&rec, 0); put16(&rec, 8); put32(&rec, 0xdeadbeef); put32(&rec, 0);
	dgram(c, 1, &rec, 5);

	assert_int_equal(count(&r, SD_EV_TLS_CLIENT_HELLO), 3);
	ev = nth(&r, SD_EV_TLS_CLIENT_HELLO, 1);
	assert_true(ev->m.ch.retransmit);
	assert_int_equal(ev->m.ch.message_seq, 0);
	ev = nth(&r, SD_EV_TLS_CLIENT_HELLO, 2);
	assert_false(ev->m.ch.retransmit);
	assert_int_equal(ev->m.ch.message_seq, 1);
	assert_int_equal(ev->m.ch.epoch, 0);
	ev = nth(&r, SD_EV_DTLS_HELLO_VERIFY_REQUEST, 0);
	assert_int_equal(ev->m.hvr.message_seq, 0);
	ev = nth(&r, SD_EV_TLS_SERVER_HELLO, 0);
	assert_int_equal(ev->m.sh.message_seq, 1);
	assert_true(ev->m.sh.dtls);
	sd_tls_conn_end(c, NULL);
	s = nth(&r, SD_EV_TLS_SESSION, 0)->m.sess;
	assert_true(s.dtls);
	assert_int_equal(s.epochs[0], 0);
	assert_int_equal(s.epochs[1], 1);
	assert_int_equal(s.retransmits, 1);
	assert_true(s.abbreviated);		/* CCS right after the ServerHello */
	assert_int_equal(s.client_hello_frame, 1);
	assert_int_equal(s.server_hello_frame, 5);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* A connection that never saw a record says nothing at its end. */
static void
test_session_needs_records(void **state)
{
	struct sd_memcap mc = { 0 };
	struct srec r;
	struct sd_tls_conn *c;

	(void)state;
	memset(&r, 0, sizeof(r));
	c = sd_tls_conn_new(&mc, false, s_emit, &r);
	assert_non_null(c);
	sd_tls_conn_end(c, NULL);
	assert_int_equal(r.n, 0);
	sd_tls_conn_free(c);
	sd_tls_conn_end(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_key_exchange),
		cmocka_unit_test(test_alert_context),
		cmocka_unit_test(test_dtls_epoch_seq),
		cmocka_unit_test(test_session_needs_records),
	};

	(void)rec_emit;		/* tls_vectors.h's recorder: these tests have their own */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
