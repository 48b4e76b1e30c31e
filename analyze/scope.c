/* analyze/scope.c - where secure connections are (analyze/scope.h). */
#include "analyze/scope.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/prelude.h"
#include "dissect/table.h"
#include "dissect/tls.h"

#define SCOPE_MAX	65536	/* endpoints remembered by default */

struct sd_scope {
	struct sd_tab	*t;	/* key: struct key; value: struct val */
};

/* Address (16 bytes and version), protocol and port: packed by hand, no padding. */
#define KEY_LEN	20

struct val {
	uint8_t		 why;	/* enum sd_scope_why */
};

/*
 * The well-known ports of the protocols judged here (IANA service names): implicit TLS
 * (https 443, nntps 563, ldaps 636, domain-s 853, ftps 989/990, telnets 992, imaps 993,
 * ircs 994, pop3s 995, submissions 465, global catalog LDAPS 3269, OpenSSL's s_server
 * 4433, sip-tls 5061, turns 5349, ircs-u 6697, https-alt 8443, secure-mqtt 8883), IKE
 * over TCP (RFC 8229: 4500); DTLS and IKE over UDP (QUIC and DTLS on 443, DNS over DTLS or
 * QUIC 853, 4433, isakmp 500, NAT-T 4500, turns 5349, coaps 5684).
 */
static const uint16_t tcp_ports[] = {
	443, 465, 563, 636, 853, 989, 990, 992, 993, 994, 995, 3269, 4433, 4500, 5061, 5349,
	6697, 8443, 8883,
};
static const uint16_t udp_ports[] = { 443, 500, 853, 4433, 4500, 5349, 5684 };

bool
sd_scope_port(uint8_t proto, uint16_t port)
{
	const uint16_t *v;
	size_t i, n;

	if (proto == SD_IPPROTO_TCP) {
		v = tcp_ports;
		n = sizeof(tcp_ports) / sizeof(tcp_ports[0]);
	} else if (proto == SD_IPPROTO_UDP) {
		v = udp_ports;
		n = sizeof(udp_ports) / sizeof(udp_ports[0]);
	} else {
		return false;
	}
	for (i = 0; i < n; i++)
		if (v[i] == port)
			return true;
	return false;
}

struct sd_scope *
sd_scope_new(struct sd_memcap *mc, size_t max)
{
	struct sd_scope *s = calloc(1, sizeof(*s));
	struct sd_tab_opts o;

	if (s == NULL)
		return NULL;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct val);
	o.max = max != 0 ? max : SCOPE_MAX;
	o.mc = mc;
	if ((s->t = sd_tab_new(&o)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void
sd_scope_free(struct sd_scope *s)
{
	if (s == NULL)
		return;
	sd_tab_free(s->t);
	free(s);
}

static void
make_key(uint8_t k[KEY_LEN], const struct sd_addr *a, uint8_t proto, uint16_t port)
{
	memcpy(k, a->a, 16);
	k[16] = a->v;
	k[17] = proto;
	k[18] = (uint8_t)(port >> 8);
	k[19] = (uint8_t)port;
}

void
sd_scope_add(struct sd_scope *s, const struct sd_addr *a, uint8_t proto, uint16_t port,
    enum sd_scope_why why)
{
	uint8_t k[KEY_LEN];
	struct val *v;

	if (s == NULL || why == SD_SCOPE_NONE)
		return;
	make_key(k, a, proto, port);
	v = sd_tab_get(s->t, k, sizeof(k), true, NULL);
	/* what carried the protocol itself says more than a revocation or proxy role */
	if (v != NULL && (v->why == SD_SCOPE_NONE || v->why > why))
		v->why = (uint8_t)why;
}

enum sd_scope_why
sd_scope_of(struct sd_scope *s, const struct sd_addr *a, uint8_t proto, uint16_t port)
{
	uint8_t k[KEY_LEN];
	const struct val *v;

	if (proto == SD_IPPROTO_ESP)
		return SD_SCOPE_ESP;
	if (s != NULL) {
		make_key(k, a, proto, port);
		v = sd_tab_get(s->t, k, sizeof(k), false, NULL);
		if (v != NULL && v->why != SD_SCOPE_NONE)
			return (enum sd_scope_why)v->why;
	}
	return sd_scope_port(proto, port) ? SD_SCOPE_PORT : SD_SCOPE_NONE;
}

/* A proxy's endpoint: an answer comes from the proxy, an unanswered request goes to it. */
static void
proxy_scope(struct sd_scope *s, const struct sd_event *ev, bool answered)
{
	if (answered)
		sd_scope_add(s, &ev->src, ev->transport, ev->sport, SD_SCOPE_PROXY);
	else
		sd_scope_add(s, &ev->dst, ev->transport, ev->dport, SD_SCOPE_PROXY);
}

void
sd_scope_event(struct sd_scope *s, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch;
	const struct sd_http_connect *c;
	const struct sd_preamble_ev *pre;
	bool dtls;

	if (s == NULL)
		return;
	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		ch = ev->u.msg.client_hello;
		dtls = ch != NULL && ch->dtls;
		sd_scope_add(s, &ev->dst, ev->transport, ev->dport,
		    dtls ? SD_SCOPE_DTLS : SD_SCOPE_TLS);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		dtls = ev->transport == SD_IPPROTO_UDP;
		sd_scope_add(s, &ev->src, ev->transport, ev->sport,
		    dtls ? SD_SCOPE_DTLS : SD_SCOPE_TLS);
		break;
	case SD_EV_IKE:
		if (ev->u.msg.ike == NULL || !ev->u.msg.ike->header_ok)
			break;
		/* both gateways speak IKE on their ports (either may initiate) */
		sd_scope_add(s, &ev->src, ev->transport, ev->sport, SD_SCOPE_IKE);
		sd_scope_add(s, &ev->dst, ev->transport, ev->dport, SD_SCOPE_IKE);
		break;
	case SD_EV_ESP:
		if (ev->transport == SD_IPPROTO_ESP)
			break;		/* IP protocol 50 is always in scope */
		sd_scope_add(s, &ev->src, ev->transport, ev->sport, SD_SCOPE_ESP);
		sd_scope_add(s, &ev->dst, ev->transport, ev->dport, SD_SCOPE_ESP);
		break;
	case SD_EV_HTTP_CONNECT:
		c = ev->u.msg.connect;
		if (c == NULL)
			break;
		proxy_scope(s, ev, c->status >= 0);
		break;
	case SD_EV_PRELUDE:
		/* a SOCKS4 proxy: the reply comes from it, an unanswered request goes to it */
		pre = ev->u.msg.pre;
		if (pre == NULL || pre->kind != SD_PREAMBLE_SOCKS4)
			break;
		proxy_scope(s, ev, pre->reply >= 0);
		break;
	default:
		break;
	}
}

const char *
sd_scope_text(enum sd_scope_why why)
{
	switch (why) {
	case SD_SCOPE_PORT:
		return "a well-known port of TLS, DTLS or IKE";
	case SD_SCOPE_TLS:
		return "TLS seen at this address and port";
	case SD_SCOPE_DTLS:
		return "DTLS seen at this address and port";
	case SD_SCOPE_IKE:
		return "IKE seen at this address and port";
	case SD_SCOPE_ESP:
		return "ESP (IPsec)";
	case SD_SCOPE_PROXY:
		return "a proxy (HTTP CONNECT or SOCKS4) seen at this address and port";
	case SD_SCOPE_REVOCATION:
		return "a CRL or OCSP endpoint of a certificate in this capture";
	case SD_SCOPE_NONE:
	default:
		return "none: no TLS, DTLS, IKE or ESP seen at this address and port, nor one of "
		    "their well-known ports";
	}
}

uint64_t
sd_scope_lost(const struct sd_scope *s)
{
	if (s == NULL)
		return 0;
	return sd_tab_evicted(s->t) + sd_tab_refused(s->t);
}
