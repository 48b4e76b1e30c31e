/* analyze/rules_path.c - path rules: TCP seen one way only, MTU black holes, revocation
 * endpoints that do not resolve or answer. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/scope.h"
#include "analyze/x509.h"
#include "dissect/dns.h"
#include "dissect/table.h"
#include "dissect/tls.h"

/* Cross-flow state in bounded tables charged to the memory cap (evictions counted). */
#define MAX_ONEWAY	65536	/* one-way flows kept as evidence */
#define MAX_REVOC	65536	/* revocation endpoints (CRL / OCSP hosts) followed */
#define MAX_DNS		65536	/* DNS names whose answers are kept */
#define MAX_FAILS	65536	/* failed connection attempts (address, port) kept */

/* Per flow: which side is the client, and whether the server's chain was read. */
struct pflow {
	bool		 have_client, cert_seen;
	struct sd_addr	 client;
	uint16_t	 cport;
};

/* Keyed by (flow id, file). */
struct oneway {
	struct sd_finding_flow fl;
	uint64_t	 first_frame, last_frame;
	uint64_t	 packets;
	int		 seen_role;
	int64_t		 sec;
	uint32_t	 nsec;
};

/* A CRL distribution point or OCSP responder named in a certificate seen. */
struct revoc {
	char		 host[SD_DNS_NAME_MAX];
	char		 url[256];
	uint16_t	 port;
	uint64_t	 cert_frame;
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
};

/* The ports of a revocation host's URLs, keyed by (file, host): its addresses, once
 * resolved, are revocation endpoints of the scope (analyze/scope.h). */
#define REVHOST_PORTS	4
struct revhost {
	uint16_t	 ports[REVHOST_PORTS];
	size_t		 nports;
};

/* The last DNS answer for a name. */
struct dnsname {
	char		 name[SD_DNS_NAME_MAX];
	uint8_t		 rcode;
	struct sd_addr	 addrs[4];
	size_t		 naddrs;
	uint64_t	 frame;
	uint32_t	 file_index;
};

/* A connection attempt that failed: SYNs unanswered, refused by RST, or ICMP. */
struct connfail {
	struct sd_addr	 addr;
	uint16_t	 port;
	const char	*how;
	uint64_t	 frame1, frame2;
	uint32_t	 file_index;
};

struct path_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*oneway, *revoc, *dns, *fails, *revhost;
	uint64_t		 oneway_total;
	uint64_t		 flows_refused;
};

/* ---------------------------------------------------------------- one-way TCP */

/*
 * A TCP flow whose one side sent data and advancing ACKs while nothing at all came from the
 * other: the other direction takes another path around the capture point.  A client that only
 * repeats its SYN is an unanswered attempt, not this.
 */
/* ---------------------------------------------------------------- MTU black hole */

/*
 * One side's full-size segments retransmitted (at least twice) and never acknowledged,
 * while the peer keeps talking and its own and smaller segments get through: packets above
 * some size vanish on the path, and no ICMP "fragmentation needed / packet too big" came
 * back (with one, icmp.packet_too_big says it and the sender adapts).
 */
bool
sd_rule_mtu_blackhole(const struct sd_ev_flow *fr, int r)
{
	return fr->big_retx[r] >= 2 && fr->seg_max[r] >= 512 &&
	    fr->seg_max_acked[r] + 40 < fr->seg_max[r] && fr->packets[!r] >= 2 &&
	    fr->icmp_errors == 0;
}

static void
check_mtu(struct path_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	char from[SD_ADDR_STRLEN], to[SD_ADDR_STRLEN], g[128];
	struct sd_finding *f;
	struct sd_finding_flow fl;
	int r;

	for (r = 0; r < 2; r++) {
		if (!sd_rule_mtu_blackhole(fr, r))
			continue;
		sd_ip_addr_str(r == SD_ROLE_CLIENT ? &ev->src : &ev->dst, from);
		sd_ip_addr_str(r == SD_ROLE_CLIENT ? &ev->dst : &ev->src, to);
		snprintf(g, sizeof(g), "%s|%s", from, to);
		f = sd_finding_add(t->out, SD_K_PATH_TCP_MTU_BLACKHOLE, g, fr->first_sec, fr->first_nsec,
		    ev->file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			f->confidence = 0.8;	/* heavy loss of one segment looks alike */
			sd_finding_value(f, "sender", "%s (%s)", from, r == SD_ROLE_CLIENT ?
			    "client" : "server");
			sd_finding_value(f, "receiver", "%s", to);
			sd_finding_value(f, "largest_segment", "%u bytes of TCP payload",
			    fr->seg_max[r]);
			sd_finding_value(f, "largest_acked", "%u bytes", fr->seg_max_acked[r]);
			sd_finding_value(f, "full_size_retransmissions", "%u", fr->big_retx[r]);
		}
		sd_finding_summary(f, "%s -> %s: full-size TCP segments (%u bytes) resent and never "
		    "acknowledged while smaller ones pass: a path MTU black hole (%llu "
		    "connection%s)", from, to, fr->seg_max[r], (unsigned long long)f->count,
		    f->count == 1 ? "" : "s");
		sd_finding_frame(f, fr->seg_max_frame[r]);
		sd_finding_frame(f, fr->big_retx_frame[r]);
		fl.id = ev->flow_id;
		fl.proto = ev->transport;
		fl.client = ev->src;
		fl.server = ev->dst;
		fl.cport = ev->sport;
		fl.sport = ev->dport;
		fl.file_index = ev->file_index;
		fl.app = NULL;
		fl.tags = ev->tags;
		sd_finding_flow(f, &fl);
	}
}

static void
on_flow(struct path_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	struct oneway *o;
	uint64_t key[2];
	int seen;

	if (ev->transport != SD_IPPROTO_TCP)
		return;
	check_mtu(t, ev);
	if (fr->packets[SD_ROLE_SERVER] == 0 && fr->packets[SD_ROLE_CLIENT] >= 4 &&
	    fr->payload[SD_ROLE_CLIENT] > 0)
		seen = SD_ROLE_CLIENT;
	else if (fr->packets[SD_ROLE_CLIENT] == 0 && fr->packets[SD_ROLE_SERVER] >= 4 &&
	    fr->payload[SD_ROLE_SERVER] > 0)
		seen = SD_ROLE_SERVER;
	else
		return;
	t->oneway_total++;
	key[0] = ev->flow_id;
	key[1] = ev->file_index;
	if ((o = sd_tab_get(t->oneway, key, sizeof(key), true, NULL)) == NULL)
		return;
	o->fl.id = ev->flow_id;
	o->fl.proto = ev->transport;
	o->fl.client = ev->src;
	o->fl.server = ev->dst;
	o->fl.cport = ev->sport;
	o->fl.sport = ev->dport;
	o->fl.app = NULL;
	o->fl.file_index = ev->file_index;
	o->fl.tags = ev->tags;
	o->first_frame = fr->first_frame;
	o->last_frame = fr->last_frame;
	o->packets = fr->packets[seen];
	o->seen_role = seen;
	o->sec = fr->first_sec;
	o->nsec = fr->first_nsec;
}

static void
report_one_way(struct path_rules *t)
{
	struct sd_finding *f = NULL;
	char c[SD_ADDR_STRLEN], s[SD_ADDR_STRLEN];
	const struct oneway *o;
	size_t i;

	if (sd_tab_count(t->oneway) == 0)
		return;
	for (o = sd_tab_first(t->oneway); o != NULL; o = sd_tab_next(t->oneway, o)) {
		f = sd_finding_add(t->out, SD_K_PATH_TCP_ONE_WAY, NULL, o->sec, o->nsec, o->fl.file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			f->confidence = 0.8;
			sd_finding_value(f, "seen", "%s -> %s port %u only (%llu packets, nothing "
			    "back)", sd_ip_addr_str(o->seen_role == SD_ROLE_CLIENT ? &o->fl.client :
			    &o->fl.server, c), sd_ip_addr_str(o->seen_role == SD_ROLE_CLIENT ?
			    &o->fl.server : &o->fl.client, s), o->seen_role == SD_ROLE_CLIENT ?
			    o->fl.sport : o->fl.cport, (unsigned long long)o->packets);
		}
		sd_finding_frame(f, o->first_frame);
		if (o->last_frame != o->first_frame)
			sd_finding_frame(f, o->last_frame);
		sd_finding_flow(f, &o->fl);
	}
	if (f == NULL)
		return;
	f->count = t->oneway_total;
	sd_finding_summary(f, "%llu TCP connection%s seen in one direction only: the capture "
	    "point misses the return path (asymmetric routing)",
	    (unsigned long long)t->oneway_total, t->oneway_total == 1 ? "" : "s");
	/*
	 * Unanswered SYNs in a capture that demonstrably misses return traffic may have been
	 * answered out of sight: lower their certainty and say why.  (A one-way flow is never
	 * itself "never answered": the engine takes the client's ACK as proof of an answer.)
	 */
	for (i = 0; i < t->out->n; i++) {
		struct sd_finding *u = t->out->v[i];

		if (u->k != SD_K_TCP_SYN_UNANSWERED || u->confidence <= 0.4)
			continue;
		u->confidence = 0.4;
		sd_finding_value(u, "caveat", "this capture shows one-way TCP flows (see "
		    "tcp.one_way): the answers may take a path the capture point does not see");
	}
}

/* ---------------------------------------------------------------- revocation endpoints */

/* Host (lower-cased) and port of an http:// or https:// URL; false for anything else. */
static bool
url_host(const char *url, char *host, size_t n, uint16_t *port)
{
	const char *p;
	size_t i = 0;
	unsigned long v;

	if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
		*port = 80;
	} else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		*port = 443;
	} else {
		return false;
	}
	while (*p != '\0' && *p != '/' && *p != ':' && *p != '?' && i + 1 < n) {
		char c = *p++;

		host[i++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	host[i] = '\0';
	if (*p == ':') {
		v = strtoul(p + 1, NULL, 10);
		if (v == 0 || v > 65535)
			return false;
		*port = (uint16_t)v;
	}
	return i > 0;
}

/* The addresses of a resolved revocation host, at a port of its URLs, are in scope. */
static void
scope_revocation(struct path_rules *t, const struct dnsname *d, uint16_t port)
{
	size_t i;

	if (d->rcode != SD_DNS_RCODE_NOERROR)
		return;
	for (i = 0; i < d->naddrs; i++)
		sd_scope_add(t->env->scope, &d->addrs[i], SD_IPPROTO_TCP, port,
		    SD_SCOPE_REVOCATION);
}

/* A revocation host at a port: remember the port, and mark what it resolved to already. */
static void
note_revhost(struct path_rules *t, const char *host, uint16_t port, uint32_t file_index)
{
	char key[SD_DNS_NAME_MAX + 16];
	const struct dnsname *d;
	struct revhost *h;
	size_t i;

	snprintf(key, sizeof(key), "%u|%s", (unsigned)file_index, host);
	if ((d = sd_tab_get(t->dns, key, strlen(key), false, NULL)) != NULL)
		scope_revocation(t, d, port);
	if ((h = sd_tab_get(t->revhost, key, strlen(key), true, NULL)) == NULL)
		return;
	for (i = 0; i < h->nports; i++)
		if (h->ports[i] == port)
			return;
	if (h->nports < REVHOST_PORTS)
		h->ports[h->nports++] = port;
}

static void
add_revoc_list(struct path_rules *t, const struct sd_x509_list *l, const struct sd_event *ev)
{
	char host[SD_DNS_NAME_MAX], key[SD_DNS_NAME_MAX + 32];
	struct revoc *r;
	uint16_t port;
	bool created;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].p == NULL || strlen(l->v[i].p) != l->v[i].len ||
		    !url_host(l->v[i].p, host, sizeof(host), &port))
			continue;
		snprintf(key, sizeof(key), "%u|%u|%s", (unsigned)ev->file_index, port, host);
		r = sd_tab_get(t->revoc, key, strlen(key), true, &created);
		if (r == NULL || !created)
			continue;
		snprintf(r->host, sizeof(r->host), "%s", host);
		snprintf(r->url, sizeof(r->url), "%s", l->v[i].p);
		r->port = port;
		r->cert_frame = ev->frame;
		r->file_index = ev->file_index;
		r->sec = ev->ts_sec;
		r->nsec = ev->ts_nsec;
		note_revhost(t, host, port, ev->file_index);
	}
}

/* The revocation endpoints a server's chain names (CRL distribution points, OCSP). */
static void
on_certificate(struct path_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_certificate *cm = ev->u.msg.certificate;
	const struct sd_x509_info *xi;
	struct pflow *pf = sd_rule_flow(t->env, ev, sizeof(*pf), true, &t->flows_refused);
	uint32_t i;

	/* the server's first Certificate of the connection, as the interception rules take */
	if (pf == NULL || pf->cert_seen || cm->kept == 0)
		return;
	if (pf->have_client && sd_ip_addr_cmp(&ev->src, &pf->client) == 0 &&
	    ev->sport == pf->cport)
		return;
	xi = sd_x509_cached(t->env->x509, cm->der[0].p, sd_rd_left(&cm->der[0]));
	if (xi == NULL || !xi->parsed)
		return;
	pf->cert_seen = true;
	for (i = 0; i < cm->kept; i++) {
		xi = sd_x509_cached(t->env->x509, cm->der[i].p, sd_rd_left(&cm->der[i]));
		if (xi == NULL || !xi->parsed)
			continue;
		add_revoc_list(t, &xi->crl_dp, ev);
		add_revoc_list(t, &xi->ocsp, ev);
	}
}

static void
on_dns(struct path_rules *t, const struct sd_event *ev)
{
	const struct sd_dns_msg *m = ev->u.msg.dns;
	char key[SD_DNS_NAME_MAX + 16];
	const struct revhost *h;
	struct dnsname *d;
	bool created;
	size_t i;

	if (m->qname[0] == '\0' || (m->qtype != SD_DNS_TYPE_A && m->qtype != SD_DNS_TYPE_AAAA))
		return;
	snprintf(key, sizeof(key), "%u|%s", (unsigned)ev->file_index, m->qname);
	d = sd_tab_get(t->dns, key, strlen(key), true, &created);
	if (d == NULL)
		return;
	if (created) {
		memcpy(d->name, m->qname, sizeof(d->name));
		d->file_index = ev->file_index;
	} else if (d->naddrs > 0 && (m->rcode != SD_DNS_RCODE_NOERROR || m->nan == 0)) {
		return;		/* an address answer (A) outweighs an empty one (AAAA) */
	}
	d->rcode = m->rcode;
	d->frame = ev->frame;
	d->naddrs = sd_dns_addrs(m, m->qname, d->addrs, 4);
	if ((h = sd_tab_get(t->revhost, key, strlen(key), false, NULL)) != NULL)
		for (i = 0; i < h->nports; i++)
			scope_revocation(t, d, h->ports[i]);
}

/* The first failed attempt to each (address, port). */
static void
add_fail(struct path_rules *t, const struct sd_addr *a, uint16_t port, const char *how,
    uint64_t f1, uint64_t f2, uint32_t file_index)
{
	struct connfail *c;
	uint8_t key[24];
	bool created;

	memcpy(key, a->a, 16);
	key[16] = a->v;
	key[17] = (uint8_t)(port >> 8);
	key[18] = (uint8_t)port;
	memcpy(key + 19, &file_index, 4);
	key[23] = 0;
	c = sd_tab_get(t->fails, key, sizeof(key), true, &created);
	if (c == NULL || !created)
		return;
	c->addr = *a;
	c->port = port;
	c->how = how;
	c->frame1 = f1;
	c->frame2 = f2;
	c->file_index = file_index;
}

static const struct connfail *
find_fail(struct path_rules *t, const struct sd_addr *a, uint16_t port, uint32_t file_index)
{
	uint8_t key[24];

	memcpy(key, a->a, 16);
	key[16] = a->v;
	key[17] = (uint8_t)(port >> 8);
	key[18] = (uint8_t)port;
	memcpy(key + 19, &file_index, 4);
	key[23] = 0;
	return sd_tab_get(t->fails, key, sizeof(key), false, NULL);
}

static const char *
rcode_name(uint8_t rc)
{
	switch (rc) {
	case SD_DNS_RCODE_NOERROR:
		return "NOERROR";
	case 1:
		return "FORMERR";
	case SD_DNS_RCODE_SERVFAIL:
		return "SERVFAIL";
	case SD_DNS_RCODE_NXDOMAIN:
		return "NXDOMAIN";
	case 4:
		return "NOTIMP";
	case 5:
		return "REFUSED";
	default:
		return "error";
	}
}

static void
report_revocation(struct path_rules *t)
{
	char a[SD_ADDR_STRLEN], key[SD_DNS_NAME_MAX + 16];
	const struct revoc *r;
	struct sd_finding *f;
	size_t k;

	for (r = sd_tab_first(t->revoc); r != NULL; r = sd_tab_next(t->revoc, r)) {
		const struct dnsname *d;
		const struct connfail *c = NULL;

		snprintf(key, sizeof(key), "%u|%s", (unsigned)r->file_index, r->host);
		d = sd_tab_get(t->dns, key, strlen(key), false, NULL);
		if (d == NULL)
			continue;	/* never looked up here: nothing to judge */
		if (d->rcode == SD_DNS_RCODE_NOERROR && d->naddrs > 0) {
			for (k = 0; k < d->naddrs && c == NULL; k++)
				c = find_fail(t, &d->addrs[k], r->port, r->file_index);
			if (c == NULL)
				continue;	/* resolved, and no failed attempt seen */
		}
		f = sd_finding_add(t->out, SD_K_PATH_TLS_REVOCATION_UNREACHABLE, r->host, r->sec, r->nsec,
		    r->file_index);
		if (f == NULL)
			return;
		f->confidence = c != NULL ? 0.9 : 0.8;
		sd_finding_value(f, "url", "%s", r->url);
		sd_finding_value(f, "host", "%s", r->host);
		if (d->rcode != SD_DNS_RCODE_NOERROR || d->naddrs == 0) {
			sd_finding_value(f, "dns", "%s%s", rcode_name(d->rcode),
			    d->rcode == SD_DNS_RCODE_NOERROR ? " with no address" : "");
			sd_finding_summary(f, "revocation endpoint %s (%s) does not resolve: DNS %s",
			    r->host, r->url, d->rcode == SD_DNS_RCODE_NOERROR ? "answer without "
			    "an address" : rcode_name(d->rcode));
		} else {
			sd_finding_value(f, "dns", "%s", sd_ip_addr_str(&d->addrs[0], a));
			sd_finding_value(f, "connection", "%s port %u: %s", sd_ip_addr_str(&c->addr,
			    a), c->port, c->how);
			sd_finding_summary(f, "revocation endpoint %s (%s) resolves to %s but port "
			    "%u is unreachable: %s", r->host, r->url, a, c->port, c->how);
		}
		sd_finding_frame(f, r->cert_frame);
		sd_finding_frame(f, d->frame);
		if (c != NULL) {
			sd_finding_frame(f, c->frame1);
			if (c->frame2 != c->frame1)
				sd_finding_frame(f, c->frame2);
		}
	}
}

/* ---------------------------------------------------------------- area */

static void path_free(void *ctx);

static struct sd_tab *
table(const struct sd_rule_env *env, size_t val_size, size_t max)
{
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.val_size = val_size;
	o.max = max;
	o.mc = env->mc;
	return sd_tab_new(&o);
}

static void *
path_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct path_rules *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->env = env;
	t->out = env->out;
	t->oneway = table(env, sizeof(struct oneway), MAX_ONEWAY);
	t->revoc = table(env, sizeof(struct revoc), MAX_REVOC);
	t->dns = table(env, sizeof(struct dnsname), MAX_DNS);
	t->fails = table(env, sizeof(struct connfail), MAX_FAILS);
	t->revhost = table(env, sizeof(struct revhost), MAX_REVOC);
	if (t->oneway == NULL || t->revoc == NULL || t->dns == NULL || t->fails == NULL ||
	    t->revhost == NULL) {
		snprintf(err, errlen, "out of memory");
		path_free(t);
		return NULL;
	}
	return t;
}

static void
path_event(void *ctx, const struct sd_event *ev)
{
	struct path_rules *t = ctx;
	const struct sd_tls_client_hello *ch;
	struct pflow *pf;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		ch = ev->u.msg.client_hello;
		if (ch->dtls || ch->retransmit ||
		    (pf = sd_rule_flow(t->env, ev, sizeof(*pf), true, &t->flows_refused)) == NULL ||
		    pf->have_client)
			break;
		pf->have_client = true;
		pf->client = ev->src;
		pf->cport = ev->sport;
		break;
	case SD_EV_TLS_CERTIFICATE:
		on_certificate(t, ev);
		break;
	case SD_EV_TCP_RESET:
		if (ev->u.reset.answers_syn)
			add_fail(t, &ev->src, ev->sport, "refused (TCP reset)", ev->frame,
			    ev->frame, ev->file_index);
		break;
	case SD_EV_TCP_UNANSWERED:
		add_fail(t, &ev->dst, ev->dport, "SYN never answered", ev->u.unanswered.first_frame,
		    ev->u.unanswered.last_frame, ev->file_index);
		break;
	case SD_EV_ICMP_ERROR:
		if (ev->u.icmp.q_proto == SD_IPPROTO_TCP)
			add_fail(t, &ev->u.icmp.q_dst, ev->u.icmp.q_dport, "ICMP error", ev->frame,
			    ev->frame, ev->file_index);
		break;
	case SD_EV_DNS_ANSWER:
		on_dns(t, ev);
		break;
	case SD_EV_FLOW:
		on_flow(t, ev);
		break;
	default:
		break;
	}
}

/* Endpoints, names or attempts pushed out at the cap: a finding may be missing. */
static void
note_caps(struct path_rules *t)
{
	uint64_t lost = sd_tab_evicted(t->revoc) + sd_tab_refused(t->revoc) +
	    sd_tab_evicted(t->dns) + sd_tab_refused(t->dns) + sd_tab_evicted(t->fails) +
	    sd_tab_refused(t->fails);
	size_t i;

	if (lost + t->flows_refused == 0)
		return;
	for (i = 0; i < t->out->n; i++)
		if (t->out->v[i]->k == SD_K_PATH_TLS_REVOCATION_UNREACHABLE)
			sd_finding_value(t->out->v[i], "not_tracked", "past the memory cap: %llu "
			    "revocation hosts, DNS names or failed attempts not kept",
			    (unsigned long long)lost);
}

static void
path_finish(void *ctx)
{
	struct path_rules *t = ctx;

	report_revocation(t);
	report_one_way(t);
	note_caps(t);
}

static void
path_free(void *ctx)
{
	struct path_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->oneway);
	sd_tab_free(t->revoc);
	sd_tab_free(t->dns);
	sd_tab_free(t->fails);
	sd_tab_free(t->revhost);
	free(t);
}

static void
path_flow_free(void *ctx, void *state)
{
	struct path_rules *t = ctx;

	sd_rule_flow_release(t->env, state, sizeof(struct pflow));
}

static void
path_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct path_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->oneway) + sd_tab_evicted(t->revoc) +
	    sd_tab_evicted(t->dns) + sd_tab_evicted(t->fails) + sd_tab_evicted(t->revhost);
	st->refused += sd_tab_refused(t->oneway) + sd_tab_refused(t->revoc) +
	    sd_tab_refused(t->dns) + sd_tab_refused(t->fails) + sd_tab_refused(t->revhost);
}

const struct sd_rule_area sd_rules_path = {
	"path", path_new, path_event, path_finish, path_free, path_flow_free, path_stats, NULL,
	false,
};
