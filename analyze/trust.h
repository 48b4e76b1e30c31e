/* analyze/trust.h - the trust area's chain verdicts, between rules_trust.c (which checks a
 * chain when its Certificate comes) and trust_report.c (which reports it once the client's
 * reaction is known). */
#ifndef SD_ANALYZE_TRUST_H
#define SD_ANALYZE_TRUST_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/chain.h"
#include "analyze/finding.h"
#include "analyze/outcome.h"
#include "analyze/withdrawn.h"

struct sd_tab;

/* What one connection's chain showed wrong: made only when something did. */
struct sd_trust_verdict {
	struct sd_chain_diag	 d;
	bool			 untrusted;	/* d.trust says why */
	bool			 validity;	/* d.validity says which */
	bool			 name;		/* the leaf does not cover the SNI */
	bool			 order;		/* out of order or unrelated certificates */
	char			 names[512];	/* the leaf's names, for a mismatch */
	int64_t			 when;		/* judged at (SD_VERIFY_NO_TIME: no dates) */
	/* every certificate of the chain out of its validity at `when`, when more than one */
	char			 out_of_date[600];
	int			 n_out_of_date;
	/* untrusted only because today's store lost the root it ends at, after `when` */
	const struct withdrawn_root *withdrawn;
};

/* The connection the verdict is about. */
struct sd_trust_conn {
	const char			*name;		/* SNI, else the server's address */
	const char			*sni;		/* "" without one */
	const char			*leaf;		/* subject (or SHA-256) */
	const char			*leaf_sha256;
	const struct sd_outcome_conn	*oc;
	int64_t				 sec;		/* the Certificate's time */
	uint32_t			 nsec, file_index;
	struct sd_finding_flow		 flow;
};

/*
 * Report a judged connection: one finding for its chain, the fault the client's alert
 * points at (else the surest from the bytes), the others folded into it as values; the
 * outcome counted in `tallies` (keyed by the finding) and stated per outcome, the
 * severity the worst its connections' outcomes give.  Nothing for a flight the client
 * never received: the path finding carries it.  Returns the finding (NULL: none made).
 */
struct sd_finding *sd_trust_report(struct sd_findings *, struct sd_tab *tallies,
	    const struct sd_trust_verdict *, const struct sd_trust_conn *);

/* The outcomes of finding f so far, in `tallies` (values: struct sd_outcome_tally);
 * NULL when there is no room.  Counted by the caller. */
struct sd_outcome_tally	*sd_trust_tally(struct sd_tab *tallies, const struct sd_finding *f);

#endif /* SD_ANALYZE_TRUST_H */
