/* tests/unit/test_a_rules_tcp.c - reachability rules fed with synthetic events: severity by
 * scope (TLS, DTLS, IKE, ESP, proxies, revocation endpoints), ICMP said as what happened. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/rules_harness.h"

#include "analyze/scope.h"
#include "dissect/tls.h"

struct h {
	struct sd_findings	 out;
	struct area_h		 area;	/* rules_tcp.c */
	unsigned		 news, updates;
};

static void
on_decided(void *ctx, const struct sd_finding *f, enum sd_finding_change c)
{
	struct h *h = ctx;

	(void)f;
	if (c == SD_FINDING_NEW)
		h->news++;
	else
		h->updates++;
}

static void
h_open(struct h *h)
{
	static const struct sd_rule_area *const areas[] = { &sd_rules_tcp, NULL };
	struct sd_finding_out o;
	char err[256] = "";

	memset(h, 0, sizeof(*h));
	assert_true(area_h_open(&h->area, &h->out, NULL, err, sizeof(err), areas));
	o.decided = on_decided;
	o.ctx = h;
	assert_true(sd_findings_subscribe(&h->out, &o));
}

static void
h_event(struct h *h, struct sd_event *ev)
{
	area_h_event(&h->area, ev);
	sd_findings_flush(&h->out);	/* as analyze/rules.c does after each event */
}

static void
h_finish(struct h *h)
{
	area_h_finish(&h->area);
	sd_findings_settle(&h->out);
}

static void
h_close(struct h *h)
{
	area_h_close(&h->area);
	sd_finding_list_free(&h->out);
}

static struct sd_addr
v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct sd_addr x;

	memset(&x, 0, sizeof(x));
	x.v = 4;
	x.a[0] = a;
	x.a[1] = b;
	x.a[2] = c;
	x.a[3] = d;
	return x;
}

static void
base(struct sd_event *ev, enum sd_ev_type type, uint64_t flow, uint64_t frame)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = 1000 + (int64_t)frame;
	ev->transport = SD_IPPROTO_TCP;
	ev->flow_id = flow;
}

/* SYNs from 10.0.0.1 to srv:port, retried: an unanswered attempt. */
static void
syn_unanswered(struct h *h, uint64_t flow, struct sd_addr srv, uint16_t port, uint64_t frame)
{
	struct sd_event ev;

	base(&ev, SD_EV_TCP_UNANSWERED, flow, frame);
	ev.src = v4(10, 0, 0, 1);
	ev.dst = srv;
	ev.sport = (uint16_t)(40000 + flow);
	ev.dport = port;
	ev.u.unanswered.syns = 3;
	ev.u.unanswered.first_frame = frame;
	ev.u.unanswered.last_frame = frame + 2;
	ev.u.unanswered.duration = 3;
	ev.u.unanswered.waited = 2;
	h_event(h, &ev);
}

/* A TLS hello on another flow: the client's (to srv:port) or the server's (from it). */
static void
hello(struct h *h, uint64_t flow, bool server, struct sd_addr srv, uint16_t port,
    uint64_t frame)
{
	struct sd_tls_client_hello ch;
	struct sd_tls_server_hello sh;
	struct sd_event ev;

	memset(&ch, 0, sizeof(ch));
	memset(&sh, 0, sizeof(sh));
	base(&ev, server ? SD_EV_TLS_SERVER_HELLO : SD_EV_TLS_CLIENT_HELLO, flow, frame);
	if (server) {
		ev.src = srv;
		ev.sport = port;
		ev.dst = v4(10, 0, 0, 9);
		ev.dport = 50000;
		ev.u.msg.server_hello = &sh;
	} else {
		ev.src = v4(10, 0, 0, 9);
		ev.sport = 50000;
		ev.dst = srv;
		ev.dport = port;
		ev.u.msg.client_hello = &ch;
	}
	h_event(h, &ev);
}

/* An ICMP destination unreachable from reporter quoting proto src:sport -> dst:dport. */
static void
icmp(struct h *h, uint64_t frame, struct sd_addr reporter, uint8_t code, uint8_t proto,
    struct sd_addr src, uint16_t sport, struct sd_addr dst, uint16_t dport)
{
	struct sd_event ev;

	base(&ev, SD_EV_ICMP_ERROR, 0, frame);
	ev.transport = SD_IPPROTO_ICMP;
	ev.src = reporter;
	ev.dst = src;
	ev.u.icmp.itype = 3;
	ev.u.icmp.icode = code;
	ev.u.icmp.reporter = reporter;
	ev.u.icmp.q_proto = proto;
	ev.u.icmp.q_src = src;
	ev.u.icmp.q_dst = dst;
	ev.u.icmp.q_sport = sport;
	ev.u.icmp.q_dport = dport;
	ev.u.icmp.flow_id = frame;
	h_event(h, &ev);
}

static const struct sd_finding *
find_summary(const struct h *h, const char *kind, const char *part)
{
	size_t i;

	for (i = 0; i < h->out.n; i++)
		if (strcmp(h->out.v[i]->kind, kind) == 0 && h->out.v[i]->summary != NULL &&
		    strstr(h->out.v[i]->summary, part) != NULL)
			return h->out.v[i];
	return NULL;
}

/* No TLS anywhere near a NetBIOS port: info; a well-known TLS port keeps high. */
static void
test_syn_scope(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h);
	syn_unanswered(&h, 1, v4(10, 0, 0, 2), 139, 10);
	syn_unanswered(&h, 2, v4(10, 0, 0, 2), 443, 20);
	h_finish(&h);
	f = find_summary(&h, "tcp.syn_unanswered", "port 139");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_non_null(strstr(finding_value(f, "scope"), "none"));
	f = find_summary(&h, "tcp.syn_unanswered", "port 443");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(finding_value(f, "scope"), "well-known port"));
	h_close(&h);
}

/*
 * An unusual port where TLS was seen: high at once when the TLS came first; when it comes
 * later in the capture, info first, raised at the end and handed over again as an update.
 */
static void
test_syn_scope_seen(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h);
	hello(&h, 1, false, v4(10, 0, 0, 2), 9443, 5);
	syn_unanswered(&h, 2, v4(10, 0, 0, 2), 9443, 10);
	f = find_summary(&h, "tcp.syn_unanswered", "10.0.0.2 port 9443");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(finding_value(f, "scope"), "TLS seen"));
	/* the other order: the server's TLS only after the attempt */
	syn_unanswered(&h, 3, v4(10, 0, 0, 3), 9443, 20);
	f = find_summary(&h, "tcp.syn_unanswered", "10.0.0.3 port 9443");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_int_equal(h.news, 2);
	hello(&h, 4, true, v4(10, 0, 0, 3), 9443, 30);
	h.updates = 0;
	h_finish(&h);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(finding_value(f, "scope"), "TLS seen"));
	assert_int_equal(h.updates, 1);
	h_close(&h);
}

/* Endpoints the scope knows from other rules and events: revocation, proxies, IKE, ESP. */
static void
test_scope_kinds(void **state)
{
	struct sd_addr a = v4(10, 0, 0, 80);
	struct h h;

	(void)state;
	h_open(&h);
	assert_int_equal(sd_scope_of(h.area.scope, &a, SD_IPPROTO_TCP, 80), SD_SCOPE_NONE);
	sd_scope_add(h.area.scope, &a, SD_IPPROTO_TCP, 80, SD_SCOPE_REVOCATION);
	assert_int_equal(sd_scope_of(h.area.scope, &a, SD_IPPROTO_TCP, 80),
	    SD_SCOPE_REVOCATION);
	assert_int_equal(sd_scope_of(h.area.scope, &a, SD_IPPROTO_UDP, 80), SD_SCOPE_NONE);
	/* TLS seen there says more than a revocation role, and stays */
	sd_scope_add(h.area.scope, &a, SD_IPPROTO_TCP, 80, SD_SCOPE_TLS);
	sd_scope_add(h.area.scope, &a, SD_IPPROTO_TCP, 80, SD_SCOPE_PROXY);
	assert_int_equal(sd_scope_of(h.area.scope, &a, SD_IPPROTO_TCP, 80), SD_SCOPE_TLS);
	assert_int_equal(sd_scope_of(NULL, &a, SD_IPPROTO_UDP, 500), SD_SCOPE_PORT);
	assert_int_equal(sd_scope_of(NULL, &a, SD_IPPROTO_UDP, 4500), SD_SCOPE_PORT);
	assert_int_equal(sd_scope_of(NULL, &a, SD_IPPROTO_TCP, 853), SD_SCOPE_PORT);
	assert_int_equal(sd_scope_of(NULL, &a, SD_IPPROTO_TCP, 80), SD_SCOPE_NONE);
	assert_int_equal(sd_scope_of(NULL, &a, SD_IPPROTO_ESP, 0), SD_SCOPE_ESP);
	h_close(&h);
}

/* A reset answering the SYN: medium on a TLS port, info elsewhere. */
static void
test_port_closed_scope(void **state)
{
	const struct sd_finding *f;
	struct sd_event ev;
	struct h h;
	int i;
	static const uint16_t ports[] = { 445, 993 };

	(void)state;
	h_open(&h);
	for (i = 0; i < 2; i++) {
		base(&ev, SD_EV_TCP_RESET, (uint64_t)i + 1, 10 + 10 * (uint64_t)i);
		ev.src = v4(10, 0, 0, 2);
		ev.sport = ports[i];
		ev.dst = v4(10, 0, 0, 1);
		ev.dport = 40000;
		ev.u.reset.sender = SD_ROLE_SERVER;
		ev.u.reset.answers_syn = true;
		ev.u.reset.phase = SD_PHASE_SYN_SENT;
		h_event(&h, &ev);
	}
	h_finish(&h);
	f = find_summary(&h, "tcp.port_closed", "port 445");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_INFO);
	f = find_summary(&h, "tcp.port_closed", "port 993");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_MEDIUM);
	h_close(&h);
}

/*
 * Late DNS answers a client refuses: "X refused UDP from Y:53 to its port P", the client
 * named once as the host that refused and the resolver as the sender, one finding listing
 * the ports, info (not a secure connection).
 */
static void
test_icmp_late_dns(void **state)
{
	struct sd_addr x = v4(198, 18, 49, 26), y = v4(198, 18, 0, 53);
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h);
	icmp(&h, 10, x, 3, SD_IPPROTO_UDP, y, 53, x, 61011);
	f = find_summary(&h, "icmp.unreachable", "refused");
	assert_non_null(f);
	assert_string_equal(f->summary, "198.18.49.26 refused UDP from 198.18.0.53:53 to its "
	    "port 61011 with ICMP port unreachable (1 time)");
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_string_equal(finding_value(f, "refused_packet"),
	    "udp 198.18.0.53:53 -> 198.18.49.26:61011");
	icmp(&h, 11, x, 3, SD_IPPROTO_UDP, y, 53, x, 61012);
	icmp(&h, 12, x, 3, SD_IPPROTO_UDP, y, 53, x, 61011);
	icmp(&h, 13, x, 3, SD_IPPROTO_UDP, y, 53, x, 61013);
	icmp(&h, 14, x, 3, SD_IPPROTO_UDP, y, 53, x, 61014);
	h_finish(&h);
	assert_int_equal(h.out.n, 1);
	assert_string_equal(f->summary, "198.18.49.26 refused UDP from 198.18.0.53:53 to its "
	    "ports 61011, 61012, 61013 and others with ICMP port unreachable (5 times)");
	assert_int_equal(f->nframes, 5);
	h_close(&h);
}

/* A NetBIOS scan refused by each host: info, the scanner named. */
static void
test_icmp_scan(void **state)
{
	struct sd_addr s = v4(192, 168, 122, 145), t1 = v4(192, 168, 122, 1);
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h);
	icmp(&h, 10, t1, 3, SD_IPPROTO_UDP, s, 137, t1, 137);
	icmp(&h, 11, t1, 3, SD_IPPROTO_UDP, s, 137, t1, 137);
	h_finish(&h);
	f = find_summary(&h, "icmp.unreachable", "refused");
	assert_non_null(f);
	assert_string_equal(f->summary, "192.168.122.1 refused UDP from 192.168.122.145:137 "
	    "to its port 137 with ICMP port unreachable (2 times)");
	assert_int_equal(f->severity, SD_SEV_INFO);
	h_close(&h);
}

/* A firewall on the path rejects TLS and IKE: high, the router and the sender named. */
static void
test_icmp_router(void **state)
{
	struct sd_addr r = v4(10, 99, 1, 254), c = v4(10, 99, 1, 1), d = v4(10, 99, 2, 2);
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h);
	icmp(&h, 4, r, 13, SD_IPPROTO_TCP, c, 51902, d, 443);
	icmp(&h, 6, r, 13, SD_IPPROTO_TCP, c, 51902, d, 443);
	icmp(&h, 8, r, 3, SD_IPPROTO_UDP, c, 500, d, 500);
	icmp(&h, 9, r, 1, SD_IPPROTO_TCP, c, 51903, d, 8080);
	h_finish(&h);
	f = find_summary(&h, "icmp.unreachable", ":443");
	assert_non_null(f);
	assert_string_equal(f->summary, "10.99.1.254 refused TCP from 10.99.1.1 to "
	    "10.99.2.2:443 with ICMP communication administratively prohibited (2 times)");
	assert_int_equal(f->severity, SD_SEV_HIGH);
	f = find_summary(&h, "icmp.unreachable", ":500");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	f = find_summary(&h, "icmp.unreachable", ":8080");
	assert_non_null(f);
	assert_string_equal(f->summary, "10.99.1.254 could not deliver TCP from 10.99.1.1 to "
	    "10.99.2.2:8080 with ICMP host unreachable (1 time)");
	assert_int_equal(f->severity, SD_SEV_INFO);
	h_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_scope),
		cmocka_unit_test(test_syn_scope_seen),
		cmocka_unit_test(test_scope_kinds),
		cmocka_unit_test(test_port_closed_scope),
		cmocka_unit_test(test_icmp_late_dns),
		cmocka_unit_test(test_icmp_scan),
		cmocka_unit_test(test_icmp_router),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
