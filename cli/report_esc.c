/* cli/report_esc.c - untrusted strings as HTML text and as GitHub-flavoured Markdown. */
#include "cli/report_esc.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * The next character of s[0..n): its code point and length, or -1 (length 1) for a byte
 * that does not start a valid, shortest-form UTF-8 sequence (RFC 3629 §4).
 */
static int32_t
decode_utf8(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t cp, min;
	size_t k, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		cp = s[0] & 0x1fu;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		cp = s[0] & 0x0fu;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		cp = s[0] & 0x07u;
		min = 0x10000;
	} else {
		return -1;
	}
	if (n < k)
		return -1;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return (int32_t)cp;
}

/* Format characters that hide or reorder text around them (Unicode "Cf" that matter). */
static bool
is_invisible(int32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

/*
 * Write a character that must not reach the file as it is: \xNN for a control or a bad
 * byte, \u{NNNN} for an invisible one; bs is the backslash as the format writes it.
 * Returns false when the character is fine as it is.
 */
static bool
put_visible(FILE *f, int32_t cp, unsigned char byte, const char *bs)
{
	static const char hex[] = "0123456789abcdef";
	char b[16];
	size_t n = strlen(bs);
	unsigned v;

	/* built by hand, not by fprintf: a hostile string is mostly such characters */
	memcpy(b, bs, n);
	if (cp < 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
		v = cp < 0 ? byte : (unsigned)cp;
		b[n++] = 'x';
		b[n++] = hex[v >> 4];
		b[n++] = hex[v & 15];
	} else if (is_invisible(cp)) {
		v = (unsigned)cp;	/* U+200B..U+FEFF: four hex digits */
		b[n++] = 'u';
		b[n++] = '{';
		b[n++] = hex[v >> 12 & 15];
		b[n++] = hex[v >> 8 & 15];
		b[n++] = hex[v >> 4 & 15];
		b[n++] = hex[v & 15];
		b[n++] = '}';
	} else {
		return false;
	}
	(void)fwrite(b, 1, n, f);
	return true;
}

void
sd_out_esc_html(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	int32_t cp;

	while (i < n) {
		cp = decode_utf8(p + i, n - i, &len);
		if (put_visible(f, cp, p[i], "\\")) {
			i += len;
			continue;
		}
		switch (cp) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			(void)fwrite(p + i, 1, len, f);
		}
		i += len;
	}
}

void
sd_out_esc_ctl(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	int32_t cp;

	while (i < n) {
		cp = decode_utf8(p + i, n - i, &len);
		if (!put_visible(f, cp, p[i], "\\"))
			(void)fwrite(p + i, 1, len, f);
		i += len;
	}
}

size_t
sd_out_esc_ctl_next(const char *s, size_t n, size_t *cols)
{
	size_t len;
	int32_t cp = decode_utf8((const unsigned char *)s, n, &len);

	if (cp < 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		*cols = 4;	/* \xNN */
	else if (is_invisible(cp))
		*cols = 8;	/* \u{NNNN} */
	else
		*cols = 1;
	return len;
}

/* Does s[i..n) start with the ASCII word w, in any case? */
static bool
starts_ci(const unsigned char *s, size_t n, size_t i, const char *w)
{
	size_t k, m = strlen(w);

	if (n - i < m)
		return false;
	for (k = 0; k < m; k++) {
		unsigned char c = s[i + k];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)w[k])
			return false;
	}
	return true;
}

void
sd_out_esc_md(FILE *f, const char *s, size_t n)
{
	/* escapes that CommonMark and python-markdown both read back as the character */
	static const char both[] = "\\`*_{}[]()#+-.!";
	/* never markup in running text once < & [ ( and the above are escaped */
	static const char plain[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ,;?%/:@\"'=";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	int32_t cp;

	while (i < n) {
		cp = decode_utf8(p + i, n - i, &len);
		if (put_visible(f, cp, p[i], "\\\\")) {
			i += len;
			continue;
		}
		if (starts_ci(p, n, i, "www.")) {
			/* "www" and a zero-width space before the dot: no autolink on "www.x" */
			(void)fwrite(p + i, 1, 3, f);
			fputs("&#8203;\\.", f);
			i += 4;
			continue;
		}
		if (cp < 0x80 && cp > 0x20 && strchr(plain, cp) == NULL) {
			char b[8];
			size_t k = 0;

			if (strchr(both, cp) != NULL) {
				b[k++] = '\\';
				b[k++] = (char)cp;
			} else {
				/* &#N; for an ASCII character: two or three digits */
				b[k++] = '&';
				b[k++] = '#';
				if (cp >= 100)
					b[k++] = (char)('0' + cp / 100);
				b[k++] = (char)('0' + cp / 10 % 10);
				b[k++] = (char)('0' + cp % 10);
				b[k++] = ';';
			}
			(void)fwrite(b, 1, k, f);
		} else {
			(void)fwrite(p + i, 1, len, f);
		}
		/* "scheme:" + "//" and "user@" lose their link with a zero-width space */
		if ((cp == ':' && n - i > 1 && p[i + 1] == '/') || cp == '@')
			fputs("&#8203;", f);
		i += len;
	}
}
