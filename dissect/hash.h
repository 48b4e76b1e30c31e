/* dissect/hash.h - MD5 (RFC 1321) and SHA-256 (FIPS 180-4) for fingerprints only. */
#ifndef SD_DISSECT_HASH_H
#define SD_DISSECT_HASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * dissect/ links no third-party library, yet JA3/JA3S need MD5 and JA4 needs SHA-256 of
 * short strings.  These are plain, unoptimised implementations for that use only: not
 * for anything security-relevant.
 */
struct sd_md5 {
	uint32_t	 h[4];
	uint64_t	 n;		/* bytes hashed */
	uint8_t		 blk[64];
	size_t		 used;
};

struct sd_sha256 {
	uint32_t	 h[8];
	uint64_t	 n;
	uint8_t		 blk[64];
	size_t		 used;
};

void	sd_md5_init(struct sd_md5 *);
void	sd_md5_update(struct sd_md5 *, const void *, size_t);
void	sd_md5_final(struct sd_md5 *, uint8_t out[16]);

void	sd_sha256_init(struct sd_sha256 *);
void	sd_sha256_update(struct sd_sha256 *, const void *, size_t);
void	sd_sha256_final(struct sd_sha256 *, uint8_t out[32]);

/* Lowercase hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void	sd_hash_hex(const uint8_t *, size_t n, char *out);

#endif /* SD_DISSECT_HASH_H */
