/* engine/ipsec_types.h - what the IKE and ESP trackers report: the payloads of the ike.exchange,
 * ike.sa, esp and esp.tunnel events (a public header of the engine: rules and writers read these). */
#ifndef SD_ENGINE_IPSEC_TYPES_H
#define SD_ENGINE_IPSEC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/ip.h"

#define SD_IKE_TRK_NOTIFY	8	/* response notify types kept per exchange */
#define SD_IKE_TRK_REKEYS	8	/* CREATE_CHILD_SA frames kept per SA */
#define SD_IKE_TRK_STEPS	12	/* lifecycle steps kept per SA */

/* NAT detection result (RFC 7296 §2.23, RFC 3947 §3.2). -1 unknown, 0 no, 1 yes. */
struct sd_ike_nat {
	bool		 checked;	/* at least one NAT detection hash was recomputed */
	int8_t		 initiator_behind_nat;
	int8_t		 responder_behind_nat;
	const char	*hash;		/* "sha1", "md5", ...; NULL when none was checked */
	bool		 hash_assumed;	/* IKEv1: negotiated hash not seen, taken from the length */
};

/* SD_EV_IKE_EXCHANGE (ev->u.msg): one request with its response (or none). */
struct sd_ike_exchange {
	uint8_t		 version, exchange;
	uint8_t		 ispi[8], rspi[8];
	uint32_t	 message_id;
	struct sd_addr	 initiator_addr, responder_addr;	/* who sent the request / answered */
	uint16_t	 initiator_port, responder_port;
	uint64_t	 request_frame, response_frame;	/* response_frame 0: none */
	int64_t		 req_sec, resp_sec;
	uint32_t	 req_nsec, resp_nsec;
	bool		 answered;
	bool		 expects_response;	/* false for an IKEv1 Informational */
	uint32_t	 messages;	/* distinct messages (IKEv1 Main Mode: 6 when complete) */
	uint32_t	 retransmits;	/* request datagrams seen again */
	uint32_t	 response_retransmits;
	uint16_t	 notify[SD_IKE_TRK_NOTIFY];	/* of the response, in order */
	size_t		 nnotify;
	uint16_t	 error;		/* first error notify (< 16384) of the response, 0 none */
	bool		 nat_t;		/* the request came behind the non-ESP marker */
	bool		 tcp;		/* RFC 8229 */
	uint32_t	 fragments;	/* IKEv2 SKF / IKEv1 fragment messages (request + response) */
	uint32_t	 ip_fragments;	/* IP fragments of the first request datagram */
	bool		 has_nat;	/* IKE_SA_INIT / phase 1: nat below is meaningful */
	struct sd_ike_nat nat;
};

struct sd_ike_step {
	const char	*step;		/* "init", "auth", "child", "rekey", "info", "delete" ... */
	uint64_t	 frame;		/* request frame */
	double		 ms;		/* request to response, -1 unanswered */
};

/* SD_EV_IKE_SA (ev->u.msg): one IKE SA, written when it ends. */
struct sd_ike_sa {
	uint8_t		 version;
	uint8_t		 ispi[8], rspi[8];
	struct sd_addr	 initiator, responder;
	uint16_t	 initiator_port, responder_port;
	uint64_t	 first_frame, last_frame;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	uint64_t	 init_frame, auth_frame;	/* 0: not seen */
	bool		 established;
	const char	*established_by;	/* "later_exchange", "esp", "quick_mode", NULL */
	uint64_t	 rekeys[SD_IKE_TRK_REKEYS];
	size_t		 nrekeys, nrekeys_total;
	uint64_t	 deleted_frame;		/* 0: none */
	bool		 delete_inferred;	/* encrypted: last INFORMATIONAL before silence */
	uint32_t	 informational;
	uint32_t	 dpd_requests, dpd_answered;
	uint32_t	 exchanges, unanswered;
	struct sd_ike_step steps[SD_IKE_TRK_STEPS];
	size_t		 nsteps, nsteps_total;
	struct sd_ike_nat nat;
	const char	*end;			/* "capture_end", "idle" */
};

/*
 * One SA direction: every distinct (src, dst, spi, udp_encap).  Sequence analysis uses a
 * 64-packet window like the receiver's anti-replay window (RFC 4303 §3.4.3):
 * a forward jump of more than one is a gap (missing counts the skipped numbers), a number
 * already seen inside the window is a replay, an unseen one inside it arrived out of
 * order (it then no longer counts as missing), one older than the window is stale.
 */
struct sd_esp_sa {
	struct sd_addr	 src, dst;
	uint16_t	 sport, dport;	/* of the first packet */
	uint32_t	 spi;
	bool		 udp_encap;
	uint64_t	 packets, bytes;
	uint64_t	 first_frame, last_frame;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	uint32_t	 seq_first, seq_last, seq_max;
	uint64_t	 gaps, missing, replays, reordered, stale;
	uint64_t	 window;	/* bit i: seq_max - i seen */
	bool		 seq_seen;	/* false while every packet was cut before its sequence number */
	bool		 tcp_encap;	/* RFC 8229: part of the key like udp_encap */
};

/*
 * A tunnel: the SAs between one unordered pair of gateway addresses with one
 * encapsulation.  `a` is the source of the tunnel's first SA.  dir[0] is a to b.
 */
struct sd_esp_tunnel {
	struct sd_addr	 a, b;
	bool		 udp_encap, tcp_encap;
	const struct sd_esp_sa *const *sas;	/* borrowed, first_frame order */
	size_t		 nsas;
	struct {
		uint64_t	 packets, bytes;
		int64_t		 first_sec, last_sec;
		uint32_t	 first_nsec, last_nsec;
		uint64_t	 first_frame, last_frame;
	} dir[2];
	bool		 one_way;	/* packets in one direction only */
	bool		 interim;	/* told while it goes on (sd_esp_window), not at its end */
	bool		 last_interim;	/* the last tunnel of one sd_esp_window() call */
};
#endif /* SD_ENGINE_IPSEC_TYPES_H */
