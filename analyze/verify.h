/* analyze/verify.h - certificate chain verification through OpenSSL, cached per chain. */
#ifndef SD_ANALYZE_VERIFY_H
#define SD_ANALYZE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/reader.h"

/* sd_verify_result.flags: every fault found on the way (verification goes on after one). */
#define SD_VERIFY_SELF_SIGNED	0x0001	/* the leaf signs itself and is not trusted */
#define SD_VERIFY_UNTRUSTED_ROOT 0x0002	/* a self-signed CA in the chain that is not trusted */
#define SD_VERIFY_MISSING_ISSUER 0x0004	/* an issuer neither sent nor in the store */
#define SD_VERIFY_EXPIRED	0x0008	/* a certificate of the chain expired at `when` */
#define SD_VERIFY_NOT_YET_VALID	0x0010	/* a certificate of the chain is not valid yet */
#define SD_VERIFY_BAD_SIGNATURE	0x0020	/* a signature does not verify */
#define SD_VERIFY_OTHER		0x0040	/* any other verification error (see error) */
#define SD_VERIFY_UNPARSED	0x0080	/* the leaf is not a DER certificate */
#define SD_VERIFY_UNTRUSTED	(SD_VERIFY_SELF_SIGNED | SD_VERIFY_UNTRUSTED_ROOT | \
				 SD_VERIFY_MISSING_ISSUER)

/* What verification said about one chain; strings are RFC 2253 names. */
struct sd_verify_result {
	uint32_t	 flags;		/* SD_VERIFY_*; 0: the chain verifies */
	int		 error;		/* first X509_V_ERR_* (0 when none) */
	char		 error_text[96];	/* its OpenSSL text */
	char		 untrusted[256];	/* subject of the self-signed cert not trusted */
	char		 missing_issuer[256];	/* issuer name that was not found */
	char		 missing_for[256];	/* subject of the cert whose issuer is missing */
	char		 expired[256];	/* subject of the (first) expired / not-yet-valid cert */
	int		 expired_depth;	/* 0 leaf */
	char		 expired_text[96];	/* OpenSSL's text for it */
};

struct sd_verify;
struct sd_x509_info;

/*
 * A trust store: every certificate of the PEM files ca_files[0..nfiles) and the hashed
 * directories ca_paths[0..npaths) (borrowed for the call), plus the system store unless
 * no_system_ca.  NULL with err set when a file holds no certificate or cannot be read, or a
 * directory is not one or cannot be read.
 */
struct sd_verify	*sd_verify_new(const char *const *ca_files, size_t nfiles,
			    const char *const *ca_paths, size_t npaths, bool no_system_ca,
			    char *err, size_t errlen);
void			 sd_verify_free(struct sd_verify *);	/* NULL-safe */
/* Empty the cache of verdicts and its counts (the store stays); NULL-safe. */
void			 sd_verify_forget(struct sd_verify *);

/*
 * Verify the chain der[0..n) (leaf first, as sent; borrowed) as a TLS server chain at
 * `when` (seconds since the epoch: the capture's time; SD_VERIFY_NO_TIME: check no
 * dates, the capture's clock is wrong).  Results are cached by the SHA-256 of the chain
 * and whether dates are checked, so a chain seen on 1000
 * connections is verified once.  A cached verdict holds for the span of times in which no
 * certificate that took part (sent, in the path built, or in the store under one of their
 * names) becomes valid or expires; a time outside it verifies the chain again, so a
 * capture spanning a validity date gets the verdict of each time (the store is v's own:
 * the cache is per store; host names are not part of verification).  Returns a pointer
 * owned by v, valid until the next call; NULL on memory failure.
 */
#define SD_VERIFY_NO_TIME	INT64_MIN	/* `when`: check no dates (the clock is wrong) */
const struct sd_verify_result *sd_verify_chain(struct sd_verify *v, const struct sd_rd *der,
			    size_t n, int64_t when);
/*
 * The same, the chain's key taken from its certificates' SHA-256 (xi[i]->sha256, as
 * sd_x509_describe() gave them for der[i]) instead of hashing every DER byte again: a
 * busy capture repeats a few chains thousands of times.  xi NULL, or any xi[i] NULL or
 * without its digest: as sd_verify_chain().
 */
const struct sd_verify_result *sd_verify_chain_described(struct sd_verify *v,
			    const struct sd_rd *der, const struct sd_x509_info *const *xi, size_t n,
			    int64_t when);
/*
 * Is the DER certificate a trust anchor of the store: a certificate there with its subject
 * and public key (a root, or the same CA cross-signed by another)?  Path building stops
 * at an anchor, so its own signature is never checked.
 */
bool	sd_verify_is_anchor(struct sd_verify *, const uint8_t *der, size_t len);
/* Chains actually verified (cache misses) and served from the cache. */
void	sd_verify_stats(const struct sd_verify *, uint64_t *verified, uint64_t *cached);

/* SHA-256 of the SubjectPublicKeyInfo of a DER certificate; false if it does not parse. */
bool	sd_verify_spki_sha256(const uint8_t *der, size_t len, uint8_t out[32]);

/*
 * Does presented name `pattern` (a SAN dNSName or CN) cover host `name`?  RFC 6125 §6.4:
 * case-insensitive, a trailing dot ignored, `*` only as the whole left-most label and
 * matching exactly one label, never over fewer than three labels (*.com, *.co.uk-like
 * two-label names are refused).
 */
bool	sd_verify_name_matches(const char *pattern, size_t plen, const char *name);

#endif /* SD_ANALYZE_VERIFY_H */
