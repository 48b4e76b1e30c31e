/* engine/engine.h - the event producer: one packet through link, IP, defragmentation, flows, TCP/UDP and apps. */
#ifndef SD_ENGINE_ENGINE_H
#define SD_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/flow.h"
#include "engine/hooks.h"
#include "dissect/defrag.h"
#include "dissect/event.h"

/* A frame as capture/ hands it on (the engine does not depend on capture/). */
struct sd_pkt_in {
	uint64_t	 frame;		/* sd_frame_ref(file_index, number in the file) */
	int64_t		 sec;
	uint32_t	 nsec;
	uint32_t	 caplen, len;
	int		 linktype;
	uint32_t	 file_index;
	const uint8_t	*data;		/* borrowed for the call */
};

/*
 * Every frame counted in a flow, as it is counted (before the flow's events of that frame),
 * and every flow's end (after its last event): --evidence keeps the packets of each flow.
 * A NULL function turns it off.
 */
struct sd_frame_hook {
	void	(*frame)(void *ctx, const struct sd_flow *, const struct sd_pkt_in *);
	void	(*flow_end)(void *ctx, uint64_t flow_id);
	void	*ctx;
};

struct sd_engine_opts {
	struct sd_flow_limits	 flow;
	struct sd_defrag_limits	 defrag;
	size_t			 memcap;	/* bytes held for flows, reassembly, app state; 0: 256 MiB */
	/*
	 * The budget to charge (borrowed; NULL: the engine's own).  A caller whose consumers
	 * keep state in the flows (rules) passes its own, so that it outlives both the engine
	 * and them; its limit, when 0, is set from memcap.
	 */
	struct sd_memcap	*mc;
	size_t			 stream_buf;	/* per TCP direction buffer cap; 0: 256 KiB */
	/* ESP SAs tracked at once; 0: 65536 (its table, made at once, is sized by it: a
	 * short-lived engine, such as the fuzz target's, wants a small one) */
	size_t			 max_esp_sas;
	struct sd_engine_hooks	 hooks;		/* third-party help (nDPI, digests); may be empty */
	struct sd_ev_sink	 sink;		/* every event goes here */
	struct sd_frame_hook	 frames;	/* frames by flow (may be empty) */
	const struct sd_store_reg *store_reg;	/* consumers' per-flow slots (borrowed; may be NULL) */
	/*
	 * Idle flows end only at sd_engine_expire(), never on a frame's own clock: with
	 * --workers, the reader decides when every engine expires (engine/workers.c), at
	 * the frames where one engine reading the whole file would.
	 */
	bool			 expire_by_caller;
};

struct sd_engine_stats {
	uint64_t	 frames, bytes;
	uint64_t	 ipv4, ipv6, non_ip, unsupported_link, truncated, malformed;
	uint64_t	 tunnels;		/* packets decapsulated from VXLAN/GRE/IP-in-IP */
	uint64_t	 fragments, reassembled;
	uint64_t	 tcp, udp, icmp, esp, other;
	uint64_t	 memcap_refused;
	size_t		 memcap_peak;
};

struct sd_engine;

struct sd_engine	*sd_engine_new(const struct sd_engine_opts *, char *err, size_t errlen);
void		 sd_engine_packet(struct sd_engine *, const struct sd_pkt_in *);
/*
 * The clock moves on without a packet (a live source on an idle link, driven by a
 * timer): flows whose timeout passed end now, and what they prove is decided.
 */
void		 sd_engine_tick(struct sd_engine *, uint64_t now_us);
/*
 * Idle expiry now, at capture time now_us (expire_by_caller): as sd_engine_packet() does
 * once per second of capture time, before the frame (after it, for a frame a day ahead).
 */
void		 sd_engine_expire(struct sd_engine *, uint64_t now_us);
/* When one engine would run idle expiry for a frame at t_us: the rule the reader follows. */
struct sd_engine_clock {
	uint64_t	 now_us, last_expire_us;
};
/* before, after: expire then (at t_us) before the frame, after it. */
void		 sd_engine_clock_step(struct sd_engine_clock *, uint64_t t_us, bool *before,
		    bool *after);
/* End of input: every flow ends ("capture_end"), end-of-capture events are written. */
void		 sd_engine_finish(struct sd_engine *);
void		 sd_engine_free(struct sd_engine *);
const struct sd_engine_stats *sd_engine_stats(const struct sd_engine *);
const struct sd_flow_stats *sd_engine_flow_stats(const struct sd_engine *);
const struct sd_defrag_stats *sd_engine_defrag_stats(const struct sd_engine *);
/* The memory budget of this engine: consumers charge their state here too. */
struct sd_memcap	*sd_engine_memcap(struct sd_engine *);

#endif /* SD_ENGINE_ENGINE_H */
