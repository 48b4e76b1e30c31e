/* analyze/rules_ike.c - IKE rules: unanswered or refused, NAT-T, NO_PROPOSAL_CHOSEN,
 * INVALID_KE, COOKIE, authentication failures, DPD, error notifies (the patterns across
 * IKE SAs are in rules_ikesa.c). */
#include "analyze/rules.h"
#include "analyze/ike_text.h"

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
/*
 * An initiator that refuses the responder's IKE_AUTH answer (its certificate or AUTH) says
 * so in an INFORMATIONAL of its own (RFC 7296 §2.21.2) sent at once: within this many ms.
 * A DPD comes only after an idle period (tens of seconds).
 */
#define CLOSE_AFTER_AUTH_MS	1000
#define CLOSE_QUIET_MS		2000	/* silence after it that raises the confidence */
#define CERTREQ_CAS	4	/* CA key hashes of a CERTREQ kept */
#define ESP_PAIRS	65536	/* gateway pairs that carried ESP */

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
	/* owned: the transforms of the last request, by name (sized to them: a scan makes
	 * thousands of attempts); NULL none */
	char		*offer;
	/* INVALID_KE_PAYLOAD */
	uint64_t	 ike_frame, ike_req_frame;
	uint16_t	 ke_asked, ke_offered;
	bool		 ke_pending, ke_retried_ok;
	uint64_t	 ke_ok_frame;
	/* on the list of attempts waiting for their retry (ke_pending, !ke_retried_ok) */
	struct attempt	*kw_prev, *kw_next;
	bool		 kw_on;
	/* COOKIE */
	uint64_t	 cookie_frame, cookie_req_frame;
	bool		 cookie_echoed;
	uint64_t	 cookie_echo_frame;
	/* IKE_AUTH response */
	uint64_t	 auth_resp_frame;
	uint32_t	 auth_resp_len;
	bool		 answered_on_4500;
	/* the initiator closing the SA right after the IKE_AUTH answer (note_after_init) */
	uint64_t	 certreq_frame;		/* IKE_SA_INIT response with a CERTREQ */
	uint8_t		 certreq_encoding;
	uint8_t		 certreq_cas[CERTREQ_CAS][20];
	size_t		 certreq_ncas, certreq_ncas_total;
	uint64_t	 auth_req_first, auth_req_last, auth_resp_last;
	uint32_t	 auth_req_msgs, auth_req_bytes, auth_resp_msgs, auth_resp_bytes;
	int64_t		 auth_resp_sec;
	uint32_t	 auth_resp_nsec;
	uint64_t	 close_frame, close_resp_frame;	/* INFORMATIONAL right after */
	uint32_t	 close_mid, close_len;
	int64_t		 close_sec;
	uint32_t	 close_nsec;
	uint32_t	 after_auth;	/* other IKE messages after the IKE_AUTH answer */
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

/* ESP between two gateways, keyed by the unordered address pair and the file. */
struct esp_pair {
	uint64_t	 last_frame;
};

struct ike_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*att;	/* struct attempt */
	struct sd_tab		*icmp;	/* struct icmp_rec */
	struct sd_tab		*esp;	/* struct esp_pair */
	int64_t			 end_sec;	/* the capture's last frame */
	uint32_t		 end_nsec;
	/* attempts answered INVALID_KE_PAYLOAD and not yet retried: each IKE_SA_INIT answer
	 * looks at these, not at every attempt */
	struct attempt		*ke_waiting;
};

static void
kw_add(struct ike_rules *t, struct attempt *a)
{
	if (a->kw_on)
		return;
	a->kw_on = true;
	a->kw_prev = NULL;
	a->kw_next = t->ke_waiting;
	if (t->ke_waiting != NULL)
		t->ke_waiting->kw_prev = a;
	t->ke_waiting = a;
}

static void
kw_del(struct ike_rules *t, struct attempt *a)
{
	if (!a->kw_on)
		return;
	if (a->kw_prev != NULL)
		a->kw_prev->kw_next = a->kw_next;
	else
		t->ke_waiting = a->kw_next;
	if (a->kw_next != NULL)
		a->kw_next->kw_prev = a->kw_prev;
	a->kw_prev = a->kw_next = NULL;
	a->kw_on = false;
}

static struct attempt *
find_attempt(struct ike_rules *t, const uint8_t ispi[8])
{
	return sd_tab_get(t->att, ispi, 8, false, NULL);
}

static void
offer_free(struct ike_rules *t, struct attempt *a)
{
	if (a->offer != NULL)
		sd_memcap_free(t->env->mc, a->offer, strlen(a->offer) + 1);
	a->offer = NULL;
}

/* The request's offer as the attempt's (none kept when memory is refused). */
static void
offer_set(struct ike_rules *t, struct attempt *a, const struct sd_ike_msg *m)
{
	char buf[OFFER_LEN];
	size_t n;

	offer_free(t, a);
	sd_ike_offer_text(m, buf, sizeof(buf));
	n = strlen(buf) + 1;
	if ((a->offer = sd_memcap_malloc(t->env->mc, n)) != NULL)
		memcpy(a->offer, buf, n);
}

static struct attempt *
new_attempt(struct ike_rules *t, const uint8_t ispi[8])
{
	struct attempt *a = sd_tab_get(t->att, ispi, 8, true, NULL);

	if (a != NULL) {
		offer_free(t, a);
		memset(a, 0, sizeof(*a));
	}
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

void
sd_ike_offer_text(const struct sd_ike_msg *m, char *buf, size_t n)
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
		sd_ike_offer_text(m, ans, sizeof(ans));
	else
		snprintf(ans, sizeof(ans), "NO_PROPOSAL_CHOSEN (no proposal of its own)");
	if (f->count == 1) {
		sd_finding_value(f, "responder", "%s", srv);
		sd_finding_value(f, "ike_version", "%u", m->version);
		sd_finding_value(f, "initiator_offered", "%s", a == NULL ?
		    "(request not captured)" : a->offer != NULL ? a->offer : "");
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
	struct attempt *a, *next;

	for (a = t->ke_waiting; a != NULL; a = next) {
		next = a->kw_next;
		if (a->ke_asked == m->ke_group &&
		    ADDR_EQ(&a->init, &ev->dst) && ADDR_EQ(&a->resp, &ev->src)) {
			a->ke_retried_ok = true;
			a->ke_ok_frame = ev->frame;
			kw_del(t, a);
		}
	}
}

/*
 * IKEv2 after IKE_SA_INIT, for rule_initiator_rejects: the CERTREQ the responder sent, the
 * IKE_AUTH messages (IKE fragments and bytes), and what came first after the IKE_AUTH
 * answer: an INFORMATIONAL request of the initiator, or anything else.
 */
static void
note_after_init(struct attempt *a, const struct sd_event *ev, const struct sd_ike_msg *m,
    bool from_responder)
{
	struct sd_rd r;
	size_t i;

	if (m->exchange == SD_IKE_X_SA_INIT) {
		if (!from_responder || m->ncertreqs == 0 || a->certreq_frame != 0)
			return;
		a->certreq_frame = ev->frame;
		a->certreq_encoding = m->certreq_encoding;
		a->certreq_ncas_total = sd_rd_left(&m->certreq) / 20;
		r = m->certreq;
		for (i = 0; i < CERTREQ_CAS && m->certreq_encoding == 4 &&
		    sd_rd_copy(&r, a->certreq_cas[i], 20); i++)
			a->certreq_ncas = i + 1;
		return;
	}
	if (m->exchange == SD_IKE_X_AUTH && a->close_frame == 0 && a->after_auth == 0) {
		if (!from_responder) {
			if (a->auth_req_first == 0)
				a->auth_req_first = ev->frame;
			a->auth_req_last = ev->frame;
			a->auth_req_msgs++;
			a->auth_req_bytes += m->length;
			return;
		}
		a->auth_resp_last = ev->frame;
		a->auth_resp_msgs++;
		a->auth_resp_bytes += m->length;
		a->auth_resp_sec = ev->ts_sec;
		a->auth_resp_nsec = ev->ts_nsec;
		return;
	}
	if (a->auth_resp_last == 0)
		return;
	if (a->close_frame == 0 && a->after_auth == 0 && m->exchange == SD_IKE_X_INFORMATIONAL &&
	    !m->response && m->initiator) {
		a->close_frame = ev->frame;
		a->close_mid = m->message_id;
		a->close_len = m->length;
		a->close_sec = ev->ts_sec;
		a->close_nsec = ev->ts_nsec;
		return;
	}
	if (a->close_frame != 0 && a->close_resp_frame == 0 &&
	    m->exchange == SD_IKE_X_INFORMATIONAL && m->response &&
	    m->message_id == a->close_mid) {
		a->close_resp_frame = ev->frame;
		return;
	}
	a->after_auth++;
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
		if (a == NULL && (a = new_attempt(t, m->ispi)) == NULL)
			return;		/* no room (counted by the table): not followed */
		if (a->cookie_frame != 0 && !a->cookie_echoed &&
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
				offer_set(t, a, m);
		}
		return;
	}
	if (a == NULL && !from_responder)
		return;
	if (a == NULL && from_responder && m->exchange == SD_IKE_X_SA_INIT &&
	    has_notify(m, SD_IKE_N_INVALID_KE_PAYLOAD, NULL)) {
		/* the request was not captured: the answer alone still names the group */
		if ((a = new_attempt(t, m->ispi)) == NULL)
			return;		/* no room (counted by the table) */
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
	if (a != NULL && m->version == 2)
		note_after_init(a, ev, m, from_responder);
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
			kw_add(t, a);
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
		sd_finding_value(f, "rejected_by", "the responder %s: no tunnel after its IKE_AUTH "
		    "answer", srv);
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

/* ---- ESP (SD_EV_ESP, written when its SA ends) ---- */

static void
esp_key(const struct sd_addr *x, const struct sd_addr *y, uint32_t file_index, uint8_t key[38])
{
	const struct sd_addr *lo = sd_ip_addr_cmp(x, y) <= 0 ? x : y;
	const struct sd_addr *hi = lo == x ? y : x;

	memcpy(key, lo->a, 16);
	key[16] = lo->v;
	memcpy(key + 17, hi->a, 16);
	key[33] = hi->v;
	memcpy(key + 34, &file_index, 4);
}

static void
on_esp(struct ike_rules *t, const struct sd_event *ev)
{
	const struct sd_esp_sa *sa = ev->u.msg.esp;
	struct esp_pair *p;
	uint8_t key[38];

	if (sa == NULL)
		return;
	esp_key(&sa->src, &sa->dst, ev->file_index, key);
	p = sd_tab_get(t->esp, key, sizeof(key), true, NULL);
	if (p != NULL && sa->last_frame > p->last_frame)
		p->last_frame = sa->last_frame;
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

static double
ms_between(int64_t s0, uint32_t n0, int64_t s1, uint32_t n1)
{
	return (double)(s1 - s0) * 1e3 + ((double)n1 - (double)n0) / 1e6;
}

/* "5" or "5-6" (frame numbers of a message sent as one or several datagrams). */
static void
frame_span(char *buf, size_t n, uint64_t first, uint64_t last)
{
	if (last == first)
		snprintf(buf, n, "frame %llu", (unsigned long long)sd_frame_no(first));
	else
		snprintf(buf, n, "frames %llu-%llu", (unsigned long long)sd_frame_no(first),
		    (unsigned long long)sd_frame_no(last));
}

/* The CERTREQ of the IKE_SA_INIT response, as far as it is in clear. */
static void
certreq_value(struct sd_finding *f, const struct attempt *a)
{
	char cas[160], item[40];
	size_t i;

	if (a->certreq_frame == 0)
		return;
	if (a->certreq_encoding != 4) {
		sd_finding_value(f, "certreq", "in the IKE_SA_INIT response (frame %llu), "
		    "certificate encoding %u", (unsigned long long)sd_frame_no(a->certreq_frame),
		    a->certreq_encoding);
		return;
	}
	cas[0] = '\0';
	for (i = 0; i < a->certreq_ncas; i++) {
		const uint8_t *h = a->certreq_cas[i];

		snprintf(item, sizeof(item), "%s%02x%02x%02x...%02x%02x", i > 0 ? ", " : "",
		    h[0], h[1], h[2], h[18], h[19]);
		append(cas, sizeof(cas), item);
	}
	if (a->certreq_ncas_total > a->certreq_ncas)
		append(cas, sizeof(cas), ", ...");
	sd_finding_value(f, "certreq", "in the responder's IKE_SA_INIT response (frame %llu): "
	    "X.509 signature, %zu CA key hash%s (SHA-1 of a CA public key the responder "
	    "trusts)%s%s", (unsigned long long)sd_frame_no(a->certreq_frame),
	    a->certreq_ncas_total, a->certreq_ncas_total == 1 ? "" : "es",
	    a->certreq_ncas > 0 ? ": " : "", cas);
}

/* What rule_initiator_rejects can show: sizes, fragments, frames, the CERTREQ. */
static void
rejects_values(struct sd_finding *f, const struct attempt *a, const char *srv,
    const char *ini, double ms, double quiet)
{
	char span[48];

	f->confidence = quiet >= CLOSE_QUIET_MS ? 0.7 : 0.6;
	sd_finding_value(f, "responder", "%s", srv);
	sd_finding_value(f, "rejected_by", "the initiator %s: its INFORMATIONAL request "
	    "%.0f ms after the responder's IKE_AUTH answer, then no ESP and no other "
	    "exchange", ini, ms);
	if (a->auth_req_msgs > 0) {
		frame_span(span, sizeof(span), a->auth_req_first, a->auth_req_last);
		sd_finding_value(f, "auth_request", "%u bytes in %u IKE message%s%s, %s",
		    a->auth_req_bytes, a->auth_req_msgs, a->auth_req_msgs == 1 ? "" : "s",
		    a->auth_req_msgs > 1 ? " (IKE fragments, RFC 7383)" : "", span);
	}
	frame_span(span, sizeof(span), a->auth_resp_frame, a->auth_resp_last);
	sd_finding_value(f, "auth_response", "%u bytes in %u IKE message%s%s, %s: more "
	    "than an AUTHENTICATION_FAILED notify alone (about 80 bytes): the responder "
	    "accepted the initiator", a->auth_resp_bytes, a->auth_resp_msgs,
	    a->auth_resp_msgs == 1 ? "" : "s", a->auth_resp_msgs > 1 ?
	    " (IKE fragments, RFC 7383)" : "", span);
	if (a->close_resp_frame != 0)
		sd_finding_value(f, "informational", "request frame %llu (%u bytes, "
		    "encrypted), answered in frame %llu",
		    (unsigned long long)sd_frame_no(a->close_frame), a->close_len,
		    (unsigned long long)sd_frame_no(a->close_resp_frame));
	else
		sd_finding_value(f, "informational", "request frame %llu (%u bytes, "
		    "encrypted), not answered",
		    (unsigned long long)sd_frame_no(a->close_frame), a->close_len);
	certreq_value(f, a);
	sd_finding_value(f, "not_visible", "the responder's certificate and AUTH are "
	    "inside its encrypted IKE_AUTH answer, and the INFORMATIONAL's content "
	    "(AUTHENTICATION_FAILED notify or Delete) is encrypted too: which certificate "
	    "or key the initiator refused, and why, is in the initiator's log");
	if (quiet < 0)
		sd_finding_value(f, "caveat", "the end of the capture is not known: what "
		    "followed the INFORMATIONAL request may not be seen");
	else if (quiet < CLOSE_QUIET_MS)
		sd_finding_value(f, "caveat", "the capture ends %.0f ms after the "
		    "INFORMATIONAL request: what would have followed is not seen", quiet);
}

/*
 * IKEv2, the initiator refuses the responder: IKE_AUTH answered with more than a notify
 * alone (the responder accepted the initiator), then at once an INFORMATIONAL request of
 * the initiator (AUTHENTICATION_FAILED or a Delete, RFC 7296 §2.21.2: both are encrypted
 * and the same size) and nothing else: no other exchange, no ESP between the gateways.
 * Judged at the end, when the ESP SAs are known.
 */
static void
rule_initiator_rejects(struct ike_rules *t, const struct attempt *a)
{
	char g[160], srv[SD_ADDR_STRLEN], ini[SD_ADDR_STRLEN];
	const struct esp_pair *p;
	struct sd_finding *f;
	uint8_t key[38];
	double ms, quiet;

	if (a->version != 2 || a->auth_resp_last == 0 || a->close_frame == 0 ||
	    a->after_auth > 0)
		return;
	ms = ms_between(a->auth_resp_sec, a->auth_resp_nsec, a->close_sec, a->close_nsec);
	if (ms < 0 || ms > CLOSE_AFTER_AUTH_MS)
		return;
	/* a responder that refused answers with a notify alone: rule_auth_failed's case */
	if (a->auth_resp_msgs <= 1 && a->auth_resp_bytes < AUTH_FAILED_MAX)
		return;
	esp_key(&a->init, &a->resp, a->file_index, key);
	p = sd_tab_get(t->esp, key, sizeof(key), false, NULL);
	if (p != NULL && p->last_frame > a->auth_resp_last)
		return;
	quiet = t->end_sec == 0 ? -1 :
	    ms_between(a->close_sec, a->close_nsec, t->end_sec, t->end_nsec);
	sd_ip_addr_str(&a->resp, srv);
	sd_ip_addr_str(&a->init, ini);
	snprintf(g, sizeof(g), "%s|initiator", srv);
	f = sd_finding_add(t->out, SD_K_IKE_AUTH_FAILED, g, a->req_sec, a->req_nsec,
	    a->file_index);
	if (f == NULL)
		return;
	if (f->count == 1)
		rejects_values(f, a, srv, ini, ms, quiet);
	sd_finding_summary(f, "IKE_AUTH with %s: the initiator %s closed the SA right after "
	    "the responder's IKE_AUTH answer: it rejected the responder's authentication "
	    "(inferred, %llu time%s)", srv, ini, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	if (a->certreq_frame != 0)
		sd_finding_frame(f, a->certreq_frame);
	if (a->auth_req_first != 0) {
		sd_finding_frame(f, a->auth_req_first);
		sd_finding_frame(f, a->auth_req_last);
	}
	sd_finding_frame(f, a->auth_resp_frame);
	sd_finding_frame(f, a->auth_resp_last);
	sd_finding_frame(f, a->close_frame);
	if (a->close_resp_frame != 0)
		sd_finding_frame(f, a->close_resp_frame);
	sd_rule_note_pair(f, a->flow_id, &a->init, a->iport, &a->resp, a->rport, SD_IPPROTO_UDP,
	    a->file_index);
}

static void	judge_attempt(struct ike_rules *, const struct attempt *);

static void
finish_attempts(struct ike_rules *t)
{
	struct attempt *a;

	for (a = sd_tab_first(t->att); a != NULL; a = sd_tab_next(t->att, a)) {
		judge_attempt(t, a);
		rule_initiator_rejects(t, a);
	}
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
	kw_del(ctx, val);
}

/* Every removal of an attempt (evicted, or the table freed): what it owns. */
static void
attempt_drop(void *ctx, void *val)
{
	offer_free(ctx, val);
}

static struct sd_tab *
table(const struct sd_rule_env *env, size_t val_size, size_t max, void (*evict)(void *, void *),
    void (*drop)(void *, void *), void *ctx)
{
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.val_size = val_size;
	o.max = max;
	o.mc = env->mc;
	o.evict = evict;
	o.drop = drop;
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
	t->att = table(env, sizeof(struct attempt), ATTEMPTS, attempt_evict, attempt_drop, t);
	t->icmp = table(env, sizeof(struct icmp_rec), ICMPS, NULL, NULL, NULL);
	t->esp = table(env, sizeof(struct esp_pair), ESP_PAIRS, NULL, NULL, NULL);
	if (t->att == NULL || t->icmp == NULL || t->esp == NULL) {
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
	sd_tab_free(t->esp);
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
	case SD_EV_ESP:
		on_esp(t, ev);
		break;
	case SD_EV_CAPTURE:
		if (ev->ts_sec > t->end_sec || (ev->ts_sec == t->end_sec &&
		    ev->ts_nsec > t->end_nsec)) {
			t->end_sec = ev->ts_sec;
			t->end_nsec = ev->ts_nsec;
		}
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
	const struct sd_tab *v[] = { t->att, t->icmp, t->esp };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		st->evicted += sd_tab_evicted(v[i]);
		st->refused += sd_tab_refused(v[i]);
	}
}

const struct sd_rule_area sd_rules_ike = {
	"ike", ike_new, ike_event, ike_finish, ike_free, NULL, ike_stats, NULL,
	false,
};
