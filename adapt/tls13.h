/* adapt/tls13.h - TLS 1.3 record decryption with a key log, through OpenSSL (RFC 8446 §5.2, §7). */
#ifndef SD_ADAPT_TLS13_H
#define SD_ADAPT_TLS13_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/keylog.h"
#include "dissect/tls.h"

/* What decryption did over the run (shakedown -v). */
struct sd_tls13_stats {
	uint64_t	 decrypted;	/* connections with keys whose records authenticated */
	uint64_t	 no_keys;	/* TLS 1.3 connections the key log has no secrets for */
	uint64_t	 failed;	/* connections with a record that did not authenticate */
	uint64_t	 unsupported;	/* keys logged, cipher suite not decrypted */
};

struct sd_tls13;

/* A decryptor over kl (borrowed: it may still grow, e.g. from pcapng DSBs); NULL on no
 * memory. */
struct sd_tls13		*sd_tls13_new(struct sd_keylog *kl);
void			 sd_tls13_free(struct sd_tls13 *);	/* NULL-safe */
/* The hook the engine hands to each TLS connection (engine/hooks.h). */
struct sd_tls_decrypt_hook sd_tls13_hook(struct sd_tls13 *);
const struct sd_tls13_stats *sd_tls13_stats(const struct sd_tls13 *);

/*
 * HKDF-Expand-Label(secret, label, context, length) of RFC 8446 §7.1 with the digest md
 * ("SHA256" or "SHA384"): label without the "tls13 " prefix.  False on error.
 */
bool	sd_tls13_expand_label(const char *md, const uint8_t *secret, size_t secret_len,
	    const char *label, const uint8_t *context, size_t context_len, uint8_t *out,
	    size_t out_len);

#endif /* SD_ADAPT_TLS13_H */
