/* tests/unit/test_a_rules_malformed.c - tls.malformed_* fed with synthetic events: the
 * malformed message and its peer's reaction decide the finding and its severity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/rules_harness.h"

#include "dissect/tls.h"

#define SERVER	{ { 10, 99, 1, 2 }, 4 }
#define CLIENT	{ { 10, 99, 1, 1 }, 4 }

struct h {
	struct sd_findings	 out;
	struct area_h		 area;	/* rules_malformed.c */
};

static void
h_open(struct h *h)
{
	static const struct sd_rule_area *const areas[] = { &sd_rules_malformed, NULL };
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
    uint64_t frame)
{
	struct sd_addr c = CLIENT, s = SERVER;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = 1000 + (int64_t)frame;
	ev->transport = SD_IPPROTO_TCP;
	ev->src = from_client ? c : s;
	ev->dst = from_client ? s : c;
	ev->sport = from_client ? (uint16_t)(41000 + flow) : 443;
	ev->dport = from_client ? 443 : (uint16_t)(41000 + flow);
	ev->flow_id = flow;
}

/* A ClientHello whose cipher_suites length is odd (what parsed: up to the session id). */
static void
bad_hello(struct h *h, uint64_t flow, uint64_t frame)
{
	struct sd_tls_client_hello ch;
	struct sd_event ev;

	memset(&ch, 0, sizeof(ch));
	ch.parsed = SD_TLS_P_COOKIE;
	ch.fault.what = "cipher_suites_odd_length";
	ch.fault.offset = 35;
	ch.fault.declared = ch.fault.avail = 63;
	base(&ev, SD_EV_TLS_CLIENT_HELLO, flow, true, frame);
	ev.u.msg.client_hello = &ch;
	area_h_event(&h->area, &ev);
}

static void
alert(struct h *h, uint64_t flow, bool from_client, uint8_t level, uint8_t desc,
    uint64_t frame)
{
	struct sd_tls_alert a;
	struct sd_event ev;

	memset(&a, 0, sizeof(a));
	a.level = level;
	a.description = desc;
	a.length = 2;
	base(&ev, SD_EV_TLS_ALERT, flow, from_client, frame);
	ev.u.msg.alert = &a;
	area_h_event(&h->area, &ev);
}

static void
flow_end(struct h *h, uint64_t flow, uint64_t frame)
{
	struct sd_event ev;

	base(&ev, SD_EV_FLOW, flow, true, frame);
	area_h_event(&h->area, &ev);
}

/* The server's decode_error names the client's hello: high, with both frames. */
static void
test_refused(void **state)
{
	struct h h;
	const struct sd_finding *f;

	(void)state;
	h_open(&h);
	bad_hello(&h, 1, 6);
	alert(&h, 1, true, 2, 50, 7);		/* the client's own alert is no answer */
	alert(&h, 1, false, 2, 50, 8);
	flow_end(&h, 1, 11);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 1);
	f = h.out.v[0];
	assert_string_equal(f->kind, "tls.malformed_client_hello");
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_string_equal(finding_value(f, "malformed"), "cipher_suites_odd_length");
	assert_string_equal(finding_value(f, "detail"), "cipher_suites length 63 is odd");
	assert_string_equal(finding_value(f, "sender"), "client");
	assert_string_equal(finding_value(f, "outcome"), "refused");
	assert_non_null(strstr(finding_value(f, "answer"), "Decode Error (50)"));
	assert_true(finding_has_frame(f, 6) && finding_has_frame(f, 8) && !finding_has_frame(f, 7));
	h_close(&h);
}

/* Nothing from the server before the flow ends: low, the capture may have missed it; a
 * second connection with the same fault counts in the same finding and raises it. */
static void
test_unanswered(void **state)
{
	struct h h;
	const struct sd_finding *f;

	(void)state;
	h_open(&h);
	bad_hello(&h, 1, 6);
	flow_end(&h, 1, 9);
	assert_int_equal(h.out.n, 1);
	f = h.out.v[0];
	assert_int_equal(f->severity, SD_SEV_LOW);
	assert_string_equal(finding_value(f, "outcome"), "unanswered");
	/* the next connection's server refuses it: the finding rises */
	bad_hello(&h, 2, 16);
	alert(&h, 2, false, 2, 50, 18);
	flow_end(&h, 2, 20);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_string_equal(finding_value(f, "outcome"), "refused");
	assert_true(finding_has_frame(f, 6) && finding_has_frame(f, 16) && finding_has_frame(f, 18));
	h_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_unanswered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
