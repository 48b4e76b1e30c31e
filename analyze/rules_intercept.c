/* analyze/rules_intercept.c - interception rules: inspection CAs, issuers changing and
 * backends differing per server name. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chain.h"
#include "analyze/clock.h"
#include "analyze/icat.h"
#include "analyze/outcome.h"
#include "analyze/verify.h"
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

/* Per tls.interception_ca finding (keyed by its address): what its summary says. */
struct icept_tally {
	struct sd_outcome_tally	 t;
	char			 name[256];
	const char		*product;	/* the catalogue's */
	char			 before[512];	/* the genuine issuer earlier connections showed */
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
	c->fl.app = ev->carrier;
	c->fl.tags = ev->tags;
	c->oc.have_client = true;	/* also when picked up after the ClientHello */
	c->oc.client = c->fl.client;
	c->oc.cport = c->fl.cport;
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
	free(c->verdict);
	free(c->openssl);
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
	if (c == NULL)
		return;
	sd_outcome_event(&c->oc, ev);
	if (c->ch_frame != 0)
		return;
	c->ch_frame = ev->frame;
	if (ch->has_sni && (n = sd_rd_left(&ch->sni)) > 0 && n < 256 &&
	    (c->sni = malloc(n + 1)) != NULL) {
		memcpy(c->sni, ch->sni.p, n);
		c->sni[n] = '\0';
	}
}

/* An inspection CA's chain: what shakedown's own verification says, for its finding. */
static void
note_verdict(struct intercept_rules *t, struct conn *c, const struct sd_event *ev,
    const struct sd_x509_info *const *xp)
{
	const struct sd_tls_certificate *cm = ev->u.msg.certificate;
	const struct sd_verify_result *r;
	struct sd_chain_diag d;
	char text[1024];
	char a[SD_ADDR_STRLEN];

	if (t->env->verify == NULL ||
	    (r = sd_verify_chain_described(t->env->verify, cm->der, xp, cm->kept,
	    sd_clock_when(t->env->clock, ev->file_index, ev->ts_sec))) == NULL)
		return;
	sd_chain_diagnose(xp, cm->kept, r, NULL, &d);
	if (r->flags == 0) {
		snprintf(text, sizeof(text), "%s", "the chain verifies against shakedown's "
		    "store (its inspection CA is among the roots given)");
	} else if (d.trust != SD_CHAIN_TRUSTED) {
		sd_chain_trust_text(&d, c->sni != NULL ? c->sni : sd_ip_addr_str(&ev->src, a),
		    text, sizeof(text));
	} else if (d.validity != 0) {
		sd_chain_validity_text(&d, text, sizeof(text));
	} else {
		snprintf(text, sizeof(text), "%s", "the chain does not verify");
	}
	c->verdict = strdup(text);
	if (r->flags != 0)
		c->openssl = strdup(r->error_text);
}

static void
on_certificate(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_certificate *cm = ev->u.msg.certificate;
	const struct sd_x509_info *xp[SD_TLS_MAX_CERTS];
	const struct sd_x509_info *xi;
	struct conn *c = conn_get(t, ev, false);
	const char *dn;
	uint32_t i;

	if (c == NULL || c->has_cert || cm->kept == 0 || !from_server(c, ev))
		return;
	c->answered = true;
	for (i = 0; i < cm->kept; i++) {
		xi = sd_x509_cached(t->env->x509, cm->der[i].p, sd_rd_left(&cm->der[i]));
		xp[i] = xi != NULL && xi->parsed ? xi : NULL;
	}
	if (xp[0] == NULL)
		return;
	c->has_cert = true;
	c->cert_frame = ev->frame;
	memcpy(c->leaf_sha256, xp[0]->sha256, sizeof(c->leaf_sha256));
	c->issuer = xp[0]->issuer != NULL ? strdup(xp[0]->issuer) : NULL;
	c->subject = xp[0]->subject != NULL ? strdup(xp[0]->subject) : NULL;
	c->cat = sd_icat_chain(t->cat, xp, cm->kept, &dn);
	if (c->cat >= 0) {
		c->cat_issuer = strdup(dn);
		note_verdict(t, c, ev, xp);
	}
}

/* A connection failed when the client refused or the server aborted it. */
static bool
conn_failed(const struct conn *c, char *what, size_t n, uint64_t *frame)
{
	enum sd_outcome o = sd_outcome_judge(&c->oc, what, n, frame);

	return o == SD_OUTCOME_REFUSED || o == SD_OUTCOME_FAILED;
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
	fl->tags = ev->tags;
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

/*
 * Room for one more endpoint of nm: the array grows 1, 2, 4, ... MAX_EPS entries as a
 * name shows more server addresses (most show one; all MAX_EPS would be 11 kB in every
 * name).  false: the memory cap refused it (counted there).
 */
static bool
ep_room(struct intercept_rules *t, struct name *nm)
{
	size_t cap = nm->ep_cap == 0 ? 1 : nm->ep_cap * 2;
	struct endpoint *p;

	if (nm->nep < nm->ep_cap)
		return true;
	if (cap > MAX_EPS)
		cap = MAX_EPS;
	if ((p = sd_memcap_malloc(t->env->mc, cap * sizeof(*p))) == NULL)
		return false;
	if (nm->nep > 0)
		memcpy(p, nm->ep, nm->nep * sizeof(*p));
	sd_memcap_free(t->env->mc, nm->ep, nm->ep_cap * sizeof(*p));
	nm->ep = p;
	nm->ep_cap = cap;
	return true;
}

static void
add_frame(uint64_t *frames, size_t *n, uint64_t frame)
{
	if (*n < MAX_FRAMES)
		frames[(*n)++] = frame;
}

/* An inspection CA re-signed this name: remember it beside the genuine issuers. */
static void
name_resigned(struct name *nm, const struct conn *c, struct sd_finding *f)
{
	if (nm->rs.f == NULL) {
		if (c->cat_issuer == NULL || (nm->rs.dn = strdup(c->cat_issuer)) == NULL)
			return;
		nm->rs.f = f;
	}
	if (nm->rs.f != f)
		return;		/* a second inspection CA for one name: the first is told */
	nm->rs.count++;
	add_frame(nm->rs.frames, &nm->rs.nframes, c->cert_frame);
}

static void
name_add(struct intercept_rules *t, const struct conn *c, struct sd_finding *resigned)
{
	struct name *nm;
	struct endpoint *ep = NULL;
	size_t i, e;

	/*
	 * A hello nobody answered (no TLS from the server, no alert or reset) is neither a
	 * working nor a failing backend: tls.client_hello_unanswered tells that connection.
	 */
	if (!c->answered && !c->failed)
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
		if (!ep_room(t, nm))
			return;
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
	if (c->failed) {
		ep->failed++;
		if (ep->fail_frame == 0) {
			ep->fail_frame = c->fail_frame;
			snprintf(ep->fail_what, sizeof(ep->fail_what), "%s", c->fail_what);
		}
	} else {
		ep->ok++;
	}
	if (resigned != NULL)
		name_resigned(nm, c, resigned);
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
		nm->iss[i].nframes = 0;
		nm->iss[i].eps = 0;
		nm->niss++;
	}
	nm->iss[i].count++;
	add_frame(nm->iss[i].frames, &nm->iss[i].nframes, c->cert_frame);
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
	if (c->failed) {
		v->failed++;
		if (v->fail_what[0] == '\0')
			snprintf(v->fail_what, sizeof(v->fail_what), "%s", c->fail_what);
		if (v->nfail_frames < MAX_VFRAMES)
			v->fail_frames[v->nfail_frames++] = c->fail_frame;
	} else if (c->completed) {
		v->completed++;
	}
}

/* ---------------------------------------------------------------- findings */

static void
frames_list(const uint64_t *frames, size_t n, uint64_t count, char *buf, size_t len)
{
	size_t i, o;

	snprintf(buf, len, "frame%s ", count > 1 ? "s" : "");
	for (i = 0; i < n; i++) {
		o = strlen(buf);
		snprintf(buf + o, len - o, "%s%llu", i ? ", " : "",
		    (unsigned long long)sd_frame_no(frames[i]));
	}
	if (count > n) {
		o = strlen(buf);
		snprintf(buf + o, len - o, ", ...");
	}
}

static void
summarize_interception(struct sd_finding *f, const struct icept_tally *it)
{
	char out[400];

	sd_outcome_tally_text(&it->t, out, sizeof(out));
	sd_finding_summary(f, "%s: certificate signed by %s's inspection CA (%s)%s%s", it->name,
	    it->product, out, it->before[0] != '\0' ? "; earlier connections showed the "
	    "genuine issuer " : "", it->before);
}

/*
 * One finding per product and issuer, with shakedown's own verification of the chain
 * inside (the trust rules leave these chains to it) and each outcome counted: the client
 * refusing the substitute is an outage, accepting it a policy fact.
 */
static struct sd_finding *
report_interception(struct intercept_rules *t, const struct conn *c)
{
	const char *product = sd_icat_product(t->cat, c->cat);
	struct icept_tally *it;
	struct sd_finding *f;
	enum sd_outcome o;
	char g[640], what[160];
	uint64_t frame;

	snprintf(g, sizeof(g), "%s|%s", product, c->cat_issuer != NULL ? c->cat_issuer : "");
	f = sd_finding_add(t->out, SD_K_ICEPT_INTERCEPTION_CA, g, c->sec, c->nsec, c->file_index);
	if (f == NULL)
		return NULL;
	if (f->count == 1) {
		f->confidence = 0.9;	/* a name match: a real CA could be named alike */
		sd_finding_value(f, "product", "%s", product);
		sd_finding_value(f, "issuer", "%s", c->cat_issuer != NULL ? c->cat_issuer : "");
		if (c->subject != NULL)
			sd_finding_value(f, "subject", "%s", c->subject);
		if (c->sni != NULL)
			sd_finding_value(f, "sni", "%s", c->sni);
		if (c->verdict != NULL)
			sd_finding_value(f, "verification", "%s", c->verdict);
		if (c->openssl != NULL)
			sd_finding_value(f, "openssl", "%s", c->openssl);
	}
	o = sd_outcome_judge(&c->oc, what, sizeof(what), &frame);
	if ((o == SD_OUTCOME_REFUSED || o == SD_OUTCOME_FAILED) && f->severity < SD_SEV_HIGH)
		f->severity = SD_SEV_HIGH;
	it = sd_tab_get(t->tallies, &f, sizeof(f), true, NULL);
	if (it != NULL) {
		if (it->product == NULL) {
			it->product = product;
			snprintf(it->name, sizeof(it->name), "%s", c->sni != NULL ? c->sni :
			    "(no SNI)");
		}
		sd_outcome_tally_add(&it->t, o, what, frame, c->oc.keylog);
		sd_outcome_tally_values(&it->t, f);
		summarize_interception(f, it);
	}
	sd_finding_frame(f, c->cert_frame);
	if (frame != c->cert_frame)
		sd_finding_frame(f, frame);
	sd_finding_flow(f, &c->fl);
	return f;
}

/*
 * A name whose earlier connections showed a genuine issuer and later ones an inspection
 * CA: the interception finding says so, before and after, with the frames.
 */
static void
report_resigned(struct intercept_rules *t, const struct name *nm)
{
	const struct issuer *gen = NULL;
	struct icept_tally *it;
	char fr[128];
	size_t i;

	if (nm->rs.f == NULL || nm->rs.nframes == 0)
		return;
	for (i = 0; i < nm->niss; i++)
		if (nm->iss[i].frame < nm->rs.frames[0] && (gen == NULL ||
		    nm->iss[i].frame < gen->frame))
			gen = &nm->iss[i];
	if (gen == NULL)
		return;
	frames_list(gen->frames, gen->nframes, gen->count, fr, sizeof(fr));
	sd_finding_value(nm->rs.f, "before", "%s on %s (%llu connection%s, %s)", gen->dn,
	    nm->name, (unsigned long long)gen->count, gen->count == 1 ? "" : "s", fr);
	frames_list(nm->rs.frames, nm->rs.nframes, nm->rs.count, fr, sizeof(fr));
	sd_finding_value(nm->rs.f, "after", "%s (%llu connection%s, from frame %llu: %s)",
	    nm->rs.dn, (unsigned long long)nm->rs.count, nm->rs.count == 1 ? "" : "s",
	    (unsigned long long)sd_frame_no(nm->rs.frames[0]), fr);
	for (i = 0; i < gen->nframes; i++)
		sd_finding_frame(nm->rs.f, gen->frames[i]);
	it = sd_tab_get(t->tallies, &nm->rs.f, sizeof(nm->rs.f), false, NULL);
	if (it == NULL || it->before[0] != '\0')
		return;
	frames_list(gen->frames, gen->nframes, gen->count, fr, sizeof(fr));
	snprintf(it->before, sizeof(it->before), "%s (%s)", gen->dn, fr);
	summarize_interception(nm->rs.f, it);
}

/* The connection's flow ended (its state is freed after this event). */
static void
conn_end(struct intercept_rules *t, struct conn *c)
{
	struct sd_finding *f = NULL;

	c->failed = conn_failed(c, c->fail_what, sizeof(c->fail_what), &c->fail_frame);
	if (c->has_cert && c->cat >= 0)
		f = report_interception(t, c);
	if (c->ch_frame != 0) {
		name_add(t, c, f);
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

	report_resigned(t, nm);
	if (!sd_icpt_report_vip(t, nm) && !sd_icpt_report_issuer_changed(t, nm))
		sd_icpt_report_backends(t, nm);
}

static void
name_drop(void *ctx, void *val)
{
	struct intercept_rules *t = ctx;
	struct name *nm = val;
	size_t j;

	sd_memcap_free(t->env->mc, nm->ep, nm->ep_cap * sizeof(*nm->ep));
	free(nm->name);
	free(nm->rs.dn);
	for (j = 0; j < nm->niss; j++)
		free(nm->iss[j].dn);
}

static void intercept_free(void *ctx);

static void *
intercept_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct intercept_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->env = env;
	t->out = env->out;
	t->cat = env->icat;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct name);
	o.max = MAX_NAMES;
	o.mc = env->mc;
	o.evict = name_evict;
	o.drop = name_drop;
	o.ctx = t;
	t->names = sd_tab_new(&o);
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct refusal);
	o.max = MAX_REFUSALS;
	o.mc = env->mc;
	t->refusals = sd_tab_new(&o);
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct icept_tally);
	o.max = TALLIES_MAX;
	o.mc = env->mc;
	t->tallies = sd_tab_new(&o);
	if (t->cat == NULL || t->names == NULL || t->refusals == NULL || t->tallies == NULL) {
		snprintf(err, errlen, "out of memory");
		intercept_free(t);
		return NULL;
	}
	return t;
}

static void
intercept_event(void *ctx, const struct sd_event *ev)
{
	struct intercept_rules *t = ctx;
	struct conn *c;

	if (ev->type == SD_EV_TLS_CLIENT_HELLO) {
		on_client_hello(t, ev);	/* feeds the outcome itself */
		return;
	}
	if (ev->type == SD_EV_TLS_CERTIFICATE)
		on_certificate(t, ev);	/* also picks up a connection seen from mid-stream */
	/* the alerts and resets that decide a connection's outcome: sd_outcome_event */
	if ((c = conn_find(t, ev)) != NULL)
		sd_outcome_event(&c->oc, ev);
	switch (ev->type) {
	case SD_EV_TLS_SERVER_HELLO:
		if ((c = conn_find(t, ev)) != NULL && from_server(c, ev))
			c->answered = true;
		break;
	case SD_EV_TCP_RESET:
		on_refusal(t, ev);
		break;
	case SD_EV_TLS_SESSION:
		on_session(t, ev);
		break;
	case SD_EV_FLOW:
		if (c != NULL)
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

/* Judge every name over its connections so far (each window of a live run, then the end). */
static void
intercept_window(void *ctx)
{
	struct intercept_rules *t = ctx;
	const struct name *nm;

	for (nm = sd_tab_first(t->names); nm != NULL; nm = sd_tab_next(t->names, nm)) {
		report_resigned(t, nm);
		if (!sd_icpt_report_vip(t, nm) && !sd_icpt_report_issuer_changed(t, nm))
			sd_icpt_report_backends(t, nm);
	}
}

static void
intercept_finish(void *ctx)
{
	intercept_window(ctx);
	note_caps(ctx);
}

static void
intercept_free(void *ctx)
{
	struct intercept_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->names);
	sd_tab_free(t->tallies);
	sd_tab_free(t->refusals);
	free(t);
}

static void
intercept_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct intercept_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->names) + sd_tab_evicted(t->refusals) +
	    sd_tab_evicted(t->tallies);
	st->refused += sd_tab_refused(t->names) + sd_tab_refused(t->refusals) +
	    sd_tab_refused(t->tallies);
}

const struct sd_rule_area sd_rules_intercept = {
	"intercept", intercept_new, intercept_event, intercept_finish, intercept_free, conn_free,
	intercept_stats, intercept_window,
	false,
};
