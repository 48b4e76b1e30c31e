/*
 * tests/fuzz/fuzz_stream.c - TCP reassembly driven by a little operation language.
 *
 * Input: a 6-byte header, then operations until the bytes run out.
 *   hdr[0]   bit 0 collect, bit 1 honest (every segment carries pattern(offset), so
 *            whatever is buffered must equal the pattern), bit 2 start with a SYN,
 *            bits 3-4 max_buf (16, 64, 1024, default), bits 5-6 max_ooo (8, 64, 1024,
 *            default), bit 7 memcap limit 2 KiB (else unlimited)
 *   hdr[1-4] initial sequence number (big-endian), hdr[5] unused
 *   op % 8:  0-2 add: be16 signed distance from next, u8 length (+ that many data
 *            bytes when not honest); 3 consume u8; 4 skip be16; 5 skip_gap, or when
 *            op >= 0x80 the peer's ACK: be16 signed distance from next;
 *            6 syn be32; 7 toggle collect
 * Checked after every operation: the invariants of struct sd_stream; at the end, the
 * memcap is back to 0 after sd_stream_free.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/stream.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static SD_FUZZ_ORACLE uint8_t
pattern(uint64_t off)
{
	return (uint8_t)(off * 131u + (off >> 8) * 7u + 1u);
}

static uint32_t
seq0_of(const struct sd_stream *s)
{
	return s->syn ? s->isn + 1u : s->isn;
}

/* the checks and the honest bytes: oracles, out of coverage tracing (comparing every
 * buffered byte after every operation, traced, held a long run's corpus to 671 executions
 * a second; 1,120 untraced) */
static SD_FUZZ_ORACLE __attribute__((noinline)) void
fill(uint8_t *seg, uint64_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		seg[i] = pattern(off + i);
}

static SD_FUZZ_ORACLE __attribute__((noinline)) void
check(const struct sd_stream *s, const struct sd_memcap *mc, uint64_t prev_next, bool honest)
{
	size_t i;

	CHECK(s->next >= prev_next);
	CHECK(s->base + s->len == s->next);
	CHECK(s->len <= s->cap && s->cap <= s->max_buf);
	CHECK(s->ooo_bytes <= s->max_ooo);
	CHECK((s->ooo == NULL) == (s->ooo_count == 0));
	CHECK((s->ooo == NULL) == (s->ooo_bytes == 0));
	CHECK((s->ooo == NULL) == (s->ooo_last == NULL));
	CHECK(s->ooo_last == NULL || s->ooo_count > 1 || s->ooo == s->ooo_last);
	CHECK(mc->used >= s->cap + s->ooo_bytes);
	CHECK(mc->limit == 0 || mc->used <= mc->limit);
	CHECK(s->skip == 0 || s->len == 0);
	if (honest)
		for (i = 0; i < s->len; i++)
			CHECK(s->buf[i] == pattern(s->base + i));
}

static const size_t bufs[] = { 16, 64, 1024, 0 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd in = sd_rd_make(data, size);
	struct sd_stream s;
	struct sd_memcap mc;
	uint8_t cfg, op, len, u8, seg[255];
	uint16_t d16;
	uint32_t isn, seq, u32;
	uint64_t prev, off;
	struct sd_rd payload;
	bool honest;

	if (!sd_rd_u8(&in, &cfg) || !sd_rd_be32(&in, &isn) || !sd_rd_skip(&in, 1))
		return 0;
	memset(&mc, 0, sizeof(mc));
	if (cfg & 0x80)
		mc.limit = 2048;
	sd_stream_init(&s, bufs[(cfg >> 3) & 3], bufs[(cfg >> 5) & 3] / 2);
	s.collect = (cfg & 1) != 0;
	honest = (cfg & 2) != 0;
	if (cfg & 4)
		sd_stream_syn(&s, isn);
	while (sd_rd_u8(&in, &op)) {
		prev = s.next;
		switch (op % 8) {
		case 0: case 1: case 2:
			if (!sd_rd_be16(&in, &d16) || !sd_rd_u8(&in, &len))
				break;
			if (!s.init) {
				seq = isn;		/* becomes offset 0 */
				off = 0;
			} else {
				/* signed distance from next, in the 32-bit space */
				seq = seq0_of(&s) + (uint32_t)s.next + (uint32_t)(int16_t)d16;
				off = s.next + (uint64_t)(int64_t)(int16_t)d16;
			}
			if (honest) {
				fill(seg, off, len);
				payload = sd_rd_make(seg, len);
			} else if (!sd_rd_sub(&in, len, &payload)) {
				break;
			}
			(void)sd_stream_add(&s, &mc, seq, payload);
			break;
		case 3:
			if (sd_rd_u8(&in, &u8))
				sd_stream_consume(&s, &mc, u8);
			break;
		case 4:
			if (sd_rd_be16(&in, &d16))
				sd_stream_skip(&s, &mc, d16);
			break;
		case 5:
			if (op < 0x80)
				(void)sd_stream_skip_gap(&s, &mc);
			else if (sd_rd_be16(&in, &d16))
				(void)sd_stream_ack(&s, &mc, seq0_of(&s) + (uint32_t)s.next +
				    (uint32_t)(int16_t)d16);
			break;
		case 6:
			if (sd_rd_be32(&in, &u32) && !honest)
				sd_stream_syn(&s, u32);
			break;
		default:
			s.collect = !s.collect;
			break;
		}
		check(&s, &mc, prev, honest);
		if (s.init)
			CHECK(sd_stream_offset(&s, seq0_of(&s) + (uint32_t)s.next) == s.next);
	}
	sd_stream_free(&s, &mc);
	CHECK(mc.used == 0);
	CHECK(s.buf == NULL && s.ooo == NULL && s.ooo_bytes == 0);
	return 0;
}
