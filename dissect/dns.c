/* dissect/dns.c - DNS messages (RFC 1035 §4.1, name compression §4.1.4, AAAA RFC 3596). */
#include "dissect/dns.h"

#include <string.h>

/* Append one byte of a label to a presentation-form name: \DDD for what a terminal or a
 * JSON reader should not see raw, and for the separator characters themselves. */
static void
put_label_byte(char *out, size_t *o, uint8_t c, bool *cut)
{
	char esc[4];
	size_t i, n = 1;

	if (c >= 'A' && c <= 'Z')
		c = (uint8_t)(c - 'A' + 'a');
	if (c < 0x21 || c > 0x7e || c == '.' || c == '\\') {
		esc[0] = (char)('0' + c / 100);
		esc[1] = (char)('0' + c / 10 % 10);
		esc[2] = (char)('0' + c % 10);
		n = 4;
	}
	if (*o + n >= SD_DNS_NAME_MAX) {
		*cut = true;
		return;
	}
	if (n == 1) {
		out[(*o)++] = (char)c;
		return;
	}
	out[(*o)++] = '\\';
	for (i = 0; i < 3; i++)
		out[(*o)++] = esc[i];
}

/*
 * Read a (possibly compressed) name at *cur, consuming it from *cur, into out.  A
 * compression pointer must point strictly before the label that holds it, so every jump
 * goes backwards and the walk ends (no loops); whole is the message the offsets count in.
 * SD_TRUNCATED when the bytes run out before a jump (the message was cut), SD_MALFORMED
 * for a bad pointer or label type, or running out after a jump.
 */
static enum sd_rc
read_name(struct sd_rd whole, struct sd_rd *cur, char *out, uint32_t *flags)
{
	struct sd_rd r = *cur, label;
	size_t o = 0, here, i;
	bool jumped = false, cut = false;
	uint8_t len, lo;
	unsigned hops = 0;

	out[0] = '\0';
	for (;;) {
		/* offset of this label in the message (r always views bytes of whole) */
		here = (size_t)(r.p - whole.p);
		if (!sd_rd_u8(&r, &len))
			return jumped ? SD_MALFORMED : SD_TRUNCATED;
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			size_t off;

			if (!sd_rd_u8(&r, &lo))
				return jumped ? SD_MALFORMED : SD_TRUNCATED;
			off = (size_t)(len & 0x3f) << 8 | lo;
			if (off >= here || ++hops > 127)
				return SD_MALFORMED;
			if (!jumped) {
				*cur = r;
				jumped = true;
			}
			r = sd_rd_make(whole.p + off, whole.len - off);
			continue;
		}
		if ((len & 0xc0) != 0)
			return SD_MALFORMED;	/* 0x40/0x80 label types: obsolete or unassigned */
		if (!sd_rd_sub(&r, len, &label))
			return jumped ? SD_MALFORMED : SD_TRUNCATED;
		if (o > 0) {
			if (o + 1 >= SD_DNS_NAME_MAX)
				cut = true;
			else
				out[o++] = '.';
		}
		for (i = 0; i < len; i++)
			put_label_byte(out, &o, label.p[i], &cut);
	}
	if (o == 0)
		out[o++] = '.';		/* the root */
	out[o] = '\0';
	if (!jumped)
		*cur = r;
	if (cut)
		*flags |= SD_DNS_NAME_CUT;
	return SD_OK;
}

static enum sd_rc
parse_answer(struct sd_rd whole, struct sd_rd *r, struct sd_dns_msg *m)
{
	struct sd_dns_answer a;
	struct sd_rd rdata;
	uint16_t rdlen;
	enum sd_rc rc;

	memset(&a, 0, sizeof(a));
	if ((rc = read_name(whole, r, a.name, &m->flags)) != SD_OK)
		return rc;
	if (!sd_rd_be16(r, &a.type) || !sd_rd_be16(r, &a.rclass) || !sd_rd_be32(r, &a.ttl) ||
	    !sd_rd_be16(r, &rdlen) || !sd_rd_sub(r, rdlen, &rdata))
		return SD_TRUNCATED;
	m->an_total++;
	switch (a.type) {
	case SD_DNS_TYPE_A:
	case SD_DNS_TYPE_AAAA:
		if (sd_rd_left(&rdata) != (a.type == SD_DNS_TYPE_A ? 4u : 16u)) {
			m->flags |= SD_DNS_BAD_RDATA;
			return SD_OK;
		}
		a.addr.v = a.type == SD_DNS_TYPE_A ? 4 : 6;
		(void)sd_rd_copy(&rdata, a.addr.a, sd_rd_left(&rdata));
		break;
	case SD_DNS_TYPE_CNAME:
		/* the rdata is whole: running out inside it breaks its own length */
		if (read_name(whole, &rdata, a.target, &m->flags) != SD_OK ||
		    sd_rd_left(&rdata) != 0)
			return SD_MALFORMED;
		break;
	default:
		return SD_OK;
	}
	if (m->nan >= SD_DNS_MAX_ANSWERS) {
		m->flags |= SD_DNS_ANSWERS_CUT;
		return SD_OK;
	}
	m->an[m->nan++] = a;
	return SD_OK;
}

enum sd_rc
sd_dns_parse(struct sd_rd msg, struct sd_dns_msg *m)
{
	struct sd_rd r = msg;
	uint16_t fl, i;
	enum sd_rc rc;

	memset(m, 0, sizeof(*m));
	if (!sd_rd_be16(&r, &m->id) || !sd_rd_be16(&r, &fl) || !sd_rd_be16(&r, &m->qdcount) ||
	    !sd_rd_be16(&r, &m->ancount) || !sd_rd_be16(&r, &m->nscount) ||
	    !sd_rd_be16(&r, &m->arcount))
		return SD_MALFORMED;
	m->response = (fl & 0x8000) != 0;
	m->opcode = (uint8_t)(fl >> 11 & 0x0f);
	m->truncated = (fl & 0x0200) != 0;
	m->rcode = (uint8_t)(fl & 0x0f);
	for (i = 0; i < m->qdcount; i++) {
		char name[SD_DNS_NAME_MAX];
		uint16_t qt, qc;

		if (read_name(msg, &r, name, &m->flags) != SD_OK || !sd_rd_be16(&r, &qt) ||
		    !sd_rd_be16(&r, &qc))
			return SD_MALFORMED;
		if (i == 0) {
			memcpy(m->qname, name, sizeof(m->qname));
			m->qtype = qt;
			m->qclass = qc;
		}
	}
	for (i = 0; i < m->ancount; i++)
		if ((rc = parse_answer(msg, &r, m)) != SD_OK)
			return rc;
	return SD_OK;
}

/* ASCII case-insensitive equality, with or without a trailing dot on either side. */
static bool
name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return false;
	for (i = 0; i < la; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

size_t
sd_dns_addrs(const struct sd_dns_msg *m, const char *name, struct sd_addr *out, size_t max)
{
	const char *cur = name;
	size_t i, n = 0;
	unsigned hop;

	for (hop = 0; hop <= SD_DNS_MAX_CHAIN; hop++) {
		const char *next = NULL;

		for (i = 0; i < m->nan; i++) {
			const struct sd_dns_answer *a = &m->an[i];

			if (!name_eq(a->name, cur))
				continue;
			if (a->type == SD_DNS_TYPE_CNAME && next == NULL)
				next = a->target;
			else if (a->type != SD_DNS_TYPE_CNAME) {
				if (n < max)
					out[n] = a->addr;
				n++;
			}
		}
		if (n > 0 || next == NULL)
			break;
		cur = next;
	}
	return n < max ? n : max;
}
