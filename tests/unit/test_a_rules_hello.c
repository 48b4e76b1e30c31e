/* tests/unit/test_a_rules_hello.c - tls.client_hello_unanswered fed with synthetic events:
 * a ClientHello followed by silence, compared with the handshakes that worked; never when
 * the server answered anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/rules_harness.h"

#include "dissect/tls.h"

#define SERVER	{ { 10, 99, 2, 2 }, 4 }
#define CLIENT	{ { 10, 99, 1, 1 }, 4 }

struct h {
	struct sd_findings	 out;
	struct area_h		 area;	/* rules_hello.c */
};

static void
h_open(struct h *h)
{
	static const struct sd_rule_area *const areas[] = { &sd_rules_hello, NULL };
	char err[256] = "";

	memset(h, 0, sizeof(*h));
	assert_true(area_h_open(&h->area, &h->out, NULL, err, sizeof(err), areas));
}

static void
h_close(struct h *h)
{
	area_h_close(&h->area);
	sd_finding_list_free(&h->out);
}

static void
base(struct sd_event *ev, enum sd_ev_type type, uint64_t flow, bool from_client,
    uint64_t frame, double t)
{
	struct sd_addr c = CLIENT, s = SERVER;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = 1000 + (int64_t)t;
	ev->ts_nsec = (uint32_t)((t - (double)(int64_t)t) * 1e9);
	ev->transport = SD_IPPROTO_TCP;
	ev->src = from_client ? c : s;
	ev->dst = from_client ? s : c;
	ev->sport = from_client ? (uint16_t)(41000 + flow) : 443;
	ev->dport = from_client ? 443 : (uint16_t)(41000 + flow);
	ev->flow_id = flow;
}

static void
client_hello(struct h *h, uint64_t flow, const char *sni, uint64_t frame, double t)
{
	struct sd_tls_client_hello ch;
	struct sd_event ev;

	memset(&ch, 0, sizeof(ch));
	ch.has_sni = true;
	ch.sni = sd_rd_make(sni, strlen(sni));
	base(&ev, SD_EV_TLS_CLIENT_HELLO, flow, true, frame, t);
	ev.u.msg.client_hello = &ch;
	area_h_event(&h->area, &ev);
}

/* A connection that completed: hello, session record, flow record. */
static void
healthy(struct h *h, uint64_t flow, const char *sni, uint64_t ch_frame, double t)
{
	struct sd_tls_session s;
	struct sd_event ev;

	client_hello(h, flow, sni, ch_frame, t);
	memset(&s, 0, sizeof(s));
	s.has_server_hello = s.handshake_complete = true;
	s.has_sni = true;
	s.sni_len = (uint16_t)strlen(sni);
	memcpy(s.sni, sni, s.sni_len);
	s.client_hello_frame = ch_frame;
	s.server_hello_frame = ch_frame + 2;
	base(&ev, SD_EV_TLS_SESSION, flow, true, ch_frame + 10, t + 1);
	ev.u.msg.session = &s;
	area_h_event(&h->area, &ev);
	base(&ev, SD_EV_FLOW, flow, true, ch_frame - 3, t);
	ev.u.flow.packets[0] = ev.u.flow.packets[1] = 10;
	ev.u.flow.payload[0] = ev.u.flow.payload[1] = 1000;
	ev.u.flow.fin_seen[0] = ev.u.flow.fin_seen[1] = true;
	ev.u.flow.end = "fin";
	area_h_event(&h->area, &ev);
}

/* The flow record of the dropped connection: SYN-ACK only from the server, the
 * ClientHello resent 6 times (frames 31-36), the capture ends 6.6 s after it. */
static void
silent_flow(struct sd_event *ev, uint64_t flow)
{
	base(ev, SD_EV_FLOW, flow, true, 27, 1.0);
	ev->u.flow.packets[0] = 9;
	ev->u.flow.packets[1] = 1;
	ev->u.flow.payload[0] = 7 * 322;
	ev->u.flow.retransmits[0] = 6;
	ev->u.flow.retx_first_frame[0] = 31;
	ev->u.flow.retx_last_frame[0] = 36;
	ev->u.flow.seg_max[0] = 322;
	ev->u.flow.syn_seen = ev->u.flow.synack_seen = true;
	ev->u.flow.last_sec = 1007;
	ev->u.flow.last_nsec = 700000000;
	ev->u.flow.end = "capture_end";
}

static const struct sd_finding *
only(const struct h *h)
{
	assert_int_equal(h->out.n, 1);
	assert_string_equal(h->out.v[0]->kind, "tls.client_hello_unanswered");
	return h->out.v[0];
}

static bool
has_frame(const struct sd_finding *f, uint64_t fr)
{
	size_t i;

	for (i = 0; i < f->nframes; i++)
		if (f->frames[i] == fr)
			return true;
	return false;
}

/* The sample's story: the same server answered www, never api: dropped by name. */
static void
test_dropped_by_name(void **state)
{
	const struct sd_finding *f;
	struct sd_event ev;
	struct h h;

	(void)state;
	h_open(&h);
	healthy(&h, 1, "www.example.test", 6, 0.0);
	client_hello(&h, 2, "api.example.test", 30, 1.1);
	silent_flow(&ev, 2);
	area_h_event(&h.area, &ev);
	area_h_finish(&h.area);
	f = only(&h);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_string_equal(finding_value(f, "server"), "10.99.2.2:443");
	assert_string_equal(finding_value(f, "server_name"), "api.example.test");
	assert_string_equal(finding_value(f, "retransmissions"), "6 (frames 31-36)");
	assert_non_null(strstr(finding_value(f, "waited"), "6.6 s"));
	assert_non_null(strstr(finding_value(f, "waited"), "capture ended"));
	assert_non_null(strstr(finding_value(f, "verdict"), "dropped by name"));
	assert_non_null(strstr(finding_value(f, "same_server"), "www.example.test"));
	assert_non_null(strstr(f->summary, "api.example.test at 10.99.2.2:443"));
	assert_true(has_frame(f, 6) && has_frame(f, 8) && has_frame(f, 30) &&
	    has_frame(f, 31) && has_frame(f, 36));
	assert_int_equal(f->nflows, 1);
	assert_int_equal(f->flows[0].id, 2);
	assert_non_null(strstr(f->summary, "(1 connection)"));
	/* a second connection with the same name: one finding, counted */
	client_hello(&h, 3, "api.example.test", 40, 9.0);
	silent_flow(&ev, 3);
	ev.u.flow.last_sec = 1016;
	area_h_event(&h.area, &ev);
	f = only(&h);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->nflows, 2);
	assert_non_null(strstr(f->summary, "dropped by name"));
	assert_non_null(strstr(f->summary, "(2 connections)"));
	h_close(&h);
}

/* The healthy connection only after the dropped one: compared again at the end. */
static void
test_compared_at_end(void **state)
{
	const struct sd_finding *f;
	struct sd_event ev;
	struct h h;

	(void)state;
	h_open(&h);
	client_hello(&h, 2, "api.example.test", 30, 1.1);
	silent_flow(&ev, 2);
	area_h_event(&h.area, &ev);
	f = only(&h);
	assert_non_null(strstr(finding_value(f, "verdict"), "nothing to compare"));
	healthy(&h, 3, "www.example.test", 50, 20.0);
	area_h_finish(&h.area);
	assert_non_null(strstr(finding_value(f, "verdict"), "dropped by name"));
	assert_true(has_frame(f, 50) && has_frame(f, 52));
	h_close(&h);
}

/* Whatever the server answered, or anything that shows it did: no finding. */
static void
test_answered(void **state)
{
	struct sd_tls_server_hello sh;
	struct sd_event ev;
	struct h h;
	int i;

	(void)state;
	for (i = 0; i < 8; i++) {
		h_open(&h);
		client_hello(&h, 2, "api.example.test", 30, 1.1);
		if (i == 0) {
			/* a ServerHello (its data then also counted in the flow record) */
			memset(&sh, 0, sizeof(sh));
			base(&ev, SD_EV_TLS_SERVER_HELLO, 2, false, 32, 1.2);
			ev.u.msg.server_hello = &sh;
			area_h_event(&h.area, &ev);
		} else if (i == 1) {
			/* the client's encrypted flight: it got an answer the capture missed */
			base(&ev, SD_EV_TLS_ENCRYPTED_HANDSHAKE, 2, true, 33, 1.3);
			area_h_event(&h.area, &ev);
		}
		silent_flow(&ev, 2);
		switch (i) {
		case 2:
			ev.u.flow.fin_seen[1] = true;	/* the server closed */
			break;
		case 3:
			ev.u.flow.rst_seen[1] = true;	/* the server (or a device) reset */
			break;
		case 4:
			ev.u.flow.payload[1] = 7;	/* an alert, say */
			break;
		case 5:
			ev.u.flow.packets[1] = 0;	/* server never seen: one-way capture */
			break;
		case 6:
			ev.u.flow.icmp_errors = 1;	/* icmp.unreachable's */
			break;
		case 7:
			/* the capture ended 0.3 s after the hello: too early to tell */
			ev.u.flow.last_sec = 1001;
			ev.u.flow.last_nsec = 400000000;
			break;
		default:
			break;
		}
		area_h_event(&h.area, &ev);
		area_h_finish(&h.area);
		if (h.out.n != 0)
			fail_msg("case %d: %s", i, h.out.v[0]->summary);
		h_close(&h);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dropped_by_name),
		cmocka_unit_test(test_compared_at_end),
		cmocka_unit_test(test_answered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
