/* analyze/tls_text.h - TLS facts as the rules name and judge them: versions, lists of
 * registry values, alerts that stop handshakes or refuse certificates. */
#ifndef SD_ANALYZE_TLS_TEXT_H
#define SD_ANALYZE_TLS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/finding.h"
#include "dissect/reader.h"

/* "TLS 1.2", "DTLS 1.2", ... or "0x%04x" written into buf. */
const char	*sd_tls_version_text(uint16_t v, char *buf, size_t n);
/* The same into a static buffer (for sd_tls_join). */
const char	*sd_tls_version_name(uint16_t v);
/* The 16-bit values of a list body (cipher suites, groups, versions), GREASE skipped on
 * request; at most max. */
size_t		 sd_tls_u16_list(struct sd_rd r, uint16_t *out, size_t max, bool skip_grease);
/*
 * Does the ClientHello carry a server name the rules keep as a C string: present, shorter
 * than SD_TLS_SNI_MAX bytes (DNS names are at most 253) and with no NUL in it?
 */
#define SD_TLS_SNI_MAX	256
struct sd_tls_client_hello;
bool		 sd_tls_sni_keepable(const struct sd_tls_client_hello *ch);
/* The groups of a ClientHello's key_share entries (group, key<2^16-1>)*, GREASE skipped. */
size_t		 sd_tls_share_groups(struct sd_rd r, uint16_t *out, size_t max);
/* "name, name, ..." of a list by a registry name function (unknown ones as 0x%04x). */
void		 sd_tls_join(char *buf, size_t n, const uint16_t *v, size_t cnt,
		    const char *(*name)(uint16_t));
bool		 sd_tls_offered(const uint16_t *v, size_t n, uint16_t x);
/* TLS 1.3 or one of its drafts (0x7fxx): the server's certificate is encrypted. */
bool		 sd_tls_is13(uint16_t v);
/* Alerts a client sends when it refuses the server's certificate (RFC 8446 §6.2). */
bool		 sd_tls_cert_alert(uint8_t d);
/* Alerts that stop a handshake outright are high; others (certificate_*, close) medium. */
enum sd_sev	 sd_tls_alert_severity(uint8_t d);

#endif /* SD_ANALYZE_TLS_TEXT_H */
