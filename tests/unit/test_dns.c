/* tests/unit/test_dns.c - DNS response parser: names, compression, A/AAAA/CNAME, rcodes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dissect/dns.h"

/* Response to "crl.example.test A": CNAME to cdn.example.test, which has two A records. */
static const uint8_t resp_cname[] = {
	0x12, 0x34,		/* id */
	0x81, 0x80,		/* QR, RD, RA, rcode 0 */
	0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,	/* 1 question, 3 answers */
	/* offset 12: question crl.example.test A IN */
	0x03, 'c', 'r', 'l', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x04, 't', 'e', 's', 't', 0x00,
	0x00, 0x01, 0x00, 0x01,
	/* answer 1 (offset 34): ptr 12 CNAME IN ttl 60, rdata "cdn" + ptr to "example.test" (16) */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x06,
	0x03, 'C', 'D', 'N', 0xc0, 0x10,
	/* answer 2 (offset 52): ptr 46 (cdn.example.test) A 10.99.3.80 */
	0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	10, 99, 3, 80,
	/* answer 3: same name, A 10.99.3.81 */
	0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	10, 99, 3, 81,
};

/* NXDOMAIN for ocsp.example.test AAAA, no answers. */
static const uint8_t resp_nx[] = {
	0xab, 0xcd, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x04, 'o', 'c', 's', 'p', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x04, 't', 'e', 's', 't',
	0x00, 0x00, 0x1c, 0x00, 0x01,
};

static void
test_cname_chain(void **state)
{
	struct sd_dns_msg m;
	struct sd_addr a[4];

	(void)state;
	assert_int_equal(sd_dns_parse(sd_rd_make(resp_cname, sizeof(resp_cname)), &m), SD_OK);
	assert_true(m.response);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.rcode, SD_DNS_RCODE_NOERROR);
	assert_string_equal(m.qname, "crl.example.test");
	assert_int_equal(m.qtype, SD_DNS_TYPE_A);
	assert_int_equal(m.nan, 3);
	assert_int_equal(m.an[0].type, SD_DNS_TYPE_CNAME);
	assert_string_equal(m.an[0].target, "cdn.example.test");	/* lower-cased */
	assert_string_equal(m.an[1].name, "cdn.example.test");
	assert_int_equal(sd_dns_addrs(&m, "CRL.example.test.", a, 4), 2);
	assert_int_equal(a[0].v, 4);
	assert_memory_equal(a[0].a, ((const uint8_t[]){ 10, 99, 3, 80 }), 4);
	assert_memory_equal(a[1].a, ((const uint8_t[]){ 10, 99, 3, 81 }), 4);
	assert_int_equal(sd_dns_addrs(&m, "other.example.test", a, 4), 0);
	assert_int_equal(sd_dns_addrs(&m, "crl.example.test", a, 1), 1);
}

static void
test_nxdomain(void **state)
{
	struct sd_dns_msg m;

	(void)state;
	assert_int_equal(sd_dns_parse(sd_rd_make(resp_nx, sizeof(resp_nx)), &m), SD_OK);
	assert_int_equal(m.rcode, SD_DNS_RCODE_NXDOMAIN);
	assert_string_equal(m.qname, "ocsp.example.test");
	assert_int_equal(m.qtype, SD_DNS_TYPE_AAAA);
	assert_int_equal(m.nan, 0);
}

/* A pointer to itself or forwards is refused (no loops); a pointer past the end too. */
static void
test_pointer_loop(void **state)
{
	uint8_t b[sizeof(resp_nx)];
	struct sd_dns_msg m;

	(void)state;
	memcpy(b, resp_nx, sizeof(b));
	b[12] = 0xc0;		/* the question name points at itself */
	b[13] = 0x0c;
	assert_int_equal(sd_dns_parse(sd_rd_make(b, sizeof(b)), &m), SD_MALFORMED);
	b[13] = 0x20;		/* forwards */
	assert_int_equal(sd_dns_parse(sd_rd_make(b, sizeof(b)), &m), SD_MALFORMED);
}

/* Every prefix in an exact-size heap copy: no over-read, never SD_OK before the end of
 * the question, and the answers section cut gives SD_TRUNCATED. */
static void
test_truncations(void **state)
{
	struct sd_dns_msg m;
	enum sd_rc rc;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(resp_cname); n++) {
		uint8_t *cp = malloc(n > 0 ? n : 1);

		assert_non_null(cp);
		memcpy(cp, resp_cname, n);
		rc = sd_dns_parse(sd_rd_make(cp, n), &m);
		if (n < 34)
			assert_int_equal(rc, SD_MALFORMED);
		else
			assert_int_equal(rc, SD_TRUNCATED);
		free(cp);
	}
}

/* Bit flips never crash and always leave terminated strings. */
static void
test_bitflips(void **state)
{
	uint8_t b[sizeof(resp_cname)];
	struct sd_dns_msg m;
	struct sd_addr a[4];
	size_t i, bit;

	(void)state;
	for (i = 0; i < sizeof(b); i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(b, resp_cname, sizeof(b));
			b[i] ^= (uint8_t)(1u << bit);
			(void)sd_dns_parse(sd_rd_make(b, sizeof(b)), &m);
			assert_true(strlen(m.qname) < SD_DNS_NAME_MAX);
			assert_true(sd_dns_addrs(&m, m.qname, a, 4) <= 4);
		}
	}
}

/* Odd label bytes are escaped as \DDD, never passed raw. */
static void
test_escape(void **state)
{
	uint8_t b[sizeof(resp_nx)];
	struct sd_dns_msg m;

	(void)state;
	memcpy(b, resp_nx, sizeof(b));
	b[13] = 0x0a;		/* "o" -> newline */
	b[14] = '.';
	assert_int_equal(sd_dns_parse(sd_rd_make(b, sizeof(b)), &m), SD_OK);
	assert_string_equal(m.qname, "\\010\\046sp.example.test");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_bitflips),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
