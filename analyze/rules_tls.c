/* analyze/rules_tls.c - negotiation rules: alerts, no shared cipher or version, HRR loops, client certificates. */
#include "analyze/rules.h"

#include <stdlib.h>

struct tls_rules {
	struct sd_findings	*out;
};

static void *
tls_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	struct tls_rules *t = calloc(1, sizeof(*t));

	(void)opts;
	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = out;
	return t;
}

static void
tls_event(void *ctx, const struct sd_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void
tls_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_tls = {
	"tls", tls_new, tls_event, tls_finish, free,
};
