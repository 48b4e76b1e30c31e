/* cli/evidence.c - --evidence: what is kept of each flow (frame numbers, or packet copies),
 * within a budget, until its findings are written (cli/evidence_write.c). */
#include "cli/evidence.h"

#include <stdlib.h>
#include <string.h>

#include "cli/evidence_int.h"
#include "dissect/table.h"
#include "dissect/tls.h"

struct ev_flow *
ev_flow_find(const struct sd_evidence *e, uint64_t id)
{
	return sd_tab_get(e->tab, &id, sizeof(id), false, NULL);
}

static void
list_del(struct sd_evidence *e, struct ev_flow *f)
{
	struct ev_list *l = f->list == EV_LIST_ACTIVE ? &e->active : &e->ended;

	if (f->list == EV_LIST_NONE)
		return;
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		l->first = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		l->last = f->prev;
	f->prev = f->next = NULL;
	f->list = EV_LIST_NONE;
}

static void
list_add(struct sd_evidence *e, struct ev_flow *f, int which)
{
	struct ev_list *l = which == EV_LIST_ACTIVE ? &e->active : &e->ended;

	list_del(e, f);
	f->prev = l->last;
	f->next = NULL;
	if (l->last != NULL)
		l->last->next = f;
	else
		l->first = f;
	l->last = f;
	f->list = which;
}

static void
pkt_free(struct sd_evidence *e, struct ev_pkt *p)
{
	if (p == NULL)
		return;
	if (p == e->cur)
		e->cur = NULL;
	free(p);
}

/* Drop what a flow keeps (its record stays, marked partial when it had anything). */
static void
flow_drop(struct sd_evidence *e, struct ev_flow *f)
{
	unsigned i;

	for (i = 0; i < f->nhead && f->head != NULL; i++)
		pkt_free(e, f->head[i]);
	for (i = 0; i < SD_EVIDENCE_TAIL && f->tail != NULL; i++)
		pkt_free(e, f->tail[i]);	/* a ring: any slot may be empty */
	for (i = 0; i < f->nkeep; i++)
		pkt_free(e, f->keep[i]);
	free(f->head);
	free(f->tail);
	free(f->keep);
	f->head = f->tail = f->keep = NULL;
	f->nkeep = 0;
	/* new packets of the flow go to the ring: its beginning is lost already */
	f->nhead = f->frames > 0 ? SD_EVIDENCE_HEAD : 0;
	f->ntail = f->tpos = 0;
	free(f->refs);
	f->refs = NULL;
	f->refs_len = f->refs_cap = 0;
	f->nrefs = 0;
	f->last_ref = 0;
	for (i = 0; i < f->ncerts; i++)
		free(f->cert[i]);
	f->ncerts = 0;
	free(f->lab);
	f->lab = NULL;
	f->nlab = 0;
	e->used -= f->charged;
	f->charged = sizeof(*f);
	e->used += f->charged;
	f->partial = true;
}

/* The table lets a flow go (deleted, or the table freed): what it keeps goes too. */
static void
tab_drop(void *ctx, void *val)
{
	struct sd_evidence *e = ctx;
	struct ev_flow *f = val;

	flow_drop(e, f);
	list_del(e, f);
	e->used -= f->charged;
}

/* Forget a flow entirely. */
static void
flow_forget(struct sd_evidence *e, struct ev_flow *f)
{
	sd_tab_del(e->tab, f);
}

/*
 * Take n bytes of the budget for flow f: flows that ended longest ago go first, then the
 * flows idle longest (their packets only).  False when nothing more can go.
 */
static bool
charge(struct sd_evidence *e, struct ev_flow *f, size_t n)
{
	struct ev_flow *v;

	while (e->used + n > e->o.budget) {
		v = e->ended.first;
		if (v != NULL && v == f)
			v = v->next;
		if (v != NULL) {
			flow_forget(e, v);
			e->st.evicted++;
			continue;
		}
		for (v = e->active.first; v != NULL && (v == f || v->charged <= sizeof(*v));
		    v = v->next)
			;
		if (v == NULL) {
			e->st.refused++;
			if (f != NULL)
				f->partial = true;
			return false;
		}
		flow_drop(e, v);
		list_del(e, v);		/* nothing left to take from it */
		e->st.evicted++;
	}
	e->used += n;
	if (f != NULL)
		f->charged += n;
	if (e->used > e->st.peak)
		e->st.peak = e->used;
	return true;
}

static struct ev_flow *
flow_get(struct sd_evidence *e, const struct sd_flow *ef)
{
	uint64_t id = ef->id;
	struct ev_flow *f = ev_flow_find(e, id);
	bool created;

	if (f != NULL)
		return f;
	if (!charge(e, NULL, sizeof(*f)))
		return NULL;
	if ((f = sd_tab_get(e->tab, &id, sizeof(id), true, &created)) == NULL) {
		e->used -= sizeof(*f);
		return NULL;
	}
	f->id = id;
	f->proto = ef->proto;
	memcpy(f->addr, ef->addr, sizeof(f->addr));
	memcpy(f->port, ef->port, sizeof(f->port));
	f->charged = sizeof(*f);
	return f;
}

/* Replay: one more frame reference, as the zigzag LEB128 delta from the last one. */
static void
add_ref(struct sd_evidence *e, struct ev_flow *f, uint64_t ref)
{
	int64_t d = (int64_t)(ref - f->last_ref);
	uint64_t z = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
	uint8_t b[10];
	size_t n = 0, cap;
	uint8_t *p;

	do {
		b[n++] = (uint8_t)((z & 0x7f) | (z > 0x7f ? 0x80 : 0));
		z >>= 7;
	} while (z != 0);
	if (f->refs_len + n > f->refs_cap) {
		cap = f->refs_cap < 16 ? 16 : f->refs_cap * 2;
		if (!charge(e, f, cap - f->refs_cap))
			return;
		if ((p = realloc(f->refs, cap)) == NULL) {
			f->partial = true;
			return;
		}
		f->refs = p;
		f->refs_cap = cap;
	}
	memcpy(f->refs + f->refs_len, b, n);
	f->refs_len += n;
	f->last_ref = ref;
	f->nrefs++;
}

void
ev_flow_refs(const struct ev_flow *f, uint64_t *out)
{
	uint64_t last = 0, z;
	size_t i = 0, k = 0;
	unsigned shift;

	while (i < f->refs_len && k < f->nrefs) {
		z = 0;
		shift = 0;
		do {
			z |= (uint64_t)(f->refs[i] & 0x7f) << shift;
			shift += 7;
		} while ((f->refs[i++] & 0x80) != 0 && i < f->refs_len && shift < 64);
		last += (uint64_t)((int64_t)(z >> 1) ^ -(int64_t)(z & 1));
		out[k++] = last;
	}
}

/* Stream: a copy of the frame, first packets kept, later ones through the ring. */
static void
add_pkt(struct sd_evidence *e, struct ev_flow *f, const struct sd_pkt_in *in)
{
	size_t n = sizeof(struct ev_pkt) + in->caplen;
	struct ev_pkt *p;

	if (f->nhead < SD_EVIDENCE_HEAD && f->head == NULL) {
		if (!charge(e, f, SD_EVIDENCE_HEAD * sizeof(*f->head)) ||
		    (f->head = calloc(SD_EVIDENCE_HEAD, sizeof(*f->head))) == NULL)
			return;
	}
	if (f->nhead >= SD_EVIDENCE_HEAD && f->tail == NULL) {
		if (!charge(e, f, SD_EVIDENCE_TAIL * sizeof(*f->tail)) ||
		    (f->tail = calloc(SD_EVIDENCE_TAIL, sizeof(*f->tail))) == NULL)
			return;
	}
	if (f->nhead >= SD_EVIDENCE_HEAD && f->ntail == SD_EVIDENCE_TAIL) {
		/* the ring is full: the oldest of it makes room (its bytes go back first),
		 * unless it carried a message (an IKE exchange amid ESP-in-UDP) */
		struct ev_pkt *old = f->tail[f->tpos];

		if (old->marked && f->keep == NULL && charge(e, f, EV_LABELS * sizeof(*f->keep)))
			f->keep = calloc(EV_LABELS, sizeof(*f->keep));
		if (old->marked && f->keep != NULL && f->nkeep < EV_LABELS) {
			f->keep[f->nkeep++] = old;
		} else {
			e->used -= sizeof(*old) + old->caplen;
			f->charged -= sizeof(*old) + old->caplen;
			pkt_free(e, old);
		}
		f->tail[f->tpos] = NULL;
		f->ntail--;
	}
	if (!charge(e, f, n) || (p = malloc(n)) == NULL)
		return;
	p->frame = in->frame;
	p->sec = in->sec;
	p->nsec = in->nsec;
	p->caplen = in->caplen;
	p->len = in->len;
	p->linktype = in->linktype;
	p->marked = false;
	memcpy(p->data, in->data, in->caplen);
	if (f->nhead < SD_EVIDENCE_HEAD) {
		f->head[f->nhead++] = p;
	} else {
		f->tail[f->tpos] = p;
		f->tpos = (f->tpos + 1) % SD_EVIDENCE_TAIL;
		f->ntail++;
	}
	e->cur = p;
}

static void
frame_hook(void *ctx, const struct sd_flow *ef, const struct sd_pkt_in *in)
{
	struct sd_evidence *e = ctx;
	struct ev_flow *f = flow_get(e, ef);

	e->cur = NULL;
	e->cur_frame = in->frame;
	e->cur_flow = ef->id;
	if (f == NULL)
		return;
	if (f->frames > 0 && f->last_frame == in->frame)
		return;		/* counted twice: once is enough */
	if (f->frames++ == 0)
		f->first_frame = in->frame;
	f->last_frame = in->frame;
	if (f->list != EV_LIST_ENDED && !f->pinned)
		list_add(e, f, EV_LIST_ACTIVE);
	if (e->o.stream)
		add_pkt(e, f, in);
	else
		add_ref(e, f, in->frame);
}

static void
flow_end_hook(void *ctx, uint64_t flow_id)
{
	struct sd_evidence *e = ctx;
	struct ev_flow *f = ev_flow_find(e, flow_id);

	if (f != NULL && !f->pinned)
		list_add(e, f, EV_LIST_ENDED);
}

static bool
addr_eq(const struct sd_addr *a, const struct sd_addr *b)
{
	return a->v == b->v && memcmp(a->a, b->a, a->v == 4 ? 4 : 16) == 0;
}

/* Is f between the two addresses of a gateway pair (its ports, when it has them)? */
static bool
in_pair(const struct ev_flow *f, const struct sd_finding_flow *w)
{
	if (addr_eq(&f->addr[0], &w->client) && addr_eq(&f->addr[1], &w->server))
		return (w->cport == 0 || w->cport == f->port[0]) &&
		    (w->sport == 0 || w->sport == f->port[1]);
	if (addr_eq(&f->addr[1], &w->client) && addr_eq(&f->addr[0], &w->server))
		return (w->cport == 0 || w->cport == f->port[1]) &&
		    (w->sport == 0 || w->sport == f->port[0]);
	return false;
}

static bool
push_flow(struct ev_flow ***v, size_t *n, size_t *cap, struct ev_flow *f)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == f)
			return true;
	/* a failed realloc leaves *v and *cap as they were */
	if (!sd_grow((void **)v, cap, *n, sizeof(**v), SIZE_MAX / sizeof(**v)))
		return false;
	(*v)[(*n)++] = f;
	return true;
}

/* Does f hold frame ref (a packet kept, or a frame number noted)? */
static bool
flow_has_frame(const struct ev_flow *f, uint64_t ref)
{
	uint64_t *refs;
	unsigned j;
	bool has = false;

	if (f->frames == 0 || sd_frame_file(ref) != sd_frame_file(f->first_frame) ||
	    ref < f->first_frame || ref > f->last_frame)
		return false;
	for (j = 0; j < f->nhead && f->head != NULL; j++)
		if (f->head[j] != NULL && f->head[j]->frame == ref)
			return true;
	for (j = 0; j < SD_EVIDENCE_TAIL && f->tail != NULL; j++)
		if (f->tail[j] != NULL && f->tail[j]->frame == ref)
			return true;
	for (j = 0; j < f->nkeep; j++)
		if (f->keep[j]->frame == ref)
			return true;
	if (f->nrefs == 0 || (refs = malloc(f->nrefs * sizeof(*refs))) == NULL)
		return false;
	ev_flow_refs(f, refs);
	for (j = 0; j < f->nrefs && !has; j++)
		has = refs[j] == ref;
	free(refs);
	return has;
}

struct ev_flow **
ev_finding_flows(const struct sd_evidence *e, struct sd_finding *x, size_t from, size_t to,
    size_t *n)
{
	struct ev_flow **v = NULL, *f;
	size_t i, cap = 0;
	bool any;

	*n = 0;
	for (i = from; i < to; i++) {
		const struct sd_finding_flow *w = &x->flows[i];

		if (w->id != 0) {
			if ((f = ev_flow_find(e, w->id)) == NULL) {
				x->evidence->partial = true;
				continue;
			}
			if (!push_flow(&v, n, &cap, f))
				break;
			continue;
		}
		/* a gateway pair: IKE and ESP flows between the two (a scan: findings are few) */
		any = false;
		for (f = sd_tab_first(e->tab); f != NULL; f = sd_tab_next(e->tab, f))
			if (in_pair(f, w)) {
				any = true;
				if (!push_flow(&v, n, &cap, f))
					break;
			}
		if (!any)
			x->evidence->partial = true;
	}
	/* the flows of evidence frames that none of those holds (a scan, findings are few) */
	for (i = 0; from == 0 && i < x->nframes; i++) {
		size_t k;

		for (k = 0; k < *n && !flow_has_frame(v[k], x->frames[i]); k++)
			;
		if (k < *n)
			continue;
		for (f = sd_tab_first(e->tab); f != NULL; f = sd_tab_next(e->tab, f))
			if (flow_has_frame(f, x->frames[i])) {
				(void)push_flow(&v, n, &cap, f);
				break;
			}
	}
	for (i = 0; i < *n; i++)
		if (v[i]->partial || (e->o.stream &&
		    v[i]->frames > (uint64_t)v[i]->nhead + v[i]->ntail + v[i]->nkeep))
			x->evidence->partial = true;
	return v;
}

void
ev_flow_pin(struct sd_evidence *e, struct ev_flow *f)
{
	list_del(e, f);
	f->pinned = true;
}

struct sd_frame_hook
sd_evidence_hook(struct sd_evidence *e)
{
	struct sd_frame_hook h = { frame_hook, flow_end_hook, e };

	return h;
}

static void
keep_certs(struct sd_evidence *e, struct ev_flow *f, const struct sd_tls_certificate *c)
{
	uint32_t i;
	size_t n;

	if (c == NULL || c->retransmit)
		return;
	for (i = 0; i < c->kept && f->ncerts < EV_CERTS; i++) {
		n = sd_rd_left(&c->der[i]);
		if (n == 0 || !charge(e, f, n))
			continue;
		if ((f->cert[f->ncerts] = malloc(n)) == NULL)
			return;
		memcpy(f->cert[f->ncerts], c->der[i].p, n);
		f->certlen[f->ncerts++] = n;
	}
}

/* The event's frame belongs to another flow (an ICMP error quoting this one): keep it here too. */
static void
keep_foreign_frame(struct sd_evidence *e, struct ev_flow *f, uint64_t frame)
{
	struct sd_pkt_in in;

	if (frame != e->cur_frame || e->cur_flow == f->id)
		return;
	if (!e->o.stream) {
		add_ref(e, f, frame);
		return;
	}
	if (e->cur == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.frame = e->cur->frame;
	in.sec = e->cur->sec;
	in.nsec = e->cur->nsec;
	in.caplen = e->cur->caplen;
	in.len = e->cur->len;
	in.linktype = e->cur->linktype;
	in.data = e->cur->data;
	add_pkt(e, f, &in);
	e->cur_flow = f->id;	/* once per frame */
}

void
sd_evidence_event(struct sd_evidence *e, const struct sd_event *ev)
{
	struct ev_flow *f;

	if (e == NULL || ev->flow_id == 0 || ev->type == SD_EV_FLOW || ev->type == SD_EV_CAPTURE)
		return;
	if ((f = ev_flow_find(e, ev->flow_id)) == NULL)
		return;
	keep_foreign_frame(e, f, ev->frame);
	if (e->cur != NULL && e->cur->frame == ev->frame)
		e->cur->marked = true;	/* kept past the ring */
	if (ev->type == SD_EV_TLS_CERTIFICATE)
		keep_certs(e, f, ev->u.msg.certificate);
	if (ev->frame == 0 || f->nlab >= EV_LABELS)
		return;
	if (f->lab == NULL) {
		if (!charge(e, f, EV_LABELS * sizeof(*f->lab)) ||
		    (f->lab = calloc(EV_LABELS, sizeof(*f->lab))) == NULL)
			return;
	}
	f->lab[f->nlab].frame = ev->frame;
	f->lab[f->nlab++].type = ev->type;
}

static void
decided(void *ctx, const struct sd_finding *x, enum sd_finding_change c)
{
	(void)c;
	/*
	 * The sink hands outputs a const finding; this output is the one that notes in it
	 * where its files are (the finding is the sink's, not shared across threads).
	 */
	ev_write_decided(ctx, (struct sd_finding *)(uintptr_t)x);
}

struct sd_finding_out
sd_evidence_out(struct sd_evidence *e)
{
	struct sd_finding_out o = { decided, e };

	return o;
}

struct sd_evidence *
sd_evidence_new(const struct sd_evidence_opts *o)
{
	struct sd_evidence *e = calloc(1, sizeof(*e));
	struct sd_tab_opts to;

	if (e == NULL)
		return NULL;
	e->o = *o;
	e->st.budget = o->budget;
	/* by flow id; bounded by the budget (charge()), not by the table */
	memset(&to, 0, sizeof(to));
	to.val_size = sizeof(struct ev_flow);
	to.drop = tab_drop;
	to.ctx = e;
	if ((e->tab = sd_tab_new(&to)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

void
sd_evidence_finish(struct sd_evidence *e, const struct sd_findings *l)
{
	size_t i;

	if (e == NULL)
		return;
	if (!e->o.stream)
		ev_write_replay(e, l);
	for (i = 0; i < l->n && e->o.stream; i++)
		if (l->v[i]->evidence != NULL)
			ev_write_final(e, l->v[i]);
	for (i = 0; i < l->n; i++)
		if (l->v[i]->evidence != NULL && l->v[i]->evidence->partial)
			e->st.partial++;
}

void
sd_evidence_stats(const struct sd_evidence *e, struct sd_evidence_stats *st)
{
	*st = e->st;
}

void
sd_evidence_free(struct sd_evidence *e)
{
	if (e == NULL)
		return;
	sd_tab_free(e->tab);
	free(e);
}
