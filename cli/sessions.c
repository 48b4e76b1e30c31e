/* cli/sessions.c - --sessions: one JSON line per TLS/DTLS connection (at its tls.session
 * record) and per IKE SA (at its ike.sa record).  Each connection's facts are gathered
 * from its events in a flow slot; the outcome is the one the rules read
 * (analyze/outcome.c), so a session line never contradicts a finding. */
#include "cli/sessions.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/outcome.h"
#include "analyze/tls_text.h"
#include "analyze/x509.h"
#include "cli/ike_notes.h"
#include "cli/ev_tls.h"
#include "cli/json.h"
#include "cli/out.h"
#include "dissect/ip.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"
#include "engine/ipsec_types.h"

#define MAX_VERSIONS	8
#define MAX_CIPHERS	64	/* offered suites kept by name; ciphers_offered_count has all */
#define MAX_SANS	8
#define NAME_MAX_LEN	256	/* subject / issuer kept */
#define ALPN_MAX	64

struct tls_sess {
	struct sd_outcome_conn oc;
	bool		 have_ch;
	uint64_t	 ch_frame;
	int64_t		 ch_sec;
	uint32_t	 ch_nsec;
	char		 ja3[33], ja4[40], ja3s[33];
	uint16_t	 versions[MAX_VERSIONS];
	size_t		 nversions;
	uint16_t	 ciphers[MAX_CIPHERS];
	size_t		 nciphers, nciphers_total;
	uint8_t		 alpn_offered[ALPN_MAX];	/* ProtocolNameList body, cut at a name */
	size_t		 alpn_offered_len;
	char		 alpn[ALPN_MAX];
	size_t		 alpn_len;
	bool		 have_alpn;
	/* the server's certificate chain as sent: the leaf's facts and the chain length */
	bool		 have_cert;
	uint32_t	 chain_len;
	bool		 leaf_parsed;
	char		 sha256[65];
	char		 subject[NAME_MAX_LEN], issuer[NAME_MAX_LEN];
	char		 not_before[21], not_after[21];
	char		 key_type[16];
	int		 key_bits;
	char		 sans[MAX_SANS][NAME_MAX_LEN];
	size_t		 nsans, nsans_total;
	bool		 written;
};

struct sd_sessions {
	struct sd_memcap	*mc;
	int			 slot;
	const char *const	*files;
	int			 nfiles;
	sd_sessions_out_fn	*out;
	void			*ctx;
	struct sd_json		 j;
	struct sd_x509_cache	*certs;
	struct sd_ike_notes	*ike;
	uint64_t		 written, refused;
};

static void
slot_free(void *ctx, void *data)
{
	struct sd_sessions *s = ctx;

	sd_memcap_free(s->mc, data, sizeof(struct tls_sess));
}

struct sd_sessions *
sd_sessions_new(struct sd_store_reg *reg, struct sd_memcap *mc, const char *const *files,
    int nfiles, sd_sessions_out_fn *out, void *ctx, char *err, size_t errlen)
{
	struct sd_sessions *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->ike = sd_ike_notes_new()) == NULL ||
	    (s->certs = sd_x509_cache_new(256)) == NULL) {
		snprintf(err, errlen, "out of memory");
		sd_sessions_free(s);
		return NULL;
	}
	s->mc = mc;
	s->files = files;
	s->nfiles = nfiles;
	s->out = out;
	s->ctx = ctx;
	sd_out_json_init(&s->j);
	if ((s->slot = sd_store_register(reg, slot_free, s)) < 0) {
		snprintf(err, errlen, "no flow storage slot left for --sessions");
		sd_sessions_free(s);
		return NULL;
	}
	return s;
}

void
sd_sessions_free(struct sd_sessions *s)
{
	if (s == NULL)
		return;
	sd_out_json_free(&s->j);
	sd_x509_cache_free(s->certs);
	sd_ike_notes_free(s->ike);
	free(s);
}

void
sd_sessions_counts(const struct sd_sessions *s, uint64_t *written, uint64_t *refused)
{
	*written = s != NULL ? s->written : 0;
	*refused = s != NULL ? s->refused : 0;
}

/* ---- writing ---- */

static void
line_begin(struct sd_sessions *s, const char *protocol, int64_t sec, uint32_t nsec,
    uint64_t frame, uint32_t file_index)
{
	struct sd_json *j = &s->j;

	sd_out_json_reset(j);
	sd_out_json_obj_begin(j, NULL);
	sd_out_json_str(j, "type", "session");
	sd_out_json_str(j, "protocol", protocol);
	sd_out_json_iso(j, "@timestamp", sec, nsec);
	sd_out_json_ts(j, "ts", sec, nsec);
	sd_out_json_uint(j, "frame", sd_frame_no(frame));
	if (s->nfiles > 1 && file_index < (uint32_t)s->nfiles)
		sd_out_json_str(j, "file", s->files[file_index]);
	sd_out_observer(j);
	sd_out_json_str(j, "event.kind", "event");
	sd_out_json_str(j, "event.category", "network");
	sd_out_json_str(j, "event.dataset", "shakedown.sessions");
}

/* client/server (initiator/responder) with ECS source/destination and their peers. */
static void
endpoints(struct sd_json *j, const char *a_key, const struct sd_addr *a, uint16_t aport,
    const char *b_key, const struct sd_addr *b, uint16_t bport)
{
	char buf[SD_ADDR_STRLEN], key[32];

	sd_out_json_str(j, a_key, sd_ip_addr_str(a, buf));
	snprintf(key, sizeof(key), "%s_port", a_key);
	sd_out_json_uint(j, key, aport);
	sd_out_json_str(j, b_key, sd_ip_addr_str(b, buf));
	snprintf(key, sizeof(key), "%s_port", b_key);
	sd_out_json_uint(j, key, bport);
	sd_out_json_str(j, "source.ip", sd_ip_addr_str(a, buf));
	sd_out_json_uint(j, "source.port", aport);
	sd_out_json_str(j, "destination.ip", sd_ip_addr_str(b, buf));
	sd_out_json_uint(j, "destination.port", bport);
	sd_out_geo_json(j, "source", a);
	sd_out_geo_json(j, "destination", b);
}

static void
line_end(struct sd_sessions *s)
{
	sd_out_json_obj_end(&s->j);
	if (!s->j.failed) {
		s->out(s->ctx, s->j.buf, s->j.len);
		s->written++;
	}
	sd_out_json_reset(&s->j);	/* counts a failed line */
}

static void
cipher_value(struct sd_json *j, const char *key, uint16_t v)
{
	char buf[8];
	const char *name = sd_tls_cipher_name(v);

	if (name == NULL) {
		snprintf(buf, sizeof(buf), "0x%04x", v);
		name = buf;
	}
	sd_out_json_str(j, key, name);
}

static void
tls_certificate(struct sd_json *j, const struct tls_sess *t)
{
	size_t i;

	if (!t->have_cert) {
		sd_out_json_null(j, "certificate");
		return;
	}
	sd_out_json_obj_begin(j, "certificate");
	sd_out_json_uint(j, "chain_length", t->chain_len);
	sd_out_json_str(j, "sha256", t->sha256);
	sd_out_json_bool(j, "parsed", t->leaf_parsed);
	if (t->leaf_parsed) {
		sd_out_json_str(j, "subject", t->subject);
		sd_out_json_str(j, "issuer", t->issuer);
		sd_out_json_str_or_null(j, "not_before", t->not_before);
		sd_out_json_str_or_null(j, "not_after", t->not_after);
		sd_out_json_str_or_null(j, "key_type", t->key_type);
		sd_out_json_int(j, "key_bits", t->key_bits);
		sd_out_json_arr_begin(j, "san_dns");
		for (i = 0; i < t->nsans; i++)
			sd_out_json_str(j, NULL, t->sans[i]);
		sd_out_json_arr_end(j);
		sd_out_json_uint(j, "san_dns_count", t->nsans_total);
	}
	sd_out_json_obj_end(j);
}

/* The rules' reading of the connection; before a ServerHello it cannot have one. */
static void
tls_outcome(struct sd_json *j, const struct tls_sess *t, const struct sd_tls_session *ss)
{
	char what[160];
	uint64_t frame = 0;
	enum sd_outcome o;
	const char *name;

	what[0] = '\0';
	o = sd_outcome_judge(&t->oc, what, sizeof(what), &frame);
	if (o != SD_OUTCOME_UNKNOWN)
		name = sd_outcome_name(o);
	else if (ss->handshake_complete)
		name = sd_outcome_name(SD_OUTCOME_ACCEPTED);
	else if (!ss->has_server_hello)
		name = "no_server_hello";
	else
		name = sd_outcome_name(o);
	sd_out_json_str(j, "outcome", name);
	sd_out_json_str_or_null(j, "outcome_reason", what);
	sd_out_json_uint_opt(j, "outcome_frame", frame != 0, sd_frame_no(frame));
	sd_out_json_str(j, "event.outcome", strcmp(name, "accepted") == 0 ? "success" :
	    strcmp(name, "unknown") == 0 ? "unknown" : "failure");
}

static void
tls_write(struct sd_sessions *s, const struct sd_event *ev, struct tls_sess *t)
{
	const struct sd_tls_session *ss = ev->u.msg.session;
	struct sd_json *j = &s->j;
	char vbuf[24];
	size_t i;

	line_begin(s, ss->dtls ? "dtls" : "tls", t->have_ch ? t->ch_sec : ev->ts_sec,
	    t->have_ch ? t->ch_nsec : ev->ts_nsec, t->have_ch ? t->ch_frame : ev->frame,
	    ev->file_index);
	sd_out_json_str(j, "transport", sd_ip_proto_name(ev->transport));
	endpoints(j, "client", &ev->src, ev->sport, "server", &ev->dst, ev->dport);
	sd_out_sgt_json(j, &ev->tags);
	if (ss->has_sni)
		sd_out_json_strn(j, "sni", ss->sni, ss->sni_len);
	else
		sd_out_json_null(j, "sni");
	sd_out_json_arr_begin(j, "versions_offered");
	for (i = 0; i < t->nversions; i++)
		sd_out_json_str(j, NULL, sd_tls_version_text(t->versions[i], vbuf, sizeof(vbuf)));
	sd_out_json_arr_end(j);
	sd_out_json_str(j, "version", ss->has_server_hello ?
	    sd_tls_version_text(ss->version, vbuf, sizeof(vbuf)) : NULL);
	sd_out_json_arr_begin(j, "ciphers_offered");
	for (i = 0; i < t->nciphers; i++)
		cipher_value(j, NULL, t->ciphers[i]);
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "ciphers_offered_count", t->nciphers_total);
	if (ss->has_server_hello)
		cipher_value(j, "cipher", ss->cipher);
	else
		sd_out_json_null(j, "cipher");
	sd_out_ev_alpn_list(j, "alpn_offered", sd_rd_make(t->alpn_offered, t->alpn_offered_len));
	if (t->have_alpn)
		sd_out_json_strn(j, "alpn", t->alpn, t->alpn_len);
	else
		sd_out_json_null(j, "alpn");
	sd_out_json_str_or_null(j, "ja3", t->ja3);
	sd_out_json_str_or_null(j, "ja4", t->ja4);
	sd_out_json_str_or_null(j, "ja3s", t->ja3s);
	tls_certificate(j, t);
	sd_out_json_bool(j, "encrypted_handshake", ss->encrypted_handshake);
	if (sd_tls_resumed_name(ss->resumed) != NULL)
		sd_out_json_str(j, "resumed", sd_tls_resumed_name(ss->resumed));
	else
		sd_out_json_bool(j, "resumed", false);
	sd_out_json_bool(j, "handshake_complete", ss->handshake_complete);
	sd_out_json_bool(j, "client_cert_requested", ss->client_cert_requested);
	sd_out_json_bool(j, "client_cert_sent", ss->client_cert_sent);
	sd_out_json_arr_begin(j, "alerts");
	for (i = 0; i < ss->nalerts && i < SD_TLS_SESSION_ALERTS; i++) {
		const struct sd_tls_session_alert *a = &ss->alerts[i];

		sd_out_json_obj_begin(j, NULL);
		sd_out_json_str(j, "sender", a->sender == SD_ROLE_CLIENT ? "client" : "server");
		if (a->encrypted)
			sd_out_json_null(j, "description");
		else
			sd_out_json_str(j, "description", sd_tls_alert_name(a->description));
		sd_out_json_uint(j, "frame", sd_frame_no(a->frame));
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	if (t->oc.reset) {
		sd_out_json_obj_begin(j, "reset");
		sd_out_json_str(j, "sender", t->oc.reset_sender == SD_ROLE_CLIENT ? "client" :
		    "server");
		sd_out_json_uint(j, "frame", sd_frame_no(t->oc.reset_frame));
		sd_out_json_obj_end(j);
	} else {
		sd_out_json_null(j, "reset");
	}
	sd_out_json_obj_begin(j, "app_data");
	sd_out_json_uint(j, "client", ss->app_data[0]);
	sd_out_json_uint(j, "server", ss->app_data[1]);
	sd_out_json_obj_end(j);
	/* bytes the capture missed per side (holes the peer acknowledged): only when any */
	if (ev->capture_holes[0] + ev->capture_holes[1] > 0) {
		sd_out_json_obj_begin(j, "capture_holes");
		sd_out_json_uint(j, "client", ev->capture_holes[0]);
		sd_out_json_uint(j, "server", ev->capture_holes[1]);
		sd_out_json_obj_end(j);
		sd_out_json_obj_begin(j, "capture_missed_bytes");
		sd_out_json_uint(j, "client", ev->capture_missed[0]);
		sd_out_json_uint(j, "server", ev->capture_missed[1]);
		sd_out_json_obj_end(j);
	}
	sd_out_json_uint_opt(j, "server_hello_frame", ss->server_hello_frame != 0,
	    sd_frame_no(ss->server_hello_frame));
	sd_out_json_uint(j, "last_frame", sd_frame_no(ev->frame));
	tls_outcome(j, t, ss);
	/* ECS tls.* */
	if (ss->has_server_hello) {
		sd_out_ecs_tls_version(j, sd_tls_version_text(ss->version, vbuf, sizeof(vbuf)));
		sd_out_json_str_or_null(j, "tls.cipher", sd_tls_cipher_name(ss->cipher));
	}
	if (ss->has_sni)
		sd_out_json_strn(j, "tls.client.server_name", ss->sni, ss->sni_len);
	sd_out_json_str_or_null(j, "tls.client.ja3", t->ja3);
	sd_out_json_str_or_null(j, "tls.server.ja3s", t->ja3s);
	sd_out_json_bool(j, "tls.established", ss->handshake_complete);
	line_end(s);
}

/* ---- gathering a TLS/DTLS connection's facts ---- */

static void
copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static void
on_client_hello(struct tls_sess *t, const struct sd_event *ev,
    const struct sd_tls_client_hello *ch)
{
	struct sd_rd r;
	uint16_t v;
	size_t n;

	if (t->have_ch || ch->retransmit)
		return;
	t->have_ch = true;
	t->ch_frame = ev->frame;
	t->ch_sec = ev->ts_sec;
	t->ch_nsec = ev->ts_nsec;
	sd_tls_hello_fingerprints(ch, t->ja3, t->ja4);
	if (ch->has_supported_versions)
		t->nversions = sd_tls_u16_list(ch->supported_versions, t->versions, MAX_VERSIONS,
		    true);
	else {
		t->versions[0] = ch->legacy_version;
		t->nversions = 1;
	}
	if (ch->cipher_width == 2) {
		r = ch->ciphers;
		while (sd_rd_be16(&r, &v)) {
			if (sd_tls_is_grease(v))
				continue;
			if (t->nciphers < MAX_CIPHERS)
				t->ciphers[t->nciphers++] = v;
			t->nciphers_total++;
		}
	}
	/* whole names only */
	r = ch->alpn;
	n = 0;
	while (n < r.len && n + 1 + r.p[n] <= r.len && n + 1 + r.p[n] <= ALPN_MAX)
		n += 1 + (size_t)r.p[n];
	if (n > 0)
		memcpy(t->alpn_offered, r.p, n);
	t->alpn_offered_len = n;
}

static void
on_server_hello(struct tls_sess *t, const struct sd_tls_server_hello *sh)
{
	if (sh->hello_retry || sh->retransmit)
		return;
	sd_tls_server_fingerprint(sh, t->ja3s);
	t->have_alpn = sh->has_alpn;
	t->alpn_len = sh->has_alpn ? (sh->alpn.len < ALPN_MAX ? sh->alpn.len : ALPN_MAX) : 0;
	if (t->alpn_len > 0)
		memcpy(t->alpn, sh->alpn.p, t->alpn_len);
}

static void
on_certificate(struct sd_sessions *s, struct tls_sess *t, const struct sd_event *ev,
    const struct sd_tls_certificate *c)
{
	const struct sd_x509_info *x;
	size_t i;

	/* the server's first chain (a client certificate goes the other way) */
	if (t->have_cert || c->kept == 0 || (t->oc.have_client &&
	    sd_ip_addr_cmp(&ev->src, &t->oc.client) == 0 && ev->sport == t->oc.cport))
		return;
	t->have_cert = true;
	t->chain_len = c->count;
	if ((x = sd_x509_cached(s->certs, c->der[0].p, c->der[0].len)) == NULL)
		return;
	copy_str(t->sha256, sizeof(t->sha256), x->sha256);
	t->leaf_parsed = x->parsed;
	copy_str(t->subject, sizeof(t->subject), x->subject);
	copy_str(t->issuer, sizeof(t->issuer), x->issuer);
	copy_str(t->not_before, sizeof(t->not_before), x->not_before);
	copy_str(t->not_after, sizeof(t->not_after), x->not_after);
	copy_str(t->key_type, sizeof(t->key_type), x->key_type);
	t->key_bits = x->key_bits;
	t->nsans_total = x->san_dns.n;
	for (i = 0; i < x->san_dns.n && i < MAX_SANS; i++)
		copy_str(t->sans[i], sizeof(t->sans[0]), x->san_dns.v[i].p);
	t->nsans = i;
}

static bool
tls_event(enum sd_ev_type type)
{
	switch (type) {
	case SD_EV_TLS_CLIENT_HELLO:
	case SD_EV_TLS_SERVER_HELLO:
	case SD_EV_TLS_CERTIFICATE:
	case SD_EV_TLS_ALERT:
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
	case SD_EV_TLS_SESSION:
		return true;
	default:
		return false;
	}
}

static void
tls_flow_event(struct sd_sessions *s, const struct sd_event *ev)
{
	struct tls_sess *t;
	void **slot;

	if (ev->store == NULL)
		return;
	slot = &ev->store->slot[s->slot];
	t = *slot;
	if (t == NULL) {
		/* a connection starts with TLS; a reset or a flow record alone is not one */
		if (!tls_event(ev->type))
			return;
		if ((t = sd_memcap_calloc(s->mc, sizeof(*t))) == NULL) {
			s->refused++;
			return;
		}
		*slot = t;
	}
	if (t->written)
		return;
	sd_outcome_event(&t->oc, ev);
	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		if (ev->u.msg.client_hello != NULL)
			on_client_hello(t, ev, ev->u.msg.client_hello);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		if (ev->u.msg.server_hello != NULL)
			on_server_hello(t, ev->u.msg.server_hello);
		break;
	case SD_EV_TLS_CERTIFICATE:
		if (ev->u.msg.certificate != NULL)
			on_certificate(s, t, ev, ev->u.msg.certificate);
		break;
	case SD_EV_TLS_SESSION:
		if (ev->u.msg.session != NULL) {
			tls_write(s, ev, t);
			t->written = true;
		}
		break;
	default:
		break;
	}
}

/* ---- IKE SAs ---- */

static void
ike_write(struct sd_sessions *s, const struct sd_event *ev, const struct sd_ike_sa *sa)
{
	struct sd_ike_note *e = sd_ike_notes_get(s->ike, sa->version, sa->ispi);
	struct sd_json *j = &s->j;
	const char *outcome, *err = NULL;
	char why[160], num[8];

	line_begin(s, "ike", sa->first_sec, sa->first_nsec, sa->first_frame, ev->file_index);
	sd_out_json_str(j, "transport", sd_ip_proto_name(ev->transport));
	endpoints(j, "initiator", &sa->initiator, sa->initiator_port, "responder",
	    &sa->responder, sa->responder_port);
	sd_out_json_uint(j, "version", sa->version);
	sd_out_json_hex(j, "ispi", sa->ispi, 8);
	sd_out_json_hex(j, "rspi", sa->rspi, 8);
	sd_out_json_str_or_null(j, "offered", e != NULL ? e->offered : NULL);
	sd_out_json_str_or_null(j, "chosen", e != NULL ? e->chosen : NULL);
	err = sd_ike_note_error(e, num);
	sd_out_json_str(j, "error", err);
	sd_out_json_uint_opt(j, "error_frame", err != NULL, err != NULL ?
	    sd_frame_no(e->error_frame) : 0);
	sd_out_json_bool(j, "established", sa->established);
	sd_out_json_str(j, "established_by", sa->established_by);
	sd_out_json_uint_opt(j, "init_frame", sa->init_frame != 0, sd_frame_no(sa->init_frame));
	sd_out_json_uint_opt(j, "auth_frame", sa->auth_frame != 0, sd_frame_no(sa->auth_frame));
	sd_out_json_uint(j, "exchanges", sa->exchanges);
	sd_out_json_uint(j, "unanswered", sa->unanswered);
	sd_out_json_uint(j, "rekeys", sa->nrekeys_total);
	sd_out_json_obj_begin(j, "dpd");
	sd_out_json_uint(j, "requests", sa->dpd_requests);
	sd_out_json_uint(j, "answered", sa->dpd_answered);
	sd_out_json_obj_end(j);
	sd_out_json_uint_opt(j, "deleted_frame", sa->deleted_frame != 0,
	    sd_frame_no(sa->deleted_frame));
	sd_out_json_double(j, "duration_s", (double)(sa->last_sec - sa->first_sec) +
	    ((double)sa->last_nsec - (double)sa->first_nsec) / 1e9, 3);
	sd_out_json_uint(j, "last_frame", sd_frame_no(sa->last_frame));
	sd_out_json_str(j, "end", sa->end);
	why[0] = '\0';
	if (sa->established) {
		outcome = "established";
	} else if (err != NULL) {
		outcome = "failed";
		snprintf(why, sizeof(why), "%s in the response, frame %" PRIu64, err,
		    sd_frame_no(e->error_frame));
	} else if (sa->exchanges > 0 && sa->unanswered == sa->exchanges) {
		outcome = "unanswered";
		snprintf(why, sizeof(why), "no exchange was answered");
	} else {
		outcome = "not_established";
		if (sa->auth_frame != 0)
			snprintf(why, sizeof(why), "IKE_AUTH sent (frame %" PRIu64 "), then nothing "
			    "used the SA (the answer is encrypted)", sd_frame_no(sa->auth_frame));
	}
	sd_out_json_str(j, "outcome", outcome);
	sd_out_json_str_or_null(j, "outcome_reason", why);
	sd_out_json_str(j, "event.outcome", sa->established ? "success" : "failure");
	line_end(s);
	sd_ike_notes_done(e);
}

void
sd_sessions_event(struct sd_sessions *s, const struct sd_event *ev)
{
	if (s == NULL)
		return;
	switch (ev->type) {
	case SD_EV_IKE:
	case SD_EV_IKE_EXCHANGE:
		sd_ike_notes_event(s->ike, ev);
		return;
	case SD_EV_IKE_SA:
		if (ev->u.msg.ike_sa != NULL)
			ike_write(s, ev, ev->u.msg.ike_sa);
		return;
	default:
		tls_flow_event(s, ev);
		return;
	}
}
