/* analyze/rules_trust.c - trust rules: chain verification, names, pins, key changes. */
#include "analyze/rules.h"

#include <stdlib.h>

struct trust_rules {
	struct sd_findings	*out;
};

static void *
trust_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	struct trust_rules *t = calloc(1, sizeof(*t));

	(void)opts;
	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = out;
	return t;
}

static void
trust_event(void *ctx, const struct sd_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void
trust_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_trust = {
	"trust", trust_new, trust_event, trust_finish, free,
};
