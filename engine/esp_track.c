/* engine/esp_track.c - ESP per security association and per tunnel (RFC 4303 §3.4.3 sequence window). */
#include "engine/esp_track.h"

#include "dissect/hash.h"

#include <stdlib.h>
#include <string.h>

#define ESP_DEFAULT_MAX	65536
#define ESP_WINDOW	64

struct esp_node {
	struct esp_node	*next;
	uint64_t	 order;		/* insertion order: ties in first_frame */
	bool		 told;		/* its one-way tunnel was told by sd_esp_window() */
	struct sd_esp_sa sa;
};

/* sd_esp_window(): a tunnel one way for this long and this many packets is told. */
#define ESP_ONEWAY_SEC		20
#define ESP_ONEWAY_PACKETS	3

struct sd_esp_table {
	struct esp_node	**bucket;
	size_t		 nbuckets;	/* power of two */
	size_t		 count, max;
	uint64_t	 inserted, dropped;
	struct sd_memcap *mc;
};

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
			sd_memcap_free(t->mc, n, sizeof(*n));
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

/* The key fields (no struct padding hashed), a word at a time: every ESP packet asks. */
static size_t
hash_key(const struct sd_esp_table *t, const struct sd_esp_pkt *p)
{
	uint64_t h = SD_HASH_INIT;
	uint64_t small = (uint64_t)p->spi << 32 | (uint64_t)p->src.v << 16 |
	    (uint64_t)p->dst.v << 8 | (p->udp_encap ? 1u : 0u) | (p->tcp_encap ? 2u : 0u);

	h = sd_hash_words(h, p->src.a, sizeof(p->src.a));
	h = sd_hash_words(h, p->dst.a, sizeof(p->dst.a));
	h = sd_hash_words(h, &small, sizeof(small));
	return (size_t)(sd_hash_mix(h) & (t->nbuckets - 1));
}

static bool
key_eq(const struct sd_esp_sa *sa, const struct sd_esp_pkt *p)
{
	return sa->spi == p->spi && sa->udp_encap == p->udp_encap &&
	    sa->tcp_encap == p->tcp_encap &&
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
		if (t->count >= t->max || (n = sd_memcap_calloc(t->mc, sizeof(*n))) == NULL) {
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
		n->sa.tcp_encap = p->tcp_encap;
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
struct held;
static void	tunnels(struct esp_node **v, size_t k, sd_esp_tunnel_fn tun, void *ctx,
		    struct held *h);

static enum sd_rc
drain(struct sd_esp_table *t, int64_t now_sec, int64_t idle_sec, sd_esp_emit_fn emit,
    sd_esp_tunnel_fn tun, void *ctx)
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
				sd_memcap_free(t->mc, n, sizeof(*n));
			}
		}
	}
	if (v == NULL)
		return rc;
	qsort(v, k, sizeof(*v), cmp_node);
	for (i = 0; i < k; i++)
		if (emit != NULL)
			emit(ctx, &v[i]->sa);
	if (tun != NULL)
		tunnels(v, k, tun, ctx, NULL);
	for (i = 0; i < k; i++) {
		free(v[i]);
		sd_memcap_give(t->mc, sizeof(*v[i]));
	}
	free(v);
	return rc;
}

enum sd_rc
sd_esp_flush(struct sd_esp_table *t, sd_esp_emit_fn emit, void *ctx)
{
	return drain(t, 0, -1, emit, NULL, ctx);
}

enum sd_rc
sd_esp_flush_tunnels(struct sd_esp_table *t, sd_esp_emit_fn emit, sd_esp_tunnel_fn tun,
    void *ctx)
{
	return drain(t, 0, -1, emit, tun, ctx);
}

enum sd_rc
sd_esp_expire(struct sd_esp_table *t, int64_t now_sec, int64_t idle_sec, sd_esp_emit_fn emit,
    void *ctx)
{
	return drain(t, now_sec, idle_sec < 0 ? 0 : idle_sec, emit, NULL, ctx);
}

void
sd_esp_sa_event(const struct sd_esp_sa *sa, struct sd_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SD_EV_ESP;
	ev->frame = sa->first_frame;
	ev->ts_sec = sa->first_sec;
	ev->ts_nsec = sa->first_nsec;
	ev->transport = sa->udp_encap ? SD_IPPROTO_UDP :
	    sa->tcp_encap ? SD_IPPROTO_TCP : SD_IPPROTO_ESP;
	ev->src = sa->src;
	ev->dst = sa->dst;
	ev->sport = sa->udp_encap || sa->tcp_encap ? sa->sport : 0;
	ev->dport = sa->udp_encap || sa->tcp_encap ? sa->dport : 0;
	ev->u.msg.esp = sa;
}

/* Order for grouping: unordered address pair, encapsulation, then first_frame. */
static int
cmp_pair(const void *a, const void *b)
{
	const struct sd_esp_sa *x = &(*(const struct esp_node *const *)a)->sa;
	const struct sd_esp_sa *y = &(*(const struct esp_node *const *)b)->sa;
	const struct sd_addr *xl, *xh, *yl, *yh;
	int c, ex, ey;

	xl = sd_ip_addr_cmp(&x->src, &x->dst) <= 0 ? &x->src : &x->dst;
	xh = xl == &x->src ? &x->dst : &x->src;
	yl = sd_ip_addr_cmp(&y->src, &y->dst) <= 0 ? &y->src : &y->dst;
	yh = yl == &y->src ? &y->dst : &y->src;
	if ((c = sd_ip_addr_cmp(xl, yl)) != 0 || (c = sd_ip_addr_cmp(xh, yh)) != 0)
		return c;
	ex = (x->udp_encap ? 1 : 0) | (x->tcp_encap ? 2 : 0);
	ey = (y->udp_encap ? 1 : 0) | (y->tcp_encap ? 2 : 0);
	if (ex != ey)
		return ex < ey ? -1 : 1;
	return cmp_node(a, b);
}

static bool
same_tunnel(const struct sd_esp_sa *x, const struct sd_esp_sa *y)
{
	if (x->udp_encap != y->udp_encap || x->tcp_encap != y->tcp_encap)
		return false;
	return (sd_ip_addr_cmp(&x->src, &y->src) == 0 && sd_ip_addr_cmp(&x->dst, &y->dst) == 0) ||
	    (sd_ip_addr_cmp(&x->src, &y->dst) == 0 && sd_ip_addr_cmp(&x->dst, &y->src) == 0);
}

struct run {
	size_t		 start, n;
	uint64_t	 first_frame, order;
};

static int
cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* sd_esp_window(): tunnels are handed on one late, so that the last one is known. */
struct held {
	sd_esp_tunnel_fn	 tun;
	void			*ctx;
	struct sd_esp_tunnel	 tn;
	const struct sd_esp_sa	**sas;
	bool			 have;
};

static void
held_flush(struct held *h, bool last)
{
	if (!h->have)
		return;
	h->tn.last_interim = last;
	h->tun(h->ctx, &h->tn);
	free(h->sas);
	h->have = false;
}

static void
emit_run(struct esp_node **g, size_t n, sd_esp_tunnel_fn tun, void *ctx, struct held *h)
{
	bool interim = h != NULL;

	const struct sd_esp_sa **sas;
	struct sd_esp_tunnel tn;
	size_t i;
	int d;

	sas = malloc(n * sizeof(*sas));
	if (sas == NULL)
		return;
	memset(&tn, 0, sizeof(tn));
	tn.a = g[0]->sa.src;
	tn.b = g[0]->sa.dst;
	tn.udp_encap = g[0]->sa.udp_encap;
	tn.tcp_encap = g[0]->sa.tcp_encap;
	for (i = 0; i < n; i++) {
		const struct sd_esp_sa *sa = &g[i]->sa;

		sas[i] = sa;
		d = sd_ip_addr_cmp(&sa->src, &tn.a) == 0 ? 0 : 1;
		if (tn.dir[d].packets == 0 || sa->first_frame < tn.dir[d].first_frame) {
			tn.dir[d].first_frame = sa->first_frame;
			tn.dir[d].first_sec = sa->first_sec;
			tn.dir[d].first_nsec = sa->first_nsec;
		}
		if (tn.dir[d].packets == 0 || sa->last_frame > tn.dir[d].last_frame) {
			tn.dir[d].last_frame = sa->last_frame;
			tn.dir[d].last_sec = sa->last_sec;
			tn.dir[d].last_nsec = sa->last_nsec;
		}
		tn.dir[d].packets += sa->packets;
		tn.dir[d].bytes += sa->bytes;
	}
	tn.sas = sas;
	tn.nsas = n;
	tn.one_way = tn.dir[0].packets == 0 || tn.dir[1].packets == 0;
	if (interim) {
		/* only a tunnel one way for long enough, with an SA not told before */
		bool fresh = false;

		d = tn.dir[0].packets > 0 ? 0 : 1;
		for (i = 0; i < n; i++)
			fresh |= !g[i]->told;
		if (!tn.one_way || !fresh || tn.dir[d].packets < ESP_ONEWAY_PACKETS ||
		    tn.dir[d].last_sec - tn.dir[d].first_sec < ESP_ONEWAY_SEC) {
			free(sas);
			return;
		}
		for (i = 0; i < n; i++)
			g[i]->told = true;
		tn.interim = true;
		held_flush(h, false);
		h->tn = tn;
		h->sas = sas;
		h->have = true;
		return;
	}
	tun(ctx, &tn);
	free(sas);
}

/* Group the SAs (v: first_frame order, left so) into tunnels and emit them. */
static void
tunnels(struct esp_node **v, size_t k, sd_esp_tunnel_fn tun, void *ctx, struct held *h)
{
	struct esp_node **w;
	struct run *r;
	size_t i, nr = 0;

	if (k == 0)
		return;
	w = malloc(k * sizeof(*w));
	r = malloc(k * sizeof(*r));
	if (w == NULL || r == NULL) {
		free(w);
		free(r);
		return;
	}
	memcpy(w, v, k * sizeof(*w));
	qsort(w, k, sizeof(*w), cmp_pair);
	for (i = 0; i < k; i++) {
		if (nr > 0 && same_tunnel(&w[r[nr - 1].start]->sa, &w[i]->sa)) {
			r[nr - 1].n++;
			continue;
		}
		r[nr].start = i;
		r[nr].n = 1;
		r[nr].first_frame = w[i]->sa.first_frame;
		r[nr].order = w[i]->order;
		nr++;
	}
	qsort(r, nr, sizeof(*r), cmp_run);
	for (i = 0; i < nr; i++)
		emit_run(w + r[i].start, r[i].n, tun, ctx, h);
	free(w);
	free(r);
}

void
sd_esp_tunnel_event(const struct sd_esp_tunnel *tn, struct sd_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SD_EV_ESP_TUNNEL;
	ev->frame = tn->dir[0].first_frame;
	ev->ts_sec = tn->dir[0].first_sec;
	ev->ts_nsec = tn->dir[0].first_nsec;
	ev->transport = tn->udp_encap ? SD_IPPROTO_UDP :
	    tn->tcp_encap ? SD_IPPROTO_TCP : SD_IPPROTO_ESP;
	ev->src = tn->a;
	ev->dst = tn->b;
	if (tn->nsas > 0 && (tn->udp_encap || tn->tcp_encap)) {
		ev->sport = tn->sas[0]->sport;
		ev->dport = tn->sas[0]->dport;
	}
	ev->u.msg.tunnel = tn;
}

enum sd_rc
sd_esp_window(struct sd_esp_table *t, sd_esp_tunnel_fn tun, void *ctx)
{
	struct esp_node **v, *n;
	struct held h;
	size_t i, k = 0;

	if (t->count == 0)
		return SD_OK;
	if ((v = malloc(t->count * sizeof(*v))) == NULL)
		return SD_ENOMEM;
	for (i = 0; i < t->nbuckets; i++)
		for (n = t->bucket[i]; n != NULL && k < t->count; n = n->next)
			v[k++] = n;
	qsort(v, k, sizeof(*v), cmp_node);
	memset(&h, 0, sizeof(h));
	h.tun = tun;
	h.ctx = ctx;
	tunnels(v, k, tun, ctx, &h);
	held_flush(&h, true);
	free(v);
	return SD_OK;
}
