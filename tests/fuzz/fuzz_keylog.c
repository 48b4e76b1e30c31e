/* tests/fuzz/fuzz_keylog.c - key log text (SSLKEYLOGFILE lines, as from --keylog or a pcapng
 * Decryption Secrets Block) into the bounded table, then looked up. */
#include <stdint.h>
#include <string.h>

#include "dissect/keylog.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_memcap mc = { .limit = 1 << 20 };
	const struct sd_keylog_secrets *ks;
	const struct sd_keylog_stats *st;
	struct sd_keylog *kl;
	uint8_t random[32];
	int i;

	if ((kl = sd_keylog_new(&mc)) == NULL)
		return 0;
	sd_keylog_add(kl, (const char *)data, size);
	st = sd_keylog_stats(kl);
	if (st->malformed > 0 && st->first_bad_line == 0)
		__builtin_trap();	/* a malformed line always has its number */
	/* the first 32 bytes as a client random: every kept secret fits its buffer */
	memset(random, 0, sizeof(random));
	memcpy(random, data, size < sizeof(random) ? size : sizeof(random));
	if ((ks = sd_keylog_find(kl, random)) != NULL)
		for (i = 0; i < SD_KL_NLABELS; i++)
			if (ks->s[i].len > SD_KEYLOG_MAX_SECRET)
				__builtin_trap();
	if (sd_keylog_count(kl) > st->lines)
		__builtin_trap();
	sd_keylog_free(kl);
	if (mc.used != 0)
		__builtin_trap();	/* every entry given back */
	return 0;
}
