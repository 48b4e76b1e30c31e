/* cli/ev_tls.h - the tls.* and dtls.* fields of --events lines (shared/spec/events.md). */
#ifndef SD_CLI_EV_TLS_H
#define SD_CLI_EV_TLS_H

#include "cli/json.h"
#include "dissect/event.h"

/*
 * Append the type-specific fields of a TLS/DTLS message event to the open object; the
 * caller writes the common fields first and closes the object.  ev->u.msg points to the
 * dissector's struct for ev->type (dissect/tls.h): SD_EV_TLS_CLIENT_HELLO
 * struct sd_tls_client_hello, SD_EV_TLS_SERVER_HELLO struct sd_tls_server_hello,
 * SD_EV_TLS_CERTIFICATE struct sd_tls_certificate (each DER described through
 * analyze/x509.h), SD_EV_TLS_ALERT struct sd_tls_alert, SD_EV_DTLS_HELLO_VERIFY_REQUEST
 * struct sd_dtls_hello_verify_request.  Other types: nothing is written.
 */
void	sd_out_ev_tls(struct sd_json *, const struct sd_event *);

#endif /* SD_CLI_EV_TLS_H */
