/* dissect/esp.c - ESP header (RFC 4303) and the Authentication Header in front of it (RFC 4302). */
#include "dissect/esp.h"

#include <string.h>

enum sd_rc
sd_esp_parse(struct sd_rd r, struct sd_esp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->len = sd_rd_left(&r);
	if (!sd_rd_be32(&r, &h->spi))
		return SD_TRUNCATED;
	if (h->spi == 0)
		return SD_MALFORMED;
	h->has_spi = true;
	if (!sd_rd_be32(&r, &h->seq))
		return SD_TRUNCATED;
	h->has_seq = true;
	return SD_OK;
}

enum sd_rc
sd_esp_skip_ah(struct sd_rd r, uint8_t *next, struct sd_rd *inner)
{
	uint8_t words;

	*inner = sd_rd_make(NULL, 0);
	/* Next Header, Payload Len in 32-bit words minus 2, then the rest */
	if (!sd_rd_u8(&r, next) || !sd_rd_u8(&r, &words))
		return SD_TRUNCATED;
	if (!sd_rd_skip(&r, ((size_t)words + 2) * 4 - 2))
		return SD_TRUNCATED;
	*inner = r;
	return SD_OK;
}
