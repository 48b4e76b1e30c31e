/* tests/fuzz/fuzz_ike_track.c - a sequence of IKE messages through engine/ike_track.c. */
#include <stdint.h>
#include <string.h>

#include "adapt/digest.h"
#include "engine/ike_track.h"
#include "dissect/ike.h"
#include "tests/fuzz/fuzz.h"

static void
sink(void *ctx, const struct sd_event *ev)
{
	uint64_t *n = ctx;

	(*n)++;
	(void)ev;
}

/*
 * Input: records of [flags byte][length byte][length bytes of IKE message].  Flag bit 0
 * picks the direction (10.99.0.1 <-> 10.99.0.2), bits 1-3 advance the clock by 0..7 x 100 s
 * so idle expiry runs; a small memcap makes the SA cap and the memcap refusals happen.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_memcap mc = { 0, 64 * 1024, 0, 0 };
	uint64_t n = 0, frame = 0;
	struct sd_ev_sink sk = { sink, &n };
	struct sd_digest_hook digest = sd_adapt_digest();
	struct sd_ike_track *t = sd_ike_track_new(&mc, sk, &digest);
	struct sd_addr a, b;
	struct sd_ike_msg m;
	struct sd_event ev;
	struct sd_ike_track_pkt p;
	int64_t sec = 1000;
	size_t off = 0, len;

	if (t == NULL)
		return 0;
	memset(&a, 0, sizeof(a));
	a.v = 4;
	a.a[0] = 10;
	a.a[1] = 99;
	a.a[3] = 1;
	b = a;
	b.a[3] = 2;
	while (size - off >= 2) {
		uint8_t fl = data[off];

		len = data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		sec += (int64_t)((fl >> 1) & 7) * 100;
		(void)sd_ike_parse(sd_rd_make(data + off, len), (fl & 0x10) != 0, &m);
		if (m.header_ok) {
			memset(&ev, 0, sizeof(ev));
			ev.type = SD_EV_IKE;
			ev.frame = ++frame;
			ev.ts_sec = sec;
			ev.transport = 17;
			ev.src = (fl & 1) ? b : a;
			ev.dst = (fl & 1) ? a : b;
			ev.sport = ev.dport = (fl & 0x10) ? 4500 : 500;
			ev.u.msg.ike = &m;
			p.datagram = sd_rd_make(data + off, len);
			p.ev = &ev;
			sd_ike_track_message(t, &m, &p);
		}
		if ((fl & 0x20) != 0)
			sd_ike_track_esp(t, &a, &b, sec, ++frame);
		if ((fl & 0x40) != 0)
			sd_ike_track_tick(t, sec + 61);	/* an idle link: the clock alone */
		off += len;
	}
	sd_ike_track_finish(t);
	if (sd_ike_track_count(t) != 0)
		__builtin_trap();
	sd_ike_track_free(t);
	if (mc.used != 0)
		__builtin_trap();	/* every charge given back */
	return 0;
}
