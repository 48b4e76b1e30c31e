/* adapt/digest.c - message digests for the engine (engine/hooks.h) through OpenSSL's EVP. */
#include "adapt/digest.h"

#include <string.h>

#include <openssl/evp.h>

static size_t
evp_digest(void *ctx, const char *alg, const void *in, size_t n, uint8_t *out, size_t outlen)
{
	const EVP_MD *md = NULL;
	unsigned int len = 0;

	(void)ctx;
	if (strcmp(alg, "sha1") == 0)
		md = EVP_sha1();
	else if (strcmp(alg, "md5") == 0)
		md = EVP_md5();
	else if (strcmp(alg, "sha256") == 0)
		md = EVP_sha256();
	else if (strcmp(alg, "sha384") == 0)
		md = EVP_sha384();
	else if (strcmp(alg, "sha512") == 0)
		md = EVP_sha512();
	if (md == NULL || outlen < (size_t)EVP_MD_get_size(md))
		return 0;
	if (EVP_Digest(in, n, out, &len, md, NULL) != 1)
		return 0;
	return len;
}

struct sd_digest_hook
sd_adapt_digest(void)
{
	struct sd_digest_hook h = { evp_digest, NULL };

	return h;
}
