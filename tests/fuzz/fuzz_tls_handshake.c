/*
 * tests/fuzz/fuzz_tls_handshake.c - the handshake message parsers and fingerprints alone.
 *
 * Input: u8 selector (0 ClientHello, 1 DTLS ClientHello, 2 ServerHello, 3 DTLS ServerHello,
 * 4 Certificate, 5 TLS 1.3 Certificate, 6 HelloVerifyRequest, 7 SSLv2 CLIENT-HELLO;
 * 8/9 CertificateRequest TLS 1.0-1.1/1.2; 16-31 ServerKeyExchange, bit 3 TLS 1.2, bits 0-2
 * the key exchange from kexes[]), then the message body, parsed from an exact-size copy.
 * On SD_OK every borrowed view is read; so it is for a malformed hello or Certificate,
 * which is written with the fields before its fault.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/tls.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/tls_touch.h"

/* A message that stopped at a fault is still written: its text must be made safely. */
static bool
malformed(const struct sd_tls_fault *f)
{
	char text[160];

	if (f->what == NULL)
		return false;
	(void)sd_tls_fault_text(f, text, sizeof(text));
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct sd_tls_client_hello ch;
		struct sd_tls_server_hello sh;
		struct sd_tls_certificate cert;
		struct sd_dtls_hello_verify_request hvr;
		struct sd_tls_certificate_request cr;
		struct sd_tls_server_key_exchange ske;
	} m;
	static const char *const kexes[8] = {
		"ecdhe", "dhe", "psk", "ecdhe_psk", "dhe_psk", "rsa_export", "dh_anon", NULL,
	};
	struct sd_tls_pkt pkt = { 1, 0, 0 };
	struct sd_rd body;
	uint8_t *cp;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	if ((cp = malloc(n ? n : 1)) == NULL)
		return 0;
	if (n > 0)
		memcpy(cp, data + 1, n);
	body = sd_rd_make(cp, n);
	if (data[0] >= 16 && data[0] < 32) {
		if (sd_tls_parse_server_key_exchange(body, kexes[data[0] & 7], (data[0] & 8) != 0,
		    &m.ske) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_SERVER_KEY_EXCHANGE,
			    (union sd_ev_msg){ .ske = &m.ske }, 1, &pkt);
		free(cp);
		return 0;
	}
	if (data[0] == 8 || data[0] == 9) {
		if (sd_tls_parse_certificate_request(body, data[0] == 9, &m.cr) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_CERTIFICATE_REQUEST,
			    (union sd_ev_msg){ .cert_request = &m.cr }, 1, &pkt);
		free(cp);
		return 0;
	}
	switch (data[0] & 7) {
	case 0:
	case 1:
		if (sd_tls_parse_client_hello(body, data[0] & 1, &m.ch) == SD_OK ||
		    malformed(&m.ch.fault))
			touch_emit(NULL, SD_EV_TLS_CLIENT_HELLO,
			    (union sd_ev_msg){ .client_hello = &m.ch }, 0, &pkt);
		break;
	case 2:
	case 3:
		if (sd_tls_parse_server_hello(body, data[0] & 1, &m.sh) == SD_OK ||
		    malformed(&m.sh.fault))
			touch_emit(NULL, SD_EV_TLS_SERVER_HELLO,
			    (union sd_ev_msg){ .server_hello = &m.sh }, 1, &pkt);
		break;
	case 4:
	case 5:
		if (sd_tls_parse_certificate(body, data[0] & 1, &m.cert) == SD_OK ||
		    malformed(&m.cert.fault))
			touch_emit(NULL, SD_EV_TLS_CERTIFICATE,
			    (union sd_ev_msg){ .certificate = &m.cert }, 1, &pkt);
		break;
	case 6:
		if (sd_dtls_parse_hello_verify_request(body, &m.hvr) == SD_OK)
			touch_emit(NULL, SD_EV_DTLS_HELLO_VERIFY_REQUEST,
			    (union sd_ev_msg){ .hvr = &m.hvr }, 1, &pkt);
		break;
	default:
		if (sd_tls_parse_sslv2_client_hello(body, &m.ch) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_CLIENT_HELLO,
			    (union sd_ev_msg){ .client_hello = &m.ch }, 0, &pkt);
		break;
	}
	free(cp);
	return 0;
}
