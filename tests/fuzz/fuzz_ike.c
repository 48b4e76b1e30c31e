/* tests/fuzz/fuzz_ike.c - one UDP payload through the IKE classifier, parser and IKEv1 state. */
#include <stdint.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/ike_names.h"
#include "tests/fuzz/fuzz.h"

/*
 * Input: one selector byte, then the UDP payload.  The selector picks the ports
 * (0: 500/500, 1: 4500/4500, 2: other ports) and the flow direction for the state.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[3][2] = { { 500, 500 }, { 4500, 4500 }, { 40000, 7000 } };
	struct sd_ike_state st;
	struct sd_ike_msg m;
	struct sd_rd r;
	size_t i;
	uint8_t sel;
	volatile size_t sink = 0;

	if (size < 1)
		return 0;
	sel = data[0];
	r = sd_rd_make(data + 1, size - 1);
	sd_ike_state_init(&st, NULL);
	(void)sd_ike_parse_udp(r, ports[sel % 3][0], ports[sel % 3][1], &m);
	sd_ike_state_update(&st, &m, sel & 0x80 ? 1 : 0);
	for (i = 0; i < m.nvid; i++)
		sink += sd_ike_vid_name(m.vid[i].p, m.vid[i].len) != NULL;
	for (i = 0; i < m.nnotify; i++)
		sink += sd_ike_notify_name(m.version, m.notify[i].type) != NULL;
	for (i = 0; i < m.ntransforms; i++)
		sink += sd_ike_transform_id_name(m.transforms[i].type, m.transforms[i].id) != NULL;
	/* and the same bytes as a message with no marker, twice through the state */
	(void)sd_ike_parse(r, false, &m);
	sd_ike_state_update(&st, &m, 0);
	sd_ike_state_update(&st, &m, 1);
	sd_ike_state_free(&st);
	(void)sink;
	return 0;
}
