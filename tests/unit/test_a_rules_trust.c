/* tests/unit/test_a_rules_trust.c - trust and interception findings on synthetic connections
 * carrying the sample PKIs' certificates: severity by outcome, one finding per cause,
 * exact chain reasons, outcomes counted alike by every finding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "analyze/rules.h"
#include "dissect/tls.h"

#include "intercept_certs.h"

#define CLIENT	0
#define SERVER	1
#define NOW	((int64_t)1796466165)	/* 2026-12-05T10:22:45Z: the pki-trust samples' day */

/* How a connection ends after the server's Certificate. */
enum end {
	ACCEPTED,	/* finished handshake, application data both ways */
	REFUSED,	/* the client's fatal alert (desc) */
	SILENT,		/* nothing: the capture ends */
	BLACKHOLE,	/* the server's full-size segments never acknowledged */
	TLS13_SERVER_ABORT,	/* TLS 1.3: an alert-sized record from the server */
};

struct harness {
	struct sd_findings	 out;
	struct sd_rules		*r;
	struct test_flows	 flows;
	uint64_t		 frame;
};

struct der {
	uint8_t	*p;
	size_t	 len;
};

static void
setup_h(struct harness *h, bool with_root)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	struct sd_rules_opts o;
	char path[1024], err[256];

	memset(h, 0, sizeof(*h));
	memset(&o, 0, sizeof(o));
	o.no_system_ca = true;
	snprintf(path, sizeof(path), "%s/samples/pki/root.crt", dir != NULL ? dir : ".");
	if (with_root)
		o.ca_files[o.nca_files++] = path;
	h->r = sd_rules_new(&h->out, &o, &h->flows.reg, NULL, err, sizeof(err));
	if (h->r == NULL)
		fail_msg("%s", err);
}

/* The rules trusting one CA file (source-relative, NULL none), the capture's real time
 * given as with --time (0: not given). */
static void
setup_opts(struct harness *h, const char *ca, int64_t capture_time)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	struct sd_rules_opts o;
	char path[1024], err[256];

	memset(h, 0, sizeof(*h));
	memset(&o, 0, sizeof(o));
	o.no_system_ca = true;
	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", ca != NULL ? ca : "");
	if (ca != NULL)
		o.ca_files[o.nca_files++] = path;
	o.capture_time = capture_time;
	h->r = sd_rules_new(&h->out, &o, &h->flows.reg, NULL, err, sizeof(err));
	if (h->r == NULL)
		fail_msg("%s", err);
}

static void
teardown_h(struct harness *h)
{
	test_flows_free(&h->flows);
	sd_rules_free(h->r);
	sd_finding_list_free(&h->out);
}

static void
finish(struct harness *h)
{
	sd_rules_finish(h->r);
}

/* DER of a PEM certificate in the source tree. */
static struct der
load(const char *rel)
{
	const char *dir = getenv("SD_SOURCE_DIR");
	char path[1024];
	struct der d = { NULL, 0 };
	unsigned char *p = NULL;
	X509 *x;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : ".", rel);
	f = fopen(path, "r");
	assert_non_null(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	n = i2d_X509(x, &p);
	assert_true(n > 0);
	d.p = p;
	d.len = (size_t)n;
	X509_free(x);
	return d;
}

static void
emit(struct harness *h, enum sd_ev_type type, uint64_t flow, uint8_t srv, int from,
    const void *msg, struct sd_event *tmpl)
{
	struct sd_event ev;
	struct sd_addr c = { { 10, 99, 1, 1 }, 4 }, s = { { 10, 99, 1, 0 }, 4 };

	s.a[3] = srv;
	if (tmpl != NULL)
		ev = *tmpl;
	else
		memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.frame = ++h->frame;
	ev.ts_sec = NOW;
	ev.transport = SD_IPPROTO_TCP;
	ev.src = from == CLIENT ? c : s;
	ev.dst = from == CLIENT ? s : c;
	ev.sport = from == CLIENT ? (uint16_t)(40000 + flow) : 443;
	ev.dport = from == CLIENT ? 443 : (uint16_t)(40000 + flow);
	ev.flow_id = flow;
	ev.store = test_store(&h->flows, flow);
	if (type != SD_EV_FLOW)
		ev.u.msg = ev_msg(type, msg);
	sd_rules_event(h->r, &ev);
	if (type == SD_EV_FLOW)
		test_flow_end(&h->flows, flow);
}

/*
 * One connection to 10.99.1.<srv>: ClientHello (frame f+1), ServerHello (f+2), Certificate
 * of the PEM files given (f+3), then as `end` says: the client's alert (f+4), the session
 * record and the flow record.
 */
static uint64_t
conn_der(struct harness *h, uint64_t flow, uint8_t srv, const char *sni, uint16_t version,
    const struct der *d, size_t n, enum end end, uint8_t desc)
{
	struct sd_tls_client_hello ch;
	struct sd_tls_server_hello sh;
	struct sd_tls_certificate cm;
	struct sd_tls_alert a;
	struct sd_tls_session s;
	struct sd_event fr;
	uint64_t cert;
	size_t i;

	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	ch.has_sni = true;
	ch.sni = sd_rd_make(sni, strlen(sni));
	emit(h, SD_EV_TLS_CLIENT_HELLO, flow, srv, CLIENT, &ch, NULL);
	memset(&sh, 0, sizeof(sh));
	sh.legacy_version = 0x0303;
	sh.version = version;
	sh.cipher = 0xc030;
	emit(h, SD_EV_TLS_SERVER_HELLO, flow, srv, SERVER, &sh, NULL);
	cert = h->frame + 1;
	if (n > 0) {
		memset(&cm, 0, sizeof(cm));
		cm.count = cm.kept = (uint32_t)n;
		for (i = 0; i < n; i++)
			cm.der[i] = sd_rd_make(d[i].p, d[i].len);
		emit(h, SD_EV_TLS_CERTIFICATE, flow, srv, SERVER, &cm, NULL);
	}
	memset(&s, 0, sizeof(s));
	s.version = version;
	s.has_server_hello = true;
	if (end == REFUSED) {
		memset(&a, 0, sizeof(a));
		a.level = 2;
		a.description = desc;
		a.length = 2;
		emit(h, SD_EV_TLS_ALERT, flow, srv, CLIENT, &a, NULL);
	} else if (end == ACCEPTED) {
		s.handshake_complete = true;
		s.app_data[0] = s.app_data[1] = 1;
	} else if (end == TLS13_SERVER_ABORT) {
		struct sd_tls_encrypted_handshake eh;

		memset(&eh, 0, sizeof(eh));
		emit(h, SD_EV_TLS_ENCRYPTED_HANDSHAKE, flow, srv, CLIENT, &eh, NULL);
		s.nalerts = 1;
		s.alerts[0].sender = SD_ROLE_SERVER;
		s.alerts[0].encrypted = true;
		s.alerts[0].by_length = true;
		s.alerts[0].frame = h->frame + 1;
	}
	emit(h, SD_EV_TLS_SESSION, flow, srv, CLIENT, &s, NULL);
	memset(&fr, 0, sizeof(fr));
	fr.u.flow.packets[0] = fr.u.flow.packets[1] = 6;
	fr.u.flow.syn_seen = fr.u.flow.synack_seen = true;
	if (end == BLACKHOLE) {
		fr.u.flow.seg_max[1] = 1448;
		fr.u.flow.big_retx[1] = 7;
		fr.u.flow.fin_seen[0] = true;
	}
	emit(h, SD_EV_FLOW, flow, srv, CLIENT, NULL, &fr);
	return cert;
}

/* The same with certificates from PEM files (NULL-terminated list). */
static uint64_t
conn(struct harness *h, uint64_t flow, uint8_t srv, const char *sni, const char *const *pem,
    enum end end, uint8_t desc)
{
	struct der d[SD_TLS_MAX_CERTS];
	uint64_t cert;
	size_t n, i;

	memset(d, 0, sizeof(d));
	for (n = 0; pem[n] != NULL && n < SD_TLS_MAX_CERTS; n++)
		d[n] = load(pem[n]);
	cert = conn_der(h, flow, srv, sni, 0x0303, d, n, end, desc);
	for (i = 0; i < n; i++)
		OPENSSL_free(d[i].p);
	return cert;
}

static const char *
value(const struct sd_finding *f, const char *name)
{
	const char *v = finding_value(f, name);

	return v != NULL ? v : "";
}

static bool
has_frame(const struct sd_finding *f, uint64_t frame)
{
	size_t i;

	for (i = 0; i < f->nframes; i++)
		if (f->frames[i] == frame)
			return true;
	return false;
}

static const char *const private_chain[] = { "samples/pki-trust/private-leaf.crt",
	"samples/pki-trust/private-inter.crt", "samples/pki-trust/private-root.crt", NULL };
static const char *const sample_chain[] = { "samples/pki/leaf.crt", "samples/pki/inter.crt",
	NULL };
static const char *const api_leaf[] = { "samples/pki-trust/api.crt", NULL };

/* A private root the client trusts: info, naming the root; refused: high, each outcome. */
static void
test_private_root_by_outcome(void **state)
{
	const struct sd_finding *f;
	struct harness h;
	uint64_t c1, c2;

	(void)state;
	setup_h(&h, true);
	c1 = conn(&h, 1, 2, "www.example.test", private_chain, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_non_null(strstr(f->summary, "the client trusts a root shakedown does not know "
	    "('CN=Example Corp Private Root CA"));
	assert_non_null(strstr(f->summary, "--ca-file"));
	assert_non_null(strstr(value(f, "accepted"), "1 connection (handshake finished"));
	assert_true(has_frame(f, c1));
	teardown_h(&h);

	/* a second client refuses the same chain: high, and both outcomes stated */
	setup_h(&h, true);
	c1 = conn(&h, 1, 2, "www.example.test", private_chain, ACCEPTED, 0);
	c2 = conn(&h, 2, 2, "www.example.test", private_chain, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(f->count, 2);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(value(f, "refused"), "1 connection (Unknown CA (48) alert from "
	    "the client, frame"));
	assert_non_null(strstr(value(f, "accepted"), "1 connection"));
	assert_non_null(strstr(f->summary, "refused on 1 connection, accepted on 1"));
	assert_true(has_frame(f, c1) && has_frame(f, c2) && has_frame(f, c2 + 1));
	teardown_h(&h);

	/* nothing shows the outcome: high */
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", private_chain, SILENT, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(finding_value(f, "unknown"));
	teardown_h(&h);
}

/* The client never received the flight (MTU black hole): the chain is not blamed. */
static void
test_undelivered_not_blamed(void **state)
{
	struct harness h;

	(void)state;
	setup_h(&h, false);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, BLACKHOLE, 0);
	finish(&h);
	assert_null(finding_find(&h.out, "tls.chain_untrusted"));
	assert_non_null(finding_find(&h.out, "tcp.mtu_blackhole"));
	teardown_h(&h);
}

/* Exact reasons: an intermediate another server sends; an issuer never seen. */
static void
test_incomplete_and_issuer_not_sent(void **state)
{
	const struct sd_finding *f;
	struct harness h;
	uint64_t a;

	(void)state;
	setup_h(&h, true);
	a = conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	(void)conn(&h, 2, 3, "api.example.test", api_leaf, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_int_equal(h.out.n, 1);
	assert_string_equal(value(f, "reason"), "incomplete chain");
	assert_string_equal(value(f, "missing_issuer"),
	    "CN=Shakedown Sample Intermediate CA,O=Shakedown Samples");
	assert_non_null(strstr(value(f, "sent_elsewhere"), "10.99.1.2:443"));
	assert_non_null(strstr(f->summary, "another server in the capture sends it"));
	(void)a;
	teardown_h(&h);

	/* alone, the bytes cannot tell an intermediate from a root: say what they show */
	setup_h(&h, true);
	(void)conn(&h, 1, 3, "api.example.test", api_leaf, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_string_equal(value(f, "reason"), "issuer not sent");
	assert_non_null(strstr(f->summary, "does not send the issuer 'CN=Shakedown Sample "
	    "Intermediate CA,O=Shakedown Samples' of its last certificate, and"));
	assert_non_null(strstr(f->summary, "is not in the store"));
	assert_string_equal(value(f, "openssl"), "unable to get local issuer certificate");
	teardown_h(&h);
}

/* An expired intermediate refused with certificate_expired: one finding, even when the
 * store lacks the root (folded into it as a value). */
static void
test_expired_intermediate_one_finding(void **state)
{
	static const char *const chain[] = { "samples/pki-trust/expired-inter-leaf.crt",
		"samples/pki-trust/expired-inter.crt", NULL };
	const struct sd_finding *f;
	struct harness h;
	int with_root;

	(void)state;
	for (with_root = 0; with_root < 2; with_root++) {
		setup_h(&h, with_root != 0);
		(void)conn(&h, 1, 2, "www.example.test", chain, REFUSED, 45);
		finish(&h);
		assert_int_equal(h.out.n, 1);
		f = finding_find(&h.out, "tls.certificate_expired");
		assert_non_null(f);
		assert_string_equal(value(f, "depth"), "1 (intermediate)");
		assert_non_null(strstr(value(f, "refused"), "Certificate Expired (45)"));
		assert_string_equal(value(f, "openssl"), "certificate has expired");
		if (!with_root)
			assert_non_null(strstr(value(f, "store"), "Shakedown Sample Root CA"));
		teardown_h(&h);
	}
}

/* Sent out of order with a stray certificate, accepted: low, named positions. */
static void
test_wrong_order(void **state)
{
	static const char *const chain[] = { "samples/pki/leaf.crt",
		"samples/pki-trust/old-inter.crt", "samples/pki/root.crt", "samples/pki/inter.crt",
		NULL };
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", chain, ACCEPTED, 0);
	finish(&h);
	assert_int_equal(h.out.n, 1);
	f = finding_find(&h.out, "tls.chain_misordered");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_LOW);
	assert_string_equal(value(f, "path"), "1, 4, 3");
	assert_non_null(strstr(value(f, "unrelated"), "Old Provider Intermediate CA"));
	assert_non_null(strstr(f->summary, "the leaf's issuer is certificate 4 of 4"));
	teardown_h(&h);

	/* refused: high */
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", chain, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_misordered");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	teardown_h(&h);
}

/* An inspection CA's chain is one tls.interception_ca finding with the verification in it
 * and each outcome; no tls.chain_untrusted or tls.certificate_rejected beside it. */
static void
test_interception_one_finding(void **state)
{
	struct der forti = { (uint8_t *)(uintptr_t)cert_forti, sizeof(cert_forti) };
	const struct sd_finding *f;
	struct harness h;
	size_t i;

	(void)state;
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	(void)conn_der(&h, 2, 2, "www.example.test", 0x0303, &forti, 1, REFUSED, 48);
	(void)conn_der(&h, 3, 2, "www.example.test", 0x0303, &forti, 1, ACCEPTED, 0);
	finish(&h);
	for (i = 0; i < h.out.n; i++)
		assert_string_equal(h.out.v[i]->kind, "tls.interception_ca");
	f = finding_find(&h.out, "tls.interception_ca");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(value(f, "verification"), "CN=FG100E4Q17024322"));
	assert_non_null(strstr(value(f, "refused"), "1 connection (Unknown CA (48) alert"));
	assert_non_null(strstr(value(f, "accepted"), "1 connection"));
	assert_non_null(strstr(value(f, "before"), "CN=Shakedown Sample Intermediate CA"));
	assert_non_null(strstr(value(f, "after"), "CN=FG100E4Q17024322"));
	assert_non_null(strstr(f->summary, "earlier connections showed the genuine issuer"));
	teardown_h(&h);
}

/*
 * A TLS 1.3 connection whose failure is only inferred (an alert-sized protected record
 * from the server) is a failure for the backend comparison too, never a success.
 */
static void
test_tls13_inferred_failure_counts(void **state)
{
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	(void)conn_der(&h, 2, 3, "www.example.test", 0x0304, NULL, 0, TLS13_SERVER_ABORT, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.backend_mismatch");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "backend_2"), "10.99.1.3:443: 0 ok, 1 failed"));
	assert_non_null(strstr(value(f, "backend_2"), "TLS 1.3: inferred"));
	teardown_h(&h);
}

/* Key types compared with each connection's own outcome. */
static void
test_key_type_outcomes(void **state)
{
	static const char *const ec[] = { "samples/pki-fail/ec.crt", "samples/pki/inter.crt",
		NULL };
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	setup_h(&h, true);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	(void)conn(&h, 2, 2, "www.example.test", ec, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.key_type_changed");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "first_key_type"), "accepted"));
	assert_non_null(strstr(value(f, "other_key_type"), "refused"));
	teardown_h(&h);
}

/* A connection picked up after its ClientHello is still judged. */
static void
test_mid_stream(void **state)
{
	struct sd_tls_certificate cm;
	struct sd_event fr;
	const struct sd_finding *f;
	struct harness h;
	struct der d;

	(void)state;
	setup_h(&h, true);
	d = load("samples/pki-fail/self-signed.crt");
	memset(&cm, 0, sizeof(cm));
	cm.count = cm.kept = 1;
	cm.der[0] = sd_rd_make(d.p, d.len);
	emit(&h, SD_EV_TLS_CERTIFICATE, 1, 2, SERVER, &cm, NULL);
	memset(&fr, 0, sizeof(fr));
	emit(&h, SD_EV_FLOW, 1, 2, CLIENT, NULL, &fr);
	OPENSSL_free(d.p);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_string_equal(value(f, "reason"), "self-signed leaf");
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_int_equal(f->flows[0].cport, 40001);
	teardown_h(&h);
}


#define WEAK_ROOT	"tests/unit/certs/weak-root.crt"
static const char *const weak_sha1[] = { "tests/unit/certs/weak-sha1.crt", NULL };
static const char *const weak_1024[] = { "tests/unit/certs/weak-1024.crt", NULL };
static const char *const weak_two[] = { "tests/unit/certs/weak-leaf2.crt",
	"tests/unit/certs/weak-inter.crt", NULL };
static const char *const weak_cross[] = { "tests/unit/certs/weak-1024.crt",
	"tests/unit/certs/weak-root-cross.crt", NULL };
#define T2014_06	((int64_t)1401580800)	/* 2014-06-01 */

/* SHA-1 judged by the capture's date and the outcome; one finding per chain. */
static void
test_weak_by_date_and_outcome(void **state)
{
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	/* captured 2026, accepted: past the SHA-1 deadline, but used: low */
	setup_opts(&h, WEAK_ROOT, 0);
	(void)conn(&h, 1, 2, "weak.example.test", weak_sha1, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(f->severity, SD_SEV_LOW);
	assert_non_null(strstr(value(f, "weak_1"), "sha1WithRSAEncryption signature"));
	assert_non_null(strstr(value(f, "judged"), "after 2016-01-01"));
	assert_non_null(finding_value(f, "accepted"));
	teardown_h(&h);

	/* the real time given as 2014: SHA-1 was still allowed then: info */
	setup_opts(&h, WEAK_ROOT, T2014_06);
	(void)conn(&h, 1, 2, "weak.example.test", weak_sha1, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_non_null(strstr(value(f, "judged"), "captured 2014-06-01, before 2016-01-01"));
	teardown_h(&h);

	/* ... but an RSA 1024 key was past its deadline (2014-01-01) then */
	setup_opts(&h, WEAK_ROOT, T2014_06);
	(void)conn(&h, 1, 2, "small.example.test", weak_1024, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_LOW);
	assert_non_null(strstr(value(f, "weak_1"), "RSA 1024-bit key"));
	teardown_h(&h);

	/* refused with bad_certificate, the chain otherwise sound: high, one finding */
	setup_opts(&h, WEAK_ROOT, 0);
	(void)conn(&h, 1, 2, "weak.example.test", weak_sha1, REFUSED, 42);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_non_null(strstr(value(f, "refused"), "Bad Certificate (42)"));
	assert_null(finding_find(&h.out, "tls.certificate_rejected"));
	assert_int_equal(h.out.n, 1);
	teardown_h(&h);

	/* refused with unknown_ca, the chain untrusted: that finding carries the weakness */
	setup_opts(&h, NULL, 0);
	(void)conn(&h, 1, 2, "weak.example.test", weak_sha1, REFUSED, 48);
	finish(&h);
	f = finding_find(&h.out, "tls.chain_untrusted");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "weak"), "sha1WithRSAEncryption"));
	assert_null(finding_find(&h.out, "tls.weak_certificate"));
	teardown_h(&h);
}

/* Two weak certificates of one chain: one finding listing both, per connection count. */
static void
test_weak_one_per_chain(void **state)
{
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	setup_opts(&h, WEAK_ROOT, 0);
	(void)conn(&h, 1, 2, "two.example.test", weak_two, ACCEPTED, 0);
	(void)conn(&h, 2, 2, "two.example.test", weak_two, ACCEPTED, 0);
	finish(&h);
	assert_int_equal(h.out.n, 1);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_int_equal(f->count, 2);
	assert_non_null(strstr(value(f, "weak_1"), "CN=two.example.test,O=Shakedown Tests "
	    "(depth 0, leaf): sha1WithRSAEncryption signature"));
	assert_non_null(strstr(value(f, "weak_2"), "CN=Weak Test Intermediate CA,O=Shakedown "
	    "Tests (depth 1): sha1WithRSAEncryption signature"));
	assert_non_null(strstr(f->summary, "2 weak certificates"));
	assert_non_null(strstr(value(f, "accepted"), "2 connections"));
	teardown_h(&h);
}

/* A trust anchor's signature is nobody's concern: the cross-signed root is not weak. */
static void
test_weak_not_on_anchor(void **state)
{
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	setup_opts(&h, WEAK_ROOT, 0);
	(void)conn(&h, 1, 2, "small.example.test", weak_cross, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);	/* the leaf's 1024-bit key */
	assert_null(finding_value(f, "weak_2"));
	assert_null(strstr(f->summary, "Weak Test Root CA"));
	teardown_h(&h);
	/* without the root in the store the cross-signed copy is no anchor: its SHA-1 counts */
	setup_opts(&h, "samples/pki/root.crt", 0);
	(void)conn(&h, 1, 2, "small.example.test", weak_cross, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.weak_certificate");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "weak_2"), "Weak Test Root CA"));
	teardown_h(&h);
}

/*
 * A capture stamped 1970 (a device without a clock): validity not judged, one info
 * finding says so; the same chain dated by --time is judged.
 */
static void
test_clock_wrong_and_given(void **state)
{
	static const char *const expired_chain[] = { "samples/pki-fail/expired.crt", NULL };
	const struct sd_finding *f;
	struct harness h;
	struct sd_event ev;
	char text[256];

	(void)state;
	setup_opts(&h, "samples/pki/root.crt", 0);
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_TCP_UNANSWERED;	/* the first frame: 1970-01-01T00:00:05Z */
	ev.ts_sec = 5;
	sd_rules_event(h.r, &ev);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "capture.clock_implausible");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_INFO);
	assert_string_equal(f->summary, "the capture clock reads 1970-01-01, before 1995: "
	    "validity is not judged");
	/* the sample chain (valid from 2026) is not called not yet valid */
	assert_null(finding_find(&h.out, "tls.certificate_not_yet_valid"));
	assert_int_equal(h.out.n, 1);
	sd_rules_clock_text(h.r, 0, text, sizeof(text));
	assert_non_null(strstr(text, "1970-01-01"));
	teardown_h(&h);

	/* the expired sample judged at a --time after its end: expired, as usual */
	setup_opts(&h, "samples/pki/root.crt", NOW + 86400 * 365 * 20LL);
	(void)conn(&h, 1, 2, "www.example.test", expired_chain, ACCEPTED, 0);
	finish(&h);
	assert_null(finding_find(&h.out, "capture.clock_implausible"));
	f = finding_find(&h.out, "tls.certificate_expired");
	assert_non_null(f);
	teardown_h(&h);
}

/* A chain with two certificates out of date: one finding naming both. */
static void
test_validity_one_per_chain(void **state)
{
	const struct sd_finding *f;
	struct harness h;

	(void)state;
	/* judged in 2040: the sample leaf and intermediate have both ended */
	setup_opts(&h, "samples/pki/root.crt", (int64_t)2208988800);
	(void)conn(&h, 1, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	(void)conn(&h, 2, 2, "www.example.test", sample_chain, ACCEPTED, 0);
	finish(&h);
	f = finding_find(&h.out, "tls.certificate_expired");
	assert_non_null(f);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(f->count, 2);
	/* OpenSSL names the store's root first (not sent); the two sent follow */
	assert_non_null(strstr(f->summary, "the root 'CN=Shakedown Sample Root CA"));
	assert_non_null(strstr(f->summary, "; 2 other certificates of the chain out of date "
	    "too"));
	assert_non_null(strstr(value(f, "out_of_date"), "3 certificates: CN=Shakedown Sample "
	    "Root CA,O=Shakedown Samples (root)"));
	assert_non_null(strstr(value(f, "out_of_date"), "CN=www.example.test,O=Shakedown "
	    "Samples (leaf, expired "));
	assert_non_null(strstr(value(f, "out_of_date"), "CN=Shakedown Sample Intermediate CA,"
	    "O=Shakedown Samples (intermediate, expired "));
	teardown_h(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_root_by_outcome),
		cmocka_unit_test(test_undelivered_not_blamed),
		cmocka_unit_test(test_incomplete_and_issuer_not_sent),
		cmocka_unit_test(test_expired_intermediate_one_finding),
		cmocka_unit_test(test_wrong_order),
		cmocka_unit_test(test_interception_one_finding),
		cmocka_unit_test(test_tls13_inferred_failure_counts),
		cmocka_unit_test(test_key_type_outcomes),
		cmocka_unit_test(test_mid_stream),
		cmocka_unit_test(test_weak_by_date_and_outcome),
		cmocka_unit_test(test_weak_one_per_chain),
		cmocka_unit_test(test_weak_not_on_anchor),
		cmocka_unit_test(test_clock_wrong_and_given),
		cmocka_unit_test(test_validity_one_per_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
