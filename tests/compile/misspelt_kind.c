/* tests/compile/misspelt_kind.c - must NOT compile: a rule naming a kind that does not exist
 * (SD_MISSPELT picks how: 1 a misspelt enum constant, 2 the old string form). */
#include "analyze/finding.h"

struct sd_finding	*try_add(struct sd_findings *);

struct sd_finding *
try_add(struct sd_findings *l)
{
#if SD_MISSPELT == 1
	return sd_finding_add(l, SD_K_TRUST_CHAIN_UNTRUSTD, "x", 0, 0, 0);
#elif SD_MISSPELT == 2
	return sd_finding_add(l, "tls.chain_untrustd", "x", 0, 0, 0);
#else
	return sd_finding_add(l, SD_K_TRUST_CHAIN_UNTRUSTED, "x", 0, 0, 0);	/* control: compiles */
#endif
}
