/* dissect/ike.c - IKE header, NAT-T classification, payload walk (RFC 2408, 7296, 3948). */
#include "dissect/ike.h"

#include "dissect/hash.h"

#include <string.h>

/* Exchange types a strict (port-independent) check accepts. */
static bool
exchange_known(uint8_t major, uint8_t x)
{
	if (major == 1)
		return (x >= SD_IKE_X_V1_BASE && x <= SD_IKE_X_V1_TRANSACTION) ||
		    x == SD_IKE_X_V1_QUICK || x == SD_IKE_X_V1_NEW_GROUP;
	/* 34..38 RFC 7296/5723, 39..41 G-IKEv2, 43 IKE_INTERMEDIATE, 44 IKE_FOLLOWUP_KE */
	return x >= SD_IKE_X_SA_INIT && x <= 44;
}

static bool
payload_known(uint8_t major, uint8_t t)
{
	if (major == 1)
		return (t >= SD_IKE_P_V1_SA && t <= 22) ||
		    (t >= SD_IKE_P_V1_NATD_DRAFT && t <= SD_IKE_P_V1_FRAG);
	return t >= SD_IKE_P_SA && t <= SD_IKE_P_SKF;
}

/*
 * A plausible IKE header at the start of r.  Loose: major version 1 or 2 and a length
 * field of at least a header (port 500/4500 carry nothing else).  Strict (other ports):
 * exact version byte, known exchange and first payload (or none for an empty IKEv2
 * INFORMATIONAL), and a length field equal to the datagram length.
 */
static bool
header_plausible(struct sd_rd r, bool strict)
{
	uint8_t np, ver, x;
	uint32_t len;

	if (sd_rd_left(&r) < SD_IKE_HDR_LEN)
		return false;
	if (!sd_rd_peek_u8(&r, 16, &np) || !sd_rd_peek_u8(&r, 17, &ver) ||
	    !sd_rd_peek_u8(&r, 18, &x) || !sd_rd_peek_be32(&r, 24, &len))
		return false;
	if ((ver >> 4) != 1 && (ver >> 4) != 2)
		return false;
	if (len < SD_IKE_HDR_LEN)
		return false;
	if (!strict)
		return true;
	if (ver != 0x10 && ver != 0x20)
		return false;
	if (!exchange_known((uint8_t)(ver >> 4), x))
		return false;
	if (np != SD_IKE_P_NONE && !payload_known((uint8_t)(ver >> 4), np))
		return false;
	return len == sd_rd_left(&r);
}

enum sd_ike_udp
sd_ike_classify(struct sd_rd r, uint16_t sport, uint16_t dport)
{
	uint32_t marker;
	uint8_t b;

	if (sport == SD_IKE_NATT_PORT || dport == SD_IKE_NATT_PORT) {
		if (sd_rd_left(&r) == 1 && sd_rd_peek_u8(&r, 0, &b) && b == 0xff)
			return SD_IKE_UDP_KEEPALIVE;
		if (!sd_rd_peek_be32(&r, 0, &marker))
			return SD_IKE_UDP_OTHER;
		if (marker == 0) {
			if (!sd_rd_skip(&r, 4))
				return SD_IKE_UDP_OTHER;
			return header_plausible(r, false) ? SD_IKE_UDP_IKE_NATT :
			    SD_IKE_UDP_OTHER;
		}
		/* a non-zero SPI (RFC 3948 §2.1); sd_esp_parse() says if the rest was cut */
		return SD_IKE_UDP_ESP;
	}
	if (sport == SD_IKE_PORT || dport == SD_IKE_PORT)
		return header_plausible(r, false) ? SD_IKE_UDP_IKE : SD_IKE_UDP_OTHER;
	return header_plausible(r, true) ? SD_IKE_UDP_IKE : SD_IKE_UDP_OTHER;
}

enum sd_rc
sd_ike_probe(struct sd_rd r, uint16_t sport, uint16_t dport)
{
	enum sd_ike_udp k = sd_ike_classify(r, sport, dport);

	return k == SD_IKE_UDP_IKE || k == SD_IKE_UDP_IKE_NATT ? SD_OK : SD_UNSUPPORTED;
}

enum sd_rc
sd_ike_parse_udp(struct sd_rd r, uint16_t sport, uint16_t dport, struct sd_ike_msg *out)
{
	switch (sd_ike_classify(r, sport, dport)) {
	case SD_IKE_UDP_IKE:
		return sd_ike_parse(r, false, out);
	case SD_IKE_UDP_IKE_NATT:
		(void)sd_rd_skip(&r, 4);
		return sd_ike_parse(r, true, out);
	default:
		memset(out, 0, sizeof(*out));
		return SD_UNSUPPORTED;
	}
}

static void
add_payload(struct sd_ike_msg *m, uint8_t type)
{
	m->npayloads_total++;
	if (m->npayloads < SD_IKE_MAX_PAYLOADS)
		m->payloads[m->npayloads++] = type;
	else
		m->flags |= SD_IKE_F_TOO_MANY;
}

/* Notification: IKEv1 RFC 2408 §3.14 (with DOI), IKEv2 RFC 7296 §3.10. */
static enum sd_rc
parse_notify(struct sd_rd b, bool v1, struct sd_ike_msg *m)
{
	struct sd_ike_notify n;

	memset(&n, 0, sizeof(n));
	if ((v1 && !sd_rd_be32(&b, &n.doi)) || !sd_rd_u8(&b, &n.protocol) ||
	    !sd_rd_u8(&b, &n.spi_size) || !sd_rd_be16(&b, &n.type) ||
	    !sd_rd_sub(&b, n.spi_size, &n.spi))
		return SD_MALFORMED;
	n.data = b;
	if (m->nnotify < SD_IKE_MAX_NOTIFY)
		m->notify[m->nnotify++] = n;
	else
		m->flags |= SD_IKE_F_TOO_MANY;
	return SD_OK;
}

/* Delete: IKEv1 RFC 2408 §3.15, IKEv2 RFC 7296 §3.11. */
static enum sd_rc
parse_delete(struct sd_rd b, bool v1, struct sd_ike_msg *m)
{
	struct sd_ike_delete d;
	uint32_t doi;

	memset(&d, 0, sizeof(d));
	if ((v1 && !sd_rd_be32(&b, &doi)) || !sd_rd_u8(&b, &d.protocol) ||
	    !sd_rd_u8(&b, &d.spi_size) || !sd_rd_be16(&b, &d.nspi) ||
	    !sd_rd_sub(&b, (size_t)d.spi_size * d.nspi, &d.spis))
		return SD_MALFORMED;
	if (m->ndeletes < SD_IKE_MAX_DELETES)
		m->deletes[m->ndeletes++] = d;
	return sd_rd_left(&b) == 0 ? SD_OK : SD_MALFORMED;
}

/* Identification: IKEv1 RFC 2407 §4.6.2, IKEv2 RFC 7296 §3.5. */
static enum sd_rc
parse_id(struct sd_rd b, uint8_t ptype, struct sd_ike_msg *m)
{
	struct sd_ike_id id;

	memset(&id, 0, sizeof(id));
	id.payload = ptype;
	if (!sd_rd_u8(&b, &id.type))
		return SD_MALFORMED;
	if (ptype == SD_IKE_P_V1_ID) {
		if (!sd_rd_u8(&b, &id.ip_proto) || !sd_rd_be16(&b, &id.port))
			return SD_MALFORMED;
	} else if (!sd_rd_skip(&b, 3)) {
		return SD_MALFORMED;
	}
	id.data = b;
	if (m->nids < SD_IKE_MAX_IDS)
		m->ids[m->nids++] = id;
	return SD_OK;
}

/* Encrypted (RFC 7296 §3.14) and Encrypted Fragment (RFC 7383 §2.5) payloads. */
static enum sd_rc
parse_sk(struct sd_rd b, uint8_t ptype, uint8_t inner, struct sd_ike_msg *m)
{
	m->sk_inner = inner;
	if (ptype == SD_IKE_P_SKF) {
		m->has_fragment = true;
		if (!sd_rd_be16(&b, &m->frag_number) || !sd_rd_be16(&b, &m->frag_total))
			return SD_MALFORMED;
		if (m->frag_number == 0 || m->frag_total == 0 ||
		    m->frag_number > m->frag_total ||
		    (m->frag_number != 1 && inner != SD_IKE_P_NONE))
			m->flags |= SD_IKE_F_BAD_FRAGMENT;
	}
	m->sk_len = sd_rd_left(&b);
	return SD_OK;
}

/* IKEv1 fragment payload (132), as Cisco and strongSwan send it: id, number, flags. */
static enum sd_rc
parse_v1_frag(struct sd_rd b, struct sd_ike_msg *m)
{
	uint8_t fl;

	m->has_v1_frag = true;
	if (!sd_rd_be16(&b, &m->v1_frag_id) || !sd_rd_u8(&b, &m->v1_frag_number) ||
	    !sd_rd_u8(&b, &fl))
		return SD_MALFORMED;
	m->v1_frag_last = (fl & 0x01) != 0;
	return SD_OK;
}

static enum sd_rc
parse_body(struct sd_rd b, uint8_t type, uint8_t next, struct sd_ike_msg *m)
{
	uint8_t u8;
	uint16_t res;

	switch (type) {
	case SD_IKE_P_V1_SA:
		return sd_ike_v1_parse_sa(b, m);
	case SD_IKE_P_SA:
		return sd_ike_v2_parse_sa(b, m);
	case SD_IKE_P_V1_NOTIFY:
	case SD_IKE_P_NOTIFY:
		return parse_notify(b, type == SD_IKE_P_V1_NOTIFY, m);
	case SD_IKE_P_V1_DELETE:
	case SD_IKE_P_DELETE:
		return parse_delete(b, type == SD_IKE_P_V1_DELETE, m);
	case SD_IKE_P_V1_VID:
	case SD_IKE_P_VID:
		if (m->nvid < SD_IKE_MAX_VID)
			m->vid[m->nvid++] = b;
		else
			m->flags |= SD_IKE_F_TOO_MANY;
		return SD_OK;
	case SD_IKE_P_V1_KE:
		m->has_ke = true;
		m->ke_len = sd_rd_left(&b);
		return SD_OK;
	case SD_IKE_P_KE:
		m->has_ke = true;
		if (!sd_rd_be16(&b, &m->ke_group) || !sd_rd_be16(&b, &res))
			return SD_MALFORMED;
		m->ke_len = sd_rd_left(&b);
		return SD_OK;
	case SD_IKE_P_V1_NONCE:
	case SD_IKE_P_NONCE:
		m->has_nonce = true;
		m->nonce_len = sd_rd_left(&b);
		return SD_OK;
	case SD_IKE_P_V1_ID:
	case SD_IKE_P_IDI:
	case SD_IKE_P_IDR:
		return parse_id(b, type, m);
	case SD_IKE_P_AUTH:
		return sd_rd_u8(&b, &m->auth_method) ? SD_OK : SD_MALFORMED;
	case SD_IKE_P_V1_CERT:
	case SD_IKE_P_CERT:
		if (m->ncerts++ == 0 && !sd_rd_u8(&b, &m->cert_encoding))
			return SD_MALFORMED;
		return SD_OK;
	case SD_IKE_P_V1_CERTREQ:
	case SD_IKE_P_CERTREQ:
		if (m->ncertreqs++ > 0)
			return sd_rd_u8(&b, &u8) ? SD_OK : SD_MALFORMED;
		if (!sd_rd_u8(&b, &m->certreq_encoding))
			return SD_MALFORMED;
		m->certreq = b;
		return SD_OK;
	case SD_IKE_P_SK:
	case SD_IKE_P_SKF:
		return parse_sk(b, type, next, m);
	case SD_IKE_P_V1_FRAG:
		return parse_v1_frag(b, m);
	case SD_IKE_P_V1_NATD:
	case SD_IKE_P_V1_NATD_DRAFT:
		if (m->version != 1)
			return SD_OK;
		if (m->nv1_natd < SD_IKE_MAX_NATD)
			m->v1_natd[m->nv1_natd++] = b;
		else
			m->flags |= SD_IKE_F_TOO_MANY;
		return SD_OK;
	default:
		return SD_OK;
	}
}

/*
 * Walk the generic payload headers (RFC 7296 §3.2; RFC 2408 §3.2 has the same layout).
 * Every pass consumes its 4-byte header and its body, so the loop ends with the bytes
 * whatever the next-payload fields say (tcpdump keeps isakmp-pointer-loop.pcap for this).
 * truncated: the capture holds fewer bytes than the header length field said.
 */
static enum sd_rc
walk_payloads(struct sd_rd body, uint8_t type, bool truncated, struct sd_ike_msg *m)
{
	struct sd_rd pb, rest;
	uint8_t next, crit;
	uint16_t plen;
	bool partial;

	while (type != SD_IKE_P_NONE) {
		if (sd_rd_left(&body) < 4) {
			if (truncated)
				return SD_TRUNCATED;
			m->flags |= SD_IKE_F_BAD_PAYLOAD_LEN;
			return SD_MALFORMED;
		}
		(void)sd_rd_u8(&body, &next);
		(void)sd_rd_u8(&body, &crit);
		(void)sd_rd_be16(&body, &plen);
		add_payload(m, type);	/* its header was read: it was sent */
		if (plen < 4) {
			m->flags |= SD_IKE_F_BAD_PAYLOAD_LEN;
			return SD_MALFORMED;
		}
		if (!payload_known(m->version, type) && type < 128) {
			m->flags |= SD_IKE_F_UNKNOWN_PAYLOAD;
			if (m->version == 2 && (crit & 0x80))
				m->flags |= SD_IKE_F_CRITICAL_UNKNOWN;
		}
		partial = false;
		rest = body;
		if (!sd_rd_sub(&body, (size_t)plen - 4, &pb)) {
			if (!truncated) {
				m->flags |= SD_IKE_F_BAD_PAYLOAD_LEN;
				return SD_MALFORMED;
			}
			/* cut by the capture: decode what is there, then stop */
			pb = rest;
			partial = true;
		}
		/* a payload number of the other IKE version is listed, not decoded */
		if (payload_known(m->version, type) &&
		    parse_body(pb, type, next, m) != SD_OK && !partial)
			m->flags |= SD_IKE_F_BAD_PAYLOAD;
		if (partial)
			return SD_TRUNCATED;
		if (type == SD_IKE_P_SK || type == SD_IKE_P_SKF) {
			/* the encrypted payload is last: its next field names the inner one */
			if (sd_rd_left(&body) > 0) {
				m->flags |= SD_IKE_F_SK_NOT_LAST;
				return SD_MALFORMED;
			}
			return truncated ? SD_TRUNCATED : SD_OK;
		}
		type = next;
	}
	if (sd_rd_left(&body) > 0)
		m->flags |= SD_IKE_F_TRAILING;
	if (truncated)
		return SD_TRUNCATED;
	return (m->flags & SD_IKE_F_BAD_PAYLOAD) ? SD_MALFORMED : SD_OK;
}

enum sd_rc
sd_ike_parse(struct sd_rd in, bool natt, struct sd_ike_msg *m)
{
	uint8_t ver;
	struct sd_rd body;
	bool truncated = false;

	memset(m, 0, sizeof(*m));
	m->nat_t = natt;
	m->datagram_len = sd_rd_left(&in);
	if (!sd_rd_copy(&in, m->ispi, 8) || !sd_rd_copy(&in, m->rspi, 8) ||
	    !sd_rd_u8(&in, &m->first_payload) || !sd_rd_u8(&in, &ver) ||
	    !sd_rd_u8(&in, &m->exchange) || !sd_rd_u8(&in, &m->hdr_flags) ||
	    !sd_rd_be32(&in, &m->message_id) || !sd_rd_be32(&in, &m->length))
		return SD_TRUNCATED;
	m->header_ok = true;
	m->version = (uint8_t)(ver >> 4);
	m->minor = (uint8_t)(ver & 0x0f);
	if (m->version != 1 && m->version != 2) {
		m->flags |= SD_IKE_F_BAD_VERSION;
		return SD_UNSUPPORTED;
	}
	if (m->version == 2) {
		m->initiator = (m->hdr_flags & SD_IKE_HF_INITIATOR) != 0;
		m->response = (m->hdr_flags & SD_IKE_HF_RESPONSE) != 0;
		m->encrypted = m->first_payload == SD_IKE_P_SK ||
		    m->first_payload == SD_IKE_P_SKF;
	} else {
		m->encrypted = (m->hdr_flags & SD_IKE_HF_V1_ENC) != 0;
	}
	if (m->length < SD_IKE_HDR_LEN) {
		m->flags |= SD_IKE_F_LENGTH_SHORT;
		return SD_MALFORMED;
	}
	body = in;
	if (sd_rd_left(&in) < m->length - SD_IKE_HDR_LEN) {
		truncated = true;
		m->flags |= SD_IKE_F_TRUNCATED;
	} else if (sd_rd_left(&in) > m->length - SD_IKE_HDR_LEN) {
		m->flags |= SD_IKE_F_TRAILING;
		sd_rd_trim(&body, m->length - SD_IKE_HDR_LEN);
	}
	/* IKEv1 with the E flag: everything after the header is ciphertext. */
	if (m->version == 1 && m->encrypted)
		return truncated ? SD_TRUNCATED : SD_OK;
	return walk_payloads(body, m->first_payload, truncated, m);
}

void
sd_ike_state_init(struct sd_ike_state *s, struct sd_memcap *mc)
{
	memset(s, 0, sizeof(*s));
	s->mc = mc;
	s->p1_initiator_dir = -1;
}

void
sd_ike_state_free(struct sd_ike_state *s)
{
	sd_memcap_free(s->mc, s->slot, s->nslot * sizeof(*s->slot));
	sd_memcap_free(s->mc, s->seen, s->nseen * sizeof(*s->seen));
	sd_ike_state_init(s, s->mc);
}

/*
 * Grow a table of *n entries of size sz (first to `first`, then twice, at most max): the
 * new entries are zero (unused) and *n is the new size.  NULL (tab kept) when it is at
 * max or the cap refused.
 */
static void *
grow(struct sd_ike_state *s, void *tab, uint8_t *n, size_t sz, uint8_t first, uint8_t max)
{
	uint8_t m = *n == 0 ? first : (uint8_t)(*n * 2 > max ? max : *n * 2);
	void *p;

	if (*n >= max)
		return NULL;
	if ((p = sd_memcap_calloc(s->mc, (size_t)m * sz)) == NULL) {
		s->refused++;
		return NULL;
	}
	if (*n > 0)
		memcpy(p, tab, (size_t)*n * sz);
	sd_memcap_free(s->mc, tab, (size_t)*n * sz);
	*n = m;
	return p;
}

static bool
spi_zero(const uint8_t spi[8])
{
	static const uint8_t zero[8];

	return memcmp(spi, zero, 8) == 0;
}

static uint64_t
load64(const uint8_t b[8])
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* Count earlier copies of this message in the flow (same bytes that matter, same side). */
static void
count_copies(struct sd_ike_state *s, struct sd_ike_msg *m, uint8_t d)
{
	uint64_t k = SD_HASH_INIT;
	void *p;
	size_t i;

	k = sd_hash_u64(k, load64(m->ispi));
	k = sd_hash_u64(k, load64(m->rspi));
	k = sd_hash_u64(k, (uint64_t)m->message_id << 32 | m->length);
	k = sd_hash_u64(k, (uint64_t)d << 24 | (uint64_t)m->exchange << 16 |
	    (uint64_t)m->hdr_flags << 8 | m->first_payload);
	k |= 1;				/* 0 marks a free entry */
	for (i = 0; i < s->nseen; i++) {
		if (s->seen[i].key == k) {
			m->retransmits = s->seen[i].copies++;
			if (s->seen[i].copies == 0)
				s->seen[i].copies = UINT32_MAX;	/* saturate */
			return;
		}
	}
	m->retransmits = 0;
	/* the ring fills in order; at its end it grows, or at its bound starts again */
	if (s->seen_next == s->nseen) {
		if ((p = grow(s, s->seen, &s->nseen, sizeof(*s->seen), 4, SD_IKE_STATE_SEEN)) != NULL)
			s->seen = p;
		else
			s->seen_next = 0;
	}
	if (s->nseen == 0)
		return;
	s->seen[s->seen_next].key = k;
	s->seen[s->seen_next].copies = 1;
	s->seen_next++;
}

void
sd_ike_state_update(struct sd_ike_state *s, struct sd_ike_msg *m, int dir)
{
	size_t i, n, victim = 0;
	uint8_t d = dir != 0 ? 1 : 0;
	void *p;
	bool p1, first;

	if (!m->header_ok)
		return;
	count_copies(s, m, d);
	if (m->version != 1)
		return;
	s->clock++;
	/*
	 * IKEv1 has no initiator flag.  Each exchange (SPIs, message id, exchange type) has
	 * as initiator the side that sent its first message; a phase 1 exchange (types 1-4)
	 * starts with the responder cookie still zero (RFC 2408 §3.1), which also names the
	 * phase 1 initiator when the start of an exchange was not captured.
	 */
	p1 = m->exchange >= SD_IKE_X_V1_BASE && m->exchange <= SD_IKE_X_V1_AGGRESSIVE;
	first = p1 && m->message_id == 0 && spi_zero(m->rspi);
	if (first) {
		s->p1_known = true;
		s->p1_initiator_dir = (int8_t)d;
	}
	for (i = 0; i < s->nslot; i++) {
		if (s->slot[i].used && s->slot[i].message_id == m->message_id &&
		    s->slot[i].exchange == m->exchange &&
		    memcmp(s->slot[i].ispi, m->ispi, 8) == 0) {
			s->slot[i].seen = s->clock;
			if (first)
				s->slot[i].dir = d;
			m->initiator = s->slot[i].dir == d;
			return;
		}
		/* replace a free slot, else the least recently seen one */
		if (s->slot[victim].used &&
		    (!s->slot[i].used || s->slot[i].seen < s->slot[victim].seen))
			victim = i;
	}
	if (first)
		m->initiator = true;
	else if (p1 && s->p1_known)
		m->initiator = s->p1_initiator_dir == d;	/* phase 1 start not in the table */
	else
		m->initiator = true;			/* first message seen of this exchange */
	/* every slot in use: the table grows (its first new slot is free), else the oldest goes */
	n = s->nslot;
	if ((n == 0 || s->slot[victim].used) &&
	    (p = grow(s, s->slot, &s->nslot, sizeof(*s->slot), 2, SD_IKE_STATE_SLOTS)) != NULL) {
		s->slot = p;
		victim = n;
	}
	if (s->nslot == 0)
		return;
	memcpy(s->slot[victim].ispi, m->ispi, 8);
	s->slot[victim].message_id = m->message_id;
	s->slot[victim].exchange = m->exchange;
	s->slot[victim].dir = m->initiator ? d : (uint8_t)!d;
	s->slot[victim].used = true;
	s->slot[victim].seen = s->clock;
}

bool
sd_ike_attr_next(struct sd_rd *r, struct sd_ike_attr *a)
{
	uint16_t t, v;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (!sd_rd_be16(r, &t) || !sd_rd_be16(r, &v))
		return false;
	a->type = (uint16_t)(t & 0x7fff);
	if (t & 0x8000) {
		a->tv = true;
		a->value = v;
		return true;
	}
	if (!sd_rd_sub(r, v, &a->data))
		return false;
	if (v > 8) {
		a->value = UINT64_MAX;		/* too long for a number: see data */
		return true;
	}
	for (i = 0; i < v; i++)
		a->value = a->value << 8 | a->data.p[i];
	return true;
}

enum sd_rc
sd_ike_proposal_header(struct sd_rd *b, struct sd_ike_msg *m, struct sd_ike_proposal *p)
{
	struct sd_rd spi;

	memset(p, 0, sizeof(*p));
	if (!sd_rd_u8(b, &p->number) || !sd_rd_u8(b, &p->protocol) ||
	    !sd_rd_u8(b, &p->spi_size) || !sd_rd_u8(b, &p->ntransforms) ||
	    !sd_rd_sub(b, p->spi_size, &spi))
		return SD_MALFORMED;
	if (p->spi_size > 0)
		memcpy(p->spi, spi.p, p->spi_size < 8 ? p->spi_size : 8);
	if (m->nproposals < SD_IKE_MAX_PROPOSALS)
		m->proposals[m->nproposals++] = *p;
	else
		m->flags |= SD_IKE_F_TOO_MANY;
	return SD_OK;
}
