/* analyze/catalogue_ipsec.c - IPsec kinds (rules_ipsec.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_ipsec[] = {
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_ipsec_n = sizeof(sd_kinds_ipsec) / sizeof(sd_kinds_ipsec[0]) - 1;
