/* tests/unit/test_e_workers.c - --workers: the split key (both ways, fragments, tunnels, ICMP, IPsec) and the queues. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/workers.h"

#define LINKTYPE_ETHERNET	1

struct frame {
	uint8_t		 b[256];
	size_t		 n;
};

/* Ethernet + IPv4 header (20 bytes) from a to b carrying proto, then body. */
static void
ip4(struct frame *f, const uint8_t a[4], const uint8_t b[4], uint8_t proto, uint16_t frag,
    const uint8_t *body, size_t blen)
{
	uint8_t *ip = f->b + 14;
	size_t tot = 20 + blen;

	memset(f, 0, sizeof(*f));
	f->b[12] = 0x08;		/* IPv4 */
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = 0x12;			/* id */
	ip[6] = (uint8_t)(frag >> 8);
	ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, a, 4);
	memcpy(ip + 16, b, 4);
	memcpy(ip + 20, body, blen);
	f->n = 14 + tot;
}

/* A UDP or TCP header's ports, then zeros: 20 bytes. */
static void
ports(uint8_t *l4, uint16_t sport, uint16_t dport)
{
	memset(l4, 0, 20);
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	l4[12] = 0x50;
}

static int
key_of(const struct frame *f, uint64_t *key)
{
	struct sd_pkt_in in;

	memset(&in, 0, sizeof(in));
	in.caplen = in.len = (uint32_t)f->n;
	in.linktype = LINKTYPE_ETHERNET;
	in.data = f->b;
	return sd_workers_key(&in, key);
}

static const uint8_t A[4] = { 10, 0, 0, 1 }, B[4] = { 10, 0, 0, 2 }, R[4] = { 10, 9, 9, 9 };

static void
test_both_ways(void **state)
{
	struct frame f;
	uint8_t l4[20];
	uint64_t k1, k2, k3;

	(void)state;
	ports(l4, 40000, 443);
	ip4(&f, A, B, 6, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k1), 0);
	ports(l4, 443, 40000);
	ip4(&f, B, A, 6, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k2), 0);
	assert_int_equal(k1, k2);
	/* another pair (one address changed) is another key */
	ip4(&f, B, R, 6, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k3), 0);
	assert_int_not_equal(k1, k3);
}

static void
test_fragments(void **state)
{
	struct frame f;
	uint8_t l4[20], rest[20];
	uint64_t first, later;

	(void)state;
	ports(l4, 5000, 53);
	memset(rest, 0xab, sizeof(rest));	/* no ports in a later fragment */
	ip4(&f, A, B, 17, 0x2000, l4, sizeof(l4));		/* MF, offset 0 */
	assert_int_equal(key_of(&f, &first), 0);
	ip4(&f, A, B, 17, 0x0003, rest, sizeof(rest));	/* offset 24, last */
	assert_int_equal(key_of(&f, &later), 0);
	assert_int_equal(first, later);
}

static void
test_tunnel(void **state)
{
	struct frame inner, f;
	const uint8_t x[4] = { 192, 168, 1, 1 }, y[4] = { 192, 168, 2, 2 };
	uint8_t l4[20];
	uint64_t k1, k2;

	(void)state;
	/* IP in IP between gateways A and B: every inner flow goes with the tunnel */
	ports(l4, 1234, 443);
	ip4(&inner, x, y, 6, 0, l4, sizeof(l4));
	ip4(&f, A, B, 4, 0, inner.b + 14, inner.n - 14);
	assert_int_equal(key_of(&f, &k1), 0);
	ports(l4, 443, 1234);
	ip4(&inner, y, x, 6, 0, l4, sizeof(l4));
	ip4(&f, B, A, 4, 0, inner.b + 14, inner.n - 14);
	assert_int_equal(key_of(&f, &k2), 0);
	assert_int_equal(k1, k2);
}

static void
test_icmp_quote(void **state)
{
	struct frame quoted, f;
	uint8_t l4[20], icmp[64];
	uint64_t kflow, kicmp;

	(void)state;
	ports(l4, 40000, 443);
	ip4(&quoted, A, B, 17, 0, l4, 8);
	ip4(&f, A, B, 17, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &kflow), 0);
	/* a router's "fragmentation needed" to A quotes A -> B: it goes with that flow */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 3;
	icmp[1] = 4;
	memcpy(icmp + 8, quoted.b + 14, quoted.n - 14);
	ip4(&f, R, A, 1, 0, icmp, 8 + quoted.n - 14);
	assert_int_equal(key_of(&f, &kicmp), 0);
	assert_int_equal(kflow, kicmp);
	/* an echo request is its own pair's */
	icmp[0] = 8;
	ip4(&f, R, A, 1, 0, icmp, 16);
	assert_int_equal(key_of(&f, &kicmp), 0);
	assert_int_not_equal(kflow, kicmp);
}

static void
test_ipsec(void **state)
{
	struct frame f;
	uint8_t l4[20];
	uint64_t k;

	(void)state;
	ports(l4, 500, 500);
	ip4(&f, A, B, 17, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k), 1);
	ports(l4, 4500, 4500);
	ip4(&f, A, B, 17, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k), 1);
	ip4(&f, A, B, 50, 0, l4, sizeof(l4));		/* ESP */
	assert_int_equal(key_of(&f, &k), 1);
	ports(l4, 40000, 443);
	ip4(&f, A, B, 6, 0, l4, sizeof(l4));
	assert_int_equal(key_of(&f, &k), 0);
	/* not IP (ARP): no key */
	ip4(&f, A, B, 6, 0, l4, sizeof(l4));
	f.b[12] = 0x08;
	f.b[13] = 0x06;
	assert_int_equal(key_of(&f, &k), -1);
	assert_int_equal(k, 0);
}

/* What each worker was given, checked on its own thread's data after the join. */
struct seen {
	uint64_t	 packets, last_frame, ticks, calls, finished;
	int		 disorder;
	uint8_t		 pair_worker[256];	/* last octet of A's peer -> 1 */
};

static void
on_packet(void *ctx, const struct sd_pkt_in *pk)
{
	struct seen *s = ctx;

	if (pk->frame <= s->last_frame)
		s->disorder++;
	s->last_frame = pk->frame;
	s->packets++;
	if (pk->caplen >= 14 + 20)
		s->pair_worker[pk->data[14 + 19]] = 1;
}

static void
on_tick(void *ctx, uint64_t now)
{
	(void)now;
	((struct seen *)ctx)->ticks++;
}

static void
on_call(void *ctx, const void *p, size_t n)
{
	(void)p;
	if (n == 3)
		((struct seen *)ctx)->calls++;
}

static void
on_finish(void *ctx)
{
	((struct seen *)ctx)->finished++;
}

static void
test_queues(void **state)
{
	static const struct sd_workers_cb cb = { on_packet, on_tick, on_call, on_finish };
	struct seen s[3];
	void *ctx[3] = { &s[0], &s[1], &s[2] };
	struct sd_workers *ws;
	struct sd_pkt_in in;
	struct frame f;
	uint8_t l4[20], peer[4] = { 10, 0, 1, 0 };
	char err[128];
	uint64_t i, total = 0;
	int k, both;

	(void)state;
	memset(s, 0, sizeof(s));
	ws = sd_workers_start(3, &cb, ctx, err, sizeof(err));
	assert_non_null(ws);
	ports(l4, 40000, 443);
	for (i = 1; i <= 20000; i++) {
		peer[3] = (uint8_t)(i % 200);
		ip4(&f, A, peer, 6, 0, l4, sizeof(l4));
		memset(&in, 0, sizeof(in));
		in.frame = i;
		in.sec = 1000 + (int64_t)(i / 1000);	/* 20 s of capture time */
		in.caplen = in.len = (uint32_t)f.n;
		in.linktype = LINKTYPE_ETHERNET;
		in.data = f.b;
		sd_workers_packet(ws, &in);
	}
	sd_workers_broadcast(ws, "end", 3);
	sd_workers_finish(ws);
	for (k = 0; k < 3; k++) {
		total += s[k].packets;
		assert_int_equal(s[k].disorder, 0);	/* the file's order, its numbers */
		assert_true(s[k].packets > 0);		/* 200 pairs spread over all three */
		assert_int_equal(s[k].calls, 1);
		assert_int_equal(s[k].finished, 1);
		assert_int_equal(s[k].ticks, s[0].ticks);	/* every engine expires alike */
	}
	assert_true(s[0].ticks >= 19);
	assert_int_equal(total, 20000);
	/* a pair goes to one worker only */
	for (i = 0; i < 200; i++) {
		for (k = 0, both = 0; k < 3; k++)
			both += s[k].pair_worker[i];
		assert_int_equal(both, 1);
	}
}

static void
test_ipsec_pair_pinned(void **state)
{
	static const struct sd_workers_cb cb = { on_packet, NULL, NULL, NULL };
	struct seen s[2];
	void *ctx[2] = { &s[0], &s[1] };
	struct sd_workers *ws;
	struct sd_pkt_in in;
	struct frame f;
	uint8_t l4[20], peer[4] = { 10, 0, 1, 0 };
	char err[128];
	int i;

	(void)state;
	memset(s, 0, sizeof(s));
	ws = sd_workers_start(2, &cb, ctx, err, sizeof(err));
	assert_non_null(ws);
	memset(&in, 0, sizeof(in));
	in.linktype = LINKTYPE_ETHERNET;
	in.data = f.b;
	for (i = 0; i < 64; i++) {
		/* IKE first, then TCP between the same gateways: all on worker 0 */
		peer[3] = (uint8_t)i;
		ports(l4, 500, 500);
		ip4(&f, A, peer, 17, 0, l4, sizeof(l4));
		in.caplen = in.len = (uint32_t)f.n;
		in.frame++;
		sd_workers_packet(ws, &in);
		ports(l4, 40000, 22);
		ip4(&f, peer, A, 6, 0, l4, sizeof(l4));
		in.frame++;
		sd_workers_packet(ws, &in);
	}
	sd_workers_finish(ws);
	assert_int_equal(s[0].packets, 128);
	assert_int_equal(s[1].packets, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_ways),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_icmp_quote),
		cmocka_unit_test(test_ipsec),
		cmocka_unit_test(test_queues),
		cmocka_unit_test(test_ipsec_pair_pinned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
