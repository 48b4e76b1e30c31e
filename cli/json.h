/* cli/json.h - a small JSON Lines writer that escapes every string from a packet. */
#ifndef SD_CLI_JSON_H
#define SD_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SD_JSON_DEPTH	16
/* The longest line the writer builds (with its '\n'); past it the line is dropped. */
#define SD_JSON_MAX_LINE	((size_t)16 << 20)

/*
 * Builds one JSON value at a time into a growable line buffer, then writes it with
 * sd_out_json_end_line().  Keys are program constants; every string value is escaped
 * (control bytes as \u00XX, invalid UTF-8 bytes as \u00XX of their Latin-1 reading), so
 * nothing from a packet reaches the output raw.
 *
 * A line that would pass SD_JSON_MAX_LINE, or for which memory runs out, is marked failed:
 * what follows is not added, sd_out_json_end_line() writes nothing, and the line is counted
 * in sd_out_json_dropped() when it is reset or freed.  Never a partial line, never abort().
 */
struct sd_x509_cache;

struct sd_json {
	char		*buf;
	size_t		 len, cap;
	int		 depth;
	bool		 failed;	/* this line is dropped (cap or memory) */
	bool		 need_comma[SD_JSON_DEPTH];
	/* certificate facts for the event writers (borrowed; NULL: describe each time) */
	struct sd_x509_cache *x509;
};

void	sd_out_json_init(struct sd_json *);
void	sd_out_json_free(struct sd_json *);
void	sd_out_json_reset(struct sd_json *);	/* start a new line */

void	sd_out_json_obj_begin(struct sd_json *, const char *key);	/* key NULL inside arrays / at top */
void	sd_out_json_obj_end(struct sd_json *);
void	sd_out_json_arr_begin(struct sd_json *, const char *key);
void	sd_out_json_arr_end(struct sd_json *);

/* key NULL for array elements. */
void	sd_out_json_str(struct sd_json *, const char *key, const char *s);	/* NULL -> null */
void	sd_out_json_str_or_null(struct sd_json *, const char *key, const char *s);	/* "" too */
void	sd_out_json_strn(struct sd_json *, const char *key, const void *s, size_t n);
void	sd_out_json_int(struct sd_json *, const char *key, int64_t);
void	sd_out_json_uint(struct sd_json *, const char *key, uint64_t);
void	sd_out_json_bool(struct sd_json *, const char *key, bool);
void	sd_out_json_null(struct sd_json *, const char *key);
/* v when has, else null. */
void	sd_out_json_uint_opt(struct sd_json *, const char *key, bool has, uint64_t v);
void	sd_out_json_double(struct sd_json *, const char *key, double, int decimals);
void	sd_out_json_hex(struct sd_json *, const char *key, const uint8_t *, size_t);	/* lowercase */
/* Timestamp as seconds.fraction with 6 digits (9 when nsec % 1000 != 0). */
void	sd_out_json_ts(struct sd_json *, const char *key, int64_t sec, uint32_t nsec);
/*
 * ISO 8601 UTC: "2026-12-05T16:19:47.123456Z" (microseconds; nanoseconds when the time has
 * them).  buf of at least SD_ISO_LEN.  Times outside years 0..9999 are written as epoch seconds.
 */
#define SD_ISO_LEN	40
const char	*sd_out_iso_time(char *buf, size_t n, int64_t sec, uint32_t nsec);
void	sd_out_json_iso(struct sd_json *, const char *key, int64_t sec, uint32_t nsec);
/* "anomalies": [names of the bits of flags set], from a dissect/anomaly.h table. */
struct sd_anomaly_name;
void	sd_out_json_anomalies(struct sd_json *, uint32_t flags, const struct sd_anomaly_name *,
	    size_t n);

/* Lines dropped so far by every writer (the size cap or memory). */
uint64_t	sd_out_json_dropped(void);

/* Write the buffer plus '\n' to f and reset.  Returns false on a write error; a failed
 * line is not written (and not a write error). */
bool	sd_out_json_end_line(struct sd_json *, FILE *f);

#endif /* SD_CLI_JSON_H */
