/* tests/unit/test_table.c - the bounded table: lookups, LRU eviction counted, memcap,
 * insertion order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/table.h"

struct val {
	int	 n;
};

struct seen {
	int	 evicted[16];
	int	 nevicted;
	int	 dropped;
};

static void
on_evict(void *ctx, void *v)
{
	struct seen *s = ctx;

	s->evicted[s->nevicted++] = ((struct val *)v)->n;
}

static void
on_drop(void *ctx, void *v)
{
	(void)v;
	((struct seen *)ctx)->dropped++;
}

static struct val *
get(struct sd_tab *t, int k, bool create)
{
	char key[16];
	struct val *v;
	bool created;

	snprintf(key, sizeof(key), "k%d", k);
	v = sd_tab_get(t, key, strlen(key), create, &created);
	if (v != NULL && created)
		v->n = k;
	return v;
}

static void
test_lru_eviction(void **state)
{
	struct seen s = { { 0 }, 0, 0 };
	struct sd_tab_opts o = { sizeof(struct val), 3, NULL, on_evict, on_drop, &s };
	struct sd_tab *t = sd_tab_new(&o);
	struct val *v;
	size_t kl;
	int i;

	(void)state;
	assert_non_null(t);
	for (i = 1; i <= 3; i++)
		assert_non_null(get(t, i, true));
	assert_non_null(get(t, 1, false));	/* 1 used again: 2 is now the oldest */
	assert_non_null(get(t, 4, true));
	assert_int_equal(s.nevicted, 1);
	assert_int_equal(s.evicted[0], 2);
	assert_int_equal(sd_tab_evicted(t), 1);
	assert_null(get(t, 2, false));
	assert_int_equal(sd_tab_count(t), 3);
	/* insertion order: 1, 3, 4 */
	v = sd_tab_first(t);
	assert_int_equal(v->n, 1);
	assert_memory_equal(sd_tab_key(t, v, &kl), "k1", 2);
	assert_int_equal(kl, 2);
	v = sd_tab_next(t, v);
	assert_int_equal(v->n, 3);
	v = sd_tab_next(t, v);
	assert_int_equal(v->n, 4);
	assert_null(sd_tab_next(t, v));
	sd_tab_del(t, get(t, 3, false));
	assert_int_equal(sd_tab_count(t), 2);
	sd_tab_free(t);
	assert_int_equal(s.dropped, 4);	/* 2 evicted, 3 deleted, 1 and 4 freed */
}

static void
test_memcap(void **state)
{
	struct sd_memcap mc = { 0, 0, 0, 0 };
	struct seen s = { { 0 }, 0, 0 };
	struct sd_tab_opts o = { 200, 0, &mc, on_evict, NULL, &s };
	struct sd_tab *t;
	int i;

	(void)state;
	t = sd_tab_new(&o);
	assert_non_null(get(t, 0, true));
	mc.limit = mc.used * 3;		/* room for three entries */
	for (i = 1; i < 10; i++)
		assert_non_null(get(t, i, true));
	assert_int_equal(sd_tab_count(t), 3);
	assert_int_equal(sd_tab_evicted(t), 7);
	assert_true(mc.used <= mc.limit);
	mc.limit = 1;			/* nothing fits any more, even after evicting all */
	assert_null(get(t, 99, true));
	assert_int_equal(sd_tab_refused(t), 1);
	assert_int_equal(sd_tab_count(t), 0);
	sd_tab_free(t);
	assert_int_equal(mc.used, 0);
}

/* Many keys: buckets grow and every key is still found. */
static void
test_many(void **state)
{
	struct sd_tab_opts o = { sizeof(struct val), 0, NULL, NULL, NULL, NULL };
	struct sd_tab *t = sd_tab_new(&o);
	int i;

	(void)state;
	for (i = 0; i < 5000; i++)
		assert_non_null(get(t, i, true));
	for (i = 0; i < 5000; i++)
		assert_int_equal(get(t, i, false)->n, i);
	sd_tab_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
