/* dissect/stream.h - TCP reassembly of one direction, by absolute stream offset. */
#ifndef SD_DISSECT_STREAM_H
#define SD_DISSECT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

struct sd_ivl;

struct sd_stream_stats {
	uint64_t	 segments;	/* data segments fed */
	uint64_t	 retransmits;	/* segments wholly before the next expected byte */
	uint64_t	 overlaps;	/* segments partly overlapping held or delivered data */
	uint64_t	 overlap_diff;	/* overlaps whose bytes differ from the first copy */
	uint64_t	 ooo;		/* segments that arrived out of order */
	uint64_t	 gaps;		/* holes given up on (capture loss) */
	uint64_t	 gap_bytes;	/* bytes in those holes */
	uint64_t	 dropped;	/* segments refused by a cap */
	uint64_t	 outside;	/* segments too far ahead to be in this sequence space (added) */
	uint64_t	 capture_holes;	/* gaps the peer's ACK proved the capture missed (added) */
	uint64_t	 capture_missed;	/* bytes in those holes */
};

/*
 * One direction of a TCP connection (Suricata's StreamingBuffer idea).
 *
 * Offsets are 64-bit absolute stream offsets: offset 0 is the first byte after the ISN
 * (SYN seen) or the first data byte seen (picked up mid-stream), so sequence wraps are
 * handled once, in sd_stream_add().  In-order bytes are delivered into buf, from which the
 * consumer (the application dissector) reads and calls sd_stream_consume().
 *
 * When the consumer has no use for the next n bytes (a TLS application-data record body),
 * sd_stream_skip(n) lets them pass without being buffered: the bulk of a connection then
 * costs a sequence-number comparison per segment.  When nobody wants bytes at all
 * (collect = false), only the sequence space is tracked.
 */
struct sd_stream {
	bool		 init;		/* ISN / base known */
	bool		 collect;	/* buffer in-order bytes for a consumer */
	bool		 fin, rst;	/* FIN / RST seen in this direction */
	bool		 gap_pending;	/* a hole was skipped since the consumer last looked */
	bool		 syn;		/* base set by a SYN: offset 0 is isn + 1 (added by reasm) */
	uint32_t	 isn;		/* sequence number of offset 0 minus 1 (SYN) or of offset 0 */
	bool		 has_alt;	/* a SYN with another ISN was replaced by this one (added) */
	uint32_t	 alt_isn;	/* that ISN: segments in its space are ignored (added) */
	uint32_t	 last_seq;	/* highest sequence seen, for wrap tracking */
	uint64_t	 wraps;		/* 2^32 epochs passed */
	uint64_t	 next;		/* absolute offset of the next expected byte */
	uint64_t	 skip;		/* bytes the consumer asked to pass over, not yet seen */
	uint8_t		*buf;		/* in-order bytes not yet consumed */
	size_t		 len, cap;
	uint64_t	 base;		/* absolute offset of buf[0] */
	size_t		 max_buf;	/* hard cap on buf (default 256 KiB) */
	struct sd_ivl	*ooo;		/* held out-of-order segments, sorted by offset */
	struct sd_ivl	*ooo_last;	/* the last of them: appending is the common case (added) */
	size_t		 ooo_bytes, max_ooo;	/* held bytes and their cap (default 256 KiB) */
	uint32_t	 ooo_count;
	struct sd_stream_stats st;
};

/* Zero the stream and set its caps (0 for the defaults). */
void	sd_stream_init(struct sd_stream *, size_t max_buf, size_t max_ooo);
/* Free buffers and held segments, giving their bytes back to the memcap. */
void	sd_stream_free(struct sd_stream *, struct sd_memcap *);

/* A SYN (or SYN-ACK) with sequence number isn: data starts at isn + 1. */
void	sd_stream_syn(struct sd_stream *, uint32_t isn);

/*
 * Add a segment's payload at sequence number seq.  Data before `next` is a retransmission
 * (overlapping bytes compared, first copy wins); data beyond is held out of order within
 * the caps.  SD_OK when the segment was accounted for (delivered, held or dropped as
 * duplicate), SD_ENOMEM when a cap refused it (counted in st.dropped).
 */
enum sd_rc	sd_stream_add(struct sd_stream *, struct sd_memcap *, uint32_t seq,
		    struct sd_rd payload);

/*
 * Give up on the hole before the first held segment (capture loss or the end of the
 * capture): counts a gap, moves `next` to that segment and delivers what follows, and sets
 * gap_pending so the consumer can resynchronise.  Returns false when nothing is held.
 */
bool	sd_stream_skip_gap(struct sd_stream *, struct sd_memcap *);

/*
 * The peer acknowledged every byte before sequence number ack.  Each hole that ends at or
 * before it (the first held segment starts there or earlier) was received by the peer, so
 * the capture missed it, not the network: it is given up at once (st.gaps and
 * st.capture_holes, st.capture_missed) and the held bytes after it are delivered, with
 * gap_pending set.  Before any byte is delivered, an ACK of a replaced SYN's ISN + 1
 * (alt_isn) moves the stream back to that sequence space: the peer follows that SYN.
 * Returns true when a hole was skipped.  Cheap when nothing is held (the caller may test
 * s->ooo and s->has_alt first).
 */
bool	sd_stream_ack(struct sd_stream *, struct sd_memcap *, uint32_t ack);

/* The consumer is done with the first n buffered bytes. */
void	sd_stream_consume(struct sd_stream *, struct sd_memcap *, size_t n);
/*
 * The consumer has no use for the next n bytes counted from buf[0]: those already
 * buffered are consumed, the rest pass later without being buffered (s->skip).
 */
void	sd_stream_skip(struct sd_stream *, struct sd_memcap *, uint64_t n);

/* Absolute stream offset of a sequence number, given the stream's wrap state. */
uint64_t	sd_stream_offset(const struct sd_stream *, uint32_t seq);

#endif /* SD_DISSECT_STREAM_H */
