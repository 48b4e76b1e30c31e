/* analyze/rules.c - the rule engine: events in, findings out. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>

static const struct sd_rule_area *const areas[] = {
	&sd_rules_tcp, &sd_rules_tls, &sd_rules_trust, &sd_rules_intercept, &sd_rules_proxy,
	&sd_rules_ipsec,
};
#define NAREAS	(sizeof(areas) / sizeof(areas[0]))

struct sd_rules {
	struct sd_findings	*out;
	void			*state[NAREAS];
};

struct sd_rules *
sd_rules_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err,
    size_t errlen)
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
	for (i = 0; i < NAREAS; i++) {
		snprintf(err, errlen, "%s rules: out of memory", areas[i]->name);
		r->state[i] = areas[i]->new(out, opts, err, errlen);
		if (r->state[i] == NULL) {
			sd_rules_free(r);
			return NULL;
		}
	}
	return r;
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
	free(r);
}

void
sd_rules_event(void *ctx, const struct sd_event *ev)
{
	struct sd_rules *r = ctx;
	size_t i;

	for (i = 0; i < NAREAS; i++)
		areas[i]->event(r->state[i], ev);
}

void
sd_rules_finish(struct sd_rules *r)
{
	size_t i;

	for (i = 0; i < NAREAS; i++)
		areas[i]->finish(r->state[i]);
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
}
