/* cli/out.h - reporters: --events JSON Lines, findings as text, JSON Lines, Markdown, HTML. */
#ifndef SD_CLI_OUT_H
#define SD_CLI_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze/finding.h"
#include "cli/json.h"
#include "dissect/event.h"

struct sd_out_events {
	FILE		*f;
	struct sd_json	 j;
	bool		 multi_file;	/* add "file" to each line */
	const char	*const *files;
	bool		 write_error;
};

void	sd_out_events_init(struct sd_out_events *, FILE *, const char *const *files, int nfiles);
void	sd_out_events_free(struct sd_out_events *);
/* Write one event as a JSON line (the sink for --events). */
void	sd_out_event(void *ctx, const struct sd_event *);
/* Common fields of every line: type, frame, ts, transport, src, dst, sport, dport. */
void	sd_out_event_common(struct sd_json *, const struct sd_event *);

/*
 * The one table of event types: each type's JSON "type" name and the writer of its own
 * fields.  Indexed by type; a test checks that every type has both.
 */
typedef void	sd_ev_write_fn(struct sd_json *, const struct sd_event *);
struct sd_ev_writer {
	enum sd_ev_type	 type;
	const char	*name;
	sd_ev_write_fn	*write;
};
/* The entry of a type, NULL past the end. */
const struct sd_ev_writer	*sd_out_event_writer(enum sd_ev_type);
/* The JSON "type" name of an event type ("unknown" when it has none). */
const char	*sd_ev_type_name(enum sd_ev_type);

/* Findings. */
struct sd_out_summary {
	const char	*const *files;
	int		 nfiles;
	uint64_t	 frames, flows, events;
	const char	*input_error;	/* first input error, or NULL */
	/* what the analysis could not keep (all 0: nothing lost) */
	uint64_t	 flows_evicted, memcap_refused;
	uint64_t	 rule_flows_refused, rule_evicted, rule_refused;
};
void	sd_out_findings_text(FILE *, const struct sd_findings *, const struct sd_out_summary *,
	    bool color);
void	sd_out_findings_json(FILE *, const struct sd_findings *);
/* One finding as a JSON Lines record (live mode writes them as they fire). */
void	sd_out_finding_json(FILE *, const struct sd_finding *, struct sd_json *);

#endif /* SD_CLI_OUT_H */
