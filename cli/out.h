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
	struct sd_x509_cache *x509;	/* owned; lent to j */
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

/* One input of an analysis and what was read from it. */
struct sd_out_input {
	const char	*name;
	uint32_t	 index;		/* position among the files given */
	uint64_t	 frames;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	const char	*error;		/* NULL: read to its end */
	bool		 error_said;	/* on stderr already: the text report does not repeat it */
	const char	*linktype;	/* its link type's name, NULL when not known */
};

/* What one analysis (one file, or every file with --merge) covered and what it lost. */
struct sd_out_summary {
	const char	*const *files;	/* every file given, by index (names of findings' files) */
	int		 nfiles;
	const struct sd_out_input *inputs;	/* the inputs of this analysis */
	int		 ninputs;
	uint64_t	 frames, flows, events, findings;
	uint64_t	 undecoded_link, undecoded_truncated, undecoded_malformed;
	bool		 nothing_decoded;	/* frames were read, none could be decoded */
	const char	*input_error;	/* first input error, or NULL */
	/* what the analysis could not keep (all 0: nothing lost) */
	uint64_t	 flows_evicted, memcap_refused;
	uint64_t	 rule_flows_refused, rule_evicted, rule_refused;
	uint64_t	 findings_dropped;
	/* memory allocations that failed (cli/alloc.h) and JSON lines dropped past their size
	 * cap or for want of memory (cli/json.h): what they held is lost */
	uint64_t	 alloc_failures, json_dropped;
	bool		 verbose;	/* text: informational findings in full */
	/* the capture's clock when it is wrong or given with --time (sd_rules_clock_text);
	 * "" when nothing says it is wrong */
	char		 clock[320];
};

/*
 * The report for people: a header (inputs, frames, flows, time span, losses), the findings
 * most severe first (explanation and fix once per kind, wrapped to the terminal width:
 * $COLUMNS, the terminal's, or 80), and a count line.
 */
void	sd_out_findings_text(FILE *, const struct sd_findings *, const struct sd_out_summary *,
	    bool color);
/* Every finding as a JSON Lines record ("type": "finding"); files names findings' files. */
void	sd_out_findings_json(FILE *, const struct sd_findings *, const char *const *files,
	    int nfiles);
/* One finding as a JSON Lines record (live mode writes them as they fire). */
void	sd_out_finding_json(FILE *, const struct sd_finding *, const char *const *files,
	    int nfiles, struct sd_json *);
/* The same with another "type" ("finding_update": a live update of a finding). */
void	sd_out_finding_json_as(FILE *, const struct sd_finding *, const char *const *files,
	    int nfiles, struct sd_json *, const char *type);
/* One compact line for a finding as it fires in live mode: time, severity, kind, subject
 * and summary cut to width, frames; update: the count so far. */
void	sd_out_finding_line(FILE *, const struct sd_finding *, bool update, bool color,
	    int width);
/* ECS event.outcome of a finding's connections: "failure", "success" or "unknown". */
const char	*sd_out_finding_outcome(const struct sd_finding *);
/* What a finding is about, as the verdict names it ("www.example.test (192.0.2.1:443)",
 * "a <-> b" for a gateway pair), and its one-line headline (the summary, after the
 * subject when the summary does not name it).  Not escaped. */
void	sd_out_finding_subject(const struct sd_finding *, char *buf, size_t n);
void	sd_out_finding_headline(const struct sd_finding *, const char *subj, char *line,
	    size_t n);
/* "addr:port", "[v6]:port", or the address alone for port 0. */
const char	*sd_out_endpoint(char *buf, size_t n, const struct sd_addr *, uint16_t port);
/* The "type": "summary" record that ends each analysed input in --json. */
void	sd_out_summary_json(FILE *, const struct sd_out_summary *);
/*
 * The sensor's name (--sensor-name, else the host name), written as "observer.name" in
 * every JSON record (findings, updates, statistics, summaries).  NULL or "" leaves it out.
 */
void	sd_out_set_observer(const char *name);
void	sd_out_observer(struct sd_json *);
/*
 * GeoIP (adapt/geoip.h): the databases every output asks about peers; NULL (the default)
 * for none.  sd_out_geo_json() adds the Elastic Common Schema fields of an address
 * (SIDE.as.number, SIDE.as.organization.name, SIDE.geo.country_iso_code,
 * SIDE.geo.city_name; SIDE is "source" or "destination") when a database knows it;
 * sd_out_geo_text() writes " (AS64500 Example Org, DE, City)" or "" (not escaped: the
 * caller prints it with the rest of the line through its escaping).
 */
struct sd_geoip;
void		 sd_out_set_geoip(struct sd_geoip *);
struct sd_geoip	*sd_out_geoip(void);
void		 sd_out_geo_json(struct sd_json *, const char *side, const struct sd_addr *);
/* A flow's TrustSec groups: cisco.trustsec.source_sgt (client) and destination_sgt
 * (server), each only when that side carried one (ECS has no SGT field). */
struct sd_flow_tags;
void		 sd_out_sgt_json(struct sd_json *, const struct sd_flow_tags *);
/* The JA3/JA4 of a flow's first ClientHello, for the findings that name the flow (JSON
 * flows' ja3, ja4 and the finding's tls.client.ja3); reset for each analysis. */
/* ECS tls.version and tls.version_protocol from a version text ("TLS 1.2", "DTLS 1.0");
 * nothing for another text. */
void		 sd_out_ecs_tls_version(struct sd_json *, const char *version);
void		 sd_out_note_hello(uint64_t flow_id, const char *ja3, const char *ja4);
void		 sd_out_hellos_reset(void);
size_t		 sd_out_geo_text(const struct sd_addr *, char *buf, size_t n);
/* The width to wrap text to: $COLUMNS, else the terminal's when f is one, else 80. */
int	sd_out_text_width(FILE *);

#endif /* SD_CLI_OUT_H */
