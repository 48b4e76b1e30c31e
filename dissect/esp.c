/* dissect/esp.c - ESP header (RFC 4303) and the per-SA sequence table. */
#include "dissect/esp.h"

#include <stdlib.h>
#include <string.h>

#define ESP_DEFAULT_MAX	65536
#define ESP_WINDOW	64

struct esp_node {
	struct esp_node	*next;
	uint64_t	 order;		/* insertion order: ties in first_frame */
	struct sd_esp_sa sa;
};

struct sd_esp_table {
	struct esp_node	**bucket;
	size_t		 nbuckets;	/* power of two */
	size_t		 count, max;
	uint64_t	 inserted, dropped;
	struct sd_memcap *mc;
};

enum sd_rc
sd_esp_parse(struct sd_rd r, struct sd_esp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->len = sd_rd_left(&r);
	if (!sd_rd_be32(&r, &h->spi))
		return SD_TRUNCATED;
	if (h->spi == 0)
		return SD_MALFORMED;
	h->has_spi = true;
	if (!sd_rd_be32(&r, &h->seq))
		return SD_TRUNCATED;
	h->has_seq = true;
	return SD_OK;
}

enum sd_rc
sd_esp_skip_ah(struct sd_rd r, uint8_t *next, struct sd_rd *inner)
{
	uint8_t words;

	*inner = sd_rd_make(NULL, 0);
	/* Next Header, Payload Len in 32-bit words minus 2, then the rest */
	if (!sd_rd_u8(&r, next) || !sd_rd_u8(&r, &words))
		return SD_TRUNCATED;
	if (!sd_rd_skip(&r, ((size_t)words + 2) * 4 - 2))
		return SD_TRUNCATED;
	*inner = r;
	return SD_OK;
}

struct sd_esp_table *
sd_esp_new(struct sd_memcap *mc, size_t max_sas)
{
	struct sd_esp_table *t;
	size_t nb = 64;

	if (max_sas == 0)
		max_sas = ESP_DEFAULT_MAX;
	while (nb < max_sas && nb < 65536)
		nb <<= 1;
	if (!sd_memcap_take(mc, sizeof(*t) + nb * sizeof(t->bucket[0])))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL || (t->bucket = calloc(nb, sizeof(t->bucket[0]))) == NULL) {
		free(t);
		sd_memcap_give(mc, sizeof(*t) + nb * sizeof(t->bucket[0]));
		return NULL;
	}
	t->nbuckets = nb;
	t->max = max_sas;
	t->mc = mc;
	return t;
}

static void
free_nodes(struct sd_esp_table *t)
{
	struct esp_node *n, *nx;
	size_t i;

	for (i = 0; i < t->nbuckets; i++) {
		for (n = t->bucket[i]; n != NULL; n = nx) {
			nx = n->next;
			free(n);
			sd_memcap_give(t->mc, sizeof(*n));
		}
		t->bucket[i] = NULL;
	}
	t->count = 0;
}

void
sd_esp_free(struct sd_esp_table *t)
{
	if (t == NULL)
		return;
	free_nodes(t);
	free(t->bucket);
	sd_memcap_give(t->mc, sizeof(*t) + t->nbuckets * sizeof(t->bucket[0]));
	free(t);
}

uint64_t
sd_esp_dropped(const struct sd_esp_table *t)
{
	return t->dropped;
}

size_t
sd_esp_count(const struct sd_esp_table *t)
{
	return t->count;
}

/* FNV-1a over the key fields, byte by byte (no struct padding hashed). */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static size_t
hash_key(const struct sd_esp_table *t, const struct sd_esp_pkt *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t e = p->udp_encap ? 1 : 0;

	h = fnv(h, p->src.a, sizeof(p->src.a));
	h = fnv(h, &p->src.v, 1);
	h = fnv(h, p->dst.a, sizeof(p->dst.a));
	h = fnv(h, &p->dst.v, 1);
	h = fnv(h, &p->spi, sizeof(p->spi));
	h = fnv(h, &e, 1);
	return (size_t)(h & (t->nbuckets - 1));
}

static bool
key_eq(const struct sd_esp_sa *sa, const struct sd_esp_pkt *p)
{
	return sa->spi == p->spi && sa->udp_encap == p->udp_encap &&
	    sd_ip_addr_cmp(&sa->src, &p->src) == 0 && sd_ip_addr_cmp(&sa->dst, &p->dst) == 0;
}

/* Sequence number bookkeeping of one packet after the first. */
static void
track_seq(struct sd_esp_sa *sa, uint32_t seq)
{
	uint32_t d;

	if (seq > sa->seq_max) {
		d = seq - sa->seq_max;
		if (d > 1) {
			sa->gaps++;
			sa->missing += d - 1;
		}
		sa->window = d >= ESP_WINDOW ? 1 : (sa->window << d) | 1;
		sa->seq_max = seq;
		return;
	}
	d = sa->seq_max - seq;
	if (d >= ESP_WINDOW) {
		sa->stale++;
	} else if (sa->window & ((uint64_t)1 << d)) {
		sa->replays++;
	} else {
		sa->window |= (uint64_t)1 << d;
		sa->reordered++;
		if (sa->missing > 0)
			sa->missing--;
	}
}

enum sd_rc
sd_esp_add(struct sd_esp_table *t, const struct sd_esp_pkt *p)
{
	struct esp_node *n;
	size_t b = hash_key(t, p);

	for (n = t->bucket[b]; n != NULL; n = n->next)
		if (key_eq(&n->sa, p))
			break;
	if (n == NULL) {
		if (t->count >= t->max || !sd_memcap_take(t->mc, sizeof(*n))) {
			t->dropped++;
			return SD_ENOMEM;
		}
		if ((n = calloc(1, sizeof(*n))) == NULL) {
			sd_memcap_give(t->mc, sizeof(*n));
			t->dropped++;
			return SD_ENOMEM;
		}
		n->order = t->inserted++;
		n->sa.src = p->src;
		n->sa.dst = p->dst;
		n->sa.sport = p->sport;
		n->sa.dport = p->dport;
		n->sa.spi = p->spi;
		n->sa.udp_encap = p->udp_encap;
		n->sa.first_frame = p->frame;
		n->sa.first_sec = p->ts_sec;
		n->sa.first_nsec = p->ts_nsec;
		if (!p->no_seq) {
			n->sa.seq_first = n->sa.seq_max = n->sa.seq_last = p->seq;
			n->sa.window = 1;
			n->sa.seq_seen = true;
		}
		n->next = t->bucket[b];
		t->bucket[b] = n;
		t->count++;
	} else if (!p->no_seq && !n->sa.seq_seen) {
		n->sa.seq_first = n->sa.seq_max = n->sa.seq_last = p->seq;
		n->sa.window = 1;
		n->sa.seq_seen = true;
	} else if (!p->no_seq) {
		track_seq(&n->sa, p->seq);
		n->sa.seq_last = p->seq;
	}
	n->sa.packets++;
	n->sa.bytes += p->bytes;
	n->sa.last_frame = p->frame;
	n->sa.last_sec = p->ts_sec;
	n->sa.last_nsec = p->ts_nsec;
	return SD_OK;
}

static int
cmp_node(const void *a, const void *b)
{
	const struct esp_node *x = *(const struct esp_node *const *)a;
	const struct esp_node *y = *(const struct esp_node *const *)b;

	if (x->sa.first_frame != y->sa.first_frame)
		return x->sa.first_frame < y->sa.first_frame ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

/*
 * Unlink the nodes `pick` selects (all when idle_sec < 0), emit them in first_frame order,
 * free them.
 */
static enum sd_rc
drain(struct sd_esp_table *t, int64_t now_sec, int64_t idle_sec, sd_esp_emit_fn emit,
    void *ctx)
{
	struct esp_node **v = NULL, **pp, *n;
	size_t i, k = 0, cnt = 0;
	enum sd_rc rc = SD_OK;

	for (i = 0; i < t->nbuckets; i++)
		for (n = t->bucket[i]; n != NULL; n = n->next)
			if (idle_sec < 0 || n->sa.last_sec < now_sec - idle_sec)
				cnt++;
	if (cnt == 0)
		return SD_OK;
	v = malloc(cnt * sizeof(*v));
	if (v == NULL)
		rc = SD_ENOMEM;
	for (i = 0; i < t->nbuckets; i++) {
		pp = &t->bucket[i];
		while ((n = *pp) != NULL) {
			if (idle_sec >= 0 && n->sa.last_sec >= now_sec - idle_sec) {
				pp = &n->next;
				continue;
			}
			*pp = n->next;
			t->count--;
			if (v != NULL) {
				v[k++] = n;
			} else {
				if (emit != NULL)
					emit(ctx, &n->sa);
				free(n);
				sd_memcap_give(t->mc, sizeof(*n));
			}
		}
	}
	if (v == NULL)
		return rc;
	qsort(v, k, sizeof(*v), cmp_node);
	for (i = 0; i < k; i++) {
		if (emit != NULL)
			emit(ctx, &v[i]->sa);
		free(v[i]);
		sd_memcap_give(t->mc, sizeof(*v[i]));
	}
	free(v);
	return rc;
}

enum sd_rc
sd_esp_flush(struct sd_esp_table *t, sd_esp_emit_fn emit, void *ctx)
{
	return drain(t, 0, -1, emit, ctx);
}

enum sd_rc
sd_esp_expire(struct sd_esp_table *t, int64_t now_sec, int64_t idle_sec, sd_esp_emit_fn emit,
    void *ctx)
{
	return drain(t, now_sec, idle_sec < 0 ? 0 : idle_sec, emit, ctx);
}

void
sd_esp_sa_event(const struct sd_esp_sa *sa, struct sd_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SD_EV_ESP;
	ev->frame = sa->first_frame;
	ev->ts_sec = sa->first_sec;
	ev->ts_nsec = sa->first_nsec;
	ev->transport = sa->udp_encap ? SD_IPPROTO_UDP : SD_IPPROTO_ESP;
	ev->src = sa->src;
	ev->dst = sa->dst;
	ev->sport = sa->udp_encap ? sa->sport : 0;
	ev->dport = sa->udp_encap ? sa->dport : 0;
	ev->u.msg = sa;
}
