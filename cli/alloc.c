/*
 * cli/alloc.c - the one gate of shakedown's own heap allocations (linker --wrap, see
 * cli/alloc.h): counts the allocations that fail, and in a -DSD_ALLOC_FAIL=ON build makes
 * the Nth one fail on purpose, so that tests can prove every error path (tests/allocfail).
 */
#include "cli/alloc.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The real functions (the linker maps __real_x to x) and their wrappers. */
void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
char	*__real_strdup(const char *);
char	*__real_strndup(const char *, size_t);
FILE	*__real_open_memstream(char **, size_t *);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
char	*__wrap_strdup(const char *);
char	*__wrap_strndup(const char *, size_t);
FILE	*__wrap_open_memstream(char **, size_t *);

static atomic_uint_least64_t failures;
static const char *_Atomic phase = "setup";

#ifdef SD_ALLOC_FAIL
static atomic_uint_least64_t calls;
static uint64_t fail_at;	/* 0: count only */
static bool fail_after;		/* "N+": every allocation from N on fails */
static bool armed;		/* SD_ALLOC_FAIL was set */
static uint64_t first_failed;	/* the number of the first injected failure */
static const char *first_phase;
static uint64_t packets_from, output_from;	/* the first allocation of each phase */

__attribute__((constructor)) static void
read_env(void)
{
	const char *v = getenv("SD_ALLOC_FAIL");
	char *end;

	if (v == NULL || *v == '\0')
		return;
	armed = true;
	fail_at = strtoull(v, &end, 10);
	fail_after = *end == '+';
}

__attribute__((destructor)) static void
say_counts(void)
{
	if (!armed)
		return;
	if (fail_at == 0)
		fprintf(stderr, "shakedown: allocfail: %llu allocations, packets from #%llu, "
		    "output from #%llu\n", (unsigned long long)atomic_load(&calls),
		    (unsigned long long)packets_from, (unsigned long long)output_from);
	else
		fprintf(stderr, "shakedown: allocfail: %llu allocations, %llu failed, first at #%llu"
		    " in phase %s\n", (unsigned long long)atomic_load(&calls),
		    (unsigned long long)atomic_load(&failures), (unsigned long long)first_failed,
		    first_phase != NULL ? first_phase : "none");
}

/* true: this allocation is to fail. */
static bool
inject(void)
{
	uint64_t n;

	if (!armed)
		return false;
	n = atomic_fetch_add(&calls, 1) + 1;
	if (fail_at == 0 || n < fail_at || (n > fail_at && !fail_after))
		return false;
	if (n == fail_at) {
		first_failed = n;
		first_phase = atomic_load(&phase);
	}
	atomic_fetch_add(&failures, 1);
	return true;
}
#else
static inline bool
inject(void)
{
	return false;
}
#endif

/* p from a real call: count it when it is NULL. */
static void *
seen(void *p)
{
	if (p == NULL)
		atomic_fetch_add(&failures, 1);
	return p;
}

void *
__wrap_malloc(size_t n)
{
	return inject() ? NULL : seen(__real_malloc(n));
}

void *
__wrap_calloc(size_t n, size_t sz)
{
	return inject() ? NULL : seen(__real_calloc(n, sz));
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (inject())
		return NULL;
	q = __real_realloc(p, n);
	return n > 0 ? seen(q) : q;	/* realloc(p, 0) may free p and give NULL */
}

char *
__wrap_strdup(const char *s)
{
	return inject() ? NULL : seen(__real_strdup(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return inject() ? NULL : seen(__real_strndup(s, n));
}

FILE *
__wrap_open_memstream(char **buf, size_t *len)
{
	return inject() ? NULL : seen(__real_open_memstream(buf, len));
}

void
sd_alloc_fail_in(uint64_t k)
{
#ifdef SD_ALLOC_FAIL
	armed = k != 0;
	fail_after = false;
	fail_at = k == 0 ? 0 : atomic_load(&calls) + k;
#else
	(void)k;
#endif
}

uint64_t
sd_alloc_failures(void)
{
	return atomic_load(&failures);
}

void
sd_alloc_phase(const char *p)
{
	atomic_store(&phase, p);
#ifdef SD_ALLOC_FAIL
	if (strcmp(p, "packets") == 0 && packets_from == 0)
		packets_from = atomic_load(&calls) + 1;
	else if (strcmp(p, "output") == 0 && output_from == 0)
		output_from = atomic_load(&calls) + 1;
#endif
}
