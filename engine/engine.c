/* engine/engine.c - the per-packet path: link, IP (+defrag, tunnels), flows, TCP, UDP, ICMP. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/app.h"
#include "dissect/esp.h"
#include "dissect/l4.h"
#include "dissect/link.h"
#include "dissect/tunnel.h"

#define SD_TUNNEL_DEPTH		4	/* VXLAN in GRE in ... stops here */
#define SD_EXPIRE_EVERY_US	1000000	/* run idle expiry once per second of capture time */

struct sd_engine {
	struct sd_engine_opts	 o;
	struct sd_memcap	 own_mc;
	struct sd_memcap	*mc;		/* own_mc, or the caller's */
	struct sd_flow_table	*flows;
	struct sd_defrag	*defrag;
	struct sd_app		*app;
	struct sd_engine_stats	 st;
	uint64_t		 now_us, last_expire_us;
	const struct sd_pkt_in	*cur;
};

/* Per packet: what the link layer found that flows keep (not their key). */
struct sd_l2 {
	uint16_t		 vlan;		/* outer VLAN id or 0 */
	bool			 has_sgt;
	uint16_t		 sgt;		/* TrustSec SGT (Cisco MetaData) */
};

/* Per packet: what the IP layer found, handed to the transport layer. */
struct sd_l3 {
	struct sd_ip		 ip;
	struct sd_rd		 l4;		/* transport bytes (reassembled when fragmented) */
	const uint8_t		*l3_start;	/* IP header, for nDPI; NULL when reassembled */
	size_t			 l3_len;
	uint32_t		 nfrags;	/* > 0: reassembled from this many fragments */
	struct sd_l2		 l2;
};

static void	ip_layer(struct sd_engine *, struct sd_rd net, const struct sd_l2 *, int depth);

/* The link facts of a decapsulated frame: its own tags, else the carrier's. */
static struct sd_l2
l2_of(const struct sd_link *link, const struct sd_l2 *outer)
{
	struct sd_l2 l2 = { 0, false, 0 };

	if (outer != NULL)
		l2 = *outer;
	if (link->nvlan > 0)
		l2.vlan = link->vlan[0];
	if (link->has_sgt) {
		l2.has_sgt = true;
		l2.sgt = link->sgt;
	}
	return l2;
}

/* After an RST, data from the other side is still parsed for this long (in flight). */
#define SD_PIPE_RST_GRACE_US	2000000u

static void
emit(struct sd_engine *p, struct sd_event *ev)
{
	if (p->o.sink.emit != NULL)
		p->o.sink.emit(p->o.sink.ctx, ev);
}

static void
event_init(struct sd_event *ev, enum sd_ev_type type, uint64_t frame, int64_t sec,
    uint32_t nsec, uint32_t file_index)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = sec;
	ev->ts_nsec = nsec;
	ev->file_index = file_index;
}

static void
flow_ended(void *ctx, struct sd_flow *f, const char *why)
{
	struct sd_engine *p = ctx;
	struct sd_tcpconn *tc = f->tcp;
	struct sd_event ev;
	int r;

	if (p->o.hooks.classify.flow_end != NULL)
		p->o.hooks.classify.flow_end(p->o.hooks.classify.ctx, &f->cls_state, f->app_label,
		    sizeof(f->app_label), p->mc);
	else if (f->app_label[0] == '\0')
		snprintf(f->app_label, sizeof(f->app_label), "Unknown");
	sd_app_flow_end(p->app, f);
	/*
	 * Never answered: no SYN-ACK, nothing else from the server, no ICMP error, and the
	 * client never acknowledged anything either (an ACK of its own proves a SYN-ACK
	 * reached it, though the capture missed it: one-way capture, not silence).
	 */
	if (tc != NULL && tc->syns > 0 && !tc->synack && !tc->client_acked &&
	    f->rec.packets[SD_ROLE_SERVER] == 0 && f->rec.icmp_errors == 0) {
		event_init(&ev, SD_EV_TCP_UNANSWERED, tc->syn_first_frame, tc->syn_first_sec,
		    tc->syn_first_nsec, f->file_index);
		ev.transport = SD_IPPROTO_TCP;
		ev.src = f->addr[SD_ROLE_CLIENT];
		ev.dst = f->addr[SD_ROLE_SERVER];
		ev.sport = f->port[SD_ROLE_CLIENT];
		ev.dport = f->port[SD_ROLE_SERVER];
		ev.flow_id = f->id;
		ev.store = &f->store;
		ev.tags = f->rec.tags;
		ev.u.unanswered.syns = tc->syns;
		ev.u.unanswered.first_frame = tc->syn_first_frame;
		ev.u.unanswered.last_frame = tc->syn_last_frame;
		ev.u.unanswered.duration = (double)(tc->syn_last_sec - tc->syn_first_sec) +
		    ((double)tc->syn_last_nsec - (double)tc->syn_first_nsec) / 1e9;
		ev.u.unanswered.waited = (double)p->now_us / 1e6 -
		    ((double)tc->syn_last_sec + (double)tc->syn_last_nsec / 1e9);
		if (ev.u.unanswered.waited < 0)
			ev.u.unanswered.waited = 0;
		emit(p, &ev);
	}
	if (tc != NULL) {
		for (r = 0; r < 2; r++) {
			f->rec.retransmits[r] = tc->s[r].st.retransmits;
			f->rec.ooo[r] = tc->s[r].st.ooo;
			f->rec.gaps[r] = tc->s[r].st.gaps;
			f->rec.gap_bytes[r] = tc->s[r].st.gap_bytes;
			f->rec.overlaps[r] = tc->s[r].st.overlaps;
			f->rec.capture_holes[r] = tc->s[r].st.capture_holes;
			f->rec.capture_missed[r] = tc->s[r].st.capture_missed;
		}
	}
	event_init(&ev, SD_EV_FLOW, f->rec.first_frame, f->rec.first_sec, f->rec.first_nsec,
	    f->file_index);
	ev.transport = f->proto;
	ev.src = f->addr[SD_ROLE_CLIENT];
	ev.dst = f->addr[SD_ROLE_SERVER];
	ev.sport = f->port[SD_ROLE_CLIENT];
	ev.dport = f->port[SD_ROLE_SERVER];
	ev.flow_id = f->id;
	ev.store = &f->store;
	ev.tags = f->rec.tags;
	ev.u.flow = f->rec;
	if (f->rec.ovpn.seen)
		ev.carrier = "openvpn";
	ev.u.flow.app = f->app_label[0] != '\0' ? f->app_label : "Unknown";
	ev.u.flow.end = why;
	if (tc != NULL)
		sd_tcp_capture_loss(tc, &ev);
	emit(p, &ev);
	/* the flow's last event is out: its consumers' per-flow state goes with it */
	sd_store_release(p->o.store_reg, &f->store);
	if (p->o.frames.flow_end != NULL)
		p->o.frames.flow_end(p->o.frames.ctx, f->id);
}

struct sd_engine *
sd_engine_new(const struct sd_engine_opts *o, char *err, size_t errlen)
{
	struct sd_engine *p;

	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->o = *o;
	p->mc = o->mc != NULL ? o->mc : &p->own_mc;
	if (p->mc->limit == 0)
		p->mc->limit = o->memcap != 0 ? o->memcap : (size_t)256 << 20;
	if (p->o.stream_buf == 0)
		p->o.stream_buf = 256 * 1024;
	p->flows = sd_flow_table_new(&o->flow, p->mc, flow_ended, p);
	p->defrag = sd_defrag_new(&o->defrag, p->mc);
	p->app = sd_app_new(p->mc, o->sink, &p->o.hooks.digest, &p->o.hooks.tls_decrypt,
	    o->max_esp_sas);
	if (p->flows == NULL || p->defrag == NULL || p->app == NULL) {
		snprintf(err, errlen, "out of memory");
		sd_engine_free(p);
		return NULL;
	}
	return p;
}

void
sd_engine_free(struct sd_engine *p)
{
	if (p == NULL)
		return;
	sd_flow_table_free(p->flows);	/* ends remaining flows: needs the hooks and app alive */
	sd_app_free(p->app);
	sd_defrag_free(p->defrag);
	free(p);
}

void
sd_engine_finish(struct sd_engine *p)
{
	sd_flow_table_flush(p->flows, "capture_end");
	sd_app_finish(p->app);
	p->st.memcap_refused = p->mc->refused;
	p->st.memcap_peak = p->mc->peak;
}

const struct sd_engine_stats *
sd_engine_stats(const struct sd_engine *p)
{
	return &p->st;
}

const struct sd_flow_stats *
sd_engine_flow_stats(const struct sd_engine *p)
{
	return sd_flow_table_stats(p->flows);
}

struct sd_memcap *
sd_engine_memcap(struct sd_engine *p)
{
	return p->mc;
}

const struct sd_defrag_stats *
sd_engine_defrag_stats(const struct sd_engine *p)
{
	return sd_defrag_stats(p->defrag);
}

/* Count the packet in its flow: per-role counters, TTL, first/last frame. */
static void
account(struct sd_engine *p, struct sd_flow *f, int dir, const struct sd_l3 *l3,
    size_t payload)
{
	const struct sd_pkt_in *in = p->cur;
	struct sd_ev_flow *r = &f->rec;

	if (r->packets[0] + r->packets[1] == 0) {
		r->first_frame = in->frame;
		r->first_sec = in->sec;
		r->first_nsec = in->nsec;
		r->vlan = l3->l2.vlan;
		f->file_index = in->file_index;
	}
	if (l3->l2.has_sgt && (r->tags.sgt_seen & (1u << dir)) == 0) {
		r->tags.sgt_seen |= (uint8_t)(1u << dir);
		r->tags.sgt[dir] = l3->l2.sgt;
	}
	if (r->packets[dir] == 0) {
		r->ttl_first[dir] = l3->ip.ttl;
		r->ttl_min[dir] = l3->ip.ttl;
		r->ttl_max[dir] = l3->ip.ttl;
	}
	if (l3->ip.ttl < r->ttl_min[dir])
		r->ttl_min[dir] = l3->ip.ttl;
	if (l3->ip.ttl > r->ttl_max[dir])
		r->ttl_max[dir] = l3->ip.ttl;
	r->last_frame = in->frame;
	r->last_sec = in->sec;
	r->last_nsec = in->nsec;
	r->packets[dir]++;
	r->bytes[dir] += l3->ip.hdr_len + sd_rd_left(&l3->l4);
	r->payload[dir] += payload;
	if (l3->nfrags > 0)
		r->fragments += l3->nfrags;
	if (l3->ip.flags & SD_IP_F_CAPLEN_CUT)
		r->anomalies |= SD_ANOM_CAPLEN_CUT;
	f->last_ip_id[dir] = l3->ip.id;
	sd_flow_touch(p->flows, f, p->now_us);
	if (p->o.frames.frame != NULL)
		p->o.frames.frame(p->o.frames.ctx, f, in);
	if (f->app_label[0] == '\0' && l3->l3_start != NULL && p->o.hooks.classify.packet != NULL)
		p->o.hooks.classify.packet(p->o.hooks.classify.ctx, &f->cls_state, f->app_label,
		    sizeof(f->app_label), p->mc, l3->l3_start, l3->l3_len, p->now_us);
}

static struct sd_app_pkt
app_pkt(const struct sd_engine *p, const struct sd_l3 *l3, int dir)
{
	struct sd_app_pkt ap;

	ap.frame = p->cur->frame;
	ap.sec = p->cur->sec;
	ap.nsec = p->cur->nsec;
	ap.file_index = p->cur->file_index;
	ap.ip = &l3->ip;
	ap.dir = dir;
	ap.ip_fragments = l3->nfrags;
	return ap;
}

static enum sd_tcp_phase
tcp_phase(const struct sd_flow *f)
{
	const struct sd_tcpconn *tc = f->tcp;

	if (tc->midstream)
		return SD_PHASE_MIDSTREAM;
	if (f->rec.fin_seen[0] || f->rec.fin_seen[1])
		return SD_PHASE_CLOSING;
	if (!tc->synack)
		return SD_PHASE_SYN_SENT;
	if (f->rec.payload[SD_ROLE_CLIENT] == 0 && f->rec.payload[SD_ROLE_SERVER] == 0)
		return SD_PHASE_SYN_ACKED;
	if (f->rec.payload[SD_ROLE_SERVER] == 0)
		return SD_PHASE_CLIENT_DATA;
	return SD_PHASE_DATA;
}

static void
tcp_reset_event(struct sd_engine *p, struct sd_flow *f, int dir, const struct sd_l3 *l3,
    const struct sd_tcp *t, uint64_t prev_frame, bool had_sender_pkts)
{
	struct sd_event ev;
	struct sd_ev_tcp_reset *r = &ev.u.reset;

	event_init(&ev, SD_EV_TCP_RESET, p->cur->frame, p->cur->sec, p->cur->nsec,
	    p->cur->file_index);
	ev.transport = SD_IPPROTO_TCP;
	ev.src = l3->ip.src;
	ev.dst = l3->ip.dst;
	ev.sport = t->sport;
	ev.dport = t->dport;
	ev.flow_id = f->id;
	ev.store = &f->store;
	ev.tags = f->rec.tags;
	r->sender = (uint8_t)dir;
	r->phase = tcp_phase(f);
	r->ttl = l3->ip.ttl;
	r->ip_id = l3->ip.version == 4 ? l3->ip.id : 0;
	r->peer_ttl_known = had_sender_pkts;
	r->sender_ttl = had_sender_pkts ? f->rec.ttl_first[dir] : 0;
	r->sender_ip_id = had_sender_pkts ? f->last_ip_id[dir] : 0;
	r->client_bytes = f->rec.payload[SD_ROLE_CLIENT];
	r->server_bytes = f->rec.payload[SD_ROLE_SERVER];
	r->after_frame = prev_frame;
	r->after_client_hello = (f->app_flags & SD_APPF_CLIENT_HELLO) != 0;
	r->after_server_hello = (f->app_flags & SD_APPF_SERVER_HELLO) != 0;
	r->answers_syn = dir == SD_ROLE_SERVER && !f->tcp->synack && f->tcp->syns > 0 &&
	    (t->flags & SD_TCP_ACK) != 0;
	emit(p, &ev);
}

/*
 * Segment sizes for tcp.mtu_blackhole: the largest payload a role sent, the largest the
 * peer acknowledged in full, and retransmissions of full-size segments (within 8 bytes of
 * the largest, as TCP options vary): a path that drops big packets shows the big ones
 * resent and never acknowledged while the small ones are.
 */
static void
seg_sent(const struct sd_engine *p, struct sd_flow *f, int dir, uint32_t seq, uint32_t len,
    bool retx)
{
	struct sd_tcpconn *tc = f->tcp;

	if (len > f->rec.seg_max[dir]) {
		f->rec.seg_max[dir] = len;
		f->rec.seg_max_frame[dir] = p->cur->frame;
	}
	if (retx) {
		if (f->rec.retx_first_frame[dir] == 0)
			f->rec.retx_first_frame[dir] = p->cur->frame;
		f->rec.retx_last_frame[dir] = p->cur->frame;
	}
	if (retx && len + 8 >= f->rec.seg_max[dir]) {
		f->rec.big_retx[dir]++;
		f->rec.big_retx_frame[dir] = p->cur->frame;
	}
	if (!tc->pend[dir] || len > tc->pend_len[dir]) {
		tc->pend[dir] = true;
		tc->pend_end[dir] = seq + len;
		tc->pend_len[dir] = len;
	}
}

/* An ACK from the peer of `role` up to `ack`. */
static void
seg_acked(struct sd_flow *f, int role, uint32_t ack)
{
	struct sd_tcpconn *tc = f->tcp;

	if (!tc->pend[role] || (int32_t)(ack - tc->pend_end[role]) < 0)
		return;
	if (tc->pend_len[role] > f->rec.seg_max_acked[role])
		f->rec.seg_max_acked[role] = tc->pend_len[role];
	tc->pend[role] = false;
}

static void
tcp_layer(struct sd_engine *p, struct sd_l3 *l3)
{
	struct sd_tcpconn *tc;
	struct sd_flow *f;
	struct sd_tcp t;
	struct sd_app_pkt ap;
	uint64_t prev_frame;
	bool created, had_sender_pkts;
	int dir;

	if (sd_tcp_parse(l3->l4, &t) != SD_OK) {
		p->st.malformed++;
		return;
	}
	p->st.tcp++;
	f = sd_flow_get(p->flows, SD_IPPROTO_TCP, &l3->ip.src, t.sport, &l3->ip.dst, t.dport,
	    t.flags, p->now_us, &dir, &created);
	if (f == NULL) {
		p->st.memcap_refused++;
		return;
	}
	/*
	 * A new connection on the 4-tuple of a closed one (RST, or FIN both ways): a SYN
	 * with another ISN than the last one, or any SYN when the closed one never got a
	 * SYN-ACK (a client that reset a stray answer and tries again).  The old flow ends
	 * here ("reused"), so the new connection gets its own state and record, as tshark
	 * gives it a new stream.
	 */
	if (!created && f->tcp != NULL && (t.flags & (SD_TCP_SYN | SD_TCP_ACK)) == SD_TCP_SYN &&
	    (f->rec.rst_seen[0] || f->rec.rst_seen[1] ||
	    (f->rec.fin_seen[0] && f->rec.fin_seen[1])) &&
	    (f->tcp->syns == 0 || f->tcp->syn_seq != t.seq || !f->tcp->synack)) {
		sd_flow_end(p->flows, f, "reused");
		f = sd_flow_get(p->flows, SD_IPPROTO_TCP, &l3->ip.src, t.sport, &l3->ip.dst,
		    t.dport, t.flags, p->now_us, &dir, &created);
		if (f == NULL) {
			p->st.memcap_refused++;
			return;
		}
	}
	if (f->tcp == NULL) {
		if ((f->tcp = sd_memcap_calloc(p->mc, sizeof(*f->tcp))) == NULL &&
		    sd_flow_make_room(p->flows, f))
			f->tcp = sd_memcap_calloc(p->mc, sizeof(*f->tcp));
		if (f->tcp == NULL) {
			/*
			 * No reassembly for this connection, but the packet still counts in
			 * its flow: a record without packets would carry frame 0 and a 1970
			 * time, and the clock rules would read it as the capture's.
			 */
			f->rec.anomalies |= SD_ANOM_MEMCAP;
			account(p, f, dir, l3, sd_rd_left(&t.payload));
			return;
		}
		sd_stream_init(&f->tcp->s[0], p->o.stream_buf, 0);
		sd_stream_init(&f->tcp->s[1], p->o.stream_buf, 0);
		/*
		 * Buffer from the very first byte: the application layer decides from the
		 * first data whether it wants the rest, and must not miss that segment.
		 */
		f->tcp->s[0].collect = f->tcp->s[1].collect = true;
	}
	tc = f->tcp;
	prev_frame = f->rec.last_frame;
	had_sender_pkts = f->rec.packets[dir] > 0;
	if ((t.flags & (SD_TCP_SYN | SD_TCP_ACK)) == SD_TCP_SYN && dir == SD_ROLE_CLIENT) {
		if (tc->syns == 0) {
			tc->syn_first_frame = p->cur->frame;
			tc->syn_first_sec = p->cur->sec;
			tc->syn_first_nsec = p->cur->nsec;
		}
		tc->syns++;
		tc->syn_seq = t.seq;
		tc->syn_last_frame = p->cur->frame;
		tc->syn_last_sec = p->cur->sec;
		tc->syn_last_nsec = p->cur->nsec;
		f->rec.syn_seen = true;
		sd_stream_syn(&tc->s[dir], t.seq);
	} else if ((t.flags & (SD_TCP_SYN | SD_TCP_ACK)) == (SD_TCP_SYN | SD_TCP_ACK)) {
		tc->synack = true;
		f->rec.synack_seen = true;
		sd_stream_syn(&tc->s[dir], t.seq);
	} else if (created) {
		tc->midstream = true;
		f->rec.anomalies |= SD_ANOM_MIDSTREAM;
	}
	/*
	 * Ethernet padding a middlebox counted in the IPv4 length of a pure ACK: zero bytes
	 * at the next expected byte, where the real data follows.  Taken as data they would
	 * win over it (first copy wins): drop them and count the ACK.
	 */
	if (sd_rd_left(&t.payload) > 0 && l3->ip.version == 4 && l3->nfrags == 0 &&
	    sd_tcp_padded_ack(&t, l3->ip.total_len) && tc->s[dir].init &&
	    sd_stream_offset(&tc->s[dir], t.seq) == tc->s[dir].next) {
		f->rec.padded_acks[dir]++;
		t.payload = sd_rd_make(t.payload.p, 0);
	}
	/* an ACK acknowledges the SYN-ACK; an RST (even with ACK set) may abort the attempt */
	if (dir == SD_ROLE_CLIENT &&
	    (t.flags & (SD_TCP_SYN | SD_TCP_ACK | SD_TCP_RST)) == SD_TCP_ACK)
		tc->client_acked = true;
	account(p, f, dir, l3, sd_rd_left(&t.payload));
	if ((t.flags & SD_TCP_ACK) != 0) {
		seg_acked(f, !dir, t.ack);
		/* the peer's FIN acknowledged: the connection may close short (engine/flow.h) */
		if (tc->s[!dir].fin && !tc->fin_acked[!dir] &&
		    (int32_t)(t.ack - tc->fin_end[!dir]) >= 0) {
			tc->fin_acked[!dir] = true;
			sd_flow_refile(p->flows, f);
		}
		/*
		 * The peer's ACK: a hole in the other direction that it acknowledges was
		 * lost by the capture (skipped at once, so what follows is parsed now), and
		 * of two SYN-ACKs the stream follows the one the client acknowledges.  Two
		 * tests per packet while nothing is held.
		 */
		if ((tc->s[!dir].ooo != NULL || tc->s[!dir].has_alt) &&
		    (t.flags & SD_TCP_RST) == 0 && sd_stream_ack(&tc->s[!dir], p->mc, t.ack))
			f->rec.anomalies |= SD_ANOM_TCP_GAP;
	}
	if ((t.flags & SD_TCP_RST) != 0) {
		f->rec.rst_seen[dir] = true;
		tc->s[dir].rst = true;
		if (tc->rst_us == 0)
			tc->rst_us = p->now_us != 0 ? p->now_us : 1;
		if (!tc->rst_reported[dir]) {
			tc->rst_reported[dir] = true;
			tcp_reset_event(p, f, dir, l3, &t, prev_frame, had_sender_pkts);
		}
	}
	if (sd_rd_left(&t.payload) > 0 && (t.flags & SD_TCP_RST) == 0) {
		/* data on a SYN (TCP Fast Open) starts after the SYN's sequence number */
		uint32_t dseq = (t.flags & SD_TCP_SYN) ? t.seq + 1 : t.seq;

		uint64_t retx = tc->s[dir].st.retransmits;

		if (sd_stream_add(&tc->s[dir], p->mc, dseq, t.payload) == SD_ENOMEM)
			f->rec.anomalies |= SD_ANOM_MEMCAP;
		seg_sent(p, f, dir, dseq, (uint32_t)sd_rd_left(&t.payload),
		    tc->s[dir].st.retransmits > retx);
		if (tc->s[dir].st.gaps > 0)
			f->rec.anomalies |= SD_ANOM_TCP_GAP;
	}
	if ((t.flags & SD_TCP_FIN) != 0) {
		uint32_t end = t.seq + (uint32_t)sd_rd_left(&t.payload) +
		    ((t.flags & SD_TCP_SYN) ? 2 : 1);

		/* the FIN's sequence number is the highest one seen (a retransmission's equals it) */
		if (!tc->s[dir].fin || (int32_t)(end - tc->fin_end[dir]) > 0)
			tc->fin_end[dir] = end;
		f->rec.fin_seen[dir] = true;
		tc->s[dir].fin = true;
	}
	if ((t.flags & (SD_TCP_FIN | SD_TCP_RST)) != 0)
		sd_flow_refile(p->flows, f);	/* closing or closed: a shorter timeout from now on */
	ap = app_pkt(p, l3, dir);
	sd_app_tcp(p->app, f, &ap, &t);
	/*
	 * Closed (FIN both ways, or an RST): what is left to see is ACKs and retransmissions.
	 * Release the reassembly and TLS state now; the flow record stays until the
	 * closed timeout, so memory follows the open connections, not the capture's length.
	 * After an RST the other side's data already in flight still arrives (it crossed
	 * the RST): keep parsing for a short grace period first.
	 */
	if ((f->app_flags & SD_APPF_CLOSED) == 0 &&
	    ((f->rec.fin_seen[0] && f->rec.fin_seen[1]) ||
	    (tc->rst_us != 0 && (p->now_us - tc->rst_us >= SD_PIPE_RST_GRACE_US ||
	    (f->rec.rst_seen[0] && f->rec.rst_seen[1]))))) {
		sd_app_flow_end(p->app, f);
		f->app_flags |= SD_APPF_CLOSED;
		tc->s[0].collect = tc->s[1].collect = false;
		/*
		 * The streams keep their sequence state and counters: later retransmissions
		 * still count as such, and the flow record shows the connection's gaps and
		 * retransmissions however it closed.
		 */
		sd_stream_free(&tc->s[0], p->mc);
		sd_stream_free(&tc->s[1], p->mc);
	}
}

static void
udp_layer(struct sd_engine *p, struct sd_l3 *l3, int depth)
{
	struct sd_flow *f;
	struct sd_udp u;
	struct sd_link inner;
	struct sd_app_pkt ap;
	bool created;
	int dir;

	if (sd_udp_parse(l3->l4, &u) != SD_OK) {
		p->st.malformed++;
		return;
	}
	if (depth < SD_TUNNEL_DEPTH && l3->nfrags == 0 &&
	    sd_tunnel_udp(u.sport, u.dport, u.payload, &inner) == SD_OK &&
	    (inner.ethertype == SD_ETH_IPV4 || inner.ethertype == SD_ETH_IPV6)) {
		struct sd_l2 l2 = l2_of(&inner, &l3->l2);

		p->st.tunnels++;
		ip_layer(p, inner.net, &l2, depth + 1);
		return;
	}
	p->st.udp++;
	f = sd_flow_get(p->flows, SD_IPPROTO_UDP, &l3->ip.src, u.sport, &l3->ip.dst, u.dport, 0,
	    p->now_us, &dir, &created);
	if (f == NULL) {
		p->st.memcap_refused++;
		return;
	}
	account(p, f, dir, l3, sd_rd_left(&u.payload));
	ap = app_pkt(p, l3, dir);
	sd_app_udp(p->app, f, &ap, &u);
	/*
	 * Our IKE parser took the flow: nDPI, which had not named it from the first packet,
	 * names it now from what it saw (its guess, as at the flow's end) and frees its state
	 * (688 bytes and more per flow): an IKE scan or flood holds thousands of one-packet
	 * flows for UDP's 180 s.
	 */
	if ((f->app_flags & SD_APPF_IKE) != 0 && f->cls_state != NULL &&
	    p->o.hooks.classify.flow_end != NULL)
		p->o.hooks.classify.flow_end(p->o.hooks.classify.ctx, &f->cls_state, f->app_label,
		    sizeof(f->app_label), p->mc);
}

static void
icmp_layer(struct sd_engine *p, struct sd_l3 *l3)
{
	bool v6 = l3->ip.proto == SD_IPPROTO_ICMPV6;
	struct sd_icmp ic;
	struct sd_flow *f, *qf;
	struct sd_event ev;
	bool created;
	int dir, qdir;

	if (sd_icmp_parse(l3->l4, v6, &ic) != SD_OK) {
		p->st.malformed++;
		return;
	}
	p->st.icmp++;
	f = sd_flow_get(p->flows, l3->ip.proto, &l3->ip.src, 0, &l3->ip.dst, 0, 0, p->now_us,
	    &dir, &created);
	if (f != NULL)
		account(p, f, dir, l3, sd_rd_left(&l3->l4));
	if (!ic.is_error || !ic.has_inner)
		return;
	event_init(&ev, SD_EV_ICMP_ERROR, p->cur->frame, p->cur->sec, p->cur->nsec,
	    p->cur->file_index);
	ev.transport = l3->ip.proto;
	ev.src = l3->ip.src;
	ev.dst = l3->ip.dst;
	ev.u.icmp.icmp_v6 = v6;
	ev.u.icmp.itype = ic.type;
	ev.u.icmp.icode = ic.code;
	ev.u.icmp.mtu = ic.mtu;
	ev.u.icmp.reporter = l3->ip.src;
	ev.u.icmp.reporter_ttl = l3->ip.ttl;
	ev.u.icmp.q_proto = ic.inner.proto;
	ev.u.icmp.q_src = ic.inner.src;
	ev.u.icmp.q_dst = ic.inner.dst;
	if (ic.inner_has_ports) {
		ev.u.icmp.q_sport = ic.inner_sport;
		ev.u.icmp.q_dport = ic.inner_dport;
	}
	if (ic.inner.proto == SD_IPPROTO_TCP || ic.inner.proto == SD_IPPROTO_UDP) {
		if (ic.inner_has_ports)
			qf = sd_flow_find(p->flows, ic.inner.proto, &ic.inner.src, ic.inner_sport,
			    &ic.inner.dst, ic.inner_dport, &qdir);
		else
			qf = NULL;
	} else {
		qf = sd_flow_find(p->flows, ic.inner.proto, &ic.inner.src, 0, &ic.inner.dst, 0,
		    &qdir);
	}
	if (qf != NULL)
		qf->rec.icmp_errors++;
	ev.u.icmp.flow_id = qf != NULL ? qf->id : 0;
	ev.flow_id = ev.u.icmp.flow_id;
	ev.store = qf != NULL ? &qf->store : NULL;
	if (qf != NULL)
		ev.tags = qf->rec.tags;
	emit(p, &ev);
}

static void
addr_pair_layer(struct sd_engine *p, struct sd_l3 *l3)
{
	struct sd_flow *f;
	struct sd_app_pkt ap;
	bool created;
	int dir;

	if (l3->ip.proto == SD_IPPROTO_ESP)
		p->st.esp++;
	else
		p->st.other++;
	f = sd_flow_get(p->flows, l3->ip.proto, &l3->ip.src, 0, &l3->ip.dst, 0, 0, p->now_us,
	    &dir, &created);
	if (f == NULL) {
		p->st.memcap_refused++;
		return;
	}
	account(p, f, dir, l3, sd_rd_left(&l3->l4));
	if (l3->ip.proto == SD_IPPROTO_ESP) {
		ap = app_pkt(p, l3, dir);
		sd_app_esp(p->app, f, &ap, l3->l4);
	}
}

static void
transport_layer(struct sd_engine *p, struct sd_l3 *l3, int depth)
{
	struct sd_link inner;

	switch (l3->ip.proto) {
	case SD_IPPROTO_TCP:
		tcp_layer(p, l3);
		break;
	case SD_IPPROTO_UDP:
		udp_layer(p, l3, depth);
		break;
	case SD_IPPROTO_ICMP:
	case SD_IPPROTO_ICMPV6:
		icmp_layer(p, l3);
		break;
	case SD_IPPROTO_GRE:
		if (depth < SD_TUNNEL_DEPTH && sd_link_gre(l3->l4, &inner) == SD_OK &&
		    (inner.ethertype == SD_ETH_IPV4 || inner.ethertype == SD_ETH_IPV6)) {
			struct sd_l2 l2 = l2_of(&inner, &l3->l2);

			p->st.tunnels++;
			ip_layer(p, inner.net, &l2, depth + 1);
			return;
		}
		addr_pair_layer(p, l3);
		break;
	case SD_IPPROTO_AH: {
		/* ESP behind an IPv4 Authentication Header (IPv6 skips AH in the IP layer) */
		struct sd_rd esp;
		uint8_t nh;

		if (sd_esp_skip_ah(l3->l4, &nh, &esp) == SD_OK && nh == SD_IPPROTO_ESP) {
			l3->l4 = esp;
			l3->ip.proto = SD_IPPROTO_ESP;
		}
		addr_pair_layer(p, l3);
		break;
	}
	case SD_IPPROTO_IPIP:
	case SD_IPPROTO_IPV6:
		if (depth < SD_TUNNEL_DEPTH && l3->nfrags == 0) {
			p->st.tunnels++;
			ip_layer(p, l3->l4, &l3->l2, depth + 1);
			return;
		}
		addr_pair_layer(p, l3);
		break;
	default:
		addr_pair_layer(p, l3);
		break;
	}
}

static void
ip_layer(struct sd_engine *p, struct sd_rd net, const struct sd_l2 *l2, int depth)
{
	struct sd_l3 l3;
	uint64_t first_frame;
	enum sd_rc rc;

	memset(&l3, 0, sizeof(l3));
	rc = sd_ip_parse(net, &l3.ip);
	if (rc == SD_TRUNCATED) {
		p->st.truncated++;
		return;
	}
	if (rc != SD_OK) {
		p->st.malformed++;
		return;
	}
	if (depth == 0) {
		if (l3.ip.version == 4)
			p->st.ipv4++;
		else
			p->st.ipv6++;
	}
	l3.l2 = *l2;
	l3.l4 = l3.ip.payload;
	l3.l3_start = net.p;
	l3.l3_len = l3.ip.hdr_len + sd_rd_left(&l3.ip.payload);
	if (l3.ip.fragment && l3.ip.frag_offset == 0 && (l3.ip.flags & SD_IP_F_CAPLEN_CUT)) {
		/*
		 * A first fragment the capture cut short can never be reassembled: take what
		 * it shows of the transport header, as Wireshark does with fragments it
		 * cannot reassemble.
		 */
		p->st.fragments++;
		l3.nfrags = 1;
	} else if (l3.ip.fragment) {
		p->st.fragments++;
		rc = sd_defrag_add(p->defrag, &l3.ip, p->now_us, p->cur->frame, &l3.l4,
		    &first_frame, &l3.nfrags);
		if (rc != SD_OK)
			return;
		p->st.reassembled++;
		if (l3.ip.version == 6 && sd_ip6_skip_ext(&l3.l4, &l3.ip.proto) != SD_OK) {
			p->st.malformed++;
			return;
		}
		l3.l3_start = NULL;	/* nDPI wants one contiguous IP packet */
		l3.l3_len = 0;
		l3.ip.flags &= ~(uint32_t)SD_IP_F_CAPLEN_CUT;
	}
	transport_layer(p, &l3, depth);
}

/*
 * A frame a day or more ahead of the engine's clock (a corrupt timestamp: a SYN-ACK
 * stamped 2063 amid frames of 2015; or files of different years joined) is read before
 * the flows that timed out by its clock are ended: its own connection is not called
 * unanswered just before its answer is read.
 */
#define SD_CLOCK_JUMP_US	(86400ull * 1000000u)

void
sd_engine_clock_step(struct sd_engine_clock *c, uint64_t t, bool *before, bool *after)
{
	bool jump = c->now_us != 0 && t > c->now_us + SD_CLOCK_JUMP_US;

	c->now_us = t;
	*before = !jump && (t - c->last_expire_us >= SD_EXPIRE_EVERY_US ||
	    t < c->last_expire_us);
	*after = jump;
	if (*before || jump)
		c->last_expire_us = t;
}

static void
expire(struct sd_engine *p, uint64_t now_us)
{
	p->last_expire_us = now_us;
	sd_flow_expire(p->flows, now_us);
	sd_defrag_expire(p->defrag, now_us);
	sd_app_tick(p->app, (int64_t)(now_us / 1000000u));
}

void
sd_engine_tick(struct sd_engine *p, uint64_t now_us)
{
	/* the clock only moves forward: a late tick is no reason to expire anything */
	if (now_us <= p->now_us)
		return;
	p->now_us = now_us;
	if (p->now_us - p->last_expire_us >= SD_EXPIRE_EVERY_US)
		expire(p, now_us);
}

void
sd_engine_packet(struct sd_engine *p, const struct sd_pkt_in *in)
{
	struct sd_link link;
	struct sd_l2 l2;
	enum sd_rc rc;
	uint64_t t;
	bool before, jump;

	p->cur = in;
	p->st.frames++;
	p->st.bytes += in->caplen;
	t = (uint64_t)in->sec * 1000000u + in->nsec / 1000u;
	if (p->o.expire_by_caller) {
		before = jump = false;
		p->now_us = t;
	} else {
		struct sd_engine_clock c = { p->now_us, p->last_expire_us };

		sd_engine_clock_step(&c, t, &before, &jump);
		p->now_us = t;
	}
	if (before)
		expire(p, t);
	rc = sd_link_decode(in->linktype, sd_rd_make(in->data, in->caplen), &link);
	if (rc == SD_TRUNCATED) {
		p->st.truncated++;
		return;
	}
	if (rc == SD_MALFORMED) {
		p->st.malformed++;
		return;
	}
	if (rc != SD_OK) {
		p->st.unsupported_link++;
		return;
	}
	if (link.ethertype != SD_ETH_IPV4 && link.ethertype != SD_ETH_IPV6) {
		p->st.non_ip++;
		return;
	}
	l2 = l2_of(&link, NULL);
	ip_layer(p, link.net, &l2, 0);
	p->cur = NULL;
	if (jump)
		expire(p, p->now_us);
}

void
sd_engine_expire(struct sd_engine *p, uint64_t now_us)
{
	p->now_us = now_us;
	expire(p, now_us);
}
