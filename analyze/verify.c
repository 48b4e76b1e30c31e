/* analyze/verify.c - X.509 chain verification (RFC 5280 via OpenSSL) with a per-chain cache; RFC 6125 names. */
#include "analyze/verify.h"

#include "analyze/x509.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#define CACHE_MAX	4096	/* chains remembered; past it, verify every time */
#define CHAIN_MAX	16	/* certificates of a chain handed to OpenSSL */

/* A slot; results are allocated when first needed, so an idle cache costs 450 KB. */
struct cache_ent {
	uint8_t			 key[32];
	int64_t			 lo, hi;	/* res holds for a time in [lo, hi) */
	struct sd_verify_result	*res;	/* owned; NULL: free slot */
};

struct sd_verify {
	X509_STORE		*store;
	X509_LOOKUP_METHOD	*bundle_method;	/* the lazy system bundle's; NULL */
	struct cache_ent	*cache;		/* open addressing, CACHE_MAX * 2 slots */
	uint16_t		*used;		/* the slots taken, ncache of them */
	size_t			 ncache;
	struct sd_verify_result	 scratch;	/* result when the cache is full */
	uint64_t		 verified, cached;
};
#define SLOTS	(CACHE_MAX * 2)
_Static_assert(SLOTS <= 65536, "a slot's index fits the used list");

/* Add the certificates of a PEM file; false with err set (the file named, and why). */
static bool
load_file(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	struct stat st;
	const char *why;

	if (stat(path, &st) != 0)
		why = strerror(errno);
	else if (S_ISDIR(st.st_mode))
		why = "a directory (use --ca-path)";
	else if (X509_STORE_load_file(store, path) == 1)
		return true;
	else
		why = "no PEM certificate could be read from it";
	snprintf(err, errlen, "cannot load trusted certificates from %s: %s", path, why);
	return false;
}

/* Add a hashed directory: OpenSSL looks certificates up in it only when it needs one, and
 * says nothing of a directory that is not there; so check it here. */
static bool
load_dir(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	struct stat st;
	const char *why;
	DIR *d;

	if (stat(path, &st) != 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if ((d = opendir(path)) == NULL)
		why = strerror(errno);
	else {
		closedir(d);
		if (X509_STORE_load_path(store, path) == 1)
			return true;
		why = "OpenSSL refused it";
	}
	snprintf(err, errlen, "cannot use %s as a directory of trusted certificates: %s", path,
	    why);
	return false;
}

/*
 * The system's bundle of trusted certificates (the default file), read lazily: its PEM
 * blocks are decoded and indexed by the hash of their subject at start, and a certificate
 * is parsed and added to the store only when OpenSSL first looks for its subject, as the
 * hashed-directory lookup does.  Parsing every certificate of the bundle (some 140, with
 * OpenSSL 3.0's decoder for each public key) took 30 ms at every start, most of a small
 * capture's run; a capture's chains name a few of them.
 */
struct bundle_ent {
	unsigned long	 hash;		/* X509_NAME_hash_ex() of its subject */
	uint8_t		*der;		/* owned */
	long		 len;
	bool		 added;		/* handed to the store already */
};

struct bundle {
	struct bundle_ent *e;
	size_t		 n, cap;
};

static void
bundle_free(struct bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		OPENSSL_free(b->e[i].der);
	free(b->e);
	free(b);
}

/* The subject of a DER certificate, for its hash: the sixth element of tbsCertificate
 * (the version is optional), walked with OpenSSL's own TLV reader. */
static bool
subject_hash(const uint8_t *der, long len, unsigned long *hash)
{
	const unsigned char *p = der, *end = der + len, *at;
	long l;
	int tag, cls, k, ok = 0;
	X509_NAME *nm;

	/* Certificate and tbsCertificate: into both */
	for (k = 0; k < 2; k++)
		if ((ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) != 0 ||
		    tag != V_ASN1_SEQUENCE)
			return false;
	/* [0] version (optional), serial, signature, issuer, validity: over them */
	for (k = 0; k < 5; k++) {
		if ((ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) != 0 || l > end - p)
			return false;
		if (k == 0 && cls != V_ASN1_CONTEXT_SPECIFIC)
			k++;		/* no version: this was the serial */
		p += l;
	}
	at = p;
	if ((ASN1_get_object(&p, &l, &tag, &cls, end - p) & 0x80) != 0 || l > end - p ||
	    tag != V_ASN1_SEQUENCE)
		return false;
	p += l;
	if ((nm = d2i_X509_NAME(NULL, &at, p - at)) == NULL)
		return false;
	*hash = X509_NAME_hash_ex(nm, NULL, NULL, &ok);
	X509_NAME_free(nm);
	return ok == 1;
}

/*
 * Index the PEM file: NULL (and nothing kept) when it cannot be read, holds anything but
 * CERTIFICATE blocks (CRLs, TRUSTED CERTIFICATE with trust settings), a block that is not
 * a certificate, or a PEM error before its end: OpenSSL's own loader then does with that
 * file what it does (it refuses a whole file over one bad block).
 */
static struct bundle *
bundle_read(const char *path)
{
	struct bundle *b = calloc(1, sizeof(*b));
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	struct bundle_ent *e;
	long len = 0;
	bool ok = b != NULL;
	BIO *in = ok ? BIO_new_file(path, "r") : NULL;

	ok = ok && in != NULL;
	while (ok && PEM_read_bio(in, &name, &header, &data, &len) == 1) {
		if (strcmp(name, PEM_STRING_X509) != 0 || b->n == 65536)
			ok = false;
		if (ok && b->n == b->cap) {
			size_t ncap = b->cap != 0 ? b->cap * 2 : 256;

			if ((e = realloc(b->e, ncap * sizeof(*e))) == NULL)
				ok = false;
			else {
				b->e = e;
				b->cap = ncap;
			}
		}
		if (ok) {
			e = &b->e[b->n];
			memset(e, 0, sizeof(*e));
			e->der = data;
			e->len = len;
			data = NULL;
			if (subject_hash(e->der, e->len, &e->hash))
				b->n++;
			else {
				OPENSSL_free(e->der);
				ok = false;
			}
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	/* the loop ends at the file's end (no further PEM start line) or at an error */
	if (ok && ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
		ok = false;
	BIO_free(in);
	ERR_clear_error();
	if (!ok) {
		bundle_free(b);
		return NULL;
	}
	return b;
}

/*
 * X509_LOOKUP get_by_subject: add every certificate of the bundle with that subject's
 * hash to the store (once), then answer from the store, as OpenSSL's hashed-directory
 * lookup does: ret shares the store's reference (the caller takes its own).  An
 * sd_verify is used by one thread (each --workers thread has its own).
 */
static int
bundle_by_subject(X509_LOOKUP *lu, X509_LOOKUP_TYPE type, const X509_NAME *name,
    X509_OBJECT *ret)
{
	struct bundle *b = X509_LOOKUP_get_method_data(lu);
	X509_STORE *st = X509_LOOKUP_get_store(lu);
	X509_OBJECT *o;
	const unsigned char *p;
	unsigned long h;
	int ok = 0, found = 0;
	size_t i;
	X509 *x;

	if (b == NULL || st == NULL || type != X509_LU_X509 || name == NULL)
		return 0;
	h = X509_NAME_hash_ex(name, NULL, NULL, &ok);
	if (ok != 1)
		return 0;
	for (i = 0; i < b->n; i++) {
		if (b->e[i].hash != h || b->e[i].added)
			continue;
		b->e[i].added = true;
		p = b->e[i].der;
		if ((x = d2i_X509(NULL, &p, b->e[i].len)) == NULL)
			continue;
		(void)X509_STORE_add_cert(st, x);
		X509_free(x);
	}
	if (X509_STORE_lock(st) != 1)
		return 0;
	o = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(st), type,
	    (X509_NAME *)name);
	if (o != NULL && (x = X509_OBJECT_get0_X509(o)) != NULL &&
	    X509_OBJECT_set1_X509(ret, x) == 1) {
		X509_free(x);	/* the reference set1 took: the caller takes its own */
		found = 1;
	}
	X509_STORE_unlock(st);
	ERR_clear_error();
	return found;
}

static void
bundle_lookup_free(X509_LOOKUP *lu)
{
	bundle_free(X509_LOOKUP_get_method_data(lu));
	(void)X509_LOOKUP_set_method_data(lu, NULL);
}

/*
 * The system's trusted certificates, as X509_STORE_set_default_paths() finds them (the
 * default file, then the default hashed directory; SSL_CERT_FILE and SSL_CERT_DIR obeyed),
 * with two differences that change no verdict:
 * - the file is read lazily (above), unless certificates of --ca-file or --ca-path are in
 *   the store too (a name found there first would hide the bundle's certificates of that
 *   name from a lazy lookup: then the file is loaded whole, as before);
 * - no third lookup: OpenSSL 3 adds an OSSL_STORE over the same directory, which reads the
 *   whole directory (and decodes what it matches) every time an issuer is not found, that
 *   is for every self-signed or unknown-CA chain verified, for certificates the hashed-
 *   directory lookup has already looked for by the same name.
 */
static void
system_store(struct sd_verify *v, bool eager)
{
	const char *path = getenv(X509_get_default_cert_file_env());
	struct bundle *b = NULL;
	X509_LOOKUP *lu;

	if (path == NULL)
		path = X509_get_default_cert_file();
	if (!eager && (v->bundle_method = X509_LOOKUP_meth_new("shakedown bundle")) != NULL &&
	    X509_LOOKUP_meth_set_get_by_subject(v->bundle_method, bundle_by_subject) == 1 &&
	    X509_LOOKUP_meth_set_free(v->bundle_method, bundle_lookup_free) == 1 &&
	    (b = bundle_read(path)) != NULL &&
	    (lu = X509_STORE_add_lookup(v->store, v->bundle_method)) != NULL &&
	    X509_LOOKUP_set_method_data(lu, b) == 1)
		b = NULL;		/* the lookup owns it */
	else if ((lu = X509_STORE_add_lookup(v->store, X509_LOOKUP_file())) != NULL)
		(void)X509_LOOKUP_load_file(lu, NULL, X509_FILETYPE_DEFAULT);
	bundle_free(b);
	if ((lu = X509_STORE_add_lookup(v->store, X509_LOOKUP_hash_dir())) != NULL)
		(void)X509_LOOKUP_add_dir(lu, NULL, X509_FILETYPE_DEFAULT);
	ERR_clear_error();
}

struct sd_verify *
sd_verify_new(const char *const *ca_files, size_t nfiles, const char *const *ca_paths,
    size_t npaths, bool no_system_ca, char *err, size_t errlen)
{
	struct sd_verify *v = calloc(1, sizeof(*v));
	size_t i;

	if (v == NULL || (v->cache = calloc(SLOTS, sizeof(*v->cache))) == NULL ||
	    (v->used = calloc(CACHE_MAX, sizeof(*v->used))) == NULL ||
	    (v->store = X509_STORE_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		sd_verify_free(v);
		return NULL;
	}
	for (i = 0; i < nfiles + npaths; i++) {
		if (i < nfiles ? load_file(v->store, ca_files[i], err, errlen) :
		    load_dir(v->store, ca_paths[i - nfiles], err, errlen))
			continue;
		ERR_clear_error();
		sd_verify_free(v);
		return NULL;
	}
	/* a missing system store is not an error: there is just nothing in it */
	if (!no_system_ca)
		system_store(v, nfiles + npaths > 0);
	ERR_clear_error();
	return v;
}

void
sd_verify_free(struct sd_verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	X509_STORE_free(v->store);
	X509_LOOKUP_meth_free(v->bundle_method);	/* after the store that used it */
	for (i = 0; v->cache != NULL && i < SLOTS; i++)
		free(v->cache[i].res);
	free(v->cache);
	free(v->used);
	free(v);
}

void
sd_verify_forget(struct sd_verify *v)
{
	size_t i;

	if (v == NULL)
		return;
	/* only the slots taken: a capture (or a fuzz input) of a few chains forgets at once */
	for (i = 0; i < v->ncache; i++) {
		free(v->cache[v->used[i]].res);
		memset(&v->cache[v->used[i]], 0, sizeof(*v->cache));
	}
	v->ncache = 0;
	v->verified = v->cached = 0;
}

void
sd_verify_stats(const struct sd_verify *v, uint64_t *verified, uint64_t *cached)
{
	*verified = v->verified;
	*cached = v->cached;
}

static void
name_of(const X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long l;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (n != NULL && X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0) {
		l = BIO_get_mem_data(b, &p);
		if (l > 0) {
			if ((size_t)l >= len)
				l = (long)len - 1;
			memcpy(buf, p, (size_t)l);
			buf[l] = '\0';
		}
	}
	BIO_free(b);
}

/* Record each fault and carry on, so one pass finds all of them (expired and untrusted). */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	struct sd_verify_result *r;
	X509 *cur;
	int e, depth;

	if (ok)
		return 1;
	r = X509_STORE_CTX_get_ex_data(ctx, 0);
	e = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	cur = X509_STORE_CTX_get_current_cert(ctx);
	if (r == NULL)
		return 1;
	switch (e) {
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		r->flags |= SD_VERIFY_SELF_SIGNED;
		if (cur != NULL)
			name_of(X509_get_subject_name(cur), r->untrusted, sizeof(r->untrusted));
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		r->flags |= SD_VERIFY_UNTRUSTED_ROOT;
		if (cur != NULL)
			name_of(X509_get_subject_name(cur), r->untrusted, sizeof(r->untrusted));
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		r->flags |= SD_VERIFY_MISSING_ISSUER;
		if (cur != NULL && r->missing_issuer[0] == '\0') {
			name_of(X509_get_issuer_name(cur), r->missing_issuer,
			    sizeof(r->missing_issuer));
			name_of(X509_get_subject_name(cur), r->missing_for, sizeof(r->missing_for));
		}
		break;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		r->flags |= e == X509_V_ERR_CERT_HAS_EXPIRED ? SD_VERIFY_EXPIRED :
		    SD_VERIFY_NOT_YET_VALID;
		if (cur != NULL && r->expired[0] == '\0') {
			name_of(X509_get_subject_name(cur), r->expired, sizeof(r->expired));
			r->expired_depth = depth;
			snprintf(r->expired_text, sizeof(r->expired_text), "%s",
			    X509_verify_cert_error_string(e));
		}
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		r->flags |= SD_VERIFY_BAD_SIGNATURE;
		break;
	case X509_V_ERR_CERT_UNTRUSTED:
		/* follows one of the above for the same chain; nothing new */
		break;
	default:
		r->flags |= SD_VERIFY_OTHER;
		break;
	}
	if (r->error == 0) {
		r->error = e;
		snprintf(r->error_text, sizeof(r->error_text), "%s",
		    X509_verify_cert_error_string(e));
	}
	return 1;
}

/*
 * Narrow [*lo, *hi) to the span around `when` in which the validity of x at the check time
 * stays what it is at `when`.  OpenSSL finds x not yet valid when the time is before
 * notBefore and expired from notAfter on (X509_cmp_time counts equal as earlier): the
 * answer changes at both dates.  A date OpenSSL cannot read makes the span the one second
 * of `when`.
 */
static void
narrow(const X509 *x, int64_t when, int64_t *lo, int64_t *hi)
{
	const ASN1_TIME *t[2] = { X509_get0_notBefore(x), X509_get0_notAfter(x) };
	struct tm tm;
	int64_t b;
	int i;

	for (i = 0; i < 2; i++) {
		if (t[i] == NULL || ASN1_TIME_to_tm(t[i], &tm) != 1) {
			*lo = when;
			*hi = when < INT64_MAX ? when + 1 : when;
			return;
		}
		b = (int64_t)timegm(&tm);
		if (b <= when && b > *lo)
			*lo = b;
		else if (b > when && b < *hi)
			*hi = b;
	}
}

/* narrow() for the certificates of the store named `name` (the candidates OpenSSL weighs,
 * preferring one valid at the time, when it looks for that name). */
static void
narrow_store(X509_STORE_CTX *ctx, const X509_NAME *name, int64_t when, int64_t *lo,
    int64_t *hi)
{
	STACK_OF(X509) *found = X509_STORE_CTX_get1_certs(ctx, (X509_NAME *)name);
	int i;

	for (i = 0; found != NULL && i < sk_X509_num(found); i++)
		narrow(sk_X509_value(found, i), when, lo, hi);
	sk_X509_pop_free(found, X509_free);
}

/*
 * The span of check times around `when` over which the verdict just reached cannot change:
 * no certificate that took part (sent, in the path built, or in the store under the name
 * of one of them or of its issuer) becomes valid or expires inside it.
 */
static void
verdict_span(X509_STORE_CTX *ctx, X509 *leaf, STACK_OF(X509) *sent, int64_t when,
    int64_t *lo, int64_t *hi)
{
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
	X509 *x;
	int i, n = sk_X509_num(sent), m = path != NULL ? sk_X509_num(path) : 0;

	*lo = INT64_MIN;
	*hi = INT64_MAX;
	for (i = -1; i < n + m; i++) {
		x = i < 0 ? leaf : i < n ? sk_X509_value(sent, i) : sk_X509_value(path, i - n);
		narrow(x, when, lo, hi);
		narrow_store(ctx, X509_get_subject_name(x), when, lo, hi);
		narrow_store(ctx, X509_get_issuer_name(x), when, lo, hi);
	}
}

static void
run_verify(struct sd_verify *v, const struct sd_rd *der, size_t n, int64_t when,
    struct sd_verify_result *r, int64_t *lo, int64_t *hi)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	X509 *leaf = NULL, *x;
	size_t i;

	memset(r, 0, sizeof(*r));
	/* a verdict without dates, or one of a leaf that does not parse, holds at any time */
	*lo = INT64_MIN;
	*hi = INT64_MAX;
	if ((leaf = sd_x509_parse(der[0].p, der[0].len)) == NULL) {
		r->flags = SD_VERIFY_UNPARSED;
		goto out;
	}
	if ((untrusted = sk_X509_new_null()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		goto oom;
	for (i = 1; i < n && i < CHAIN_MAX; i++) {
		if ((x = sd_x509_parse(der[i].p, der[i].len)) == NULL)
			continue;	/* an unparsable extra: as if not sent */
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			goto oom;
		}
	}
	if (X509_STORE_CTX_init(ctx, v->store, leaf, untrusted) != 1)
		goto oom;
	param = X509_STORE_CTX_get0_param(ctx);
	/* sets X509_V_FLAG_USE_CHECK_TIME: validity as at the capture, not today; a capture
	 * whose clock is wrong is judged without dates */
	if (when == SD_VERIFY_NO_TIME)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
	else
		X509_VERIFY_PARAM_set_time(param, (time_t)when);
	/* a trusted intermediate (--ca-file of an enterprise CA) is an anchor of its own */
	X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
	(void)X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
	X509_STORE_CTX_set_ex_data(ctx, 0, r);
	X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
	if (X509_verify_cert(ctx) != 1 && r->flags == 0) {
		/* failed without telling the callback (internal error) */
		r->flags |= SD_VERIFY_OTHER;
		r->error = X509_STORE_CTX_get_error(ctx);
		snprintf(r->error_text, sizeof(r->error_text), "%s",
		    X509_verify_cert_error_string(r->error));
	}
	if (when != SD_VERIFY_NO_TIME)
		verdict_span(ctx, leaf, untrusted, when, lo, hi);
	goto out;
oom:
	r->flags = SD_VERIFY_OTHER;
	snprintf(r->error_text, sizeof(r->error_text), "out of memory");
	*lo = when;	/* not a verdict to keep */
	*hi = when;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_pop_free(untrusted, X509_free);
	X509_free(leaf);
}

/*
 * The chain's key: SHA-256 over each certificate's length and either its DER (tag 'D') or,
 * when every certificate comes with its SHA-256 from the description (xi), that digest
 * (tag 'H': 64 hex digits instead of some 1,500 bytes, a chain of three in one block).
 * Either way two chains share a key only if they share every certificate.
 */
static bool
chain_key(const struct sd_rd *der, const struct sd_x509_info *const *xi, size_t n,
    uint8_t key[32])
{
	EVP_MD_CTX *m;
	unsigned int len = 0;
	uint8_t tag = 'H';
	bool ok;
	size_t i;

	for (i = 0; i < n && i < CHAIN_MAX; i++)
		if (xi == NULL || xi[i] == NULL || strlen(xi[i]->sha256) != 64)
			tag = 'D';
	if ((m = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(m, &tag, 1) == 1;
	for (i = 0; ok && i < n && i < CHAIN_MAX; i++) {
		uint8_t l[4] = { (uint8_t)(der[i].len >> 24), (uint8_t)(der[i].len >> 16),
			(uint8_t)(der[i].len >> 8), (uint8_t)der[i].len };

		ok = EVP_DigestUpdate(m, l, sizeof(l)) == 1 && (tag == 'H' ?
		    EVP_DigestUpdate(m, xi[i]->sha256, 64) == 1 :
		    EVP_DigestUpdate(m, der[i].p, der[i].len) == 1);
	}
	ok = ok && EVP_DigestFinal_ex(m, key, &len) == 1 && len == 32;
	EVP_MD_CTX_free(m);
	return ok;
}

const struct sd_verify_result *
sd_verify_chain(struct sd_verify *v, const struct sd_rd *der, size_t n, int64_t when)
{
	return sd_verify_chain_described(v, der, NULL, n, when);
}

const struct sd_verify_result *
sd_verify_chain_described(struct sd_verify *v, const struct sd_rd *der,
    const struct sd_x509_info *const *xi, size_t n, int64_t when)
{
	struct cache_ent *e;
	int64_t lo, hi;
	uint8_t key[32];
	size_t h, i;

	if (n == 0)
		return NULL;
	if (!chain_key(der, xi, n, key)) {
		run_verify(v, der, n, when, &v->scratch, &lo, &hi);
		v->verified++;
		return &v->scratch;
	}
	if (when == SD_VERIFY_NO_TIME)
		key[31] ^= 1;	/* judged without dates: a verdict of its own */
	h = ((size_t)key[0] << 8 | key[1]) % SLOTS;
	for (i = 0; i < SLOTS; i++, h = (h + 1) % SLOTS) {
		e = &v->cache[h];
		if (e->res == NULL)
			break;
		if (memcmp(e->key, key, sizeof(key)) != 0)
			continue;
		if (when >= e->lo && when < e->hi) {
			v->cached++;
			return e->res;
		}
		/* the capture's time crossed a validity date of the chain: judge again */
		v->verified++;
		run_verify(v, der, n, when, e->res, &e->lo, &e->hi);
		return e->res;
	}
	v->verified++;
	if (v->ncache >= CACHE_MAX || i == SLOTS ||
	    (v->cache[h].res = malloc(sizeof(*v->cache[h].res))) == NULL) {
		run_verify(v, der, n, when, &v->scratch, &lo, &hi);
		return &v->scratch;
	}
	e = &v->cache[h];
	memcpy(e->key, key, sizeof(key));
	v->used[v->ncache++] = (uint16_t)h;
	run_verify(v, der, n, when, e->res, &e->lo, &e->hi);
	return e->res;
}

bool
sd_verify_spki_sha256(const uint8_t *der, size_t len, uint8_t out[32])
{
	unsigned char *spki = NULL;
	unsigned int mdlen = 0;
	X509 *x;
	int l;
	bool ok;

	if ((x = sd_x509_parse(der, len)) == NULL) {
		ERR_clear_error();
		return false;
	}
	l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	ok = l > 0 && EVP_Digest(spki, (size_t)l, out, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32;
	OPENSSL_free(spki);
	X509_free(x);
	ERR_clear_error();
	return ok;
}

/* Labels of name[0..len), a trailing dot not counted. */
static size_t
count_labels(const char *s, size_t len)
{
	size_t i, n = 1;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '.')
			n++;
	return n;
}

bool
sd_verify_name_matches(const char *pat, size_t plen, const char *name)
{
	/* second-level labels that, with a country code, act as public suffixes */
	static const char *const sld[] = { "co", "com", "net", "org", "gov", "edu", "ac",
		"or", "ne", "go", "ltd", "plc" };
	size_t nlen = strlen(name), i;
	const char *dot;

	if (plen > 0 && pat[plen - 1] == '.')
		plen--;
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (plen == 0 || nlen == 0 || memchr(pat, '\0', plen) != NULL)
		return false;
	if (pat[0] != '*')
		return plen == nlen && strncasecmp(pat, name, plen) == 0 &&
		    memchr(pat, '*', plen) == NULL;
	/* "*" must be the whole left-most label ("*.", not "w*." nor "*w.") */
	if (plen < 3 || pat[1] != '.' || memchr(pat + 1, '*', plen - 1) != NULL)
		return false;
	/* the rest must be at least two labels, and not a two-label public suffix */
	if (count_labels(pat + 2, plen - 2) < 2)
		return false;
	if (count_labels(pat + 2, plen - 2) == 2) {
		dot = memchr(pat + 2, '.', plen - 2);
		for (i = 0; dot != NULL && i < sizeof(sld) / sizeof(sld[0]); i++)
			if ((size_t)(dot - (pat + 2)) == strlen(sld[i]) &&
			    strncasecmp(pat + 2, sld[i], strlen(sld[i])) == 0)
				return false;
	}
	/* the host: exactly one non-empty label, then the same rest */
	dot = memchr(name, '.', nlen);
	if (dot == NULL || dot == name)
		return false;
	return (size_t)(name + nlen - dot) == plen - 1 &&
	    strncasecmp(dot, pat + 1, plen - 1) == 0;
}

bool
sd_verify_is_anchor(struct sd_verify *v, const uint8_t *der, size_t len)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *found = NULL;
	X509 *x = NULL;
	bool yes = false;
	int i;

	if (v == NULL || (x = sd_x509_parse(der, len)) == NULL)
		return false;
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, v->store, NULL, NULL) != 1)
		goto out;
	/* the store's certificates of that subject (also from --ca-path directories) */
	found = X509_STORE_CTX_get1_certs(ctx, X509_get_subject_name(x));
	for (i = 0; found != NULL && i < sk_X509_num(found) && !yes; i++)
		yes = EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(found, i)),
		    X509_get0_pubkey(x)) == 1;
out:
	sk_X509_pop_free(found, X509_free);
	X509_STORE_CTX_free(ctx);
	X509_free(x);
	ERR_clear_error();
	return yes;
}
