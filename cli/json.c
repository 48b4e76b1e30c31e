/* cli/json.c - JSON Lines writer with escaping of untrusted strings (RFC 8259). */
#include "cli/json.h"

#include "dissect/anomaly.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_uint_least64_t dropped;	/* lines marked failed, every writer */

uint64_t
sd_out_json_dropped(void)
{
	return atomic_load(&dropped);
}

void
sd_out_json_init(struct sd_json *j)
{
	memset(j, 0, sizeof(*j));
}

void
sd_out_json_free(struct sd_json *j)
{
	if (j->failed)
		atomic_fetch_add(&dropped, 1);
	free(j->buf);
	memset(j, 0, sizeof(*j));
}

void
sd_out_json_reset(struct sd_json *j)
{
	if (j->failed)
		atomic_fetch_add(&dropped, 1);
	j->failed = false;
	j->len = 0;
	j->depth = 0;
	j->need_comma[0] = false;
	if (j->buf != NULL)
		j->buf[0] = '\0';
}

/* Room for n more bytes and the NUL; false (the line failed) past the cap or memory. */
static bool
grow(struct sd_json *j, size_t n)
{
	size_t ncap;
	char *nb;

	if (j->failed)
		return false;
	if (j->cap - j->len >= n + 1)
		return true;
	if (n >= SD_JSON_MAX_LINE - j->len) {
		j->failed = true;
		return false;
	}
	ncap = j->cap ? j->cap : 1024;
	while (ncap - j->len < n + 1)
		ncap *= 2;
	if ((nb = realloc(j->buf, ncap)) == NULL) {
		j->failed = true;
		return false;
	}
	j->buf = nb;
	j->cap = ncap;
	return true;
}

static void
put(struct sd_json *j, const char *s, size_t n)
{
	if (!grow(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void
putc_(struct sd_json *j, char c)
{
	if (!grow(j, 1))
		return;
	j->buf[j->len++] = c;
	j->buf[j->len] = '\0';
}

/* \u00XX for a control character or a byte that is not UTF-8 (read as Latin-1). */
static void
put_u00(struct sd_json *j, unsigned c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', '0', '0', hex[(c >> 4) & 15], hex[c & 15] };

	put(j, e, sizeof(e));
}

static void
put_escaped(struct sd_json *j, const uint8_t *s, size_t n)
{
	size_t i = 0;

	putc_(j, '"');
	while (i < n) {
		uint8_t c = s[i];
		size_t clen = 0, k;

		/* a run of printable ASCII that needs no escape: one copy */
		for (k = i; k < n && s[k] >= 0x20 && s[k] < 0x7f && s[k] != '"' && s[k] != '\\';
		    k++)
			;
		if (k > i) {
			put(j, (const char *)s + i, k - i);
			i = k;
			continue;
		}
		if (c == '"' || c == '\\') {
			putc_(j, '\\');
			putc_(j, (char)c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			put_u00(j, c);
			i++;
			continue;
		}
		/* multi-byte UTF-8: pass through only when well-formed */
		if (c >= 0xc2 && c <= 0xdf)
			clen = 2;
		else if (c >= 0xe0 && c <= 0xef)
			clen = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			clen = 4;
		if (clen != 0 && n - i >= clen) {
			uint32_t cp = c & (0x7f >> clen);

			for (k = 1; k < clen; k++) {
				if ((s[i + k] & 0xc0) != 0x80)
					break;
				cp = cp << 6 | (s[i + k] & 0x3f);
			}
			if (k == clen && clen == 2 && cp <= 0x9f) {
				/* a C1 control (U+0080-U+009F, U+009B is CSI): escaped */
				put_u00(j, cp);
				i += clen;
				continue;
			}
			if (k == clen && !(clen == 3 && cp < 0x800) &&
			    !(clen == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
			    !(cp >= 0xd800 && cp <= 0xdfff)) {
				put(j, (const char *)s + i, clen);
				i += clen;
				continue;
			}
		}
		put_u00(j, c);
		i++;
	}
	putc_(j, '"');
}

static void
begin_value(struct sd_json *j, const char *key)
{
	if (j->need_comma[j->depth])
		putc_(j, ',');
	j->need_comma[j->depth] = true;
	if (key != NULL) {
		put_escaped(j, (const uint8_t *)key, strlen(key));
		putc_(j, ':');
	}
}

void
sd_out_json_obj_begin(struct sd_json *j, const char *key)
{
	begin_value(j, key);
	putc_(j, '{');
	if (j->depth < SD_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void
sd_out_json_obj_end(struct sd_json *j)
{
	putc_(j, '}');
	if (j->depth > 0)
		j->depth--;
}

void
sd_out_json_arr_begin(struct sd_json *j, const char *key)
{
	begin_value(j, key);
	putc_(j, '[');
	if (j->depth < SD_JSON_DEPTH - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void
sd_out_json_arr_end(struct sd_json *j)
{
	putc_(j, ']');
	if (j->depth > 0)
		j->depth--;
}

void
sd_out_json_str(struct sd_json *j, const char *key, const char *s)
{
	if (s == NULL) {
		sd_out_json_null(j, key);
		return;
	}
	begin_value(j, key);
	put_escaped(j, (const uint8_t *)s, strlen(s));
}

void
sd_out_json_str_or_null(struct sd_json *j, const char *key, const char *s)
{
	sd_out_json_str(j, key, s != NULL && s[0] != '\0' ? s : NULL);
}

void
sd_out_json_strn(struct sd_json *j, const char *key, const void *s, size_t n)
{
	begin_value(j, key);
	put_escaped(j, s, n);
}

/*
 * Decimal digits of v ending at end (no printf: an event line has dozens of numbers), at
 * least `width` of them (zero-padded); returns where they start.
 */
static char *
digits(char *end, uint64_t v, int width)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
		width--;
	} while (v != 0 || width > 0);
	return p;
}

/* A signed number, "-" when negative (INT64_MIN included). */
static void
put_int(struct sd_json *j, int64_t v)
{
	char b[24], *p;

	p = digits(b + sizeof(b), v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 1);
	if (v < 0)
		*--p = '-';
	put(j, p, (size_t)(b + sizeof(b) - p));
}

void
sd_out_json_int(struct sd_json *j, const char *key, int64_t v)
{
	begin_value(j, key);
	put_int(j, v);
}

void
sd_out_json_uint(struct sd_json *j, const char *key, uint64_t v)
{
	char b[24], *p;

	begin_value(j, key);
	p = digits(b + sizeof(b), v, 1);
	put(j, p, (size_t)(b + sizeof(b) - p));
}

void
sd_out_json_bool(struct sd_json *j, const char *key, bool v)
{
	begin_value(j, key);
	if (v)
		put(j, "true", 4);
	else
		put(j, "false", 5);
}

void
sd_out_json_null(struct sd_json *j, const char *key)
{
	begin_value(j, key);
	put(j, "null", 4);
}

void
sd_out_json_uint_opt(struct sd_json *j, const char *key, bool has, uint64_t v)
{
	if (has)
		sd_out_json_uint(j, key, v);
	else
		sd_out_json_null(j, key);
}

void
sd_out_json_double(struct sd_json *j, const char *key, double v, int decimals)
{
	char b[64];
	int n;

	begin_value(j, key);
	if (v != v || v > 1e300 || v < -1e300) {
		put(j, "null", 4);
		return;
	}
	n = snprintf(b, sizeof(b), "%.*f", decimals, v);
	put(j, b, (size_t)n);
}

void
sd_out_json_hex(struct sd_json *j, const char *key, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	begin_value(j, key);
	if (!grow(j, 2 * n + 2))
		return;	/* the line failed: nothing more is added */
	j->buf[j->len++] = '"';
	for (i = 0; i < n; i++) {
		j->buf[j->len++] = hex[p[i] >> 4];
		j->buf[j->len++] = hex[p[i] & 15];
	}
	j->buf[j->len++] = '"';
	j->buf[j->len] = '\0';
}

void
sd_out_json_ts(struct sd_json *j, const char *key, int64_t sec, uint32_t nsec)
{
	char b[24], *p;

	begin_value(j, key);
	put_int(j, sec);
	/* nanoseconds when there are, else microseconds (as printf's %09u / %06u: a nsec of
	 * 1e9 or more keeps all its digits) */
	if (nsec % 1000 != 0)
		p = digits(b + sizeof(b), nsec, 9);
	else
		p = digits(b + sizeof(b), nsec / 1000, 6);
	*--p = '.';
	put(j, p, (size_t)(b + sizeof(b) - p));
}

const char *
sd_out_iso_time(char *buf, size_t n, int64_t sec, uint32_t nsec)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char frac[16];

	if (nsec % 1000 != 0)
		snprintf(frac, sizeof(frac), ".%09u", nsec % 1000000000u);
	else
		snprintf(frac, sizeof(frac), ".%06u", (nsec / 1000) % 1000000u);
	if (sec < -62167219200LL || sec > 253402300799LL || gmtime_r(&t, &tm) == NULL)
		snprintf(buf, n, "%" PRId64 "%s", sec, frac);
	else
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

void
sd_out_json_iso(struct sd_json *j, const char *key, int64_t sec, uint32_t nsec)
{
	char b[SD_ISO_LEN];

	sd_out_json_str(j, key, sd_out_iso_time(b, sizeof(b), sec, nsec));
}

bool
sd_out_json_end_line(struct sd_json *j, FILE *f)
{
	bool ok = true;

	putc_(j, '\n');
	if (!j->failed)
		ok = fwrite(j->buf, 1, j->len, f) == j->len;
	sd_out_json_reset(j);
	return ok;
}

void
sd_out_json_anomalies(struct sd_json *j, uint32_t flags, const struct sd_anomaly_name *t,
    size_t n)
{
	size_t i;

	sd_out_json_arr_begin(j, "anomalies");
	for (i = 0; i < n; i++)
		if (flags & t[i].bit)
			sd_out_json_str(j, NULL, t[i].name);
	sd_out_json_arr_end(j);
}
