/* cli/report_int.h - what a report keeps of an analysis, and the writers of its formats. */
#ifndef SD_CLI_REPORT_INT_H
#define SD_CLI_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/report.h"

struct sd_ike_notes;

/* Caps on what one report keeps: a report is read by people, not a database. */
#define RPT_MAX_MSGS	200000	/* ladder messages over all analyses */
#define RPT_MAX_CONNS	20000	/* rows of the connections table */
#define RPT_MAX_CERT_BYTES (16u << 20)	/* DER bytes of certificates kept */
#define RPT_MAX_KEPT_CHAINS	20000	/* certificate chains kept (tiny certificates: bytes alone
				 * would allow millions of chain records) */
#define RPT_LABEL	64

/* One arrow of a ladder: a message of a connection or an IKE exchange. */
#define RPT_RED		0x01	/* an alert, a reset, an error, no answer */
#define RPT_RETX	0x02	/* a retransmission */
struct rpt_msg {
	uint64_t	 flow_id;	/* first: the indexes read it (report_write.c) */
	uint64_t	 frame;		/* frame reference; 0 when the frame is not known */
	int64_t		 sec;
	uint32_t	 nsec;
	bool		 has_ts;
	struct sd_addr	 src;
	uint16_t	 sport;
	uint8_t		 mark;		/* RPT_* */
	char		 label[RPT_LABEL];	/* program text only, never packet bytes */
};

/* A row of the connections table: a TLS/DTLS connection or an IKE SA. */
struct rpt_conn {
	uint64_t	 flow_id;
	bool		 ike, dtls;
	struct sd_addr	 client, server;
	uint16_t	 cport, sport;
	char		*sni;		/* owned, raw packet bytes; NULL none */
	size_t		 sni_len;
	char		 version[48], suite[192], outcome[128];	/* program text */
	uint64_t	 frame;
};

/* A certificate chain as a server sent it. */
struct rpt_chain {
	uint64_t	 flow_id;	/* first: the indexes read it (report_write.c) */
	uint64_t	 frame;
	int64_t		 sec;
	uint32_t	 nsec;
	struct sd_addr	 server;
	uint16_t	 sport;
	size_t		 n, count;	/* kept, and sent */
	uint8_t		*der[16];	/* owned */
	size_t		 len[16];
};

struct rpt_input {
	char		*name;
	uint64_t	 frames;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	char		 linktype[32];
	char		*error;
};

/* One analysis: its findings (moved in) and what its events left. */
struct rpt_run {
	struct sd_findings	 findings;
	struct rpt_input	*inputs;
	int			 ninputs;
	uint64_t		 frames, flows, events;
	uint64_t		 undecoded_link, undecoded_truncated, undecoded_malformed;
	uint64_t		 lost;	/* flows evicted, memcap refusals, rule state lost */
	char			 clock[320];
	struct rpt_msg		*msgs;
	size_t			 nmsgs, msgs_cap;
	struct rpt_conn		*conns;
	size_t			 nconns, conns_cap;
	struct rpt_chain	*chains;
	size_t			 nchains, chains_cap;
	/* indexes made before writing (sd_report_index): by flow id, then frame */
	const struct rpt_msg	**msg_by_flow;
	const struct rpt_chain	**chain_by_flow;
};

struct sd_report {
	char			*path;
	struct sd_ike_notes	*ike;		/* offer, choice and error of IKE SAs */
	enum sd_report_fmt	 fmt;
	const char		*version;
	int			 argc;
	char *const		*argv;
	struct rpt_run		*runs;
	size_t			 nruns, runs_cap;
	size_t			 msgs_total;
	uint64_t		 msgs_lost, conns_lost, certs_lost;
	size_t			 cert_bytes;
	const char *const	*files;		/* every file given (names of findings' files) */
	int			 nfiles;
};

/*
 * A format: the report's structure written by cli/report_write.c through these, so
 * that HTML and Markdown say the same.  Every `const char *` marked "packet" is escaped by
 * the format; the others are program text (escaped all the same where the format needs
 * it, so nothing depends on the caller).
 */
enum rpt_cell {
	RPT_TEXT,	/* packet text */
	RPT_CODE,	/* program text in a code span */
	RPT_SEV,	/* a severity name */
	RPT_LINK,	/* the id of a section of the report: a link to it */
};
struct rpt_fmt {
	void	(*begin)(FILE *, const char *title);
	void	(*end)(FILE *);
	void	(*heading)(FILE *, int level, const char *id, const char *text);
	void	(*para_begin)(FILE *);
	void	(*para_end)(FILE *);
	void	(*text)(FILE *, const char *s, size_t n);	/* packet */
	void	(*code)(FILE *, const char *s);		/* program text in a code span */
	void	(*strong)(FILE *, const char *s, size_t n);	/* packet */
	/* a link to href ("#f1" in the report, or a relative file name); both escaped */
	void	(*link)(FILE *, const char *href, const char *text);
	void	(*table_begin)(FILE *, const char *const *head, int ncols);
	void	(*row_begin)(FILE *, int severity);	/* -1 none, else enum sd_sev */
	void	(*cell)(FILE *, const char *s, size_t n, enum rpt_cell);	/* packet */
	void	(*row_end)(FILE *);
	void	(*table_end)(FILE *);
	void	(*ladder)(FILE *, const struct rpt_msg *const *m, size_t n,
		    const struct sd_finding_flow *fw, size_t fail, const char *note);
	/* a table row drawing a validity period [from, to] with the capture time `when`
	 * marked (the text row before it says the same in words); NULL: none */
	void	(*validity)(FILE *, int64_t from, int64_t to, int64_t when);
};

extern const struct rpt_fmt	sd_report_html;
extern const struct rpt_fmt	sd_report_md;

/* Sort what the analyses kept for lookups by flow (before sd_report_content); false when
 * out of memory (the report is then written without ladders, evidence rows or chains). */
bool	sd_report_index(struct sd_report *);
/* The content, in order, through a format (cli/report_write.c). */
void	sd_report_content(const struct sd_report *, const struct rpt_fmt *, FILE *);

/* The names of a ladder's columns: "client" and "server", "initiator" and "responder". */
void	sd_report_sides(const struct sd_finding_flow *fw, const char **left, const char **right);
/* Does m go from the client of fw to its server (the ladders' arrows)? */
bool	sd_report_from_client(const struct rpt_msg *, const struct sd_finding_flow *fw);
/* "+0.012": seconds of m[i] since the first of m[0..n) with a time; "-" without one. */
void	sd_report_reltime(char *buf, size_t len, const struct rpt_msg *const *m, size_t n,
	    size_t i);

/* "HH:MM:SS.mmm" of a time (UTC) into buf (16 bytes at least). */
const char	*sd_report_clock(char *buf, size_t n, int64_t sec, uint32_t nsec);

#endif /* SD_CLI_REPORT_INT_H */
