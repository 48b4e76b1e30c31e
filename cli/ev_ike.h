/* cli/ev_ike.h - the ike, ike.exchange, ike.sa, esp and esp.tunnel fields of --events lines
 * (shared/spec/events.md, docs/events.md). */
#ifndef SD_CLI_EV_IKE_H
#define SD_CLI_EV_IKE_H

#include "cli/json.h"
#include "dissect/event.h"

/*
 * Append the type-specific fields of one event to the open object; the caller writes the
 * common fields first and closes the object.  Each reads its own member of ev->u.msg
 * (dissect/ike.h, engine/ipsec_types.h); cli/out_events.c pairs each with its type.
 */
void	sd_out_ev_ike(struct sd_json *, const struct sd_event *);
void	sd_out_ev_exchange(struct sd_json *, const struct sd_event *);
void	sd_out_ev_ike_sa(struct sd_json *, const struct sd_event *);
void	sd_out_ev_esp(struct sd_json *, const struct sd_event *);
void	sd_out_ev_tunnel(struct sd_json *, const struct sd_event *);

#endif /* SD_CLI_EV_IKE_H */
