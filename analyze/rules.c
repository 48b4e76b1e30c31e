/* analyze/rules.c - the rule engine: events in, findings out. */
#include "analyze/rules.h"

#include <stdlib.h>

struct sd_rules {
	struct sd_findings	*out;
};

struct sd_rules *
sd_rules_new(struct sd_findings *out)
{
	struct sd_rules *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->out = out;
	return r;
}

void
sd_rules_free(struct sd_rules *r)
{
	free(r);
}

void
sd_rules_event(void *ctx, const struct sd_event *ev)
{
	struct sd_rules *r = ctx;

	sd_rule_tcp_event(r->out, ev);
}

void
sd_rules_finish(struct sd_rules *r)
{
	(void)r;
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
