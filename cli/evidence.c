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

	for (i = 0; i < f->nhead; i++)
		pkt_free(e, f->head[i]);
	for (i = 0; i < f->ntail; i++)
		pkt_free(e, f->tail[i]);
	free(f->head);
	free(f->tail);
	f->head = f->tail = NULL;
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
		if (v == f)
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
flow_get(struct sd_evidence *e, uint64_t id)
{
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
		/* the ring is full: the oldest of it makes room (its bytes go back first) */
		struct ev_pkt *old = f->tail[f->tpos];

		e->used -= sizeof(*old) + old->caplen;
		f->charged -= sizeof(*old) + old->caplen;
		pkt_free(e, old);
		f->tail[f->tpos] = NULL;
		f->ntail--;
		f->partial = true;	/* a packet of its middle is gone */
	}
	if (!charge(e, f, n) || (p = malloc(n)) == NULL)
		return;
	p->frame = in->frame;
	p->sec = in->sec;
	p->nsec = in->nsec;
	p->caplen = in->caplen;
	p->len = in->len;
	p->linktype = in->linktype;
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
frame_hook(void *ctx, uint64_t flow_id, const struct sd_pkt_in *in)
{
	struct sd_evidence *e = ctx;
	struct ev_flow *f = flow_get(e, flow_id);

	e->cur = NULL;
	e->cur_frame = in->frame;
	e->cur_flow = flow_id;
	if (f == NULL)
		return;
	if (f->frames > 0 && f->last_frame == in->frame)
		return;		/* counted twice: once is enough */
	f->frames++;
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
