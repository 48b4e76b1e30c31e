/* cli/ev_prelude.h - the http.connect fields of --events lines (docs/events.md). */
#ifndef SD_CLI_EV_PRELUDE_H
#define SD_CLI_EV_PRELUDE_H

#include "cli/json.h"
#include "dissect/event.h"

/*
 * Append the fields of an SD_EV_HTTP_CONNECT event (ev->u.msg: struct sd_http_connect,
 * dissect/prelude.h) to the open object; other types: nothing is written.
 */
void	sd_out_ev_prelude(struct sd_json *, const struct sd_event *);
/* The fields of an SD_EV_PRELUDE event (struct sd_preamble_ev); other types: nothing. */
void	sd_out_ev_preamble(struct sd_json *, const struct sd_event *);

#endif /* SD_CLI_EV_PRELUDE_H */
