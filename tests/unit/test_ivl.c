/* tests/unit/test_ivl.c - interval merge shared by defragmentation and TCP reassembly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/ivl.h"

struct pool {
	size_t	 budget;	/* bytes still allowed */
	int	 pieces;
};

static struct sd_ivl *
alloc(void *ctx, size_t n)
{
	struct pool *p = ctx;
	struct sd_ivl *g;

	if (n > p->budget)
		return NULL;
	p->budget -= n;
	g = malloc(sizeof(*g) + n);
	assert_non_null(g);
	p->pieces++;
	return g;
}

static void
free_all(struct sd_ivl *g)
{
	struct sd_ivl *n;

	for (; g != NULL; g = n) {
		n = g->next;
		free(g);
	}
}

/* The list as "off:bytes off:bytes". */
static void
render(const struct sd_ivl *g, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (; g != NULL && o < n; g = g->next)
		o += (size_t)snprintf(buf + o, n - o, "%s%llu:%.*s", o ? " " : "",
		    (unsigned long long)g->off, (int)g->len, (const char *)g->data);
}

static void
test_merge(void **state)
{
	struct sd_ivl *head = NULL, *last = NULL;
	struct pool p = { 1000, 0 };
	uint64_t added;
	char out[128];
	unsigned r;

	(void)state;
	r = sd_ivl_merge(&head, &last, 10, (const uint8_t *)"KLM", 3, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_NEW);
	assert_int_equal(added, 3);
	/* in order after the last piece: appended */
	r = sd_ivl_merge(&head, &last, 13, (const uint8_t *)"NO", 2, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_NEW);
	assert_int_equal(last->off, 13);
	/* before, overlapping with the same bytes: only the uncovered part is new */
	r = sd_ivl_merge(&head, &last, 8, (const uint8_t *)"IJKL", 4, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_NEW | SD_IVL_OVERLAP);
	assert_int_equal(added, 2);
	render(head, out, sizeof(out));
	assert_string_equal(out, "8:IJ 10:KLM 13:NO");
	/* a copy that differs: the first copy wins, the difference is reported */
	r = sd_ivl_merge(&head, &last, 11, (const uint8_t *)"xy", 2, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_OVERLAP | SD_IVL_DIFF);
	assert_int_equal(added, 0);
	/* a hole filled between pieces, spanning both neighbours */
	r = sd_ivl_merge(&head, &last, 0, (const uint8_t *)"ABCDEFGHIJ", 10, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_NEW | SD_IVL_OVERLAP);
	assert_int_equal(added, 8);
	render(head, out, sizeof(out));
	assert_string_equal(out, "0:ABCDEFGH 8:IJ 10:KLM 13:NO");
	free_all(head);
}

static void
test_refused(void **state)
{
	struct sd_ivl *head = NULL, *last = NULL;
	struct pool p = { 4, 0 };
	uint64_t added;
	char out[64];
	unsigned r;

	(void)state;
	r = sd_ivl_merge(&head, &last, 0, (const uint8_t *)"ab", 2, alloc, &p, &added);
	assert_int_equal(r, SD_IVL_NEW);
	r = sd_ivl_merge(&head, &last, 4, (const uint8_t *)"efgh", 4, alloc, &p, &added);
	assert_true(r & SD_IVL_NOMEM);
	assert_int_equal(added, 0);
	render(head, out, sizeof(out));
	assert_string_equal(out, "0:ab");
	assert_ptr_equal(last, head);
	free_all(head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
