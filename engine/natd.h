/* engine/natd.h - IKE NAT detection: the NAT-D hashes recomputed with the addresses seen
 * (RFC 7296 §2.23, RFC 3947 §3.2). */
#ifndef SD_ENGINE_NATD_H
#define SD_ENGINE_NATD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ike.h"
#include "engine/hooks.h"
#include "engine/ipsec_types.h"

/*
 * NAT detection hash H(ispi | rspi | ip | port) with the given digest ("sha1", "md5",
 * "sha256", "sha384", "sha512") through the hook.  Returns the digest length, 0 for an
 * unknown digest, an empty hook, or when out is too small.
 */
size_t	sd_natd_hash(const struct sd_digest_hook *, const char *digest, const uint8_t ispi[8],
	    const uint8_t rspi[8], const struct sd_addr *ip, uint16_t port, uint8_t *out,
	    size_t outlen);

/*
 * Recompute the NAT detection hashes one message carries with the addresses and ports of
 * its event, and merge the verdicts into sa_nat (and xn, when not NULL).  v1_hash is the
 * IKEv1 hash algorithm the SA negotiated (RFC 2409 App. A; 0: unknown, taken from the
 * hash length).  Nothing is checked without a digest hook.
 */
void	sd_natd_check(const struct sd_digest_hook *, uint16_t v1_hash,
	    const struct sd_ike_msg *m, const struct sd_event *ev, bool sender_is_init,
	    struct sd_ike_nat *sa_nat, struct sd_ike_nat *xn);

#endif /* SD_ENGINE_NATD_H */
