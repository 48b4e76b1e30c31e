/* analyze/rules_proxy.c - proxy rules: CONNECT refused or unanswered. */
#include "analyze/rules.h"

#include <stdlib.h>

struct proxy_rules {
	struct sd_findings	*out;
};

static void *
proxy_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	struct proxy_rules *t = calloc(1, sizeof(*t));

	(void)opts;
	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = out;
	return t;
}

static void
proxy_event(void *ctx, const struct sd_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void
proxy_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_proxy = {
	"proxy", proxy_new, proxy_event, proxy_finish, free,
};
