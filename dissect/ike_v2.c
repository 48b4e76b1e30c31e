/* dissect/ike_v2.c - IKEv2 SA payload: proposals and transforms (RFC 7296 §3.3). */
#include "dissect/ike.h"

#include <string.h>

#define V2_ATTR_KEY_LEN	14

/* One Transform substructure body (RFC 7296 §3.3.2) after its 4-byte header. */
static enum sd_rc
parse_transform(struct sd_rd b, const struct sd_ike_proposal *p, struct sd_ike_msg *m)
{
	struct sd_ike_transform t;
	struct sd_ike_attr at;
	uint8_t res;
	enum sd_rc rc = SD_OK;

	memset(&t, 0, sizeof(t));
	t.proposal = p->number;
	t.protocol = p->protocol;
	if (!sd_rd_u8(&b, &t.type) || !sd_rd_u8(&b, &res) || !sd_rd_be16(&b, &t.id))
		return SD_MALFORMED;
	while (sd_rd_left(&b) > 0) {
		if (!sd_ike_attr_next(&b, &at)) {
			rc = SD_MALFORMED;
			break;
		}
		if (at.type == V2_ATTR_KEY_LEN)
			t.key_len = at.value > UINT16_MAX ? UINT16_MAX : (uint16_t)at.value;
	}
	if (m->ntransforms < SD_IKE_MAX_TRANSFORMS)
		m->transforms[m->ntransforms++] = t;
	else
		m->flags |= SD_IKE_F_TOO_MANY;
	return rc;
}

/* One Proposal substructure body (RFC 7296 §3.3.1) with its transforms. */
static enum sd_rc
parse_proposal(struct sd_rd b, struct sd_ike_msg *m)
{
	struct sd_ike_proposal p;
	struct sd_rd tb;
	uint8_t last, res;
	uint16_t len;

	if (sd_ike_proposal_header(&b, m, &p) != SD_OK)
		return SD_MALFORMED;
	/* each pass consumes >= 8 bytes: ends whatever the "last" bytes say */
	while (sd_rd_left(&b) > 0) {
		if (!sd_rd_u8(&b, &last) || !sd_rd_u8(&b, &res) || !sd_rd_be16(&b, &len) ||
		    len < 8 || !sd_rd_sub(&b, (size_t)len - 4, &tb))
			return SD_MALFORMED;
		if (parse_transform(tb, &p, m) != SD_OK)
			return SD_MALFORMED;
		if (last == 0)
			break;
	}
	return sd_rd_left(&b) == 0 ? SD_OK : SD_MALFORMED;
}

enum sd_rc
sd_ike_v2_parse_sa(struct sd_rd b, struct sd_ike_msg *m)
{
	struct sd_rd pb;
	uint8_t last, res;
	uint16_t len;

	while (sd_rd_left(&b) > 0) {
		if (!sd_rd_u8(&b, &last) || !sd_rd_u8(&b, &res) || !sd_rd_be16(&b, &len) ||
		    len < 8 || !sd_rd_sub(&b, (size_t)len - 4, &pb))
			return SD_MALFORMED;
		if (parse_proposal(pb, m) != SD_OK)
			return SD_MALFORMED;
		if (last == 0)
			break;
	}
	return sd_rd_left(&b) == 0 ? SD_OK : SD_MALFORMED;
}
