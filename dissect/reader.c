/* dissect/reader.c - bounds-checked reads of untrusted bytes. */
#include "dissect/reader.h"

#include <string.h>

#include "dissect/rc.h"

static bool
rd_fail(struct sd_rd *r)
{
	r->len = 0;
	return false;
}

bool
sd_rd_u8(struct sd_rd *r, uint8_t *out)
{
	*out = 0;
	if (r->len < 1)
		return rd_fail(r);
	*out = r->p[0];
	r->p += 1;
	r->len -= 1;
	return true;
}

bool
sd_rd_be16(struct sd_rd *r, uint16_t *out)
{
	*out = 0;
	if (r->len < 2)
		return rd_fail(r);
	*out = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	r->p += 2;
	r->len -= 2;
	return true;
}

bool
sd_rd_be24(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 3)
		return rd_fail(r);
	*out = (uint32_t)r->p[0] << 16 | (uint32_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->len -= 3;
	return true;
}

bool
sd_rd_be32(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 4)
		return rd_fail(r);
	*out = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	    (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->len -= 4;
	return true;
}

bool
sd_rd_be64(struct sd_rd *r, uint64_t *out)
{
	uint32_t hi, lo;

	*out = 0;
	if (r->len < 8)
		return rd_fail(r);
	(void)sd_rd_be32(r, &hi);
	(void)sd_rd_be32(r, &lo);
	*out = (uint64_t)hi << 32 | lo;
	return true;
}

bool
sd_rd_le16(struct sd_rd *r, uint16_t *out)
{
	*out = 0;
	if (r->len < 2)
		return rd_fail(r);
	*out = (uint16_t)((unsigned)r->p[1] << 8 | r->p[0]);
	r->p += 2;
	r->len -= 2;
	return true;
}

bool
sd_rd_le32(struct sd_rd *r, uint32_t *out)
{
	*out = 0;
	if (r->len < 4)
		return rd_fail(r);
	*out = (uint32_t)r->p[3] << 24 | (uint32_t)r->p[2] << 16 |
	    (uint32_t)r->p[1] << 8 | r->p[0];
	r->p += 4;
	r->len -= 4;
	return true;
}

bool
sd_rd_skip(struct sd_rd *r, size_t n)
{
	if (r->len < n)
		return rd_fail(r);
	r->p += n;
	r->len -= n;
	return true;
}

bool
sd_rd_copy(struct sd_rd *r, void *dst, size_t n)
{
	if (r->len < n) {
		memset(dst, 0, n);
		return rd_fail(r);
	}
	if (n > 0)
		memcpy(dst, r->p, n);
	r->p += n;
	r->len -= n;
	return true;
}

bool
sd_rd_sub(struct sd_rd *r, size_t n, struct sd_rd *out)
{
	out->p = NULL;
	out->len = 0;
	if (r->len < n)
		return rd_fail(r);
	out->p = r->p;
	out->len = n;
	r->p += n;
	r->len -= n;
	return true;
}

bool
sd_rd_vec8(struct sd_rd *r, struct sd_rd *out)
{
	uint8_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_u8(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

bool
sd_rd_vec16(struct sd_rd *r, struct sd_rd *out)
{
	uint16_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_be16(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

bool
sd_rd_vec24(struct sd_rd *r, struct sd_rd *out)
{
	uint32_t n;

	out->p = NULL;
	out->len = 0;
	if (!sd_rd_be24(r, &n))
		return false;
	return sd_rd_sub(r, n, out);
}

bool
sd_rd_peek_u8(const struct sd_rd *r, size_t off, uint8_t *out)
{
	*out = 0;
	if (r->len < 1 || off > r->len - 1)
		return false;
	*out = r->p[off];
	return true;
}

bool
sd_rd_peek_be16(const struct sd_rd *r, size_t off, uint16_t *out)
{
	*out = 0;
	if (r->len < 2 || off > r->len - 2)
		return false;
	*out = (uint16_t)((unsigned)r->p[off] << 8 | r->p[off + 1]);
	return true;
}

bool
sd_rd_peek_be32(const struct sd_rd *r, size_t off, uint32_t *out)
{
	*out = 0;
	if (r->len < 4 || off > r->len - 4)
		return false;
	*out = (uint32_t)r->p[off] << 24 | (uint32_t)r->p[off + 1] << 16 |
	    (uint32_t)r->p[off + 2] << 8 | r->p[off + 3];
	return true;
}

void
sd_rd_trim(struct sd_rd *r, size_t n)
{
	if (n < r->len)
		r->len = n;
}

const char *
sd_rc_name(enum sd_rc rc)
{
	switch (rc) {
	case SD_OK:
		return "ok";
	case SD_NEED_MORE:
		return "need_more";
	case SD_TRUNCATED:
		return "truncated";
	case SD_MALFORMED:
		return "malformed";
	case SD_UNSUPPORTED:
		return "unsupported";
	case SD_ENOMEM:
		return "enomem";
	}
	return "unknown";
}
