/* analyze/finding.h - the finding model: a diagnosed cause with its evidence. */
#ifndef SD_ANALYZE_FINDING_H
#define SD_ANALYZE_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/kinds.h"
#include "dissect/event.h"
#include "dissect/ip.h"

enum sd_sev {
	SD_SEV_INFO,		/* an observation, not a fault */
	SD_SEV_LOW,
	SD_SEV_MEDIUM,
	SD_SEV_HIGH,
	SD_SEV_CRITICAL,
};
const char	*sd_finding_sev_name(enum sd_sev);
/* Parse "info", "low", ... in any case ("HIGH", "High"); false on an unknown name. */
bool		 sd_finding_sev_parse(const char *, enum sd_sev *);

#define SD_FINDING_MAX_FRAMES	32
#define SD_FINDING_MAX_FLOWS	32
#define SD_FINDING_MAX_VALUES	16

/* One name/value pair that proves the finding ("offered_ciphers", "issuer", "alert"). */
struct sd_finding_value {
	const char	*name;		/* program constant */
	char		*value;		/* owned copy; may come from a packet (escaped on output) */
};

/* A flow a finding is about, copied so it outlives the flow. */
struct sd_finding_flow {
	uint64_t	 id;
	uint8_t		 proto;
	struct sd_addr	 client, server;
	uint16_t	 cport, sport;
	uint32_t	 file_index;
	const char	*app;		/* "openvpn": the TLS rode in it (program constant); NULL */
	struct sd_flow_tags tags;	/* the SGTs its sides carried (dissect/event.h) */
};

/* Where --evidence wrote a finding's packets and certificates (filled by cli/evidence.c). */
struct sd_finding_evidence {
	unsigned	 index;		/* NNN of DIR/NNN-<kind>: 1, 2, ... as decided */
	char		*dir;		/* owned: "DIR/001-tls.cert.expired" */
	char		*file;		/* owned: dir + "/evidence.pcapng" */
	unsigned	 ncerts;	/* dir/cert-1.pem ... cert-<ncerts>.pem */
	uint64_t	 packets;	/* written so far */
	bool		 partial;	/* packets of its flows were not all kept */
	size_t		 nflows_done;	/* flows[0..nflows_done) written */
	uint64_t	 cert_hash[8];	/* of the certificates written (one file per certificate) */
};

/*
 * A finding.  The same cause seen again (same kind and group key) is merged into one
 * finding: count grows, frames and flows are added up to their caps (the totals stay
 * exact in count / nflows_total).
 */
struct sd_finding {
	enum sd_kind		 k;
	const char		*kind;		/* its stable name, e.g. "tcp.syn_unanswered" */
	enum sd_sev		 severity;
	double			 confidence;	/* 0..1 */
	char			*group;		/* owned: what makes two occurrences the same cause */
	char			*summary;	/* owned: one line */
	const char		*explanation;	/* catalogue text */
	const char		*fix;		/* catalogue text */
	uint64_t		 count;		/* occurrences merged */
	/* owned, grown as needed up to SD_FINDING_MAX_*: a sensor holds many findings of a
	 * flow or two each */
	uint64_t		*frames;	/* ascending, distinct */
	size_t			 nframes, frames_cap;
	uint64_t		 nframes_total;
	struct sd_finding_flow	*flows;
	size_t			 nflows, flows_cap;
	uint64_t		 nflows_total;
	struct sd_finding_value	 values[SD_FINDING_MAX_VALUES];
	size_t			 nvalues;
	uint32_t		 file_index;
	int64_t			 first_sec, last_sec;
	uint32_t		 first_nsec, last_nsec;
	/* the finding sink (sd_finding_decide): state of the last hand-over */
	struct sd_findings	*owner;
	bool			 decided;	/* handed to the outputs at least once */
	bool			 held;		/* the rule waits for more evidence */
	bool			 touched;	/* changed since the last hand-over */
	uint64_t		 decided_count;	/* count at the last hand-over */
	struct sd_finding_evidence *evidence;	/* owned; NULL without --evidence */
};

/* What an output is told about a finding. */
enum sd_finding_change {
	SD_FINDING_NEW,		/* decided for the first time */
	SD_FINDING_UPDATE,	/* decided before; more occurrences or evidence since */
};

/* An output subscribed to findings as they are decided (terminal, JSON, Redis, ...). */
struct sd_finding_out {
	void	(*decided)(void *ctx, const struct sd_finding *, enum sd_finding_change);
	void	*ctx;
};
#define SD_FINDING_MAX_OUTS	8

struct sd_findings {
	struct sd_finding	**v;
	size_t			 n, cap;
	uint64_t		 dropped;	/* findings refused past the cap */
	/* open-addressing index over (kind, group): slot holds position + 1, 0 empty */
	size_t			*idx;
	size_t			 idx_cap;	/* power of two, at least twice n */
	/* the sink: outputs, and the findings changed since the last hand-over */
	struct sd_finding_out	 outs[SD_FINDING_MAX_OUTS];
	size_t			 nouts;
	struct sd_finding	**touched;
	size_t			 ntouched, touched_cap;
	uint64_t		 touched_lost;	/* no memory to remember a change: settled at the end */
	/*
	 * Set by the capture while it loses packets (live: the kernel dropped more than 1%
	 * since the last statistics record): every finding decided meanwhile gets it as its
	 * value capture_loss, since its evidence may be incomplete.  NULL: no loss.
	 */
	char			 loss_note[160];
};

/* The catalogue entry of a kind (docs/findings.md says the same at length). */
struct sd_finding_kind {
	const char	*kind;
	enum sd_sev	 severity;
	const char	*title;
	const char	*explanation;
	const char	*fix;
};
const struct sd_finding_kind	*sd_finding_kind(enum sd_kind);
/* By stable name ("tls.chain_untrusted"); NULL when no kind has it. */
const struct sd_finding_kind	*sd_finding_kind_get(const char *name);
/* The i-th kind of the whole catalogue (0-based), NULL past the end. */
const struct sd_finding_kind	*sd_finding_kind_at(size_t i);

void	sd_finding_list_free(struct sd_findings *);
/*
 * Move every finding of `from` into l (--workers: each worker's findings into one list);
 * the same kind and group become one finding, as if one list had seen both.  from is
 * left empty.
 */
void	sd_findings_merge(struct sd_findings *l, struct sd_findings *from);

/*
 * The finding sink.  Rules add and fill findings; a finding is *decided* when the rule
 * has its evidence, and is then handed to every subscribed output at once: NEW the first
 * time, UPDATE when later occurrences (same kind and group: the same server, name or
 * gateway pair) add to it.  sd_rules_event() hands over what an event changed once the
 * event is through; a rule that waits for more (the client's reaction) holds the finding
 * (sd_finding_hold) and releases it when it knows.  sd_findings_settle() decides whatever
 * is left at the end.  Outputs choose what to print: offline reports print the list at
 * the end, sorted; live outputs print as findings are decided.
 */
bool	sd_findings_subscribe(struct sd_findings *, const struct sd_finding_out *);
void	sd_finding_hold(struct sd_finding *);
void	sd_finding_release(struct sd_finding *);
/* Hand every changed, unheld finding to the outputs (after an event, on a clock tick). */
void	sd_findings_flush(struct sd_findings *);
/* End of analysis: release every hold and hand over everything not yet decided. */
void	sd_findings_settle(struct sd_findings *);

/*
 * Add one occurrence of `kind` for cause `group` (NULL: one finding per kind).  Returns the
 * finding to fill or extend: count is already incremented; summary, values and
 * confidence are set by the rule the first time (count == 1).  NULL on a memory failure.
 */
struct sd_finding	*sd_finding_add(struct sd_findings *, enum sd_kind, const char *group,
			    int64_t sec, uint32_t nsec, uint32_t file_index);
/*
 * The same, for a cause judged again over everything seen so far (a cross-connection
 * rule's window, then the end): made with count 1 the first time, then returned as it is
 * for the rule to restate its values; an output hears of what changed.
 */
struct sd_finding	*sd_finding_put(struct sd_findings *, enum sd_kind, const char *group,
			    int64_t sec, uint32_t nsec, uint32_t file_index);
void	sd_finding_frame(struct sd_finding *, uint64_t frame);
/* Change the severity (a rule that learns more later); an output hears it as an update. */
void	sd_finding_severity(struct sd_finding *, enum sd_sev);
void	sd_finding_flow(struct sd_finding *, const struct sd_finding_flow *);
void	sd_finding_value(struct sd_finding *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	sd_finding_summary(struct sd_finding *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * A Wireshark display filter that selects exactly the given frames, in ascending order
 * without duplicates, as every Wireshark from 3.6 on reads it:
 * "frame.number == 3 || (frame.number >= 5 && frame.number <= 7)".  Frame numbers count
 * within one capture file: call it once per file.  Writes into buf (len bytes, always
 * terminated; "" for no frames) and never cuts a term in half: when buf is too small the
 * filter shows the lowest frames that fit.  Returns how many of the n entries the filter
 * selects (a duplicate counts each time): n when it shows them all.
 */
size_t	sd_frames_filter(const uint64_t *frames, size_t n, char *buf, size_t len);
/* Longest filter sd_frames_filter() writes for n frames, terminator included: a term per
 * frame at most, each at most " || frame.number == " and 20 digits. */
#define SD_FRAMES_FILTER_LEN(n)	((n) * 40 + 1)
/* The display filter of a finding's evidence frames (sd_frames_filter() on them all). */
size_t	sd_finding_filter(const struct sd_finding *, char *buf, size_t n);
/* Sort by severity (highest first), then kind, file and first evidence frame. */
void	sd_finding_sort(struct sd_findings *);

/* Room for one more of n elements of size sz in the array *v of capacity *cap (doubled,
 * at most max): false, with *v and *cap unchanged, when out of memory or at max. */
bool	sd_grow(void **v, size_t *cap, size_t n, size_t sz, size_t max);

#endif /* SD_ANALYZE_FINDING_H */
