/* engine/ike_track.c - IKE request/response pairing and IKE SA lifecycles (RFC 7296, 2409, 3947). */
#include "engine/ike_track.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"
#include "engine/natd.h"

#define TRK_PENDING	8	/* exchanges remembered per SA (open or recently answered) */
#define TRK_HASHES	8	/* distinct datagrams remembered per exchange side */
#define TRK_BUCKETS	1024
#define TRK_SWEEP_SEC	10	/* idle sweep at most this often (capture time) */
#define TRK_DPD_SK_MAX	64	/* IKEv2 SK body of an empty INFORMATIONAL: IV + pad + ICV */
#define TRK_DELETE_QUIET 2	/* seconds of silence after a last INFORMATIONAL = delete */
/*
 * An open exchange with no message for this long is written unanswered: its requester
 * has given up (strongSwan retransmits at most 42 s apart before it gives up after
 * 165 s, libreswan 32 s), so a sensor says so without waiting for the SA to go idle or
 * for the capture to end, and with no further traffic.
 */
#define TRK_ANSWER_WAIT	60
/* An SA that never got its IKE_AUTH / phase 1 answered ends after this much silence. */
#define TRK_FAILED_IDLE	120

struct trk_xchg {
	bool		 used, emitted;
	bool		 req_from_init;	/* IKEv2: the request came from the original initiator */
	bool		 is_dpd, is_info;
	uint32_t	 expect;	/* IKEv1: messages that complete the exchange */
	uint32_t	 resp_total;	/* IKEv2 SKF: fragments the response announced */
	uint64_t	 req_hash[TRK_HASHES], resp_hash[TRK_HASHES];
	size_t		 nreq, nresp;
	uint64_t	 flow_id;
	uint32_t	 file_index;
	uint8_t		 transport;
	uint64_t	 age;
	int64_t		 last_sec;	/* its latest message, retransmissions included */
	struct sd_ike_exchange x;
};

struct trk_sa {
	struct trk_sa	*next;
	struct trk_sa	*cand_prev, *cand_next;	/* on the candidates list (see below) */
	bool		 is_cand;
	uint64_t	 order;
	uint64_t	 flow_id;
	uint32_t	 file_index;
	uint8_t		 transport;
	bool		 roles_known;
	uint16_t	 v1_hash;	/* negotiated IKEv1 hash (RFC 2409 App. A), 0 unknown */
	bool		 auth_answered;	/* IKE_AUTH (v2) / Main or Aggressive Mode (v1) complete */
	uint64_t	 auth_done_frame;
	bool		 saw_delete;
	uint64_t	 last_req_frame;	/* request frame of the latest exchange */
	bool		 last_is_info, last_is_dpd, last_dpd_answered;
	uint64_t	 last_info_frame;
	int64_t		 last_info_sec;	/* of the latest INFORMATIONAL request */
	int64_t		 info_gap_max;	/* longest gap between INFORMATIONAL requests, s */
	uint64_t	 clock;
	/* allocated as the SA needs them (a probe uses one): NULL slots are unused */
	struct trk_xchg	*x[TRK_PENDING];
	struct sd_ike_sa sa;
};

struct sd_ike_track {
	struct sd_memcap	*mc;
	struct sd_ev_sink	 sink;
	const struct sd_digest_hook *digest;	/* NAT-D hashes; borrowed */
	struct trk_sa		*bucket[TRK_BUCKETS];
	size_t			 count;
	uint64_t		 inserted;
	uint64_t		 dropped;
	int64_t			 now_sec, last_sweep;
	/* exchanges closed while a message is tracked wait for its `ike` event */
	bool			 deferring;
	size_t			 nready;
	struct {
		struct sd_event		 ev;
		struct sd_ike_exchange	 x;
	}			 ready[4];
	/* SAs waiting for ESP to call them established: each ESP packet looks at these
	 * only, not at every SA */
	struct trk_sa		*cand_head;
};

static void
cand_add(struct sd_ike_track *t, struct trk_sa *s)
{
	if (s->is_cand)
		return;
	s->is_cand = true;
	s->cand_prev = NULL;
	s->cand_next = t->cand_head;
	if (t->cand_head != NULL)
		t->cand_head->cand_prev = s;
	t->cand_head = s;
}

static void
cand_del(struct sd_ike_track *t, struct trk_sa *s)
{
	if (!s->is_cand)
		return;
	if (s->cand_prev != NULL)
		s->cand_prev->cand_next = s->cand_next;
	else
		t->cand_head = s->cand_next;
	if (s->cand_next != NULL)
		s->cand_next->cand_prev = s->cand_prev;
	s->cand_prev = s->cand_next = NULL;
	s->is_cand = false;
}

struct sd_ike_track *
sd_ike_track_new(struct sd_memcap *mc, struct sd_ev_sink sink,
    const struct sd_digest_hook *digest)
{
	struct sd_ike_track *t;

	if ((t = sd_memcap_calloc(mc, sizeof(*t))) == NULL)
		return NULL;
	t->mc = mc;
	t->sink = sink;
	t->digest = digest;
	return t;
}

/* Free an SA and its exchanges, giving their bytes back to the memcap. */
static void
sa_free(struct sd_ike_track *t, struct trk_sa *s)
{
	size_t i;

	for (i = 0; i < TRK_PENDING; i++)
		sd_memcap_free(t->mc, s->x[i], sizeof(*s->x[i]));
	sd_memcap_free(t->mc, s, sizeof(*s));
}

void
sd_ike_track_free(struct sd_ike_track *t)
{
	struct trk_sa *s, *n;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < TRK_BUCKETS; i++)
		for (s = t->bucket[i]; s != NULL; s = n) {
			n = s->next;
			sa_free(t, s);
		}
	sd_memcap_give(t->mc, sizeof(*t));
	free(t);
}

size_t
sd_ike_track_count(const struct sd_ike_track *t)
{
	return t->count;
}

static size_t
bucket_of(uint8_t version, const uint8_t ispi[8])
{
	return (size_t)(sd_hash_mix(sd_hash(SD_HASH_INIT ^ version, ispi, 8)) % TRK_BUCKETS);
}

static double
ms_between(int64_t s0, uint32_t n0, int64_t s1, uint32_t n1)
{
	return (double)(s1 - s0) * 1e3 + ((double)n1 - (double)n0) / 1e6;
}

static void
emit(struct sd_ike_track *t, const struct sd_event *ev)
{
	if (t->sink.emit != NULL)
		t->sink.emit(t->sink.ctx, ev);
}

static void
emit_exchange(struct sd_ike_track *t, struct trk_xchg *x)
{
	struct sd_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_IKE_EXCHANGE;
	if (x->x.request_frame != 0) {
		ev.frame = x->x.request_frame;
		ev.ts_sec = x->x.req_sec;
		ev.ts_nsec = x->x.req_nsec;
	} else {
		ev.frame = x->x.response_frame;
		ev.ts_sec = x->x.resp_sec;
		ev.ts_nsec = x->x.resp_nsec;
	}
	ev.transport = x->transport;
	ev.src = x->x.initiator_addr;
	ev.dst = x->x.responder_addr;
	ev.sport = x->x.initiator_port;
	ev.dport = x->x.responder_port;
	ev.flow_id = x->flow_id;
	ev.file_index = x->file_index;
	ev.u.msg.exchange = &x->x;
	x->emitted = true;
	if (t->deferring && t->nready < sizeof(t->ready) / sizeof(t->ready[0])) {
		t->ready[t->nready].ev = ev;
		t->ready[t->nready].x = x->x;
		t->nready++;
		return;
	}
	emit(t, &ev);
}

static void
flush_ready(struct sd_ike_track *t)
{
	size_t i;

	t->deferring = false;
	for (i = 0; i < t->nready; i++) {
		t->ready[i].ev.u.msg.exchange = &t->ready[i].x;
		emit(t, &t->ready[i].ev);
	}
	t->nready = 0;
}

static struct trk_sa *
sa_find(struct sd_ike_track *t, const struct sd_ike_msg *m)
{
	struct trk_sa *s;

	for (s = t->bucket[bucket_of(m->version, m->ispi)]; s != NULL; s = s->next)
		if (s->sa.version == m->version && memcmp(s->sa.ispi, m->ispi, 8) == 0)
			return s;
	return NULL;
}

static struct trk_sa *
sa_new(struct sd_ike_track *t, const struct sd_ike_msg *m, const struct sd_event *ev)
{
	struct trk_sa *s;
	size_t b;

	if (t->count >= SD_IKE_TRK_MAX_SAS || (s = sd_memcap_calloc(t->mc, sizeof(*s))) == NULL) {
		t->dropped++;
		return NULL;
	}
	s->order = t->inserted++;
	s->sa.version = m->version;
	memcpy(s->sa.ispi, m->ispi, 8);
	s->sa.first_frame = ev->frame;
	s->sa.first_sec = ev->ts_sec;
	s->sa.first_nsec = ev->ts_nsec;
	s->flow_id = ev->flow_id;
	s->file_index = ev->file_index;
	s->transport = ev->transport;
	b = bucket_of(m->version, m->ispi);
	s->next = t->bucket[b];
	t->bucket[b] = s;
	t->count++;
	return s;
}

static const char *
step_name(uint8_t version, uint8_t exchange, bool dpd)
{
	if (version == 2) {
		switch (exchange) {
		case SD_IKE_X_SA_INIT: return "init";
		case SD_IKE_X_AUTH: return "auth";
		case SD_IKE_X_CREATE_CHILD: return "create_child";
		case SD_IKE_X_INFORMATIONAL: return dpd ? "dpd" : "info";
		default: return "other";
		}
	}
	switch (exchange) {
	case SD_IKE_X_V1_MAIN: return "main";
	case SD_IKE_X_V1_AGGRESSIVE: return "aggressive";
	case SD_IKE_X_V1_QUICK: return "quick";
	case SD_IKE_X_V1_TRANSACTION: return "transaction";
	case SD_IKE_X_V1_INFO: return dpd ? "dpd" : "info";
	default: return "other";
	}
}

static void
add_step(struct trk_sa *s, const char *name, uint64_t frame, double ms)
{
	s->sa.nsteps_total++;
	if (s->sa.nsteps >= SD_IKE_TRK_STEPS)
		return;
	s->sa.steps[s->sa.nsteps].step = name;
	s->sa.steps[s->sa.nsteps].frame = frame;
	s->sa.steps[s->sa.nsteps].ms = ms;
	s->sa.nsteps++;
}

/* An exchange is over (answered, or given up): account it in its SA and write it. */
static void
close_exchange(struct sd_ike_track *t, struct trk_sa *s, struct trk_xchg *x)
{
	struct sd_ike_exchange *e = &x->x;
	double ms = e->answered && e->request_frame != 0 ?
	    ms_between(e->req_sec, e->req_nsec, e->resp_sec, e->resp_nsec) : -1;
	uint64_t frame = e->request_frame != 0 ? e->request_frame : e->response_frame;

	s->sa.exchanges++;
	if (e->expects_response && !e->answered)
		s->sa.unanswered++;
	if (e->version == 2 && e->exchange == SD_IKE_X_CREATE_CHILD) {
		/* a further child SA or a rekey: what tells them apart is encrypted */
		if (s->sa.nrekeys < SD_IKE_TRK_REKEYS)
			s->sa.rekeys[s->sa.nrekeys++] = frame;
		s->sa.nrekeys_total++;
	}
	add_step(s, step_name(e->version, e->exchange, x->is_dpd), frame, ms);
	if (x->is_info) {
		s->sa.informational++;
		if (x->is_dpd) {
			s->sa.dpd_requests++;
			if (e->answered)
				s->sa.dpd_answered++;
		}
	}
	if (frame >= s->last_req_frame) {
		s->last_req_frame = frame;
		s->last_is_info = x->is_info;
		s->last_is_dpd = x->is_dpd;
		s->last_dpd_answered = e->answered;
		if (x->is_info && e->request_frame != 0) {
			if (s->last_info_frame != 0 &&
			    e->req_sec - s->last_info_sec > s->info_gap_max)
				s->info_gap_max = e->req_sec - s->last_info_sec;
			s->last_info_frame = frame;
			s->last_info_sec = e->req_sec;
		}
	}
	if (!x->emitted)
		emit_exchange(t, x);
}

/* Find the exchange a message belongs to. */
static struct trk_xchg *
xchg_find(struct trk_sa *s, const struct sd_ike_msg *m, bool req_from_init)
{
	struct trk_xchg *best = NULL;
	size_t i;

	/* the latest one: a COOKIE or INVALID_KE retry reuses message id 0 */
	for (i = 0; i < TRK_PENDING; i++) {
		struct trk_xchg *x = s->x[i];

		if (x == NULL || !x->used || x->x.message_id != m->message_id)
			continue;
		if ((m->version == 2 && x->req_from_init == req_from_init) ||
		    (m->version == 1 && x->x.exchange == m->exchange))
			if (best == NULL || x->age > best->age)
				best = x;
	}
	return best;
}

static struct trk_xchg *
xchg_slot(struct sd_ike_track *t, struct trk_sa *s)
{
	struct trk_xchg *v = NULL;
	size_t i;

	for (i = 0; i < TRK_PENDING; i++) {
		struct trk_xchg *x = s->x[i];

		if (x == NULL) {
			/* slots are allocated in order: the rest are unallocated too */
			if ((s->x[i] = sd_memcap_calloc(t->mc, sizeof(*x))) != NULL)
				return s->x[i];
			if (v == NULL)
				return NULL;	/* the memcap refused the first one */
			break;
		}
		if (!x->used)
			return x;
		/* prefer reusing the oldest written exchange, else the oldest open one */
		if (v == NULL || (x->emitted && !v->emitted) ||
		    (x->emitted == v->emitted && x->age < v->age))
			v = x;
	}
	if (!v->emitted)
		close_exchange(t, s, v);
	return v;
}

static uint32_t
v1_expect(uint8_t exchange)
{
	switch (exchange) {
	case SD_IKE_X_V1_MAIN: return 6;
	case SD_IKE_X_V1_AGGRESSIVE: return 3;
	case SD_IKE_X_V1_QUICK: return 3;
	case SD_IKE_X_V1_INFO: return 1;
	default: return 2;	/* Transaction (Mode-CFG / XAUTH), Base, ... request + reply */
	}
}

static bool
hash_seen(const uint64_t *v, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n && i < TRK_HASHES; i++)
		if (v[i] == h)
			return true;
	return false;
}

static void
hash_add(uint64_t *v, size_t *n, uint64_t h)
{
	if (*n < TRK_HASHES)
		v[*n] = h;
	(*n)++;
}

static bool
is_fragment(const struct sd_ike_msg *m)
{
	return m->has_fragment || m->has_v1_frag;
}

static void
start_exchange(struct trk_sa *s, struct trk_xchg *x, const struct sd_ike_msg *m,
    const struct sd_event *ev, bool req_from_init)
{
	memset(x, 0, sizeof(*x));
	x->used = true;
	x->age = ++s->clock;
	x->req_from_init = req_from_init;
	x->flow_id = ev->flow_id;
	x->file_index = ev->file_index;
	x->transport = ev->transport;
	x->x.version = m->version;
	x->x.exchange = m->exchange;
	memcpy(x->x.ispi, m->ispi, 8);
	memcpy(x->x.rspi, m->rspi, 8);
	x->x.message_id = m->message_id;
	x->x.expects_response = !(m->version == 1 && m->exchange == SD_IKE_X_V1_INFO);
	x->expect = m->version == 1 ? v1_expect(m->exchange) : 2;
	x->x.has_nat = (m->version == 2 && m->exchange == SD_IKE_X_SA_INIT) ||
	    (m->version == 1 && (m->exchange == SD_IKE_X_V1_MAIN ||
	    m->exchange == SD_IKE_X_V1_AGGRESSIVE));
	x->x.nat.initiator_behind_nat = x->x.nat.responder_behind_nat = -1;
	x->is_info = (m->version == 2 && m->exchange == SD_IKE_X_INFORMATIONAL) ||
	    (m->version == 1 && m->exchange == SD_IKE_X_V1_INFO);
}

/* Who asked and who answered, from the request (ev sent by the requester) or, when the
 * request was not captured, from the response. */
static void
set_roles(struct trk_xchg *x, const struct sd_ike_msg *m, const struct sd_event *ev,
    bool from_request)
{
	x->x.initiator_addr = from_request ? ev->src : ev->dst;
	x->x.responder_addr = from_request ? ev->dst : ev->src;
	x->x.initiator_port = from_request ? ev->sport : ev->dport;
	x->x.responder_port = from_request ? ev->dport : ev->sport;
	x->x.nat_t = m->nat_t;
	x->x.tcp = m->tcp_encap;
	x->flow_id = ev->flow_id;
	x->transport = ev->transport;
}

static void
note_request(struct trk_xchg *x, const struct sd_ike_msg *m, const struct sd_event *ev)
{
	if (x->x.request_frame == 0) {
		x->x.request_frame = ev->frame;
		x->x.req_sec = ev->ts_sec;
		x->x.req_nsec = ev->ts_nsec;
		set_roles(x, m, ev, true);
		x->x.ip_fragments = m->ip_fragments;
	}
	/* IKEv2 DPD: an INFORMATIONAL request whose encrypted part can hold nothing */
	if (m->version == 2 && m->exchange == SD_IKE_X_INFORMATIONAL && m->encrypted &&
	    !m->has_fragment && m->sk_len <= TRK_DPD_SK_MAX)
		x->is_dpd = true;
}

static void
note_response(struct trk_xchg *x, const struct sd_ike_msg *m, const struct sd_event *ev)
{
	size_t i;

	if (!x->x.answered) {
		x->x.answered = true;
		x->x.response_frame = ev->frame;
		x->x.resp_sec = ev->ts_sec;
		x->x.resp_nsec = ev->ts_nsec;
		if (x->x.request_frame == 0) {
			/* request not captured: roles from the response */
			set_roles(x, m, ev, false);
		}
		memcpy(x->x.rspi, m->rspi, 8);
	}
	for (i = 0; i < m->nnotify; i++) {
		if (x->x.nnotify < SD_IKE_TRK_NOTIFY)
			x->x.notify[x->x.nnotify++] = m->notify[i].type;
		if (x->x.error == 0 && m->notify[i].type != 0 && m->notify[i].type < 16384)
			x->x.error = m->notify[i].type;
	}
}

/* Roles of the SA, from the first message that tells them. */
static void
sa_roles(struct trk_sa *s, const struct sd_event *ev, bool sender_is_init)
{
	if (s->roles_known)
		return;
	s->roles_known = true;
	s->sa.initiator = sender_is_init ? ev->src : ev->dst;
	s->sa.responder = sender_is_init ? ev->dst : ev->src;
	s->sa.initiator_port = sender_is_init ? ev->sport : ev->dport;
	s->sa.responder_port = sender_is_init ? ev->dport : ev->sport;
}

static bool
same_addr(const struct sd_addr *a, const struct sd_addr *b)
{
	return sd_ip_addr_cmp(a, b) == 0;
}

/* Does a message of an exchange complete it (so it is written now)? */
static bool
complete(const struct trk_xchg *x, const struct sd_ike_msg *m)
{
	if (x->x.version == 1)
		return x->x.messages >= x->expect && x->x.answered;
	if (!x->x.answered)
		return false;
	if (m->has_fragment && m->frag_total > 1)
		return x->nresp >= m->frag_total;
	return true;
}

/* IKE_AUTH answered (v2) or phase 1 complete (v1): established once traffic follows. */
static void
set_auth_answered(struct sd_ike_track *t, struct trk_sa *s, uint64_t frame)
{
	if (s->auth_answered)
		return;
	s->auth_answered = true;
	s->auth_done_frame = frame;
	if (!s->sa.established)
		cand_add(t, s);
}

static void
sa_progress(struct sd_ike_track *t, struct trk_sa *s, const struct trk_xchg *x)
{
	const struct sd_ike_exchange *e = &x->x;

	(void)t;
	if (e->version == 2) {
		if (e->exchange == SD_IKE_X_SA_INIT && s->sa.init_frame == 0)
			s->sa.init_frame = e->request_frame != 0 ? e->request_frame :
			    e->response_frame;
		if (e->exchange == SD_IKE_X_AUTH && s->sa.auth_frame == 0)
			s->sa.auth_frame = e->request_frame != 0 ? e->request_frame :
			    e->response_frame;
		if (e->exchange == SD_IKE_X_AUTH && e->answered && e->error == 0)
			set_auth_answered(t, s, e->response_frame);
		return;
	}
	if ((e->exchange == SD_IKE_X_V1_MAIN || e->exchange == SD_IKE_X_V1_AGGRESSIVE) &&
	    s->sa.init_frame == 0)
		s->sa.init_frame = e->request_frame;
}

static void
mark_established(struct sd_ike_track *t, struct trk_sa *s, const char *by)
{
	if (s->sa.established)
		return;
	s->sa.established = true;
	s->sa.established_by = by;
	cand_del(t, s);
}

/* IKEv1 roles: the exchange's initiator is whoever sent its first message. */
static bool
v1_from_init(const struct trk_xchg *x, const struct sd_event *ev)
{
	if (!same_addr(&x->x.initiator_addr, &x->x.responder_addr))
		return same_addr(&ev->src, &x->x.initiator_addr);
	return ev->sport == x->x.initiator_port;
}

static void sweep(struct sd_ike_track *, int64_t now);

static void
track(struct sd_ike_track *t, struct sd_ike_msg *m, const struct sd_ike_track_pkt *pkt)
{
	const struct sd_event *ev = pkt->ev;
	struct trk_sa *s = sa_find(t, m);
	struct trk_xchg *x;
	bool req_from_init, is_request, sender_is_init;
	uint64_t h = sd_hash_words(SD_HASH_INIT, pkt->datagram.p, sd_rd_left(&pkt->datagram));
	size_t i;

	if (s == NULL && (s = sa_new(t, m, ev)) == NULL)
		return;
	s->sa.last_frame = ev->frame;
	s->sa.last_sec = ev->ts_sec;
	s->sa.last_nsec = ev->ts_nsec;
	if (!s->sa.established && s->auth_answered && ev->frame > s->auth_done_frame)
		mark_established(t, s, "later_exchange");
	if (m->version == 2) {
		sender_is_init = m->initiator;
		is_request = !m->response;
		req_from_init = is_request ? m->initiator : !m->initiator;
		x = xchg_find(s, m, req_from_init);
	} else {
		x = xchg_find(s, m, true);
		is_request = x == NULL || v1_from_init(x, ev);
		req_from_init = true;
		sender_is_init = m->initiator;
	}
	if (m->version == 2 && m->exchange == SD_IKE_X_SA_INIT) {
		if (!s->roles_known || !m->response)
			sa_roles(s, ev, sender_is_init);
	} else if (m->version == 1 && m->message_id == 0) {
		sa_roles(s, ev, sender_is_init);
	}
	if (!s->roles_known && m->version == 2)
		sa_roles(s, ev, sender_is_init);
	if (memcmp(s->sa.rspi, "\0\0\0\0\0\0\0\0", 8) == 0)
		memcpy(s->sa.rspi, m->rspi, 8);
	if (m->version == 1 && m->nv1_natd == 0 && m->ntransforms > 0 &&
	    m->transforms[0].v1_hash != 0 && m->message_id == 0)
		s->v1_hash = m->transforms[0].v1_hash;	/* the responder's choice comes last */

	if (x != NULL) {
		uint64_t *hv = is_request ? x->req_hash : x->resp_hash;
		size_t *hn = is_request ? &x->nreq : &x->nresp;

		if (hash_seen(hv, *hn, h)) {
			m->retransmit = true;
			x->last_sec = ev->ts_sec;
			if (is_request)
				x->x.retransmits++;
			else
				x->x.response_retransmits++;
			return;
		}
		if (m->version == 2 && is_request && x->emitted && !is_fragment(m)) {
			x = NULL;	/* same id, new bytes, after the answer: a new request */
		} else if (m->version == 2 && is_request && !x->x.answered && !is_fragment(m) &&
		    x->nreq > 0) {
			close_exchange(t, s, x);	/* replaced by a different request */
			x = NULL;
		} else if (x->emitted) {
			/* a late part (fragment) of something already written */
			hash_add(hv, hn, h);
			return;
		}
	}
	if (x == NULL) {
		/* a new request, or a response whose request was not captured */
		if ((x = xchg_slot(t, s)) == NULL) {
			t->dropped++;
			return;
		}
		start_exchange(s, x, m, ev, req_from_init);
	}
	x->age = ++s->clock;
	x->last_sec = ev->ts_sec;
	hash_add(is_request ? x->req_hash : x->resp_hash, is_request ? &x->nreq : &x->nresp, h);
	x->x.messages++;
	if (is_fragment(m))
		x->x.fragments++;
	if (is_request)
		note_request(x, m, ev);
	else
		note_response(x, m, ev);
	for (i = 0; i < m->nnotify; i++) {
		if (m->notify[i].type == SD_IKE_N_V1_R_U_THERE && m->version == 1) {
			x->is_dpd = true;
		} else if (m->notify[i].type == SD_IKE_N_V1_R_U_THERE_ACK && m->version == 1) {
			s->sa.dpd_answered++;
		}
	}
	if (m->ndeletes > 0 && !s->saw_delete) {
		s->saw_delete = true;
		s->sa.deleted_frame = ev->frame;
	}
	if (x->x.has_nat)
		sd_natd_check(t->digest, s->v1_hash, m, ev, sender_is_init, &s->sa.nat,
		    &x->x.nat);
	else if (m->nv1_natd > 0 || m->nnotify > 0)
		sd_natd_check(t->digest, s->v1_hash, m, ev, sender_is_init, &s->sa.nat, NULL);
	if (complete(x, m) || (m->version == 1 && !x->x.expects_response)) {
		sa_progress(t, s, x);
		if (m->version == 1 && x->x.exchange == SD_IKE_X_V1_QUICK)
			mark_established(t, s, "quick_mode");
		if (m->version == 1 && (x->x.exchange == SD_IKE_X_V1_MAIN ||
		    x->x.exchange == SD_IKE_X_V1_AGGRESSIVE))
			set_auth_answered(t, s, ev->frame);
		close_exchange(t, s, x);
	} else if (m->version == 2) {
		sa_progress(t, s, x);
	}
}


/* Write the open exchanges of s whose last message came before `before`, in capture
 * order, as they stand (unanswered). */
static void
close_open(struct sd_ike_track *t, struct trk_sa *s, int64_t before)
{
	struct trk_xchg *v[TRK_PENDING], *tmp;
	size_t i, j, n = 0;

	for (i = 0; i < TRK_PENDING; i++)
		if (s->x[i] != NULL && s->x[i]->used && !s->x[i]->emitted &&
		    s->x[i]->last_sec < before)
			v[n++] = s->x[i];
	for (i = 1; i < n; i++)		/* insertion sort by age: capture order */
		for (j = i; j > 0 && v[j - 1]->age > v[j]->age; j--) {
			tmp = v[j];
			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	for (i = 0; i < n; i++) {
		sa_progress(t, s, v[i]);
		close_exchange(t, s, v[i]);
	}
}

/* The SA ends: open exchanges are written unanswered, then the SA. */
static void
end_sa(struct sd_ike_track *t, struct trk_sa *s, const char *why)
{
	struct sd_event ev;
	size_t i;

	close_open(t, s, INT64_MAX);
	/*
	 * An encrypted Delete cannot be read: an INFORMATIONAL exchange that is the SA's last
	 * and is followed by silence is taken as its deletion (it then was no DPD).  Silence
	 * means longer than twice the longest gap between its INFORMATIONAL requests, so
	 * a capture that ends between two periodic DPDs does not read as a delete.
	 */
	if (s->sa.deleted_frame == 0 && s->last_is_info && s->last_info_frame != 0 &&
	    s->sa.established && t->now_sec - s->sa.last_sec >= TRK_DELETE_QUIET &&
	    t->now_sec - s->sa.last_sec > 2 * s->info_gap_max) {
		s->sa.deleted_frame = s->last_info_frame;
		s->sa.delete_inferred = true;
		if (s->last_is_dpd && s->sa.dpd_requests > 0) {
			s->sa.dpd_requests--;
			if (s->last_dpd_answered && s->sa.dpd_answered > 0)
				s->sa.dpd_answered--;
		}
		for (i = s->sa.nsteps; i > 0; i--)
			if (s->sa.steps[i - 1].frame == s->last_info_frame) {
				s->sa.steps[i - 1].step = "delete";
				break;
			}
	}
	cand_del(t, s);
	s->sa.end = why;
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_IKE_SA;
	ev.frame = s->sa.first_frame;
	ev.ts_sec = s->sa.first_sec;
	ev.ts_nsec = s->sa.first_nsec;
	ev.transport = s->transport;
	ev.src = s->sa.initiator;
	ev.dst = s->sa.responder;
	ev.sport = s->sa.initiator_port;
	ev.dport = s->sa.responder_port;
	ev.flow_id = s->flow_id;
	ev.file_index = s->file_index;
	ev.u.msg.ike_sa = &s->sa;
	emit(t, &ev);
}

static int
cmp_sa(const void *a, const void *b)
{
	const struct trk_sa *x = *(const struct trk_sa *const *)a;
	const struct trk_sa *y = *(const struct trk_sa *const *)b;

	if (x->sa.first_frame != y->sa.first_frame)
		return x->sa.first_frame < y->sa.first_frame ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Is SA s to end at now: idle for SD_IKE_TRK_IDLE_SEC, or TRK_FAILED_IDLE when its
 * authentication never got an answer (all of them when now < 0). */
static bool
sa_over(const struct trk_sa *s, int64_t now)
{
	if (now < 0)
		return true;
	if (!s->auth_answered && !s->sa.established)
		return s->sa.last_sec < now - TRK_FAILED_IDLE;
	return s->sa.last_sec < now - SD_IKE_TRK_IDLE_SEC;
}

/* End the SAs sa_over() picks. */
static void
drain(struct sd_ike_track *t, int64_t now, const char *why)
{
	struct trk_sa **v, **pp, *s;
	size_t i, n = 0, k = 0;

	for (i = 0; i < TRK_BUCKETS; i++)
		for (s = t->bucket[i]; s != NULL; s = s->next)
			if (sa_over(s, now))
				n++;
	if (n == 0)
		return;
	v = malloc(n * sizeof(*v));
	for (i = 0; i < TRK_BUCKETS; i++) {
		pp = &t->bucket[i];
		while ((s = *pp) != NULL) {
			if (!sa_over(s, now)) {
				pp = &s->next;
				continue;
			}
			*pp = s->next;
			t->count--;
			if (v != NULL) {
				v[k++] = s;
			} else {
				end_sa(t, s, why);
				sa_free(t, s);
			}
		}
	}
	if (v == NULL)
		return;
	qsort(v, k, sizeof(*v), cmp_sa);
	for (i = 0; i < k; i++) {
		end_sa(t, v[i], why);
		sa_free(t, v[i]);
	}
	free(v);
}

/* Open exchanges silent for TRK_ANSWER_WAIT are written as they stand (unanswered). */
static void
stale_exchanges(struct sd_ike_track *t, int64_t now)
{
	struct trk_sa *s;
	size_t b;

	for (b = 0; b < TRK_BUCKETS; b++)
		for (s = t->bucket[b]; s != NULL; s = s->next)
			close_open(t, s, now - TRK_ANSWER_WAIT);
}

static void
sweep(struct sd_ike_track *t, int64_t now)
{
	stale_exchanges(t, now);
	drain(t, now, "idle");
}

void
sd_ike_track_tick(struct sd_ike_track *t, int64_t now_sec)
{
	if (now_sec > t->now_sec)
		t->now_sec = now_sec;
	if (t->now_sec - t->last_sweep >= TRK_SWEEP_SEC) {
		t->last_sweep = t->now_sec;
		sweep(t, t->now_sec);
	}
}

void
sd_ike_track_message(struct sd_ike_track *t, struct sd_ike_msg *m,
    const struct sd_ike_track_pkt *pkt)
{
	if (t->now_sec - t->last_sweep >= TRK_SWEEP_SEC) {
		t->last_sweep = t->now_sec;
		sweep(t, t->now_sec);
	}
	if (pkt->ev->ts_sec > t->now_sec)
		t->now_sec = pkt->ev->ts_sec;
	t->deferring = true;
	if (m->header_ok && (m->version == 1 || m->version == 2))
		track(t, m, pkt);
	emit(t, pkt->ev);
	flush_ready(t);
}

void
sd_ike_track_esp(struct sd_ike_track *t, const struct sd_addr *src, const struct sd_addr *dst,
    int64_t sec, uint64_t frame)
{
	struct trk_sa *s, *next;

	if (sec > t->now_sec)
		t->now_sec = sec;
	for (s = t->cand_head; s != NULL; s = next) {
		next = s->cand_next;	/* mark_established() takes s off the list */
		if (frame <= s->auth_done_frame)
			continue;
		if ((same_addr(src, &s->sa.initiator) && same_addr(dst, &s->sa.responder)) ||
		    (same_addr(dst, &s->sa.initiator) && same_addr(src, &s->sa.responder)))
			mark_established(t, s, "esp");
	}
}

void
sd_ike_track_finish(struct sd_ike_track *t)
{
	drain(t, -1, "capture_end");
}
