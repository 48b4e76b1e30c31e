/* adapt/digest.h - the engine's digest hook through OpenSSL (IKE NAT detection hashes). */
#ifndef SD_ADAPT_DIGEST_H
#define SD_ADAPT_DIGEST_H

#include <stdbool.h>

#include "engine/hooks.h"

/* A hook that digests with OpenSSL's EVP (md5, sha1, sha256, sha384, sha512). */
struct sd_digest_hook	sd_adapt_digest(void);

/* SHA-256 of a whole file, read in pieces (a capture may be larger than memory), as
 * lowercase hex into out; false (out "") when it cannot be read. */
bool	sd_adapt_file_sha256(const char *path, char out[65]);

#endif /* SD_ADAPT_DIGEST_H */
