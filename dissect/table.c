/* dissect/table.c - bounded hash table with LRU eviction and insertion-order iteration. */
#include "dissect/table.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"

/* Entry header; the value follows (aligned), then the key bytes. */
struct ent {
	struct ent	*hnext;
	struct ent	*lru_prev, *lru_next;	/* head: least recently used */
	struct ent	*ins_prev, *ins_next;	/* insertion order */
	uint64_t	 hash;
	size_t		 klen;
};

#define ENT_HDR	((sizeof(struct ent) + alignof(max_align_t) - 1) & \
	~(alignof(max_align_t) - 1))

struct sd_tab {
	struct sd_tab_opts	 o;
	struct ent		**bucket;
	size_t			 nbucket;	/* power of two */
	struct ent		*lru_head, *lru_tail;
	struct ent		*ins_head, *ins_tail;
	size_t			 count;
	uint64_t		 evicted, refused;
};

static struct ent *
ent_of(const void *val)
{
	return (struct ent *)(void *)((char *)(uintptr_t)val - ENT_HDR);
}

static void *
val_of(struct ent *e)
{
	return (char *)e + ENT_HDR;
}

static uint8_t *
key_of(struct ent *e, const struct sd_tab *t)
{
	return (uint8_t *)e + ENT_HDR + t->o.val_size;
}

static size_t
ent_size(const struct sd_tab *t, size_t klen)
{
	return ENT_HDR + t->o.val_size + klen;
}

struct sd_tab *
sd_tab_new(const struct sd_tab_opts *o)
{
	struct sd_tab *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->o = *o;
	t->nbucket = 64;
	t->bucket = calloc(t->nbucket, sizeof(*t->bucket));
	if (t->bucket == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void
unlink_lists(struct sd_tab *t, struct ent *e)
{
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	else
		t->lru_tail = e->lru_prev;
	if (e->ins_prev != NULL)
		e->ins_prev->ins_next = e->ins_next;
	else
		t->ins_head = e->ins_next;
	if (e->ins_next != NULL)
		e->ins_next->ins_prev = e->ins_prev;
	else
		t->ins_tail = e->ins_prev;
}

static void
remove_ent(struct sd_tab *t, struct ent *e)
{
	struct ent **pp = &t->bucket[e->hash & (t->nbucket - 1)];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	unlink_lists(t, e);
	if (t->o.drop != NULL)
		t->o.drop(t->o.ctx, val_of(e));
	sd_memcap_free(t->o.mc, e, ent_size(t, e->klen));
	t->count--;
}

void
sd_tab_free(struct sd_tab *t)
{
	if (t == NULL)
		return;
	while (t->ins_head != NULL)
		remove_ent(t, t->ins_head);
	free(t->bucket);
	free(t);
}

static void
lru_touch(struct sd_tab *t, struct ent *e)
{
	if (t->lru_tail == e)
		return;
	if (e->lru_prev != NULL)
		e->lru_prev->lru_next = e->lru_next;
	else
		t->lru_head = e->lru_next;
	if (e->lru_next != NULL)
		e->lru_next->lru_prev = e->lru_prev;
	e->lru_prev = t->lru_tail;
	e->lru_next = NULL;
	if (t->lru_tail != NULL)
		t->lru_tail->lru_next = e;
	else
		t->lru_head = e;
	t->lru_tail = e;
}

/* Double the buckets when the chains grow long; failure only costs speed. */
static void
grow(struct sd_tab *t)
{
	size_t n = t->nbucket * 2, i;
	struct ent **nb, *e, *next;

	if (t->count < t->nbucket || n > ((size_t)1 << 24))
		return;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	for (i = 0; i < t->nbucket; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nb[e->hash & (n - 1)];
			nb[e->hash & (n - 1)] = e;
		}
	free(t->bucket);
	t->bucket = nb;
	t->nbucket = n;
}

/* Push the least recently used entry out; false when there is none. */
static bool
evict_one(struct sd_tab *t)
{
	struct ent *e = t->lru_head;

	if (e == NULL)
		return false;
	if (t->o.evict != NULL)
		t->o.evict(t->o.ctx, val_of(e));
	remove_ent(t, e);
	t->evicted++;
	return true;
}

void *
sd_tab_get(struct sd_tab *t, const void *key, size_t klen, bool create, bool *created)
{
	uint64_t h = sd_hash_mix(sd_hash_words(SD_HASH_INIT, key, klen));
	struct ent *e, **b;

	if (created != NULL)
		*created = false;
	for (e = t->bucket[h & (t->nbucket - 1)]; e != NULL; e = e->hnext)
		if (e->hash == h && e->klen == klen && memcmp(key_of(e, t), key, klen) == 0) {
			lru_touch(t, e);
			return val_of(e);
		}
	if (!create)
		return NULL;
	if (t->o.max != 0 && t->count >= t->o.max)
		(void)evict_one(t);
	/*
	 * Evict for room under the memory cap only.  When malloc itself fails, give up
	 * without evicting: the caller may hold values that sd_tab_get() just returned (a
	 * certificate chain looked up one by one), and emptying the table would free them.
	 */
	while (!sd_memcap_take(t->o.mc, ent_size(t, klen)))
		if (!evict_one(t)) {
			t->refused++;
			return NULL;
		}
	if ((e = calloc(1, ent_size(t, klen))) == NULL) {
		sd_memcap_give(t->o.mc, ent_size(t, klen));
		t->refused++;
		return NULL;
	}
	e->hash = h;
	e->klen = klen;
	memcpy(key_of(e, t), key, klen);
	b = &t->bucket[h & (t->nbucket - 1)];
	e->hnext = *b;
	*b = e;
	e->lru_prev = t->lru_tail;
	if (t->lru_tail != NULL)
		t->lru_tail->lru_next = e;
	else
		t->lru_head = e;
	t->lru_tail = e;
	e->ins_prev = t->ins_tail;
	if (t->ins_tail != NULL)
		t->ins_tail->ins_next = e;
	else
		t->ins_head = e;
	t->ins_tail = e;
	t->count++;
	grow(t);
	if (created != NULL)
		*created = true;
	return val_of(e);
}

void
sd_tab_del(struct sd_tab *t, void *val)
{
	if (val != NULL)
		remove_ent(t, ent_of(val));
}

const void *
sd_tab_key(const struct sd_tab *t, const void *val, size_t *klen)
{
	struct ent *e = ent_of(val);

	*klen = e->klen;
	return key_of(e, t);
}

void *
sd_tab_first(const struct sd_tab *t)
{
	return t->ins_head != NULL ? val_of(t->ins_head) : NULL;
}

void *
sd_tab_next(const struct sd_tab *t, const void *val)
{
	struct ent *e = ent_of(val)->ins_next;

	(void)t;
	return e != NULL ? val_of(e) : NULL;
}

size_t
sd_tab_count(const struct sd_tab *t)
{
	return t->count;
}

uint64_t
sd_tab_evicted(const struct sd_tab *t)
{
	return t->evicted;
}

uint64_t
sd_tab_refused(const struct sd_tab *t)
{
	return t->refused;
}
