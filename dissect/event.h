/* dissect/event.h - typed events: one per decoded protocol message (spec/events.md). */
#ifndef SD_DISSECT_EVENT_H
#define SD_DISSECT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/ip.h"

enum sd_ev_type {
	/* message events of spec/events.md (filled by the TLS and IKE issues) */
	SD_EV_TLS_CLIENT_HELLO,
	SD_EV_TLS_SERVER_HELLO,
	SD_EV_TLS_CERTIFICATE,
	SD_EV_TLS_ALERT,
	SD_EV_DTLS_HELLO_VERIFY_REQUEST,
	SD_EV_IKE,
	SD_EV_ESP,
	/* shakedown's own message events (docs/events.md) */
	SD_EV_TLS_CERTIFICATE_REQUEST,	/* server asks for a client certificate (TLS <= 1.2) */
	SD_EV_TLS_SERVER_KEY_EXCHANGE,	/* (EC)DHE parameters: curve / group, signature */
	SD_EV_TLS_ENCRYPTED_HANDSHAKE,	/* TLS 1.3: a side's first protected handshake flight */
	SD_EV_TLS_SESSION,	/* per TLS/DTLS connection, when it ends: outcome, resumption */
	SD_EV_HTTP_CONNECT,	/* HTTP proxy CONNECT request and the proxy's answer */
	SD_EV_IKE_EXCHANGE,	/* IKE request paired with its response (or none) */
	SD_EV_IKE_SA,		/* an IKE SA's life per SPI pair, when it ends */
	SD_EV_ESP_TUNNEL,	/* a pair of gateways and the ESP SAs between them */
	SD_EV_DNS_ANSWER,	/* a DNS response (dissect/dns.h struct sd_dns_msg): names, addresses, rcode */
	SD_EV_PRELUDE,		/* a binary preamble before TLS: SOCKS4, MySQL, RDP, stray bytes */
	SD_EV_CAPWAP_CONTROL,	/* a plain CAPWAP control message (dissect/capwap.h) */
	/* transport events */
	SD_EV_TCP_UNANSWERED,	/* connection attempt never answered */
	SD_EV_TCP_RESET,	/* a RST, with where in the connection it came */
	SD_EV_ICMP_ERROR,	/* an ICMP/ICMPv6 error tied to the flow it quotes */
	SD_EV_FLOW,		/* flow record, written when the flow ends */
	SD_EV_CAPTURE,		/* end of one input: frames read, error if any */
	SD_EV_NTYPES
};

#define SD_ROLE_CLIENT	0
#define SD_ROLE_SERVER	1

/* Where a TCP connection was when something happened to it. */
enum sd_tcp_phase {
	SD_PHASE_SYN_SENT,	/* SYN seen, no answer yet */
	SD_PHASE_SYN_ACKED,	/* SYN-ACK seen, no data yet */
	SD_PHASE_CLIENT_DATA,	/* client sent data, server none yet */
	SD_PHASE_DATA,		/* both sides sent data */
	SD_PHASE_CLOSING,	/* FIN seen */
	SD_PHASE_MIDSTREAM,	/* picked up without the handshake */
};
const char	*sd_tcp_phase_name(enum sd_tcp_phase);

struct sd_ev_tcp_unanswered {
	uint32_t	 syns;		/* SYNs sent (first + retransmissions) */
	uint64_t	 first_frame, last_frame;	/* first and last SYN */
	double		 duration;	/* seconds from first to last SYN */
	double		 waited;	/* seconds watched after the last SYN (capture end or idle) */
};

struct sd_ev_tcp_reset {
	uint8_t		 sender;	/* SD_ROLE_* */
	enum sd_tcp_phase phase;	/* state of the connection before the RST */
	uint8_t		 ttl;		/* IP TTL / hop limit of the RST */
	uint16_t	 ip_id;		/* IPv4 id of the RST (0 for v6) */
	bool		 peer_ttl_known;	/* sender's earlier packets seen */
	uint8_t		 sender_ttl;	/* TTL of the sender's earlier packets (first seen) */
	uint16_t	 sender_ip_id;	/* IPv4 id of the sender's last earlier packet */
	uint64_t	 client_bytes, server_bytes;	/* payload bytes each side had sent */
	uint64_t	 after_frame;	/* frame of the last packet before the RST in the flow */
	bool		 answers_syn;	/* RST+ACK answering the client's SYN (port closed) */
	bool		 after_client_hello;	/* the client's data was a TLS ClientHello */
	bool		 after_server_hello;	/* the server had answered with a ServerHello */
};

struct sd_ev_icmp_error {
	uint8_t		 icmp_v6;	/* 1 for ICMPv6 */
	uint8_t		 itype, icode;
	uint32_t	 mtu;		/* frag needed / packet too big */
	struct sd_addr	 reporter;	/* who sent the ICMP (router or host) */
	uint8_t		 reporter_ttl;
	/* quoted packet */
	uint8_t		 q_proto;
	struct sd_addr	 q_src, q_dst;
	uint16_t	 q_sport, q_dport;
	uint64_t	 flow_id;	/* flow of the quoted packet, 0 when unknown */
};

/* What the OpenVPN dissector saw in a flow (engine/app.c, dissect/openvpn.h); both sides. */
struct sd_ev_ovpn {
	bool		 seen;		/* the flow was taken for OpenVPN */
	const char	*control;	/* "plain", "tls-auth", "tls-crypt"; NULL: no control packet read */
	uint8_t		 hmac_len;	/* tls-auth HMAC bytes */
	uint32_t	 tls_sessions;	/* TLS connections in the control channel */
	uint64_t	 control_packets, data_packets;
	uint64_t	 duplicates, reordered, gaps, dropped, malformed;
};

/*
 * Link-layer facts of a flow, per role (SD_ROLE_*): the Cisco TrustSec Security Group Tag
 * of the first packet of that side that carried one (Cisco MetaData, dissect/link.h).
 * Never part of the flow's key: a network that tags one direction only still makes one
 * flow with both sides.
 */
struct sd_flow_tags {
	uint8_t		 sgt_seen;	/* bit 1 << role: that side's packets carried an SGT */
	uint16_t	 sgt[2];
};

/* Take the sides of `from` that `to` has no SGT for yet. */
static inline void
sd_flow_tags_merge(struct sd_flow_tags *to, const struct sd_flow_tags *from)
{
	int r;

	for (r = 0; r < 2; r++) {
		if ((from->sgt_seen & (1u << r)) != 0 && (to->sgt_seen & (1u << r)) == 0) {
			to->sgt_seen |= (uint8_t)(1u << r);
			to->sgt[r] = from->sgt[r];
		}
	}
}

/* Flow record (also what nDPI labelled). */
struct sd_ev_flow {
	uint64_t	 first_frame, last_frame;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	uint64_t	 packets[2], bytes[2];	/* per role: wire bytes of IP packets */
	uint64_t	 payload[2];	/* L4 payload bytes */
	uint8_t		 ttl_first[2], ttl_min[2], ttl_max[2];
	bool		 syn_seen, synack_seen, fin_seen[2], rst_seen[2];
	const char	*role_by;	/* "syn", "port", "first" */
	const char	*app;		/* nDPI label, e.g. "TLS.Google" or "Unknown" */
	const char	*end;		/* "capture_end", "idle", "fin", "rst", "evicted" */
	/* TCP reassembly counters, per role */
	uint64_t	 retransmits[2], ooo[2], gaps[2], gap_bytes[2], overlaps[2];
	/* of the gaps, those the peer's ACK proved the capture missed, and their bytes */
	uint64_t	 capture_holes[2], capture_missed[2];
	/* pure ACKs whose IP length covered Ethernet padding (not taken as data) */
	uint64_t	 padded_acks[2];
	uint32_t	 fragments;	/* IP fragments in this flow */
	uint32_t	 icmp_errors;	/* ICMP errors quoting this flow's packets */
	uint16_t	 vlan;		/* outer VLAN id or 0 */
	struct sd_flow_tags tags;	/* SGTs seen */
	uint32_t	 anomalies;	/* SD_ANOM_* */
	/* TCP segment sizes per role (tcp.mtu_blackhole): the largest payload sent, the largest
	 * the peer acknowledged in full, retransmissions of full-size segments (within 8 bytes
	 * of the largest) with the frame that set the largest and the last such retransmission */
	uint32_t	 seg_max[2], seg_max_acked[2], big_retx[2];
	uint64_t	 seg_max_frame[2], big_retx_frame[2];
	/* first and last TCP data retransmission per role (tls.client_hello_unanswered) */
	uint64_t	 retx_first_frame[2], retx_last_frame[2];
	struct sd_ev_ovpn ovpn;		/* OpenVPN: .seen false otherwise */
};

/* End of one input file (or live capture). */
struct sd_ev_capture {
	const char	*name;		/* file name or interface */
	uint64_t	 frames;	/* frames read */
	const char	*error;		/* input error that ended it early, or NULL */
};

/*
 * The payload of a message event, by type: the struct lives with the code that decodes it
 * (dissect/tls.h, ike.h, dns.h, prelude.h; engine/ipsec_types.h for the trackers) and is
 * borrowed for the duration of the call.  One member per message event type, so a rule or
 * a writer names what it reads (ev->u.msg.alert) and the compiler checks the type.
 */
struct sd_tls_client_hello;
struct sd_tls_server_hello;
struct sd_tls_certificate;
struct sd_tls_alert;
struct sd_dtls_hello_verify_request;
struct sd_tls_certificate_request;
struct sd_tls_server_key_exchange;
struct sd_tls_encrypted_handshake;
struct sd_tls_session;
struct sd_http_connect;
struct sd_preamble_ev;
struct sd_ike_msg;
struct sd_esp_sa;
struct sd_ike_exchange;
struct sd_ike_sa;
struct sd_esp_tunnel;
struct sd_dns_msg;
struct sd_capwap_ctrl;

union sd_ev_msg {
	const struct sd_tls_client_hello		*client_hello;	/* SD_EV_TLS_CLIENT_HELLO */
	const struct sd_tls_server_hello		*server_hello;	/* SD_EV_TLS_SERVER_HELLO */
	const struct sd_tls_certificate			*certificate;	/* SD_EV_TLS_CERTIFICATE */
	const struct sd_tls_alert			*alert;		/* SD_EV_TLS_ALERT */
	const struct sd_dtls_hello_verify_request	*hvr;		/* SD_EV_DTLS_HELLO_VERIFY_REQUEST */
	const struct sd_tls_certificate_request		*cert_request;	/* SD_EV_TLS_CERTIFICATE_REQUEST */
	const struct sd_tls_server_key_exchange		*ske;		/* SD_EV_TLS_SERVER_KEY_EXCHANGE */
	const struct sd_tls_encrypted_handshake		*enc_hs;	/* SD_EV_TLS_ENCRYPTED_HANDSHAKE */
	const struct sd_tls_session			*session;	/* SD_EV_TLS_SESSION */
	const struct sd_http_connect			*connect;	/* SD_EV_HTTP_CONNECT */
	const struct sd_preamble_ev			*pre;		/* SD_EV_PRELUDE */
	const struct sd_ike_msg				*ike;		/* SD_EV_IKE */
	const struct sd_esp_sa				*esp;		/* SD_EV_ESP */
	const struct sd_ike_exchange			*exchange;	/* SD_EV_IKE_EXCHANGE */
	const struct sd_ike_sa				*ike_sa;	/* SD_EV_IKE_SA */
	const struct sd_esp_tunnel			*tunnel;	/* SD_EV_ESP_TUNNEL */
	const struct sd_dns_msg				*dns;		/* SD_EV_DNS_ANSWER */
	const struct sd_capwap_ctrl			*capwap;	/* SD_EV_CAPWAP_CONTROL */
};

/*
 * Per-flow storage for the consumers of events (Suricata's flow storage): every flow
 * carries SD_FLOW_SLOTS pointers, NULL at first, and each event of the flow hands them on
 * (sd_event.store).  A consumer registers a slot with a free function; the engine calls
 * it after the flow's last event (its SD_EV_FLOW record), so state that belongs to a
 * flow lives and dies with it.  No side tables indexed by flow id.
 */
#define SD_FLOW_SLOTS	8

struct sd_flow_store {
	void	*slot[SD_FLOW_SLOTS];
};

typedef void	sd_slot_free_fn(void *ctx, void *data);

struct sd_store_reg {
	unsigned	 n;
	struct {
		sd_slot_free_fn	*free;
		void		*ctx;
	}		 s[SD_FLOW_SLOTS];
};

/* A slot for a consumer: its index, or -1 when all are taken. */
int	sd_store_register(struct sd_store_reg *, sd_slot_free_fn *, void *ctx);
/* Free what every registered slot holds (reg may be NULL: nothing registered). */
void	sd_store_release(const struct sd_store_reg *, struct sd_flow_store *);

/*
 * A frame reference: the frame's number in its input file (1-based, as Wireshark shows it
 * for that file) in the low bits, the file's index (0-based, in the order given) above.
 * Every frame number carried by events, rule state and findings is such a reference, so
 * that evidence names its file when several files are analysed as one capture (--merge).
 * For the first file a reference is the plain frame number.
 */
#define SD_FRAME_NO_BITS	40
static inline uint64_t
sd_frame_ref(uint32_t file_index, uint64_t no)
{
	return ((uint64_t)file_index << SD_FRAME_NO_BITS) | (no & ((1ull << SD_FRAME_NO_BITS) - 1));
}
static inline uint64_t
sd_frame_no(uint64_t ref)
{
	return ref & ((1ull << SD_FRAME_NO_BITS) - 1);
}
static inline uint32_t
sd_frame_file(uint64_t ref)
{
	return (uint32_t)(ref >> SD_FRAME_NO_BITS);
}

struct sd_event {
	enum sd_ev_type	 type;
	uint64_t	 frame;		/* frame reference (sd_frame_ref) */
	int64_t		 ts_sec;
	uint32_t	 ts_nsec;
	uint8_t		 transport;	/* SD_IPPROTO_TCP, _UDP, _ESP, _ICMP, _ICMPV6 */
	struct sd_addr	 src, dst;
	uint16_t	 sport, dport;
	uint64_t	 flow_id;	/* 0 when not tied to a flow */
	struct sd_flow_store *store;	/* the flow's storage; NULL when not tied to a live flow */
	struct sd_flow_tags tags;	/* the flow's SGTs so far (zero when not tied to a flow) */
	uint32_t	 file_index;	/* which input file (0-based) */
	const char	*carrier;	/* "openvpn": TLS carried in that protocol; NULL: plain */
	/* TCP holes of this connection that the capture missed so far, per role of the
	 * sender (the peer acknowledged the bytes): what a rule says about the bytes after
	 * them is read from a stream that lost some.  Zero when none or not TCP. */
	uint32_t	 capture_holes[2];
	uint64_t	 capture_missed[2];	/* bytes in those holes */
	union {
		struct sd_ev_tcp_unanswered	 unanswered;
		struct sd_ev_tcp_reset		 reset;
		struct sd_ev_icmp_error		 icmp;
		struct sd_ev_flow		 flow;
		struct sd_ev_capture		 capture;
		union sd_ev_msg			 msg;	/* the message events */
	} u;
};

/* Where events go: the --events writer, the rules, tests. Borrowed for the call only. */
struct sd_ev_sink {
	void	(*emit)(void *ctx, const struct sd_event *);
	void	*ctx;
};

#endif /* SD_DISSECT_EVENT_H */
