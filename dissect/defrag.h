/* dissect/defrag.h - IPv4 and IPv6 fragment reassembly with limits (RFC 791, 8200, 5722). */
#ifndef SD_DISSECT_DEFRAG_H
#define SD_DISSECT_DEFRAG_H

#include <stdint.h>

#include "dissect/ip.h"
#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

struct sd_defrag_limits {
	uint32_t	 max_datagrams;	/* datagrams in reassembly at once (default 4096) */
	uint32_t	 max_frags;	/* fragments per datagram (default 64) */
	uint32_t	 max_size;	/* reassembled size (default 65535 + 8 for v6) */
	uint64_t	 timeout_us;	/* give up after this long (default 30 s) */
};

struct sd_defrag_stats {
	uint64_t	 fragments;	/* fragments fed */
	uint64_t	 reassembled;	/* datagrams completed */
	uint64_t	 timed_out;	/* datagrams abandoned incomplete */
	uint64_t	 overlaps;	/* fragments overlapping earlier data */
	uint64_t	 dropped;	/* refused: limits, memcap, malformed */
	uint64_t	 duplicates;	/* fragments wholly covered by identical earlier data (added) */
};

struct sd_defrag;

/* limits may be NULL for the defaults; memcap is borrowed and charged for held bytes. */
struct sd_defrag	*sd_defrag_new(const struct sd_defrag_limits *, struct sd_memcap *);
void			 sd_defrag_free(struct sd_defrag *);

/*
 * Feed one fragment (ip->fragment is true) seen at time now_us in frame `frame`.
 * SD_OK: the datagram is complete.  *out is the reassembled upper-layer payload (protocol
 * ip->proto), owned by the table and valid until the next call into it; *first_frame is the
 * frame of the fragment with offset 0 and *nfrags the fragment count.  Overlaps: first
 * data wins (the BSD/Linux behaviour for most cases), counted in stats.
 * SD_NEED_MORE: held, waiting for the rest.  SD_ENOMEM / SD_MALFORMED: dropped, counted.
 */
enum sd_rc	sd_defrag_add(struct sd_defrag *, const struct sd_ip *ip, uint64_t now_us,
		    uint64_t frame, struct sd_rd *out, uint64_t *first_frame, uint32_t *nfrags);

/* Abandon datagrams older than the timeout (call now and then with the capture time). */
void		sd_defrag_expire(struct sd_defrag *, uint64_t now_us);
const struct sd_defrag_stats *sd_defrag_stats(const struct sd_defrag *);

#endif /* SD_DISSECT_DEFRAG_H */
