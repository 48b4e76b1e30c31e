/*
 * tests/fuzz/fuzz_x509.c - certificates as a server sends them, through the OpenSSL glue:
 * description (analyze/x509.c), chain verification on a fixed small store (verify.c), the
 * chain diagnosis and its texts (chain.c) and the inspection-CA catalogue (icat.c).
 *
 * Input: 4 bytes of capture time (big-endian seconds; 0: the clock is wrong, no dates),
 * then up to 10 certificates as in a TLS Certificate message (3-byte length, DER); a
 * length past the end takes what is left.  The store (samples/pki/root.crt) and the
 * shipped catalogue are loaded once; the verdict cache and the parse memo are emptied after
 * each input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chain.h"
#include "analyze/icat.h"
#include "analyze/verify.h"
#include "analyze/x509.h"
#include "tests/fuzz/fuzz.h"

#ifndef SD_FUZZ_SOURCE_DIR
#define SD_FUZZ_SOURCE_DIR	"."
#endif

#define MAX_CERTS	10

static struct sd_verify	*store;
static struct sd_icat	*icat;

static void
setup(void)
{
	static const char *const ca[] = { SD_FUZZ_SOURCE_DIR "/samples/pki/root.crt" };
	char err[256];

	store = sd_verify_new(ca, 1, NULL, 0, true, err, sizeof(err));
	icat = sd_icat_new();
	if (store == NULL || icat == NULL ||
	    sd_icat_load(icat, SD_FUZZ_SOURCE_DIR "/data/interception-cas.tsv", err,
	    sizeof(err)) <= 0) {
		fprintf(stderr, "fuzz_x509: cannot set up: %s\n", err);
		abort();
	}
}

/* A text the outputs print: NUL-terminated within its buffer. */
static void
check_text(const char *buf, size_t n)
{
	if (memchr(buf, '\0', n) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_x509_info info[MAX_CERTS];
	const struct sd_x509_info *x[MAX_CERTS];
	struct sd_rd der[MAX_CERTS];
	const struct sd_verify_result *r;
	struct sd_chain_seen seen;
	struct sd_chain_diag d;
	const char *issuer = NULL;
	char text[1024], *name;
	uint8_t spki[32];
	size_t n = 0, off = 4, len, i, k;
	int64_t when;

	if (store == NULL)
		setup();
	if (size < 4)
		return 0;
	when = (int64_t)((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3]);
	if (when == 0)
		when = SD_VERIFY_NO_TIME;
	while (n < MAX_CERTS && size - off >= 3) {
		len = (size_t)data[off] << 16 | (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		der[n].p = data + off;
		der[n].len = len;
		off += len;
		n++;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		sd_x509_describe(der[i].p, der[i].len, &info[i]);
		x[i] = info[i].parsed ? &info[i] : NULL;
		if (info[i].parsed) {
			if (info[i].subject == NULL || info[i].issuer == NULL ||
			    info[i].serial == NULL)
				abort();
			for (k = 0; k < info[i].san_dns.n; k++)
				(void)sd_verify_name_matches(info[i].san_dns.v[k].p,
				    info[i].san_dns.v[k].len, "www.example.com");
			(void)sd_icat_match(icat, info[i].issuer);
		}
		(void)sd_verify_spki_sha256(der[i].p, der[i].len, spki);
		(void)sd_verify_is_anchor(store, der[i].p, der[i].len);
		/* a CertificateRequest's DistinguishedName reaches the same printer */
		name = sd_x509_name_rfc2253(der[i].p, der[i].len);
		free(name);
	}
	r = sd_verify_chain(store, der, n, when);
	if (r != NULL) {
		check_text(r->error_text, sizeof(r->error_text));
		check_text(r->untrusted, sizeof(r->untrusted));
		check_text(r->missing_issuer, sizeof(r->missing_issuer));
		memset(&seen, 0, sizeof(seen));
		snprintf(seen.server, sizeof(seen.server), "192.0.2.1:443");
		seen.frame = 7;
		sd_chain_diagnose(x, n, r, (data[3] & 1) ? &seen : NULL, &d);
		(void)sd_chain_misordered(&d);
		sd_chain_trust_text(&d, "www.example.com", text, sizeof(text));
		check_text(text, sizeof(text));
		sd_chain_validity_text(&d, text, sizeof(text));
		check_text(text, sizeof(text));
		sd_chain_order_text(&d, text, sizeof(text));
		check_text(text, sizeof(text));
	}
	(void)sd_icat_chain(icat, x, n, &issuer);
	for (i = 0; i < n; i++)
		sd_x509_info_free(&info[i]);
	sd_verify_forget(store);
	sd_x509_memo_clear();	/* each input parses its certificates anew */
	return 0;
}
