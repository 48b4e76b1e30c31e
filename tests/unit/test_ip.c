/* tests/unit/test_ip.c - IPv4 / IPv6 header parsing (dissect/ip.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/helpers.h"

#include "dissect/ip.h"

/* Exact-size heap copy, so ASan catches a 1-byte over-read (STYLE 3.7). */
static enum sd_rc
parse_copy(const uint8_t *p, size_t n, struct sd_ip *ip)
{
	uint8_t *cp = dup_exact(p, n);
	enum sd_rc rc = sd_ip_parse(sd_rd_make(cp, n), ip);

	/* the views must point inside the copy; drop them before the free */
	if (ip->payload.len > 0)
		assert_true(ip->payload.p >= cp && ip->payload.p + ip->payload.len <= cp + n);
	free(cp);
	ip->payload = sd_rd_make(NULL, 0);
	return rc;
}

/* IPv4 with 4 bytes of options, an 8-byte UDP datagram, then 14 bytes of Ethernet padding. */
static const uint8_t v4_opts[] = {
	0x46, 0x00, 0x00, 0x20,		/* v4, IHL 6 (24 bytes), TOS 0, total length 32 */
	0x1c, 0x46, 0x40, 0x00,		/* id 0x1c46, DF, offset 0 */
	0x40, 0x11, 0x2f, 0x4f,		/* TTL 64, UDP, checksum (correct) */
	0xc0, 0x00, 0x02, 0x01,		/* 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x02,		/* 198.51.100.2 */
	0x01, 0x01, 0x01, 0x00,		/* options: NOP NOP NOP EOL */
	0x04, 0xd2, 0x11, 0x94, 0x00, 0x08, 0x00, 0x00,	/* UDP 1234 -> 4500, len 8 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* Ethernet padding */
};

static void
test_v4_options_padding(void **state)
{
	struct sd_ip ip;
	char buf[SD_ADDR_STRLEN];

	(void)state;
	assert_int_equal(sd_ip_parse(sd_rd_make(v4_opts, sizeof(v4_opts)), &ip), SD_OK);
	assert_int_equal(ip.version, 4);
	assert_int_equal(ip.hdr_len, 24);
	assert_int_equal(ip.total_len, 32);
	assert_int_equal(ip.proto, SD_IPPROTO_UDP);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.id, 0x1c46);
	assert_false(ip.fragment);
	assert_int_equal(ip.flags, 0);		/* checksum right, no cut */
	assert_int_equal(sd_rd_left(&ip.payload), 8);	/* padding trimmed */
	assert_ptr_equal(ip.payload.p, v4_opts + 24);
	assert_string_equal(sd_ip_addr_str(&ip.src, buf), "192.0.2.1");
	assert_string_equal(sd_ip_addr_str(&ip.dst, buf), "198.51.100.2");
}

static void
test_v4_prefixes(void **state)
{
	struct sd_ip ip;
	size_t n;

	(void)state;
	for (n = 0; n <= sizeof(v4_opts); n++) {
		enum sd_rc rc = parse_copy(v4_opts, n, &ip);

		if (n < 24) {
			assert_int_not_equal(rc, SD_OK);
			continue;
		}
		assert_int_equal(rc, SD_OK);
		if (n < 32) {		/* header whole, datagram cut by the snaplen */
			assert_true(ip.flags & SD_IP_F_CAPLEN_CUT);
			assert_int_equal(ip.total_len, 32);
		} else {
			assert_false(ip.flags & SD_IP_F_CAPLEN_CUT);
		}
	}
}

static void
test_v4_bad_csum_kept(void **state)
{
	uint8_t v[sizeof(v4_opts)];
	struct sd_ip ip;

	(void)state;
	memcpy(v, v4_opts, sizeof(v));
	v[11] ^= 0x01;
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_BAD_CSUM);
	assert_int_equal(ip.proto, SD_IPPROTO_UDP);
	assert_int_equal(sd_rd_left(&ip.payload), 8);
}

/* TSO: a sending host's capture shows total length 0; the frame gives 20 + 30. */
static void
test_v4_tso_zero_len(void **state)
{
	uint8_t v[50] = {
		0x45, 0x00, 0x00, 0x00,		/* total length 0 */
		0x00, 0x01, 0x40, 0x00,
		0x40, 0x06, 0x26, 0xf5,		/* TCP, checksum over the 0 length */
		0x0a, 0x00, 0x00, 0x01,
		0x0a, 0x00, 0x00, 0x02,
		/* 30 bytes of TCP follow (zeros) */
	};
	struct sd_ip ip;

	(void)state;
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_TSO_ZERO_LEN);
	assert_false(ip.flags & SD_IP_F_BAD_CSUM);
	assert_int_equal(ip.total_len, 50);
	assert_int_equal(sd_rd_left(&ip.payload), 30);
	assert_int_equal(ip.proto, SD_IPPROTO_TCP);
}

static void
test_v4_fragment_and_bad(void **state)
{
	uint8_t v[28] = {
		0x45, 0x00, 0x00, 0x1c,		/* total 28 */
		0x00, 0x00, 0x20, 0x05,		/* MF, offset 5 * 8 = 40 bytes */
		0x40, 0x11, 0x46, 0xca,
		0x0a, 0x00, 0x00, 0x01,
		0x0a, 0x00, 0x00, 0x02,
		1, 2, 3, 4, 5, 6, 7, 8,		/* raw fragment data */
	};
	struct sd_ip ip;

	(void)state;
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.fragment);
	assert_true(ip.more_frags);
	assert_int_equal(ip.frag_offset, 40);
	assert_int_equal(ip.flags, 0);
	assert_int_equal(sd_rd_left(&ip.payload), 8);

	v[0] = 0x44;				/* IHL 4: under the 20-byte minimum */
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_MALFORMED);
	v[0] = 0x45;
	v[3] = 0x10;				/* total 16 < IHL */
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_MALFORMED);
	v[3] = 0x1c;
	v[0] = 0x55;				/* version 5 */
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_MALFORMED);
	v[0] = 0x47;				/* IHL 7 = 28 bytes: option bytes 1,2: bad len */
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_BAD_HDR);
	assert_int_equal(sd_rd_left(&ip.payload), 0);
}

#define V6_FIXED(plen_hi, plen_lo, nh) \
	0x60, 0x00, 0x00, 0x00,		/* v6, TC 0, flow 0 */ \
	plen_hi, plen_lo, nh, 0x40,	/* payload length, next header, hop limit 64 */ \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,	/* 2001:db8::1 */ \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02	/* 2001:db8::2 */

/* IPv6 + hop-by-hop + fragment (first, M=1) + destination options + UDP + 4 bytes. */
static const uint8_t v6_chain[] = {
	V6_FIXED(0x00, 36, 0),
	44, 0, 0x01, 0x04, 0, 0, 0, 0,		/* HBH: next frag, len 0, PadN(4) */
	60, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,	/* frag: next dstopts, off 0, M, id */
	17, 0, 0x01, 0x04, 0, 0, 0, 0,		/* dstopts: next UDP, PadN(4) */
	0x01, 0xf4, 0x01, 0xf4, 0x00, 0x0c, 0x00, 0x00,	/* UDP 500 -> 500, len 12 */
	0xde, 0xad, 0xbe, 0xef,
	0xee, 0xee,				/* trailing link padding */
};

static void
test_v6_ext_chain(void **state)
{
	struct sd_ip ip;
	char buf[SD_ADDR_STRLEN];

	(void)state;
	assert_int_equal(sd_ip_parse(sd_rd_make(v6_chain, sizeof(v6_chain)), &ip), SD_OK);
	assert_int_equal(ip.version, 6);
	/*
	 * A real fragment: the walk stops after the fragment header, because every
	 * fragment's offset counts from there (the destination options are part of the
	 * fragmentable part, reassembled with the rest).
	 */
	assert_int_equal(ip.hdr_len, 56);
	assert_int_equal(ip.total_len, 76);
	assert_int_equal(ip.proto, 60);
	assert_true(ip.fragment);
	assert_true(ip.more_frags);
	assert_int_equal(ip.frag_offset, 0);
	assert_int_equal(ip.frag_ident, 0x12345678);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.flags, 0);
	assert_int_equal(sd_rd_left(&ip.payload), 20);
	assert_ptr_equal(ip.payload.p, v6_chain + 56);
	/* after reassembly the rest of the chain is walked to the upper layer */
	{
		struct sd_rd pl = ip.payload;
		uint8_t proto = ip.proto;

		assert_int_equal(sd_ip6_skip_ext(&pl, &proto), SD_OK);
		assert_int_equal(proto, SD_IPPROTO_UDP);
		assert_int_equal(sd_rd_left(&pl), 12);
	}
	assert_string_equal(sd_ip_addr_str(&ip.src, buf), "2001:db8::1");
	assert_string_equal(sd_ip_addr_str(&ip.dst, buf), "2001:db8::2");
}

static void
test_v6_prefixes(void **state)
{
	struct sd_ip ip;
	size_t n;

	(void)state;
	for (n = 0; n <= sizeof(v6_chain); n++) {
		enum sd_rc rc = parse_copy(v6_chain, n, &ip);

		if (n < 56) {		/* fixed header or an extension header cut */
			assert_int_equal(rc, SD_TRUNCATED);
			continue;
		}
		assert_int_equal(rc, SD_OK);
		assert_int_equal(ip.proto, 60);
		assert_int_equal(!!(ip.flags & SD_IP_F_CAPLEN_CUT), n < 76);
	}
}

static void
test_v6_later_fragment(void **state)
{
	uint8_t v[sizeof(v6_chain)];
	struct sd_ip ip;

	(void)state;
	memcpy(v, v6_chain, sizeof(v));
	v[50] = 0x00;
	v[51] = 0x58;			/* offset 88 bytes, M = 0 */
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.fragment);
	assert_false(ip.more_frags);
	assert_int_equal(ip.frag_offset, 88);
	assert_int_equal(ip.proto, 60);		/* the fragment header's next header */
	assert_int_equal(ip.hdr_len, 56);
	assert_int_equal(sd_rd_left(&ip.payload), 20);	/* raw: dstopts bytes included */
}

static void
test_v6_jumbo_and_gso(void **state)
{
	const uint8_t jumbo[] = {
		V6_FIXED(0, 0, 0),		/* payload length 0 */
		17, 0, 0xc2, 0x04, 0x00, 0x01, 0x00, 0x00,	/* HBH: Jumbo 65536 */
		0x01, 0xf4, 0x01, 0xf4, 0x00, 0x00, 0x00, 0x00,	/* UDP, len 0 */
	};
	const uint8_t gso[] = {
		V6_FIXED(0, 0, 6),		/* BIG TCP / GSO: 0 and no HBH */
		0, 80, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0, 0, 0, 0, 0, 0,
	};
	struct sd_ip ip;

	(void)state;
	assert_int_equal(sd_ip_parse(sd_rd_make(jumbo, sizeof(jumbo)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_JUMBO);
	assert_true(ip.flags & SD_IP_F_CAPLEN_CUT);
	assert_int_equal(ip.total_len, 40 + 65536);
	assert_int_equal(ip.proto, SD_IPPROTO_UDP);
	assert_int_equal(sd_rd_left(&ip.payload), 8);

	assert_int_equal(sd_ip_parse(sd_rd_make(gso, sizeof(gso)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_TSO_ZERO_LEN);
	assert_false(ip.flags & SD_IP_F_JUMBO);
	assert_int_equal(ip.total_len, 60);
	assert_int_equal(sd_rd_left(&ip.payload), 20);
}

static void
test_v6_long_chain_routing_ah(void **state)
{
	uint8_t v[40 + 9 * 8 + 8];
	uint8_t rt[] = {
		V6_FIXED(0, 40, 43),
		51, 0, 0, 0, 0, 0, 0, 0,	/* routing: next AH, len 0 */
		50, 4, 0, 0, 0, 0, 0, 1,	/* AH: next ESP, len 4 -> (4+2)*4 = 24 */
		0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 1,	/* ESP SPI, seq */
	};
	struct sd_ip ip;
	size_t i;

	(void)state;
	/* 9 destination-options headers in a row */
	memcpy(v, (const uint8_t[]){ V6_FIXED(0, 80, 60) }, 40);
	for (i = 0; i < 9; i++) {
		memset(v + 40 + i * 8, 0, 8);
		v[40 + i * 8] = i < 8 ? 60 : 17;
	}
	memset(v + 40 + 72, 0, 8);
	assert_int_equal(sd_ip_parse(sd_rd_make(v, sizeof(v)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_BAD_HDR);
	assert_int_equal(ip.proto, SD_IPPROTO_NONE);

	assert_int_equal(sd_ip_parse(sd_rd_make(rt, sizeof(rt)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_ROUTING);
	assert_int_equal(ip.proto, SD_IPPROTO_ESP);
	assert_int_equal(ip.hdr_len, 40 + 8 + 24);
	assert_int_equal(sd_rd_left(&ip.payload), 8);

	/* an AH length running past the payload length (frame has padding): bad, not cut */
	rt[5] = 24;				/* plen 24: AH needs 24 after 8 of routing */
	assert_int_equal(sd_ip_parse(sd_rd_make(rt, sizeof(rt)), &ip), SD_OK);
	assert_true(ip.flags & SD_IP_F_BAD_HDR);
	assert_int_equal(ip.proto, SD_IPPROTO_NONE);
	assert_int_equal(sd_rd_left(&ip.payload), 0);
}

static void
test_addr_str_cmp(void **state)
{
	struct sd_addr a = { .v = 6 }, b = { .v = 6 }, c = { .v = 4 };
	char buf[SD_ADDR_STRLEN];
	const uint8_t full[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
	const uint8_t two[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 };

	(void)state;
	memcpy(a.a, full, 16);
	/* RFC 5952 §4.2.2: a single 16-bit 0 field is not compressed */
	assert_string_equal(sd_ip_addr_str(&a, buf), "2001:db8:0:1:1:1:1:1");
	memcpy(b.a, two, 16);
	/* §4.2.3: of two equal zero runs the first is compressed */
	assert_string_equal(sd_ip_addr_str(&b, buf), "2001:db8::1:0:0:1");
	c.a[0] = 10;
	c.a[3] = 1;
	assert_string_equal(sd_ip_addr_str(&c, buf), "10.0.0.1");

	assert_int_equal(sd_ip_addr_cmp(&a, &a), 0);
	assert_true(sd_ip_addr_cmp(&b, &a) < 0);
	assert_true(sd_ip_addr_cmp(&a, &b) > 0);
	assert_true(sd_ip_addr_cmp(&c, &a) < 0);	/* v4 sorts before v6 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_options_padding),
		cmocka_unit_test(test_v4_prefixes),
		cmocka_unit_test(test_v4_bad_csum_kept),
		cmocka_unit_test(test_v4_tso_zero_len),
		cmocka_unit_test(test_v4_fragment_and_bad),
		cmocka_unit_test(test_v6_ext_chain),
		cmocka_unit_test(test_v6_prefixes),
		cmocka_unit_test(test_v6_later_fragment),
		cmocka_unit_test(test_v6_jumbo_and_gso),
		cmocka_unit_test(test_v6_long_chain_routing_ah),
		cmocka_unit_test(test_addr_str_cmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
