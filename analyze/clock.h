/* analyze/clock.h - is the capture's clock right?  Certificate validity is judged at the
 * time a capture says; a device without RTC or NTP (1970-01-01, 2000-01-01) or an
 * anonymised file says a wrong one, and every certificate then looks out of date. */
#ifndef SD_ANALYZE_CLOCK_H
#define SD_ANALYZE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"

struct sd_clock;
struct sd_x509_info;

/* When a clock is told apart from right, and why. */
enum sd_clock_verdict {
	SD_CLOCK_UNKNOWN,	/* nothing says it is wrong */
	SD_CLOCK_RIGHT,		/* TLS hello times of the capture's hosts agree with it */
	SD_CLOCK_WRONG,		/* implausible: before 1995, in the future, before most
				 * certificates' notBefore, or far from the hosts' clocks */
	SD_CLOCK_GIVEN,		/* --time: the user gave the real time */
};

/*
 * given: the real time of the capture's first frame (--time), 0 when not given; now: the
 * time of the analysis (a capture later than it by days has a clock in the future).
 * NULL on memory failure.
 */
struct sd_clock	*sd_clock_new(int64_t given, int64_t now);
void		 sd_clock_free(struct sd_clock *);	/* NULL-safe */
/* Feed every event (before the rule areas see it): frame times and TLS hello times. */
void		 sd_clock_event(struct sd_clock *, const struct sd_event *);
/* A server's chain x[0..n) (NULL for one not parsed), first seen at ts: the trust rules
 * hand over each chain they check, before asking sd_clock_when. */
void		 sd_clock_certificates(struct sd_clock *, uint32_t file_index, int64_t ts,
		    const struct sd_x509_info *const *x, size_t n);

/* The verdict for an input file as the events so far show it. */
enum sd_clock_verdict sd_clock_verdict(const struct sd_clock *, uint32_t file_index);
/*
 * The time to judge a certificate's validity at for a frame stamped ts of an input:
 * ts itself, shifted by --time; SD_CLOCK_NO_TIME when the clock is wrong (validity is
 * then not judged).
 */
#define SD_CLOCK_NO_TIME	INT64_MIN
int64_t		 sd_clock_when(const struct sd_clock *, uint32_t file_index, int64_t ts);
/* Inputs seen so far (file indexes 0 .. n-1), and the earliest frame time of one. */
size_t		 sd_clock_files(const struct sd_clock *);
int64_t		 sd_clock_first(const struct sd_clock *, uint32_t file_index);
/* Did an input show certificates (TLS Certificate messages in the clear)? */
bool		 sd_clock_saw_certificates(const struct sd_clock *, uint32_t file_index);
/*
 * What the clock reads and why it is judged so, one sentence: "the capture clock reads
 * 1970-01-01T00:00:00Z, before 1995"; "" for SD_CLOCK_UNKNOWN and SD_CLOCK_RIGHT.
 * evidence (may be NULL): the certificates or hello times that show it.
 */
void		 sd_clock_text(const struct sd_clock *, uint32_t file_index, char *buf,
		    size_t n, char *evidence, size_t en);

/* "2016-03-01T12:00:00Z" (or "2016-03-01T12:00Z", "2016-03-01") to seconds; false when
 * malformed. */
bool		 sd_clock_parse_iso(const char *, int64_t *out);

#endif /* SD_ANALYZE_CLOCK_H */
