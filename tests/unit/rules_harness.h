/* tests/unit/rules_harness.h - rule areas fed by hand: one or more areas with their
 * environment (per-flow slots, the shared certificate cache, trust store and catalogue),
 * as analyze/rules.c sets them up. */
#ifndef SD_TESTS_UNIT_RULES_HARNESS_H
#define SD_TESTS_UNIT_RULES_HARNESS_H

#include "analyze/clock.h"
#include "analyze/rules.h"
#include "analyze/scope.h"
#include "analyze/x509.h"
#include "tests/unit/helpers.h"

#define AREA_H_MAX	4

struct area_h {
	const struct sd_rule_area	*a[AREA_H_MAX];
	void				*st[AREA_H_MAX];
	struct sd_rule_env		 env[AREA_H_MAX];
	size_t				 n;
	struct sd_rule_shared		 sh;
	struct sd_scope			*scope;
	struct test_flows		 flows;
};

/* Open the areas (a NULL-terminated list) writing into out; false with err set on failure. */
static inline bool
area_h_open(struct area_h *h, struct sd_findings *out, const struct sd_rules_opts *o,
    char *err, size_t errlen, const struct sd_rule_area *const *list)
{
	static const struct sd_rules_opts none;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (o == NULL)
		o = &none;
	if (!sd_rule_shared_open(&h->sh, o, err, errlen))
		return false;
	h->scope = sd_scope_new(NULL, 0);
	assert_non_null(h->scope);
	for (i = 0; i < AREA_H_MAX && list[i] != NULL; i++) {
		h->env[i].out = out;
		h->env[i].opts = o;
		h->env[i].slot = -1;
		h->env[i].x509 = h->sh.x509;
		h->env[i].verify = h->sh.verify;
		h->env[i].icat = h->sh.icat;
		h->env[i].clock = h->sh.clock;
		h->env[i].scope = h->scope;
		h->a[i] = list[i];
		h->st[i] = list[i]->new(&h->env[i], err, errlen);
		if (h->st[i] == NULL) {
			while (i-- > 0)
				h->a[i]->free(h->st[i]);
			sd_rule_shared_close(&h->sh);
			sd_scope_free(h->scope);
			return false;
		}
		if (list[i]->flow_free != NULL)
			h->env[i].slot = sd_store_register(&h->flows.reg, list[i]->flow_free,
			    h->st[i]);
		h->n++;
	}
	return true;
}

/* Feed one event to every area, with its flow's storage; a flow record ends the flow. */
static inline void
area_h_event(struct area_h *h, struct sd_event *ev)
{
	size_t i;

	ev->store = test_store(&h->flows, ev->flow_id);
	sd_scope_event(h->scope, ev);	/* as analyze/rules.c feeds them */
	sd_clock_event(h->sh.clock, ev);
	for (i = 0; i < h->n; i++)
		h->a[i]->event(h->st[i], ev);
	if (ev->type == SD_EV_FLOW)
		test_flow_end(&h->flows, ev->flow_id);
}

static inline void
area_h_finish(struct area_h *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->a[i]->finish(h->st[i]);
}

static inline void
area_h_close(struct area_h *h)
{
	size_t i;

	test_flows_free(&h->flows);
	for (i = 0; i < h->n; i++)
		h->a[i]->free(h->st[i]);
	sd_rule_shared_close(&h->sh);
	sd_scope_free(h->scope);
	h->n = 0;
}

#endif /* SD_TESTS_UNIT_RULES_HARNESS_H */
