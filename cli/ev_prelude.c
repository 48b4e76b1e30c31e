/* cli/ev_prelude.c - http.connect events (the CONNECT target and the proxy's answer) and
 * prelude events (SOCKS4, MySQL, RDP, stray bytes before a ClientHello). */
#include "cli/ev_prelude.h"

#include <stdio.h>

#include "dissect/prelude.h"

void
sd_out_ev_prelude(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_http_connect *c = ev->u.msg.connect;

	if (ev->type != SD_EV_HTTP_CONNECT || c == NULL)
		return;
	sd_out_json_str(j, "target", c->target);
	if (c->status >= 0) {
		sd_out_json_int(j, "status", c->status);
		sd_out_json_str(j, "reason", c->reason);
	} else {
		sd_out_json_null(j, "status");
		sd_out_json_null(j, "reason");
	}
	if (c->proxy_agent[0] != '\0')
		sd_out_json_str(j, "proxy_agent", c->proxy_agent);
	if (c->server[0] != '\0')
		sd_out_json_str(j, "server", c->server);
	sd_out_json_uint(j, "request_frame", sd_frame_no(c->request_frame));
	sd_out_json_uint_opt(j, "answered_frame", c->status >= 0, sd_frame_no(c->answered_frame));
	/* how an unanswered CONNECT ended: the proxy's FIN or RST, the client, the capture */
	if (c->status < 0) {
		sd_out_json_str(j, "end", c->end);
		if (c->end_frame != 0)
			sd_out_json_uint(j, "end_frame", sd_frame_no(c->end_frame));
	}
}

/* RDP protocol bits as names ("ssl", "hybrid"...), unknown bits as numbers. */
static void
rdp_protocols(struct sd_json *j, const char *key, uint32_t bits)
{
	char num[16];
	uint32_t b;

	sd_out_json_arr_begin(j, key);
	if (bits == 0)
		sd_out_json_str(j, NULL, sd_rdp_protocol_name(0));	/* standard RDP security */
	for (b = 1; b != 0; b <<= 1) {
		if ((bits & b) == 0)
			continue;
		if (sd_rdp_protocol_name(b) != NULL) {
			sd_out_json_str(j, NULL, sd_rdp_protocol_name(b));
		} else {
			(void)snprintf(num, sizeof(num), "0x%x", b);
			sd_out_json_str(j, NULL, num);
		}
	}
	sd_out_json_arr_end(j);
}

static void
write_mysql(struct sd_json *j, const struct sd_preamble_ev *e)
{
	char caps[16];

	if (e->greeting) {
		sd_out_json_str(j, "server_version", e->server_version);
		sd_out_json_bool(j, "server_tls", (e->server_caps & 0x800) != 0);
		(void)snprintf(caps, sizeof(caps), "0x%08x", e->server_caps);
		sd_out_json_str(j, "server_capabilities", caps);
	}
	if (e->client_seen) {
		sd_out_json_bool(j, "client_tls", (e->client_caps & 0x800) != 0);
		(void)snprintf(caps, sizeof(caps), "0x%08x", e->client_caps);
		sd_out_json_str(j, "client_capabilities", caps);
	}
	if (e->error_code >= 0) {
		sd_out_json_int(j, "error_code", e->error_code);
		sd_out_json_str(j, "error", e->error);
	}
}

static void
write_rdp(struct sd_json *j, const struct sd_preamble_ev *e)
{
	const char *name;

	if (e->cookie[0] != '\0')
		sd_out_json_str(j, "cookie", e->cookie);
	if (e->neg_req)
		rdp_protocols(j, "requested_protocols", e->requested);
	if (e->neg_type == 2) {
		name = sd_rdp_protocol_name(e->neg_value);
		if (name != NULL) {
			sd_out_json_str(j, "selected_protocol", name);
		} else {
			sd_out_json_uint(j, "selected_protocol", e->neg_value);
		}
	} else if (e->neg_type == 3) {
		sd_out_json_uint(j, "failure_code", e->neg_value);
		sd_out_json_str(j, "failure", sd_rdp_failure_name(e->neg_value));
	}
}

void
sd_out_ev_preamble(struct sd_json *j, const struct sd_event *ev)
{
	const struct sd_preamble_ev *e = ev->u.msg.pre;

	if (ev->type != SD_EV_PRELUDE || e == NULL)
		return;
	sd_out_json_str(j, "kind", e->kind == SD_PREAMBLE_SOCKS4 && e->socks4a ? "socks4a" :
	    sd_preamble_name(e->kind));
	sd_out_json_str(j, "outcome", e->outcome);
	if (e->note != NULL)
		sd_out_json_str(j, "note", e->note);
	switch (e->kind) {
	case SD_PREAMBLE_SOCKS4:
		sd_out_json_str(j, "target", e->target);
		if (e->user[0] != '\0')
			sd_out_json_str(j, "user", e->user);
		if (e->reply >= 0) {
			sd_out_json_int(j, "reply_code", e->reply);
			sd_out_json_str(j, "reply", sd_socks4_reply_text(e->reply));
		}
		break;
	case SD_PREAMBLE_MYSQL:
		write_mysql(j, e);
		break;
	case SD_PREAMBLE_RDP:
		write_rdp(j, e);
		break;
	case SD_PREAMBLE_STRAY:
		sd_out_json_uint(j, "skipped", e->skipped);
		break;
	default:
		break;
	}
	sd_out_json_uint_opt(j, "request_frame", e->request_frame != 0,
	    sd_frame_no(e->request_frame));
	sd_out_json_uint_opt(j, "answered_frame", e->answered_frame != 0,
	    sd_frame_no(e->answered_frame));
}
