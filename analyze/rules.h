/* analyze/rules.h - rules turn events into findings (pure functions of event facts). */
#ifndef SD_ANALYZE_RULES_H
#define SD_ANALYZE_RULES_H

#include "analyze/finding.h"
#include "dissect/event.h"

struct sd_rules;

/* Findings go into `out` (borrowed; the caller owns and frees it). */
struct sd_rules	*sd_rules_new(struct sd_findings *out);
void		 sd_rules_free(struct sd_rules *);
/* Event sink: feed every event. */
void		 sd_rules_event(void *ctx, const struct sd_event *);
/* End of capture: cross-flow rules conclude. */
void		 sd_rules_finish(struct sd_rules *);

/* Per-area rule sets (analyze/rules_<area>.c): each sees every event. */
void	sd_rule_tcp_event(struct sd_findings *, const struct sd_event *);

/* Copy the flow identity of an event into a finding. */
void	sd_rule_note_flow(struct sd_finding *, const struct sd_event *, bool src_is_client);

#endif /* SD_ANALYZE_RULES_H */
