/* tests/unit/tls_session_harness.h - a TLS connection fed record by record, with what its
 * emit callback saw copied out (the messages' pointers dangle after the call). */
#ifndef SD_TESTS_UNIT_TLS_SESSION_HARNESS_H
#define SD_TESTS_UNIT_TLS_SESSION_HARNESS_H

#include "dissect/tls.h"
#include "tls_vectors.h"

/* --- what the emit callback saw: scalar copies of each message (pointers dangle) --- */
struct sev {
	enum sd_ev_type	 type;
	int		 dir;
	uint64_t	 frame;
	union {
		struct sd_tls_client_hello ch;
		struct sd_tls_server_hello sh;
		struct sd_tls_certificate cert;
		struct sd_tls_alert alert;
		struct sd_tls_certificate_request cr;
		struct sd_tls_server_key_exchange ske;
		struct sd_tls_encrypted_handshake eh;
		struct sd_tls_session sess;
		struct sd_dtls_hello_verify_request hvr;
	} m;
};

struct srec {
	struct sev	 ev[64];
	int		 n;
};

static inline void
s_emit(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir, const struct sd_tls_pkt *pkt)
{
	struct srec *r = ctx;
	struct sev *e;
	const void *src;
	size_t sz;

	assert_true(r->n < 64);
	e = &r->ev[r->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->dir = dir;
	e->frame = pkt->frame;
	switch (type) {
	case SD_EV_TLS_CLIENT_HELLO: sz = sizeof(e->m.ch); src = msg.client_hello; break;
	case SD_EV_TLS_SERVER_HELLO: sz = sizeof(e->m.sh); src = msg.server_hello; break;
	case SD_EV_TLS_CERTIFICATE: sz = sizeof(e->m.cert); src = msg.certificate; break;
	case SD_EV_TLS_ALERT: sz = sizeof(e->m.alert); src = msg.alert; break;
	case SD_EV_TLS_CERTIFICATE_REQUEST: sz = sizeof(e->m.cr); src = msg.cert_request; break;
	case SD_EV_TLS_SERVER_KEY_EXCHANGE: sz = sizeof(e->m.ske); src = msg.ske; break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE: sz = sizeof(e->m.eh); src = msg.enc_hs; break;
	case SD_EV_TLS_SESSION: sz = sizeof(e->m.sess); src = msg.session; break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST: sz = sizeof(e->m.hvr); src = msg.hvr; break;
	default: sz = 0; src = NULL; break;
	}
	if (sz > 0)
		memcpy(&e->m, src, sz);
}

/* events of one type, and the index-th of them */
static inline int
count(const struct srec *r, enum sd_ev_type t)
{
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += r->ev[i].type == t;
	return n;
}

static inline const struct sev *
nth(const struct srec *r, enum sd_ev_type t, int index)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->ev[i].type == t && index-- == 0)
			return &r->ev[i];
	fail_msg("event %d not found", (int)t);
	return NULL;
}

/* --- builders --- */

static inline void
put32(struct bytes *o, uint32_t v)
{
	put16(o, v >> 16);
	put16(o, v & 0xffff);
}

static inline void
ext(struct bytes *o, unsigned type, const struct bytes *body)
{
	put16(o, type);
	put16(o, (unsigned)body->n);
	put(o, body->b, body->n);
}

/*
 * ClientHello body: TLS 1.2 legacy_version, random 0x11, session id sid[sid_len], suites
 * {0x1301, 0xc02f, 0x009e, 0x00a8}, null compression, then the extension block exts.
 */
static inline void
client_hello(struct bytes *o, const uint8_t *sid, size_t sid_len, const struct bytes *exts)
{
	static const uint8_t suites[] = { 0x13, 0x01, 0xc0, 0x2f, 0x00, 0x9e, 0x00, 0xa8 };
	size_t i;

	put16(o, 0x0303);
	for (i = 0; i < 32; i++)
		put8(o, 0x11);
	put8(o, (unsigned)sid_len);
	put(o, sid, sid_len);
	put16(o, sizeof(suites));
	put(o, suites, sizeof(suites));
	put8(o, 1);
	put8(o, 0);
	put16(o, (unsigned)exts->n);
	put(o, exts->b, exts->n);
}

/* ServerHello body: legacy 1.2, random 0x22, session id, suite, null compression, exts. */
static inline void
server_hello(struct bytes *o, const uint8_t *sid, size_t sid_len, unsigned suite,
    const struct bytes *exts)
{
	size_t i;

	put16(o, 0x0303);
	for (i = 0; i < 32; i++)
		put8(o, 0x22);
	put8(o, (unsigned)sid_len);
	put(o, sid, sid_len);
	put16(o, suite);
	put8(o, 0);
	if (exts != NULL) {
		put16(o, (unsigned)exts->n);
		put(o, exts->b, exts->n);
	}
}

/* A record of one handshake message: type, u24 length, body. */
static inline void
hs_record(struct bytes *o, uint8_t type, const struct bytes *body)
{
	put8(o, SD_TLS_CT_HANDSHAKE);
	put16(o, 0x0303);
	put16(o, (unsigned)body->n + 4);
	put8(o, type);
	put24(o, (unsigned)body->n);
	put(o, body->b, body->n);
}

static inline void
raw_record(struct bytes *o, uint8_t type, size_t len, uint8_t fill)
{
	size_t i;

	put8(o, type);
	put16(o, 0x0303);
	put16(o, (unsigned)len);
	for (i = 0; i < len; i++)
		put8(o, fill);
}

/* Feed whole records of direction dir as one segment at (frame, ms since 0). */
static inline void
feed(struct sd_tls_conn *c, int dir, const struct bytes *b, uint64_t frame, uint32_t ms)
{
	struct sd_tls_pkt pkt = { frame, 1700000000 + ms / 1000, (ms % 1000) * 1000000u };
	size_t consumed;
	uint64_t skip;
	uint8_t *cp = xmemdup(b->b, b->n);	/* exact size for ASan */

	assert_int_not_equal(sd_tls_feed(c, dir, sd_rd_make(cp, b->n), &pkt, &consumed, &skip),
	    SD_MALFORMED);
	assert_int_equal(consumed, b->n);
	assert_int_equal(skip, 0);
	free(cp);
}

/* scratch buffers the tests build messages in (static: 70 kB each) */
static struct bytes e1 __attribute__((unused)), e2 __attribute__((unused));
static struct bytes body __attribute__((unused)), rec __attribute__((unused));

#endif /* SD_TESTS_UNIT_TLS_SESSION_HARNESS_H */
