/* tests/unit/test_prelude.c - STARTTLS and HTTP CONNECT preludes: when TLS may start. */
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
