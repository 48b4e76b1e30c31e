/* engine/flow.c - bidirectional flow table with LRU idle expiry and a hard cap. */
#include "engine/flow.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"
#include "dissect/l4.h"

/*
 * Idle timeout classes.  Each has its own LRU list, so that the head of each list is the
 * next flow of that class to time out: with one list for all, a head of UDP flows (180 s)
 * hid the closed TCP connections (then 30 s) behind it, and they were never ended.
 */
enum { TC_CLOSED, TC_CLOSING, TC_SYN, TC_UDP, TC_OTHER, TC_IDLE, TC_N };

struct sd_flow_table {
	struct sd_flow		**buckets;
	uint32_t		 nbuckets;	/* power of two */
	/* per timeout class; head: least recently active */
	struct sd_flow		*lru_head[TC_N], *lru_tail[TC_N];
	struct sd_flow_limits	 lim;
	struct sd_memcap	*mc;
	sd_flow_end_fn		*end_fn;
	void			*end_ctx;
	uint64_t		 next_id;
	uint64_t		 seq;		/* touches so far: the LRU order across lists */
	struct sd_flow_stats	 st;
};

/* Ports whose owner is the server when a flow starts without a SYN. */
bool
sd_flow_port_is_service(uint8_t proto, uint16_t port)
{
	switch (port) {
	case 21: case 22: case 25: case 53: case 80: case 110: case 123: case 143:
	case 389: case 443: case 465: case 500: case 514: case 587: case 636:
	case 853: case 989: case 990: case 993: case 995: case 1194: case 1701:
	case 3128: case 3389: case 4433: case 4500: case 4789: case 5061: case 5246: case 5247:
	case 5684: case 8080: case 8443: case 10161: case 10162:
		return true;
	default:
		break;
	}
	(void)proto;
	return false;
}

/* One endpoint (address, port). */
static uint64_t
end_hash(const struct sd_addr *a, uint16_t port)
{
	uint64_t h = sd_hash(SD_HASH_INIT, a->a, a->v == 6 ? 16 : 4);

	return sd_hash(h, &port, sizeof(port));
}

/* Symmetric: the same for both directions of a flow (workers split flows by it too). */
static uint32_t
flow_hash(uint8_t proto, const struct sd_addr *s, uint16_t sp, const struct sd_addr *d,
    uint16_t dp)
{
	uint64_t a = end_hash(s, sp), b = end_hash(d, dp);

	return (uint32_t)sd_hash_mix((a ^ b) + (a < b ? a : b) * 31u + proto);
}

static bool
addr_eq(const struct sd_addr *x, const struct sd_addr *y)
{
	uint64_t x0, x1, y0, y1;
	uint32_t x4, y4;

	/* fixed-size loads, not a call to memcmp: this runs for every packet */
	if (x->v != y->v)
		return false;
	if (x->v != 6) {
		memcpy(&x4, x->a, 4);
		memcpy(&y4, y->a, 4);
		return x4 == y4;
	}
	memcpy(&x0, x->a, 8);
	memcpy(&x1, x->a + 8, 8);
	memcpy(&y0, y->a, 8);
	memcpy(&y1, y->a + 8, 8);
	return ((x0 ^ y0) | (x1 ^ y1)) == 0;
}

struct sd_flow_table *
sd_flow_table_new(const struct sd_flow_limits *lim, struct sd_memcap *mc,
    sd_flow_end_fn *end_fn, void *ctx)
{
	struct sd_flow_table *t;
	uint32_t n = 1;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	if (lim != NULL)
		t->lim = *lim;
	if (t->lim.max_flows == 0)
		t->lim.max_flows = 131072;
	if (t->lim.tcp_idle_us == 0)
		t->lim.tcp_idle_us = 3600ull * 1000000;
	if (t->lim.tcp_closed_us == 0)
		t->lim.tcp_closed_us = 10ull * 1000000;
	if (t->lim.tcp_closing_us == 0)
		t->lim.tcp_closing_us = 120ull * 1000000;
	if (t->lim.tcp_syn_us == 0)
		t->lim.tcp_syn_us = 70ull * 1000000;
	if (t->lim.udp_idle_us == 0)
		t->lim.udp_idle_us = 180ull * 1000000;
	if (t->lim.other_idle_us == 0)
		t->lim.other_idle_us = 300ull * 1000000;
	while (n < t->lim.max_flows && n < (1u << 24))
		n <<= 1;
	t->nbuckets = n;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	t->mc = mc;
	t->end_fn = end_fn;
	t->end_ctx = ctx;
	t->next_id = 1;
	return t;
}

static void
lru_unlink(struct sd_flow_table *t, struct sd_flow *f)
{
	if (f->lru_prev != NULL)
		f->lru_prev->lru_next = f->lru_next;
	else
		t->lru_head[f->tclass] = f->lru_next;
	if (f->lru_next != NULL)
		f->lru_next->lru_prev = f->lru_prev;
	else
		t->lru_tail[f->tclass] = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

/* Append f to the tail of list c (f->last_us is the newest of that list). */
static void
lru_append(struct sd_flow_table *t, struct sd_flow *f, uint8_t c)
{
	f->tclass = c;
	f->lru_prev = t->lru_tail[c];
	f->lru_next = NULL;
	if (t->lru_tail[c] != NULL)
		t->lru_tail[c]->lru_next = f;
	else
		t->lru_head[c] = f;
	t->lru_tail[c] = f;
}

/* Insert f into list c in LRU order, searching from the tail (f is usually the newest). */
static void
lru_insert(struct sd_flow_table *t, struct sd_flow *f, uint8_t c)
{
	struct sd_flow *p = t->lru_tail[c];

	while (p != NULL && p->lru_seq > f->lru_seq)
		p = p->lru_prev;
	if (p == t->lru_tail[c]) {
		lru_append(t, f, c);
		return;
	}
	f->tclass = c;
	f->lru_prev = p;
	if (p != NULL) {
		f->lru_next = p->lru_next;
		p->lru_next = f;
	} else {
		f->lru_next = t->lru_head[c];
		t->lru_head[c] = f;
	}
	f->lru_next->lru_prev = f;
}

/* The least recently active flow of all: the oldest of the list heads. */
static struct sd_flow *
lru_oldest(const struct sd_flow_table *t)
{
	struct sd_flow *o = NULL;
	int c;

	for (c = 0; c < TC_N; c++)
		if (t->lru_head[c] != NULL && (o == NULL || t->lru_head[c]->lru_seq < o->lru_seq))
			o = t->lru_head[c];
	return o;
}

static void
flow_end(struct sd_flow_table *t, struct sd_flow *f, const char *why)
{
	struct sd_flow **pp = &t->buckets[f->hash & (t->nbuckets - 1)];

	while (*pp != NULL && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp == f)
		*pp = f->hnext;
	lru_unlink(t, f);
	f->rec.end = why;
	if (t->end_fn != NULL)
		t->end_fn(t->end_ctx, f, why);	/* frees app/ndpi state and writes the record */
	if (f->tcp != NULL) {
		sd_stream_free(&f->tcp->s[0], t->mc);
		sd_stream_free(&f->tcp->s[1], t->mc);
		sd_memcap_free(t->mc, f->tcp, sizeof(*f->tcp));
	}
	sd_memcap_free(t->mc, f, sizeof(*f));
	t->st.active--;
}

void
sd_flow_end(struct sd_flow_table *t, struct sd_flow *f, const char *why)
{
	flow_end(t, f, why);
}

static int
cmp_flow_id(const void *a, const void *b)
{
	const struct sd_flow *x = *(struct sd_flow *const *)a;
	const struct sd_flow *y = *(struct sd_flow *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
sd_flow_table_flush(struct sd_flow_table *t, const char *why)
{
	/* Oldest activity first would reorder records; end them in creation order. */
	struct sd_flow **all;
	struct sd_flow *f;
	size_t n = 0, i;
	int c;

	if (t == NULL || t->st.active == 0)
		return;
	all = malloc(t->st.active * sizeof(*all));
	if (all == NULL) {
		while ((f = lru_oldest(t)) != NULL)
			flow_end(t, f, why);
		return;
	}
	for (c = 0; c < TC_N; c++)
		for (f = t->lru_head[c]; f != NULL; f = f->lru_next)
			all[n++] = f;
	qsort(all, n, sizeof(*all), cmp_flow_id);
	for (i = 0; i < n; i++)
		flow_end(t, all[i], why);
	free(all);
}

void
sd_flow_table_free(struct sd_flow_table *t)
{
	if (t == NULL)
		return;
	sd_flow_table_flush(t, "capture_end");
	free(t->buckets);
	free(t);
}

/* The timeout class of a flow in its present state. */
static uint8_t
flow_class(const struct sd_flow *f)
{
	if (f->proto == SD_IPPROTO_TCP) {
		if (f->rec.rst_seen[0] || f->rec.rst_seen[1])
			return TC_CLOSED;
		if (f->rec.fin_seen[0] && f->rec.fin_seen[1])
			return f->tcp == NULL || (f->tcp->fin_acked[0] && f->tcp->fin_acked[1]) ?
			    TC_CLOSED : TC_CLOSING;
		if (f->rec.syn_seen && f->rec.packets[SD_ROLE_SERVER] == 0)
			return TC_SYN;
		return TC_IDLE;
	}
	if (f->proto == SD_IPPROTO_UDP)
		return TC_UDP;
	return TC_OTHER;
}

static uint64_t
class_timeout(const struct sd_flow_table *t, uint8_t c)
{
	switch (c) {
	case TC_CLOSED: return t->lim.tcp_closed_us;
	case TC_CLOSING: return t->lim.tcp_closing_us;
	case TC_SYN: return t->lim.tcp_syn_us;
	case TC_UDP: return t->lim.udp_idle_us;
	case TC_OTHER: return t->lim.other_idle_us;
	default: return t->lim.tcp_idle_us;
	}
}

void
sd_flow_refile(struct sd_flow_table *t, struct sd_flow *f)
{
	uint8_t c = flow_class(f);

	if (c == f->tclass)
		return;
	lru_unlink(t, f);
	lru_insert(t, f, c);
}

/*
 * End the flows whose timeout passed, least recently active first (the order of one LRU
 * list), all of them: each class's expired flows are a prefix of its list.  The engine
 * calls this once per second of capture time; a cap per call (there was one of 256) let
 * a link that closes more connections a second than the cap fall behind for good, and
 * memory grow with the capture (the 4 GiB benchmark capture closes 390 a second).
 */
void
sd_flow_expire(struct sd_flow_table *t, uint64_t now_us)
{
	struct sd_flow *f, *o;
	int c;

	for (;;) {
		o = NULL;
		for (c = 0; c < TC_N; c++) {
			f = t->lru_head[c];
			if (f == NULL || now_us < f->last_us ||
			    now_us - f->last_us < class_timeout(t, (uint8_t)c))
				continue;
			if (o == NULL || f->lru_seq < o->lru_seq)
				o = f;
		}
		if (o == NULL)
			return;
		if (flow_class(o) != o->tclass) {
			sd_flow_refile(t, o);	/* its state changed since: look again */
			continue;
		}
		t->st.expired++;
		flow_end(t, o, "idle");
	}
}

void
sd_flow_touch(struct sd_flow_table *t, struct sd_flow *f, uint64_t now_us)
{
	uint8_t c = flow_class(f);

	if (now_us > f->last_us)
		f->last_us = now_us;
	f->lru_seq = ++t->seq;
	if (t->lru_tail[f->tclass] != f || c != f->tclass) {
		lru_unlink(t, f);
		lru_append(t, f, c);
	}
}

static struct sd_flow *
lookup(struct sd_flow_table *t, uint32_t h, uint8_t proto, const struct sd_addr *src,
    uint16_t sport, const struct sd_addr *dst, uint16_t dport, int *dir)
{
	struct sd_flow *f;

	for (f = t->buckets[h & (t->nbuckets - 1)]; f != NULL; f = f->hnext) {
		if (f->hash != h || f->proto != proto)
			continue;
		if (f->port[0] == sport && f->port[1] == dport &&
		    addr_eq(&f->addr[0], src) && addr_eq(&f->addr[1], dst)) {
			*dir = SD_ROLE_CLIENT;
			return f;
		}
		if (f->port[1] == sport && f->port[0] == dport &&
		    addr_eq(&f->addr[1], src) && addr_eq(&f->addr[0], dst)) {
			*dir = SD_ROLE_SERVER;
			return f;
		}
	}
	return NULL;
}

struct sd_flow *
sd_flow_find(struct sd_flow_table *t, uint8_t proto, const struct sd_addr *src,
    uint16_t sport, const struct sd_addr *dst, uint16_t dport, int *dir)
{
	return lookup(t, flow_hash(proto, src, sport, dst, dport), proto, src, sport, dst,
	    dport, dir);
}

/* Which role the sender of the first packet gets. */
static int
first_role(uint8_t proto, uint16_t sport, uint16_t dport, uint8_t tcp_flags,
    const char **by)
{
	bool ss, ds;

	if (proto == SD_IPPROTO_TCP && (tcp_flags & (SD_TCP_SYN | SD_TCP_ACK)) == SD_TCP_SYN) {
		*by = "syn";
		return SD_ROLE_CLIENT;
	}
	if (proto == SD_IPPROTO_TCP &&
	    (tcp_flags & (SD_TCP_SYN | SD_TCP_ACK)) == (SD_TCP_SYN | SD_TCP_ACK)) {
		*by = "synack";
		return SD_ROLE_SERVER;
	}
	ss = sd_flow_port_is_service(proto, sport);
	ds = sd_flow_port_is_service(proto, dport);
	if (ss != ds && sport != dport) {
		*by = "port";
		return ss ? SD_ROLE_SERVER : SD_ROLE_CLIENT;
	}
	if (sport != dport && (sport < 1024) != (dport < 1024)) {
		*by = "port";
		return sport < 1024 ? SD_ROLE_SERVER : SD_ROLE_CLIENT;
	}
	*by = "first";
	return SD_ROLE_CLIENT;
}

bool
sd_flow_make_room(struct sd_flow_table *t, const struct sd_flow *keep)
{
	struct sd_flow *o = lru_oldest(t);

	if (o == NULL || o == keep)
		return false;
	t->st.evicted++;
	flow_end(t, o, "evicted");
	return true;
}

struct sd_flow *
sd_flow_get(struct sd_flow_table *t, uint8_t proto, const struct sd_addr *src,
    uint16_t sport, const struct sd_addr *dst, uint16_t dport, uint8_t tcp_flags,
    uint64_t now_us, int *dir, bool *created)
{
	uint32_t h = flow_hash(proto, src, sport, dst, dport);
	struct sd_flow *f, *o;
	int role, n;

	*created = false;
	f = lookup(t, h, proto, src, sport, dst, dport, dir);
	if (f != NULL)
		return f;
	if (t->st.active >= t->lim.max_flows) {
		/* Full: push the least recently active flow out, counted. */
		if ((o = lru_oldest(t)) == NULL)
			return NULL;
		t->st.evicted++;
		flow_end(t, o, "evicted");
	}
	/*
	 * Near the memory cap, a new flow first ends the least recently active ones until an
	 * eighth of the cap is free: a flood of idle flows then gives way to a live
	 * connection, which finds room for its reassembly, its certificates and its rule
	 * state, instead of every flow after the flood being refused them.  At most four
	 * per new flow: memory that ending flows does not free (tables of summaries, IKE
	 * SAs) must not drain the flow table.
	 */
	for (n = 0; n < 4 && t->mc != NULL && t->mc->limit != 0 &&
	    t->mc->used > t->mc->limit - t->mc->limit / 8 && sd_flow_make_room(t, NULL); n++)
		;
	if ((f = sd_memcap_calloc(t->mc, sizeof(*f))) == NULL) {
		/* the memory cap: make room by ending the least recently active flow */
		if (!sd_flow_make_room(t, NULL) ||
		    (f = sd_memcap_calloc(t->mc, sizeof(*f))) == NULL)
			return NULL;
	}
	f->id = t->next_id++;
	f->proto = proto;
	f->hash = h;
	role = first_role(proto, sport, dport, tcp_flags, &f->role_by);
	f->addr[role] = *src;
	f->port[role] = sport;
	f->addr[!role] = *dst;
	f->port[!role] = dport;
	f->last_us = now_us;
	f->rec.role_by = f->role_by;
	f->rec.app = NULL;
	f->hnext = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = f;
	f->lru_seq = ++t->seq;
	lru_append(t, f, flow_class(f));
	t->st.created++;
	t->st.active++;
	if (t->st.active > t->st.peak)
		t->st.peak = t->st.active;
	*dir = role;
	*created = true;
	return f;
}

const struct sd_flow_stats *
sd_flow_table_stats(const struct sd_flow_table *t)
{
	return &t->st;
}

void
sd_tcp_capture_loss(const struct sd_tcpconn *tc, struct sd_event *ev)
{
	int r;

	for (r = 0; r < 2; r++) {
		ev->capture_holes[r] = tc->s[r].st.capture_holes > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)tc->s[r].st.capture_holes;
		ev->capture_missed[r] = tc->s[r].st.capture_missed;
	}
}
