/* tests/unit/test_alloc.c - error paths when an allocation fails (cli/alloc.c injects the
 * failure): nothing freed that a caller still holds, no abort, the loss counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/alloc.h"
#include "cli/json.h"
#include "dissect/table.h"

struct val {
	int	 n;
};

/*
 * A failed entry allocation must not evict: a certificate chain is looked up one
 * certificate at a time and the values already returned are still read (the trust rules
 * read freed strings when the table emptied itself to make room).
 */
static void
test_table_keeps_entries(void **state)
{
	struct sd_tab_opts o = { sizeof(struct val), 16, NULL, NULL, NULL, NULL };
	struct sd_tab *t = sd_tab_new(&o);
	struct val *a, *b;
	bool created;
	uint64_t before = sd_alloc_failures();

	(void)state;
	assert_non_null(t);
	a = sd_tab_get(t, "leaf", 4, true, &created);
	assert_non_null(a);
	a->n = 7;
	sd_alloc_fail_in(1);
	b = sd_tab_get(t, "issuer", 6, true, &created);
	sd_alloc_fail_in(0);
	assert_null(b);
	assert_false(created);
	assert_int_equal(sd_alloc_failures(), before + 1);
	/* the first value is still there, and still the same */
	assert_ptr_equal(sd_tab_get(t, "leaf", 4, false, NULL), a);
	assert_int_equal(a->n, 7);
	assert_int_equal(sd_tab_count(t), 1);
	sd_tab_free(t);
}

static char *
line_of(struct sd_json *j, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_true(sd_out_json_end_line(j, f));
	fclose(f);
	return buf;
}

/* The writer's buffer cannot grow: the line is dropped whole and counted, no abort. */
static void
test_json_drops_the_line(void **state)
{
	struct sd_json j;
	uint64_t before = sd_out_json_dropped();
	size_t len;
	char *s;

	(void)state;
	sd_out_json_init(&j);
	sd_alloc_fail_in(1);
	sd_out_json_obj_begin(&j, NULL);
	sd_alloc_fail_in(0);
	sd_out_json_str(&j, "type", "finding");
	sd_out_json_obj_end(&j);
	s = line_of(&j, &len);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(sd_out_json_dropped(), before + 1);
	/* hex values write into the buffer directly: the first value of a fresh writer */
	sd_out_json_free(&j);
	sd_alloc_fail_in(1);
	sd_out_json_hex(&j, NULL, (const uint8_t *)"\x01\x02", 2);
	sd_alloc_fail_in(0);
	s = line_of(&j, &len);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(sd_out_json_dropped(), before + 2);
	/* the next line is whole */
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_str(&j, "type", "summary");
	sd_out_json_obj_end(&j);
	s = line_of(&j, &len);
	assert_string_equal(s, "{\"type\":\"summary\"}\n");
	free(s);
	sd_out_json_free(&j);
	assert_int_equal(sd_out_json_dropped(), before + 2);
}

/* A line past SD_JSON_MAX_LINE (a string a packet made huge) is dropped, not written cut. */
static void
test_json_line_cap(void **state)
{
	struct sd_json j;
	uint64_t before = sd_out_json_dropped();
	size_t n = SD_JSON_MAX_LINE, len;
	char *big = malloc(n + 1), *s;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	sd_out_json_init(&j);
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_str(&j, "subject", big);
	sd_out_json_obj_end(&j);
	assert_true(j.failed);
	s = line_of(&j, &len);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(sd_out_json_dropped(), before + 1);
	/* just under the cap still fits */
	big[n - 64] = '\0';
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_str(&j, "subject", big);
	sd_out_json_obj_end(&j);
	s = line_of(&j, &len);
	assert_int_equal(len, n - 64 + strlen("{\"subject\":\"\"}\n"));
	free(s);
	sd_out_json_free(&j);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_keeps_entries),
		cmocka_unit_test(test_json_drops_the_line),
		cmocka_unit_test(test_json_line_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
