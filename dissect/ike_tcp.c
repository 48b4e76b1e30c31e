/* dissect/ike_tcp.c - RFC 8229 framing: "IKETCP" prefix, length-prefixed IKE / ESP frames. */
#include "dissect/ike_tcp.h"

#include <string.h>

enum sd_rc
sd_ike_tcp_probe(struct sd_rd s)
{
	size_t n = sd_rd_left(&s);

	if (n > SD_IKE_TCP_PREFIX_LEN)
		n = SD_IKE_TCP_PREFIX_LEN;
	if (n == 0 || memcmp(s.p, SD_IKE_TCP_PREFIX, n) != 0)
		return SD_UNSUPPORTED;
	return n == SD_IKE_TCP_PREFIX_LEN ? SD_OK : SD_NEED_MORE;
}

enum sd_rc
sd_ike_tcp_frame(struct sd_rd in, struct sd_ike_tcp_frame *out, size_t *consumed,
    size_t *needed)
{
	struct sd_rd body;
	uint16_t len;
	uint32_t marker;

	memset(out, 0, sizeof(*out));
	*consumed = 0;
	*needed = 2;
	if (!sd_rd_be16(&in, &len))
		return SD_NEED_MORE;
	if (len < 6)
		return SD_MALFORMED;	/* cannot hold a 4-byte marker or SPI */
	*needed = len;
	if (!sd_rd_sub(&in, (size_t)len - 2, &body))
		return SD_NEED_MORE;
	out->body = body;
	(void)sd_rd_be32(&body, &marker);
	if (marker == 0) {
		/* non-ESP marker: an IKE message follows (at least its 28-byte header) */
		if (sd_rd_left(&body) < 28)
			return SD_MALFORMED;
		out->ike = true;
		out->body = body;
	}
	*consumed = len;
	return SD_OK;
}
