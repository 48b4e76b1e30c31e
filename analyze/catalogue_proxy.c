/* analyze/catalogue_proxy.c - HTTP proxy kinds (rules_proxy.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_proxy[] = {
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_proxy_n = sizeof(sd_kinds_proxy) / sizeof(sd_kinds_proxy[0]) - 1;
