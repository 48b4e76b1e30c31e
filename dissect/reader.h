/* dissect/reader.h - bounds-checked reads of untrusted bytes (BoringSSL CBS style). */
#ifndef SD_DISSECT_READER_H
#define SD_DISSECT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

bool	sd_rd_u8(struct sd_rd *, uint8_t *);
bool	sd_rd_be16(struct sd_rd *, uint16_t *);
bool	sd_rd_be24(struct sd_rd *, uint32_t *);
bool	sd_rd_be32(struct sd_rd *, uint32_t *);
bool	sd_rd_be64(struct sd_rd *, uint64_t *);
bool	sd_rd_le16(struct sd_rd *, uint16_t *);
bool	sd_rd_le32(struct sd_rd *, uint32_t *);
bool	sd_rd_skip(struct sd_rd *, size_t);
bool	sd_rd_copy(struct sd_rd *, void *dst, size_t);
bool	sd_rd_sub(struct sd_rd *, size_t, struct sd_rd *out);	/* borrow n bytes */
bool	sd_rd_vec8(struct sd_rd *, struct sd_rd *out);	/* TLS opaque<0..2^8-1> */
bool	sd_rd_vec16(struct sd_rd *, struct sd_rd *out);
bool	sd_rd_vec24(struct sd_rd *, struct sd_rd *out);
bool	sd_rd_peek_u8(const struct sd_rd *, size_t off, uint8_t *);	/* no consume */
bool	sd_rd_peek_be16(const struct sd_rd *, size_t off, uint16_t *);
bool	sd_rd_peek_be32(const struct sd_rd *, size_t off, uint32_t *);
/* Shrink the view to its first n bytes (no-op when n >= len). */
void	sd_rd_trim(struct sd_rd *, size_t n);

#endif /* SD_DISSECT_READER_H */
