/* tests/fuzz/fuzz_ike_tcp.c - RFC 8229 framing over arbitrary bytes, IKE parse of each frame. */
#include <stdint.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/ike_tcp.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd in = sd_rd_make(data, size);
	struct sd_ike_tcp_frame fr;
	struct sd_ike_msg m;
	size_t consumed, needed, frames = 0;
	enum sd_rc rc;

	if (sd_ike_tcp_probe(in) == SD_OK)
		(void)sd_rd_skip(&in, SD_IKE_TCP_PREFIX_LEN);
	while (sd_rd_left(&in) > 0) {
		rc = sd_ike_tcp_frame(in, &fr, &consumed, &needed);
		if (rc != SD_OK)
			break;
		/* a frame always moves the stream on, and stays inside it */
		if (consumed == 0 || consumed > sd_rd_left(&in))
			__builtin_trap();
		if (fr.ike)
			(void)sd_ike_parse(fr.body, false, &m);
		(void)sd_rd_skip(&in, consumed);
		frames++;
	}
	return frames > size ? 1 : 0;
}
