/* analyze/x509.h - X.509 certificate facts through OpenSSL (the one adapter for it). */
#ifndef SD_ANALYZE_X509_H
#define SD_ANALYZE_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte string copied out of a certificate (may hold any byte, NUL included). */
struct sd_x509_str {
	char		*p;	/* NUL-terminated copy (owned) */
	size_t		 len;
};

struct sd_x509_list {
	struct sd_x509_str *v;
	size_t		 n;
};

/*
 * Facts derived from one DER certificate.  Owns every string; free with
 * sd_x509_info_free().  The OpenSSL X509 object lives only inside sd_x509_describe().
 */
struct sd_x509_info {
	bool		 parsed;	/* d2i_X509 accepted the DER; else only hashes are set */
	char		 sha256[65];	/* lowercase hex of SHA-256(DER) */
	char		 sha1[41];
	char		*subject;	/* RFC 2253, as `openssl x509 -nameopt RFC2253` prints */
	char		*issuer;
	char		*serial;	/* lowercase hex, no leading zeros ("0"; "-..." if negative) */
	char		 not_before[21];	/* YYYY-MM-DDTHH:MM:SSZ, "" if unreadable */
	char		 not_after[21];
	int64_t		 not_before_t, not_after_t;	/* seconds since the epoch */
	struct sd_x509_list san_dns;
	struct sd_x509_list crl_dp;	/* CRL distribution point URIs */
	struct sd_x509_list ocsp;	/* AIA OCSP URIs */
	struct sd_x509_list ca_issuers;	/* AIA caIssuers URIs */
	char		 key_type[16];	/* "RSA", "EC", "ED25519", "DSA", ... or "" */
	int		 key_bits;
	char		 sig_alg[64];	/* OpenSSL long name, e.g. "sha256WithRSAEncryption" */
	bool		 self_issued;	/* subject == issuer */
	bool		 is_ca;		/* basicConstraints CA:TRUE */
	bool		 have_spki;	/* spki_sha256 is set (the DER parsed) */
	uint8_t		 spki_sha256[32];	/* SHA-256 of the SubjectPublicKeyInfo (pins) */
};

/*
 * The certificate der[0..len) parsed (d2i_X509): a new reference the caller frees with
 * X509_free(), or NULL when it does not parse.  The last SD_X509_MEMO certificates parsed
 * on this thread are remembered, the ones that did not parse too, so that the
 * description, the chain verification and the anchor test of one handshake parse each
 * certificate once: OpenSSL 3.0 decodes every key again, through its decoder search when
 * the key is unusual or broken.  sd_x509_memo_clear() forgets this thread's; a thread's
 * are freed when it ends.
 */
#define SD_X509_MEMO	16
struct x509_st;
struct x509_st	*sd_x509_parse(const uint8_t *der, size_t len);
void		 sd_x509_memo_clear(void);

/* Describe der[0..len).  Returns true when parsed; hashes are filled either way.
 * false with info->parsed false also on allocation failure. */
bool	sd_x509_describe(const uint8_t *der, size_t len, struct sd_x509_info *info);
void	sd_x509_info_free(struct sd_x509_info *);
/* A DER X.509 Name (e.g. a CertificateRequest DistinguishedName) as RFC 2253, as
 * `openssl x509 -nameopt RFC2253` prints it: a malloc'd string the caller frees, or NULL
 * when der[0..len) is not exactly one Name. */
char	*sd_x509_name_rfc2253(const uint8_t *der, size_t len);

/*
 * A cache of certificate facts keyed by the DER bytes: a busy capture repeats the same
 * few chains thousands of times, and describing one through OpenSSL costs far more than
 * hashing its bytes.  At most `max` certificates (0: 4096) and SD_X509_CACHE_BYTES of DER
 * and strings, least recently used out.  sd_x509_cached() returns facts valid until a
 * lookup that misses pushes them out as the least recently used: the certificates of one
 * Certificate message (at most 64 KiB) can be held together; NULL on memory failure.
 */
#define SD_X509_CACHE_BYTES	((size_t)8 << 20)
struct sd_x509_cache;
struct sd_x509_cache		*sd_x509_cache_new(size_t max);
void				 sd_x509_cache_free(struct sd_x509_cache *);
const struct sd_x509_info	*sd_x509_cached(struct sd_x509_cache *, const uint8_t *der,
				    size_t len);
/* Lookups answered from the cache, and certificates described. */
void				 sd_x509_cache_stats(const struct sd_x509_cache *,
				    uint64_t *hits, uint64_t *described);

#endif /* SD_ANALYZE_X509_H */
