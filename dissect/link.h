/* dissect/link.h - link layers and tunnels down to the network header. */
#ifndef SD_DISSECT_LINK_H
#define SD_DISSECT_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/rc.h"
#include "dissect/reader.h"

/* LINKTYPE_* values (tcpdump.org/linktypes.html) this decoder knows. */
#define SD_LINKTYPE_NULL	0	/* BSD loopback: host-order u32 AF_ */
#define SD_LINKTYPE_ETHERNET	1
#define SD_LINKTYPE_RAW		101	/* raw IPv4 or IPv6 */
#define SD_LINKTYPE_LOOP	108	/* OpenBSD loopback: network-order AF_ */
#define SD_LINKTYPE_LINUX_SLL	113
#define SD_LINKTYPE_IPV4	228
#define SD_LINKTYPE_IPV6	229
#define SD_LINKTYPE_LINUX_SLL2	276
#define SD_DLT_RAW_12		12	/* DLT_RAW on most BSDs and libpcap < 1.0 */
#define SD_DLT_RAW_14		14	/* DLT_RAW on OpenBSD */

#define SD_ETH_IPV4	0x0800
#define SD_ETH_IPV6	0x86dd

#define SD_LINK_MAX_VLAN	2

/* Shim headers seen between the MAC addresses and the network layer (sd_link.shims). */
#define SD_LINK_CMD	0x01	/* Cisco MetaData (0x8909), TrustSec */
#define SD_LINK_VNTAG	0x02	/* VN-Tag (0x8926) */
#define SD_LINK_PBB	0x04	/* 802.1ah I-TAG (0x88e7) and its inner MACs */
#define SD_LINK_MPLS	0x08	/* an MPLS label stack */

struct sd_link {
	uint16_t	 ethertype;	/* of the network layer: SD_ETH_IPV4/IPV6 or other */
	uint8_t		 nvlan;		/* VLAN tags seen (outer first), capped at SD_LINK_MAX_VLAN */
	uint16_t	 vlan[SD_LINK_MAX_VLAN];	/* VLAN ids (12 bits) */
	uint8_t		 shims;		/* SD_LINK_* */
	bool		 has_sgt;	/* a CMD header carried an SGT option */
	uint16_t	 sgt;		/* its Security Group Tag (the outermost CMD's) */
	uint32_t	 isid;		/* 802.1ah I-SID (24 bits) of the outermost I-TAG */
	struct sd_rd	 net;		/* borrowed: from the network header to the frame's end */
};

/*
 * Decode the link header of a frame of the given LINKTYPE down to the network layer:
 * 802.1Q/802.1ad/QinQ tags, Cisco MetaData (TrustSec SGT), VN-Tag and 802.1ah PBB
 * I-TAGs stacked in any order (at most 8 of them), then an MPLS label stack over IP.
 * SD_OK: out->ethertype and out->net are set; the caller checks the ethertype.
 * SD_UNSUPPORTED: a link type or ethertype this program does not decode.
 * SD_TRUNCATED: the frame ends inside the link header.
 * SD_MALFORMED: a shim header contradicts itself (a CMD length of 0).
 */
enum sd_rc	sd_link_decode(int linktype, struct sd_rd frame, struct sd_link *out);
/* Is linktype one that sd_link_decode() decodes (else it answers SD_UNSUPPORTED)? */
bool		sd_link_supported(int linktype);

/* Ethernet II (with tags) from the destination MAC on: VXLAN and ERSPAN inner frames. */
enum sd_rc	sd_link_ether(struct sd_rd frame, struct sd_link *out);

/*
 * Tunnels carried over IP, found by the IP/UDP dispatcher:
 * VXLAN (RFC 7348, UDP 4789): 8-byte header with the I flag, then an Ethernet frame.
 * GRE (RFC 2784/2890) carrying IPv4/IPv6 (out->ethertype set, net = inner IP),
 * transparent Ethernet bridging 0x6558, or ERSPAN type I/II (0x88be) and III (0x22eb)
 * (inner Ethernet frame decoded into *out).
 */
enum sd_rc	sd_link_vxlan(struct sd_rd udp_payload, struct sd_link *out);
enum sd_rc	sd_link_gre(struct sd_rd ip_payload, struct sd_link *out);

#endif /* SD_DISSECT_LINK_H */
