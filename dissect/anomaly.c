/* dissect/anomaly.c - the names of parser anomaly flags (docs/events.md lists them). */
#include "dissect/anomaly.h"

#include "dissect/dns.h"
#include "dissect/ike.h"
#include "dissect/tls.h"

/* SD_TLS_HELLO_SSLV2 and _NO_EXTENSIONS are legal forms, written as fields of their own. */
const struct sd_anomaly_name sd_anom_tls_hello[] = {
	{ SD_TLS_HELLO_DUP_EXT, "duplicate_extension" },
	{ SD_TLS_HELLO_BAD_EXT, "malformed_extension" },
	{ SD_TLS_HELLO_TRAILING, "trailing_bytes" },
};
const size_t sd_anom_tls_hello_n = sizeof(sd_anom_tls_hello) / sizeof(sd_anom_tls_hello[0]);

const struct sd_anomaly_name sd_anom_ike[] = {
	{ SD_IKE_F_TRUNCATED, "truncated" },
	{ SD_IKE_F_TRAILING, "trailing_bytes" },
	{ SD_IKE_F_BAD_PAYLOAD_LEN, "bad_payload_length" },
	{ SD_IKE_F_BAD_PAYLOAD, "bad_payload" },
	{ SD_IKE_F_TOO_MANY, "too_many_items" },
	{ SD_IKE_F_SK_NOT_LAST, "sk_not_last" },
	{ SD_IKE_F_UNKNOWN_PAYLOAD, "unknown_payload" },
	{ SD_IKE_F_CRITICAL_UNKNOWN, "critical_unknown_payload" },
	{ SD_IKE_F_BAD_FRAGMENT, "bad_fragment" },
	{ SD_IKE_F_BAD_VERSION, "bad_version" },
	{ SD_IKE_F_LENGTH_SHORT, "length_short" },
};
const size_t sd_anom_ike_n = sizeof(sd_anom_ike) / sizeof(sd_anom_ike[0]);

const struct sd_anomaly_name sd_anom_dns[] = {
	{ SD_DNS_NAME_CUT, "name_cut" },
	{ SD_DNS_ANSWERS_CUT, "answers_cut" },
	{ SD_DNS_BAD_RDATA, "bad_rdata" },
};
const size_t sd_anom_dns_n = sizeof(sd_anom_dns) / sizeof(sd_anom_dns[0]);
