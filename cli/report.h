/* cli/report.h - --report FILE.html|FILE.md: an incident report that stands on its own. */
#ifndef SD_CLI_REPORT_H
#define SD_CLI_REPORT_H

#include <stdbool.h>

#include "analyze/finding.h"
#include "cli/out.h"
#include "dissect/event.h"

enum sd_report_fmt {
	SD_REPORT_NONE,
	SD_REPORT_HTML,
	SD_REPORT_MD,
};

/* The format a file name asks for by its extension (.html, .htm, .md; any case). */
enum sd_report_fmt	sd_report_format(const char *path);

struct sd_report;

/*
 * A report to write to path at the end; version and argv (borrowed until sd_report_free)
 * are the shakedown and the command line it names.  NULL when out of memory.
 */
struct sd_report	*sd_report_new(const char *path, enum sd_report_fmt, const char *version,
			    int argc, char *const *argv);
void			 sd_report_free(struct sd_report *);

/*
 * One analysis (a file, or every file with --merge): sd_report_begin() before its first
 * event; sd_report_event() is an event sink (struct sd_ev_sink) that keeps what the report
 * shows of each event (messages for the ladders, connections, certificates, peers);
 * sd_report_end() takes the analysis's findings (moved out of *l, which is left empty) and
 * copies what the summary says of its inputs.
 */
void	sd_report_begin(struct sd_report *);
void	sd_report_event(void *ctx, const struct sd_event *);
void	sd_report_end(struct sd_report *, struct sd_findings *l, const struct sd_out_summary *);

/* Write the report to its file; false after saying why on stderr. */
bool	sd_report_write(struct sd_report *);

#endif /* SD_CLI_REPORT_H */
