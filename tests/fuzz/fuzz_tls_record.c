/*
 * tests/fuzz/fuzz_tls_record.c - the TLS record layer as TCP feeds it (sd_tls_feed).
 *
 * Input: hdr[0] bit 0 memcap limit 8 KiB (else unlimited), bit 2 TLS 1.3 records "decrypted"
 * by a stand-in hook (the plaintext is the record body itself, a body starting with 0xff
 * fails authentication), so the decrypted handshake and alert paths see any bytes; then chunks until the bytes run
 * out: u8 ctl (bit 0 direction, bit 1 sd_tls_gap before this chunk), be16 length, data.
 * Each chunk is appended to its direction's pending bytes, which are fed in an exact-size
 * copy; consumed and skip are honoured as the TCP layer would.  Checked: consumed never
 * exceeds the input, the memcap is never passed and is back to 0 after sd_tls_conn_free.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/tls.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/tls_touch.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

/* The stand-in decryption hook: state charged to the memcap like adapt/tls13.c's. */
static void *
fake_open(void *ctx, struct sd_memcap *mc, const uint8_t random[32], uint16_t cipher,
    uint8_t *why)
{
	(void)ctx;
	(void)cipher;
	*why = SD_TLS_KEYLOG_NO_KEYS;
	return random[0] == 0xee ? NULL : sd_memcap_calloc(mc, 64);
}

static int
fake_record(void *ctx, void *state, int dir, unsigned epoch, uint64_t seq, const uint8_t hdr[5],
    const uint8_t *body, size_t len, uint8_t *out)
{
	(void)ctx;
	(void)state;
	(void)dir;
	(void)epoch;
	(void)seq;
	(void)hdr;
	if (len == 0 || body[0] == 0xff)
		return -1;
	memcpy(out, body, len);
	return (int)len;
}

static void
fake_close(void *ctx, void *state, struct sd_memcap *mc, bool failed)
{
	(void)ctx;
	(void)failed;
	sd_memcap_free(mc, state, 64);
}

static const struct sd_tls_decrypt_hook fake_hook = { fake_open, fake_record, fake_close, NULL };

struct side {
	uint8_t		*buf;
	size_t		 len;
	uint64_t	 skip;
};

static void
feed(struct sd_tls_conn *c, int dir, struct side *s, const uint8_t *p, size_t n, uint64_t frame)
{
	struct sd_tls_pkt pkt = { frame, 0, 0 };
	size_t take, consumed;
	uint64_t skip;
	uint8_t *cp, *nb;

	take = s->skip < n ? (size_t)s->skip : n;	/* skipped bytes never arrive */
	s->skip -= take;
	p += take;
	n -= take;
	if (n == 0)
		return;
	if ((nb = realloc(s->buf, s->len + n)) == NULL)
		abort();
	s->buf = nb;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	if ((cp = malloc(s->len)) == NULL)
		abort();
	memcpy(cp, s->buf, s->len);
	(void)sd_tls_feed(c, dir, sd_rd_make(cp, s->len), &pkt, &consumed, &skip);
	free(cp);
	CHECK(consumed <= s->len);
	memmove(s->buf, s->buf + consumed, s->len - consumed);
	s->len -= consumed;
	take = skip < s->len ? (size_t)skip : s->len;
	memmove(s->buf, s->buf + take, s->len - take);
	s->len -= take;
	s->skip = skip - take;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_rd in = sd_rd_make(data, size), chunk;
	struct sd_memcap mc = { 0, 0, 0, 0 };
	struct side side[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	struct sd_tls_conn *c;
	uint8_t hdr, ctl;
	uint16_t len;
	uint64_t frame = 0;

	if (!sd_rd_u8(&in, &hdr))
		return 0;
	if (hdr & 1)
		mc.limit = 8192;
	(void)sd_tls_probe(in, false);
	{
		size_t off;

		(void)sd_tls_find_hello(in, SD_TLS_HS_CLIENT_HELLO, &off);
		CHECK(off <= in.len);
	}
	if ((c = sd_tls_conn_new(&mc, false, touch_emit, NULL)) == NULL)
		return 0;
	if (hdr & 4)
		sd_tls_conn_set_decrypt(c, &fake_hook);
	while (sd_rd_u8(&in, &ctl) && sd_rd_be16(&in, &len)) {
		if (!sd_rd_sub(&in, len, &chunk))
			chunk = in;	/* the rest */
		if (ctl & 2)
			sd_tls_gap(c, ctl & 1);
		feed(c, ctl & 1, &side[ctl & 1], chunk.p, chunk.len, ++frame);
		CHECK(mc.limit == 0 || mc.used <= mc.limit);
		(void)sd_tls_conn_done(c);
	}
	sd_tls_conn_end(c, NULL);	/* tls.session over whatever state the input left */
	sd_tls_conn_free(c);
	CHECK(mc.used == 0);
	free(side[0].buf);
	free(side[1].buf);
	return 0;
}
