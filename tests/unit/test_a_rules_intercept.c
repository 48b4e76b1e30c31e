/* tests/unit/test_a_rules_intercept.c - interception and path rules fed with synthetic events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/rules_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/rules.h"
#include "analyze/icat.h"
#include "dissect/dns.h"
#include "dissect/tls.h"

#include "intercept_certs.h"

#define SNI	"www.example.test"

struct h {
	struct sd_findings	 out;
	struct area_h		 area;	/* rules_intercept.c and rules_path.c */
	uint64_t		 frame;
};

static bool
h_try(struct h *h, const struct sd_rules_opts *o, char *err, size_t errlen)
{
	static const struct sd_rule_area *const areas[] = { &sd_rules_intercept,
		&sd_rules_path, NULL };

	memset(h, 0, sizeof(*h));
	return area_h_open(&h->area, &h->out, o, err, errlen, areas);
}

static void
h_open(struct h *h, const struct sd_rules_opts *o)
{
	char err[256] = "";

	assert_true(h_try(h, o, err, sizeof(err)));
}

static void
h_close(struct h *h)
{
	area_h_close(&h->area);
	sd_finding_list_free(&h->out);
}

static void
base(struct sd_event *ev, enum sd_ev_type type, uint64_t flow, uint8_t srv_last, bool from_client,
    uint64_t frame)
{
	struct sd_addr c = { { 10, 99, 1, 1 }, 4 }, s = { { 10, 99, 1, 0 }, 4 };

	s.a[3] = srv_last;
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->frame = frame;
	ev->ts_sec = 1000 + (int64_t)frame;
	ev->transport = SD_IPPROTO_TCP;
	ev->src = from_client ? c : s;
	ev->dst = from_client ? s : c;
	ev->sport = from_client ? (uint16_t)(40000 + flow) : 443;
	ev->dport = from_client ? 443 : (uint16_t)(40000 + flow);
	ev->flow_id = flow;
}

/* One TLS connection: ClientHello, Certificate(der), optionally a fatal client alert, its
 * session (handshake complete without the alert), then the flow record.  Frames: hello f,
 * certificate f+1, alert f+2, flow record f. */
static void
conn(struct h *h, uint64_t flow, uint8_t srv, const uint8_t *der, size_t len, int alert)
{
	struct sd_tls_client_hello ch;
	struct sd_tls_certificate cm;
	struct sd_tls_session se;
	struct sd_tls_alert al;
	struct sd_event ev;
	uint64_t f = h->frame += 10;

	memset(&ch, 0, sizeof(ch));
	ch.has_sni = true;
	ch.sni = sd_rd_make(SNI, strlen(SNI));
	base(&ev, SD_EV_TLS_CLIENT_HELLO, flow, srv, true, f);
	ev.u.msg.client_hello = &ch;
	area_h_event(&h->area, &ev);
	memset(&cm, 0, sizeof(cm));
	cm.count = cm.kept = 1;
	cm.der[0] = sd_rd_make(der, len);
	base(&ev, SD_EV_TLS_CERTIFICATE, flow, srv, false, f + 1);
	ev.u.msg.certificate = &cm;
	area_h_event(&h->area, &ev);
	if (alert >= 0) {
		memset(&al, 0, sizeof(al));
		al.level = 2;
		al.description = (uint8_t)alert;
		base(&ev, SD_EV_TLS_ALERT, flow, srv, true, f + 2);
		ev.u.msg.alert = &al;
		area_h_event(&h->area, &ev);
	}
	memset(&se, 0, sizeof(se));
	se.handshake_complete = alert < 0;
	base(&ev, SD_EV_TLS_SESSION, flow, srv, true, f + 3);
	ev.u.msg.session = &se;
	area_h_event(&h->area, &ev);
	base(&ev, SD_EV_FLOW, flow, srv, true, f);
	ev.u.flow.packets[0] = ev.u.flow.packets[1] = 6;
	ev.u.flow.syn_seen = ev.u.flow.synack_seen = true;
	area_h_event(&h->area, &ev);
}

/* A ClientHello nobody answered, then the flow record (tls.client_hello_unanswered's). */
static void
silent_conn(struct h *h, uint64_t flow, uint8_t srv)
{
	struct sd_tls_client_hello ch;
	struct sd_event ev;
	uint64_t f = h->frame += 10;

	memset(&ch, 0, sizeof(ch));
	ch.has_sni = true;
	ch.sni = sd_rd_make(SNI, strlen(SNI));
	base(&ev, SD_EV_TLS_CLIENT_HELLO, flow, srv, true, f);
	ev.u.msg.client_hello = &ch;
	area_h_event(&h->area, &ev);
	base(&ev, SD_EV_FLOW, flow, srv, true, f);
	ev.u.flow.packets[0] = 8;
	ev.u.flow.packets[1] = 1;
	ev.u.flow.syn_seen = ev.u.flow.synack_seen = true;
	area_h_event(&h->area, &ev);
}

static const struct sd_finding *
find(const struct h *h, const char *kind)
{
	return finding_find(&h->out, kind);
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

/* The shipped catalogue is found (source tree in this build) and holds entries. */
static void
test_catalogue_loaded(void **state)
{
	struct h h;
	size_t n = 0;

	(void)state;
	h_open(&h, NULL);
	assert_non_null(sd_rule_intercept_catalogue(&n));
	assert_true(n > 20);
	h_close(&h);
}

/* A FortiGate-issued leaf the client refuses: high, product named, cert and alert frames. */
static void
test_fortinet_refused(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_forti, sizeof(cert_forti), 48);
	conn(&h, 2, 2, cert_pub, sizeof(cert_pub), -1);
	area_h_finish(&h.area);
	f = find(&h, "tls.interception_ca");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_HIGH);
	assert_string_equal(value(f, "product"), "Fortinet FortiGate");
	assert_non_null(strstr(value(f, "issuer"), "CN=FG100E4Q17024322"));
	assert_string_equal(value(f, "sni"), SNI);
	assert_true(has_frame(f, 11) && has_frame(f, 12));
	assert_int_equal(f->nframes, 2);
	/* the substitute is explained: no issuer_changed or backend finding besides it */
	assert_int_equal(h.out.n, 1);
	h_close(&h);
}

/* Accepted by the client (its CA installed): medium. */
static void
test_fortinet_accepted(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_forti, sizeof(cert_forti), -1);
	area_h_finish(&h.area);
	f = find(&h, "tls.interception_ca");
	assert_non_null(f);
	assert_int_equal(f->severity, SD_SEV_MEDIUM);
	h_close(&h);
}

/* Same name and address, two issuers, none in the catalogue: issuer_changed. */
static void
test_issuer_changed(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_corp, sizeof(cert_corp), -1);
	conn(&h, 2, 2, cert_pub, sizeof(cert_pub), -1);
	area_h_finish(&h.area);
	assert_null(find(&h, "tls.interception_ca"));
	f = find(&h, "tls.issuer_changed");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "issuer_1"), "Example Corp Inspection CA"));
	assert_non_null(strstr(value(f, "issuer_2"), "Public Trust CA"));
	assert_true(has_frame(f, 11) && has_frame(f, 21));
	assert_int_equal(h.out.n, 1);
	h_close(&h);
}

/* Two backends: .2 good twice, .3 another certificate refused twice: backend_mismatch. */
static void
test_backends(void **state)
{
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 2, 3, cert_corp, sizeof(cert_corp), 48);
	conn(&h, 3, 2, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 4, 3, cert_corp, sizeof(cert_corp), 48);
	silent_conn(&h, 5, 4);	/* a third backend never answers: not "ok" */
	area_h_finish(&h.area);
	assert_null(find(&h, "tls.issuer_changed"));
	f = find(&h, "tls.backend_mismatch");
	assert_non_null(f);
	assert_non_null(strstr(value(f, "backend_1"), "10.99.1.2:443: 2 ok, 0 failed"));
	assert_non_null(strstr(value(f, "backend_2"), "10.99.1.3:443: 0 ok, 2 failed"));
	assert_non_null(strstr(value(f, "backend_2"), "Unknown CA (48) alert from the client"));
	assert_null(finding_value(f, "backend_3"));
	assert_true(has_frame(f, 11) && has_frame(f, 21) && has_frame(f, 22));
	assert_int_equal(h.out.n, 1);
	h_close(&h);
}

/* One VIP alternating between two certificates of one issuer, failing on one: mismatch. */
static void
test_vip_alternating(void **state)
{
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 2, 2, cert_pub2, sizeof(cert_pub2), 45);
	area_h_finish(&h.area);
	assert_non_null(find(&h, "tls.backend_mismatch"));
	assert_int_equal(h.out.n, 1);
	h_close(&h);
}

/* A SYN to the server answered at once by its reset: SYN frame f, reset f+1, then the flow
 * record; and the tcp.port_closed finding rules_tcp.c makes of it (added by hand here). */
static struct sd_finding *
refused(struct h *h, uint64_t flow, uint8_t srv)
{
	struct sd_finding *pc;
	struct sd_event ev;
	uint64_t f = h->frame += 10;

	base(&ev, SD_EV_TCP_RESET, flow, srv, false, f + 1);
	ev.u.reset.sender = SD_ROLE_SERVER;
	ev.u.reset.phase = SD_PHASE_SYN_SENT;
	ev.u.reset.answers_syn = true;
	ev.u.reset.after_frame = f;
	area_h_event(&h->area, &ev);
	pc = sd_finding_add(&h->out, SD_K_TCP_PORT_CLOSED, "closed", ev.ts_sec, 0, 0);
	assert_non_null(pc);
	sd_finding_frame(pc, f);
	sd_finding_frame(pc, f + 1);
	sd_rule_note_flow(pc, &ev, false);
	base(&ev, SD_EV_FLOW, flow, srv, true, f);
	ev.u.flow.packets[0] = ev.u.flow.packets[1] = 1;
	ev.u.flow.syn_seen = true;
	ev.u.flow.rst_seen[1] = true;
	area_h_event(&h->area, &ev);
	return pc;
}

/*
 * One virtual address, no DNS (lb-vip-backends.pcap): certificate A completes, certificate
 * B from another CA is refused with unknown_ca, SYNs refused by reset in between.  One
 * backend_mismatch with the outcome of each certificate and the refused SYNs, instead of
 * issuer_changed; the port_closed finding of the refused SYNs is told what it is part of.
 */
static void
test_vip_refusing(void **state)
{
	const struct sd_finding *f;
	struct sd_finding *pc;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 100, cert_pub, sizeof(cert_pub), -1);	/* certificate 11 */
	conn(&h, 2, 100, cert_corp, sizeof(cert_corp), 48);	/* 21, alert 22 */
	pc = refused(&h, 3, 100);				/* SYN 30, reset 31 */
	conn(&h, 4, 100, cert_pub, sizeof(cert_pub), -1);	/* 41 */
	conn(&h, 5, 100, cert_corp, sizeof(cert_corp), 48);	/* 51, 52 */
	refused(&h, 6, 100);					/* 60, 61 */
	area_h_finish(&h.area);
	assert_null(find(&h, "tls.issuer_changed"));
	f = find(&h, "tls.backend_mismatch");
	assert_non_null(f);
	assert_non_null(strstr(f->summary, "10.99.1.100:443"));
	assert_string_equal(value(f, "address"), "10.99.1.100:443: every connection to this "
	    "one address");
	assert_non_null(strstr(value(f, "certificate_1"), "2 connections, issuer "));
	assert_non_null(strstr(value(f, "certificate_1"), "Public Trust CA"));
	assert_non_null(strstr(value(f, "certificate_1"), ": 2 completed the handshake; "
	    "certificate in 11, 41"));
	assert_non_null(strstr(value(f, "certificate_2"), "Example Corp Inspection CA"));
	assert_non_null(strstr(value(f, "certificate_2"), ": 2 failed (Unknown CA (48) alert "
	    "from the client); certificate in 21, 51, failure in 22, 52"));
	assert_string_equal(value(f, "syn_refused"), "2 connection attempts refused: the SYN "
	    "answered by a TCP reset (SYN/reset in 30/31, 60/61)");
	assert_true(has_frame(f, 11) && has_frame(f, 41) && has_frame(f, 21) &&
	    has_frame(f, 51) && has_frame(f, 22) && has_frame(f, 52) && has_frame(f, 30) &&
	    has_frame(f, 31) && has_frame(f, 60) && has_frame(f, 61));
	assert_int_equal(f->nflows_total, 6);
	/* the refused connections are never counted as working ones */
	assert_null(strstr(f->summary, "4 completed"));
	assert_non_null(strstr(value(pc, "caveat"), "tls.backend_mismatch"));
	assert_int_equal(h.out.n, 2);
	h_close(&h);
}

/* The same address with two issuers and a refused SYN only before its connections (the
 * service came up): no backend finding, the issuers stay issuer_changed. */
static void
test_vip_refused_before(void **state)
{
	struct sd_finding *pc;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	pc = refused(&h, 3, 100);
	conn(&h, 1, 100, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 2, 100, cert_corp, sizeof(cert_corp), 48);
	area_h_finish(&h.area);
	assert_null(find(&h, "tls.backend_mismatch"));
	assert_non_null(find(&h, "tls.issuer_changed"));
	assert_null(finding_value(pc, "caveat"));
	h_close(&h);
}

/* Healthy: the same certificate on every connection and backend yields nothing. */
static void
test_healthy(void **state)
{
	struct h h;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 2, 3, cert_pub, sizeof(cert_pub), -1);
	conn(&h, 3, 2, cert_pub, sizeof(cert_pub), -1);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 0);
	h_close(&h);
}

/* --intercept-cas adds site patterns; a bad file is refused with a message. */
static void
test_extra_catalogue(void **state)
{
	char path[] = "/tmp/sd-icept-XXXXXX", err[256] = "";
	struct sd_rules_opts o;
	const struct sd_finding *f;
	struct h h;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("# site CA\nExample Corp proxy\tExample Corp Inspection CA\tExample Corp\tlocal\n", fp);
	fclose(fp);
	memset(&o, 0, sizeof(o));
	o.intercept_cas = path;
	h_open(&h, &o);
	conn(&h, 1, 2, cert_corp, sizeof(cert_corp), -1);
	area_h_finish(&h.area);
	f = find(&h, "tls.interception_ca");
	assert_non_null(f);
	assert_string_equal(value(f, "product"), "Example Corp proxy");
	h_close(&h);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("broken line without tabs\n", fp);
	fclose(fp);
	assert_false(h_try(&h, &o, err, sizeof(err)));
	assert_non_null(strstr(err, ":1:"));
	o.intercept_cas = "/nonexistent/cas.tsv";
	assert_false(h_try(&h, &o, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot read"));
	unlink(path);
}

/* A catalogue file of n lines "Product K<TAB>CA K<TAB>-", in a temporary file at path. */
static void
write_catalogue(char *path, unsigned n)
{
	unsigned k;
	FILE *fp;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	for (k = 0; k < n; k++)
		fprintf(fp, "Product %u\tCA %u\t-\n", k, k);
	fclose(fp);
}

/* Entries are kept in blocks made as the file fills them: every line of a long file is
 * found (the last block's too), and a file past SD_ICAT_MAX is refused at its line. */
static void
test_catalogue_blocks(void **state)
{
	char path[] = "/tmp/sd-icat-XXXXXX", big[] = "/tmp/sd-icat-XXXXXX", err[256] = "";
	char more[] = "/tmp/sd-icat-XXXXXX";
	struct sd_icat *t = sd_icat_new();
	int m;

	(void)state;
	assert_non_null(t);
	write_catalogue(path, 3 * SD_ICAT_BLOCK + 5);
	assert_int_equal(sd_icat_load(t, path, err, sizeof(err)), 3 * SD_ICAT_BLOCK + 5);
	m = sd_icat_match(t, "CN=CA 196,O=x");
	assert_int_equal(m, 196);
	assert_string_equal(sd_icat_product(t, m), "Product 196");
	assert_int_equal(sd_icat_match(t, "CN=CA 63"), 63);
	assert_int_equal(sd_icat_match(t, "CN=CA 64"), 64);
	assert_int_equal(sd_icat_match(t, "CN=CA 197"), -1);
	assert_false(sd_icat_is_vendors(t, -1, "O=x"));
	/* asked again (remembered answers), and after a second file added entries: the
	 * remembered "no match" is forgotten */
	assert_int_equal(sd_icat_match(t, "CN=CA 196,O=x"), 196);
	assert_int_equal(sd_icat_match(t, "CN=CA 197"), -1);
	unlink(path);
	write_catalogue(more, 3 * SD_ICAT_BLOCK + 6);
	assert_int_equal(sd_icat_load(t, more, err, sizeof(err)), 3 * SD_ICAT_BLOCK + 6);
	assert_int_equal(sd_icat_match(t, "CN=CA 197"), 3 * SD_ICAT_BLOCK + 5 + 197);
	sd_icat_free(t);
	unlink(more);

	t = sd_icat_new();
	assert_non_null(t);
	write_catalogue(big, SD_ICAT_MAX + 1);
	assert_int_equal(sd_icat_load(t, big, err, sizeof(err)), -2);
	assert_non_null(strstr(err, ":4097: too many entries"));
	assert_int_equal(sd_icat_match(t, "CN=CA 4095"), 4095);
	sd_icat_free(t);
	unlink(big);
}

/* A hostile catalogue cannot make regcomp run for minutes: stacked or nested repetitions
 * past SD_ICAT_MAX_COPIES copies are refused at their line (a line of "a+++..." took the
 * fuzz target past its 25 s timeout); the shipped kind of pattern still loads. */
static void
test_catalogue_repeats(void **state)
{
	static const char *const bad[] = {
		"X\ta++++++++++++++++++++++++++++++++++++++++\t-\n",
		"X\t((a{100}){100}){100}\t-\n",
		"X\t-\tb{5000}\n",
		"X\tBa*+++++++++++ity\tch\n",	/* found by fuzz_catalogue: "*" then "+"s */
	};
	char path[] = "/tmp/sd-icat-XXXXXX", err[256];
	struct sd_icat *t;
	size_t i;
	FILE *fp;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fp = fopen(path, "w");
		assert_non_null(fp);
		fprintf(fp, "Good\tF[A-Z0-9]{15}\tFortinet( Ltd\\.)?\n%s", bad[i]);
		fclose(fp);
		t = sd_icat_new();
		assert_non_null(t);
		err[0] = '\0';
		assert_int_equal(sd_icat_load(t, path, err, sizeof(err)), -2);
		assert_non_null(strstr(err, ":2: bad regular expression"));
		assert_int_equal(t->n, 1);
		assert_int_equal(sd_icat_match(t, "CN=FG100E4Q17024322,O=Fortinet Ltd."), 0);
		sd_icat_free(t);
	}
	unlink(path);
}

/* One-way flow: tcp.one_way, and the capture's unanswered-SYN findings get a caveat. */
static void
test_one_way(void **state)
{
	struct sd_event ev;
	struct sd_finding *u;
	struct sd_finding_flow fl;
	const struct sd_finding *f;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	u = sd_finding_add(&h.out, SD_K_TCP_SYN_UNANSWERED, "x", 1, 0, 0);
	assert_non_null(u);
	u->severity = SD_SEV_HIGH;
	u->confidence = 0.9;
	memset(&fl, 0, sizeof(fl));
	fl.id = 7;
	sd_finding_flow(u, &fl);
	base(&ev, SD_EV_FLOW, 7, 2, true, 3);
	ev.u.flow.packets[0] = 11;
	ev.u.flow.payload[0] = 517;
	ev.u.flow.first_frame = 3;
	ev.u.flow.last_frame = 13;
	area_h_event(&h.area, &ev);
	/* a flow of SYNs only is not one-way evidence */
	base(&ev, SD_EV_FLOW, 8, 2, true, 14);
	ev.u.flow.packets[0] = 4;
	area_h_event(&h.area, &ev);
	area_h_finish(&h.area);
	f = find(&h, "tcp.one_way");
	assert_non_null(f);
	assert_int_equal(f->count, 1);
	assert_true(has_frame(f, 3) && has_frame(f, 13));
	assert_int_equal(u->severity, SD_SEV_HIGH);
	assert_true(u->confidence < 0.5);
	assert_non_null(finding_value(u, "caveat"));
	h_close(&h);
}

/* Full-size server segments resent, never acknowledged: black hole; with ICMP, or acked: not. */
static void
test_mtu_blackhole(void **state)
{
	const struct sd_finding *f;
	struct sd_event ev;
	struct h h;

	(void)state;
	h_open(&h, NULL);
	base(&ev, SD_EV_FLOW, 1, 2, true, 3);
	ev.u.flow.packets[0] = 5;
	ev.u.flow.packets[1] = 10;
	ev.u.flow.seg_max[1] = 1448;
	ev.u.flow.seg_max_acked[1] = 0;
	ev.u.flow.big_retx[1] = 7;
	ev.u.flow.seg_max_frame[1] = 8;
	ev.u.flow.big_retx_frame[1] = 20;
	area_h_event(&h.area, &ev);
	/* the same with the big segment acknowledged in the end: ordinary loss */
	base(&ev, SD_EV_FLOW, 2, 3, true, 30);
	ev.u.flow.packets[0] = 5;
	ev.u.flow.packets[1] = 10;
	ev.u.flow.seg_max[1] = 1448;
	ev.u.flow.seg_max_acked[1] = 1448;
	ev.u.flow.big_retx[1] = 3;
	area_h_event(&h.area, &ev);
	/* never acknowledged but an ICMP error came back: icmp.packet_too_big's case */
	ev.flow_id = 3;
	ev.u.flow.seg_max_acked[1] = 0;
	ev.u.flow.icmp_errors = 1;
	area_h_event(&h.area, &ev);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 1);
	f = find(&h, "tcp.mtu_blackhole");
	assert_non_null(f);
	assert_string_equal(value(f, "sender"), "10.99.1.2 (server)");
	assert_string_equal(value(f, "full_size_retransmissions"), "7");
	assert_true(has_frame(f, 8) && has_frame(f, 20));
	h_close(&h);
}

static void
dns_answer(struct h *h, uint64_t frame, const char *name, uint8_t rcode, const uint8_t *a4)
{
	struct sd_dns_msg m;
	struct sd_event ev;

	memset(&m, 0, sizeof(m));
	m.response = true;
	m.rcode = rcode;
	m.qtype = SD_DNS_TYPE_A;
	snprintf(m.qname, sizeof(m.qname), "%s", name);
	if (a4 != NULL) {
		m.nan = 1;
		m.an[0].type = SD_DNS_TYPE_A;
		snprintf(m.an[0].name, sizeof(m.an[0].name), "%s", name);
		m.an[0].addr.v = 4;
		memcpy(m.an[0].addr.a, a4, 4);
	}
	base(&ev, SD_EV_DNS_ANSWER, 50, 53, false, frame);
	ev.transport = SD_IPPROTO_UDP;
	ev.u.msg.dns = &m;
	area_h_event(&h->area, &ev);
}

/* CRL host resolves, its port 80 never answers; OCSP host NXDOMAIN: two findings. An
 * endpoint that resolves and whose attempts are not seen failing is not reported. */
static void
test_revocation(void **state)
{
	static const uint8_t crl_addr[4] = { 10, 99, 1, 80 };
	const struct sd_finding *f;
	struct sd_event ev;
	struct h h;
	size_t i, n = 0;

	(void)state;
	h_open(&h, NULL);
	conn(&h, 1, 2, cert_revoc, sizeof(cert_revoc), -1);	/* certificate in frame 11 */
	dns_answer(&h, 27, "crl.example.test", SD_DNS_RCODE_NOERROR, crl_addr);
	base(&ev, SD_EV_TCP_UNANSWERED, 3, 80, true, 30);
	ev.dst.a[3] = 80;
	ev.dport = 80;
	ev.u.unanswered.syns = 5;
	ev.u.unanswered.first_frame = 30;
	ev.u.unanswered.last_frame = 34;
	area_h_event(&h.area, &ev);
	dns_answer(&h, 38, "ocsp.example.test", SD_DNS_RCODE_NXDOMAIN, NULL);
	/* the CRL host's address at its URL's port is a revocation endpoint of the scope */
	base(&ev, SD_EV_TCP_UNANSWERED, 3, 80, true, 30);
	assert_int_equal(sd_scope_of(h.area.scope, &ev.dst, SD_IPPROTO_TCP, 80),
	    SD_SCOPE_REVOCATION);
	assert_int_equal(sd_scope_of(h.area.scope, &ev.dst, SD_IPPROTO_TCP, 8080),
	    SD_SCOPE_NONE);
	area_h_finish(&h.area);
	for (i = 0; i < h.out.n; i++) {
		f = h.out.v[i];
		assert_string_equal(f->kind, "tls.revocation_unreachable");
		n++;
		if (strcmp(value(f, "host"), "crl.example.test") == 0) {
			assert_string_equal(value(f, "url"), "http://crl.example.test/inter.crl");
			assert_string_equal(value(f, "connection"),
			    "10.99.1.80 port 80: SYN never answered");
			assert_true(has_frame(f, 11) && has_frame(f, 27) && has_frame(f, 30) &&
			    has_frame(f, 34));
		} else {
			assert_string_equal(value(f, "host"), "ocsp.example.test");
			assert_string_equal(value(f, "dns"), "NXDOMAIN");
			assert_true(has_frame(f, 11) && has_frame(f, 38));
		}
	}
	assert_int_equal(n, 2);
	h_close(&h);

	/* resolved, nothing failing: no finding; resolved before the certificate came, the
	 * address is a revocation endpoint all the same */
	h_open(&h, NULL);
	dns_answer(&h, 7, "crl.example.test", SD_DNS_RCODE_NOERROR, crl_addr);
	conn(&h, 1, 2, cert_revoc, sizeof(cert_revoc), -1);
	base(&ev, SD_EV_TCP_UNANSWERED, 3, 80, true, 30);
	assert_int_equal(sd_scope_of(h.area.scope, &ev.dst, SD_IPPROTO_TCP, 80),
	    SD_SCOPE_REVOCATION);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 0);
	h_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue_loaded),
		cmocka_unit_test(test_fortinet_refused),
		cmocka_unit_test(test_fortinet_accepted),
		cmocka_unit_test(test_issuer_changed),
		cmocka_unit_test(test_backends),
		cmocka_unit_test(test_vip_alternating),
		cmocka_unit_test(test_vip_refusing),
		cmocka_unit_test(test_vip_refused_before),
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_extra_catalogue),
		cmocka_unit_test(test_catalogue_blocks),
		cmocka_unit_test(test_catalogue_repeats),
		cmocka_unit_test(test_one_way),
		cmocka_unit_test(test_mtu_blackhole),
		cmocka_unit_test(test_revocation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
