/* cli/evidence.h - --evidence DIR: per finding, a folder DIR/<NNN>-<kind>/ with a pcapng of
 * every frame of its flows (evidence frames commented) and its certificates as PEM. */
#ifndef SD_CLI_EVIDENCE_H
#define SD_CLI_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/finding.h"
#include "dissect/event.h"
#include "engine/engine.h"

/*
 * Two ways to have the packets of a finding.  Files (replay): each flow keeps the numbers
 * of its frames (a byte or two each), and at the end the inputs are read a second time for
 * the frames of every finding.  Standard input and live interfaces cannot be read twice
 * (stream): each flow keeps copies of its first SD_EVIDENCE_HEAD and last SD_EVIDENCE_TAIL
 * packets, and a finding's capture is written the moment it is decided, so a sensor has
 * the packets of a failure of the night.  Either way what is kept stays within a budget;
 * at the budget the flows that ended longest ago go first, then the flows idle longest
 * (counted; their findings say "partial").
 */
#define SD_EVIDENCE_HEAD	48
#define SD_EVIDENCE_TAIL	16

struct sd_evidence_opts {
	const char		*dir;		/* borrowed */
	bool			 force;		/* overwrite files already there */
	bool			 stream;	/* keep packets (stdin, live), else replay the files */
	size_t			 budget;	/* bytes kept at most */
	unsigned		*next_index;	/* NNN, shared by the analyses of one run */
	const char *const	*files;		/* every input by file index (replay) */
	int			 nfiles;
};

struct sd_evidence;

/*
 * Before anything is read: create dir when missing (its parent must exist), and refuse
 * (-1, err "DIR/001-tls.alert: already there ...") when it holds a finding folder of an
 * earlier run and force is off.  0 when it can be used.
 */
int	sd_evidence_prepare(const char *dir, bool force, char *err, size_t errlen);

/* NULL when out of memory.  Borrows o's pointers for its life. */
struct sd_evidence	*sd_evidence_new(const struct sd_evidence_opts *);
void			 sd_evidence_free(struct sd_evidence *);	/* NULL-safe */
/* The engine hook that hands it every frame with its flow. */
struct sd_frame_hook	 sd_evidence_hook(struct sd_evidence *);
/* Every event (certificates, what each frame shows, frames of other flows' events). */
void	sd_evidence_event(struct sd_evidence *, const struct sd_event *);
/*
 * The finding output: a finding gets its folder when first decided (x->evidence); in stream
 * mode its capture and certificates are written then, and flows added to it later are
 * appended when it is decided again.  Subscribe it before outputs that print the folder.
 */
struct sd_finding_out	 sd_evidence_out(struct sd_evidence *);
/* End of the analysis (after sd_findings_settle): replay mode writes every capture now. */
void	sd_evidence_finish(struct sd_evidence *, const struct sd_findings *);

struct sd_evidence_stats {
	uint64_t	 findings;	/* folders written */
	uint64_t	 partial;	/* of which with packets missing */
	uint64_t	 packets;	/* packets written in all */
	uint64_t	 evicted;	/* flows whose kept packets were dropped for the budget */
	uint64_t	 refused;	/* packets or certificates not kept: over the budget */
	uint64_t	 errors;	/* files that could not be written (said on stderr) */
	size_t		 peak, budget;
};
void	sd_evidence_stats(const struct sd_evidence *, struct sd_evidence_stats *);

#endif /* SD_CLI_EVIDENCE_H */
