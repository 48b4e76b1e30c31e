/* engine/esp_track.h - ESP per security association and per tunnel (gateway pair). */
#ifndef SD_ENGINE_ESP_TRACK_H
#define SD_ENGINE_ESP_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ip.h"
#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "engine/ipsec_types.h"

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

typedef void	(*sd_esp_tunnel_fn)(void *ctx, const struct sd_esp_tunnel *);

/*
 * sd_esp_flush(), then every tunnel in order of its first packet (tun may be NULL).
 * Without memory for the grouping, the SAs are still all emitted, the tunnels not.
 */
enum sd_rc	sd_esp_flush_tunnels(struct sd_esp_table *, sd_esp_emit_fn emit,
		    sd_esp_tunnel_fn tun, void *ctx);

/*
 * While the capture goes on (the engine calls it every few seconds of capture time): every
 * tunnel that has been one way for 20 s and 3 packets or more, with an SA not told so
 * before, is emitted now with interim set (its SAs stay; it is emitted again at the end).
 * A sensor so learns of ESP that nothing answers without waiting for the capture's end.
 */
enum sd_rc	sd_esp_window(struct sd_esp_table *, sd_esp_tunnel_fn tun, void *ctx);

/* Fill an SD_EV_ESP_TUNNEL event: frame/ts of its first packet, a to b, u.msg = tun. */
void		sd_esp_tunnel_event(const struct sd_esp_tunnel *tun, struct sd_event *out);

/*
 * Fill an SD_EV_ESP event for an SA (as the flush callback receives it): frame and ts
 * of the first packet, transport UDP or ESP, addresses and ports, u.msg = sa (borrowed).
 */
void		sd_esp_sa_event(const struct sd_esp_sa *sa, struct sd_event *out);

#endif /* SD_ENGINE_ESP_TRACK_H */
