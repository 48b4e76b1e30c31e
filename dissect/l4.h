/* dissect/l4.h - TCP (RFC 9293), UDP (RFC 768), ICMP/ICMPv6 (RFC 792, 4443) headers. */
#ifndef SD_DISSECT_L4_H
#define SD_DISSECT_L4_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/ip.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_TCP_FIN	0x01
#define SD_TCP_SYN	0x02
#define SD_TCP_RST	0x04
#define SD_TCP_PSH	0x08
#define SD_TCP_ACK	0x10
#define SD_TCP_URG	0x20
#define SD_TCP_ECE	0x40
#define SD_TCP_CWR	0x80

struct sd_tcp {
	uint16_t	 sport, dport;
	uint32_t	 seq, ack;
	uint8_t		 flags;		/* SD_TCP_* */
	uint16_t	 window;
	uint8_t		 hdr_len;
	uint16_t	 mss;		/* option 2, 0 if absent */
	int8_t		 wscale;	/* option 3, -1 if absent */
	bool		 sack_perm;
	struct sd_rd	 payload;	/* borrowed */
};

struct sd_udp {
	uint16_t	 sport, dport;
	uint16_t	 len;		/* header field */
	struct sd_rd	 payload;	/* borrowed, trimmed to len when len is sane */
};

/* ICMP / ICMPv6 message; for errors, what the quoted packet was. */
struct sd_icmp {
	uint8_t		 type, code;
	bool		 is_error;	/* unreachable, time exceeded, param problem, too big, (v4) redirect/source quench */
	uint32_t	 mtu;		/* v4 frag-needed next-hop MTU / v6 packet-too-big MTU */
	uint16_t	 echo_id;	/* echo request/reply identifier */
	/* quoted packet (is_error): its IP header and the first ports, when present */
	bool		 has_inner;
	struct sd_ip	 inner;
	bool		 inner_has_ports;
	uint16_t	 inner_sport, inner_dport;
	uint32_t	 inner_spi;	/* ESP SPI of a quoted ESP packet */
};

/* SD_OK or SD_TRUNCATED / SD_MALFORMED (header shorter than its offset field says, ...). */
enum sd_rc	sd_tcp_parse(struct sd_rd, struct sd_tcp *);
enum sd_rc	sd_udp_parse(struct sd_rd, struct sd_udp *);
/*
 * A pure ACK whose IPv4 total length was stretched over the Ethernet padding of a
 * minimum-size frame (a known middlebox bug): a "payload" of 1 to 6 zero bytes in a
 * datagram of at most 46 bytes (what a 60-byte frame carries), ACK set and no other
 * flag but ECE/CWR.  ip_total_len: the IPv4 header's total length.  Such bytes are the
 * frame's padding, not data; the caller also checks that they sit at the next
 * expected byte, where real data will follow.
 */
bool	sd_tcp_padded_ack(const struct sd_tcp *, uint32_t ip_total_len);
/* v6: true for ICMPv6.  Quoted IP headers may be cut short: parsed as far as they go. */
enum sd_rc	sd_icmp_parse(struct sd_rd, bool v6, struct sd_icmp *);

#endif /* SD_DISSECT_L4_H */
