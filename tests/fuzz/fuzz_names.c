/* tests/fuzz/fuzz_names.c - strings from certificates and the command line that the trust
 * rules read: an RFC 2253 name looked up among the withdrawn roots (its CN/OU/O, escapes
 * undone), and an ISO 8601 time as --time takes it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/clock.h"
#include "analyze/withdrawn.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct withdrawn_root *w;
	char *s = malloc(size + 1);
	int64_t t = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';		/* certificate names reach the rules NUL-terminated */
	w = sd_withdrawn_root(s, &t);
	if (w != NULL && (w->date == NULL || t <= 0))
		__builtin_trap();
	if (sd_clock_parse_iso(s, &t) && t <= 0)
		__builtin_trap();
	free(s);
	return 0;
}
