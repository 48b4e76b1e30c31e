/* tests/unit/test_capwap.c - CAPWAP headers, control messages and data channel payloads
 * (dissect/capwap.c, and its place in sd_tunnel_udp()). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/capwap.h"
#include "dissect/tunnel.h"

#define V4_START	0x45, 0x00, 0x00, 0x14, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2

/* An 802.3 frame in the data channel: HLEN 2, RID 1, WBID 1, T = 0. */
static const uint8_t data_8023[] = {
	0x00,			/* preamble: version 0, type 0 (CAPWAP header) */
	0x10, 0x42, 0x00,	/* HLEN 2, RID 1, WBID 1, no flags */
	0x00, 0x00, 0x00, 0x00,	/* fragment id, offset */
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,	/* Ethernet, IPv4 */
	V4_START,
};

/* An 802.11 QoS data frame To DS with LLC/SNAP: HLEN 4 (radio MAC), T = 1, M = 1. */
static const uint8_t data_80211[] = {
	0x00,
	0x20, 0x43, 0x10,	/* HLEN 4, RID 1, WBID 1, T, M */
	0x00, 0x00, 0x00, 0x00,
	0x06, 0x02, 0, 0, 0, 0x0a, 0x01, 0x00,	/* radio MAC: length 6, address, padding */
	0x88, 0x01, 0x2c, 0x00,	/* QoS data, To DS; duration */
	0x02, 0, 0, 0, 0x0a, 0x01,	/* BSSID */
	0x02, 0, 0, 0, 0, 1,	/* source station */
	0x02, 0, 0, 0, 0, 2,	/* destination */
	0x10, 0x00,		/* sequence 1, fragment 0 */
	0x00, 0x00,		/* QoS control */
	0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,	/* LLC/SNAP: IPv4 */
	V4_START,
};
#define DATA_80211_IP	50	/* offset of the IPv4 header in data_80211 */

/* The CAPWAP DTLS header and the start of a DTLS 1.2 ClientHello record. */
static const uint8_t dtls_hdr[] = {
	0x01, 0x00, 0x00, 0x00,
	0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10,
};

/* A Join Response with a Result Code "Join Failure (Unknown Source)" and one other element. */
static const uint8_t join_fail[] = {
	0x00, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,	/* header: HLEN 2, WBID 1 */
	0x00, 0x00, 0x00, 0x04,	/* message type: enterprise 0, Join Response */
	0x07,			/* sequence number */
	0x00, 0x11,		/* element length: 8 + 9 */
	0x00,			/* flags */
	0x00, 0x21, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05,	/* Result Code 5 */
	0x00, 0x04, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o',	/* AC Name */
};

static uint8_t *
dup(const uint8_t *v, size_t n)
{
	uint8_t *cp = malloc(n ? n : 1);

	assert_non_null(cp);
	memcpy(cp, v, n);
	return cp;
}

static void
test_header(void **state)
{
	struct sd_capwap cw;

	(void)state;
	assert_int_equal(sd_capwap_parse(sd_rd_make(data_80211, sizeof(data_80211)), &cw), SD_OK);
	assert_int_equal(cw.type, SD_CAPWAP_PLAIN);
	assert_int_equal(cw.hlen, 4);
	assert_int_equal(cw.rid, 1);
	assert_int_equal(cw.wbid, SD_CAPWAP_WBID_80211);
	assert_int_equal(cw.flags, SD_CAPWAP_F_T | SD_CAPWAP_F_M);
	/* the payload starts after HLEN words, past the radio MAC */
	assert_ptr_equal(cw.payload.p, data_80211 + 16);

	assert_int_equal(sd_capwap_parse(sd_rd_make(dtls_hdr, sizeof(dtls_hdr)), &cw), SD_OK);
	assert_int_equal(cw.type, SD_CAPWAP_DTLS);
	assert_ptr_equal(cw.payload.p, dtls_hdr + 4);
	assert_int_equal(cw.payload.p[0], 0x16);
}

static void
test_bad_header(void **state)
{
	uint8_t v[sizeof(data_8023)];
	struct sd_capwap cw;

	(void)state;
	memcpy(v, data_8023, sizeof(v));
	v[0] = 0x10;		/* version 1 */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_UNSUPPORTED);
	v[0] = 0x02;		/* type 2 */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_UNSUPPORTED);
	v[0] = 0x00;
	v[1] = 0x08;		/* HLEN 1: shorter than the fixed header */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_MALFORMED);
	v[1] = 0xf8;		/* HLEN 31: 124 bytes, more than the datagram */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_TRUNCATED);
	/* a DTLS record on its own (no CAPWAP header) is not CAPWAP: 0x16 = version 1 */
	assert_int_equal(sd_capwap_parse(sd_rd_make(dtls_hdr + 4, sizeof(dtls_hdr) - 4), &cw),
	    SD_UNSUPPORTED);
}

/* Every prefix in an exact-size heap copy: nothing reads past it, and the decoders only
 * succeed once the whole inner IPv4 header start is there. */
static void
test_truncation(void **state)
{
	struct sd_capwap cw;
	struct sd_link l;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(data_80211); k++) {
		uint8_t *cp = dup(data_80211, k);
		enum sd_rc rc = sd_capwap_parse(sd_rd_make(cp, k), &cw);

		if (k < 16)
			assert_int_equal(rc, SD_TRUNCATED);
		else
			assert_int_equal(rc, SD_OK);
		if (rc == SD_OK)
			assert_int_equal(sd_capwap_data(&cw, &l) == SD_OK, k > DATA_80211_IP);
		assert_int_equal(sd_tunnel_udp(40001, SD_PORT_CAPWAP_DATA, sd_rd_make(cp, k), &l) ==
		    SD_OK, k > DATA_80211_IP);
		free(cp);
	}
	for (k = 0; k < sizeof(join_fail); k++) {
		uint8_t *cp = dup(join_fail, k);
		struct sd_capwap_ctrl c;
		enum sd_rc rc = sd_capwap_parse(sd_rd_make(cp, k), &cw);

		if (rc == SD_OK) {
			rc = sd_capwap_control(cw.payload, &c);
			assert_int_equal(rc, k < 16 ? SD_TRUNCATED : SD_OK);
			if (rc == SD_OK) {
				/* the Result Code element is whole from byte 24 on */
				assert_int_equal(c.has_result, k >= 24);
				assert_int_equal(c.elems_cut,
				    k != 16 && k != 24 && k != sizeof(join_fail));
			}
		}
		free(cp);
	}
}

static void
test_data(void **state)
{
	struct sd_link l;

	(void)state;
	assert_int_equal(sd_tunnel_udp(40001, SD_PORT_CAPWAP_DATA,
	    sd_rd_make(data_8023, sizeof(data_8023)), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV4);
	assert_ptr_equal(l.net.p, data_8023 + 22);
	/* the controller's side answers from 5247 */
	assert_int_equal(sd_tunnel_udp(SD_PORT_CAPWAP_DATA, 40001,
	    sd_rd_make(data_80211, sizeof(data_80211)), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV4);
	assert_ptr_equal(l.net.p, data_80211 + DATA_80211_IP);
	/* CAPWAP DTLS on the data port is no tunnel: the flow's DTLS */
	assert_int_equal(sd_tunnel_udp(40001, SD_PORT_CAPWAP_DATA,
	    sd_rd_make(dtls_hdr, sizeof(dtls_hdr)), &l), SD_UNSUPPORTED);
	/* the control port carries no stations' frames */
	assert_int_equal(sd_tunnel_udp(40001, SD_PORT_CAPWAP_CONTROL,
	    sd_rd_make(data_8023, sizeof(data_8023)), &l), SD_UNSUPPORTED);
}

static void
test_80211_refused(void **state)
{
	uint8_t v[sizeof(data_80211)];
	struct sd_link l;

	(void)state;
	memcpy(v, data_80211, sizeof(v));
	v[17] |= 0x40;		/* protected: the payload is encrypted */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	memcpy(v, data_80211, sizeof(v));
	v[16] = 0xc8;		/* QoS Null: no data */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	memcpy(v, data_80211, sizeof(v));
	v[16] = 0x80;		/* a management frame (beacon) */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	memcpy(v, data_80211, sizeof(v));
	v[42] = 0x42;		/* not SNAP: a spanning-tree LLC */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	memcpy(v, data_80211, sizeof(v));
	v[2] = 0x42;		/* T cleared: the 802.11 header read as 802.3 names no IP */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	memcpy(v, data_80211, sizeof(v));
	v[2] = 0x45;		/* WBID 2 (IEEE 802.16): not decoded */
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
}

static void
test_fragments(void **state)
{
	uint8_t v[sizeof(data_8023)];
	struct sd_capwap cw;
	struct sd_link l;

	(void)state;
	memcpy(v, data_8023, sizeof(v));
	v[3] = 0x80;		/* F */
	v[4] = 0x12, v[5] = 0x34;	/* fragment id */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_OK);
	assert_int_equal(cw.flags, SD_CAPWAP_F_F);
	assert_int_equal(cw.frag_id, 0x1234);
	assert_int_equal(cw.frag_off, 0);
	assert_int_equal(sd_capwap_data(&cw, &l), SD_UNSUPPORTED);
	v[3] = 0xc0;		/* F and L: the last fragment, at offset 185 * 8 */
	v[6] = 0x05, v[7] = 0xc8;
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_OK);
	assert_int_equal(cw.flags, SD_CAPWAP_F_F | SD_CAPWAP_F_L);
	assert_int_equal(cw.frag_off, 185);
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_CAPWAP_DATA, sd_rd_make(v, sizeof(v)), &l),
	    SD_UNSUPPORTED);
	v[3] = 0x08;		/* K: a keep-alive */
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_OK);
	assert_int_equal(cw.flags, SD_CAPWAP_F_K);
	assert_int_equal(sd_capwap_data(&cw, &l), SD_UNSUPPORTED);
}

static void
test_control(void **state)
{
	struct sd_capwap cw;
	struct sd_capwap_ctrl c;
	uint8_t v[sizeof(join_fail)];

	(void)state;
	assert_int_equal(sd_capwap_parse(sd_rd_make(join_fail, sizeof(join_fail)), &cw), SD_OK);
	assert_int_equal(sd_capwap_control(cw.payload, &c), SD_OK);
	assert_int_equal(c.enterprise, 0);
	assert_int_equal(c.msg_type, SD_CAPWAP_JOIN_RESP);
	assert_string_equal(sd_capwap_msg_name(c.enterprise, c.msg_type), "join_response");
	assert_int_equal(c.seq, 7);
	assert_int_equal(c.nelems, 2);
	assert_true(c.has_result);
	assert_int_equal(c.result_code, 5);
	assert_string_equal(sd_capwap_result_name(c.result_code), "join_failure_unknown_source");
	assert_false(c.elems_cut);
	assert_null(sd_capwap_result_name(23));
	assert_null(sd_capwap_msg_name(0, 27));
	assert_null(sd_capwap_msg_name(14179, 1));	/* a vendor's own types have no name here */
	/* an element length past the message: the walk stops, what came before is kept */
	memcpy(v, join_fail, sizeof(v));
	v[27] = 0x40;
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_OK);
	assert_int_equal(sd_capwap_control(cw.payload, &c), SD_OK);
	assert_true(c.has_result);
	assert_int_equal(c.nelems, 1);
	assert_true(c.elems_cut);
	/* a message element length shorter than the elements: only those it covers count */
	memcpy(v, join_fail, sizeof(v));
	v[14] = 0x08;
	assert_int_equal(sd_capwap_parse(sd_rd_make(v, sizeof(v)), &cw), SD_OK);
	assert_int_equal(sd_capwap_control(cw.payload, &c), SD_OK);
	assert_int_equal(c.nelems, 1);
	assert_false(c.elems_cut);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_80211_refused),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
