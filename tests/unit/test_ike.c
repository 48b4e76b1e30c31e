/* tests/unit/test_ike.c - IKEv1/IKEv2 messages, NAT-T, IKEv1 initiator state (dissect/ike*.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/helpers.h"

#include "dissect/ike.h"
#include "dissect/ike_names.h"
#include "dissect/ike_tcp.h"

#define X4(b)	b, b, b, b
#define X8(b)	X4(b), X4(b)
#define X16(b)	X8(b), X8(b)
#define X20(b)	X16(b), X4(b)

/*
 * IKEv2 IKE_SA_INIT request (RFC 7296 §1.2): SA with two proposals, KE, Nonce,
 * N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), V(strongSwan).
 */
static const uint8_t v2_sa_init[] = {
	0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,	/* initiator SPI */
	X8(0x00),				/* responder SPI: 0 in the first message */
	33,					/* next payload: SA */
	0x20,					/* version 2.0 */
	34,					/* exchange: IKE_SA_INIT */
	0x08,					/* flags: Initiator */
	0x00, 0x00, 0x00, 0x00,			/* message id 0 */
	0x00, 0x00, 0x00, 0xe0,			/* length 224 */
	/* SA payload: next KE, length 84 */
	34, 0x00, 0x00, 84,
	/* proposal 1 (more follow), length 44: #1, IKE, SPI size 0, 4 transforms */
	2, 0x00, 0x00, 44, 1, 1, 0, 4,
	3, 0, 0, 12, 1, 0, 0x00, 12, 0x80, 0x0e, 0x01, 0x00,	/* ENCR_AES_CBC, key 256 */
	3, 0, 0, 8, 2, 0, 0x00, 5,				/* PRF_HMAC_SHA2_256 */
	3, 0, 0, 8, 3, 0, 0x00, 12,				/* AUTH_HMAC_SHA2_256_128 */
	0, 0, 0, 8, 4, 0, 0x00, 14,				/* DH group 14 (last) */
	/* proposal 2 (last), length 36: #2, IKE, SPI size 0, 3 transforms */
	0, 0x00, 0x00, 36, 2, 1, 0, 3,
	3, 0, 0, 12, 1, 0, 0x00, 20, 0x80, 0x0e, 0x01, 0x00,	/* ENCR_AES_GCM_16, key 256 */
	3, 0, 0, 8, 2, 0, 0x00, 5,				/* PRF_HMAC_SHA2_256 */
	0, 0, 0, 8, 4, 0, 0x00, 19,				/* DH group 19 (last) */
	/* KE: next Nonce, length 16, group 14, reserved, 8 bytes of data */
	40, 0x00, 0x00, 16, 0x00, 14, 0x00, 0x00, X8(0xab),
	/* Nonce: next Notify, length 20, 16 bytes */
	41, 0x00, 0x00, 20, X16(0xcd),
	/* N(NAT_DETECTION_SOURCE_IP = 16388): next Notify, length 28 */
	41, 0x00, 0x00, 28, 0, 0, 0x40, 0x04, X20(0x01),
	/* N(NAT_DETECTION_DESTINATION_IP = 16389): next VID, length 28 */
	43, 0x00, 0x00, 28, 0, 0, 0x40, 0x05, X20(0x02),
	/* V: last, length 20: MD5("strongSwan") */
	0, 0x00, 0x00, 20,
	0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc,
	0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb,
};

static void
test_v2_sa_init(void **state)
{
	static const uint8_t ispi[8] = { 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18 };
	static const uint8_t zero[8];
	static const uint8_t want_p[] = { 33, 34, 40, 41, 41, 43 };
	static const uint8_t want_tf[][2] = { { 1, 12 }, { 2, 5 }, { 3, 12 }, { 4, 14 },
		{ 1, 20 }, { 2, 5 }, { 4, 19 } };
	struct sd_ike_msg m;
	size_t i;

	(void)state;
	assert_int_equal(sizeof(v2_sa_init), 224);
	assert_int_equal(sd_ike_parse(sd_rd_make(v2_sa_init, sizeof(v2_sa_init)), false, &m),
	    SD_OK);
	assert_true(m.header_ok);
	assert_int_equal(m.version, 2);
	assert_int_equal(m.exchange, SD_IKE_X_SA_INIT);
	assert_memory_equal(m.ispi, ispi, 8);
	assert_memory_equal(m.rspi, zero, 8);
	assert_int_equal(m.message_id, 0);
	assert_true(m.initiator);
	assert_false(m.response);
	assert_false(m.encrypted);
	assert_false(m.nat_t);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.npayloads, sizeof(want_p));
	assert_memory_equal(m.payloads, want_p, sizeof(want_p));
	assert_int_equal(m.nproposals, 2);
	assert_int_equal(m.proposals[0].ntransforms, 4);
	assert_int_equal(m.proposals[1].number, 2);
	assert_int_equal(m.ntransforms, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(m.transforms[i].type, want_tf[i][0]);
		assert_int_equal(m.transforms[i].id, want_tf[i][1]);
		assert_int_equal(m.transforms[i].proposal, i < 4 ? 1 : 2);
	}
	assert_int_equal(m.transforms[0].key_len, 256);
	assert_int_equal(m.transforms[4].key_len, 256);
	assert_int_equal(m.transforms[1].key_len, 0);
	assert_true(m.has_ke);
	assert_int_equal(m.ke_group, 14);
	assert_int_equal(m.ke_len, 8);
	assert_true(m.has_nonce);
	assert_int_equal(m.nonce_len, 16);
	assert_int_equal(m.nnotify, 2);
	assert_int_equal(m.notify[0].type, SD_IKE_N_NAT_DETECTION_SOURCE_IP);
	assert_int_equal(m.notify[1].type, SD_IKE_N_NAT_DETECTION_DESTINATION_IP);
	assert_int_equal(sd_rd_left(&m.notify[1].data), 20);
	assert_int_equal(m.notify[1].data.p[0], 0x02);
	assert_int_equal(m.nvid, 1);
	assert_int_equal(sd_rd_left(&m.vid[0]), 16);
	assert_string_equal(sd_ike_vid_name(m.vid[0].p, m.vid[0].len), "strongSwan");
	assert_false(m.has_fragment);
	assert_string_equal(sd_ike_exchange_name(2, m.exchange), "IKE_SA_INIT");
	assert_string_equal(sd_ike_notify_name(2, m.notify[0].type), "NAT_DETECTION_SOURCE_IP");
	assert_string_equal(sd_ike_transform_id_name(4, 14), "2048 bit MODP group");
}

/* Every prefix in an exact-size heap copy: the header needs 28 bytes, the rest is cut. */
static void
check_prefixes(const uint8_t *v, size_t len, enum sd_rc full)
{
	struct sd_ike_msg m;
	size_t n;

	for (n = 0; n <= len; n++) {
		uint8_t *cp = dup_exact(v, n);
		enum sd_rc rc = sd_ike_parse(sd_rd_make(cp, n), false, &m);

		if (n < SD_IKE_HDR_LEN) {
			assert_int_equal(rc, SD_TRUNCATED);
			assert_false(m.header_ok);
		} else if (n < len) {
			assert_int_equal(rc, SD_TRUNCATED);
			assert_true(m.header_ok);
			assert_true(m.flags & SD_IKE_F_TRUNCATED);
		} else {
			assert_int_equal(rc, full);
		}
		free(cp);
	}
}

/* Every single-bit flip must parse to some result without reading out of bounds. */
static void
check_bitflips(const uint8_t *v, size_t len)
{
	struct sd_ike_msg m;
	struct sd_ike_state st;
	size_t i;
	int b;

	sd_ike_state_init(&st, NULL);
	for (i = 0; i < len; i++) {
		for (b = 0; b < 8; b++) {
			uint8_t *cp = dup_exact(v, len);

			cp[i] ^= (uint8_t)(1u << b);
			(void)sd_ike_parse(sd_rd_make(cp, len), false, &m);
			sd_ike_state_update(&st, &m, b & 1);
			assert_true(m.npayloads <= SD_IKE_MAX_PAYLOADS);
			assert_true(m.ntransforms <= SD_IKE_MAX_TRANSFORMS);
			free(cp);
		}
	}
	sd_ike_state_free(&st);
}

static void
test_v2_sa_init_cut_and_flipped(void **state)
{
	(void)state;
	check_prefixes(v2_sa_init, sizeof(v2_sa_init), SD_OK);
	check_bitflips(v2_sa_init, sizeof(v2_sa_init));
}

/* IKEv2 IKE_AUTH response protected by SK: only the header and the SK header are clear. */
static const uint8_t v2_sk[] = {
	X8(0x11), X8(0x22),
	46, 0x20, 35, 0x20,			/* SK, v2, IKE_AUTH, flags Response */
	0x00, 0x00, 0x00, 0x01,			/* message id 1 */
	0x00, 0x00, 0x00, 52,			/* length 52 */
	36, 0x00, 0x00, 24,			/* SK: inner first payload IDr, length 24 */
	X20(0x5a),				/* IV, ciphertext, ICV */
};

/* IKE_SA_INIT response with two CERTREQ payloads: the first one's CA data is kept. */
static void
test_v2_certreq(void **state)
{
	static const uint8_t v[] = {
		X8(0x21), X8(0x22),			/* SPIs */
		38, 0x20, 34, 0x20,			/* CERTREQ, 2.0, IKE_SA_INIT, Response */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 98,
		/* CERTREQ: next CERTREQ, length 45, X.509 signature, two SHA-1 key hashes */
		38, 0x00, 0x00, 45, 4, X20(0xaa), X20(0xbb),
		/* CERTREQ (last), length 25, encoding 13 */
		0, 0x00, 0x00, 25, 13, X20(0xcc),
	};
	struct sd_ike_msg m;
	struct sd_rd r;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(sizeof(v), 98);
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_OK);
	assert_int_equal(m.ncertreqs, 2);
	assert_int_equal(m.certreq_encoding, 4);
	assert_int_equal(sd_rd_left(&m.certreq), 40);
	r = m.certreq;
	assert_true(sd_rd_u8(&r, &b));
	assert_int_equal(b, 0xaa);
	assert_true(sd_rd_skip(&r, 19) && sd_rd_u8(&r, &b));
	assert_int_equal(b, 0xbb);
}

static void
test_v2_sk(void **state)
{
	struct sd_ike_msg m;

	(void)state;
	assert_int_equal(sd_ike_parse(sd_rd_make(v2_sk, sizeof(v2_sk)), false, &m), SD_OK);
	assert_true(m.encrypted);
	assert_true(m.response);
	assert_false(m.initiator);
	assert_int_equal(m.message_id, 1);
	assert_int_equal(m.npayloads, 1);
	assert_int_equal(m.payloads[0], SD_IKE_P_SK);
	assert_int_equal(m.sk_inner, SD_IKE_P_IDR);
	assert_int_equal(m.sk_len, 20);
	assert_false(m.has_fragment);
	check_prefixes(v2_sk, sizeof(v2_sk), SD_OK);
}

/* IKEv2 SKF (RFC 7383): fragment 1 of 3 names the inner payload, fragment 2 does not. */
static const uint8_t v2_skf1[] = {
	X8(0x11), X8(0x22),
	53, 0x20, 35, 0x08,			/* SKF, v2, IKE_AUTH, Initiator */
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 44,			/* length 44 */
	35, 0x00, 0x00, 16,			/* SKF: inner IDi, length 16 */
	0x00, 0x01, 0x00, 0x03,			/* fragment 1 of 3 */
	X8(0x77),
};

static void
test_v2_skf(void **state)
{
	struct sd_ike_msg m;
	uint8_t v[sizeof(v2_skf1)];

	(void)state;
	assert_int_equal(sd_ike_parse(sd_rd_make(v2_skf1, sizeof(v2_skf1)), false, &m), SD_OK);
	assert_true(m.encrypted);
	assert_true(m.has_fragment);
	assert_int_equal(m.frag_number, 1);
	assert_int_equal(m.frag_total, 3);
	assert_int_equal(m.sk_inner, SD_IKE_P_IDI);
	assert_int_equal(m.payloads[0], SD_IKE_P_SKF);
	assert_int_equal(m.flags, 0);
	check_prefixes(v2_skf1, sizeof(v2_skf1), SD_OK);

	memcpy(v, v2_skf1, sizeof(v));
	v[28] = 0;				/* fragment 2: next payload must be 0 */
	v[33] = 2;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_OK);
	assert_int_equal(m.frag_number, 2);
	assert_int_equal(m.flags & SD_IKE_F_BAD_FRAGMENT, 0);
	v[33] = 4;				/* fragment 4 of 3 */
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_OK);
	assert_true(m.flags & SD_IKE_F_BAD_FRAGMENT);
}

/* IKEv1 Main Mode message 1: SA (two transforms with attributes), VID RFC 3947, VID DPD. */
static const uint8_t v1_mm1[] = {
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,	/* initiator cookie */
	X8(0x00),				/* responder cookie */
	1, 0x10, 2, 0x00,			/* SA, v1.0, Main Mode, no flags */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 152,			/* length 152 */
	/* SA: next VID, length 84, DOI IPsec, situation identity only */
	13, 0x00, 0x00, 84, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	/* proposal: last, length 72, #1, ISAKMP, SPI size 0, 2 transforms */
	0, 0x00, 0x00, 72, 1, 1, 0, 2,
	/* transform #1 KEY_IKE, length 40 */
	3, 0x00, 0x00, 40, 1, 1, 0x00, 0x00,
	0x80, 0x01, 0x00, 0x07,			/* encryption AES-CBC */
	0x80, 0x0e, 0x01, 0x00,			/* key length 256 */
	0x80, 0x02, 0x00, 0x02,			/* hash SHA */
	0x80, 0x03, 0x00, 0x01,			/* auth pre-shared key */
	0x80, 0x04, 0x00, 0x0e,			/* group 14 */
	0x80, 0x0b, 0x00, 0x01,			/* life type seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80,	/* life duration 28800 (TLV) */
	/* transform #2 KEY_IKE, length 24 (last) */
	0, 0x00, 0x00, 24, 2, 1, 0x00, 0x00,
	0x80, 0x01, 0x00, 0x05,			/* 3DES */
	0x80, 0x02, 0x00, 0x01,			/* MD5 */
	0x80, 0x03, 0x00, 0x01,			/* PSK */
	0x80, 0x04, 0x00, 0x02,			/* group 2 */
	/* VID: next VID, MD5("RFC 3947") */
	13, 0x00, 0x00, 20,
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
	/* VID: last, RFC 3706 DPD 1.0 */
	0, 0x00, 0x00, 20,
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

static void
test_v1_main_mode(void **state)
{
	static const uint8_t want_p[] = { 1, 13, 13 };
	struct sd_ike_msg m;

	(void)state;
	assert_int_equal(sizeof(v1_mm1), 152);
	assert_int_equal(sd_ike_parse(sd_rd_make(v1_mm1, sizeof(v1_mm1)), false, &m), SD_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.exchange, SD_IKE_X_V1_MAIN);
	assert_false(m.encrypted);
	assert_false(m.response);
	assert_int_equal(m.npayloads, 3);
	assert_memory_equal(m.payloads, want_p, 3);
	assert_int_equal(m.sa_doi, 1);
	assert_int_equal(m.nproposals, 1);
	assert_int_equal(m.ntransforms, 2);
	assert_int_equal(m.transforms[0].type, 1);	/* [1, transform id] */
	assert_int_equal(m.transforms[0].id, 1);	/* KEY_IKE */
	assert_int_equal(m.transforms[0].number, 1);
	assert_int_equal(m.transforms[0].v1_enc, 7);
	assert_int_equal(m.transforms[0].key_len, 256);
	assert_int_equal(m.transforms[0].v1_hash, 2);
	assert_int_equal(m.transforms[0].v1_auth, 1);
	assert_int_equal(m.transforms[0].v1_group, 14);
	assert_int_equal(m.transforms[0].life_sec, 28800);
	assert_int_equal(m.transforms[0].life_kb, 0);
	assert_int_equal(m.transforms[1].number, 2);
	assert_int_equal(m.transforms[1].v1_enc, 5);
	assert_int_equal(m.transforms[1].v1_group, 2);
	assert_int_equal(m.transforms[1].life_sec, 0);
	assert_int_equal(m.nvid, 2);
	assert_string_equal(sd_ike_vid_name(m.vid[0].p, m.vid[0].len), "RFC 3947 NAT-T");
	assert_string_equal(sd_ike_vid_name(m.vid[1].p, m.vid[1].len), "RFC 3706 DPD");
	assert_string_equal(sd_ike_v1_enc_name(7), "AES-CBC");
	check_prefixes(v1_mm1, sizeof(v1_mm1), SD_OK);
	check_bitflips(v1_mm1, sizeof(v1_mm1));
}

/* IKEv1 Quick Mode with the encryption flag: no payload is in clear. */
static const uint8_t v1_qm_enc[] = {
	X8(0xa1), X8(0xb2),
	8, 0x10, 32, 0x01,			/* Hash (encrypted), v1, Quick Mode, E flag */
	0xde, 0xad, 0xbe, 0xef,			/* message id */
	0x00, 0x00, 0x00, 44,
	X16(0x3c),				/* ciphertext */
};

static void
test_v1_encrypted(void **state)
{
	struct sd_ike_msg m;

	(void)state;
	assert_int_equal(sd_ike_parse(sd_rd_make(v1_qm_enc, sizeof(v1_qm_enc)), false, &m),
	    SD_OK);
	assert_true(m.encrypted);
	assert_int_equal(m.exchange, SD_IKE_X_V1_QUICK);
	assert_int_equal(m.message_id, 0xdeadbeef);
	assert_int_equal(m.first_payload, 8);
	assert_int_equal(m.npayloads, 0);
	check_prefixes(v1_qm_enc, sizeof(v1_qm_enc), SD_OK);
}

/* IKEv1 Informational with R-U-THERE (RFC 3706) and a Delete. */
static const uint8_t v1_info[] = {
	X8(0xa1), X8(0xb2),
	11, 0x10, 5, 0x00,			/* Notify, v1, Informational */
	0x01, 0x02, 0x03, 0x04,
	0x00, 0x00, 0x00, 84,
	/* N: next Delete, length 32, DOI 1, ISAKMP, SPI size 16, R-U-THERE, seq 4 bytes */
	12, 0x00, 0x00, 32, 0, 0, 0, 1, 1, 16, 0x8d, 0x28, X8(0xa1), X8(0xb2),
	0x00, 0x00, 0x00, 0x07,
	/* D: last, length 24, DOI 1, ESP, SPI size 4, 2 SPIs */
	0, 0x00, 0x00, 20, 0, 0, 0, 1, 3, 4, 0x00, 0x02,
	0xc0, 0x01, 0x02, 0x03, 0xc0, 0x04, 0x05, 0x06,
	X4(0x00),				/* 4 bytes after the last payload */
};

static void
test_v1_informational(void **state)
{
	struct sd_ike_msg m;

	(void)state;
	assert_int_equal(sizeof(v1_info), 84);
	assert_int_equal(sd_ike_parse(sd_rd_make(v1_info, sizeof(v1_info)), false, &m), SD_OK);
	assert_int_equal(m.nnotify, 1);
	assert_int_equal(m.notify[0].type, SD_IKE_N_V1_R_U_THERE);
	assert_int_equal(m.notify[0].doi, 1);
	assert_int_equal(m.notify[0].spi_size, 16);
	assert_int_equal(sd_rd_left(&m.notify[0].data), 4);
	assert_int_equal(m.ndeletes, 1);
	assert_int_equal(m.deletes[0].protocol, 3);
	assert_int_equal(m.deletes[0].nspi, 2);
	assert_int_equal(sd_rd_left(&m.deletes[0].spis), 8);
	assert_true(m.flags & SD_IKE_F_TRAILING);
	assert_string_equal(sd_ike_notify_name(1, m.notify[0].type), "R-U-THERE");
}

/* NAT-T on UDP 4500: non-ESP marker + IKE, ESP, keepalive; content checks elsewhere. */
static void
test_natt_classify(void **state)
{
	uint8_t buf[4 + sizeof(v2_sk)];
	static const uint8_t keepalive[] = { 0xff };
	static const uint8_t esp[] = { 0xc0, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x01, 0xee };
	static const uint8_t zeros[] = { 0, 0, 0, 0, 1, 2, 3 };
	struct sd_ike_msg m;

	(void)state;
	memset(buf, 0, 4);
	memcpy(buf + 4, v2_sk, sizeof(v2_sk));
	assert_int_equal(sd_ike_classify(sd_rd_make(buf, sizeof(buf)), 4500, 4500),
	    SD_IKE_UDP_IKE_NATT);
	assert_int_equal(sd_ike_classify(sd_rd_make(buf, sizeof(buf)), 61000, 4500),
	    SD_IKE_UDP_IKE_NATT);
	assert_int_equal(sd_ike_parse_udp(sd_rd_make(buf, sizeof(buf)), 4500, 61000, &m), SD_OK);
	assert_true(m.nat_t);
	assert_true(m.encrypted);
	assert_int_equal(m.message_id, 1);
	assert_int_equal(sd_ike_probe(sd_rd_make(buf, sizeof(buf)), 4500, 4500), SD_OK);
	/* the same bytes on port 500: the marker is no IKE header */
	assert_int_equal(sd_ike_classify(sd_rd_make(buf, sizeof(buf)), 500, 500),
	    SD_IKE_UDP_OTHER);
	assert_int_equal(sd_ike_classify(sd_rd_make(v2_sk, sizeof(v2_sk)), 500, 500),
	    SD_IKE_UDP_IKE);
	/* IKE on 4500 without the marker reads as ESP with SPI 0x11111111 */
	assert_int_equal(sd_ike_classify(sd_rd_make(v2_sk, sizeof(v2_sk)), 4500, 4500),
	    SD_IKE_UDP_ESP);
	assert_int_equal(sd_ike_classify(sd_rd_make(esp, sizeof(esp)), 4500, 4500),
	    SD_IKE_UDP_ESP);
	assert_int_equal(sd_ike_probe(sd_rd_make(esp, sizeof(esp)), 4500, 4500),
	    SD_UNSUPPORTED);
	assert_int_equal(sd_ike_classify(sd_rd_make(keepalive, 1), 4500, 4500),
	    SD_IKE_UDP_KEEPALIVE);
	assert_int_equal(sd_ike_classify(sd_rd_make(keepalive, 1), 500, 500),
	    SD_IKE_UDP_OTHER);
	assert_int_equal(sd_ike_classify(sd_rd_make(zeros, sizeof(zeros)), 4500, 4500),
	    SD_IKE_UDP_OTHER);
	assert_int_equal(sd_ike_classify(sd_rd_make(NULL, 0), 4500, 4500), SD_IKE_UDP_OTHER);
	assert_int_equal(sd_ike_parse_udp(sd_rd_make(esp, sizeof(esp)), 4500, 4500, &m),
	    SD_UNSUPPORTED);
	assert_false(m.header_ok);
}

/* Off ports 500/4500, only a strict header counts: exact length, known exchange. */
static void
test_strict_other_port(void **state)
{
	uint8_t v[sizeof(v2_sk) + 1];

	(void)state;
	assert_int_equal(sd_ike_classify(sd_rd_make(v2_sk, sizeof(v2_sk)), 40000, 7000),
	    SD_IKE_UDP_IKE);
	memcpy(v, v2_sk, sizeof(v2_sk));
	v[sizeof(v2_sk)] = 0;
	assert_int_equal(sd_ike_classify(sd_rd_make(v, sizeof(v)), 40000, 7000),
	    SD_IKE_UDP_OTHER);		/* length field != datagram */
	assert_int_equal(sd_ike_classify(sd_rd_make(v, sizeof(v)), 40000, 500),
	    SD_IKE_UDP_IKE);		/* port 500 takes a trailing byte */
	memcpy(v, v2_sk, sizeof(v2_sk));
	v[18] = 99;			/* unknown exchange */
	assert_int_equal(sd_ike_classify(sd_rd_make(v, sizeof(v2_sk)), 40000, 7000),
	    SD_IKE_UDP_OTHER);
	v[18] = 35;
	v[17] = 0x30;			/* version 3 */
	assert_int_equal(sd_ike_classify(sd_rd_make(v, sizeof(v2_sk)), 500, 500),
	    SD_IKE_UDP_OTHER);
}

/*
 * A chain whose next-payload fields point onwards forever (tcpdump isakmp-pointer-loop):
 * every 4-byte VID header names another VID.  The walk must end with the bytes.
 */
static void
test_payload_chain_loop(void **state)
{
	enum { NHDR = 200 };
	uint8_t *v = calloc(1, SD_IKE_HDR_LEN + NHDR * 4);
	struct sd_ike_msg m;
	size_t i, len = SD_IKE_HDR_LEN + NHDR * 4;

	(void)state;
	assert_non_null(v);
	v[16] = 43;			/* VID */
	v[17] = 0x20;
	v[18] = 37;			/* INFORMATIONAL */
	v[24] = (uint8_t)(len >> 24);
	v[25] = (uint8_t)(len >> 16);
	v[26] = (uint8_t)(len >> 8);
	v[27] = (uint8_t)len;
	for (i = 0; i < NHDR; i++) {
		v[SD_IKE_HDR_LEN + i * 4] = 43;	/* next: VID, again */
		v[SD_IKE_HDR_LEN + i * 4 + 3] = 4;	/* length 4: empty body */
	}
	assert_int_equal(sd_ike_parse(sd_rd_make(v, len), false, &m), SD_MALFORMED);
	assert_int_equal(m.npayloads_total, NHDR);
	assert_int_equal(m.npayloads, SD_IKE_MAX_PAYLOADS);
	assert_true(m.flags & SD_IKE_F_TOO_MANY);
	assert_true(m.flags & SD_IKE_F_BAD_PAYLOAD_LEN);

	/* payload length 0 pointing at itself: stops at once */
	v[SD_IKE_HDR_LEN + 3] = 0;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, len), false, &m), SD_MALFORMED);
	assert_int_equal(m.npayloads_total, 1);
	free(v);
}

/* IKEv1 "initiator": the side that sent the first message of each exchange. */
static void
test_v1_initiator_state(void **state)
{
	struct sd_ike_state st;
	struct sd_ike_msg m;
	uint8_t v[sizeof(v1_mm1)];

	(void)state;
	sd_ike_state_init(&st, NULL);
	/* MM1 from direction 0 (responder cookie 0) */
	assert_int_equal(sd_ike_parse(sd_rd_make(v1_mm1, sizeof(v1_mm1)), false, &m), SD_OK);
	sd_ike_state_update(&st, &m, 0);
	assert_true(m.initiator);
	/* MM2 from direction 1: responder cookie now set */
	memcpy(v, v1_mm1, sizeof(v));
	memset(v + 8, 0xbb, 8);
	(void)sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m);
	sd_ike_state_update(&st, &m, 1);
	assert_false(m.initiator);
	/* MM3 from direction 0 again */
	(void)sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m);
	sd_ike_state_update(&st, &m, 0);
	assert_true(m.initiator);
	/* Quick Mode started by direction 1 (a rekey by the responder), answered by 0 */
	(void)sd_ike_parse(sd_rd_make(v1_qm_enc, sizeof(v1_qm_enc)), false, &m);
	sd_ike_state_update(&st, &m, 1);
	assert_true(m.initiator);
	(void)sd_ike_parse(sd_rd_make(v1_qm_enc, sizeof(v1_qm_enc)), false, &m);
	sd_ike_state_update(&st, &m, 0);
	assert_false(m.initiator);
	/* an Informational (msg id 0) sent first by the phase 1 responder: it initiates it */
	memcpy(v, v1_info, sizeof(v1_info));
	memcpy(v, v1_mm1, 8);			/* same ISAKMP SA as the Main Mode */
	memset(v + 8, 0xbb, 8);
	memset(v + 20, 0, 4);
	(void)sd_ike_parse(sd_rd_make(v, sizeof(v1_info)), false, &m);
	assert_int_equal(m.exchange, SD_IKE_X_V1_INFO);
	sd_ike_state_update(&st, &m, 1);
	assert_true(m.initiator);
	/* ... and the phase 1 exchange keeps its initiator */
	memcpy(v, v1_mm1, sizeof(v));
	memset(v + 8, 0xbb, 8);
	(void)sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m);
	sd_ike_state_update(&st, &m, 1);
	assert_false(m.initiator);
	/* IKEv2 keeps its header flag */
	(void)sd_ike_parse(sd_rd_make(v2_sk, sizeof(v2_sk)), false, &m);
	sd_ike_state_update(&st, &m, 0);
	assert_false(m.initiator);
	sd_ike_state_free(&st);
}

/* A copy resent from the same side counts; the answer and a changed request do not. */
static void
test_retransmits(void **state)
{
	struct sd_ike_state st;
	struct sd_ike_msg m;
	uint8_t v[sizeof(v2_sa_init)];
	int i;

	(void)state;
	sd_ike_state_init(&st, NULL);
	for (i = 0; i < 3; i++) {
		(void)sd_ike_parse(sd_rd_make(v2_sa_init, sizeof(v2_sa_init)), false, &m);
		sd_ike_state_update(&st, &m, 0);
		assert_int_equal(m.retransmits, (uint32_t)i);
	}
	/* the same bytes from the other side are no copy */
	(void)sd_ike_parse(sd_rd_make(v2_sa_init, sizeof(v2_sa_init)), false, &m);
	sd_ike_state_update(&st, &m, 1);
	assert_int_equal(m.retransmits, 0);
	/* a request of another length (e.g. with a COOKIE) is a new message */
	memcpy(v, v2_sa_init, sizeof(v));
	v[27] = 0xdf;
	(void)sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m);
	sd_ike_state_update(&st, &m, 0);
	assert_int_equal(m.retransmits, 0);
	sd_ike_state_free(&st);
}

/* v2_sa_init with message id `id` (bytes 20-23 of the header). */
static void
parse_msgid(struct sd_ike_msg *m, uint8_t *v, uint32_t id)
{
	memcpy(v, v2_sa_init, sizeof(v2_sa_init));
	v[20] = (uint8_t)(id >> 24);
	v[21] = (uint8_t)(id >> 16);
	v[22] = (uint8_t)(id >> 8);
	v[23] = (uint8_t)id;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v2_sa_init)), false, m), SD_OK);
}

/*
 * The copies ring grows on use to SD_IKE_STATE_SEEN messages and then replaces its
 * oldest: the last SD_IKE_STATE_SEEN messages are known copies, the one before is not.
 * A memory cap that refuses the growth is counted and the state keeps working.
 */
static void
test_state_grows(void **state)
{
	struct sd_memcap mc = { .limit = 1 };
	struct sd_ike_state st;
	struct sd_ike_msg m;
	uint8_t v[sizeof(v2_sa_init)];
	uint32_t id, n = SD_IKE_STATE_SEEN + 8;

	(void)state;
	sd_ike_state_init(&st, NULL);
	assert_int_equal(st.nseen, 0);
	for (id = 0; id < n; id++) {
		parse_msgid(&m, v, id);
		sd_ike_state_update(&st, &m, 0);
		assert_int_equal(m.retransmits, 0);
	}
	assert_int_equal(st.nseen, SD_IKE_STATE_SEEN);
	parse_msgid(&m, v, n - SD_IKE_STATE_SEEN);	/* the oldest still held */
	sd_ike_state_update(&st, &m, 0);
	assert_int_equal(m.retransmits, 1);
	parse_msgid(&m, v, 0);				/* replaced long ago */
	sd_ike_state_update(&st, &m, 0);
	assert_int_equal(m.retransmits, 0);
	assert_int_equal(st.refused, 0);
	sd_ike_state_free(&st);
	assert_null(st.seen);

	sd_ike_state_init(&st, &mc);
	parse_msgid(&m, v, 7);
	sd_ike_state_update(&st, &m, 0);
	sd_ike_state_update(&st, &m, 0);
	assert_int_equal(m.retransmits, 0);		/* nothing could be kept */
	assert_int_equal(st.refused, 2);
	assert_int_equal(mc.refused, 2);
	assert_int_equal(mc.used, 0);
	sd_ike_state_free(&st);
}

/* IKEv2 Delete and Notify with SPI, IDi, AUTH in clear (as in a decrypted SK body). */
static const uint8_t v2_info[] = {
	X8(0x11), X8(0x22),
	42, 0x20, 37, 0x08,			/* Delete, v2, INFORMATIONAL, Initiator */
	0x00, 0x00, 0x00, 0x05,
	0x00, 0x00, 0x00, 76,
	41, 0x00, 0x00, 16, 3, 4, 0x00, 0x02, 0xc0, 0x01, 0x02, 0x03,	/* D: ESP, 2 SPIs */
	0xc0, 0x04, 0x05, 0x06,
	35, 0x00, 0x00, 12, 3, 4, 0x00, 0x0b, 0xc0, 0x01, 0x02, 0x03,	/* N(INVALID_SPI) */
	39, 0x00, 0x00, 12, 2, 0, 0, 0, 'a', '.', 'b', 'c',	/* IDi FQDN "a.bc" */
	0, 0x00, 0x00, 8, 2, 0, 0, 0,		/* AUTH: shared key MIC, empty */
};

static void
test_v2_delete_notify_id(void **state)
{
	struct sd_ike_msg m;

	(void)state;
	assert_int_equal(sd_ike_parse(sd_rd_make(v2_info, sizeof(v2_info)), false, &m), SD_OK);
	assert_int_equal(m.npayloads, 4);
	assert_int_equal(m.ndeletes, 1);
	assert_int_equal(m.deletes[0].nspi, 2);
	assert_int_equal(m.nnotify, 1);
	assert_int_equal(m.notify[0].type, 11);
	assert_int_equal(m.notify[0].protocol, 3);
	assert_int_equal(sd_rd_left(&m.notify[0].spi), 4);
	assert_int_equal(m.nids, 1);
	assert_int_equal(m.ids[0].type, 2);
	assert_memory_equal(m.ids[0].data.p, "a.bc", 4);
	assert_int_equal(m.auth_method, 2);
	check_prefixes(v2_info, sizeof(v2_info), SD_OK);
	check_bitflips(v2_info, sizeof(v2_info));
}

/* A header with a length field under 28 or a major version 3. */
static void
test_bad_header(void **state)
{
	uint8_t v[sizeof(v2_sk)];
	struct sd_ike_msg m;

	(void)state;
	memcpy(v, v2_sk, sizeof(v));
	v[27] = 20;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_MALFORMED);
	assert_true(m.header_ok);
	assert_true(m.flags & SD_IKE_F_LENGTH_SHORT);
	memcpy(v, v2_sk, sizeof(v));
	v[17] = 0x30;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_UNSUPPORTED);
	assert_true(m.flags & SD_IKE_F_BAD_VERSION);
	/* SK followed by more bytes inside the message */
	memcpy(v, v2_sk, sizeof(v));
	v[31] = 20;
	assert_int_equal(sd_ike_parse(sd_rd_make(v, sizeof(v)), false, &m), SD_MALFORMED);
	assert_true(m.flags & SD_IKE_F_SK_NOT_LAST);
}

/* Name tables: binary search needs sorted tables, so probe first, middle and last rows. */
static void
test_names(void **state)
{
	static const uint8_t unity[] = { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
		0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 };
	static const uint8_t ms[] = { 0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d,
		0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61, 0x00, 0x00, 0x00, 0x09 };
	static const uint8_t frag[] = { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
		0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3, 0x80, 0x00, 0x00, 0x00 };

	(void)state;
	assert_string_equal(sd_ike_notify_name(2, 1), "UNSUPPORTED_CRITICAL_PAYLOAD");
	assert_string_equal(sd_ike_notify_name(2, 14), "NO_PROPOSAL_CHOSEN");
	assert_string_equal(sd_ike_notify_name(2, 16390), "COOKIE");
	assert_string_equal(sd_ike_notify_name(2, 16430), "IKEV2_FRAGMENTATION_SUPPORTED");
	assert_string_equal(sd_ike_notify_name(2, 16442), "USE_AGGFRAG");
	assert_null(sd_ike_notify_name(2, 16443));
	assert_null(sd_ike_notify_name(2, 2));
	assert_string_equal(sd_ike_notify_name(1, 1), "INVALID-PAYLOAD-TYPE");
	assert_string_equal(sd_ike_notify_name(1, 24578), "INITIAL-CONTACT");
	assert_string_equal(sd_ike_notify_name(1, 36137), "R-U-THERE-ACK");
	assert_string_equal(sd_ike_exchange_name(1, 32), "Quick Mode");
	assert_string_equal(sd_ike_exchange_name(2, 37), "INFORMATIONAL");
	assert_string_equal(sd_ike_exchange_name(2, 43), "IKE_INTERMEDIATE");
	assert_null(sd_ike_exchange_name(2, 33));
	assert_string_equal(sd_ike_payload_name(1), "Security Association");
	assert_string_equal(sd_ike_payload_name(53), "Encrypted and Authenticated Fragment");
	assert_string_equal(sd_ike_payload_name(132), "Cisco-Fragmentation");
	assert_string_equal(sd_ike_transform_type_name(5), "Extended Sequence Numbers (ESN)");
	assert_string_equal(sd_ike_transform_id_name(1, 20), "AES-GCM with a 16 octet ICV");
	assert_string_equal(sd_ike_transform_id_name(3, 12), "AUTH_HMAC_SHA2_256_128");
	assert_string_equal(sd_ike_dh_group_name(19), "256-bit random ECP group");
	assert_null(sd_ike_transform_id_name(9, 1));
	assert_string_equal(sd_ike_vid_name(unity, sizeof(unity)), "Cisco Unity");
	assert_string_equal(sd_ike_vid_name(ms, sizeof(ms)), "Microsoft (MS NT5 ISAKMPOAKLEY)");
	assert_string_equal(sd_ike_vid_name(frag, sizeof(frag)), "IKE Fragmentation (Cisco)");
	assert_null(sd_ike_vid_name(unity, 8));		/* shorter than the prefix */
	assert_null(sd_ike_vid_name(NULL, 0));
}

/* RFC 8229 §3: prefix, then [len16 | 0000 | IKE header] and [len16 | SPI | seq | data]. */
static const uint8_t tcp_stream[] = {
	'I', 'K', 'E', 'T', 'C', 'P',
	0x00, 0x22,				/* frame length 34: itself + marker + 28 */
	0x00, 0x00, 0x00, 0x00,			/* non-ESP marker */
	X8(0x11), X8(0x00),			/* SPIi, SPIr */
	0x00, 0x20, 37, 0x08,			/* no payload, v2.0, INFORMATIONAL, I */
	0x00, 0x00, 0x00, 0x02,			/* message id 2 */
	0x00, 0x00, 0x00, 0x1c,			/* length 28 */
	0x00, 0x0c,				/* frame length 12 */
	0xc0, 0xff, 0xee, 0x01,			/* SPI */
	0x00, 0x00, 0x00, 0x07,			/* sequence 7 */
	0xaa, 0xbb,
};

static void
test_tcp_framing(void **state)
{
	struct sd_rd in = sd_rd_make(tcp_stream, sizeof(tcp_stream));
	struct sd_ike_tcp_frame fr;
	struct sd_ike_msg m;
	size_t consumed, needed, n;
	static const uint8_t short_len[] = { 0x00, 0x05, 0, 0, 0 };

	(void)state;
	assert_int_equal(sd_ike_tcp_probe(sd_rd_make("IKE", 3)), SD_NEED_MORE);
	assert_int_equal(sd_ike_tcp_probe(sd_rd_make("GET /", 5)), SD_UNSUPPORTED);
	assert_int_equal(sd_ike_tcp_probe(in), SD_OK);
	assert_true(sd_rd_skip(&in, SD_IKE_TCP_PREFIX_LEN));
	assert_int_equal(sd_ike_tcp_frame(in, &fr, &consumed, &needed), SD_OK);
	assert_int_equal(consumed, 34);
	assert_true(fr.ike);
	assert_int_equal(sd_rd_left(&fr.body), 28);
	assert_int_equal(sd_ike_parse(fr.body, false, &m), SD_OK);
	assert_int_equal(m.exchange, 37);
	assert_int_equal(m.message_id, 2);
	assert_true(sd_rd_skip(&in, consumed));
	assert_int_equal(sd_ike_tcp_frame(in, &fr, &consumed, &needed), SD_OK);
	assert_int_equal(consumed, 12);
	assert_false(fr.ike);
	assert_int_equal(sd_rd_left(&fr.body), 10);
	assert_int_equal(fr.body.p[0], 0xc0);
	/* every cut of the ESP frame asks for more, and says how much the frame needs */
	for (n = 0; n < 12; n++) {
		assert_int_equal(sd_ike_tcp_frame(sd_rd_make(in.p, n), &fr, &consumed, &needed),
		    SD_NEED_MORE);
		assert_int_equal(consumed, 0);
		assert_int_equal(needed, n < 2 ? 2 : 12);
	}
	assert_int_equal(sd_ike_tcp_frame(sd_rd_make(short_len, sizeof(short_len)), &fr,
	    &consumed, &needed), SD_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_sa_init),
		cmocka_unit_test(test_v2_sa_init_cut_and_flipped),
		cmocka_unit_test(test_v2_certreq),
		cmocka_unit_test(test_v2_sk),
		cmocka_unit_test(test_v2_skf),
		cmocka_unit_test(test_v1_main_mode),
		cmocka_unit_test(test_v1_encrypted),
		cmocka_unit_test(test_v1_informational),
		cmocka_unit_test(test_natt_classify),
		cmocka_unit_test(test_strict_other_port),
		cmocka_unit_test(test_payload_chain_loop),
		cmocka_unit_test(test_v1_initiator_state),
		cmocka_unit_test(test_retransmits),
		cmocka_unit_test(test_state_grows),
		cmocka_unit_test(test_v2_delete_notify_id),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tcp_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
