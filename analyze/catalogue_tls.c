/* analyze/catalogue_tls.c - negotiation kinds (rules_tls.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_tls[] = {
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_tls_n = sizeof(sd_kinds_tls) / sizeof(sd_kinds_tls[0]) - 1;
