/* analyze/outcome.c - what became of a TLS/DTLS connection after the server's flight. */
#include "analyze/outcome.h"

#include <stdio.h>
#include <string.h>

#include "analyze/finding.h"
#include "analyze/tls_text.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

static bool
from_client(const struct sd_outcome_conn *c, const struct sd_event *ev)
{
	return c->have_client && sd_ip_addr_cmp(&ev->src, &c->client) == 0 &&
	    ev->sport == c->cport;
}

static void
on_client_hello(struct sd_outcome_conn *c, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;

	if (ch == NULL || ch->retransmit)
		return;
	if (c->ch_frame == 0) {
		if (!c->have_client) {
			c->have_client = true;
			c->client = ev->src;
			c->cport = ev->sport;
		}
		c->dtls = ch->dtls;
		c->ch_frame = ev->frame;
	} else if (ch->dtls && ch->cookie.len > 0 && c->ch2_frame == 0 && c->hvr_frame != 0) {
		c->ch2_frame = ev->frame;	/* the same attempt, with the cookie */
	}
}

/* Close_notify and user_canceled end connections; warnings are not fatal. */
static void
on_alert(struct sd_outcome_conn *c, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;

	if (a == NULL || a->encrypted || a->level != 2 || a->description == 0 ||
	    a->description == 90 || c->alert)
		return;
	c->alert = true;
	c->alert_sender = from_client(c, ev) ? SD_ROLE_CLIENT : SD_ROLE_SERVER;
	c->alert_desc = a->description;
	c->alert_frame = ev->frame;
}

/* TLS 1.3 hides alerts: a protected record of an alert's exact size, first of its side
 * after the other side's protected flight, while the handshake never completes. */
static void
on_session(struct sd_outcome_conn *c, const struct sd_event *ev)
{
	const struct sd_tls_session *s = ev->u.msg.session;
	uint32_t i;

	if (s == NULL)
		return;
	c->ended = true;
	c->complete = s->handshake_complete;
	c->app_data[0] = s->app_data[0];
	c->app_data[1] = s->app_data[1];
	c->end_frame = ev->frame;
	c->end_sec = ev->ts_sec;
	if (s->version != 0 && c->version == 0)
		c->version = s->version;
	if (!sd_tls_is13(s->version) || s->handshake_complete)
		return;
	for (i = 0; i < s->nalerts && i < SD_TLS_SESSION_ALERTS; i++) {
		const struct sd_tls_session_alert *a = &s->alerts[i];

		if (!a->encrypted || !a->by_length)
			continue;
		if (a->sender == SD_ROLE_SERVER && s->app_data[1] == 0 &&
		    c->client_enc_frame != 0 && a->frame > c->client_enc_frame) {
			c->enc_alert_sender = SD_ROLE_SERVER;
			c->enc_alert_frame = a->frame;
			break;
		}
		if (a->sender == SD_ROLE_CLIENT && s->app_data[0] == 0 &&
		    a->frame > s->server_hello_frame) {
			c->enc_alert_sender = SD_ROLE_CLIENT;
			c->enc_alert_frame = a->frame;
			break;
		}
	}
}

/* The same reading of the flow record as tcp.mtu_blackhole's (analyze/rules_path.c). */
static void
on_flow(struct sd_outcome_conn *c, const struct sd_event *ev)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	int s = SD_ROLE_SERVER;

	c->flow_seen = true;
	c->client_fin = fr->fin_seen[SD_ROLE_CLIENT];
	c->undelivered = fr->big_retx[s] >= 2 && fr->seg_max[s] >= 512 &&
	    fr->seg_max_acked[s] + 40 < fr->seg_max[s] && fr->icmp_errors == 0;
}

void
sd_outcome_event(struct sd_outcome_conn *c, const struct sd_event *ev)
{
	const struct sd_tls_server_hello *sh;
	const struct sd_tls_certificate *cm;

	if (sd_tls_ev_decrypted(ev))
		c->keylog = true;
	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		on_client_hello(c, ev);
		break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		if (c->hvr_frame == 0 && ev->u.msg.hvr != NULL && !ev->u.msg.hvr->retransmit)
			c->hvr_frame = ev->frame;
		break;
	case SD_EV_TLS_SERVER_HELLO:
		sh = ev->u.msg.server_hello;
		if (sh != NULL && !sh->hello_retry && !sh->retransmit && !from_client(c, ev))
			c->version = sh->version;
		break;
	case SD_EV_TLS_CERTIFICATE:
		cm = ev->u.msg.certificate;
		if (cm != NULL && !cm->retransmit && c->cert_frame == 0 && c->have_client &&
		    !from_client(c, ev)) {
			c->cert_frame = ev->frame;
			c->cert_sec = ev->ts_sec;
		}
		break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		if (from_client(c, ev) && c->client_enc_frame == 0)
			c->client_enc_frame = ev->frame;
		break;
	case SD_EV_TLS_ALERT:
		on_alert(c, ev);
		break;
	case SD_EV_TCP_RESET:
		if (!c->reset) {
			c->reset = true;
			c->reset_sender = ev->u.reset.sender;
			c->reset_frame = ev->frame;
			c->reset_sec = ev->ts_sec;
		}
		break;
	case SD_EV_TLS_SESSION:
		on_session(c, ev);
		break;
	case SD_EV_FLOW:
		on_flow(c, ev);
		break;
	default:
		break;
	}
}

bool
sd_outcome_settled(const struct sd_outcome_conn *c)
{
	return (c->alert && c->alert_sender == SD_ROLE_CLIENT) || c->flow_seen;
}

static const char *
alert_name(uint8_t d)
{
	const char *n = sd_tls_alert_name(d);

	return n != NULL ? n : "unknown";
}

enum sd_outcome
sd_outcome_judge(const struct sd_outcome_conn *c, char *what, size_t n, uint64_t *frame)
{
	bool prompt;

	*frame = c->cert_frame;
	if (c->alert) {
		*frame = c->alert_frame;
		snprintf(what, n, "%s (%u) alert from the %s", alert_name(c->alert_desc),
		    c->alert_desc, c->alert_sender == SD_ROLE_CLIENT ? "client" : "server");
		return c->alert_sender == SD_ROLE_CLIENT ? SD_OUTCOME_REFUSED : SD_OUTCOME_FAILED;
	}
	if (c->complete) {
		snprintf(what, n, "handshake finished%s", c->app_data[0] > 0 &&
		    c->app_data[1] > 0 ? ", application data both ways" : "");
		return SD_OUTCOME_ACCEPTED;
	}
	if (c->enc_alert_frame != 0) {
		*frame = c->enc_alert_frame;
		snprintf(what, n, "a protected record of an alert's size from the %s (TLS 1.3: "
		    "inferred)", c->enc_alert_sender == SD_ROLE_CLIENT ? "client" : "server");
		return c->enc_alert_sender == SD_ROLE_CLIENT ? SD_OUTCOME_REFUSED :
		    SD_OUTCOME_FAILED;
	}
	if (c->flow_seen && c->undelivered) {
		snprintf(what, n, "the server's full-size segments were never acknowledged: its "
		    "flight did not reach the client");
		return SD_OUTCOME_UNDELIVERED;
	}
	if (c->reset) {
		*frame = c->reset_frame;
		prompt = c->cert_frame != 0 && c->reset_sec - c->cert_sec <= SD_OUTCOME_PROMPT_SEC;
		snprintf(what, n, "reset by the %s%s", c->reset_sender == SD_ROLE_CLIENT ?
		    "client" : "server", prompt || c->reset_sender != SD_ROLE_CLIENT ? "" :
		    " long after the server's flight");
		if (c->reset_sender != SD_ROLE_CLIENT)
			return SD_OUTCOME_FAILED;
		return prompt ? SD_OUTCOME_REFUSED : SD_OUTCOME_UNKNOWN;
	}
	if (c->flow_seen && c->client_fin && c->ended && c->cert_frame != 0 &&
	    c->app_data[0] == 0 && c->end_sec - c->cert_sec <= SD_OUTCOME_PROMPT_SEC) {
		*frame = c->end_frame;
		snprintf(what, n, "closed by the client without finishing the handshake");
		return SD_OUTCOME_REFUSED;
	}
	snprintf(what, n, "no alert, no finished handshake: the capture does not show the "
	    "client's reaction");
	return SD_OUTCOME_UNKNOWN;
}

const char *
sd_outcome_name(enum sd_outcome o)
{
	static const char *const names[SD_OUTCOME_N] = { "unknown", "accepted", "refused",
		"failed", "undelivered" };

	return (unsigned)o < SD_OUTCOME_N ? names[o] : "unknown";
}

const char *
sd_outcome_version(const struct sd_outcome_conn *c, char *buf, size_t n)
{
	if (c->version == 0) {
		snprintf(buf, n, "%s", "");
		return buf;
	}
	return sd_tls_version_text(c->version, buf, n);
}

void
sd_outcome_hvr_text(const struct sd_outcome_conn *c, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!c->dtls || c->hvr_frame == 0)
		return;
	snprintf(buf, n, "ClientHello %llu, HelloVerifyRequest %llu%s",
	    (unsigned long long)sd_frame_no(c->ch_frame),
	    (unsigned long long)sd_frame_no(c->hvr_frame),
	    c->ch2_frame != 0 ? ", ClientHello with the cookie " : "");
	if (c->ch2_frame != 0)
		snprintf(buf + strlen(buf), n - strlen(buf), "%llu",
		    (unsigned long long)sd_frame_no(c->ch2_frame));
}

void
sd_outcome_hvr_frames(const struct sd_outcome_conn *c, struct sd_finding *f)
{
	if (!c->dtls || c->hvr_frame == 0)
		return;
	sd_finding_frame(f, c->ch_frame);
	sd_finding_frame(f, c->hvr_frame);
	if (c->ch2_frame != 0)
		sd_finding_frame(f, c->ch2_frame);
}

/* ---------------------------------------------------------------- tallies */

void
sd_outcome_tally_add(struct sd_outcome_tally *t, enum sd_outcome o, const char *what,
    uint64_t frame, bool keylog)
{
	size_t i;

	if ((unsigned)o >= SD_OUTCOME_N)
		return;
	if (keylog)
		t->keylog++;
	if (t->n[o]++ == 0)
		snprintf(t->what[o], sizeof(t->what[o]), "%s", what);
	else if (strcmp(t->what[o], what) != 0)
		t->mixed[o] = true;
	for (i = 0; i < t->nframes[o]; i++)
		if (t->frames[o][i] == frame)
			return;
	if (frame != 0 && t->nframes[o] < SD_OUTCOME_FRAMES)
		t->frames[o][t->nframes[o]++] = frame;
}

static void
frames_text(const struct sd_outcome_tally *t, enum sd_outcome o, char *buf, size_t n)
{
	size_t i, len;

	buf[0] = '\0';
	if (t->nframes[o] == 0)
		return;
	snprintf(buf, n, "frame%s ", t->nframes[o] > 1 || t->n[o] > t->nframes[o] ? "s" : "");
	for (i = 0; i < t->nframes[o]; i++) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%llu", i ? ", " : "",
		    (unsigned long long)sd_frame_no(t->frames[o][i]));
	}
	if (t->n[o] > t->nframes[o]) {
		len = strlen(buf);
		snprintf(buf + len, n - len, ", ...");
	}
}

/* Refused first: what a reader looks for; then failed, unknown, accepted. */
static const enum sd_outcome order[] = { SD_OUTCOME_REFUSED, SD_OUTCOME_FAILED,
	SD_OUTCOME_UNKNOWN, SD_OUTCOME_ACCEPTED, SD_OUTCOME_UNDELIVERED };

void
sd_outcome_tally_values(const struct sd_outcome_tally *t, struct sd_finding *f)
{
	char fr[128];
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum sd_outcome o = order[i];

		if (t->n[o] == 0)
			continue;
		frames_text(t, o, fr, sizeof(fr));
		sd_finding_value(f, sd_outcome_name(o), "%llu connection%s (%s%s%s%s)",
		    (unsigned long long)t->n[o], t->n[o] == 1 ? "" : "s", t->what[o],
		    t->mixed[o] ? ", and others" : "", fr[0] != '\0' ? ", " : "", fr);
	}
	if (t->keylog > 0)
		sd_finding_value(f, "keylog", "%llu connection%s decrypted with the key log "
		    "(TLS 1.3 handshake read)", (unsigned long long)t->keylog,
		    t->keylog == 1 ? "" : "s");
}

void
sd_outcome_tally_text(const struct sd_outcome_tally *t, char *buf, size_t n)
{
	size_t i, len, k = 0, kinds = 0;

	buf[0] = '\0';
	for (i = 0; i < SD_OUTCOME_N; i++)
		kinds += t->n[i] > 0;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum sd_outcome o = order[i];

		if (t->n[o] == 0)
			continue;
		len = strlen(buf);
		if (kinds == 1) {
			snprintf(buf, n, "%llu connection%s, %s: %s%s%s", (unsigned long long)t->n[o],
			    t->n[o] == 1 ? "" : "s", o == SD_OUTCOME_UNKNOWN ? "outcome unknown" :
			    sd_outcome_name(o), t->what[o], t->mixed[o] ? ", and others" : "",
			    t->keylog > 0 ? "; from the key log" : "");
			return;
		}
		snprintf(buf + len, n - len, "%s%s on %llu%s", k ? ", " : "",
		    o == SD_OUTCOME_UNKNOWN ? "no visible outcome" : sd_outcome_name(o),
		    (unsigned long long)t->n[o], k == 0 ? (t->n[o] == 1 ? " connection" :
		    " connections") : "");
		k++;
	}
	if (t->keylog > 0) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "; from the key log");
	}
}

uint64_t
sd_outcome_tally_total(const struct sd_outcome_tally *t)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < SD_OUTCOME_N; i++)
		n += t->n[i];
	return n;
}
