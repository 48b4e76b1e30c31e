/* analyze/tls_text.c - TLS versions, value lists and alerts as the rules name and judge them. */
#include "analyze/tls_text.h"

#include <stdio.h>
#include <string.h>

#include "dissect/tls.h"

const char *
sd_tls_version_text(uint16_t v, char *buf, size_t n)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	case 0xfeff: return "DTLS 1.0";
	case 0xfefd: return "DTLS 1.2";
	case 0xfefc: return "DTLS 1.3";
	default:
		snprintf(buf, n, "0x%04x", v);
		return buf;
	}
}

const char *
sd_tls_version_name(uint16_t v)
{
	static char buf[8];

	return sd_tls_version_text(v, buf, sizeof(buf));
}

size_t
sd_tls_u16_list(struct sd_rd r, uint16_t *out, size_t max, bool skip_grease)
{
	size_t n = 0;
	uint16_t v;

	while (n < max && sd_rd_be16(&r, &v))
		if (!skip_grease || !sd_tls_is_grease(v))
			out[n++] = v;
	return n;
}

bool
sd_tls_sni_keepable(const struct sd_tls_client_hello *ch)
{
	return ch->has_sni && ch->sni.len < SD_TLS_SNI_MAX &&
	    memchr(ch->sni.p, '\0', ch->sni.len) == NULL;
}

size_t
sd_tls_share_groups(struct sd_rd r, uint16_t *out, size_t max)
{
	size_t n = 0;
	uint16_t g;
	struct sd_rd key;

	while (n < max && sd_rd_be16(&r, &g) && sd_rd_vec16(&r, &key))
		if (!sd_tls_is_grease(g))
			out[n++] = g;
	return n;
}

void
sd_tls_join(char *buf, size_t n, const uint16_t *v, size_t cnt, const char *(*name)(uint16_t))
{
	size_t o = 0, i;
	const char *s;

	buf[0] = '\0';
	for (i = 0; i < cnt && o < n; i++) {
		s = name(v[i]);
		if (s != NULL)
			o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", s);
		else
			o += (size_t)snprintf(buf + o, n - o, "%s0x%04x", i ? ", " : "", v[i]);
	}
}

bool
sd_tls_offered(const uint16_t *v, size_t n, uint16_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

bool
sd_tls_is13(uint16_t v)
{
	return v == 0x0304 || (v >> 8) == 0x7f;
}

bool
sd_tls_cert_alert(uint8_t d)
{
	return d == 42 || d == 43 || d == 44 || d == 45 || d == 46 || d == 48 || d == 49 ||
	    d == 51;
}

enum sd_sev
sd_tls_alert_severity(uint8_t d)
{
	switch (d) {
	case 10: case 20: case 40: case 47: case 50: case 70: case 71: case 80: case 86:
	case 109: case 110: case 112: case 116: case 120:
		return SD_SEV_HIGH;
	default:
		return SD_SEV_MEDIUM;
	}
}
