/* dissect/memcap.h - a memory budget charged on every allocation that input can cause. */
#ifndef SD_DISSECT_MEMCAP_H
#define SD_DISSECT_MEMCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

struct sd_memcap {
	size_t		 used;
	size_t		 limit;		/* 0: unlimited */
	size_t		 peak;
	uint64_t	 refused;	/* charges refused at the cap */
};

/* Charge n bytes; false (and refused++) when that would pass the limit. */
static inline bool
sd_memcap_take(struct sd_memcap *m, size_t n)
{
	if (m == NULL)
		return true;
	if (m->limit != 0 && (n > m->limit || m->used > m->limit - n)) {
		m->refused++;
		return false;
	}
	m->used += n;
	if (m->used > m->peak)
		m->peak = m->used;
	return true;
}

static inline void
sd_memcap_give(struct sd_memcap *m, size_t n)
{
	if (m == NULL)
		return;
	m->used = n > m->used ? 0 : m->used - n;
}

/*
 * Check the cap, allocate, account, in one step (Suricata's HTPCalloc): n bytes zeroed,
 * or NULL (the cap refused, counted in refused, or malloc failed) with nothing charged.
 */
static inline void *
sd_memcap_calloc(struct sd_memcap *m, size_t n)
{
	void *p;

	if (!sd_memcap_take(m, n))
		return NULL;
	if ((p = calloc(1, n > 0 ? n : 1)) == NULL)
		sd_memcap_give(m, n);
	return p;
}

/* The same without zeroing. */
static inline void *
sd_memcap_malloc(struct sd_memcap *m, size_t n)
{
	void *p;

	if (!sd_memcap_take(m, n))
		return NULL;
	if ((p = malloc(n > 0 ? n : 1)) == NULL)
		sd_memcap_give(m, n);
	return p;
}

/* Free what sd_memcap_calloc/malloc gave (n: the size asked for then); NULL-safe. */
static inline void
sd_memcap_free(struct sd_memcap *m, void *p, size_t n)
{
	if (p == NULL)
		return;
	free(p);
	sd_memcap_give(m, n);
}

#endif /* SD_DISSECT_MEMCAP_H */
