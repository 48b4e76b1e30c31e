/* dissect/openvpn_conn.c - the TLS stream of an OpenVPN control channel: messages put back
 * in packet-id order per direction (OpenVPN reliable.c), their bytes parsed as TLS. */
#include "dissect/openvpn.h"

#include <string.h>

struct sd_ovpn_conn {
	struct sd_memcap	*mc;
	sd_tls_emit_fn		 emit;
	void			*ctx;
	struct sd_tls_conn	*tls;		/* the current key's TLS connection */
	bool			 key_known;
	uint8_t			 key_id;	/* of the current TLS connection */
	uint8_t			 prev_key;	/* the one before it (late packets are stale) */
	bool			 has_prev;
	bool			 client_sid_known;
	uint64_t		 client_sid;	/* the client's session id */
	struct sd_ovpn_dir	 dir[2];
	struct sd_ovpn_stats	 st;
};

struct sd_ovpn_conn *
sd_ovpn_conn_new(struct sd_memcap *mc, sd_tls_emit_fn emit, void *ctx)
{
	struct sd_ovpn_conn *c = sd_memcap_calloc(mc, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->mc = mc;
	c->emit = emit;
	c->ctx = ctx;
	return c;
}

void
sd_ovpn_dir_free(struct sd_ovpn_dir *d, struct sd_memcap *mc)
{
	unsigned i;

	for (i = 0; i < d->nheld; i++)
		sd_memcap_free(mc, d->held[i].p, d->held[i].len);
	sd_memcap_free(mc, d->buf, d->cap);
	memset(d, 0, sizeof(*d));
}

/* Append TLS bytes, first passing over what TLS asked to skip.  False when the cap refuses. */
static bool
dir_append(struct sd_ovpn_dir *d, struct sd_memcap *mc, struct sd_rd in)
{
	size_t n = sd_rd_left(&in), k, ncap;
	uint8_t *nb;

	k = d->skip < n ? (size_t)d->skip : n;
	d->skip -= k;
	(void)sd_rd_skip(&in, k);
	n -= k;
	if (n == 0)
		return true;
	if (n > SD_OVPN_MAX_STREAM - d->len)
		return false;
	if (d->len + n > d->cap) {
		ncap = d->cap == 0 ? 4096 : d->cap;
		while (ncap < d->len + n)
			ncap *= 2;
		if ((nb = sd_memcap_malloc(mc, ncap)) == NULL)
			return false;
		if (d->len > 0)
			memcpy(nb, d->buf, d->len);
		sd_memcap_free(mc, d->buf, d->cap);
		d->buf = nb;
		d->cap = ncap;
	}
	memcpy(d->buf + d->len, in.p, n);
	d->len += n;
	return true;
}

static void
dir_consume(struct sd_ovpn_dir *d, size_t n)
{
	if (n > d->len)
		n = d->len;
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
}

/* Held message with packet-id id, or -1. */
static int
held_find(const struct sd_ovpn_dir *d, uint32_t id)
{
	unsigned i;

	for (i = 0; i < d->nheld; i++)
		if (d->held[i].id == id)
			return (int)i;
	return -1;
}

static void
held_drop(struct sd_ovpn_dir *d, struct sd_memcap *mc, unsigned i)
{
	sd_memcap_free(mc, d->held[i].p, d->held[i].len);
	d->held[i] = d->held[--d->nheld];
}

/* Deliver held messages that are now next in line. */
static void
dir_drain(struct sd_ovpn_conn *c, int dir)
{
	struct sd_ovpn_dir *d = &c->dir[dir];
	int i;

	while ((i = held_find(d, d->next_id)) >= 0) {
		if (!dir_append(d, c->mc, sd_rd_make(d->held[i].p, d->held[i].len)))
			c->st.dropped[dir]++;
		held_drop(d, c->mc, (unsigned)i);
		d->next_id++;
	}
}

/* The missing message will not come: go on from the oldest held one, as after a TCP gap. */
static void
dir_give_up_gap(struct sd_ovpn_conn *c, int dir)
{
	struct sd_ovpn_dir *d = &c->dir[dir];
	uint32_t low = 0, dist, best = UINT32_MAX;
	unsigned i;

	for (i = 0; i < d->nheld; i++) {
		dist = d->held[i].id - d->next_id;
		if (dist < best) {
			best = dist;
			low = d->held[i].id;
		}
	}
	c->st.gaps[dir]++;
	d->len = 0;
	d->skip = 0;
	d->next_id = low;
	if (c->tls != NULL)
		sd_tls_gap(c->tls, dir);
}

/* Put message id's TLS bytes in order: appended, held for later, or counted as a repeat. */
static void
dir_add(struct sd_ovpn_conn *c, int dir, uint32_t id, struct sd_rd payload)
{
	struct sd_ovpn_dir *d = &c->dir[dir];
	uint32_t ahead;
	size_t n = sd_rd_left(&payload);

	if (!d->started) {
		d->started = true;
		d->next_id = id;
	}
	ahead = id - d->next_id;
	if (ahead >= 0x80000000u || held_find(d, id) >= 0) {
		c->st.duplicates[dir]++;	/* a retransmission of a message already had */
		return;
	}
	if (ahead == 0) {
		if (!dir_append(d, c->mc, payload))
			c->st.dropped[dir]++;
		d->next_id++;
		dir_drain(c, dir);
		return;
	}
	c->st.reordered[dir]++;
	if (d->nheld == SD_OVPN_MAX_HELD) {
		dir_give_up_gap(c, dir);
		dir_drain(c, dir);
		dir_add(c, dir, id, payload);
		return;
	}
	d->held[d->nheld].p = sd_memcap_malloc(c->mc, n);
	if (d->held[d->nheld].p == NULL) {
		c->st.dropped[dir]++;
		return;
	}
	if (n > 0)
		memcpy(d->held[d->nheld].p, payload.p, n);
	d->held[d->nheld].id = id;
	d->held[d->nheld].len = n;
	d->nheld++;
}

/* Parse the whole TLS records buffered in direction dir. */
static void
dir_feed_tls(struct sd_ovpn_conn *c, int dir, const struct sd_tls_pkt *pkt)
{
	struct sd_ovpn_dir *d = &c->dir[dir];
	size_t consumed, k;
	uint64_t skip;
	enum sd_rc rc;

	while (!d->dead && d->len > 0) {
		consumed = 0;
		skip = 0;
		rc = sd_tls_feed(c->tls, dir, sd_rd_make(d->buf, d->len), pkt, &consumed, &skip);
		dir_consume(d, consumed);
		if (skip > 0) {
			k = skip < d->len ? (size_t)skip : d->len;
			dir_consume(d, k);
			d->skip += skip - k;
		}
		if (rc == SD_MALFORMED) {
			d->dead = true;		/* not TLS: stop buffering this direction */
			d->len = 0;
			return;
		}
		if (rc == SD_NEED_MORE || (consumed == 0 && skip == 0))
			return;
	}
}

/* A new key id or a new client session: the TLS connection so far ends, another starts. */
static void
new_session(struct sd_ovpn_conn *c, const struct sd_tls_pkt *pkt)
{
	if (c->tls != NULL) {
		sd_tls_conn_end(c->tls, pkt);
		sd_tls_conn_free(c->tls);
		c->tls = NULL;
	}
	sd_ovpn_dir_free(&c->dir[0], c->mc);
	sd_ovpn_dir_free(&c->dir[1], c->mc);
}

/* Key id and session bookkeeping; false when the packet belongs to a finished key. */
static bool
track_key(struct sd_ovpn_conn *c, int dir, const struct sd_ovpn_pkt *p,
    const struct sd_tls_pkt *pkt)
{
	bool hard = p->opcode == SD_OVPN_HARD_RESET_CLIENT_V1 ||
	    p->opcode == SD_OVPN_HARD_RESET_CLIENT_V2;

	if (hard && dir == 0 && c->client_sid_known && p->session_id != c->client_sid) {
		/* the client started over (a restart on the same addresses and ports) */
		new_session(c, pkt);
		c->has_prev = false;
		c->key_id = p->key_id;
	}
	if (dir == 0) {
		c->client_sid_known = true;
		c->client_sid = p->session_id;
	}
	if (!c->key_known) {
		c->key_known = true;
		c->key_id = p->key_id;
		return true;
	}
	if (p->key_id == c->key_id)
		return true;
	if (c->has_prev && p->key_id == c->prev_key)
		return false;	/* a late packet of the previous key */
	new_session(c, pkt);
	c->prev_key = c->key_id;
	c->has_prev = true;
	c->key_id = p->key_id;
	return true;
}

enum sd_rc
sd_ovpn_conn_packet(struct sd_ovpn_conn *c, int dir, struct sd_rd in,
    const struct sd_tls_pkt *pkt, int64_t now)
{
	struct sd_ovpn_pkt p;
	struct sd_rd tls_bytes;
	enum sd_rc rc;
	uint8_t b;

	if (!sd_rd_peek_u8(&in, 0, &b))
		return SD_MALFORMED;
	if (!sd_ovpn_is_control((uint8_t)(b >> 3))) {
		if (sd_ovpn_opcode_name((uint8_t)(b >> 3)) == NULL) {
			c->st.malformed[dir]++;
			return SD_MALFORMED;
		}
		c->st.data[dir]++;
		return SD_UNSUPPORTED;
	}
	c->st.control[dir]++;
	if (!c->st.wrap_known) {
		if (sd_ovpn_detect(in, now, &c->st.wrap) != SD_OK) {
			c->st.malformed[dir]++;
			return SD_MALFORMED;
		}
		c->st.wrap_known = true;
	}
	rc = sd_ovpn_parse(in, &c->st.wrap, &p);
	if (rc != SD_OK) {
		if (rc == SD_MALFORMED)
			c->st.malformed[dir]++;
		return rc;	/* tls-crypt: nothing more to read */
	}
	if (!p.has_msg_id || !track_key(c, dir, &p, pkt))
		return SD_OK;
	tls_bytes = p.opcode == SD_OVPN_CONTROL_V1 ? p.payload : sd_rd_make(NULL, 0);
	dir_add(c, dir, p.msg_id, tls_bytes);
	if (c->dir[dir].len == 0)
		return SD_OK;
	if (c->tls == NULL) {
		c->tls = sd_tls_conn_new(c->mc, false, c->emit, c->ctx);
		if (c->tls == NULL) {
			c->st.dropped[dir]++;
			c->dir[dir].len = 0;
			return SD_ENOMEM;
		}
		c->st.tls_sessions++;
	}
	dir_feed_tls(c, dir, pkt);
	return SD_OK;
}

void
sd_ovpn_conn_end(struct sd_ovpn_conn *c, const struct sd_tls_pkt *pkt)
{
	if (c != NULL && c->tls != NULL)
		sd_tls_conn_end(c->tls, pkt);
}

void
sd_ovpn_conn_free(struct sd_ovpn_conn *c)
{
	if (c == NULL)
		return;
	sd_tls_conn_free(c->tls);
	sd_ovpn_dir_free(&c->dir[0], c->mc);
	sd_ovpn_dir_free(&c->dir[1], c->mc);
	sd_memcap_free(c->mc, c, sizeof(*c));
}

const struct sd_ovpn_stats *
sd_ovpn_conn_stats(const struct sd_ovpn_conn *c)
{
	return &c->st;
}
