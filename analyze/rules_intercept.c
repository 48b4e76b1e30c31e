/* analyze/rules_intercept.c - interception rules: inspection CAs, issuers changing and
 * backends differing per server name. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/icat.h"
#include "analyze/x509.h"
#include "dissect/table.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

/*
 * State is kept per TLS connection in its flow's storage (until its flow record), and per
 * server name in a bounded table charged to the memory cap: a name pushed out at the cap
 * is judged on what it showed first (evicted, counted), never dropped unseen.
 */
#define MAX_NAMES	65536	/* server names followed across connections */
#define MAX_EPS		16	/* server endpoints (address, port) per name */
#define MAX_ISSUERS	8	/* distinct leaf issuers per name */
#define MAX_CERTS	4	/* distinct leaf certificates per endpoint */
#define MAX_VARIANTS	4	/* distinct leaf certificates per name, with their outcomes */
#define MAX_VFRAMES	4	/* evidence frames kept per variant (certificates, failures) */
#define MAX_REFUSALS	65536	/* (address, port) pairs that refused SYNs with a reset */
#define MAX_RFRAMES	8	/* refused SYNs kept per (address, port) */

/* A TLS connection between its ClientHello and its flow record. */
struct conn {
	uint32_t	 file_index;
	struct sd_finding_flow fl;
	char		*sni;		/* owned, NULL when the hello had none */
	uint64_t	 ch_frame, cert_frame, fail_frame;
	int64_t		 sec;
	uint32_t	 nsec;
	bool		 has_cert;
	bool		 answered;	/* the server said something TLS (ServerHello, Certificate) */
	bool		 completed;	/* its TLS session finished the handshake */
	char		 leaf_sha256[65];
	char		*issuer, *subject;	/* owned, leaf's */
	int		 cat;		/* catalogue entry matched, -1 none, -2 the vendor's own */
	char		*cat_issuer;	/* owned: issuer DN that matched */
	const char	*fail;		/* "client alert unknown_ca (48)"-like, static; NULL ok */
	char		 failbuf[64];
};

struct endpoint {
	struct sd_addr	 addr;
	uint16_t	 port;
	uint64_t	 ok, failed;
	uint64_t	 first_frame, fail_frame;	/* a cert (or hello) frame, a failure frame */
	char		 certs[MAX_CERTS][65];
	size_t		 ncerts;
	char		 issuer_first[256];
	size_t		 nissuers;	/* distinct non-inspection issuers seen here */
	char		 fail_what[64];
};

struct issuer {
	char		*dn;		/* owned */
	uint64_t	 count, frame;
	uint32_t	 eps;		/* bit per endpoint index that showed it */
};

/* One leaf certificate a name was served with, and what became of its connections. */
struct variant {
	char		 sha256[65];
	int		 iss;		/* its leaf's issuer in name.iss, -1 not kept */
	uint64_t	 conns, completed, failed;
	uint64_t	 cert_frames[MAX_VFRAMES], fail_frames[MAX_VFRAMES];
	size_t		 ncert_frames, nfail_frames;
	char		 fail_what[64];
	struct sd_finding_flow flows[MAX_VFRAMES];
	size_t		 nflows;
};

/* Keyed by the SNI, or "[addr]:port" without one. */
struct name {
	char		*name;		/* owned copy of the key */
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
	struct endpoint	 ep[MAX_EPS];
	size_t		 nep;
	uint64_t	 ep_overflow;
	struct issuer	 iss[MAX_ISSUERS];
	size_t		 niss;
	uint64_t	 iss_overflow;
	struct sd_finding_flow flows[4];
	size_t		 nflows;
	struct variant	 var[MAX_VARIANTS];
	size_t		 nvar;
	uint64_t	 var_overflow;
	uint64_t	 first_ch, last_ch;	/* ClientHello frames of its first and last connection */
};

/* SYNs to one (address, port) answered by a reset, keyed by (file, address, port). */
struct refusal {
	uint64_t	 count;
	uint64_t	 syn_frames[MAX_RFRAMES], rst_frames[MAX_RFRAMES];
	struct sd_finding_flow flows[MAX_RFRAMES];
	size_t		 n;
};

struct intercept_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_icat		*cat;
	struct sd_tab		*names;		/* struct name */
	struct sd_tab		*refusals;	/* struct refusal */
	uint64_t		 flows_refused;
};

/* ---------------------------------------------------------------- connections */

static struct conn *
conn_find(struct intercept_rules *t, const struct sd_event *ev)
{
	return sd_rule_flow(t->env, ev, sizeof(struct conn), false, NULL);
}

static struct conn *
conn_get(struct intercept_rules *t, const struct sd_event *ev, bool src_is_client)
{
	struct conn *c;

	if (ev->flow_id == 0)
		return NULL;
	if ((c = conn_find(t, ev)) != NULL)
		return c;
	c = sd_rule_flow(t->env, ev, sizeof(struct conn), true, &t->flows_refused);
	if (c == NULL)
		return NULL;
	c->cat = -1;
	c->file_index = ev->file_index;
	c->sec = ev->ts_sec;
	c->nsec = ev->ts_nsec;
	c->fl.id = ev->flow_id;
	c->fl.proto = ev->transport;
	c->fl.client = src_is_client ? ev->src : ev->dst;
	c->fl.server = src_is_client ? ev->dst : ev->src;
	c->fl.cport = src_is_client ? ev->sport : ev->dport;
	c->fl.sport = src_is_client ? ev->dport : ev->sport;
	c->fl.file_index = ev->file_index;
	return c;
}

/* The flow is gone: free what its connection state owns (the slot's free function). */
static void
conn_free(void *ctx, void *state)
{
	struct intercept_rules *t = ctx;
	struct conn *c = state;

	free(c->sni);
	free(c->issuer);
	free(c->subject);
	free(c->cat_issuer);
	sd_rule_flow_release(t->env, c, sizeof(*c));
}

static bool
addr_eq(const struct sd_addr *a, const struct sd_addr *b)
{
	return a->v == b->v && memcmp(a->a, b->a, a->v == 4 ? 4 : 16) == 0;
}

static bool
from_server(const struct conn *c, const struct sd_event *ev)
{
	return addr_eq(&ev->src, &c->fl.server) && ev->sport == c->fl.sport;
}

static void
on_client_hello(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;
	struct conn *c;
	size_t n;

	if (ch->dtls || ch->retransmit)
		return;
	c = conn_get(t, ev, true);
	if (c == NULL || c->ch_frame != 0)
		return;
	c->ch_frame = ev->frame;
	if (ch->has_sni && (n = sd_rd_left(&ch->sni)) > 0 && n < 256 &&
	    (c->sni = malloc(n + 1)) != NULL) {
		memcpy(c->sni, ch->sni.p, n);
		c->sni[n] = '\0';
	}
}

static void
on_certificate(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_certificate *cm = ev->u.msg.certificate;
	const struct sd_x509_info *xi;
	struct conn *c = conn_get(t, ev, false);
	uint32_t i;
	int m;

	if (c == NULL || c->has_cert || cm->kept == 0 || !from_server(c, ev))
		return;
	c->answered = true;
	for (i = 0; i < cm->kept; i++) {
		xi = sd_x509_cached(t->env->x509, cm->der[i].p, sd_rd_left(&cm->der[i]));
		if (xi == NULL || !xi->parsed) {
			if (i == 0)
				return;
			continue;
		}
		if (i == 0) {
			c->has_cert = true;
			c->cert_frame = ev->frame;
			memcpy(c->leaf_sha256, xi->sha256, sizeof(c->leaf_sha256));
			c->issuer = xi->issuer != NULL ? strdup(xi->issuer) : NULL;
			c->subject = xi->subject != NULL ? strdup(xi->subject) : NULL;
		}
		/*
		 * The leaf's issuer names the CA that signed for this name; a chain that also
		 * carries the inspection CA itself matches on that certificate's issuer.
		 */
		if (c->cat == -1 && xi->issuer != NULL &&
		    (m = sd_icat_match(t->cat, xi->issuer)) >= 0) {
			c->cat = m;
			c->cat_issuer = strdup(xi->issuer);
			/*
			 * A leaf issued *to* the vendor (its Organization matches the product's,
			 * e.g. a FortiGate's factory certificate O=Fortinet, CN=<serial> on its
			 * own SSL-VPN portal) is the appliance speaking for itself, not a
			 * substitute for somebody else's name.
			 */
			if (i == 0 && sd_icat_is_vendors(t->cat, m, xi->subject)) {
				free(c->cat_issuer);
				c->cat_issuer = NULL;
				c->cat = -2;
			}
		}
	}
}

static void
note_fail(struct conn *c, const struct sd_event *ev, const char *what)
{
	if (c->fail != NULL)
		return;
	snprintf(c->failbuf, sizeof(c->failbuf), "%s", what);
	c->fail = c->failbuf;
	c->fail_frame = ev->frame;
}

static void
on_alert(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;
	struct conn *c = conn_find(t, ev);
	char what[64];

	if (c == NULL || a->encrypted || a->level != 2)
		return;
	snprintf(what, sizeof(what), "%s alert %s (%u)", from_server(c, ev) ? "server" :
	    "client", sd_tls_alert_name(a->description), a->description);
	note_fail(c, ev, what);
}

static void
on_reset(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;
	struct conn *c = conn_find(t, ev);

	/* a reset before the handshake finished fails the connection; after data it ends it */
	if (c == NULL || r->phase == SD_PHASE_DATA || r->phase == SD_PHASE_CLOSING)
		return;
	note_fail(c, ev, r->sender == SD_ROLE_SERVER ? "reset by the server" :
	    "reset by the client");
}

static void
on_session(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_session *se = ev->u.msg.session;
	struct conn *c = conn_find(t, ev);

	if (c != NULL && se != NULL && !se->dtls && se->handshake_complete)
		c->completed = true;
}

static void
refusal_key(const struct sd_addr *a, uint16_t port, uint32_t file_index, uint8_t key[24])
{
	memset(key, 0, 24);
	memcpy(key, a->a, 16);
	key[16] = a->v;
	key[17] = (uint8_t)(port >> 8);
	key[18] = (uint8_t)port;
	memcpy(key + 19, &file_index, 4);
}

/* A server's reset answering a SYN: its (address, port) refused that connection. */
static void
on_refusal(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;
	struct sd_finding_flow *fl;
	struct refusal *rf;
	uint8_t key[24];

	if (!r->answers_syn || r->sender != SD_ROLE_SERVER)
		return;
	refusal_key(&ev->src, ev->sport, ev->file_index, key);
	if ((rf = sd_tab_get(t->refusals, key, sizeof(key), true, NULL)) == NULL)
		return;
	rf->count++;
	if (rf->n >= MAX_RFRAMES)
		return;
	rf->syn_frames[rf->n] = r->after_frame;
	rf->rst_frames[rf->n] = ev->frame;
	fl = &rf->flows[rf->n++];
	fl->id = ev->flow_id;
	fl->proto = ev->transport;
	fl->client = ev->dst;
	fl->server = ev->src;
	fl->cport = ev->dport;
	fl->sport = ev->sport;
	fl->file_index = ev->file_index;
}

/* ---------------------------------------------------------------- per name */

static struct name *
name_get(struct intercept_rules *t, const struct conn *c)
{
	char name[300], key[320], a[SD_ADDR_STRLEN];
	struct name *nm;
	bool created;

	if (c->sni != NULL)
		snprintf(name, sizeof(name), "%s", c->sni);
	else
		snprintf(name, sizeof(name), "[%s]:%u", sd_ip_addr_str(&c->fl.server, a),
		    c->fl.sport);
	/* names are per input file until files are analysed apart */
	snprintf(key, sizeof(key), "%u|%s", (unsigned)c->file_index, name);
	nm = sd_tab_get(t->names, key, strlen(key), true, &created);
	if (nm == NULL || !created)
		return nm;
	if ((nm->name = strdup(name)) == NULL) {
		sd_tab_del(t->names, nm);
		return NULL;
	}
	nm->file_index = c->file_index;
	nm->sec = c->sec;
	nm->nsec = c->nsec;
	return nm;
}

static void
name_add(struct intercept_rules *t, const struct conn *c)
{
	struct name *nm;
	struct endpoint *ep = NULL;
	size_t i, e;

	/*
	 * A hello nobody answered (no TLS from the server, no alert or reset) is neither a
	 * working nor a failing backend: tls.client_hello_unanswered tells that connection.
	 */
	if (!c->answered && c->fail == NULL)
		return;
	if ((nm = name_get(t, c)) == NULL)
		return;
	for (e = 0; e < nm->nep; e++)
		if (addr_eq(&nm->ep[e].addr, &c->fl.server) && nm->ep[e].port == c->fl.sport)
			break;
	if (e == nm->nep) {
		if (nm->nep >= MAX_EPS) {
			nm->ep_overflow++;
			return;
		}
		ep = &nm->ep[nm->nep++];
		memset(ep, 0, sizeof(*ep));
		ep->addr = c->fl.server;
		ep->port = c->fl.sport;
	}
	ep = &nm->ep[e];
	if (nm->nflows < sizeof(nm->flows) / sizeof(nm->flows[0]))
		nm->flows[nm->nflows++] = c->fl;
	if (ep->first_frame == 0)
		ep->first_frame = c->has_cert ? c->cert_frame : c->ch_frame;
	if (c->fail != NULL) {
		ep->failed++;
		if (ep->fail_frame == 0) {
			ep->fail_frame = c->fail_frame;
			snprintf(ep->fail_what, sizeof(ep->fail_what), "%s", c->fail);
		}
	} else {
		ep->ok++;
	}
	if (!c->has_cert || c->cat >= 0)
		return;		/* inspection CAs have their own finding */
	for (i = 0; i < ep->ncerts; i++)
		if (strcmp(ep->certs[i], c->leaf_sha256) == 0)
			break;
	if (i == ep->ncerts && ep->ncerts < MAX_CERTS)
		memcpy(ep->certs[ep->ncerts++], c->leaf_sha256, 65);
	if (c->issuer == NULL)
		return;
	for (i = 0; i < nm->niss; i++)
		if (strcmp(nm->iss[i].dn, c->issuer) == 0)
			break;
	if (i == nm->niss) {
		if (nm->niss >= MAX_ISSUERS || (nm->iss[i].dn = strdup(c->issuer)) == NULL) {
			nm->iss_overflow++;
			return;
		}
		nm->iss[i].count = 0;
		nm->iss[i].frame = c->cert_frame;
		nm->iss[i].eps = 0;
		nm->niss++;
	}
	nm->iss[i].count++;
	if (!(nm->iss[i].eps & (1u << e))) {
		nm->iss[i].eps |= 1u << e;
		ep->nissuers++;
		if (ep->nissuers == 1)
			snprintf(ep->issuer_first, sizeof(ep->issuer_first), "%s", c->issuer);
	}
}

/* The leaf certificate a connection got and what became of it, per name (report_vip). */
static void
variant_add(struct intercept_rules *t, const struct conn *c)
{
	struct name *nm = name_get(t, c);
	struct variant *v;
	size_t i, j;

	if (nm == NULL)
		return;
	if (nm->first_ch == 0 || c->ch_frame < nm->first_ch)
		nm->first_ch = c->ch_frame;
	if (c->ch_frame > nm->last_ch)
		nm->last_ch = c->ch_frame;
	if (!c->has_cert || c->cat >= 0)
		return;		/* inspection CAs have their own finding */
	for (i = 0; i < nm->nvar; i++)
		if (strcmp(nm->var[i].sha256, c->leaf_sha256) == 0)
			break;
	if (i == nm->nvar) {
		if (nm->nvar >= MAX_VARIANTS) {
			nm->var_overflow++;
			return;
		}
		memset(&nm->var[i], 0, sizeof(nm->var[i]));
		memcpy(nm->var[i].sha256, c->leaf_sha256, sizeof(nm->var[i].sha256));
		nm->var[i].iss = -1;
		for (j = 0; c->issuer != NULL && j < nm->niss; j++)
			if (strcmp(nm->iss[j].dn, c->issuer) == 0)
				nm->var[i].iss = (int)j;
		nm->nvar++;
	}
	v = &nm->var[i];
	v->conns++;
	if (v->ncert_frames < MAX_VFRAMES)
		v->cert_frames[v->ncert_frames++] = c->cert_frame;
	if (v->nflows < MAX_VFRAMES)
		v->flows[v->nflows++] = c->fl;
	if (c->fail != NULL) {
		v->failed++;
		if (v->fail_what[0] == '\0')
			snprintf(v->fail_what, sizeof(v->fail_what), "%s", c->fail);
		if (v->nfail_frames < MAX_VFRAMES)
			v->fail_frames[v->nfail_frames++] = c->fail_frame;
	} else if (c->completed) {
		v->completed++;
	}
}

/* ---------------------------------------------------------------- findings */

static void
report_interception(struct intercept_rules *t, const struct conn *c)
{
	const char *product = sd_icat_product(t->cat, c->cat);
	char g[640];
	struct sd_finding *f;

	snprintf(g, sizeof(g), "%s|%s", product, c->cat_issuer != NULL ? c->cat_issuer : "");
	f = sd_finding_add(t->out, SD_K_ICEPT_INTERCEPTION_CA, g, c->sec, c->nsec, c->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.9;	/* a name match: a real CA could be named alike */
		sd_finding_value(f, "product", "%s", product);
		sd_finding_value(f, "issuer", "%s", c->cat_issuer != NULL ? c->cat_issuer : "");
		if (c->subject != NULL)
			sd_finding_value(f, "subject", "%s", c->subject);
		if (c->sni != NULL)
			sd_finding_value(f, "sni", "%s", c->sni);
	}
	/* the client refusing the substitute is an outage; accepting it is a policy fact */
	if (c->fail != NULL && f->severity < SD_SEV_HIGH) {
		f->severity = SD_SEV_HIGH;
		sd_finding_value(f, "client_outcome", "%s", c->fail);
	}
	sd_finding_summary(f, "%s: certificate signed by %s's inspection CA (%llu connection%s)%s",
	    c->sni != NULL ? c->sni : "(no SNI)", product, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s", f->severity >= SD_SEV_HIGH ?
	    ", and the client refused it" : "");
	sd_finding_frame(f, c->cert_frame);
	if (c->fail_frame != 0)
		sd_finding_frame(f, c->fail_frame);
	sd_finding_flow(f, &c->fl);
}

/* The connection's flow ended (its state is freed after this event). */
static void
conn_end(struct intercept_rules *t, struct conn *c)
{
	if (c->has_cert && c->cat >= 0)
		report_interception(t, c);
	if (c->ch_frame != 0) {
		name_add(t, c);
		variant_add(t, c);
	}
}

static void
ep_str(const struct endpoint *ep, char *buf, size_t n)
{
	char a[SD_ADDR_STRLEN];

	sd_ip_addr_str(&ep->addr, a);
	snprintf(buf, n, ep->addr.v == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static void
name_flows(struct sd_finding *f, const struct name *nm)
{
	size_t i;

	for (i = 0; i < nm->nflows; i++)
		sd_finding_flow(f, &nm->flows[i]);
}

/* Some endpoint saw two issuers for this name: the certificate depends on the path. */
static bool
report_issuer_changed(struct intercept_rules *t, const struct name *nm)
{
	static const char *const iss_names[MAX_ISSUERS] = { "issuer_1", "issuer_2",
		"issuer_3", "issuer_4", "issuer_5", "issuer_6", "issuer_7", "issuer_8" };
	struct sd_finding *f;
	char ep[64];
	size_t i, e;

	for (e = 0; e < nm->nep; e++)
		if (nm->ep[e].nissuers > 1)
			break;
	if (e == nm->nep)
		return false;
	f = sd_finding_add(t->out, SD_K_ICEPT_ISSUER_CHANGED, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return true;
	f->confidence = 0.8;
	ep_str(&nm->ep[e], ep, sizeof(ep));
	sd_finding_value(f, "name", "%s", nm->name);
	sd_finding_value(f, "server", "%s", ep);
	for (i = 0; i < nm->niss && i < sizeof(iss_names) / sizeof(iss_names[0]); i++) {
		sd_finding_value(f, iss_names[i], "%s (%llu connection%s, first in frame %llu)",
		    nm->iss[i].dn, (unsigned long long)nm->iss[i].count,
		    nm->iss[i].count == 1 ? "" : "s", (unsigned long long)sd_frame_no(nm->iss[i].frame));
		sd_finding_frame(f, nm->iss[i].frame);
	}
	sd_finding_summary(f, "%s: %zu different issuers for the same name from %s", nm->name,
	    nm->niss, ep);
	name_flows(f, nm);
	return true;
}

/* Backends of one name that differ in certificate or in outcome. */
static void
report_backends(struct intercept_rules *t, const struct name *nm)
{
	static const char *const be_names[] = { "backend_1", "backend_2", "backend_3",
		"backend_4", "backend_5", "backend_6", "backend_7", "backend_8" };
	struct sd_finding *f;
	char ep[64], certs_differ = 0;
	size_t e, nok = 0, nfail = 0, ncert_eps = 0;
	const char *ref = NULL;

	for (e = 0; e < nm->nep; e++) {
		const struct endpoint *p = &nm->ep[e];

		if (p->ncerts > 0) {
			ncert_eps++;
			if (ref == NULL)
				ref = p->certs[0];
			if (p->ncerts > 1 || strcmp(ref, p->certs[0]) != 0)
				certs_differ = 1;
		}
		if (p->failed > 0)
			nfail++;
		if (p->ok > 0)
			nok++;
	}
	/*
	 * Several backends: different certificates, or failing on some and not on others.
	 * One address (a VIP) alternating between two certificates while some connections
	 * fail: the backends behind it differ.
	 */
	if (nm->nep > 1 ? !(certs_differ || (nfail > 0 && nok > 0)) :
	    !(certs_differ && nm->ep[0].failed > 0 && nm->ep[0].ok > 0))
		return;
	f = sd_finding_add(t->out, SD_K_ICEPT_BACKEND_MISMATCH, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return;
	f->confidence = nm->nep > 1 ? 0.9 : 0.6;
	sd_finding_value(f, "name", "%s", nm->name);
	for (e = 0; e < nm->nep; e++) {
		const struct endpoint *p = &nm->ep[e];

		ep_str(p, ep, sizeof(ep));
		if (e >= sizeof(be_names) / sizeof(be_names[0]))
			break;
		sd_finding_value(f, be_names[e], "%s: %llu ok, %llu failed%s%s%s, issuer %s", ep,
		    (unsigned long long)p->ok, (unsigned long long)p->failed,
		    p->failed > 0 ? " (" : "", p->failed > 0 ? p->fail_what : "",
		    p->failed > 0 ? ")" : "", p->issuer_first[0] != '\0' ? p->issuer_first :
		    "unseen");
		sd_finding_frame(f, p->first_frame);
		if (p->fail_frame != 0)
			sd_finding_frame(f, p->fail_frame);
	}
	if (nm->ep_overflow > 0)
		sd_finding_value(f, "backends_not_kept", "%llu",
		    (unsigned long long)nm->ep_overflow);
	sd_finding_summary(f, "%s: %zu backend%s differ (%s%s%zu failing)", nm->name, nm->nep,
	    nm->nep == 1 ? " behind one address" : "s",
	    certs_differ ? "different certificates, " : "", "", nfail);
	name_flows(f, nm);
}

/* Append to buf (size n, NUL-terminated) without overflowing. */
static void
append(char *buf, size_t n, const char *s)
{
	size_t l = strlen(buf);

	if (l + 1 < n)
		snprintf(buf + l, n - l, "%s", s);
}

/* "10, 48" from a list of frame references. */
static void
frames_str(char *buf, size_t n, const uint64_t *v, size_t nv)
{
	char item[32];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < nv; i++) {
		snprintf(item, sizeof(item), "%s%llu", i > 0 ? ", " : "",
		    (unsigned long long)sd_frame_no(v[i]));
		append(buf, n, item);
	}
}

/* "2 completed", "2 failed (client alert Unknown CA (48))", "1 completed, 1 unseen". */
static void
variant_outcome(const struct variant *v, char *buf, size_t n)
{
	uint64_t unseen = v->conns - v->completed - v->failed;
	int k = 0;

	buf[0] = '\0';
	if (v->completed > 0)
		k += snprintf(buf, n, "%llu completed the handshake",
		    (unsigned long long)v->completed);
	if (v->failed > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, "%s%llu failed (%s)", k > 0 ? ", " : "",
		    (unsigned long long)v->failed, v->fail_what);
	if (unseen > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "%s%llu without a visible end of handshake",
		    k > 0 ? ", " : "", (unsigned long long)unseen);
}

/* A tcp.port_closed finding about these refused connections: say what it is part of. */
static void
note_port_closed(struct intercept_rules *t, const struct refusal *rf, const char *ep)
{
	size_t i, j, k;

	for (i = 0; i < t->out->n; i++) {
		struct sd_finding *u = t->out->v[i];

		if (u->k != SD_K_TCP_PORT_CLOSED)
			continue;
		for (j = 0; j < u->nflows; j++)
			for (k = 0; k < rf->n; k++)
				if (u->flows[j].id == rf->flows[k].id &&
				    u->flows[j].file_index == rf->flows[k].file_index)
					goto found;
		continue;
found:
		sd_finding_value(u, "caveat", "%s served TLS on other connections: these "
		    "resets come from one backend behind a load-balanced address, not from "
		    "the whole service (see tls.backend_mismatch)", ep);
	}
}

/*
 * One address (a virtual IP) serving one name with different leaf certificates, whose
 * connections end differently, or that also refuses SYNs with a reset between working
 * connections: a balancer alternates between backends that differ.  No DNS answer or
 * second address is needed.  Reported per certificate (connections, issuer, outcome,
 * frames) with the refused SYNs; it explains, so replaces, tls.issuer_changed, and a
 * tcp.port_closed on the same connections is told so.  True when reported.
 */
static bool
report_vip(struct intercept_rules *t, const struct name *nm)
{
	static const char *const var_names[MAX_VARIANTS] = { "certificate_1",
		"certificate_2", "certificate_3", "certificate_4" };
	const struct endpoint *p = &nm->ep[0];
	const struct refusal *rf;
	struct sd_finding *f;
	char ep[64], out[160], fr[64], fr2[64], sum[640], part[400], syns[96];
	uint64_t ok = 0, failed = 0;
	size_t i, k, between = 0;
	uint8_t key[24];

	if (nm->nep != 1 || nm->nvar < 2)
		return false;
	for (i = 0; i < nm->nvar; i++) {
		failed += nm->var[i].failed;
		ok += nm->var[i].conns - nm->var[i].failed;
	}
	refusal_key(&p->addr, p->port, nm->file_index, key);
	rf = sd_tab_get(t->refusals, key, sizeof(key), false, NULL);
	for (i = 0; rf != NULL && i < rf->n; i++)
		if (rf->rst_frames[i] > nm->first_ch && rf->rst_frames[i] < nm->last_ch)
			between++;
	/* without refusals in between, two issuers at one address stay tls.issuer_changed */
	if (between == 0 && (p->nissuers > 1 || failed == 0 || ok == 0))
		return false;
	f = sd_finding_add(t->out, SD_K_ICEPT_BACKEND_MISMATCH, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return true;
	f->confidence = between > 0 ? 0.8 : 0.6;
	ep_str(p, ep, sizeof(ep));
	sd_finding_value(f, "name", "%s", nm->name);
	sd_finding_value(f, "address", "%s: every connection to this one address", ep);
	sum[0] = '\0';
	for (i = 0; i < nm->nvar; i++) {
		const struct variant *v = &nm->var[i];
		const char *iss = v->iss >= 0 ? nm->iss[v->iss].dn : "not kept";

		variant_outcome(v, out, sizeof(out));
		frames_str(fr, sizeof(fr), v->cert_frames, v->ncert_frames);
		frames_str(fr2, sizeof(fr2), v->fail_frames, v->nfail_frames);
		sd_finding_value(f, var_names[i], "%llu connection%s, issuer %s: %s; certificate "
		    "in %s%s%s", (unsigned long long)v->conns, v->conns == 1 ? "" : "s", iss, out,
		    fr, v->nfail_frames > 0 ? ", failure in " : "", fr2);
		for (k = 0; k < v->ncert_frames; k++)
			sd_finding_frame(f, v->cert_frames[k]);
		for (k = 0; k < v->nfail_frames; k++)
			sd_finding_frame(f, v->fail_frames[k]);
		for (k = 0; k < v->nflows; k++)
			sd_finding_flow(f, &v->flows[k]);
		snprintf(part, sizeof(part), "%s%s with a certificate from %s", i > 0 ? "; " : "",
		    out, iss);
		append(sum, sizeof(sum), part);
	}
	if (nm->var_overflow > 0)
		sd_finding_value(f, "certificates_not_kept", "%llu connections",
		    (unsigned long long)nm->var_overflow);
	if (rf != NULL) {
		syns[0] = '\0';
		for (i = 0; i < rf->n; i++) {
			snprintf(part, sizeof(part), "%s%llu/%llu", i > 0 ? ", " : "",
			    (unsigned long long)sd_frame_no(rf->syn_frames[i]),
			    (unsigned long long)sd_frame_no(rf->rst_frames[i]));
			append(syns, sizeof(syns), part);
			if (rf->syn_frames[i] != 0)
				sd_finding_frame(f, rf->syn_frames[i]);
			sd_finding_frame(f, rf->rst_frames[i]);
			sd_finding_flow(f, &rf->flows[i]);
		}
		sd_finding_value(f, "syn_refused", "%llu connection attempt%s refused: the SYN "
		    "answered by a TCP reset (SYN/reset in %s)", (unsigned long long)rf->count,
		    rf->count == 1 ? "" : "s", syns);
		snprintf(part, sizeof(part), "; %llu SYN%s refused with a TCP reset",
		    (unsigned long long)rf->count, rf->count == 1 ? "" : "s");
		append(sum, sizeof(sum), part);
		note_port_closed(t, rf, ep);
	}
	sd_finding_summary(f, "%s at %s: the backends behind this one address differ: %s",
	    nm->name, ep, sum);
	return true;
}

/* ---------------------------------------------------------------- area */

static bool	report_issuer_changed(struct intercept_rules *, const struct name *);
static void	report_backends(struct intercept_rules *, const struct name *);
static bool	report_vip(struct intercept_rules *, const struct name *);

/* A name pushed out at the cap: judge what it showed so far before it goes. */
static void
name_evict(void *ctx, void *val)
{
	struct intercept_rules *t = ctx;
	struct name *nm = val;

	if (!report_vip(t, nm) && !report_issuer_changed(t, nm))
		report_backends(t, nm);
}

static void
name_drop(void *ctx, void *val)
{
	struct name *nm = val;
	size_t j;

	(void)ctx;
	free(nm->name);
	for (j = 0; j < nm->niss; j++)
		free(nm->iss[j].dn);
}

static void intercept_free(void *ctx);

static void *
intercept_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct intercept_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;
	int n;

	if (t == NULL)
		return NULL;
	t->env = env;
	t->out = env->out;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct name);
	o.max = MAX_NAMES;
	o.mc = env->mc;
	o.evict = name_evict;
	o.drop = name_drop;
	o.ctx = t;
	t->cat = sd_icat_new();
	t->names = sd_tab_new(&o);
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct refusal);
	o.max = MAX_REFUSALS;
	o.mc = env->mc;
	t->refusals = sd_tab_new(&o);
	if (t->cat == NULL || t->names == NULL || t->refusals == NULL) {
		snprintf(err, errlen, "out of memory");
		intercept_free(t);
		return NULL;
	}
	if (sd_icat_load_shipped(t->cat, err, errlen) < 0) {
		intercept_free(t);
		return NULL;
	}
	if (env->opts->intercept_cas != NULL) {
		n = sd_icat_load(t->cat, env->opts->intercept_cas, err, errlen);
		if (n < 0) {
			if (n == -1)
				snprintf(err, errlen, "--intercept-cas: cannot read %s",
				    env->opts->intercept_cas);
			intercept_free(t);
			return NULL;
		}
	}
	return t;
}

static void
intercept_event(void *ctx, const struct sd_event *ev)
{
	struct intercept_rules *t = ctx;
	struct conn *c;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		on_client_hello(t, ev);
		break;
	case SD_EV_TLS_CERTIFICATE:
		on_certificate(t, ev);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		if ((c = conn_find(t, ev)) != NULL && from_server(c, ev))
			c->answered = true;
		break;
	case SD_EV_TLS_ALERT:
		on_alert(t, ev);
		break;
	case SD_EV_TCP_RESET:
		on_refusal(t, ev);
		on_reset(t, ev);
		break;
	case SD_EV_TLS_SESSION:
		on_session(t, ev);
		break;
	case SD_EV_FLOW:
		if ((c = conn_find(t, ev)) != NULL)
			conn_end(t, c);
		break;
	default:
		break;
	}
}

/*
 * Connections not followed (memory refused) or names pushed out: say so on every finding
 * of this area, since a finding may then be missing or incomplete.
 */
static void
note_caps(struct intercept_rules *t)
{
	static const enum sd_kind kinds[] = { SD_K_ICEPT_INTERCEPTION_CA,
		SD_K_ICEPT_ISSUER_CHANGED, SD_K_ICEPT_BACKEND_MISMATCH };
	uint64_t names_lost = sd_tab_evicted(t->names) + sd_tab_refused(t->names);
	size_t i, k;

	if (t->flows_refused + names_lost == 0)
		return;
	for (i = 0; i < t->out->n; i++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (t->out->v[i]->k == kinds[k])
				sd_finding_value(t->out->v[i], "not_tracked", "past the memory "
				    "cap: %llu TLS connections not followed, %llu server names "
				    "judged early or not at all",
				    (unsigned long long)t->flows_refused,
				    (unsigned long long)names_lost);
}

static void
intercept_finish(void *ctx)
{
	struct intercept_rules *t = ctx;
	const struct name *nm;

	for (nm = sd_tab_first(t->names); nm != NULL; nm = sd_tab_next(t->names, nm))
		if (!report_vip(t, nm) && !report_issuer_changed(t, nm))
			report_backends(t, nm);
	note_caps(t);
}

static void
intercept_free(void *ctx)
{
	struct intercept_rules *t = ctx;

	if (t == NULL)
		return;
	sd_icat_free(t->cat);
	sd_tab_free(t->names);
	sd_tab_free(t->refusals);
	free(t);
}

static void
intercept_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct intercept_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->names) + sd_tab_evicted(t->refusals);
	st->refused += sd_tab_refused(t->names) + sd_tab_refused(t->refusals);
}

const struct sd_rule_area sd_rules_intercept = {
	"intercept", intercept_new, intercept_event, intercept_finish, intercept_free, conn_free,
	intercept_stats,
};
