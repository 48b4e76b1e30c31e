/* analyze/catalogue_trust.c - trust kinds (rules_trust.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_trust[] = {
	{ "tls.certificate_rejected", SD_SEV_HIGH,
	  "The client rejected the server's certificate",
	  "Right after the server's Certificate flight the client sent a fatal certificate "
	  "alert (bad_certificate, unsupported_certificate, certificate_revoked, "
	  "certificate_expired, certificate_unknown, unknown_ca, access_denied or "
	  "decrypt_error) and the handshake ended. shakedown's own check of the chain found "
	  "nothing wrong, so the client judges by another trust store, by revocation or by "
	  "a policy of its own.",
	  "Compare the client's trust store with the chain shown (root distributed to the "
	  "client, corporate CA, pinned certificate), check revocation (CRL/OCSP reachable "
	  "from the client) and the client's own logs for the exact reason." },
	{ "tls.chain_untrusted", SD_SEV_HIGH,
	  "Certificate chain does not verify against the trust store",
	  "The server's chain does not lead to a trusted root at the capture time: the leaf "
	  "is self-signed, the chain ends in a root that is not trusted, or an issuer is "
	  "missing (the server does not send its intermediate, or the issuing CA is not in "
	  "the store). Clients that verify (browsers, curl, Python, Java) refuse it.",
	  "Self-signed or private root: install a certificate from a CA the clients trust, "
	  "or distribute the root to them (and give it to shakedown with --ca-file). Missing "
	  "issuer: configure the server to send the full chain (leaf plus intermediates, "
	  "e.g. fullchain.pem)." },
	{ "tls.certificate_expired", SD_SEV_HIGH,
	  "Certificate expired at the time of the capture",
	  "A certificate of the server's chain (the leaf, or an intermediate) was past its "
	  "notAfter date when the connection was captured.",
	  "Renew the certificate (or the intermediate) and reload the server; check that "
	  "automatic renewal runs and that the server was restarted after it." },
	{ "tls.certificate_not_yet_valid", SD_SEV_HIGH,
	  "Certificate not yet valid at the time of the capture",
	  "A certificate of the server's chain had a notBefore date later than the "
	  "connection: either it was deployed before its start date or a clock is wrong "
	  "(the client's, or the capture host's).",
	  "Check the clocks of client, server and capture host (NTP); otherwise wait for the "
	  "start date or reissue the certificate with a validity that starts now." },
	{ "tls.weak_certificate", SD_SEV_MEDIUM,
	  "Weak certificate: small RSA key or SHA-1/MD5 signature",
	  "A certificate of the chain has an RSA or DSA key under 2048 bits, or (when it is "
	  "not a self-signed root) a SHA-1 or MD5 signature. Current clients refuse these at "
	  "their default security level (OpenSSL 3 level 1 and up, browsers).",
	  "Reissue the certificate with an RSA key of 2048 bits or more (or ECDSA P-256) and "
	  "a SHA-256 signature." },
	{ "tls.name_mismatch", SD_SEV_HIGH,
	  "Certificate does not cover the requested server name",
	  "The server name the client asked for (SNI) is not among the certificate's "
	  "subjectAltName DNS names (nor its CN when it has none), by the RFC 6125 rules: a "
	  "wildcard covers exactly one left-most label.",
	  "Add the name to the certificate's subjectAltName, or make the server (virtual "
	  "host, load balancer, SNI routing) present the certificate meant for this name." },
	{ "tls.pin_mismatch", SD_SEV_HIGH,
	  "Server presented a certificate other than the pinned one",
	  "A connection to a host given with --pin presented a leaf certificate whose "
	  "SHA-256/SHA-1 (or public key SHA-256) is not the pinned value: the certificate "
	  "was renewed, the client reaches another server, or something intercepts it.",
	  "If the certificate was renewed on purpose, update the pin on the clients (VPN "
	  "profiles, apps); otherwise find who presents this certificate (proxy, wrong "
	  "backend)." },
	{ "tls.key_type_changed", SD_SEV_LOW,
	  "Same server name presents different key types",
	  "Connections to one server name received an RSA certificate on some and an EC one "
	  "on others: several backends with different certificates behind one name, a "
	  "partial certificate rollout, or a server with both that chooses by cipher suite.",
	  "Make every backend of the name present the same certificate, or check that "
	  "clients that pin or restrict key types accept both." },
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_trust_n = sizeof(sd_kinds_trust) / sizeof(sd_kinds_trust[0]) - 1;
