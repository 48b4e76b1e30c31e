/* dissect/link.c - link layers (Ethernet, SLL, SLL2, NULL/LOOP, raw IP) with their shim
 * headers (802.1Q/802.1ad, Cisco MetaData, VN-Tag, 802.1ah I-TAG, MPLS RFC 3032) and IP
 * tunnels (VXLAN RFC 7348, GRE RFC 2784/2890, ERSPAN I/II/III) down to the network header. */
#include "dissect/link.h"

#include <string.h>

#define ETH_VLAN	0x8100	/* 802.1Q */
#define ETH_QINQ	0x88a8	/* 802.1ad */
#define ETH_QINQ_OLD	0x9100	/* pre-standard QinQ */
#define ETH_MPLS_UC	0x8847
#define ETH_MPLS_MC	0x8848
#define ETH_PPPOE_S	0x8864	/* PPPoE session stage (RFC 2516) */
#define ETH_TEB		0x6558	/* GRE transparent Ethernet bridging */
#define ETH_ERSPAN_1_2	0x88be
#define ETH_ERSPAN_3	0x22eb
#define ETH_CMD		0x8909	/* Cisco MetaData: TrustSec SGT inline tagging */
#define ETH_VNTAG	0x8926	/* VN-Tag (Cisco FEX, 802.1Qbh draft) */
#define ETH_PBB_ITAG	0x88e7	/* 802.1ah provider backbone bridging I-TAG */

#define MAX_TAGS	8	/* stacked shim headers walked: VLAN tags, CMD, VN-Tag, I-TAG */
#define CMD_OPT_SGT	0x0001	/* option type 1 (SGT), option length 0: a 16-bit tag follows */
#define MAX_LABELS	16	/* MPLS labels walked */

#define GRE_F_C		0x8000	/* checksum present */
#define GRE_F_R		0x4000	/* RFC 1701 routing present */
#define GRE_F_K		0x2000	/* key present (RFC 2890) */
#define GRE_F_S		0x1000	/* sequence number present (RFC 2890) */
#define GRE_VERSION	0x0007

/* BSD AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
static bool
is_af_inet6(uint32_t af)
{
	return af == 10 || af == 24 || af == 28 || af == 30;
}

static enum sd_rc
set_net(struct sd_link *out, uint16_t type, struct sd_rd r)
{
	out->ethertype = type;
	out->net = r;
	return SD_OK;
}

/* Raw IP: the version nibble is all there is to go by. */
static enum sd_rc
guess_ip(struct sd_rd r, struct sd_link *out)
{
	uint8_t b;

	if (!sd_rd_peek_u8(&r, 0, &b))
		return SD_TRUNCATED;
	switch (b >> 4) {
	case 4:
		return set_net(out, SD_ETH_IPV4, r);
	case 6:
		return set_net(out, SD_ETH_IPV6, r);
	default:
		return SD_UNSUPPORTED;
	}
}

/* An MPLS label stack (RFC 3032) down to the bottom-of-stack entry, then IP. */
static enum sd_rc
walk_mpls(struct sd_rd r, struct sd_link *out)
{
	uint32_t lse;
	int n;

	for (n = 0; n < MAX_LABELS; n++) {
		if (!sd_rd_be32(&r, &lse))
			return SD_TRUNCATED;
		if (lse & 0x100)		/* S bit */
			return guess_ip(r, out);
	}
	return SD_UNSUPPORTED;
}

/* PPPoE session header (RFC 2516 §4) and the PPP protocol field: IP only. */
static enum sd_rc
walk_pppoe(struct sd_rd r, struct sd_link *out)
{
	uint8_t vt, code;
	uint16_t len, proto;

	if (!sd_rd_u8(&r, &vt) || !sd_rd_u8(&r, &code) || !sd_rd_skip(&r, 2) ||
	    !sd_rd_be16(&r, &len) || !sd_rd_be16(&r, &proto))
		return SD_TRUNCATED;
	if (vt != 0x11 || code != 0)
		return SD_UNSUPPORTED;
	if (len >= 2)			/* the length counts the PPP protocol field */
		sd_rd_trim(&r, len - 2u);	/* and not the Ethernet padding */
	if (proto == 0x0021)
		return set_net(out, SD_ETH_IPV4, r);
	if (proto == 0x0057)
		return set_net(out, SD_ETH_IPV6, r);
	return SD_UNSUPPORTED;		/* LCP, IPCP, ...: control traffic */
}

/*
 * Cisco MetaData after its ethertype (draft-smith-kandula-sxp, "SGT inline tagging"):
 * version, length in 8-octet units counting from the version byte to the next ethertype
 * included, options, next ethertype.  The usual header is one unit: 01 01, the SGT option
 * word 0x0001 and the 16-bit tag, the ethertype.  Wireshark (packet-cisco-metadata.c) reads
 * that fixed layout whatever the length says; a longer header is skipped whole here, as its
 * length says, with the ethertype at its end.  Only the SGT option is known: another one
 * ends the option walk (the ethertype is found all the same).
 */
static enum sd_rc
walk_cmd(struct sd_rd *r, uint16_t *type, struct sd_link *out)
{
	struct sd_rd opts;
	uint8_t ver, len;
	uint16_t opt, sgt;

	if (!sd_rd_u8(r, &ver) || !sd_rd_u8(r, &len))
		return SD_TRUNCATED;
	if (len == 0)
		return SD_MALFORMED;
	if (!sd_rd_sub(r, (size_t)len * 8u - 4u, &opts) || !sd_rd_be16(r, type))
		return SD_TRUNCATED;
	out->shims |= SD_LINK_CMD;
	/* the option area is 8 * len - 4 bytes: SGT options (4 bytes) always fit it whole */
	while (sd_rd_be16(&opts, &opt) && opt == CMD_OPT_SGT && sd_rd_be16(&opts, &sgt)) {
		if (!out->has_sgt) {
			out->has_sgt = true;
			out->sgt = sgt;
		}
	}
	return SD_OK;
}

/* One shim header of type *type at r: consumed, and *type set to the next ethertype. */
static enum sd_rc
walk_shim(uint16_t *type, struct sd_rd *r, struct sd_link *out)
{
	uint32_t itag;
	uint16_t tci;

	switch (*type) {
	case ETH_CMD:
		return walk_cmd(r, type, out);
	case ETH_VNTAG:
		/* D, P, destination VIF, L, R, version, source VIF: 4 bytes, then the type */
		if (!sd_rd_skip(r, 4) || !sd_rd_be16(r, type))
			return SD_TRUNCATED;
		out->shims |= SD_LINK_VNTAG;
		return SD_OK;
	case ETH_PBB_ITAG:
		/* PCP, DEI, UCA, reserved, 24-bit I-SID; then the customer's DA, SA and type */
		if (!sd_rd_be32(r, &itag) || !sd_rd_skip(r, 12) || !sd_rd_be16(r, type))
			return SD_TRUNCATED;
		if ((out->shims & SD_LINK_PBB) == 0)
			out->isid = itag & 0x00ffffffu;
		out->shims |= SD_LINK_PBB;
		return SD_OK;
	default:		/* 802.1Q, 802.1ad, pre-standard QinQ */
		if (!sd_rd_be16(r, &tci) || !sd_rd_be16(r, type))
			return SD_TRUNCATED;
		if (out->nvlan < SD_LINK_MAX_VLAN)
			out->vlan[out->nvlan++] = (uint16_t)(tci & 0x0fff);
		return SD_OK;
	}
}

static bool
is_shim(uint16_t type)
{
	return type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD ||
	    type == ETH_CMD || type == ETH_VNTAG || type == ETH_PBB_ITAG;
}

/*
 * From an ethertype with `r` just after it: walk the shim headers in whatever order they
 * come (VLAN tags outer first, the first SD_LINK_MAX_VLAN ids kept; CMD, VN-Tag, I-TAG), at
 * most MAX_TAGS of them, then MPLS and PPPoE sessions, and leave out->net at the network
 * header.  Other ethertypes (ARP, LLDP, ...) are SD_OK with out->ethertype set: the caller
 * checks.
 */
static enum sd_rc
dispatch_type(uint16_t type, struct sd_rd r, struct sd_link *out)
{
	enum sd_rc rc;
	int ntags = 0;

	while (is_shim(type)) {
		if (++ntags > MAX_TAGS)
			return SD_UNSUPPORTED;
		if ((rc = walk_shim(&type, &r, out)) != SD_OK)
			return rc;
	}
	if (type < 0x0600)		/* an 802.3 length inside a tag: LLC, not IP */
		return SD_UNSUPPORTED;
	if (type == ETH_MPLS_UC || type == ETH_MPLS_MC) {
		out->shims |= SD_LINK_MPLS;
		return walk_mpls(r, out);
	}
	if (type == ETH_PPPOE_S)
		return walk_pppoe(r, out);
	return set_net(out, type, r);
}

enum sd_rc
sd_link_ether(struct sd_rd frame, struct sd_link *out)
{
	uint16_t type;

	memset(out, 0, sizeof(*out));
	if (!sd_rd_skip(&frame, 12) || !sd_rd_be16(&frame, &type))
		return SD_TRUNCATED;
	/* 802.3 frames carry a length (<= 1500) here, then LLC/SNAP: not IP we decode. */
	if (type < 0x0600)
		return SD_UNSUPPORTED;
	return dispatch_type(type, frame, out);
}

/* Linux cooked v1: pkttype, ARPHRD, addr len, addr[8], protocol (16 bytes). */
static enum sd_rc
decode_sll(struct sd_rd frame, struct sd_link *out)
{
	uint16_t proto;

	if (!sd_rd_skip(&frame, 14) || !sd_rd_be16(&frame, &proto))
		return SD_TRUNCATED;
	if (proto < 0x0600)		/* 802.2/802.3/CAN/...: not an ethertype */
		return SD_UNSUPPORTED;
	return dispatch_type(proto, frame, out);
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, pkttype, addr len, addr[8] (20). */
static enum sd_rc
decode_sll2(struct sd_rd frame, struct sd_link *out)
{
	uint16_t proto;

	if (!sd_rd_be16(&frame, &proto) || !sd_rd_skip(&frame, 18))
		return SD_TRUNCATED;
	if (proto < 0x0600)
		return SD_UNSUPPORTED;
	return dispatch_type(proto, frame, out);
}

/* NULL: a u32 AF_ value in the byte order of the capturing host (either one here). */
static enum sd_rc
decode_null(struct sd_rd frame, bool either_order, struct sd_link *out)
{
	uint32_t be, le;
	struct sd_rd r = frame;

	if (!sd_rd_peek_be32(&frame, 0, &be))
		return SD_TRUNCATED;
	(void)sd_rd_le32(&r, &le);
	if (!either_order)
		le = be;
	if (be == 2 || le == 2)
		return set_net(out, SD_ETH_IPV4, r);
	if (is_af_inet6(be) || is_af_inet6(le))
		return set_net(out, SD_ETH_IPV6, r);
	return SD_UNSUPPORTED;
}

enum sd_rc
sd_link_decode(int linktype, struct sd_rd frame, struct sd_link *out)
{
	memset(out, 0, sizeof(*out));
	switch (linktype) {
	case SD_LINKTYPE_ETHERNET:
		return sd_link_ether(frame, out);
	case SD_LINKTYPE_LINUX_SLL:
		return decode_sll(frame, out);
	case SD_LINKTYPE_LINUX_SLL2:
		return decode_sll2(frame, out);
	case SD_LINKTYPE_NULL:
		return decode_null(frame, true, out);
	case SD_LINKTYPE_LOOP:
		return decode_null(frame, false, out);
	case SD_LINKTYPE_RAW:
	case SD_DLT_RAW_12:
	case SD_DLT_RAW_14:
		return guess_ip(frame, out);
	case SD_LINKTYPE_IPV4:
		if (sd_rd_left(&frame) == 0)
			return SD_TRUNCATED;
		return set_net(out, SD_ETH_IPV4, frame);
	case SD_LINKTYPE_IPV6:
		if (sd_rd_left(&frame) == 0)
			return SD_TRUNCATED;
		return set_net(out, SD_ETH_IPV6, frame);
	default:
		return SD_UNSUPPORTED;
	}
}

bool
sd_link_supported(int linktype)
{
	switch (linktype) {
	case SD_LINKTYPE_ETHERNET:
	case SD_LINKTYPE_LINUX_SLL:
	case SD_LINKTYPE_LINUX_SLL2:
	case SD_LINKTYPE_NULL:
	case SD_LINKTYPE_LOOP:
	case SD_LINKTYPE_RAW:
	case SD_DLT_RAW_12:
	case SD_DLT_RAW_14:
	case SD_LINKTYPE_IPV4:
	case SD_LINKTYPE_IPV6:
		return true;
	default:
		return false;
	}
}

enum sd_rc
sd_link_vxlan(struct sd_rd udp_payload, struct sd_link *out)
{
	uint8_t flags;

	memset(out, 0, sizeof(*out));
	if (!sd_rd_u8(&udp_payload, &flags) || !sd_rd_skip(&udp_payload, 7))
		return SD_TRUNCATED;
	if ((flags & 0x08) == 0)	/* I flag: the VNI is valid (RFC 7348 §5) */
		return SD_MALFORMED;
	return sd_link_ether(udp_payload, out);
}

/*
 * ERSPAN type III (draft-foschiano-erspan §4.3): 12 bytes, then an 8-byte
 * platform-specific subheader when O (the last bit of byte 11) is set.
 * FT (byte 10, bits 6..2) says Ethernet (0) or IP (2).
 */
static enum sd_rc
decode_erspan3(struct sd_rd r, struct sd_link *out)
{
	uint8_t b10, b11, ft;

	if (!sd_rd_peek_u8(&r, 10, &b10) || !sd_rd_peek_u8(&r, 11, &b11))
		return SD_TRUNCATED;
	(void)sd_rd_skip(&r, 12);
	if ((b11 & 0x01) && !sd_rd_skip(&r, 8))
		return SD_TRUNCATED;
	ft = (uint8_t)((b10 >> 2) & 0x1f);
	if (ft == 0)
		return sd_link_ether(r, out);
	if (ft == 2)
		return guess_ip(r, out);
	return SD_UNSUPPORTED;
}

enum sd_rc
sd_link_gre(struct sd_rd ip_payload, struct sd_link *out)
{
	struct sd_rd r = ip_payload;
	uint16_t fl, proto;

	memset(out, 0, sizeof(*out));
	if (!sd_rd_be16(&r, &fl) || !sd_rd_be16(&r, &proto))
		return SD_TRUNCATED;
	/* Version 1 is PPTP's enhanced GRE; R is RFC 1701 source routing (obsolete). */
	if ((fl & GRE_VERSION) != 0 || (fl & GRE_F_R) != 0)
		return SD_UNSUPPORTED;
	if (((fl & GRE_F_C) && !sd_rd_skip(&r, 4)) ||	/* checksum + reserved1 */
	    ((fl & GRE_F_K) && !sd_rd_skip(&r, 4)) ||	/* key */
	    ((fl & GRE_F_S) && !sd_rd_skip(&r, 4)))	/* sequence number */
		return SD_TRUNCATED;
	switch (proto) {
	case ETH_TEB:
		return sd_link_ether(r, out);
	case ETH_ERSPAN_1_2:
		/* Type II sets S and has an 8-byte ERSPAN header; type I has neither. */
		if ((fl & GRE_F_S) && !sd_rd_skip(&r, 8))
			return SD_TRUNCATED;
		return sd_link_ether(r, out);
	case ETH_ERSPAN_3:
		return decode_erspan3(r, out);
	default:
		if (proto < 0x0600)
			return SD_UNSUPPORTED;
		return dispatch_type(proto, r, out);
	}
}
