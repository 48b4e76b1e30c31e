/* engine/flow.h - bidirectional flow table: roles, counters, idle timeouts, a hard cap. */
#ifndef SD_ENGINE_FLOW_H
#define SD_ENGINE_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ip.h"
#include "dissect/memcap.h"
#include "dissect/stream.h"

/* sd_flow.anomalies */
#define SD_ANOM_MEMCAP		0x0001	/* a memory cap refused data of this flow */
#define SD_ANOM_TCP_GAP		0x0002	/* TCP bytes missing from the capture */
#define SD_ANOM_MIDSTREAM	0x0004	/* TCP picked up without its handshake */
#define SD_ANOM_CAPLEN_CUT	0x0008	/* snaplen cut packets of this flow */

/* sd_flow.app_flags */
#define SD_APPF_TLS		0x0001	/* TLS or DTLS records seen */
#define SD_APPF_CLIENT_HELLO	0x0002	/* the client sent a ClientHello */
#define SD_APPF_SERVER_HELLO	0x0004	/* the server answered with a ServerHello */
#define SD_APPF_IKE		0x0008	/* IKE messages seen */
#define SD_APPF_CLOSED		0x0010	/* TCP closed: app state released, nothing more to parse */

/* TCP connection state kept beside a flow (owned by it). */
struct sd_tcpconn {
	struct sd_stream	 s[2];		/* per role: bytes that role sent */
	uint32_t		 syns;		/* client SYNs */
	uint64_t		 syn_first_frame, syn_last_frame;
	int64_t			 syn_first_sec, syn_last_sec;
	uint32_t		 syn_first_nsec, syn_last_nsec;
	bool			 synack;	/* SYN-ACK seen */
	bool			 client_acked;	/* the client ACKed after its SYN: answered */
	bool			 rst_reported[2];
	bool			 midstream;
	uint32_t		 syn_seq;	/* ISN of the client's last SYN */
	uint64_t		 rst_us;	/* capture time of the first RST (0: none) */
	/* per role: the largest segment not yet acknowledged (end sequence, length) */
	bool			 pend[2];
	uint32_t		 pend_end[2], pend_len[2];
	/* per role: the sequence number after its FIN, and whether the peer acknowledged it */
	uint32_t		 fin_end[2];
	bool			 fin_acked[2];
};

struct sd_flow {
	/* a lookup reads the key and the chain link: they share the first cache line with
	 * what every packet updates (the time, the timeout class), so walking a bucket's chain
	 * misses once per flow, not three times (hash and link were at the end, 700 bytes on) */
	struct sd_flow		*hnext;		/* table links */
	uint32_t		 hash;
	uint16_t		 port[2];
	uint8_t			 proto;		/* SD_IPPROTO_* */
	uint8_t			 tclass;	/* timeout class: the LRU list it is on */
	struct sd_addr		 addr[2];	/* [SD_ROLE_CLIENT], [SD_ROLE_SERVER] */
	uint64_t		 last_us;	/* capture time of the last packet, for idle expiry */
	struct sd_flow		*lru_prev, *lru_next;
	uint64_t		 lru_seq;	/* order of the last activity (table-wide) */
	struct sd_tcpconn	*tcp;		/* owned; NULL unless TCP */
	void			*app;		/* owned by engine/app.c: TLS/IKE state */
	uint32_t		 app_flags;	/* SD_APPF_*: what the app dissectors saw */
	uint16_t		 last_ip_id[2];
	uint64_t		 id;		/* 1-based, in order of creation */
	const char		*role_by;	/* "syn", "synack", "port", "first" */
	uint32_t		 file_index;
	struct sd_ev_flow	 rec;		/* counters; written as the flow record */
	struct sd_flow_store	 store;		/* consumers' per-flow state (dissect/event.h) */
	void			*cls_state;	/* the classify hook's own (engine/hooks.h) */
	char			 app_label[64];	/* nDPI label once known */
};

struct sd_flow_limits {
	uint32_t	 max_flows;		/* default 131072 */
	uint64_t	 tcp_idle_us;		/* default 3600 s established, 300 s otherwise */
	/* after an RST, or FIN both ways with both FINs acknowledged: 10 s (what can still
	 * come is a stray ACK or a retransmission crossing the last one) */
	uint64_t	 tcp_closed_us;
	/* FIN both ways, a FIN not (yet) acknowledged: 120 s.  Its sender retransmits it with
	 * RTO backoff up to TCP's largest RTO (120 s) while the peer is gone or the last ACK
	 * was lost; each retransmission must find the connection, not start a new one. */
	uint64_t	 tcp_closing_us;
	/* SYNs and nothing back: 70 s, longer than the longest gap between a stack's SYN
	 * retries (Linux: 64 s), so an unanswered attempt is told while the link is idle */
	uint64_t	 tcp_syn_us;
	uint64_t	 udp_idle_us;		/* default 180 s (IKE DPD and NAT keepalives come every 10-60 s) */
	uint64_t	 other_idle_us;		/* default 300 s */
};

struct sd_flow_stats {
	uint64_t	 created;
	uint64_t	 expired;	/* idle timeout */
	uint64_t	 evicted;	/* table full: oldest idle flow pushed out */
	uint64_t	 active, peak;
};

struct sd_flow_table;

/* Copy a connection's capture holes so far (stream st.capture_*) into an event. */
void	sd_tcp_capture_loss(const struct sd_tcpconn *, struct sd_event *);

/* Called for every flow that ends (timeout, eviction, end of capture) before it is freed. */
typedef void sd_flow_end_fn(void *ctx, struct sd_flow *, const char *why);

struct sd_flow_table	*sd_flow_table_new(const struct sd_flow_limits *, struct sd_memcap *,
			    sd_flow_end_fn *, void *ctx);
/* Ends every flow (why = "capture_end") and frees the table. */
void			 sd_flow_table_free(struct sd_flow_table *);
void			 sd_flow_table_flush(struct sd_flow_table *, const char *why);

/*
 * Find or create the flow of a packet src:sport -> dst:dport.  *dir is the role of the
 * sender (SD_ROLE_CLIENT or SD_ROLE_SERVER).  For a new flow the roles come from the TCP
 * flags (SYN: sender is client; SYN-ACK: receiver is client), then from well-known ports,
 * then from who spoke first.  NULL when the table is full and nothing could be evicted.
 */
struct sd_flow	*sd_flow_get(struct sd_flow_table *, uint8_t proto,
		    const struct sd_addr *src, uint16_t sport,
		    const struct sd_addr *dst, uint16_t dport,
		    uint8_t tcp_flags, uint64_t now_us, int *dir, bool *created);
/* Look a flow up without creating it (ICMP errors quoting a packet). */
struct sd_flow	*sd_flow_find(struct sd_flow_table *, uint8_t proto,
		    const struct sd_addr *src, uint16_t sport,
		    const struct sd_addr *dst, uint16_t dport, int *dir);
/* Mark activity (moves the flow to the LRU tail) and expire idle flows. */
void		 sd_flow_touch(struct sd_flow_table *, struct sd_flow *, uint64_t now_us);
/* End one flow now (its record is written with `why`) and forget it. */
void		 sd_flow_end(struct sd_flow_table *, struct sd_flow *, const char *why);
/*
 * The memory cap refused something a flow needs: end the least recently active flow (not
 * `keep`), counted as evicted, so that a flood of idle flows cannot starve a live one.
 * False when there is no other flow to end.
 */
bool		 sd_flow_make_room(struct sd_flow_table *, const struct sd_flow *keep);
void		 sd_flow_expire(struct sd_flow_table *, uint64_t now_us);
/* The flow's TCP state changed (FIN, RST) without a touch: move it to its timeout list. */
void		 sd_flow_refile(struct sd_flow_table *, struct sd_flow *);
const struct sd_flow_stats *sd_flow_table_stats(const struct sd_flow_table *);

/* Whether a port is a well-known server port for role assignment. */
bool		 sd_flow_port_is_service(uint8_t proto, uint16_t port);

#endif /* SD_ENGINE_FLOW_H */
