/* tests/unit/test_tls.c - TLS record layer, handshake parsing and fingerprints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "dissect/hash.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"
#include "tls_vectors.h"

/* Record(type, version) around body. */

/* The fingerprints as the outputs ask for them (the parser does not compute them). */
static const char *
ja3_of(const struct sd_tls_client_hello *ch)
{
	static char ja3[33], ja4[40];

	sd_tls_hello_fingerprints(ch, ja3, ja4);
	return ja3;
}

static const char *
ja4_of(const struct sd_tls_client_hello *ch)
{
	static char ja3[33], ja4[40];

	sd_tls_hello_fingerprints(ch, ja3, ja4);
	return ja4;
}

static const char *
ja3s_of(const struct sd_tls_server_hello *sh)
{
	static char ja3s[33];

	sd_tls_server_fingerprint(sh, ja3s);
	return ja3s;
}

static void
record(struct bytes *o, uint8_t type, uint16_t ver, const uint8_t *body, size_t n)
{
	put8(o, type);
	put16(o, ver);
	put16(o, (unsigned)n);
	put(o, body, n);
}

/* Handshake header + body into o. */
static void
hs(struct bytes *o, uint8_t type, const uint8_t *body, size_t n)
{
	put8(o, type);
	put24(o, (unsigned)n);
	put(o, body, n);
}

/* Feed all of buf as a TCP stream whose bytes arrive in pieces at the given cut points
 * (cuts ascending); each piece is a new frame.  Honours consumed and skip. */
static enum sd_rc
stream(struct sd_tls_conn *c, int dir, const uint8_t *buf, size_t n, const size_t *cuts,
    size_t ncuts, uint64_t frame0)
{
	static uint8_t pend[70000];
	size_t plen = 0, from = 0, to, consumed, i;
	uint64_t skip = 0;
	struct sd_tls_pkt pkt;
	enum sd_rc rc = SD_OK;

	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : n;
		/* bytes skipped by the consumer never reach the buffer */
		while (from < to && skip > 0) {
			from++;
			skip--;
		}
		memcpy(pend + plen, buf + from, to - from);
		plen += to - from;
		from = to;
		pkt.frame = frame0 + i;
		pkt.ts_sec = 1700000000;
		pkt.ts_nsec = 0;
		{
			uint8_t *cp = xmemdup(pend, plen);	/* exact-size copy for ASan */

			rc = sd_tls_feed(c, dir, sd_rd_make(cp, plen), &pkt, &consumed, &skip);
			free(cp);
		}
		assert_true(consumed <= plen);
		memmove(pend, pend + consumed, plen - consumed);
		plen -= consumed;
		if (skip > 0 && skip <= plen) {
			memmove(pend, pend + skip, plen - (size_t)skip);
			plen -= (size_t)skip;
			skip = 0;
		} else if (skip > 0) {
			skip -= plen;
			plen = 0;
		}
	}
	return rc;
}

static void
test_hashes(void **state)
{
	struct sd_md5 m;
	struct sd_sha256 s;
	uint8_t d[32];
	char hex[65];
	static const char two_blocks[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	sd_md5_init(&m);
	sd_md5_final(&m, d);
	sd_hash_hex(d, 16, hex);
	assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
	sd_md5_init(&m);
	sd_md5_update(&m, "abc", 3);
	sd_md5_final(&m, d);
	sd_hash_hex(d, 16, hex);
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	sd_sha256_init(&s);
	sd_sha256_update(&s, "abc", 3);
	sd_sha256_final(&s, d);
	sd_hash_hex(d, 32, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sd_sha256_init(&s);
	sd_sha256_update(&s, two_blocks, strlen(two_blocks));	/* FIPS 180-2 B.2 */
	sd_sha256_final(&s, d);
	sd_hash_hex(d, 32, hex);
	assert_string_equal(hex,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_client_hello_fields(void **state)
{
	struct sd_tls_client_hello ch;
	char ja3[256];
	struct sd_rd r;
	uint16_t v;

	(void)state;
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(ch_body, sizeof(ch_body)), false,
	    &ch), SD_OK);
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_int_equal(ch.ciphers.len, 8);
	assert_true(ch.has_sni);
	assert_int_equal(ch.sni.len, 11);
	assert_memory_equal(ch.sni.p, "example.com", 11);
	assert_true(ch.has_supported_versions);
	r = ch.supported_versions;
	assert_true(sd_rd_be16(&r, &v) && v == 0x1a1a);
	assert_true(sd_rd_be16(&r, &v) && v == 0x0304);
	assert_int_equal(ch.groups.len, 6);
	assert_int_equal(ch.sig_algs.len, 6);
	assert_int_equal(ch.alpn.len, 12);
	assert_int_equal(ch.flags, 0);
	sd_tls_ja3_string(&ch, ja3, sizeof(ja3));
	assert_string_equal(ja3, "771,4865-4866-49199,0-16-43-10-11-13,29-23,0");
	assert_string_equal(ja3_of(&ch), CH_JA3);
	assert_string_equal(ja4_of(&ch), CH_JA4);
	/* the JA3 string writer truncates like snprintf and reports the full length */
	assert_int_equal(sd_tls_ja3_string(&ch, ja3, 4), 44);
	assert_string_equal(ja3, "771");
}

static void
test_client_hello_every_prefix(void **state)
{
	struct sd_tls_client_hello ch;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(ch_body); n++) {
		uint8_t *cp = xmemdup(ch_body, n);
		enum sd_rc rc = sd_tls_parse_client_hello(sd_rd_make(cp, n), false, &ch);

		/* the one legal boundary: right after compression methods (no extensions) */
		if (n == 2 + 32 + 1 + 10 + 2)
			assert_int_equal(rc, SD_OK);
		else
			assert_int_not_equal(rc, SD_OK);
		free(cp);
	}
}

/* The ClientHello record fed through the stream in pieces: header split, then byte by
 * byte; one event, at the frame that completed the record. */
static void
test_feed_split(void **state)
{
	static struct bytes rec, h;
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c;
	size_t cuts3[] = { 3, 60 }, cuts_all[200], i;

	(void)state;
	h.n = rec.n = 0;
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	record(&rec, SD_TLS_CT_HANDSHAKE, 0x0301, h.b, h.n);
	assert_int_equal(rec.n, 141);

	c = sd_tls_conn_new(&mc, false, rec_emit, &r);
	assert_non_null(c);
	assert_int_equal(stream(c, 0, rec.b, rec.n, cuts3, 2, 10), SD_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_CLIENT_HELLO);
	assert_int_equal(r.ev[0].frame, 12);	/* third piece completed it */
	assert_string_equal(r.ev[0].sni, "example.com");
	assert_string_equal(r.ev[0].ja3, CH_JA3);
	assert_string_equal(r.ev[0].ja4, CH_JA4);
	assert_int_equal(r.ev[0].nciphers, 4);	/* GREASE included */
	assert_int_equal(r.ev[0].nexts, 7);
	sd_tls_conn_free(c);

	for (i = 0; i < rec.n - 1; i++)
		cuts_all[i] = i + 1;
	r.n = 0;
	c = sd_tls_conn_new(&mc, false, rec_emit, &r);
	assert_int_equal(stream(c, 0, rec.b, rec.n, cuts_all, rec.n - 1, 1), SD_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].frame, rec.n);	/* the last byte's frame */
	assert_string_equal(r.ev[0].ja4, CH_JA4);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);	/* everything charged was given back */
}

/* One handshake message split over three records, and two messages in one record. */
static void
test_hs_across_records(void **state)
{
	static struct bytes h, s;
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c;
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 7, 0, 0 };

	(void)state;
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0301, h.b, 10);
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0301, h.b + 10, 100);
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0301, h.b + 110, h.n - 110);
	c = sd_tls_conn_new(&mc, false, rec_emit, &r);
	assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip), SD_OK);
	assert_int_equal(consumed, s.n);
	assert_int_equal(skip, 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.ev[0].ja3, CH_JA3);

	/* server: ServerHello (TLS 1.2 style, no supported_versions) + Certificate with two
	 * certificates + ServerHelloDone in one record */
	{
		static const uint8_t sh12[] = {
			0x03, 0x03, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
			0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
			0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
			0x33, 0x33, 0x33, 0x33,		/* version, random */
			0x00, 0xc0, 0x2f, 0x00,		/* sid<0>, suite, compression */
			0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00,	/* renegotiation_info */
		};
		static const uint8_t cert[] = {
			0x00, 0x00, 0x0c,		/* certificate_list<12> */
			0x00, 0x00, 0x03, 0x30, 0x01, 0x00,	/* cert 1: 3 bytes */
			0x00, 0x00, 0x03, 0x30, 0x01, 0x01,	/* cert 2: 3 bytes */
		};

		h.n = s.n = 0;
		hs(&h, SD_TLS_HS_SERVER_HELLO, sh12, sizeof(sh12));
		hs(&h, SD_TLS_HS_CERTIFICATE, cert, sizeof(cert));
		hs(&h, 14, NULL, 0);	/* ServerHelloDone */
		record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b, h.n);
		pkt.frame = 8;
		assert_int_equal(sd_tls_feed(c, 1, sd_rd_make(s.b, s.n), &pkt, &consumed,
		    &skip), SD_OK);
		assert_int_equal(r.n, 3);
		assert_int_equal(r.ev[1].type, SD_EV_TLS_SERVER_HELLO);
		assert_int_equal(r.ev[1].version, 0x0303);
		assert_int_equal(r.ev[1].cipher, 0xc02f);
		assert_false(r.ev[1].hello_retry);
		assert_int_equal(r.ev[2].type, SD_EV_TLS_CERTIFICATE);
		assert_int_equal(r.ev[2].certs, 2);
		assert_int_equal(r.ev[2].frame, 8);
	}
	sd_tls_conn_free(c);
}

static void
test_server_hello_13_then_encrypted(void **state)
{
	static struct bytes h, s;
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0 };
	struct sd_tls_conn *c;
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 3, 0, 0 };
	static const uint8_t ccs[] = { 0x01 };
	static const uint8_t junk[40] = { 0xff, 0xff, 0xff, 0xff };

	(void)state;
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_SERVER_HELLO, sh13_body, sizeof(sh13_body));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b, h.n);
	record(&s, SD_TLS_CT_CCS, 0x0303, ccs, 1);
	/* a protected record that happens to carry type 22: must not be parsed */
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, junk, sizeof(junk));
	c = sd_tls_conn_new(&mc, false, rec_emit, &r);
	assert_false(sd_tls_conn_done(c));
	assert_int_equal(sd_tls_feed(c, 1, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip), SD_OK);
	assert_int_equal(consumed, s.n);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_SERVER_HELLO);
	assert_int_equal(r.ev[0].legacy_version, 0x0303);
	assert_int_equal(r.ev[0].version, 0x0304);
	assert_int_equal(r.ev[0].cipher, 0x1301);
	assert_string_equal(r.ev[0].ja3, SH13_JA3S);
	assert_true(sd_tls_conn_stats(c)->tls13);
	assert_true(sd_tls_conn_done(c));
	assert_int_equal(sd_tls_conn_stats(c)->malformed[1], 0);

	/* application data: header consumed, body skipped when not all here */
	s.n = 0;
	record(&s, SD_TLS_CT_APPDATA, 0x0303, junk, sizeof(junk));
	assert_int_equal(sd_tls_feed(c, 1, sd_rd_make(s.b, 5 + 10), &pkt, &consumed, &skip),
	    SD_OK);
	assert_int_equal(consumed, 5);
	assert_int_equal(skip, sizeof(junk));
	sd_tls_conn_free(c);
}

static void
test_hello_retry_request(void **state)
{
	struct sd_tls_server_hello sh;
	static struct bytes h, s;
	struct recorder r = { 0 };
	struct sd_tls_conn *c;
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 2, 0, 0 };

	(void)state;
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(hrr_body, sizeof(hrr_body)),
	    false, &sh), SD_OK);
	assert_true(sh.hello_retry);
	assert_int_equal(sh.version, 0x0304);
	assert_int_equal(sh.key_share_group, 0x0017);	/* the group asked for */
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(sh13_body, sizeof(sh13_body)),
	    false, &sh), SD_OK);
	assert_false(sh.hello_retry);
	assert_int_equal(sh.key_share_group, 0x001d);	/* the ServerHello's share: x25519 */
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(hrr_body, sizeof(hrr_body)),
	    false, &sh), SD_OK);
	/* after an HRR nothing is encrypted yet: the second ClientHello is parsed */
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_SERVER_HELLO, hrr_body, sizeof(hrr_body));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b, h.n);
	c = sd_tls_conn_new(NULL, false, rec_emit, &r);
	(void)sd_tls_feed(c, 1, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip);
	assert_false(sd_tls_conn_stats(c)->tls13);
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	/* middlebox-compatibility CCS (RFC 8446 D.4) before the second ClientHello */
	{
		static const uint8_t one[] = { 0x01 };

		record(&s, SD_TLS_CT_CCS, 0x0303, one, 1);
	}
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b, h.n);
	pkt.frame = 3;
	(void)sd_tls_feed(c, 0, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip);
	assert_int_equal(r.n, 2);
	assert_true(r.ev[0].hello_retry);
	assert_int_equal(r.ev[1].type, SD_EV_TLS_CLIENT_HELLO);
	assert_int_equal(r.ev[1].frame, 3);
	sd_tls_conn_free(c);
}

static void
test_alerts(void **state)
{
	static const uint8_t fatal_hs_failure[] = { 0x02, 0x28 };
	static const uint8_t ccs[] = { 0x01 };
	static const uint8_t enc_alert[26] = { 0x5a };
	static struct bytes s;
	struct recorder r = { 0 };
	struct sd_tls_conn *c;
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 4, 0, 0 };

	static struct bytes h;
	static const uint8_t sh12[] = {
		0x03, 0x03,			/* TLS 1.2 ServerHello, no extensions */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0xc0, 0x2f, 0x00,		/* sid<0>, suite, compression */
	};

	(void)state;
	s.n = h.n = 0;
	record(&s, SD_TLS_CT_ALERT, 0x0303, fatal_hs_failure, 2);
	hs(&h, SD_TLS_HS_SERVER_HELLO, sh12, sizeof(sh12));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b, h.n);
	record(&s, SD_TLS_CT_CCS, 0x0303, ccs, 1);
	record(&s, SD_TLS_CT_ALERT, 0x0303, enc_alert, sizeof(enc_alert));
	/* after a TLS 1.2 CCS even a 2-byte alert record is protected (NULL cipher aside) */
	record(&s, SD_TLS_CT_ALERT, 0x0303, fatal_hs_failure, 2);
	c = sd_tls_conn_new(NULL, false, rec_emit, &r);
	assert_int_equal(sd_tls_feed(c, 1, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip), SD_OK);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_ALERT);
	assert_false(r.ev[0].encrypted);
	assert_int_equal(r.ev[0].level, 2);
	assert_int_equal(r.ev[0].description, 40);
	assert_int_equal(r.ev[1].type, SD_EV_TLS_SERVER_HELLO);
	assert_true(r.ev[2].encrypted);
	assert_true(r.ev[3].encrypted);
	assert_true(sd_tls_conn_stats(c)->ccs_seen[1]);
	/* an alert record split: nothing until its body is complete */
	r.n = 0;
	assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(s.b, 6), &pkt, &consumed, &skip),
	    SD_NEED_MORE);
	assert_int_equal(consumed, 0);
	assert_int_equal(r.n, 0);
	sd_tls_conn_free(c);
}

/* SSLv2-compatible ClientHello (RFC 5246 E.2), as old clients and scanners send it. */
static void
test_sslv2_client_hello(void **state)
{
	static const uint8_t v2[] = {
		0x80, 0x2e,			/* 2-byte header, length 46 */
		0x01,				/* CLIENT-HELLO */
		0x03, 0x01,			/* version TLS 1.0 */
		0x00, 0x15,			/* cipher_spec_length 21 (7 specs) */
		0x00, 0x00,			/* session_id_length 0 */
		0x00, 0x10,			/* challenge_length 16 */
		0x00, 0x00, 0x39, 0x00, 0x00, 0x38, 0x00, 0x00, 0x35,
		0x00, 0x00, 0x16, 0x00, 0x00, 0x13, 0x00, 0x00, 0x0a,
		0x07, 0x00, 0xc0,		/* SSL_CK_DES_192_EDE3_CBC_WITH_MD5 */
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,	/* challenge */
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xbb,
	};
	struct recorder r = { 0 };
	struct sd_tls_conn *c;
	size_t consumed, n;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 1, 0, 0 };

	(void)state;
	assert_int_equal(sd_tls_probe(sd_rd_make(v2, sizeof(v2)), false), SD_OK);
	c = sd_tls_conn_new(NULL, false, rec_emit, &r);
	for (n = 1; n < sizeof(v2); n++) {	/* empty input: SD_OK, nothing to do */
		uint8_t *cp = xmemdup(v2, n);

		assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(cp, n), &pkt, &consumed, &skip),
		    SD_NEED_MORE);
		assert_int_equal(consumed, 0);
		free(cp);
	}
	assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(v2, sizeof(v2)), &pkt, &consumed, &skip),
	    SD_OK);
	assert_int_equal(consumed, sizeof(v2));
	assert_int_equal(r.n, 1);
	assert_true(r.ev[0].sslv2);
	assert_int_equal(r.ev[0].legacy_version, 0x0301);
	assert_int_equal(r.ev[0].nciphers, 7);
	assert_string_equal(r.ev[0].ja3, "");
	sd_tls_conn_free(c);
	{
		/* parsed whole: the writer shows its version and cipher specs */
		struct sd_tls_client_hello ch;

		assert_int_equal(sd_tls_parse_sslv2_client_hello(sd_rd_make(v2 + 2,
		    sizeof(v2) - 2), &ch), SD_OK);
		assert_int_equal(ch.parsed, SD_TLS_P_ALL);
		assert_null(ch.fault.what);
	}
}

static void
test_probe(void **state)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x8d };
	static const uint8_t http[] = { 'G', 'E', 'T', ' ', '/' };
	static const uint8_t ssh[] = { 'S', 'S', 'H', '-', '2' };
	static const uint8_t badver[] = { 0x16, 0x03, 0x09, 0x00, 0x10 };
	static const uint8_t toolong[] = { 0x17, 0x03, 0x03, 0x50, 0x00 };
	static const uint8_t dtls[] = { 0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x40 };

	(void)state;
	assert_int_equal(sd_tls_probe(sd_rd_make(tls, 5), false), SD_OK);
	assert_int_equal(sd_tls_probe(sd_rd_make(tls, 2), false), SD_NEED_MORE);
	assert_int_equal(sd_tls_probe(sd_rd_make(http, 5), false), SD_UNSUPPORTED);
	assert_int_equal(sd_tls_probe(sd_rd_make(ssh, 5), false), SD_UNSUPPORTED);
	assert_int_equal(sd_tls_probe(sd_rd_make(badver, 5), false), SD_UNSUPPORTED);
	assert_int_equal(sd_tls_probe(sd_rd_make(toolong, 5), false), SD_UNSUPPORTED);
	assert_int_equal(sd_tls_probe(sd_rd_make(dtls, 13), true), SD_OK);
	assert_int_equal(sd_tls_probe(sd_rd_make(dtls, 13), false), SD_UNSUPPORTED);
	assert_int_equal(sd_tls_probe(sd_rd_make(tls, 5), true), SD_UNSUPPORTED);
}

/*
 * RFC 7983 demultiplexing: a STUN Binding request before the DTLS ClientHello
 * (zeek/webrtc-stun.pcap frames 1-8) keeps the flow open for DTLS (SD_NEED_MORE); bytes
 * that only start like STUN stay not-DTLS.
 */
static void
test_probe_stun(void **state)
{
	/* Binding request, length 4, magic cookie, 12-byte transaction id, one 4-byte attr */
	static const uint8_t stun[24] = { 0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42,
	    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x80, 0x22, 0x00, 0x00 };
	uint8_t *cp;
	size_t i;

	(void)state;
	assert_int_equal(sd_tls_probe(sd_rd_make(stun, sizeof(stun)), true), SD_NEED_MORE);
	/* over TCP it is just not TLS */
	assert_int_equal(sd_tls_probe(sd_rd_make(stun, sizeof(stun)), false), SD_UNSUPPORTED);
	/* a datagram one byte longer or shorter than the STUN length is not STUN */
	for (i = 1; i < sizeof(stun); i++) {
		cp = malloc(i);
		assert_non_null(cp);
		memcpy(cp, stun, i);
		assert_int_equal(sd_tls_probe(sd_rd_make(cp, i), true), SD_UNSUPPORTED);
		free(cp);
	}
	{
		uint8_t odd[24], hi[24];

		memcpy(odd, stun, sizeof(odd));
		odd[3] = 0x03;			/* length not a multiple of 4 */
		assert_int_equal(sd_tls_probe(sd_rd_make(odd, sizeof(odd)), true), SD_UNSUPPORTED);
		memcpy(hi, stun, sizeof(hi));
		hi[0] = 0x04;			/* first byte 4-19: neither STUN nor DTLS */
		assert_int_equal(sd_tls_probe(sd_rd_make(hi, sizeof(hi)), true), SD_UNSUPPORTED);
	}
}

/* Not TLS after all: the direction is given up, everything consumed. */
static void
test_not_tls_gives_up(void **state)
{
	static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sd_tls_conn *c;
	struct recorder r = { 0 };
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 1, 0, 0 };

	(void)state;
	c = sd_tls_conn_new(NULL, false, rec_emit, &r);
	assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(http, sizeof(http) - 1), &pkt, &consumed,
	    &skip), SD_MALFORMED);
	assert_int_equal(consumed, sizeof(http) - 1);
	assert_int_equal(r.n, 0);
	sd_tls_conn_free(c);
}

/* A handshake message over the cap is skipped across records and the next one parsed. */
static void
test_oversized_message(void **state)
{
	static struct bytes h, s;
	static uint8_t big[SD_TLS_MAX_HS_MSG + 100];
	struct recorder r = { 0 };
	struct sd_memcap mc = { 0, 1 << 20, 0, 0 };
	struct sd_tls_conn *c;
	size_t off = 0, n, cuts[16], nc = 0;

	(void)state;
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_CERTIFICATE, big, sizeof(big));
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	while (off < h.n) {
		n = h.n - off > 16384 ? 16384 : h.n - off;
		record(&s, SD_TLS_CT_HANDSHAKE, 0x0303, h.b + off, n);
		off += n;
		cuts[nc++] = s.n;
	}
	c = sd_tls_conn_new(&mc, false, rec_emit, &r);
	(void)stream(c, 0, s.b, s.n, cuts, nc - 1, 1);
	assert_int_equal(sd_tls_conn_stats(c)->oversized[0], 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].type, SD_EV_TLS_CLIENT_HELLO);
	sd_tls_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* Every single-bit flip of the ClientHello record: no crash, no over-read (ASan). */
static void
test_bit_flips(void **state)
{
	static struct bytes h, s;
	struct recorder r;
	size_t i, consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 1, 0, 0 };
	int bit;

	(void)state;
	h.n = s.n = 0;
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0301, h.b, h.n);
	for (i = 0; i < s.n; i++) {
		for (bit = 0; bit < 8; bit++) {
			uint8_t *cp = xmemdup(s.b, s.n);
			struct sd_tls_conn *c = sd_tls_conn_new(NULL, false, rec_emit, &r);

			r.n = 0;
			cp[i] ^= (uint8_t)(1u << bit);
			(void)sd_tls_feed(c, 0, sd_rd_make(cp, s.n), &pkt, &consumed, &skip);
			assert_true(consumed <= s.n);
			assert_true(r.n <= 1);
			sd_tls_conn_free(c);
			free(cp);
		}
	}
}

/* After a gap the parser finds the next record header and carries on. */
static void
test_gap_resync(void **state)
{
	static const uint8_t alert[] = { 0x02, 0x30 };
	static const uint8_t junk[] = { 0x00, 0x01, 0xfe, 0x99, 0x42 };
	static struct bytes s;
	struct recorder r = { 0 };
	struct sd_tls_conn *c;
	size_t consumed;
	uint64_t skip;
	struct sd_tls_pkt pkt = { 9, 0, 0 };

	(void)state;
	s.n = 0;
	put(&s, junk, sizeof(junk));
	record(&s, SD_TLS_CT_ALERT, 0x0303, alert, 2);
	c = sd_tls_conn_new(NULL, false, rec_emit, &r);
	sd_tls_gap(c, 0);
	assert_int_equal(sd_tls_feed(c, 0, sd_rd_make(s.b, s.n), &pkt, &consumed, &skip), SD_OK);
	assert_int_equal(consumed, s.n);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].description, 48);
	assert_int_equal(sd_tls_conn_stats(c)->resyncs[0], sizeof(junk));
	sd_tls_conn_free(c);
}

/* STARTTLS-style prelude: the ClientHello is found after the plaintext. */
static void
test_find_hello(void **state)
{
	static const char smtp[] = "STARTTLS\r\n220 2.0.0 Ready\r\n\x16";
	static struct bytes s, h;
	size_t off;

	(void)state;
	s.n = h.n = 0;
	put(&s, smtp, sizeof(smtp) - 1);	/* ends in a lone 0x16: a false start */
	hs(&h, SD_TLS_HS_CLIENT_HELLO, ch_body, sizeof(ch_body));
	record(&s, SD_TLS_CT_HANDSHAKE, 0x0301, h.b, h.n);
	assert_int_equal(sd_tls_find_hello(sd_rd_make(s.b, s.n), SD_TLS_HS_CLIENT_HELLO, &off),
	    SD_OK);
	assert_int_equal(off, sizeof(smtp) - 1);
	assert_int_equal(sd_tls_find_hello(sd_rd_make(s.b, s.n), SD_TLS_HS_SERVER_HELLO, &off),
	    SD_UNSUPPORTED);
	/* cut inside the candidate's first 11 bytes: look again from its start */
	assert_int_equal(sd_tls_find_hello(sd_rd_make(s.b, sizeof(smtp) - 1 + 6),
	    SD_TLS_HS_CLIENT_HELLO, &off), SD_NEED_MORE);
	assert_int_equal(off, sizeof(smtp) - 2);	/* the lone 0x16 comes first */
	assert_int_equal(sd_tls_find_hello(sd_rd_make("HTTP/1.1 200 OK\r\n", 17),
	    SD_TLS_HS_SERVER_HELLO, &off), SD_UNSUPPORTED);
	assert_int_equal(off, 17);
}

/* JA4's ALPN characters for non-ASCII bytes: '9', as FoxIO's vector
 * tls-non-ascii-alpn.pcapng (first ALPN 0xba 0xad) gives t13d151699_... */
static void
test_ja4_non_ascii_alpn(void **state)
{
	struct sd_tls_client_hello ch;
	uint8_t b[sizeof(ch_body)];
	const uint8_t *h2;

	(void)state;
	memcpy(b, ch_body, sizeof(b));
	h2 = memchr(ch_body, 'h', sizeof(ch_body));	/* first 'h' is ALPN "h2" */
	assert_non_null(h2);
	b[h2 - ch_body] = 0xba;
	b[h2 - ch_body + 1] = 0xad;
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(b, sizeof(b)), false, &ch), SD_OK);
	assert_memory_equal(ja4_of(&ch), "t13d030699_", 11);
	b[h2 - ch_body] = '/';			/* ASCII punctuation is kept */
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(b, sizeof(b)), false, &ch), SD_OK);
	assert_memory_equal(ja4_of(&ch), "t13d0306/9_", 11);
}

/* Parse body (an exact-size copy) as a ClientHello; the fault's text into text. */
static enum sd_rc
parse_ch(const uint8_t *body, size_t n, bool dtls, struct sd_tls_client_hello *ch,
    char *text, size_t tn)
{
	uint8_t *cp = xmemdup(body, n);
	enum sd_rc rc = sd_tls_parse_client_hello(sd_rd_make(cp, n), dtls, ch);

	(void)sd_tls_fault_text(&ch->fault, text, tn);
	free(cp);
	return rc;
}

/* Offsets in ch_body: session_id length 34, cipher_suites length 35, compression 45,
 * extensions length 47, the last extension (signature_algorithms) 120. */
#define CHB_SUITES	35
#define CHB_COMP	45
#define CHB_EXTS	47
#define CHB_SIGALGS_LEN	122

/* Every ClientHello fault: its name, what parsed before it, its sentence; no fingerprint. */
static void
test_malformed_client_hello(void **state)
{
	struct sd_tls_client_hello ch;
	uint8_t b[sizeof(ch_body) + 40];
	char text[160];

	(void)state;
	/* the message ends inside random */
	assert_int_equal(parse_ch(ch_body, 20, false, &ch, text, sizeof(text)), SD_MALFORMED);
	assert_string_equal(ch.fault.what, "hello_too_short");
	assert_int_equal(ch.parsed, SD_TLS_P_NONE);
	assert_string_equal(text, "the message ends before legacy_version and random (20 bytes left)");
	/* session_id: 5 declared, 2 there */
	memcpy(b, ch_body, 34);
	b[34] = 5;
	b[35] = b[36] = 0;
	assert_int_equal(parse_ch(b, 37, false, &ch, text, sizeof(text)), SD_MALFORMED);
	assert_string_equal(ch.fault.what, "session_id_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_RANDOM);
	assert_int_equal(ch.legacy_version, 0x0303);
	assert_string_equal(text, "session_id length 5 overruns the message by 3 bytes");
	/* session_id of 33 bytes */
	memset(b + 35, 0, 33);
	b[34] = 33;
	assert_int_equal(parse_ch(b, 35 + 33, false, &ch, text, sizeof(text)), SD_MALFORMED);
	assert_string_equal(ch.fault.what, "session_id_too_long");
	assert_string_equal(text, "session_id length 33 exceeds 32 bytes");
	/* DTLS cookie: 10 declared, 1 there */
	b[34] = 0;
	b[35] = 10;
	b[36] = 0;
	assert_int_equal(parse_ch(b, 37, true, &ch, text, sizeof(text)), SD_MALFORMED);
	assert_string_equal(ch.fault.what, "cookie_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_SESSION_ID);
	assert_int_equal(ch.fault.offset, 35);
	/* cipher_suites cut after 3 of 8 bytes */
	assert_int_equal(parse_ch(ch_body, CHB_SUITES + 2 + 3, false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "cipher_suites_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_COOKIE);
	assert_string_equal(text, "cipher_suites length 8 overruns the message by 5 bytes");
	/* the length field itself cut */
	assert_int_equal(parse_ch(ch_body, CHB_SUITES + 1, false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_true(ch.fault.len_cut);
	assert_string_equal(text, "cipher_suites: its length field is cut (1 byte left in the message)");
	/* odd cipher_suites length */
	memcpy(b, ch_body, sizeof(ch_body));
	b[CHB_SUITES + 1] = 7;
	assert_int_equal(parse_ch(b, sizeof(ch_body), false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "cipher_suites_odd_length");
	assert_int_equal(ch.fault.offset, CHB_SUITES);
	assert_string_equal(text, "cipher_suites length 7 is odd");
	assert_string_equal(ja3_of(&ch), "");
	assert_string_equal(ja4_of(&ch), "");
	/* compression_methods: cut, then empty */
	assert_int_equal(parse_ch(ch_body, CHB_COMP + 1, false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "compression_methods_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_SUITES);
	assert_int_equal(sd_rd_left(&ch.ciphers), 8);
	memcpy(b, ch_body, sizeof(ch_body));
	b[CHB_COMP] = 0;
	assert_int_equal(parse_ch(b, sizeof(ch_body), false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "compression_methods_empty");
	assert_string_equal(text, "compression_methods is empty");
	/* the extensions block overruns the message by 13 */
	memcpy(b, ch_body, sizeof(ch_body));
	b[CHB_EXTS + 1] = 0x53 + 13;
	assert_int_equal(parse_ch(b, sizeof(ch_body), false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "extensions_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_COMPRESSION);
	assert_string_equal(text, "extensions length 96 overruns the message by 13 bytes");
	/* the last extension overruns the block by 12: the six before it are read */
	memcpy(b, ch_body, sizeof(ch_body));
	b[CHB_SIGALGS_LEN + 1] = 8 + 12;
	assert_int_equal(parse_ch(b, sizeof(ch_body), false, &ch, text, sizeof(text)),
	    SD_MALFORMED);
	assert_string_equal(ch.fault.what, "extension_overrun");
	assert_int_equal(ch.parsed, SD_TLS_P_EXTENSIONS);
	assert_int_equal(ch.fault.index, 7);
	assert_int_equal(ch.fault.offset, CHB_SIGALGS_LEN - 2);
	assert_true(ch.has_sni);
	assert_int_equal(sd_rd_left(&ch.groups), 6);
	assert_int_equal(sd_rd_left(&ch.sig_algs), 0);
	assert_string_equal(text,
	    "extension 7 (type 13) length 20 overruns the extensions block by 12 bytes");
	assert_string_equal(ja4_of(&ch), "");
	/* a well-formed hello has no fault */
	assert_int_equal(parse_ch(ch_body, sizeof(ch_body), false, &ch, text, sizeof(text)), SD_OK);
	assert_null(ch.fault.what);
	assert_int_equal(ch.parsed, SD_TLS_P_ALL);
	assert_string_equal(text, "");
}

static void
test_malformed_server_hello(void **state)
{
	struct sd_tls_server_hello sh;
	uint8_t *cp;
	char text[160];

	(void)state;
	/* ends right after session_id: no cipher_suite */
	cp = xmemdup(sh13_body, 35);
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(cp, 35), false, &sh), SD_MALFORMED);
	free(cp);
	assert_string_equal(sh.fault.what, "cipher_suite_missing");
	assert_int_equal(sh.parsed, SD_TLS_P_SESSION_ID);
	/* ends after the cipher_suite: no compression_method */
	cp = xmemdup(sh13_body, 37);
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(cp, 37), false, &sh), SD_MALFORMED);
	free(cp);
	assert_string_equal(sh.fault.what, "compression_method_missing");
	assert_int_equal(sh.cipher, 0x1301);
	(void)sd_tls_fault_text(&sh.fault, text, sizeof(text));
	assert_string_equal(text, "the message ends before compression_method (0 bytes left)");
	/* cut inside the key_share extension: supported_versions before it is read */
	cp = xmemdup(sh13_body, sizeof(sh13_body) - 3);
	assert_int_equal(sd_tls_parse_server_hello(sd_rd_make(cp, sizeof(sh13_body) - 3), false,
	    &sh), SD_MALFORMED);
	free(cp);
	assert_string_equal(sh.fault.what, "extensions_overrun");
	assert_string_equal(ja3s_of(&sh), "");
}

/* Parse body as a Certificate (tls13 layout or not); the fault's text into text. */
static enum sd_rc
parse_cert(const uint8_t *body, size_t n, bool tls13, struct sd_tls_certificate *c, char *text)
{
	uint8_t *cp = xmemdup(body, n);
	enum sd_rc rc = sd_tls_parse_certificate(sd_rd_make(cp, n), tls13, c);

	(void)sd_tls_fault_text(&c->fault, text, 160);
	free(cp);
	return rc;
}

static void
test_malformed_certificate(void **state)
{
	/* certificate_list<12>: "abc", then one declaring 20 bytes with 3 there */
	static const uint8_t overrun[] = { 0, 0, 12, 0, 0, 3, 'a', 'b', 'c', 0, 0, 20, 'd', 'e',
	    'f' };
	static const uint8_t list_overrun[] = { 0, 0, 100, 0, 0, 3, 'a', 'b', 'c' };
	static const uint8_t trailing[] = { 0, 0, 6, 0, 0, 3, 'a', 'b', 'c', 0xff, 0xff };
	static const uint8_t empty[] = { 0, 0, 9, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0 };
	static const uint8_t ctx13[] = { 5, 0 };
	static const uint8_t exts13[] = { 0, 0, 0, 8, 0, 0, 3, 'a', 'b', 'c', 0, 10 };
	struct sd_tls_certificate c;
	char text[160];

	(void)state;
	assert_int_equal(parse_cert(overrun, sizeof(overrun), false, &c, text), SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_overrun");
	assert_int_equal(c.fault.index, 2);
	assert_int_equal(c.fault.offset, 9);
	assert_int_equal(c.count, 1);
	assert_int_equal(c.kept, 1);
	assert_string_equal(text, "certificate 2 length 20 overruns the certificate_list by 17 bytes");
	assert_int_equal(parse_cert(list_overrun, sizeof(list_overrun), false, &c, text),
	    SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_list_overrun");
	assert_int_equal(c.count, 0);
	assert_string_equal(text, "certificate_list length 100 overruns the message by 94 bytes");
	assert_int_equal(parse_cert(trailing, sizeof(trailing), false, &c, text), SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_list_trailing");
	assert_string_equal(text, "2 bytes follow certificate_list");
	assert_int_equal(parse_cert(empty, sizeof(empty), false, &c, text), SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_empty");
	assert_int_equal(c.fault.offset, 9);
	assert_string_equal(text, "certificate 2 is empty");
	assert_int_equal(parse_cert(ctx13, sizeof(ctx13), true, &c, text), SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_request_context_overrun");
	assert_int_equal(parse_cert(exts13, sizeof(exts13), true, &c, text), SD_MALFORMED);
	assert_string_equal(c.fault.what, "certificate_extensions_overrun");
	assert_int_equal(c.fault.index, 1);
	assert_string_equal(text,
	    "extensions of certificate 1 length 10 overruns the certificate_list by 10 bytes");
}

/* A DTLS ClientHello with legacy_version v (and supported_versions sv when non-zero):
 * JA4's first three characters. */
static void
ja4_dtls_prefix(uint16_t v, uint16_t sv, bool dtls, char out[4])
{
	static struct bytes b;
	struct sd_tls_client_hello ch;
	size_t i;

	b.n = 0;
	put16(&b, v);
	for (i = 0; i < 32; i++)
		put8(&b, 0x11);
	put8(&b, 0);			/* session_id */
	if (dtls)
		put8(&b, 0);		/* cookie */
	put16(&b, 2);
	put16(&b, 0xc02f);
	put8(&b, 1);
	put8(&b, 0);
	if (sv != 0) {
		put16(&b, 7);		/* extensions<7>: supported_versions<2>: sv */
		put16(&b, SD_TLS_EXT_SUPPORTED_VERSIONS);
		put16(&b, 3);
		put8(&b, 2);
		put16(&b, sv);
	}
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(b.b, b.n), dtls, &ch), SD_OK);
	memcpy(out, ja4_of(&ch), 3);
	out[3] = '\0';
}

/* JA4.md's DTLS codes: 0xfeff "d1", 0xfefd "d2", 0xfefc "d3" (from supported_versions);
 * 0x0100 (DTLS1_BAD_VER) in DTLS "00", as FoxIO's Wireshark plugin; in TLS "s1". */
static void
test_ja4_dtls_versions(void **state)
{
	char p[4];

	(void)state;
	ja4_dtls_prefix(0xfeff, 0, true, p);
	assert_string_equal(p, "dd1");
	ja4_dtls_prefix(0xfefd, 0, true, p);
	assert_string_equal(p, "dd2");
	ja4_dtls_prefix(0xfefd, 0xfefc, true, p);
	assert_string_equal(p, "dd3");
	ja4_dtls_prefix(0x0100, 0, true, p);
	assert_string_equal(p, "d00");
	ja4_dtls_prefix(0x0100, 0, false, p);
	assert_string_equal(p, "ts1");
}

/* The generated registry tables (tools/gen-tls-names.py). */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(sd_tls_cipher_name(0x1301), "TLS_AES_128_GCM_SHA256");
	assert_string_equal(sd_tls_cipher_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	assert_string_equal(sd_tls_ext_name(0), "server_name");
	assert_string_equal(sd_tls_group_name(0x001d), "x25519");
	assert_string_equal(sd_tls_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
	assert_string_equal(sd_tls_alert_name(48), "Unknown CA");
	assert_null(sd_tls_cipher_name(0x1234));	/* unassigned */
	assert_null(sd_tls_alert_name(255));
}

/*
 * A hello with long lists (120 suites, 60 groups, 50 signature algorithms, 12 extensions):
 * the fingerprints hash their text in blocks, and a list longer than a block must give
 * the same values as the text hashed at once.
 */
static void
test_fingerprints_long_lists(void **state)
{
	uint8_t body[1024];
	struct sd_tls_client_hello ch;
	size_t n = 0, extlen_at, i, start;
	static const uint16_t other_ext[] = { 0x0017, 0x0023, 0x0005, 0x0012, 0x001b, 0x0033,
	    0x002d, 0x0015, 0xff01 };

	(void)state;
	body[n++] = 0x03;
	body[n++] = 0x03;
	memset(body + n, 0, 32);
	n += 32;
	body[n++] = 0;				/* session_id */
	body[n++] = 0;
	body[n++] = 240;			/* 120 suites */
	for (i = 0; i < 120; i++) {
		body[n++] = (uint8_t)(0xc0 - (i & 1));
		body[n++] = (uint8_t)(255 - i);
	}
	body[n++] = 1;
	body[n++] = 0;				/* compression */
	extlen_at = n;
	n += 2;
	start = n;
	body[n++] = 0x00;			/* supported_groups, 60 */
	body[n++] = 0x0a;
	body[n++] = 0;
	body[n++] = 122;
	body[n++] = 0;
	body[n++] = 120;
	for (i = 0; i < 60; i++) {
		body[n++] = 0;
		body[n++] = (uint8_t)(i + 1);
	}
	body[n++] = 0x00;			/* ec_point_formats */
	body[n++] = 0x0b;
	body[n++] = 0;
	body[n++] = 2;
	body[n++] = 1;
	body[n++] = 0;
	body[n++] = 0x00;			/* signature_algorithms, 50 */
	body[n++] = 0x0d;
	body[n++] = 0;
	body[n++] = 102;
	body[n++] = 0;
	body[n++] = 100;
	for (i = 0; i < 50; i++) {
		body[n++] = (uint8_t)(4 + i % 5);
		body[n++] = (uint8_t)(i + 1);
	}
	for (i = 0; i < sizeof(other_ext) / sizeof(other_ext[0]); i++) {
		body[n++] = (uint8_t)(other_ext[i] >> 8);
		body[n++] = (uint8_t)other_ext[i];
		body[n++] = 0;
		body[n++] = 0;
	}
	body[extlen_at] = (uint8_t)((n - start) >> 8);
	body[extlen_at + 1] = (uint8_t)(n - start);
	assert_int_equal(sd_tls_parse_client_hello(sd_rd_make(body, n), false, &ch), SD_OK);
	assert_string_equal(ja3_of(&ch), "76c58ac191ca55cfd28c97129b2f6251");
	assert_string_equal(ja4_of(&ch), "t12i991200_96ea058e1174_7a13d81c801a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_client_hello_fields),
		cmocka_unit_test(test_client_hello_every_prefix),
		cmocka_unit_test(test_feed_split),
		cmocka_unit_test(test_hs_across_records),
		cmocka_unit_test(test_server_hello_13_then_encrypted),
		cmocka_unit_test(test_hello_retry_request),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_sslv2_client_hello),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_stun),
		cmocka_unit_test(test_not_tls_gives_up),
		cmocka_unit_test(test_oversized_message),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_gap_resync),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ja4_non_ascii_alpn),
		cmocka_unit_test(test_find_hello),
		cmocka_unit_test(test_malformed_client_hello),
		cmocka_unit_test(test_malformed_server_hello),
		cmocka_unit_test(test_malformed_certificate),
		cmocka_unit_test(test_ja4_dtls_versions),
		cmocka_unit_test(test_fingerprints_long_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
