/*
 * tests/fuzz/fuzz_defrag.c - fragment reassembly driven by a little operation language.
 *
 * Input: a 4-byte header, then operations until the bytes run out.
 *   hdr[0]   bits 0-2 max_datagrams 1..8, bits 3-6 max_frags 1..16, bit 7 honest (every
 *            fragment carries pattern(ident, offset), so every completed datagram must
 *            equal the pattern)
 *   hdr[1]   max_size in 64-byte units (0: the default)
 *   hdr[2]   memcap limit in KiB (0: unlimited; the table needs ~1 KiB before buckets)
 *   hdr[3]   timeout in seconds (0: the default)
 *   op % 4:  0-1 fragment: u8 flags (bit 0 v6, bits 1-2 ident, bit 3 MF, bit 4 src,
 *            bit 5 caplen cut, bit 6 proto), u8 offset / 8, u8 length (+ that many data
 *            bytes when not honest); 2 time += u8 seconds; 3 expire
 * Checked: sizes and counts of completed datagrams, the memcap limit, and that the memcap
 * is back to 0 after sd_defrag_free.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/defrag.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static uint8_t
pattern(uint32_t ident, uint64_t off)
{
	return (uint8_t)(off * 29u + ident * 101u + 3u);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd in = sd_rd_make(data, size), out;
	struct sd_defrag_limits lim;
	struct sd_defrag *t;
	struct sd_memcap mc;
	struct sd_ip ip;
	uint8_t cfg, msz, cap, tmo, op, fl, o8, len, u8, seg[255];
	uint64_t now = 1000000, frame = 0, first;
	uint32_t nfrags, max_size;
	const struct sd_defrag_stats *st;
	enum sd_rc rc;
	bool honest;
	size_t i;

	if (!sd_rd_u8(&in, &cfg) || !sd_rd_u8(&in, &msz) || !sd_rd_u8(&in, &cap) ||
	    !sd_rd_u8(&in, &tmo))
		return 0;
	memset(&lim, 0, sizeof(lim));
	lim.max_datagrams = (cfg & 7u) + 1u;
	lim.max_frags = ((cfg >> 3) & 15u) + 1u;
	lim.max_size = (uint32_t)msz * 64u;
	lim.timeout_us = (uint64_t)tmo * 1000000u;
	honest = (cfg & 0x80) != 0;
	memset(&mc, 0, sizeof(mc));
	mc.limit = (size_t)cap * 1024u;
	t = sd_defrag_new(&lim, &mc);
	if (t == NULL) {
		CHECK(mc.used == 0);
		return 0;
	}
	st = sd_defrag_stats(t);
	while (sd_rd_u8(&in, &op)) {
		switch (op % 4) {
		case 0: case 1:
			if (!sd_rd_u8(&in, &fl) || !sd_rd_u8(&in, &o8) || !sd_rd_u8(&in, &len))
				break;
			memset(&ip, 0, sizeof(ip));
			ip.version = (fl & 1) ? 6 : 4;
			ip.src.v = ip.dst.v = ip.version;
			ip.src.a[0] = (fl & 0x10) ? 192 : 10;
			ip.dst.a[0] = 10;
			ip.dst.a[15] = 2;
			ip.frag_ident = (fl >> 1) & 3u;
			ip.id = (uint16_t)ip.frag_ident;
			ip.proto = (fl & 0x40) ? SD_IPPROTO_TCP : SD_IPPROTO_UDP;
			ip.more_frags = (fl & 8) != 0;
			ip.frag_offset = (uint32_t)o8 * 8u;
			ip.fragment = ip.more_frags || ip.frag_offset != 0 || ip.version == 6;
			if (fl & 0x20)
				ip.flags |= SD_IP_F_CAPLEN_CUT;
			if (honest) {
				for (i = 0; i < len; i++)
					seg[i] = pattern(ip.frag_ident, ip.frag_offset + i);
				ip.payload = sd_rd_make(seg, len);
			} else if (!sd_rd_sub(&in, len, &ip.payload)) {
				break;
			}
			rc = sd_defrag_add(t, &ip, now, ++frame, &out, &first, &nfrags);
			if (rc != SD_OK) {
				CHECK(out.len == 0 && nfrags == 0);
				break;
			}
			CHECK(nfrags >= 1 && nfrags <= lim.max_frags);
			CHECK(first >= 1 && first <= frame);
			if (ip.frag_offset == 0 && !ip.more_frags) {
				/* atomic: handed back as it came */
				CHECK(nfrags == 1 && first == frame && out.p == ip.payload.p);
				break;
			}
			max_size = lim.max_size != 0 ? lim.max_size : 65535u + 8u;
			CHECK(out.len <= max_size);
			CHECK(out.len >= ip.frag_offset + sd_rd_left(&ip.payload));
			if (honest)
				for (i = 0; i < out.len; i++)
					CHECK(out.p[i] == pattern(ip.frag_ident, i));
			break;
		case 2:
			if (sd_rd_u8(&in, &u8))
				now += (uint64_t)u8 * 1000000u;
			break;
		default:
			sd_defrag_expire(t, now);
			break;
		}
		CHECK(mc.limit == 0 || mc.used <= mc.limit);
		CHECK(st->reassembled + st->dropped <= st->fragments);
	}
	sd_defrag_free(t);
	CHECK(mc.used == 0);
	return 0;
}
