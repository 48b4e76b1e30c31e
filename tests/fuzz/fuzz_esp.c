/* tests/fuzz/fuzz_esp.c - ESP/AH headers, and a packet sequence through the SA table. */
#include <stdint.h>
#include <string.h>

#include "dissect/esp.h"
#include "engine/esp_track.h"
#include "tests/fuzz/fuzz.h"

static void
tunnel(void *ctx, const struct sd_esp_tunnel *tn)
{
	uint64_t *n = ctx;

	if (tn->nsas == 0 || !tn->interim || !tn->one_way)
		__builtin_trap();	/* only one-way tunnels are told early */
	(*n)++;
}

static void
emit(void *ctx, const struct sd_esp_sa *sa)
{
	uint64_t *n = ctx;

	*n += sa->packets;
}

/*
 * Input: the first bytes are parsed as an ESP header and as AH; then each 6-byte record
 * (host byte, SPI byte, flags byte, 3 sequence bytes) is one packet for a small table
 * (8 SAs, a memcap of a few entries) so collisions, caps, replays and gaps all happen.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_memcap mc = { 0, 4096, 0, 0 };
	struct sd_esp_table *t;
	struct sd_esp_hdr h;
	struct sd_esp_pkt p;
	struct sd_rd inner;
	uint64_t frame = 0, emitted = 0, added = 0, tunnels = 0;
	uint8_t next;
	size_t off;

	(void)sd_esp_parse(sd_rd_make(data, size), &h);
	if (sd_esp_skip_ah(sd_rd_make(data, size), &next, &inner) == SD_OK)
		(void)sd_esp_parse(inner, &h);
	t = sd_esp_new(&mc, 8);
	if (t == NULL)
		return 0;
	for (off = 0; off + 6 <= size; off += 6) {
		memset(&p, 0, sizeof(p));
		p.src.v = p.dst.v = 4;
		p.src.a[3] = data[off] & 3;
		p.spi = (uint32_t)(data[off + 1] & 7) + 1;
		p.udp_encap = (data[off + 2] & 1) != 0;
		p.no_seq = (data[off + 2] & 2) != 0;
		p.seq = (uint32_t)data[off + 3] << 16 | (uint32_t)data[off + 4] << 8 | data[off + 5];
		p.frame = ++frame;
		p.ts_sec = (int64_t)frame;
		p.bytes = 8;
		if (sd_esp_add(t, &p) == SD_OK)
			added++;
		if ((data[off + 2] & 0x80) != 0)
			(void)sd_esp_expire(t, (int64_t)frame, 2, emit, &emitted);
		if ((data[off + 2] & 0x40) != 0)
			(void)sd_esp_window(t, tunnel, &tunnels);	/* while it goes on */
	}
	(void)sd_esp_flush(t, emit, &emitted);
	if (emitted != added || sd_esp_count(t) != 0)
		__builtin_trap();		/* every accounted packet comes out once */
	sd_esp_free(t);
	if (mc.used != 0)
		__builtin_trap();
	return 0;
}
