/* tests/fuzz/tls_touch.h - an emit callback for the TLS fuzzers that reads every byte each
 * message borrows, so a dangling or out-of-range view is caught by ASan (header-only). */
#ifndef SD_TESTS_FUZZ_TLS_TOUCH_H
#define SD_TESTS_FUZZ_TLS_TOUCH_H

#include <stdlib.h>

#include "dissect/tls.h"

static volatile unsigned touch_sink;

static void
touch(struct sd_rd r)
{
	size_t i;
	unsigned s = 0;

	for (i = 0; i < r.len; i++)
		s += r.p[i];
	touch_sink += s;
}

static void
touch_emit(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir,
    const struct sd_tls_pkt *pkt)
{
	char ja3[64], fp3[33], fp4[40];
	uint32_t i;

	(void)ctx;
	if (dir != 0 && dir != 1)
		abort();
	touch_sink += (unsigned)pkt->frame;
	switch (type) {
	case SD_EV_TLS_CLIENT_HELLO: {
		const struct sd_tls_client_hello *ch = msg.client_hello;

		touch(ch->key_shares);
		touch(ch->psk_modes);
		touch(ch->session_id);
		touch(ch->cookie);
		touch(ch->ciphers);
		touch(ch->compression);
		touch(ch->extensions);
		touch(ch->sni);
		touch(ch->alpn);
		touch(ch->supported_versions);
		touch(ch->groups);
		touch(ch->point_formats);
		touch(ch->sig_algs);
		(void)sd_tls_ja3_string(ch, ja3, sizeof(ja3));
		/* the fingerprints as the outputs that print them ask for them */
		sd_tls_hello_fingerprints(ch, fp3, fp4);
		touch_sink += (unsigned)fp3[0] + (unsigned)fp4[0];
		break;
	}
	case SD_EV_TLS_SERVER_HELLO: {
		const struct sd_tls_server_hello *sh = msg.server_hello;

		touch(sh->session_id);
		touch(sh->extensions);
		touch(sh->alpn);
		sd_tls_server_fingerprint(sh, fp3);
		touch_sink += (unsigned)fp3[0];
		break;
	}
	case SD_EV_TLS_CERTIFICATE: {
		const struct sd_tls_certificate *c = msg.certificate;

		if (c->kept > c->count || c->kept > SD_TLS_MAX_CERTS)
			abort();
		for (i = 0; i < c->kept; i++)
			touch(c->der[i]);
		break;
	}
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST:
		touch(msg.hvr->cookie);
		break;
	case SD_EV_TLS_ALERT: {
		const struct sd_tls_alert *a = msg.alert;

		if (a->sender != dir || a->after > SD_TLS_AFTER_ALERT)
			abort();
		touch_sink += (unsigned)a->since_peer_ms;
		break;
	}
	case SD_EV_TLS_CERTIFICATE_REQUEST: {
		const struct sd_tls_certificate_request *cr = msg.cert_request;

		if (cr->ca_kept > cr->ca_count || cr->ca_kept > SD_TLS_MAX_CA_NAMES)
			abort();
		touch(cr->cert_types);
		touch(cr->sig_algs);
		for (i = 0; i < cr->ca_kept; i++)
			touch(cr->ca[i]);
		break;
	}
	case SD_EV_TLS_SERVER_KEY_EXCHANGE:
		touch_sink += msg.ske->dh_bits;
		break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE:
		if (msg.enc_hs->sender != dir)
			abort();
		break;
	case SD_EV_TLS_SESSION: {
		const struct sd_tls_session *s = msg.session;

		if (s->sni_len > sizeof(s->sni))
			abort();
		for (i = 0; i < s->sni_len; i++)
			touch_sink += (uint8_t)s->sni[i];
		break;
	}
	default:
		abort();	/* the TLS dissector emits nothing else */
	}
}

#endif /* SD_TESTS_FUZZ_TLS_TOUCH_H */
