/* adapt/tls13.c - TLS 1.3 record decryption from key log secrets with OpenSSL's EVP (RFC 8446 §5.2, §5.3, §7.1, §7.3). */
#include "adapt/tls13.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

struct sd_tls13 {
	struct sd_keylog	*kl;
	EVP_KDF			*hkdf;
	struct sd_tls13_stats	 st;
};

/* The AEAD and hash of each TLS 1.3 cipher suite (RFC 8446 §B.4). */
struct suite {
	uint16_t	 id;
	const char	*md;		/* HKDF hash */
	size_t		 hash_len;
	const EVP_CIPHER *(*cipher)(void);
	size_t		 key_len, tag_len;
	bool		 ccm;
};

static const struct suite suites[] = {
	{ 0x1301, "SHA256", 32, EVP_aes_128_gcm, 16, 16, false },
	{ 0x1302, "SHA384", 48, EVP_aes_256_gcm, 32, 16, false },
	{ 0x1303, "SHA256", 32, EVP_chacha20_poly1305, 32, 16, false },
	{ 0x1304, "SHA256", 32, EVP_aes_128_ccm, 16, 16, true },
	{ 0x1305, "SHA256", 32, EVP_aes_128_ccm, 16, 8, true },
};

#define IV_LEN	12	/* every TLS 1.3 AEAD's nonce (RFC 8446 §5.3) */

/* One direction's keys: the traffic secret of its epoch and what it expands to. */
struct dir_keys {
	unsigned	 epoch;		/* of secret/key/iv; UINT_MAX: none yet */
	uint8_t		 secret[SD_KEYLOG_MAX_SECRET];
	uint8_t		 key[32], iv[IV_LEN];
	bool		 ready;		/* key and iv expanded for epoch */
	EVP_CIPHER_CTX	*ctx;		/* kept across records (per connection, per direction) */
};

struct conn {
	const struct suite	*s;
	struct sd_keylog_secret	 hs[2], app[2];	/* client, server */
	struct dir_keys		 d[2];
	bool			 ok;		/* a record authenticated */
};

/* Charged per connection for the two cipher contexts OpenSSL allocates itself. */
#define CTX_CHARGE	2048

struct sd_tls13 *
sd_tls13_new(struct sd_keylog *kl)
{
	struct sd_tls13 *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->kl = kl;
	if ((t->hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
sd_tls13_free(struct sd_tls13 *t)
{
	if (t == NULL)
		return;
	EVP_KDF_free(t->hkdf);
	free(t);
}

const struct sd_tls13_stats *
sd_tls13_stats(const struct sd_tls13 *t)
{
	return &t->st;
}

static bool
expand_label(EVP_KDF *kdf, const char *md, const uint8_t *secret, size_t secret_len,
    const char *label, const uint8_t *context, size_t context_len, uint8_t *out,
    size_t out_len)
{
	uint8_t info[2 + 1 + 255 + 1 + 255];
	size_t llen = 6 + strlen(label), n = 0;
	OSSL_PARAM p[5];
	EVP_KDF_CTX *kctx;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	bool ok;

	if (llen > 255 || context_len > 255 || out_len > UINT16_MAX)
		return false;
	/* struct HkdfLabel: length, "tls13 " + label, context (RFC 8446 §7.1) */
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)llen;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, llen - 6);
	n += llen;
	info[n++] = (uint8_t)context_len;
	if (context_len > 0)
		memcpy(info + n, context, context_len);
	n += context_len;
	if ((kctx = EVP_KDF_CTX_new(kdf)) == NULL)
		return false;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret,
	    secret_len);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	p[3] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[4] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, out_len, p) == 1;
	EVP_KDF_CTX_free(kctx);
	OPENSSL_cleanse(info, sizeof(info));
	return ok;
}

bool
sd_tls13_expand_label(const char *md, const uint8_t *secret, size_t secret_len,
    const char *label, const uint8_t *context, size_t context_len, uint8_t *out,
    size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	bool ok;

	if (kdf == NULL)
		return false;
	ok = expand_label(kdf, md, secret, secret_len, label, context, context_len, out,
	    out_len);
	EVP_KDF_free(kdf);
	return ok;
}

/* The hook is shared by the --workers threads: its counters add up atomically. */
static void
count(uint64_t *n)
{
	__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
}

static void *
dec_open(void *ctx, struct sd_memcap *mc, const uint8_t random[32], uint16_t cipher,
    uint8_t *why)
{
	struct sd_tls13 *t = ctx;
	const struct sd_keylog_secrets *ks;
	const struct suite *s = NULL;
	struct conn *c;
	size_t i;

	if (sd_keylog_count(t->kl) == 0) {
		/* no key log given (or none in the capture yet): decryption is not asked for */
		*why = SD_TLS_KEYLOG_NONE;
		return NULL;
	}
	ks = sd_keylog_find(t->kl, random);
	if (ks == NULL || (ks->s[SD_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET].len == 0 &&
	    ks->s[SD_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET].len == 0 &&
	    ks->s[SD_KL_CLIENT_TRAFFIC_SECRET_0].len == 0 &&
	    ks->s[SD_KL_SERVER_TRAFFIC_SECRET_0].len == 0)) {
		count(&t->st.no_keys);
		*why = SD_TLS_KEYLOG_NO_KEYS;
		return NULL;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == cipher)
			s = &suites[i];
	if (s == NULL) {
		count(&t->st.unsupported);
		*why = SD_TLS_KEYLOG_UNSUPPORTED;
		return NULL;
	}
	if (!sd_memcap_take(mc, CTX_CHARGE))
		return NULL;
	if ((c = sd_memcap_calloc(mc, sizeof(*c))) == NULL) {
		sd_memcap_give(mc, CTX_CHARGE);
		return NULL;
	}
	c->s = s;
	c->hs[0] = ks->s[SD_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET];
	c->hs[1] = ks->s[SD_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET];
	c->app[0] = ks->s[SD_KL_CLIENT_TRAFFIC_SECRET_0];
	c->app[1] = ks->s[SD_KL_SERVER_TRAFFIC_SECRET_0];
	for (i = 0; i < 2; i++)
		c->d[i].epoch = UINT32_MAX;
	return c;
}

static void
dec_close(void *ctx, void *state, struct sd_memcap *mc, bool failed)
{
	struct sd_tls13 *t = ctx;
	struct conn *c = state;
	int i;

	if (failed)
		count(&t->st.failed);
	else if (c->ok)
		count(&t->st.decrypted);
	for (i = 0; i < 2; i++)
		EVP_CIPHER_CTX_free(c->d[i].ctx);
	OPENSSL_cleanse(c, sizeof(*c));
	sd_memcap_free(mc, c, sizeof(*c));
	sd_memcap_give(mc, CTX_CHARGE);
}

/* The keys of direction dir for epoch (0 handshake, 1 application, +1 per KeyUpdate). */
static bool
dir_keys(struct sd_tls13 *t, struct conn *c, int dir, unsigned epoch)
{
	struct dir_keys *k = &c->d[dir];
	const struct suite *s = c->s;
	const struct sd_keylog_secret *base;
	uint8_t next[SD_KEYLOG_MAX_SECRET];

	if (k->ready && k->epoch == epoch)
		return true;
	if (epoch <= 1) {
		base = epoch == 0 ? &c->hs[dir] : &c->app[dir];
		if (base->len != s->hash_len)
			return false;	/* not logged, or for another hash */
		memcpy(k->secret, base->b, s->hash_len);
	} else if (!k->ready || epoch != k->epoch + 1) {
		return false;		/* a KeyUpdate we could not follow */
	} else {
		/* application_traffic_secret_N+1 (RFC 8446 §7.2) */
		if (!expand_label(t->hkdf, s->md, k->secret, s->hash_len, "traffic upd", NULL, 0,
		    next, s->hash_len))
			return false;
		memcpy(k->secret, next, s->hash_len);
		OPENSSL_cleanse(next, sizeof(next));
	}
	k->ready = false;
	k->epoch = epoch;
	if (!expand_label(t->hkdf, s->md, k->secret, s->hash_len, "key", NULL, 0, k->key,
	    s->key_len) ||
	    !expand_label(t->hkdf, s->md, k->secret, s->hash_len, "iv", NULL, 0, k->iv, IV_LEN))
		return false;
	if (k->ctx == NULL && (k->ctx = EVP_CIPHER_CTX_new()) == NULL)
		return false;
	if (!s->ccm && (EVP_DecryptInit_ex(k->ctx, s->cipher(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_IVLEN, IV_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(k->ctx, NULL, NULL, k->key, NULL) != 1))
		return false;
	k->ready = true;
	return true;
}

/* AES-CCM wants the tag and the total length before the data (EVP "CCM mode"). */
static bool
open_ccm(struct dir_keys *k, const struct suite *s, const uint8_t nonce[IV_LEN],
    const uint8_t hdr[5], const uint8_t *ct, size_t ctlen, const uint8_t *tag, uint8_t *out)
{
	int outl;

	return EVP_DecryptInit_ex(k->ctx, s->cipher(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_IVLEN, IV_LEN, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len,
		(void *)tag) == 1 &&
	    EVP_DecryptInit_ex(k->ctx, NULL, NULL, k->key, nonce) == 1 &&
	    EVP_DecryptUpdate(k->ctx, NULL, &outl, NULL, (int)ctlen) == 1 &&
	    EVP_DecryptUpdate(k->ctx, NULL, &outl, hdr, 5) == 1 &&
	    EVP_DecryptUpdate(k->ctx, out, &outl, ct, (int)ctlen) == 1;
}

static bool
open_gcm(struct dir_keys *k, const struct suite *s, const uint8_t nonce[IV_LEN],
    const uint8_t hdr[5], const uint8_t *ct, size_t ctlen, const uint8_t *tag, uint8_t *out)
{
	int outl, fin;

	return EVP_DecryptInit_ex(k->ctx, NULL, NULL, NULL, nonce) == 1 &&
	    EVP_DecryptUpdate(k->ctx, NULL, &outl, hdr, 5) == 1 &&
	    EVP_DecryptUpdate(k->ctx, out, &outl, ct, (int)ctlen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(k->ctx, EVP_CTRL_AEAD_SET_TAG, (int)s->tag_len,
		(void *)tag) == 1 &&
	    EVP_DecryptFinal_ex(k->ctx, out + outl, &fin) == 1;
}

static int
dec_record(void *ctx, void *state, int dir, unsigned epoch, uint64_t seq, const uint8_t hdr[5],
    const uint8_t *body, size_t len, uint8_t *out)
{
	struct sd_tls13 *t = ctx;
	struct conn *c = state;
	struct dir_keys *k;
	uint8_t nonce[IV_LEN];
	size_t ctlen, i;
	bool ok;

	dir &= 1;
	if (len < c->s->tag_len || len > (size_t)INT32_MAX || !dir_keys(t, c, dir, epoch))
		return -1;
	k = &c->d[dir];
	ctlen = len - c->s->tag_len;
	/* per-record nonce: the iv XOR the 64-bit sequence number, left-padded (§5.3) */
	memcpy(nonce, k->iv, IV_LEN);
	for (i = 0; i < 8; i++)
		nonce[IV_LEN - 1 - i] ^= (uint8_t)(seq >> (8 * i));
	if (c->s->ccm)
		ok = open_ccm(k, c->s, nonce, hdr, body, ctlen, body + ctlen, out);
	else
		ok = open_gcm(k, c->s, nonce, hdr, body, ctlen, body + ctlen, out);
	if (!ok) {
		OPENSSL_cleanse(out, ctlen);
		return -1;
	}
	c->ok = true;
	return (int)ctlen;
}

struct sd_tls_decrypt_hook
sd_tls13_hook(struct sd_tls13 *t)
{
	struct sd_tls_decrypt_hook h;

	memset(&h, 0, sizeof(h));
	if (t == NULL)
		return h;
	h.open = dec_open;
	h.record = dec_record;
	h.close = dec_close;
	h.ctx = t;
	return h;
}
