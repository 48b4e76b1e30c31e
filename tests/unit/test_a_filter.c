/* tests/unit/test_a_filter.c - display filters for evidence frames (sd_frames_filter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/finding.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
eat(const char **s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*s, word, n) != 0)
		return false;
	*s += n;
	return true;
}

static bool
eat_num(const char **s, uint64_t *v)
{
	char *end;

	if (**s < '0' || **s > '9')
		return false;
	*v = strtoull(*s, &end, 10);
	*s = end;
	return true;
}

/*
 * Read back a filter of the only two forms sd_frames_filter() writes, terms joined by
 * " || ": "frame.number == N" and "(frame.number >= A && frame.number <= B)".  Marks the
 * selected frames in sel[0..max] and checks the terms ascend and do not overlap.  Fails the
 * test on anything else: a term cut short is caught here.
 */
static void
read_filter(const char *s, bool *sel, uint64_t max)
{
	uint64_t lo, hi, v, last = 0;
	bool first = true, last_single = false;

	memset(sel, 0, (size_t)(max + 1) * sizeof(*sel));
	if (*s == '\0')
		return;
	for (;;) {
		if (eat(&s, "frame.number == ")) {
			assert_true(eat_num(&s, &lo));
			hi = lo;
		} else {
			assert_true(eat(&s, "(frame.number >= "));
			assert_true(eat_num(&s, &lo));
			assert_true(eat(&s, " && frame.number <= "));
			assert_true(eat_num(&s, &hi));
			assert_true(eat(&s, ")"));
			assert_true(hi >= lo + 2);	/* a pair is written as two terms */
		}
		/* ascending; frames next to each other are a range unless only two */
		assert_true(first || lo > last);
		assert_true(first || lo > last + 1 || (lo == hi && last_single));
		assert_true(hi <= max);
		for (v = lo; v <= hi; v++)
			sel[v] = true;
		last = hi;
		last_single = lo == hi;
		first = false;
		if (*s == '\0')
			return;
		assert_true(eat(&s, " || "));
	}
}

static void
check(const uint64_t *fr, size_t n, const char *want)
{
	char buf[512];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(sd_frames_filter(fr, n, buf, sizeof(buf)), n);
	assert_string_equal(buf, want);
}

/* Ascending, each frame once, whatever order and repeats the evidence came in. */
static void
test_order_and_dedup(void **state)
{
	static const uint64_t one[] = { 8 };
	static const uint64_t two[] = { 10, 8 };
	static const uint64_t dup[] = { 9, 3, 9, 1, 3, 9 };
	static const uint64_t same[] = { 4, 4, 4 };

	(void)state;
	check(one, NELEM(one), "frame.number == 8");
	check(two, NELEM(two), "frame.number == 8 || frame.number == 10");
	/* the count returned is of entries: duplicates are selected too */
	check(dup, NELEM(dup), "frame.number == 1 || frame.number == 3 || frame.number == 9");
	check(same, NELEM(same), "frame.number == 4");
	check(NULL, 0, "");
}

/* Three or more consecutive frames are one range; a pair stays two terms (shorter). */
static void
test_ranges(void **state)
{
	static const uint64_t pair[] = { 6, 5 };
	static const uint64_t run[] = { 7, 5, 6, 6 };
	static const uint64_t mixed[] = { 20, 11, 7, 5, 6, 9, 10, 22, 23, 1 };
	static const uint64_t top[] = { UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 2, 0 };

	(void)state;
	check(pair, NELEM(pair), "frame.number == 5 || frame.number == 6");
	check(run, NELEM(run), "(frame.number >= 5 && frame.number <= 7)");
	check(mixed, NELEM(mixed), "frame.number == 1 || (frame.number >= 5 && frame.number <= 7) "
	    "|| (frame.number >= 9 && frame.number <= 11) || frame.number == 20 || "
	    "frame.number == 22 || frame.number == 23");
	check(top, NELEM(top), "frame.number == 0 || (frame.number >= 18446744073709551613 && "
	    "frame.number <= 18446744073709551615)");
}

/*
 * A buffer too small for every frame: for each size, a well-formed filter of the lowest
 * frames that fit, never a cut term, and a return that says how many entries it selects.
 */
static void
test_too_small(void **state)
{
	static const uint64_t fr[] = { 12, 3, 100, 4, 5, 6, 7, 3, 40, 41, 1000, 99, 98 };
	uint64_t sorted[NELEM(fr)];
	char full[512], buf[512];
	bool sel[1001];
	size_t len, got, prev = 0, i, full_len;

	(void)state;
	memcpy(sorted, fr, sizeof(fr));
	qsort(sorted, NELEM(sorted), sizeof(sorted[0]), cmp_u64);
	assert_int_equal(sd_frames_filter(fr, NELEM(fr), full, sizeof(full)), NELEM(fr));
	full_len = strlen(full);
	for (len = 0; len <= full_len + 1; len++) {
		memset(buf, 'x', sizeof(buf));
		got = sd_frames_filter(fr, NELEM(fr), buf, len);
		if (len == 0) {
			assert_int_equal(got, 0);
			assert_int_equal(buf[0], 'x');	/* no room even for the terminator */
			continue;
		}
		assert_true(strlen(buf) < len);
		assert_int_equal(buf[len], 'x');	/* nothing written past len */
		read_filter(buf, sel, 1000);
		/* exactly the `got` lowest entries are selected */
		for (i = 0; i < NELEM(sorted); i++)
			assert_int_equal(sel[sorted[i]], i < got);
		for (i = 0; i <= 1000; i++)
			if (sel[i])
				assert_non_null(bsearch(&(uint64_t){ i }, sorted, NELEM(sorted),
				    sizeof(sorted[0]), cmp_u64));
		assert_true(got >= prev);	/* more room never shows fewer frames */
		prev = got;
		if (len > full_len)
			assert_string_equal(buf, full);
		else
			assert_true(got < NELEM(fr));
	}
	/* no room for one term */
	assert_int_equal(sd_frames_filter(fr, NELEM(fr), buf, 17), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sd_frames_filter(fr, NELEM(fr), buf, 18), 2);	/* 3 is there twice */
	assert_string_equal(buf, "frame.number == 3");
}

/* More frames than a finding holds (a caller's own array): still sorted, still exact. */
static void
test_many(void **state)
{
	uint64_t fr[300];
	bool sel[1001];
	char *buf;
	size_t i, len = SD_FRAMES_FILTER_LEN(NELEM(fr));

	(void)state;
	for (i = 0; i < NELEM(fr); i++)
		fr[i] = i < 200 ? 1000 - 2 * i : i;	/* 200 lone even frames, then 200..299 */
	buf = malloc(len);
	assert_non_null(buf);
	assert_int_equal(sd_frames_filter(fr, NELEM(fr), buf, len), NELEM(fr));
	read_filter(buf, sel, 1000);
	for (i = 0; i <= 1000; i++)
		assert_int_equal(sel[i], (i >= 200 && i < 300) || (i >= 602 && i % 2 == 0));
	/* the longest frame numbers fit the size the header promises */
	for (i = 0; i < NELEM(fr); i++)
		fr[i] = UINT64_MAX - 2 * i;
	assert_int_equal(sd_frames_filter(fr, NELEM(fr), buf, len), NELEM(fr));
	free(buf);
}

/* sd_finding_filter() is sd_frames_filter() over the finding's evidence frames. */
static void
test_finding_wrapper(void **state)
{
	struct sd_findings l;
	struct sd_finding *f;
	char buf[SD_FRAMES_FILTER_LEN(SD_FINDING_MAX_FRAMES)];
	uint64_t i;

	(void)state;
	memset(&l, 0, sizeof(l));
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "tcp|10.0.0.2|443", 1, 0, 0);
	assert_non_null(f);
	assert_int_equal(sd_finding_filter(f, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	for (i = 0; i < 100; i++)	/* past SD_FINDING_MAX_FRAMES: the first ones are kept */
		sd_finding_frame(f, 10000000000000000000ull + 3 * (100 - i));
	assert_int_equal(f->nframes, SD_FINDING_MAX_FRAMES);
	assert_int_equal(sd_finding_filter(f, buf, sizeof(buf)), SD_FINDING_MAX_FRAMES);
	assert_int_equal(strncmp(buf, "frame.number == 10000000000000000207 || ", 40), 0);
	sd_finding_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_dedup),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_finding_wrapper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
