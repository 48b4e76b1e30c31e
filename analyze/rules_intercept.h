/* analyze/rules_intercept.h - what the interception rules expose besides their rule area. */
#ifndef SD_ANALYZE_RULES_INTERCEPT_H
#define SD_ANALYZE_RULES_INTERCEPT_H

#include <stddef.h>

/*
 * Path of the shipped inspection-CA catalogue the last sd_rules_new() loaded (installed
 * data directory first, then data/ of the source tree), or NULL when neither was found;
 * the entries it holds in *n.  For -v.  Static storage: valid until the next load.
 */
const char	*sd_rule_intercept_catalogue(size_t *n);

#endif /* SD_ANALYZE_RULES_INTERCEPT_H */
