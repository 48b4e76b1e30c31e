/* dissect/stream.c - TCP reassembly of one direction by absolute offset (RFC 9293 §3.4). */
#include "dissect/stream.h"

#include "dissect/ivl.h"

#include <stdlib.h>
#include <string.h>

/*
 * Choices the header leaves open:
 * - Invariant: base + len == next.  Held segments never overlap each other or the
 *   delivered bytes, and always start beyond next + skip.
 * - When a hole is given up (sd_stream_skip_gap, a cap refusing in-order bytes, or a
 *   segment beyond next with collect off), the unconsumed bytes in buf are discarded as
 *   well: they were an incomplete message the lost bytes would have continued, and keeping
 *   them would splice two parts of the stream.  gap_pending tells the consumer.
 * - A cap refusing in-order bytes (max_buf or the memcap) loses them: SD_ENOMEM,
 *   st.dropped, gap_pending, next moves on.  Not counted in st.gaps, which is capture loss.
 * - st.overlap_diff also counts retransmissions whose bytes differ from the copy still in
 *   buf (consumed bytes cannot be compared).
 * - A hole wholly inside the bytes the consumer skips is stepped over, not held for.
 * - A segment starting more than STREAM_MAX_AHEAD beyond next + skip cannot be in this
 *   sequence space (no TCP window is that large, RFC 7323 §2.3): it is a copy from another
 *   sequence space (a middlebox's rewritten duplicate) and is ignored, counted in
 *   st.outside, so that it is neither held nor taken as a hole.  So is a segment ahead of
 *   next that lies nearer the start of a replaced SYN's sequence space (alt_isn) than
 *   next: the same middlebox copies (mercury/capture2.pcap, 62 MB apart).
 * - sd_stream_ack() skips a hole only when the ACK reaches the held segment after it: an
 *   ACK inside the hole (next < ack < first held) proves that part lost by the capture,
 *   but the rest may still come; the next ACK (Linux acknowledges the out-of-order bytes
 *   it holds at once, RFC 9293 §3.10.7.4) or the connection's end settles it.  Zeek
 *   (ack above a hole: content gap) and Suricata (a gap once the ACK passes it) decide
 *   on the same evidence.
 */

#define STREAM_DEFAULT_BUF	(256u * 1024u)
#define STREAM_DEFAULT_OOO	(256u * 1024u)
#define STREAM_MIN_ALLOC	4096u
/* The largest window TCP can announce: 65535 << 14, rounded up to 2^30. */
#define STREAM_MAX_AHEAD	(1ull << 30)
/* A buffer this large is given back once the consumer empties it, so that idle flows
 * do not keep a big certificate chain's worth of memory each. */
#define STREAM_KEEP_ALLOC	(16u * 1024u)

/* Outcome flags of one sd_stream_add(), so each segment is counted once. */
#define OV_OVERLAP	0x01
#define OV_DIFF		0x02

void
sd_stream_init(struct sd_stream *s, size_t max_buf, size_t max_ooo)
{
	memset(s, 0, sizeof(*s));
	s->max_buf = max_buf != 0 ? max_buf : STREAM_DEFAULT_BUF;
	s->max_ooo = max_ooo != 0 ? max_ooo : STREAM_DEFAULT_OOO;
}

static void
free_seg(struct sd_stream *s, struct sd_memcap *mc, struct sd_ivl *g)
{
	s->ooo_bytes -= g->len;
	s->ooo_count--;
	sd_memcap_free(mc, g, sizeof(*g) + g->len);
}

static void
release_buf(struct sd_stream *s, struct sd_memcap *mc)
{
	free(s->buf);
	sd_memcap_give(mc, s->cap);
	s->buf = NULL;
	s->cap = 0;
}

static void
drop_held(struct sd_stream *s, struct sd_memcap *mc)
{
	struct sd_ivl *g;

	while ((g = s->ooo) != NULL) {
		s->ooo = g->next;
		free_seg(s, mc, g);
	}
	s->ooo_last = NULL;
}

void
sd_stream_free(struct sd_stream *s, struct sd_memcap *mc)
{
	drop_held(s, mc);
	release_buf(s, mc);
	s->base += s->len;
	s->len = 0;
}

/* Sequence number of offset 0. */
static uint32_t
seq0(const struct sd_stream *s)
{
	return s->syn ? s->isn + 1u : s->isn;
}

static void
start(struct sd_stream *s, uint32_t isn, bool syn)
{
	s->init = true;
	s->syn = syn;
	s->isn = isn;
	s->next = 0;
	s->base = 0;
	s->wraps = 0;
	s->last_seq = seq0(s);
}

void
sd_stream_syn(struct sd_stream *s, uint32_t isn)
{
	if (!s->init) {
		start(s, isn, true);
		return;
	}
	if (s->syn && s->isn == isn)
		return;			/* SYN retransmission */
	if (!s->syn && s->isn == isn + 1u) {
		/* Data was seen before the SYN (capture reordering): same base. */
		s->syn = true;
		s->isn = isn;
		return;
	}
	/*
	 * A different ISN before anything was delivered or held: take the new one, and
	 * remember the old, whose space a middlebox may keep sending copies in.
	 */
	if (s->next == 0 && s->len == 0 && s->ooo == NULL) {
		uint32_t old = s->isn;
		bool had_syn = s->syn;

		start(s, isn, true);
		s->has_alt = had_syn;
		s->alt_isn = old;
	}
}

/*
 * Signed distance from `next` to seq, taking the nearest 64-bit offset (the epoch is
 * tracked relative to next, so a wrap of the 32-bit space costs nothing).
 */
static bool
seq_delta(const struct sd_stream *s, uint32_t seq, uint64_t *fwd, uint64_t *back)
{
	uint32_t u = (uint32_t)(seq - seq0(s)) - (uint32_t)s->next;

	if (u < 0x80000000u) {
		*fwd = u;
		*back = 0;
		return true;
	}
	*fwd = 0;
	*back = (uint64_t)(0x100000000ull - u);
	return false;
}

uint64_t
sd_stream_offset(const struct sd_stream *s, uint32_t seq)
{
	uint64_t fwd, back;

	if (!s->init)
		return 0;
	if (seq_delta(s, seq, &fwd, &back))
		return s->next + fwd;
	/* Sequence numbers before offset 0 (data before a mid-stream pickup) map to 0. */
	return back > s->next ? 0 : s->next - back;
}

/* Remember the highest sequence number seen (the one after the segment's last byte). */
static void
track_high(struct sd_stream *s, uint64_t end)
{
	uint64_t hi = (uint64_t)seq0(s) + end;
	uint64_t cur = s->wraps << 32 | s->last_seq;

	if (hi > cur) {
		s->wraps = hi >> 32;
		s->last_seq = (uint32_t)hi;
	}
}

/* Make room for n more bytes in buf within max_buf and the memcap. */
static bool
reserve(struct sd_stream *s, struct sd_memcap *mc, size_t n)
{
	size_t want, ncap;
	uint8_t *nb;

	if (n > s->max_buf || s->len > s->max_buf - n)
		return false;
	want = s->len + n;
	if (want <= s->cap)
		return true;
	ncap = s->cap != 0 ? s->cap : STREAM_MIN_ALLOC;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	if (ncap > s->max_buf)
		ncap = s->max_buf;
	if (!sd_memcap_take(mc, ncap - s->cap))
		return false;
	nb = realloc(s->buf, ncap);
	if (nb == NULL) {
		sd_memcap_give(mc, ncap - s->cap);
		return false;
	}
	s->buf = nb;
	s->cap = ncap;
	return true;
}

/* Drop whatever the consumer has not taken: bytes after a hole cannot continue them. */
static void
discard_buffered(struct sd_stream *s, struct sd_memcap *mc)
{
	s->base += s->len;
	s->len = 0;
	if (s->cap > STREAM_KEEP_ALLOC)
		release_buf(s, mc);
}

/*
 * n in-order bytes at offset next: pass them over while s->skip lasts, buffer the rest
 * when collecting.  When the buffer cannot take them they are lost: the unconsumed bytes
 * go too and gap_pending tells the consumer to resynchronise.  false when that happened.
 */
static bool
deliver(struct sd_stream *s, struct sd_memcap *mc, const uint8_t *p, size_t n)
{
	size_t k;

	if (s->skip > 0) {
		k = s->skip < n ? (size_t)s->skip : n;
		s->skip -= k;
		s->next += k;
		s->base += k;		/* len is 0 while skipping */
		p += k;
		n -= k;
	}
	if (n == 0)
		return true;
	if (!s->collect) {
		discard_buffered(s, mc);	/* stale once nobody collects */
		s->next += n;
		s->base = s->next;
		return true;
	}
	if (!reserve(s, mc, n)) {
		discard_buffered(s, mc);
		s->next += n;
		s->base = s->next;
		s->gap_pending = true;
		return false;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->next += n;
	return true;
}

/* Compare a copy of [off, off + n) with the first copy in buf, when it is still there. */
static int
compare_delivered(const struct sd_stream *s, uint64_t off, const uint8_t *p, size_t n)
{
	uint64_t lo = off > s->base ? off : s->base;
	uint64_t hi = off + n < s->base + s->len ? off + n : s->base + s->len;

	if (lo >= hi)
		return 0;
	return memcmp(s->buf + (lo - s->base), p + (lo - off), (size_t)(hi - lo)) != 0 ?
	    OV_DIFF : 0;
}

/* Deliver the held segments that now touch next. */
static bool
drain(struct sd_stream *s, struct sd_memcap *mc)
{
	struct sd_ivl *g;
	uint64_t cut;
	bool ok = true;

	while ((g = s->ooo) != NULL && g->off <= s->next) {
		s->ooo = g->next;
		if (s->ooo == NULL)
			s->ooo_last = NULL;
		cut = s->next - g->off;
		if (cut < g->len && !deliver(s, mc, g->data + cut, g->len - (size_t)cut))
			ok = false;
		free_seg(s, mc, g);
	}
	return ok;
}

/*
 * In-order data at next (n > 0) reaching into held segments: those came first, so the
 * held copy wins where they overlap, and the two copies are compared.
 */
static bool
deliver_merge(struct sd_stream *s, struct sd_memcap *mc, const uint8_t *p, size_t n,
    unsigned *ov)
{
	struct sd_ivl *g;
	uint64_t start = s->next, end = s->next + n, lo, hi, gend;
	bool ok = true;

	/* p + (x - start) is the new copy of offset x */
	while (s->next < end) {
		g = s->ooo;
		if (g == NULL || g->off >= end) {
			if (!deliver(s, mc, p + (s->next - start), (size_t)(end - s->next)))
				ok = false;
			break;
		}
		gend = g->off + g->len;
		if (g->off > s->next &&
		    !deliver(s, mc, p + (s->next - start), (size_t)(g->off - s->next)))
			ok = false;
		lo = g->off > s->next ? g->off : s->next;
		hi = gend < end ? gend : end;
		if (lo < hi) {
			*ov |= OV_OVERLAP;
			if (memcmp(g->data + (lo - g->off), p + (lo - start),
			    (size_t)(hi - lo)) != 0)
				*ov |= OV_DIFF;
		}
		if (!drain(s, mc))		/* delivers g (and what touches it) */
			ok = false;
	}
	if (!drain(s, mc))
		ok = false;
	return ok;
}

/*
 * A hole lying wholly inside the bytes the consumer asked to skip does not matter: move
 * next over it (no gap: nobody wanted those bytes) and deliver what follows.
 */
static bool
skip_holes(struct sd_stream *s, struct sd_memcap *mc)
{
	uint64_t k;
	bool ok = true;

	while (s->ooo != NULL && s->skip > 0 && s->ooo->off > s->next &&
	    s->ooo->off - s->next <= s->skip) {
		k = s->ooo->off - s->next;
		s->skip -= k;
		s->next += k;
		s->base = s->next - s->len;
		if (!drain(s, mc))
			ok = false;
	}
	return ok;
}

struct hold_ctx {
	struct sd_stream	*s;
	struct sd_memcap	*mc;
};

/* A held segment of n bytes, within the stream's out-of-order cap and the memcap. */
static struct sd_ivl *
new_seg(void *ctx, size_t n)
{
	struct hold_ctx *h = ctx;
	struct sd_stream *s = h->s;
	struct sd_ivl *g;

	if (n > s->max_ooo || s->ooo_bytes > s->max_ooo - n)
		return NULL;
	if ((g = sd_memcap_malloc(h->mc, sizeof(*g) + n)) == NULL)
		return NULL;
	s->ooo_bytes += n;
	s->ooo_count++;
	return g;
}

/*
 * Hold [off, off + n) beyond next (dissect/ivl.c): the parts no held segment covers
 * become new segments (first copy wins), the covered parts are compared.  false when a
 * cap refused a part (the parts that fitted stay).
 */
static bool
hold(struct sd_stream *s, struct sd_memcap *mc, uint64_t off, const uint8_t *p, size_t n,
    unsigned *ov)
{
	struct hold_ctx h = { s, mc };
	unsigned r = sd_ivl_merge(&s->ooo, &s->ooo_last, off, p, n, new_seg, &h, NULL);

	if (r & SD_IVL_OVERLAP)
		*ov |= OV_OVERLAP;
	if (r & SD_IVL_DIFF)
		*ov |= OV_DIFF;
	return (r & SD_IVL_NOMEM) == 0;
}

/* Collect is off: a segment beyond next is a hole the capture lost (or reordered). */
static void
jump(struct sd_stream *s, struct sd_memcap *mc, uint64_t off, uint64_t end)
{
	uint64_t hole = off - s->next, all = end - s->next;

	discard_buffered(s, mc);
	s->st.gaps++;
	s->st.gap_bytes += hole;
	s->gap_pending = true;
	s->skip = s->skip > all ? s->skip - all : 0;
	s->next = end;
	s->base = s->next;
}

enum sd_rc
sd_stream_add(struct sd_stream *s, struct sd_memcap *mc, uint32_t seq, struct sd_rd payload)
{
	const uint8_t *p = payload.p;
	size_t n = sd_rd_left(&payload);
	uint64_t fwd, back, off, end, k;
	unsigned ov = 0;
	bool ok = true;

	if (n == 0)
		return SD_OK;
	s->st.segments++;
	if (!s->init)
		start(s, seq, false);		/* mid-stream pickup: this byte is offset 0 */
	if (seq_delta(s, seq, &fwd, &back)) {
		if ((fwd > s->skip && fwd - s->skip > STREAM_MAX_AHEAD) ||
		    (s->has_alt && fwd > 0 && (uint32_t)(seq - s->alt_isn - 1u) < fwd)) {
			s->st.outside++;
			return SD_OK;
		}
		off = s->next + fwd;
	} else {
		/* starts before next: a retransmission, or partly new data */
		if (back >= n) {
			s->st.retransmits++;
			if (back <= s->next &&
			    compare_delivered(s, s->next - back, p, n) != 0)
				s->st.overlap_diff++;
			return SD_OK;
		}
		if (back > s->next) {
			/* bytes before offset 0: nothing to compare them with */
			k = back - s->next;
			p += k;
			n -= (size_t)k;
			back = s->next;
		}
		if (back > 0) {
			ov |= OV_OVERLAP | (unsigned)compare_delivered(s, s->next - back, p,
			    (size_t)back);
			p += back;
			n -= (size_t)back;
		}
		off = s->next;
	}
	end = off + n;
	track_high(s, end);
	if (!s->collect && s->ooo != NULL)
		drop_held(s, mc);	/* nobody will read them now */
	if (off > s->next && s->skip >= off - s->next) {
		/*
		 * Beyond a hole that the consumer skips anyway: step over it.  No held
		 * segment starts before off, since held ones always start beyond
		 * next + skip (sd_stream_skip steps over the holes it covers).
		 */
		s->st.ooo++;
		k = off - s->next;
		s->skip -= k;
		s->next = off;
		s->base = s->next - s->len;
	}
	if (off == s->next) {
		if (s->ooo != NULL && s->ooo->off < end) {
			if (!deliver_merge(s, mc, p, n, &ov))
				ok = false;
		} else {
			if (!deliver(s, mc, p, n))	/* the fast path */
				ok = false;
			if (s->ooo != NULL && !drain(s, mc))
				ok = false;
		}
	} else if (!s->collect) {
		jump(s, mc, off, end);
	} else {
		s->st.ooo++;
		ok = hold(s, mc, off, p, n, &ov);
	}
	if (ov & OV_OVERLAP)
		s->st.overlaps++;
	if (ov & OV_DIFF)
		s->st.overlap_diff++;
	if (!ok) {
		s->st.dropped++;
		return SD_ENOMEM;
	}
	return SD_OK;
}

bool
sd_stream_skip_gap(struct sd_stream *s, struct sd_memcap *mc)
{
	uint64_t hole;

	if (s->ooo == NULL)
		return false;
	hole = s->ooo->off - s->next;
	s->st.gaps++;
	s->st.gap_bytes += hole;
	s->gap_pending = true;
	s->skip = s->skip > hole ? s->skip - hole : 0;
	discard_buffered(s, mc);
	s->next = s->ooo->off;
	s->base = s->next;
	(void)drain(s, mc);		/* a refusal here is already marked by gap_pending */
	return true;
}

/* Absolute offset one past the highest byte seen. */
static uint64_t
high_off(const struct sd_stream *s)
{
	return (s->wraps << 32 | s->last_seq) - seq0(s);
}

bool
sd_stream_ack(struct sd_stream *s, struct sd_memcap *mc, uint32_t ack)
{
	uint64_t fwd, back, ack_off, before;
	uint32_t old;
	bool skipped = false;

	if (!s->init)
		return false;
	if (s->has_alt && s->syn && ack == s->alt_isn + 1u && ack != s->isn + 1u &&
	    s->next == 0 && s->len == 0 && s->ooo == NULL) {
		old = s->isn;
		start(s, s->alt_isn, true);
		s->has_alt = true;
		s->alt_isn = old;
		return false;
	}
	if (s->ooo == NULL || !seq_delta(s, ack, &fwd, &back) || fwd == 0)
		return false;
	/* an ACK beyond every byte seen proves nothing we can check: another space, or a
	 * capture that missed the tail too; the next segment or the end settles it */
	ack_off = s->next + fwd;
	if (ack_off > high_off(s))
		return false;
	while (s->ooo != NULL && s->ooo->off <= ack_off) {
		before = s->st.gap_bytes;
		if (!sd_stream_skip_gap(s, mc))
			break;
		s->st.capture_holes++;
		s->st.capture_missed += s->st.gap_bytes - before;
		skipped = true;
	}
	return skipped;
}

void
sd_stream_consume(struct sd_stream *s, struct sd_memcap *mc, size_t n)
{
	if (n > s->len)
		n = s->len;
	if (n == 0)
		return;
	s->len -= n;
	s->base += n;
	if (s->len > 0)
		memmove(s->buf, s->buf + n, s->len);
	else if (s->cap > STREAM_KEEP_ALLOC)
		release_buf(s, mc);
}

void
sd_stream_skip(struct sd_stream *s, struct sd_memcap *mc, uint64_t n)
{
	size_t have = s->len;

	if (n <= have) {
		sd_stream_consume(s, mc, (size_t)n);
		return;
	}
	sd_stream_consume(s, mc, have);
	s->skip += n - have;
	(void)skip_holes(s, mc);	/* a refusal here is already marked by gap_pending */
}
