/* dissect/anomaly.h - stable names of the oddities parsers flag (a fact, never a verdict):
 * what --events writes in "anomalies" and what rules may test (Suricata's decoder event
 * tables).  One table per flag word, in bit order. */
#ifndef SD_DISSECT_ANOMALY_H
#define SD_DISSECT_ANOMALY_H

#include <stddef.h>
#include <stdint.h>

struct sd_anomaly_name {
	uint32_t	 bit;
	const char	*name;
};

/* sd_tls_client_hello.flags / sd_tls_server_hello.flags (SD_TLS_HELLO_*) */
extern const struct sd_anomaly_name	sd_anom_tls_hello[];
extern const size_t			sd_anom_tls_hello_n;
/* sd_ike_msg.flags (SD_IKE_F_*) */
extern const struct sd_anomaly_name	sd_anom_ike[];
extern const size_t			sd_anom_ike_n;
/* sd_dns_msg.flags (SD_DNS_*) */
extern const struct sd_anomaly_name	sd_anom_dns[];
extern const size_t			sd_anom_dns_n;

#endif /* SD_DISSECT_ANOMALY_H */
