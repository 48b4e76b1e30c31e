/* tests/unit/test_a_rules_proxy.c - proxy.connect_refused / _unanswered on http.connect events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/rules.h"
#include "dissect/prelude.h"

struct harness {
	struct sd_findings	 out;
	struct sd_rules		*r;
};

static void
setup_h(struct harness *h)
{
	static const struct sd_rules_opts o = { .no_system_ca = true };
	char err[256];

	memset(h, 0, sizeof(*h));
	h->r = sd_rules_new(&h->out, &o, NULL, NULL, err, sizeof(err));
	assert_non_null(h->r);
}

static void
teardown_h(struct harness *h)
{
	sd_rules_free(h->r);
	sd_finding_list_free(&h->out);
}

/* The http.connect event of flow `flow` (client 10.99.1.1:40000+flow, proxy 10.99.1.254:8888),
 * as engine/app.c writes it: from the proxy when answered, from the client when not. */
static void
connect_ev(struct harness *h, uint64_t flow, const struct sd_http_connect *c)
{
	struct sd_event ev;
	struct sd_addr cl = { { 10, 99, 1, 1 }, 4 }, px = { { 10, 99, 1, 254 }, 4 };
	bool answered = c->status >= 0;

	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_HTTP_CONNECT;
	ev.frame = answered ? c->answered_frame : c->request_frame;
	ev.ts_sec = 1796000000;
	ev.transport = SD_IPPROTO_TCP;
	ev.src = answered ? px : cl;
	ev.dst = answered ? cl : px;
	ev.sport = answered ? 8888 : (uint16_t)(40000 + flow);
	ev.dport = answered ? (uint16_t)(40000 + flow) : 8888;
	ev.flow_id = flow;
	ev.u.msg.connect = c;
	sd_rules_event(h->r, &ev);
}

static struct sd_http_connect
answer(const char *target, int status, const char *reason, uint64_t req, uint64_t ans)
{
	struct sd_http_connect c;

	memset(&c, 0, sizeof(c));
	snprintf(c.target, sizeof(c.target), "%s", target);
	c.status = status;
	if (reason != NULL)
		snprintf(c.reason, sizeof(c.reason), "%s", reason);
	c.request_frame = req;
	c.answered_frame = ans;
	return c;
}


static void
test_refused_grouped(void **state)
{
	struct harness h;
	struct sd_http_connect a = answer("www.example.test:443", 407,
	    "Proxy Authentication Required", 6, 8);
	struct sd_http_connect b = a, ok = answer("www.example.test:443", 200, "OK", 30, 31);
	struct sd_http_connect other = answer("www.example.test:8443", 403, "Forbidden", 40, 41);
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	snprintf(a.proxy_agent, sizeof(a.proxy_agent), "tinyproxy/1.11.1");
	b.request_frame = 17;
	b.answered_frame = 19;
	connect_ev(&h, 1, &a);
	connect_ev(&h, 2, &b);
	connect_ev(&h, 3, &ok);		/* a tunnel: no finding */
	connect_ev(&h, 4, &other);	/* another target and status: its own finding */
	sd_rules_finish(h.r);
	assert_int_equal(h.out.n, 2);
	f = h.out.v[0];
	assert_string_equal(f->kind, "proxy.connect_refused");
	assert_int_equal(f->count, 2);
	assert_int_equal(f->nframes, 4);
	assert_int_equal(f->frames[0], 6);
	assert_int_equal(f->frames[1], 8);
	assert_string_equal(finding_value(f, "status"), "407");
	assert_string_equal(finding_value(f, "proxy"), "10.99.1.254:8888");
	assert_string_equal(finding_value(f, "proxy_agent"), "tinyproxy/1.11.1");
	assert_non_null(strstr(f->summary, "authentication required"));
	f = h.out.v[1];
	assert_string_equal(finding_value(f, "target"), "www.example.test:8443");
	assert_null(finding_value(f, "proxy_agent"));
	assert_non_null(strstr(f->summary, "forbidden by policy"));
	teardown_h(&h);
}

static void
test_unanswered(void **state)
{
	struct harness h;
	struct sd_http_connect rst = answer("db.example.test:5432", -1, NULL, 4, 0);
	struct sd_http_connect late = rst;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	rst.end = "proxy_rst";
	rst.end_frame = 5;
	late.request_frame = 20;
	late.end = "capture_end";
	connect_ev(&h, 1, &rst);
	connect_ev(&h, 2, &late);
	sd_rules_finish(h.r);
	assert_int_equal(h.out.n, 1);
	f = h.out.v[0];
	assert_string_equal(f->kind, "proxy.connect_unanswered");
	assert_int_equal(f->count, 2);
	assert_int_equal(f->nframes, 3);	/* request + RST, then the second request */
	assert_int_equal(f->frames[0], 4);
	assert_int_equal(f->frames[1], 5);
	assert_int_equal(f->frames[2], 20);
	assert_string_equal(finding_value(f, "end"), "proxy_rst");
	assert_non_null(strstr(f->summary, "reset"));
	assert_true(f->confidence > 0.8);
	teardown_h(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_grouped),
		cmocka_unit_test(test_unanswered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
