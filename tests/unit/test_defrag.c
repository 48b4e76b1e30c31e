/* tests/unit/test_defrag.c - IPv4/IPv6 fragment reassembly: order, overlaps, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/defrag.h"

#define SEC	1000000ull

/* 24 bytes of upper-layer payload, cut into three fragments of 8 */
static uint8_t	 data24[24];

/* Exact-size heap copies of fragment payloads, freed at the end of each test. */
static uint8_t	*copies[64];
static size_t	 ncopies;

static void
free_copies(void)
{
	while (ncopies > 0)
		free(copies[--ncopies]);
}

/* A fragment as ip.c would describe it: v4 10.0.0.1 -> 10.0.0.2, UDP. */
static struct sd_ip
frag(uint8_t version, uint32_t ident, uint32_t off, bool mf, const void *p, size_t n)
{
	struct sd_ip ip;
	uint8_t *cp = malloc(n ? n : 1);

	assert_non_null(cp);
	assert_true(ncopies < 64);
	memcpy(cp, p, n);
	copies[ncopies++] = cp;
	memset(&ip, 0, sizeof(ip));
	ip.version = version;
	ip.src.v = ip.dst.v = version;
	if (version == 4) {
		ip.src.a[0] = ip.dst.a[0] = 10;
		ip.src.a[3] = 1;
		ip.dst.a[3] = 2;
		ip.id = (uint16_t)ident;
		ip.hdr_len = 20;
	} else {
		ip.src.a[0] = ip.dst.a[0] = 0x20;	/* 2001:db8::1 -> 2001:db8::2 */
		ip.src.a[1] = ip.dst.a[1] = 0x01;
		ip.src.a[2] = ip.dst.a[2] = 0x0d;
		ip.src.a[3] = ip.dst.a[3] = 0xb8;
		ip.src.a[15] = 1;
		ip.dst.a[15] = 2;
		ip.hdr_len = 48;
	}
	ip.frag_ident = ident;
	ip.proto = SD_IPPROTO_UDP;
	ip.fragment = true;
	ip.more_frags = mf;
	ip.frag_offset = off;
	ip.total_len = (uint32_t)(ip.hdr_len + n);
	ip.payload = sd_rd_make(cp, n);
	return ip;
}

struct res {
	enum sd_rc	 rc;
	struct sd_rd	 out;
	uint64_t	 first_frame;
	uint32_t	 nfrags;
};

static struct res
feed(struct sd_defrag *t, const struct sd_ip *ip, uint64_t now, uint64_t frame)
{
	struct res r;

	r.rc = sd_defrag_add(t, ip, now, frame, &r.out, &r.first_frame, &r.nfrags);
	return r;
}

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data24); i++)
		data24[i] = (uint8_t)(0xa0 + i);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free_copies();
	return 0;
}

static void
test_v4_in_order(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	struct sd_ip a = frag(4, 77, 0, true, data24, 8);
	struct sd_ip b = frag(4, 77, 8, true, data24 + 8, 8);
	struct sd_ip c = frag(4, 77, 16, false, data24 + 16, 8);
	const struct sd_defrag_stats *st;
	struct res r;
	size_t idle;

	(void)state;
	assert_non_null(t);
	idle = mc.used;				/* the table alone */
	assert_int_equal(feed(t, &a, 1, 10).rc, SD_NEED_MORE);
	assert_true(mc.used > idle);		/* held bytes are charged */
	assert_int_equal(feed(t, &b, 2, 11).rc, SD_NEED_MORE);
	r = feed(t, &c, 3, 12);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 24);
	assert_memory_equal(r.out.p, data24, 24);
	assert_int_equal(r.first_frame, 10);
	assert_int_equal(r.nfrags, 3);
	st = sd_defrag_stats(t);
	assert_int_equal(st->fragments, 3);
	assert_int_equal(st->reassembled, 1);
	assert_int_equal(st->overlaps + st->dropped + st->timed_out + st->duplicates, 0);
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_v4_reversed(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	struct sd_ip a = frag(4, 78, 0, true, data24, 8);
	struct sd_ip b = frag(4, 78, 8, true, data24 + 8, 8);
	struct sd_ip c = frag(4, 78, 16, false, data24 + 16, 8);
	struct res r;

	(void)state;
	assert_int_equal(feed(t, &c, 1, 20).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &b, 2, 21).rc, SD_NEED_MORE);
	r = feed(t, &a, 3, 22);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 24);
	assert_memory_equal(r.out.p, data24, 24);
	assert_int_equal(r.first_frame, 22);		/* the offset-0 fragment's frame */
	assert_int_equal(r.nfrags, 3);
	/* the datagram is gone: its last fragment again starts a new one */
	assert_int_equal(feed(t, &c, 4, 23).rc, SD_NEED_MORE);
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_duplicates_and_overlap(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	uint8_t other[16];
	struct sd_ip a = frag(4, 79, 0, true, data24, 16);
	struct sd_ip dup = frag(4, 79, 0, true, data24, 16);
	struct sd_ip ov, c;
	const struct sd_defrag_stats *st = sd_defrag_stats(t);
	struct res r;

	(void)state;
	memset(other, 0xee, sizeof(other));
	ov = frag(4, 79, 8, true, other, 16);		/* [8, 24): 8 bytes differ */
	c = frag(4, 79, 24, false, "tail", 4);
	assert_int_equal(feed(t, &a, 1, 1).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &dup, 2, 2).rc, SD_NEED_MORE);
	assert_int_equal(st->duplicates, 1);
	assert_int_equal(st->overlaps, 0);
	assert_int_equal(feed(t, &ov, 3, 3).rc, SD_NEED_MORE);
	assert_int_equal(st->overlaps, 1);
	r = feed(t, &c, 4, 4);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 28);
	assert_memory_equal(r.out.p, data24, 16);	/* the first copy won */
	assert_memory_equal(r.out.p + 16, other + 8, 8);	/* the new bytes were taken */
	assert_memory_equal(r.out.p + 24, "tail", 4);
	assert_int_equal(r.nfrags, 3);			/* the duplicate brought nothing */
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_v6_ident(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	struct sd_ip a1 = frag(6, 0xdeadbeef, 0, true, data24, 16);
	struct sd_ip a2 = frag(6, 0xdeadbeef, 16, false, data24 + 16, 8);
	struct sd_ip b1 = frag(6, 0xdeadbef0, 0, true, "BBBBBBBB", 8);
	struct sd_ip b2 = frag(6, 0xdeadbef0, 8, false, "bb", 2);
	struct sd_ip v4 = frag(4, 0xbeef, 16, false, "x", 1);	/* same low 16 bits, v4 */
	struct res r;

	(void)state;
	/* RFC 8200: the key is (src, dst, identification); a later fragment's next header
	 * (here what the fragment header says) need not match fragment 0's. */
	a2.proto = 60;
	assert_int_equal(feed(t, &a1, 1, 1).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &b1, 2, 2).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &v4, 3, 3).rc, SD_NEED_MORE);
	r = feed(t, &b2, 4, 4);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 10);
	assert_memory_equal(r.out.p, "BBBBBBBBbb", 10);
	assert_int_equal(r.first_frame, 2);
	r = feed(t, &a2, 5, 5);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 24);
	assert_memory_equal(r.out.p, data24, 24);
	assert_int_equal(r.first_frame, 1);
	assert_int_equal(sd_defrag_stats(t)->reassembled, 2);
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_timeout(void **state)
{
	struct sd_defrag_limits lim = { .timeout_us = 30 * SEC };
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(&lim, &mc);
	struct sd_ip a = frag(4, 80, 0, true, data24, 8);
	struct sd_ip b = frag(4, 81, 0, true, data24, 8);
	struct sd_ip bl = frag(4, 81, 8, false, data24 + 8, 8);
	struct sd_ip c = frag(4, 80, 8, false, data24 + 8, 8);
	size_t idle;

	(void)state;
	assert_int_equal(feed(t, &a, 100 * SEC, 1).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &b, 110 * SEC, 2).rc, SD_NEED_MORE);
	sd_defrag_expire(t, 129 * SEC);
	assert_int_equal(sd_defrag_stats(t)->timed_out, 0);
	sd_defrag_expire(t, 131 * SEC);			/* a is 31 s old, b 21 s */
	assert_int_equal(sd_defrag_stats(t)->timed_out, 1);
	/* a's second half cannot complete it any more */
	assert_int_equal(feed(t, &c, 132 * SEC, 3).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &bl, 133 * SEC, 4).rc, SD_OK);
	/* c's datagram is 68 s old when a arrives, before expire() ran: a starts afresh */
	assert_int_equal(feed(t, &a, 200 * SEC, 5).rc, SD_NEED_MORE);
	assert_int_equal(sd_defrag_stats(t)->timed_out, 2);
	assert_int_equal(feed(t, &c, 201 * SEC, 6).rc, SD_OK);
	idle = mc.used;				/* nothing held but the table */
	assert_int_equal(feed(t, &b, 202 * SEC, 7).rc, SD_NEED_MORE);
	assert_true(mc.used > idle);
	sd_defrag_expire(t, 1000 * SEC);
	assert_int_equal(sd_defrag_stats(t)->timed_out, 3);
	assert_int_equal(mc.used, idle);	/* b's bytes given back */
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_eviction(void **state)
{
	struct sd_defrag_limits lim = { .max_datagrams = 2 };
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(&lim, &mc);
	struct sd_ip f0[3], last[3];
	uint32_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		f0[i] = frag(4, 100 + i, 0, true, data24, 8);
		last[i] = frag(4, 100 + i, 8, false, data24 + 8, 8);
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(feed(t, &f0[i], i, i).rc, SD_NEED_MORE);
	assert_int_equal(sd_defrag_stats(t)->timed_out, 1);	/* the oldest went */
	assert_int_equal(feed(t, &last[2], 5, 5).rc, SD_OK);
	assert_int_equal(feed(t, &last[1], 6, 6).rc, SD_OK);
	assert_int_equal(feed(t, &last[0], 7, 7).rc, SD_NEED_MORE);	/* evicted */
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_memcap(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	struct sd_ip a = frag(4, 90, 0, true, data24, 16);
	struct sd_ip b = frag(4, 90, 16, false, data24 + 16, 8);
	size_t before;

	(void)state;
	before = mc.used;
	mc.limit = mc.used + 1;		/* not even the bucket array fits */
	assert_int_equal(feed(t, &a, 1, 1).rc, SD_ENOMEM);
	assert_int_equal(sd_defrag_stats(t)->dropped, 1);
	assert_int_equal(mc.used, before);
	assert_true(mc.refused >= 1);
	mc.limit = 0;
	assert_int_equal(feed(t, &a, 2, 2).rc, SD_NEED_MORE);
	mc.limit = mc.used + 8;		/* the second fragment's piece does not fit */
	assert_int_equal(feed(t, &b, 3, 3).rc, SD_ENOMEM);
	assert_int_equal(sd_defrag_stats(t)->dropped, 2);
	mc.limit = 0;
	assert_int_equal(feed(t, &b, 4, 4).rc, SD_OK);	/* held bytes survived */
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_atomic(void **state)
{
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(NULL, &mc);
	struct sd_ip a = frag(6, 7, 0, true, data24, 8);
	struct sd_ip atom = frag(6, 7, 0, false, "atomic", 6);
	struct sd_ip b = frag(6, 7, 8, false, data24 + 8, 8);
	struct res r;

	(void)state;
	assert_int_equal(feed(t, &a, 1, 1).rc, SD_NEED_MORE);
	/* RFC 6946: processed alone, even while a datagram with its ident is pending */
	r = feed(t, &atom, 2, 2);
	assert_int_equal(r.rc, SD_OK);
	assert_int_equal(r.out.len, 6);
	assert_memory_equal(r.out.p, "atomic", 6);
	assert_int_equal(r.nfrags, 1);
	assert_int_equal(r.first_frame, 2);
	r = feed(t, &b, 3, 3);
	assert_int_equal(r.rc, SD_OK);
	assert_memory_equal(r.out.p, data24, 16);
	assert_int_equal(sd_defrag_stats(t)->overlaps, 0);
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

static void
test_malformed(void **state)
{
	struct sd_defrag_limits lim = { .max_frags = 3 };
	struct sd_memcap mc = { 0 };
	struct sd_defrag *t = sd_defrag_new(&lim, &mc);
	struct sd_ip odd = frag(4, 5, 0, true, data24, 12);	/* MF and 12 % 8 != 0 */
	struct sd_ip far = frag(4, 5, 65528, false, data24, 16);	/* ends past 65535 */
	struct sd_ip empty = frag(4, 5, 8, true, data24, 0);
	struct sd_ip a = frag(4, 6, 0, true, data24, 8);
	struct sd_ip end1 = frag(4, 6, 16, false, data24, 8);
	struct sd_ip end2 = frag(4, 6, 32, false, data24, 8);	/* a second, different end */
	struct sd_ip past = frag(4, 6, 24, true, data24, 8);	/* beyond the known end */
	struct sd_ip cut = frag(4, 6, 8, true, data24, 8);
	struct sd_ip m1 = frag(4, 6, 8, true, data24, 8);
	struct sd_ip f[4];
	const struct sd_defrag_stats *st = sd_defrag_stats(t);
	uint32_t i;

	(void)state;
	assert_int_equal(feed(t, &odd, 1, 1).rc, SD_MALFORMED);
	assert_int_equal(feed(t, &far, 2, 2).rc, SD_MALFORMED);
	assert_int_equal(feed(t, &empty, 3, 3).rc, SD_MALFORMED);
	assert_int_equal(st->dropped, 3);
	assert_int_equal(feed(t, &a, 4, 4).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &end1, 5, 5).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &end2, 6, 6).rc, SD_MALFORMED);
	assert_int_equal(feed(t, &past, 7, 7).rc, SD_MALFORMED);
	cut.flags |= SD_IP_F_CAPLEN_CUT;
	assert_int_equal(feed(t, &cut, 8, 8).rc, SD_TRUNCATED);
	assert_int_equal(st->dropped, 6);
	assert_int_equal(feed(t, &m1, 9, 9).rc, SD_OK);		/* still intact */
	/* a fourth fragment passes max_frags 3: the datagram is given up */
	for (i = 0; i < 4; i++)
		f[i] = frag(4, 7, i * 8, true, data24, 8);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed(t, &f[i], 10 + i, 10 + i).rc, SD_NEED_MORE);
	assert_int_equal(feed(t, &f[3], 13, 13).rc, SD_ENOMEM);
	assert_int_equal(st->dropped, 7);
	assert_int_equal(st->timed_out, 1);
	sd_defrag_free(t);
	assert_int_equal(mc.used, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_v4_in_order, teardown),
		cmocka_unit_test_teardown(test_v4_reversed, teardown),
		cmocka_unit_test_teardown(test_duplicates_and_overlap, teardown),
		cmocka_unit_test_teardown(test_v6_ident, teardown),
		cmocka_unit_test_teardown(test_timeout, teardown),
		cmocka_unit_test_teardown(test_eviction, teardown),
		cmocka_unit_test_teardown(test_memcap, teardown),
		cmocka_unit_test_teardown(test_atomic, teardown),
		cmocka_unit_test_teardown(test_malformed, teardown),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
