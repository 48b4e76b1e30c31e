/* engine/hooks.h - what the engine asks of third-party libraries, as small hook structs. */
#ifndef SD_ENGINE_HOOKS_H
#define SD_ENGINE_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"
#include "dissect/tls.h"	/* struct sd_tls_decrypt_hook */

/*
 * The engine links no third-party library, so that the whole event producer can be
 * unit-tested and fuzzed alone.  Where it wants one, the caller hands it a hook; a hook
 * left empty (NULL function) turns that feature off.  adapt/ holds the real ones (nDPI,
 * OpenSSL).
 */

/*
 * Application labels (nDPI).  `state` is the flow's slot for the classifier's own per-flow
 * state (NULL at first; the classifier owns what it puts there and charges it to mc);
 * `label` is the flow's label buffer: once the classifier writes a non-empty label the
 * engine stops offering packets.  packet() gets the IP packet (l3 at the IP header);
 * flow_end() settles the label (a guess is fine) and frees the state: at the flow's end,
 * and earlier when the engine's own parser has taken the flow (IKE), so that flow_end()
 * may come again later with *state NULL and the label already written.
 */
struct sd_classify_hook {
	void	(*packet)(void *ctx, void **state, char *label, size_t labellen,
		    struct sd_memcap *mc, const uint8_t *l3, size_t len, uint64_t ts_us);
	void	(*flow_end)(void *ctx, void **state, char *label, size_t labellen,
		    struct sd_memcap *mc);
	void	*ctx;
};

/*
 * A message digest: alg is "md5", "sha1", "sha256", "sha384" or "sha512".  Returns the
 * digest length written to out, 0 for an unknown algorithm or when outlen is too small.
 * The NAT detection hashes of IKE (engine/natd.c) need it.
 */
struct sd_digest_hook {
	size_t	(*digest)(void *ctx, const char *alg, const void *in, size_t n, uint8_t *out,
		    size_t outlen);
	void	*ctx;
};

struct sd_engine_hooks {
	struct sd_classify_hook	 classify;
	struct sd_digest_hook	 digest;
	struct sd_tls_decrypt_hook tls_decrypt;	/* TLS 1.3 with a key log (adapt/tls13.c) */
};

#endif /* SD_ENGINE_HOOKS_H */
