/* analyze/rules_ike.c - IKE rules: unanswered or refused, NAT-T, NO_PROPOSAL_CHOSEN,
 * INVALID_KE, COOKIE, authentication failures, DPD, error notifies (the patterns across
 * IKE SAs are in rules_ikesa.c). */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/ike_names.h"
#include "dissect/ip.h"
#include "dissect/table.h"
#include "engine/ipsec_types.h"

/*
 * Most kinds need facts that arrive at different times: unanswered exchanges are written
 * at capture end (engine/ike_track.c), ESP SAs after the IKE SAs.  So the rules keep
 * summaries in bounded tables charged to the memory cap (dissect/table.h) and conclude in
 * finish(); an entry pushed out at the cap is counted (sd_rules_stats) and, for an
 * attempt, judged on what it showed before it goes.
 */
#define ATTEMPTS	65536	/* IKE_SA_INIT / phase 1 attempts, keyed by initiator SPI */
#define ICMPS		4096	/* ICMP errors quoting UDP 500/4500, by (address, port) */
#define OFFER_LEN	320
/*
 * An encrypted IKE_AUTH response holding only a notify: header 28, SK header 4, IV 8-16,
 * notify 8, padding and ICV 12-32; about 80 bytes (ike-auth-failed.pcap: 80).  A
 * successful response carries IDr, AUTH, SA and TS: 200 bytes and more.
 */
#define AUTH_FAILED_MAX	128

#define ADDR_EQ(x, y)	(sd_ip_addr_cmp((x), (y)) == 0)

/* Keyed by the initiator SPI. */
struct attempt {
	uint8_t		 version;
	uint8_t		 ispi[8];
	struct sd_addr	 init, resp;
	uint16_t	 iport, rport;
	uint64_t	 flow_id;	/* the flow of the first exchange */
	uint8_t		 proto;		/* its transport: UDP, or TCP (RFC 8229) */
	uint64_t	 req_frame;
	int64_t		 req_sec;
	uint32_t	 req_nsec;
	uint32_t	 file_index;
	uint16_t	 ke_group;	/* of the last request */
	char		 offer[OFFER_LEN];	/* transforms of the last request, by name */
	/* INVALID_KE_PAYLOAD */
	uint64_t	 ike_frame, ike_req_frame;
	uint16_t	 ke_asked, ke_offered;
	bool		 ke_pending, ke_retried_ok;
	uint64_t	 ke_ok_frame;
	/* COOKIE */
	uint64_t	 cookie_frame, cookie_req_frame;
	bool		 cookie_echoed;
	uint64_t	 cookie_echo_frame;
	/* IKE_AUTH response */
	uint64_t	 auth_resp_frame;
	uint32_t	 auth_resp_len;
	bool		 answered_on_4500;
	/* last retransmission seen, for the evidence of an unanswered exchange */
	uint32_t	 retx_mid;
	uint8_t		 retx_exchange;
	uint64_t	 retx_frame;
};

/* Keyed by the quoted destination and port: the first error. */
struct icmp_rec {
	struct sd_addr	 reporter, q_dst;
	uint16_t	 q_dport;
	uint8_t		 itype, icode;
	uint64_t	 frame;
};

struct ike_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*att;	/* struct attempt */
	struct sd_tab		*icmp;	/* struct icmp_rec */
};

static struct attempt *
find_attempt(struct ike_rules *t, const uint8_t ispi[8])
{
	return sd_tab_get(t->att, ispi, 8, false, NULL);
}

static struct attempt *
new_attempt(struct ike_rules *t, const uint8_t ispi[8])
{
	struct attempt *a = sd_tab_get(t->att, ispi, 8, true, NULL);

	if (a != NULL)
		memset(a, 0, sizeof(*a));
	return a;
}

/* Append to buf (size n, NUL-terminated) without overflowing. */
static void
append(char *buf, size_t n, const char *s)
{
	size_t l = strlen(buf);

	if (l + 1 < n)
		snprintf(buf + l, n - l, "%s", s);
}

static const char *
name_or(const char *name, char *tmp, size_t n, unsigned v)
{
	if (name != NULL)
		return name;
	snprintf(tmp, n, "%u", v);
	return tmp;
}

/* The transforms of a message by name: "#1 ENCR_AES_CBC-128 PRF_HMAC_SHA2_256 ... | #2 ...". */
static void
format_offer(const struct sd_ike_msg *m, char *buf, size_t n)
{
	char item[96], t1[8], t2[8], t3[8], t4[8];
	size_t i;
	int prop = -1;

	buf[0] = '\0';
	for (i = 0; i < m->ntransforms; i++) {
		const struct sd_ike_transform *x = &m->transforms[i];

		if (x->proposal != prop) {
			snprintf(item, sizeof(item), "%s#%u", prop < 0 ? "" : " | ", x->proposal);
			append(buf, n, item);
			prop = x->proposal;
		}
		if (m->version == 2) {
			snprintf(item, sizeof(item), " %s", name_or(sd_ike_transform_id_name(x->type,
			    x->id), t1, sizeof(t1), x->id));
			append(buf, n, item);
		} else if (x->protocol == 1) {
			snprintf(item, sizeof(item), " %s/%s/%s/%s",
			    name_or(sd_ike_v1_enc_name(x->v1_enc), t1, sizeof(t1), x->v1_enc),
			    name_or(sd_ike_v1_hash_name(x->v1_hash), t2, sizeof(t2), x->v1_hash),
			    name_or(sd_ike_v1_auth_name(x->v1_auth), t3, sizeof(t3), x->v1_auth),
			    name_or(sd_ike_dh_group_name(x->v1_group), t4, sizeof(t4), x->v1_group));
			append(buf, n, item);
		} else {
			snprintf(item, sizeof(item), " transform %u", x->id);
			append(buf, n, item);
		}
		if (x->key_len != 0) {
			snprintf(item, sizeof(item), "-%u", x->key_len);
			append(buf, n, item);
		}
	}
	if (buf[0] == '\0')
		snprintf(buf, n, "(none in clear)");
}

static bool
is_first_exchange(uint8_t version, uint8_t exchange)
{
	return version == 2 ? exchange == SD_IKE_X_SA_INIT :
	    (exchange == SD_IKE_X_V1_MAIN || exchange == SD_IKE_X_V1_AGGRESSIVE);
}

/* ---- error notifies in clear (SD_EV_IKE) ---- */

static uint16_t
notify_u16(const struct sd_ike_notify *n)
{
	struct sd_rd d = n->data;
	uint16_t v = 0;

	(void)sd_rd_be16(&d, &v);
	return v;
}

static void
rule_no_proposal(struct ike_rules *t, const struct sd_event *ev, const struct sd_ike_msg *m,
    const struct attempt *a)
{
	char g[160], srv[SD_ADDR_STRLEN], ans[OFFER_LEN];
	struct sd_finding *f;

	sd_ip_addr_str(&ev->src, srv);
	snprintf(g, sizeof(g), "%s|v%u", srv, m->version);
	f = sd_finding_add(t->out, SD_K_IKE_NO_PROPOSAL_CHOSEN, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	if (m->ntransforms > 0)
		format_offer(m, ans, sizeof(ans));
	else
		snprintf(ans, sizeof(ans), "NO_PROPOSAL_CHOSEN (no proposal of its own)");
	if (f->count == 1) {
		sd_finding_value(f, "responder", "%s", srv);
		sd_finding_value(f, "ike_version", "%u", m->version);
		sd_finding_value(f, "initiator_offered", "%s", a != NULL ? a->offer :
		    "(request not captured)");
		sd_finding_value(f, "responder_answered", "%s", ans);
	}
	sd_finding_summary(f, "%s refused every IKEv%u proposal with NO_PROPOSAL_CHOSEN "
	    "(%llu time%s)", srv, m->version, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	if (a != NULL && a->req_frame != 0)
		sd_finding_frame(f, a->req_frame);
	sd_finding_frame(f, ev->frame);
	sd_rule_note_flow(f, ev, false);
}

static void
rule_error_notify(struct ike_rules *t, const struct sd_event *ev, const struct sd_ike_msg *m,
    uint16_t type)
{
	char g[160], src[SD_ADDR_STRLEN], tmp[8];
	const char *name = name_or(sd_ike_notify_name(m->version, type), tmp, sizeof(tmp), type);
	struct sd_finding *f;

	sd_ip_addr_str(&ev->src, src);
	snprintf(g, sizeof(g), "%s|%u|%u", src, m->version, type);
	f = sd_finding_add(t->out, type == SD_IKE_N_AUTHENTICATION_FAILED ? SD_K_IKE_AUTH_FAILED :
	    SD_K_IKE_ERROR_NOTIFY, g, ev->ts_sec, ev->ts_nsec, ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 1.0;	/* the peer said so in clear */
		sd_finding_value(f, "sender", "%s", src);
		sd_finding_value(f, "notify", "%s (%u)", name, type);
		sd_finding_value(f, "exchange", "%s", name_or(sd_ike_exchange_name(m->version,
		    m->exchange), tmp, sizeof(tmp), m->exchange));
	}
	sd_finding_summary(f, "%s sent IKEv%u error notify %s (%llu time%s)", src, m->version,
	    name, (unsigned long long)f->count, f->count == 1 ? "" : "s");
	sd_finding_frame(f, ev->frame);
	sd_rule_note_flow(f, ev, false);
}

static bool
has_notify(const struct sd_ike_msg *m, uint16_t type, const struct sd_ike_notify **out)
{
	size_t i;

	for (i = 0; i < m->nnotify; i++)
		if (m->notify[i].type == type) {
			if (out != NULL)
				*out = &m->notify[i];
			return true;
		}
	return false;
}

static void
note_ke_retry(struct ike_rules *t, const struct sd_event *ev, const struct sd_ike_msg *m)
{
	struct attempt *a;

	for (a = sd_tab_first(t->att); a != NULL; a = sd_tab_next(t->att, a)) {
		if (a->ke_pending && !a->ke_retried_ok && a->ke_asked == m->ke_group &&
		    ADDR_EQ(&a->init, &ev->dst) && ADDR_EQ(&a->resp, &ev->src)) {
			a->ke_retried_ok = true;
			a->ke_ok_frame = ev->frame;
		}
	}
}

static void
on_ike(struct ike_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_msg *m = ev->u.msg.ike;
	const struct sd_ike_notify *n;
	struct attempt *a;
	size_t i;
	bool from_responder;

	if (m == NULL || !m->header_ok)
		return;
	a = find_attempt(t, m->ispi);
	if (m->retransmit) {
		if (a != NULL) {
			a->retx_mid = m->message_id;
			a->retx_exchange = m->exchange;
			a->retx_frame = ev->frame;
		}
		return;
	}
	from_responder = m->version == 2 ? m->response : !m->initiator;
	/*
	 * IKEv1 has no initiator flag: the dissector's "initiator" is per exchange, and the
	 * Informational that carries a phase 1 responder's error notify is initiated by that
	 * responder.  When the phase 1 request was seen, its addresses tell the side.
	 */
	if (m->version == 1 && m->exchange == SD_IKE_X_V1_INFO && a != NULL && a->req_frame != 0)
		from_responder = ADDR_EQ(&ev->src, &a->resp) && ev->sport == a->rport;
	/* A first-exchange request opens (or updates) an attempt: what was offered. */
	if (is_first_exchange(m->version, m->exchange) && !from_responder &&
	    m->message_id == 0 && !m->encrypted) {
		if (a == NULL)
			a = new_attempt(t, m->ispi);
		else if (a->cookie_frame != 0 && !a->cookie_echoed &&
		    has_notify(m, SD_IKE_N_COOKIE, NULL)) {
			a->cookie_echoed = true;
			a->cookie_echo_frame = ev->frame;
		}
		if (a->req_frame == 0 || m->ntransforms > 0) {
			a->version = m->version;
			a->init = ev->src;
			a->resp = ev->dst;
			a->iport = ev->sport;
			a->rport = ev->dport;
			a->flow_id = ev->flow_id;
		a->proto = ev->transport;
			a->proto = ev->transport;
			a->req_frame = ev->frame;
			a->req_sec = ev->ts_sec;
			a->req_nsec = ev->ts_nsec;
			a->file_index = ev->file_index;
			a->ke_group = m->ke_group;
			if (m->ntransforms > 0)
				format_offer(m, a->offer, sizeof(a->offer));
		}
		return;
	}
	if (a == NULL && !from_responder)
		return;
	if (a == NULL && from_responder && m->exchange == SD_IKE_X_SA_INIT &&
	    has_notify(m, SD_IKE_N_INVALID_KE_PAYLOAD, NULL)) {
		/* the request was not captured: the answer alone still names the group */
		a = new_attempt(t, m->ispi);
		a->version = m->version;
		a->init = ev->dst;
		a->resp = ev->src;
		a->iport = ev->dport;
		a->rport = ev->sport;
		a->flow_id = ev->flow_id;
		a->req_sec = ev->ts_sec;
		a->req_nsec = ev->ts_nsec;
		a->file_index = ev->file_index;
	}
	/*
	 * IKE_SA_INIT answered with a KE of the group asked for after an INVALID_KE_PAYLOAD:
	 * the retry worked.  Some initiators retry with a new SPI, so match the retry by
	 * the gateway pair and the group, not by SPI.
	 */
	if (from_responder && m->exchange == SD_IKE_X_SA_INIT && m->has_ke &&
	    !has_notify(m, SD_IKE_N_INVALID_KE_PAYLOAD, NULL))
		note_ke_retry(t, ev, m);
	if (a != NULL && from_responder && m->version == 2 && m->exchange == SD_IKE_X_AUTH &&
	    a->auth_resp_frame == 0) {
		a->auth_resp_frame = ev->frame;
		a->auth_resp_len = m->length;
	}
	if (m->encrypted || !from_responder)
		return;
	if (a != NULL && has_notify(m, SD_IKE_N_COOKIE, &n) && a->cookie_frame == 0) {
		a->cookie_frame = ev->frame;
		a->cookie_req_frame = a->req_frame;
		return;
	}
	for (i = 0; i < m->nnotify; i++) {
		uint16_t type = m->notify[i].type;

		if (type == 0 || type >= 16384)
			continue;	/* status notifies */
		if (type == SD_IKE_N_NO_PROPOSAL_CHOSEN)
			rule_no_proposal(t, ev, m, a);
		else if (type == SD_IKE_N_INVALID_KE_PAYLOAD && a != NULL) {
			a->ke_pending = true;
			a->ke_retried_ok = false;
			a->ke_asked = notify_u16(&m->notify[i]);
			a->ke_offered = a->ke_group;
			a->ike_frame = ev->frame;
			a->ike_req_frame = a->req_frame;
		} else
			rule_error_notify(t, ev, m, type);
	}
}

/* ---- exchanges (SD_EV_IKE_EXCHANGE) ---- */

static const struct icmp_rec *
icmp_for(struct ike_rules *t, const struct sd_addr *dst, uint16_t port)
{
	uint8_t key[19];

	memcpy(key, dst->a, 16);
	key[16] = dst->v;
	key[17] = (uint8_t)(port >> 8);
	key[18] = (uint8_t)port;
	return sd_tab_get(t->icmp, key, sizeof(key), false, NULL);
}

/* The last retransmission of an unanswered request, when one was seen. */
static void
frame_last_retx(struct sd_finding *f, struct ike_rules *t,
    const struct sd_ike_exchange *x)
{
	const struct attempt *a = find_attempt(t, x->ispi);

	{
		if (a != NULL && a->retx_frame != 0 &&
		    a->retx_mid == x->message_id && a->retx_exchange == x->exchange &&
		    a->retx_frame > x->request_frame)
			sd_finding_frame(f, a->retx_frame);
	}
}

static void
rule_unanswered_init(struct ike_rules *t, const struct sd_event *ev,
    const struct sd_ike_exchange *x)
{
	char g[160], srv[SD_ADDR_STRLEN], rep[SD_ADDR_STRLEN];
	const struct icmp_rec *ic = icmp_for(t, &x->responder_addr, x->responder_port);
	struct sd_finding *f;

	/*
	 * One lone request is not judged: at the capture's end it may yet be answered, and
	 * one refused by ICMP is already icmp.unreachable (rules_tcp.c).  Retried ones are
	 * ours, and an ICMP error quoting them says why.
	 */
	if (x->retransmits < 1)
		return;
	sd_ip_addr_str(&x->responder_addr, srv);
	snprintf(g, sizeof(g), "%s|%u|%s", srv, x->responder_port, ic != NULL ? "icmp" : "");
	f = sd_finding_add(t->out, SD_K_IKE_UNANSWERED, g, ev->ts_sec, ev->ts_nsec, ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = ic != NULL ? 1.0 : 0.9;
		sd_finding_value(f, "responder", "%s", srv);
		sd_finding_value(f, "port", "UDP %u", x->responder_port);
		sd_finding_value(f, "exchange", "%s", x->version == 2 ? "IKE_SA_INIT" :
		    "Main/Aggressive Mode first message");
		sd_finding_value(f, "requests", "%u (1 + %u retransmissions)",
		    x->retransmits + 1, x->retransmits);
		if (ic != NULL) {
			sd_ip_addr_str(&ic->reporter, rep);
			sd_finding_value(f, "icmp", "%s answered with ICMP type %u code %u "
			    "(frame %llu)", rep, ic->itype, ic->icode,
			    (unsigned long long)sd_frame_no(ic->frame));
		}
	}
	if (ic != NULL)
		sd_finding_summary(f, "IKEv%u to %s UDP %u refused: ICMP unreachable from %s "
		    "(%llu attempt%s)", x->version, srv, x->responder_port,
		    sd_ip_addr_str(&ic->reporter, rep), (unsigned long long)f->count,
		    f->count == 1 ? "" : "s");
	else
		sd_finding_summary(f, "IKEv%u to %s UDP %u never answered: %u requests, no "
		    "response (%llu attempt%s)", x->version, srv, x->responder_port,
		    x->retransmits + 1, (unsigned long long)f->count, f->count == 1 ? "" : "s");
	sd_finding_frame(f, x->request_frame);
	frame_last_retx(f, t, x);
	if (ic != NULL)
		sd_finding_frame(f, ic->frame);
	sd_rule_note_flow(f, ev, true);
}

static void
exch_finding(struct ike_rules *t, const struct sd_event *ev, const struct sd_ike_exchange *x,
    enum sd_kind kind, const char *what)
{
	char g[160], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;

	sd_ip_addr_str(&x->responder_addr, srv);
	snprintf(g, sizeof(g), "%s|%u", srv, x->responder_port);
	f = sd_finding_add(t->out, kind, g, ev->ts_sec, ev->ts_nsec, ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		sd_finding_value(f, "responder", "%s", srv);
		sd_finding_value(f, "port", "UDP %u%s", x->responder_port,
		    x->nat_t ? " (NAT-T, non-ESP marker)" : "");
		sd_finding_value(f, "requests", "%u (1 + %u retransmissions)",
		    x->retransmits + 1, x->retransmits);
		if (x->ip_fragments > 0)
			sd_finding_value(f, "ip_fragments", "%u per request", x->ip_fragments);
	}
	sd_finding_summary(f, "%s %s (%llu time%s)", srv, what, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	sd_finding_frame(f, x->request_frame);
	frame_last_retx(f, t, x);
	sd_rule_note_flow(f, ev, true);
}

static void
on_exchange(struct ike_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_exchange *x = ev->u.msg.exchange;
	struct attempt *a;
	char what[160];
	uint32_t tries;

	if (x == NULL)
		return;
	a = find_attempt(t, x->ispi);
	if (x->answered) {
		if (a != NULL && x->nat_t)
			a->answered_on_4500 = true;
		return;
	}
	if (!x->expects_response)
		return;
	tries = x->retransmits + 1;
	if (is_first_exchange(x->version, x->exchange) && x->message_id == 0 &&
	    x->messages <= 1) {
		rule_unanswered_init(t, ev, x);
		return;
	}
	if (tries < 2)
		return;		/* one unretransmitted request at the end: not judged */
	if ((x->version == 2 && x->exchange == SD_IKE_X_AUTH) ||
	    (x->version == 1 && x->exchange == SD_IKE_X_V1_MAIN)) {
		if (x->ip_fragments > 1) {
			snprintf(what, sizeof(what), "never answered IKE_AUTH sent as %u IP "
			    "fragments", x->ip_fragments);
			exch_finding(t, ev, x, SD_K_IKE_AUTH_FRAGMENTED_UNANSWERED, what);
		} else if (x->nat_t && (a == NULL || !a->answered_on_4500)) {
			exch_finding(t, ev, x, SD_K_IKE_NATT_UNANSWERED,
			    "answered IKE on UDP 500 but nothing on UDP 4500 after the NAT-T switch");
		}
		return;
	}
	if (x->version == 2 && x->exchange == SD_IKE_X_INFORMATIONAL) {
		snprintf(what, sizeof(what), "never answered %u INFORMATIONAL (dead peer "
		    "detection) request%s%s", tries, tries == 1 ? "" : "s",
		    tries >= 3 ? ": peer declared dead" : "");
		exch_finding(t, ev, x, SD_K_IKE_DPD_UNANSWERED, what);
	}
}

/* ---- IKE SAs (SD_EV_IKE_SA) ---- */

static void
rule_auth_failed(struct ike_rules *t, const struct sd_event *ev, const struct sd_ike_sa *s,
    const struct attempt *a)
{
	char g[160], srv[SD_ADDR_STRLEN];
	struct sd_finding *f;
	bool small = a != NULL && a->auth_resp_len != 0 && a->auth_resp_len < AUTH_FAILED_MAX;

	sd_ip_addr_str(&s->responder, srv);
	snprintf(g, sizeof(g), "%s|inferred", srv);
	f = sd_finding_add(t->out, SD_K_IKE_AUTH_FAILED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = small ? 0.8 : 0.5;
		sd_finding_value(f, "responder", "%s", srv);
		if (a != NULL && a->auth_resp_len != 0)
			sd_finding_value(f, "auth_response_bytes", "%u (IKE message length)",
			    a->auth_resp_len);
		sd_finding_value(f, "after_auth", "%s", s->deleted_frame != 0 ?
		    "delete, no ESP" : "silence, no ESP");
		sd_finding_value(f, "inferred", "the IKE_AUTH response is encrypted: %s",
		    small ? "its size fits an AUTHENTICATION_FAILED notify alone" :
		    "judged from what followed it");
	}
	sd_finding_summary(f, "IKE_AUTH with %s answered but no tunnel followed: "
	    "authentication failed (inferred, %llu time%s)", srv, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	sd_finding_frame(f, s->auth_frame);
	if (a != NULL && a->auth_resp_frame != 0)
		sd_finding_frame(f, a->auth_resp_frame);
	if (s->deleted_frame != 0)
		sd_finding_frame(f, s->deleted_frame);
	sd_rule_note_pair(f, ev->flow_id, &s->initiator, s->initiator_port, &s->responder,
	    s->responder_port, ev->transport != 0 ? ev->transport : SD_IPPROTO_UDP,
	    ev->file_index);
}

static void
on_sa(struct ike_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_sa *s = ev->u.msg.ike_sa;
	struct attempt *a;
	size_t i;
	bool auth_answered = false;

	if (s == NULL)
		return;
	a = find_attempt(t, s->ispi);
	for (i = 0; i < s->nsteps; i++)
		if (strcmp(s->steps[i].step, "auth") == 0 && s->steps[i].ms >= 0)
			auth_answered = true;
	/*
	 * IKEv2 encrypts AUTHENTICATION_FAILED.  Judge only an answered IKE_AUTH with no
	 * tunnel after it whose response is small enough to hold that notify alone, or that
	 * a delete followed: a large response is a successful IKE_AUTH whose traffic this
	 * capture does not show (AH, or ESP elsewhere).
	 */
	if (s->version == 2 && auth_answered && !s->established &&
	    s->exchanges <= 3 && a != NULL && a->auth_resp_len != 0 &&
	    (a->auth_resp_len < AUTH_FAILED_MAX || s->deleted_frame != 0))
		rule_auth_failed(t, ev, s, a);
}

static void
on_icmp(struct ike_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	struct icmp_rec *r;
	bool unreach = ic->icmp_v6 ? ic->itype == 1 : (ic->itype == 3 && ic->icode != 4);

	if (!unreach || ic->q_proto != SD_IPPROTO_UDP ||
	    (ic->q_dport != SD_IKE_PORT && ic->q_dport != SD_IKE_NATT_PORT))
		return;
	{
		uint8_t key[19];
		bool created;

		memcpy(key, ic->q_dst.a, 16);
		key[16] = ic->q_dst.v;
		key[17] = (uint8_t)(ic->q_dport >> 8);
		key[18] = (uint8_t)ic->q_dport;
		r = sd_tab_get(t->icmp, key, sizeof(key), true, &created);
		if (r == NULL || !created)
			return;
	}
	r->reporter = ic->reporter;
	r->q_dst = ic->q_dst;
	r->q_dport = ic->q_dport;
	r->itype = ic->itype;
	r->icode = ic->icode;
	r->frame = ev->frame;
}

/* ---- conclusions at the end ---- */

static void	judge_attempt(struct ike_rules *, const struct attempt *);

static void
finish_attempts(struct ike_rules *t)
{
	struct attempt *a;

	for (a = sd_tab_first(t->att); a != NULL; a = sd_tab_next(t->att, a))
		judge_attempt(t, a);
}

/* What an attempt showed: INVALID_KE, a COOKIE never echoed.  At the end, or when the
 * attempt is pushed out at the cap. */
static void
judge_attempt(struct ike_rules *t, const struct attempt *a)
{
	char g[160], srv[SD_ADDR_STRLEN], tmp[8], tmp2[8], tmp3[64];
	struct sd_finding *f;

	{
		sd_ip_addr_str(&a->resp, srv);
		if (a->ke_pending) {
			snprintf(g, sizeof(g), "%s|%u|%u", srv, a->ke_asked, a->ke_retried_ok);
			f = sd_finding_add(t->out, SD_K_IKE_INVALID_KE, g, a->req_sec, a->req_nsec,
			    a->file_index);
			if (f != NULL) {
				if (!a->ke_retried_ok)
					f->severity = SD_SEV_MEDIUM;
				if (f->count == 1) {
					sd_finding_value(f, "responder", "%s", srv);
					if (a->ke_offered != 0)
						sd_finding_value(f, "offered_group", "%s (%u)",
						    name_or(sd_ike_dh_group_name(a->ke_offered),
						    tmp, sizeof(tmp), a->ke_offered), a->ke_offered);
					if (a->ke_asked != 0)
						sd_finding_value(f, "requested_group", "%s (%u)",
						    name_or(sd_ike_dh_group_name(a->ke_asked), tmp2,
						    sizeof(tmp2), a->ke_asked), a->ke_asked);
					sd_finding_value(f, "retry", "%s", a->ke_retried_ok ?
					    "succeeded (one extra round trip)" : "not seen to succeed");
				}
				if (a->ke_asked != 0 && a->ke_offered != 0)
					snprintf(tmp3, sizeof(tmp3), "DH group %u instead of %u",
					    a->ke_asked, a->ke_offered);
				else if (a->ke_asked != 0)
					snprintf(tmp3, sizeof(tmp3), "DH group %u", a->ke_asked);
				else
					snprintf(tmp3, sizeof(tmp3), "another DH group");
				sd_finding_summary(f, "%s asked for %s with INVALID_KE_PAYLOAD; the "
				    "retry %s (%llu time%s)", srv, tmp3, a->ke_retried_ok ?
				    "succeeded" : "was not seen to succeed",
				    (unsigned long long)f->count, f->count == 1 ? "" : "s");
				if (a->ike_req_frame != 0)
					sd_finding_frame(f, a->ike_req_frame);
				sd_finding_frame(f, a->ike_frame);
				if (a->ke_ok_frame != 0)
					sd_finding_frame(f, a->ke_ok_frame);
				sd_rule_note_pair(f, a->flow_id, &a->init, a->iport, &a->resp, a->rport,
				    a->proto, a->file_index);
			}
		}
		if (a->cookie_frame != 0 && !a->cookie_echoed) {
			snprintf(g, sizeof(g), "%s", srv);
			f = sd_finding_add(t->out, SD_K_IKE_COOKIE_NOT_ECHOED, g, a->req_sec,
			    a->req_nsec, a->file_index);
			if (f != NULL) {
				if (f->count == 1)
					sd_finding_value(f, "responder", "%s", srv);
				sd_finding_summary(f, "%s demanded a COOKIE and the initiator never "
				    "retried with it (%llu time%s)", srv,
				    (unsigned long long)f->count, f->count == 1 ? "" : "s");
				sd_finding_frame(f, a->cookie_req_frame);
				sd_finding_frame(f, a->cookie_frame);
				sd_rule_note_pair(f, a->flow_id, &a->init, a->iport, &a->resp, a->rport,
				    a->proto, a->file_index);
			}
		}
	}
}

/* ---- area glue ---- */

/* An attempt pushed out at the cap: judge what it showed before it goes. */
static void
attempt_evict(void *ctx, void *val)
{
	judge_attempt(ctx, val);
}

static struct sd_tab *
table(const struct sd_rule_env *env, size_t val_size, size_t max, void (*evict)(void *, void *),
    void *ctx)
{
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.val_size = val_size;
	o.max = max;
	o.mc = env->mc;
	o.evict = evict;
	o.ctx = ctx;
	return sd_tab_new(&o);
}

static void ike_free(void *ctx);

static void *
ike_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct ike_rules *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->env = env;
	t->out = env->out;
	t->att = table(env, sizeof(struct attempt), ATTEMPTS, attempt_evict, t);
	t->icmp = table(env, sizeof(struct icmp_rec), ICMPS, NULL, NULL);
	if (t->att == NULL || t->icmp == NULL) {
		snprintf(err, errlen, "out of memory");
		ike_free(t);
		return NULL;
	}
	return t;
}

static void
ike_free(void *ctx)
{
	struct ike_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->att);
	sd_tab_free(t->icmp);
	free(t);
}

static void
ike_event(void *ctx, const struct sd_event *ev)
{
	struct ike_rules *t = ctx;

	switch (ev->type) {
	case SD_EV_IKE:
		on_ike(t, ev);
		break;
	case SD_EV_IKE_EXCHANGE:
		on_exchange(t, ev);
		break;
	case SD_EV_IKE_SA:
		on_sa(t, ev);
		break;
	case SD_EV_ICMP_ERROR:
		on_icmp(t, ev);
		break;
	default:
		break;
	}
}

static void
ike_finish(void *ctx)
{
	struct ike_rules *t = ctx;

	finish_attempts(t);
}

static void
ike_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct ike_rules *t = ctx;
	const struct sd_tab *v[] = { t->att, t->icmp };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		st->evicted += sd_tab_evicted(v[i]);
		st->refused += sd_tab_refused(v[i]);
	}
}

const struct sd_rule_area sd_rules_ike = {
	"ike", ike_new, ike_event, ike_finish, ike_free, NULL, ike_stats,
};
