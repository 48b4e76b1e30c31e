/* dissect/ike_v1.c - IKEv1 SA payload, transforms, attributes (RFC 2408 §3.4-3.6, 2407, 2409). */
#include "dissect/ike.h"

#include <string.h>

/* IKE (phase 1, protocol ISAKMP) attribute classes, RFC 2409 Appendix A. */
#define V1_IKE_ENC		1
#define V1_IKE_HASH		2
#define V1_IKE_AUTH		3
#define V1_IKE_GROUP		4
#define V1_IKE_LIFE_TYPE	11
#define V1_IKE_LIFE_DURATION	12
#define V1_IKE_PRF		13
#define V1_IKE_KEY_LEN		14
/* IPsec DOI (phase 2) attribute classes, RFC 2407 §4.5. */
#define V1_IPSEC_LIFE_TYPE	1
#define V1_IPSEC_LIFE_DURATION	2
#define V1_IPSEC_GROUP		3
#define V1_IPSEC_ENCAP		4
#define V1_IPSEC_AUTH		5
#define V1_IPSEC_KEY_LEN	6

#define V1_PROTO_ISAKMP		1

static uint16_t
u16_of(uint64_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

static void
set_life(struct sd_ike_transform *t, uint64_t life_type, uint64_t v)
{
	if (life_type == 1)
		t->life_sec = v;
	else if (life_type == 2)
		t->life_kb = v;
}

static enum sd_rc
parse_attrs(struct sd_rd a, bool phase1, struct sd_ike_transform *t)
{
	struct sd_ike_attr at;
	uint64_t life_type = 0;

	while (sd_rd_left(&a) > 0) {
		if (!sd_ike_attr_next(&a, &at))
			return SD_MALFORMED;
		if (phase1) {
			switch (at.type) {
			case V1_IKE_ENC: t->v1_enc = u16_of(at.value); break;
			case V1_IKE_HASH: t->v1_hash = u16_of(at.value); break;
			case V1_IKE_AUTH: t->v1_auth = u16_of(at.value); break;
			case V1_IKE_GROUP: t->v1_group = u16_of(at.value); break;
			case V1_IKE_PRF: t->v1_prf = u16_of(at.value); break;
			case V1_IKE_KEY_LEN: t->key_len = u16_of(at.value); break;
			case V1_IKE_LIFE_TYPE: life_type = at.value; break;
			case V1_IKE_LIFE_DURATION: set_life(t, life_type, at.value); break;
			default: break;
			}
		} else {
			switch (at.type) {
			case V1_IPSEC_GROUP: t->v1_group = u16_of(at.value); break;
			case V1_IPSEC_ENCAP: t->v1_encap = u16_of(at.value); break;
			case V1_IPSEC_AUTH: t->v1_auth_alg = u16_of(at.value); break;
			case V1_IPSEC_KEY_LEN: t->key_len = u16_of(at.value); break;
			case V1_IPSEC_LIFE_TYPE: life_type = at.value; break;
			case V1_IPSEC_LIFE_DURATION: set_life(t, life_type, at.value); break;
			default: break;
			}
		}
	}
	return SD_OK;
}

/* One Transform payload body (RFC 2408 §3.6). */
static enum sd_rc
parse_transform(struct sd_rd b, const struct sd_ike_proposal *p, struct sd_ike_msg *m)
{
	struct sd_ike_transform t;
	uint8_t id;
	uint16_t res;

	memset(&t, 0, sizeof(t));
	t.proposal = p->number;
	t.protocol = p->protocol;
	t.type = 1;
	if (!sd_rd_u8(&b, &t.number) || !sd_rd_u8(&b, &id) || !sd_rd_be16(&b, &res))
		return SD_MALFORMED;
	t.id = id;
	if (parse_attrs(b, p->protocol == V1_PROTO_ISAKMP, &t) != SD_OK)
		m->flags |= SD_IKE_F_BAD_PAYLOAD;
	if (m->ntransforms < SD_IKE_MAX_TRANSFORMS)
		m->transforms[m->ntransforms++] = t;
	else
		m->flags |= SD_IKE_F_TOO_MANY;
	return SD_OK;
}

/* One Proposal payload body (RFC 2408 §3.5) with its transform payloads. */
static enum sd_rc
parse_proposal(struct sd_rd b, struct sd_ike_msg *m)
{
	struct sd_ike_proposal p;
	struct sd_rd tb;
	uint8_t next, res;
	uint16_t len;

	if (sd_ike_proposal_header(&b, m, &p) != SD_OK)
		return SD_MALFORMED;
	/* each pass consumes >= 8 bytes, so this ends whatever `next` says */
	while (sd_rd_left(&b) > 0) {
		if (!sd_rd_u8(&b, &next) || !sd_rd_u8(&b, &res) || !sd_rd_be16(&b, &len) ||
		    len < 8 || !sd_rd_sub(&b, (size_t)len - 4, &tb))
			return SD_MALFORMED;
		if (parse_transform(tb, &p, m) != SD_OK)
			return SD_MALFORMED;
		if (next == SD_IKE_P_NONE)
			break;
	}
	return sd_rd_left(&b) == 0 ? SD_OK : SD_MALFORMED;
}

enum sd_rc
sd_ike_v1_parse_sa(struct sd_rd b, struct sd_ike_msg *m)
{
	struct sd_rd pb;
	uint32_t situation;
	uint8_t next, res;
	uint16_t len;

	if (!sd_rd_be32(&b, &m->sa_doi) || !sd_rd_be32(&b, &situation))
		return SD_MALFORMED;
	/* SIT_SECRECY / SIT_INTEGRITY add labelled-domain fields we do not decode */
	if (m->sa_doi == 1 && (situation & 0x06) != 0)
		return SD_UNSUPPORTED;
	while (sd_rd_left(&b) > 0) {
		if (!sd_rd_u8(&b, &next) || !sd_rd_u8(&b, &res) || !sd_rd_be16(&b, &len) ||
		    len < 8 || !sd_rd_sub(&b, (size_t)len - 4, &pb))
			return SD_MALFORMED;
		if (parse_proposal(pb, m) != SD_OK)
			return SD_MALFORMED;
		if (next == SD_IKE_P_NONE)
			break;
	}
	return sd_rd_left(&b) == 0 ? SD_OK : SD_MALFORMED;
}
