/* tests/unit/test_e_esp_track.c - the per-SA sequence table and tunnels (engine/esp_track.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/esp_track.h"

static struct sd_esp_pkt
pkt(uint8_t host, uint32_t spi, uint32_t seq, uint64_t frame)
{
	struct sd_esp_pkt p;

	memset(&p, 0, sizeof(p));
	p.src.v = p.dst.v = 4;
	p.src.a[0] = 10;
	p.src.a[3] = host;
	p.dst.a[0] = 10;
	p.dst.a[3] = 100;
	p.spi = spi;
	p.seq = seq;
	p.frame = frame;
	p.ts_sec = (int64_t)(1000 + frame);
	p.bytes = 100;
	return p;
}

struct collected {
	struct sd_esp_sa sa[8];
	size_t n;
};

static void
collect(void *ctx, const struct sd_esp_sa *sa)
{
	struct collected *c = ctx;

	assert_true(c->n < 8);
	c->sa[c->n++] = *sa;
}

/* 1 2 3 5 (gap: 4 missing) 4 (late: no longer missing) 4 (replay) 200 (gap of 194) 100 (stale) */
static void
test_sequence_analysis(void **state)
{
	static const uint32_t seqs[] = { 1, 2, 3, 5, 4, 4, 200, 100 };
	struct sd_esp_table *t = sd_esp_new(NULL, 0);
	struct collected c;
	struct sd_esp_pkt p;
	size_t i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 8; i++) {
		p = pkt(1, 0xc0010203, seqs[i], 10 + i);
		assert_int_equal(sd_esp_add(t, &p), SD_OK);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(sd_esp_flush(t, collect, &c), SD_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.sa[0].packets, 8);
	assert_int_equal(c.sa[0].bytes, 800);
	assert_int_equal(c.sa[0].first_frame, 10);
	assert_int_equal(c.sa[0].last_frame, 17);
	assert_int_equal(c.sa[0].seq_first, 1);
	assert_int_equal(c.sa[0].seq_last, 100);
	assert_int_equal(c.sa[0].seq_max, 200);
	assert_int_equal(c.sa[0].gaps, 2);
	assert_int_equal(c.sa[0].missing, 194);	/* 4 came late: only 6..199 */
	assert_int_equal(c.sa[0].reordered, 1);
	assert_int_equal(c.sa[0].replays, 1);
	assert_int_equal(c.sa[0].stale, 1);
	assert_int_equal(c.sa[0].first_sec, 1010);
	assert_int_equal(c.sa[0].last_sec, 1017);
	assert_int_equal(sd_esp_count(t), 0);
	sd_esp_free(t);
}

/* Distinct keys (dst, spi, encapsulation) are distinct SAs; flush goes by first_frame. */
static void
test_keys_and_order(void **state)
{
	struct sd_esp_table *t = sd_esp_new(NULL, 0);
	struct collected c;
	struct sd_esp_pkt p;

	(void)state;
	p = pkt(2, 0x1000, 1, 5);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x1000, 1, 3);		/* other source, earlier frame */
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x1000, 2, 7);
	p.udp_encap = true;			/* same addresses and SPI in UDP 4500 */
	p.sport = p.dport = 4500;
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x1000, 2, 8);		/* back to the raw SA */
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x2000, 1, 4);
	p.no_seq = true;			/* cut before its sequence number */
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x2000, 9, 6);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	assert_int_equal(sd_esp_count(t), 4);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sd_esp_flush(t, collect, &c), SD_OK);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.sa[0].first_frame, 3);
	assert_int_equal(c.sa[0].packets, 2);
	assert_int_equal(c.sa[0].last_frame, 8);
	assert_false(c.sa[0].udp_encap);
	assert_int_equal(c.sa[1].first_frame, 4);
	assert_int_equal(c.sa[1].spi, 0x2000);
	assert_int_equal(c.sa[1].packets, 2);
	assert_int_equal(c.sa[1].seq_first, 9);
	assert_int_equal(c.sa[1].gaps, 0);
	assert_int_equal(c.sa[2].first_frame, 5);
	assert_int_equal(c.sa[2].src.a[3], 2);
	assert_int_equal(c.sa[3].first_frame, 7);
	assert_true(c.sa[3].udp_encap);
	assert_int_equal(c.sa[3].sport, 4500);
	sd_esp_free(t);
}

/* The SA cap and the memcap refuse new SAs but keep counting known ones. */
static void
test_caps(void **state)
{
	struct sd_memcap mc = { 0, 0, 0, 0 };
	struct sd_esp_table *t;
	struct sd_esp_pkt p;
	struct collected c;
	size_t base;

	(void)state;
	t = sd_esp_new(NULL, 2);
	p = pkt(1, 1, 1, 1);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 2, 1, 2);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 3, 1, 3);
	assert_int_equal(sd_esp_add(t, &p), SD_ENOMEM);
	p = pkt(1, 1, 2, 4);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	assert_int_equal(sd_esp_dropped(t), 1);
	assert_int_equal(sd_esp_count(t), 2);
	sd_esp_free(t);

	t = sd_esp_new(&mc, 0);
	assert_non_null(t);
	base = mc.used;
	p = pkt(1, 1, 1, 1);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	assert_true(mc.used > base);
	mc.limit = mc.used;			/* nothing more fits */
	p = pkt(1, 2, 1, 2);
	assert_int_equal(sd_esp_add(t, &p), SD_ENOMEM);
	assert_int_equal(mc.refused, 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sd_esp_flush(t, collect, &c), SD_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(mc.used, base);	/* flushing gave the SA's bytes back */
	sd_esp_free(t);
	assert_int_equal(mc.used, 0);
}

/* Live mode: only SAs idle for longer than the timeout leave the table. */
static void
test_expire(void **state)
{
	struct sd_esp_table *t = sd_esp_new(NULL, 0);
	struct sd_esp_pkt p;
	struct collected c;

	(void)state;
	p = pkt(1, 1, 1, 1);			/* last seen at 1001 */
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 2, 1, 50);			/* last seen at 1050 */
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	memset(&c, 0, sizeof(c));
	assert_int_equal(sd_esp_expire(t, 1040, 30, collect, &c), SD_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.sa[0].spi, 1);
	assert_int_equal(sd_esp_count(t), 1);
	sd_esp_free(t);
}

/* The event helper: frame and ts of the first packet, ports only for UDP. */
static void
test_sa_event(void **state)
{
	struct sd_esp_sa sa;
	struct sd_event ev;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.first_frame = 12;
	sa.first_sec = 99;
	sa.sport = sa.dport = 4500;
	sd_esp_sa_event(&sa, &ev);
	assert_int_equal(ev.type, SD_EV_ESP);
	assert_int_equal(ev.frame, 12);
	assert_int_equal(ev.transport, SD_IPPROTO_ESP);
	assert_int_equal(ev.sport, 0);
	assert_ptr_equal(ev.u.msg.esp, &sa);
	sa.udp_encap = true;
	sd_esp_sa_event(&sa, &ev);
	assert_int_equal(ev.transport, SD_IPPROTO_UDP);
	assert_int_equal(ev.dport, 4500);
}

struct tun_seen {
	size_t		 nsa, ntun;
	size_t		 nsas[4];
	uint64_t	 pk[4][2], first_frame[4];
	bool		 one_way[4], udp[4];
};

static void
tun_sa(void *ctx, const struct sd_esp_sa *sa)
{
	struct tun_seen *t = ctx;

	(void)sa;
	t->nsa++;
}

static void
tun_tun(void *ctx, const struct sd_esp_tunnel *tn)
{
	struct tun_seen *t = ctx;
	struct sd_event ev;

	assert_true(t->ntun < 4);
	t->nsas[t->ntun] = tn->nsas;
	t->pk[t->ntun][0] = tn->dir[0].packets;
	t->pk[t->ntun][1] = tn->dir[1].packets;
	t->one_way[t->ntun] = tn->one_way;
	t->udp[t->ntun] = tn->udp_encap;
	sd_esp_tunnel_event(tn, &ev);
	assert_int_equal(ev.type, SD_EV_ESP_TUNNEL);
	t->first_frame[t->ntun] = ev.frame;
	assert_int_equal(sd_ip_addr_cmp(&ev.src, &tn->sas[0]->src), 0);
	t->ntun++;
}

/* SAs grouped by unordered gateway pair and encapsulation, in order of first packet. */
static void
test_tunnels(void **state)
{
	struct sd_esp_table *t = sd_esp_new(NULL, 0);
	struct tun_seen c = { 0 };
	struct sd_esp_pkt p;

	(void)state;
	/* tunnel A: 10.0.0.1 <-> 10.0.0.100, two SAs each way (a rekey) */
	p = pkt(1, 0x1001, 1, 2);
	assert_int_equal(sd_esp_add(t, &p), SD_OK);
	p = pkt(1, 0x1001, 2, 3);
	(void)sd_esp_add(t, &p);
	p = pkt(100, 0x2001, 1, 4);
	p.dst.a[3] = 1;
	(void)sd_esp_add(t, &p);
	p = pkt(1, 0x1002, 1, 9);
	(void)sd_esp_add(t, &p);
	/* tunnel B: 10.0.0.2 -> 10.0.0.100 only (one way) */
	p = pkt(2, 0x3001, 1, 5);
	(void)sd_esp_add(t, &p);
	/* tunnel C: same pair as A but in UDP: another tunnel */
	p = pkt(100, 0x4001, 1, 7);
	p.dst.a[3] = 1;
	p.udp_encap = true;
	(void)sd_esp_add(t, &p);
	assert_int_equal(sd_esp_flush_tunnels(t, tun_sa, tun_tun, &c), SD_OK);
	assert_int_equal(c.nsa, 5);
	assert_int_equal(c.ntun, 3);
	assert_int_equal(c.first_frame[0], 2);
	assert_int_equal(c.nsas[0], 3);
	assert_int_equal(c.pk[0][0], 3);
	assert_int_equal(c.pk[0][1], 1);
	assert_false(c.one_way[0]);
	assert_int_equal(c.first_frame[1], 5);
	assert_true(c.one_way[1]);
	assert_int_equal(c.first_frame[2], 7);
	assert_true(c.udp[2]);
	assert_true(c.one_way[2]);
	assert_int_equal(sd_esp_count(t), 0);
	sd_esp_free(t);
}

/*
 * sd_esp_window(): a tunnel one way for 20 s and 3 packets is told while it goes on, once
 * per new SA; a two-way tunnel and a short one-way one are not; the SAs stay.
 */
static void
test_window(void **state)
{
	struct sd_esp_table *t = sd_esp_new(NULL, 0);
	struct tun_seen c = { 0 };
	struct sd_esp_pkt p;
	uint32_t i;

	(void)state;
	/* 10.0.0.1 -> .100 only, frames 1..30 (ts 1001..1030): one way for 29 s */
	for (i = 1; i <= 30; i++) {
		p = pkt(1, 0x1001, i, i);
		(void)sd_esp_add(t, &p);
	}
	/* 10.0.0.2 <-> .100: both ways */
	for (i = 1; i <= 30; i++) {
		p = pkt(2, 0x2001, i, 100 + i);
		(void)sd_esp_add(t, &p);
		p = pkt(100, 0x2002, i, 200 + i);
		p.dst.a[3] = 2;
		(void)sd_esp_add(t, &p);
	}
	/* 10.0.0.3 -> .100: one way for 5 s only */
	for (i = 1; i <= 6; i++) {
		p = pkt(3, 0x3001, i, 300 + i);
		(void)sd_esp_add(t, &p);
	}
	assert_int_equal(sd_esp_window(t, tun_tun, &c), SD_OK);
	assert_int_equal(c.ntun, 1);
	assert_true(c.one_way[0]);
	assert_int_equal(c.pk[0][0], 30);
	assert_int_equal(c.first_frame[0], 1);
	assert_int_equal(sd_esp_count(t), 4);
	/* told already: not again */
	assert_int_equal(sd_esp_window(t, tun_tun, &c), SD_OK);
	assert_int_equal(c.ntun, 1);
	/* a new SA on the same one-way tunnel (a rekey): told again */
	p = pkt(1, 0x1002, 1, 400);
	(void)sd_esp_add(t, &p);
	assert_int_equal(sd_esp_window(t, tun_tun, &c), SD_OK);
	assert_int_equal(c.ntun, 2);
	assert_int_equal(c.nsas[1], 2);
	/* the end still writes every tunnel */
	c.ntun = 0;
	assert_int_equal(sd_esp_flush_tunnels(t, tun_sa, tun_tun, &c), SD_OK);
	assert_int_equal(c.ntun, 3);
	sd_esp_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_analysis),
		cmocka_unit_test(test_keys_and_order),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_expire),
		cmocka_unit_test(test_sa_event),
		cmocka_unit_test(test_tunnels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
