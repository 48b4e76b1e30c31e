/* tests/unit/test_esp.c - ESP header and AH skip (dissect/esp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/helpers.h"

#include "dissect/esp.h"

static void
test_esp_parse(void **state)
{
	static const uint8_t esp[] = {
		0xc0, 0x01, 0x02, 0x03,		/* SPI */
		0x00, 0x00, 0x00, 0x2a,		/* sequence 42 */
		0x11, 0x22, 0x33,		/* ciphertext ... */
	};
	static const uint8_t zero_spi[] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	struct sd_esp_hdr h;
	size_t n;

	(void)state;
	assert_int_equal(sd_esp_parse(sd_rd_make(esp, sizeof(esp)), &h), SD_OK);
	assert_int_equal(h.spi, 0xc0010203);
	assert_int_equal(h.seq, 42);
	assert_int_equal(h.len, sizeof(esp));
	assert_true(h.has_seq);
	assert_int_equal(sd_esp_parse(sd_rd_make(zero_spi, sizeof(zero_spi)), &h),
	    SD_MALFORMED);
	for (n = 0; n < 8; n++) {
		uint8_t *cp = dup_exact(esp, n);

		assert_int_equal(sd_esp_parse(sd_rd_make(cp, n), &h), SD_TRUNCATED);
		assert_false(h.has_seq);
		/* a capture cut after the SPI still names the SA */
		assert_true(h.has_spi == (n >= 4));
		if (n >= 4)
			assert_int_equal(h.spi, 0xc0010203);
		free(cp);
	}
}

static void
test_ah_skip(void **state)
{
	static const uint8_t ah[] = {
		50,			/* next header: ESP */
		4,			/* payload len: (4 + 2) * 4 = 24 bytes of AH */
		0x00, 0x00,		/* reserved */
		0x00, 0x00, 0x01, 0x00,	/* SPI */
		0x00, 0x00, 0x00, 0x01,	/* sequence */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* ICV (96 bits) */
		0xc0, 0x01, 0x02, 0x03, 0, 0, 0, 9,	/* ESP */
	};
	struct sd_rd inner;
	uint8_t next;
	size_t n;

	(void)state;
	assert_int_equal(sd_esp_skip_ah(sd_rd_make(ah, sizeof(ah)), &next, &inner), SD_OK);
	assert_int_equal(next, 50);
	assert_int_equal(sd_rd_left(&inner), 8);
	assert_ptr_equal(inner.p, ah + 24);
	for (n = 0; n < 24; n++) {
		uint8_t *cp = dup_exact(ah, n);

		assert_int_equal(sd_esp_skip_ah(sd_rd_make(cp, n), &next, &inner), SD_TRUNCATED);
		free(cp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esp_parse),
		cmocka_unit_test(test_ah_skip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
