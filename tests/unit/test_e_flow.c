/* tests/unit/test_a_flow.c - flow table: roles, lookups both ways, expiry, eviction, memcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/flow.h"
#include "dissect/l4.h"

struct ended {
	uint64_t	 ids[16];
	const char	*why[16];
	int		 n;
};

static void
on_end(void *ctx, struct sd_flow *f, const char *why)
{
	struct ended *e = ctx;

	if (e->n < 16) {
		e->ids[e->n] = f->id;
		e->why[e->n] = why;
		e->n++;
	}
}

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

static void
test_roles(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_flow_table *t;
	struct sd_flow *f, *g;
	struct ended e = { 0 };
	bool created;
	int dir;

	(void)state;
	t = sd_flow_table_new(NULL, NULL, on_end, &e);
	assert_non_null(t);
	/* SYN: the sender is the client, whatever the ports */
	f = sd_flow_get(t, SD_IPPROTO_TCP, &c, 443, &s, 40000, SD_TCP_SYN, 0, &dir, &created);
	assert_true(created);
	assert_int_equal(dir, SD_ROLE_CLIENT);
	assert_string_equal(f->role_by, "syn");
	assert_int_equal(f->port[SD_ROLE_SERVER], 40000);
	g = sd_flow_get(t, SD_IPPROTO_TCP, &s, 40000, &c, 443, SD_TCP_SYN | SD_TCP_ACK, 1, &dir,
	    &created);
	assert_ptr_equal(f, g);
	assert_false(created);
	assert_int_equal(dir, SD_ROLE_SERVER);
	/* SYN-ACK seen first: its receiver is the client */
	f = sd_flow_get(t, SD_IPPROTO_TCP, &s, 8443, &c, 50000, SD_TCP_SYN | SD_TCP_ACK, 2, &dir,
	    &created);
	assert_int_equal(dir, SD_ROLE_SERVER);
	assert_string_equal(f->role_by, "synack");
	/* mid-stream UDP from the service port: the sender is the server */
	f = sd_flow_get(t, SD_IPPROTO_UDP, &s, 500, &c, 33000, 0, 3, &dir, &created);
	assert_int_equal(dir, SD_ROLE_SERVER);
	assert_string_equal(f->role_by, "port");
	/* 500 <-> 500: the first sender is the client (IKE initiator) */
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 500, &s, 500, 0, 4, &dir, &created);
	assert_int_equal(dir, SD_ROLE_CLIENT);
	assert_string_equal(f->role_by, "first");
	/* lookup without creation */
	assert_non_null(sd_flow_find(t, SD_IPPROTO_UDP, &s, 500, &c, 500, &dir));
	assert_int_equal(dir, SD_ROLE_SERVER);
	assert_null(sd_flow_find(t, SD_IPPROTO_UDP, &s, 501, &c, 500, &dir));
	assert_int_equal(sd_flow_table_stats(t)->active, 4);
	sd_flow_table_free(t);
	/* every flow ends once, in creation order */
	assert_int_equal(e.n, 4);
	assert_int_equal(e.ids[0], 1);
	assert_int_equal(e.ids[3], 4);
	assert_string_equal(e.why[0], "capture_end");
}

static void
test_expiry_and_eviction(void **state)
{
	struct sd_flow_limits lim = { .max_flows = 2, .udp_idle_us = 60000000 };
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_memcap mc = { .limit = 1 << 20 };
	struct sd_flow_table *t;
	struct sd_flow *f;
	struct ended e = { 0 };
	bool created;
	int dir;

	(void)state;
	t = sd_flow_table_new(&lim, &mc, on_end, &e);
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 1000, &s, 53, 0, 0, &dir, &created);
	sd_flow_touch(t, f, 0);
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 1001, &s, 53, 0, 10000000, &dir, &created);
	sd_flow_touch(t, f, 10000000);
	assert_true(mc.used > 0);
	/* third flow: the table is full, the least recently active (id 1) is pushed out */
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 1002, &s, 53, 0, 20000000, &dir, &created);
	sd_flow_touch(t, f, 20000000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ids[0], 1);
	assert_string_equal(e.why[0], "evicted");
	assert_int_equal(sd_flow_table_stats(t)->evicted, 1);
	/* 65 s later flow 2 (last seen at 10 s) is idle past 60 s; flow 3 (20 s) is not */
	sd_flow_expire(t, 75000000);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ids[1], 2);
	assert_string_equal(e.why[1], "idle");
	sd_flow_expire(t, 81000000);
	assert_int_equal(e.n, 3);
	assert_int_equal(sd_flow_table_stats(t)->active, 0);
	assert_int_equal(mc.used, 0);
	sd_flow_table_free(t);
}

/* SYNs and nothing back end after 70 s idle; an answered connection waits its hour. */
static void
test_syn_only_timeout(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_memcap mc = { .limit = 1 << 20 };
	struct sd_flow_table *t;
	struct sd_flow *a, *b;
	struct ended e = { 0 };
	uint64_t aid;
	bool created;
	int dir;

	(void)state;
	t = sd_flow_table_new(NULL, &mc, on_end, &e);
	a = sd_flow_get(t, SD_IPPROTO_TCP, &c, 1000, &s, 443, 0x02, 0, &dir, &created);
	a->rec.syn_seen = true;
	a->rec.packets[SD_ROLE_CLIENT] = 3;
	sd_flow_touch(t, a, 0);
	aid = a->id;	/* a is freed when it ends */
	b = sd_flow_get(t, SD_IPPROTO_TCP, &c, 1001, &s, 443, 0x02, 0, &dir, &created);
	b->rec.syn_seen = b->rec.synack_seen = true;
	b->rec.packets[SD_ROLE_CLIENT] = b->rec.packets[SD_ROLE_SERVER] = 1;
	sd_flow_touch(t, b, 0);
	sd_flow_expire(t, 69000000);
	assert_int_equal(e.n, 0);
	sd_flow_expire(t, 70000000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ids[0], aid);
	assert_string_equal(e.why[0], "idle");
	sd_flow_expire(t, 3599000000ull);
	assert_int_equal(e.n, 1);	/* answered: the established timeout */
	sd_flow_table_free(t);
}

/*
 * A closed connection ends 10 s after its last packet even when hundreds of UDP flows
 * (180 s) were active before it: they used to fill the head of the one LRU list, and the
 * expiry, which looks at 256 flows per call, never reached the connection behind them.
 */
static void
test_closed_behind_udp(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_flow_table *t;
	struct sd_flow *f;
	struct ended e = { 0 };
	uint64_t tcp_id[2];
	bool created;
	int dir, i;

	(void)state;
	t = sd_flow_table_new(NULL, NULL, on_end, &e);
	for (i = 0; i < 300; i++)
		assert_non_null(sd_flow_get(t, SD_IPPROTO_UDP, &c, (uint16_t)(2000 + i), &s, 500,
		    0, 0, &dir, &created));
	for (i = 0; i < 2; i++) {
		f = sd_flow_get(t, SD_IPPROTO_TCP, &c, (uint16_t)(40000 + i), &s, 443, SD_TCP_SYN,
		    1000000, &dir, &created);
		assert_non_null(f);
		tcp_id[i] = f->id;
		f->rec.syn_seen = true;
		f->rec.packets[SD_ROLE_SERVER] = 1;
		sd_flow_touch(t, f, 1000000);
		/* FIN both ways, seen after the packet's touch: the engine refiles it */
		f->rec.fin_seen[0] = f->rec.fin_seen[1] = true;
		sd_flow_refile(t, f);
	}
	sd_flow_expire(t, 10999999);
	assert_int_equal(e.n, 0);
	sd_flow_expire(t, 11000000);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ids[0], tcp_id[0]);	/* least recently active first */
	assert_int_equal(e.ids[1], tcp_id[1]);
	assert_string_equal(e.why[0], "idle");
	assert_int_equal(sd_flow_table_stats(t)->active, 300);
	/* all that expired end in one call, however many (the engine calls once a second) */
	sd_flow_expire(t, 180000000);
	assert_int_equal(sd_flow_table_stats(t)->active, 0);
	sd_flow_table_free(t);
}

/*
 * A busy link closes more connections a second than expiry once ended per call (256):
 * 1000 a second for 20 s.  Each second's expiry ends every connection closed 10 s
 * before, so what is left is the last 9 seconds' and no backlog grows.
 */
static void
test_closed_busy_link(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(192, 0, 2, 1);
	struct sd_flow_table *t;
	struct sd_flow *f;
	struct ended e = { 0 };
	uint64_t now;
	bool created;
	int dir, sec, i;

	(void)state;
	t = sd_flow_table_new(NULL, NULL, on_end, &e);
	for (sec = 1; sec <= 20; sec++) {
		now = (uint64_t)sec * 1000000;
		sd_flow_expire(t, now);
		for (i = 0; i < 1000; i++) {
			f = sd_flow_get(t, SD_IPPROTO_TCP, &c, (uint16_t)(1024 + sec * 1000 + i),
			    &s, 443, SD_TCP_SYN, now, &dir, &created);
			assert_non_null(f);
			assert_true(created);
			f->rec.syn_seen = true;
			f->rec.packets[SD_ROLE_SERVER] = 1;
			f->rec.fin_seen[0] = f->rec.fin_seen[1] = true;
			sd_flow_touch(t, f, now);
		}
	}
	sd_flow_expire(t, 21000000);
	/* closed at 12..20 s: less than 10 s before 21 s */
	assert_int_equal(sd_flow_table_stats(t)->active, 9000);
	assert_int_equal(sd_flow_table_stats(t)->expired, 11000);
	assert_int_equal(sd_flow_table_stats(t)->evicted, 0);
	sd_flow_table_free(t);
}

/*
 * FIN both ways but one FIN never acknowledged (the peer left, or the last ACK was lost):
 * its sender retransmits it with RTO backoff, 14 s and then 29 s apart in a real capture.
 * The connection stays 120 s after its last packet, so each retransmission finds it;
 * once both FINs are acknowledged the short closed timeout applies.
 */
static void
test_closing_unacked_fin(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_flow_table *t;
	struct sd_flow *f, *g;
	struct ended e = { 0 };
	uint64_t fid, gid;
	bool created;
	int dir;

	(void)state;
	t = sd_flow_table_new(NULL, NULL, on_end, &e);
	f = sd_flow_get(t, SD_IPPROTO_TCP, &c, 40000, &s, 443, SD_TCP_SYN, 1000000, &dir,
	    &created);
	g = sd_flow_get(t, SD_IPPROTO_TCP, &c, 40001, &s, 443, SD_TCP_SYN, 1000000, &dir,
	    &created);
	assert_non_null(f);
	assert_non_null(g);
	fid = f->id;
	gid = g->id;
	f->tcp = sd_memcap_calloc(NULL, sizeof(*f->tcp));
	g->tcp = sd_memcap_calloc(NULL, sizeof(*g->tcp));
	assert_non_null(f->tcp);
	assert_non_null(g->tcp);
	f->rec.syn_seen = g->rec.syn_seen = true;
	f->rec.packets[SD_ROLE_SERVER] = g->rec.packets[SD_ROLE_SERVER] = 1;
	f->rec.fin_seen[0] = f->rec.fin_seen[1] = true;
	g->rec.fin_seen[0] = g->rec.fin_seen[1] = true;
	f->tcp->fin_acked[SD_ROLE_CLIENT] = true;	/* the server's FIN is not */
	g->tcp->fin_acked[0] = g->tcp->fin_acked[1] = true;
	sd_flow_touch(t, f, 1000000);
	sd_flow_touch(t, g, 1000000);
	sd_flow_expire(t, 11000000);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.ids[0], gid);	/* both FINs acknowledged: 10 s */
	sd_flow_expire(t, 120999999);
	assert_int_equal(e.n, 1);
	sd_flow_expire(t, 121000000);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ids[1], fid);
	/* the last ACK arrives late: refiled to the short timeout from its packet */
	f = sd_flow_get(t, SD_IPPROTO_TCP, &c, 40002, &s, 443, SD_TCP_SYN, 200000000, &dir,
	    &created);
	f->tcp = sd_memcap_calloc(NULL, sizeof(*f->tcp));
	assert_non_null(f->tcp);
	f->rec.fin_seen[0] = f->rec.fin_seen[1] = true;
	f->rec.packets[SD_ROLE_SERVER] = 1;
	sd_flow_touch(t, f, 200000000);
	f->tcp->fin_acked[0] = f->tcp->fin_acked[1] = true;
	sd_flow_refile(t, f);
	sd_flow_expire(t, 210000000);
	assert_int_equal(e.n, 3);
	sd_flow_table_free(t);
}

static void
test_memcap_refusal(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_memcap mc = { .limit = sizeof(struct sd_flow) + 8 };
	struct sd_flow_table *t;
	struct sd_flow *f;
	bool created;
	int dir;

	(void)state;
	t = sd_flow_table_new(NULL, &mc, NULL, NULL);
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 1000, &s, 53, 0, 0, &dir, &created);
	assert_non_null(f);
	/* no room for a second flow: the first one is evicted to make room, before the cap
	 * has to refuse anything */
	f = sd_flow_get(t, SD_IPPROTO_UDP, &c, 1001, &s, 53, 0, 1, &dir, &created);
	assert_non_null(f);
	assert_int_equal(sd_flow_table_stats(t)->evicted, 1);
	assert_int_equal(mc.refused, 0);
	sd_flow_table_free(t);
	assert_int_equal(mc.used, 0);
}

/* A flood of new flows near the cap: each new flow ends the least recently active ones
 * until an eighth of the cap is free, so that memory stays for the flows that are live. */
static void
test_memcap_reserve(void **state)
{
	struct sd_addr c = v4(10, 0, 0, 1), s = v4(10, 0, 0, 2);
	struct sd_memcap mc = { .limit = 64 * sizeof(struct sd_flow) };
	struct sd_flow_table *t;
	struct sd_flow *f;
	bool created;
	int dir;
	uint16_t i;

	(void)state;
	t = sd_flow_table_new(NULL, &mc, NULL, NULL);
	for (i = 0; i < 1000; i++) {
		f = sd_flow_get(t, SD_IPPROTO_UDP, &c, (uint16_t)(1000 + i), &s, 53, 0, i,
		    &dir, &created);
		assert_non_null(f);
		assert_true(created);
		/* what is left after the new flow: at least an eighth, less one flow */
		assert_true(mc.used <= mc.limit - mc.limit / 8 + sizeof(struct sd_flow));
	}
	assert_int_equal(mc.refused, 0);
	assert_int_equal(sd_flow_table_stats(t)->evicted + sd_flow_table_stats(t)->active, 1000);
	assert_true(sd_flow_table_stats(t)->active >= 56);
	/* the newest flow is still there, the oldest ones were ended */
	assert_non_null(sd_flow_find(t, SD_IPPROTO_UDP, &c, 1999, &s, 53, &dir));
	assert_null(sd_flow_find(t, SD_IPPROTO_UDP, &c, 1000, &s, 53, &dir));
	sd_flow_table_free(t);
	assert_int_equal(mc.used, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_expiry_and_eviction),
		cmocka_unit_test(test_syn_only_timeout),
		cmocka_unit_test(test_closed_behind_udp),
		cmocka_unit_test(test_closing_unacked_fin),
		cmocka_unit_test(test_closed_busy_link),
		cmocka_unit_test(test_memcap_refusal),
		cmocka_unit_test(test_memcap_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
