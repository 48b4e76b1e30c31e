/* tests/unit/test_a_ike_track.c - IKE exchange pairing, retransmissions, SA lifecycle, NAT-D. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adapt/digest.h"
#include "engine/ike_track.h"
#include "engine/natd.h"
#include "dissect/ike.h"

/* What the sink saw, in order (copies of the structs the events borrowed). */
struct seen {
	enum sd_ev_type		 type[64];
	uint64_t		 frame[64];
	bool			 retransmit[64];
	struct sd_ike_exchange	 x[16];
	size_t			 nx;
	struct sd_ike_sa	 sa[4];
	size_t			 nsa;
	size_t			 n;
};

static struct sd_digest_hook digest;	/* OpenSSL, set in main() */

static void
sink(void *ctx, const struct sd_event *ev)
{
	struct seen *s = ctx;

	if (s->n < 64) {
		s->type[s->n] = ev->type;
		s->frame[s->n] = ev->frame;
		if (ev->type == SD_EV_IKE)
			s->retransmit[s->n] = ev->u.msg.ike->retransmit;
		s->n++;
	}
	if (ev->type == SD_EV_IKE_EXCHANGE && s->nx < 16)
		s->x[s->nx++] = *ev->u.msg.exchange;
	if (ev->type == SD_EV_IKE_SA && s->nsa < 4)
		s->sa[s->nsa++] = *ev->u.msg.ike_sa;
}

static const uint8_t ISPI[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
static const uint8_t RSPI[8] = { 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0x01 };

static struct sd_addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct sd_addr x;

	memset(&x, 0, sizeof(x));
	x.v = 4;
	x.a[0] = a;
	x.a[1] = b;
	x.a[2] = c;
	x.a[3] = d;
	return x;
}

/*
 * An IKEv2 message: 28-byte header, then optional notify payloads (type, 20-byte data),
 * or an SK payload of sk_len body bytes.
 */
static size_t
build(uint8_t *b, uint8_t exchange, uint8_t flags, uint32_t msgid, bool rspi,
    const uint16_t *ntypes, const uint8_t (*ndata)[20], size_t nn, size_t sk_len)
{
	size_t n = 28, i;

	memset(b, 0, 512);
	memcpy(b, ISPI, 8);
	if (rspi)
		memcpy(b + 8, RSPI, 8);
	b[16] = nn > 0 ? SD_IKE_P_NOTIFY : sk_len > 0 ? SD_IKE_P_SK : 0;
	b[17] = 0x20;
	b[18] = exchange;
	b[19] = flags;
	b[20] = (uint8_t)(msgid >> 24);
	b[21] = (uint8_t)(msgid >> 16);
	b[22] = (uint8_t)(msgid >> 8);
	b[23] = (uint8_t)msgid;
	for (i = 0; i < nn; i++) {
		b[n] = i + 1 < nn ? SD_IKE_P_NOTIFY : 0;		/* next payload */
		b[n + 2] = 0;
		b[n + 3] = 8 + 20;				/* payload length */
		b[n + 4] = 0;					/* protocol */
		b[n + 5] = 0;					/* SPI size */
		b[n + 6] = (uint8_t)(ntypes[i] >> 8);
		b[n + 7] = (uint8_t)ntypes[i];
		memcpy(b + n + 8, ndata[i], 20);
		n += 28;
	}
	if (sk_len > 0) {
		b[n] = 0;					/* inner: none (empty) */
		b[n + 2] = (uint8_t)((4 + sk_len) >> 8);
		b[n + 3] = (uint8_t)(4 + sk_len);
		n += 4 + sk_len;
	}
	b[24] = (uint8_t)(n >> 24);
	b[25] = (uint8_t)(n >> 16);
	b[26] = (uint8_t)(n >> 8);
	b[27] = (uint8_t)n;
	return n;
}

/* Feed one datagram from src:sport to dst:dport at frame / second. */
static void
feed(struct sd_ike_track *t, const uint8_t *b, size_t n, const struct sd_addr *src,
    uint16_t sport, const struct sd_addr *dst, uint16_t dport, uint64_t frame, int64_t sec)
{
	struct sd_ike_msg m;
	struct sd_event ev;
	struct sd_ike_track_pkt p;

	assert_int_equal(sd_ike_parse(sd_rd_make(b, n), false, &m), SD_OK);
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_IKE;
	ev.frame = frame;
	ev.ts_sec = sec;
	ev.transport = 17;
	ev.src = *src;
	ev.dst = *dst;
	ev.sport = sport;
	ev.dport = dport;
	ev.u.msg.ike = &m;
	p.datagram = sd_rd_make(b, n);
	p.ev = &ev;
	sd_ike_track_message(t, &m, &p);
}

static void
test_pairing_retransmit(void **state)
{
	struct sd_addr i = v4(10, 99, 0, 1), r = v4(10, 99, 0, 2);
	struct seen s = { 0 };
	struct sd_ev_sink sk = { sink, &s };
	struct sd_ike_track *t = sd_ike_track_new(NULL, sk, &digest);
	uint8_t req[512], resp[512], rreq[512], rresp[512];
	size_t nq, np, nrq, nrp;

	(void)state;
	assert_non_null(t);
	nq = build(req, SD_IKE_X_AUTH, SD_IKE_HF_INITIATOR, 1, true, NULL, NULL, 0, 200);
	np = build(resp, SD_IKE_X_AUTH, SD_IKE_HF_RESPONSE, 1, true, NULL, NULL, 0, 120);
	feed(t, req, nq, &i, 500, &r, 500, 1, 100);
	feed(t, req, nq, &i, 500, &r, 500, 2, 102);	/* the same bytes again */
	assert_true(s.retransmit[1]);
	assert_false(s.retransmit[0]);
	assert_int_equal(s.nx, 0);			/* nothing written before the answer */
	feed(t, resp, np, &r, 500, &i, 500, 3, 103);
	/* the `ike` event of the response comes before the exchange it completes */
	assert_int_equal(s.n, 4);
	assert_int_equal(s.type[2], SD_EV_IKE);
	assert_int_equal(s.type[3], SD_EV_IKE_EXCHANGE);
	assert_int_equal(s.nx, 1);
	assert_true(s.x[0].answered);
	assert_int_equal(s.x[0].request_frame, 1);
	assert_int_equal(s.x[0].response_frame, 3);
	assert_int_equal(s.x[0].retransmits, 1);
	assert_int_equal(sd_ip_addr_cmp(&s.x[0].initiator_addr, &i), 0);

	/* the responder's own request with message id 0: a separate exchange */
	nrq = build(rreq, SD_IKE_X_INFORMATIONAL, 0, 0, true, NULL, NULL,
	    0, 40);
	nrp = build(rresp, SD_IKE_X_INFORMATIONAL, SD_IKE_HF_INITIATOR | SD_IKE_HF_RESPONSE, 0,
	    true, NULL, NULL, 0, 40);
	feed(t, rreq, nrq, &r, 500, &i, 500, 4, 110);
	feed(t, rresp, nrp, &i, 500, &r, 500, 5, 110);
	assert_int_equal(s.nx, 2);
	assert_int_equal(s.x[1].request_frame, 4);
	assert_int_equal(s.x[1].response_frame, 5);
	assert_int_equal(sd_ip_addr_cmp(&s.x[1].initiator_addr, &r), 0);
	/* an unanswered request is written at the end */
	nq = build(req, SD_IKE_X_INFORMATIONAL, SD_IKE_HF_INITIATOR, 2, true, NULL, NULL, 0, 40);
	feed(t, req, nq, &i, 500, &r, 500, 6, 200);
	sd_ike_track_finish(t);
	assert_int_equal(s.nx, 3);
	assert_false(s.x[2].answered);
	assert_int_equal(s.x[2].request_frame, 6);
	assert_int_equal(s.nsa, 1);
	assert_int_equal(s.sa[0].exchanges, 3);
	assert_int_equal(s.sa[0].unanswered, 1);
	assert_int_equal(s.sa[0].dpd_requests, 2);
	assert_int_equal(s.sa[0].dpd_answered, 1);
	assert_true(s.sa[0].established);
	assert_int_equal(sd_ike_track_count(t), 0);
	sd_ike_track_free(t);
}

/*
 * The clock alone (sd_ike_track_tick, as a sensor's idle link drives it): a request with
 * its retransmissions and no answer is written unanswered 60 s after its last copy, not
 * before; an SA whose IKE_SA_INIT was never answered ends after 120 s of silence.
 */
static void
test_tick_unanswered(void **state)
{
	struct sd_addr i = v4(10, 99, 0, 1), r = v4(10, 99, 0, 2);
	struct seen s = { 0 };
	struct sd_ev_sink sk = { sink, &s };
	struct sd_ike_track *t = sd_ike_track_new(NULL, sk, &digest);
	uint8_t req[512];
	size_t nq;

	(void)state;
	assert_non_null(t);
	nq = build(req, SD_IKE_X_SA_INIT, SD_IKE_HF_INITIATOR, 0, false, NULL, NULL, 0, 0);
	feed(t, req, nq, &i, 500, &r, 500, 1, 1000);
	feed(t, req, nq, &i, 500, &r, 500, 2, 1004);
	feed(t, req, nq, &i, 500, &r, 500, 3, 1040);	/* the last copy */
	sd_ike_track_tick(t, 1090);
	assert_int_equal(s.nx, 0);			/* 50 s: it may yet be answered */
	sd_ike_track_tick(t, 1101);
	assert_int_equal(s.nx, 1);
	assert_false(s.x[0].answered);
	assert_int_equal(s.x[0].retransmits, 2);
	assert_int_equal(s.x[0].request_frame, 1);
	assert_int_equal(s.nsa, 0);			/* the SA stays a while */
	sd_ike_track_tick(t, 1150);
	assert_int_equal(s.nsa, 0);
	sd_ike_track_tick(t, 1170);
	assert_int_equal(s.nsa, 1);
	assert_false(s.sa[0].established);
	assert_int_equal(s.sa[0].unanswered, 1);
	assert_int_equal(sd_ike_track_count(t), 0);
	sd_ike_track_finish(t);
	assert_int_equal(s.nx, 1);			/* nothing written twice */
	assert_int_equal(s.nsa, 1);
	sd_ike_track_free(t);
}

/* IKEv1 header only: version 1.0, exchange, cookies, message id (no payloads). */
static size_t
build_v1(uint8_t *b, uint8_t exchange, uint32_t msgid, bool rcookie, uint8_t tag)
{
	memset(b, 0, 512);
	memcpy(b, ISPI, 8);
	if (rcookie)
		memcpy(b + 8, RSPI, 8);
	b[17] = 0x10;
	b[18] = exchange;
	b[20] = (uint8_t)(msgid >> 24);
	b[21] = (uint8_t)(msgid >> 16);
	b[22] = (uint8_t)(msgid >> 8);
	b[23] = (uint8_t)msgid;
	b[27] = 32;
	b[28] = tag;		/* 4 trailing bytes make each message's bytes distinct */
	return 32;
}

static void
feed_v1(struct sd_ike_track *t, struct sd_ike_state *st, const uint8_t *b, size_t n,
    const struct sd_addr *src, const struct sd_addr *dst, int dir, uint64_t frame)
{
	struct sd_ike_msg m;
	struct sd_event ev;
	struct sd_ike_track_pkt p;

	(void)sd_ike_parse(sd_rd_make(b, n), false, &m);
	assert_true(m.header_ok);
	sd_ike_state_update(st, &m, dir);
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_IKE;
	ev.frame = frame;
	ev.ts_sec = 100 + (int64_t)frame;
	ev.src = *src;
	ev.dst = *dst;
	ev.sport = ev.dport = 500;
	ev.u.msg.ike = &m;
	p.datagram = sd_rd_make(b, n);
	p.ev = &ev;
	sd_ike_track_message(t, &m, &p);
}

/* Main Mode is one exchange of six messages; a resent MM3 is a retransmission. */
static void
test_v1_main_quick(void **state)
{
	struct sd_addr i = v4(10, 99, 0, 1), r = v4(10, 99, 0, 2);
	struct seen s = { 0 };
	struct sd_ev_sink sk = { sink, &s };
	struct sd_ike_track *t = sd_ike_track_new(NULL, sk, &digest);
	struct sd_ike_state st;
	uint8_t b[512];
	size_t n;
	uint64_t fr = 0;
	uint8_t k;

	(void)state;
	sd_ike_state_init(&st, NULL);
	for (k = 1; k <= 6; k++) {
		n = build_v1(b, SD_IKE_X_V1_MAIN, 0, k > 1, k);
		if (k % 2 == 1)
			feed_v1(t, &st, b, n, &i, &r, 0, ++fr);
		else
			feed_v1(t, &st, b, n, &r, &i, 1, ++fr);
		if (k == 3) {
			feed_v1(t, &st, b, n, &i, &r, 0, ++fr);	/* MM3 again */
			assert_true(s.retransmit[s.n - 1]);
		}
		assert_int_equal(s.nx, k == 6 ? 1 : 0);
	}
	assert_int_equal(s.x[0].messages, 6);
	assert_int_equal(s.x[0].retransmits, 1);
	assert_int_equal(s.x[0].request_frame, 1);
	assert_int_equal(s.x[0].response_frame, 2);
	assert_int_equal(sd_ip_addr_cmp(&s.x[0].initiator_addr, &i), 0);
	/* Quick Mode: three messages */
	for (k = 1; k <= 3; k++) {
		n = build_v1(b, SD_IKE_X_V1_QUICK, 0x01020304, true, (uint8_t)(10 + k));
		if (k != 2)
			feed_v1(t, &st, b, n, &i, &r, 0, ++fr);
		else
			feed_v1(t, &st, b, n, &r, &i, 1, ++fr);
	}
	assert_int_equal(s.nx, 2);
	assert_int_equal(s.x[1].exchange, SD_IKE_X_V1_QUICK);
	assert_int_equal(s.x[1].messages, 3);
	sd_ike_track_finish(t);
	assert_int_equal(s.nsa, 1);
	assert_true(s.sa[0].established);
	assert_int_equal(s.sa[0].init_frame, 1);
	assert_int_equal(sd_ip_addr_cmp(&s.sa[0].initiator, &i), 0);
	assert_int_equal(s.sa[0].unanswered, 0);
	sd_ike_track_free(t);
	sd_ike_state_free(&st);
}

static void
test_nat_detection(void **state)
{
	struct sd_addr i = v4(10, 99, 0, 1), r = v4(10, 99, 0, 2), priv = v4(10, 99, 1, 7);
	static const uint8_t zero[8];
	struct seen s = { 0 };
	struct sd_ev_sink sk = { sink, &s };
	struct sd_ike_track *t = sd_ike_track_new(NULL, sk, &digest);
	uint16_t types[2] = { SD_IKE_N_NAT_DETECTION_SOURCE_IP,
		SD_IKE_N_NAT_DETECTION_DESTINATION_IP };
	uint8_t data[2][20], req[512], resp[512];
	size_t nq, np;

	(void)state;
	/* the initiator hashed its private address: seen here from 10.99.0.1 */
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, zero, &priv, 500, data[0], 20), 20);
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, zero, &r, 500, data[1], 20), 20);
	nq = build(req, SD_IKE_X_SA_INIT, SD_IKE_HF_INITIATOR, 0, false, types,
	    (const uint8_t (*)[20])data, 2, 0);
	/* the responder's hashes match what is seen */
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, RSPI, &r, 500, data[0], 20), 20);
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, RSPI, &i, 500, data[1], 20), 20);
	np = build(resp, SD_IKE_X_SA_INIT, SD_IKE_HF_RESPONSE, 0, true, types,
	    (const uint8_t (*)[20])data, 2, 0);
	feed(t, req, nq, &i, 500, &r, 500, 1, 100);
	feed(t, resp, np, &r, 500, &i, 500, 2, 100);
	assert_int_equal(s.nx, 1);
	assert_true(s.x[0].has_nat);
	assert_true(s.x[0].nat.checked);
	assert_int_equal(s.x[0].nat.initiator_behind_nat, 1);
	assert_int_equal(s.x[0].nat.responder_behind_nat, 0);
	sd_ike_track_finish(t);
	assert_int_equal(s.nsa, 1);
	assert_int_equal(s.sa[0].nat.initiator_behind_nat, 1);
	assert_int_equal(s.sa[0].init_frame, 1);
	assert_false(s.sa[0].established);	/* no IKE_AUTH */

	/* same addresses everywhere: no NAT on either side */
	memset(&s, 0, sizeof(s));
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, zero, &i, 500, data[0], 20), 20);
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, zero, &r, 500, data[1], 20), 20);
	nq = build(req, SD_IKE_X_SA_INIT, SD_IKE_HF_INITIATOR, 0, false, types,
	    (const uint8_t (*)[20])data, 2, 0);
	feed(t, req, nq, &i, 500, &r, 500, 3, 200);
	sd_ike_track_finish(t);
	assert_int_equal(s.nx, 1);
	assert_false(s.x[0].answered);
	assert_int_equal(s.x[0].nat.initiator_behind_nat, 0);
	assert_int_equal(s.x[0].nat.responder_behind_nat, 0);
	sd_ike_track_free(t);
}

static void
test_natd_vector(void **state)
{
	/* SHA-1 over 8+8+4+2 bytes, checked against `openssl dgst -sha1` of the same bytes */
	static const uint8_t want[20] = { 0x77, 0x15, 0xa9, 0xc9, 0x14, 0x5e, 0x74, 0xec,
		0x97, 0xa0, 0x9f, 0x5a, 0x44, 0xb0, 0xf6, 0x70, 0xf3, 0x37, 0x7d, 0x89 };
	struct sd_addr a = v4(10, 99, 0, 1);
	uint8_t h[64];

	(void)state;
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, RSPI, &a, 4500, h, sizeof(h)), 20);
	assert_memory_equal(h, want, 20);
	assert_int_equal(sd_natd_hash(&digest, "nope", ISPI, RSPI, &a, 4500, h, sizeof(h)), 0);
	assert_int_equal(sd_natd_hash(&digest, "sha1", ISPI, RSPI, &a, 4500, h, 19), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairing_retransmit),
		cmocka_unit_test(test_tick_unanswered),
		cmocka_unit_test(test_nat_detection),
		cmocka_unit_test(test_v1_main_quick),
		cmocka_unit_test(test_natd_vector),
	};

	digest = sd_adapt_digest();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
