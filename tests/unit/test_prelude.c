/* tests/unit/test_prelude.c - STARTTLS, HTTP CONNECT and binary preludes (SOCKS4, MySQL, RDP,
 * stray bytes): which probe takes a flow, and when TLS may start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/prelude.h"

/* Both directions of a connection as the TCP layer would hand them: appended, fed,
 * and what was consumed dropped. */
struct conn {
	struct sd_prelude	 p;
	uint8_t			 buf[2][8192];
	size_t			 len[2];
	bool			 started;
	int			 connects;	/* connect_done seen */
	struct sd_http_connect	 last;
};

static void
feed_dir(struct conn *c, int dir, uint64_t frame)
{
	size_t used = 0;
	uint8_t *cp;

	/* an exact-size heap copy: ASan sees any read past the end */
	cp = malloc(c->len[dir] ? c->len[dir] : 1);
	assert_non_null(cp);
	memcpy(cp, c->buf[dir], c->len[dir]);
	(void)sd_prelude_feed(&c->p, dir, sd_rd_make(cp, c->len[dir]), frame, 100, 0, &used);
	free(cp);
	assert_true(used <= c->len[dir]);
	memmove(c->buf[dir], c->buf[dir] + used, c->len[dir] - used);
	c->len[dir] -= used;
	if (c->p.connect_done) {
		c->p.connect_done = false;
		c->connects++;
		c->last = c->p.connect;
	}
}

/* dir sends bytes in one segment (frame); the server side is fed first, as app.c does. */
static void
send_bytes(struct conn *c, int dir, const void *b, size_t n, uint64_t frame)
{
	assert_true(c->len[dir] + n <= sizeof(c->buf[dir]));
	if (!c->started) {
		sd_prelude_init(&c->p, sd_rd_make(b, n));
		c->started = true;
	}
	memcpy(c->buf[dir] + c->len[dir], b, n);
	c->len[dir] += n;
	feed_dir(c, 1, frame);
	feed_dir(c, 0, frame);
}

static void
say(struct conn *c, int dir, const char *s, uint64_t frame)
{
	send_bytes(c, dir, s, strlen(s), frame);
}

static const uint8_t hello_start[] = { 0x16, 0x03, 0x01, 0x00, 0x40, 0x01 };

static void
test_smtp_starttls(void **state)
{
	struct conn c = { 0 };

	(void)state;
	say(&c, 1, "220 mail.example.test ESMTP\r\n", 1);
	assert_int_equal(c.p.mode, SD_PRELUDE_LINES);
	say(&c, 0, "EHLO client\r\n", 2);
	say(&c, 1, "250-mail.example.test\r\n250 STARTTLS\r\n", 3);
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	say(&c, 0, "STARTTLS\r\n", 4);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	say(&c, 1, "220 2.0.0 Ready to start TLS\r\n", 5);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	/* the hello is left for TLS, whole */
	send_bytes(&c, 0, hello_start, sizeof(hello_start), 6);
	assert_int_equal(c.len[0], sizeof(hello_start));
	assert_int_equal(c.len[1], 0);
}

/* A client that pipelines EHLO and STARTTLS: the 250 reply is not the answer. */
static void
test_smtp_pipelined_and_refused(void **state)
{
	struct conn c = { 0 };

	(void)state;
	say(&c, 1, "220 mx ESMTP\r\n", 1);
	say(&c, 0, "EHLO a\r\nSTARTTLS\r\n", 2);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	say(&c, 1, "250-mx\r\n250 PIPELINING\r\n", 3);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	say(&c, 1, "454 4.7.0 TLS not available\r\n", 4);
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	say(&c, 0, "QUIT\r\n", 5);
	assert_int_equal(c.len[0], 0);
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
}

static void
test_imap_tagged(void **state)
{
	struct conn c = { 0 }, d = { 0 };

	(void)state;
	say(&c, 1, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", 1);
	say(&c, 0, "a1 STARTTLS\r\n", 2);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	say(&c, 1, "* OK untagged noise\r\n", 3);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	say(&c, 1, "a1 OK Begin TLS negotiation now\r\n", 4);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);

	say(&d, 1, "* OK ready\r\n", 1);
	say(&d, 0, ". STARTTLS\r\n", 2);
	say(&d, 1, ". BAD not now\r\n", 3);
	assert_int_equal(d.p.state, SD_PRELUDE_WAIT);
}

static void
test_pop3_ftp(void **state)
{
	struct conn c = { 0 }, d = { 0 };

	(void)state;
	say(&c, 1, "+OK pop3 ready\r\n", 1);
	say(&c, 0, "STLS\r\n", 2);
	say(&c, 1, "+OK Begin TLS\r\n", 3);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);

	say(&d, 1, "220 ftp ready\r\n", 1);
	say(&d, 0, "AUTH TLS\r\n", 2);
	assert_int_equal(d.p.state, SD_PRELUDE_REQUESTED);
	say(&d, 1, "211-Features:\r\n AUTH TLS\r\n", 3);
	assert_int_equal(d.p.state, SD_PRELUDE_REQUESTED);
	say(&d, 1, "234 AUTH TLS successful\r\n", 4);
	assert_int_equal(d.p.state, SD_PRELUDE_UPGRADED);
}

/* s_client's StartTLS request and the answer of samples/record-tls.sh's responder. */
static const uint8_t ldap_req[] = {
	0x30, 0x1d, 0x02, 0x01, 0x01,			/* LDAPMessage, messageID 1 */
	0x77, 0x18, 0x80, 0x16,				/* extendedReq, requestName */
	'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
	'1', '4', '6', '6', '.', '2', '0', '0', '3', '7',
};
static const uint8_t ldap_ok[] = {
	0x30, 0x24, 0x02, 0x01, 0x01,			/* LDAPMessage, messageID 1 */
	0x78, 0x1f, 0x0a, 0x01, 0x00,			/* extendedResp, success */
	0x04, 0x00, 0x04, 0x00, 0x8a, 0x16,		/* matchedDN, diag, responseName */
	'1', '.', '3', '.', '6', '.', '1', '.', '4', '.', '1', '.',
	'1', '4', '6', '6', '.', '2', '0', '0', '3', '7',
};

static void
test_ldap(void **state)
{
	struct conn c = { 0 }, d = { 0 };
	uint8_t bad[sizeof(ldap_ok)];

	(void)state;
	send_bytes(&c, 0, ldap_req, 10, 1);	/* split in two segments */
	assert_int_equal(c.p.mode, SD_PRELUDE_LDAP);
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	send_bytes(&c, 0, ldap_req + 10, sizeof(ldap_req) - 10, 2);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	send_bytes(&c, 1, ldap_ok, sizeof(ldap_ok), 3);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);

	memcpy(bad, ldap_ok, sizeof(bad));
	bad[9] = 0x02;				/* protocolError */
	send_bytes(&d, 0, ldap_req, sizeof(ldap_req), 1);
	send_bytes(&d, 1, bad, sizeof(bad), 2);
	assert_int_equal(d.p.state, SD_PRELUDE_WAIT);
}

static const char connect_req[] =
	"CONNECT www.example.test:443 HTTP/1.1\r\nHost: www.example.test:443\r\n"
	"User-Agent: curl/7.88.1\r\n\r\n";

static void
test_connect_established(void **state)
{
	struct conn c = { 0 };

	(void)state;
	say(&c, 0, connect_req, 6);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	assert_true(c.p.connect_open);
	say(&c, 1, "HTTP/1.0 200 Connection established\r\n", 8);
	assert_int_equal(c.connects, 0);	/* header not complete yet */
	say(&c, 1, "Proxy-agent: tinyproxy/1.11.1\r\n\r\n", 9);
	assert_int_equal(c.connects, 1);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	assert_string_equal(c.last.target, "www.example.test:443");
	assert_int_equal(c.last.status, 200);
	assert_string_equal(c.last.reason, "Connection established");
	assert_string_equal(c.last.proxy_agent, "tinyproxy/1.11.1");
	assert_int_equal(c.last.request_frame, 6);
	assert_int_equal(c.last.answered_frame, 8);
	assert_false(c.p.connect_open);
}

static void
test_connect_refused_then_retried(void **state)
{
	struct conn c = { 0 };

	(void)state;
	say(&c, 0, connect_req, 6);
	say(&c, 1, "HTTP/1.1 407 Proxy Authentication Required\r\nServer: squid\r\n"
	    "Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 5\r\n\r\nhello", 8);
	assert_int_equal(c.connects, 1);
	assert_int_equal(c.last.status, 407);
	assert_string_equal(c.last.server, "squid");
	assert_string_equal(c.last.proxy_agent, "");
	/* refused: no TLS may start; a retry on the same connection is a new CONNECT */
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	say(&c, 0, "CONNECT www.example.test:443 HTTP/1.1\r\nProxy-Authorization: Basic "
	    "eDp5\r\n\r\n", 10);
	say(&c, 1, "\r\nHTTP/1.1 200 OK\r\n\r\n", 11);
	assert_int_equal(c.connects, 2);
	assert_int_equal(c.last.status, 200);
	assert_int_equal(c.last.request_frame, 10);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
}

/* Every prefix of a refused CONNECT dialogue, byte by byte: never upgraded. */
static void
test_connect_bytewise(void **state)
{
	static const char ans[] = "HTTP/1.1 403 Forbidden\r\nProxy-Agent: p\r\n\r\n";
	struct conn c = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(connect_req) - 1; i++)
		send_bytes(&c, 0, connect_req + i, 1, i + 1);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	for (i = 0; i < sizeof(ans) - 1; i++) {
		assert_int_equal(c.connects, 0);
		send_bytes(&c, 1, ans + i, 1, 100 + i);
	}
	assert_int_equal(c.connects, 1);
	assert_int_equal(c.last.status, 403);
	/* the frame that completed the status line */
	assert_int_equal(c.last.answered_frame, 100 + strlen("HTTP/1.1 403 Forbidden\r\n") - 1);
	assert_string_equal(c.last.proxy_agent, "p");
	assert_int_not_equal(c.p.state, SD_PRELUDE_UPGRADED);
}

/* An upgrade without a known command: the hello right after the client's lines. */
static void
test_implicit_upgrade(void **state)
{
	struct conn c = { 0 }, d = { 0 };

	(void)state;
	say(&c, 0, "PROXY TCP4 192.0.2.1 192.0.2.2 40000 443\r\n", 1);
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	send_bytes(&c, 0, hello_start, 2, 2);	/* too short to tell yet */
	assert_int_equal(c.p.state, SD_PRELUDE_WAIT);
	send_bytes(&c, 0, hello_start + 2, sizeof(hello_start) - 2, 3);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	assert_int_equal(c.len[0], sizeof(hello_start));

	/* after a refused CONNECT a hello does not mean a tunnel */
	say(&d, 0, connect_req, 1);
	say(&d, 1, "HTTP/1.1 403 Forbidden\r\n\r\n", 2);
	send_bytes(&d, 0, hello_start, sizeof(hello_start), 3);
	assert_int_equal(d.p.state, SD_PRELUDE_WAIT);
}

static void
test_parse_lines(void **state)
{
	char t[16], r[8];
	int st;
	const char *l;

	(void)state;
	l = "CONNECT [2001:db8::1]:443 HTTP/1.1";
	assert_true(sd_prelude_parse_connect(sd_rd_make(l, strlen(l)), t, sizeof(t)));
	assert_string_equal(t, "[2001:db8::1]:4");	/* cut to the buffer */
	l = "GET / HTTP/1.1";
	assert_false(sd_prelude_parse_connect(sd_rd_make(l, strlen(l)), t, sizeof(t)));
	l = "CONNECT host:443";
	assert_false(sd_prelude_parse_connect(sd_rd_make(l, strlen(l)), t, sizeof(t)));
	l = "HTTP/1.1 502 Bad Gateway";
	assert_true(sd_prelude_parse_status(sd_rd_make(l, strlen(l)), &st, r, sizeof(r)));
	assert_int_equal(st, 502);
	assert_string_equal(r, "Bad Gat");
	l = "HTTP/1.1 5x2 Bad";
	assert_false(sd_prelude_parse_status(sd_rd_make(l, strlen(l)), &st, r, sizeof(r)));
	assert_int_equal(st, -1);
	l = "HTTP/1.1 99";
	assert_false(sd_prelude_parse_status(sd_rd_make(l, strlen(l)), &st, r, sizeof(r)));
}

static void
test_generic_and_dead(void **state)
{
	struct conn c = { 0 }, d = { 0 };
	static char longline[SD_PRELUDE_MAX_LINE + 2];

	(void)state;
	say(&c, 0, "<?xml version='1.0'?><stream:stream>", 1);
	assert_int_equal(c.p.mode, SD_PRELUDE_GENERIC);
	assert_int_equal(c.len[0], strlen("<?xml version='1.0'?><stream:stream>"));	/* all left to the hello search */

	memset(longline, 'a', sizeof(longline) - 1);
	say(&d, 1, longline, 1);
	assert_int_equal(d.p.state, SD_PRELUDE_DEAD);
}

/* Start a binary preamble as engine/app.c does: probe the first bytes, then feed them. */
static enum sd_preamble
start_probe(struct conn *c, int dir, const void *b, size_t n)
{
	enum sd_preamble k;
	size_t skip;

	assert_int_equal(sd_preamble_probe(sd_rd_make(b, n), &k, &skip), SD_OK);
	sd_prelude_start(&c->p, k, skip, 1, 100, 0);
	c->started = true;
	send_bytes(c, dir, b, n, 1);
	return k;
}

/* The first bytes of a real ClientHello (curl 7.88, TLS 1.3), a whole record header and more. */
static const uint8_t real_ch[] = {
	0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x5e, 0x2b, 0x91,
	0x07, 0x3a, 0x11, 0x00, 0x42, 0x9c, 0x55, 0x10, 0xa0, 0x7d, 0x3e, 0x21, 0x8f, 0x02,
};
static const uint8_t socks4_req[] = { 4, 1, 0x01, 0xbb, 10, 0, 0, 2, 'b', 'o', 'b', 0 };
static const uint8_t socks4a_req[] = { 4, 1, 0x01, 0xbb, 0, 0, 0, 1, 0, 'w', 'w', 'w', '.',
	't', 'e', 's', 't', 0 };
/* xfreerdp's Connection Request: cookie, RDP_NEG_REQ asking SSL | HYBRID | HYBRID_EX */
static const uint8_t rdp_cr[] = {
	0x03, 0x00, 0x00, 0x29, 0x24, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
	'C', 'o', 'o', 'k', 'i', 'e', ':', ' ', 'm', 's', 't', 's', 'h', 'a', 's', 'h', '=',
	'b', 'o', 'b', '\r', '\n', 0x01, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x00, 0x00,
};
/* MySQL 8.0 greeting (zeek/tls-12-amazon-rds.pcap frame 4, cut after the upper caps) */
static const uint8_t mysql_greet[] = {
	0x2d, 0x00, 0x00, 0x00, 0x0a, '8', '.', '0', '.', '2', '8', 0x00, 0x18, 0x00, 0x00,
	0x00, 0x36, 0x5a, 0x5c, 0x3d, 0x1c, 0x74, 0x51, 0x77, 0x00, 0xff, 0xff, 0xff, 0x02,
	0x00, 0xff, 0xdf, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x40, 0x60, 0x4d, 0x11, 0x42, 0x79,
};
static const uint8_t mysql_sslreq[] = {
	0x20, 0x00, 0x00, 0x01, 0x85, 0xae, 0xff, 0x20, 0x00, 0x00, 0x00, 0x01, 0x21, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * The probe order: each preamble's first bytes go to its own probe, and a ClientHello goes
 * to TLS however it starts (a whole record, its first byte alone, after stray bytes).  A
 * new probe that takes any of these flows fails here.
 */
static void
test_probe_order(void **state)
{
	static const uint8_t pg[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
	static const uint8_t socks5[] = { 5, 2, 0, 2 };
	static const uint8_t ldap[] = { 0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18 };
	static const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04 };
	uint8_t buf[128];
	enum sd_preamble k;
	size_t skip, n;

	(void)state;
#define PROBE(b, n, want) do { \
	assert_int_equal(sd_preamble_probe(sd_rd_make((b), (n)), &k, &skip), SD_OK); \
	assert_string_equal(sd_preamble_name(k), sd_preamble_name(want)); } while (0)
	PROBE(real_ch, sizeof(real_ch), SD_PREAMBLE_TLS);
	for (n = 5; n <= sizeof(real_ch); n++)	/* any cut of the hello after its header */
		PROBE(real_ch, n, SD_PREAMBLE_TLS);
	for (n = 1; n < 5; n++)			/* too short to tell: wait, take nothing */
		assert_int_equal(sd_preamble_probe(sd_rd_make(real_ch, n), &k, &skip),
		    SD_NEED_MORE);
	PROBE(ldap, sizeof(ldap), SD_PREAMBLE_LDAP);
	PROBE(socks5, sizeof(socks5), SD_PREAMBLE_SOCKS5);
	PROBE(pg, sizeof(pg), SD_PREAMBLE_PGSQL);
	PROBE(socks4_req, sizeof(socks4_req), SD_PREAMBLE_SOCKS4);
	PROBE(socks4a_req, sizeof(socks4a_req), SD_PREAMBLE_SOCKS4);
	PROBE(rdp_cr, sizeof(rdp_cr), SD_PREAMBLE_RDP);
	PROBE(mysql_greet, sizeof(mysql_greet), SD_PREAMBLE_MYSQL);
	PROBE(mysql_sslreq, sizeof(mysql_sslreq), SD_PREAMBLE_MYSQL);
	PROBE("220 mx ESMTP\r\n", 14, SD_PREAMBLE_TEXT);
	/* unknown bytes: wait for a hello behind them, up to the stray limit, then give up */
	assert_int_equal(sd_preamble_probe(sd_rd_make(junk, sizeof(junk)), &k, &skip),
	    SD_NEED_MORE);
	assert_int_equal(k, SD_PREAMBLE_NONE);
	memset(buf, 0xee, sizeof(buf));
	PROBE(buf, SD_PREAMBLE_MAX_STRAY + 11, SD_PREAMBLE_NONE);
	/* a SOCKS4 request cut short is not taken on its own */
	assert_int_equal(sd_preamble_probe(sd_rd_make(socks4_req, sizeof(socks4_req) - 1), &k,
	    &skip), SD_NEED_MORE);
	assert_int_equal(k, SD_PREAMBLE_NONE);
	/* stray bytes: 4 and 64 are skipped, 65 are too many */
	memcpy(buf, junk, 4);
	memcpy(buf + 4, real_ch, 11);
	buf[3] = 0x01;
	buf[4 + 3] = 0x02, buf[4 + 4] = 0x00;	/* record length = handshake length + 4 */
	PROBE(buf, 15, SD_PREAMBLE_STRAY);
	assert_int_equal(skip, 4);
	memset(buf, 0xee, 64);
	memcpy(buf + 64, real_ch, 11);
	PROBE(buf, 75, SD_PREAMBLE_STRAY);
	assert_int_equal(skip, 64);
	memset(buf, 0xee, 65);
	memcpy(buf + 65, real_ch, 11);
	PROBE(buf, 76, SD_PREAMBLE_NONE);
	/* ambiguous: the record length does not match the handshake length */
	memset(buf, 0xee, sizeof(buf));
	memcpy(buf + 4, real_ch, 11);
	buf[4 + 4] = 0x10;
	PROBE(buf, sizeof(buf), SD_PREAMBLE_NONE);
#undef PROBE
}

static void
test_socks4_granted_and_refused(void **state)
{
	static const uint8_t granted[] = { 0, 90, 0, 0, 0, 0, 0, 0 };
	static const uint8_t refused[] = { 0, 91, 0, 0, 0, 0, 0, 0 };
	struct conn c = { 0 }, d = { 0 };

	(void)state;
	assert_int_equal(start_probe(&c, 0, socks4_req, sizeof(socks4_req)), SD_PREAMBLE_SOCKS4);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	assert_string_equal(c.p.pre.target, "10.0.0.2:443");
	assert_string_equal(c.p.pre.user, "bob");
	assert_false(c.p.pre.socks4a);
	send_bytes(&c, 1, granted, sizeof(granted), 2);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	assert_true(c.p.pre_done);
	assert_string_equal(c.p.pre.outcome, "upgraded");
	assert_int_equal(c.p.pre.reply, 90);
	assert_int_equal(c.p.pre.request_frame, 1);
	assert_int_equal(c.p.pre.answered_frame, 2);
	send_bytes(&c, 0, real_ch, sizeof(real_ch), 3);
	assert_int_equal(c.len[0], sizeof(real_ch));	/* the hello is left for TLS */

	assert_int_equal(start_probe(&d, 0, socks4a_req, sizeof(socks4a_req)),
	    SD_PREAMBLE_SOCKS4);
	assert_true(d.p.pre.socks4a);
	assert_string_equal(d.p.pre.target, "www.test:443");
	assert_true(d.p.pre.open);
	send_bytes(&d, 1, refused, sizeof(refused), 2);
	assert_int_equal(d.p.state, SD_PRELUDE_DEAD);
	assert_string_equal(d.p.pre.outcome, "refused");
	assert_string_equal(d.p.pre.note, "request rejected or failed");
	assert_false(sd_preamble_close(&d.p));		/* decided: nothing at flow end */
}

static void
test_socks4_unanswered(void **state)
{
	struct conn c = { 0 };

	(void)state;
	(void)start_probe(&c, 0, socks4_req, sizeof(socks4_req));
	assert_true(sd_preamble_close(&c.p));
	assert_string_equal(c.p.pre.outcome, "unanswered");
}

static void
test_mysql(void **state)
{
	struct conn c = { 0 }, d = { 0 }, e = { 0 };
	uint8_t login[40], nossl[sizeof(mysql_greet)];

	(void)state;
	assert_int_equal(start_probe(&c, 1, mysql_greet, sizeof(mysql_greet)), SD_PREAMBLE_MYSQL);
	assert_true(c.p.pre.greeting);
	assert_string_equal(c.p.pre.server_version, "8.0.28");
	assert_true((c.p.pre.server_caps & 0x800) != 0);
	assert_int_equal(c.len[1], 0);
	send_bytes(&c, 0, mysql_sslreq, sizeof(mysql_sslreq), 2);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	assert_string_equal(c.p.pre.outcome, "upgraded");
	assert_int_equal(c.len[0], 0);
	send_bytes(&c, 0, real_ch, sizeof(real_ch), 3);
	assert_int_equal(c.len[0], sizeof(real_ch));

	/* the client logs in without CLIENT_SSL */
	(void)start_probe(&d, 1, mysql_greet, sizeof(mysql_greet));
	memcpy(login, mysql_sslreq, 36);
	login[0] = 36;
	login[5] &= (uint8_t)~0x08;
	memset(login + 36, 'x', 4);
	send_bytes(&d, 0, login, sizeof(login), 2);
	assert_int_equal(d.p.state, SD_PRELUDE_DEAD);
	assert_string_equal(d.p.pre.outcome, "no_tls");
	assert_string_equal(d.p.pre.note, "client did not request TLS (login in the clear)");

	/* a server without CLIENT_SSL */
	memcpy(nossl, mysql_greet, sizeof(nossl));
	nossl[4 + 1 + 7 + 4 + 8 + 1 + 1] &= (uint8_t)~0x08;
	(void)start_probe(&e, 1, nossl, sizeof(nossl));
	assert_true((e.p.pre.server_caps & 0x800) == 0);
	send_bytes(&e, 0, login, sizeof(login), 2);
	assert_string_equal(e.p.pre.note, "server does not support TLS (no CLIENT_SSL)");
}

/* A greeting the client never answers: the event at flow end has the greeting's frame and
 * time (it had time 0, which made the clock rule read the capture as 1970). */
static void
test_mysql_greeting_only(void **state)
{
	struct conn c = { 0 };
	enum sd_preamble k;
	size_t skip;
	uint8_t *cp;
	size_t used = 0;

	(void)state;
	assert_int_equal(sd_preamble_probe(sd_rd_make(mysql_greet, sizeof(mysql_greet)), &k,
	    &skip), SD_OK);
	sd_prelude_start(&c.p, k, skip, 7, 1700000000, 5);
	cp = malloc(sizeof(mysql_greet));
	assert_non_null(cp);
	memcpy(cp, mysql_greet, sizeof(mysql_greet));
	(void)sd_prelude_feed(&c.p, 1, sd_rd_make(cp, sizeof(mysql_greet)), 7, 1700000000, 5,
	    &used);
	free(cp);
	assert_int_equal(used, sizeof(mysql_greet));
	assert_true(sd_preamble_close(&c.p));
	assert_string_equal(c.p.pre.outcome, "no_tls");
	assert_int_equal(c.p.pre.answered_frame, 7);
	assert_int_equal(c.p.pre.sec, 1700000000);
	assert_int_equal(c.p.pre.nsec, 5);
}

static void
test_rdp(void **state)
{
	static const uint8_t cc_ssl[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12,
		0x34, 0x00, 0x02, 0x1f, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00 };
	static const uint8_t cc_fail[] = { 0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12,
		0x34, 0x00, 0x03, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00, 0x00 };
	struct conn c = { 0 }, d = { 0 };

	(void)state;
	assert_int_equal(start_probe(&c, 0, rdp_cr, sizeof(rdp_cr)), SD_PREAMBLE_RDP);
	assert_int_equal(c.p.state, SD_PRELUDE_REQUESTED);
	assert_string_equal(c.p.pre.cookie, "Cookie: mstshash=bob");
	assert_true(c.p.pre.neg_req);
	assert_int_equal(c.p.pre.requested, 0x0b);
	send_bytes(&c, 1, cc_ssl, sizeof(cc_ssl), 2);
	assert_int_equal(c.p.state, SD_PRELUDE_UPGRADED);
	assert_int_equal(c.p.pre.neg_type, 2);
	assert_string_equal(sd_rdp_protocol_name(c.p.pre.neg_value), "ssl");

	(void)start_probe(&d, 0, rdp_cr, sizeof(rdp_cr));
	send_bytes(&d, 1, cc_fail, sizeof(cc_fail), 2);
	assert_int_equal(d.p.state, SD_PRELUDE_DEAD);
	assert_string_equal(d.p.pre.outcome, "failed");
	assert_string_equal(d.p.pre.note, "HYBRID_REQUIRED_BY_SERVER");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_starttls),
		cmocka_unit_test(test_smtp_pipelined_and_refused),
		cmocka_unit_test(test_imap_tagged),
		cmocka_unit_test(test_pop3_ftp),
		cmocka_unit_test(test_ldap),
		cmocka_unit_test(test_connect_established),
		cmocka_unit_test(test_connect_refused_then_retried),
		cmocka_unit_test(test_connect_bytewise),
		cmocka_unit_test(test_implicit_upgrade),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_generic_and_dead),
		cmocka_unit_test(test_probe_order),
		cmocka_unit_test(test_socks4_granted_and_refused),
		cmocka_unit_test(test_socks4_unanswered),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_mysql_greeting_only),
		cmocka_unit_test(test_rdp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
