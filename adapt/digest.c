/* adapt/digest.c - message digests for the engine (engine/hooks.h) through OpenSSL's EVP. */
#include "adapt/digest.h"

#include <stdio.h>
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

bool
sd_adapt_file_sha256(const char *path, char out[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, k;
	EVP_MD_CTX *c;
	size_t n;
	FILE *f;
	bool ok;

	out[0] = '\0';
	if ((f = fopen(path, "rb")) == NULL)
		return false;
	if ((c = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		fclose(f);
		return false;
	}
	ok = true;
	while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		ok = EVP_DigestUpdate(c, buf, n) == 1;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, md, &len) == 1 && len == 32;
	EVP_MD_CTX_free(c);
	fclose(f);
	for (k = 0; ok && k < len; k++)
		snprintf(out + 2 * k, 3, "%02x", md[k]);
	return ok;
}
