/* analyze/scope.h - where secure connections are: the endpoints that carried TLS, DTLS, IKE
 * or ESP in the capture, revocation endpoints and HTTP proxies, and those protocols'
 * well-known ports.  The reachability rules (rules_tcp.c) judge severity by it. */
#ifndef SD_ANALYZE_SCOPE_H
#define SD_ANALYZE_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/ip.h"
#include "dissect/memcap.h"

/* Why an endpoint is in scope; SD_SCOPE_NONE: it is not. */
enum sd_scope_why {
	SD_SCOPE_NONE,
	SD_SCOPE_PORT,		/* a well-known port of TLS, DTLS or IKE */
	SD_SCOPE_TLS,		/* a TLS server seen at this address and port */
	SD_SCOPE_DTLS,		/* a DTLS server seen here */
	SD_SCOPE_IKE,		/* IKE seen here */
	SD_SCOPE_ESP,		/* ESP (IP protocol 50 or UDP-encapsulated) seen here */
	SD_SCOPE_PROXY,		/* an HTTP or SOCKS4 proxy answered CONNECT here */
	SD_SCOPE_REVOCATION,	/* a CRL or OCSP endpoint named by a certificate of the capture */
};

struct sd_scope;

/* max: endpoints remembered (0: a default); mc: charged for them (may be NULL). */
struct sd_scope	*sd_scope_new(struct sd_memcap *mc, size_t max);
void		 sd_scope_free(struct sd_scope *);	/* NULL-safe */

/* Learn from one event (TLS and DTLS hellos, IKE, ESP, HTTP CONNECT). */
void		 sd_scope_event(struct sd_scope *, const struct sd_event *);
/* Note an endpoint (revocation endpoints: rules_path.c).  A stronger reason stays. */
void		 sd_scope_add(struct sd_scope *, const struct sd_addr *, uint8_t proto,
		    uint16_t port, enum sd_scope_why);
/*
 * Is (address, protocol, port) in scope, and why: an endpoint seen, then a well-known
 * port; IP protocol 50 (ESP) always is.  s may be NULL (well-known ports only).
 */
enum sd_scope_why sd_scope_of(struct sd_scope *, const struct sd_addr *, uint8_t proto,
		    uint16_t port);
/* Well-known port of TLS, DTLS or IKE (tcp or udp). */
bool		 sd_scope_port(uint8_t proto, uint16_t port);
/* Words for a value: "TLS server seen at this address and port", ... */
const char	*sd_scope_text(enum sd_scope_why);
/* Endpoints pushed out at the cap, or refused for memory. */
uint64_t	 sd_scope_lost(const struct sd_scope *);

#endif /* SD_ANALYZE_SCOPE_H */
