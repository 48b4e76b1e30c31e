/* analyze/rules.h - rules turn events into findings (pure functions of event facts). */
#ifndef SD_ANALYZE_RULES_H
#define SD_ANALYZE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/finding.h"
#include "dissect/event.h"

/* What the user told the rules (cli/main.c fills it; every field optional). */
#define SD_RULES_MAX_PINS	32
struct sd_rules_opts {
	const char	*ca_file;	/* --ca-file: PEM bundle of trusted roots */
	const char	*ca_path;	/* --ca-path: OpenSSL hashed directory */
	bool		 no_system_ca;	/* --no-system-ca: trust only the above */
	const char	*pins[SD_RULES_MAX_PINS];	/* --pin HOST=HASH, as given */
	size_t		 npins;
	const char	*intercept_cas;	/* --intercept-cas FILE: more inspection-CA patterns */
};

struct sd_rules;

/* Findings go into `out` (borrowed; the caller owns and frees it).  NULL with a message
 * in err on a bad option (unreadable CA file, malformed pin) or memory failure. */
struct sd_rules	*sd_rules_new(struct sd_findings *out, const struct sd_rules_opts *,
		    char *err, size_t errlen);
void		 sd_rules_free(struct sd_rules *);
/* Event sink: feed every event. */
void		 sd_rules_event(void *ctx, const struct sd_event *);
/* End of capture: cross-flow rules conclude. */
void		 sd_rules_finish(struct sd_rules *);

/*
 * A rule area (analyze/rules_<area>.c): its own state, sees every event in order, and
 * concludes at the end.  new() returns the state (NULL with err set on failure); the
 * other functions take it.
 */
struct sd_rule_area {
	const char	*name;
	void		*(*new)(struct sd_findings *, const struct sd_rules_opts *,
			    char *err, size_t errlen);
	void		 (*event)(void *, const struct sd_event *);
	void		 (*finish)(void *);
	void		 (*free)(void *);
};
extern const struct sd_rule_area sd_rules_tcp;		/* rules_tcp.c: reachability */
extern const struct sd_rule_area sd_rules_tls;		/* rules_tls.c: negotiation, alerts */
extern const struct sd_rule_area sd_rules_trust;	/* rules_trust.c: chains, names, pins */
extern const struct sd_rule_area sd_rules_intercept;	/* rules_intercept.c: inspection, backends, proxies */
extern const struct sd_rule_area sd_rules_proxy;		/* rules_proxy.c: HTTP CONNECT proxies */
extern const struct sd_rule_area sd_rules_ipsec;	/* rules_ipsec.c: IKE and ESP */

/* Copy the flow identity of an event into a finding. */
void	sd_rule_note_flow(struct sd_finding *, const struct sd_event *, bool src_is_client);

#endif /* SD_ANALYZE_RULES_H */
