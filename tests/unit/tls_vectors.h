/* tests/unit/tls_vectors.h - annotated TLS test vectors and an event recorder, shared by
 * test_tls.c and test_dtls.c (header-only, static). */
#ifndef SD_TESTS_TLS_VECTORS_H
#define SD_TESTS_TLS_VECTORS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/tls.h"

/*
 * ClientHello body (after the 4-byte handshake header), TLS 1.3 style, 132 bytes:
 * GREASE cipher and extension, SNI example.com, ALPN h2 + http/1.1,
 * supported_versions {GREASE, 1.3, 1.2}, groups {GREASE, x25519, secp256r1}.
 * JA3 string 771,4865-4866-49199,0-16-43-10-11-13,29-23,0 (Python hashlib md5 below).
 */
static const uint8_t ch_body[] = {
	0x03, 0x03,				/* legacy_version TLS 1.2 */
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,	/* random[32] */
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x00,					/* session_id<0> */
	0x00, 0x08,				/* cipher_suites<8> */
	0x0a, 0x0a,				/*   GREASE */
	0x13, 0x01, 0x13, 0x02,			/*   TLS_AES_128_GCM_SHA256, _256_GCM_SHA384 */
	0xc0, 0x2f,				/*   ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
	0x01, 0x00,				/* compression<1>: null */
	0x00, 0x53,				/* extensions<83> */
	0x0a, 0x0a, 0x00, 0x00,			/*   GREASE, empty */
	0x00, 0x00, 0x00, 0x10,			/*   server_name, 16 */
	0x00, 0x0e, 0x00, 0x00, 0x0b,		/*     list<14>, host_name<11> */
	'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
	0x00, 0x10, 0x00, 0x0e,			/*   ALPN, 14 */
	0x00, 0x0c, 0x02, 'h', '2',		/*     list<12>: "h2" */
	0x08, 'h', 't', 't', 'p', '/', '1', '.', '1',	/* "http/1.1" */
	0x00, 0x2b, 0x00, 0x07,			/*   supported_versions, 7 */
	0x06, 0x1a, 0x1a, 0x03, 0x04, 0x03, 0x03,	/* <6>: GREASE, 1.3, 1.2 */
	0x00, 0x0a, 0x00, 0x08,			/*   supported_groups, 8 */
	0x00, 0x06, 0x2a, 0x2a, 0x00, 0x1d, 0x00, 0x17,	/* GREASE, x25519, secp256r1 */
	0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,	/*   ec_point_formats: uncompressed */
	0x00, 0x0d, 0x00, 0x08,			/*   signature_algorithms, 8 */
	0x00, 0x06, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01,
};
#define CH_JA3	"15afe134ace4a7b3211321dbccda0f39"
/* t, 13 (supported_versions max), d (SNI), 03 ciphers, 06 extensions, h2;
 * sha256("1301,1302,c02f"), sha256("000a,000b,000d,002b_0403,0804,0401") */
#define CH_JA4	"t13d0306h2_40b44b994229_0d385148b956"

/* ServerHello body, TLS 1.3: supported_versions 0x0304, key_share (x25519, 4 fake bytes). */
static const uint8_t sh13_body[] = {
	0x03, 0x03,				/* legacy_version */
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,	/* random[32] */
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x00,					/* session_id<0> */
	0x13, 0x01,				/* cipher_suite */
	0x00,					/* compression */
	0x00, 0x12,				/* extensions<18> */
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,	/*   supported_versions: TLS 1.3 */
	0x00, 0x33, 0x00, 0x08,			/*   key_share, 8 */
	0x00, 0x1d, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef,
};
#define SH13_JA3S	"f4febc55ea12b31ae17cfb7e614afda8"	/* md5("771,4865,43-51") */

/* HelloRetryRequest: a ServerHello whose random is SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_body[] = {
	0x03, 0x03,
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,	/* the HRR random (RFC 8446 4.1.3) */
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
	0x00, 0x13, 0x02, 0x00,			/* session_id<0>, suite 0x1302, compression */
	0x00, 0x0c,				/* extensions<12> */
	0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,	/*   supported_versions: TLS 1.3 */
	0x00, 0x33, 0x00, 0x02, 0x00, 0x17,	/*   key_share: selected_group secp256r1 */
};

/* --- what the emit callback saw (messages are borrowed: copy the facts) --- */
struct rec_ev {
	enum sd_ev_type	 type;
	int		 dir;
	uint64_t	 frame;
	char		 ja3[33], ja4[40], sni[64];
	uint16_t	 legacy_version, version, cipher;
	size_t		 nciphers, nexts;
	bool		 dtls, hello_retry, encrypted, sslv2, has_sni, retransmit;
	uint8_t		 level, description;
	size_t		 cookie_len;
	uint32_t	 certs;
};

struct recorder {
	struct rec_ev	 ev[32];
	int		 n;
};

static size_t
count_exts(struct sd_rd e)
{
	struct sd_rd body;
	uint16_t t;
	size_t n = 0;

	while (sd_rd_be16(&e, &t) && sd_rd_vec16(&e, &body))
		n++;
	return n;
}

static void
rec_emit(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir, const struct sd_tls_pkt *pkt)
{
	struct recorder *r = ctx;
	struct rec_ev *e;

	if (r->n >= 32)
		return;
	e = &r->ev[r->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->dir = dir;
	e->frame = pkt->frame;
	switch (type) {
	case SD_EV_TLS_CLIENT_HELLO: {
		const struct sd_tls_client_hello *ch = msg.client_hello;

		sd_tls_hello_fingerprints(ch, e->ja3, e->ja4);
		e->has_sni = ch->has_sni;
		if (ch->has_sni && ch->sni.len < sizeof(e->sni))
			memcpy(e->sni, ch->sni.p, ch->sni.len);
		e->legacy_version = ch->legacy_version;
		e->nciphers = ch->ciphers.len / ch->cipher_width;
		e->nexts = count_exts(ch->extensions);
		e->dtls = ch->dtls;
		e->sslv2 = (ch->flags & SD_TLS_HELLO_SSLV2) != 0;
		e->retransmit = ch->retransmit;
		e->cookie_len = ch->cookie.len;
		break;
	}
	case SD_EV_TLS_SERVER_HELLO: {
		const struct sd_tls_server_hello *sh = msg.server_hello;

		sd_tls_server_fingerprint(sh, e->ja3);
		e->legacy_version = sh->legacy_version;
		e->version = sh->version;
		e->cipher = sh->cipher;
		e->hello_retry = sh->hello_retry;
		e->dtls = sh->dtls;
		e->nexts = count_exts(sh->extensions);
		e->retransmit = sh->retransmit;
		break;
	}
	case SD_EV_TLS_ALERT: {
		const struct sd_tls_alert *a = msg.alert;

		e->encrypted = a->encrypted;
		e->level = a->level;
		e->description = a->description;
		e->dtls = a->dtls;
		break;
	}
	case SD_EV_TLS_CERTIFICATE:
		e->certs = msg.certificate->count;
		break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		e->cookie_len = msg.hvr->cookie.len;
		break;
	default:
		break;
	}
}

/* A growable byte string for building records in tests. */
struct bytes {
	uint8_t		 b[70000];
	size_t		 n;
};

static void
put(struct bytes *o, const void *p, size_t n)
{
	if (n > 0)
		memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void
put8(struct bytes *o, unsigned v)
{
	o->b[o->n++] = (uint8_t)v;
}

static void
put16(struct bytes *o, unsigned v)
{
	put8(o, v >> 8);
	put8(o, v & 0xff);
}

static void
put24(struct bytes *o, unsigned v)
{
	put8(o, v >> 16);
	put16(o, v & 0xffff);
}

static uint8_t *
xmemdup(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (c != NULL && n > 0)
		memcpy(c, p, n);
	return c;
}

#endif /* SD_TESTS_TLS_VECTORS_H */
