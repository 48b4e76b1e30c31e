/* tests/fuzz/fuzz_openvpn.c - OpenVPN packets of both directions through one control-channel
 * conn (reassembly by packet-id, TLS parse), and the packet parsers on each.
 * Input: records of [direction byte][16-bit length][packet], as the TCP framing with a
 * direction in front; the seeds are the packets of samples/openvpn-*.pcap. */
#include <stdint.h>
#include <string.h>

#include "dissect/openvpn.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_NOW	1796599390	/* the samples' clock: tls-auth times match it */

static void
ignore(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir,
    const struct sd_tls_pkt *pkt)
{
	(void)ctx;
	(void)type;
	(void)msg;
	(void)dir;
	(void)pkt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_memcap mc = { 0, 4u << 20, 0, 0 };
	struct sd_rd in = sd_rd_make(data, size), pkt;
	struct sd_ovpn_conn *c = sd_ovpn_conn_new(&mc, ignore, NULL);
	struct sd_tls_pkt pk = { 0, FUZZ_NOW, 0 };
	struct sd_ovpn_wrap w;
	struct sd_ovpn_pkt p;
	size_t used;
	uint8_t dir;

	if (c == NULL)
		return 0;
	(void)sd_ovpn_probe(in, true, FUZZ_NOW);
	while (sd_rd_u8(&in, &dir)) {
		if (sd_ovpn_tcp_frame(in, &pkt, &used) != SD_OK)
			break;
		/* a frame stays inside the input and moves it on */
		if (used < 2 || used > sd_rd_left(&in))
			__builtin_trap();
		(void)sd_rd_skip(&in, used);
		pk.frame++;
		(void)sd_ovpn_probe(pkt, false, FUZZ_NOW);
		if (sd_ovpn_detect(pkt, FUZZ_NOW, &w) == SD_OK &&
		    sd_ovpn_parse(pkt, &w, &p) == SD_OK && sd_rd_left(&p.payload) > sd_rd_left(&pkt))
			__builtin_trap();
		(void)sd_ovpn_conn_packet(c, dir & 1, pkt, &pk, FUZZ_NOW);
	}
	sd_ovpn_conn_end(c, &pk);
	sd_ovpn_conn_free(c);
	/* every byte charged was given back */
	if (mc.used != 0)
		__builtin_trap();
	return 0;
}
