/* cli/ev_ike.c - JSON fields of the `ike` and `esp` events (shared/spec/events.md). */
#include "cli/ev_ike.h"

#include <stdio.h>

#include "dissect/esp.h"
#include "dissect/ike.h"
#include "dissect/ike_names.h"

static const struct {
	uint32_t	 bit;
	const char	*name;
} ike_anoms[] = {
	{ SD_IKE_F_TRUNCATED, "truncated" },
	{ SD_IKE_F_TRAILING, "trailing_bytes" },
	{ SD_IKE_F_BAD_PAYLOAD_LEN, "bad_payload_length" },
	{ SD_IKE_F_BAD_PAYLOAD, "bad_payload" },
	{ SD_IKE_F_TOO_MANY, "too_many_items" },
	{ SD_IKE_F_SK_NOT_LAST, "sk_not_last" },
	{ SD_IKE_F_UNKNOWN_PAYLOAD, "unknown_payload" },
	{ SD_IKE_F_CRITICAL_UNKNOWN, "critical_unknown_payload" },
	{ SD_IKE_F_BAD_FRAGMENT, "bad_fragment" },
	{ SD_IKE_F_BAD_VERSION, "bad_version" },
	{ SD_IKE_F_LENGTH_SHORT, "length_short" },
};

void
sd_out_ev_ike(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_ike_msg *m = ev->u.msg;
	size_t i;

	if (m == NULL || ev->type != SD_EV_IKE)
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
	sd_out_json_arr_begin(j, "anomalies");
	for (i = 0; i < sizeof(ike_anoms) / sizeof(ike_anoms[0]); i++)
		if (m->flags & ike_anoms[i].bit)
			sd_out_json_str(j, NULL, ike_anoms[i].name);
	sd_out_json_arr_end(j);
}

void
sd_out_ev_esp(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_esp_sa *sa = ev->u.msg;
	char spi[9];

	if (sa == NULL)
		return;
	(void)snprintf(spi, sizeof(spi), "%08x", (unsigned)sa->spi);
	sd_out_json_str(j, "spi", spi);
	sd_out_json_bool(j, "udp_encap", sa->udp_encap);
	sd_out_json_uint(j, "packets", sa->packets);
	sd_out_json_uint(j, "first_frame", sa->first_frame);
	sd_out_json_uint(j, "last_frame", sa->last_frame);
	sd_out_json_uint(j, "seq_first", sa->seq_first);
	sd_out_json_uint(j, "seq_last", sa->seq_last);
	/* extras beyond the contract */
	sd_out_json_uint(j, "bytes", sa->bytes);
	sd_out_json_ts(j, "last_ts", sa->last_sec, sa->last_nsec);
	sd_out_json_uint(j, "gaps", sa->gaps);
	sd_out_json_uint(j, "missing", sa->missing);
	sd_out_json_uint(j, "replays", sa->replays);
	sd_out_json_uint(j, "reordered", sa->reordered);
	sd_out_json_uint(j, "stale", sa->stale);
}
