/* dissect/table.h - a bounded hash table for state that spans flows (per server name, per
 * gateway pair): entries charged to a memcap, the least recently used one evicted and
 * counted when full, iteration in insertion order. */
#ifndef SD_DISSECT_TABLE_H
#define SD_DISSECT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"

struct sd_tab;

struct sd_tab_opts {
	size_t		 val_size;	/* bytes of each value, zeroed when created */
	size_t		 max;		/* entries at most; 0: only the memcap bounds it */
	struct sd_memcap *mc;		/* may be NULL */
	/*
	 * Called before an entry is pushed out to make room (not on sd_tab_del or
	 * sd_tab_free): the owner can decide what the state already shows before it goes.
	 */
	void		(*evict)(void *ctx, void *val);
	/* Called on every removal (eviction, delete, free): free what val owns. */
	void		(*drop)(void *ctx, void *val);
	void		*ctx;
};

/* NULL when memory for the table itself cannot be had. */
struct sd_tab	*sd_tab_new(const struct sd_tab_opts *);
void		 sd_tab_free(struct sd_tab *);	/* drops every entry; NULL-safe */

/*
 * The value stored under key (klen bytes, copied), marked as just used.  With create, a
 * missing key gets a new zeroed value (*created true), evicting the least recently used
 * entries when the table is full; NULL when there is no room at all (counted in
 * refused).  Without create, NULL when absent.
 */
void		*sd_tab_get(struct sd_tab *, const void *key, size_t klen, bool create,
		    bool *created);
/* Remove the entry of a value returned by sd_tab_get. */
void		 sd_tab_del(struct sd_tab *, void *val);
/* The key of a value. */
const void	*sd_tab_key(const struct sd_tab *, const void *val, size_t *klen);

/* Values in insertion order: first, then next (NULL at the end).  Do not delete while
 * iterating except the value just returned, after taking its successor. */
void		*sd_tab_first(const struct sd_tab *);
void		*sd_tab_next(const struct sd_tab *, const void *val);

size_t		 sd_tab_count(const struct sd_tab *);
uint64_t	 sd_tab_evicted(const struct sd_tab *);	/* pushed out to make room */
uint64_t	 sd_tab_refused(const struct sd_tab *);	/* not created: no room at all */

#endif /* SD_DISSECT_TABLE_H */
