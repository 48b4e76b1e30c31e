/* engine/app.c - flow payloads to the application dissectors: TLS/DTLS, IKE, ESP, OpenVPN.
 *
 * Probe order.  TCP, on the first bytes of a flow: RFC 8229 "IKETCP" prefix; OpenVPN (port
 * 1194 with a valid opcode, or anywhere a HARD_RESET_CLIENT that reads as one); a TLS record
 * header; a plaintext prelude (STARTTLS, CONNECT, ...); else not ours.  UDP, per datagram:
 * DNS answers from port 53; IKE / ESP / keepalive on 500 and 4500; then, for a flow not yet
 * decided, OpenVPN (as for TCP), then DTLS (STUN may come first). */
#include "engine/app.h"

#include <stdlib.h>
#include <string.h>

#include "engine/ike_track.h"
#include "dissect/capwap.h"
#include "dissect/dns.h"
#include "dissect/esp.h"
#include "engine/esp_track.h"
#include "dissect/ike.h"
#include "dissect/ike_tcp.h"
#include "dissect/openvpn.h"
#include "dissect/prelude.h"
#include "dissect/tls.h"

#define SD_ESP_MAX_SAS	65536

enum app_kind {
	APP_UNKNOWN = 0,	/* not decided yet */
	APP_TLS,		/* TLS over TCP */
	APP_DTLS,
	APP_IKE,		/* IKE / NAT-T on UDP */
	APP_PRELUDE,		/* plaintext that may upgrade to TLS: STARTTLS, HTTP CONNECT */
	APP_IKETCP,		/* RFC 8229: IKE and ESP in a TCP stream ("IKETCP" prefix) */
	APP_OVPN,		/* OpenVPN: TLS in its control channel (UDP, or TCP frames) */
	APP_NONE,		/* none of ours */
};

/* How far into a plaintext prelude a TLS hello is looked for, per direction. */
#define SD_PRELUDE_MAX	65536

/* Per-flow application state (f->app). */
struct app_flow {
	enum app_kind		 kind;
	struct sd_tls_conn	*tls;
	struct sd_ike_state	 ike;
	struct sd_app		*app;	/* back pointer for the emit callbacks */
	struct sd_flow		*flow;
	bool			 tcp_dead[2];	/* direction given up */
	bool			 synced[2];	/* TLS records start at the stream's read point */
	uint32_t		 scanned[2];	/* prelude bytes searched for a hello */
	struct sd_prelude	*prelude;	/* STARTTLS / CONNECT parse (APP_PRELUDE only) */
	int8_t			 iketcp_prefix;	/* APP_IKETCP: direction whose prefix is unread, -1 */
	struct sd_ovpn_conn	*ovpn;		/* APP_OVPN */
};

struct sd_app {
	struct sd_memcap	*mc;
	struct sd_ev_sink	 sink;
	struct sd_esp_table	*esp;
	struct sd_ike_track	*ike;	/* exchanges and IKE SAs across flows */
	uint32_t		 file_index;	/* of the packet being processed */
	int64_t			 last_window;	/* capture time of the last sd_esp_window() */
	const struct sd_tls_decrypt_hook *tls_dec;	/* NULL: no key log */
};

/* sd_app_tick(): one-way ESP tunnels are looked for this often (capture time). */
#define APP_ESP_WINDOW_SEC	10

struct sd_app *
sd_app_new(struct sd_memcap *mc, struct sd_ev_sink sink, const struct sd_digest_hook *digest,
    const struct sd_tls_decrypt_hook *tls_dec, size_t max_esp_sas)
{
	struct sd_app *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->mc = mc;
	a->sink = sink;
	a->tls_dec = tls_dec != NULL && tls_dec->open != NULL ? tls_dec : NULL;
	a->esp = sd_esp_new(mc, max_esp_sas != 0 ? max_esp_sas : SD_ESP_MAX_SAS);
	a->ike = sd_ike_track_new(mc, sink, digest);
	if (a->esp == NULL || a->ike == NULL) {
		sd_esp_free(a->esp);
		sd_ike_track_free(a->ike);
		free(a);
		return NULL;
	}
	return a;
}

void
sd_app_free(struct sd_app *a)
{
	if (a == NULL)
		return;
	sd_esp_free(a->esp);
	sd_ike_track_free(a->ike);
	free(a);
}

static struct app_flow *
app_state(struct sd_app *a, struct sd_flow *f)
{
	struct app_flow *s = f->app;

	if (s != NULL)
		return s;
	if ((s = sd_memcap_calloc(a->mc, sizeof(*s))) == NULL)
		return NULL;
	s->app = a;
	s->flow = f;
	sd_ike_state_init(&s->ike, a->mc);
	f->app = s;
	return s;
}

/* Fill the common fields of a message event from the flow and the direction. */
static void
flow_event(struct sd_event *ev, enum sd_ev_type type, struct sd_flow *f, int dir,
    uint64_t frame, int64_t sec, uint32_t nsec, uint32_t file_index)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = sec;
	ev->ts_nsec = nsec;
	ev->transport = f->proto;
	ev->src = f->addr[dir];
	ev->dst = f->addr[!dir];
	ev->sport = f->port[dir];
	ev->dport = f->port[!dir];
	ev->flow_id = f->id;
	ev->store = &f->store;
	ev->tags = f->rec.tags;
	ev->file_index = file_index;
	if (f->tcp != NULL)
		sd_tcp_capture_loss(f->tcp, ev);
}

static void
tls_emit(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir,
    const struct sd_tls_pkt *pkt)
{
	struct app_flow *s = ctx;
	struct sd_event ev;

	flow_event(&ev, type, s->flow, dir, pkt->frame, pkt->ts_sec, pkt->ts_nsec,
	    s->app->file_index);
	ev.u.msg = msg;
	if (s->kind == APP_OVPN)
		ev.carrier = "openvpn";
	s->flow->app_flags |= SD_APPF_TLS;
	if (type == SD_EV_TLS_CLIENT_HELLO && dir == SD_ROLE_CLIENT)
		s->flow->app_flags |= SD_APPF_CLIENT_HELLO;
	if (type == SD_EV_TLS_SERVER_HELLO && dir == SD_ROLE_SERVER)
		s->flow->app_flags |= SD_APPF_SERVER_HELLO;
	if (s->app->sink.emit != NULL)
		s->app->sink.emit(s->app->sink.ctx, &ev);
}

/* Stop buffering both directions: the flow is not ours. */
static void
tcp_give_up(struct sd_app *a, struct sd_flow *f, struct app_flow *s)
{
	int d;

	s->kind = APP_NONE;
	for (d = 0; d < 2; d++) {
		f->tcp->s[d].collect = false;
		sd_stream_consume(&f->tcp->s[d], a->mc, f->tcp->s[d].len);
	}
}

static void
tls_feed_dir(struct sd_app *a, struct sd_flow *f, struct app_flow *s, int dir,
    const struct sd_tls_pkt *pkt)
{
	struct sd_stream *st = &f->tcp->s[dir];
	size_t consumed;
	uint64_t skip;
	enum sd_rc rc;

	if (s->tcp_dead[dir])
		return;
	if (st->gap_pending) {
		st->gap_pending = false;
		sd_tls_gap(s->tls, dir);
	}
	while (st->len > 0) {
		consumed = 0;
		skip = 0;
		rc = sd_tls_feed(s->tls, dir, sd_rd_make(st->buf, st->len), pkt, &consumed,
		    &skip);
		if (consumed > st->len)
			consumed = st->len;
		sd_stream_consume(st, a->mc, consumed);
		if (skip > 0)
			sd_stream_skip(st, a->mc, skip);
		if (rc == SD_MALFORMED) {
			/* not TLS in this direction (any more): stop buffering it */
			s->tcp_dead[dir] = true;
			st->collect = false;
			sd_stream_consume(st, a->mc, st->len);
			return;
		}
		if (rc == SD_NEED_MORE || (consumed == 0 && skip == 0))
			return;
	}
}

/* Look for the hello that starts TLS in a prelude direction; true once synced. */
static bool
prelude_scan(struct sd_app *a, struct sd_flow *f, struct app_flow *s, int dir)
{
	struct sd_stream *st = &f->tcp->s[dir];
	size_t off = 0;
	enum sd_rc rc;

	if (s->synced[dir] || s->tcp_dead[dir] || st->len == 0)
		return s->synced[dir];
	rc = sd_tls_find_hello(sd_rd_make(st->buf, st->len),
	    dir == SD_ROLE_CLIENT ? 1 : 2, &off);
	if (rc == SD_OK) {
		sd_stream_consume(st, a->mc, off);
		s->synced[dir] = true;
		return true;
	}
	if (rc != SD_NEED_MORE || off > st->len)
		off = st->len;
	s->scanned[dir] += (uint32_t)off;
	sd_stream_consume(st, a->mc, off);
	if (s->scanned[dir] > SD_PRELUDE_MAX) {
		s->tcp_dead[dir] = true;
		st->collect = false;
		sd_stream_consume(st, a->mc, st->len);
	}
	return false;
}

/* Write the http.connect event of the CONNECT in s->prelude->connect. */
static void
connect_emit(struct sd_app *a, struct sd_flow *f, struct app_flow *s)
{
	const struct sd_http_connect *c = &s->prelude->connect;
	struct sd_event ev;

	if (c->status >= 0)
		flow_event(&ev, SD_EV_HTTP_CONNECT, f, SD_ROLE_SERVER, c->answered_frame,
		    c->answered_sec, c->answered_nsec, f->file_index);
	else
		flow_event(&ev, SD_EV_HTTP_CONNECT, f, SD_ROLE_CLIENT, c->request_frame,
		    c->request_sec, c->request_nsec, f->file_index);
	ev.u.msg.connect = c;
	if (a->sink.emit != NULL)
		a->sink.emit(a->sink.ctx, &ev);
}

/* Write the prelude event of a binary preamble (s->prelude->pre). */
static void
preamble_emit(struct sd_app *a, struct sd_flow *f, struct app_flow *s)
{
	const struct sd_preamble_ev *e = &s->prelude->pre;
	struct sd_event ev;

	flow_event(&ev, SD_EV_PRELUDE, f, e->dir, e->frame, e->sec, e->nsec, f->file_index);
	ev.u.msg.pre = e;
	if (a->sink.emit != NULL)
		a->sink.emit(a->sink.ctx, &ev);
}

/*
 * Parse the plaintext of both directions (dissect/prelude.c), dropping what was parsed.
 * True once TLS may start: the server accepted STARTTLS / CONNECT, or the prelude is one
 * we do not parse (XMPP, PostgreSQL, SOCKS), where the hello is searched for as before.
 */
static bool
prelude_parse(struct sd_app *a, struct sd_flow *f, struct app_flow *s,
    const struct sd_app_pkt *p)
{
	struct sd_prelude *pr = s->prelude;
	struct sd_stream *st;
	bool progress = true;
	size_t used;
	int k, d;

	while (progress && pr->mode != SD_PRELUDE_GENERIC &&
	    (pr->state == SD_PRELUDE_WAIT || pr->state == SD_PRELUDE_REQUESTED)) {
		progress = false;
		/* the server first: its answer releases the client's held bytes */
		for (k = 0; k < 2; k++) {
			d = k == 0 ? SD_ROLE_SERVER : SD_ROLE_CLIENT;
			st = &f->tcp->s[d];
			if (s->tcp_dead[d] || st->len == 0)
				continue;
			(void)sd_prelude_feed(pr, d, sd_rd_make(st->buf, st->len), p->frame,
			    p->sec, p->nsec, &used);
			if (pr->connect_done) {
				pr->connect_done = false;
				connect_emit(a, f, s);
			}
			if (pr->pre_done) {
				pr->pre_done = false;
				preamble_emit(a, f, s);
			}
			if (used == 0)
				continue;
			progress = true;
			sd_stream_consume(st, a->mc, used);
			s->scanned[d] += (uint32_t)used;
			if (s->scanned[d] > SD_PRELUDE_MAX) {
				s->tcp_dead[d] = true;
				st->collect = false;
				sd_stream_consume(st, a->mc, st->len);
			}
		}
	}
	return pr->mode == SD_PRELUDE_GENERIC || pr->state == SD_PRELUDE_UPGRADED ||
	    pr->state == SD_PRELUDE_DEAD;
}

/* An open CONNECT: note how the connection ends if the proxy never answers. */
static void
connect_track_close(struct app_flow *s, const struct sd_app_pkt *p, const struct sd_tcp *t)
{
	struct sd_http_connect *c = &s->prelude->connect;

	if (!s->prelude->connect_open || c->end_frame != 0 ||
	    (t->flags & (SD_TCP_FIN | SD_TCP_RST)) == 0)
		return;
	c->end_frame = p->frame;
	if (p->dir == SD_ROLE_SERVER)
		c->end = (t->flags & SD_TCP_RST) != 0 ? "proxy_rst" : "proxy_fin";
	else
		c->end = "client_closed";
}

static void	iketcp_feed(struct sd_app *, struct sd_flow *, struct app_flow *,
		    const struct sd_app_pkt *, int dir);

/*
 * Is the flow OpenVPN?  On port 1194, any packet with an OpenVPN opcode says so (the
 * capture may start mid-connection); elsewhere only a client's hard reset that reads as
 * one (sd_ovpn_probe).  in: a UDP payload, or the TCP stream (2-byte length first).
 */
static enum sd_rc
ovpn_claims(const struct sd_flow *f, struct sd_rd in, bool tcp, int64_t now)
{
	uint16_t len;
	uint8_t b;

	/* a DTLS record's first byte (22) reads as an OpenVPN opcode: TLS keeps its flows */
	if (sd_tls_probe(in, !tcp) == SD_OK)
		return SD_UNSUPPORTED;
	if (f->port[SD_ROLE_SERVER] == SD_OVPN_PORT || f->port[SD_ROLE_CLIENT] == SD_OVPN_PORT) {
		if (tcp && sd_rd_left(&in) < 3)
			return SD_NEED_MORE;
		if (sd_rd_peek_u8(&in, tcp ? 2 : 0, &b) &&
		    sd_ovpn_opcode_name((uint8_t)(b >> 3)) != NULL &&
		    (!tcp || (sd_rd_peek_be16(&in, 0, &len) && len > 0)))
			return SD_OK;
	}
	return sd_ovpn_probe(in, tcp, now);
}

static bool
ovpn_start(struct sd_app *a, struct sd_flow *f, struct app_flow *s)
{
	s->ovpn = sd_ovpn_conn_new(a->mc, tls_emit, s);
	if (s->ovpn == NULL) {
		f->rec.anomalies |= SD_ANOM_MEMCAP;
		return false;
	}
	s->kind = APP_OVPN;
	return true;
}

/* Every whole OpenVPN frame buffered in direction dir; data frames pass unbuffered. */
static void
ovpn_tcp_feed(struct sd_app *a, struct sd_flow *f, struct app_flow *s,
    const struct sd_app_pkt *p, int dir)
{
	struct sd_stream *st = &f->tcp->s[dir];
	struct sd_tls_pkt pkt;
	struct sd_rd frame;
	size_t used;
	uint16_t len;
	enum sd_rc rc;

	if (s->tcp_dead[dir])
		return;
	pkt.frame = p->frame;
	pkt.ts_sec = p->sec;
	pkt.ts_nsec = p->nsec;
	while (st->len > 0) {
		if (st->gap_pending) {
			/* bytes lost: the framing cannot be trusted any more */
			st->gap_pending = false;
			goto dead;
		}
		rc = sd_ovpn_tcp_frame(sd_rd_make(st->buf, st->len), &frame, &used);
		if (rc == SD_NEED_MORE && st->len >= 3 &&
		    !sd_ovpn_is_control((uint8_t)(st->buf[2] >> 3))) {
			/* a data frame not yet complete: let its body pass unbuffered */
			len = (uint16_t)(st->buf[0] << 8 | st->buf[1]);
			used = st->len;
			(void)sd_ovpn_conn_packet(s->ovpn, dir, sd_rd_make(st->buf + 2, used - 2),
			    &pkt, p->sec);
			sd_stream_consume(st, a->mc, used);
			sd_stream_skip(st, a->mc, (uint64_t)len + 2 - used);
			continue;
		}
		if (rc == SD_NEED_MORE)
			return;
		if (rc != SD_OK || used > st->len)
			goto dead;
		(void)sd_ovpn_conn_packet(s->ovpn, dir, frame, &pkt, p->sec);
		sd_stream_consume(st, a->mc, used);
	}
	return;
dead:
	s->tcp_dead[dir] = true;
	st->collect = false;
	sd_stream_consume(st, a->mc, st->len);
}

void
sd_app_tcp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_tcp *t)
{
	struct app_flow *s = f->app;
	struct sd_stream *st;
	struct sd_tls_pkt pkt;
	enum sd_preamble pre;
	size_t skip;
	enum sd_rc rc;

	a->file_index = p->file_index;
	if (f->tcp == NULL || (f->app_flags & SD_APPF_CLOSED) != 0)
		return;
	if (s == NULL) {
		s = app_state(a, f);
		if (s == NULL) {
			f->rec.anomalies |= SD_ANOM_MEMCAP;
			return;
		}
		/* buffer from the first byte until we know what the flow carries */
		f->tcp->s[0].collect = true;
		f->tcp->s[1].collect = true;
	}
	if (s->kind == APP_NONE)
		return;
	st = &f->tcp->s[p->dir];
	if (s->kind == APP_UNKNOWN) {
		if (st->len == 0)
			return;
		rc = sd_ike_tcp_probe(sd_rd_make(st->buf, st->len));
		if (rc == SD_NEED_MORE)
			return;
		if (rc == SD_OK) {
			s->kind = APP_IKETCP;
			s->iketcp_prefix = (int8_t)p->dir;
		}
	}
	if (s->kind == APP_IKETCP) {
		iketcp_feed(a, f, s, p, !p->dir);
		iketcp_feed(a, f, s, p, p->dir);
		return;
	}
	if (s->kind == APP_UNKNOWN) {
		rc = ovpn_claims(f, sd_rd_make(st->buf, st->len), true, p->sec);
		if (rc == SD_NEED_MORE)
			return;
		if (rc == SD_OK && !ovpn_start(a, f, s)) {
			tcp_give_up(a, f, s);
			return;
		}
	}
	if (s->kind == APP_OVPN) {
		ovpn_tcp_feed(a, f, s, p, !p->dir);
		ovpn_tcp_feed(a, f, s, p, p->dir);
		if (s->tcp_dead[0] && s->tcp_dead[1])
			tcp_give_up(a, f, s);
		return;
	}
	if (s->kind == APP_UNKNOWN) {
		/* the probe order is documented in docs/design-notes.md ("Probe order") */
		rc = sd_preamble_probe(sd_rd_make(st->buf, st->len), &pre, &skip);
		if (rc == SD_NEED_MORE)
			return;
		if (pre == SD_PREAMBLE_TLS) {
			s->synced[0] = s->synced[1] = true;
			s->kind = APP_TLS;
		} else if (pre != SD_PREAMBLE_NONE) {
			/* 1.5 KiB that only a plaintext prelude needs: not in every flow */
			s->prelude = sd_memcap_calloc(a->mc, sizeof(*s->prelude));
			if (s->prelude == NULL) {
				f->rec.anomalies |= SD_ANOM_MEMCAP;
				tcp_give_up(a, f, s);
				return;
			}
			s->kind = APP_PRELUDE;
			sd_prelude_start(s->prelude, pre, skip, p->frame, p->sec, p->nsec);
			if (s->prelude->pre_done) {	/* stray bytes: the event is ready */
				s->prelude->pre_done = false;
				preamble_emit(a, f, s);
			}
		} else {
			tcp_give_up(a, f, s);
			return;
		}
	}
	if (s->kind == APP_PRELUDE) {
		connect_track_close(s, p, t);
		if (!prelude_parse(a, f, s, p)) {
			/* plaintext: no upgrade accepted yet */
			if (s->tcp_dead[0] && s->tcp_dead[1])
				tcp_give_up(a, f, s);
			return;
		}
		if (s->prelude->state == SD_PRELUDE_DEAD && s->prelude->pre.kind != SD_PREAMBLE_NONE) {
			/* SOCKS4 refused, MySQL without TLS, RDP without TLS: nothing follows */
			tcp_give_up(a, f, s);
			return;
		}
		(void)prelude_scan(a, f, s, !p->dir);
		(void)prelude_scan(a, f, s, p->dir);
		if (s->tcp_dead[0] && s->tcp_dead[1]) {
			tcp_give_up(a, f, s);
			return;
		}
		if (!s->synced[SD_ROLE_CLIENT])
			return;		/* TLS starts with the client's hello */
	}
	if (s->tls == NULL) {
		s->tls = sd_tls_conn_new(a->mc, false, tls_emit, s);
		if (s->tls == NULL) {
			f->rec.anomalies |= SD_ANOM_MEMCAP;
			tcp_give_up(a, f, s);
			return;
		}
		sd_tls_conn_set_decrypt(s->tls, a->tls_dec);
	}
	pkt.frame = p->frame;
	pkt.ts_sec = p->sec;
	pkt.ts_nsec = p->nsec;
	/* the other direction may hold bytes that waited for the decision */
	if (s->synced[!p->dir] || prelude_scan(a, f, s, !p->dir))
		tls_feed_dir(a, f, s, !p->dir, &pkt);
	if (s->synced[p->dir] || prelude_scan(a, f, s, p->dir))
		tls_feed_dir(a, f, s, p->dir, &pkt);
}

/* A parsed IKE message sent in direction dir: to the tracker, which writes the events. */
static void
ike_emit(struct sd_app *a, struct sd_flow *f, struct app_flow *s, const struct sd_app_pkt *p,
    int dir, struct sd_ike_msg *msg, struct sd_rd datagram)
{
	struct sd_event ev;
	struct sd_ike_track_pkt tp;

	sd_ike_state_update(&s->ike, msg, dir);
	f->app_flags |= SD_APPF_IKE;
	flow_event(&ev, SD_EV_IKE, f, dir, p->frame, p->sec, p->nsec, p->file_index);
	ev.u.msg.ike = msg;
	/* the tracker writes the event, then the exchanges the message completes */
	tp.datagram = datagram;
	tp.ev = &ev;
	sd_ike_track_message(a->ike, msg, &tp);
}

static void
ike_message(struct sd_app *a, struct sd_flow *f, struct app_flow *s,
    const struct sd_app_pkt *p, const struct sd_udp *u)
{
	struct sd_ike_msg msg;
	struct sd_rd dg = u->payload;

	(void)sd_ike_parse_udp(u->payload, u->sport, u->dport, &msg);
	if (!msg.header_ok)
		return;
	msg.ip_fragments = p->ip_fragments;
	if (msg.nat_t)
		(void)sd_rd_skip(&dg, 4);	/* non-ESP marker */
	ike_emit(a, f, s, p, p->dir, &msg, dg);
}

/* ESP from an RFC 8229 frame sent in direction dir (bytes may have waited: not p->dir). */

/* One ESP packet (addresses, ports and encapsulation set by the caller) into the SA
 * table and the IKE tracker. */
static void
esp_note(struct sd_app *a, struct sd_esp_pkt *e, const struct sd_esp_hdr *h,
    const struct sd_app_pkt *p)
{
	e->spi = h->spi;
	e->seq = h->seq;
	e->no_seq = !h->has_seq;
	e->frame = p->frame;
	e->ts_sec = p->sec;
	e->ts_nsec = p->nsec;
	e->bytes = h->len;
	(void)sd_esp_add(a->esp, e);
	sd_ike_track_esp(a->ike, &e->src, &e->dst, e->ts_sec, e->frame);
}

static void
iketcp_esp(struct sd_app *a, const struct sd_flow *f, const struct sd_app_pkt *p, int dir,
    struct sd_rd esp)
{
	struct sd_esp_hdr h;
	struct sd_esp_pkt e;
	enum sd_rc rc;

	rc = sd_esp_parse(esp, &h);
	if (rc != SD_OK && !(rc == SD_TRUNCATED && h.has_spi))
		return;
	memset(&e, 0, sizeof(e));
	e.src = f->addr[dir];
	e.dst = f->addr[!dir];
	e.sport = f->port[dir];
	e.dport = f->port[!dir];
	e.tcp_encap = true;
	esp_note(a, &e, &h, p);
}

/* RFC 8229 stream direction: skip the prefix once, then every whole frame buffered. */
static void
iketcp_feed(struct sd_app *a, struct sd_flow *f, struct app_flow *s, const struct sd_app_pkt *p,
    int dir)
{
	struct sd_stream *st = &f->tcp->s[dir];
	struct sd_ike_tcp_frame fr;
	struct sd_ike_msg msg;
	size_t consumed, needed;
	enum sd_rc rc;

	if (s->tcp_dead[dir])
		return;
	if (st->gap_pending) {
		/* bytes lost (a capture hole): the 2-byte framing cannot be found again */
		st->gap_pending = false;
		s->tcp_dead[dir] = true;
		st->collect = false;
		sd_stream_consume(st, a->mc, st->len);
		return;
	}
	if (s->iketcp_prefix == dir) {
		if (st->len < SD_IKE_TCP_PREFIX_LEN)
			return;
		sd_stream_consume(st, a->mc, SD_IKE_TCP_PREFIX_LEN);
		s->iketcp_prefix = -1;
	}
	while (st->len > 0) {
		rc = sd_ike_tcp_frame(sd_rd_make(st->buf, st->len), &fr, &consumed, &needed);
		if (rc == SD_NEED_MORE)
			return;
		if (rc != SD_OK || consumed == 0 || consumed > st->len) {
			/* framing lost: stop buffering this direction */
			s->tcp_dead[dir] = true;
			st->collect = false;
			sd_stream_consume(st, a->mc, st->len);
			return;
		}
		if (fr.ike) {
			(void)sd_ike_parse(fr.body, false, &msg);
			if (msg.header_ok) {
				msg.tcp_encap = true;
				ike_emit(a, f, s, p, dir, &msg, fr.body);
			}
		} else {
			iketcp_esp(a, f, p, dir, fr.body);
		}
		sd_stream_consume(st, a->mc, consumed);
	}
}

static void
esp_packet(struct sd_app *a, const struct sd_app_pkt *p, const struct sd_flow *f,
    struct sd_rd esp, bool udp_encap)
{
	struct sd_esp_hdr h;
	struct sd_esp_pkt e;
	enum sd_rc rc;

	rc = sd_esp_parse(esp, &h);
	if (rc != SD_OK && !(rc == SD_TRUNCATED && h.has_spi))
		return;
	memset(&e, 0, sizeof(e));
	e.src = p->ip->src;
	e.dst = p->ip->dst;
	if (udp_encap) {
		e.sport = f->port[p->dir];
		e.dport = f->port[!p->dir];
	}
	e.udp_encap = udp_encap;
	esp_note(a, &e, &h, p);
}

/* A DNS response from UDP port 53: parsed and emitted; queries and junk are not. */
static void
dns_response(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_udp *u)
{
	struct sd_dns_msg m;
	struct sd_event ev;
	enum sd_rc rc = sd_dns_parse(u->payload, &m);

	if ((rc != SD_OK && rc != SD_TRUNCATED) || !m.response || a->sink.emit == NULL)
		return;
	flow_event(&ev, SD_EV_DNS_ANSWER, f, p->dir, p->frame, p->sec, p->nsec, p->file_index);
	ev.u.msg.dns = &m;
	a->sink.emit(a->sink.ctx, &ev);
}

/* A plain CAPWAP control message: its type and result code as a capwap.control event. */
static void
capwap_control(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_capwap *cw)
{
	struct sd_capwap_ctrl c;
	struct sd_event ev;

	if (a->sink.emit == NULL || sd_capwap_control(cw->payload, &c) != SD_OK)
		return;
	flow_event(&ev, SD_EV_CAPWAP_CONTROL, f, p->dir, p->frame, p->sec, p->nsec,
	    p->file_index);
	ev.u.msg.capwap = &c;
	a->sink.emit(a->sink.ctx, &ev);
}

/* A datagram of a flow that carries (or may carry) DTLS: the records in `payload`. */
static void
dtls_datagram(struct sd_app *a, struct sd_flow *f, struct app_flow *s,
    const struct sd_app_pkt *p, struct sd_rd payload)
{
	struct sd_tls_pkt pkt;
	enum sd_rc rc;

	if (s->kind == APP_NONE || s->kind == APP_IKE)
		return;
	if (s->kind == APP_UNKNOWN) {
		rc = sd_tls_probe(payload, true);
		if (rc != SD_OK) {
			/* SD_NEED_MORE: STUN, after which DTLS may come (RFC 7983) */
			if (rc != SD_NEED_MORE && sd_rd_left(&payload) > 0)
				s->kind = APP_NONE;
			return;
		}
		s->tls = sd_tls_conn_new(a->mc, true, tls_emit, s);
		if (s->tls == NULL) {
			f->rec.anomalies |= SD_ANOM_MEMCAP;
			s->kind = APP_NONE;
			return;
		}
		s->kind = APP_DTLS;
	}
	pkt.frame = p->frame;
	pkt.ts_sec = p->sec;
	pkt.ts_nsec = p->nsec;
	(void)sd_dtls_datagram(s->tls, p->dir, payload, &pkt);
}

static bool
capwap_port(const struct sd_udp *u)
{
	return u->sport == SD_PORT_CAPWAP_CONTROL || u->dport == SD_PORT_CAPWAP_CONTROL ||
	    u->sport == SD_PORT_CAPWAP_DATA || u->dport == SD_PORT_CAPWAP_DATA;
}

/*
 * CAPWAP control or data channel (RFC 5415): the DTLS records behind a CAPWAP DTLS header
 * are the flow's DTLS (an access point joining its controller); plain control messages
 * are told as capwap.control events.  Plain data the tunnel layer did not decapsulate
 * (keep-alives, fragments, other bindings) is left alone.
 */
static void
capwap_datagram(struct sd_app *a, struct sd_flow *f, struct app_flow *s,
    const struct sd_app_pkt *p, const struct sd_udp *u)
{
	struct sd_capwap cw;

	if (sd_capwap_parse(u->payload, &cw) != SD_OK) {
		/* not CAPWAP (a DTLS record starts 0x16: preamble version 1): probed as any UDP */
		dtls_datagram(a, f, s, p, u->payload);
		return;
	}
	if (cw.type == SD_CAPWAP_DTLS) {
		dtls_datagram(a, f, s, p, cw.payload);
		return;
	}
	if ((u->sport == SD_PORT_CAPWAP_CONTROL || u->dport == SD_PORT_CAPWAP_CONTROL) &&
	    (cw.flags & SD_CAPWAP_F_F) == 0)
		capwap_control(a, f, p, &cw);
}

void
sd_app_udp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_udp *u)
{
	struct app_flow *s = f->app;

	a->file_index = p->file_index;
	if (u->sport == 53) {
		dns_response(a, f, p, u);	/* DNS answers (revocation endpoints' names) */
		return;
	}
	if (s == NULL) {
		s = app_state(a, f);
		if (s == NULL) {
			f->rec.anomalies |= SD_ANOM_MEMCAP;
			return;
		}
	}
	if (capwap_port(u)) {
		capwap_datagram(a, f, s, p, u);
		return;
	}
	/* IKE and ESP share UDP 4500: classify every datagram, not the flow */
	switch (sd_ike_classify(u->payload, u->sport, u->dport)) {
	case SD_IKE_UDP_IKE:
	case SD_IKE_UDP_IKE_NATT:
		s->kind = APP_IKE;
		ike_message(a, f, s, p, u);
		return;
	case SD_IKE_UDP_ESP:
		esp_packet(a, p, f, u->payload, true);
		return;
	case SD_IKE_UDP_KEEPALIVE:
		return;
	case SD_IKE_UDP_OTHER:
		break;
	}
	if (s->kind == APP_NONE || s->kind == APP_IKE)
		return;
	if (s->kind == APP_UNKNOWN && ovpn_claims(f, u->payload, false, p->sec) == SD_OK &&
	    !ovpn_start(a, f, s)) {
		s->kind = APP_NONE;
		return;
	}
	if (s->kind == APP_OVPN) {
		struct sd_tls_pkt pkt;

		pkt.frame = p->frame;
		pkt.ts_sec = p->sec;
		pkt.ts_nsec = p->nsec;
		(void)sd_ovpn_conn_packet(s->ovpn, p->dir, u->payload, &pkt, p->sec);
		return;
	}
	dtls_datagram(a, f, s, p, u->payload);
}

void
sd_app_esp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p, struct sd_rd esp)
{
	a->file_index = p->file_index;
	esp_packet(a, p, f, esp, false);
}

/* What the flow record says of the OpenVPN (both directions added up). */
static void
ovpn_record(struct sd_ev_ovpn *o, const struct sd_ovpn_stats *st)
{
	static const char *const ctl[] = { "plain", "tls-auth", "tls-crypt" };
	int d;

	memset(o, 0, sizeof(*o));
	o->seen = true;
	if (st->wrap_known)
		o->control = ctl[st->wrap.auth];
	o->hmac_len = st->wrap.hmac_len;
	o->tls_sessions = st->tls_sessions;
	for (d = 0; d < 2; d++) {
		o->control_packets += st->control[d];
		o->data_packets += st->data[d];
		o->duplicates += st->duplicates[d];
		o->reordered += st->reordered[d];
		o->gaps += st->gaps[d];
		o->dropped += st->dropped[d];
		o->malformed += st->malformed[d];
	}
}

void
sd_app_flow_end(struct sd_app *a, struct sd_flow *f)
{
	struct app_flow *s = f->app;
	struct sd_tls_pkt pkt;
	int d;

	if (s == NULL)
		return;
	if (s->prelude != NULL && s->prelude->connect_open) {
		/* a CONNECT the proxy never answered (or whose answer never completed) */
		if (s->prelude->connect.end == NULL)
			s->prelude->connect.end = "capture_end";
		s->prelude->connect_open = false;
		connect_emit(a, f, s);
	}
	if (s->prelude != NULL && sd_preamble_close(s->prelude)) {
		/* a SOCKS4 or RDP request never answered, a MySQL greeting never followed */
		s->prelude->pre.frame = s->prelude->pre.dir == 0 ? s->prelude->pre.request_frame :
		    s->prelude->pre.answered_frame;
		preamble_emit(a, f, s);
	}
	if (s->tls != NULL && f->tcp != NULL) {
		/*
		 * Segments still held behind a hole will never be completed: give the holes
		 * up and let TLS see what came after them (a lost segment before an alert).
		 */
		pkt.frame = f->rec.last_frame;
		pkt.ts_sec = f->rec.last_sec;
		pkt.ts_nsec = f->rec.last_nsec;
		for (d = 0; d < 2; d++)
			while (s->synced[d] && !s->tcp_dead[d] &&
			    sd_stream_skip_gap(&f->tcp->s[d], a->mc))
				tls_feed_dir(a, f, s, d, &pkt);
	}
	/* tls.session: the connection's outcome, at the flow's last frame */
	pkt.frame = f->rec.last_frame;
	pkt.ts_sec = f->rec.last_sec;
	pkt.ts_nsec = f->rec.last_nsec;
	if (s->tls != NULL)
		sd_tls_conn_end(s->tls, &pkt);
	if (s->ovpn != NULL) {
		sd_ovpn_conn_end(s->ovpn, &pkt);
		ovpn_record(&f->rec.ovpn, sd_ovpn_conn_stats(s->ovpn));
		sd_ovpn_conn_free(s->ovpn);
	}
	sd_tls_conn_free(s->tls);
	sd_ike_state_free(&s->ike);
	sd_memcap_free(a->mc, s->prelude, sizeof(*s->prelude));
	sd_memcap_free(a->mc, s, sizeof(*s));
	f->app = NULL;
}

static void
esp_emit(void *ctx, const struct sd_esp_sa *sa)
{
	struct sd_app *a = ctx;
	struct sd_event ev;

	sd_esp_sa_event(sa, &ev);
	if (a->sink.emit != NULL)
		a->sink.emit(a->sink.ctx, &ev);
}

static void
esp_tunnel_emit(void *ctx, const struct sd_esp_tunnel *tn)
{
	struct sd_app *a = ctx;
	struct sd_event ev;

	sd_esp_tunnel_event(tn, &ev);
	if (a->sink.emit != NULL)
		a->sink.emit(a->sink.ctx, &ev);
}

void
sd_app_tick(struct sd_app *a, int64_t now_sec)
{
	sd_ike_track_tick(a->ike, now_sec);
	if (now_sec - a->last_window >= APP_ESP_WINDOW_SEC) {
		a->last_window = now_sec;
		(void)sd_esp_window(a->esp, esp_tunnel_emit, a);
	}
}

void
sd_app_finish(struct sd_app *a)
{
	sd_ike_track_finish(a->ike);
	(void)sd_esp_flush_tunnels(a->esp, esp_emit, esp_tunnel_emit, a);
}
