/* analyze/kinds.h - every finding kind: one enum (Suricata decode-events.h), one table
 * (analyze/catalogue.c) pairing each with its stable name, severity and texts. */
#ifndef SD_ANALYZE_KINDS_H
#define SD_ANALYZE_KINDS_H

/*
 * A rule names its finding by one of these, so a misspelt kind does not compile.  The
 * part after SD_K_ is the rule area, and so the file that decides the kind:
 * SD_K_TCP_ rules_tcp.c, SD_K_TLS_ rules_tls.c, SD_K_TRUST_ rules_trust.c, SD_K_ICEPT_
 * rules_intercept.c (with its cross-connection half, rules_backend.c), SD_K_PATH_
 * rules_path.c, SD_K_HELLO_ rules_hello.c, SD_K_MALF_ rules_malformed.c, SD_K_PROXY_
 * rules_proxy.c, SD_K_IKE_ rules_ike.c, SD_K_IKESA_ rules_ikesa.c, SD_K_ESP_ rules_esp.c.
 * The stable name ("tls.chain_untrusted") is the output and test contract;
 * docs/findings.md documents each.
 */
enum sd_kind {
	/* rules_tcp.c */
	SD_K_TCP_SYN_UNANSWERED,
	SD_K_TCP_PORT_CLOSED,
	SD_K_TCP_TLS_RESET_AFTER_CLIENT_HELLO,
	SD_K_TCP_ICMP_UNREACHABLE,
	SD_K_TCP_ICMP_PACKET_TOO_BIG,
	/* rules_tls.c */
	SD_K_TLS_NO_SHARED_CIPHER,
	SD_K_TLS_NO_SHARED_VERSION,
	SD_K_TLS_NO_SHARED_GROUP,
	SD_K_TLS_HELLO_RETRY_LOOP,
	SD_K_TLS_CLIENT_CERTIFICATE_MISSING,
	SD_K_TLS_DTLS_ALERT_AFTER_RESUMPTION,
	SD_K_TLS_FATAL_ALERT,
	/* rules_trust.c */
	SD_K_TRUST_CERTIFICATE_REJECTED,
	SD_K_TRUST_CHAIN_UNTRUSTED,
	SD_K_TRUST_CERTIFICATE_EXPIRED,
	SD_K_TRUST_CERTIFICATE_NOT_YET_VALID,
	SD_K_TRUST_WEAK_CERTIFICATE,
	SD_K_TRUST_NAME_MISMATCH,
	SD_K_TRUST_PIN_MISMATCH,
	SD_K_TRUST_KEY_TYPE_CHANGED,
	SD_K_TRUST_CHAIN_MISORDERED,
	SD_K_TRUST_CLOCK_IMPLAUSIBLE,
	/* rules_intercept.c */
	SD_K_ICEPT_INTERCEPTION_CA,
	SD_K_ICEPT_ISSUER_CHANGED,
	SD_K_ICEPT_BACKEND_MISMATCH,
	/* rules_path.c */
	SD_K_PATH_TCP_ONE_WAY,
	SD_K_PATH_TCP_MTU_BLACKHOLE,
	SD_K_PATH_TLS_REVOCATION_UNREACHABLE,
	/* rules_hello.c */
	SD_K_HELLO_UNANSWERED,
	/* rules_malformed.c */
	SD_K_MALF_CLIENT_HELLO,
	SD_K_MALF_SERVER_HELLO,
	SD_K_MALF_CERTIFICATE,
	/* rules_proxy.c */
	SD_K_PROXY_CONNECT_REFUSED,
	SD_K_PROXY_CONNECT_UNANSWERED,
	/* rules_ike.c */
	SD_K_IKE_UNANSWERED,
	SD_K_IKE_NATT_UNANSWERED,
	SD_K_IKE_AUTH_FRAGMENTED_UNANSWERED,
	SD_K_IKE_NO_PROPOSAL_CHOSEN,
	SD_K_IKE_INVALID_KE,
	SD_K_IKE_COOKIE_NOT_ECHOED,
	SD_K_IKE_AUTH_FAILED,
	SD_K_IKE_DPD_UNANSWERED,
	SD_K_IKE_ERROR_NOTIFY,
	/* rules_ikesa.c */
	SD_K_IKESA_PERIODIC_REKEY,
	SD_K_IKESA_RESPONDER_NEVER_INITIATES,
	/* rules_esp.c */
	SD_K_ESP_ONE_WAY,
	SD_K_ESP_ASYMMETRIC_TUNNELS,
	SD_K_COUNT
};

#endif /* SD_ANALYZE_KINDS_H */
