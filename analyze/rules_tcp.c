/* analyze/rules_tcp.c - transport-level rules: unanswered SYNs, resets, ICMP errors.
 *
 * Reachability is judged where it matters: an unanswered SYN, a refused port or an ICMP
 * error keeps its catalogue severity only when a TLS, DTLS, IKE or ESP endpoint, a proxy
 * or a revocation endpoint is involved (analyze/scope.h); other traffic (NetBIOS scans,
 * late DNS answers a client refuses) is info.  What is known when the finding is made
 * decides; an endpoint that shows TLS only later in the capture raises it at the end.
 */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/scope.h"
#include "dissect/ip.h"
#include "dissect/table.h"

#define MAX_STATES	65536	/* findings whose scope or named senders are followed */
#define MAX_ITEMS	3	/* ports or senders named in an ICMP summary */
#define ITEM_LEN	(SD_ADDR_STRLEN + 8)

/* Per finding of this area (keyed by its address): what settles its severity later, and
 * for ICMP the distinct ports or senders its summary names. */
struct fstate {
	struct sd_finding	*f;
	struct sd_addr		 a[2];		/* endpoints whose scope decides */
	uint16_t		 port[2];
	uint8_t			 proto, n;
	bool			 judged;	/* severity set once */
	bool			 in_scope;
	char			 items[MAX_ITEMS][ITEM_LEN];
	unsigned		 nitems;
	bool			 more;		/* more distinct items than kept */
};

struct tcp_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*st;		/* struct fstate */
};

static char	*endpoint(char *, size_t, const struct sd_addr *, uint8_t, uint16_t);

static struct fstate *
state_of(struct tcp_rules *t, struct sd_finding *f)
{
	struct fstate *s;
	bool created;

	s = sd_tab_get(t->st, &f, sizeof(f), true, &created);
	if (s != NULL && created)
		s->f = f;
	return s;
}

/* Note an endpoint whose scope decides the finding (the first occurrence's). */
static void
scope_endpoint(struct fstate *s, const struct sd_addr *a, uint8_t proto, uint16_t port)
{
	if (s == NULL || s->n == 2 || s->judged)
		return;
	s->a[s->n] = *a;
	s->port[s->n] = port;
	s->proto = proto;
	s->n++;
}

/*
 * Set the severity by scope: the catalogue's when an endpoint is in scope, info when none
 * is.  Only ever raised after the first judgement (what was seen stays seen).
 */
static void
judge(struct tcp_rules *t, struct fstate *s)
{
	enum sd_scope_why why = SD_SCOPE_NONE;
	const struct sd_finding_kind *k = sd_finding_kind(s->f->k);
	char ep[ITEM_LEN];
	size_t i;

	if (s->in_scope)
		return;
	for (i = 0; i < s->n; i++)
		if ((why = sd_scope_of(t->env->scope, &s->a[i], s->proto, s->port[i])) !=
		    SD_SCOPE_NONE)
			break;
	if (why == SD_SCOPE_NONE) {
		/* a state made again after an eviction leaves a later occurrence alone */
		if (!s->judged && s->f->count == 1) {
			sd_finding_severity(s->f, SD_SEV_INFO);
			sd_finding_value(s->f, "scope", "%s", sd_scope_text(why));
		}
		s->judged = true;
		return;
	}
	s->judged = s->in_scope = true;
	sd_finding_severity(s->f, k != NULL ? k->severity : SD_SEV_HIGH);
	sd_finding_value(s->f, "scope", "%s %s: %s", sd_ip_proto_name(s->proto),
	    endpoint(ep, sizeof(ep), &s->a[i], s->proto, s->port[i]), sd_scope_text(why));
}

static void
group_server(char *buf, size_t n, const char *what, const struct sd_addr *a, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	snprintf(buf, n, "%s|%s|%u", what, sd_ip_addr_str(a, s), port);
}

static void
rule_syn_unanswered(struct tcp_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_tcp_unanswered *u = &ev->u.unanswered;
	char g[128], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;
	struct fstate *st;

	/*
	 * A lone SYN at the very end of a capture has not been left unanswered yet: an
	 * answer or a retransmission comes within about a second (Linux retransmits a SYN
	 * after 1 s).  Judge only attempts that were retried or watched that long.
	 */
	if (u->syns < 2 && u->waited < 1.0)
		return;
	group_server(g, sizeof(g), "tcp", &ev->dst, ev->dport);
	f = sd_finding_add(t->out, SD_K_TCP_SYN_UNANSWERED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	sd_ip_addr_str(&ev->dst, srv);
	st = state_of(t, f);
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
	if (st != NULL) {
		scope_endpoint(st, &ev->dst, SD_IPPROTO_TCP, ev->dport);
		judge(t, st);
	}
}

static void
rule_reset(struct tcp_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;
	char g[128], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;
	struct fstate *st;
	bool ttl_differs;

	if (r->sender != SD_ROLE_SERVER)
		return;		/* clients reset after their own alerts: not a cause by itself */
	sd_ip_addr_str(&ev->src, srv);
	if (r->answers_syn) {
		group_server(g, sizeof(g), "tcp", &ev->src, ev->sport);
		f = sd_finding_add(t->out, SD_K_TCP_PORT_CLOSED, g, ev->ts_sec, ev->ts_nsec,
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
		if ((st = state_of(t, f)) != NULL) {
			scope_endpoint(st, &ev->src, SD_IPPROTO_TCP, ev->sport);
			judge(t, st);
		}
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
	f = sd_finding_add(t->out, SD_K_TCP_TLS_RESET_AFTER_CLIENT_HELLO, g, ev->ts_sec, ev->ts_nsec,
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

/* A refusal (port unreachable, administratively prohibited, policy), not a routing failure. */
static bool
is_refusal(bool v6, uint8_t code)
{
	if (v6)
		return code == 1 || code == 4 || code == 5 || code == 6;
	return code == 3 || code == 9 || code == 10 || code == 13;
}

static bool
has_ports(uint8_t proto)
{
	return proto == SD_IPPROTO_TCP || proto == SD_IPPROTO_UDP;
}

/* "addr:port", "[v6]:port", or the address alone for a protocol without ports. */
static char *
endpoint(char *buf, size_t n, const struct sd_addr *a, uint8_t proto, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	sd_ip_addr_str(a, s);
	if (!has_ports(proto))
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, a->v == 6 ? "[%s]:%u" : "%s:%u", s, port);
	return buf;
}

static void
upper(char *buf, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s[i] != '\0'; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	buf[i] = '\0';
}

/* Remember a distinct item (a port, a sender) for the summary. */
static void
add_item(struct fstate *s, const char *item)
{
	unsigned i;

	for (i = 0; i < s->nitems; i++)
		if (strcmp(s->items[i], item) == 0)
			return;
	if (s->nitems == MAX_ITEMS) {
		s->more = true;
		return;
	}
	snprintf(s->items[s->nitems++], ITEM_LEN, "%s", item);
}

/* "a", "a, b", "a, b, c and others"; first is the fallback without state. */
static void
join_items(char *buf, size_t n, const struct fstate *s, const char *first)
{
	size_t len = 0;
	unsigned i;

	buf[0] = '\0';
	if (s == NULL || s->nitems == 0) {
		snprintf(buf, n, "%s", first);
		return;
	}
	for (i = 0; i < s->nitems && len < n; i++) {
		snprintf(buf + len, n - len, "%s%s", i ? ", " : "", s->items[i]);
		len = strlen(buf);
	}
	if (s->more && len < n)
		snprintf(buf + len, n - len, " and others");
}

static bool
several(const struct fstate *s)
{
	return s != NULL && (s->nitems > 1 || s->more);
}

/*
 * ICMP destination unreachable, said as what happened.  The reporter is the host or router
 * that sent the ICMP; the quoted datagram names who sent what to where.
 *  - The destination itself refused (reporter = quoted destination, a refusal code): "X
 *    refused UDP from Y:53 to its port P".  Its side with the service port (in scope, else
 *    the lower port) makes the group: a resolver's late answers to a client's many
 *    closed ports are one finding listing the ports; a scan of one port, one finding
 *    listing the senders.
 *  - Anyone else (a router, a firewall): "R refused TCP from C to D:P", or "could not
 *    deliver" for routing failures, grouped by reporter, destination, port and code.
 */
static struct sd_finding *
rule_unreachable(struct tcp_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	bool v6 = ic->icmp_v6 != 0, host, svc_src = false;
	char g[256], rep[SD_ADDR_STRLEN], peer[SD_ADDR_STRLEN], from[ITEM_LEN], to[ITEM_LEN];
	char proto[16], list[4 * ITEM_LEN], item[ITEM_LEN];
	const char *name = unreach_name(v6, ic->icode);
	struct sd_finding *f;
	struct fstate *st;

	sd_ip_addr_str(&ic->reporter, rep);
	upper(proto, sizeof(proto), sd_ip_proto_name(ic->q_proto));
	endpoint(from, sizeof(from), &ic->q_src, ic->q_proto, ic->q_sport);
	endpoint(to, sizeof(to), &ic->q_dst, ic->q_proto, ic->q_dport);
	host = sd_ip_addr_cmp(&ic->reporter, &ic->q_dst) == 0 && has_ports(ic->q_proto) &&
	    is_refusal(v6, ic->icode);
	if (host) {
		if (sd_scope_of(t->env->scope, &ic->q_src, ic->q_proto, ic->q_sport) !=
		    SD_SCOPE_NONE)
			svc_src = true;
		else if (sd_scope_of(t->env->scope, &ic->q_dst, ic->q_proto, ic->q_dport) !=
		    SD_SCOPE_NONE)
			svc_src = false;
		else
			svc_src = ic->q_sport < ic->q_dport;
		if (svc_src)
			snprintf(g, sizeof(g), "host|%s|%s|%u|%u|%u", rep, sd_ip_addr_str(&ic->q_src,
			    peer), ic->q_proto, ic->q_sport, ic->icode);
		else
			snprintf(g, sizeof(g), "host|%s|%u|%u|%u", rep, ic->q_proto, ic->q_dport,
			    ic->icode);
	} else {
		snprintf(g, sizeof(g), "%s|%s|%u|%u|%u", rep, sd_ip_addr_str(&ic->q_dst, peer),
		    ic->q_proto, ic->q_dport, ic->icode);
	}
	f = sd_finding_add(t->out, SD_K_TCP_ICMP_UNREACHABLE, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return NULL;
	st = state_of(t, f);
	if (f->count == 1) {
		sd_finding_value(f, "reporter", "%s (%s)", rep,
		    sd_ip_addr_cmp(&ic->reporter, &ic->q_dst) == 0 ? "the destination itself" :
		    "on the path");
		sd_finding_value(f, "icmp", "%s (type %u code %u)", name, ic->itype, ic->icode);
		sd_finding_value(f, "refused_packet", "%s %s -> %s", sd_ip_proto_name(ic->q_proto),
		    from, to);
	}
	if (host && svc_src) {
		snprintf(item, sizeof(item), "%u", ic->q_dport);
		if (st != NULL)
			add_item(st, item);
		join_items(list, sizeof(list), st, item);
		sd_finding_summary(f, "%s refused %s from %s to its port%s %s with ICMP %s (%llu "
		    "time%s)", rep, proto, from, several(st) ? "s" : "", list, name,
		    (unsigned long long)f->count, f->count == 1 ? "" : "s");
	} else if (host) {
		if (st != NULL)
			add_item(st, from);
		join_items(list, sizeof(list), st, from);
		sd_finding_summary(f, "%s refused %s from %s to its port %u with ICMP %s (%llu "
		    "time%s)", rep, proto, list, ic->q_dport, name, (unsigned long long)f->count,
		    f->count == 1 ? "" : "s");
	} else {
		sd_ip_addr_str(&ic->q_src, item);
		if (st != NULL)
			add_item(st, item);
		join_items(list, sizeof(list), st, item);
		sd_finding_summary(f, "%s %s %s from %s to %s with ICMP %s (%llu time%s)", rep,
		    is_refusal(v6, ic->icode) ? "refused" : "could not deliver", proto, list, to,
		    name, (unsigned long long)f->count, f->count == 1 ? "" : "s");
	}
	if (st != NULL) {
		scope_endpoint(st, &ic->q_dst, ic->q_proto, ic->q_dport);
		scope_endpoint(st, &ic->q_src, ic->q_proto, ic->q_sport);
		judge(t, st);
	}
	return f;
}

static struct sd_finding *
rule_too_big(struct tcp_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	char g[256], rep[SD_ADDR_STRLEN], dst[SD_ADDR_STRLEN];
	struct sd_finding *f;

	sd_ip_addr_str(&ic->reporter, rep);
	sd_ip_addr_str(&ic->q_dst, dst);
	snprintf(g, sizeof(g), "%s|%s|%u", rep, dst, ic->mtu);
	f = sd_finding_add(t->out, SD_K_TCP_ICMP_PACKET_TOO_BIG, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return NULL;
	if (f->count == 1) {
		sd_finding_value(f, "reporter", "%s", rep);
		sd_finding_value(f, "mtu", "%u", ic->mtu);
		sd_finding_value(f, "destination", "%s", dst);
	}
	sd_finding_summary(f, "%s reports a path MTU of %u towards %s (%llu time%s)", rep,
	    ic->mtu, dst, (unsigned long long)f->count, f->count == 1 ? "" : "s");
	return f;
}

static void
rule_icmp(struct tcp_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	bool v6 = ic->icmp_v6 != 0;
	bool unreach = v6 ? ic->itype == 1 : (ic->itype == 3 && ic->icode != 4);
	bool too_big = v6 ? ic->itype == 2 : (ic->itype == 3 && ic->icode == 4);
	struct sd_finding *f;
	struct sd_finding_flow fl;

	if (unreach)
		f = rule_unreachable(t, ev);
	else if (too_big)
		f = rule_too_big(t, ev);
	else
		return;
	if (f == NULL)
		return;
	sd_finding_frame(f, ev->frame);
	if (ic->flow_id != 0) {
		fl.id = ic->flow_id;
		fl.proto = ic->q_proto;
		fl.client = ic->q_src;
		fl.server = ic->q_dst;
		fl.cport = ic->q_sport;
		fl.sport = ic->q_dport;
		fl.file_index = ev->file_index;
		fl.app = NULL;
		fl.tags = ev->tags;
		sd_finding_flow(f, &fl);
	}
}

static void tcp_free(void *ctx);

static void *
tcp_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct tcp_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	if (t == NULL) {
		snprintf(err, errlen, "tcp rules: out of memory");
		return NULL;
	}
	t->env = env;
	t->out = env->out;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct fstate);
	o.max = MAX_STATES;
	o.mc = env->mc;
	if ((t->st = sd_tab_new(&o)) == NULL) {
		snprintf(err, errlen, "tcp rules: out of memory");
		tcp_free(t);
		return NULL;
	}
	return t;
}

static void
tcp_event(void *ctx, const struct sd_event *ev)
{
	struct tcp_rules *t = ctx;

	switch (ev->type) {
	case SD_EV_TCP_UNANSWERED:
		rule_syn_unanswered(t, ev);
		break;
	case SD_EV_TCP_RESET:
		rule_reset(t, ev);
		break;
	case SD_EV_ICMP_ERROR:
		rule_icmp(t, ev);
		break;
	default:
		break;
	}
}

/* Endpoints that showed TLS, DTLS, IKE or ESP after their finding was made raise it now. */
static void
tcp_finish(void *ctx)
{
	struct tcp_rules *t = ctx;
	struct fstate *s;

	for (s = sd_tab_first(t->st); s != NULL; s = sd_tab_next(t->st, s))
		if (s->judged && !s->in_scope)
			judge(t, s);
}

static void
tcp_free(void *ctx)
{
	struct tcp_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->st);
	free(t);
}

static void
tcp_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct tcp_rules *t = ctx;

	/* the scope's endpoints are counted here, where they are used */
	st->evicted += sd_tab_evicted(t->st) + sd_scope_lost(t->env->scope);
	st->refused += sd_tab_refused(t->st);
}

const struct sd_rule_area sd_rules_tcp = {
	"tcp", tcp_new, tcp_event, tcp_finish, tcp_free, NULL, tcp_stats, NULL,
	false,
};
