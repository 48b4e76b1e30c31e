/* dissect/preamble.c - binary preambles before TLS: the probe that decides what a TCP flow's
 * first bytes are, and the parsers of SOCKS4/4a (SOCKS 4 and 4A protocol notes), the
 * MySQL/MariaDB SSLRequest (MySQL client/server protocol, Protocol::HandshakeV10 and
 * Protocol::SSLRequest) and RDP's X.224 security negotiation (MS-RDPBCGR 2.2.1.1-2.2.1.2). */
#include "dissect/prelude.h"

#include <stdio.h>
#include <string.h>

#include "dissect/event.h"
#include "dissect/tls.h"

#define MYSQL_CLIENT_SSL	0x00000800u
#define MYSQL_CLIENT_PROTOCOL_41 0x00000200u
#define MYSQL_MAX_PACKET	65536	/* greeting and login are far smaller */
#define SOCKS4_MAX_REQUEST	600	/* 8 + USERID + host name, each NUL-terminated */

const char *
sd_preamble_name(enum sd_preamble k)
{
	switch (k) {
	case SD_PREAMBLE_NONE:		return "none";
	case SD_PREAMBLE_TLS:		return "tls";
	case SD_PREAMBLE_LDAP:		return "ldap";
	case SD_PREAMBLE_SOCKS5:	return "socks5";
	case SD_PREAMBLE_PGSQL:		return "postgresql";
	case SD_PREAMBLE_SOCKS4:	return "socks4";
	case SD_PREAMBLE_RDP:		return "rdp";
	case SD_PREAMBLE_MYSQL:		return "mysql";
	case SD_PREAMBLE_TEXT:		return "text";
	case SD_PREAMBLE_STRAY:		return "stray";
	}
	return "none";
}

/* MS-RDPBCGR 2.2.1.1.1 requestedProtocols bits, in bit order from 0x01; 0 is PROTOCOL_RDP. */
static const char *const rdp_protocols[] = {
	"ssl", "hybrid", "rdstls", "hybrid_ex", "rdsaad",
};

/* MS-RDPBCGR 2.2.1.2.2 failureCode 1..6. */
static const char *const rdp_failures[] = {
	"SSL_REQUIRED_BY_SERVER", "SSL_NOT_ALLOWED_BY_SERVER", "SSL_CERT_NOT_ON_SERVER",
	"INCONSISTENT_FLAGS", "HYBRID_REQUIRED_BY_SERVER",
	"SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER",
};

const char *
sd_rdp_protocol_name(uint32_t bit)
{
	size_t i;

	if (bit == 0)
		return "rdp";		/* standard RDP security */
	for (i = 0; i < sizeof(rdp_protocols) / sizeof(rdp_protocols[0]); i++)
		if (bit == 1u << i)
			return rdp_protocols[i];
	return NULL;
}

const char *
sd_rdp_failure_name(uint32_t code)
{
	if (code == 0 || code > sizeof(rdp_failures) / sizeof(rdp_failures[0]))
		return NULL;
	return rdp_failures[code - 1];
}

const char *
sd_socks4_reply_text(int code)
{
	switch (code) {
	case 90:	return "request granted";
	case 91:	return "request rejected or failed";
	case 92:	return "rejected: the proxy cannot reach the client's identd";
	case 93:	return "rejected: identd reports a different user id";
	}
	return NULL;
}

/* Offset of the first NUL in r at or after `from`, or r.len. */
static size_t
find_nul(struct sd_rd r, size_t from)
{
	size_t i;

	for (i = from; i < r.len; i++)
		if (r.p[i] == 0)
			return i;
	return r.len;
}

/* Copy r into dst as a NUL-terminated string, cut to n - 1 bytes. */
static void
copy_bytes(char *dst, size_t n, const uint8_t *p, size_t len)
{
	size_t k = len < n - 1 ? len : n - 1;

	if (k > 0)
		memcpy(dst, p, k);
	dst[k] = '\0';
}

/*
 * A whole SOCKS4 CONNECT request: 04 01 PORT(2) IP(4) USERID 00 [HOST 00 when IP is
 * 0.0.0.x, x != 0].  *len its size; false when r is not (or not yet) one.
 */
static bool
socks4_request(struct sd_rd r, size_t *len, bool *incomplete)
{
	size_t u, h;

	*incomplete = false;
	if (r.len < 9 || r.p[0] != 4 || r.p[1] != 1)
		return false;
	u = find_nul(r, 8);
	if (u == r.len) {
		*incomplete = r.len < SOCKS4_MAX_REQUEST;
		return false;
	}
	if (r.p[4] == 0 && r.p[5] == 0 && r.p[6] == 0 && r.p[7] != 0) {
		h = find_nul(r, u + 1);
		if (h == r.len) {
			*incomplete = r.len < SOCKS4_MAX_REQUEST;
			return false;
		}
		if (h == u + 1)
			return false;		/* 4a without a host name */
		*len = h + 1;
		return true;
	}
	*len = u + 1;
	return true;
}

/* TPKT (RFC 1006) + X.224 TPDU of code `code` (0xE0 CR, 0xD0 CC): *len the TPKT length. */
static bool
x224_tpdu(struct sd_rd r, uint8_t code, size_t *len)
{
	uint16_t tlen;

	if (r.len < 11 || r.p[0] != 3 || r.p[1] != 0)
		return false;
	tlen = (uint16_t)(r.p[2] << 8 | r.p[3]);
	/* LI counts the TPDU after itself: all of it for a CR/CC, at least its 6 fixed bytes */
	if (tlen < 11 || r.p[4] != tlen - 5 || (r.p[5] & 0xf0) != code)
		return false;
	*len = tlen;
	return true;
}

/* MySQL packet header: 3-byte little-endian length, sequence id. */
static bool
mysql_header(struct sd_rd r, uint32_t *plen, uint8_t *seq)
{
	if (r.len < 4)
		return false;
	*plen = (uint32_t)r.p[0] | (uint32_t)r.p[1] << 8 | (uint32_t)r.p[2] << 16;
	*seq = r.p[3];
	return true;
}

/*
 * Parse a protocol 10 greeting payload (Protocol::HandshakeV10): version string, thread
 * id, 8 bytes of scramble, filler, capability flags (lower 16, upper 16 when present).
 */
static bool
mysql_greeting(struct sd_rd pl, struct sd_preamble_ev *e)
{
	size_t v, i;
	uint8_t b;
	uint16_t lo = 0, hi = 0;

	if (!sd_rd_u8(&pl, &b) || b != 10)
		return false;
	v = find_nul(pl, 0);
	if (v == pl.len || v == 0 || v > 60)
		return false;
	for (i = 0; i < v; i++)
		if (pl.p[i] < 0x20 || pl.p[i] > 0x7e)
			return false;
	if (e != NULL)
		copy_bytes(e->server_version, sizeof(e->server_version), pl.p, v);
	if (!sd_rd_skip(&pl, v + 1 + 4 + 8 + 1) || pl.len < 2)
		return false;
	lo = (uint16_t)(pl.p[0] | pl.p[1] << 8);
	if (pl.len >= 7)
		hi = (uint16_t)(pl.p[5] | pl.p[6] << 8);
	if (e != NULL)
		e->server_caps = (uint32_t)lo | (uint32_t)hi << 16;
	return true;
}

/* The client's SSLRequest (seq 1, 32-byte payload, CLIENT_SSL): the whole of r. */
static bool
mysql_ssl_request(struct sd_rd r)
{
	uint32_t plen, caps;
	uint8_t seq;

	if (!mysql_header(r, &plen, &seq) || plen != 32 || seq != 1 || r.len != 36)
		return false;
	caps = (uint32_t)r.p[4] | (uint32_t)r.p[5] << 8 | (uint32_t)r.p[6] << 16 |
	    (uint32_t)r.p[7] << 24;
	return (caps & (MYSQL_CLIENT_SSL | MYSQL_CLIENT_PROTOCOL_41)) ==
	    (MYSQL_CLIENT_SSL | MYSQL_CLIENT_PROTOCOL_41);
}

static bool
mysql_probe(struct sd_rd r)
{
	uint32_t plen;
	uint8_t seq;

	if (mysql_ssl_request(r))
		return true;
	if (!mysql_header(r, &plen, &seq) || seq != 0 || plen < 20 || plen > 1024 ||
	    r.len != (size_t)plen + 4)
		return false;
	(void)sd_rd_skip(&r, 4);
	return mysql_greeting(r, NULL);
}

/* A ClientHello record: 16 03 0x RLEN 01 HLEN(24) 03 0x, RLEN = HLEN + 4, HLEN >= 38. */
static bool
client_hello_at(struct sd_rd r, size_t off)
{
	const uint8_t *p;
	uint32_t rlen, hlen;

	if (r.len < 11 || off > r.len - 11)
		return false;
	p = r.p + off;
	rlen = (uint32_t)p[3] << 8 | p[4];
	hlen = (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	return p[0] == 0x16 && p[1] == 3 && p[2] >= 1 && p[2] <= 4 && p[5] == 1 &&
	    hlen >= 38 && rlen == hlen + 4 && p[9] == 3 && p[10] <= 4;
}

/* Printable ASCII (with CR, LF, TAB) in the first 8 bytes: a text protocol. */
static bool
looks_text(struct sd_rd r)
{
	size_t i, n = r.len < 8 ? r.len : 8;

	for (i = 0; i < n; i++)
		if (r.p[i] < 0x20 || r.p[i] > 0x7e)
			if (r.p[i] != '\r' && r.p[i] != '\n' && r.p[i] != '\t')
				return false;
	return n > 0;
}

enum sd_rc
sd_preamble_probe(struct sd_rd r, enum sd_preamble *kind, size_t *skip)
{
	static const uint8_t pg_ssl[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	bool incomplete;
	size_t len, i;
	enum sd_rc rc;

	*kind = SD_PREAMBLE_NONE;
	*skip = 0;
	rc = sd_tls_probe(r, false);
	if (rc == SD_OK) {
		*kind = SD_PREAMBLE_TLS;
		return SD_OK;
	}
	if (rc == SD_NEED_MORE)
		return SD_NEED_MORE;
	if (r.p[0] == 0x30) {
		*kind = SD_PREAMBLE_LDAP;
		return SD_OK;
	}
	/* SOCKS5 greeting (RFC 1928 §3): 05, NMETHODS, that many methods, nothing else */
	if (r.p[0] == 0x05 && r.len >= 3 && r.p[1] >= 1 && r.len == 2u + r.p[1]) {
		*kind = SD_PREAMBLE_SOCKS5;
		return SD_OK;
	}
	if (r.len >= 8 && memcmp(r.p, pg_ssl, 8) == 0) {
		*kind = SD_PREAMBLE_PGSQL;
		return SD_OK;
	}
	/* SOCKS4: the whole first segment is one request (the client waits for the reply) */
	if (socks4_request(r, &len, &incomplete) && len == r.len) {
		*kind = SD_PREAMBLE_SOCKS4;
		return SD_OK;
	}
	if (x224_tpdu(r, 0xe0, &len) && len == r.len) {
		*kind = SD_PREAMBLE_RDP;
		return SD_OK;
	}
	if (mysql_probe(r)) {
		*kind = SD_PREAMBLE_MYSQL;
		return SD_OK;
	}
	if (looks_text(r)) {
		*kind = SD_PREAMBLE_TEXT;
		return SD_OK;
	}
	for (i = 1; i <= SD_PREAMBLE_MAX_STRAY; i++)
		if (client_hello_at(r, i)) {
			*kind = SD_PREAMBLE_STRAY;
			*skip = i;
			return SD_OK;
		}
	/* the stray bytes may have come in a segment of their own: wait for the hello */
	return r.len < SD_PREAMBLE_MAX_STRAY + 11 ? SD_NEED_MORE : SD_OK;
}

/* The event's frame and time: the packet being parsed. */
static void
stamp(struct sd_preamble_ev *e, uint64_t frame, int64_t sec, uint32_t nsec)
{
	e->frame = frame;
	e->sec = sec;
	e->nsec = nsec;
}

void
sd_prelude_start(struct sd_prelude *p, enum sd_preamble kind, size_t skip, uint64_t frame,
    int64_t sec, uint32_t nsec)
{
	static const uint8_t ldap = 0x30, text = 'A';

	switch (kind) {
	case SD_PREAMBLE_LDAP:
		sd_prelude_init(p, sd_rd_make(&ldap, 1));
		return;
	case SD_PREAMBLE_TEXT:
		sd_prelude_init(p, sd_rd_make(&text, 1));
		return;
	case SD_PREAMBLE_SOCKS4:
	case SD_PREAMBLE_MYSQL:
	case SD_PREAMBLE_RDP:
	case SD_PREAMBLE_STRAY:
		break;
	default:
		sd_prelude_init(p, sd_rd_make(NULL, 0));	/* generic: look for a hello */
		return;
	}
	memset(p, 0, sizeof(*p));
	p->pre.kind = kind;
	p->pre.reply = -1;
	p->pre.error_code = -1;
	p->mode = kind == SD_PREAMBLE_SOCKS4 ? SD_PRELUDE_SOCKS4 :
	    kind == SD_PREAMBLE_MYSQL ? SD_PRELUDE_MYSQL :
	    kind == SD_PREAMBLE_RDP ? SD_PRELUDE_RDP : SD_PRELUDE_STRAY;
	if (kind == SD_PREAMBLE_STRAY) {
		p->pre.skipped = (uint32_t)skip;
		p->pre.outcome = "upgraded";
		p->pre.request_frame = frame;
		stamp(&p->pre, frame, sec, nsec);
		p->state = SD_PRELUDE_UPGRADED;
		p->pre_done = true;
	}
}

/* The outcome is known: the caller emits the event now. */
static void
decide(struct sd_prelude *p, int dir, const char *outcome, const char *note, uint64_t frame,
    int64_t sec, uint32_t nsec)
{
	p->pre.outcome = outcome;
	p->pre.note = note;
	p->pre.dir = dir;
	stamp(&p->pre, frame, sec, nsec);
	p->pre.open = false;
	p->pre_done = true;
	p->state = strcmp(outcome, "upgraded") == 0 ? SD_PRELUDE_UPGRADED : SD_PRELUDE_DEAD;
}

/* Note the ask (state REQUESTED, event open) at this frame. */
static void
ask(struct sd_prelude *p, uint64_t frame, int64_t sec, uint32_t nsec)
{
	p->pre.request_frame = frame;
	stamp(&p->pre, frame, sec, nsec);
	p->pre.open = true;
	p->state = SD_PRELUDE_REQUESTED;
}

/* SOCKS4: the client's request, then the proxy's 8-byte reply (VN 0, CD, port, address). */
static size_t
feed_socks4(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec)
{
	struct sd_preamble_ev *e = &p->pre;
	bool incomplete;
	size_t len, u;
	unsigned port;

	if (dir == 0 && p->state == SD_PRELUDE_WAIT) {
		if (!socks4_request(in, &len, &incomplete)) {
			if (!incomplete)
				p->state = SD_PRELUDE_DEAD;
			return 0;
		}
		port = (unsigned)in.p[2] << 8 | in.p[3];
		u = find_nul(in, 8);
		copy_bytes(e->user, sizeof(e->user), in.p + 8, u - 8);
		e->socks4a = len > u + 1;
		if (e->socks4a) {
			copy_bytes(e->target, sizeof(e->target) - 8, in.p + u + 1, len - u - 2);
			u = strlen(e->target);
			(void)snprintf(e->target + u, sizeof(e->target) - u, ":%u", port);
		} else {
			(void)snprintf(e->target, sizeof(e->target), "%u.%u.%u.%u:%u", in.p[4],
			    in.p[5], in.p[6], in.p[7], port);
		}
		ask(p, frame, sec, nsec);
		return len;
	}
	if (dir == 1 && p->state == SD_PRELUDE_REQUESTED) {
		if (in.len < 8)
			return 0;
		if (in.p[0] != 0 && in.p[0] != 4) {	/* some proxies answer VN 4 */
			p->state = SD_PRELUDE_DEAD;
			return 0;
		}
		e->reply = in.p[1];
		e->answered_frame = frame;
		if (e->reply == 90)
			decide(p, 1, "upgraded", NULL, frame, sec, nsec);
		else
			decide(p, 1, "refused", sd_socks4_reply_text(e->reply), frame, sec, nsec);
		return 8;
	}
	if (dir == 1 && p->state == SD_PRELUDE_WAIT && in.len > 0)
		p->state = SD_PRELUDE_DEAD;	/* the server spoke first: not SOCKS4 */
	return 0;
}

/*
 * MySQL: the server's greeting (seq 0), then the client's first packet (seq 1): an
 * SSLRequest (CLIENT_SSL, 32 bytes) after which TLS starts, or the login in the clear.
 * A capture that starts at the SSLRequest has no greeting.
 */
static size_t
feed_mysql(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec)
{
	struct sd_preamble_ev *e = &p->pre;
	struct sd_rd pl;
	uint32_t plen;
	uint8_t seq;
	uint16_t code;

	if (p->state != SD_PRELUDE_WAIT || !mysql_header(in, &plen, &seq))
		return 0;
	if (plen > MYSQL_MAX_PACKET) {
		p->state = SD_PRELUDE_DEAD;
		return 0;
	}
	if (in.len < (size_t)plen + 4)
		return 0;
	pl = sd_rd_make(in.p + 4, plen);
	if (dir == 1 && !e->greeting && seq == 0 && plen >= 3 && pl.p[0] == 0xff) {
		/* ERR_Packet instead of a greeting: "Host ... is not allowed to connect" */
		code = (uint16_t)(pl.p[1] | pl.p[2] << 8);
		e->error_code = code;
		(void)sd_rd_skip(&pl, 3);
		if (pl.len >= 6 && pl.p[0] == '#')
			(void)sd_rd_skip(&pl, 6);
		copy_bytes(e->error, sizeof(e->error), pl.p, pl.len);
		e->answered_frame = frame;
		decide(p, 1, "refused", "the server refused the connection before TLS", frame,
		    sec, nsec);
		return plen + 4;
	}
	if (dir == 1 && !e->greeting && seq == 0) {
		if (!mysql_greeting(pl, e)) {
			p->state = SD_PRELUDE_DEAD;
			return 0;
		}
		e->greeting = true;
		e->answered_frame = frame;
		e->open = true;
		stamp(e, frame, sec, nsec);	/* the event's time if no client packet follows */
		return plen + 4;
	}
	if (dir != 0 || seq != 1 || plen < 4)
		return 0;
	e->client_seen = true;
	e->request_frame = frame;
	e->client_caps = (uint32_t)pl.p[0] | (uint32_t)pl.p[1] << 8;
	if ((e->client_caps & MYSQL_CLIENT_PROTOCOL_41) != 0)
		e->client_caps |= (uint32_t)pl.p[2] << 16 | (uint32_t)pl.p[3] << 24;
	if ((e->client_caps & MYSQL_CLIENT_SSL) != 0)
		decide(p, 0, "upgraded", NULL, frame, sec, nsec);
	else if (e->greeting && (e->server_caps & MYSQL_CLIENT_SSL) == 0)
		decide(p, 0, "no_tls", "server does not support TLS (no CLIENT_SSL)", frame,
		    sec, nsec);
	else
		decide(p, 0, "no_tls", "client did not request TLS (login in the clear)", frame,
		    sec, nsec);
	return e->client_caps & MYSQL_CLIENT_SSL ? plen + 4 : 0;
}

/* Cookie or routing token (a CRLF-ended line), then RDP_NEG_REQ (type 1, length 8). */
static void
rdp_request(struct sd_preamble_ev *e, struct sd_rd v)
{
	size_t i;

	for (i = 0; i + 1 < v.len; i++)
		if (v.p[i] == '\r' && v.p[i + 1] == '\n')
			break;
	if (v.len >= 2 && i + 1 < v.len && !(v.len == 8 && v.p[0] == 1)) {
		copy_bytes(e->cookie, sizeof(e->cookie), v.p, i);
		(void)sd_rd_skip(&v, i + 2);
	}
	if (v.len >= 8 && v.p[0] == 1 && v.p[2] == 8 && v.p[3] == 0) {
		e->neg_req = true;
		e->requested = (uint32_t)v.p[4] | (uint32_t)v.p[5] << 8 |
		    (uint32_t)v.p[6] << 16 | (uint32_t)v.p[7] << 24;
	}
}

/* RDP_NEG_RSP (type 2) or RDP_NEG_FAILURE (type 3) in the Connection Confirm. */
static void
rdp_confirm(struct sd_prelude *p, struct sd_rd v, uint64_t frame, int64_t sec, uint32_t nsec)
{
	struct sd_preamble_ev *e = &p->pre;
	uint32_t val;

	e->answered_frame = frame;
	if (v.len < 8 || (v.p[0] != 2 && v.p[0] != 3) || v.p[2] != 8 || v.p[3] != 0) {
		decide(p, 1, "no_tls", e->neg_req ?
		    "server answered without negotiation: standard RDP security" :
		    "client asked for no security protocol: standard RDP security", frame, sec,
		    nsec);
		return;
	}
	val = (uint32_t)v.p[4] | (uint32_t)v.p[5] << 8 | (uint32_t)v.p[6] << 16 |
	    (uint32_t)v.p[7] << 24;
	e->neg_type = v.p[0];
	e->neg_value = val;
	if (v.p[0] == 3)
		decide(p, 1, "failed", sd_rdp_failure_name(val), frame, sec, nsec);
	else if (val == 0)
		decide(p, 1, "no_tls", "server chose standard RDP security", frame, sec, nsec);
	else
		decide(p, 1, "upgraded", NULL, frame, sec, nsec);
}

static size_t
feed_rdp(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec)
{
	size_t len;

	if (in.len < 4)
		return 0;
	if (in.p[0] != 3 || in.p[1] != 0) {
		p->state = SD_PRELUDE_DEAD;
		return 0;
	}
	len = (size_t)in.p[2] << 8 | in.p[3];
	if (in.len < len)
		return 0;
	in.len = len;
	if (dir == 0 && p->state == SD_PRELUDE_WAIT) {
		if (!x224_tpdu(in, 0xe0, &len)) {
			p->state = SD_PRELUDE_DEAD;
			return 0;
		}
		rdp_request(&p->pre, sd_rd_make(in.p + 11, len - 11));
		ask(p, frame, sec, nsec);
		return len;
	}
	if (dir == 1 && p->state == SD_PRELUDE_REQUESTED) {
		if (!x224_tpdu(in, 0xd0, &len)) {
			p->state = SD_PRELUDE_DEAD;
			return 0;
		}
		rdp_confirm(p, sd_rd_make(in.p + 11, len - 11), frame, sec, nsec);
		return len;
	}
	return 0;
}

enum sd_rc
sd_preamble_feed(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec, size_t *consumed)
{
	*consumed = 0;
	if (p->state != SD_PRELUDE_WAIT && p->state != SD_PRELUDE_REQUESTED)
		return SD_OK;
	if (p->mode == SD_PRELUDE_SOCKS4)
		*consumed = feed_socks4(p, dir, in, frame, sec, nsec);
	else if (p->mode == SD_PRELUDE_MYSQL)
		*consumed = feed_mysql(p, dir, in, frame, sec, nsec);
	else if (p->mode == SD_PRELUDE_RDP)
		*consumed = feed_rdp(p, dir, in, frame, sec, nsec);
	if (p->state == SD_PRELUDE_DEAD && !p->pre_done)
		p->pre.open = false;	/* not the protocol after all: no event */
	return p->state == SD_PRELUDE_DEAD ? SD_MALFORMED : SD_OK;
}

bool
sd_preamble_close(struct sd_prelude *p)
{
	if (!p->pre.open)
		return false;
	p->pre.open = false;
	p->pre.outcome = "unanswered";
	p->pre.dir = 0;
	if (p->mode == SD_PRELUDE_MYSQL) {
		/* a greeting and no client packet: the client went away (or the capture ended) */
		p->pre.outcome = "no_tls";
		p->pre.note = "client sent nothing after the server greeting";
		p->pre.dir = 1;
	}
	return true;
}
