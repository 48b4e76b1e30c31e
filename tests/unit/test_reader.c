/* tests/unit/test_reader.c - the bounds-checked reader: values, stickiness, vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/reader.h"

static const uint8_t bytes[] = {
	0x01,				/* u8 */
	0x02, 0x03,			/* be16 0x0203 */
	0x04, 0x05, 0x06,		/* be24 0x040506 */
	0x07, 0x08, 0x09, 0x0a,		/* be32 */
	0x02, 0xaa, 0xbb,		/* vec8 of 2 */
	0x00, 0x01, 0xcc,		/* vec16 of 1 */
};

static void
test_values(void **state)
{
	struct sd_rd r = sd_rd_make(bytes, sizeof(bytes)), v;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	(void)state;
	assert_true(sd_rd_u8(&r, &u8));
	assert_int_equal(u8, 1);
	assert_true(sd_rd_be16(&r, &u16));
	assert_int_equal(u16, 0x0203);
	assert_true(sd_rd_be24(&r, &u32));
	assert_int_equal(u32, 0x040506);
	assert_true(sd_rd_be32(&r, &u32));
	assert_int_equal(u32, 0x0708090a);
	assert_true(sd_rd_vec8(&r, &v));
	assert_int_equal(sd_rd_left(&v), 2);
	assert_int_equal(v.p[1], 0xbb);
	assert_true(sd_rd_vec16(&r, &v));
	assert_int_equal(sd_rd_left(&v), 1);
	assert_int_equal(v.p[0], 0xcc);
	assert_int_equal(sd_rd_left(&r), 0);
	assert_false(sd_rd_u8(&r, &u8));
	assert_int_equal(u8, 0);
}

static void
test_sticky_failure(void **state)
{
	static const uint8_t three[] = { 0x00, 0x05, 0x01 };	/* vec16 claims 5, has 1 */
	struct sd_rd r = sd_rd_make(three, sizeof(three)), v;
	uint8_t u8;
	uint32_t u32;

	(void)state;
	assert_false(sd_rd_vec16(&r, &v));
	assert_null(v.p);
	assert_int_equal(sd_rd_left(&r), 0);	/* sticky: nothing more can be read */
	assert_false(sd_rd_u8(&r, &u8));
	r = sd_rd_make(three, sizeof(three));
	assert_false(sd_rd_be32(&r, &u32));
	assert_int_equal(u32, 0);
	assert_int_equal(sd_rd_left(&r), 0);
}

static void
test_peek_and_trim(void **state)
{
	struct sd_rd r = sd_rd_make(bytes, sizeof(bytes));
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	(void)state;
	assert_true(sd_rd_peek_u8(&r, sizeof(bytes) - 1, &u8));
	assert_int_equal(u8, 0xcc);
	assert_false(sd_rd_peek_u8(&r, sizeof(bytes), &u8));
	assert_false(sd_rd_peek_be16(&r, sizeof(bytes) - 1, &u16));
	assert_true(sd_rd_peek_be32(&r, 6, &u32));
	assert_int_equal(u32, 0x0708090a);
	assert_false(sd_rd_peek_be32(&r, (size_t)-2, &u32));	/* no wrap-around */
	assert_int_equal(sd_rd_left(&r), sizeof(bytes));	/* peeks consume nothing */
	sd_rd_trim(&r, 3);
	assert_int_equal(sd_rd_left(&r), 3);
	sd_rd_trim(&r, 10);
	assert_int_equal(sd_rd_left(&r), 3);
}

/* Every prefix in an exact-size heap copy: no read past the end (ASan), clean failure. */
static void
test_prefixes(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(bytes); n++) {
		uint8_t *cp = malloc(n ? n : 1);
		struct sd_rd r, v;
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		bool ok;

		memcpy(cp, bytes, n);
		r = sd_rd_make(cp, n);
		ok = sd_rd_u8(&r, &u8) && sd_rd_be16(&r, &u16) && sd_rd_be24(&r, &u32) &&
		    sd_rd_be32(&r, &u32) && sd_rd_vec8(&r, &v) && sd_rd_vec16(&r, &v);
		assert_false(ok);
		free(cp);
	}
}

/* An empty reader with no buffer (p NULL, as a parser leaves an absent payload): taking
 * nothing from it succeeds and leaves it as it was (and does no NULL + 0, which clang's
 * UBSan reports; the fuzz preset replays the OpenVPN seed that did). */
static void
test_empty_null(void **state)
{
	struct sd_rd r = { NULL, 0 }, sub;
	uint8_t b;

	(void)state;
	assert_true(sd_rd_skip(&r, 0));
	assert_true(sd_rd_copy(&r, &b, 0));
	assert_true(sd_rd_sub(&r, 0, &sub));
	assert_null(r.p);
	assert_null(sub.p);
	assert_int_equal(r.len, 0);
	assert_int_equal(sub.len, 0);
	assert_false(sd_rd_skip(&r, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sticky_failure),
		cmocka_unit_test(test_peek_and_trim),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_empty_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
