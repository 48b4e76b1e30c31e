/* tests/unit/test_e_capwap.c - CAPWAP through the engine: the data channel's tunnels stop at
 * the nesting cap, and a plain control message becomes a capwap.control event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/capwap.h"
#include "dissect/l4.h"
#include "dissect/link.h"
#include "engine/engine.h"
#include "tests/unit/engine_harness.h"

#define LEVELS		6	/* CAPWAP in CAPWAP, more than the engine decapsulates */
#define HDR		(20 + 8 + 8 + 14)	/* IPv4, UDP, CAPWAP, Ethernet */

struct seen {
	unsigned	 flows, controls;
	struct sd_addr	 flow_src;
	uint16_t	 flow_dport;
	uint8_t		 msg_type;
	uint32_t	 result;
};

static void
on_event(void *ctx, const struct sd_event *ev)
{
	struct seen *s = ctx;

	if (ev->type == SD_EV_FLOW) {
		s->flows++;
		s->flow_src = ev->src;
		s->flow_dport = ev->dport;
	} else if (ev->type == SD_EV_CAPWAP_CONTROL) {
		s->controls++;
		s->msg_type = ev->u.msg.capwap->msg_type;
		s->result = ev->u.msg.capwap->has_result ? ev->u.msg.capwap->result_code : 99;
	}
}

static struct sd_engine *
engine(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return harness_engine(on_event, s);
}

/* An IPv4/UDP header 10.0.level.1:40001 -> 10.0.level.2:dport for len bytes of payload. */
static void
ip_udp(uint8_t *p, unsigned level, uint16_t dport, size_t len)
{
	size_t n = 28 + len;

	memset(p, 0, 28);
	p[0] = 0x45;
	p[2] = (uint8_t)(n >> 8), p[3] = (uint8_t)n;
	p[8] = 64;
	p[9] = SD_IPPROTO_UDP;
	p[12] = 10, p[14] = (uint8_t)level, p[15] = 1;
	p[16] = 10, p[18] = (uint8_t)level, p[19] = 2;
	p[20] = 40001 >> 8, p[21] = 40001 & 0xff;
	p[22] = (uint8_t)(dport >> 8), p[23] = (uint8_t)dport;
	p[24] = (uint8_t)((8 + len) >> 8), p[25] = (uint8_t)(8 + len);
}

static void
send_raw(struct sd_engine *e, const uint8_t *p, size_t n, uint64_t frame)
{
	struct sd_pkt_in in;

	memset(&in, 0, sizeof(in));
	in.frame = frame;
	in.sec = 1000;
	in.caplen = in.len = (uint32_t)n;
	in.linktype = SD_LINKTYPE_RAW;
	in.data = p;
	sd_engine_packet(e, &in);
}

/*
 * LEVELS nested CAPWAP data packets (802.3 frames), each level's IPv4 addresses naming it:
 * the engine decapsulates up to its cap, then the next CAPWAP datagram is an ordinary UDP
 * flow between the addresses of the level where it stopped.
 */
static void
test_depth_cap(void **state)
{
	static const uint8_t capwap_eth[22] = {
		0x00, 0x10, 0x42, 0x00, 0, 0, 0, 0,	/* HLEN 2, RID 1, WBID 1, T = 0 */
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,	/* Ethernet, IPv4 */
	};
	uint8_t p[LEVELS * HDR + 28 + 4];
	size_t off, left;
	unsigned lv;
	struct seen s;
	struct sd_engine *e = engine(&s);
	const struct sd_engine_stats *st;

	(void)state;
	memset(p, 0, sizeof(p));
	for (lv = 0, off = 0; lv < LEVELS; lv++, off += HDR) {
		left = sizeof(p) - off - 28;
		ip_udp(p + off, lv, SD_PORT_CAPWAP_DATA, left);
		memcpy(p + off + 28, capwap_eth, sizeof(capwap_eth));
	}
	ip_udp(p + off, lv, 9, 4);	/* the innermost datagram: 4 bytes to the discard port */
	send_raw(e, p, sizeof(p), 1);
	sd_engine_finish(e);
	st = sd_engine_stats(e);
	assert_int_equal(st->tunnels, 4);
	assert_int_equal(s.flows, 1);
	assert_int_equal(s.flow_src.a[2], 4);	/* the fifth level's addresses: 10.0.4.1 */
	assert_int_equal(s.flow_dport, SD_PORT_CAPWAP_DATA);
	sd_engine_free(e);
}

/* A Join Response in the clear on the control port: one event with its Result Code. */
static void
test_control_event(void **state)
{
	static const uint8_t join_fail[] = {
		0x00, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x04, 0x01, 0x00, 0x08, 0x00,	/* Join Response, seq 1 */
		0x00, 0x21, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03,	/* Result Code 3 */
	};
	uint8_t p[28 + sizeof(join_fail)];
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	ip_udp(p, 0, SD_PORT_CAPWAP_CONTROL, sizeof(join_fail));
	memcpy(p + 28, join_fail, sizeof(join_fail));
	send_raw(e, p, sizeof(p), 1);
	sd_engine_finish(e);
	assert_int_equal(s.controls, 1);
	assert_int_equal(s.msg_type, SD_CAPWAP_JOIN_RESP);
	assert_int_equal(s.result, 3);
	assert_int_equal(sd_engine_stats(e)->tunnels, 0);
	sd_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_control_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
