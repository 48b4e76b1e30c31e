/* dissect/openvpn.c - OpenVPN packet headers: opcode/key id, session id, tls-auth and
 * tls-crypt wrapping, ACK array, message packet-id (OpenVPN ssl_pkt.h, reliable.c). */
#include "dissect/openvpn.h"

#include <string.h>

/* A replay packet-id or message packet-id this large is not a young connection's. */
#define OVPN_MAX_ID		(1u << 24)
/* How far the sender's time may be from the capture's (seconds). */
#define OVPN_TIME_SLACK		(400LL * 86400)
/* The tls-crypt HMAC (HMAC-SHA256) after the replay packet-id and time. */
#define OVPN_CRYPT_TAG		32

static const char *const opnames[] = {
	NULL,
	"P_CONTROL_HARD_RESET_CLIENT_V1",
	"P_CONTROL_HARD_RESET_SERVER_V1",
	"P_CONTROL_SOFT_RESET_V1",
	"P_CONTROL_V1",
	"P_ACK_V1",
	"P_DATA_V1",
	"P_CONTROL_HARD_RESET_CLIENT_V2",
	"P_CONTROL_HARD_RESET_SERVER_V2",
	"P_DATA_V2",
	"P_CONTROL_HARD_RESET_CLIENT_V3",
	"P_CONTROL_WKC_V1",
};

const char *
sd_ovpn_opcode_name(uint8_t op)
{
	return op < sizeof(opnames) / sizeof(opnames[0]) ? opnames[op] : NULL;
}

bool
sd_ovpn_is_control(uint8_t op)
{
	return sd_ovpn_opcode_name(op) != NULL && op != SD_OVPN_DATA_V1 &&
	    op != SD_OVPN_DATA_V2;
}

/* The ACK array, and the message packet-id of every control opcode but ACK. */
static enum sd_rc
parse_reliable(struct sd_rd *r, struct sd_ovpn_pkt *p)
{
	uint8_t i;

	if (!sd_rd_u8(r, &p->nacks))
		return SD_MALFORMED;
	if (p->nacks > SD_OVPN_MAX_ACKS)
		return SD_MALFORMED;
	for (i = 0; i < p->nacks; i++)
		if (!sd_rd_be32(r, &p->acks[i]))
			return SD_MALFORMED;
	if (p->nacks > 0 && !sd_rd_be64(r, &p->remote_session))
		return SD_MALFORMED;
	if (p->opcode == SD_OVPN_ACK_V1)
		return SD_OK;
	if (!sd_rd_be32(r, &p->msg_id))
		return SD_MALFORMED;
	p->has_msg_id = true;
	return SD_OK;
}

enum sd_rc
sd_ovpn_parse(struct sd_rd r, const struct sd_ovpn_wrap *w, struct sd_ovpn_pkt *p)
{
	uint8_t b;
	enum sd_rc rc;

	memset(p, 0, sizeof(*p));
	if (!sd_rd_u8(&r, &b))
		return SD_MALFORMED;
	p->opcode = (uint8_t)(b >> 3);
	p->key_id = (uint8_t)(b & 7);
	if (sd_ovpn_opcode_name(p->opcode) == NULL)
		return SD_MALFORMED;
	if (!sd_ovpn_is_control(p->opcode))
		return SD_UNSUPPORTED;
	if (!sd_rd_be64(&r, &p->session_id))
		return SD_MALFORMED;
	if (w->auth == SD_OVPN_AUTH_CRYPT || p->opcode == SD_OVPN_HARD_RESET_CLIENT_V3 ||
	    p->opcode == SD_OVPN_CONTROL_WKC_V1) {
		/* what follows is encrypted; the packet-id and time are still readable */
		(void)sd_rd_be32(&r, &p->replay_id);
		(void)sd_rd_be32(&r, &p->net_time);
		return SD_UNSUPPORTED;
	}
	if (w->auth == SD_OVPN_AUTH_HMAC &&
	    (!sd_rd_skip(&r, w->hmac_len) || !sd_rd_be32(&r, &p->replay_id) ||
	    !sd_rd_be32(&r, &p->net_time)))
		return SD_MALFORMED;
	if ((rc = parse_reliable(&r, p)) != SD_OK)
		return rc;
	p->payload = r;
	return SD_OK;
}

static bool
time_near(uint32_t t, int64_t now)
{
	int64_t d = (int64_t)t - now;

	return d <= OVPN_TIME_SLACK && d >= -OVPN_TIME_SLACK;
}

/* Does the packet read well wrapped as w? */
static bool
fits(struct sd_rd r, const struct sd_ovpn_wrap *w, int64_t now)
{
	struct sd_ovpn_pkt p;

	if (sd_ovpn_parse(r, w, &p) != SD_OK)
		return false;
	if (w->auth == SD_OVPN_AUTH_HMAC &&
	    (p.replay_id == 0 || p.replay_id >= OVPN_MAX_ID || !time_near(p.net_time, now)))
		return false;
	if (p.opcode == SD_OVPN_ACK_V1)
		return p.nacks > 0 && sd_rd_left(&p.payload) == 0;
	if (p.msg_id >= OVPN_MAX_ID)
		return false;
	/* a hard reset carries no TLS; OpenVPN 2.6 may append early-negotiation TLVs */
	return p.opcode != SD_OVPN_CONTROL_V1 || sd_rd_left(&p.payload) > 0;
}

enum sd_rc
sd_ovpn_detect(struct sd_rd r, int64_t now, struct sd_ovpn_wrap *w)
{
	static const uint8_t hmacs[] = { 20, 32, 64, 16, 48 };
	uint32_t pid, t;
	uint8_t b, op;
	size_t i;

	memset(w, 0, sizeof(*w));
	if (!sd_rd_peek_u8(&r, 0, &b))
		return SD_UNSUPPORTED;
	op = (uint8_t)(b >> 3);
	if (!sd_ovpn_is_control(op))
		return SD_UNSUPPORTED;
	/* tls-crypt: replay packet-id and time right after the session id, then the tag */
	if (op == SD_OVPN_HARD_RESET_CLIENT_V3 || op == SD_OVPN_CONTROL_WKC_V1 ||
	    (sd_rd_peek_be32(&r, 9, &pid) && sd_rd_peek_be32(&r, 13, &t) && pid != 0 &&
	    pid < OVPN_MAX_ID && time_near(t, now) &&
	    sd_rd_left(&r) >= 17 + OVPN_CRYPT_TAG)) {
		w->auth = SD_OVPN_AUTH_CRYPT;
		return sd_rd_left(&r) >= 17 ? SD_OK : SD_UNSUPPORTED;
	}
	w->auth = SD_OVPN_AUTH_HMAC;
	for (i = 0; i < sizeof(hmacs); i++) {
		w->hmac_len = hmacs[i];
		if (fits(r, w, now))
			return SD_OK;
	}
	w->auth = SD_OVPN_AUTH_NONE;
	w->hmac_len = 0;
	if (fits(r, w, now))
		return SD_OK;
	return SD_UNSUPPORTED;
}

enum sd_rc
sd_ovpn_tcp_frame(struct sd_rd in, struct sd_rd *pkt, size_t *consumed)
{
	uint16_t len;

	*consumed = 0;
	*pkt = sd_rd_make(NULL, 0);
	if (!sd_rd_be16(&in, &len))
		return SD_NEED_MORE;
	if (len == 0)
		return SD_MALFORMED;
	if (!sd_rd_sub(&in, len, pkt))
		return SD_NEED_MORE;
	*consumed = (size_t)len + 2;
	return SD_OK;
}

enum sd_rc
sd_ovpn_probe(struct sd_rd in, bool tcp, int64_t now)
{
	struct sd_ovpn_wrap w;
	struct sd_ovpn_pkt p;
	struct sd_rd pkt = in;
	size_t used;
	enum sd_rc rc;
	uint8_t b;

	if (tcp) {
		rc = sd_ovpn_tcp_frame(in, &pkt, &used);
		if (rc == SD_NEED_MORE) {
			/* the length and the opcode may already say no */
			uint16_t len;

			if (sd_rd_peek_be16(&in, 0, &len) && (len < 9 || len > 1600))
				return SD_UNSUPPORTED;
			if (sd_rd_peek_u8(&in, 2, &b) && b != SD_OVPN_HARD_RESET_CLIENT_V1 << 3 &&
			    b != SD_OVPN_HARD_RESET_CLIENT_V2 << 3 &&
			    b != SD_OVPN_HARD_RESET_CLIENT_V3 << 3)
				return SD_UNSUPPORTED;
			return SD_NEED_MORE;
		}
		if (rc != SD_OK)
			return SD_UNSUPPORTED;
	}
	if (!sd_rd_peek_u8(&pkt, 0, &b) || (b != SD_OVPN_HARD_RESET_CLIENT_V1 << 3 &&
	    b != SD_OVPN_HARD_RESET_CLIENT_V2 << 3 && b != SD_OVPN_HARD_RESET_CLIENT_V3 << 3))
		return SD_UNSUPPORTED;
	if (sd_ovpn_detect(pkt, now, &w) != SD_OK)
		return SD_UNSUPPORTED;
	if (w.auth == SD_OVPN_AUTH_CRYPT)
		return SD_OK;
	if (sd_ovpn_parse(pkt, &w, &p) != SD_OK || p.msg_id != 0 || p.nacks != 0)
		return SD_UNSUPPORTED;
	return SD_OK;
}
