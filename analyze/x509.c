/* analyze/x509.c - DER certificate -> facts, through OpenSSL 3 (RFC 5280). */
#include "analyze/x509.h"

#include "dissect/table.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define LONG_MAX_DER	((size_t)1 << 24)	/* d2i takes a long; certificates are far smaller */

static void
hex_digest(const EVP_MD *md, const uint8_t *der, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (EVP_Digest(der, len, d, &n, md, NULL) != 1)
		return;
	for (i = 0; i < n; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The name as `openssl x509 -nameopt RFC2253` prints it (XN_FLAG_RFC2253). */
static char *
name_rfc2253(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s = NULL;
	long n;

	if (b == NULL)
		return NULL;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(b, &data);
		if (n >= 0 && (s = malloc((size_t)n + 1)) != NULL) {
			/* an empty name leaves the BIO without data: data is NULL */
			if (n > 0)
				memcpy(s, data, (size_t)n);
			s[n] = '\0';
		}
	}
	BIO_free(b);
	return s;
}

static char *
serial_hex(const ASN1_INTEGER *ai)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
	char *h, *s = NULL, *p;

	if (bn == NULL)
		return NULL;
	/* BN_bn2hex writes whole bytes ("0A01"), uppercase, with "-" for negatives: drop
	 * the leading zero digits (keeping one "0") and lowercase the rest. */
	if ((h = BN_bn2hex(bn)) != NULL) {
		const char *d = h + (h[0] == '-');

		while (d[0] == '0' && d[1] != '\0')
			d++;
		if ((s = malloc(strlen(d) + 2)) != NULL) {
			p = s;
			if (h[0] == '-')
				*p++ = '-';
			for (; *d != '\0'; d++)
				*p++ = (*d >= 'A' && *d <= 'F') ? (char)(*d - 'A' + 'a') : *d;
			*p = '\0';
		}
		OPENSSL_free(h);
	}
	BN_free(bn);
	return s;
}

static void
iso_time(const ASN1_TIME *t, char out[21], int64_t *epoch)
{
	struct tm tm;

	out[0] = '\0';
	*epoch = 0;
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return;
	/* each field reduced to its printed width, so the 20 characters always fit */
	(void)snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
	    (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
	    (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
	*epoch = (int64_t)timegm(&tm);
}

static void
list_add(struct sd_x509_list *l, const unsigned char *p, int n)
{
	struct sd_x509_str *nv;
	char *s;

	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return;
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
		free(s);
		return;
	}
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	l->v = nv;
	l->v[l->n].p = s;
	l->v[l->n].len = (size_t)n;
	l->n++;
}

static void
list_free(struct sd_x509_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].p);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Every name of type `type` (GEN_DNS, GEN_URI) in names. */
static void
general_names(const GENERAL_NAMES *names, int type, struct sd_x509_list *out)
{
	const GENERAL_NAME *g;
	int i;

	for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
		g = sk_GENERAL_NAME_value(names, i);
		if (g->type != type)
			continue;
		/* d.dNSName and d.uniformResourceIdentifier are both IA5STRING */
		list_add(out, ASN1_STRING_get0_data(g->d.ia5), ASN1_STRING_length(g->d.ia5));
	}
}

static void
extensions(X509 *x, struct sd_x509_info *info)
{
	GENERAL_NAMES *san;
	CRL_DIST_POINTS *dps;
	AUTHORITY_INFO_ACCESS *aia;
	BASIC_CONSTRAINTS *bc;
	int i, nid;

	if ((san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL)) != NULL) {
		general_names(san, GEN_DNS, &info->san_dns);
		GENERAL_NAMES_free(san);
	}
	if ((dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL)) != NULL) {
		for (i = 0; i < sk_DIST_POINT_num(dps); i++) {
			DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

			if (dp->distpoint != NULL && dp->distpoint->type == 0)
				general_names(dp->distpoint->name.fullname, GEN_URI,
				    &info->crl_dp);
		}
		CRL_DIST_POINTS_free(dps);
	}
	if ((aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL)) != NULL) {
		for (i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
			ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);

			if (ad->location->type != GEN_URI)
				continue;
			nid = OBJ_obj2nid(ad->method);
			if (nid == NID_ad_OCSP || nid == NID_ad_ca_issuers)
				list_add(nid == NID_ad_OCSP ? &info->ocsp : &info->ca_issuers,
				    ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier),
				    ASN1_STRING_length(ad->location->d.uniformResourceIdentifier));
		}
		AUTHORITY_INFO_ACCESS_free(aia);
	}
	if ((bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL)) != NULL) {
		info->is_ca = bc->ca != 0;
		BASIC_CONSTRAINTS_free(bc);
	}
}

static void
key_facts(X509 *x, struct sd_x509_info *info)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	const char *t;
	int nid;

	if (pk != NULL) {
		switch (EVP_PKEY_get_base_id(pk)) {
		case EVP_PKEY_RSA: t = "RSA"; break;
		case EVP_PKEY_RSA_PSS: t = "RSA-PSS"; break;
		case EVP_PKEY_EC: t = "EC"; break;
		case EVP_PKEY_DSA: t = "DSA"; break;
		case EVP_PKEY_DH: t = "DH"; break;
		case EVP_PKEY_ED25519: t = "ED25519"; break;
		case EVP_PKEY_ED448: t = "ED448"; break;
		default: t = "other"; break;
		}
		(void)snprintf(info->key_type, sizeof(info->key_type), "%s", t);
		info->key_bits = EVP_PKEY_get_bits(pk);
	}
	nid = X509_get_signature_nid(x);
	if (nid != NID_undef && (t = OBJ_nid2ln(nid)) != NULL)
		(void)snprintf(info->sig_alg, sizeof(info->sig_alg), "%s", t);
}

/* SHA-256 of the SubjectPublicKeyInfo as encoded in the certificate (what pins hash). */
static void
spki_digest(X509 *x, struct sd_x509_info *info)
{
	unsigned char *spki = NULL;
	unsigned int n = 0;
	int l;

	l = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
	info->have_spki = l > 0 && EVP_Digest(spki, (size_t)l, info->spki_sha256, &n,
	    EVP_sha256(), NULL) == 1 && n == sizeof(info->spki_sha256);
	OPENSSL_free(spki);
}

/* ---------------------------------------------------------------- parse memo */

struct memo_ent {
	uint8_t		*der;		/* owned copy; NULL: free entry */
	size_t		 len;
	X509		*x;		/* NULL: it did not parse */
};

struct memo {
	struct memo_ent	 e[SD_X509_MEMO];
	unsigned	 next;		/* the entry replaced next (round robin) */
};

static pthread_key_t	memo_key;
static pthread_once_t	memo_once = PTHREAD_ONCE_INIT;
static bool		memo_ok;

static void
memo_empty(struct memo *m)
{
	size_t i;

	for (i = 0; i < SD_X509_MEMO; i++) {
		free(m->e[i].der);
		X509_free(m->e[i].x);
	}
	memset(m, 0, sizeof(*m));
}

static void
memo_end(void *p)
{
	if (p != NULL) {
		memo_empty(p);
		free(p);
	}
}

static void
memo_init(void)
{
	memo_ok = pthread_key_create(&memo_key, memo_end) == 0;
}

static struct memo *
memo_get(void)
{
	struct memo *m;

	if (pthread_once(&memo_once, memo_init) != 0 || !memo_ok)
		return NULL;
	if ((m = pthread_getspecific(memo_key)) == NULL &&
	    (m = calloc(1, sizeof(*m))) != NULL && pthread_setspecific(memo_key, m) != 0) {
		free(m);
		m = NULL;
	}
	return m;
}

void
sd_x509_memo_clear(void)
{
	struct memo *m;

	if (pthread_once(&memo_once, memo_init) == 0 && memo_ok &&
	    (m = pthread_getspecific(memo_key)) != NULL)
		memo_empty(m);
}

X509 *
sd_x509_parse(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	struct memo *m = memo_get();
	struct memo_ent *e;
	X509 *x;
	size_t i;

	if (len > LONG_MAX_DER)
		return NULL;
	for (i = 0; m != NULL && i < SD_X509_MEMO; i++) {
		e = &m->e[i];
		if (e->der != NULL && e->len == len && memcmp(e->der, der, len) == 0) {
			if (e->x != NULL && X509_up_ref(e->x) != 1)
				return NULL;
			return e->x;
		}
	}
	x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (m == NULL)
		return x;
	/* remembered when there is memory for it; the answer is the same either way */
	e = &m->e[m->next];
	free(e->der);
	X509_free(e->x);
	memset(e, 0, sizeof(*e));
	if ((e->der = malloc(len > 0 ? len : 1)) != NULL && (x == NULL || X509_up_ref(x) == 1)) {
		memcpy(e->der, der, len);
		e->len = len;
		e->x = x;
		m->next = (m->next + 1) % SD_X509_MEMO;
	} else {
		free(e->der);
		e->der = NULL;
	}
	return x;
}

bool
sd_x509_describe(const uint8_t *der, size_t len, struct sd_x509_info *info)
{
	X509 *x;

	memset(info, 0, sizeof(*info));
	hex_digest(EVP_sha256(), der, len, info->sha256);
	hex_digest(EVP_sha1(), der, len, info->sha1);
	if ((x = sd_x509_parse(der, len)) == NULL)
		return false;
	info->subject = name_rfc2253(X509_get_subject_name(x));
	info->issuer = name_rfc2253(X509_get_issuer_name(x));
	info->serial = serial_hex(X509_get0_serialNumber(x));
	iso_time(X509_get0_notBefore(x), info->not_before, &info->not_before_t);
	iso_time(X509_get0_notAfter(x), info->not_after, &info->not_after_t);
	info->self_issued = X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0;
	extensions(x, info);
	key_facts(x, info);
	spki_digest(x, info);
	X509_free(x);
	info->parsed = info->subject != NULL && info->issuer != NULL && info->serial != NULL;
	return info->parsed;
}

void
sd_x509_info_free(struct sd_x509_info *info)
{
	if (info == NULL)
		return;
	free(info->subject);
	free(info->issuer);
	free(info->serial);
	list_free(&info->san_dns);
	list_free(&info->crl_dp);
	list_free(&info->ocsp);
	list_free(&info->ca_issuers);
	memset(info, 0, sizeof(*info));
}

char *
sd_x509_name_rfc2253(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *name;
	char *s;

	if (der == NULL || len == 0 || len > LONG_MAX)
		return NULL;
	if ((name = d2i_X509_NAME(NULL, &p, (long)len)) == NULL)
		return NULL;
	/* trailing bytes after the Name: not a DistinguishedName as sent */
	s = p == der + len ? name_rfc2253(name) : NULL;
	X509_NAME_free(name);
	return s;
}

/* A cached entry: the facts and the bytes of their strings, charged to the cache's cap. */
struct cache_ent {
	struct sd_x509_info	 info;
	size_t			 extra;
};

struct sd_x509_cache {
	struct sd_tab	*tab;
	struct sd_memcap mc;	/* DER keys, entries and their strings */
	uint64_t	 hits, described;
};

static size_t
list_bytes(const struct sd_x509_list *l)
{
	size_t i, n = l->n * sizeof(l->v[0]);

	for (i = 0; i < l->n; i++)
		n += l->v[i].len + 1;
	return n;
}

/* Heap bytes the strings of info hold. */
static size_t
info_bytes(const struct sd_x509_info *x)
{
	size_t n = 0;

	n += x->subject != NULL ? strlen(x->subject) + 1 : 0;
	n += x->issuer != NULL ? strlen(x->issuer) + 1 : 0;
	n += x->serial != NULL ? strlen(x->serial) + 1 : 0;
	return n + list_bytes(&x->san_dns) + list_bytes(&x->crl_dp) + list_bytes(&x->ocsp) +
	    list_bytes(&x->ca_issuers);
}

static void
cache_drop(void *ctx, void *val)
{
	struct sd_x509_cache *c = ctx;
	struct cache_ent *e = val;

	sd_memcap_give(&c->mc, e->extra);
	sd_x509_info_free(&e->info);
}

struct sd_x509_cache *
sd_x509_cache_new(size_t max)
{
	struct sd_x509_cache *c = calloc(1, sizeof(*c));
	struct sd_tab_opts o;

	if (c == NULL)
		return NULL;
	c->mc.limit = SD_X509_CACHE_BYTES;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct cache_ent);
	o.max = max != 0 ? max : 4096;
	o.mc = &c->mc;
	o.drop = cache_drop;
	o.ctx = c;
	if ((c->tab = sd_tab_new(&o)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
sd_x509_cache_free(struct sd_x509_cache *c)
{
	if (c == NULL)
		return;
	sd_tab_free(c->tab);
	free(c);
}

const struct sd_x509_info *
sd_x509_cached(struct sd_x509_cache *c, const uint8_t *der, size_t len)
{
	struct cache_ent *e;
	bool created;

	e = sd_tab_get(c->tab, der, len, true, &created);
	if (e == NULL)
		return NULL;
	if (!created) {
		c->hits++;
		return &e->info;
	}
	c->described++;
	(void)sd_x509_describe(der, len, &e->info);
	/* charged past the cap if need be: the next certificate described makes room */
	e->extra = info_bytes(&e->info);
	c->mc.used += e->extra;
	if (c->mc.used > c->mc.peak)
		c->mc.peak = c->mc.used;
	return &e->info;
}

void
sd_x509_cache_stats(const struct sd_x509_cache *c, uint64_t *hits, uint64_t *described)
{
	*hits = c->hits;
	*described = c->described;
}
