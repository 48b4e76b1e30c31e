/* tests/unit/test_a_rules_ipsec.c - IPsec rules fed with synthetic ike / exchange / SA / ESP events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/rules_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ipsec_types.h"
#include "analyze/rules.h"
#include "dissect/esp.h"
#include "dissect/ike.h"

static const struct sd_addr GW_I = { { 10, 99, 1, 1 }, 4 };
static const struct sd_addr GW_R = { { 10, 99, 1, 2 }, 4 };
static const struct sd_addr GW_B = { { 10, 99, 3, 2 }, 4 };

struct h {
	struct sd_findings	 out;
	struct area_h		 area;	/* rules_ike.c, rules_ikesa.c and rules_esp.c */
};

static void
h_open(struct h *h)
{
	static const struct sd_rule_area *const areas[] = { &sd_rules_ike, &sd_rules_ikesa,
		&sd_rules_esp, NULL };
	char err[128] = "";

	memset(h, 0, sizeof(*h));
	assert_true(area_h_open(&h->area, &h->out, NULL, err, sizeof(err), areas));
}

static void
h_close(struct h *h)
{
	area_h_close(&h->area);
	sd_finding_list_free(&h->out);
}

static void
h_feed(struct h *h, enum sd_ev_type type, uint64_t frame, double t, const struct sd_addr *src,
    const struct sd_addr *dst, uint16_t port, const void *msg)
{
	struct sd_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.frame = frame;
	ev.ts_sec = (int64_t)t;
	ev.ts_nsec = (uint32_t)((t - (double)(int64_t)t) * 1e9);
	ev.transport = SD_IPPROTO_UDP;
	ev.src = *src;
	ev.dst = *dst;
	ev.sport = ev.dport = port;
	ev.u.msg = ev_msg(type, msg);
	area_h_event(&h->area, &ev);
}

static const struct sd_finding *
only(const struct h *h, const char *kind)
{
	assert_int_equal(h->out.n, 1);
	assert_string_equal(h->out.v[0]->kind, kind);
	return h->out.v[0];
}

static const struct sd_finding *
find(const struct h *h, const char *kind)
{
	return finding_find(&h->out, kind);
}


static void
exch(struct sd_ike_exchange *x, uint8_t spi0, uint8_t exchange, uint32_t mid, bool answered,
    uint32_t retx, uint16_t port)
{
	memset(x, 0, sizeof(*x));
	x->version = 2;
	x->exchange = exchange;
	x->ispi[0] = spi0;
	x->message_id = mid;
	x->initiator_addr = GW_I;
	x->responder_addr = GW_R;
	x->initiator_port = x->responder_port = port;
	x->request_frame = 3 + mid * 2;
	x->response_frame = answered ? x->request_frame + 1 : 0;
	x->answered = answered;
	x->expects_response = true;
	x->messages = answered ? 2 : 1;
	x->retransmits = retx;
	x->nat_t = port == SD_IKE_NATT_PORT;
}

static void
test_init_unanswered(void **state)
{
	struct sd_ike_exchange x;
	struct sd_event ev;
	struct h h;
	const struct sd_finding *f;

	(void)state;
	/* retransmitted, never answered: the finding */
	h_open(&h);
	exch(&x, 1, SD_IKE_X_SA_INIT, 0, false, 4, SD_IKE_PORT);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 3, 100, &GW_I, &GW_R, 500, &x);
	area_h_finish(&h.area);
	f = only(&h, "ike.unanswered");
	assert_string_equal(finding_value(f, "requests"), "5 (1 + 4 retransmissions)");
	assert_int_equal(f->frames[0], 3);
	h_close(&h);

	/* one request at the end of the capture, nothing else: not judged */
	h_open(&h);
	exch(&x, 1, SD_IKE_X_SA_INIT, 0, false, 0, SD_IKE_PORT);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 3, 100, &GW_I, &GW_R, 500, &x);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 0);
	h_close(&h);

	/* retried, and an ICMP unreachable quoting it came back: named as the cause */
	h_open(&h);
	exch(&x, 1, SD_IKE_X_SA_INIT, 0, false, 2, SD_IKE_PORT);
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_ICMP_ERROR;
	ev.frame = 4;
	ev.u.icmp.itype = 3;
	ev.u.icmp.icode = 13;
	ev.u.icmp.reporter = GW_B;
	ev.u.icmp.q_proto = SD_IPPROTO_UDP;
	ev.u.icmp.q_src = GW_I;
	ev.u.icmp.q_dst = GW_R;
	ev.u.icmp.q_sport = ev.u.icmp.q_dport = 500;
	area_h_event(&h.area, &ev);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 3, 100, &GW_I, &GW_R, 500, &x);
	area_h_finish(&h.area);
	f = only(&h, "ike.unanswered");
	assert_non_null(finding_value(f, "icmp"));
	assert_int_equal(f->nframes, 2);
	assert_int_equal(f->frames[1], 4);
	h_close(&h);
}

static void
test_auth_unanswered(void **state)
{
	struct sd_ike_exchange init, auth;
	struct h h;
	const struct sd_finding *f;

	(void)state;
	exch(&init, 2, SD_IKE_X_SA_INIT, 0, true, 0, SD_IKE_PORT);
	/* on 4500, not fragmented: NAT-T blocked */
	h_open(&h);
	exch(&auth, 2, SD_IKE_X_AUTH, 1, false, 3, SD_IKE_NATT_PORT);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 3, 100, &GW_I, &GW_R, 500, &init);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 5, 100, &GW_I, &GW_R, 4500, &auth);
	area_h_finish(&h.area);
	only(&h, "ike.natt_unanswered");
	h_close(&h);
	/* the same request in two IP fragments: fragmentation, not NAT-T */
	h_open(&h);
	auth.ip_fragments = 2;
	h_feed(&h, SD_EV_IKE_EXCHANGE, 3, 100, &GW_I, &GW_R, 500, &init);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 5, 100, &GW_I, &GW_R, 4500, &auth);
	area_h_finish(&h.area);
	f = only(&h, "ike.auth_fragmented_unanswered");
	assert_string_equal(finding_value(f, "ip_fragments"), "2 per request");
	h_close(&h);
	/* an INFORMATIONAL retransmitted three times: dead peer */
	h_open(&h);
	exch(&auth, 2, SD_IKE_X_INFORMATIONAL, 2, false, 2, SD_IKE_NATT_PORT);
	h_feed(&h, SD_EV_IKE_EXCHANGE, 7, 100, &GW_I, &GW_R, 4500, &auth);
	area_h_finish(&h.area);
	f = only(&h, "ike.dpd_unanswered");
	assert_non_null(strstr(f->summary, "peer declared dead"));
	h_close(&h);
}

/* IKE_SA_INIT request with KE group `grp` and one transform, or a response. */
static void
init_msg(struct sd_ike_msg *m, uint8_t spi0, bool response, uint16_t grp)
{
	memset(m, 0, sizeof(*m));
	m->header_ok = true;
	m->version = 2;
	m->exchange = SD_IKE_X_SA_INIT;
	m->ispi[0] = spi0;
	m->initiator = !response;
	m->response = response;
	if (grp != 0) {
		m->has_ke = true;
		m->ke_group = grp;
	}
	if (!response) {
		m->ntransforms = 1;
		m->transforms[0].proposal = 1;
		m->transforms[0].type = 4;
		m->transforms[0].id = grp;
	}
}

static void
test_invalid_ke(void **state)
{
	static const uint8_t g14[2] = { 0x00, 0x0e };
	struct sd_ike_msg req, resp, retry, ok;
	struct h h;
	const struct sd_finding *f;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		h_open(&h);
		init_msg(&req, 3, false, 19);
		init_msg(&resp, 3, true, 0);
		resp.nnotify = 1;
		resp.notify[0].type = SD_IKE_N_INVALID_KE_PAYLOAD;
		resp.notify[0].data = sd_rd_make(g14, sizeof(g14));
		h_feed(&h, SD_EV_IKE, 3, 100, &GW_I, &GW_R, 500, &req);
		h_feed(&h, SD_EV_IKE, 4, 100, &GW_R, &GW_I, 500, &resp);
		if (pass == 1) {
			/* retry with a new SPI and group 14, answered with a KE of group 14 */
			init_msg(&retry, 4, false, 14);
			init_msg(&ok, 4, true, 14);
			h_feed(&h, SD_EV_IKE, 5, 100, &GW_I, &GW_R, 500, &retry);
			h_feed(&h, SD_EV_IKE, 6, 100, &GW_R, &GW_I, 500, &ok);
		}
		area_h_finish(&h.area);
		f = only(&h, "ike.invalid_ke");
		assert_int_equal(f->severity, pass == 1 ? SD_SEV_INFO : SD_SEV_MEDIUM);
		assert_non_null(strstr(finding_value(f, "requested_group"), "(14)"));
		assert_non_null(strstr(finding_value(f, "offered_group"), "(19)"));
		h_close(&h);
	}
}

static void
test_no_proposal(void **state)
{
	struct sd_ike_msg req, resp;
	struct h h;
	const struct sd_finding *f;

	(void)state;
	h_open(&h);
	init_msg(&req, 5, false, 19);
	init_msg(&resp, 5, true, 0);
	resp.nnotify = 1;
	resp.notify[0].type = SD_IKE_N_NO_PROPOSAL_CHOSEN;
	h_feed(&h, SD_EV_IKE, 3, 100, &GW_I, &GW_R, 500, &req);
	h_feed(&h, SD_EV_IKE, 4, 100, &GW_R, &GW_I, 500, &resp);
	area_h_finish(&h.area);
	f = only(&h, "ike.no_proposal_chosen");
	assert_non_null(strstr(finding_value(f, "initiator_offered"), "#1"));
	assert_int_equal(f->nframes, 2);
	h_close(&h);
}

/*
 * IKEv1: a phase 1 responder refuses in a clear Informational, which it initiates (the
 * dissector marks the sender of an exchange's first message as its initiator).  Seen as
 * in strongSwan's PAYLOAD-MALFORMED answer to an ike-scan Main Mode probe.
 */
static void
test_v1_error_notify(void **state)
{
	struct sd_ike_msg req, info;
	struct h h;
	const struct sd_finding *f;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		h_open(&h);
		memset(&req, 0, sizeof(req));
		req.header_ok = true;
		req.version = 1;
		req.exchange = SD_IKE_X_V1_MAIN;
		req.ispi[0] = 7;
		req.initiator = true;
		req.ntransforms = 1;
		req.transforms[0].proposal = 1;
		memset(&info, 0, sizeof(info));
		info.header_ok = true;
		info.version = 1;
		info.exchange = SD_IKE_X_V1_INFO;
		info.ispi[0] = 7;
		info.rspi[0] = 9;
		info.message_id = 0x1234;
		info.initiator = true;
		info.nnotify = 1;
		info.notify[0].type = 16;	/* PAYLOAD-MALFORMED */
		h_feed(&h, SD_EV_IKE, 3, 100, &GW_I, &GW_R, 500, &req);
		/* pass 1: the same Informational from the phase 1 initiator is not a refusal */
		h_feed(&h, SD_EV_IKE, 4, 100, pass == 0 ? &GW_R : &GW_I,
		    pass == 0 ? &GW_I : &GW_R, 500, &info);
		area_h_finish(&h.area);
		if (pass == 1) {
			assert_null(find(&h, "ike.error_notify"));
			h_close(&h);
			continue;
		}
		f = only(&h, "ike.error_notify");
		assert_non_null(strstr(finding_value(f, "notify"), "(16)"));
		assert_string_equal(finding_value(f, "sender"), "10.99.1.2");
		assert_int_equal(f->nframes, 1);
		assert_int_equal(f->frames[0], 4);
		h_close(&h);
	}
}

static void	sa_up(struct sd_ike_sa *, const struct sd_addr *, double, uint64_t);

/* An encrypted IKEv2 message of SPI 6 after IKE_SA_INIT (fragment `frag` of `total`). */
static void
enc_msg(struct sd_ike_msg *m, uint8_t exchange, uint32_t mid, bool from_init, bool response,
    uint32_t len, uint16_t frag, uint16_t total)
{
	memset(m, 0, sizeof(*m));
	m->header_ok = true;
	m->version = 2;
	m->exchange = exchange;
	m->ispi[0] = 6;
	m->rspi[0] = 7;
	m->message_id = mid;
	m->initiator = from_init;
	m->response = response;
	m->encrypted = true;
	m->nat_t = true;
	m->length = len;
	m->has_fragment = total > 0;
	m->frag_number = frag;
	m->frag_total = total;
}

/*
 * ike-auth-initiator-rejects.pcap by hand: IKE_SA_INIT 3/4 (a CERTREQ naming three CAs in
 * 4), IKE_AUTH in two IKE fragments each way 5-6 / 7-8, an INFORMATIONAL of the initiator
 * 3 ms later 9, its answer 10.  `variant`: 0 as recorded (the capture ends at once);
 * 1 the capture goes on 10 s; 2 ESP follows; 3 the INFORMATIONAL comes 30 s later (DPD);
 * 4 a CREATE_CHILD_SA follows; 5 the IKE_AUTH answer is one 80-byte message (the
 * responder refused: the responder-side rule's case).
 */
static void
feed_initiator_rejects(struct h *h, int variant)
{
	static uint8_t cas[60];
	struct sd_ike_msg m;
	struct sd_ike_sa sa;
	struct sd_esp_sa esp;
	struct sd_event ev;
	double t_info = variant == 3 ? 130.0 : 100.023, t_end = t_info + 0.001;

	memset(cas, 0x11, 20);
	memset(cas + 20, 0x22, 20);
	memset(cas + 40, 0x33, 20);
	init_msg(&m, 6, false, 19);
	h_feed(h, SD_EV_IKE, 3, 100.0, &GW_I, &GW_R, 500, &m);
	init_msg(&m, 6, true, 19);
	m.rspi[0] = 7;
	m.ncertreqs = 1;
	m.certreq_encoding = 4;
	m.certreq = sd_rd_make(cas, sizeof(cas));
	h_feed(h, SD_EV_IKE, 4, 100.003, &GW_R, &GW_I, 500, &m);
	enc_msg(&m, SD_IKE_X_AUTH, 1, true, false, 1236, 1, 2);
	h_feed(h, SD_EV_IKE, 5, 100.015, &GW_I, &GW_R, 4500, &m);
	enc_msg(&m, SD_IKE_X_AUTH, 1, true, false, 836, 2, 2);
	h_feed(h, SD_EV_IKE, 6, 100.016, &GW_I, &GW_R, 4500, &m);
	if (variant == 5) {
		enc_msg(&m, SD_IKE_X_AUTH, 1, false, true, 80, 0, 0);
		h_feed(h, SD_EV_IKE, 7, 100.020, &GW_R, &GW_I, 4500, &m);
	} else {
		enc_msg(&m, SD_IKE_X_AUTH, 1, false, true, 1236, 1, 2);
		h_feed(h, SD_EV_IKE, 7, 100.020, &GW_R, &GW_I, 4500, &m);
		enc_msg(&m, SD_IKE_X_AUTH, 1, false, true, 196, 2, 2);
		h_feed(h, SD_EV_IKE, 8, 100.020, &GW_R, &GW_I, 4500, &m);
	}
	enc_msg(&m, SD_IKE_X_INFORMATIONAL, 2, true, false, 80, 0, 0);
	h_feed(h, SD_EV_IKE, 9, t_info, &GW_I, &GW_R, 4500, &m);
	enc_msg(&m, SD_IKE_X_INFORMATIONAL, 2, false, true, 80, 0, 0);
	h_feed(h, SD_EV_IKE, 10, t_info + 0.001, &GW_R, &GW_I, 4500, &m);
	if (variant == 4) {
		enc_msg(&m, SD_IKE_X_CREATE_CHILD, 3, true, false, 400, 0, 0);
		h_feed(h, SD_EV_IKE, 11, t_info + 0.5, &GW_I, &GW_R, 4500, &m);
		t_end = t_info + 0.6;
	}
	/* the SA as engine/ike_track.c writes it: the INFORMATIONAL made it "established" */
	sa_up(&sa, &GW_R, 100.0, 3);
	sa.ispi[0] = 6;
	sa.rspi[0] = 7;
	sa.established_by = "later_exchange";
	sa.exchanges = 3;
	h_feed(h, SD_EV_IKE_SA, 3, 100.0, &GW_I, &GW_R, 500, &sa);
	if (variant == 2) {
		memset(&esp, 0, sizeof(esp));
		esp.src = GW_I;
		esp.dst = GW_R;
		esp.spi = 0xc0ffee;
		esp.udp_encap = true;
		esp.packets = 4;
		esp.first_frame = 11;
		esp.last_frame = 14;
		h_feed(h, SD_EV_ESP, 11, 100.5, &GW_I, &GW_R, 4500, &esp);
		t_end = 100.6;
	}
	if (variant == 1)
		t_end = t_info + 10;
	memset(&ev, 0, sizeof(ev));
	ev.type = SD_EV_CAPTURE;
	ev.frame = 20;
	ev.ts_sec = (int64_t)t_end;
	ev.ts_nsec = (uint32_t)((t_end - (double)(int64_t)t_end) * 1e9);
	area_h_event(&h->area, &ev);
}

/* IKEv2: the initiator closes the SA right after a full IKE_AUTH answer: it refused the
 * responder.  ike.auth_failed naming the initiator as the side that refused. */
static void
test_initiator_rejects(void **state)
{
	static const uint64_t frames[] = { 4, 5, 6, 7, 8, 9, 10 };
	const struct sd_finding *f;
	struct h h;
	size_t i;
	int variant;

	(void)state;
	h_open(&h);
	feed_initiator_rejects(&h, 0);
	area_h_finish(&h.area);
	f = only(&h, "ike.auth_failed");
	assert_non_null(strstr(f->summary, "the initiator 10.99.1.1 closed the SA right after "
	    "the responder's IKE_AUTH answer: it rejected the responder's authentication"));
	assert_non_null(strstr(finding_value(f, "rejected_by"), "the initiator 10.99.1.1"));
	assert_non_null(strstr(finding_value(f, "auth_request"), "2072 bytes in 2 IKE "
	    "messages (IKE fragments, RFC 7383), frames 5-6"));
	assert_non_null(strstr(finding_value(f, "auth_response"), "1432 bytes in 2 IKE "
	    "messages (IKE fragments, RFC 7383), frames 7-8"));
	assert_string_equal(finding_value(f, "informational"), "request frame 9 (80 bytes, "
	    "encrypted), answered in frame 10");
	assert_non_null(strstr(finding_value(f, "certreq"), "(frame 4): X.509 signature, 3 CA "
	    "key hashes"));
	assert_non_null(strstr(finding_value(f, "certreq"), "111111...1111, 222222...2222, "
	    "333333...3333"));
	assert_non_null(strstr(finding_value(f, "not_visible"), "certificate"));
	assert_non_null(finding_value(f, "caveat"));
	assert_int_equal(f->nframes, sizeof(frames) / sizeof(frames[0]));
	for (i = 0; i < f->nframes; i++)
		assert_int_equal(f->frames[i], frames[i]);
	assert_true(f->confidence < 0.65);
	h_close(&h);

	/* the capture goes on silent: more confident, no caveat */
	h_open(&h);
	feed_initiator_rejects(&h, 1);
	area_h_finish(&h.area);
	f = only(&h, "ike.auth_failed");
	assert_null(finding_value(f, "caveat"));
	assert_true(f->confidence > 0.65);
	h_close(&h);

	/* ESP after it, a late INFORMATIONAL (DPD), another exchange, or a short IKE_AUTH
	 * answer (the responder refused): not the initiator refusing */
	for (variant = 2; variant <= 5; variant++) {
		h_open(&h);
		feed_initiator_rejects(&h, variant);
		area_h_finish(&h.area);
		f = find(&h, "ike.auth_failed");
		assert_true(f == NULL || strstr(finding_value(f, "rejected_by"),
		    "initiator") == NULL);
		h_close(&h);
	}
}

static void
sa_up(struct sd_ike_sa *s, const struct sd_addr *r, double t, uint64_t frame)
{
	memset(s, 0, sizeof(*s));
	s->version = 2;
	s->initiator = GW_I;
	s->responder = *r;
	s->first_sec = s->last_sec = (int64_t)t;
	s->init_frame = s->first_frame = frame;
	s->auth_frame = frame + 2;
	s->established = true;
	s->nsteps = 1;
	s->steps[0].step = "auth";
	s->steps[0].ms = 2;
	s->exchanges = 2;
}

static void
tunnel(struct sd_esp_tunnel *tu, const struct sd_addr *a, const struct sd_addr *b,
    uint64_t frame)
{
	memset(tu, 0, sizeof(*tu));
	tu->a = *a;
	tu->b = *b;
	tu->udp_encap = true;
	tu->one_way = true;
	tu->dir[0].packets = 5;
	tu->dir[0].first_sec = 101;
	tu->dir[0].last_sec = 103;
	tu->dir[0].first_frame = frame;
	tu->dir[0].last_frame = frame + 8;
}

static void
test_esp_one_way_and_asymmetric(void **state)
{
	struct sd_ike_sa sa, sb;
	struct sd_esp_tunnel ta, tb;
	struct h h;
	const struct sd_finding *f;

	(void)state;
	/* one-way ESP without any IKE SA up between them: not judged */
	h_open(&h);
	tunnel(&ta, &GW_I, &GW_R, 7);
	h_feed(&h, SD_EV_ESP_TUNNEL, 7, 101, &GW_I, &GW_R, 4500, &ta);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 0);
	h_close(&h);
	/* with IKE up: esp.one_way */
	h_open(&h);
	sa_up(&sa, &GW_R, 100, 3);
	h_feed(&h, SD_EV_IKE_SA, 3, 100, &GW_I, &GW_R, 500, &sa);
	h_feed(&h, SD_EV_ESP_TUNNEL, 7, 101, &GW_I, &GW_R, 4500, &ta);
	area_h_finish(&h.area);
	f = only(&h, "esp.one_way");
	assert_string_equal(finding_value(f, "silent"), "10.99.1.2");
	h_close(&h);
	/* out on the tunnel to R, back on the tunnel from B: one asymmetric finding */
	h_open(&h);
	sa_up(&sb, &GW_B, 100, 7);
	tunnel(&tb, &GW_B, &GW_I, 12);
	h_feed(&h, SD_EV_IKE_SA, 3, 100, &GW_I, &GW_R, 500, &sa);
	h_feed(&h, SD_EV_IKE_SA, 7, 100, &GW_I, &GW_B, 500, &sb);
	h_feed(&h, SD_EV_ESP_TUNNEL, 7, 101, &GW_I, &GW_R, 4500, &ta);
	h_feed(&h, SD_EV_ESP_TUNNEL, 12, 101, &GW_B, &GW_I, 4500, &tb);
	area_h_finish(&h.area);
	f = only(&h, "esp.asymmetric_tunnels");
	assert_string_equal(finding_value(f, "local_gateway"), "10.99.1.1");
	h_close(&h);
}

static void
test_periodic_rekey(void **state)
{
	static const double regular[] = { 100, 120.5, 141, 161.4 };
	static const double irregular[] = { 100, 105, 141, 300 };
	const double *starts[2] = { regular, irregular };
	struct sd_ike_sa sa;
	struct h h;
	int pass, i;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		h_open(&h);
		for (i = 0; i < 4; i++) {
			sa_up(&sa, &GW_R, starts[pass][i], (uint64_t)(10 + 100 * i));
			h_feed(&h, SD_EV_IKE_SA, (uint64_t)(10 + 100 * i), starts[pass][i], &GW_I,
			    &GW_R, 500, &sa);
		}
		area_h_finish(&h.area);
		/* four SAs, all set up by GW_I: the responder never initiates (info) */
		assert_non_null(find(&h, "ike.responder_never_initiates"));
		if (pass == 0) {
			assert_int_equal(h.out.n, 2);
			assert_non_null(strstr(finding_value(find(&h, "ike.periodic_rekey"), "period_s"),
			    "20."));
		} else {
			assert_int_equal(h.out.n, 1);
		}
		h_close(&h);
	}
}

static void
test_responder_never_initiates(void **state)
{
	static const struct sd_addr pub = { { 198, 51, 100, 7 }, 4 };
	const struct sd_finding *f;
	struct sd_ike_sa sa;
	struct h h;

	(void)state;
	/* two SAs from GW_I to GW_R, none back: found, with the count */
	h_open(&h);
	sa_up(&sa, &GW_R, 100, 10);
	h_feed(&h, SD_EV_IKE_SA, 10, 100, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_R, 200, 110);
	h_feed(&h, SD_EV_IKE_SA, 110, 200, &GW_I, &GW_R, 500, &sa);
	area_h_finish(&h.area);
	f = only(&h, "ike.responder_never_initiates");
	assert_string_equal(finding_value(f, "ike_sas_by_initiator"), "2");
	assert_string_equal(finding_value(f, "responder"), "10.99.1.2");
	assert_int_equal(f->nframes, 2);
	h_close(&h);

	/* the responder set one up too: nothing */
	h_open(&h);
	sa_up(&sa, &GW_R, 100, 10);
	h_feed(&h, SD_EV_IKE_SA, 10, 100, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_R, 200, 110);
	h_feed(&h, SD_EV_IKE_SA, 110, 200, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_I, 300, 210);
	sa.initiator = GW_R;
	h_feed(&h, SD_EV_IKE_SA, 210, 300, &GW_R, &GW_I, 500, &sa);
	area_h_finish(&h.area);
	assert_null(find(&h, "ike.responder_never_initiates"));
	h_close(&h);

	/* the responder set one up before the initiator's two (first in the capture): it
	 * did initiate, nothing */
	h_open(&h);
	sa_up(&sa, &GW_I, 50, 5);
	sa.initiator = GW_R;
	h_feed(&h, SD_EV_IKE_SA, 5, 50, &GW_R, &GW_I, 500, &sa);
	sa_up(&sa, &GW_R, 100, 10);
	h_feed(&h, SD_EV_IKE_SA, 10, 100, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_R, 200, 110);
	h_feed(&h, SD_EV_IKE_SA, 110, 200, &GW_I, &GW_R, 500, &sa);
	area_h_finish(&h.area);
	assert_null(find(&h, "ike.responder_never_initiates"));
	h_close(&h);

	/* two pairs interleaved: each found once, with its own SAs */
	h_open(&h);
	sa_up(&sa, &GW_R, 100, 10);
	h_feed(&h, SD_EV_IKE_SA, 10, 100, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_B, 150, 60);
	h_feed(&h, SD_EV_IKE_SA, 60, 150, &GW_I, &GW_B, 500, &sa);
	sa_up(&sa, &GW_R, 200, 110);
	h_feed(&h, SD_EV_IKE_SA, 110, 200, &GW_I, &GW_R, 500, &sa);
	sa_up(&sa, &GW_B, 250, 160);
	h_feed(&h, SD_EV_IKE_SA, 160, 250, &GW_I, &GW_B, 500, &sa);
	sa_up(&sa, &GW_B, 350, 260);
	h_feed(&h, SD_EV_IKE_SA, 260, 350, &GW_I, &GW_B, 500, &sa);
	area_h_finish(&h.area);
	assert_int_equal(h.out.n, 2);
	f = h.out.v[0];
	assert_string_equal(finding_value(f, "responder"), "10.99.1.2");
	assert_string_equal(finding_value(f, "ike_sas_by_initiator"), "2");
	f = h.out.v[1];
	assert_string_equal(finding_value(f, "responder"), "10.99.3.2");
	assert_string_equal(finding_value(f, "ike_sas_by_initiator"), "3");
	assert_int_equal(f->nframes, 3);
	h_close(&h);

	/* a private client dialling a public VPN server (remote access): nothing */
	h_open(&h);
	sa_up(&sa, &pub, 100, 10);
	h_feed(&h, SD_EV_IKE_SA, 10, 100, &GW_I, &pub, 500, &sa);
	sa_up(&sa, &pub, 200, 110);
	h_feed(&h, SD_EV_IKE_SA, 110, 200, &GW_I, &pub, 500, &sa);
	area_h_finish(&h.area);
	assert_null(find(&h, "ike.responder_never_initiates"));
	h_close(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_unanswered),
		cmocka_unit_test(test_auth_unanswered),
		cmocka_unit_test(test_invalid_ke),
		cmocka_unit_test(test_no_proposal),
		cmocka_unit_test(test_v1_error_notify),
		cmocka_unit_test(test_esp_one_way_and_asymmetric),
		cmocka_unit_test(test_periodic_rekey),
		cmocka_unit_test(test_responder_never_initiates),
		cmocka_unit_test(test_initiator_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
