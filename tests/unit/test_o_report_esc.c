/* tests/unit/test_o_report_esc.c - the report's escapers (cli/report_esc.c): a packet string
 * becomes text in HTML and Markdown, never markup, a link, or a terminal sequence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/report_esc.h"

typedef void	esc_fn(FILE *, const char *, size_t);

/* What an escaper writes for s[0..n), as a malloc'd string. */
static char *
esc(esc_fn *fn, const char *s, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s, n);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
expect(esc_fn *fn, const char *in, const char *want)
{
	char *got = esc(fn, in, strlen(in));

	assert_string_equal(got, want);
	free(got);
}

static void
html_markup(void **state)
{
	(void)state;
	expect(sd_out_esc_html, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	/* attribute values too: no quote ends one */
	expect(sd_out_esc_html, "\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	expect(sd_out_esc_html, "a'b&c", "a&#39;b&amp;c");
	expect(sd_out_esc_html, "../../etc/passwd", "../../etc/passwd");
	expect(sd_out_esc_html, "www.example.test", "www.example.test");
	expect(sd_out_esc_html, "", "");
}

static void
controls_visible(void **state)
{
	char *got;

	(void)state;
	/* ANSI colour and an OSC 8 hyperlink: ESC shown, never written */
	expect(sd_out_esc_html, "\x1b[31mred\x1b]8;;http://x\x1b\\",
	    "\\x1b[31mred\\x1b]8;;http://x\\x1b\\");
	expect(sd_out_esc_html, "a\tb\nc\rd\x7f", "a\\x09b\\x0ac\\x0dd\\x7f");
	/* the 8-bit CSI alone (invalid UTF-8) and as U+009B in UTF-8 */
	expect(sd_out_esc_html, "\x9b" "31m", "\\x9b31m");
	expect(sd_out_esc_html, "\xc2\x9b" "31m", "\\x9b31m");
	/* a right-to-left override and a zero-width space */
	expect(sd_out_esc_html, "ab\xe2\x80\xae" "cd\xe2\x80\x8b", "ab\\u{202e}cd\\u{200b}");
	/* bad UTF-8: an overlong '<', a surrogate, a cut sequence; each byte shown */
	expect(sd_out_esc_html, "\xc0\xbc", "\\xc0\\xbc");
	expect(sd_out_esc_html, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect(sd_out_esc_html, "x\xe2\x82", "x\\xe2\\x82");
	/* valid UTF-8 passes */
	expect(sd_out_esc_html, "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\x92",
	    "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x94\x92");
	/* a NUL inside the string is shown, and the rest still written */
	got = esc(sd_out_esc_html, "a\0<b", 4);
	assert_string_equal(got, "a\\x00&lt;b");
	free(got);
	/* in Markdown the backslash is itself escaped, so it shows */
	expect(sd_out_esc_md, "\x1b[31m", "\\\\x1b\\[31m");
	/* in a code span nothing is markup: controls only */
	expect(sd_out_esc_ctl, "<b>\x1b", "<b>\\x1b");
}

static void
md_markup(void **state)
{
	(void)state;
	expect(sd_out_esc_md, "<script>alert(1)</script>",
	    "&#60;script&#62;alert\\(1\\)&#60;/script&#62;");
	expect(sd_out_esc_md, "[link](http://evil.example)",
	    "\\[link\\]\\(http:&#8203;//evil\\.example\\)");
	expect(sd_out_esc_md, "*a* _b_ `c` # | ~d~ !e",
	    "\\*a\\* \\_b\\_ \\`c\\` \\# &#124; &#126;d&#126; \\!e");
	expect(sd_out_esc_md, "a&amp;b", "a&#38;amp;b");
	expect(sd_out_esc_md, "\"><img src=x onerror=alert(1)>",
	    "\"&#62;&#60;img src=x onerror=alert\\(1\\)&#62;");
	expect(sd_out_esc_md, "$x$ ^y", "&#36;x&#36; &#94;y");
	expect(sd_out_esc_md, "../../etc/passwd", "\\.\\./\\.\\./etc/passwd");
}

static void
md_autolinks(void **state)
{
	(void)state;
	/* GitHub links bare URLs, www. names and e-mail addresses: each one broken */
	expect(sd_out_esc_md, "see https://x.example/a", "see https:&#8203;//x\\.example/a");
	expect(sd_out_esc_md, "WWW.evil.example", "WWW&#8203;\\.evil\\.example");
	expect(sd_out_esc_md, "a@b.example", "a@&#8203;b\\.example");
	expect(sd_out_esc_md, "ftp:x", "ftp:x");
}

/* Each markup character of s is backslash-escaped (the backslash not escaped itself). */
static void
assert_escaped(const char *s, const char *chars)
{
	size_t i, bs;

	for (i = 0; s[i] != '\0'; i++) {
		if (strchr(chars, s[i]) == NULL)
			continue;
		for (bs = 0; bs < i && s[i - 1 - bs] == '\\'; bs++)
			;
		assert_true(bs % 2 == 1);
	}
}

/* Every byte value alone and after a lead byte: no markup character gets through. */
static void
no_byte_escapes(void **state)
{
	char in[2], *h, *m;
	int a, b;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b += 37) {
			in[0] = (char)a;
			in[1] = (char)b;
			h = esc(sd_out_esc_html, in, 2);
			m = esc(sd_out_esc_md, in, 2);
			assert_null(strpbrk(h, "<>\"'\x1b"));
			assert_null(strchr(h, '\x9b'));
			assert_null(strpbrk(m, "<>|~\x1b"));
			assert_null(strchr(m, '\x9b'));
			assert_escaped(m, "[]()*_`!");
			free(h);
			free(m);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_markup),
		cmocka_unit_test(controls_visible),
		cmocka_unit_test(md_markup),
		cmocka_unit_test(md_autolinks),
		cmocka_unit_test(no_byte_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
