/* dissect/hash.h - the one hash for tables (FNV-1a, 64 bits), and MD5 (RFC 1321) and SHA-256
 * (FIPS 180-4) for fingerprints only. */
#ifndef SD_DISSECT_HASH_H
#define SD_DISSECT_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Table hashing: every hash table of the program (flows, IKE SAs, ESP SAs, findings, rule
 * summaries) goes through these, so there is one function to improve.  Chain calls to
 * hash several fields: h = sd_hash(sd_hash(SD_HASH_INIT, a, na), b, nb); then
 * sd_hash_mix(h) spreads the bits before masking to a power-of-two bucket count.
 */
#define SD_HASH_INIT	0xcbf29ce484222325ull

static inline uint64_t
sd_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * The same job for long keys (certificates, datagrams): 8 bytes a step instead of one, with
 * the same FNV state, so a 1.5 kB certificate costs a few hundred cycles, not several
 * thousand.  Host byte order: for tables and identity checks inside one process only, never
 * for a value that is printed or stored.
 */
static inline uint64_t
sd_hash_words(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return sd_hash(h, b, n);
}

/* A 64-bit value's 8 bytes (host order), for hashing numbers without a buffer. */
static inline uint64_t
sd_hash_u64(uint64_t h, uint64_t v)
{
	return sd_hash(h, &v, sizeof(v));
}

static inline uint64_t
sd_hash_str(uint64_t h, const char *s)
{
	const uint8_t *b = (const uint8_t *)s;

	for (; *b != 0; b++) {
		h ^= *b;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Final avalanche (the murmur3 finaliser): low bits depend on every input bit. */
static inline uint64_t
sd_hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

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
