/* cli/out_live.h - findings written as they are decided (live mode, -o FILE). */
#ifndef SD_CLI_OUT_LIVE_H
#define SD_CLI_OUT_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/finding.h"

struct sd_live_out;

/*
 * text: compact lines (NULL none), wrapped to width; json: JSON lines to this stream, or
 * path: appended to this file (opened here, reopened by sd_live_out_reopen); both may be
 * NULL.  files names the findings' files.  NULL with err set when path cannot be opened.
 */
struct sd_live_out *sd_live_out_new(FILE *text, bool color, int width, FILE *json,
		    const char *path, const char *const *files, int nfiles, char *err,
		    size_t errlen);
/* The sink's callback (struct sd_finding_out.decided, ctx the live output). */
void		 sd_live_out_decided(void *ctx, const struct sd_finding *,
		    enum sd_finding_change);
struct sd_redis;
/* Send every finding and update to this Redis stream too (borrowed). */
void		 sd_live_out_set_redis(struct sd_live_out *, struct sd_redis *);
/* The JSON stream findings go to (for the stats and summary records), or NULL. */
FILE		*sd_live_out_json(const struct sd_live_out *);
/* The end: tell the last state of every finding whose repeats were held back. */
void		 sd_live_out_final(struct sd_live_out *, const struct sd_findings *);
/* SIGHUP: reopen -o FILE (after logrotate moved it); false with err when it cannot. */
bool		 sd_live_out_reopen(struct sd_live_out *, char *err, size_t errlen);
/* Lines written, updates held back (a repeat told less than tenfold within a minute),
 * write errors (a full disk). */
void		 sd_live_out_counts(const struct sd_live_out *, uint64_t *lines, uint64_t *held,
		    uint64_t *write_errors);
void		 sd_live_out_free(struct sd_live_out *);

#endif /* SD_CLI_OUT_LIVE_H */
