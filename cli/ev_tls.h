/* cli/ev_tls.h - the tls.* and dtls.* fields of --events lines (shared/spec/events.md). */
#ifndef SD_CLI_EV_TLS_H
#define SD_CLI_EV_TLS_H

#include "cli/json.h"
#include "dissect/event.h"

/*
 * Append the type-specific fields of one TLS/DTLS message event to the open object; the
 * caller writes the common fields first and closes the object.  Each reads its own
 * member of ev->u.msg (dissect/tls.h); certificates are described through analyze/x509.h.
 * cli/out_events.c pairs each with its event type.
 */
void	sd_out_ev_client_hello(struct sd_json *, const struct sd_event *);
void	sd_out_ev_server_hello(struct sd_json *, const struct sd_event *);
void	sd_out_ev_certificate(struct sd_json *, const struct sd_event *);
void	sd_out_ev_alert(struct sd_json *, const struct sd_event *);
void	sd_out_ev_hvr(struct sd_json *, const struct sd_event *);
void	sd_out_ev_certificate_request(struct sd_json *, const struct sd_event *);
void	sd_out_ev_server_key_exchange(struct sd_json *, const struct sd_event *);
void	sd_out_ev_encrypted_handshake(struct sd_json *, const struct sd_event *);
void	sd_out_ev_session(struct sd_json *, const struct sd_event *);
/* A ProtocolNameList body, (len8, name)*, as an array of names (escaped by the writer). */
void	sd_out_ev_alpn_list(struct sd_json *, const char *key, struct sd_rd list);

#endif /* SD_CLI_EV_TLS_H */
