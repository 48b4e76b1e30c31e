/* tests/unit/test_a_catalogue.c - every finding kind has a complete, unique catalogue entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/finding.h"

static void
test_every_kind_complete(void **state)
{
	const struct sd_finding_kind *k, *o;
	size_t i, j;

	(void)state;
	for (i = 0; i < SD_K_COUNT; i++) {
		k = sd_finding_kind((enum sd_kind)i);
		assert_non_null(k);
		assert_non_null(k->kind);	/* a gap in the designated initialisers */
		assert_non_null(k->title);
		assert_non_null(k->explanation);
		assert_non_null(k->fix);
		assert_non_null(strchr(k->kind, '.'));
		assert_true(k->severity <= SD_SEV_CRITICAL);
		assert_ptr_equal(sd_finding_kind_get(k->kind), k);
		for (j = 0; j < i; j++) {
			o = sd_finding_kind((enum sd_kind)j);
			assert_string_not_equal(o->kind, k->kind);
		}
	}
	assert_null(sd_finding_kind(SD_K_COUNT));
	assert_null(sd_finding_kind_get("tls.no_such_kind"));
}

/* A finding takes its name, severity and texts from the kind it is added with. */
static void
test_add_uses_table(void **state)
{
	struct sd_findings l;
	struct sd_finding *f;

	(void)state;
	memset(&l, 0, sizeof(l));
	f = sd_finding_add(&l, SD_K_TRUST_CHAIN_UNTRUSTED, "www.example.test", 1, 0, 0);
	assert_non_null(f);
	assert_int_equal(f->k, SD_K_TRUST_CHAIN_UNTRUSTED);
	assert_string_equal(f->kind, "tls.chain_untrusted");
	assert_int_equal(f->severity, sd_finding_kind(SD_K_TRUST_CHAIN_UNTRUSTED)->severity);
	assert_null(sd_finding_add(&l, SD_K_COUNT, "x", 1, 0, 0));
	sd_finding_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_complete),
		cmocka_unit_test(test_add_uses_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
