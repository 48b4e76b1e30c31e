/* tests/unit/test_a_clock.c - is the capture's clock right (analyze/clock.c), and the roots
 * withdrawn from Debian's store (analyze/withdrawn.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "analyze/clock.h"
#include "analyze/withdrawn.h"
#include "analyze/x509.h"
#include "dissect/tls.h"

#define NOW	((int64_t)1796466165)	/* 2026-12-05: the time of the analysis */
#define T2016	((int64_t)1456833600)	/* 2016-03-01T12:00:00Z */

static void
frame(struct sd_clock *c, int64_t ts)
{
	struct sd_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_TCP_UNANSWERED;
	ev.ts_sec = ts;
	sd_clock_event(c, &ev);
}

/* A TLS 1.2 ClientHello from 10.0.0.<host> whose random starts with hello time t. */
static void
hello(struct sd_clock *c, int64_t ts, uint8_t host, uint32_t t)
{
	struct sd_tls_client_hello ch;
	struct sd_event ev;

	memset(&ch, 0, sizeof(ch));
	memset(&ev, 0, sizeof(ev));
	ch.legacy_version = 0x0303;
	ch.random[0] = (uint8_t)(t >> 24);
	ch.random[1] = (uint8_t)(t >> 16);
	ch.random[2] = (uint8_t)(t >> 8);
	ch.random[3] = (uint8_t)t;
	ev.type = SD_EV_TLS_CLIENT_HELLO;
	ev.ts_sec = ts;
	ev.src.v = 4;
	ev.src.a[0] = 10;
	ev.src.a[3] = host;
	ev.u.msg.client_hello = &ch;
	sd_clock_event(c, &ev);
}

/* A certificate fact valid from nb, issued by `issuer`. */
static void
cert(struct sd_x509_info *x, const char *sha, char *subject, char *issuer, int64_t nb)
{
	memset(x, 0, sizeof(*x));
	x->parsed = true;
	snprintf(x->sha256, sizeof(x->sha256), "%s", sha);
	x->subject = subject;
	x->issuer = issuer;
	snprintf(x->not_before, sizeof(x->not_before), "%s", "2015-06-04T11:04:38Z");
	x->not_before_t = nb;
}

static void
test_before_1995(void **state)
{
	struct sd_clock *c = sd_clock_new(0, NOW);
	char text[200];

	(void)state;
	frame(c, 5);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_WRONG);
	assert_true(sd_clock_when(c, 0, 5) == SD_CLOCK_NO_TIME);
	sd_clock_text(c, 0, text, sizeof(text), NULL, 0);
	assert_string_equal(text, "the capture clock reads 1970-01-01, before 1995: validity is "
	    "not judged");
	sd_clock_free(c);
}

static void
test_right_and_future(void **state)
{
	struct sd_clock *c = sd_clock_new(0, NOW);
	char text[200];

	(void)state;
	frame(c, T2016);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_UNKNOWN);
	assert_true(sd_clock_when(c, 0, T2016 + 10) == T2016 + 10);
	sd_clock_text(c, 0, text, sizeof(text), NULL, 0);
	assert_string_equal(text, "");
	/* a later frame of the same input: the earliest one counts */
	frame(c, NOW + 30 * 86400);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_UNKNOWN);
	sd_clock_free(c);
	c = sd_clock_new(0, NOW);
	frame(c, NOW + 30 * 86400);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_WRONG);
	sd_clock_free(c);
}

/* Most certificates not yet valid, from two issuers: wrong; one server's alone: not. */
static void
test_certificates(void **state)
{
	struct sd_clock *c = sd_clock_new(0, NOW);
	struct sd_x509_info a, b, d;
	const struct sd_x509_info *x[2];
	char text[200], ev[400];

	(void)state;
	frame(c, 946684800);	/* 2000-01-01 */
	cert(&a, "aa", "CN=leaf", "CN=R3", 1600000000);
	cert(&b, "bb", "CN=R3", "CN=ISRG Root X1", 1600000000);
	cert(&d, "dd", "CN=old", "CN=Old CA", 900000000);
	x[0] = &a;
	sd_clock_certificates(c, 0, 946684800, x, 1);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_UNKNOWN);	/* one: a real failure */
	x[0] = &d;
	sd_clock_certificates(c, 0, 946684800, x, 1);
	x[0] = &b;
	x[1] = &a;	/* seen before: counted once */
	sd_clock_certificates(c, 0, 946684800, x, 2);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_WRONG);
	sd_clock_text(c, 0, text, sizeof(text), ev, sizeof(ev));
	assert_string_equal(text, "the capture clock reads 2000-01-01, before most certificates "
	    "seen were issued: validity is not judged");
	assert_non_null(strstr(ev, "2 of the 3 certificates seen were not yet valid"));
	assert_non_null(strstr(ev, "CN=leaf (valid from 2015-06-04)"));
	assert_true(sd_clock_saw_certificates(c, 0));
	sd_clock_free(c);

	/* two not yet valid from one issuer (one server's chain): not enough */
	c = sd_clock_new(0, NOW);
	frame(c, 946684800);
	cert(&b, "bb", "CN=other leaf", "CN=R3", 1600000000);
	x[0] = &a;
	x[1] = &b;
	sd_clock_certificates(c, 0, 946684800, x, 2);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_UNKNOWN);
	sd_clock_free(c);
}

/* Two hosts' hello times agree, far from the capture clock: wrong; near it: right. */
static void
test_hello_times(void **state)
{
	struct sd_clock *c = sd_clock_new(0, NOW);
	struct sd_x509_info a, b;
	const struct sd_x509_info *x[2];
	char text[200], ev[400];

	(void)state;
	frame(c, 946684800);
	hello(c, 946684800, 1, (uint32_t)T2016);
	hello(c, 946684801, 1, (uint32_t)T2016 + 1);	/* the same host again: no witness */
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_UNKNOWN);
	hello(c, 946684802, 2, 123456789);		/* random bytes: before 2000, ignored */
	hello(c, 946684803, 3, (uint32_t)T2016 + 200);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_WRONG);
	sd_clock_text(c, 0, text, sizeof(text), ev, sizeof(ev));
	assert_non_null(strstr(text, "far from the hosts' own clocks"));
	assert_non_null(strstr(ev, "agree on 2016-03-01"));
	sd_clock_free(c);

	/* two hosts agree with the capture clock: right, even before most notBefores */
	c = sd_clock_new(0, NOW);
	frame(c, T2016);
	hello(c, T2016, 1, (uint32_t)T2016 + 3);
	hello(c, T2016 + 5, 2, (uint32_t)T2016 + 4);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_RIGHT);
	cert(&a, "aa", "CN=leaf", "CN=R3", T2016 + 86400 * 100);
	cert(&b, "bb", "CN=R3", "CN=Root", T2016 + 86400 * 100);
	x[0] = &a;
	x[1] = &b;
	sd_clock_certificates(c, 0, T2016, x, 2);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_RIGHT);
	sd_clock_free(c);
}

static void
test_given(void **state)
{
	struct sd_clock *c = sd_clock_new(T2016, NOW);
	char text[300];

	(void)state;
	frame(c, 100);
	assert_int_equal(sd_clock_verdict(c, 0), SD_CLOCK_GIVEN);
	assert_true(sd_clock_when(c, 0, 100) == T2016);
	assert_true(sd_clock_when(c, 0, 160) == T2016 + 60);
	sd_clock_text(c, 0, text, sizeof(text), NULL, 0);
	assert_non_null(strstr(text, "--time 2016-03-01T12:00:00Z is taken as the real time"));
	sd_clock_free(c);
}

static void
test_parse_iso(void **state)
{
	int64_t t;

	(void)state;
	assert_true(sd_clock_parse_iso("2016-03-01T12:00:00Z", &t));
	assert_true(t == T2016);
	assert_true(sd_clock_parse_iso("2016-03-01T12:00", &t));
	assert_true(t == T2016);
	assert_true(sd_clock_parse_iso("2016-03-01", &t));
	assert_true(t == T2016 - 12 * 3600);
	assert_false(sd_clock_parse_iso("2016-3-1", &t));
	assert_false(sd_clock_parse_iso("2016-03-01T25:00", &t));
	assert_false(sd_clock_parse_iso("2016-03-01Tx", &t));
	assert_false(sd_clock_parse_iso("yesterday", &t));
	assert_false(sd_clock_parse_iso("2016-03-01T12:00:00Z junk", &t));
}

static void
test_withdrawn(void **state)
{
	const struct withdrawn_root *w;
	int64_t t = 0;

	(void)state;
	w = sd_withdrawn_root("CN=DST Root CA X3,O=Digital Signature Trust Co.", &t);
	assert_non_null(w);
	assert_string_equal(w->date, "2021-10-07");
	assert_true(t == 1633564800);
	/* by CN, case-insensitive, escapes undone */
	assert_non_null(sd_withdrawn_root("CN=geotrust global ca,O=GeoTrust Inc.,C=US", NULL));
	assert_non_null(sd_withdrawn_root("C=US,O=x\\, y,CN=AddTrust External Root", NULL));
	/* a root still in the store, and a name with no CN matching */
	assert_null(sd_withdrawn_root("CN=ISRG Root X1,O=Internet Security Research Group,C=US",
	    NULL));
	assert_null(sd_withdrawn_root("O=DST Root CA X3 Fans", NULL));
	assert_null(sd_withdrawn_root(NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_1995),
		cmocka_unit_test(test_right_and_future),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_hello_times),
		cmocka_unit_test(test_given),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_withdrawn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
