/* tests/unit/test_dtls.c - DTLS records, fragment reassembly, retransmissions, epochs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dissect/tls.h"
#include "tls_vectors.h"

#define CH_DTLS_JA4	"d13d0306h2_40b44b994229_0d385148b956"	/* CH_JA4 with 'd' */
/* md5("65277,4865-4866-49199,0-16-43-10-11-13,29-23,0"): version 0xfefd */
#define CH_DTLS_JA3	"fdcc5ac76db66bfb0ac88af4261895f4"

/* DTLSPlaintext header (RFC 6347 4.1): type, version, epoch, sequence_number(48), length. */
static void
drecord(struct bytes *o, uint8_t type, uint16_t epoch, uint32_t seq, const uint8_t *b, size_t n)
{
	put8(o, type);
	put16(o, 0xfefd);
	put16(o, epoch);
	put16(o, 0);
	put16(o, seq >> 16);
	put16(o, seq & 0xffff);
	put16(o, (unsigned)n);
	put(o, b, n);
}

/* Handshake fragment header (RFC 6347 4.2.2) + fragment bytes. */
static void
frag(struct bytes *o, uint8_t type, const uint8_t *msg, size_t mlen, uint16_t mseq,
    size_t off, size_t flen)
{
	put8(o, type);
	put24(o, (unsigned)mlen);
	put16(o, mseq);
	put24(o, (unsigned)off);
	put24(o, (unsigned)flen);
	put(o, msg + off, flen);
}

/* The DTLS form of ch_body: version 0xfefd and a cookie after the session id. */
static size_t
dtls_ch(uint8_t *out, const uint8_t *cookie, size_t clen)
{
	size_t n = 0;

	out[n++] = 0xfe;
	out[n++] = 0xfd;
	memcpy(out + n, ch_body + 2, 33);	/* random, session_id<0> */
	n += 33;
	out[n++] = (uint8_t)clen;
	if (clen > 0)
		memcpy(out + n, cookie, clen);
	n += clen;
	memcpy(out + n, ch_body + 35, sizeof(ch_body) - 35);
	return n + sizeof(ch_body) - 35;
}

static enum sd_rc
datagram(struct sd_tls_conn *c, int dir, const struct bytes *d, uint64_t frame)
{
	struct sd_tls_pkt pkt = { frame, 0, 0 };
	uint8_t *cp = xmemdup(d->b, d->n);	/* exact size for ASan */
	enum sd_rc rc = sd_dtls_datagram(c, dir, sd_rd_make(cp, d->n), &pkt);

	free(cp);
	return rc;
}

static void
test_client_hello_and_retransmission(void **state)
{
	static struct bytes rec, h;
	uint8_t ch[300];
	size_t n = dtls_ch(ch, NULL, 0);
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c;

	(void)state;
	h.n = rec.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 0, n);
	drecord(&rec, SD_TLS_CT_HANDSHAKE, 0, 0, h.b, h.n);
	assert_int_equal(sd_tls_probe(sd_rd_make(rec.b, rec.n), true), SD_OK);
	c = sd_tls_conn_new(&mc, true, rec_emit, &r);
	assert_int_equal(datagram(c, 0, &rec, 1), SD_OK);
	assert_int_equal(r.n, 1);
	assert_true(r.ev[0].dtls);
	assert_false(r.ev[0].retransmit);
	assert_string_equal(r.ev[0].ja3, CH_DTLS_JA3);
	assert_string_equal(r.ev[0].ja4, CH_DTLS_JA4);
	assert_string_equal(r.ev[0].sni, "example.com");
	/* the same datagram again after a timeout: reported again, flagged */
	assert_int_equal(datagram(c, 0, &rec, 2), SD_OK);
	assert_int_equal(r.n, 2);
	assert_true(r.ev[1].retransmit);
	assert_int_equal(r.ev[1].frame, 2);
	assert_int_equal(sd_tls_conn_stats(c)->dtls_retransmits[0], 1);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* HelloVerifyRequest, then the ClientHello with the cookie (message_seq 1). */
static void
test_hello_verify_request(void **state)
{
	static const uint8_t hvr[] = {
		0xfe, 0xff,			/* server_version DTLS 1.0 (RFC 6347 4.2.1) */
		0x14,				/* cookie<20> */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	};
	static struct bytes rec, h;
	uint8_t ch[300];
	size_t n = dtls_ch(ch, hvr + 3, 20);
	struct recorder r = { 0 };
	struct sd_tls_conn *c;

	(void)state;
	c = sd_tls_conn_new(NULL, true, rec_emit, &r);
	h.n = rec.n = 0;
	frag(&h, SD_TLS_HS_HELLO_VERIFY_REQUEST, hvr, sizeof(hvr), 0, 0, sizeof(hvr));
	drecord(&rec, SD_TLS_CT_HANDSHAKE, 0, 0, h.b, h.n);
	assert_int_equal(datagram(c, 1, &rec, 2), SD_OK);
	h.n = rec.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 1, 0, n);
	drecord(&rec, SD_TLS_CT_HANDSHAKE, 0, 1, h.b, h.n);
	assert_int_equal(datagram(c, 0, &rec, 3), SD_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, SD_EV_DTLS_HELLO_VERIFY_REQUEST);
	assert_int_equal(r.ev[0].cookie_len, 20);
	assert_int_equal(r.ev[0].frame, 2);
	assert_int_equal(r.ev[1].type, SD_EV_TLS_CLIENT_HELLO);
	assert_int_equal(r.ev[1].cookie_len, 20);
	assert_false(r.ev[1].retransmit);
	sd_tls_conn_free(c);
}

/* A ClientHello in three fragments arriving 3, 1, (1 again), 2; with two records in the
 * last datagram.  One event, at the frame of the last fragment. */
static void
test_fragments_out_of_order(void **state)
{
	static struct bytes d1, d2, d3, h;
	uint8_t ch[300];
	size_t n = dtls_ch(ch, NULL, 0);
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c;
	static const uint8_t alert[] = { 0x01, 0x00 };	/* close_notify, in clear (epoch 0) */

	(void)state;
	d1.n = d2.n = d3.n = 0;
	h.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 100, n - 100);
	drecord(&d3, SD_TLS_CT_HANDSHAKE, 0, 2, h.b, h.n);
	h.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 0, 60);
	drecord(&d1, SD_TLS_CT_HANDSHAKE, 0, 0, h.b, h.n);
	h.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 40, 60);	/* overlaps the first */
	drecord(&d2, SD_TLS_CT_HANDSHAKE, 0, 1, h.b, h.n);
	drecord(&d2, SD_TLS_CT_ALERT, 0, 3, alert, sizeof(alert));

	c = sd_tls_conn_new(&mc, true, rec_emit, &r);
	assert_int_equal(datagram(c, 0, &d3, 5), SD_OK);
	assert_int_equal(datagram(c, 0, &d1, 6), SD_OK);
	assert_int_equal(datagram(c, 0, &d1, 7), SD_OK);	/* duplicate fragment */
	assert_int_equal(r.n, 0);
	assert_true(mc.used > sizeof(struct sd_tls_conn));	/* a slot is held */
	assert_int_equal(datagram(c, 0, &d2, 8), SD_OK);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_CLIENT_HELLO);
	assert_int_equal(r.ev[0].frame, 8);
	assert_string_equal(r.ev[0].ja3, CH_DTLS_JA3);
	assert_int_equal(r.ev[1].type, SD_EV_TLS_ALERT);
	assert_false(r.ev[1].encrypted);
	assert_int_equal(r.ev[1].description, 0);
	assert_int_equal(mc.used, sizeof(struct sd_tls_conn));	/* slot given back */
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* Epoch 1: protected Finished and alert; a DTLS 1.3 unified-header record is counted. */
static void
test_epochs_and_unified_header(void **state)
{
	static const uint8_t ccs[] = { 0x01 };
	static const uint8_t fin[40] = { 0x14, 0x00, 0x00, 0x0c };	/* looks like Finished */
	static const uint8_t enc_alert[26] = { 0x99 };
	static const uint8_t unified[] = {
		0x2e,			/* 001 C=0 S=1 L=1 EE=10 */
		0x12, 0x34,		/* sequence number (16 bits) */
		0x00, 0x04, 0xaa, 0xbb, 0xcc, 0xdd,	/* length 4, ciphertext */
	};
	static struct bytes d;
	struct recorder r = { 0 };
	struct sd_tls_conn *c;

	(void)state;
	d.n = 0;
	drecord(&d, SD_TLS_CT_CCS, 0, 5, ccs, 1);
	drecord(&d, SD_TLS_CT_HANDSHAKE, 1, 0, fin, sizeof(fin));
	drecord(&d, SD_TLS_CT_ALERT, 1, 1, enc_alert, sizeof(enc_alert));
	put(&d, unified, sizeof(unified));
	c = sd_tls_conn_new(NULL, true, rec_emit, &r);
	assert_int_equal(datagram(c, 1, &d, 9), SD_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_ALERT);
	assert_true(r.ev[0].encrypted);
	assert_true(r.ev[0].dtls);
	assert_int_equal(sd_tls_conn_stats(c)->dtls13_records[1], 1);
	assert_int_equal(sd_tls_conn_stats(c)->records[1], 3);
	assert_int_equal(sd_tls_conn_stats(c)->malformed[1], 0);
	sd_tls_conn_free(c);
}

/* Every prefix of a datagram holding a whole ClientHello: only the full one emits. */
static void
test_every_prefix(void **state)
{
	static struct bytes rec, h;
	uint8_t ch[300];
	size_t n = dtls_ch(ch, NULL, 0), k;
	struct recorder r = { 0 };
	struct sd_tls_pkt pkt = { 1, 0, 0 };

	(void)state;
	h.n = rec.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 0, n);
	drecord(&rec, SD_TLS_CT_HANDSHAKE, 0, 0, h.b, h.n);
	for (k = 0; k <= rec.n; k++) {
		uint8_t *cp = xmemdup(rec.b, k);
		struct sd_tls_conn *c = sd_tls_conn_new(NULL, true, rec_emit, &r);

		r.n = 0;
		(void)sd_dtls_datagram(c, 0, sd_rd_make(cp, k), &pkt);
		assert_int_equal(r.n, k == rec.n ? 1 : 0);
		sd_tls_conn_free(c);
		free(cp);
	}
}

/* Bit flips over fragmented datagrams, and more interleaved messages than slots. */
static void
test_flips_and_slot_pressure(void **state)
{
	static struct bytes d, h;
	uint8_t ch[300];
	size_t n = dtls_ch(ch, NULL, 0), i;
	struct recorder r;
	struct sd_memcap mc = { 0 };
	struct sd_tls_pkt pkt = { 1, 0, 0 };
	struct sd_tls_conn *c;
	uint16_t seq;
	int bit;

	(void)state;
	d.n = 0;
	h.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 0, 50);
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 50, n - 50);
	drecord(&d, SD_TLS_CT_HANDSHAKE, 0, 0, h.b, h.n);
	for (i = 0; i < d.n; i++)
		for (bit = 0; bit < 8; bit++) {
			uint8_t *cp = xmemdup(d.b, d.n);

			c = sd_tls_conn_new(&mc, true, rec_emit, &r);
			r.n = 0;
			cp[i] ^= (uint8_t)(1u << bit);
			(void)sd_dtls_datagram(c, 0, sd_rd_make(cp, d.n), &pkt);
			assert_true(r.n <= 1);
			sd_tls_conn_free(c);
			free(cp);
		}
	assert_int_equal(mc.used, 0);

	/* first fragments of 10 messages (message_seq 0..9): the oldest slots are evicted */
	c = sd_tls_conn_new(&mc, true, rec_emit, &r);
	r.n = 0;
	for (seq = 0; seq < 10; seq++) {
		d.n = h.n = 0;
		frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, seq, 0, 50);
		drecord(&d, SD_TLS_CT_HANDSHAKE, 0, seq, h.b, h.n);
		assert_int_equal(datagram(c, 0, &d, seq + 1), SD_OK);
	}
	/* the rest of message 9 completes it; message 0 was evicted and stays silent */
	d.n = h.n = 0;
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 9, 50, n - 50);
	frag(&h, SD_TLS_HS_CLIENT_HELLO, ch, n, 0, 50, n - 50);
	drecord(&d, SD_TLS_CT_HANDSHAKE, 0, 20, h.b, h.n);
	assert_int_equal(datagram(c, 0, &d, 30), SD_OK);
	assert_int_equal(r.n, 1);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_hello_and_retransmission),
		cmocka_unit_test(test_hello_verify_request),
		cmocka_unit_test(test_fragments_out_of_order),
		cmocka_unit_test(test_epochs_and_unified_header),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_flips_and_slot_pressure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
