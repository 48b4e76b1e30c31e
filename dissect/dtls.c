/* dissect/dtls.c - DTLS records and handshake fragment reassembly (RFC 6347 §4.1-4.2, RFC 9147 §4). */
#include "dissect/tls.h"

#include <string.h>

/* FNV-1a over a message, to tell a retransmission from a new message reusing a message_seq
 * (an implementation that restarts at 0 after HelloVerifyRequest). */
static uint32_t
msg_sum(uint8_t type, struct sd_rd body)
{
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ type) * 16777619u;
	for (i = 0; i < body.len; i++)
		h = (h ^ body.p[i]) * 16777619u;
	return h;
}

static bool
seq_done(const struct sd_tls_dir *d, uint16_t seq)
{
	return seq < SD_DTLS_SEQS && (d->seq_done & ((uint64_t)1 << seq)) != 0;
}

static void
slot_free(struct sd_tls_conn *c, struct sd_dtls_frag *f)
{
	sd_tls_release(c, f->buf, f->alloc);
	memset(f, 0, sizeof(*f));
}

/*
 * A whole handshake message of direction dir.  DTLS peers resend whole flights on timeout
 * (RFC 6347 §4.2.4); a message with a message_seq and bytes seen before is dispatched again
 * flagged as a retransmission (unanswered ClientHellos are evidence), and counted.
 */
static void
complete(struct sd_tls_conn *c, int dir, uint8_t type, uint16_t seq, struct sd_rd body,
    uint16_t rv, const struct sd_tls_pkt *pkt)
{
	struct sd_tls_dir *d = &c->d[dir];
	uint32_t sum = msg_sum(type, body);
	int i;

	for (i = 0; i < SD_DTLS_SLOTS; i++)
		if (d->frag[i].used && d->frag[i].seq == seq)
			slot_free(c, &d->frag[i]);
	c->retransmit = false;
	if (seq < SD_DTLS_SEQS) {
		if (seq_done(d, seq) && d->seq_sum[seq] == sum) {
			c->st.dtls_retransmits[dir]++;
			c->retransmit = true;
		}
		d->seq_done |= (uint64_t)1 << seq;
		d->seq_sum[seq] = sum;
	}
	c->t.cur_seq = seq;
	sd_tls_handshake_msg(c, dir, type, body, rv, pkt);
	c->retransmit = false;
}

/* The slot reassembling (seq, type, len), or a fresh one (the oldest is evicted). */
static struct sd_dtls_frag *
slot_get(struct sd_tls_conn *c, struct sd_tls_dir *d, uint8_t type, uint16_t seq, uint32_t len)
{
	struct sd_dtls_frag *f = NULL, *old = &d->frag[0];
	size_t need;
	int i;

	for (i = 0; i < SD_DTLS_SLOTS; i++) {
		if (d->frag[i].used && d->frag[i].seq == seq) {
			if (d->frag[i].type == type && d->frag[i].len == len)
				return &d->frag[i];
			slot_free(c, &d->frag[i]);	/* same seq, other message */
		}
		if (!d->frag[i].used && f == NULL)
			f = &d->frag[i];
		if (d->frag[i].age < old->age)
			old = &d->frag[i];
	}
	if (f == NULL) {
		slot_free(c, old);
		f = old;
	}
	need = (size_t)len + ((size_t)len + 7) / 8;
	if ((f->buf = sd_tls_alloc(c, need ? need : 1)) == NULL)
		return NULL;
	memset(f->buf, 0, need ? need : 1);
	f->alloc = need ? need : 1;
	f->used = true;
	f->type = type;
	f->seq = seq;
	f->len = len;
	f->have = 0;
	return f;
}

/* Copy a fragment into its slot; true when the message is complete. */
static bool
slot_add(struct sd_dtls_frag *f, uint32_t off, struct sd_rd frag)
{
	uint8_t *map = f->buf + f->len;
	uint32_t i, pos;

	for (i = 0; i < frag.len; i++) {
		pos = off + i;
		if ((map[pos / 8] & (1u << (pos % 8))) == 0) {
			map[pos / 8] = (uint8_t)(map[pos / 8] | (1u << (pos % 8)));
			f->have++;
		}
		f->buf[pos] = frag.p[i];
	}
	return f->have == f->len;
}

/* Handshake fragments of one epoch-0 record (RFC 6347 §4.2.2). */
static enum sd_rc
handshake_record(struct sd_tls_conn *c, int dir, struct sd_rd body, uint16_t rv,
    const struct sd_tls_pkt *pkt)
{
	struct sd_tls_dir *d = &c->d[dir];
	struct sd_dtls_frag *f;
	struct sd_rd frag;
	uint32_t mlen, foff, flen;
	uint16_t seq;
	uint8_t type;
	enum sd_rc ret = SD_OK;

	while (sd_rd_left(&body) > 0) {
		if (!sd_rd_u8(&body, &type) || !sd_rd_be24(&body, &mlen) ||
		    !sd_rd_be16(&body, &seq) || !sd_rd_be24(&body, &foff) ||
		    !sd_rd_be24(&body, &flen) || !sd_rd_sub(&body, flen, &frag) ||
		    foff > mlen || flen > mlen - foff) {
			c->st.malformed[dir]++;
			return SD_MALFORMED;
		}
		if (mlen > SD_TLS_MAX_HS_MSG) {
			c->st.oversized[dir]++;
			continue;
		}
		if (foff == 0 && flen == mlen) {
			complete(c, dir, type, seq, frag, rv, pkt);
			continue;
		}
		if ((f = slot_get(c, d, type, seq, mlen)) == NULL) {
			ret = SD_ENOMEM;
			continue;
		}
		f->age = ++d->frag_clock;
		f->record_version = rv;
		if (slot_add(f, foff, frag)) {
			/* complete() frees the slot: dispatch from a view of its buffer
			 * first, so take ownership out of the slot. */
			struct sd_dtls_frag done = *f;

			memset(f, 0, sizeof(*f));
			complete(c, dir, done.type, done.seq, sd_rd_make(done.buf, done.len),
			    done.record_version, pkt);
			sd_tls_release(c, done.buf, done.alloc);
		}
	}
	return ret;
}

/*
 * DTLS 1.3 unified header (RFC 9147 §4): 001CSLEE, then connection id (length negotiated,
 * unknown here), sequence number (1 or 2 bytes), length (if L).  Always protected.
 */
static enum sd_rc
unified_record(struct sd_tls_conn *c, int dir, struct sd_rd *in, const struct sd_tls_pkt *pkt)
{
	uint8_t b0;
	uint16_t len;

	c->st.dtls13_records[dir]++;
	/* protected, like TLS 1.3 application_data records (tls.encrypted_handshake) */
	sd_tls_note_record(c, dir, SD_TLS_CT_APPDATA, true, 0, pkt);
	(void)sd_rd_u8(in, &b0);
	if ((b0 & 0x10) != 0) {	/* CID present: cannot find the record's end */
		(void)sd_rd_skip(in, sd_rd_left(in));
		return SD_UNSUPPORTED;
	}
	if (!sd_rd_skip(in, (b0 & 0x08) ? 2 : 1))
		return SD_TRUNCATED;
	if ((b0 & 0x04) == 0) {
		(void)sd_rd_skip(in, sd_rd_left(in));	/* the record fills the datagram */
		return SD_OK;
	}
	if (!sd_rd_be16(in, &len) || !sd_rd_skip(in, len))
		return SD_TRUNCATED;
	return SD_OK;
}

enum sd_rc
sd_dtls_datagram(struct sd_tls_conn *c, int dir, struct sd_rd in, const struct sd_tls_pkt *pkt)
{
	struct sd_rd body;
	uint16_t ver, epoch, len;
	uint8_t type;
	enum sd_rc rc, ret = SD_OK;

	dir &= 1;
	while (sd_rd_left(&in) > 0) {
		(void)sd_rd_peek_u8(&in, 0, &type);
		if ((type & 0xe0) == 0x20) {
			if ((rc = unified_record(c, dir, &in, pkt)) != SD_OK)
				return rc;
			continue;
		}
		if (sd_rd_left(&in) < 13) {
			c->st.malformed[dir]++;
			return SD_TRUNCATED;
		}
		(void)sd_rd_u8(&in, &type);
		(void)sd_rd_be16(&in, &ver);
		(void)sd_rd_be16(&in, &epoch);
		(void)sd_rd_skip(&in, 6);	/* sequence_number */
		(void)sd_rd_be16(&in, &len);
		if (!sd_dtls_plausible_header(type, ver, len)) {
			c->st.malformed[dir]++;
			return SD_MALFORMED;
		}
		if (!sd_rd_sub(&in, len, &body))
			return SD_TRUNCATED;	/* snaplen or a cut datagram */
		c->st.records[dir]++;
		c->t.cur_epoch = epoch;
		if (epoch > c->t.epochs[dir])
			c->t.epochs[dir] = epoch;
		switch (type) {
		case SD_TLS_CT_CCS:
			c->st.ccs_seen[dir] = true;
			c->d[dir].encrypted = true;
			break;
		case SD_TLS_CT_ALERT:
			/* Epoch 0 is in clear; later epochs are protected (RFC 6347 §4.1). */
			sd_tls_alert_record(c, dir, body, ver, epoch != 0, pkt);
			break;
		case SD_TLS_CT_HANDSHAKE:
			if (epoch == 0 && (rc = handshake_record(c, dir, body, ver, pkt)) != SD_OK)
				ret = rc;
			break;
		case SD_TLS_CT_HEARTBEAT:
			c->st.heartbeats[dir]++;
			break;
		default:
			break;
		}
		sd_tls_note_record(c, dir, type, epoch != 0, len, pkt);
	}
	return ret;
}
