/* engine/ike_track.h - IKE exchanges and IKE SAs across messages (RFC 7296, 2408/2409, 3947). */
#ifndef SD_ENGINE_IKE_TRACK_H
#define SD_ENGINE_IKE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ike.h"
#include "dissect/memcap.h"
#include "dissect/reader.h"
#include "engine/hooks.h"
#include "engine/ipsec_types.h"

#define SD_IKE_TRK_MAX_SAS	4096	/* IKE SAs tracked at once */
#define SD_IKE_TRK_IDLE_SEC	600	/* an SA silent this long ends (capture time) */

/* One IKE datagram as the pipeline saw it. */
struct sd_ike_track_pkt {
	struct sd_rd	 datagram;	/* the IKE message bytes (after any marker / TCP framing) */
	const struct sd_event *ev;	/* the SD_EV_IKE event to write (u.msg = the message) */
};

struct sd_ike_track;

/*
 * NULL when it cannot be allocated.  Every SA is charged to mc (may be NULL).  digest
 * (borrowed, may be NULL: no NAT detection) recomputes the NAT-D hashes.
 */
struct sd_ike_track *sd_ike_track_new(struct sd_memcap *mc, struct sd_ev_sink sink,
	    const struct sd_digest_hook *digest);
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

/*
 * The clock moved to now_sec (capture time; live mode: the wall clock on an idle link):
 * exchanges silent for 60 s are written unanswered, SAs idle for SD_IKE_TRK_IDLE_SEC end
 * (120 s for one whose authentication was never answered).
 */
void	sd_ike_track_tick(struct sd_ike_track *, int64_t now_sec);

/* End of capture: write every open exchange (unanswered) and every SA; empties the table. */
void	sd_ike_track_finish(struct sd_ike_track *);

/* Number of SAs held (tests). */
size_t	sd_ike_track_count(const struct sd_ike_track *);

#endif /* SD_ENGINE_IKE_TRACK_H */
