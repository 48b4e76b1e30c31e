/* analyze/rules_malformed.c - a malformed ClientHello, ServerHello or Certificate and what
 * its peer did about it: the peer's decode_error names the sender's bug, with the field. */
#include "analyze/rules.h"
#include "analyze/tls_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ip.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

/* Per flow: the first malformed message, until its peer's reaction decides the finding. */
struct mflow {
	bool		 pending;	/* a malformed message waits for its peer's reaction */
	bool		 done;		/* one finding per connection */
	enum sd_kind	 kind;
	const char	*what;		/* sd_tls_fault.what (a static string) */
	char		 detail[160];
	char		 sni[SD_TLS_SNI_MAX];
	struct sd_addr	 sender;	/* who sent the malformed message */
	uint16_t	 sport;
	bool		 sender_is_client;
	uint64_t	 frame;
	int64_t		 sec;
	uint32_t	 nsec;
	uint32_t	 file_index;
	struct sd_event	 first;		/* the message's event (addresses, flow), no payload */
};

/*
 * Per connection: the ClientHello's sender, kept for every TLS connection; the fault
 * record (1 KiB) only for a connection that sent a malformed message.
 */
struct mconn {
	bool		 have_client;	/* the ClientHello's sender, to tell a Certificate's */
	struct sd_addr	 client;
	uint16_t	 cport;
	struct mflow	*m;		/* NULL until a malformed message */
};

struct malf_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	uint64_t		 flows_refused;
};

static const char *
msg_name(enum sd_kind k)
{
	switch (k) {
	case SD_K_MALF_CLIENT_HELLO: return "ClientHello";
	case SD_K_MALF_SERVER_HELLO: return "ServerHello";
	default: return "Certificate";
	}
}

static bool
addr_eq(const struct sd_addr *a, const struct sd_addr *b)
{
	return a->v == b->v && memcmp(a->a, b->a, a->v == 4 ? 4 : 16) == 0;
}

static bool
from_sender(const struct mflow *m, const struct sd_event *ev)
{
	return addr_eq(&ev->src, &m->sender) && ev->sport == m->sport;
}

/*
 * The finding, decided by the peer's reaction: `answer` says what it was, `frame` shows it
 * (0: none), sev follows the outcome (the peer refused it, went on, or said nothing).
 */
static void
decide(struct malf_rules *t, struct mflow *m, const char *answer, uint64_t frame,
    enum sd_sev sev, const char *outcome)
{
	const char *who = m->sender_is_client ? "client" : "server";
	const char *peer = m->sender_is_client ? "server" : "client";
	char server[SD_ADDR_STRLEN + 8], a[SD_ADDR_STRLEN];
	const struct sd_addr *sa = m->sender_is_client ? &m->first.dst : &m->first.src;
	uint16_t sp = m->sender_is_client ? m->first.dport : m->first.sport;
	struct sd_finding *f;
	char group[SD_ADDR_STRLEN + 64];

	m->pending = false;
	m->done = true;
	sd_ip_addr_str(sa, a);
	snprintf(server, sizeof(server), sa->v == 6 ? "[%s]:%u" : "%s:%u", a, sp);
	/* one finding per server, message and fault: the same bug on every connection */
	snprintf(group, sizeof(group), "%s|%s", server, m->what);
	f = sd_finding_add(t->out, m->kind, group, m->sec, m->nsec, m->file_index);
	if (f == NULL)
		return;
	sd_rule_note_flow(f, &m->first, m->sender_is_client);
	sd_finding_frame(f, m->frame);
	if (frame != 0)
		sd_finding_frame(f, frame);
	if (f->count > 1 && sev <= f->severity)
		return;
	/* the first connection, or a later one whose peer refused what an earlier let pass */
	sd_finding_severity(f, sev);
	sd_finding_value(f, "server", "%s", server);
	if (m->sni[0] != '\0')
		sd_finding_value(f, "server_name", "%s", m->sni);
	sd_finding_value(f, "sender", "%s", who);
	sd_finding_value(f, "malformed", "%s", m->what);
	sd_finding_value(f, "detail", "%s", m->detail);
	sd_finding_value(f, "answer", "%s", answer);
	sd_finding_value(f, "outcome", "%s", outcome);
	sd_finding_summary(f, "%s: the %s's %s is malformed (%s); the %s %s", server, who,
	    msg_name(m->kind), m->detail, peer, answer);
}

static void
on_malformed(struct malf_rules *t, const struct sd_event *ev, enum sd_kind kind,
    const struct sd_tls_fault *fault, bool sender_is_client)
{
	const struct sd_tls_client_hello *ch;
	struct mconn *c;
	struct mflow *m;

	if (ev->flow_id == 0)
		return;
	c = sd_rule_flow(t->env, ev, sizeof(*c), true, &t->flows_refused);
	if (c == NULL)
		return;
	if (c->m == NULL &&
	    (c->m = sd_memcap_calloc(t->env->mc, sizeof(*c->m))) == NULL) {
		t->flows_refused++;
		return;
	}
	m = c->m;
	if (m->done || m->pending)
		return;
	m->pending = true;
	m->kind = kind;
	m->what = fault->what;
	(void)sd_tls_fault_text(fault, m->detail, sizeof(m->detail));
	m->sender = ev->src;
	m->sport = ev->sport;
	m->sender_is_client = sender_is_client;
	m->frame = ev->frame;
	m->sec = ev->ts_sec;
	m->nsec = ev->ts_nsec;
	m->file_index = ev->file_index;
	m->first = *ev;
	memset(&m->first.u, 0, sizeof(m->first.u));
	m->first.store = NULL;
	if (kind == SD_K_MALF_CLIENT_HELLO && (ch = ev->u.msg.client_hello) != NULL &&
	    sd_tls_sni_keepable(ch)) {
		memcpy(m->sni, ch->sni.p, ch->sni.len);
		m->sni[ch->sni.len] = '\0';
	}
}

/* A message of the peer after the malformed one: refused (alert), or went on. */
static void
on_peer(struct malf_rules *t, struct mflow *m, const struct sd_event *ev)
{
	const struct sd_tls_alert *al;
	const char *name;
	char answer[160];

	switch (ev->type) {
	case SD_EV_TLS_ALERT:
		if ((al = ev->u.msg.alert) == NULL)
			return;
		if (al->encrypted) {
			decide(t, m, "answered with an encrypted alert", ev->frame, SD_SEV_HIGH,
			    "refused");
			return;
		}
		name = sd_tls_alert_name(al->description);
		snprintf(answer, sizeof(answer), "answered with a %s alert: %s (%u)",
		    al->level == 2 ? "fatal" : "warning", name != NULL ? name : "unknown",
		    (unsigned)al->description);
		decide(t, m, answer, ev->frame, al->level == 2 ? SD_SEV_HIGH : SD_SEV_MEDIUM,
		    "refused");
		return;
	case SD_EV_TCP_RESET:
		decide(t, m, "reset the connection", ev->frame, SD_SEV_HIGH, "refused");
		return;
	case SD_EV_TLS_SERVER_HELLO:
	case SD_EV_TLS_CERTIFICATE:
	case SD_EV_TLS_SERVER_KEY_EXCHANGE:
	case SD_EV_TLS_CERTIFICATE_REQUEST:
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		/* a lenient peer: the connection went on despite the malformed message */
		snprintf(answer, sizeof(answer), "went on with the handshake (%s)",
		    ev->type == SD_EV_TLS_SERVER_HELLO ? "ServerHello" :
		    ev->type == SD_EV_TLS_CERTIFICATE ? "Certificate" :
		    ev->type == SD_EV_TLS_ENCRYPTED_HANDSHAKE ? "encrypted handshake" :
		    "next handshake message");
		decide(t, m, answer, ev->frame, SD_SEV_LOW, "accepted");
		return;
	default:
		return;
	}
}

static bool
malformed_of(const struct sd_event *ev, const struct sd_tls_fault **f, enum sd_kind *k)
{
	const union sd_ev_msg *u = &ev->u.msg;

	if (ev->type == SD_EV_TLS_CLIENT_HELLO && u->client_hello != NULL &&
	    !u->client_hello->retransmit) {
		*f = &u->client_hello->fault;
		*k = SD_K_MALF_CLIENT_HELLO;
	} else if (ev->type == SD_EV_TLS_SERVER_HELLO && u->server_hello != NULL &&
	    !u->server_hello->retransmit) {
		*f = &u->server_hello->fault;
		*k = SD_K_MALF_SERVER_HELLO;
	} else if (ev->type == SD_EV_TLS_CERTIFICATE && u->certificate != NULL &&
	    !u->certificate->retransmit) {
		*f = &u->certificate->fault;
		*k = SD_K_MALF_CERTIFICATE;
	} else
		return false;
	return (*f)->what != NULL;
}

static void
malf_event(void *ctx, const struct sd_event *ev)
{
	struct malf_rules *t = ctx;
	const struct sd_tls_fault *fault;
	enum sd_kind kind;
	struct mconn *c;
	struct mflow *m;
	bool client;

	if (ev->type == SD_EV_TLS_CLIENT_HELLO && ev->flow_id != 0 &&
	    (c = sd_rule_flow(t->env, ev, sizeof(*c), true, &t->flows_refused)) != NULL &&
	    !c->have_client) {
		c->have_client = true;
		c->client = ev->src;
		c->cport = ev->sport;
	}
	if (malformed_of(ev, &fault, &kind)) {
		/* a Certificate is the server's unless the ClientHello came from its sender */
		c = sd_rule_flow(t->env, ev, sizeof(*c), false, NULL);
		client = kind == SD_K_MALF_CLIENT_HELLO || (kind == SD_K_MALF_CERTIFICATE &&
		    c != NULL && c->have_client && addr_eq(&c->client, &ev->src) &&
		    c->cport == ev->sport);
		on_malformed(t, ev, kind, fault, client);
		return;
	}
	if (ev->flow_id == 0 || (c = sd_rule_flow(t->env, ev, sizeof(*c), false, NULL)) == NULL ||
	    (m = c->m) == NULL || !m->pending)
		return;
	if (ev->type == SD_EV_FLOW) {
		/* the capture may just have missed the rest: nothing says the hello failed */
		decide(t, m, "was not seen to answer (nothing from it followed in the capture)",
		    0, SD_SEV_LOW, "unanswered");
		return;
	}
	if (!from_sender(m, ev))
		on_peer(t, m, ev);
}

static void
malf_finish(void *ctx)
{
	(void)ctx;	/* every pending flow is decided by its flow record */
}

static void *
malf_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct malf_rules *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		snprintf(err, errlen, "malformed rules: out of memory");
		return NULL;
	}
	t->env = env;
	t->out = env->out;
	return t;
}

static void
malf_flow_free(void *ctx, void *state)
{
	struct malf_rules *t = ctx;
	struct mconn *c = state;

	if (c != NULL)
		sd_memcap_free(t->env->mc, c->m, sizeof(*c->m));
	sd_rule_flow_release(t->env, state, sizeof(struct mconn));
}

static void
malf_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct malf_rules *t = ctx;

	st->flows_refused += t->flows_refused;
}

const struct sd_rule_area sd_rules_malformed = {
	"malformed", malf_new, malf_event, malf_finish, free, malf_flow_free, malf_stats, NULL,
	true,
};
