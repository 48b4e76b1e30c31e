/*
 * tests/fuzz/fuzz_dtls.c - DTLS datagrams of one association (sd_dtls_datagram).
 *
 * Input: hdr[0] bit 0 memcap limit 16 KiB; then datagrams until the bytes run out:
 * u8 direction (bit 0), be16 length, data; each parsed from an exact-size copy.
 * Checked: the memcap is never passed and is back to 0 after sd_tls_conn_free.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/tls.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/tls_touch.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd in = sd_rd_make(data, size), dg;
	struct sd_memcap mc = { 0, 0, 0, 0 };
	struct sd_tls_conn *c;
	struct sd_tls_pkt pkt = { 0, 0, 0 };
	uint8_t hdr, dir, *cp;
	uint16_t len;

	if (!sd_rd_u8(&in, &hdr))
		return 0;
	if (hdr & 1)
		mc.limit = 16384;
	if ((c = sd_tls_conn_new(&mc, true, touch_emit, NULL)) == NULL)
		return 0;
	while (sd_rd_u8(&in, &dir) && sd_rd_be16(&in, &len)) {
		if (!sd_rd_sub(&in, len, &dg))
			dg = in;
		(void)sd_tls_probe(dg, true);
		if ((cp = malloc(dg.len ? dg.len : 1)) == NULL)
			abort();
		if (dg.len > 0)
			memcpy(cp, dg.p, dg.len);
		pkt.frame++;
		(void)sd_dtls_datagram(c, dir & 1, sd_rd_make(cp, dg.len), &pkt);
		free(cp);
		CHECK(mc.limit == 0 || mc.used <= mc.limit);
	}
	sd_tls_conn_end(c, NULL);	/* tls.session over whatever state the input left */
	sd_tls_conn_free(c);
	CHECK(mc.used == 0);
	return 0;
}
