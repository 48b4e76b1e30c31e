/*
 * tests/fuzz/fuzz_capwap.c - one CAPWAP datagram (dissect/capwap.c): preamble and header,
 * control message, data channel payload, and sd_tunnel_udp() on the data port.
 *
 * Input: the UDP payload, parsed from an exact-size copy.  Checked: every view handed back
 * lies inside the input (ASan reads its first and last byte), the header length is honoured.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/capwap.h"
#include "dissect/tunnel.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static volatile uint8_t sink;

static void
touch(struct sd_rd r)
{
	if (r.len > 0)
		sink = (uint8_t)(sink ^ r.p[0] ^ r.p[r.len - 1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *cp = malloc(size ? size : 1);
	struct sd_rd in;
	struct sd_capwap cw;
	struct sd_capwap_ctrl c;
	struct sd_link l;

	if (cp == NULL)
		abort();
	if (size > 0)
		memcpy(cp, data, size);
	in = sd_rd_make(cp, size);
	if (sd_capwap_parse(in, &cw) == SD_OK) {
		touch(cw.payload);
		if (cw.type == SD_CAPWAP_PLAIN)
			CHECK(cw.payload.p == cp + (size_t)cw.hlen * 4);
		if (cw.type == SD_CAPWAP_PLAIN && sd_capwap_control(cw.payload, &c) == SD_OK) {
			(void)sd_capwap_msg_name(c.enterprise, c.msg_type);
			(void)sd_capwap_result_name(c.result_code);
		}
		if (sd_capwap_data(&cw, &l) == SD_OK)
			touch(l.net);
	}
	if (sd_tunnel_udp(40001, SD_PORT_CAPWAP_DATA, in, &l) == SD_OK)
		touch(l.net);
	free(cp);
	return 0;
}
