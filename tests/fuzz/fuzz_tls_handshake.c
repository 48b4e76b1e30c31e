/*
 * tests/fuzz/fuzz_tls_handshake.c - the handshake message parsers and fingerprints alone.
 *
 * Input: u8 selector (0 ClientHello, 1 DTLS ClientHello, 2 ServerHello, 3 DTLS ServerHello,
 * 4 Certificate, 5 TLS 1.3 Certificate, 6 HelloVerifyRequest, 7 SSLv2 CLIENT-HELLO), then the
 * message body, parsed from an exact-size copy.  On SD_OK every borrowed view is read.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/tls.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/tls_touch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	union {
		struct sd_tls_client_hello ch;
		struct sd_tls_server_hello sh;
		struct sd_tls_certificate cert;
		struct sd_dtls_hello_verify_request hvr;
	} m;
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
	switch (data[0] & 7) {
	case 0:
	case 1:
		if (sd_tls_parse_client_hello(body, data[0] & 1, &m.ch) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_CLIENT_HELLO, &m.ch, 0, &pkt);
		break;
	case 2:
	case 3:
		if (sd_tls_parse_server_hello(body, data[0] & 1, &m.sh) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_SERVER_HELLO, &m.sh, 1, &pkt);
		break;
	case 4:
	case 5:
		if (sd_tls_parse_certificate(body, data[0] & 1, &m.cert) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_CERTIFICATE, &m.cert, 1, &pkt);
		break;
	case 6:
		if (sd_dtls_parse_hello_verify_request(body, &m.hvr) == SD_OK)
			touch_emit(NULL, SD_EV_DTLS_HELLO_VERIFY_REQUEST, &m.hvr, 1, &pkt);
		break;
	default:
		if (sd_tls_parse_sslv2_client_hello(body, &m.ch) == SD_OK)
			touch_emit(NULL, SD_EV_TLS_CLIENT_HELLO, &m.ch, 0, &pkt);
		break;
	}
	free(cp);
	return 0;
}
