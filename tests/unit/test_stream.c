/* tests/unit/test_stream.c - TCP reassembly of one direction: order, overlaps, wrap, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/stream.h"

/* Invariants every state must keep: buffered bytes end at next, within the caps. */
static void
check_inv(const struct sd_stream *s, const struct sd_memcap *mc)
{
	assert_int_equal(s->base + s->len, s->next);
	assert_true(s->len <= s->cap);
	assert_true(s->cap <= s->max_buf);
	assert_true(s->ooo_bytes <= s->max_ooo);
	assert_true(mc->used >= s->cap + s->ooo_bytes);
}

/* Add a segment from a string through an exact-size heap copy (ASan sees over-reads). */
static enum sd_rc
addn(struct sd_stream *s, struct sd_memcap *mc, uint32_t seq, const void *str, size_t n)
{
	uint8_t *cp = malloc(n ? n : 1);
	enum sd_rc rc;

	assert_non_null(cp);
	memcpy(cp, str, n);
	rc = sd_stream_add(s, mc, seq, sd_rd_make(cp, n));
	free(cp);
	check_inv(s, mc);
	return rc;
}

static enum sd_rc
add(struct sd_stream *s, struct sd_memcap *mc, uint32_t seq, const char *str)
{
	return addn(s, mc, seq, str, strlen(str));
}

static void
assert_bufn(const struct sd_stream *s, const void *want, size_t n)
{
	assert_int_equal(s->len, n);
	assert_memory_equal(s->buf, want, n);
}

static void
assert_buf(const struct sd_stream *s, const char *want)
{
	assert_bufn(s, want, strlen(want));
}

static void
setup(struct sd_stream *s, struct sd_memcap *mc, uint32_t isn)
{
	memset(mc, 0, sizeof(*mc));
	sd_stream_init(s, 0, 0);
	s->collect = true;
	sd_stream_syn(s, isn);
}

static void
done(struct sd_stream *s, struct sd_memcap *mc)
{
	sd_stream_free(s, mc);
	assert_int_equal(mc->used, 0);		/* everything given back */
	assert_null(s->buf);
	assert_null(s->ooo);
}

static void
test_in_order(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;
	size_t cap;

	(void)state;
	setup(&s, &mc, 1000);
	assert_true(s.init);
	assert_int_equal(sd_stream_offset(&s, 1001), 0);	/* SYN takes one number */
	assert_int_equal(add(&s, &mc, 1001, "hello"), SD_OK);
	assert_int_equal(add(&s, &mc, 1006, " world"), SD_OK);
	assert_buf(&s, "hello world");
	assert_int_equal(s.next, 11);
	cap = s.cap;
	sd_stream_consume(&s, &mc, 6);
	assert_buf(&s, "world");
	assert_int_equal(s.base, 6);
	/* the consumer keeps up: no new allocation, same buffer */
	sd_stream_consume(&s, &mc, 5);
	assert_int_equal(add(&s, &mc, 1012, "again"), SD_OK);
	assert_int_equal(s.cap, cap);
	assert_int_equal(mc.used, cap);
	assert_buf(&s, "again");
	assert_int_equal(s.st.segments, 3);
	assert_int_equal(s.st.ooo + s.st.retransmits + s.st.overlaps + s.st.gaps, 0);
	assert_false(s.gap_pending);
	done(&s, &mc);
}

static void
test_reversed(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 7, "ccc"), SD_OK);
	assert_int_equal(add(&s, &mc, 4, "bbb"), SD_OK);
	assert_int_equal(s.len, 0);		/* nothing in order yet */
	assert_int_equal(s.ooo_count, 2);
	assert_int_equal(s.ooo_bytes, 6);
	assert_int_equal(s.next, 0);
	assert_int_equal(add(&s, &mc, 1, "aaa"), SD_OK);
	assert_buf(&s, "aaabbbccc");		/* delivered as soon as the hole filled */
	assert_int_equal(s.next, 9);
	assert_int_equal(s.ooo_count, 0);
	assert_int_equal(s.ooo_bytes, 0);
	assert_null(s.ooo);
	assert_int_equal(s.st.ooo, 2);
	assert_int_equal(s.st.overlaps, 0);
	assert_int_equal(mc.used, s.cap);	/* held segments given back */
	done(&s, &mc);
}

static void
test_retransmission(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 99);
	assert_int_equal(add(&s, &mc, 100, "hello"), SD_OK);
	assert_int_equal(add(&s, &mc, 100, "hello"), SD_OK);
	assert_int_equal(s.st.retransmits, 1);
	assert_int_equal(s.st.overlap_diff, 0);
	assert_int_equal(add(&s, &mc, 102, "lX"), SD_OK);	/* differs from the first copy */
	assert_int_equal(s.st.retransmits, 2);
	assert_int_equal(s.st.overlap_diff, 1);
	assert_buf(&s, "hello");			/* first copy wins */
	assert_int_equal(s.next, 5);
	assert_int_equal(s.st.segments, 3);
	done(&s, &mc);
}

static void
test_partial_overlap(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	/* with delivered data: "abcdef" then "EFgh" at offset 4 */
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 1, "abcdef"), SD_OK);
	assert_int_equal(add(&s, &mc, 5, "EFgh"), SD_OK);
	assert_buf(&s, "abcdefgh");
	assert_int_equal(s.st.overlaps, 1);
	assert_int_equal(s.st.overlap_diff, 1);
	assert_int_equal(s.st.retransmits, 0);
	/* same bytes again over the edge: an overlap, not a difference */
	assert_int_equal(add(&s, &mc, 3, "cdefghij"), SD_OK);
	assert_buf(&s, "abcdefghij");
	assert_int_equal(s.st.overlaps, 2);
	assert_int_equal(s.st.overlap_diff, 1);
	done(&s, &mc);

	/* with held data: "CCCC" at 4..8 held, then "aaaaXXXXzz" at 0..10 */
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 5, "CCCC"), SD_OK);
	assert_int_equal(add(&s, &mc, 1, "aaaaXXXXzz"), SD_OK);
	assert_buf(&s, "aaaaCCCCzz");			/* held copy came first */
	assert_int_equal(s.st.overlaps, 1);
	assert_int_equal(s.st.overlap_diff, 1);
	done(&s, &mc);

	/* between held segments: "BB" at 2, "DD" at 6, then "xxxxxxxx" at 1..9 held */
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 3, "BB"), SD_OK);
	assert_int_equal(add(&s, &mc, 7, "DD"), SD_OK);
	assert_int_equal(add(&s, &mc, 2, "xBBxxDDx"), SD_OK);	/* same where they meet */
	assert_int_equal(s.ooo_bytes, 8);
	assert_int_equal(s.ooo_count, 5);		/* x BB xx DD x */
	assert_int_equal(s.st.overlaps, 1);
	assert_int_equal(s.st.overlap_diff, 0);
	assert_int_equal(add(&s, &mc, 1, "a"), SD_OK);
	assert_buf(&s, "axBBxxDDx");
	assert_int_equal(s.ooo_count, 0);
	done(&s, &mc);
}

static void
test_wrap(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;
	char big[0x81];

	(void)state;
	memset(big, 'w', 0x80);
	big[0x80] = '\0';
	setup(&s, &mc, 0xffffff00u);
	assert_int_equal(add(&s, &mc, 0xffffff01u, big), SD_OK);	/* offset 0 */
	/* this one crosses 2^32: seq 0xffffff81 + 0x80 = 0x00000001 */
	assert_int_equal(add(&s, &mc, 0xffffff81u, big), SD_OK);
	assert_int_equal(s.next, 0x100);
	assert_int_equal(s.wraps, 1);
	/* out of order after the wrap, then the hole at seq 1 */
	assert_int_equal(add(&s, &mc, 0x00000004u, "def"), SD_OK);
	assert_int_equal(s.ooo_count, 1);
	assert_int_equal(add(&s, &mc, 0x00000001u, "abc"), SD_OK);
	assert_int_equal(s.next, 0x106);
	assert_int_equal(sd_stream_offset(&s, 0x00000001u), 0x100);
	assert_int_equal(sd_stream_offset(&s, 0xffffff01u), 0);
	assert_int_equal(sd_stream_offset(&s, 0xffffffffu), 0xfe);
	assert_memory_equal(s.buf + 0x100, "abcdef", 6);
	/* a retransmission from before the wrap is recognised as such */
	assert_int_equal(add(&s, &mc, 0xfffffff0u, "wwww"), SD_OK);
	assert_int_equal(s.st.retransmits, 1);
	assert_int_equal(s.st.overlap_diff, 0);
	assert_int_equal(s.st.gaps, 0);
	done(&s, &mc);
}

static void
test_midstream(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	memset(&mc, 0, sizeof(mc));
	sd_stream_init(&s, 0, 0);
	s.collect = true;
	assert_false(s.init);
	assert_int_equal(add(&s, &mc, 5000, "abc"), SD_OK);
	assert_true(s.init);
	assert_false(s.syn);
	assert_int_equal(s.isn, 5000);			/* seq of offset 0 */
	assert_int_equal(sd_stream_offset(&s, 5000), 0);
	assert_int_equal(s.next, 3);
	assert_buf(&s, "abc");
	/* earlier data than the pickup point: nothing to deliver it to */
	assert_int_equal(add(&s, &mc, 4990, "0123456789"), SD_OK);
	assert_int_equal(s.st.retransmits, 1);
	/* straddling offset 0: the part before is dropped, the rest compared */
	assert_int_equal(add(&s, &mc, 4998, "xxabcd"), SD_OK);
	assert_buf(&s, "abcd");
	assert_int_equal(s.st.overlap_diff, 0);
	/* the SYN shows up late (capture reordering): same base, now known as a SYN */
	sd_stream_syn(&s, 4999);
	assert_true(s.syn);
	assert_int_equal(sd_stream_offset(&s, 5000), 0);
	done(&s, &mc);
}

static void
test_gap_skipped(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 0);
	assert_false(sd_stream_skip_gap(&s, &mc));	/* nothing held */
	assert_int_equal(add(&s, &mc, 1, "ab"), SD_OK);
	assert_int_equal(add(&s, &mc, 9, "yz"), SD_OK);	/* hole [2, 8) */
	assert_int_equal(add(&s, &mc, 13, "pq"), SD_OK);	/* hole [10, 12) */
	assert_buf(&s, "ab");
	assert_true(sd_stream_skip_gap(&s, &mc));
	assert_int_equal(s.st.gaps, 1);
	assert_int_equal(s.st.gap_bytes, 6);
	assert_true(s.gap_pending);
	/* bytes before the hole cannot continue: dropped, the consumer resynchronises */
	assert_buf(&s, "yz");
	assert_int_equal(s.base, 8);
	assert_int_equal(s.next, 10);
	assert_true(sd_stream_skip_gap(&s, &mc));
	assert_int_equal(s.st.gaps, 2);
	assert_int_equal(s.st.gap_bytes, 8);
	assert_buf(&s, "pq");
	assert_int_equal(s.next, 14);
	assert_false(sd_stream_skip_gap(&s, &mc));
	/* the lost bytes arriving late are retransmissions now */
	assert_int_equal(add(&s, &mc, 3, "cd"), SD_OK);
	assert_int_equal(s.st.retransmits, 1);
	check_inv(&s, &mc);
	done(&s, &mc);
}

static void
test_caps(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;
	char seg[101];

	(void)state;
	memset(seg, 'm', 100);
	seg[100] = '\0';
	/* memcap too small for a held segment or the buffer */
	memset(&mc, 0, sizeof(mc));
	mc.limit = 64;
	sd_stream_init(&s, 0, 0);
	s.collect = true;
	sd_stream_syn(&s, 0);
	assert_int_equal(add(&s, &mc, 201, seg), SD_ENOMEM);	/* out of order */
	assert_int_equal(s.st.dropped, 1);
	assert_null(s.ooo);
	assert_int_equal(mc.used, 0);
	assert_true(mc.refused >= 1);
	assert_int_equal(add(&s, &mc, 1, seg), SD_ENOMEM);	/* in order */
	assert_int_equal(s.st.dropped, 2);
	assert_true(s.gap_pending);		/* the consumer will know bytes were lost */
	assert_int_equal(s.next, 100);
	assert_int_equal(s.len, 0);
	assert_int_equal(mc.used, 0);
	done(&s, &mc);

	/* max_buf 16: the second 10 bytes do not fit while the first are unconsumed */
	memset(&mc, 0, sizeof(mc));
	sd_stream_init(&s, 16, 8);
	s.collect = true;
	sd_stream_syn(&s, 0);
	assert_int_equal(add(&s, &mc, 1, "0123456789"), SD_OK);
	assert_int_equal(s.cap, 16);
	assert_int_equal(add(&s, &mc, 11, "abcdefghij"), SD_ENOMEM);
	assert_true(s.gap_pending);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.next, 20);
	s.gap_pending = false;
	assert_int_equal(add(&s, &mc, 21, "ok"), SD_OK);	/* carries on */
	assert_buf(&s, "ok");
	/* max_ooo 8: 6 held, the next 6 do not fit; what was held stays */
	assert_int_equal(add(&s, &mc, 31, "AAAAAA"), SD_OK);
	assert_int_equal(add(&s, &mc, 41, "BBBBBB"), SD_ENOMEM);
	assert_int_equal(s.ooo_bytes, 6);
	assert_int_equal(s.st.dropped, 2);
	done(&s, &mc);
}

static void
test_skip_record_body(void **state)
{
	/* A TLS application-data record: 5-byte header announcing 10 bytes, split so that
	 * segment 1 = header + 3 body bytes, segment 2 = 4 body bytes, segment 3 = the last
	 * 3 body bytes + the next record header. */
	static const char seg1[] = "\x17\x03\x03\x00\x0a" "bbb";
	static const char seg2[] = "bbbb";
	static const char seg3[] = "bbb" "\x17\x03\x03\x00\x02";
	struct sd_stream s;
	struct sd_memcap mc;
	size_t cap;

	(void)state;
	setup(&s, &mc, 0);
	assert_int_equal(addn(&s, &mc, 1, seg1, sizeof(seg1) - 1), SD_OK);
	assert_int_equal(s.len, 8);
	sd_stream_consume(&s, &mc, 5);		/* header parsed */
	sd_stream_skip(&s, &mc, 10);		/* body: 3 buffered, 7 to come */
	assert_int_equal(s.len, 0);
	assert_int_equal(s.skip, 7);
	cap = s.cap;
	assert_int_equal(add(&s, &mc, 9, seg2), SD_OK);
	assert_int_equal(s.len, 0);		/* passed over, not buffered */
	assert_int_equal(s.skip, 3);
	assert_int_equal(addn(&s, &mc, 13, seg3, sizeof(seg3) - 1), SD_OK);
	assert_int_equal(s.skip, 0);
	assert_bufn(&s, "\x17\x03\x03\x00\x02", 5);
	assert_int_equal(s.base, 15);
	assert_int_equal(s.next, 20);
	assert_int_equal(s.cap, cap);		/* no allocation for the body */

	/* a body segment lost inside the skipped range is no gap: nobody wanted it */
	sd_stream_consume(&s, &mc, 5);
	sd_stream_skip(&s, &mc, 100);
	assert_int_equal(add(&s, &mc, 21, "bbbb"), SD_OK);	/* [20, 24) */
	assert_int_equal(add(&s, &mc, 41, "bbbb"), SD_OK);	/* [40, 44): [24, 40) lost */
	assert_null(s.ooo);
	assert_int_equal(s.skip, 76);
	assert_int_equal(s.next, 44);
	/* the next header right after the body: the hole [44, 120) is skipped anyway */
	assert_int_equal(add(&s, &mc, 121, "\x17\x03\x03"), SD_OK);	/* [120, 123) */
	assert_int_equal(s.ooo_count, 0);
	assert_int_equal(s.skip, 0);
	assert_int_equal(s.next, 123);
	assert_buf(&s, "\x17\x03\x03");
	assert_int_equal(s.st.gaps, 0);
	assert_false(s.gap_pending);
	done(&s, &mc);
}

static void
test_skip_over_held(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 1, "HDR"), SD_OK);		/* [0, 3) */
	assert_int_equal(add(&s, &mc, 21, "NEXT"), SD_OK);	/* [20, 24), hole [3, 20) */
	assert_int_equal(s.ooo_count, 1);
	/* the consumer skips 20 bytes from buf[0]: the hole is inside, so no gap */
	sd_stream_skip(&s, &mc, 20);
	check_inv(&s, &mc);
	assert_int_equal(s.ooo_count, 0);
	assert_int_equal(s.skip, 0);
	assert_buf(&s, "NEXT");
	assert_int_equal(s.base, 20);
	assert_int_equal(s.st.gaps, 0);
	assert_false(s.gap_pending);
	/* a skip that ends inside the hole leaves the segment held */
	assert_int_equal(add(&s, &mc, 41, "LATE"), SD_OK);	/* [40, 44) */
	sd_stream_skip(&s, &mc, 10);				/* to 30 */
	assert_int_equal(s.ooo_count, 1);
	assert_int_equal(s.skip, 6);
	assert_int_equal(s.next, 24);
	done(&s, &mc);
}

static void
test_no_collect(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	memset(&mc, 0, sizeof(mc));
	sd_stream_init(&s, 0, 0);
	assert_false(s.collect);			/* the default */
	sd_stream_syn(&s, 0x7fffffffu);
	assert_int_equal(add(&s, &mc, 0x80000000u, "abcd"), SD_OK);
	assert_int_equal(s.next, 4);
	assert_int_equal(s.len, 0);
	assert_null(s.buf);
	assert_int_equal(mc.used, 0);
	/* beyond next: a gap, counted, and tracking moves on */
	assert_int_equal(add(&s, &mc, 0x80000010u, "efgh"), SD_OK);
	assert_int_equal(s.st.gaps, 1);
	assert_int_equal(s.st.gap_bytes, 12);
	assert_true(s.gap_pending);
	assert_int_equal(s.next, 20);
	assert_null(s.ooo);
	/* the late segment is a retransmission now */
	assert_int_equal(add(&s, &mc, 0x80000004u, "xxxx"), SD_OK);
	assert_int_equal(s.st.retransmits, 1);
	assert_int_equal(s.next, 20);
	assert_int_equal(mc.used, 0);
	done(&s, &mc);
}

/*
 * A middlebox's copy of each segment in another sequence space (mercury/capture2.pcap:
 * every server segment twice, same IP ID, seq 2039552500 and 435019661): the copy ~1.6 GB
 * ahead of next is beyond any TCP window, so it is neither held nor taken as a hole.
 */
static void
test_outside_window(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 435019660u);
	assert_int_equal(add(&s, &mc, 2039552500u, "alert"), SD_OK);
	assert_int_equal(s.st.outside, 1);
	assert_null(s.ooo);
	assert_int_equal(s.st.ooo, 0);
	assert_false(sd_stream_skip_gap(&s, &mc));	/* nothing to flush at the FIN */
	assert_int_equal(add(&s, &mc, 435019661u, "hello"), SD_OK);
	assert_buf(&s, "hello");
	/* 2^30 ahead is still a window's worth: held */
	assert_int_equal(add(&s, &mc, 435019666u + (1u << 30), "far"), SD_OK);
	assert_non_null(s.ooo);
	assert_int_equal(s.st.outside, 1);
	/* with collect off the bogus copy must not move next either */
	done(&s, &mc);
	memset(&mc, 0, sizeof(mc));
	sd_stream_init(&s, 0, 0);
	sd_stream_syn(&s, 100u);
	assert_int_equal(add(&s, &mc, 101u + 0x60000000u, "x"), SD_OK);
	assert_int_equal(s.next, 0);
	assert_int_equal(s.st.gaps, 0);
	assert_int_equal(add(&s, &mc, 101u, "ab"), SD_OK);
	assert_int_equal(s.next, 2);
	assert_int_equal(s.st.retransmits, 0);
	done(&s, &mc);
	/*
	 * Two SYN-ACKs, the first from the copier's space (capture2.pcap flow 1764: the copies
	 * are only 62 MB ahead): copies in the replaced space are ignored, not held.
	 */
	setup(&s, &mc, 2146739934u);
	sd_stream_syn(&s, 2084786999u);
	assert_true(s.has_alt);
	assert_int_equal(add(&s, &mc, 2146739935u, "copy"), SD_OK);
	assert_int_equal(add(&s, &mc, 2146739939u, "alert"), SD_OK);
	assert_int_equal(s.st.outside, 2);
	assert_null(s.ooo);
	assert_int_equal(add(&s, &mc, 2084787000u, "real"), SD_OK);
	assert_int_equal(add(&s, &mc, 2084787008u, "ahead"), SD_OK);	/* a real hole */
	assert_non_null(s.ooo);
	assert_buf(&s, "real");
	assert_int_equal(s.st.outside, 2);
	done(&s, &mc);
}

static void
test_syn_rules(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 10);
	sd_stream_syn(&s, 10);				/* retransmitted SYN */
	assert_int_equal(s.isn, 10);
	sd_stream_syn(&s, 500);				/* nothing seen yet: take it */
	assert_int_equal(s.isn, 500);
	assert_int_equal(add(&s, &mc, 501, "x"), SD_OK);
	sd_stream_syn(&s, 900);				/* data delivered: keep the base */
	assert_int_equal(s.isn, 500);
	assert_int_equal(sd_stream_offset(&s, 502), 1);
	/* empty payloads are not segments */
	assert_int_equal(sd_stream_add(&s, &mc, 502, sd_rd_make(NULL, 0)), SD_OK);
	assert_int_equal(s.st.segments, 1);
	done(&s, &mc);
}

/* The peer's ACK past a hole proves the capture missed it: skipped at once, counted. */
static void
test_ack_above_hole(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 0);
	assert_false(sd_stream_ack(&s, &mc, 3));	/* nothing held */
	assert_int_equal(add(&s, &mc, 1, "ab"), SD_OK);
	assert_int_equal(add(&s, &mc, 9, "yz"), SD_OK);	/* hole [2, 8) */
	assert_int_equal(add(&s, &mc, 13, "pq"), SD_OK);	/* hole [10, 12) */
	/* an ACK at the hole (a duplicate ACK: the network lost it) proves nothing */
	assert_false(sd_stream_ack(&s, &mc, 3));
	/* nor an ACK inside it: the rest of the hole may still come */
	assert_false(sd_stream_ack(&s, &mc, 6));
	/* nor one beyond every byte seen */
	assert_false(sd_stream_ack(&s, &mc, 40));
	assert_buf(&s, "ab");
	assert_int_equal(s.st.gaps, 0);
	assert_false(s.gap_pending);
	/* the ACK reaches the held segment: the receiver had [2, 8), the capture did not */
	assert_true(sd_stream_ack(&s, &mc, 11));
	assert_int_equal(s.st.gaps, 1);
	assert_int_equal(s.st.capture_holes, 1);
	assert_int_equal(s.st.capture_missed, 6);
	assert_true(s.gap_pending);
	assert_buf(&s, "yz");
	assert_int_equal(s.next, 10);
	/* the second hole waits for its own proof, then goes the same way */
	assert_false(sd_stream_ack(&s, &mc, 11));
	assert_true(sd_stream_ack(&s, &mc, 15));
	assert_int_equal(s.st.capture_holes, 2);
	assert_int_equal(s.st.capture_missed, 8);
	assert_buf(&s, "pq");
	assert_null(s.ooo);
	check_inv(&s, &mc);
	done(&s, &mc);
}

/* A hole the network lost is filled by the retransmission: not capture loss. */
static void
test_hole_refilled(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 0);
	assert_int_equal(add(&s, &mc, 1, "ab"), SD_OK);
	assert_int_equal(add(&s, &mc, 5, "ef"), SD_OK);	/* hole [2, 4) */
	assert_false(sd_stream_ack(&s, &mc, 3));	/* duplicate ACKs */
	assert_false(sd_stream_ack(&s, &mc, 3));
	assert_int_equal(add(&s, &mc, 3, "cd"), SD_OK);
	assert_buf(&s, "abcdef");
	assert_false(sd_stream_ack(&s, &mc, 7));
	assert_int_equal(s.st.gaps, 0);
	assert_int_equal(s.st.capture_holes, 0);
	assert_false(s.gap_pending);
	done(&s, &mc);
}

/* Two SYN-ACKs of different ISNs: the stream follows the one the peer acknowledges. */
static void
test_synack_followed(void **state)
{
	struct sd_stream s;
	struct sd_memcap mc;

	(void)state;
	setup(&s, &mc, 1000);		/* the real SYN-ACK */
	sd_stream_syn(&s, 7000);	/* then a SYN proxy's, with another ISN */
	assert_int_equal(s.isn, 7000);
	assert_false(sd_stream_ack(&s, &mc, 1001));	/* the client acknowledges 1000 + 1 */
	assert_int_equal(s.isn, 1000);
	assert_true(s.has_alt);
	assert_int_equal(s.alt_isn, 7000);
	assert_false(sd_stream_ack(&s, &mc, 7001));	/* while nothing is delivered, */
	assert_int_equal(s.isn, 7000);			/* the last ACK decides */
	assert_false(sd_stream_ack(&s, &mc, 1001));
	assert_int_equal(s.isn, 1000);
	assert_int_equal(add(&s, &mc, 1001, "hello"), SD_OK);
	assert_buf(&s, "hello");
	/* once data is delivered the base stays */
	assert_false(sd_stream_ack(&s, &mc, 7001));
	assert_int_equal(s.isn, 1000);
	/* the other space's copies are ignored */
	assert_int_equal(add(&s, &mc, 7001, "HELLO"), SD_OK);
	assert_buf(&s, "hello");
	done(&s, &mc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reversed),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_partial_overlap),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_gap_skipped),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_skip_record_body),
		cmocka_unit_test(test_skip_over_held),
		cmocka_unit_test(test_no_collect),
		cmocka_unit_test(test_syn_rules),
		cmocka_unit_test(test_outside_window),
		cmocka_unit_test(test_ack_above_hole),
		cmocka_unit_test(test_hole_refilled),
		cmocka_unit_test(test_synack_followed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
