/* analyze/catalogue_trust.c - trust kinds (rules_trust.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_trust[] = {
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_trust_n = sizeof(sd_kinds_trust) / sizeof(sd_kinds_trust[0]) - 1;
