/* analyze/rules_tls.c - negotiation rules: alerts, no shared cipher or version, HRR loops, client certificates (RFC 8446, 5246, 6347). */
#include "analyze/rules.h"

#include "analyze/tls_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/table.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

/*
 * Per-flow handshake state lives in the flow's storage (freed with the flow): what each
 * side said last and what the client offered.  Across flows, bounded tables charged to
 * the memory cap (dissect/table.h): the suite each server chose, the sessions full
 * handshakes created, the no_shared_cipher findings completed at the end.
 */
#define MAX_OFFER	128	/* cipher suites / versions / groups kept per ClientHello */
#define SERVERS_MAX	65536	/* servers whose chosen suite is remembered */
#define PENDING_MAX	65536	/* no_shared_cipher findings completed at the end */
#define SESSIONS_MAX	65536	/* full handshakes' session ids remembered */

/*
 * Per connection, from its ClientHello.  The offered lists and the SNI live in the tail of
 * the same allocation, sized to the ClientHello (a typical one needs 100-200 bytes where
 * three lists of MAX_OFFER took 768): a busy link holds thousands of these.
 */
struct nflow {
	size_t		 size;		/* of the allocation, tail included */
	bool		 dtls;
	struct sd_addr	 client;
	uint16_t	 cport;
	const char	*sni;		/* "" when absent */
	uint64_t	 ch_frame;
	uint64_t	 hvr_frame, cookie_frame;	/* DTLS: HelloVerifyRequest, hello with cookie */
	uint16_t	*ciphers;	/* in the tail, as the counts below */
	size_t		 nciphers;
	uint16_t	*versions;	/* supported_versions, or legacy_version (room for 1 at least) */
	size_t		 nversions;
	uint16_t	*groups;
	size_t		 ngroups;
	bool		 resumption;	/* a session id offered (resumption attempt) */
	uint8_t		 sid[32];	/* the session id offered */
	uint8_t		 sid_len;
	unsigned	 hrr;
	uint64_t	 hrr_frame;
	uint16_t	 hrr_group;	/* the group the HelloRetryRequest asked for */
	uint16_t	 shares[2][8];	/* key share groups of the first and second ClientHello */
	size_t		 nshares[2];
	uint64_t	 ch2_frame;
	bool		 sh_seen;
	uint16_t	 sh_version;
	uint64_t	 sh_frame;
	bool		 server_cert;
	bool		 cert_request;
	bool		 client_empty_cert;
	uint64_t	 client_cert_frame;
	uint64_t	 client_enc_frame;	/* TLS 1.3: the client's first protected flight */
	const char	*last_msg[2];	/* last message each role sent, by name */
	uint64_t	 last_frame[2];
	bool		 done;		/* a finding was made for this flow */
	bool		 keylog;	/* TLS 1.3 messages read with a key log */
	uint16_t	 tail[];	/* ciphers, versions, groups, then the SNI's bytes */
};

/* Keyed by "addr:port" or the SNI. */
struct server_choice {
	uint16_t	 cipher;
};

/* A session a ServerHello created (full handshake), to explain a failed resumption;
 * keyed by the session id. */
struct session_memo {
	uint16_t	 cipher;
	uint16_t	 version;
	uint64_t	 frame;		/* the ServerHello */
};

/* Keyed by the finding's address. */
struct pending {
	struct sd_finding	*f;
	char			 key[2][300];
};

struct tls_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*servers;	/* struct server_choice */
	struct sd_tab		*pending;	/* struct pending */
	struct sd_tab		*sessions;	/* struct session_memo */
	uint64_t		 flows_refused;
};

static bool	version_offered(const struct nflow *, uint16_t);

static void *
tls_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct tls_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	if (t == NULL) {
		snprintf(err, errlen, "tls rules: out of memory");
		return NULL;
	}
	t->env = env;
	t->out = env->out;
	memset(&o, 0, sizeof(o));
	o.mc = env->mc;
	o.val_size = sizeof(struct server_choice);
	o.max = SERVERS_MAX;
	t->servers = sd_tab_new(&o);
	o.val_size = sizeof(struct pending);
	o.max = PENDING_MAX;
	t->pending = sd_tab_new(&o);
	o.val_size = sizeof(struct session_memo);
	o.max = SESSIONS_MAX;
	t->sessions = sd_tab_new(&o);
	if (t->servers == NULL || t->pending == NULL || t->sessions == NULL) {
		snprintf(err, errlen, "tls rules: out of memory");
		sd_tab_free(t->servers);
		sd_tab_free(t->pending);
		sd_tab_free(t->sessions);
		free(t);
		return NULL;
	}
	return t;
}

static void
tls_free(void *ctx)
{
	struct tls_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->servers);
	sd_tab_free(t->pending);
	sd_tab_free(t->sessions);
	free(t);
}

static void
tls_flow_free(void *ctx, void *state)
{
	struct tls_rules *t = ctx;

	sd_rule_flow_release(t->env, state, ((struct nflow *)state)->size);
}

static void
tls_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct tls_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->servers) + sd_tab_evicted(t->pending) +
	    sd_tab_evicted(t->sessions);
	st->refused += sd_tab_refused(t->servers) + sd_tab_refused(t->pending) +
	    sd_tab_refused(t->sessions);
}

static struct nflow *
flow_get(struct tls_rules *t, const struct sd_event *ev)
{
	return sd_rule_flow(t->env, ev, 0, false, NULL);
}

/* u16 entries of a list of 2-byte values (a length-prefixed one counts its prefix too). */
static size_t
u16_room(struct sd_rd r)
{
	size_t n = sd_rd_left(&r) / 2;

	return n < MAX_OFFER ? n : MAX_OFFER;
}

/*
 * A new handshake's state, in place of any earlier one: room for nc ciphers, nv versions
 * (at least 1), ng groups and an SNI of sni_len bytes.  NULL when memory is refused.
 */
static struct nflow *
flow_new(struct tls_rules *t, const struct sd_event *ev, size_t nc, size_t nv, size_t ng,
    size_t sni_len)
{
	struct nflow *fl = flow_get(t, ev);
	size_t size;
	char *sni;

	if (fl != NULL)
		sd_rule_flow_drop(t->env, ev, fl->size);
	if (nv == 0)
		nv = 1;
	size = sizeof(*fl) + (nc + nv + ng) * sizeof(uint16_t) + sni_len + 1;
	if ((fl = sd_rule_flow(t->env, ev, size, true, &t->flows_refused)) == NULL)
		return NULL;
	fl->size = size;
	fl->ciphers = fl->tail;
	fl->versions = fl->ciphers + nc;
	fl->groups = fl->versions + nv;
	sni = (char *)(fl->groups + ng);
	sni[0] = '\0';
	fl->sni = sni;
	return fl;
}

/* The role of the event's sender: SD_ROLE_CLIENT when it comes from the ClientHello's side. */
static int
role(const struct nflow *fl, const struct sd_event *ev)
{
	return sd_ip_addr_cmp(&ev->src, &fl->client) == 0 && ev->sport == fl->cport ?
	    SD_ROLE_CLIENT : SD_ROLE_SERVER;
}

static void
server_keys(const struct nflow *fl, const struct sd_event *ev, bool from_server,
    char k[2][300])
{
	char a[SD_ADDR_STRLEN];

	const struct sd_addr *sa = from_server ? &ev->src : &ev->dst;

	sd_ip_addr_str(sa, a);
	snprintf(k[0], 300, sa->v == 6 ? "[%s]:%u" : "%s:%u", a,
	    from_server ? ev->sport : ev->dport);
	snprintf(k[1], 300, "%s", fl->sni);
}

/* The first suite a server (by address or name) chose on a successful hello. */
static void
remember_choice(struct tls_rules *t, const char *key, uint16_t cipher)
{
	struct server_choice *c;
	bool created;

	if (key[0] == '\0')
		return;
	c = sd_tab_get(t->servers, key, strlen(key), true, &created);
	if (c != NULL && created)
		c->cipher = cipher;
}

static struct sd_finding *
add(struct tls_rules *t, struct nflow *fl, enum sd_kind kind, const char *group,
    const struct sd_event *ev)
{
	struct sd_finding *f = sd_finding_add(t->out, kind, group, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);

	fl->done = true;
	if (f != NULL)
		sd_rule_note_flow(f, ev, role(fl, ev) == SD_ROLE_CLIENT);
	if (f != NULL && fl->keylog)
		sd_finding_value(f, "keylog", "decrypted with the key log (TLS 1.3 handshake "
		    "read)");
	return f;
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/*
 * DTLS says DTLS: the version, who sent the alert, and the cookie exchange before it
 * (RFC 6347 §4.2.1), as values and frames (in the order sent), the summary prefixed.
 * Called once the rule has written its summary.
 */
static void
dtls_note(struct nflow *fl, struct sd_finding *f, const struct sd_event *ev)
{
	char b[16], hv[128];
	const char *v, *s;
	size_t len;

	if (!fl->dtls || f == NULL)
		return;
	v = sd_tls_version_text(fl->sh_seen ? fl->sh_version : fl->versions[0], b, sizeof(b));
	if (f->count == 1) {
		sd_finding_value(f, "protocol", "%s", v);
		sd_finding_value(f, "sender", "%s", role(fl, ev) == SD_ROLE_CLIENT ? "client" :
		    "server");
		if (fl->hvr_frame != 0) {
			snprintf(hv, sizeof(hv), "ClientHello %llu, HelloVerifyRequest %llu",
			    (unsigned long long)sd_frame_no(fl->ch_frame),
			    (unsigned long long)sd_frame_no(fl->hvr_frame));
			if (fl->cookie_frame != 0)
				snprintf(hv + strlen(hv), sizeof(hv) - strlen(hv), ", ClientHello "
				    "with the cookie %llu",
				    (unsigned long long)sd_frame_no(fl->cookie_frame));
			sd_finding_value(f, "hello_verify", "%s", hv);
		}
	}
	if (fl->hvr_frame != 0) {
		sd_finding_frame(f, fl->ch_frame);
		sd_finding_frame(f, fl->hvr_frame);
		if (fl->cookie_frame != 0)
			sd_finding_frame(f, fl->cookie_frame);
	}
	s = f->summary;
	if (s == NULL || strncmp(s, "DTLS", 4) == 0)
		return;
	len = strlen(s);
	if (fl->hvr_frame != 0 && len > 0 && s[len - 1] == ')')
		sd_finding_summary(f, "%s: %.*s; the %s's alert came after a HelloVerifyRequest "
		    "exchange)", v, (int)(len - 1), s, role(fl, ev) == SD_ROLE_CLIENT ? "client" :
		    "server");
	else
		sd_finding_summary(f, "%s: %s", v, s);
}

static void
rule_no_shared_cipher(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev,
    const char *alert)
{
	char k[2][300], g[400], list[1024];
	struct sd_finding *f;
	struct pending *p;

	server_keys(fl, ev, true, k);
	snprintf(g, sizeof(g), "%s", k[0]);
	if ((f = add(t, fl, SD_K_TLS_NO_SHARED_CIPHER, g, ev)) == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.8;	/* the alert does not say which parameter failed */
		sd_tls_join(list, sizeof(list), fl->ciphers, fl->nciphers, sd_tls_cipher_name);
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
		sd_finding_value(f, "alert", "%s", alert);
		sd_finding_value(f, "offered_ciphers", "%s", list);
		sd_tls_join(list, sizeof(list), fl->versions, fl->nversions, sd_tls_version_name);
		sd_finding_value(f, "offered_versions", "%s", list);
		if ((p = sd_tab_get(t->pending, &f, sizeof(f), true, NULL)) != NULL) {
			p->f = f;
			memcpy(p->key, k, sizeof(p->key));
		}
	}
	sd_finding_summary(f, "%s refused the handshake (%s): none of the %zu cipher suites the "
	    "client offered is enabled on the server (%llu connection%s)", k[0], alert,
	    fl->nciphers, (unsigned long long)f->count, plural(f->count));
	dtls_note(fl, f, ev);
	sd_finding_frame(f, fl->ch_frame);
	sd_finding_frame(f, ev->frame);
}

static void
rule_no_shared_group(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev,
    const char *alert)
{
	char k[2][300], list[1024];
	struct sd_finding *f;

	server_keys(fl, ev, true, k);
	if ((f = add(t, fl, SD_K_TLS_NO_SHARED_GROUP, k[0], ev)) == NULL)
		return;
	if (f->count == 1) {
		/* TLS 1.3 servers must implement TLS_AES_128_GCM_SHA256, offered here */
		f->confidence = 0.7;
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
		sd_finding_value(f, "alert", "%s", alert);
		sd_tls_join(list, sizeof(list), fl->groups, fl->ngroups, sd_tls_group_name);
		sd_finding_value(f, "offered_groups", "%s", list);
		sd_tls_join(list, sizeof(list), fl->ciphers, fl->nciphers, sd_tls_cipher_name);
		sd_finding_value(f, "offered_ciphers", "%s", list);
	}
	sd_finding_summary(f, "%s refused a TLS 1.3-only ClientHello (%s): no key exchange "
	    "group in common (%llu connection%s)", k[0], alert, (unsigned long long)f->count,
	    plural(f->count));
	dtls_note(fl, f, ev);
	sd_finding_frame(f, fl->ch_frame);
	sd_finding_frame(f, ev->frame);
}

static void
rule_no_shared_version(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev,
    const char *how, uint16_t chosen)
{
	char k[2][300], list[256], b[8];
	struct sd_finding *f;

	server_keys(fl, ev, role(fl, ev) == SD_ROLE_SERVER, k);
	if ((f = add(t, fl, SD_K_TLS_NO_SHARED_VERSION, k[0], ev)) == NULL)
		return;
	sd_tls_join(list, sizeof(list), fl->versions, fl->nversions, sd_tls_version_name);
	if (f->count == 1) {
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
		sd_finding_value(f, "offered_versions", "%s", list);
		sd_finding_value(f, "evidence", "%s", how);
		if (chosen != 0)
			sd_finding_value(f, "server_version", "%s", sd_tls_version_text(chosen, b,
			    sizeof(b)));
	}
	sd_finding_summary(f, "%s and the client have no protocol version in common: client "
	    "offered %s, %s (%llu connection%s)", k[0], list, how, (unsigned long long)f->count,
	    plural(f->count));
	dtls_note(fl, f, ev);
	sd_finding_frame(f, fl->ch_frame);
	if (fl->sh_seen && fl->sh_frame != ev->frame)
		sd_finding_frame(f, fl->sh_frame);
	sd_finding_frame(f, ev->frame);
}

static void
rule_hrr(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev, const char *what)
{
	char k[2][300], list[1024], why[1400];
	const char *gn = sd_tls_group_name(fl->hrr_group);
	struct sd_finding *f;

	server_keys(fl, ev, role(fl, ev) == SD_ROLE_SERVER, k);
	if ((f = add(t, fl, SD_K_TLS_HELLO_RETRY_LOOP, k[0], ev)) == NULL)
		return;
	if (fl->hrr_group != 0 && fl->ch2_frame != 0 &&
	    !sd_tls_offered(fl->shares[1], fl->nshares[1], fl->hrr_group)) {
		/* RFC 8446 §4.1.2: the second hello must carry a share for the group asked */
		sd_tls_join(list, sizeof(list), fl->shares[1], fl->nshares[1], sd_tls_group_name);
		snprintf(why, sizeof(why), "%s; the second ClientHello has no key share for %s, "
		    "which the HelloRetryRequest asked for (it carries %s)", what,
		    gn != NULL ? gn : "that group", list[0] != '\0' ? list : "none");
		what = why;
	}
	if (f->count == 1) {
		sd_finding_value(f, "server", "%s", k[0]);
		sd_finding_value(f, "what", "%s", what);
		sd_tls_join(list, sizeof(list), fl->groups, fl->ngroups, sd_tls_group_name);
		sd_finding_value(f, "offered_groups", "%s", list);
		if (fl->hrr_group != 0) {
			if (gn != NULL)
				sd_finding_value(f, "requested_group", "%s", gn);
			else
				sd_finding_value(f, "requested_group", "0x%04x", fl->hrr_group);
		}
		sd_tls_join(list, sizeof(list), fl->shares[0], fl->nshares[0], sd_tls_group_name);
		sd_finding_value(f, "first_key_shares", "%s", list);
		if (fl->ch2_frame != 0) {
			sd_tls_join(list, sizeof(list), fl->shares[1], fl->nshares[1], sd_tls_group_name);
			sd_finding_value(f, "second_key_shares", "%s", list);
		}
	}
	sd_finding_summary(f, "%s: HelloRetryRequest did not lead to a handshake: %s (%llu "
	    "connection%s)", k[0], what, (unsigned long long)f->count, plural(f->count));
	/* in the order sent: hello, (first) HRR, second hello, second HRR or alert */
	sd_finding_frame(f, fl->ch_frame);
	if (fl->ch2_frame == 0 || fl->hrr_frame < fl->ch2_frame)
		sd_finding_frame(f, fl->hrr_frame);
	if (fl->ch2_frame != 0)
		sd_finding_frame(f, fl->ch2_frame);
	sd_finding_frame(f, ev->frame);
}

static void
rule_client_cert(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev,
    const char *alert)
{
	char k[2][300];
	struct sd_finding *f;

	server_keys(fl, ev, true, k);
	if ((f = add(t, fl, SD_K_TLS_CLIENT_CERTIFICATE_MISSING, k[0], ev)) == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.9;
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
		sd_finding_value(f, "client_certificate", "%s", "empty (no certificate sent)");
		sd_finding_value(f, "alert", "%s", alert);
	}
	sd_finding_summary(f, "%s requires a client certificate; the client sent none and the "
	    "server aborted with %s (%llu connection%s)", k[0], alert,
	    (unsigned long long)f->count, plural(f->count));
	dtls_note(fl, f, ev);
	sd_finding_frame(f, fl->client_cert_frame);
	sd_finding_frame(f, ev->frame);
}

/*
 * TLS 1.3 hides the CertificateRequest, the client's empty Certificate and the server's
 * certificate_required alert.  What shows: the client's protected flight, then at once a
 * protected record of exactly an alert's size from the server, no application data from
 * the server, and the handshake never completes.  That is the picture of a refused
 * client certificate; a Finished that does not verify looks the same (rare).
 */
static void
rule_client_cert_13(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_session *s = ev->u.msg.session;
	const struct sd_tls_session_alert *a = NULL;
	struct sd_event at;
	char k[2][300], g[320];
	struct sd_finding *f;
	uint32_t i;

	if (s->version != 0x0304 || s->dtls || s->handshake_complete || s->app_data[1] != 0 ||
	    fl->client_enc_frame == 0 || fl->done)
		return;
	for (i = 0; i < s->nalerts && i < SD_TLS_SESSION_ALERTS; i++)
		if (s->alerts[i].sender == SD_ROLE_SERVER && s->alerts[i].encrypted &&
		    s->alerts[i].by_length && s->alerts[i].frame > fl->client_enc_frame) {
			a = &s->alerts[i];
			break;
		}
	if (a == NULL)
		return;
	/* the finding is about the alert: its frame, seen from the server */
	at = *ev;
	at.frame = a->frame;
	at.src = ev->dst;
	at.dst = ev->src;
	at.sport = ev->dport;
	at.dport = ev->sport;
	if (role(fl, &at) != SD_ROLE_SERVER)
		at = *ev;
	server_keys(fl, &at, role(fl, &at) == SD_ROLE_SERVER, k);
	/* apart from the TLS 1.2 ones: another confidence, other evidence */
	snprintf(g, sizeof(g), "%s|tls1.3", k[0]);
	if ((f = add(t, fl, SD_K_TLS_CLIENT_CERTIFICATE_MISSING, g, &at)) == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.5;
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
		sd_finding_value(f, "client_certificate", "%s", "not visible (TLS 1.3)");
		sd_finding_value(f, "alert", "%s", "encrypted, of an alert's size (likely "
		    "certificate_required (116))");
	}
	sd_finding_summary(f, "%s aborted the TLS 1.3 handshake right after the client's "
	    "encrypted flight, as servers do when a required client certificate is missing "
	    "(%llu connection%s)", k[0], (unsigned long long)f->count, plural(f->count));
	sd_finding_frame(f, fl->client_enc_frame);
	sd_finding_frame(f, a->frame);
}

static void
remember_session(struct tls_rules *t, const struct sd_tls_server_hello *sh, uint64_t frame)
{
	struct session_memo *m;

	if (sh->session_id.len == 0 || sh->session_id.len > 32)
		return;
	m = sd_tab_get(t->sessions, sh->session_id.p, sh->session_id.len, true, NULL);
	if (m == NULL)
		return;
	m->cipher = sh->cipher;
	m->version = sh->version;
	m->frame = frame;
}

static const struct session_memo *
find_session(const struct tls_rules *t, const struct nflow *fl)
{
	if (fl->sid_len == 0)
		return NULL;
	return sd_tab_get(t->sessions, fl->sid, fl->sid_len, false, NULL);
}

static void
rule_dtls_resumption(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev,
    const char *alert, int sender)
{
	char k[2][300];
	struct sd_finding *f;

	const struct session_memo *m = find_session(t, fl);
	const char *cn, *why = "";
	char b[8];

	server_keys(fl, ev, sender == SD_ROLE_SERVER, k);
	if ((f = add(t, fl, SD_K_TLS_DTLS_ALERT_AFTER_RESUMPTION, k[0], ev)) == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.7;
		sd_finding_value(f, "server", "%s", k[0]);
		sd_finding_value(f, "alert", "%s", alert);
		sd_finding_value(f, "sender", "%s", sender == SD_ROLE_CLIENT ? "client" : "server");
		sd_finding_value(f, "answered", "%s", fl->last_msg[!sender] != NULL ?
		    fl->last_msg[!sender] : "nothing");
	}
	if (m != NULL && f->count == 1) {
		/* the session was made in this capture: does the new hello still allow it? */
		cn = sd_tls_cipher_name(m->cipher);
		if (cn != NULL)
			sd_finding_value(f, "session_cipher", "%s", cn);
		else
			sd_finding_value(f, "session_cipher", "0x%04x", m->cipher);
		sd_finding_value(f, "session_version", "%s", sd_tls_version_text(m->version, b, sizeof(b)));
		sd_finding_value(f, "session_created_frame", "%llu", (unsigned long long)m->frame);
		if (fl->nciphers > 0 && !sd_tls_offered(fl->ciphers, fl->nciphers, m->cipher)) {
			why = ": the ClientHello no longer offers the session's cipher suite";
			f->confidence = 0.9;
			sd_finding_value(f, "cause", "session cipher not offered");
		} else if (!version_offered(fl, m->version)) {
			why = ": the ClientHello no longer offers the session's version";
			f->confidence = 0.9;
			sd_finding_value(f, "cause", "session version not offered");
		}
		sd_finding_frame(f, m->frame);
	}
	sd_finding_summary(f, "DTLS %s: fatal %s from the %s right after the client tried to "
	    "resume a session%s (%llu time%s)", k[0], alert,
	    sender == SD_ROLE_CLIENT ? "client" : "server", why, (unsigned long long)f->count,
	    plural(f->count));
	dtls_note(fl, f, ev);
	sd_finding_frame(f, fl->ch_frame);
	if (fl->last_frame[!sender] != 0)
		sd_finding_frame(f, fl->last_frame[!sender]);
	sd_finding_frame(f, ev->frame);
}

static void
rule_fatal(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev, const char *alert,
    uint8_t desc, int sender)
{
	char k[2][300], g[400];
	const char *ans = fl->last_msg[!sender] != NULL ? fl->last_msg[!sender] : "nothing";
	const char *who = sender == SD_ROLE_CLIENT ? "client" : "server";
	struct sd_finding *f;

	server_keys(fl, ev, sender == SD_ROLE_SERVER, k);
	snprintf(g, sizeof(g), "%s|%s|%u|%s", k[0], who, desc, ans);
	if ((f = add(t, fl, SD_K_TLS_FATAL_ALERT, g, ev)) == NULL)
		return;
	if (f->count == 1) {
		f->severity = sd_tls_alert_severity(desc);
		sd_finding_value(f, "alert", "%s", alert);
		sd_finding_value(f, "sender", "%s", who);
		sd_finding_value(f, "answered", "%s", ans);
		sd_finding_value(f, "server", "%s", k[0]);
		if (fl->sni[0] != '\0')
			sd_finding_value(f, "server_name", "%s", fl->sni);
	}
	sd_finding_summary(f, "the %s ended the connection to %s with a fatal %s alert after "
	    "the %s's %s (%llu time%s)", who, k[0], alert, sender == SD_ROLE_CLIENT ? "server" :
	    "client", ans, (unsigned long long)f->count, plural(f->count));
	dtls_note(fl, f, ev);
	if (fl->last_frame[!sender] != 0)
		sd_finding_frame(f, fl->last_frame[!sender]);
	sd_finding_frame(f, ev->frame);
}

static void
on_alert(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;
	int sender = role(fl, ev);
	char alert[64];
	const char *an;

	if (a->encrypted || fl->done)
		return;
	/* close_notify and user_canceled end connections normally; warnings are not fatal */
	if (a->description == 0 || a->description == 90 || a->level != 2)
		return;
	an = sd_tls_alert_name(a->description);
	snprintf(alert, sizeof(alert), "%s (%u)", an != NULL ? an : "unknown",
	    a->description);
	if (sender == SD_ROLE_SERVER && !fl->sh_seen && fl->hrr > 0 &&
	    (a->description == 40 || a->description == 47 || a->description == 71))
		rule_hrr(t, fl, ev, "the server failed the handshake after its HelloRetryRequest");
	else if (sender == SD_ROLE_SERVER && !fl->sh_seen && a->description == 70)
		rule_no_shared_version(t, fl, ev, "the server answered protocol_version", 0);
	else if (sender == SD_ROLE_SERVER && !fl->sh_seen &&
	    (a->description == 40 || a->description == 71)) {
		if (fl->nversions == 1 && fl->versions[0] == 0x0304 &&
		    sd_tls_offered(fl->ciphers, fl->nciphers, 0x1301))
			rule_no_shared_group(t, fl, ev, alert);
		else
			rule_no_shared_cipher(t, fl, ev, alert);
	} else if (sender == SD_ROLE_SERVER && fl->client_empty_cert &&
	    (a->description == 40 || a->description == 42 || a->description == 116))
		rule_client_cert(t, fl, ev, alert);
	else if (sender == SD_ROLE_CLIENT && sd_tls_cert_alert(a->description) &&
	    (fl->server_cert || (fl->sh_seen && sd_tls_is13(fl->sh_version))))
		fl->done = true;	/* rules_trust.c */
	else if (fl->dtls && fl->resumption && !fl->server_cert)
		rule_dtls_resumption(t, fl, ev, alert, sender);
	else
		rule_fatal(t, fl, ev, alert, a->description, sender);
}

static void
on_client_hello(struct tls_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;
	struct nflow *fl = flow_get(t, ev);
	size_t nc, nv, ng;
	bool sni_ok;

	if (ev->flow_id == 0 || ch->retransmit)
		return;
	if (fl != NULL && fl->hrr > 0) {
		/* the second ClientHello after a HelloRetryRequest: same connection */
		fl->last_msg[SD_ROLE_CLIENT] = "second ClientHello";
		fl->last_frame[SD_ROLE_CLIENT] = ev->frame;
		if (fl->ch2_frame == 0) {
			fl->ch2_frame = ev->frame;
			fl->nshares[1] = sd_tls_share_groups(ch->key_shares, fl->shares[1], 8);
		}
		return;
	}
	if (fl != NULL && ch->dtls && ch->cookie.len > 0) {
		/* DTLS ClientHello with the cookie: the same attempt */
		fl->last_frame[SD_ROLE_CLIENT] = ev->frame;
		if (fl->cookie_frame == 0 && fl->hvr_frame != 0)
			fl->cookie_frame = ev->frame;
		return;
	}
	/* a new handshake on this flow: its state made again, sized to this ClientHello */
	sni_ok = sd_tls_sni_keepable(ch);
	nc = ch->cipher_width == 2 ? u16_room(ch->ciphers) : 0;
	nv = ch->has_supported_versions ? u16_room(ch->supported_versions) : 0;
	ng = u16_room(ch->groups);
	if ((fl = flow_new(t, ev, nc, nv, ng, sni_ok ? ch->sni.len : 0)) == NULL)
		return;
	fl->dtls = ch->dtls;
	fl->client = ev->src;
	fl->cport = ev->sport;
	fl->ch_frame = ev->frame;
	if (sni_ok) {
		memcpy((char *)fl->sni, ch->sni.p, ch->sni.len);
		((char *)fl->sni)[ch->sni.len] = '\0';
	}
	if (nc > 0)
		fl->nciphers = sd_tls_u16_list(ch->ciphers, fl->ciphers, nc, true);
	if (nv > 0)
		fl->nversions = sd_tls_u16_list(ch->supported_versions, fl->versions, nv, true);
	if (fl->nversions == 0) {
		fl->versions[0] = ch->legacy_version;
		fl->nversions = 1;
	}
	fl->ngroups = sd_tls_u16_list(ch->groups, fl->groups, ng, true);
	fl->nshares[0] = sd_tls_share_groups(ch->key_shares, fl->shares[0], 8);
	fl->resumption = ch->session_id.len > 0;
	if (ch->session_id.len > 0 && ch->session_id.len <= sizeof(fl->sid)) {
		fl->sid_len = (uint8_t)ch->session_id.len;
		memcpy(fl->sid, ch->session_id.p, ch->session_id.len);
	}
	fl->last_msg[SD_ROLE_CLIENT] = "ClientHello";
	fl->last_frame[SD_ROLE_CLIENT] = ev->frame;
}

/* Did the client offer version v?  Without supported_versions: anything up to legacy. */
static bool
version_offered(const struct nflow *fl, uint16_t v)
{
	if (sd_tls_offered(fl->versions, fl->nversions, v))
		return true;
	if (fl->nversions != 1 || fl->dtls)
		return fl->dtls && fl->nversions == 1 && v >= fl->versions[0];	/* DTLS counts down */
	return v <= fl->versions[0];
}

static void
on_server_hello(struct tls_rules *t, struct nflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_server_hello *sh = ev->u.msg.server_hello;
	char k[2][300], how[96], b[8];
	size_t i;

	if (sh->retransmit)
		return;
	if (sh->hello_retry) {
		fl->hrr++;
		fl->hrr_frame = ev->frame;
		fl->hrr_group = sh->key_share_group;
		fl->last_msg[SD_ROLE_SERVER] = "HelloRetryRequest";
		fl->last_frame[SD_ROLE_SERVER] = ev->frame;
		if (fl->hrr == 2 && !fl->done)
			rule_hrr(t, fl, ev, "a second HelloRetryRequest on one connection");
		return;
	}
	if (sh->resumed == SD_TLS_RESUMED_NO)
		remember_session(t, sh, ev->frame);
	fl->sh_seen = true;
	fl->sh_version = sh->version;
	fl->sh_frame = ev->frame;
	fl->last_msg[SD_ROLE_SERVER] = "ServerHello";
	fl->last_frame[SD_ROLE_SERVER] = ev->frame;
	server_keys(fl, ev, true, k);
	for (i = 0; i < 2; i++)
		remember_choice(t, k[i], sh->cipher);
	if (!fl->done && !version_offered(fl, sh->version)) {
		snprintf(how, sizeof(how), "the server chose %s, which the client did not offer",
		    sd_tls_version_text(sh->version, b, sizeof(b)));
		rule_no_shared_version(t, fl, ev, how, sh->version);
	}
}

static void
tls_event(void *ctx, const struct sd_event *ev)
{
	struct tls_rules *t = ctx;
	const struct sd_tls_certificate *c;
	struct nflow *fl;
	int r;

	if (sd_rule_malformed(ev)) {
		/* rules_malformed.c judges the message and the alert that answers it */
		if ((fl = flow_get(t, ev)) != NULL)
			fl->done = true;
		return;
	}
	if (ev->type == SD_EV_TLS_CLIENT_HELLO) {
		if (ev->u.msg.client_hello != NULL)
			on_client_hello(t, ev);
		return;
	}
	if ((fl = flow_get(t, ev)) == NULL)
		return;
	r = role(fl, ev);
	if (sd_tls_ev_decrypted(ev))
		fl->keylog = true;
	switch (ev->type) {
	case SD_EV_TLS_SERVER_HELLO:
		if (ev->u.msg.server_hello != NULL && r == SD_ROLE_SERVER)
			on_server_hello(t, fl, ev);
		break;
	case SD_EV_TLS_CERTIFICATE:
		c = ev->u.msg.certificate;
		if (c == NULL || c->retransmit)
			break;
		if (r == SD_ROLE_SERVER) {
			fl->server_cert = true;
			fl->last_msg[r] = "Certificate";
		} else {
			fl->client_empty_cert = c->count == 0;
			fl->client_cert_frame = ev->frame;
			fl->last_msg[r] = c->count == 0 ? "empty Certificate" : "Certificate";
		}
		fl->last_frame[r] = ev->frame;
		break;
	case SD_EV_TLS_CERTIFICATE_REQUEST:
		fl->cert_request = true;
		fl->last_msg[r] = "CertificateRequest";
		fl->last_frame[r] = ev->frame;
		break;
	case SD_EV_TLS_ALERT:
		if (ev->u.msg.alert != NULL)
			on_alert(t, fl, ev);
		break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		if (ev->u.msg.hvr != NULL && !ev->u.msg.hvr->retransmit && fl->hvr_frame == 0 &&
		    r == SD_ROLE_SERVER) {
			fl->hvr_frame = ev->frame;
			fl->last_msg[r] = "HelloVerifyRequest";
			fl->last_frame[r] = ev->frame;
		}
		break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		if (r == SD_ROLE_CLIENT && fl->client_enc_frame == 0)
			fl->client_enc_frame = ev->frame;
		break;
	case SD_EV_TLS_SESSION:
		if (ev->u.msg.session != NULL)
			rule_client_cert_13(t, fl, ev);
		break;
	default:
		break;
	}
}

/* Name what the same server chose on its successful connections, wherever they came. */
static void
tls_finish(void *ctx)
{
	struct tls_rules *t = ctx;
	const struct server_choice *c;
	struct pending *p;
	const char *n;
	size_t j;

	for (p = sd_tab_first(t->pending); p != NULL; p = sd_tab_next(t->pending, p))
		for (j = 0; j < 2; j++) {
			c = sd_tab_get(t->servers, p->key[j], strlen(p->key[j]), false, NULL);
			if (c == NULL)
				continue;
			n = sd_tls_cipher_name(c->cipher);
			if (n != NULL)
				sd_finding_value(p->f, "server_chose_elsewhere", "%s", n);
			else
				sd_finding_value(p->f, "server_chose_elsewhere", "0x%04x",
				    c->cipher);
			break;
		}
}

const struct sd_rule_area sd_rules_tls = {
	"tls", tls_new, tls_event, tls_finish, tls_free, tls_flow_free, tls_stats, NULL,
	true,	/* to leave a malformed message and its alert to rules_malformed.c */
};
