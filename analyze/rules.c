/* analyze/rules.c - the rule engine: events in, findings out. */
#include "analyze/rules.h"

#include "analyze/clock.h"
#include "analyze/scope.h"
#include "analyze/icat.h"
#include "analyze/verify.h"
#include "analyze/x509.h"
#include "dissect/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct sd_rule_area *const areas[] = {
	&sd_rules_tcp, &sd_rules_tls, &sd_rules_trust, &sd_rules_intercept, &sd_rules_path,
	&sd_rules_hello, &sd_rules_malformed, &sd_rules_proxy, &sd_rules_ike, &sd_rules_ikesa, &sd_rules_esp,
};
#define NAREAS	(sizeof(areas) / sizeof(areas[0]))

struct sd_rules {
	struct sd_findings	*out;
	struct sd_rule_shared	 sh;
	bool			 borrowed;	/* sh is the caller's (sd_rules_new_shared) */
	struct sd_scope		*scope;
	struct sd_rule_env	 env[NAREAS];
	void			*state[NAREAS];
	int64_t			 window_sec;	/* opts->window_sec */
	int64_t			 now, last_window;	/* latest event time; last window's */
};

static struct sd_rules *
rules_new(struct sd_findings *out, const struct sd_rules_opts *opts,
    const struct sd_rule_shared *shared, struct sd_store_reg *reg, struct sd_memcap *mc,
    char *err, size_t errlen)
{
	static const struct sd_rules_opts none;
	struct sd_rules *r = calloc(1, sizeof(*r));
	size_t i;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->out = out;
	if (opts == NULL)
		opts = &none;
	r->window_sec = opts->window_sec;
	if (shared != NULL) {
		r->sh = *shared;
		r->borrowed = true;
	}
	if ((shared == NULL && !sd_rule_shared_open(&r->sh, opts, err, errlen)) ||
	    (r->scope = sd_scope_new(mc, 0)) == NULL) {
		if (r->sh.x509 != NULL)
			snprintf(err, errlen, "out of memory");
		if (!r->borrowed)
			sd_rule_shared_close(&r->sh);
		free(r);
		return NULL;
	}
	for (i = 0; i < NAREAS; i++) {
		r->env[i].out = out;
		r->env[i].opts = opts;
		r->env[i].mc = mc;
		r->env[i].slot = -1;
		r->env[i].x509 = r->sh.x509;
		r->env[i].verify = r->sh.verify;
		r->env[i].icat = r->sh.icat;
		r->env[i].clock = r->sh.clock;
		r->env[i].scope = r->scope;
		snprintf(err, errlen, "%s rules: out of memory", areas[i]->name);
		r->state[i] = areas[i]->new(&r->env[i], err, errlen);
		if (r->state[i] == NULL) {
			sd_rules_free(r);
			return NULL;
		}
		/* the slot's free function needs the state: register after new() */
		if (areas[i]->flow_free != NULL && reg != NULL) {
			r->env[i].slot = sd_store_register(reg, areas[i]->flow_free, r->state[i]);
			if (r->env[i].slot < 0) {
				snprintf(err, errlen, "%s rules: no per-flow slot left",
				    areas[i]->name);
				sd_rules_free(r);
				return NULL;
			}
		}
	}
	return r;
}

struct sd_rules *
sd_rules_new(struct sd_findings *out, const struct sd_rules_opts *opts,
    struct sd_store_reg *reg, struct sd_memcap *mc, char *err, size_t errlen)
{
	return rules_new(out, opts, NULL, reg, mc, err, errlen);
}

struct sd_rules *
sd_rules_new_shared(struct sd_findings *out, const struct sd_rules_opts *opts,
    const struct sd_rule_shared *sh, struct sd_store_reg *reg, struct sd_memcap *mc,
    char *err, size_t errlen)
{
	return rules_new(out, opts, sh, reg, mc, err, errlen);
}

void
sd_rules_free(struct sd_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < NAREAS; i++)
		if (r->state[i] != NULL)
			areas[i]->free(r->state[i]);
	if (!r->borrowed)
		sd_rule_shared_close(&r->sh);
	sd_scope_free(r->scope);
	free(r);
}

bool
sd_rule_shared_open(struct sd_rule_shared *sh, const struct sd_rules_opts *o, char *err,
    size_t errlen)
{
	int n;

	memset(sh, 0, sizeof(*sh));
	if ((sh->x509 = sd_x509_cache_new(0)) == NULL || (sh->icat = sd_icat_new()) == NULL ||
	    (sh->clock = sd_clock_new(o->capture_time, (int64_t)time(NULL))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	sh->verify = sd_verify_new(o->ca_files, o->nca_files, o->ca_paths, o->nca_paths,
	    o->no_system_ca, err, errlen);
	if (sh->verify == NULL || sd_icat_load_shipped(sh->icat, err, errlen) < 0)
		goto fail;
	if (o->intercept_cas != NULL &&
	    (n = sd_icat_load(sh->icat, o->intercept_cas, err, errlen)) < 0) {
		if (n == -1)
			snprintf(err, errlen, "--intercept-cas: cannot read %s", o->intercept_cas);
		goto fail;
	}
	return true;
fail:
	sd_rule_shared_close(sh);
	return false;
}

bool
sd_rule_shared_reset(struct sd_rule_shared *sh, const struct sd_rules_opts *o)
{
	sd_x509_cache_free(sh->x509);
	sd_clock_free(sh->clock);
	sh->clock = NULL;
	sd_verify_forget(sh->verify);
	return (sh->x509 = sd_x509_cache_new(0)) != NULL &&
	    (sh->clock = sd_clock_new(o->capture_time, (int64_t)time(NULL))) != NULL;
}

void
sd_rule_shared_close(struct sd_rule_shared *sh)
{
	sd_x509_cache_free(sh->x509);
	sd_verify_free(sh->verify);
	sd_icat_free(sh->icat);
	sd_clock_free(sh->clock);
	memset(sh, 0, sizeof(*sh));
}

bool
sd_rule_malformed(const struct sd_event *ev)
{
	const union sd_ev_msg *u = &ev->u.msg;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		return u->client_hello != NULL && u->client_hello->fault.what != NULL;
	case SD_EV_TLS_SERVER_HELLO:
		return u->server_hello != NULL && u->server_hello->fault.what != NULL;
	case SD_EV_TLS_CERTIFICATE:
		return u->certificate != NULL && u->certificate->fault.what != NULL;
	default:
		return false;
	}
}

void
sd_rules_event(void *ctx, const struct sd_event *ev)
{
	struct sd_rules *r = ctx;
	bool malformed = sd_rule_malformed(ev);
	size_t i;

	sd_scope_event(r->scope, ev);
	if (!malformed)
		sd_clock_event(r->sh.clock, ev);
	for (i = 0; i < NAREAS; i++)
		if (!malformed || areas[i]->malformed)
			areas[i]->event(r->state[i], ev);
	sd_rules_clock(r, ev->ts_sec);
	/* what this event decided goes to the outputs now */
	sd_findings_flush(r->out);
}

void
sd_rules_clock(struct sd_rules *r, int64_t now_sec)
{
	size_t i;

	if (r->window_sec <= 0 || now_sec <= r->now)
		return;
	r->now = now_sec;
	if (r->last_window == 0)
		r->last_window = r->now;
	if (r->now - r->last_window < r->window_sec)
		return;
	r->last_window = r->now;
	for (i = 0; i < NAREAS; i++)
		if (areas[i]->window != NULL)
			areas[i]->window(r->state[i]);
	sd_findings_flush(r->out);
}

void
sd_rules_finish(struct sd_rules *r)
{
	size_t i;

	for (i = 0; i < NAREAS; i++)
		areas[i]->finish(r->state[i]);
	sd_findings_settle(r->out);
}

void
sd_rules_clock_text(const struct sd_rules *r, uint32_t file_index, char *buf, size_t n)
{
	sd_clock_text(r->sh.clock, file_index, buf, n, NULL, 0);
}

void
sd_rules_unseen_pins(const struct sd_rules *r, void (*fn)(void *, const char *, unsigned),
    void *ctx)
{
	size_t i;

	for (i = 0; i < NAREAS; i++)
		if (areas[i] == &sd_rules_trust)
			sd_rule_trust_unseen_pins(r->state[i], fn, ctx);
}

void
sd_rules_stats(const struct sd_rules *r, struct sd_rule_stats *total,
    void (*fn)(void *, const char *, const struct sd_rule_stats *), void *ctx)
{
	struct sd_rule_stats st;
	size_t i;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < NAREAS; i++) {
		memset(&st, 0, sizeof(st));
		if (areas[i]->stats != NULL)
			areas[i]->stats(r->state[i], &st);
		total->flows_refused += st.flows_refused;
		total->evicted += st.evicted;
		total->refused += st.refused;
		if (fn != NULL)
			fn(ctx, areas[i]->name, &st);
	}
}

void
sd_rules_cache_stats(const struct sd_rules *r, struct sd_rule_cache_stats *cs)
{
	memset(cs, 0, sizeof(*cs));
	if (r->sh.x509 != NULL)
		sd_x509_cache_stats(r->sh.x509, &cs->described_cached, &cs->described);
	if (r->sh.verify != NULL)
		sd_verify_stats(r->sh.verify, &cs->verified, &cs->verified_cached);
}

void *
sd_rule_flow(const struct sd_rule_env *env, const struct sd_event *ev, size_t size,
    bool create, uint64_t *refused)
{
	void **slot;

	if (env->slot < 0 || ev->store == NULL)
		return NULL;
	slot = &ev->store->slot[env->slot];
	if (*slot != NULL || !create)
		return *slot;
	if ((*slot = sd_memcap_calloc(env->mc, size)) == NULL && refused != NULL)
		(*refused)++;
	return *slot;
}

void
sd_rule_flow_release(const struct sd_rule_env *env, void *state, size_t size)
{
	sd_memcap_free(env->mc, state, size);
}

void
sd_rule_flow_drop(const struct sd_rule_env *env, const struct sd_event *ev, size_t size)
{
	void **slot;

	if (env->slot < 0 || ev->store == NULL)
		return;
	slot = &ev->store->slot[env->slot];
	sd_memcap_free(env->mc, *slot, size);
	*slot = NULL;
}

/*
 * The capture missed bytes of the event's connection (holes its peer acknowledged, found
 * by the TCP reassembly): what the finding read from that connection after a hole was
 * parsed from a resynchronised stream, and a message across the hole went unseen.  Say
 * so, with the number (a finding of several flows keeps the last that lost bytes).
 */
static void
note_capture_loss(struct sd_finding *f, const struct sd_event *ev)
{
	uint64_t n = ev->capture_missed[0] + ev->capture_missed[1];

	if (n == 0)
		return;
	sd_finding_value(f, "capture_missed_bytes", "%llu", (unsigned long long)n);
	sd_finding_value(f, "capture_note", "the capture missed %llu byte%s of this "
	    "connection (its peer acknowledged them): messages across the hole are unseen "
	    "and what follows it was parsed after resynchronising, so this finding may lack "
	    "what they said", (unsigned long long)n, n == 1 ? "" : "s");
}

void
sd_rule_note_flow(struct sd_finding *f, const struct sd_event *ev, bool src_is_client)
{
	struct sd_finding_flow fl;

	if (ev->flow_id == 0)
		return;
	fl.id = ev->flow_id;
	fl.proto = ev->transport;
	fl.file_index = ev->file_index;
	fl.app = ev->carrier;
	fl.tags = ev->tags;
	if (src_is_client) {
		fl.client = ev->src;
		fl.server = ev->dst;
		fl.cport = ev->sport;
		fl.sport = ev->dport;
	} else {
		fl.client = ev->dst;
		fl.server = ev->src;
		fl.cport = ev->dport;
		fl.sport = ev->sport;
	}
	sd_finding_flow(f, &fl);
	note_capture_loss(f, ev);
}

void
sd_rule_note_pair(struct sd_finding *f, uint64_t flow_id, const struct sd_addr *i,
    uint16_t iport, const struct sd_addr *r, uint16_t rport, uint8_t proto,
    uint32_t file_index)
{
	struct sd_finding_flow fl;

	memset(&fl, 0, sizeof(fl));
	fl.id = flow_id;
	fl.proto = proto;
	fl.client = *i;
	fl.server = *r;
	fl.cport = iport;
	fl.sport = rport;
	fl.file_index = file_index;
	sd_finding_flow(f, &fl);
}
