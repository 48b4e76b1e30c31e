/* cli/ev_prelude.c - http.connect events: the CONNECT target and the proxy's answer. */
#include "cli/ev_prelude.h"

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
