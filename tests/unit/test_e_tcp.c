/* tests/unit/test_e_tcp.c - the engine's TCP verdicts from hand-made IPv4 packets: a
 * connection attempt is "never answered" only when nothing at all shows an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/l4.h"
#include "dissect/link.h"
#include "engine/engine.h"
#include "tests/unit/engine_harness.h"
#include "engine/flow.h"

struct seen {
	unsigned	 unanswered;
	unsigned	 flows;
	uint32_t	 syns;
	struct sd_ev_flow flow;		/* the last flow record */
};

static void
on_event(void *ctx, const struct sd_event *ev)
{
	struct seen *s = ctx;

	if (ev->type == SD_EV_TCP_UNANSWERED) {
		s->unanswered++;
		s->syns = ev->u.unanswered.syns;
	} else if (ev->type == SD_EV_FLOW) {
		s->flows++;
		s->flow = ev->u.flow;
	}
}

/* One IPv4/TCP packet 10.0.0.1:40000 -> 10.0.0.2:443 (or back), with len payload bytes. */
static void
send_tcp(struct sd_engine *e, uint64_t frame, bool from_client, uint8_t flags, uint32_t seq,
    uint32_t ack, size_t len)
{
	uint8_t p[40 + 64];
	struct sd_pkt_in in;
	size_t n = 40 + len;
	uint8_t c = from_client ? 1 : 2, s = from_client ? 2 : 1;
	uint16_t cport = 40000, sport = 443;

	assert_true(len <= 64);
	memset(p, 0, sizeof(p));
	p[0] = 0x45;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[8] = 64;
	p[9] = SD_IPPROTO_TCP;
	p[12] = 10, p[15] = c;
	p[16] = 10, p[19] = s;
	p[20] = (uint8_t)((from_client ? cport : sport) >> 8);
	p[21] = (uint8_t)(from_client ? cport : sport);
	p[22] = (uint8_t)((from_client ? sport : cport) >> 8);
	p[23] = (uint8_t)(from_client ? sport : cport);
	p[24] = (uint8_t)(seq >> 24), p[25] = (uint8_t)(seq >> 16);
	p[26] = (uint8_t)(seq >> 8), p[27] = (uint8_t)seq;
	p[28] = (uint8_t)(ack >> 24), p[29] = (uint8_t)(ack >> 16);
	p[30] = (uint8_t)(ack >> 8), p[31] = (uint8_t)ack;
	p[32] = 0x50;
	p[33] = flags;
	p[34] = 0xff;
	memset(&in, 0, sizeof(in));
	in.frame = frame;
	in.sec = 1000 + (int64_t)frame;
	in.caplen = in.len = (uint32_t)n;
	in.linktype = SD_LINKTYPE_RAW;
	in.data = p;
	sd_engine_packet(e, &in);
}

static struct sd_engine *
engine(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return harness_engine(on_event, s);
}

/* SYNs and nothing else: never answered; a client giving up with RST+ACK (ack 0, as
 * Android does) does not make it answered. */
static void
test_syn_unanswered(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	send_tcp(e, 1, true, SD_TCP_SYN, 100, 0, 0);
	send_tcp(e, 2, true, SD_TCP_SYN, 100, 0, 0);
	send_tcp(e, 3, true, SD_TCP_RST | SD_TCP_ACK, 100, 0, 0);
	sd_engine_finish(e);
	assert_int_equal(s.unanswered, 1);
	assert_int_equal(s.syns, 2);
	assert_int_equal(s.flows, 1);
	sd_engine_free(e);
}

/*
 * The SYN-ACK and everything else from the server took another path: the client's own ACK
 * and data show the SYN was answered, so the attempt is not "never answered".
 */
static void
test_syn_answered_out_of_sight(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	send_tcp(e, 1, true, SD_TCP_SYN, 100, 0, 0);
	send_tcp(e, 2, true, SD_TCP_ACK, 101, 5001, 0);
	send_tcp(e, 3, true, SD_TCP_ACK | SD_TCP_PSH, 101, 5001, 32);
	send_tcp(e, 4, true, SD_TCP_ACK, 133, 5400, 0);
	sd_engine_finish(e);
	assert_int_equal(s.unanswered, 0);
	assert_int_equal(s.flows, 1);
	sd_engine_free(e);
}

/*
 * The memcap holds the flow but refuses its TCP state: no reassembly, yet the packets
 * count in the flow's record (frames and times of the capture, not frame 0 in 1970, which
 * the clock rules would take for the capture's own time).
 */
static void
test_memcap_no_tcp_state_keeps_times(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);
	struct sd_memcap *mc = sd_engine_memcap(e);

	(void)state;
	mc->limit = mc->used + sizeof(struct sd_flow) + 16;
	send_tcp(e, 7, true, SD_TCP_SYN, 100, 0, 0);
	send_tcp(e, 8, false, SD_TCP_SYN | SD_TCP_ACK, 5000, 101, 0);
	mc->limit = 0;
	sd_engine_finish(e);
	assert_int_equal(s.flows, 1);
	assert_true((s.flow.anomalies & SD_ANOM_MEMCAP) != 0);
	assert_int_equal(s.flow.first_frame, 7);
	assert_int_equal(s.flow.last_frame, 8);
	assert_int_equal(s.flow.first_sec, 1007);
	assert_int_equal(s.flow.packets[0] + s.flow.packets[1], 2);
	assert_true(sd_engine_memcap(e)->refused > 0);
	sd_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_unanswered),
		cmocka_unit_test(test_syn_answered_out_of_sight),
		cmocka_unit_test(test_memcap_no_tcp_state_keeps_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
