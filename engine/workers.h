/* engine/workers.h - N analysis threads fed by one reader: frames split by a symmetric hash. */
#ifndef SD_ENGINE_WORKERS_H
#define SD_ENGINE_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

/*
 * The reading thread hands each frame to the worker its address pair hashes to
 * (sd_workers_pick); the worker runs its own engine (and whatever consumes its events) on
 * it.  Frames are copied into per-worker batches, so the reader's buffer can be reused at
 * once; a worker sees its frames in the file's order, with the file's frame numbers.
 *
 * A worker's callbacks run on its own thread only, in the order the reader queued them.
 */
struct sd_workers_cb {
	void	(*packet)(void *wctx, const struct sd_pkt_in *);
	/* idle expiry at capture time now_us (sd_engine_expire), for every worker alike */
	void	(*tick)(void *wctx, uint64_t now_us);
	/* a copy of what sd_workers_broadcast() was given, at its place among the frames */
	void	(*call)(void *wctx, const void *payload, size_t len);
	/* no more input: end the flows (on the worker's thread) */
	void	(*finish)(void *wctx);
};

#define SD_WORKERS_MAX	16

struct sd_workers;

/* n (2..SD_WORKERS_MAX) threads started, wctx[i] the context of worker i. */
struct sd_workers	*sd_workers_start(unsigned n, const struct sd_workers_cb *,
			    void *const *wctx, char *err, size_t errlen);
/* Queue one frame (reader's thread); may wait while the worker's batches are all full. */
void			 sd_workers_packet(struct sd_workers *, const struct sd_pkt_in *);
/* Queue payload (copied, at most 4 KiB) for every worker, after the frames queued so far. */
void			 sd_workers_broadcast(struct sd_workers *, const void *payload, size_t len);
/* Flush, let every worker finish(), and wait for the threads; then free. */
void			 sd_workers_finish(struct sd_workers *);

/*
 * The split key of a frame: a hash of its outermost IP address pair that is the same both
 * ways.  Fragments (no ports) hash like their datagram; a tunnel's inner flows
 * go with the tunnel; an ICMP error goes with the packet it quotes.  Returns 1 when the
 * frame is IPsec (IKE on UDP 500/4500, ESP, AH), 0 when not, -1 without IP (key 0).
 */
int			 sd_workers_key(const struct sd_pkt_in *, uint64_t *key);
/*
 * The worker (0..n-1) of a frame: key % n, except that frames without IP, IPsec, and
 * every later frame of an address pair that carried IPsec go to worker 0, so that the
 * rules joining gateway pairs see all of them.
 */
unsigned		 sd_workers_pick(struct sd_workers *, const struct sd_pkt_in *);

#endif /* SD_ENGINE_WORKERS_H */
