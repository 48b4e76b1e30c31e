/* analyze/catalogue.c - every finding kind: the per-area tables (catalogue_<area>.c) as one. */
#include "analyze/finding.h"

#include <string.h>

#define AREA(a)	extern const struct sd_finding_kind sd_kinds_##a[]; extern const size_t sd_kinds_##a##_n;
AREA(tcp)
AREA(tls)
AREA(trust)
AREA(intercept)
AREA(proxy)
AREA(ipsec)
#undef AREA

static const struct {
	const struct sd_finding_kind	*v;
	const size_t			*n;
} tables[] = {
	{ sd_kinds_tcp, &sd_kinds_tcp_n },
	{ sd_kinds_tls, &sd_kinds_tls_n },
	{ sd_kinds_trust, &sd_kinds_trust_n },
	{ sd_kinds_intercept, &sd_kinds_intercept_n },
	{ sd_kinds_proxy, &sd_kinds_proxy_n },
	{ sd_kinds_ipsec, &sd_kinds_ipsec_n },
};

const struct sd_finding_kind *
sd_finding_kind_at(size_t i)
{
	size_t t;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		if (i < *tables[t].n)
			return &tables[t].v[i];
		i -= *tables[t].n;
	}
	return NULL;
}

const struct sd_finding_kind *
sd_finding_kind_get(const char *kind)
{
	const struct sd_finding_kind *k;
	size_t i;

	for (i = 0; (k = sd_finding_kind_at(i)) != NULL; i++)
		if (strcmp(k->kind, kind) == 0)
			return k;
	return NULL;
}
