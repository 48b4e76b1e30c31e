/* tests/unit/test_openvpn.c - OpenVPN packets: opcodes, tls-auth / tls-crypt detection,
 * the control channel's TLS stream (reordering, repeats, soft reset), truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/openvpn.h"
#include "helpers.h"
#include "tls_vectors.h"

#define NOW	1796599390		/* the capture's clock in these tests */

/* What a packet is made of (sd_ovpn_pkt's fields, for writing). */
struct spec {
	uint8_t		 op, key;
	uint64_t	 sid;
	uint8_t		 hmac;		/* tls-auth HMAC bytes, 0: none */
	uint8_t		 nacks;
	uint32_t	 acks[4];
	uint64_t	 rsid;
	uint32_t	 msg_id;
	const uint8_t	*payload;
	size_t		 plen;
};

static size_t
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

static size_t
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	return 4 + put32(p + 4, (uint32_t)v);
}

/* Write the packet of s into out; its length.  HMAC bytes: a fixed pseudo-random run. */
static size_t
build(uint8_t *out, const struct spec *s)
{
	size_t n = 0, i;
	uint32_t x = 0x9e3779b9u ^ s->hmac;

	out[n++] = (uint8_t)(s->op << 3 | s->key);
	n += put64(out + n, s->sid);
	if (s->hmac > 0) {
		for (i = 0; i < s->hmac; i++) {
			x = x * 1103515245u + 12345u;
			out[n++] = (uint8_t)(x >> 16 | 1);	/* never 0: an HMAC has entropy */
		}
		n += put32(out + n, 1 + s->msg_id);	/* replay packet-id */
		n += put32(out + n, NOW - 2);		/* time */
	}
	out[n++] = s->nacks;
	for (i = 0; i < s->nacks; i++)
		n += put32(out + n, s->acks[i]);
	if (s->nacks > 0)
		n += put64(out + n, s->rsid);
	if (s->op != SD_OVPN_ACK_V1)
		n += put32(out + n, s->msg_id);
	if (s->plen > 0)
		memcpy(out + n, s->payload, s->plen);
	return n + s->plen;
}

static void
test_opcodes(void **state)
{
	(void)state;
	assert_string_equal(sd_ovpn_opcode_name(SD_OVPN_CONTROL_V1), "P_CONTROL_V1");
	assert_string_equal(sd_ovpn_opcode_name(SD_OVPN_CONTROL_WKC_V1), "P_CONTROL_WKC_V1");
	assert_null(sd_ovpn_opcode_name(0));
	assert_null(sd_ovpn_opcode_name(12));
	assert_null(sd_ovpn_opcode_name(31));
	assert_true(sd_ovpn_is_control(SD_OVPN_HARD_RESET_CLIENT_V2));
	assert_true(sd_ovpn_is_control(SD_OVPN_ACK_V1));
	assert_false(sd_ovpn_is_control(SD_OVPN_DATA_V1));
	assert_false(sd_ovpn_is_control(SD_OVPN_DATA_V2));
}

/* A plain P_CONTROL_V1 with two ACKs: every field where it belongs; each shorter prefix
 * that cuts the header fails, each that cuts only the payload parses. */
static void
test_parse_and_truncate(void **state)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x02, 0x01, 0x00 };
	struct spec s = { .op = SD_OVPN_CONTROL_V1, .key = 2, .sid = 0x0102030405060708ull,
		.nacks = 2, .acks = { 7, 9 }, .rsid = 0xa1a2a3a4a5a6a7a8ull, .msg_id = 5,
		.payload = tls, .plen = sizeof(tls) };
	struct sd_ovpn_wrap w = { SD_OVPN_AUTH_NONE, 0 };
	struct sd_ovpn_pkt p;
	uint8_t buf[128], *cp;
	size_t n = build(buf, &s), hdr = n - sizeof(tls), k;

	(void)state;
	assert_int_equal(sd_ovpn_parse(sd_rd_make(buf, n), &w, &p), SD_OK);
	assert_int_equal(p.opcode, SD_OVPN_CONTROL_V1);
	assert_int_equal(p.key_id, 2);
	assert_true(p.session_id == 0x0102030405060708ull);
	assert_int_equal(p.nacks, 2);
	assert_int_equal(p.acks[1], 9);
	assert_true(p.remote_session == 0xa1a2a3a4a5a6a7a8ull);
	assert_int_equal(p.msg_id, 5);
	assert_int_equal(sd_rd_left(&p.payload), sizeof(tls));
	assert_memory_equal(p.payload.p, tls, sizeof(tls));
	for (k = 0; k < n; k++) {
		cp = dup_exact(buf, k);
		if (k < hdr)
			assert_int_equal(sd_ovpn_parse(sd_rd_make(cp, k), &w, &p), SD_MALFORMED);
		else
			assert_int_equal(sd_ovpn_parse(sd_rd_make(cp, k), &w, &p), SD_OK);
		(void)sd_ovpn_detect(sd_rd_make(cp, k), NOW, &w);
		w.auth = SD_OVPN_AUTH_NONE;
		w.hmac_len = 0;
		free(cp);
	}
	/* an ACK array longer than OpenVPN ever sends */
	buf[9] = SD_OVPN_MAX_ACKS + 1;
	assert_int_equal(sd_ovpn_parse(sd_rd_make(buf, n), &w, &p), SD_MALFORMED);
	/* data packets carry nothing to read */
	buf[0] = SD_OVPN_DATA_V2 << 3;
	assert_int_equal(sd_ovpn_parse(sd_rd_make(buf, n), &w, &p), SD_UNSUPPORTED);
	buf[0] = 12 << 3;
	assert_int_equal(sd_ovpn_parse(sd_rd_make(buf, n), &w, &p), SD_MALFORMED);
}

/* The HMAC length is told from the packet alone, for every length OpenVPN's --auth gives,
 * on a hard reset, an ACK and a control message. */
static void
test_hmac_detection(void **state)
{
	static const uint8_t hmacs[] = { 0, 16, 20, 32, 48, 64 };
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c };
	struct spec s;
	struct sd_ovpn_wrap w;
	uint8_t buf[256];
	size_t i, n;
	int kind;

	(void)state;
	for (i = 0; i < sizeof(hmacs); i++) {
		for (kind = 0; kind < 3; kind++) {
			memset(&s, 0, sizeof(s));
			s.sid = 0x1122334455667788ull;
			s.hmac = hmacs[i];
			if (kind == 0) {
				s.op = SD_OVPN_HARD_RESET_CLIENT_V2;
			} else if (kind == 1) {
				s.op = SD_OVPN_ACK_V1;
				s.nacks = 1;
				s.acks[0] = 3;
				s.rsid = 0x99aabbccddeeff00ull;
			} else {
				s.op = SD_OVPN_CONTROL_V1;
				s.msg_id = 1;
				s.payload = tls;
				s.plen = sizeof(tls);
			}
			n = build(buf, &s);
			assert_int_equal(sd_ovpn_detect(sd_rd_make(buf, n), NOW, &w), SD_OK);
			assert_int_equal(w.auth, hmacs[i] ? SD_OVPN_AUTH_HMAC : SD_OVPN_AUTH_NONE);
			assert_int_equal(w.hmac_len, hmacs[i]);
		}
	}
	/* a time a decade off is no tls-auth time: not OpenVPN as far as detection goes */
	memset(&s, 0, sizeof(s));
	s.op = SD_OVPN_HARD_RESET_CLIENT_V2;
	s.hmac = 20;
	n = build(buf, &s);
	assert_int_equal(sd_ovpn_detect(sd_rd_make(buf, n), NOW + 3650LL * 86400, &w),
	    SD_UNSUPPORTED);
}

/* tls-crypt: the replay packet-id and time right after the session id; v2 opcodes. */
static void
test_tls_crypt(void **state)
{
	uint8_t buf[96];
	struct sd_ovpn_wrap w;
	struct sd_ovpn_pkt p;
	size_t i;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = SD_OVPN_HARD_RESET_CLIENT_V2 << 3;
	put64(buf + 1, 0x0102030405060708ull);
	put32(buf + 9, 1);
	put32(buf + 13, NOW);
	for (i = 17; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 1);
	assert_int_equal(sd_ovpn_detect(sd_rd_make(buf, sizeof(buf)), NOW, &w), SD_OK);
	assert_int_equal(w.auth, SD_OVPN_AUTH_CRYPT);
	assert_int_equal(sd_ovpn_parse(sd_rd_make(buf, sizeof(buf)), &w, &p), SD_UNSUPPORTED);
	assert_int_equal(p.replay_id, 1);
	buf[0] = SD_OVPN_HARD_RESET_CLIENT_V3 << 3;
	put32(buf + 9, 0xffffffffu);
	assert_int_equal(sd_ovpn_detect(sd_rd_make(buf, sizeof(buf)), NOW, &w), SD_OK);
	assert_int_equal(w.auth, SD_OVPN_AUTH_CRYPT);
}

/* TLS records and TCP-framed TLS are not OpenVPN; a client's first hard reset is. */
static void
test_probe(void **state)
{
	static const uint8_t tls_rec[] = { 0x16, 0x03, 0x01, 0x00, 0x2c, 0x01, 0x00, 0x00, 0x28,
		0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct spec s = { .op = SD_OVPN_HARD_RESET_CLIENT_V2, .sid = 42, .hmac = 20 };
	struct sd_ovpn_wrap w;
	uint8_t buf[128];
	size_t n;
	struct sd_rd pkt;

	(void)state;
	assert_int_equal(sd_ovpn_probe(sd_rd_make(tls_rec, sizeof(tls_rec)), true, NOW),
	    SD_UNSUPPORTED);
	assert_int_equal(sd_ovpn_probe(sd_rd_make(tls_rec, sizeof(tls_rec)), false, NOW),
	    SD_UNSUPPORTED);
	assert_int_equal(sd_ovpn_detect(sd_rd_make(tls_rec, sizeof(tls_rec)), NOW, &w),
	    SD_UNSUPPORTED);
	n = build(buf + 2, &s);
	assert_int_equal(sd_ovpn_probe(sd_rd_make(buf + 2, n), false, NOW), SD_OK);
	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	assert_int_equal(sd_ovpn_probe(sd_rd_make(buf, n + 2), true, NOW), SD_OK);
	assert_int_equal(sd_ovpn_probe(sd_rd_make(buf, 5), true, NOW), SD_NEED_MORE);
	assert_int_equal(sd_ovpn_tcp_frame(sd_rd_make(buf, n + 1), &pkt, &n), SD_NEED_MORE);
	buf[0] = buf[1] = 0;
	assert_int_equal(sd_ovpn_tcp_frame(sd_rd_make(buf, 8), &pkt, &n), SD_MALFORMED);
	/* a server's reset is not how a connection starts */
	s.op = SD_OVPN_HARD_RESET_SERVER_V2;
	n = build(buf, &s);
	assert_int_equal(sd_ovpn_probe(sd_rd_make(buf, n), false, NOW), SD_UNSUPPORTED);
}

/* Events the conn emitted. */
struct seen {
	int	 hellos[2], sessions, total;
};

static void
on_event(void *ctx, enum sd_ev_type type, union sd_ev_msg msg, int dir,
    const struct sd_tls_pkt *pkt)
{
	struct seen *s = ctx;

	(void)msg;
	(void)pkt;
	s->total++;
	if (type == SD_EV_TLS_CLIENT_HELLO)
		s->hellos[dir]++;
	if (type == SD_EV_TLS_SESSION)
		s->sessions++;
}

/* The ClientHello record of tls_vectors.h (record and handshake headers added). */
static size_t
client_hello_record(uint8_t *out)
{
	static struct bytes b;

	b.n = 0;
	put8(&b, 0x16);
	put16(&b, 0x0301);
	put16(&b, (unsigned)sizeof(ch_body) + 4);
	put8(&b, 0x01);
	put24(&b, (unsigned)sizeof(ch_body));
	put(&b, ch_body, sizeof(ch_body));
	memcpy(out, b.b, b.n);
	return b.n;
}

/* Send message id's slice [off, off+len) of rec from the client, tls-auth 32. */
static void
send_slice(struct sd_ovpn_conn *c, uint8_t key, uint32_t id, const uint8_t *rec, size_t off,
    size_t len, uint64_t frame)
{
	struct spec s = { .op = SD_OVPN_CONTROL_V1, .key = key, .sid = 77, .hmac = 32,
		.msg_id = id, .payload = rec + off, .plen = len };
	struct sd_tls_pkt pk = { frame, NOW, 0 };
	uint8_t buf[512], *cp;
	size_t n = build(buf, &s);

	cp = dup_exact(buf, n);
	(void)sd_ovpn_conn_packet(c, 0, sd_rd_make(cp, n), &pk, NOW);
	free(cp);
}

static void
send_reset(struct sd_ovpn_conn *c, uint8_t op, uint8_t key, uint64_t frame)
{
	struct spec s = { .op = op, .key = key, .sid = 77, .hmac = 32 };
	struct sd_tls_pkt pk = { frame, NOW, 0 };
	uint8_t buf[128];
	size_t n = build(buf, &s);

	(void)sd_ovpn_conn_packet(c, 0, sd_rd_make(buf, n), &pk, NOW);
}

/* A ClientHello in three messages, sent 0 (reset), 2, 1, 1 again, 3: one hello, the
 * repeat and the early one counted; a soft reset with a new key starts a second session. */
static void
test_reorder_and_repeat(void **state)
{
	struct sd_memcap mc = { 0 };
	struct seen seen = { { 0, 0 }, 0, 0 };
	const struct sd_ovpn_stats *st;
	struct sd_ovpn_conn *c;
	uint8_t rec[256];
	size_t n = client_hello_record(rec), third = n / 3;

	(void)state;
	c = sd_ovpn_conn_new(&mc, on_event, &seen);
	assert_non_null(c);
	send_reset(c, SD_OVPN_HARD_RESET_CLIENT_V2, 0, 1);
	send_slice(c, 0, 2, rec, third, third, 2);
	assert_int_equal(seen.hellos[0], 0);
	send_slice(c, 0, 1, rec, 0, third, 3);
	assert_int_equal(seen.hellos[0], 0);
	send_slice(c, 0, 1, rec, 0, third, 4);		/* retransmission */
	send_slice(c, 0, 3, rec, 2 * third, n - 2 * third, 5);
	assert_int_equal(seen.hellos[0], 1);
	st = sd_ovpn_conn_stats(c);
	assert_true(st->wrap_known);
	assert_int_equal(st->wrap.auth, SD_OVPN_AUTH_HMAC);
	assert_int_equal(st->wrap.hmac_len, 32);
	assert_int_equal(st->duplicates[0], 1);
	assert_int_equal(st->reordered[0], 1);
	assert_int_equal(st->tls_sessions, 1);
	/* renegotiation: key id 1 starts again at message 0 */
	send_reset(c, SD_OVPN_SOFT_RESET_V1, 1, 6);
	assert_int_equal(seen.sessions, 1);		/* the first TLS connection ended */
	send_slice(c, 1, 1, rec, 0, n, 7);
	assert_int_equal(seen.hellos[0], 2);
	assert_int_equal(st->tls_sessions, 2);
	/* a late packet of key 0 is not a third session */
	send_slice(c, 0, 4, rec, 0, n, 8);
	assert_int_equal(st->tls_sessions, 2);
	assert_int_equal(seen.hellos[0], 2);
	sd_ovpn_conn_end(c, NULL);
	assert_int_equal(seen.sessions, 2);
	sd_ovpn_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* A message that never comes: after SD_OVPN_MAX_HELD later ones, the gap is given up and
 * the stream goes on; nothing is held past the cap. */
static void
test_gap_given_up(void **state)
{
	struct sd_memcap mc = { 0 };
	struct seen seen = { { 0, 0 }, 0, 0 };
	struct sd_ovpn_conn *c;
	uint8_t rec[256];
	size_t n = client_hello_record(rec);
	uint32_t id;

	(void)state;
	c = sd_ovpn_conn_new(&mc, on_event, &seen);
	assert_non_null(c);
	send_reset(c, SD_OVPN_HARD_RESET_CLIENT_V2, 0, 1);
	/* message 1 lost; 2.. carry junk the TLS parser must not take for a hello */
	for (id = 2; id < 2 + SD_OVPN_MAX_HELD; id++)
		send_slice(c, 0, id, rec, 9, 8, id);
	send_slice(c, 0, id, rec, 0, n, id);
	assert_int_equal(sd_ovpn_conn_stats(c)->gaps[0], 1);
	sd_ovpn_conn_end(c, NULL);
	sd_ovpn_conn_free(c);
	assert_int_equal(mc.used, 0);
}

/* Every prefix of every packet of a handshake, through a conn: no over-read, no event
 * from a cut packet that the whole one would not give. */
static void
test_conn_truncated(void **state)
{
	struct sd_memcap mc = { 0 };
	struct recorder r;
	struct spec s = { .op = SD_OVPN_CONTROL_V1, .sid = 5, .hmac = 20, .msg_id = 0 };
	struct sd_tls_pkt pk = { 1, NOW, 0 };
	struct sd_ovpn_conn *c;
	uint8_t rec[256], buf[512], *cp;
	size_t n, k;

	(void)state;
	s.plen = client_hello_record(rec);
	s.payload = rec;
	n = build(buf, &s);
	memset(&r, 0, sizeof(r));
	c = sd_ovpn_conn_new(&mc, rec_emit, &r);
	assert_non_null(c);
	for (k = 0; k < n; k++) {
		cp = xmemdup(buf, k);
		assert_non_null(cp);
		(void)sd_ovpn_conn_packet(c, 0, sd_rd_make(cp, k), &pk, NOW);
		free(cp);
	}
	/* message 0 cut short first, then its repeats: never a whole hello */
	assert_int_equal(r.n, 0);
	sd_ovpn_conn_free(c);
	assert_int_equal(mc.used, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opcodes),
		cmocka_unit_test(test_parse_and_truncate),
		cmocka_unit_test(test_hmac_detection),
		cmocka_unit_test(test_tls_crypt),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_reorder_and_repeat),
		cmocka_unit_test(test_gap_given_up),
		cmocka_unit_test(test_conn_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
