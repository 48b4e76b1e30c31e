/* adapt/digest.h - the engine's digest hook through OpenSSL (IKE NAT detection hashes). */
#ifndef SD_ADAPT_DIGEST_H
#define SD_ADAPT_DIGEST_H

#include "engine/hooks.h"

/* A hook that digests with OpenSSL's EVP (md5, sha1, sha256, sha384, sha512). */
struct sd_digest_hook	sd_adapt_digest(void);

#endif /* SD_ADAPT_DIGEST_H */
