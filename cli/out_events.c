/* cli/out_events.c - the --events JSON Lines writer (shared/spec/events.md). */
#include "cli/out.h"

#include <string.h>

#include "analyze/x509.h"

#include "cli/ev_ike.h"
#include "cli/ev_prelude.h"
#include "cli/ev_tls.h"
#include "dissect/anomaly.h"
#include "dissect/capwap.h"
#include "dissect/dns.h"
#include "dissect/ip.h"

void
sd_out_events_init(struct sd_out_events *o, FILE *f, const char *const *files, int nfiles)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->files = files;
	o->multi_file = nfiles > 1;
	sd_out_json_init(&o->j);
	/* a busy capture repeats the same few certificates: describe each once (without
	 * memory for the cache, every one is described each time) */
	o->x509 = sd_x509_cache_new(0);
	o->j.x509 = o->x509;
}

void
sd_out_events_free(struct sd_out_events *o)
{
	sd_out_json_free(&o->j);
	sd_x509_cache_free(o->x509);
	o->x509 = NULL;
}

void
sd_out_event_common(struct sd_json *j, const struct sd_event *ev)
{
	char a[SD_ADDR_STRLEN];

	sd_out_json_str(j, "type", sd_ev_type_name(ev->type));
	sd_out_json_uint(j, "frame", sd_frame_no(ev->frame));
	sd_out_json_ts(j, "ts", ev->ts_sec, ev->ts_nsec);
	sd_out_json_str(j, "transport", sd_ip_proto_name(ev->transport));
	sd_out_json_str(j, "src", sd_ip_addr_str(&ev->src, a));
	sd_out_json_str(j, "dst", sd_ip_addr_str(&ev->dst, a));
	sd_out_json_uint(j, "sport", ev->sport);
	sd_out_json_uint(j, "dport", ev->dport);
	if (ev->carrier != NULL)
		sd_out_json_str(j, "carrier", ev->carrier);
}

/* The flow's OpenVPN: how its control channel is wrapped and what reassembly saw. */
static void
ovpn_obj(struct sd_json *j, const struct sd_ev_ovpn *o)
{
	sd_out_json_obj_begin(j, "openvpn");
	sd_out_json_str(j, "control", o->control);
	if (o->hmac_len > 0)
		sd_out_json_uint(j, "hmac_bytes", o->hmac_len);
	if (o->control != NULL && strcmp(o->control, "tls-crypt") == 0)
		sd_out_json_str(j, "note", "control channel encrypted with tls-crypt, TLS not visible");
	sd_out_json_uint(j, "tls_sessions", o->tls_sessions);
	sd_out_json_uint(j, "control_packets", o->control_packets);
	sd_out_json_uint(j, "data_packets", o->data_packets);
	sd_out_json_uint(j, "duplicates", o->duplicates);
	sd_out_json_uint(j, "reordered", o->reordered);
	sd_out_json_uint(j, "gaps", o->gaps);
	sd_out_json_uint(j, "dropped", o->dropped);
	sd_out_json_uint(j, "malformed", o->malformed);
	sd_out_json_obj_end(j);
}

static void
role_obj(struct sd_json *j, const char *key, const struct sd_ev_flow *r, int role)
{
	sd_out_json_obj_begin(j, key);
	sd_out_json_uint(j, "packets", r->packets[role]);
	sd_out_json_uint(j, "bytes", r->bytes[role]);
	sd_out_json_uint(j, "payload_bytes", r->payload[role]);
	if (r->packets[role] > 0) {
		sd_out_json_uint(j, "ttl", r->ttl_first[role]);
		sd_out_json_uint(j, "ttl_min", r->ttl_min[role]);
		sd_out_json_uint(j, "ttl_max", r->ttl_max[role]);
	} else {
		sd_out_json_null(j, "ttl");
	}
	sd_out_json_bool(j, "fin", r->fin_seen[role]);
	sd_out_json_bool(j, "rst", r->rst_seen[role]);
	sd_out_json_uint(j, "retransmits", r->retransmits[role]);
	sd_out_json_uint(j, "out_of_order", r->ooo[role]);
	sd_out_json_uint(j, "gaps", r->gaps[role]);
	sd_out_json_uint(j, "gap_bytes", r->gap_bytes[role]);
	if (r->tags.sgt_seen & (1u << role))	/* TrustSec: only when that side was tagged */
		sd_out_json_uint(j, "sgt", r->tags.sgt[role]);
	/* present only when non-zero: most connections have none */
	if (r->capture_holes[role] > 0) {
		sd_out_json_uint(j, "capture_holes", r->capture_holes[role]);
		sd_out_json_uint(j, "capture_missed_bytes", r->capture_missed[role]);
	}
	if (r->padded_acks[role] > 0)
		sd_out_json_uint(j, "padded_acks", r->padded_acks[role]);
	sd_out_json_obj_end(j);
}

static void
write_flow(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ev_flow *r = &ev->u.flow;
	static const char *const anom[] = { "memcap", "tcp_gap", "midstream",
		"caplen_cut" };
	size_t i;

	sd_out_json_uint(j, "flow_id", ev->flow_id);
	sd_out_json_str(j, "app", r->app);
	sd_out_json_str(j, "roles_by", r->role_by);
	sd_out_json_uint(j, "first_frame", sd_frame_no(r->first_frame));
	sd_out_json_uint(j, "last_frame", sd_frame_no(r->last_frame));
	sd_out_json_ts(j, "first_ts", r->first_sec, r->first_nsec);
	sd_out_json_ts(j, "last_ts", r->last_sec, r->last_nsec);
	sd_out_json_uint(j, "packets", r->packets[0] + r->packets[1]);
	role_obj(j, "client", r, SD_ROLE_CLIENT);
	role_obj(j, "server", r, SD_ROLE_SERVER);
	if (ev->transport == SD_IPPROTO_TCP) {
		sd_out_json_bool(j, "syn", r->syn_seen);
		sd_out_json_bool(j, "syn_ack", r->synack_seen);
	}
	sd_out_json_uint(j, "ip_fragments", r->fragments);
	sd_out_json_uint(j, "icmp_errors", r->icmp_errors);
	if (r->vlan != 0)
		sd_out_json_uint(j, "vlan", r->vlan);
	sd_out_json_arr_begin(j, "anomalies");
	for (i = 0; i < sizeof(anom) / sizeof(anom[0]); i++)
		if (r->anomalies & (1u << i))
			sd_out_json_str(j, NULL, anom[i]);
	sd_out_json_arr_end(j);
	sd_out_json_str(j, "end", r->end);
	if (r->ovpn.seen)
		ovpn_obj(j, &r->ovpn);
	sd_out_geo_json(j, "source", &ev->src);
	sd_out_geo_json(j, "destination", &ev->dst);
}

/* dns.answer: a DNS response (shakedown keeps them to tie names to addresses). */
static void
write_dns(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_dns_msg *m = ev->u.msg.dns;
	char a[SD_ADDR_STRLEN];
	size_t i;

	if (m == NULL)
		return;
	sd_out_json_uint(j, "id", m->id);
	sd_out_json_uint(j, "rcode", m->rcode);
	sd_out_json_str(j, "qname", m->qname);
	sd_out_json_uint(j, "qtype", m->qtype);
	sd_out_json_bool(j, "truncated", m->truncated);
	sd_out_json_arr_begin(j, "answers");
	for (i = 0; i < m->nan; i++) {
		const struct sd_dns_answer *an = &m->an[i];

		sd_out_json_obj_begin(j, NULL);
		sd_out_json_str(j, "name", an->name);
		sd_out_json_uint(j, "type", an->type);
		sd_out_json_uint(j, "ttl", an->ttl);
		if (an->type == SD_DNS_TYPE_CNAME)
			sd_out_json_str(j, "cname", an->target);
		else
			sd_out_json_str(j, "addr", sd_ip_addr_str(&an->addr, a));
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "answers_total", m->an_total);
	sd_out_json_anomalies(j, m->flags, sd_anom_dns, sd_anom_dns_n);
}

/* capwap.control: a CAPWAP control message in the clear (discovery, or a join's result). */
static void
write_capwap(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_capwap_ctrl *c = ev->u.msg.capwap;
	const char *name;

	if (c == NULL)
		return;
	if (c->enterprise != 0)
		sd_out_json_uint(j, "enterprise", c->enterprise);
	sd_out_json_uint(j, "msg_type", c->msg_type);
	if ((name = sd_capwap_msg_name(c->enterprise, c->msg_type)) != NULL)
		sd_out_json_str(j, "message", name);
	sd_out_json_uint(j, "seq", c->seq);
	sd_out_json_uint(j, "elements", c->nelems);
	if (c->has_result) {
		sd_out_json_uint(j, "result_code", c->result_code);
		if ((name = sd_capwap_result_name(c->result_code)) != NULL)
			sd_out_json_str(j, "result", name);
	}
	if (c->elems_cut)
		sd_out_json_bool(j, "elements_cut", true);
}

static void
write_icmp(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ev_icmp_error *ic = &ev->u.icmp;
	char a[SD_ADDR_STRLEN];

	sd_out_json_uint(j, "icmp_type", ic->itype);
	sd_out_json_uint(j, "icmp_code", ic->icode);
	if (ic->mtu != 0)
		sd_out_json_uint(j, "mtu", ic->mtu);
	sd_out_json_uint(j, "reporter_ttl", ic->reporter_ttl);
	sd_out_json_obj_begin(j, "quoted");
	sd_out_json_str(j, "transport", sd_ip_proto_name(ic->q_proto));
	sd_out_json_str(j, "src", sd_ip_addr_str(&ic->q_src, a));
	sd_out_json_str(j, "dst", sd_ip_addr_str(&ic->q_dst, a));
	sd_out_json_uint(j, "sport", ic->q_sport);
	sd_out_json_uint(j, "dport", ic->q_dport);
	sd_out_json_obj_end(j);
	sd_out_json_uint_opt(j, "flow_id", ic->flow_id != 0, ic->flow_id);
}

static void
write_reset(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;

	sd_out_json_uint(j, "flow_id", ev->flow_id);
	sd_out_json_str(j, "sender", r->sender == SD_ROLE_CLIENT ? "client" : "server");
	sd_out_json_str(j, "phase", sd_tcp_phase_name(r->phase));
	sd_out_json_bool(j, "answers_syn", r->answers_syn);
	sd_out_json_bool(j, "after_client_hello", r->after_client_hello);
	sd_out_json_bool(j, "after_server_hello", r->after_server_hello);
	sd_out_json_uint(j, "ttl", r->ttl);
	if (ev->src.v == 4)
		sd_out_json_uint(j, "ip_id", r->ip_id);
	if (r->peer_ttl_known) {
		sd_out_json_uint(j, "sender_ttl", r->sender_ttl);
		if (ev->src.v == 4)
			sd_out_json_uint(j, "sender_ip_id", r->sender_ip_id);
	} else {
		sd_out_json_null(j, "sender_ttl");
	}
	sd_out_json_uint(j, "client_bytes", r->client_bytes);
	sd_out_json_uint(j, "server_bytes", r->server_bytes);
	sd_out_json_uint(j, "after_frame", sd_frame_no(r->after_frame));
}

static void
write_unanswered(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ev_tcp_unanswered *u = &ev->u.unanswered;

	sd_out_json_uint(j, "flow_id", ev->flow_id);
	sd_out_json_uint(j, "syns", u->syns);
	sd_out_json_uint(j, "first_frame", sd_frame_no(u->first_frame));
	sd_out_json_uint(j, "last_frame", sd_frame_no(u->last_frame));
	sd_out_json_double(j, "duration", u->duration, 6);
	sd_out_json_double(j, "waited", u->waited, 6);
}

static void
write_capture(struct sd_json *j, const struct sd_event *ev)
{
	sd_out_json_str(j, "name", ev->u.capture.name);
	sd_out_json_uint(j, "frames", ev->u.capture.frames);
	sd_out_json_str(j, "error", ev->u.capture.error);
}

static const struct sd_ev_writer writers[SD_EV_NTYPES] = {
	[SD_EV_TLS_CLIENT_HELLO] = { SD_EV_TLS_CLIENT_HELLO, "tls.client_hello",
	    sd_out_ev_client_hello },
	[SD_EV_TLS_SERVER_HELLO] = { SD_EV_TLS_SERVER_HELLO, "tls.server_hello",
	    sd_out_ev_server_hello },
	[SD_EV_TLS_CERTIFICATE] = { SD_EV_TLS_CERTIFICATE, "tls.certificate",
	    sd_out_ev_certificate },
	[SD_EV_TLS_ALERT] = { SD_EV_TLS_ALERT, "tls.alert", sd_out_ev_alert },
	[SD_EV_DTLS_HELLO_VERIFY_REQUEST] = { SD_EV_DTLS_HELLO_VERIFY_REQUEST,
	    "dtls.hello_verify_request", sd_out_ev_hvr },
	[SD_EV_IKE] = { SD_EV_IKE, "ike", sd_out_ev_ike },
	[SD_EV_ESP] = { SD_EV_ESP, "esp", sd_out_ev_esp },
	[SD_EV_TLS_CERTIFICATE_REQUEST] = { SD_EV_TLS_CERTIFICATE_REQUEST,
	    "tls.certificate_request", sd_out_ev_certificate_request },
	[SD_EV_TLS_SERVER_KEY_EXCHANGE] = { SD_EV_TLS_SERVER_KEY_EXCHANGE,
	    "tls.server_key_exchange", sd_out_ev_server_key_exchange },
	[SD_EV_TLS_ENCRYPTED_HANDSHAKE] = { SD_EV_TLS_ENCRYPTED_HANDSHAKE,
	    "tls.encrypted_handshake", sd_out_ev_encrypted_handshake },
	[SD_EV_TLS_SESSION] = { SD_EV_TLS_SESSION, "tls.session", sd_out_ev_session },
	[SD_EV_HTTP_CONNECT] = { SD_EV_HTTP_CONNECT, "http.connect", sd_out_ev_prelude },
	[SD_EV_IKE_EXCHANGE] = { SD_EV_IKE_EXCHANGE, "ike.exchange", sd_out_ev_exchange },
	[SD_EV_IKE_SA] = { SD_EV_IKE_SA, "ike.sa", sd_out_ev_ike_sa },
	[SD_EV_ESP_TUNNEL] = { SD_EV_ESP_TUNNEL, "esp.tunnel", sd_out_ev_tunnel },
	[SD_EV_DNS_ANSWER] = { SD_EV_DNS_ANSWER, "dns.answer", write_dns },
	[SD_EV_PRELUDE] = { SD_EV_PRELUDE, "prelude", sd_out_ev_preamble },
	[SD_EV_CAPWAP_CONTROL] = { SD_EV_CAPWAP_CONTROL, "capwap.control", write_capwap },
	[SD_EV_TCP_UNANSWERED] = { SD_EV_TCP_UNANSWERED, "tcp.unanswered", write_unanswered },
	[SD_EV_TCP_RESET] = { SD_EV_TCP_RESET, "tcp.reset", write_reset },
	[SD_EV_ICMP_ERROR] = { SD_EV_ICMP_ERROR, "icmp.error", write_icmp },
	[SD_EV_FLOW] = { SD_EV_FLOW, "flow", write_flow },
	[SD_EV_CAPTURE] = { SD_EV_CAPTURE, "capture", write_capture },
};

const struct sd_ev_writer *
sd_out_event_writer(enum sd_ev_type t)
{
	return (unsigned)t < SD_EV_NTYPES ? &writers[t] : NULL;
}

const char *
sd_ev_type_name(enum sd_ev_type t)
{
	const struct sd_ev_writer *w = sd_out_event_writer(t);

	return w != NULL && w->name != NULL ? w->name : "unknown";
}

void
sd_out_event(void *ctx, const struct sd_event *ev)
{
	struct sd_out_events *o = ctx;
	const struct sd_ev_writer *w = sd_out_event_writer(ev->type);
	struct sd_json *j = &o->j;

	sd_out_json_reset(j);
	sd_out_json_obj_begin(j, NULL);
	if (ev->type == SD_EV_CAPTURE) {
		/* the end of an input: no addresses */
		sd_out_json_str(j, "type", sd_ev_type_name(ev->type));
		sd_out_json_uint(j, "frame", sd_frame_no(ev->frame));
		sd_out_json_ts(j, "ts", ev->ts_sec, ev->ts_nsec);
	} else {
		sd_out_event_common(j, ev);
		if (o->multi_file && o->files != NULL)
			sd_out_json_str(j, "file", o->files[ev->file_index]);
	}
	if (w != NULL && w->write != NULL)
		w->write(j, ev);
	sd_out_json_obj_end(j);
	if (!sd_out_json_end_line(j, o->f))
		o->write_error = true;
}
