/* tests/unit/test_a_rules_tls.c - negotiation and pin rules on synthetic event sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/rules.h"
#include "analyze/tls_text.h"
#include "dissect/tls.h"

#define CLIENT	0
#define SERVER	1

struct harness {
	struct sd_findings	 out;
	struct sd_rules		*r;
	struct test_flows	 flows;
	uint64_t		 frame;
};

static void
setup_h(struct harness *h)
{
	static const struct sd_rules_opts o = { .no_system_ca = true };
	char err[256];

	memset(h, 0, sizeof(*h));
	h->r = sd_rules_new(&h->out, &o, &h->flows.reg, NULL, err, sizeof(err));
	assert_non_null(h->r);
}

static void
teardown_h(struct harness *h)
{
	sd_rules_finish(h->r);
	test_flows_free(&h->flows);
	sd_rules_free(h->r);
	sd_finding_list_free(&h->out);
}

/* Send one event of flow `flow` from the client (10.99.1.1:40000+flow) or the server. */
static void
emit(struct harness *h, enum sd_ev_type type, uint64_t flow, int from, const void *msg)
{
	struct sd_event ev;
	struct sd_addr c = { { 10, 99, 1, 1 }, 4 }, s = { { 10, 99, 1, 2 }, 4 };

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.frame = ++h->frame;
	ev.ts_sec = 1796000000;
	ev.transport = SD_IPPROTO_TCP;
	ev.src = from == CLIENT ? c : s;
	ev.dst = from == CLIENT ? s : c;
	ev.sport = from == CLIENT ? (uint16_t)(40000 + flow) : 443;
	ev.dport = from == CLIENT ? 443 : (uint16_t)(40000 + flow);
	ev.flow_id = flow;
	ev.store = test_store(&h->flows, flow);
	ev.u.msg = ev_msg(type, msg);
	sd_rules_event(h->r, &ev);
	if (type == SD_EV_FLOW)
		test_flow_end(&h->flows, flow);
}

static const uint8_t suites12[] = { 0x00, 0x35, 0x00, 0x2f };		/* AES256-SHA, AES128-SHA */
static const uint8_t suites13[] = { 0x13, 0x02, 0x13, 0x01 };
static const uint8_t v13[] = { 0x03, 0x04 };
static const uint8_t v13_12[] = { 0x03, 0x04, 0x03, 0x03 };
static const uint8_t p384[] = { 0x00, 0x18 };
static const uint8_t sni[] = "www.example.test";

static void
client_hello(struct harness *h, uint64_t flow, const uint8_t *suites, size_t ns,
    const uint8_t *versions, size_t nv)
{
	struct sd_tls_client_hello ch;

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	ch.ciphers = sd_rd_make(suites, ns);
	ch.cipher_width = 2;
	ch.has_sni = true;
	ch.sni = sd_rd_make(sni, sizeof(sni) - 1);
	if (versions != NULL) {
		ch.has_supported_versions = true;
		ch.supported_versions = sd_rd_make(versions, nv);
	}
	ch.groups = sd_rd_make(p384, sizeof(p384));
	emit(h, SD_EV_TLS_CLIENT_HELLO, flow, CLIENT, &ch);
}

static void
server_hello(struct harness *h, uint64_t flow, uint16_t version, uint16_t cipher, bool hrr)
{
	struct sd_tls_server_hello sh;

	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = 0x0303;
	sh.version = version;
	sh.cipher = cipher;
	sh.hello_retry = hrr;
	emit(h, SD_EV_TLS_SERVER_HELLO, flow, SERVER, &sh);
}

static void
alert(struct harness *h, uint64_t flow, int from, uint8_t level, uint8_t desc)
{
	struct sd_tls_alert a;

	memset(&a, 0, sizeof(a));
	a.level = level;
	a.description = desc;
	a.length = 2;
	a.sender = (uint8_t)from;
	emit(h, SD_EV_TLS_ALERT, flow, from, &a);
}


/* The only finding, of this kind. */
static const struct sd_finding *
only(struct harness *h, const char *kind)
{
	assert_int_equal(h->out.n, 1);
	assert_string_equal(h->out.v[0]->kind, kind);
	return h->out.v[0];
}

static void
test_no_shared_cipher(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);	/* frame 1 */
	alert(&h, 1, SERVER, 2, 40);					/* frame 2 */
	/* another connection to the same server succeeds with a suite of its own */
	client_hello(&h, 2, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 2, 0x0304, 0x1301, false);
	sd_rules_finish(h.r);
	f = only(&h, "tls.no_shared_cipher");
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_int_equal(f->nframes, 2);
	assert_int_equal(f->frames[0], 1);
	assert_int_equal(f->frames[1], 2);
	assert_non_null(strstr(finding_value(f, "offered_ciphers"), "TLS_RSA_WITH_AES_256_CBC_SHA"));
	assert_string_equal(finding_value(f, "server_chose_elsewhere"), "TLS_AES_128_GCM_SHA256");
	teardown_h(&h);
}

static void
test_no_shared_group(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	alert(&h, 1, SERVER, 2, 40);
	f = only(&h, "tls.no_shared_group");
	assert_string_equal(finding_value(f, "offered_groups"), "secp384r1");
	teardown_h(&h);
	/* the same alert when the client also offers TLS 1.2: the suites may be the cause */
	setup_h(&h);
	client_hello(&h, 1, suites13, sizeof(suites13), v13_12, sizeof(v13_12));
	alert(&h, 1, SERVER, 2, 40);
	(void)only(&h, "tls.no_shared_cipher");
	teardown_h(&h);
}

static void
test_no_shared_version(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);
	alert(&h, 1, SERVER, 2, 70);
	f = only(&h, "tls.no_shared_version");
	assert_string_equal(finding_value(f, "offered_versions"), "TLS 1.2");
	teardown_h(&h);
	/* a ServerHello choosing TLS 1.3 that the client never offered */
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);
	server_hello(&h, 1, 0x0304, 0x1301, false);
	alert(&h, 1, CLIENT, 2, 70);	/* the client's answer: the same cause, not another */
	f = only(&h, "tls.no_shared_version");
	assert_string_equal(finding_value(f, "server_version"), "TLS 1.3");
	teardown_h(&h);
}

static void
test_hello_retry_loop(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 1, 0x0304, 0x1301, true);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 1, 0x0304, 0x1301, true);	/* frame 4 */
	f = only(&h, "tls.hello_retry_loop");
	assert_int_equal(f->frames[f->nframes - 1], 4);
	teardown_h(&h);
	/* one HRR and a full handshake: nothing */
	setup_h(&h);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 1, 0x0304, 0x1301, true);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 1, 0x0304, 0x1301, false);
	alert(&h, 1, CLIENT, 1, 0);
	assert_int_equal(h.out.n, 0);
	teardown_h(&h);
}

static void
test_client_cert_missing(void **state)
{
	struct harness h;
	struct sd_tls_certificate empty;
	const struct sd_finding *f;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);
	server_hello(&h, 1, 0x0303, 0x0035, false);
	emit(&h, SD_EV_TLS_CERTIFICATE, 1, CLIENT, &empty);	/* frame 3 */
	alert(&h, 1, SERVER, 2, 40);				/* frame 4 */
	f = only(&h, "tls.client_certificate_missing");
	assert_int_equal(f->nframes, 2);
	assert_int_equal(f->frames[0], 3);
	assert_int_equal(f->frames[1], 4);
	teardown_h(&h);
}

static void
test_fatal_alert_and_quiet_closes(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);
	server_hello(&h, 1, 0x0303, 0x0035, false);
	alert(&h, 1, CLIENT, 2, 50);	/* decode_error answering the ServerHello */
	f = only(&h, "tls.fatal_alert");
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_string_equal(finding_value(f, "sender"), "client");
	assert_string_equal(finding_value(f, "answered"), "ServerHello");
	teardown_h(&h);
	/* close_notify, warnings and encrypted alerts are no finding */
	setup_h(&h);
	client_hello(&h, 1, suites12, sizeof(suites12), NULL, 0);
	server_hello(&h, 1, 0x0303, 0x0035, false);
	alert(&h, 1, CLIENT, 1, 0);
	alert(&h, 1, SERVER, 1, 112);
	assert_int_equal(h.out.n, 0);
	teardown_h(&h);
}

/*
 * TLS 1.3: the certificate is encrypted, the client's certificate alert is in the clear.
 * The finding must not claim that a chain check ran, and two servers are two findings.
 */
static void
test_tls13_certificate_rejected(void **state)
{
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	client_hello(&h, 1, suites13, sizeof(suites13), v13, sizeof(v13));
	server_hello(&h, 1, 0x0304, 0x1301, false);
	alert(&h, 1, CLIENT, 2, 48);	/* unknown_ca */
	f = only(&h, "tls.certificate_rejected");
	assert_null(strstr(f->explanation, "found nothing wrong"));
	assert_non_null(strstr(f->explanation, "encrypts"));
	assert_null(strstr(f->summary, "(encrypted: TLS 1.3)"));
	assert_non_null(strstr(f->summary, "www.example.test"));
	assert_non_null(strstr(finding_value(f, "note"), "checked nothing"));
	assert_null(strstr(f->fix, "chain shown"));
	teardown_h(&h);
}

static void
test_dtls_resumption(void **state)
{
	static const uint8_t sid[32] = { 1, 2, 3 };
	struct sd_tls_client_hello ch;
	struct harness h;
	const struct sd_finding *f;
	int resume;

	(void)state;
	for (resume = 0; resume < 2; resume++) {
		setup_h(&h);
		memset(&ch, 0, sizeof(ch));
		ch.dtls = true;
		ch.legacy_version = 0xfefd;
		ch.ciphers = sd_rd_make(suites12, sizeof(suites12));
		ch.cipher_width = 2;
		ch.session_id = sd_rd_make(sid, resume ? sizeof(sid) : 0);
		emit(&h, SD_EV_TLS_CLIENT_HELLO, 1, CLIENT, &ch);
		alert(&h, 1, SERVER, 2, 47);	/* illegal_parameter */
		f = only(&h, resume ? "dtls.alert_after_resumption" : "tls.fatal_alert");
		assert_non_null(strstr(finding_value(f, "alert"), "(47)"));
		teardown_h(&h);
	}
}

/* DTLS says DTLS: version, sender and the cookie exchange before the alert. */
static void
test_dtls_no_shared_cipher(void **state)
{
	static const uint8_t cookie[20] = { 1 };
	struct sd_dtls_hello_verify_request hvr;
	struct sd_tls_client_hello ch;
	struct harness h;
	const struct sd_finding *f;

	(void)state;
	setup_h(&h);
	memset(&ch, 0, sizeof(ch));
	ch.dtls = true;
	ch.legacy_version = 0xfefd;
	ch.ciphers = sd_rd_make(suites12, sizeof(suites12));
	ch.cipher_width = 2;
	emit(&h, SD_EV_TLS_CLIENT_HELLO, 1, CLIENT, &ch);		/* frame 1 */
	memset(&hvr, 0, sizeof(hvr));
	hvr.server_version = 0xfeff;
	hvr.cookie = sd_rd_make(cookie, sizeof(cookie));
	emit(&h, SD_EV_DTLS_HELLO_VERIFY_REQUEST, 1, SERVER, &hvr);	/* frame 2 */
	ch.cookie = sd_rd_make(cookie, sizeof(cookie));
	emit(&h, SD_EV_TLS_CLIENT_HELLO, 1, CLIENT, &ch);		/* frame 3 */
	alert(&h, 1, SERVER, 2, 40);					/* frame 4 */
	f = only(&h, "tls.no_shared_cipher");
	assert_int_equal(f->nframes, 4);
	assert_int_equal(f->frames[0], 1);
	assert_int_equal(f->frames[1], 2);
	assert_int_equal(f->frames[2], 3);
	assert_int_equal(f->frames[3], 4);
	assert_string_equal(finding_value(f, "protocol"), "DTLS 1.2");
	assert_string_equal(finding_value(f, "sender"), "server");
	assert_string_equal(finding_value(f, "hello_verify"), "ClientHello 1, "
	    "HelloVerifyRequest 2, ClientHello with the cookie 3");
	assert_non_null(strstr(f->summary, "DTLS 1.2: "));
	assert_non_null(strstr(f->summary, "HelloVerifyRequest exchange"));
	teardown_h(&h);
}

/* The same cause on many connections is one finding with a count. */
static void
test_grouping(void **state)
{
	struct harness h;
	const struct sd_finding *f;
	uint64_t i;

	(void)state;
	setup_h(&h);
	for (i = 1; i <= 50; i++) {
		client_hello(&h, i, suites12, sizeof(suites12), NULL, 0);
		alert(&h, i, SERVER, 2, 40);
	}
	f = only(&h, "tls.no_shared_cipher");
	assert_int_equal(f->count, 50);
	assert_int_equal(f->nflows_total, 50);
	teardown_h(&h);
}

static void
test_bad_pins(void **state)
{
	static const char *const bad[] = { "www.example.test", "=00", "h=zz",
		"h=4c6bbca2376a", "h=4c6bbca2376a22a64a78c2c7c349747398eb48f", "h=AAAA",
		/* HOST:PORT: a port 1..65535, IPv6 in brackets */
		"h:0=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h:=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h:65536=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h:44x=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		":443=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"[::1=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"[::1]443=4c6bbca2376a22a64a78c2c7c349747398eb48f2" };
	static const char *const good[] = {
		"h=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h:443=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h:65535=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"[2001:db8::1]:443=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"[2001:db8::1]=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"2001:db8::1=4c6bbca2376a22a64a78c2c7c349747398eb48f2",
		"h=4C:6B:BC:A2:37:6A:22:A6:4A:78:C2:C7:C3:49:74:73:98:EB:48:F2",
		"h=AkQxW1IzTbgEHUPRDsYPUh0A31zRMLQn0ll9RNANObY=",
		"h=AkQxW1IzTbgEHUPRDsYPUh0A31zRMLQn0ll9RNANObY" };
	struct sd_rules_opts o;
	struct sd_findings out;
	struct sd_rules *r;
	char err[512];
	size_t i;

	(void)state;
	memset(&out, 0, sizeof(out));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.no_system_ca = true;
		o.pins[0] = bad[i];
		o.npins = 1;
		err[0] = '\0';
		r = sd_rules_new(&out, &o, NULL, NULL, err, sizeof(err));
		if (r != NULL)
			fail_msg("pin '%s' accepted", bad[i]);
		assert_non_null(strstr(err, "--pin"));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.no_system_ca = true;
		o.pins[0] = good[i];
		o.npins = 1;
		r = sd_rules_new(&out, &o, NULL, NULL, err, sizeof(err));
		if (r == NULL)
			fail_msg("pin '%s' refused: %s", good[i], err);
		sd_rules_free(r);
	}
}

/* The SNI the rules keep: present, under 256 bytes, no NUL (a 256-byte name is not kept). */
static void
test_sni_keepable(void **state)
{
	static uint8_t name[300];
	struct sd_tls_client_hello ch;

	(void)state;
	memset(name, 'a', sizeof(name));
	memset(&ch, 0, sizeof(ch));
	ch.sni = sd_rd_make(name, 255);
	assert_false(sd_tls_sni_keepable(&ch));	/* has_sni not set */
	ch.has_sni = true;
	assert_true(sd_tls_sni_keepable(&ch));
	ch.sni = sd_rd_make(name, SD_TLS_SNI_MAX);
	assert_false(sd_tls_sni_keepable(&ch));
	name[10] = '\0';
	ch.sni = sd_rd_make(name, 20);
	assert_false(sd_tls_sni_keepable(&ch));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_shared_cipher),
		cmocka_unit_test(test_no_shared_group),
		cmocka_unit_test(test_no_shared_version),
		cmocka_unit_test(test_hello_retry_loop),
		cmocka_unit_test(test_client_cert_missing),
		cmocka_unit_test(test_fatal_alert_and_quiet_closes),
		cmocka_unit_test(test_tls13_certificate_rejected),
		cmocka_unit_test(test_dtls_resumption),
		cmocka_unit_test(test_dtls_no_shared_cipher),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_bad_pins),
		cmocka_unit_test(test_sni_keepable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
