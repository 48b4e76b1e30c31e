/* tests/unit/test_a_verify.c - chain verification (analyze/verify.c) on the sample PKIs, and RFC 6125 names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "analyze/verify.h"

/* 2026-12-01 and 2024-01-15 (inside the expired leaf's validity), 2020-01-01 (before all). */
#define NOW	((int64_t)1796083200)
#define IN_2024	((int64_t)1705276800)
#define IN_2020	((int64_t)1577836800)
/* samples/pki: root, intermediate and leaf are all valid from NB on and expired from NA on
 * (OpenSSL: notAfter itself is past) */
#define NB	((int64_t)1796062568)	/* 2026-11-30T18:16:08Z */
#define NA	((int64_t)2111422568)	/* 2036-11-27T18:16:08Z */

struct der {
	uint8_t	*p;
	size_t	 len;
};

/* DER of a PEM certificate in the source tree (SD_SOURCE_DIR from CTest). */
static struct der
load(const char *rel)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	char path[1024];
	struct der d = { NULL, 0 };
	unsigned char *p = NULL;
	X509 *x;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", rel);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, &p);
	assert_true(n > 0);
	d.p = p;
	d.len = (size_t)n;
	X509_free(x);
	return d;
}

static struct sd_verify *
store(void)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	char path[1024], err[256];
	const char *files[1];
	struct sd_verify *v;

	snprintf(path, sizeof(path), "%s/samples/pki/root.crt", dir != NULL ? dir : ".");
	files[0] = path;
	v = sd_verify_new(files, 1, NULL, 0, true, err, sizeof(err));
	assert_non_null(v);
	return v;
}

static const struct sd_verify_result *
check(struct sd_verify *v, const char *leaf, const char *inter, int64_t when)
{
	struct der d[2];
	struct sd_rd r[2];
	const struct sd_verify_result *res;
	size_t n = 0, i;

	d[n++] = load(leaf);
	if (inter != NULL)
		d[n++] = load(inter);
	for (i = 0; i < n; i++)
		r[i] = sd_rd_make(d[i].p, d[i].len);
	res = sd_verify_chain(v, r, n, when);
	for (i = 0; i < n; i++)
		OPENSSL_free(d[i].p);
	assert_non_null(res);
	return res;
}

static void
test_good_chain(void **state)
{
	struct sd_verify *v = store();
	const struct sd_verify_result *r;

	(void)state;
	r = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NOW);
	assert_int_equal(r->flags, 0);
	assert_int_equal(r->error, 0);
	sd_verify_free(v);
}

static void
test_missing_intermediate(void **state)
{
	struct sd_verify *v = store();
	const struct sd_verify_result *r;

	(void)state;
	r = check(v, "samples/pki/leaf.crt", NULL, NOW);
	assert_true(r->flags & SD_VERIFY_MISSING_ISSUER);
	assert_non_null(strstr(r->missing_issuer, "CN=Shakedown Sample Intermediate CA"));
	assert_non_null(strstr(r->missing_for, "CN=www.example.test"));
	sd_verify_free(v);
}

static void
test_self_signed_and_unknown_ca(void **state)
{
	struct sd_verify *v = store();
	const struct sd_verify_result *r;

	(void)state;
	r = check(v, "samples/pki-fail/self-signed.crt", NULL, NOW);
	assert_true(r->flags & SD_VERIFY_SELF_SIGNED);
	assert_non_null(strstr(r->untrusted, "CN=www.example.test"));
	r = check(v, "samples/pki-fail/unknown-ca.crt", NULL, NOW);
	assert_true(r->flags & SD_VERIFY_MISSING_ISSUER);
	assert_non_null(strstr(r->missing_issuer, "Other Untrusted Root CA"));
	sd_verify_free(v);
}

/* Validity is judged at the time given (the capture's), not today. */
static void
test_time(void **state)
{
	struct sd_verify *v = store();
	const struct sd_verify_result *r;

	(void)state;
	r = check(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt", NOW);
	assert_int_equal(r->flags, SD_VERIFY_EXPIRED);
	assert_int_equal(r->expired_depth, 0);
	sd_verify_free(v);
	v = store();
	/* in January 2024 the leaf was valid, but its CAs (made in 2026) were not yet */
	r = check(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt", IN_2024);
	assert_int_equal(r->flags, SD_VERIFY_NOT_YET_VALID);
	assert_true(r->expired_depth >= 1);
	assert_non_null(strstr(r->expired, "CN=Shakedown Sample"));
	sd_verify_free(v);
	v = store();
	r = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", IN_2020);
	assert_true(r->flags & SD_VERIFY_NOT_YET_VALID);
	sd_verify_free(v);
}

/* v's verdict on the chain at `when` (cached or not) is the one a new store reaches. */
static void
same_as_fresh(struct sd_verify *v, const char *leaf, const char *inter, int64_t when)
{
	struct sd_verify *f = store();
	struct sd_verify_result want;

	want = *check(f, leaf, inter, when);
	sd_verify_free(f);
	assert_memory_equal(check(v, leaf, inter, when), &want, sizeof(want));
}

/* One store asked about the same chains across validity dates: each answer is the verdict
 * at that time, never one cached from the other side of a date. */
static void
test_cache_time(void **state)
{
	static const int64_t when[] = { NOW, NOW + 86400, NB - 1, NB, NA - 1, NA, NOW,
		SD_VERIFY_NO_TIME, SD_VERIFY_NO_TIME };
	struct sd_verify *v = store();
	uint64_t verified, cached;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++)
		same_as_fresh(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", when[i]);
	/* verified at NOW, NB - 1, NB, NA, NOW and without dates; the others in span */
	sd_verify_stats(v, &verified, &cached);
	assert_int_equal(verified, 6);
	assert_int_equal(cached, 3);
	assert_true(check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NB - 1)->flags &
	    SD_VERIFY_NOT_YET_VALID);
	assert_int_equal(check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NB)->flags,
	    0);
	assert_int_equal(check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt",
	    NA - 1)->flags, 0);
	assert_int_equal(check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NA)->flags,
	    SD_VERIFY_EXPIRED);
	/* a leaf that expired in 2024 under CAs made in 2026: not yet valid, then expired */
	same_as_fresh(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt", IN_2024);
	same_as_fresh(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt", NOW);
	assert_int_equal(check(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt",
	    NOW)->flags, SD_VERIFY_EXPIRED);
	assert_int_equal(check(v, "samples/pki-fail/expired.crt", "samples/pki/inter.crt",
	    IN_2024)->flags, SD_VERIFY_NOT_YET_VALID);
	sd_verify_free(v);
}

static void
test_cache(void **state)
{
	struct sd_verify *v = store();
	const struct sd_verify_result *a, *b;
	uint64_t verified, cached;
	int i;

	(void)state;
	a = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NOW);
	for (i = 0; i < 999; i++)
		b = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NOW);
	assert_ptr_equal(a, b);
	/* the same leaf with another chain is another question */
	(void)check(v, "samples/pki/leaf.crt", NULL, NOW);
	sd_verify_stats(v, &verified, &cached);
	assert_int_equal(verified, 2);
	assert_int_equal(cached, 999);
	sd_verify_free(v);
}

static void
test_bad_store(void **state)
{
	const char *files[] = { "/nonexistent/ca.pem" };
	const char *dirs[] = { "/nonexistent/certs" };
	char err[256];

	(void)state;
	assert_null(sd_verify_new(files, 1, NULL, 0, true, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/ca.pem"));
	/* OpenSSL takes any directory name without a word: a missing one is an error here */
	assert_null(sd_verify_new(NULL, 0, dirs, 1, true, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/certs"));
}

/* Expected: `openssl x509 -in samples/pki/leaf.crt -pubkey -noout | openssl pkey -pubin
 * -outform DER | openssl dgst -sha256` (the HPKP / --pin SPKI hash). */
static void
test_spki(void **state)
{
	static const uint8_t want[32] = {
		0x02, 0x44, 0x31, 0x5b, 0x52, 0x33, 0x4d, 0xb8, 0x04, 0x1d, 0x43, 0xd1, 0x0e,
		0xc6, 0x0f, 0x52, 0x1d, 0x00, 0xdf, 0x5c, 0xd1, 0x30, 0xb4, 0x27, 0xd2, 0x59,
		0x7d, 0x44, 0xd0, 0x0d, 0x39, 0xb6,
	};
	struct der d = load("samples/pki/leaf.crt");
	uint8_t h[32];

	(void)state;
	assert_true(sd_verify_spki_sha256(d.p, d.len, h));
	assert_memory_equal(h, want, 32);
	assert_false(sd_verify_spki_sha256(d.p, d.len / 2, h));
	OPENSSL_free(d.p);
}

static void
test_names(void **state)
{
	static const struct {
		const char	*pat, *name;
		bool		 ok;
	} c[] = {
		{ "www.example.test", "www.example.test", true },
		{ "WWW.Example.TEST", "www.example.test", true },
		{ "www.example.test.", "www.example.test", true },
		{ "www.example.test", "example.test", false },
		{ "*.example.com", "www.example.com", true },
		{ "*.example.com", "example.com", false },		/* one label, not zero */
		{ "*.example.com", "a.b.example.com", false },	/* nor two */
		{ "*.a.example.com", "b.a.example.com", true },
		{ "*.a.example.com", "b.c.example.com", false },
		{ "*.com", "example.com", false },		/* over a TLD */
		{ "*.co.uk", "example.co.uk", false },		/* over a public suffix */
		{ "w*.example.com", "www.example.com", false },	/* partial label */
		{ "www.*.com", "www.example.com", false },		/* not left-most */
		{ "*", "localhost", false },
		{ "*.example.com", ".example.com", false },
		{ "", "www.example.com", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool got = sd_verify_name_matches(c[i].pat, strlen(c[i].pat), c[i].name);

		if (got != c[i].ok)
			fail_msg("'%s' vs '%s': %d", c[i].pat, c[i].name, got);
	}
	/* a NUL inside the presented name never matches */
	assert_false(sd_verify_name_matches("www.example.test\0.evil", 22, "www.example.test"));
}

/* Write certificates (source-tree PEM files) into a bundle; trusted: as TRUSTED CERTIFICATE. */
static void
write_bundle(const char *path, const char *const *certs, size_t n, bool trusted)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	char src[1024];
	FILE *in, *out = fopen(path, "w");
	X509 *x;
	size_t i;

	assert_non_null(out);
	for (i = 0; i < n; i++) {
		snprintf(src, sizeof(src), "%s/%s", dir != NULL ? dir : ".", certs[i]);
		assert_non_null(in = fopen(src, "r"));
		assert_non_null(x = PEM_read_X509(in, NULL, NULL, NULL));
		fclose(in);
		assert_int_equal(trusted ? PEM_write_X509_AUX(out, x) : PEM_write_X509(out, x), 1);
		X509_free(x);
	}
	fclose(out);
}

/*
 * The system store (SSL_CERT_FILE, SSL_CERT_DIR), its bundle read lazily: a chain to a root
 * that is not the bundle's first certificate verifies, the root is an anchor, what the
 * bundle does not hold stays untrusted; a bundle with a TRUSTED CERTIFICATE block is loaded
 * whole and trusts the same.
 */
static void
test_system_bundle(void **state)
{
	static const char *const certs[] = { "samples/pki-fail/other-root.crt",
		"samples/pki-fail/ec.crt", "samples/pki/root.crt" };
	char dir[] = "/tmp/sd-bundle-XXXXXX", path[64], err[256];
	const struct sd_verify_result *r;
	struct sd_verify *v;
	struct der root;
	int trusted;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	setenv("SSL_CERT_FILE", path, 1);
	setenv("SSL_CERT_DIR", dir, 1);		/* no hashed links: the bundle alone */
	root = load("samples/pki/root.crt");
	for (trusted = 0; trusted < 2; trusted++) {
		write_bundle(path, certs, 3, trusted == 1);
		v = sd_verify_new(NULL, 0, NULL, 0, false, err, sizeof(err));
		assert_non_null(v);
		r = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NOW);
		assert_int_equal(r->flags, 0);
		assert_int_equal(r->error, 0);
		assert_true(sd_verify_is_anchor(v, root.p, root.len));
		r = check(v, "samples/pki-fail/self-signed.crt", NULL, NOW);
		assert_true(r->flags & SD_VERIFY_SELF_SIGNED);
		sd_verify_free(v);
		/* without the system store the same chain does not verify */
		v = sd_verify_new(NULL, 0, NULL, 0, true, err, sizeof(err));
		assert_non_null(v);
		r = check(v, "samples/pki/leaf.crt", "samples/pki/inter.crt", NOW);
		assert_int_not_equal(r->flags, 0);
		sd_verify_free(v);
	}
	OPENSSL_free(root.p);
	unsetenv("SSL_CERT_FILE");
	unsetenv("SSL_CERT_DIR");
	remove(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain),
		cmocka_unit_test(test_missing_intermediate),
		cmocka_unit_test(test_self_signed_and_unknown_ca),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_time),
		cmocka_unit_test(test_bad_store),
		cmocka_unit_test(test_spki),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_system_bundle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
