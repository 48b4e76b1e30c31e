/* analyze/catalogue_intercept.c - interception and path kinds (rules_intercept.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_intercept[] = {
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_intercept_n = sizeof(sd_kinds_intercept) / sizeof(sd_kinds_intercept[0]) - 1;
