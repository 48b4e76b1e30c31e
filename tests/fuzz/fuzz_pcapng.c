/* tests/fuzz/fuzz_pcapng.c - a capture file through sd_cap_open_stream(): our pcapng reader
 * for pcapng input (the point), libpcap for the rest; every frame's bytes are read, and
 * Decryption Secrets Blocks go into a key log as the shakedown command line does. */
#include <stdint.h>
#include <stdio.h>

#include "capture/cap.h"
#include "dissect/keylog.h"
#include "tests/fuzz/fuzz.h"

static void
on_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
	if (type == SD_PCAPNG_DSB_TLS)
		sd_keylog_add(ctx, (const char *)data, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t prev = 0, done, total;
	volatile uint8_t sink = 0;
	struct sd_memcap mc = { .limit = 1 << 20 };
	struct sd_keylog *kl;
	FILE *fp;

	if (size == 0)
		return 0;
	if ((fp = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL)
		return 0;
	if (sd_cap_open_stream(&c, fp, "fuzz", err) != 0)	/* fp is closed either way */
		return 0;
	if ((kl = sd_keylog_new(&mc)) == NULL) {
		sd_cap_close(c);
		return 0;
	}
	sd_cap_on_secrets(c, on_secrets, kl);
	while (sd_cap_next(c, &f, err) == SD_CAP_FRAME) {
		/* Touch every byte handed on, so ASan checks caplen against the block. */
		for (uint32_t i = 0; i < f.caplen; i++)
			sink ^= f.data[i];
		if (f.no <= prev || f.nsec >= 1000000000u)
			__builtin_trap();	/* numbers only go up; nsec is a fraction */
		prev = f.no;
		sd_cap_progress(c, &done, &total);
	}
	(void)sink;
	sd_cap_close(c);
	sd_keylog_free(kl);
	return 0;
}
