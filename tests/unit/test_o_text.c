/* tests/unit/test_o_text.c - the terminal output of a finding (cli/out_findings.c): a
 * string from a packet reaches the terminal with no control sequence in it, C1 included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/out.h"

static char *
line_of(const struct sd_finding *x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	sd_out_finding_line(f, x, false, false, 200);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* A certificate subject with the 8-bit CSI (lone byte 0x9b, and U+009B in UTF-8), ESC and
 * BEL: each shown as \xNN, the text around it kept, UTF-8 letters as they are. */
static void
test_c1_escaped(void **state)
{
	char summary[] = "CN=\x9b" "31mred \xc2\x9b" "2J \x1b[0m\x07 r\xc3\xa9seau";
	struct sd_finding x;
	char *s;
	size_t i;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.kind = "tls.chain_untrusted";
	x.severity = SD_SEV_HIGH;
	x.summary = summary;
	s = line_of(&x);
	assert_non_null(strstr(s, "CN=\\x9b31mred \\x9b2J \\x1b[0m\\x07 r\xc3\xa9seau"));
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		assert_false(c < 0x20 && c != '\n');
		assert_false(c == 0x7f || c == 0x9b);
		assert_false(c == 0xc2 && (unsigned char)s[i + 1] <= 0x9f);
	}
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c1_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
