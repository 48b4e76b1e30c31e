/*
 * tests/fuzz/fuzz_escape.c - the escapers of packet strings, checked for what they promise.
 *
 * The input is one untrusted string (an SNI, a certificate subject, a reason phrase).  Each
 * escaper writes it; the target aborts when the output breaks the format's promise:
 *   terminal (sd_out_esc_ctl, what the text output uses): valid UTF-8, no C0 control, DEL,
 *     C1 control (U+0080..U+009F, the byte 0x9b among them) or invisible format character;
 *   HTML (sd_out_esc_html): the same, no < > " ' at all, & only in &amp; &lt; &gt; &quot;
 *     &#39;;
 *   Markdown (sd_out_esc_md): the same, read back through its escapes (\x, &#N;) no
 *     markup character stands bare, and no autolink ("scheme://", "www.", "user@") remains;
 *   JSON (sd_out_json_strn): one string literal, valid UTF-8, every control (C0, DEL, C1)
 *     escaped.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/json.h"
#include "cli/report_esc.h"
#include "tests/fuzz/fuzz.h"

static SD_FUZZ_ORACLE void
fail(const char *fmt, const char *what, const unsigned char *s, size_t n)
{
	size_t i;

	fprintf(stderr, "fuzz_escape: %s: %s\noutput:", fmt, what);
	for (i = 0; i < n && i < 256; i++)
		fprintf(stderr, " %02x", s[i]);
	fputc('\n', stderr);
	abort();
}

/*
 * The next code point of s[0..n), -1 when it is not well-formed UTF-8: the byte ranges of
 * the Unicode Standard's table 3-7 (an oracle apart from the escapers' own decoder).
 */
static SD_FUZZ_ORACLE long
next_cp(const unsigned char *s, size_t n, size_t *len)
{
	static const struct {
		unsigned char	lo[4], hi[4];
		size_t		n;
	} wf[] = {
		{ { 0x00 }, { 0x7f }, 1 },
		{ { 0xc2, 0x80 }, { 0xdf, 0xbf }, 2 },
		{ { 0xe0, 0xa0, 0x80 }, { 0xe0, 0xbf, 0xbf }, 3 },
		{ { 0xe1, 0x80, 0x80 }, { 0xec, 0xbf, 0xbf }, 3 },
		{ { 0xed, 0x80, 0x80 }, { 0xed, 0x9f, 0xbf }, 3 },
		{ { 0xee, 0x80, 0x80 }, { 0xef, 0xbf, 0xbf }, 3 },
		{ { 0xf0, 0x90, 0x80, 0x80 }, { 0xf0, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf1, 0x80, 0x80, 0x80 }, { 0xf3, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf4, 0x80, 0x80, 0x80 }, { 0xf4, 0x8f, 0xbf, 0xbf }, 4 },
	};
	static const unsigned char lead_bits[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	size_t r, k;
	long cp;

	*len = 1;
	if (s[0] < 0x80)	/* the table's first row, the most frequent */
		return s[0];
	for (r = 0; r < sizeof(wf) / sizeof(wf[0]); r++) {
		if (n < wf[r].n)
			continue;
		for (k = 0; k < wf[r].n; k++)
			if (s[k] < wf[r].lo[k] || s[k] > wf[r].hi[k])
				break;
		if (k < wf[r].n)
			continue;
		cp = s[0] & lead_bits[wf[r].n];
		for (k = 1; k < wf[r].n; k++)
			cp = cp << 6 | (s[k] & 0x3f);
		*len = wf[r].n;
		return cp;
	}
	return -1;
}

static SD_FUZZ_ORACLE bool
bad_cp(long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/* Valid UTF-8 with no control and no invisible character (the terminal's promise). */
static SD_FUZZ_ORACLE void
check_visible(const char *fmt, const unsigned char *o, size_t n)
{
	size_t i = 0, len;
	long cp;

	while (i < n) {
		cp = next_cp(o + i, n - i, &len);
		if (cp < 0)
			fail(fmt, "not valid UTF-8", o, n);
		if (bad_cp(cp))
			fail(fmt, "a control or invisible character", o, n);
		i += len;
	}
}

static SD_FUZZ_ORACLE void
check_html(const unsigned char *o, size_t n)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
	size_t i, k;

	check_visible("html", o, n);
	for (i = 0; i < n; i++) {
		if (o[i] == '<' || o[i] == '>' || o[i] == '"' || o[i] == '\'')
			fail("html", "a markup character", o, n);
		if (o[i] != '&')
			continue;
		for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++)
			if (n - i >= strlen(refs[k]) && memcmp(o + i, refs[k], strlen(refs[k])) == 0)
				break;
		if (k == sizeof(refs) / sizeof(refs[0]))
			fail("html", "an & that starts no known reference", o, n);
	}
}

/* Does the decoded text t[0..n) hold ASCII word w at i, in any case? */
static SD_FUZZ_ORACLE bool
at_ci(const long *t, size_t n, size_t i, const char *w)
{
	size_t k, m = strlen(w);

	if (n - i < m)
		return false;
	for (k = 0; k < m; k++) {
		long c = t[i + k];

		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != w[k])
			return false;
	}
	return true;
}

static SD_FUZZ_ORACLE void
check_md(const unsigned char *o, size_t n)
{
	/* what a renderer may read as structure when it stands bare */
	static const char markup[] = "\\`*_{}[]()#+-.!<>&|~";
	long *t = malloc((n + 1) * sizeof(*t));
	size_t i = 0, m = 0, len;

	if (t == NULL)
		abort();
	check_visible("markdown", o, n);
	while (i < n) {
		size_t k = i + 4;

		/* the visible form of an invisible character, \\u{NNNN}: text */
		if (n - i > 5 && memcmp(o + i, "\\\\u{", 4) == 0) {
			while (k < n && strchr("0123456789abcdef", o[k]) != NULL && o[k] != '\0')
				k++;
			if (k < n && k > i + 4 && o[k] == '}') {
				for (t[m++] = '\\', i += 2; i <= k; i++)
					t[m++] = o[i];
				continue;
			}
		}
		if (o[i] == '\\' && i + 1 < n && strchr(markup, o[i + 1]) != NULL) {
			t[m++] = o[i + 1];
			i += 2;
		} else if (o[i] == '&' && i + 1 < n && o[i + 1] == '#') {
			long v = 0;

			for (i += 2; i < n && o[i] >= '0' && o[i] <= '9' && v < 0x110000; i++)
				v = v * 10 + (o[i] - '0');
			if (i >= n || o[i] != ';')
				fail("markdown", "an unterminated character reference", o, n);
			t[m++] = v;
			i++;
		} else if (o[i] < 0x80 && strchr(markup, o[i]) != NULL) {
			fail("markdown", "a bare markup character", o, n);
		} else {
			t[m++] = next_cp(o + i, n - i, &len);
			i += len;
		}
	}
	for (i = 0; i < m; i++) {
		if (at_ci(t, m, i, "://") || at_ci(t, m, i, "www."))
			fail("markdown", "an autolink", o, n);
		if (t[i] == '@' && (i + 1 == m || t[i + 1] != 0x200b))
			fail("markdown", "an e-mail autolink", o, n);
	}
	free(t);
}

static SD_FUZZ_ORACLE void
check_json(const unsigned char *o, size_t n)
{
	size_t i, len;
	long cp;

	if (n < 2 || o[0] != '"' || o[n - 1] != '"')
		fail("json", "not one string literal", o, n);
	for (i = 1; i < n - 1; i += len) {
		len = 1;
		if (o[i] == '\\') {
			if (i + 1 >= n - 1)
				fail("json", "a lone backslash", o, n);
			if (o[i + 1] == 'u') {
				size_t k;

				for (k = 2; k < 6; k++)
					if (i + k >= n - 1 || strchr("0123456789abcdefABCDEF",
					    o[i + k]) == NULL || o[i + k] == '\0')
						fail("json", "a bad \\u escape", o, n);
				len = 6;
			} else if (strchr("\"\\/bfnrt", o[i + 1]) != NULL && o[i + 1] != '\0') {
				len = 2;
			} else {
				fail("json", "a bad escape", o, n);
			}
			continue;
		}
		if (o[i] == '"')
			fail("json", "a bare quote", o, n);
		cp = next_cp(o + i, n - 1 - i, &len);
		if (cp < 0)
			fail("json", "not valid UTF-8", o, n);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
			fail("json", "a bare control", o, n);
	}
}

typedef void (*esc_fn)(FILE *, const char *, size_t);

static void
run(esc_fn fn, const uint8_t *data, size_t size, void (*check)(const unsigned char *, size_t))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	fn(f, (const char *)data, size);
	if (fclose(f) != 0)
		abort();
	check((const unsigned char *)buf, len);
	free(buf);
}

static SD_FUZZ_ORACLE void
check_term(const unsigned char *o, size_t n)
{
	check_visible("terminal", o, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_json j;

	run(sd_out_esc_ctl, data, size, check_term);
	run(sd_out_esc_html, data, size, check_html);
	run(sd_out_esc_md, data, size, check_md);
	sd_out_json_init(&j);
	sd_out_json_strn(&j, NULL, data, size);
	check_json((const unsigned char *)j.buf, j.len);
	sd_out_json_free(&j);
	return 0;
}
