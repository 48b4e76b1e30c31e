/* cli/ev_ike.h - the `ike` and `esp` fields of --events lines (shared/spec/events.md). */
#ifndef SD_CLI_EV_IKE_H
#define SD_CLI_EV_IKE_H

#include "cli/json.h"
#include "dissect/event.h"

/*
 * Append the type-specific fields of an SD_EV_IKE event (ev->u.msg: const struct
 * sd_ike_msg *) or an SD_EV_ESP event (ev->u.msg: const struct sd_esp_sa *) to the open
 * object; the caller writes the common fields first and closes the object.
 */
void	sd_out_ev_ike(struct sd_json *, const struct sd_event *);
void	sd_out_ev_esp(struct sd_json *, const struct sd_event *);

#endif /* SD_CLI_EV_IKE_H */
