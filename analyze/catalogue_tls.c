/* analyze/catalogue_tls.c - negotiation kinds (rules_tls.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_tls[] = {
	{ "tls.no_shared_cipher", SD_SEV_HIGH,
	  "No cipher suite in common",
	  "The server refused the ClientHello with a fatal handshake_failure or "
	  "insufficient_security alert before any ServerHello: none of the cipher suites the "
	  "client offered is enabled on the server (a legacy client offering only RSA or CBC "
	  "suites against a hardened server, or the reverse).",
	  "Compare the offered suites shown with the server's cipher configuration; enable a "
	  "suite both support (ECDHE with AES-GCM for TLS 1.2) on the server, or update the "
	  "client's TLS library or its cipher list." },
	{ "tls.no_shared_version", SD_SEV_HIGH,
	  "No protocol version in common",
	  "The server answered the ClientHello with a protocol_version alert, or chose a "
	  "version the client did not offer: the client's and the server's enabled TLS "
	  "versions do not overlap (a TLS 1.3-only server and a TLS 1.2 client, a client "
	  "still limited to TLS 1.0/1.1).",
	  "Enable a common version: TLS 1.2 on the server for old clients, or update the "
	  "client (and its MinProtocol/security level) to TLS 1.2 or 1.3." },
	{ "tls.no_shared_group", SD_SEV_HIGH,
	  "No key exchange group in common (TLS 1.3)",
	  "A TLS 1.3-only ClientHello that offers the mandatory TLS_AES_128_GCM_SHA256 suite "
	  "was refused with handshake_failure: the (EC)DHE groups the client offers "
	  "(supported_groups) and the server's do not overlap.",
	  "Configure a common group on both sides (X25519 and secp256r1 are the usual ones): "
	  "the server's and the client's -groups / ssl_ecdh_curve settings." },
	{ "tls.hello_retry_loop", SD_SEV_HIGH,
	  "HelloRetryRequest did not lead to a handshake",
	  "In TLS 1.3 the server asked the client to retry with another key share "
	  "(HelloRetryRequest) and then either asked again or failed the handshake: client "
	  "and server disagree about the groups or the client cannot produce the share asked "
	  "for. A second ClientHello without a share for the group asked for was built or "
	  "altered wrongly: compare it with the client's own capture to find a middlebox that "
	  "rewrites ClientHellos.",
	  "Check the group lists of both sides (the HRR names the group the server wants); "
	  "capture on both sides of firewalls, proxies and load balancers to find one that "
	  "alters ClientHellos, and update or bypass it." },
	{ "tls.client_certificate_missing", SD_SEV_HIGH,
	  "Client certificate required but not sent",
	  "The server asked for a client certificate (CertificateRequest), the client answered "
	  "with an empty Certificate and the server aborted the handshake.",
	  "Install a client certificate (and key) issued by a CA the server accepts on the "
	  "client or its profile, or relax the server's client-certificate requirement for "
	  "this client." },
	{ "dtls.alert_after_resumption", SD_SEV_MEDIUM,
	  "DTLS fatal alert right after a resumption attempt",
	  "A DTLS client offered to resume a session and the peer answered with a fatal "
	  "alert before any certificate. A server may resume a session only with the session's "
	  "own cipher suite and version: a client whose cipher or version settings changed "
	  "since the session was made (a VPN client's DTLS cipher option, an update) gets "
	  "illegal_parameter. Otherwise the session state differs between the nodes behind a "
	  "load balancer, or a DTLS stack mishandles resumption.",
	  "Make the client offer the session's cipher suite and version again, or have it drop "
	  "its cached session (disable resumption) after a configuration change; share one "
	  "session cache and ticket key between the server's nodes." },
	{ "tls.fatal_alert", SD_SEV_MEDIUM,
	  "Fatal TLS alert",
	  "One side ended the connection with a fatal alert that no more specific rule "
	  "explains; the finding names the sender and the message it answered. The severity "
	  "follows the alert (handshake-stopping alerts are high).",
	  "Read the alert against the message it answered: decode_error or illegal_parameter "
	  "point at an implementation or middlebox bug, internal_error at the sender's logs, "
	  "unrecognized_name at the server's virtual-host configuration." },
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_tls_n = sizeof(sd_kinds_tls) / sizeof(sd_kinds_tls[0]) - 1;
