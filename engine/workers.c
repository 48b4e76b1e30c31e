/* engine/workers.c - N analysis threads fed by one reader: frames split by a symmetric hash. */
#include "engine/workers.h"

#include "dissect/hash.h"
#include "dissect/ip.h"
#include "dissect/link.h"
#include "dissect/reader.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Frames travel in batches: the reader fills one batch per worker and hands it over when
 * it is full, so the lock is taken once per batch (hundreds of frames), never per frame.
 * Each worker owns NBATCH batches; when all are queued the reader waits (back-pressure:
 * memory stays bounded whatever the file).
 */
#define BATCH_BYTES	((size_t)512 << 10)
#define NBATCH		6
#define PAYLOAD_MAX	4096
#define IPSEC_PAIRS	((size_t)1 << 16)	/* power of two */

enum rec_kind { REC_PACKET, REC_TICK, REC_CALL };

/* One record in a batch, followed by its bytes (a frame's caplen, a call's payload). */
struct rec {
	uint32_t	 kind;		/* enum rec_kind */
	uint32_t	 size;		/* bytes after the header */
	uint64_t	 frame;		/* REC_TICK: the time in microseconds */
	int64_t		 sec;
	uint32_t	 nsec, len;
	int32_t		 linktype;
	uint32_t	 file_index;
};

struct batch {
	struct batch	*next;
	size_t		 used;
	uint8_t		*data;		/* BATCH_BYTES, 8-byte aligned records */
};

struct worker {
	struct sd_workers *ws;
	unsigned	 index;
	void		*ctx;
	pthread_t	 thread;
	bool		 started;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct batch	*full, **full_tail;	/* FIFO, reader -> worker */
	struct batch	*free;			/* worker -> reader */
	bool		 done;			/* no more batches will come */
	struct batch	*cur;			/* the one the reader fills (reader's only) */
	struct batch	 store[NBATCH];
};

struct sd_workers {
	unsigned		 n;
	struct sd_workers_cb	 cb;
	struct sd_engine_clock	 clock;		/* one engine's expiry schedule */
	/* address pairs that carried IPsec: all their frames go to worker 0 (sd_workers_pick) */
	uint64_t		*ipsec;		/* open addressing, 0 empty */
	size_t			 nipsec;
	struct worker		 w[SD_WORKERS_MAX];
};


static size_t
rec_space(size_t payload)
{
	return (sizeof(struct rec) + payload + 7) & ~(size_t)7;
}

static void
run_batch(struct worker *w, const struct batch *b)
{
	const struct sd_workers_cb *cb = &w->ws->cb;
	struct sd_pkt_in pk;
	size_t off = 0;

	while (off < b->used) {
		const struct rec *r = (const void *)(b->data + off);
		const uint8_t *body = b->data + off + sizeof(*r);

		switch (r->kind) {
		case REC_PACKET:
			pk.frame = r->frame;
			pk.sec = r->sec;
			pk.nsec = r->nsec;
			pk.caplen = r->size;
			pk.len = r->len;
			pk.linktype = r->linktype;
			pk.file_index = r->file_index;
			pk.data = body;
			cb->packet(w->ctx, &pk);
			break;
		case REC_TICK:
			if (cb->tick != NULL)
				cb->tick(w->ctx, r->frame);
			break;
		case REC_CALL:
			if (cb->call != NULL)
				cb->call(w->ctx, body, r->size);
			break;
		}
		off += rec_space(r->size);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct batch *b;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (w->full == NULL && !w->done)
			pthread_cond_wait(&w->cv, &w->mu);
		b = w->full;
		if (b != NULL) {
			w->full = b->next;
			if (w->full == NULL)
				w->full_tail = &w->full;
		}
		pthread_mutex_unlock(&w->mu);
		if (b == NULL)
			break;		/* done, and everything queued was run */
		run_batch(w, b);
		b->used = 0;
		pthread_mutex_lock(&w->mu);
		b->next = w->free;
		w->free = b;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	if (w->ws->cb.finish != NULL)
		w->ws->cb.finish(w->ctx);
	return NULL;
}

/* The reader's batch of w, if it holds anything, to the worker (w->mu held). */
static void
queue_cur(struct worker *w)
{
	if (w->cur != NULL && w->cur->used > 0) {
		w->cur->next = NULL;
		*w->full_tail = w->cur;
		w->full_tail = &w->cur->next;
		w->cur = NULL;
		pthread_cond_signal(&w->cv);
	}
}

/* Hand the reader's batch of w over, and take an empty one (waiting for it). */
static void
hand_over(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	queue_cur(w);
	if (w->cur == NULL) {
		while (w->free == NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		w->cur = w->free;
		w->free = w->cur->next;
	}
	pthread_mutex_unlock(&w->mu);
}

static void
put(struct worker *w, const struct rec *hdr, const void *body, size_t n)
{
	size_t need = rec_space(n);
	uint8_t *at;

	if (w->cur->used + need > BATCH_BYTES)
		hand_over(w);
	at = w->cur->data + w->cur->used;
	memcpy(at, hdr, sizeof(*hdr));
	if (n > 0)
		memcpy(at + sizeof(*hdr), body, n);
	w->cur->used += need;
}

static void
stop_all(struct sd_workers *ws)
{
	unsigned i;

	for (i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];

		if (!w->started)
			continue;
		pthread_mutex_lock(&w->mu);
		w->done = true;
		pthread_cond_signal(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	for (i = 0; i < ws->n; i++)
		if (ws->w[i].started)
			pthread_join(ws->w[i].thread, NULL);
}

static void
free_all(struct sd_workers *ws)
{
	unsigned i, k;

	for (i = 0; i < ws->n; i++) {
		for (k = 0; k < NBATCH; k++)
			free(ws->w[i].store[k].data);
		pthread_mutex_destroy(&ws->w[i].mu);
		pthread_cond_destroy(&ws->w[i].cv);
	}
	free(ws->ipsec);
	free(ws);
}

struct sd_workers *
sd_workers_start(unsigned n, const struct sd_workers_cb *cb, void *const *wctx, char *err,
    size_t errlen)
{
	struct sd_workers *ws;
	unsigned i, k;

	if (n < 2 || n > SD_WORKERS_MAX) {
		snprintf(err, errlen, "workers: %u threads (2 to %d)", n, SD_WORKERS_MAX);
		return NULL;
	}
	if ((ws = calloc(1, sizeof(*ws))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ws->n = n;
	ws->cb = *cb;
	if ((ws->ipsec = calloc(IPSEC_PAIRS, sizeof(*ws->ipsec))) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(ws);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];

		w->ws = ws;
		w->index = i;
		w->ctx = wctx[i];
		w->full_tail = &w->full;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
	}
	for (i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];

		for (k = 0; k < NBATCH; k++) {
			if ((w->store[k].data = malloc(BATCH_BYTES)) == NULL) {
				snprintf(err, errlen, "out of memory");
				stop_all(ws);
				free_all(ws);
				return NULL;
			}
			w->store[k].next = k + 1 < NBATCH ? &w->store[k + 1] : NULL;
		}
		w->cur = &w->store[0];
		w->free = &w->store[1];
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(err, errlen, "workers: cannot start thread %u", i + 1);
			stop_all(ws);
			free_all(ws);
			return NULL;
		}
		w->started = true;
	}
	return ws;
}

/*
 * Every engine runs idle expiry where one engine reading the whole file would (engine.c:
 * once per second of capture time), so that flows end at the same time and say the same.
 */
static void
tick_all(struct sd_workers *ws, uint64_t t)
{
	struct rec r;
	unsigned i;

	memset(&r, 0, sizeof(r));
	r.kind = REC_TICK;
	r.frame = t;
	for (i = 0; i < ws->n; i++)
		put(&ws->w[i], &r, NULL, 0);
}

void
sd_workers_packet(struct sd_workers *ws, const struct sd_pkt_in *in)
{
	struct rec r;
	uint64_t t = (uint64_t)in->sec * 1000000u + in->nsec / 1000u;
	size_t n = in->caplen;
	bool before, after;

	sd_engine_clock_step(&ws->clock, t, &before, &after);
	if (before)
		tick_all(ws, t);
	if (n > BATCH_BYTES - rec_space(0))
		n = BATCH_BYTES - rec_space(0);	/* never: capture/ caps frames at 256 KiB */
	memset(&r, 0, sizeof(r));
	r.kind = REC_PACKET;
	r.size = (uint32_t)n;
	r.frame = in->frame;
	r.sec = in->sec;
	r.nsec = in->nsec;
	r.len = in->len;
	r.linktype = in->linktype;
	r.file_index = in->file_index;
	put(&ws->w[sd_workers_pick(ws, in)], &r, in->data, n);
	if (after)
		tick_all(ws, t);
}

void
sd_workers_broadcast(struct sd_workers *ws, const void *payload, size_t len)
{
	struct rec r;
	unsigned i;

	if (len > PAYLOAD_MAX)
		len = PAYLOAD_MAX;
	memset(&r, 0, sizeof(r));
	r.kind = REC_CALL;
	r.size = (uint32_t)len;
	for (i = 0; i < ws->n; i++)
		put(&ws->w[i], &r, payload, len);
}

void
sd_workers_finish(struct sd_workers *ws)
{
	unsigned i;

	if (ws == NULL)
		return;
	for (i = 0; i < ws->n; i++) {
		struct worker *w = &ws->w[i];

		pthread_mutex_lock(&w->mu);
		queue_cur(w);
		pthread_mutex_unlock(&w->mu);
	}
	stop_all(ws);
	free_all(ws);
}

static uint64_t
addr_hash(const struct sd_addr *a)
{
	uint64_t x, y;

	memcpy(&x, a->a, 8);
	memcpy(&y, a->a + 8, 8);
	return sd_hash_mix(x ^ sd_hash_mix(y ^ a->v));
}

/* The IP header an ICMP error quotes, when ip is one: its pair is the flow's. */
static bool
quoted_ip(const struct sd_ip *ip, struct sd_ip *q)
{
	struct sd_rd p = ip->payload;
	uint8_t type;

	if (ip->fragment && ip->frag_offset != 0)
		return false;
	if (ip->proto == SD_IPPROTO_ICMP) {
		/* unreachable, source quench, redirect, time exceeded, parameter problem */
		if (!sd_rd_peek_u8(&p, 0, &type) || !(type == 3 || type == 4 || type == 5 ||
		    type == 11 || type == 12))
			return false;
	} else if (ip->proto == SD_IPPROTO_ICMPV6) {
		/* destination unreachable, packet too big, time exceeded, parameter problem */
		if (!sd_rd_peek_u8(&p, 0, &type) || type < 1 || type > 4)
			return false;
	} else {
		return false;
	}
	return sd_rd_skip(&p, 8) && sd_ip_parse(p, q) == SD_OK;
}

/* IKE (UDP 500, 4500: ESP in UDP too), ESP, AH; a later fragment has no ports to tell. */
static bool
is_ipsec(const struct sd_ip *ip)
{
	struct sd_rd p = ip->payload;
	uint16_t sport, dport;

	if (ip->proto == SD_IPPROTO_ESP || ip->proto == SD_IPPROTO_AH)
		return true;
	if (ip->proto != SD_IPPROTO_UDP || (ip->fragment && ip->frag_offset != 0) ||
	    !sd_rd_be16(&p, &sport) || !sd_rd_be16(&p, &dport))
		return false;
	return sport == 500 || dport == 500 || sport == 4500 || dport == 4500;
}

int
sd_workers_key(const struct sd_pkt_in *in, uint64_t *key)
{
	struct sd_link link;
	struct sd_ip ip, q;
	uint64_t a, b;

	*key = 0;
	if (sd_link_decode(in->linktype, sd_rd_make(in->data, in->caplen), &link) != SD_OK ||
	    (link.ethertype != SD_ETH_IPV4 && link.ethertype != SD_ETH_IPV6) ||
	    sd_ip_parse(link.net, &ip) != SD_OK)
		return -1;
	if (quoted_ip(&ip, &q))
		ip = q;
	a = addr_hash(&ip.src);
	b = addr_hash(&ip.dst);
	/* sum and xor commute: the two directions hash alike */
	*key = sd_hash_mix((a + b) ^ sd_hash_mix(a ^ b));
	return is_ipsec(&ip);
}

/* Is the pair key known to carry IPsec?  add: remember it (up to 3/4 of the table). */
static bool
ipsec_pair(struct sd_workers *ws, uint64_t key, bool add)
{
	size_t i;

	key |= 1;	/* 0 marks an empty slot */
	if (ws->ipsec == NULL)
		return false;
	for (i = key & (IPSEC_PAIRS - 1); ws->ipsec[i] != 0; i = (i + 1) & (IPSEC_PAIRS - 1))
		if (ws->ipsec[i] == key)
			return true;
	if (add && ws->nipsec < IPSEC_PAIRS / 4 * 3) {
		ws->ipsec[i] = key;
		ws->nipsec++;
	}
	return add;
}

unsigned
sd_workers_pick(struct sd_workers *ws, const struct sd_pkt_in *in)
{
	uint64_t key;
	int rc;

	if (ws->n <= 1 || (rc = sd_workers_key(in, &key)) < 0)
		return 0;
	/*
	 * IPsec between two gateways and everything else between them after it goes to
	 * worker 0: the rules that join gateway pairs (asymmetric tunnels, one-way ESP, IKE
	 * SAs on 500 then 4500) see them all, and the fragments of a large IKE message (no
	 * ports) go where its first fragment went.
	 */
	if (ipsec_pair(ws, key, rc == 1))
		return 0;
	return (unsigned)(key % ws->n);
}
