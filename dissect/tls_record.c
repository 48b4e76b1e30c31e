/* dissect/tls_record.c - TLS record layer over TCP and handshake reassembly (RFC 8446 §5, RFC 5246 §6.2). */
#include "dissect/tls.h"

#include <stdlib.h>
#include <string.h>

void *
sd_tls_alloc(struct sd_tls_conn *c, size_t n)
{
	return sd_memcap_malloc(c->mc, n);
}

void
sd_tls_release(struct sd_tls_conn *c, void *p, size_t n)
{
	sd_memcap_free(c->mc, p, n);
}

struct sd_tls_conn *
sd_tls_conn_new(struct sd_memcap *mc, bool dtls, sd_tls_emit_fn emit, void *ctx)
{
	struct sd_tls_conn *c;

	if ((c = sd_memcap_calloc(mc, sizeof(*c))) == NULL)
		return NULL;
	c->mc = mc;
	c->dtls = dtls;
	c->emit = emit;
	c->ctx = ctx;
	return c;
}

static void
hs_drop(struct sd_tls_conn *c, struct sd_tls_dir *d)
{
	sd_tls_release(c, d->hs, d->hs_cap);
	d->hs = NULL;
	d->hs_len = d->hs_cap = 0;
}

void
sd_tls_conn_free(struct sd_tls_conn *c)
{
	int i, j;

	if (c == NULL)
		return;
	if (c->dec != NULL)
		c->dh->close(c->dh->ctx, c->dec, c->mc, c->keylog == SD_TLS_KEYLOG_FAILED);
	for (i = 0; i < 2; i++) {
		hs_drop(c, &c->d[i]);
		for (j = 0; j < SD_DTLS_SLOTS; j++)
			sd_tls_release(c, c->d[i].frag[j].buf, c->d[i].frag[j].alloc);
	}
	sd_memcap_give(c->mc, sizeof(*c));
	free(c);
}

const struct sd_tls_conn_stats *
sd_tls_conn_stats(const struct sd_tls_conn *c)
{
	return &c->st;
}

/*
 * TLS 1.3 hides the record type: an alert is TLSInnerPlaintext of 2 bytes + the content
 * type byte, plus the AEAD tag (16, or 8 for TLS_AES_128_CCM_8_SHA256), when the sender
 * does not pad (RFC 8446 §5.2, §5.4).  No Finished, ticket or key update is that short.
 */
static size_t
tls13_alert_len(uint16_t suite)
{
	return suite == 0x1305 ? 3 + 8 : 3 + 16;
}

/*
 * TLS 1.3 protected record (outer type application_data) of direction dir.  After the
 * ServerHello the first ones of each side are its encrypted flight; the client's first
 * one after the server's flight is its Finished (or an alert we cannot read); what the
 * server sends after that is post-handshake (tickets, data).  Before the ServerHello a
 * client's protected record is 0-RTT data.
 */
static void
note_tls13(struct sd_tls_conn *c, int dir, size_t len, const struct sd_tls_pkt *pkt)
{
	struct sd_tls_track *t = &c->t;
	struct sd_tls_encrypted_handshake eh;
	struct sd_tls_session_alert *sa;

	if (t->sh_seen && len != 0 && len == tls13_alert_len(c->st.cipher) &&
	    !c->decrypting) {
		/* Most likely an encrypted alert: not a Finished, not data (see
		 * tls13_alert_len).  Kept for tls.session, not counted as progress. */
		if (t->sess.nalerts < SD_TLS_SESSION_ALERTS) {
			sa = &t->sess.alerts[t->sess.nalerts];
			memset(sa, 0, sizeof(*sa));
			sa->sender = (uint8_t)dir;
			sa->encrypted = true;
			sa->by_length = true;
			sa->frame = pkt->frame;
		}
		if (t->sess.nalerts < UINT32_MAX)
			t->sess.nalerts++;
		t->last[dir] = SD_TLS_AFTER_ALERT;
		return;
	}
	if (!t->sh_seen) {
		t->appdata[dir]++;
		t->last[dir] = SD_TLS_AFTER_APPDATA;
		return;
	}
	if (!t->enc_hs_emitted[dir]) {
		t->enc_hs_emitted[dir] = true;
		t->sess.encrypted_handshake = true;
		memset(&eh, 0, sizeof(eh));
		eh.dtls = c->dtls;
		eh.sender = (uint8_t)dir;
		eh.records = 1;
		c->emit(c->ctx, SD_EV_TLS_ENCRYPTED_HANDSHAKE,
		    (union sd_ev_msg){ .enc_hs = &eh }, dir, pkt);
	}
	if (dir == SD_ROLE_CLIENT) {
		if (!t->t13_client_after_server && t->enc_hs_emitted[SD_ROLE_SERVER]) {
			t->t13_client_after_server = true;
			t->last[dir] = SD_TLS_AFTER_ENC_HS;
		} else if (t->t13_client_after_server) {
			t->appdata[dir]++;
			t->last[dir] = SD_TLS_AFTER_APPDATA;
		} else
			t->last[dir] = SD_TLS_AFTER_ENC_HS;
	} else if (t->t13_client_after_server) {
		t->t13_server_after_client = true;
		t->appdata[dir]++;
		t->last[dir] = SD_TLS_AFTER_APPDATA;
	} else
		t->last[dir] = SD_TLS_AFTER_ENC_HS;
}

void
sd_tls_note_record(struct sd_tls_conn *c, int dir, uint8_t type, bool prot, size_t len,
    const struct sd_tls_pkt *pkt)
{
	struct sd_tls_track *t = &c->t;

	dir &= 1;
	switch (type) {
	case SD_TLS_CT_CCS:
		t->last[dir] = SD_TLS_AFTER_CCS;
		/* TLS <= 1.2: a server CCS straight after its ServerHello is the
		 * abbreviated (resumed) handshake of RFC 5246 §7.3 */
		if (dir == SD_ROLE_SERVER && !c->st.tls13 && t->sh_seen &&
		    !t->abbreviated_checked) {
			t->abbreviated_checked = true;
			t->sess.abbreviated = t->server_msgs_after_sh == 0;
		}
		break;
	case SD_TLS_CT_ALERT:
		t->last[dir] = SD_TLS_AFTER_ALERT;
		break;
	case SD_TLS_CT_HANDSHAKE:
		if (prot) {
			t->protected_hs[dir] = true;
			t->last[dir] = SD_TLS_AFTER_ENC_HS;
		}
		break;
	case SD_TLS_CT_APPDATA:
		if (c->st.tls13)
			note_tls13(c, dir, len, pkt);
		else {
			t->appdata[dir]++;
			t->last[dir] = SD_TLS_AFTER_APPDATA;
		}
		break;
	default:
		break;
	}
	t->has_last_pkt[dir] = true;
	t->last_pkt[dir] = *pkt;
	t->last_any = *pkt;
}

void
sd_tls_conn_end(struct sd_tls_conn *c, const struct sd_tls_pkt *pkt)
{
	struct sd_tls_track *t;
	struct sd_tls_session *s;

	if (c == NULL || c->t.ended)
		return;
	t = &c->t;
	t->ended = true;
	if (c->st.records[0] + c->st.records[1] == 0)
		return;		/* never a TLS record: nothing to say */
	s = &t->sess;
	s->dtls = c->dtls;
	s->has_server_hello = t->sh_seen;
	s->version = c->st.version;
	s->cipher = c->st.cipher;
	if (c->st.tls13)
		s->handshake_complete = t->t13_server_after_client;
	else
		s->handshake_complete = c->st.ccs_seen[0] && c->st.ccs_seen[1] &&
		    t->protected_hs[0] && t->protected_hs[1];
	s->app_data[0] = t->appdata[0];
	s->app_data[1] = t->appdata[1];
	s->client_cert_requested = t->cert_requested;
	s->client_cert_sent = t->client_certs > 0;
	s->epochs[0] = t->epochs[0];
	s->epochs[1] = t->epochs[1];
	s->retransmits = c->st.dtls_retransmits[0] + c->st.dtls_retransmits[1];
	s->keylog = c->keylog;
	c->emit(c->ctx, SD_EV_TLS_SESSION,
	    (union sd_ev_msg){ .session = s }, SD_ROLE_CLIENT, pkt != NULL ? pkt : &t->last_any);
}

bool
sd_tls_conn_done(const struct sd_tls_conn *c)
{
	return (c->d[0].dead || c->d[0].encrypted) && (c->d[1].dead || c->d[1].encrypted);
}

/* A TLS record header as it may appear in a stream: type, 3.x version, length cap. */
static bool
plausible_header(uint8_t type, uint16_t ver, uint16_t len)
{
	return type >= SD_TLS_CT_CCS && type <= SD_TLS_CT_HEARTBEAT && (ver >> 8) == 3 &&
	    (ver & 0xff) <= 4 && len <= SD_TLS_MAX_RECORD;
}

bool
sd_dtls_plausible_header(uint8_t type, uint16_t ver, uint16_t len)
{
	return type >= SD_TLS_CT_CCS && type <= SD_TLS_CT_HEARTBEAT &&
	    (ver == 0xfeff || ver == 0xfefd || ver == 0xfefc || ver == 0x0100) &&
	    len <= SD_TLS_MAX_RECORD;
}

/*
 * SSLv2 record carrying a CLIENT-HELLO: 2-byte header with the top bit set (no padding),
 * msg_type 1, version 0x0002 or 3.x (RFC 5246 E.2).
 */
static bool
sslv2_hello_start(struct sd_rd in, size_t *total)
{
	uint8_t b0, b1, type, vmaj;

	if (!sd_rd_u8(&in, &b0) || !sd_rd_u8(&in, &b1) || !sd_rd_u8(&in, &type) ||
	    !sd_rd_u8(&in, &vmaj))
		return false;
	*total = 2 + ((size_t)(b0 & 0x7f) << 8 | b1);
	return (b0 & 0x80) != 0 && type == SD_TLS_HS_CLIENT_HELLO && (vmaj == 0 || vmaj == 3) &&
	    *total >= 2 + 9;
}

/*
 * A whole STUN message (RFC 8489 §5: first byte 0-3, 16-bit length a multiple of 4
 * counting what follows the 20-byte header, the datagram holding exactly that).  WebRTC
 * and other ICE users send STUN connectivity checks on the 5-tuple before the DTLS
 * handshake (RFC 7983 §7: first byte 0-3 is STUN, 20-63 DTLS), so sd_tls_probe() answers
 * SD_NEED_MORE: look at the next datagram rather than give the flow up.
 */
static bool
stun_message(struct sd_rd in)
{
	uint16_t type, len;

	if (!sd_rd_be16(&in, &type) || !sd_rd_be16(&in, &len))
		return false;
	/* the rest of the header: magic cookie (RFC 3489: part of the id) and transaction id */
	return type >> 8 <= 3 && len % 4 == 0 && sd_rd_left(&in) == (size_t)len + 16;
}

enum sd_rc
sd_tls_probe(struct sd_rd in, bool udp)
{
	uint8_t b[13];
	size_t n = sd_rd_left(&in) < sizeof(b) ? sd_rd_left(&in) : sizeof(b);
	size_t total;
	uint16_t len;

	if (n == 0)
		return SD_NEED_MORE;
	memcpy(b, in.p, n);
	if (udp && stun_message(in))
		return SD_NEED_MORE;	/* RFC 7983: DTLS may follow STUN on the same flow */
	if (udp) {
		if (b[0] < SD_TLS_CT_CCS || b[0] > SD_TLS_CT_HEARTBEAT)
			return SD_UNSUPPORTED;
		if (n < 13)
			return n >= 2 && b[1] != 0xfe && b[1] != 0x01 ? SD_UNSUPPORTED : SD_NEED_MORE;
		len = (uint16_t)(b[11] << 8 | b[12]);
		return sd_dtls_plausible_header(b[0], (uint16_t)(b[1] << 8 | b[2]), len) && len > 0 ?
		    SD_OK : SD_UNSUPPORTED;
	}
	if (b[0] & 0x80) {
		if (n < 4)
			return SD_NEED_MORE;
		return sslv2_hello_start(in, &total) ? SD_OK : SD_UNSUPPORTED;
	}
	if (b[0] < SD_TLS_CT_CCS || b[0] > SD_TLS_CT_HEARTBEAT)
		return SD_UNSUPPORTED;
	if (n >= 2 && b[1] != 3)
		return SD_UNSUPPORTED;
	if (n >= 3 && b[2] > 4)
		return SD_UNSUPPORTED;
	if (n < 5)
		return SD_NEED_MORE;
	len = (uint16_t)(b[3] << 8 | b[4]);
	return len > 0 && len <= SD_TLS_MAX_RECORD ? SD_OK : SD_UNSUPPORTED;
}

/* Does a hello record start at p[0..10]? (see sd_tls_find_hello) */
static bool
hello_at(const uint8_t *p, uint8_t hello_type)
{
	uint16_t rlen = (uint16_t)(p[3] << 8 | p[4]);
	uint32_t hlen = (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];

	return p[0] == SD_TLS_CT_HANDSHAKE && p[1] == 3 && p[2] <= 4 && rlen >= 4 &&
	    rlen <= SD_TLS_MAX_RECORD && p[5] == hello_type && hlen >= 38 &&
	    hlen <= SD_TLS_MAX_HS_MSG && p[9] == 3 && p[10] <= 4;
}

enum sd_rc
sd_tls_find_hello(struct sd_rd in, uint8_t hello_type, size_t *off)
{
	size_t i;

	*off = 0;
	for (i = 0; in.len >= 11 && i <= in.len - 11; i++) {
		if (in.p[i] == SD_TLS_CT_HANDSHAKE && hello_at(in.p + i, hello_type)) {
			*off = i;
			return SD_OK;
		}
	}
	/* a hello may begin in the last 10 bytes: look again from there */
	*off = in.len > 10 ? in.len - 10 : 0;
	for (i = *off; i < in.len; i++)
		if (in.p[i] == SD_TLS_CT_HANDSHAKE) {
			*off = i;
			return SD_NEED_MORE;
		}
	*off = in.len;
	return SD_UNSUPPORTED;
}

/* Make room for `more` handshake bytes in d->hs, charging the growth to the memcap. */
static bool
hs_reserve(struct sd_tls_conn *c, struct sd_tls_dir *d, size_t more)
{
	size_t need = d->hs_len + more, ncap;
	uint8_t *nb;

	if (need <= d->hs_cap)
		return true;
	if (need > SD_TLS_MAX_HS_MSG + 4 + SD_TLS_MAX_RECORD)
		return false;
	ncap = d->hs_cap ? d->hs_cap : 1024;
	while (ncap < need)
		ncap *= 2;
	if (!sd_memcap_take(c->mc, ncap - d->hs_cap))
		return false;
	if ((nb = realloc(d->hs, ncap)) == NULL) {
		sd_memcap_give(c->mc, ncap - d->hs_cap);
		return false;
	}
	d->hs = nb;
	d->hs_cap = ncap;
	return true;
}

/*
 * Take the complete handshake messages off the front of *v and dispatch them; an oversized
 * message is dropped (the part not yet here through d->hs_skip).  Leaves a partial message
 * in *v.
 */
static void
hs_messages(struct sd_tls_conn *c, int dir, struct sd_rd *v, uint16_t rv,
    const struct sd_tls_pkt *pkt)
{
	struct sd_tls_dir *d = &c->d[dir];
	struct sd_rd body;
	uint32_t mlen;
	uint8_t type;
	size_t avail;

	while (sd_rd_left(v) >= 4 && (!d->encrypted || c->decrypting)) {
		(void)sd_rd_peek_u8(v, 0, &type);
		mlen = (uint32_t)v->p[1] << 16 | (uint32_t)v->p[2] << 8 | v->p[3];
		if (mlen > SD_TLS_MAX_HS_MSG) {
			c->st.oversized[dir]++;
			avail = sd_rd_left(v) - 4;
			if (avail >= mlen)
				(void)sd_rd_skip(v, 4 + (size_t)mlen);
			else {
				d->hs_skip = (uint32_t)(mlen - avail);
				(void)sd_rd_skip(v, sd_rd_left(v));
			}
			continue;
		}
		if (sd_rd_left(v) - 4 < mlen)
			return;
		(void)sd_rd_skip(v, 4);
		(void)sd_rd_sub(v, mlen, &body);
		sd_tls_handshake_msg(c, dir, type, body, rv, pkt);
	}
	if (d->encrypted && !c->decrypting)	/* TLS 1.3 after ServerHello: not ours to read */
		(void)sd_rd_skip(v, sd_rd_left(v));
}

/* One handshake record body (in clear, or decrypted) of direction dir. */
static enum sd_rc
hs_record(struct sd_tls_conn *c, int dir, struct sd_rd body, uint16_t rv,
    const struct sd_tls_pkt *pkt)
{
	struct sd_tls_dir *d = &c->d[dir];
	struct sd_rd v;
	size_t n;

	if (d->hs_skip > 0) {
		n = sd_rd_left(&body) < d->hs_skip ? sd_rd_left(&body) : d->hs_skip;
		(void)sd_rd_skip(&body, n);
		d->hs_skip -= (uint32_t)n;
	}
	if (sd_rd_left(&body) == 0)
		return SD_OK;
	if (d->hs_len == 0) {
		/* Common case: whole messages in the record, parsed in place. */
		hs_messages(c, dir, &body, rv, pkt);
		if (sd_rd_left(&body) == 0)
			return SD_OK;
	}
	if (!hs_reserve(c, d, sd_rd_left(&body))) {
		/* Lost sync with the handshake layer of this direction: stop reading it. */
		d->hs_len = 0;
		d->encrypted = true;
		c->st.oversized[dir]++;
		return SD_ENOMEM;
	}
	memcpy(d->hs + d->hs_len, body.p, sd_rd_left(&body));
	d->hs_len += sd_rd_left(&body);
	if (sd_rd_left(&body) == d->hs_len)
		return SD_OK;	/* just stored the start of a message */
	v = sd_rd_make(d->hs, d->hs_len);
	hs_messages(c, dir, &v, rv, pkt);
	if (sd_rd_left(&v) == 0)
		hs_drop(c, d);
	else {
		memmove(d->hs, v.p, sd_rd_left(&v));
		d->hs_len = sd_rd_left(&v);
	}
	return SD_OK;
}

void
sd_tls_conn_set_decrypt(struct sd_tls_conn *c, const struct sd_tls_decrypt_hook *h)
{
	c->dh = h != NULL && h->open != NULL ? h : NULL;
}

/* Should the body of this TLS 1.3 record of direction dir be read whole to decrypt it? */
static bool
dec_wants(const struct sd_tls_conn *c, int dir, size_t len)
{
	return c->dec != NULL && !c->dd[dir].off &&
	    (c->dd[dir].epoch == 0 || len <= SD_TLS13_DECRYPT_SMALL);
}

/*
 * A TLS 1.3 protected record of direction dir (hdr: its header, the AEAD's additional
 * data) with the connection's keys (RFC 8446 §5.2): handshake messages go to the
 * handshake layer and alerts to the alert code as if they had come in clear, marked
 * decrypted.  Returns the inner content type, 0 when not decrypted.  The first record
 * that does not authenticate stops decryption of that direction (wrong keys), except
 * the client's 0-RTT records, passed over.
 */
static uint8_t
dec_record(struct sd_tls_conn *c, int dir, const uint8_t hdr[5], struct sd_rd body,
    const struct sd_tls_pkt *pkt)
{
	uint8_t pt[SD_TLS_MAX_RECORD];
	uint64_t seq = c->dd[dir].seq++;
	uint16_t ver = (uint16_t)(hdr[1] << 8 | hdr[2]);
	uint8_t inner;
	int n;

	if (!dec_wants(c, dir, sd_rd_left(&body)) || sd_rd_left(&body) > sizeof(pt))
		return 0;
	n = c->dh->record(c->dh->ctx, c->dec, dir, c->dd[dir].epoch, seq, hdr, body.p,
	    sd_rd_left(&body), pt);
	if (n < 0 && dir == SD_ROLE_CLIENT && c->dd[dir].epoch == 0 && c->t.ch_early_data &&
	    c->dd[dir].skipped < 1024) {
		/* 0-RTT data (and EndOfEarlyData) under the early secret, which we do not
		 * follow: passed over as the server does when it rejects it (RFC 8446
		 * §4.2.10), the handshake records numbered without it */
		c->dd[dir].skipped++;
		c->dd[dir].seq--;
		return 0;
	}
	if (n < 0 || (size_t)n > sd_rd_left(&body)) {
		c->dd[dir].off = true;
		c->keylog = SD_TLS_KEYLOG_FAILED;
		return 0;
	}
	/* TLSInnerPlaintext: content, type, zero padding (RFC 8446 §5.2) */
	while (n > 0 && pt[n - 1] == 0)
		n--;
	if (n == 0) {
		c->st.malformed[dir]++;
		return 0;
	}
	inner = pt[--n];
	c->decrypting = true;
	switch (inner) {
	case SD_TLS_CT_HANDSHAKE:
		(void)hs_record(c, dir, sd_rd_make(pt, (size_t)n), ver, pkt);
		break;
	case SD_TLS_CT_ALERT:
		sd_tls_alert_record(c, dir, sd_rd_make(pt, (size_t)n), ver, false, pkt);
		break;
	default:
		break;
	}
	c->decrypting = false;
	return inner;
}

/* After a gap: the offset of the first plausible record header, if any. */
static bool
find_header(struct sd_rd in, size_t *off)
{
	size_t i;
	uint16_t ver, len;

	for (i = 0; i + 5 <= in.len; i++) {
		ver = (uint16_t)(in.p[i + 1] << 8 | in.p[i + 2]);
		len = (uint16_t)(in.p[i + 3] << 8 | in.p[i + 4]);
		if (plausible_header(in.p[i], ver, len) && len > 0) {
			*off = i;
			return true;
		}
	}
	return false;
}

void
sd_tls_gap(struct sd_tls_conn *c, int dir)
{
	struct sd_tls_dir *d = &c->d[dir & 1];

	hs_drop(c, d);
	d->hs_skip = 0;
	if (!d->dead)
		d->resync = true;
	/* records were lost: their sequence numbers are unknown, so no later record of
	 * this side can be decrypted (not a key failure) */
	if (c->dec != NULL)
		c->dd[dir & 1].off = true;
}

static enum sd_rc
sslv2_record(struct sd_tls_conn *c, int dir, struct sd_rd *in, const struct sd_tls_pkt *pkt,
    size_t *consumed)
{
	struct sd_tls_client_hello ch;
	struct sd_rd msg;
	size_t total;

	if (sd_rd_left(in) < 4)
		return SD_NEED_MORE;
	if (!sslv2_hello_start(*in, &total)) {
		c->d[dir].dead = true;
		return SD_MALFORMED;
	}
	if (sd_rd_left(in) < total)
		return SD_NEED_MORE;
	(void)sd_rd_skip(in, 2);
	(void)sd_rd_sub(in, total - 2, &msg);
	*consumed += total;
	c->st.records[dir]++;
	c->st.hs_messages[dir]++;
	if (sd_tls_parse_sslv2_client_hello(msg, &ch) != SD_OK) {
		c->st.malformed[dir]++;
		return SD_OK;
	}
	c->emit(c->ctx, SD_EV_TLS_CLIENT_HELLO,
	    (union sd_ev_msg){ .client_hello = &ch }, dir, pkt);
	return SD_OK;
}

enum sd_rc
sd_tls_feed(struct sd_tls_conn *c, int dir, struct sd_rd in, const struct sd_tls_pkt *pkt,
    size_t *consumed, uint64_t *skip)
{
	struct sd_tls_dir *d;
	struct sd_rd body;
	uint16_t ver, len;
	uint8_t type, b0, hdr[5], inner;
	size_t off;
	bool prot;
	enum sd_rc rc, ret = SD_OK;

	*consumed = 0;
	*skip = 0;
	d = &c->d[dir & 1];
	dir &= 1;
	if (d->dead) {
		*consumed = sd_rd_left(&in);
		return SD_MALFORMED;
	}
	for (;;) {
		if (d->resync) {
			if (!find_header(in, &off)) {
				off = sd_rd_left(&in) > 4 ? sd_rd_left(&in) - 4 : 0;
				(void)sd_rd_skip(&in, off);
				*consumed += off;
				c->st.resyncs[dir] += off;
				return SD_NEED_MORE;
			}
			(void)sd_rd_skip(&in, off);
			*consumed += off;
			c->st.resyncs[dir] += off;
			d->resync = false;
		}
		if (sd_rd_left(&in) == 0)
			return ret;
		(void)sd_rd_peek_u8(&in, 0, &b0);
		if (!d->started && dir == 0 && (b0 & 0x80) != 0) {
			d->started = true;
			if ((rc = sslv2_record(c, dir, &in, pkt, consumed)) != SD_OK) {
				d->started = rc == SD_NEED_MORE ? false : true;
				if (rc == SD_MALFORMED)
					*consumed += sd_rd_left(&in);
				return rc;
			}
			continue;
		}
		if (sd_rd_left(&in) < 5)
			return SD_NEED_MORE;
		(void)sd_rd_peek_be16(&in, 1, &ver);
		(void)sd_rd_peek_be16(&in, 3, &len);
		type = b0;
		if (!plausible_header(type, ver, len)) {
			d->dead = true;
			c->st.malformed[dir]++;
			*consumed += sd_rd_left(&in);
			return SD_MALFORMED;
		}
		d->started = true;
		inner = 0;
		memcpy(hdr, in.p, sizeof(hdr));
		if (sd_rd_left(&in) - 5 < len) {
			if (type == SD_TLS_CT_APPDATA && dec_wants(c, dir, len))
				return SD_NEED_MORE;	/* a record to decrypt: buffer it */
			if (type == SD_TLS_CT_APPDATA && c->dec != NULL)
				c->dd[dir].seq++;	/* passed over, still numbered */
			if (type == SD_TLS_CT_APPDATA || type == SD_TLS_CT_HEARTBEAT ||
			    (type == SD_TLS_CT_HANDSHAKE && d->encrypted)) {
				/* Nothing to read in this body: let TCP pass over it. */
				*consumed += 5;
				*skip = len;
				c->st.records[dir]++;
				if (type == SD_TLS_CT_HEARTBEAT)
					c->st.heartbeats[dir]++;
				sd_tls_note_record(c, dir, type, true, len, pkt);
				return SD_OK;
			}
			return SD_NEED_MORE;
		}
		(void)sd_rd_skip(&in, 5);
		(void)sd_rd_sub(&in, len, &body);
		*consumed += 5 + (size_t)len;
		c->st.records[dir]++;
		prot = d->encrypted;
		switch (type) {
		case SD_TLS_CT_CCS:
			/* TLS <= 1.2: what follows is protected.  TLS 1.3: a compatibility
			 * no-op (RFC 8446 D.4), also the client's CCS between a
			 * HelloRetryRequest and its second ClientHello; the ServerHello
			 * already switched.  Before any ServerHello it is one of those. */
			c->st.ccs_seen[dir] = true;
			if (c->st.version != 0 && !c->st.tls13) {
				d->encrypted = true;
				hs_drop(c, d);
			}
			break;
		case SD_TLS_CT_ALERT:
			sd_tls_alert_record(c, dir, body, ver, d->encrypted && !c->st.tls13, pkt);
			break;
		case SD_TLS_CT_HANDSHAKE:
			if (!d->encrypted && (rc = hs_record(c, dir, body, ver, pkt)) != SD_OK)
				ret = rc;
			break;
		case SD_TLS_CT_HEARTBEAT:
			c->st.heartbeats[dir]++;
			break;
		case SD_TLS_CT_APPDATA:
			if (c->dec != NULL)
				inner = dec_record(c, dir, hdr, body, pkt);
			if (inner == SD_TLS_CT_ALERT)
				type = SD_TLS_CT_ALERT;	/* noted in sess.alerts already */
			break;
		default:
			break;
		}
		/* a decrypted record is no alert guessed by its length (note_tls13) */
		c->decrypting = inner != 0;
		sd_tls_note_record(c, dir, type, prot, len, pkt);
		c->decrypting = false;
	}
}
