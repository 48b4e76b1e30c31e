/* dissect/ip.h - IPv4 (RFC 791) and IPv6 with extension headers (RFC 8200). */
#ifndef SD_DISSECT_IP_H
#define SD_DISSECT_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_IPPROTO_ICMP		1
#define SD_IPPROTO_IPIP		4
#define SD_IPPROTO_TCP		6
#define SD_IPPROTO_UDP		17
#define SD_IPPROTO_IPV6		41
#define SD_IPPROTO_GRE		47
#define SD_IPPROTO_ESP		50
#define SD_IPPROTO_AH		51
#define SD_IPPROTO_ICMPV6	58
#define SD_IPPROTO_NONE		59

/* An address, v4 or v6; v4 lives in a[0..3] with the rest zero. */
struct sd_addr {
	uint8_t		 a[16];
	uint8_t		 v;		/* 4 or 6 */
};

/* Text form: dotted quad or RFC 5952; buf must hold SD_ADDR_STRLEN. */
#define SD_ADDR_STRLEN	46
const char	*sd_ip_addr_str(const struct sd_addr *, char *buf);
int		 sd_ip_addr_cmp(const struct sd_addr *, const struct sd_addr *);
/* "tcp", "udp", "esp", "icmp", "icmpv6", else "ip": the names --events and findings use. */
const char	*sd_ip_proto_name(uint8_t proto);

/* sd_ip.flags */
#define SD_IP_F_CAPLEN_CUT	0x01	/* fewer bytes captured than the total length */
#define SD_IP_F_TSO_ZERO_LEN	0x02	/* IPv4 total length 0 (TSO): length taken from the frame */
#define SD_IP_F_JUMBO		0x04	/* IPv6 jumbogram */
#define SD_IP_F_BAD_HDR		0x08	/* options or extension headers malformed, parsed as far as possible */
#define SD_IP_F_ROUTING		0x10	/* IPv6 routing header present */
#define SD_IP_F_BAD_CSUM	0x20	/* IPv4 header checksum wrong (kept: offloads) */

struct sd_ip {
	uint8_t		 version;	/* 4 or 6 */
	struct sd_addr	 src, dst;
	uint8_t		 ttl;		/* TTL or hop limit */
	uint8_t		 tos;		/* TOS or traffic class */
	uint16_t	 id;		/* IPv4 identification */
	uint32_t	 frag_ident;	/* IPv6 fragment header identification (v4: = id) */
	uint8_t		 proto;		/* upper-layer protocol after extension headers */
	bool		 fragment;	/* MF set or offset != 0 (or v6 fragment header) */
	bool		 more_frags;
	uint32_t	 frag_offset;	/* in bytes */
	uint16_t	 hdr_len;	/* IPv4 header / IPv6 header + extension headers */
	uint32_t	 total_len;	/* from the header (or inferred for TSO / jumbo) */
	uint32_t	 flags;		/* SD_IP_F_* */
	struct sd_rd	 payload;	/* borrowed: upper-layer bytes, trimmed to the total length */
};

/*
 * Parse the IP header at the start of `net` (the version nibble chooses v4 or v6).
 * Trailing link padding is trimmed off the payload.  SD_TRUNCATED when the capture
 * cut the header itself; a cut payload is SD_OK with SD_IP_F_CAPLEN_CUT.
 */
enum sd_rc	sd_ip_parse(struct sd_rd net, struct sd_ip *out);

/*
 * After IPv6 reassembly: the fragmentable part may start with more extension headers
 * (destination options, routing).  Walk them (at most 8): *proto becomes the upper-layer
 * protocol and *payload its bytes.  SD_MALFORMED when a header runs past the data.
 */
enum sd_rc	sd_ip6_skip_ext(struct sd_rd *payload, uint8_t *proto);

#endif /* SD_DISSECT_IP_H */
