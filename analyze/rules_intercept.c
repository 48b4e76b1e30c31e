/* analyze/rules_intercept.c - interception and path rules: inspection CAs, backends, revocation, proxies, MTU. */
#include "analyze/rules.h"

#include <stdlib.h>

struct intercept_rules {
	struct sd_findings	*out;
};

static void *
intercept_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	struct intercept_rules *t = calloc(1, sizeof(*t));

	(void)opts;
	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = out;
	return t;
}

static void
intercept_event(void *ctx, const struct sd_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void
intercept_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_intercept = {
	"intercept", intercept_new, intercept_event, intercept_finish, free,
};
