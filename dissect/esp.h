/* dissect/esp.h - ESP header (RFC 4303), ESP in UDP (RFC 3948) and the per-SA table. */
#ifndef SD_DISSECT_ESP_H
#define SD_DISSECT_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ip.h"
#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

/* ESP header: the only part in clear. */
struct sd_esp_hdr {
	uint32_t	 spi;
	uint32_t	 seq;
	bool		 has_spi, has_seq;
	size_t		 len;		/* bytes from the SPI to the end (header, ciphertext, ICV) */
};

/*
 * Parse the 8-byte ESP header at the start of r (raw IP protocol 50, or a UDP 4500 payload
 * that sd_ike_classify() called SD_IKE_UDP_ESP).  SD_TRUNCATED under 8 bytes (with
 * has_seq false, and spi set when 4 bytes are there: the capture cut the packet, it is
 * still a packet of that SA), SD_MALFORMED for SPI 0 (reserved, RFC 4303 §2.1; on UDP
 * 4500 it is the non-ESP marker).
 */
enum sd_rc	sd_esp_parse(struct sd_rd r, struct sd_esp_hdr *out);

/*
 * Skip an Authentication Header (RFC 4302 §2): ESP can follow AH.  On SD_OK *next_proto
 * is the AH Next Header and *inner the bytes after AH (borrowed).
 */
enum sd_rc	sd_esp_skip_ah(struct sd_rd ip_payload, uint8_t *next_proto, struct sd_rd *inner);

/* One ESP packet as the pipeline hands it to the table. */
struct sd_esp_pkt {
	struct sd_addr	 src, dst;
	uint16_t	 sport, dport;	/* UDP ports when udp_encap, else 0 */
	bool		 udp_encap;
	uint32_t	 spi, seq;
	bool		 no_seq;	/* capture cut before the sequence number */
	uint64_t	 frame;
	int64_t		 ts_sec;
	uint32_t	 ts_nsec;
	uint64_t	 bytes;		/* ESP bytes: sd_esp_hdr.len */
	bool		 tcp_encap;	/* RFC 8229 ESP in an IKE TCP stream (udp_encap false) */
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

struct sd_esp_table;

/*
 * A table of at most max_sas SAs (0: 65536); every entry is charged to mc (may be NULL).
 * NULL when the table itself cannot be allocated.
 */
struct sd_esp_table *sd_esp_new(struct sd_memcap *mc, size_t max_sas);
/* Frees every SA without emitting; NULL-safe. */
void		sd_esp_free(struct sd_esp_table *);

/* Account one packet.  SD_ENOMEM (and the packet counted in sd_esp_dropped()) at the caps. */
enum sd_rc	sd_esp_add(struct sd_esp_table *, const struct sd_esp_pkt *);

/* Packets not accounted because the table was full or the memcap refused. */
uint64_t	sd_esp_dropped(const struct sd_esp_table *);
size_t		sd_esp_count(const struct sd_esp_table *);

/*
 * Emit every SA in first_frame order and empty the table (capture end).  The SA is
 * borrowed for the call only.  SD_ENOMEM if the sort array cannot be had: the SAs are
 * then emitted in table order, still all of them.
 */
typedef void	(*sd_esp_emit_fn)(void *ctx, const struct sd_esp_sa *);
enum sd_rc	sd_esp_flush(struct sd_esp_table *, sd_esp_emit_fn emit, void *ctx);

/* Live mode: emit (first_frame order) and drop the SAs idle since before now - idle_sec. */
enum sd_rc	sd_esp_expire(struct sd_esp_table *, int64_t now_sec, int64_t idle_sec,
		    sd_esp_emit_fn emit, void *ctx);

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
};
typedef void	(*sd_esp_tunnel_fn)(void *ctx, const struct sd_esp_tunnel *);

/*
 * sd_esp_flush(), then every tunnel in order of its first packet (tun may be NULL).
 * Without memory for the grouping, the SAs are still all emitted, the tunnels not.
 */
enum sd_rc	sd_esp_flush_tunnels(struct sd_esp_table *, sd_esp_emit_fn emit,
		    sd_esp_tunnel_fn tun, void *ctx);

/* Fill an SD_EV_ESP_TUNNEL event: frame/ts of its first packet, a to b, u.msg = tun. */
void		sd_esp_tunnel_event(const struct sd_esp_tunnel *tun, struct sd_event *out);

/*
 * Fill an SD_EV_ESP event for an SA (as the flush callback receives it): frame and ts
 * of the first packet, transport UDP or ESP, addresses and ports, u.msg = sa (borrowed).
 */
void		sd_esp_sa_event(const struct sd_esp_sa *sa, struct sd_event *out);

#endif /* SD_DISSECT_ESP_H */
