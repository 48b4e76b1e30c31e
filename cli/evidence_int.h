/* cli/evidence_int.h - what cli/evidence.c (keeping) and cli/evidence_write.c (writing) share. */
#ifndef SD_CLI_EVIDENCE_INT_H
#define SD_CLI_EVIDENCE_INT_H

#include "cli/evidence.h"

#define EV_CERTS	8	/* certificates kept per flow */
#define EV_LABELS	32	/* events remembered per flow (what a frame shows) */

/* A packet kept in stream mode: a copy of the frame. */
struct ev_pkt {
	uint64_t	 frame;		/* sd_frame_ref */
	int64_t		 sec;
	uint32_t	 nsec, caplen, len;
	int		 linktype;
	bool		 marked;	/* it carried a decoded message: kept past the ring */
	uint8_t		 data[];
};

/* An event of a flow: the frame and what it shows. */
struct ev_label {
	uint64_t	 frame;
	enum sd_ev_type	 type;
};

/* What is kept of one flow of the engine (by its id). */
struct ev_flow {
	uint64_t	 id;
	uint8_t		 proto;
	struct sd_addr	 addr[2];	/* client, server */
	uint16_t	 port[2];
	struct ev_flow	*prev, *next;	/* its list: active (LRU) or ended (oldest first) */
	int		 list;		/* EV_LIST_* */
	bool		 partial;	/* frames of it were not kept */
	bool		 pinned;	/* replay: a decided finding needs it (never evicted) */
	uint64_t	 frames;	/* frames counted in it */
	uint64_t	 first_frame, last_frame;	/* the first and last counted */
	size_t		 charged;	/* bytes of the budget it holds */
	/* replay: frame references as zigzag LEB128 deltas */
	uint8_t		*refs;
	size_t		 refs_len, refs_cap;
	uint64_t	 last_ref, nrefs;
	/* stream: the first packets, then the last ones in a ring */
	struct ev_pkt	**head;
	unsigned	 nhead;
	struct ev_pkt	**tail;
	unsigned	 ntail, tpos;
	struct ev_pkt	**keep;		/* marked packets the ring let go, EV_LABELS at most */
	unsigned	 nkeep;
	/* both */
	uint8_t		*cert[EV_CERTS];
	size_t		 certlen[EV_CERTS];
	unsigned	 ncerts;
	struct ev_label	*lab;
	unsigned	 nlab;
};

enum { EV_LIST_NONE, EV_LIST_ACTIVE, EV_LIST_ENDED };

struct ev_list {
	struct ev_flow	*first, *last;
};

struct sd_evidence {
	struct sd_evidence_opts	 o;
	struct sd_tab		*tab;		/* struct ev_flow by flow id */
	struct ev_list		 active, ended;
	size_t			 used;
	struct ev_pkt		*cur;		/* stream: the copy of the frame being processed */
	uint64_t		 cur_frame, cur_flow;
	struct sd_evidence_stats st;
};

struct ev_flow	*ev_flow_find(const struct sd_evidence *, uint64_t id);
/*
 * The kept flows of x->flows[from..to), each once: a flow by its id, a gateway pair (id 0)
 * as every flow between its two addresses; with from 0, also the flows of its evidence
 * frames (an IKE exchange that moved to port 4500, an ICMP error).  Sets x->evidence->partial when one with an id
 * is not kept, or not all of it.  An array to free (NULL with *n 0).
 */
struct ev_flow	**ev_finding_flows(const struct sd_evidence *, struct sd_finding *, size_t from,
		    size_t to, size_t *n);
/* Replay: keep the flow for a finding decided (off the eviction lists). */
void		 ev_flow_pin(struct sd_evidence *, struct ev_flow *);
/* Decode the frame references of a replay flow into out (nrefs of them). */
void		 ev_flow_refs(const struct ev_flow *, uint64_t *out);
/* Write (stream) or name (replay) the folder of a finding just decided or decided again. */
void		 ev_write_decided(struct sd_evidence *, struct sd_finding *);
/* Stream, at the end: write a finding's capture again when more of it is kept now. */
void		 ev_write_final(struct sd_evidence *, struct sd_finding *);
/* Replay: write every finding's capture from the inputs. */
void		 ev_write_replay(struct sd_evidence *, const struct sd_findings *);

#endif /* SD_CLI_EVIDENCE_INT_H */
