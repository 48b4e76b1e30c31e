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

/* The client's stream, when a test sends one: its payload is cut from here by seq. */
static const uint8_t	*client_stream;
static uint32_t		 client_stream_seq;

/* One IPv4/TCP packet 10.0.0.1:40000 -> 10.0.0.2:443 (or back), with len payload bytes
 * (zeros, or the client's stream at seq). */
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
	if (from_client && client_stream != NULL && len > 0)
		memcpy(p + 40, client_stream + (seq - client_stream_seq), len);
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

/* A ClientHello record announcing 4096 bytes: TLS keeps collecting the stream. */
static const uint8_t hello_stream[64] = { 0x16, 0x03, 0x01, 0x10, 0x00, 0x01, 0x00, 0x0f,
	0xfc, 0x03, 0x03 };

/* Handshake 10.0.0.1:40000 -> 10.0.0.2:443: client ISN 100, server ISN 5000; the
 * client's data is hello_stream. */
static void
handshake(struct sd_engine *e)
{
	client_stream = hello_stream;
	client_stream_seq = 101;
	send_tcp(e, 1, true, SD_TCP_SYN, 100, 0, 0);
	send_tcp(e, 2, false, SD_TCP_SYN | SD_TCP_ACK, 5000, 101, 0);
	send_tcp(e, 3, true, SD_TCP_ACK, 101, 5001, 0);
}

/* The handshake, then the client's bytes [101, 111) and [121, 131): a hole between. */
static void
handshake_hole(struct sd_engine *e)
{
	handshake(e);
	send_tcp(e, 4, true, SD_TCP_ACK | SD_TCP_PSH, 101, 5001, 10);
	send_tcp(e, 5, true, SD_TCP_ACK | SD_TCP_PSH, 121, 5001, 10);
}

/* FIN both ways at the client's sequence cseq: the connection closes cleanly. */
static void
close_clean(struct sd_engine *e, uint64_t frame, uint32_t cseq)
{
	send_tcp(e, frame, true, SD_TCP_FIN | SD_TCP_ACK, cseq, 5001, 0);
	send_tcp(e, frame + 1, false, SD_TCP_FIN | SD_TCP_ACK, 5001, cseq + 1, 0);
	send_tcp(e, frame + 2, true, SD_TCP_ACK, cseq + 1, 5002, 0);
}

/*
 * The capture missed the client's bytes [111, 121): the server's ACK of 131 proves it
 * got them.  The hole is a capture hole, and the record of the cleanly closed connection
 * still shows it, with the retransmission.
 */
static void
test_capture_hole_on_ack(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	handshake_hole(e);
	send_tcp(e, 6, false, SD_TCP_ACK, 5001, 131, 0);
	send_tcp(e, 7, true, SD_TCP_ACK | SD_TCP_PSH, 121, 5001, 10);	/* again */
	close_clean(e, 8, 131);
	sd_engine_finish(e);
	assert_int_equal(s.flows, 1);
	assert_int_equal(s.flow.gaps[0], 1);
	assert_int_equal(s.flow.gap_bytes[0], 10);
	assert_int_equal(s.flow.capture_holes[0], 1);
	assert_int_equal(s.flow.capture_missed[0], 10);
	assert_int_equal(s.flow.retransmits[0], 1);
	assert_int_equal(s.flow.capture_holes[1], 0);
	assert_true((s.flow.anomalies & SD_ANOM_TCP_GAP) != 0);
	sd_engine_free(e);
}

/* The same hole without an ACK above it, filled by the retransmission: no gap at all. */
static void
test_network_hole_refilled(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	handshake_hole(e);
	send_tcp(e, 6, false, SD_TCP_ACK, 5001, 111, 0);		/* duplicate ACKs */
	send_tcp(e, 7, false, SD_TCP_ACK, 5001, 111, 0);
	send_tcp(e, 8, true, SD_TCP_ACK | SD_TCP_PSH, 111, 5001, 10);
	send_tcp(e, 9, false, SD_TCP_ACK, 5001, 131, 0);
	close_clean(e, 10, 131);
	sd_engine_finish(e);
	assert_int_equal(s.flow.gaps[0], 0);
	assert_int_equal(s.flow.capture_holes[0], 0);
	assert_int_equal(s.flow.ooo[0], 1);
	assert_true((s.flow.anomalies & SD_ANOM_TCP_GAP) == 0);
	sd_engine_free(e);
}

/*
 * A pure ACK whose IPv4 length covers 6 bytes of Ethernet padding, at the next expected
 * byte, then the real data at the same sequence number: the padding is no data, so the
 * real bytes are neither an overlap nor a retransmission.
 */
static void
test_padded_ack_ignored(void **state)
{
	struct seen s;
	struct sd_engine *e = engine(&s);

	(void)state;
	handshake(e);
	client_stream = NULL;					/* zeros */
	send_tcp(e, 4, true, SD_TCP_ACK, 101, 5001, 6);		/* 46-byte datagram */
	send_tcp(e, 5, true, SD_TCP_ACK | SD_TCP_PSH, 101, 5001, 32);
	send_tcp(e, 6, true, SD_TCP_ACK, 133, 5001, 6);		/* again */
	send_tcp(e, 7, true, SD_TCP_ACK, 133, 5001, 7);		/* 47 bytes: data */
	close_clean(e, 8, 140);
	sd_engine_finish(e);
	assert_int_equal(s.flow.padded_acks[0], 2);
	assert_int_equal(s.flow.payload[0], 39);
	assert_int_equal(s.flow.overlaps[0], 0);
	assert_int_equal(s.flow.retransmits[0], 0);
	sd_engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_unanswered),
		cmocka_unit_test(test_syn_answered_out_of_sight),
		cmocka_unit_test(test_memcap_no_tcp_state_keeps_times),
		cmocka_unit_test(test_capture_hole_on_ack),
		cmocka_unit_test(test_network_hole_refilled),
		cmocka_unit_test(test_padded_ack_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
