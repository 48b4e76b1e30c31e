/* analyze/ike_track.h - IKE exchanges and IKE SAs across messages (RFC 7296, 2408/2409, 3947). */
#ifndef SD_ANALYZE_IKE_TRACK_H
#define SD_ANALYZE_IKE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ike.h"
#include "dissect/memcap.h"
#include "dissect/reader.h"

#define SD_IKE_TRK_NOTIFY	8	/* response notify types kept per exchange */
#define SD_IKE_TRK_REKEYS	8	/* CREATE_CHILD_SA frames kept per SA */
#define SD_IKE_TRK_STEPS	12	/* lifecycle steps kept per SA */
#define SD_IKE_TRK_MAX_SAS	4096	/* IKE SAs tracked at once */
#define SD_IKE_TRK_IDLE_SEC	600	/* an SA silent this long ends (capture time) */

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

/* One IKE datagram as the pipeline saw it. */
struct sd_ike_track_pkt {
	struct sd_rd	 datagram;	/* the IKE message bytes (after any marker / TCP framing) */
	const struct sd_event *ev;	/* the SD_EV_IKE event to write (u.msg = the message) */
};

struct sd_ike_track;

/* NULL when it cannot be allocated.  Every SA is charged to mc (may be NULL). */
struct sd_ike_track *sd_ike_track_new(struct sd_memcap *mc, struct sd_ev_sink sink);
/* Frees without emitting; NULL-safe. */
void	sd_ike_track_free(struct sd_ike_track *);

/*
 * One parsed message, in capture order.  Sets msg->retransmit, writes pkt->ev (the `ike`
 * event) to the sink, then any exchange that this message completes, and any SA idle for
 * SD_IKE_TRK_IDLE_SEC.  The datagram and msg are borrowed for the call.
 */
void	sd_ike_track_message(struct sd_ike_track *, struct sd_ike_msg *msg,
	    const struct sd_ike_track_pkt *pkt);

/*
 * ESP seen between two addresses at frame/sec: marks SAs between them whose IKE_AUTH /
 * Quick Mode was answered before as established.
 */
void	sd_ike_track_esp(struct sd_ike_track *, const struct sd_addr *src,
	    const struct sd_addr *dst, int64_t sec, uint64_t frame);

/* End of capture: write every open exchange (unanswered) and every SA; empties the table. */
void	sd_ike_track_finish(struct sd_ike_track *);

/* Number of SAs held (tests). */
size_t	sd_ike_track_count(const struct sd_ike_track *);

/*
 * NAT detection hash of RFC 7296 §2.23 / RFC 3947 §3.2 with the given digest ("sha1",
 * "md5", "sha256", "sha384", "sha512"): H(ispi | rspi | ip | port).  Returns the digest
 * length, 0 for an unknown digest or when out is too small.
 */
size_t	sd_ike_natd_hash(const char *digest, const uint8_t ispi[8], const uint8_t rspi[8],
	    const struct sd_addr *ip, uint16_t port, uint8_t *out, size_t outlen);

#endif /* SD_ANALYZE_IKE_TRACK_H */
