/* dissect/event.c - names of event types and TCP phases (the JSON "type" strings). */
#include "dissect/event.h"

static const char *const type_names[SD_EV_NTYPES] = {
	[SD_EV_TLS_CLIENT_HELLO] = "tls.client_hello",
	[SD_EV_TLS_SERVER_HELLO] = "tls.server_hello",
	[SD_EV_TLS_CERTIFICATE] = "tls.certificate",
	[SD_EV_TLS_ALERT] = "tls.alert",
	[SD_EV_DTLS_HELLO_VERIFY_REQUEST] = "dtls.hello_verify_request",
	[SD_EV_IKE] = "ike",
	[SD_EV_ESP] = "esp",
	[SD_EV_TLS_CERTIFICATE_REQUEST] = "tls.certificate_request",
	[SD_EV_TLS_SERVER_KEY_EXCHANGE] = "tls.server_key_exchange",
	[SD_EV_TLS_ENCRYPTED_HANDSHAKE] = "tls.encrypted_handshake",
	[SD_EV_TLS_SESSION] = "tls.session",
	[SD_EV_HTTP_CONNECT] = "http.connect",
	[SD_EV_IKE_EXCHANGE] = "ike.exchange",
	[SD_EV_IKE_SA] = "ike.sa",
	[SD_EV_ESP_TUNNEL] = "esp.tunnel",
	[SD_EV_DNS_ANSWER] = "dns.answer",
	[SD_EV_TCP_UNANSWERED] = "tcp.unanswered",
	[SD_EV_TCP_RESET] = "tcp.reset",
	[SD_EV_ICMP_ERROR] = "icmp.error",
	[SD_EV_FLOW] = "flow",
	[SD_EV_CAPTURE] = "capture",
};

const char *
sd_ev_type_name(enum sd_ev_type t)
{
	if ((unsigned)t < SD_EV_NTYPES && type_names[t] != 0)
		return type_names[t];
	return "unknown";
}

const char *
sd_tcp_phase_name(enum sd_tcp_phase p)
{
	switch (p) {
	case SD_PHASE_SYN_SENT:
		return "syn_sent";
	case SD_PHASE_SYN_ACKED:
		return "established";
	case SD_PHASE_CLIENT_DATA:
		return "client_data";
	case SD_PHASE_DATA:
		return "data";
	case SD_PHASE_CLOSING:
		return "closing";
	case SD_PHASE_MIDSTREAM:
		return "midstream";
	}
	return "unknown";
}
