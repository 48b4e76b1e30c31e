/* cli/report.c - --report: what the report keeps of each analysis, and the file it writes. */
#include "cli/report.h"
#include "cli/report_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/ike_notes.h"
#include "dissect/ike.h"
#include "dissect/ike_names.h"
#include "dissect/prelude.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"
#include "engine/ipsec_types.h"
#include "analyze/tls_text.h"

enum sd_report_fmt
sd_report_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return SD_REPORT_NONE;
	if (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0)
		return SD_REPORT_HTML;
	if (strcasecmp(dot, ".md") == 0)
		return SD_REPORT_MD;
	return SD_REPORT_NONE;
}

struct sd_report *
sd_report_new(const char *path, enum sd_report_fmt fmt, const char *version, int argc,
    char *const *argv)
{
	struct sd_report *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->path = strdup(path)) == NULL ||
	    (r->ike = sd_ike_notes_new()) == NULL) {
		if (r != NULL)
			free(r->path);
		free(r);
		return NULL;
	}
	r->fmt = fmt;
	r->version = version;
	r->argc = argc;
	r->argv = argv;
	return r;
}

static void
run_free(struct rpt_run *u)
{
	size_t i, k;
	int j;

	sd_finding_list_free(&u->findings);
	for (j = 0; j < u->ninputs; j++) {
		free(u->inputs[j].name);
		free(u->inputs[j].error);
	}
	free(u->inputs);
	free(u->msgs);
	free(u->msg_by_flow);
	free(u->chain_by_flow);
	for (i = 0; i < u->nconns; i++)
		free(u->conns[i].sni);
	free(u->conns);
	for (i = 0; i < u->nchains; i++)
		for (k = 0; k < u->chains[i].n; k++)
			free(u->chains[i].der[k]);
	free(u->chains);
}

void
sd_report_free(struct sd_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nruns; i++)
		run_free(&r->runs[i]);
	free(r->runs);
	free(r->path);
	sd_ike_notes_free(r->ike);
	free(r);
}

void
sd_report_begin(struct sd_report *r)
{
	if (!sd_grow((void **)&r->runs, &r->runs_cap, r->nruns, sizeof(*r->runs),
	    SIZE_MAX / sizeof(*r->runs)))
		return;		/* the events go to the previous run, or nowhere */
	memset(&r->runs[r->nruns], 0, sizeof(r->runs[0]));
	r->nruns++;
}

static struct rpt_run *
cur(struct sd_report *r)
{
	return r->nruns > 0 ? &r->runs[r->nruns - 1] : NULL;
}

/* A new arrow of the event's flow, or NULL past the cap. */
static struct rpt_msg *
msg_add(struct sd_report *r, const struct sd_event *ev, uint64_t flow_id, uint8_t mark,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static struct rpt_msg *
msg_add(struct sd_report *r, const struct sd_event *ev, uint64_t flow_id, uint8_t mark,
    const char *fmt, ...)
{
	struct rpt_run *u = cur(r);
	struct rpt_msg *m;
	va_list ap;

	if (u == NULL || flow_id == 0)
		return NULL;
	if (r->msgs_total >= RPT_MAX_MSGS ||
	    !sd_grow((void **)&u->msgs, &u->msgs_cap, u->nmsgs, sizeof(*u->msgs),
	    SIZE_MAX / sizeof(*u->msgs))) {
		r->msgs_lost++;
		return NULL;
	}
	m = &u->msgs[u->nmsgs++];
	r->msgs_total++;
	memset(m, 0, sizeof(*m));
	m->flow_id = flow_id;
	m->frame = ev->frame;
	m->sec = ev->ts_sec;
	m->nsec = ev->ts_nsec;
	m->has_ts = true;
	m->src = ev->src;
	m->sport = ev->sport;
	m->mark = mark;
	va_start(ap, fmt);
	vsnprintf(m->label, sizeof(m->label), fmt, ap);
	va_end(ap);
	return m;
}

static struct rpt_conn *
conn_add(struct sd_report *r, const struct sd_event *ev)
{
	struct rpt_run *u = cur(r);
	struct rpt_conn *c;

	if (u == NULL)
		return NULL;
	if (u->nconns >= RPT_MAX_CONNS ||
	    !sd_grow((void **)&u->conns, &u->conns_cap, u->nconns, sizeof(*u->conns),
	    SIZE_MAX / sizeof(*u->conns))) {
		r->conns_lost++;
		return NULL;
	}
	c = &u->conns[u->nconns++];
	memset(c, 0, sizeof(*c));
	c->flow_id = ev->flow_id;
	c->frame = ev->frame;
	c->client = ev->src;
	c->server = ev->dst;
	c->cport = ev->sport;
	c->sport = ev->dport;
	return c;
}

static void
on_session(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_tls_session *s = ev->u.msg.session;
	struct rpt_conn *c = conn_add(r, ev);
	const char *sn;
	uint32_t k;

	if (c == NULL)
		return;
	c->dtls = s->dtls;
	if (s->has_sni && s->sni_len > 0 && (c->sni = malloc(s->sni_len)) != NULL) {
		memcpy(c->sni, s->sni, s->sni_len);
		c->sni_len = s->sni_len;
	}
	if (s->has_server_hello) {
		char vb[16];

		snprintf(c->version, sizeof(c->version), "%s",
		    sd_tls_version_text(s->version, vb, sizeof(vb)));
		sn = sd_tls_cipher_name(s->cipher);
		if (sn != NULL)
			snprintf(c->suite, sizeof(c->suite), "%s", sn);
		else
			snprintf(c->suite, sizeof(c->suite), "0x%04x", s->cipher);
	}
	for (k = 0; k < s->nalerts && k < SD_TLS_SESSION_ALERTS; k++) {
		const struct sd_tls_session_alert *a = &s->alerts[k];

		if (a->encrypted || a->level != 2)
			continue;
		sn = sd_tls_alert_name(a->description);
		snprintf(c->outcome, sizeof(c->outcome), "failed: %s alert from the %s",
		    sn != NULL ? sn : "fatal", a->sender == SD_ROLE_CLIENT ? "client" : "server");
		return;
	}
	if (s->handshake_complete)
		snprintf(c->outcome, sizeof(c->outcome), "%s%s", s->resumed ? "resumed" :
		    "established", s->app_data[0] + s->app_data[1] > 0 ? ", data exchanged" : "");
	else if (!s->has_server_hello)
		snprintf(c->outcome, sizeof(c->outcome), "no ServerHello");
	else if (s->nalerts > 0)
		snprintf(c->outcome, sizeof(c->outcome), "ended by an encrypted alert");
	else
		snprintf(c->outcome, sizeof(c->outcome), "handshake not completed");
}

static void
on_ike_sa(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_ike_sa *sa = ev->u.msg.ike_sa;
	struct rpt_conn *c = conn_add(r, ev);
	struct sd_ike_note *e;
	const char *err;
	char num[8];

	if (c == NULL)
		return;
	c->ike = true;
	c->client = sa->initiator;
	c->server = sa->responder;
	c->cport = sa->initiator_port;
	c->sport = sa->responder_port;
	c->frame = sa->first_frame;
	snprintf(c->version, sizeof(c->version), "IKEv%u", sa->version);
	/* the suite: what the responder chose in clear, else what was offered */
	if ((e = sd_ike_notes_get(r->ike, sa->version, sa->ispi)) != NULL)
		snprintf(c->suite, sizeof(c->suite), "%.176s%s", e->chosen[0] != '\0' ? e->chosen :
		    e->offered, e->chosen[0] == '\0' && e->offered[0] != '\0' ? " (offered)" :
		    "");
	if (!sa->established && (err = sd_ike_note_error(e, num)) != NULL)
		snprintf(c->outcome, sizeof(c->outcome), "failed: %s in the response (frame %"
		    PRIu64 ")", err, sd_frame_no(e->error_frame));
	else if (sa->established)
		snprintf(c->outcome, sizeof(c->outcome), "established%s%s%s",
		    sa->established_by != NULL ? " (" : "",
		    sa->established_by != NULL ? sa->established_by : "",
		    sa->established_by != NULL ? ")" : "");
	else if (sa->unanswered > 0)
		snprintf(c->outcome, sizeof(c->outcome), "not established: %u exchange%s "
		    "unanswered", sa->unanswered, sa->unanswered == 1 ? "" : "s");
	else
		snprintf(c->outcome, sizeof(c->outcome), "not established");
	sd_ike_notes_done(e);
}

static void
on_certificate(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_tls_certificate *c = ev->u.msg.certificate;
	struct rpt_run *u = cur(r);
	struct rpt_chain *ch;
	uint32_t i;

	if (u == NULL || c->kept == 0)
		return;
	if (u->nchains >= RPT_MAX_KEPT_CHAINS ||
	    !sd_grow((void **)&u->chains, &u->chains_cap, u->nchains, sizeof(*u->chains),
	    SIZE_MAX / sizeof(*u->chains))) {
		r->certs_lost += c->kept;
		return;
	}
	ch = &u->chains[u->nchains];
	memset(ch, 0, sizeof(*ch));
	ch->flow_id = ev->flow_id;
	ch->frame = ev->frame;
	ch->sec = ev->ts_sec;
	ch->nsec = ev->ts_nsec;
	ch->server = ev->src;
	ch->sport = ev->sport;
	ch->count = c->count;
	for (i = 0; i < c->kept && ch->n < sizeof(ch->der) / sizeof(ch->der[0]); i++) {
		if (r->cert_bytes + c->der[i].len > RPT_MAX_CERT_BYTES ||
		    (ch->der[ch->n] = malloc(c->der[i].len + 1)) == NULL) {
			r->certs_lost++;
			continue;
		}
		memcpy(ch->der[ch->n], c->der[i].p, c->der[i].len);
		ch->len[ch->n++] = c->der[i].len;
		r->cert_bytes += c->der[i].len;
	}
	if (ch->n > 0)
		u->nchains++;
}

static void
on_alert(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;
	const char *n = sd_tls_alert_name(a->description);

	if (a->encrypted)
		(void)msg_add(r, ev, ev->flow_id, RPT_RED, "Alert (encrypted)");
	else
		(void)msg_add(r, ev, ev->flow_id, a->level == 2 ? RPT_RED : 0, "Alert %s%s",
		    a->level == 2 ? "fatal " : "", n != NULL ? n : "unknown");
}

static void
on_ike(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_ike_msg *m = ev->u.msg.ike;
	const char *x = sd_ike_exchange_name(m->version, m->exchange);
	char notes[48] = "";
	size_t i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type > 0 && m->notify[i].type < 16384) {
			const char *nn = sd_ike_notify_name(m->version, m->notify[i].type);

			if (nn != NULL)
				snprintf(notes, sizeof(notes), " %s", nn);
			else
				snprintf(notes, sizeof(notes), " error notify %u", m->notify[i].type);
			break;
		}
	(void)msg_add(r, ev, ev->flow_id, (notes[0] ? RPT_RED : 0) |
	    (m->retransmits > 0 ? RPT_RETX : 0), "%s %s%s%s", x != NULL ? x : "IKE",
	    m->response ? "response" : (m->version == 2 ? "request" : "message"), notes,
	    m->retransmits > 0 ? " (retransmission)" : "");
}

/* The end of a flow: a SYN arrow and its TCP retransmissions, which have no event of their own. */
static void
on_flow(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_ev_flow *f = &ev->u.flow;
	struct rpt_msg *m;
	int role;

	if (f->syn_seen && (m = msg_add(r, ev, ev->flow_id, 0, "SYN")) != NULL) {
		m->frame = f->first_frame;
		m->sec = f->first_sec;
		m->nsec = f->first_nsec;
	}
	for (role = 0; role < 2; role++) {
		if (f->retx_first_frame[role] == 0)
			continue;
		m = msg_add(r, ev, ev->flow_id, RPT_RETX, "TCP retransmission (%llu by the %s)",
		    (unsigned long long)f->retransmits[role], role == 0 ? "client" : "server");
		if (m == NULL)
			continue;
		m->frame = f->retx_first_frame[role];
		m->has_ts = false;
		if (role == SD_ROLE_SERVER) {
			m->src = ev->dst;
			m->sport = ev->dport;
		}
	}
}

/* The SYN retransmissions never answered: one arrow at the last SYN, after the first. */
static void
on_unanswered(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_ev_tcp_unanswered *un = &ev->u.unanswered;
	struct rpt_msg *m;
	double t;

	m = msg_add(r, ev, ev->flow_id, RPT_RED | (un->syns > 1 ? RPT_RETX : 0),
	    "%u SYN%s, never answered", un->syns, un->syns == 1 ? "" : "s (retransmitted)");
	if (m == NULL || un->last_frame == 0)
		return;
	m->frame = un->last_frame;
	t = (double)m->nsec / 1e9 + un->duration;
	m->sec += (int64_t)t;
	m->nsec = (uint32_t)((t - (double)(int64_t)t) * 1e9);
}

/*
 * An HTTP CONNECT: the request from the client and, when answered, the status line from
 * the proxy.  The event comes with the answer (source: the proxy); unanswered, with the
 * client's request.
 */
static void
on_connect(struct sd_report *r, const struct sd_event *ev)
{
	const struct sd_http_connect *c = ev->u.msg.connect;
	bool answered = c->answered_frame != 0;
	struct rpt_msg *m;

	if ((m = msg_add(r, ev, ev->flow_id, answered ? 0 : RPT_RED, "HTTP CONNECT%s",
	    answered ? "" : ", never answered")) != NULL && answered) {
		m->frame = c->request_frame;
		m->sec = c->request_sec;
		m->nsec = c->request_nsec;
		m->src = ev->dst;
		m->sport = ev->dport;
	}
	if (answered && (m = msg_add(r, ev, ev->flow_id, c->status >= 300 ? RPT_RED : 0,
	    "HTTP %d", c->status)) != NULL) {
		m->frame = c->answered_frame;
		m->sec = c->answered_sec;
		m->nsec = c->answered_nsec;
	}
}

void
sd_report_event(void *ctx, const struct sd_event *ev)
{
	struct sd_report *r = ctx;
	const union sd_ev_msg *u = &ev->u.msg;
	struct rpt_msg *m;

	sd_ike_notes_event(r->ike, ev);
	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		(void)msg_add(r, ev, ev->flow_id, u->client_hello->retransmit ? RPT_RETX : 0,
		    "ClientHello%s%s", u->client_hello->retransmit ? " (retransmission)" : "",
		    u->client_hello->fault.what != NULL ? " (malformed)" : "");
		break;
	case SD_EV_TLS_SERVER_HELLO:
		(void)msg_add(r, ev, ev->flow_id, u->server_hello->retransmit ? RPT_RETX : 0,
		    "%s%s%s", u->server_hello->hello_retry ? "HelloRetryRequest" : "ServerHello",
		    u->server_hello->retransmit ? " (retransmission)" : "",
		    u->server_hello->fault.what != NULL ? " (malformed)" : "");
		break;
	case SD_EV_TLS_CERTIFICATE:
		(void)msg_add(r, ev, ev->flow_id, 0, "Certificate (%u%s)",
		    (unsigned)u->certificate->count,
		    u->certificate->fault.what != NULL ? ", malformed" : "");
		on_certificate(r, ev);
		break;
	case SD_EV_TLS_ALERT:
		on_alert(r, ev);
		break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		(void)msg_add(r, ev, ev->flow_id, 0, "HelloVerifyRequest");
		break;
	case SD_EV_TLS_CERTIFICATE_REQUEST:
		(void)msg_add(r, ev, ev->flow_id, 0, "CertificateRequest");
		break;
	case SD_EV_TLS_SERVER_KEY_EXCHANGE:
		(void)msg_add(r, ev, ev->flow_id, 0, "ServerKeyExchange");
		break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		(void)msg_add(r, ev, ev->flow_id, 0, "encrypted handshake");
		break;
	case SD_EV_TLS_SESSION:
		on_session(r, ev);
		break;
	case SD_EV_HTTP_CONNECT:
		on_connect(r, ev);
		break;
	case SD_EV_IKE:
		on_ike(r, ev);
		break;
	case SD_EV_IKE_SA:
		on_ike_sa(r, ev);
		break;
	case SD_EV_TCP_UNANSWERED:
		on_unanswered(r, ev);
		break;
	case SD_EV_TCP_RESET:
		if ((m = msg_add(r, ev, ev->flow_id, RPT_RED, "RST (TTL %u)",
		    ev->u.reset.ttl)) != NULL && ev->u.reset.answers_syn)
			snprintf(m->label, sizeof(m->label), "RST answering the SYN");
		break;
	case SD_EV_ICMP_ERROR:
		(void)msg_add(r, ev, ev->u.icmp.flow_id, RPT_RED, "ICMP%s error type %u code %u",
		    ev->u.icmp.icmp_v6 ? "v6" : "", ev->u.icmp.itype, ev->u.icmp.icode);
		break;
	case SD_EV_FLOW:
		on_flow(r, ev);
		break;
	default:
		break;
	}
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

void
sd_report_end(struct sd_report *r, struct sd_findings *l, const struct sd_out_summary *sum)
{
	struct rpt_run *u = cur(r);
	int k;

	if (u == NULL)
		return;
	r->files = sum->files;
	r->nfiles = sum->nfiles;
	/* the findings move: their outputs are done with them, the report writes them last */
	u->findings = *l;
	u->findings.nouts = 0;
	memset(l, 0, sizeof(*l));
	u->inputs = calloc((size_t)(sum->ninputs > 0 ? sum->ninputs : 1), sizeof(*u->inputs));
	if (u->inputs != NULL) {
		u->ninputs = sum->ninputs;
		for (k = 0; k < sum->ninputs; k++) {
			const struct sd_out_input *in = &sum->inputs[k];
			struct rpt_input *o = &u->inputs[k];

			o->name = dup_or_null(in->name);
			o->error = dup_or_null(in->error);
			o->frames = in->frames;
			o->first_sec = in->first_sec;
			o->first_nsec = in->first_nsec;
			o->last_sec = in->last_sec;
			o->last_nsec = in->last_nsec;
			snprintf(o->linktype, sizeof(o->linktype), "%s",
			    in->linktype != NULL ? in->linktype : "");
		}
	}
	u->frames = sum->frames;
	u->flows = sum->flows;
	u->events = sum->events;
	u->undecoded_link = sum->undecoded_link;
	u->undecoded_truncated = sum->undecoded_truncated;
	u->undecoded_malformed = sum->undecoded_malformed;
	u->lost = sum->flows_evicted + sum->memcap_refused + sum->rule_flows_refused +
	    sum->rule_evicted + sum->rule_refused + sum->findings_dropped +
	    sum->alloc_failures + sum->json_dropped;
	snprintf(u->clock, sizeof(u->clock), "%s", sum->clock);
}

bool
sd_report_write(struct sd_report *r)
{
	const struct rpt_fmt *fmt = r->fmt == SD_REPORT_HTML ? &sd_report_html : &sd_report_md;
	char *tmp;
	size_t n = strlen(r->path) + 8;
	FILE *f;
	bool ok;

	/* written beside, then renamed: a reader never sees half a report */
	if ((tmp = malloc(n)) == NULL)
		return false;
	snprintf(tmp, n, "%s.tmp", r->path);
	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "shakedown: --report %s: cannot write it\n", r->path);
		free(tmp);
		return false;
	}
	(void)sd_report_index(r);
	sd_report_content(r, fmt, f);
	ok = !ferror(f);
	ok = fclose(f) == 0 && ok;
	if (ok && rename(tmp, r->path) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "shakedown: --report %s: write error\n", r->path);
		(void)remove(tmp);
	}
	free(tmp);
	return ok;
}
