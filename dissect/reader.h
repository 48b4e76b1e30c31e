/* dissect/reader.h - bounds-checked reads of untrusted bytes (BoringSSL CBS style). */
#ifndef SD_DISSECT_READER_H
#define SD_DISSECT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A borrowed view of [p, p+len) over untrusted bytes; it never owns them.  A getter
 * consumes what it returns and yields true, or yields false, zeroes *out and sets
 * len = 0 ("sticky"), so a loop guarded by sd_rd_left() ends.
 */
struct sd_rd {
	const uint8_t	*p;
	size_t		 len;
};

static inline struct sd_rd
sd_rd_make(const void *p, size_t len)
{
	struct sd_rd r;

	r.p = p;
	r.len = p != NULL ? len : 0;
	return r;
}

static inline size_t
sd_rd_left(const struct sd_rd *r)
{
	return r->len;
}


/*
 * Getters: consume what they return and yield true, or yield false, zero *out and set
 * len = 0 (sticky).  sd_rd_sub/vecN borrow n bytes; peeks consume nothing; sd_rd_trim
 * shrinks the view to its first n bytes.  They are inline because every byte of every
 * packet goes through them: a call per field cost more than the parse itself.
 */
static inline bool
sd_rd_fail_(struct sd_rd *r)
{
	r->len = 0;
	return false;
}

static inline bool
sd_rd_u8(struct sd_rd *r, uint8_t *out)
{
	*out = 0;
	if (r->len < 1)
		return sd_rd_fail_(r);
	*out = r->p[0];
	r->p += 1;
	r->len -= 1;
	return true;
}

static inline bool
sd_rd_be16(struct sd_rd *r, uint16_t *out)
{
	*out = 0;
	if (r->len < 2)
		return sd_rd_fail_(r);
	*out = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return true;
}

static inline bool
sd_rd_be24(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 3)
		return sd_rd_fail_(r);
	*out = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->len -= 3;
	return true;
}

static inline bool
sd_rd_be32(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 4)
		return sd_rd_fail_(r);
	*out = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return true;
}

static inline bool
sd_rd_be64(struct sd_rd *r, uint64_t *out)
{
	uint32_t hi, lo;

	*out = 0;
	if (r->len < 8)
		return sd_rd_fail_(r);
	(void)sd_rd_be32(r, &hi);
	(void)sd_rd_be32(r, &lo);
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

static inline bool
sd_rd_le16(struct sd_rd *r, uint16_t *out)
{
	*out = 0;
	if (r->len < 2)
		return sd_rd_fail_(r);
	*out = (uint16_t)((unsigned)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	r->len -= 2;
	return true;
}

static inline bool
sd_rd_le32(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 4)
		return sd_rd_fail_(r);
	*out = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
	    (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	r->len -= 4;
	return true;
}

/* Move on n bytes (n <= len).  An empty reader may hold p NULL, and NULL + 0 is undefined
 * in C (clang's UBSan reports it): nothing moves for n 0. */
static inline void
sd_rd_adv_(struct sd_rd *r, size_t n)
{
	if (n > 0) {
		r->p += n;
		r->len -= n;
	}
}

static inline bool
sd_rd_skip(struct sd_rd *r, size_t n)
{
	if (r->len < n)
		return sd_rd_fail_(r);
	sd_rd_adv_(r, n);
	return true;
}

static inline bool
sd_rd_copy(struct sd_rd *r, void *dst, size_t n)
{
	if (r->len < n) {
		memset(dst, 0, n);
		return sd_rd_fail_(r);
	}
	if (n > 0)
		memcpy(dst, r->p, n);
	sd_rd_adv_(r, n);
	return true;
}

static inline bool
sd_rd_sub(struct sd_rd *r, size_t n, struct sd_rd *out)
{
	out->p = NULL;
	out->len = 0;
	if (r->len < n)
		return sd_rd_fail_(r);
	out->p = r->p;
	out->len = n;
	sd_rd_adv_(r, n);
	return true;
}

static inline bool
sd_rd_vec8(struct sd_rd *r, struct sd_rd *out)
{
	uint8_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_u8(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

static inline bool
sd_rd_vec16(struct sd_rd *r, struct sd_rd *out)
{
	uint16_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_be16(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

static inline bool
sd_rd_vec24(struct sd_rd *r, struct sd_rd *out)
{
	uint32_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_be24(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

static inline bool
sd_rd_peek_u8(const struct sd_rd *r, size_t off, uint8_t *out)
{
	*out = 0;
	if (r->len < 1 || off > r->len - 1)
		return false;
	*out = r->p[off];
	return true;
}

static inline bool
sd_rd_peek_be16(const struct sd_rd *r, size_t off, uint16_t *out)
{
	*out = 0;
	if (r->len < 2 || off > r->len - 2)
		return false;
	*out = (uint16_t)((unsigned)r->p[off] << 8 | r->p[off + 1]);
	return true;
}

static inline bool
sd_rd_peek_be32(const struct sd_rd *r, size_t off, uint32_t *out)
{
	*out = 0;
	if (r->len < 4 || off > r->len - 4)
		return false;
	*out = (uint32_t)r->p[off] << 24 | (uint32_t)r->p[off + 1] << 16 |
	    (uint32_t)r->p[off + 2] << 8 | r->p[off + 3];
	return true;
}

static inline void
sd_rd_trim(struct sd_rd *r, size_t n)
{
	if (n < r->len)
		r->len = n;
}

#endif /* SD_DISSECT_READER_H */
