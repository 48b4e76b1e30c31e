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
#include "analyze/intercept_int.h"


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

void
sd_icpt_refusal_key(const struct sd_addr *a, uint16_t port, uint32_t file_index, uint8_t key[24])
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
	sd_icpt_refusal_key(&ev->src, ev->sport, ev->file_index, key);
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

/* ---------------------------------------------------------------- area */


/* A name pushed out at the cap: judge what it showed so far before it goes. */
static void
name_evict(void *ctx, void *val)
{
	struct intercept_rules *t = ctx;
	struct name *nm = val;

	if (!sd_icpt_report_vip(t, nm) && !sd_icpt_report_issuer_changed(t, nm))
		sd_icpt_report_backends(t, nm);
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
		if (!sd_icpt_report_vip(t, nm) && !sd_icpt_report_issuer_changed(t, nm))
			sd_icpt_report_backends(t, nm);
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
