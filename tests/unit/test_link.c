/* tests/unit/test_link.c - link layers and tunnels (dissect/link.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/link.h"

#define MACS \
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55,	/* destination */ \
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb	/* source */

/* The first 4 bytes of an IPv4 / IPv6 header: all the link layer looks at. */
#define IP4_START	0x45, 0x00, 0x00, 0x14
#define IP6_START	0x60, 0x00, 0x00, 0x00

enum which { W_DECODE, W_ETHER, W_VXLAN, W_GRE };

static enum sd_rc
run(enum which w, int linktype, const uint8_t *p, size_t n, struct sd_link *l)
{
	struct sd_rd r = sd_rd_make(p, n);

	switch (w) {
	case W_ETHER:
		return sd_link_ether(r, l);
	case W_VXLAN:
		return sd_link_vxlan(r, l);
	case W_GRE:
		return sd_link_gre(r, l);
	case W_DECODE:
	default:
		return sd_link_decode(linktype, r, l);
	}
}

/*
 * Decode the whole vector and check the result; then every prefix in an exact-size
 * heap copy (ASan sees a 1-byte over-read): shorter than `hdr` + `need` (bytes of
 * the network header the decoder must see: the version nibble) it must fail, from
 * there on it must succeed with net starting at the same offset.
 */
static void
check_vec(enum which w, int linktype, const uint8_t *v, size_t len, size_t hdr,
    size_t need, uint16_t ethertype, struct sd_link *out)
{
	struct sd_link l;
	size_t n;

	assert_int_equal(run(w, linktype, v, len, out), SD_OK);
	assert_int_equal(out->ethertype, ethertype);
	assert_ptr_equal(out->net.p, v + hdr);
	assert_int_equal(sd_rd_left(&out->net), len - hdr);
	for (n = 0; n < len; n++) {
		uint8_t *cp = malloc(n > 0 ? n : 1);
		enum sd_rc rc;

		assert_non_null(cp);
		if (n > 0)
			memcpy(cp, v, n);
		rc = run(w, linktype, cp, n, &l);
		if (n < hdr + need) {
			assert_int_not_equal(rc, SD_OK);
		} else {
			assert_int_equal(rc, SD_OK);
			assert_ptr_equal(l.net.p, cp + hdr);
			assert_int_equal(l.ethertype, ethertype);
		}
		free(cp);
	}
}

static void
test_ether_qinq(void **state)
{
	const uint8_t v[] = {
		MACS,
		0x88, 0xa8, 0x00, 0x64,		/* 802.1ad S-tag, VID 100 */
		0x81, 0x00, 0xa0, 0xc8,		/* 802.1Q C-tag, PCP 5, VID 200 */
		0x81, 0x00, 0x01, 0x2c,		/* a third tag, VID 300: walked, not kept */
		0x08, 0x00,			/* IPv4 */
		IP4_START,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_DECODE, SD_LINKTYPE_ETHERNET, v, sizeof(v), 26, 0, SD_ETH_IPV4, &l);
	assert_int_equal(l.nvlan, 2);
	assert_int_equal(l.vlan[0], 100);
	assert_int_equal(l.vlan[1], 200);
}

static void
test_ether_others(void **state)
{
	const uint8_t dot3[] = { MACS, 0x00, 0x26, 0x42, 0x42, 0x03 };	/* 802.3 length 38, LLC */
	const uint8_t arp[] = { MACS, 0x08, 0x06, 0x00, 0x01 };
	const uint8_t q9100[] = { MACS, 0x91, 0x00, 0x00, 0x0a, 0x86, 0xdd, IP6_START };
	const uint8_t mpls[] = {
		MACS, 0x88, 0x47,
		0x00, 0x01, 0x00, 0x40,		/* label 16, S=0 */
		0x00, 0x01, 0x11, 0x40,		/* label 17, S=1 (bottom of stack) */
		IP6_START,			/* version nibble 6 */
	};
	const uint8_t mpls_eth[] = { MACS, 0x88, 0x47, 0x00, 0x01, 0x01, 0x40, 0x00, 0x00 };
	uint8_t deep[14 + 9 * 4 + 4];
	struct sd_link l;
	size_t i;

	(void)state;
	assert_int_equal(sd_link_decode(SD_LINKTYPE_ETHERNET,
	    sd_rd_make(dot3, sizeof(dot3)), &l), SD_UNSUPPORTED);
	/* other ethertypes decode; the caller looks at the type */
	assert_int_equal(sd_link_ether(sd_rd_make(arp, sizeof(arp)), &l), SD_OK);
	assert_int_equal(l.ethertype, 0x0806);

	check_vec(W_ETHER, 0, q9100, sizeof(q9100), 18, 0, SD_ETH_IPV6, &l);
	assert_int_equal(l.nvlan, 1);
	assert_int_equal(l.vlan[0], 10);

	check_vec(W_ETHER, 0, mpls, sizeof(mpls), 22, 1, SD_ETH_IPV6, &l);
	assert_int_equal(l.nvlan, 0);
	/* under the labels, neither 4 nor 6: a pseudowire, not decoded */
	assert_int_equal(sd_link_ether(sd_rd_make(mpls_eth, sizeof(mpls_eth)), &l),
	    SD_UNSUPPORTED);

	/* 9 stacked tags: past the walk limit of 8 */
	memcpy(deep, (const uint8_t[]){ MACS }, 12);
	for (i = 0; i < 10; i++) {
		deep[12 + i * 4] = 0x81;
		deep[13 + i * 4] = 0x00;
		if (i < 9) {
			deep[14 + i * 4] = 0x00;
			deep[15 + i * 4] = (uint8_t)(i + 1);
		}
	}
	deep[12 + 9 * 4] = 0x08;
	deep[13 + 9 * 4] = 0x00;
	deep[14 + 9 * 4] = 0x45;
	deep[15 + 9 * 4] = 0x00;
	deep[16 + 9 * 4] = 0x00;
	deep[17 + 9 * 4] = 0x14;
	assert_int_equal(sd_link_ether(sd_rd_make(deep, sizeof(deep)), &l), SD_UNSUPPORTED);
	/* 8 tags is fine: start the walk one tag later */
	deep[12 + 4] = 0x88;
	deep[13 + 4] = 0xa8;
	memmove(deep + 4, deep, 12);
	assert_int_equal(sd_link_ether(sd_rd_make(deep + 4, sizeof(deep) - 4), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV4);
	assert_int_equal(l.nvlan, 2);
	assert_int_equal(l.vlan[0], 2);
	assert_int_equal(l.vlan[1], 3);
}

/* zeek/pppoe-over-qinq.pcap frame 1: two 802.1Q tags, PPPoE session, PPP IPv4. */
static void
test_pppoe_qinq(void **state)
{
	const uint8_t v[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x81, 0x00, 0x0e, 0x78,		/* VID 3704 */
		0x81, 0x00, 0x09, 0xaa,		/* VID 2474 */
		0x88, 0x64,			/* PPPoE session */
		0x11, 0x00, 0x0f, 0x07,		/* ver 1 type 1, code 0, session 0x0f07 */
		0x00, 0x06,			/* length 6: PPP protocol + 4 bytes */
		0x00, 0x21,			/* PPP: IPv4 */
		IP4_START,
		0x00, 0x00,			/* Ethernet padding, outside the PPPoE length */
	};
	uint8_t lcp[sizeof(v)];
	struct sd_link l;

	(void)state;
	check_vec(W_DECODE, SD_LINKTYPE_ETHERNET, v, sizeof(v) - 2, 30, 0, SD_ETH_IPV4, &l);
	assert_int_equal(l.nvlan, 2);
	assert_int_equal(l.vlan[0], 3704);
	assert_int_equal(l.vlan[1], 2474);
	assert_int_equal(sd_link_ether(sd_rd_make(v, sizeof(v)), &l), SD_OK);
	assert_int_equal(sd_rd_left(&l.net), 4);	/* padding trimmed */
	memcpy(lcp, v, sizeof(lcp));
	lcp[28] = 0xc0;				/* PPP LCP */
	assert_int_equal(sd_link_ether(sd_rd_make(lcp, sizeof(lcp)), &l), SD_UNSUPPORTED);
}

static void
test_sll_sll2(void **state)
{
	const uint8_t sll[] = {
		0x00, 0x00,			/* packet type: to us */
		0x00, 0x01,			/* ARPHRD_ETHER */
		0x00, 0x06,			/* address length */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,	/* address, padded to 8 */
		0x86, 0xdd,			/* protocol: IPv6 */
		IP6_START,
	};
	const uint8_t sll_vlan[] = {
		0x00, 0x04, 0x00, 0x01, 0x00, 0x06,
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,
		0x81, 0x00, 0x00, 0x2a, 0x08, 0x00,	/* 802.1Q VID 42 kept in the payload */
		IP4_START,
	};
	const uint8_t sll2[] = {
		0x08, 0x00,			/* protocol first: IPv4 */
		0x00, 0x00,			/* reserved */
		0x00, 0x00, 0x00, 0x02,		/* interface index 2 */
		0x00, 0x01,			/* ARPHRD_ETHER */
		0x04,				/* packet type: outgoing */
		0x06,				/* address length */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x00, 0x00,
		IP4_START,
	};
	const uint8_t sll_llc[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x04,			/* 802.2 LLC */
		0x42, 0x42,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_DECODE, SD_LINKTYPE_LINUX_SLL, sll, sizeof(sll), 16, 0, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_LINKTYPE_LINUX_SLL, sll_vlan, sizeof(sll_vlan), 20,
	    0, SD_ETH_IPV4, &l);
	assert_int_equal(l.nvlan, 1);
	assert_int_equal(l.vlan[0], 42);
	check_vec(W_DECODE, SD_LINKTYPE_LINUX_SLL2, sll2, sizeof(sll2), 20, 0, SD_ETH_IPV4, &l);
	assert_int_equal(sd_link_decode(SD_LINKTYPE_LINUX_SLL,
	    sd_rd_make(sll_llc, sizeof(sll_llc)), &l), SD_UNSUPPORTED);
}

static void
test_null_loop_raw(void **state)
{
	const uint8_t null_le4[] = { 0x02, 0x00, 0x00, 0x00, IP4_START };	/* x86 host */
	const uint8_t null_be4[] = { 0x00, 0x00, 0x00, 0x02, IP4_START };	/* SPARC/PPC host */
	const uint8_t null_le6[] = { 0x1e, 0x00, 0x00, 0x00, IP6_START };	/* Darwin: 30 */
	const uint8_t null_be6[] = { 0x00, 0x00, 0x00, 0x18, IP6_START };	/* OpenBSD 24 */
	const uint8_t null_lx6[] = { 0x0a, 0x00, 0x00, 0x00, IP6_START };	/* Linux 10 */
	const uint8_t null_fb6[] = { 0x1c, 0x00, 0x00, 0x00, IP6_START };	/* FreeBSD 28 */
	const uint8_t null_bad[] = { 0x07, 0x00, 0x00, 0x00, IP4_START };
	const uint8_t raw4[] = { IP4_START };
	const uint8_t raw6[] = { IP6_START };
	const uint8_t raw_bad[] = { 0x55, 0x00 };
	struct sd_link l;

	(void)state;
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_le4, sizeof(null_le4), 4, 0, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_be4, sizeof(null_be4), 4, 0, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_le6, sizeof(null_le6), 4, 0, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_be6, sizeof(null_be6), 4, 0, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_lx6, sizeof(null_lx6), 4, 0, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_LINKTYPE_NULL, null_fb6, sizeof(null_fb6), 4, 0, SD_ETH_IPV6, &l);
	assert_int_equal(sd_link_decode(SD_LINKTYPE_NULL,
	    sd_rd_make(null_bad, sizeof(null_bad)), &l), SD_UNSUPPORTED);
	/* LOOP is network order only */
	check_vec(W_DECODE, SD_LINKTYPE_LOOP, null_be4, sizeof(null_be4), 4, 0, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_LINKTYPE_LOOP, null_be6, sizeof(null_be6), 4, 0, SD_ETH_IPV6, &l);
	assert_int_equal(sd_link_decode(SD_LINKTYPE_LOOP,
	    sd_rd_make(null_le4, sizeof(null_le4)), &l), SD_UNSUPPORTED);

	check_vec(W_DECODE, SD_LINKTYPE_RAW, raw4, sizeof(raw4), 0, 1, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_LINKTYPE_RAW, raw6, sizeof(raw6), 0, 1, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_DLT_RAW_12, raw4, sizeof(raw4), 0, 1, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_DLT_RAW_14, raw6, sizeof(raw6), 0, 1, SD_ETH_IPV6, &l);
	check_vec(W_DECODE, SD_LINKTYPE_IPV4, raw4, sizeof(raw4), 0, 1, SD_ETH_IPV4, &l);
	check_vec(W_DECODE, SD_LINKTYPE_IPV6, raw6, sizeof(raw6), 0, 1, SD_ETH_IPV6, &l);
	assert_int_equal(sd_link_decode(SD_LINKTYPE_RAW, sd_rd_make(raw4, 0), &l), SD_TRUNCATED);
	assert_int_equal(sd_link_decode(SD_LINKTYPE_RAW,
	    sd_rd_make(raw_bad, sizeof(raw_bad)), &l), SD_UNSUPPORTED);
	assert_int_equal(sd_link_decode(105 /* 802.11 */,
	    sd_rd_make(raw4, sizeof(raw4)), &l), SD_UNSUPPORTED);
}

static void
test_vxlan(void **state)
{
	uint8_t v[] = {
		0x08, 0x00, 0x00, 0x00,		/* flags: I; reserved */
		0x00, 0x13, 0x88, 0x00,		/* VNI 5000; reserved */
		MACS, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00,	/* inner: VLAN 7, IPv4 */
		IP4_START,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_VXLAN, 0, v, sizeof(v), 26, 0, SD_ETH_IPV4, &l);
	assert_int_equal(l.nvlan, 1);
	assert_int_equal(l.vlan[0], 7);
	v[0] = 0x00;				/* I flag clear */
	assert_int_equal(sd_link_vxlan(sd_rd_make(v, sizeof(v)), &l), SD_MALFORMED);
}

static void
test_gre(void **state)
{
	const uint8_t key_seq[] = {
		0x30, 0x00,			/* K, S; version 0 */
		0x08, 0x00,			/* protocol IPv4 */
		0x00, 0x00, 0x00, 0x2a,		/* key 42 */
		0x00, 0x00, 0x00, 0x07,		/* sequence 7 */
		IP4_START,
	};
	const uint8_t csum_v6[] = {
		0x80, 0x00, 0x86, 0xdd,		/* C; IPv6 */
		0x12, 0x34, 0x00, 0x00,		/* checksum, reserved1 */
		IP6_START,
	};
	const uint8_t teb[] = {
		0x20, 0x00, 0x65, 0x58,		/* K; transparent Ethernet bridging */
		0x00, 0x00, 0x00, 0x01,		/* key */
		MACS, 0x81, 0x00, 0x00, 0x0b, 0x86, 0xdd,	/* VLAN 11, IPv6 */
		IP6_START,
	};
	const uint8_t pptp[] = { 0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct sd_link l;

	(void)state;
	check_vec(W_GRE, 0, key_seq, sizeof(key_seq), 12, 0, SD_ETH_IPV4, &l);
	check_vec(W_GRE, 0, csum_v6, sizeof(csum_v6), 8, 0, SD_ETH_IPV6, &l);
	check_vec(W_GRE, 0, teb, sizeof(teb), 26, 0, SD_ETH_IPV6, &l);
	assert_int_equal(l.nvlan, 1);
	assert_int_equal(l.vlan[0], 11);
	/* version 1 (PPTP enhanced GRE) is not decoded */
	assert_int_equal(sd_link_gre(sd_rd_make(pptp, sizeof(pptp)), &l), SD_UNSUPPORTED);
}

static void
test_erspan(void **state)
{
	const uint8_t type1[] = {
		0x00, 0x00, 0x88, 0xbe,		/* no S bit: ERSPAN type I, no header */
		MACS, 0x08, 0x00,
		IP4_START,
	};
	const uint8_t type2[] = {
		0x10, 0x00, 0x88, 0xbe,		/* S; ERSPAN */
		0x00, 0x00, 0x00, 0x05,		/* sequence */
		0x10, 0x64, 0x00, 0x01,		/* ver 1, VLAN 100, COS/En/T, session 1 */
		0x00, 0x00, 0x00, 0x00,		/* reserved, index */
		MACS, 0x08, 0x00,
		IP4_START,
	};
	const uint8_t type3_o[] = {
		0x10, 0x00, 0x22, 0xeb,		/* S; ERSPAN III */
		0x00, 0x00, 0x00, 0x09,		/* sequence */
		0x20, 0x00, 0x00, 0x02,		/* ver 2, VLAN 0, session 2 */
		0x11, 0x22, 0x33, 0x44,		/* timestamp */
		0x00, 0x00,			/* SGT */
		0x00, 0x01,			/* P=0 FT=0 (Ethernet) HW ID 0, D Gra, O=1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,	/* platform subheader */
		MACS, 0x86, 0xdd,
		IP6_START,
	};
	const uint8_t type3[] = {
		0x10, 0x00, 0x22, 0xeb, 0x00, 0x00, 0x00, 0x09,
		0x20, 0x00, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44,
		0x00, 0x00, 0x00, 0x00,		/* O = 0: no subheader */
		MACS, 0x08, 0x00,
		IP4_START,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_GRE, 0, type1, sizeof(type1), 18, 0, SD_ETH_IPV4, &l);
	check_vec(W_GRE, 0, type2, sizeof(type2), 30, 0, SD_ETH_IPV4, &l);
	check_vec(W_GRE, 0, type3_o, sizeof(type3_o), 42, 0, SD_ETH_IPV6, &l);
	check_vec(W_GRE, 0, type3, sizeof(type3), 34, 0, SD_ETH_IPV4, &l);
}

/* Cisco MetaData (TrustSec SGT) inside an 802.1Q tag, the way a Catalyst sends it. */
static void
test_cmd(void **state)
{
	const uint8_t v[] = {
		MACS,
		0x81, 0x00, 0x00, 0x0a,		/* 802.1Q VID 10 */
		0x89, 0x09,			/* Cisco MetaData */
		0x01, 0x01,			/* version 1, length 1 (8 octets) */
		0x00, 0x01, 0x00, 0x11,		/* SGT option: SGT 17 */
		0x08, 0x00,			/* IPv4 */
		IP4_START,
	};
	const uint8_t zero_len[] = { MACS, 0x89, 0x09, 0x01, 0x00, 0x00, 0x01, 0x00, 0x11,
		0x08, 0x00, IP4_START };
	const uint8_t longer[] = {
		MACS, 0x89, 0x09,
		0x01, 0x02,			/* length 2: 16 octets */
		0x00, 0x01, 0x00, 0x2a,		/* SGT 42 */
		0x00, 0x01, 0x00, 0x2b,		/* a second SGT option: the first one is kept */
		0x20, 0x05, 0x12, 0x34,		/* an option not known here: the walk stops */
		0x86, 0xdd,			/* at the header's end, as its length says */
		IP6_START,
	};
	const uint8_t no_sgt[] = { MACS, 0x89, 0x09, 0x01, 0x01, 0x20, 0x07, 0x00, 0x11,
		0x08, 0x00, IP4_START };
	struct sd_link l;

	(void)state;
	check_vec(W_ETHER, 0, v, sizeof(v), 26, 0, SD_ETH_IPV4, &l);
	assert_true(l.has_sgt);
	assert_int_equal(l.sgt, 17);
	assert_int_equal(l.shims, SD_LINK_CMD);
	assert_int_equal(l.nvlan, 1);
	assert_int_equal(l.vlan[0], 10);
	/* a frame that ends inside the CMD header is cut, not read past */
	assert_int_equal(sd_link_ether(sd_rd_make(v, 22), &l), SD_TRUNCATED);
	assert_int_equal(sd_link_ether(sd_rd_make(zero_len, sizeof(zero_len)), &l),
	    SD_MALFORMED);
	check_vec(W_ETHER, 0, longer, sizeof(longer), 30, 0, SD_ETH_IPV6, &l);
	assert_true(l.has_sgt);
	assert_int_equal(l.sgt, 42);
	check_vec(W_ETHER, 0, no_sgt, sizeof(no_sgt), 22, 0, SD_ETH_IPV4, &l);
	assert_false(l.has_sgt);
	assert_int_equal(l.shims, SD_LINK_CMD);
	/* in a Linux cooked capture too */
	{
		uint8_t sll[16 + 8 + 4] = { 0, 0, 0, 1, 0, 6 };

		sll[14] = 0x89;
		sll[15] = 0x09;
		memcpy(sll + 16, v + 18, 12);
		assert_int_equal(sd_link_decode(SD_LINKTYPE_LINUX_SLL, sd_rd_make(sll, sizeof(sll)),
		    &l), SD_OK);
		assert_int_equal(l.sgt, 17);
		assert_ptr_equal(l.net.p, sll + 24);
	}
}

/*
 * VN-Tag from a fabric extender with an 802.1Q tag behind it; 802.1ah with its B-TAG,
 * I-TAG, the customer's MACs and C-TAG, then IPv6.
 */
static void
test_vntag_pbb(void **state)
{
	const uint8_t vn[] = {
		MACS,
		0x89, 0x26,			/* VN-Tag */
		0x80, 0x05, 0x00, 0x07,		/* D=1, dst VIF 5, src VIF 7 */
		0x81, 0x00, 0x00, 0x64,		/* 802.1Q VID 100 */
		0x08, 0x00,
		IP4_START,
	};
	const uint8_t pbb[] = {
		MACS,				/* B-DA, B-SA */
		0x88, 0xa8, 0x00, 0xc8,		/* B-TAG, B-VID 200 */
		0x88, 0xe7,			/* I-TAG */
		0x00, 0x01, 0xe2, 0x40,		/* PCP 0, I-SID 123456 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,	/* C-DA */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* C-SA */
		0x81, 0x00, 0x00, 0x1e,		/* C-TAG, VID 30 */
		0x86, 0xdd,
		IP6_START,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_ETHER, 0, vn, sizeof(vn), 24, 0, SD_ETH_IPV4, &l);
	assert_int_equal(l.shims, SD_LINK_VNTAG);
	assert_int_equal(l.vlan[0], 100);
	assert_false(l.has_sgt);
	check_vec(W_ETHER, 0, pbb, sizeof(pbb), 40, 0, SD_ETH_IPV6, &l);
	assert_int_equal(l.shims, SD_LINK_PBB);
	assert_int_equal(l.isid, 123456);
	assert_int_equal(l.nvlan, 2);
	assert_int_equal(l.vlan[0], 200);
	assert_int_equal(l.vlan[1], 30);
	/* ending inside the customer's MACs */
	assert_int_equal(sd_link_ether(sd_rd_make(pbb, 30), &l), SD_TRUNCATED);
}

/* QinQ, CMD, then an MPLS label: the order of a TrustSec campus over a carrier. */
static void
test_mixed_order(void **state)
{
	const uint8_t v[] = {
		MACS,
		0x88, 0xa8, 0x00, 0x64,		/* S-tag 100 */
		0x81, 0x00, 0x00, 0xc8,		/* C-tag 200 */
		0x89, 0x09, 0x01, 0x01, 0x00, 0x01, 0x00, 0x04, 0x88, 0x47,	/* SGT 4, MPLS */
		0x00, 0x01, 0x01, 0x40,		/* label 16, S=1 */
		IP4_START,
	};
	struct sd_link l;

	(void)state;
	check_vec(W_ETHER, 0, v, sizeof(v), 34, 1, SD_ETH_IPV4, &l);
	assert_int_equal(l.shims, SD_LINK_CMD | SD_LINK_MPLS);
	assert_int_equal(l.sgt, 4);
	assert_int_equal(l.nvlan, 2);
	assert_int_equal(l.vlan[0], 100);
	assert_int_equal(l.vlan[1], 200);
}

/* Eight shim headers of every kind are walked; a ninth is past the cap. */
static void
test_shim_depth(void **state)
{
	static const uint8_t vlan[] = { 0x81, 0x00, 0x00, 0x01 };
	static const uint8_t cmd[] = { 0x89, 0x09, 0x01, 0x01, 0x00, 0x01, 0x00, 0x07 };
	static const uint8_t vntag[] = { 0x89, 0x26, 0x00, 0x01, 0x00, 0x02 };
	static const uint8_t itag[] = { 0x88, 0xe7, 0x00, 0x00, 0x00, 0x09, MACS };
	static const uint8_t *const shim[] = { vlan, cmd, vntag, itag };
	static const size_t shim_len[] = { sizeof(vlan), sizeof(cmd), sizeof(vntag),
		sizeof(itag) };
	uint8_t f[12 + 9 * 20 + 6];
	size_t len, hdr;
	struct sd_link l;
	int n, i;

	(void)state;
	for (n = 8; n <= 9; n++) {
		memcpy(f, (const uint8_t[]){ MACS }, 12);
		len = 12;
		for (i = 0; i < n; i++) {
			memcpy(f + len, shim[i % 4], shim_len[i % 4]);
			len += shim_len[i % 4];
		}
		f[len++] = 0x08;
		f[len++] = 0x00;
		hdr = len;
		memcpy(f + len, (const uint8_t[]){ IP4_START }, 4);
		len += 4;
		if (n == 9) {
			assert_int_equal(sd_link_ether(sd_rd_make(f, len), &l), SD_UNSUPPORTED);
			continue;
		}
		check_vec(W_ETHER, 0, f, len, hdr, 0, SD_ETH_IPV4, &l);
		assert_int_equal(l.shims, SD_LINK_CMD | SD_LINK_VNTAG | SD_LINK_PBB);
		assert_int_equal(l.sgt, 7);
		assert_int_equal(l.isid, 9);
		assert_int_equal(l.nvlan, 2);
	}
}

/* sd_link_supported() is the list sd_link_decode() decodes: every other type is refused. */
static void
test_link_supported(void **state)
{
	static const uint8_t frame[64];
	struct sd_link l;
	int lt;

	(void)state;
	for (lt = 0; lt < 512; lt++)
		if (!sd_link_supported(lt))
			assert_int_equal(sd_link_decode(lt, sd_rd_make(frame, sizeof(frame)), &l),
			    SD_UNSUPPORTED);
	assert_true(sd_link_supported(SD_LINKTYPE_ETHERNET));
	assert_true(sd_link_supported(SD_LINKTYPE_LINUX_SLL2));
	assert_true(sd_link_supported(SD_LINKTYPE_RAW));
	assert_false(sd_link_supported(147));		/* USER0 */
	assert_false(sd_link_supported(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ether_qinq),
		cmocka_unit_test(test_ether_others),
		cmocka_unit_test(test_pppoe_qinq),
		cmocka_unit_test(test_sll_sll2),
		cmocka_unit_test(test_null_loop_raw),
		cmocka_unit_test(test_link_supported),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_vntag_pbb),
		cmocka_unit_test(test_mixed_order),
		cmocka_unit_test(test_shim_depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
