/* analyze/rules_tcp.c - transport-level rules: unanswered SYNs, resets, ICMP errors. */
#include "analyze/rules.h"

#include <stdlib.h>

#include <stdio.h>

#include "dissect/ip.h"

static void
group_server(char *buf, size_t n, const char *what, const struct sd_addr *a, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	snprintf(buf, n, "%s|%s|%u", what, sd_ip_addr_str(a, s), port);
}

static void
rule_syn_unanswered(struct sd_findings *out, const struct sd_event *ev)
{
	const struct sd_ev_tcp_unanswered *u = &ev->u.unanswered;
	char g[128], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;

	/*
	 * A lone SYN at the very end of a capture has not been left unanswered yet: an
	 * answer or a retransmission comes within about a second (Linux retransmits a SYN
	 * after 1 s).  Judge only attempts that were retried or watched that long.
	 */
	if (u->syns < 2 && u->waited < 1.0)
		return;
	group_server(g, sizeof(g), "tcp", &ev->dst, ev->dport);
	f = sd_finding_add(out, SD_K_TCP_SYN_UNANSWERED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	sd_ip_addr_str(&ev->dst, srv);
	if (f->count == 1) {
		f->confidence = 0.9;	/* a one-way capture point looks the same */
		sd_finding_value(f, "server", "%s", srv);
		sd_finding_value(f, "port", "%u", ev->dport);
	}
	sd_finding_summary(f, "%llu connection attempt%s to %s port %u never answered "
	    "(no SYN-ACK, RST or ICMP)", (unsigned long long)f->count, f->count == 1 ? "" : "s",
	    srv, ev->dport);
	sd_finding_value(f, "syns_last_attempt", "%u", u->syns);
	sd_finding_value(f, "retry_span_s", "%.1f", u->duration);
	sd_finding_frame(f, u->first_frame);
	if (u->last_frame != u->first_frame)
		sd_finding_frame(f, u->last_frame);
	sd_rule_note_flow(f, ev, true);
}

static void
rule_reset(struct sd_findings *out, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;
	char g[128], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;
	bool ttl_differs;

	if (r->sender != SD_ROLE_SERVER)
		return;		/* clients reset after their own alerts: not a cause by itself */
	sd_ip_addr_str(&ev->src, srv);
	if (r->answers_syn) {
		group_server(g, sizeof(g), "tcp", &ev->src, ev->sport);
		f = sd_finding_add(out, SD_K_TCP_PORT_CLOSED, g, ev->ts_sec, ev->ts_nsec,
		    ev->file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			sd_finding_value(f, "server", "%s", srv);
			sd_finding_value(f, "port", "%u", ev->sport);
			sd_finding_value(f, "rst_ttl", "%u", r->ttl);
		}
		sd_finding_summary(f, "%s port %u refused %llu connection attempt%s with a TCP "
		    "reset", srv, ev->sport, (unsigned long long)f->count,
		    f->count == 1 ? "" : "s");
		if (r->after_frame != 0)
			sd_finding_frame(f, r->after_frame);
		sd_finding_frame(f, ev->frame);
		sd_rule_note_flow(f, ev, false);
		return;
	}
	/*
	 * A reset before the server said anything, right after the client's ClientHello.
	 * Other protocols' first requests are not ours to judge.
	 */
	if (r->phase != SD_PHASE_CLIENT_DATA || !r->after_client_hello)
		return;
	ttl_differs = r->peer_ttl_known && r->sender_ttl != r->ttl;
	group_server(g, sizeof(g), ttl_differs ? "forged" : "server", &ev->src, ev->sport);
	f = sd_finding_add(out, SD_K_TCP_TLS_RESET_AFTER_CLIENT_HELLO, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = ttl_differs ? 0.9 : 0.6;
		sd_finding_value(f, "server", "%s", srv);
		sd_finding_value(f, "port", "%u", ev->sport);
		sd_finding_value(f, "rst_ttl", "%u", r->ttl);
		if (r->peer_ttl_known)
			sd_finding_value(f, "server_ttl", "%u", r->sender_ttl);
		if (ev->src.v == 4 && r->peer_ttl_known)
			sd_finding_value(f, "rst_ip_id", "%u (server's last: %u)", r->ip_id,
			    r->sender_ip_id);
		sd_finding_value(f, "verdict", "%s", ttl_differs ?
		    "forged by a device on the path (TTL differs from the server's packets)" :
		    "sent by the server (TTL matches its packets)");
	}
	sd_finding_summary(f, "%s port %u: connection reset right after the ClientHello%s "
	    "(%llu time%s)", srv, ev->sport,
	    ttl_differs ? ", by a middlebox (TTL differs from the server's)" : "",
	    (unsigned long long)f->count, f->count == 1 ? "" : "s");
	if (r->after_frame != 0)
		sd_finding_frame(f, r->after_frame);
	sd_finding_frame(f, ev->frame);
	sd_rule_note_flow(f, ev, false);
}

static const char *
unreach_name(bool v6, uint8_t code)
{
	static const char *const v4[] = { "net unreachable", "host unreachable",
		"protocol unreachable", "port unreachable", "fragmentation needed",
		"source route failed", "destination network unknown",
		"destination host unknown", "source host isolated",
		"network administratively prohibited", "host administratively prohibited",
		"network unreachable for TOS", "host unreachable for TOS",
		"communication administratively prohibited", "host precedence violation",
		"precedence cutoff in effect" };
	static const char *const six[] = { "no route to destination",
		"communication administratively prohibited", "beyond scope of source address",
		"address unreachable", "port unreachable", "source address failed policy",
		"reject route to destination" };

	if (v6)
		return code < sizeof(six) / sizeof(six[0]) ? six[code] : "unreachable";
	return code < sizeof(v4) / sizeof(v4[0]) ? v4[code] : "unreachable";
}

static void
rule_icmp(struct sd_findings *out, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	bool v6 = ic->icmp_v6 != 0;
	bool unreach = v6 ? ic->itype == 1 : (ic->itype == 3 && ic->icode != 4);
	bool too_big = v6 ? ic->itype == 2 : (ic->itype == 3 && ic->icode == 4);
	char g[256], rep[SD_ADDR_STRLEN], dst[SD_ADDR_STRLEN];
	struct sd_finding *f;
	struct sd_finding_flow fl;

	if (!unreach && !too_big)
		return;
	sd_ip_addr_str(&ic->reporter, rep);
	sd_ip_addr_str(&ic->q_dst, dst);
	if (too_big) {
		snprintf(g, sizeof(g), "%s|%s|%u", rep, dst, ic->mtu);
		f = sd_finding_add(out, SD_K_TCP_ICMP_PACKET_TOO_BIG, g, ev->ts_sec, ev->ts_nsec,
		    ev->file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			sd_finding_value(f, "reporter", "%s", rep);
			sd_finding_value(f, "mtu", "%u", ic->mtu);
			sd_finding_value(f, "destination", "%s", dst);
		}
		sd_finding_summary(f, "%s reports a path MTU of %u towards %s (%llu time%s)", rep,
		    ic->mtu, dst, (unsigned long long)f->count, f->count == 1 ? "" : "s");
	} else {
		snprintf(g, sizeof(g), "%s|%s|%u|%u|%u", rep, dst, ic->q_proto, ic->q_dport,
		    ic->icode);
		f = sd_finding_add(out, SD_K_TCP_ICMP_UNREACHABLE, g, ev->ts_sec, ev->ts_nsec,
		    ev->file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			sd_finding_value(f, "reporter", "%s", rep);
			sd_finding_value(f, "icmp", "%s (type %u code %u)",
			    unreach_name(v6, ic->icode), ic->itype, ic->icode);
			sd_finding_value(f, "destination", "%s", dst);
			sd_finding_value(f, "protocol", "%s", sd_ip_proto_name(ic->q_proto));
			if (ic->q_proto == SD_IPPROTO_TCP || ic->q_proto == SD_IPPROTO_UDP)
				sd_finding_value(f, "port", "%u", ic->q_dport);
		}
		if (ic->q_proto == SD_IPPROTO_TCP || ic->q_proto == SD_IPPROTO_UDP)
			sd_finding_summary(f, "%s answered %s to %s port %u with ICMP %s (%llu "
			    "time%s)", rep, sd_ip_proto_name(ic->q_proto), dst, ic->q_dport,
			    unreach_name(v6, ic->icode), (unsigned long long)f->count,
			    f->count == 1 ? "" : "s");
		else
			sd_finding_summary(f, "%s answered %s to %s with ICMP %s (%llu time%s)", rep,
			    sd_ip_proto_name(ic->q_proto), dst, unreach_name(v6, ic->icode),
			    (unsigned long long)f->count, f->count == 1 ? "" : "s");
	}
	sd_finding_frame(f, ev->frame);
	if (ic->flow_id != 0) {
		fl.id = ic->flow_id;
		fl.proto = ic->q_proto;
		fl.client = ic->q_src;
		fl.server = ic->q_dst;
		fl.cport = ic->q_sport;
		fl.sport = ic->q_dport;
		fl.file_index = ev->file_index;
		sd_finding_flow(f, &fl);
	}
}

struct tcp_rules {
	struct sd_findings	*out;
};

static void *
tcp_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct tcp_rules *t = calloc(1, sizeof(*t));

	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = env->out;
	return t;
}

static void
tcp_event(void *ctx, const struct sd_event *ev)
{
	struct sd_findings *out = ((struct tcp_rules *)ctx)->out;

	switch (ev->type) {
	case SD_EV_TCP_UNANSWERED:
		rule_syn_unanswered(out, ev);
		break;
	case SD_EV_TCP_RESET:
		rule_reset(out, ev);
		break;
	case SD_EV_ICMP_ERROR:
		rule_icmp(out, ev);
		break;
	default:
		break;
	}
}

static void
tcp_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_tcp = {
	"tcp", tcp_new, tcp_event, tcp_finish, free, NULL, NULL,
};
