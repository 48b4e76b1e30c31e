/* analyze/withdrawn.c - roots removed from Debian's store (analyze/withdrawn_roots.h,
 * generated from the ca-certificates changelog by scripts/make-withdrawn-roots). */
#include "analyze/withdrawn.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyze/withdrawn_roots.h"

/* The value of the first attribute `type` of an RFC 2253 name, unescaped; false: none. */
static bool
attr(const char *dn, const char *type, char *out, size_t n)
{
	size_t tl = strlen(type), o = 0;
	const char *p = dn;

	while (*p != '\0') {
		if (strncasecmp(p, type, tl) == 0 && p[tl] == '=') {
			for (p += tl + 1; *p != '\0' && *p != ',' && *p != '+'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (o + 1 < n)
					out[o++] = *p;
			}
			out[o] = '\0';
			return o > 0;
		}
		/* to the next attribute: past the value, minding escapes */
		while (*p != '\0' && *p != ',' && *p != '+') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			p++;
		}
		if (*p != '\0')
			p++;
	}
	return false;
}

const struct withdrawn_root *
sd_withdrawn_root(const char *dn, int64_t *removed_t)
{
	char name[256];
	struct tm tm;
	size_t i;
	int y, m, d;

	if (dn == NULL || !(attr(dn, "CN", name, sizeof(name)) ||
	    attr(dn, "OU", name, sizeof(name)) || attr(dn, "O", name, sizeof(name))))
		return NULL;
	for (i = 0; i < sizeof(withdrawn_roots) / sizeof(withdrawn_roots[0]); i++) {
		if (strcasecmp(withdrawn_roots[i].name, name) != 0)
			continue;
		if (removed_t != NULL) {
			*removed_t = 0;
			if (sscanf(withdrawn_roots[i].date, "%d-%d-%d", &y, &m, &d) == 3) {
				memset(&tm, 0, sizeof(tm));
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				*removed_t = (int64_t)timegm(&tm);
			}
		}
		return &withdrawn_roots[i];
	}
	return NULL;
}
