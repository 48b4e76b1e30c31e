/* cli/ev_ike.c - JSON fields of the `ike` and `esp` events (shared/spec/events.md). */
#include "cli/ev_ike.h"

#include <stdio.h>

#include "engine/ipsec_types.h"
#include "dissect/anomaly.h"
#include "dissect/esp.h"
#include "dissect/ike.h"
#include "dissect/ike_names.h"


static void
tri(struct sd_json *j, const char *key, int8_t v)
{
	if (v < 0)
		sd_out_json_null(j, key);
	else
		sd_out_json_bool(j, key, v != 0);
}

static void
write_nat(struct sd_json *j, const struct sd_ike_nat *n)
{
	if (!n->checked) {
		sd_out_json_null(j, "nat");
		return;
	}
	sd_out_json_obj_begin(j, "nat");
	tri(j, "initiator_behind_nat", n->initiator_behind_nat);
	tri(j, "responder_behind_nat", n->responder_behind_nat);
	sd_out_json_bool(j, "checked", true);
	sd_out_json_str(j, "hash", n->hash);
	if (n->hash_assumed)
		sd_out_json_bool(j, "hash_assumed", true);
	sd_out_json_obj_end(j);
}

static void
write_exchange(struct sd_json *j, const struct sd_ike_exchange *x)
{
	char a[SD_ADDR_STRLEN];
	size_t i;

	sd_out_json_uint(j, "version", x->version);
	sd_out_json_uint(j, "exchange", x->exchange);
	sd_out_json_str(j, "exchange_name", sd_ike_exchange_name(x->version, x->exchange));
	sd_out_json_hex(j, "ispi", x->ispi, sizeof(x->ispi));
	sd_out_json_hex(j, "rspi", x->rspi, sizeof(x->rspi));
	sd_out_json_uint(j, "message_id", x->message_id);
	sd_out_json_str(j, "initiator_addr", sd_ip_addr_str(&x->initiator_addr, a));
	sd_out_json_str(j, "responder_addr", sd_ip_addr_str(&x->responder_addr, a));
	sd_out_json_uint_opt(j, "request_frame", x->request_frame != 0, sd_frame_no(x->request_frame));
	sd_out_json_uint_opt(j, "response_frame", x->answered, sd_frame_no(x->response_frame));
	sd_out_json_bool(j, "answered", x->answered);
	sd_out_json_uint(j, "retransmits", x->retransmits);
	if (x->answered && x->request_frame != 0)
		sd_out_json_double(j, "rtt_ms", (double)(x->resp_sec - x->req_sec) * 1e3 +
		    ((double)x->resp_nsec - (double)x->req_nsec) / 1e6, 3);
	else
		sd_out_json_null(j, "rtt_ms");
	sd_out_json_arr_begin(j, "notify");
	for (i = 0; i < x->nnotify; i++) {
		const char *n = sd_ike_notify_name(x->version, x->notify[i]);

		if (n != NULL)
			sd_out_json_str(j, NULL, n);
		else
			sd_out_json_uint(j, NULL, x->notify[i]);
	}
	sd_out_json_arr_end(j);
	if (x->error != 0) {
		const char *n = sd_ike_notify_name(x->version, x->error);

		if (n != NULL)
			sd_out_json_str(j, "error", n);
		else
			sd_out_json_uint(j, "error", x->error);
	} else {
		sd_out_json_null(j, "error");
	}
	sd_out_json_bool(j, "nat_t", x->nat_t);
	sd_out_json_uint(j, "fragments", x->fragments);
	sd_out_json_uint(j, "ip_fragments", x->ip_fragments);
	if (x->has_nat)
		write_nat(j, &x->nat);
	/* extras */
	sd_out_json_bool(j, "expects_response", x->expects_response);
	sd_out_json_uint(j, "messages", x->messages);
	sd_out_json_uint(j, "response_retransmits", x->response_retransmits);
	if (x->tcp)
		sd_out_json_bool(j, "tcp_encap", true);
}

static void
write_sa(struct sd_json *j, const struct sd_ike_sa *s)
{
	char a[SD_ADDR_STRLEN];
	size_t i;

	sd_out_json_hex(j, "ispi", s->ispi, sizeof(s->ispi));
	sd_out_json_hex(j, "rspi", s->rspi, sizeof(s->rspi));
	sd_out_json_uint(j, "version", s->version);
	sd_out_json_str(j, "initiator", sd_ip_addr_str(&s->initiator, a));
	sd_out_json_str(j, "responder", sd_ip_addr_str(&s->responder, a));
	sd_out_json_uint_opt(j, "init_frame", s->init_frame != 0, sd_frame_no(s->init_frame));
	sd_out_json_bool(j, "established", s->established);
	sd_out_json_uint_opt(j, "auth_frame", s->auth_frame != 0, sd_frame_no(s->auth_frame));
	sd_out_json_arr_begin(j, "rekeys");
	for (i = 0; i < s->nrekeys; i++)
		sd_out_json_uint(j, NULL, s->rekeys[i]);
	sd_out_json_arr_end(j);
	sd_out_json_uint_opt(j, "deleted_frame", s->deleted_frame != 0, sd_frame_no(s->deleted_frame));
	sd_out_json_uint(j, "informational", s->informational);
	sd_out_json_obj_begin(j, "dpd");
	sd_out_json_uint(j, "requests", s->dpd_requests);
	sd_out_json_uint(j, "answered", s->dpd_answered);
	sd_out_json_obj_end(j);
	sd_out_json_double(j, "duration_s", (double)(s->last_sec - s->first_sec) +
	    ((double)s->last_nsec - (double)s->first_nsec) / 1e9, 3);
	sd_out_json_arr_begin(j, "steps");
	for (i = 0; i < s->nsteps; i++) {
		sd_out_json_obj_begin(j, NULL);
		sd_out_json_str(j, "step", s->steps[i].step);
		sd_out_json_uint(j, "frame", sd_frame_no(s->steps[i].frame));
		if (s->steps[i].ms >= 0)
			sd_out_json_double(j, "ms", s->steps[i].ms, 3);
		else
			sd_out_json_null(j, "ms");
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	write_nat(j, &s->nat);
	/* extras */
	sd_out_json_str(j, "established_by", s->established_by);
	sd_out_json_bool(j, "delete_inferred", s->delete_inferred);
	sd_out_json_uint(j, "exchanges", s->exchanges);
	sd_out_json_uint(j, "unanswered", s->unanswered);
	sd_out_json_uint(j, "rekeys_total", s->nrekeys_total);
	sd_out_json_uint(j, "steps_total", s->nsteps_total);
	sd_out_json_uint(j, "first_frame", sd_frame_no(s->first_frame));
	sd_out_json_uint(j, "last_frame", sd_frame_no(s->last_frame));
	sd_out_json_str(j, "end", s->end);
}

static const char *
encap_name(bool udp, bool tcp)
{
	return udp ? "udp" : tcp ? "tcp" : "none";
}

static void
write_dir(struct sd_json *j, const char *key, const struct sd_esp_tunnel *tn, int d)
{
	sd_out_json_obj_begin(j, key);
	sd_out_json_uint(j, "packets", tn->dir[d].packets);
	sd_out_json_uint(j, "bytes", tn->dir[d].bytes);
	if (tn->dir[d].packets > 0) {
		sd_out_json_ts(j, "first_ts", tn->dir[d].first_sec, tn->dir[d].first_nsec);
		sd_out_json_ts(j, "last_ts", tn->dir[d].last_sec, tn->dir[d].last_nsec);
	} else {
		sd_out_json_null(j, "first_ts");
		sd_out_json_null(j, "last_ts");
	}
	sd_out_json_obj_end(j);
}

static void
write_tunnel(struct sd_json *j, const struct sd_esp_tunnel *tn)
{
	char a[SD_ADDR_STRLEN], spi[9];
	size_t i;

	sd_out_json_arr_begin(j, "gateways");
	sd_out_json_str(j, NULL, sd_ip_addr_str(&tn->a, a));
	sd_out_json_str(j, NULL, sd_ip_addr_str(&tn->b, a));
	sd_out_json_arr_end(j);
	sd_out_json_str(j, "encap", encap_name(tn->udp_encap, tn->tcp_encap));
	sd_out_json_arr_begin(j, "sas");
	for (i = 0; i < tn->nsas; i++) {
		const struct sd_esp_sa *sa = tn->sas[i];

		sd_out_json_obj_begin(j, NULL);
		(void)snprintf(spi, sizeof(spi), "%08x", (unsigned)sa->spi);
		sd_out_json_str(j, "spi", spi);
		sd_out_json_str(j, "src", sd_ip_addr_str(&sa->src, a));
		sd_out_json_str(j, "dst", sd_ip_addr_str(&sa->dst, a));
		sd_out_json_bool(j, "udp_encap", sa->udp_encap);
		sd_out_json_uint(j, "packets", sa->packets);
		sd_out_json_uint(j, "bytes", sa->bytes);
		sd_out_json_uint(j, "first_frame", sd_frame_no(sa->first_frame));
		sd_out_json_uint(j, "last_frame", sd_frame_no(sa->last_frame));
		sd_out_json_uint(j, "seq_first", sa->seq_first);
		sd_out_json_uint(j, "seq_last", sa->seq_last);
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	write_dir(j, "a_to_b", tn, 0);
	write_dir(j, "b_to_a", tn, 1);
	sd_out_json_bool(j, "one_way", tn->one_way);
	if (tn->interim)
		sd_out_json_bool(j, "interim", true);
}

void
sd_out_ev_exchange(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.exchange != NULL)
		write_exchange(j, ev->u.msg.exchange);
}

void
sd_out_ev_ike_sa(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.ike_sa != NULL)
		write_sa(j, ev->u.msg.ike_sa);
}

void
sd_out_ev_tunnel(struct sd_json *j, const struct sd_event *ev)
{
	if (ev->u.msg.tunnel != NULL)
		write_tunnel(j, ev->u.msg.tunnel);
}

void
sd_out_ev_ike(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ike_msg *m = ev->u.msg.ike;
	size_t i;

	if (m == NULL)
		return;
	sd_out_json_uint(j, "version", m->version);
	sd_out_json_uint(j, "exchange", m->exchange);
	sd_out_json_hex(j, "ispi", m->ispi, sizeof(m->ispi));
	sd_out_json_hex(j, "rspi", m->rspi, sizeof(m->rspi));
	sd_out_json_uint(j, "message_id", m->message_id);
	sd_out_json_bool(j, "initiator", m->initiator);
	sd_out_json_bool(j, "response", m->response);
	sd_out_json_bool(j, "encrypted", m->encrypted);
	sd_out_json_arr_begin(j, "payloads");
	for (i = 0; i < m->npayloads; i++)
		sd_out_json_uint(j, NULL, m->payloads[i]);
	sd_out_json_arr_end(j);
	sd_out_json_arr_begin(j, "notify");
	for (i = 0; i < m->nnotify; i++)
		sd_out_json_uint(j, NULL, m->notify[i].type);
	sd_out_json_arr_end(j);
	sd_out_json_arr_begin(j, "vendor_ids");
	for (i = 0; i < m->nvid; i++)
		sd_out_json_hex(j, NULL, m->vid[i].p, m->vid[i].len);
	sd_out_json_arr_end(j);
	sd_out_json_arr_begin(j, "transforms");
	for (i = 0; i < m->ntransforms; i++) {
		sd_out_json_arr_begin(j, NULL);
		sd_out_json_uint(j, NULL, m->transforms[i].type);
		sd_out_json_uint(j, NULL, m->transforms[i].id);
		sd_out_json_arr_end(j);
	}
	sd_out_json_arr_end(j);
	sd_out_json_bool(j, "nat_t", m->nat_t);
	if (m->has_fragment) {
		sd_out_json_obj_begin(j, "fragment");
		sd_out_json_uint(j, "number", m->frag_number);
		sd_out_json_uint(j, "total", m->frag_total);
		sd_out_json_obj_end(j);
	} else {
		sd_out_json_null(j, "fragment");
	}
	/* extras beyond the contract */
	if (m->has_v1_frag) {
		sd_out_json_obj_begin(j, "v1_fragment");
		sd_out_json_uint(j, "id", m->v1_frag_id);
		sd_out_json_uint(j, "number", m->v1_frag_number);
		sd_out_json_bool(j, "last", m->v1_frag_last);
		sd_out_json_obj_end(j);
	}
	sd_out_json_str(j, "exchange_name", sd_ike_exchange_name(m->version, m->exchange));
	sd_out_json_uint(j, "length", m->length);
	sd_out_json_uint(j, "flags", m->hdr_flags);
	sd_out_json_uint(j, "retransmits", m->retransmits);
	if (m->has_ke && m->version == 2)
		sd_out_json_uint(j, "ke_group", m->ke_group);
	sd_out_json_arr_begin(j, "vendor_names");
	for (i = 0; i < m->nvid; i++)
		sd_out_json_str(j, NULL, sd_ike_vid_name(m->vid[i].p, m->vid[i].len));
	sd_out_json_arr_end(j);
	sd_out_json_anomalies(j, m->flags, sd_anom_ike, sd_anom_ike_n);
	if (m->retransmit)
		sd_out_json_bool(j, "retransmit", true);
	if (m->ip_fragments > 0)
		sd_out_json_uint(j, "ip_fragments", m->ip_fragments);
	if (m->tcp_encap)
		sd_out_json_bool(j, "tcp_encap", true);
}

void
sd_out_ev_esp(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_esp_sa *sa = ev->u.msg.esp;
	char spi[9];

	if (sa == NULL)
		return;
	(void)snprintf(spi, sizeof(spi), "%08x", (unsigned)sa->spi);
	sd_out_json_str(j, "spi", spi);
	sd_out_json_bool(j, "udp_encap", sa->udp_encap);
	sd_out_json_uint(j, "packets", sa->packets);
	sd_out_json_uint(j, "first_frame", sd_frame_no(sa->first_frame));
	sd_out_json_uint(j, "last_frame", sd_frame_no(sa->last_frame));
	sd_out_json_uint(j, "seq_first", sa->seq_first);
	sd_out_json_uint(j, "seq_last", sa->seq_last);
	/* extras beyond the contract */
	sd_out_json_uint(j, "bytes", sa->bytes);
	sd_out_json_ts(j, "first_ts", sa->first_sec, sa->first_nsec);
	sd_out_json_ts(j, "last_ts", sa->last_sec, sa->last_nsec);
	sd_out_json_uint(j, "gaps", sa->gaps);
	sd_out_json_uint(j, "missing", sa->missing);
	sd_out_json_uint(j, "replays", sa->replays);
	sd_out_json_uint(j, "reordered", sa->reordered);
	sd_out_json_uint(j, "stale", sa->stale);
	if (sa->tcp_encap)
		sd_out_json_str(j, "encap", "tcp");
}
