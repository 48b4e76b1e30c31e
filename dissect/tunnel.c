/* dissect/tunnel.c - UDP tunnels: VXLAN (RFC 7348), VXLAN-GPE, Geneve (RFC 8926),
 * GTP-U (3GPP TS 29.281), Teredo (RFC 4380), CAPWAP data (RFC 5415/5416). */
#include "dissect/tunnel.h"

#include <string.h>

#include "dissect/capwap.h"

/* The inner packet starts at r: IPv4 or IPv6 by its version nibble. */
static enum sd_rc
inner_ip(struct sd_rd r, struct sd_link *out)
{
	uint8_t b;

	if (!sd_rd_peek_u8(&r, 0, &b))
		return SD_UNSUPPORTED;
	memset(out, 0, sizeof(*out));
	if (b >> 4 == 4)
		out->ethertype = SD_ETH_IPV4;
	else if (b >> 4 == 6)
		out->ethertype = SD_ETH_IPV6;
	else
		return SD_UNSUPPORTED;
	out->net = r;
	return SD_OK;
}

static enum sd_rc
by_ethertype(uint16_t proto, struct sd_rd r, struct sd_link *out)
{
	switch (proto) {
	case 0x6558:		/* transparent Ethernet bridging */
		return sd_link_ether(r, out);
	case SD_ETH_IPV4:
	case SD_ETH_IPV6:
		if (inner_ip(r, out) != SD_OK || out->ethertype != proto)
			return SD_UNSUPPORTED;
		return SD_OK;
	default:
		return SD_UNSUPPORTED;
	}
}

static enum sd_rc
geneve(struct sd_rd r, struct sd_link *out)
{
	uint8_t vo, flags;
	uint16_t proto;

	if (!sd_rd_u8(&r, &vo) || !sd_rd_u8(&r, &flags) || !sd_rd_be16(&r, &proto) ||
	    !sd_rd_skip(&r, 4))
		return SD_UNSUPPORTED;
	if (vo >> 6 != 0)		/* version 0 only */
		return SD_UNSUPPORTED;
	if (!sd_rd_skip(&r, (size_t)(vo & 0x3f) * 4))	/* options */
		return SD_UNSUPPORTED;
	return by_ethertype(proto, r, out);
}

static enum sd_rc
vxlan_gpe(struct sd_rd r, struct sd_link *out)
{
	uint8_t flags, next;

	if (!sd_rd_u8(&r, &flags) || !sd_rd_skip(&r, 2) || !sd_rd_u8(&r, &next) ||
	    !sd_rd_skip(&r, 4))
		return SD_UNSUPPORTED;
	(void)flags;	/* Wireshark reads next_protocol whether or not the P bit is set */
	switch (next) {
	case 1:
		return by_ethertype(SD_ETH_IPV4, r, out);
	case 2:
		return by_ethertype(SD_ETH_IPV6, r, out);
	case 3:
		return sd_link_ether(r, out);
	default:
		return SD_UNSUPPORTED;
	}
}

static enum sd_rc
gtpu(struct sd_rd r, struct sd_link *out)
{
	uint8_t flags, type, next, elen;
	uint16_t len;
	unsigned n = 0;

	if (!sd_rd_u8(&r, &flags) || !sd_rd_u8(&r, &type) || !sd_rd_be16(&r, &len) ||
	    !sd_rd_skip(&r, 4))
		return SD_UNSUPPORTED;
	if (flags >> 5 != 1 || (flags & 0x10) == 0 || type != 0xff)	/* v1, GTP, T-PDU */
		return SD_UNSUPPORTED;
	sd_rd_trim(&r, len);		/* length counts what follows the mandatory 8 bytes */
	if (flags & 0x07) {		/* E, S or PN: sequence, N-PDU, next extension type */
		if (!sd_rd_skip(&r, 3) || !sd_rd_u8(&r, &next))
			return SD_UNSUPPORTED;
		while ((flags & 0x04) && next != 0) {
			/* extension header: length in 4-byte units, its last byte the next type */
			if (!sd_rd_u8(&r, &elen) || elen == 0 || ++n > 16 ||
			    !sd_rd_skip(&r, (size_t)elen * 4 - 2) || !sd_rd_u8(&r, &next))
				return SD_UNSUPPORTED;
		}
	}
	return inner_ip(r, out);
}

static enum sd_rc
teredo(struct sd_rd r, struct sd_link *out)
{
	uint16_t ind;
	uint8_t idlen, aulen;

	/* optional authentication (0x0001) then origin indication (0x0000) headers */
	if (sd_rd_peek_be16(&r, 0, &ind) && ind == 0x0001) {
		if (!sd_rd_skip(&r, 2) || !sd_rd_u8(&r, &idlen) || !sd_rd_u8(&r, &aulen) ||
		    !sd_rd_skip(&r, (size_t)idlen + aulen + 9))
			return SD_UNSUPPORTED;
	}
	if (sd_rd_peek_be16(&r, 0, &ind) && ind == 0x0000 && !sd_rd_skip(&r, 8))
		return SD_UNSUPPORTED;
	/* an IPv6 header must follow, whole: 40 bytes, version 6 */
	if (sd_rd_left(&r) < 40 || (r.p[0] >> 4) != 6)
		return SD_UNSUPPORTED;
	return inner_ip(r, out);
}

/* CAPWAP data channel: plain (not DTLS) 802.3 or 802.11 frames of the stations. */
static enum sd_rc
capwap_data(struct sd_rd r, struct sd_link *out)
{
	struct sd_capwap cw;

	if (sd_capwap_parse(r, &cw) != SD_OK || cw.type != SD_CAPWAP_PLAIN)
		return SD_UNSUPPORTED;
	return sd_capwap_data(&cw, out);
}

enum sd_rc
sd_tunnel_udp(uint16_t sport, uint16_t dport, struct sd_rd payload, struct sd_link *out)
{
	enum sd_rc rc = SD_UNSUPPORTED;

	if (sport == SD_PORT_VXLAN || dport == SD_PORT_VXLAN)
		rc = sd_link_vxlan(payload, out);
	else if (sport == SD_PORT_GENEVE || dport == SD_PORT_GENEVE)
		rc = geneve(payload, out);
	else if (sport == SD_PORT_VXLAN_GPE || dport == SD_PORT_VXLAN_GPE)
		rc = vxlan_gpe(payload, out);
	else if (sport == SD_PORT_GTPU || dport == SD_PORT_GTPU)
		rc = gtpu(payload, out);
	else if (sport == SD_PORT_TEREDO || dport == SD_PORT_TEREDO)
		rc = teredo(payload, out);
	else if (sport == SD_PORT_CAPWAP_DATA || dport == SD_PORT_CAPWAP_DATA)
		rc = capwap_data(payload, out);
	return rc == SD_OK ? SD_OK : SD_UNSUPPORTED;
}
