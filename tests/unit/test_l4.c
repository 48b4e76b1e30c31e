/* tests/unit/test_l4.c - TCP, UDP and ICMP/ICMPv6 headers (dissect/l4.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/helpers.h"

#include "dissect/l4.h"

/* A Linux SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
static const uint8_t tcp_syn[] = {
	0xc3, 0x50, 0x01, 0xbb,		/* 50000 -> 443 */
	0x12, 0x34, 0x56, 0x78,		/* seq */
	0x00, 0x00, 0x00, 0x00,		/* ack */
	0xa0, 0x02, 0xfa, 0xf0,		/* data offset 10 (40 bytes), SYN; window 64240 */
	0x00, 0x00, 0x00, 0x00,		/* checksum, urgent */
	0x02, 0x04, 0x05, 0xb4,		/* MSS 1460 */
	0x04, 0x02,			/* SACK permitted */
	0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,	/* timestamps */
	0x01,				/* NOP */
	0x03, 0x03, 0x07,		/* window scale 7 */
	0x16, 0x03, 0x01,		/* 3 payload bytes */
};

static void
test_tcp_syn(void **state)
{
	struct sd_tcp t;
	size_t n;

	(void)state;
	assert_int_equal(sd_tcp_parse(sd_rd_make(tcp_syn, sizeof(tcp_syn)), &t), SD_OK);
	assert_int_equal(t.sport, 50000);
	assert_int_equal(t.dport, 443);
	assert_int_equal(t.seq, 0x12345678);
	assert_int_equal(t.flags, SD_TCP_SYN);
	assert_int_equal(t.window, 64240);
	assert_int_equal(t.hdr_len, 40);
	assert_int_equal(t.mss, 1460);
	assert_int_equal(t.wscale, 7);
	assert_true(t.sack_perm);
	assert_int_equal(sd_rd_left(&t.payload), 3);
	assert_ptr_equal(t.payload.p, tcp_syn + 40);

	for (n = 0; n < sizeof(tcp_syn); n++) {
		uint8_t *cp = dup_exact(tcp_syn, n);
		enum sd_rc rc = sd_tcp_parse(sd_rd_make(cp, n), &t);

		if (n < 40)
			assert_int_equal(rc, SD_TRUNCATED);
		else
			assert_int_equal(rc, SD_OK);
		free(cp);
	}
}

static void
test_tcp_bad_options(void **state)
{
	uint8_t v[] = {
		0x00, 0x50, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 2,
		0x70, 0x12, 0x10, 0x00,		/* offset 7 (28 bytes), SYN+ACK */
		0, 0, 0, 0,
		0x02, 0x04, 0x05, 0x78,		/* MSS 1400 */
		0x05, 0x00,			/* SACK with length 0: ends the walk */
		0x03, 0x03,			/* (never reached) */
	};
	struct sd_tcp t;

	(void)state;
	assert_int_equal(sd_tcp_parse(sd_rd_make(v, sizeof(v)), &t), SD_OK);
	assert_int_equal(t.flags, SD_TCP_SYN | SD_TCP_ACK);
	assert_int_equal(t.mss, 1400);
	assert_int_equal(t.wscale, -1);
	assert_false(t.sack_perm);
	/* an option whose length runs past the header */
	v[24] = 0x03;
	v[25] = 0x09;
	assert_int_equal(sd_tcp_parse(sd_rd_make(v, sizeof(v)), &t), SD_OK);
	assert_int_equal(t.wscale, -1);
	/* a window scale above 14 is taken as 14 (RFC 7323 §2.3) */
	v[25] = 0x03;
	v[26] = 0x20;
	v[27] = 0x00;
	assert_int_equal(sd_tcp_parse(sd_rd_make(v, sizeof(v)), &t), SD_OK);
	assert_int_equal(t.wscale, 14);
	/* data offset 4 is below the fixed header; 15 points past the segment */
	v[12] = 0x40;
	assert_int_equal(sd_tcp_parse(sd_rd_make(v, sizeof(v)), &t), SD_MALFORMED);
	v[12] = 0xf0;
	assert_int_equal(sd_tcp_parse(sd_rd_make(v, sizeof(v)), &t), SD_TRUNCATED);
}

static void
test_udp(void **state)
{
	const uint8_t v[] = {
		0x01, 0xf4, 0x11, 0x94,		/* 500 -> 4500 */
		0x00, 0x0c, 0x00, 0x00,		/* length 12 */
		0x00, 0x00, 0x00, 0x00,		/* non-ESP marker */
		0xee, 0xee,			/* trailing bytes outside the length */
	};
	uint8_t w[sizeof(v)];
	struct sd_udp u;
	size_t n;

	(void)state;
	assert_int_equal(sd_udp_parse(sd_rd_make(v, sizeof(v)), &u), SD_OK);
	assert_int_equal(u.sport, 500);
	assert_int_equal(u.dport, 4500);
	assert_int_equal(u.len, 12);
	assert_int_equal(sd_rd_left(&u.payload), 4);
	memcpy(w, v, sizeof(w));
	w[5] = 0;				/* 0: jumbogram, take what is there */
	assert_int_equal(sd_udp_parse(sd_rd_make(w, sizeof(w)), &u), SD_OK);
	assert_int_equal(sd_rd_left(&u.payload), 6);
	w[5] = 0x40;				/* 64: more than captured */
	assert_int_equal(sd_udp_parse(sd_rd_make(w, sizeof(w)), &u), SD_OK);
	assert_int_equal(sd_rd_left(&u.payload), 6);
	w[5] = 5;				/* below the header size */
	assert_int_equal(sd_udp_parse(sd_rd_make(w, sizeof(w)), &u), SD_MALFORMED);
	for (n = 0; n < sizeof(v); n++) {
		uint8_t *cp = dup_exact(v, n);
		enum sd_rc rc = sd_udp_parse(sd_rd_make(cp, n), &u);

		assert_int_equal(rc, n < 8 ? SD_TRUNCATED : SD_OK);
		if (rc == SD_OK)	/* cut before the length: what is there */
			assert_int_equal(sd_rd_left(&u.payload), n < 12 ? n - 8 : 4);
		free(cp);
	}
}

/* ICMP port unreachable quoting the first 28 bytes of a 100-byte UDP datagram. */
static const uint8_t icmp_unreach[] = {
	0x03, 0x03, 0x00, 0x00,		/* type 3 unreachable, code 3 port; checksum */
	0x00, 0x00, 0x00, 0x00,		/* unused */
	0x45, 0x00, 0x00, 0x64,		/* quoted IPv4, total length 100 */
	0xab, 0xcd, 0x00, 0x00,
	0x40, 0x11, 0xfd, 0x02,		/* UDP */
	0xc0, 0xa8, 0x01, 0x01,		/* 192.168.1.1 */
	0x08, 0x08, 0x08, 0x08,		/* 8.8.8.8 */
	0xd4, 0x31, 0x00, 0x35,		/* 54321 -> 53 */
	0x00, 0x50, 0x00, 0x00,		/* length 80, checksum */
};

static void
test_icmp_unreach_udp(void **state)
{
	struct sd_icmp ic;
	size_t n;

	(void)state;
	assert_int_equal(sd_icmp_parse(sd_rd_make(icmp_unreach, sizeof(icmp_unreach)),
	    false, &ic), SD_OK);
	assert_int_equal(ic.type, 3);
	assert_int_equal(ic.code, 3);
	assert_true(ic.is_error);
	assert_true(ic.has_inner);
	assert_int_equal(ic.inner.version, 4);
	assert_int_equal(ic.inner.proto, SD_IPPROTO_UDP);
	assert_int_equal(ic.inner.total_len, 100);
	assert_true(ic.inner.flags & SD_IP_F_CAPLEN_CUT);	/* quoted, not whole */
	assert_false(ic.inner.flags & SD_IP_F_BAD_CSUM);
	assert_int_equal(ic.inner.dst.a[0], 8);
	assert_true(ic.inner_has_ports);
	assert_int_equal(ic.inner_sport, 54321);
	assert_int_equal(ic.inner_dport, 53);

	for (n = 0; n < sizeof(icmp_unreach); n++) {
		uint8_t *cp = dup_exact(icmp_unreach, n);
		enum sd_rc rc = sd_icmp_parse(sd_rd_make(cp, n), false, &ic);

		assert_int_equal(rc, n < 8 ? SD_TRUNCATED : SD_OK);
		assert_int_equal(ic.has_inner, n >= 28);
		assert_int_equal(ic.inner_has_ports, n >= 32);
		free(cp);
	}
}

static void
test_icmp_fragneeded_esp_and_echo(void **state)
{
	const uint8_t v[] = {
		0x03, 0x04, 0x00, 0x00,		/* unreachable, fragmentation needed */
		0x00, 0x00, 0x05, 0x78,		/* next-hop MTU 1400 */
		0x45, 0x00, 0x05, 0xdc,		/* quoted IPv4, 1500 bytes */
		0x00, 0x01, 0x40, 0x00,
		0x40, 0x32, 0x37, 0x40,		/* ESP */
		0xc0, 0xa8, 0x01, 0x01,
		0xcb, 0x00, 0x71, 0x05,
		0xc0, 0xff, 0xee, 0x01,		/* SPI */
		0x00, 0x00, 0x00, 0x07,		/* sequence */
	};
	const uint8_t echo[] = { 0x08, 0x00, 0x00, 0x00, 0x1f, 0x90, 0x00, 0x01, 'a' };
	const uint8_t unreach6_v4[] = {		/* v4 quoted in an ICMPv6 error: ignored */
		0x01, 0x04, 0, 0, 0, 0, 0, 0,
		0x45, 0x00, 0x05, 0xdc, 0, 1, 0x40, 0, 0x40, 0x32, 0x37, 0x40,
		0xc0, 0xa8, 0x01, 0x01, 0xcb, 0x00, 0x71, 0x05,
	};
	struct sd_icmp ic;

	(void)state;
	assert_int_equal(sd_icmp_parse(sd_rd_make(v, sizeof(v)), false, &ic), SD_OK);
	assert_true(ic.is_error);
	assert_int_equal(ic.mtu, 1400);
	assert_true(ic.has_inner);
	assert_int_equal(ic.inner.proto, SD_IPPROTO_ESP);
	assert_false(ic.inner_has_ports);
	assert_int_equal(ic.inner_spi, 0xc0ffee01);
	/* only the low 16 bits are the MTU (RFC 1191 §4); the high ones are unused */
	{
		uint8_t w[sizeof(v)];

		memcpy(w, v, sizeof(w));
		w[4] = 0xff;
		w[5] = 0xff;
		assert_int_equal(sd_icmp_parse(sd_rd_make(w, sizeof(w)), false, &ic), SD_OK);
		assert_int_equal(ic.mtu, 1400);
	}

	assert_int_equal(sd_icmp_parse(sd_rd_make(echo, sizeof(echo)), false, &ic), SD_OK);
	assert_false(ic.is_error);
	assert_false(ic.has_inner);
	assert_int_equal(ic.echo_id, 0x1f90);
	assert_int_equal(ic.mtu, 0);

	assert_int_equal(sd_icmp_parse(sd_rd_make(unreach6_v4, sizeof(unreach6_v4)), true, &ic),
	    SD_OK);
	assert_true(ic.is_error);
	assert_false(ic.has_inner);
}

/* ICMPv6 packet too big (MTU 1280) quoting an IPv6 TCP segment of 1400 payload bytes. */
static const uint8_t icmp6_ptb[] = {
	0x02, 0x00, 0x00, 0x00,		/* type 2 packet too big, code 0, checksum */
	0x00, 0x00, 0x05, 0x00,		/* MTU 1280 */
	0x60, 0x00, 0x00, 0x00,		/* quoted IPv6 */
	0x05, 0x78, 0x06, 0x40,		/* payload length 1400, TCP, hop limit 64 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x01, 0xbb, 0xe0, 0x00,		/* 443 -> 57344 */
	0x00, 0x00, 0x10, 0x00,		/* seq (the rest of the segment not quoted) */
};

static void
test_icmp6_ptb_tcp(void **state)
{
	const uint8_t echo6[] = { 0x81, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x09 };
	struct sd_icmp ic;
	size_t n;

	(void)state;
	assert_int_equal(sd_icmp_parse(sd_rd_make(icmp6_ptb, sizeof(icmp6_ptb)), true, &ic),
	    SD_OK);
	assert_true(ic.is_error);
	assert_int_equal(ic.mtu, 1280);
	assert_true(ic.has_inner);
	assert_int_equal(ic.inner.version, 6);
	assert_int_equal(ic.inner.proto, SD_IPPROTO_TCP);
	assert_true(ic.inner.flags & SD_IP_F_CAPLEN_CUT);
	assert_true(ic.inner_has_ports);
	assert_int_equal(ic.inner_sport, 443);
	assert_int_equal(ic.inner_dport, 57344);
	/* the same bytes read as ICMPv4 are a redirect (type 2 is not an ICMPv4 error) */
	assert_int_equal(sd_icmp_parse(sd_rd_make(icmp6_ptb, sizeof(icmp6_ptb)), false, &ic),
	    SD_OK);
	assert_false(ic.is_error);
	assert_false(ic.has_inner);

	for (n = 0; n < sizeof(icmp6_ptb); n++) {
		uint8_t *cp = dup_exact(icmp6_ptb, n);
		enum sd_rc rc = sd_icmp_parse(sd_rd_make(cp, n), true, &ic);

		assert_int_equal(rc, n < 8 ? SD_TRUNCATED : SD_OK);
		assert_int_equal(ic.has_inner, n >= 48);
		assert_int_equal(ic.inner_has_ports, n >= 52);
		free(cp);
	}

	assert_int_equal(sd_icmp_parse(sd_rd_make(echo6, sizeof(echo6)), true, &ic), SD_OK);
	assert_false(ic.is_error);
	assert_int_equal(ic.echo_id, 0x1234);
}

/* ICMPv6 time exceeded quoting IPv6 whose destination options header is cut short. */
static void
test_icmp6_quoted_ext_cut(void **state)
{
	const uint8_t v[] = {
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* time exceeded in transit */
		0x60, 0x00, 0x00, 0x00,
		0x00, 0x40, 60, 0x01,		/* payload 64, destination options, hop limit 1 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		17, 1, 0x01, 0x0a, 0, 0,	/* dstopts: 16 bytes, only 6 quoted */
	};
	struct sd_icmp ic;

	(void)state;
	assert_int_equal(sd_icmp_parse(sd_rd_make(v, sizeof(v)), true, &ic), SD_OK);
	assert_true(ic.is_error);
	assert_true(ic.has_inner);		/* the addresses are there */
	assert_int_equal(ic.inner.dst.a[15], 2);
	assert_int_equal(ic.inner.ttl, 1);
	assert_int_equal(ic.inner.proto, SD_IPPROTO_NONE);
	assert_false(ic.inner_has_ports);	/* no UDP header was reached */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_syn),
		cmocka_unit_test(test_tcp_bad_options),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp_unreach_udp),
		cmocka_unit_test(test_icmp_fragneeded_esp_and_echo),
		cmocka_unit_test(test_icmp6_ptb_tcp),
		cmocka_unit_test(test_icmp6_quoted_ext_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
