/* analyze/rules_hello.c - a TLS ClientHello the server never answered: the TCP handshake
 * completed, the client sent its hello, and silence followed (a device dropping by SNI). */
#include "analyze/rules.h"
#include "analyze/tls_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/table.h"
#include "dissect/tls.h"

#define WORKED_MAX	65536	/* servers and names with a completed handshake */
#define PENDING_MAX	65536	/* findings whose comparison is brought up to date at the end */
#define MIN_WAIT	1.0	/* seconds of silence before a hello counts as unanswered */
#define KEY_LEN		300

/* Per flow: the client's first ClientHello, and whether anything TLS followed it. */
struct hflow {
	bool		 ch_seen;
	bool		 answered;	/* a TLS message from the server, or the client's next
					 * flight (it saw an answer the capture missed) */
	struct sd_addr	 client;
	uint16_t	 cport;
	uint64_t	 ch_frame;
	int64_t		 ch_sec;
	uint32_t	 ch_nsec;
	size_t		 size;		/* of the allocation, the SNI included */
	char		 sni[];		/* "" when none (sized to it: thousands are held) */
};

/*
 * Completed handshakes, keyed by "a|server:port" and "n|name": how many, and the first
 * one's ClientHello and ServerHello frames with the name (for a server) or the server (for
 * a name) it had.
 */
struct worked {
	uint64_t	 n;
	uint64_t	 ch_frame, sh_frame;
	uint32_t	 file_index;
	char		 other[KEY_LEN];
};

/* A finding made, to compare again at the end with handshakes completed after it. */
struct pending {
	struct sd_finding	*f;
	char			 server[KEY_LEN];
	char			 sni[256];
	uint64_t		 seen_server, seen_name;	/* worked counts last compared */
	double			 waited;	/* the first connection's */
	uint64_t		 retx;
	char			 clause[KEY_LEN + 300];	/* the comparison's end of the summary */
};

struct hello_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*worked;	/* struct worked */
	struct sd_tab		*pending;	/* struct pending */
	int64_t			 cap_sec;	/* the last capture's end (its last frame) */
	uint32_t		 cap_nsec;
	uint64_t		 flows_refused;
};

static double
ts(int64_t sec, uint32_t nsec)
{
	return (double)sec + (double)nsec / 1e9;
}

static void
server_key(char *buf, size_t n, const struct sd_addr *a, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	sd_ip_addr_str(a, s);
	snprintf(buf, n, a->v == 6 ? "[%s]:%u" : "%s:%u", s, port);
}

static const struct worked *
worked_get(struct hello_rules *t, char kind, const char *what)
{
	char key[KEY_LEN + 4];

	if (what[0] == '\0')
		return NULL;
	snprintf(key, sizeof(key), "%c|%s", kind, what);
	return sd_tab_get(t->worked, key, strlen(key), false, NULL);
}

static void
worked_add(struct hello_rules *t, char kind, const char *what, const char *other,
    const struct sd_tls_session *s, uint32_t file_index)
{
	char key[KEY_LEN + 4];
	struct worked *w;
	bool created;

	if (what[0] == '\0')
		return;
	snprintf(key, sizeof(key), "%c|%s", kind, what);
	if ((w = sd_tab_get(t->worked, key, strlen(key), true, &created)) == NULL)
		return;
	if (created) {
		w->ch_frame = s->client_hello_frame;
		w->sh_frame = s->server_hello_frame;
		w->file_index = file_index;
		snprintf(w->other, sizeof(w->other), "%s", other);
	}
	w->n++;
}

/* A completed handshake: the server (and the name) worked. */
static void
on_session(struct hello_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_session *s = ev->u.msg.session;
	char srv[KEY_LEN], sni[256];

	if (s == NULL || s->dtls || !s->handshake_complete)
		return;
	sni[0] = '\0';
	if (s->has_sni && s->sni_len < sizeof(sni) && memchr(s->sni, '\0', s->sni_len) == NULL) {
		memcpy(sni, s->sni, s->sni_len);
		sni[s->sni_len] = '\0';
	}
	/* the session event comes from the client's side */
	server_key(srv, sizeof(srv), &ev->dst, ev->dport);
	worked_add(t, 'a', srv, sni, s, ev->file_index);
	worked_add(t, 'n', sni, srv, s, ev->file_index);
}

static void
on_client_hello(struct hello_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;
	struct hflow *h;
	size_t size;
	bool sni_ok;

	if (ch == NULL || ch->dtls || ev->transport != SD_IPPROTO_TCP || ev->flow_id == 0)
		return;
	if ((h = sd_rule_flow(t->env, ev, 0, false, NULL)) != NULL) {
		/* a second hello (after a HelloRetryRequest) follows an answer */
		h->answered = true;
		return;
	}
	sni_ok = sd_tls_sni_keepable(ch);
	size = sizeof(*h) + (sni_ok ? ch->sni.len : 0) + 1;
	if ((h = sd_rule_flow(t->env, ev, size, true, &t->flows_refused)) == NULL)
		return;
	h->size = size;
	h->ch_seen = true;
	h->client = ev->src;
	h->cport = ev->sport;
	h->ch_frame = ev->frame;
	h->ch_sec = ev->ts_sec;
	h->ch_nsec = ev->ts_nsec;
	if (sni_ok) {
		memcpy(h->sni, ch->sni.p, ch->sni.len);
		h->sni[ch->sni.len] = '\0';
	}
}

/*
 * Compare with the handshakes that completed elsewhere: values same_server, same_name and
 * verdict, the evidence of one that worked, and the clause the summary ends with.
 */
static void
compare(struct hello_rules *t, struct pending *p)
{
	const struct worked *ws = worked_get(t, 'a', p->server);
	const struct worked *wn = worked_get(t, 'n', p->sni);
	struct sd_finding *f = p->f;
	char *clause = p->clause;
	size_t n = sizeof(p->clause);

	clause[0] = '\0';
	p->seen_server = ws != NULL ? ws->n : 0;
	p->seen_name = wn != NULL ? wn->n : 0;
	if (ws != NULL)
		sd_finding_value(f, "same_server", "%llu completed handshake%s with %s (the "
		    "first: %s%s, frames %llu, %llu)", (unsigned long long)ws->n,
		    ws->n == 1 ? "" : "s", p->server, ws->other[0] ? "server name " : "no server "
		    "name", ws->other, (unsigned long long)ws->ch_frame,
		    (unsigned long long)ws->sh_frame);
	else
		sd_finding_value(f, "same_server", "no completed handshake with %s in this "
		    "capture", p->server);
	if (p->sni[0] != '\0') {
		if (wn != NULL)
			sd_finding_value(f, "same_name", "%llu completed handshake%s for %s (the "
			    "first with %s, frames %llu, %llu)", (unsigned long long)wn->n,
			    wn->n == 1 ? "" : "s", p->sni, wn->other,
			    (unsigned long long)wn->ch_frame, (unsigned long long)wn->sh_frame);
		else
			sd_finding_value(f, "same_name", "no completed handshake for %s in this "
			    "capture", p->sni);
	}
	if (ws != NULL && wn == NULL && p->sni[0] != '\0' && strcmp(ws->other, p->sni) != 0) {
		sd_finding_value(f, "verdict", "dropped by name: the same server and port "
		    "completed a handshake for %s, never for %s (an SNI filter on the path)",
		    ws->other[0] ? ws->other : "a hello without a name", p->sni);
		snprintf(clause, n, "; the same server answered %s: dropped by name (SNI)",
		    ws->other[0] ? ws->other : "a hello without a name");
	} else if (ws != NULL) {
		sd_finding_value(f, "verdict", "intermittent: other connections to this server%s "
		    "completed", wn != NULL ? " with this name" : "");
		snprintf(clause, n, "; other connections to it completed");
	} else if (wn != NULL) {
		sd_finding_value(f, "verdict", "this address does not answer: %s completed a "
		    "handshake at %s", p->sni, wn->other);
		snprintf(clause, n, "; %s answered at %s", p->sni, wn->other);
	} else {
		sd_finding_value(f, "verdict", "nothing to compare: no handshake with this server "
		    "or name completed in this capture");
	}
	if (ws != NULL && ws->file_index == f->file_index) {
		sd_finding_frame(f, ws->ch_frame);
		sd_finding_frame(f, ws->sh_frame);
	} else if (wn != NULL && wn->file_index == f->file_index) {
		sd_finding_frame(f, wn->ch_frame);
		sd_finding_frame(f, wn->sh_frame);
	}
}

static void
summarize(struct pending *p)
{
	struct sd_finding *f = p->f;

	sd_finding_summary(f, "%s%s%s: the ClientHello was never answered (nothing back in "
	    "%.1f s, resent %llu time%s)%s (%llu connection%s)", p->sni, p->sni[0] ? " at " : "",
	    p->server, p->waited, (unsigned long long)p->retx, p->retx == 1 ? "" : "s", p->clause,
	    (unsigned long long)f->count, f->count == 1 ? "" : "s");
}

/* How the wait ended, and when. */
static const char *
wait_end(const struct hello_rules *t, const struct sd_ev_flow *fr, double *end)
{
	*end = ts(fr->last_sec, fr->last_nsec);
	if (fr->rst_seen[SD_ROLE_CLIENT])
		return "until the client reset the connection";
	if (fr->fin_seen[SD_ROLE_CLIENT])
		return "until the client closed the connection (FIN)";
	if (fr->end != NULL && strcmp(fr->end, "capture_end") == 0) {
		if (ts(t->cap_sec, t->cap_nsec) > *end)
			*end = ts(t->cap_sec, t->cap_nsec);
		return "until the capture ended";
	}
	return "until the connection timed out";
}

/*
 * At the end of a TCP connection whose client sent a ClientHello: nothing from the server
 * after its SYN-ACK (no data, FIN, RST, ICMP error), nothing from the client either that
 * shows an answer reached it, for at least MIN_WAIT seconds.  A server never seen at all
 * is a one-way capture (tcp.one_way), not silence; the MTU black-hole pattern is
 * tcp.mtu_blackhole's.
 */
static void
on_flow(struct hello_rules *t, const struct sd_event *ev, const struct hflow *h)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	const int c = SD_ROLE_CLIENT, s = SD_ROLE_SERVER;
	char g[KEY_LEN + 260], srv[KEY_LEN];
	const char *how;
	struct sd_finding *f;
	struct pending *p, tmp;
	double end, waited;
	bool acked;

	if (!h->ch_seen || h->answered || fr->packets[s] == 0 || fr->payload[s] > 0 ||
	    fr->fin_seen[s] || fr->rst_seen[s] || fr->icmp_errors > 0 ||
	    sd_rule_mtu_blackhole(fr, c))
		return;
	how = wait_end(t, fr, &end);
	waited = end - ts(h->ch_sec, h->ch_nsec);
	if (waited < MIN_WAIT)
		return;
	acked = fr->seg_max_acked[c] > 0;
	/* the flow record is written from the client's side */
	server_key(srv, sizeof(srv), &ev->dst, ev->dport);
	snprintf(g, sizeof(g), "%s|%s", srv, h->sni);
	f = sd_finding_add(t->out, SD_K_HELLO_UNANSWERED, g, h->ch_sec, h->ch_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	sd_finding_frame(f, h->ch_frame);
	if (fr->retx_first_frame[c] > h->ch_frame)
		sd_finding_frame(f, fr->retx_first_frame[c]);
	if (fr->retx_last_frame[c] > h->ch_frame)
		sd_finding_frame(f, fr->retx_last_frame[c]);
	sd_rule_note_flow(f, ev, true);
	if (f->count != 1) {
		/* the first connection's story stands; count and evidence grow */
		if ((p = sd_tab_get(t->pending, &f, sizeof(f), false, NULL)) != NULL)
			summarize(p);
		return;
	}
	f->confidence = acked ? 0.6 : 0.9;
	sd_finding_value(f, "server", "%s", srv);
	sd_finding_value(f, "server_name", "%s", h->sni[0] ? h->sni : "(none: no SNI)");
	sd_finding_value(f, "waited", "%.1f s after the ClientHello (frame %llu), %s", waited,
	    (unsigned long long)h->ch_frame, how);
	if (fr->retransmits[c] > 0 && fr->retx_first_frame[c] != 0)
		sd_finding_value(f, "retransmissions", "%llu (frames %llu-%llu)",
		    (unsigned long long)fr->retransmits[c],
		    (unsigned long long)fr->retx_first_frame[c],
		    (unsigned long long)fr->retx_last_frame[c]);
	else
		sd_finding_value(f, "retransmissions", "%llu",
		    (unsigned long long)fr->retransmits[c]);
	sd_finding_value(f, "acknowledged", "%s", acked ? "yes: the server's TCP (or a proxy "
	    "in its name) acknowledged the ClientHello, and no TLS answer followed" : "no: not "
	    "even a TCP acknowledgement came back (dropped on the path, or the server's "
	    "answers were)");
	if ((p = sd_tab_get(t->pending, &f, sizeof(f), true, NULL)) == NULL) {
		memset(&tmp, 0, sizeof(tmp));
		p = &tmp;	/* no room to compare again at the end: now only */
	}
	p->f = f;
	snprintf(p->server, sizeof(p->server), "%s", srv);
	snprintf(p->sni, sizeof(p->sni), "%s", h->sni);
	p->waited = waited;
	p->retx = fr->retransmits[c];
	compare(t, p);
	summarize(p);
}

static void
hello_event(void *ctx, const struct sd_event *ev)
{
	struct hello_rules *t = ctx;
	struct hflow *h;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		on_client_hello(t, ev);
		return;
	case SD_EV_TLS_SESSION:
		on_session(t, ev);
		return;
	case SD_EV_CAPTURE:
		t->cap_sec = ev->ts_sec;
		t->cap_nsec = ev->ts_nsec;
		return;
	default:
		break;
	}
	if ((h = sd_rule_flow(t->env, ev, 0, false, NULL)) == NULL || !h->ch_seen)
		return;
	switch (ev->type) {
	case SD_EV_TLS_ALERT:
		/* the server's alert answers; a client may alert on its own timeout */
		if (sd_ip_addr_cmp(&ev->src, &h->client) != 0 || ev->sport != h->cport)
			h->answered = true;
		break;
	case SD_EV_TLS_SERVER_HELLO:
	case SD_EV_TLS_CERTIFICATE:
	case SD_EV_TLS_CERTIFICATE_REQUEST:
	case SD_EV_TLS_SERVER_KEY_EXCHANGE:
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		/* the server spoke, or the client's next flight shows it had */
		h->answered = true;
		break;
	case SD_EV_FLOW:
		if (ev->transport == SD_IPPROTO_TCP)
			on_flow(t, ev, h);
		break;
	default:
		break;
	}
}

/* Handshakes completed after a finding was made: compare again. */
static void
hello_finish(void *ctx)
{
	struct hello_rules *t = ctx;
	const struct worked *ws, *wn;
	struct pending *p;

	for (p = sd_tab_first(t->pending); p != NULL; p = sd_tab_next(t->pending, p)) {
		ws = worked_get(t, 'a', p->server);
		wn = worked_get(t, 'n', p->sni);
		if ((ws != NULL ? ws->n : 0) == p->seen_server &&
		    (wn != NULL ? wn->n : 0) == p->seen_name)
			continue;
		compare(t, p);
		summarize(p);
	}
}

static void hello_free(void *ctx);

static void *
hello_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct hello_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	if (t == NULL) {
		snprintf(err, errlen, "hello rules: out of memory");
		return NULL;
	}
	t->env = env;
	t->out = env->out;
	memset(&o, 0, sizeof(o));
	o.mc = env->mc;
	o.val_size = sizeof(struct worked);
	o.max = WORKED_MAX;
	t->worked = sd_tab_new(&o);
	o.val_size = sizeof(struct pending);
	o.max = PENDING_MAX;
	t->pending = sd_tab_new(&o);
	if (t->worked == NULL || t->pending == NULL) {
		snprintf(err, errlen, "hello rules: out of memory");
		hello_free(t);
		return NULL;
	}
	return t;
}

static void
hello_free(void *ctx)
{
	struct hello_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->worked);
	sd_tab_free(t->pending);
	free(t);
}

static void
hello_flow_free(void *ctx, void *state)
{
	struct hello_rules *t = ctx;

	sd_rule_flow_release(t->env, state, ((struct hflow *)state)->size);
}

static void
hello_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct hello_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->worked) + sd_tab_evicted(t->pending);
	st->refused += sd_tab_refused(t->worked) + sd_tab_refused(t->pending);
}

const struct sd_rule_area sd_rules_hello = {
	"hello", hello_new, hello_event, hello_finish, hello_free, hello_flow_free, hello_stats, NULL,
	false,
};
