/*
 * tests/fuzz/fuzz_catalogue.c - the inspection-CA catalogue loader (--intercept-cas FILE, a
 * file the user got from anywhere) on arbitrary text, then matching issuer names with it.
 *
 * Input: the file's text; after its first NUL byte, if any, an issuer DN (RFC 2253) to
 * match beside a few fixed ones.  The text goes to a temporary file (sd_icat_load reads a
 * path), made once and rewritten for each input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/icat.h"
#include "tests/fuzz/fuzz.h"

static char	path[64];
static int	fd = -1;

static void
cleanup(void)
{
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dns[] = {
		"CN=FortiGate CA,O=Fortinet,C=US",
		"CN=Zscaler Intermediate Root CA (zscaler.net),O=Zscaler Inc.",
		"O=Example\\, Inc.,CN=a\\+b",
		"CN=,O=",
		"",
	};
	const uint8_t *nul = memchr(data, '\0', size);
	size_t flen = nul != NULL ? (size_t)(nul - data) : size, i;
	char err[256], *dn = NULL;
	struct sd_icat *t;
	int n, m;

	if (fd < 0) {
		snprintf(path, sizeof(path), "/tmp/fuzz_catalogue.XXXXXX");
		if ((fd = mkstemp(path)) < 0)
			abort();
		atexit(cleanup);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, flen, 0) != (ssize_t)flen)
		abort();
	if (nul != NULL) {
		if ((dn = malloc(size - flen)) == NULL)
			abort();
		memcpy(dn, nul + 1, size - flen - 1);
		dn[size - flen - 1] = '\0';
	}
	if ((t = sd_icat_new()) == NULL)
		abort();
	err[0] = '\0';
	n = sd_icat_load(t, path, err, sizeof(err));
	if (n == -1 || (n == -2 && strstr(err, path) != err) || (n >= 0 && (size_t)n != t->n))
		abort();
	for (i = 0; i < sizeof(dns) / sizeof(dns[0]); i++) {
		m = sd_icat_match(t, dns[i]);
		if (m >= 0 && (sd_icat_product(t, m) == NULL || (size_t)m >= t->n))
			abort();
		(void)sd_icat_is_vendors(t, m, dns[i]);
	}
	if (dn != NULL) {
		m = sd_icat_match(t, dn);
		(void)sd_icat_is_vendors(t, m, dn);
		(void)sd_icat_product(t, m);
	}
	sd_icat_free(t);
	free(dn);
	return 0;
}
