/* dissect/l4.c - TCP (RFC 9293, 7323), UDP (RFC 768), ICMP/ICMPv6 (RFC 792, 4443) headers. */
#include "dissect/l4.h"

#include <string.h>

#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2
#define TCPOPT_WSCALE	3
#define TCPOPT_SACKOK	4

#define ICMP_ECHOREPLY	0
#define ICMP_UNREACH	3
#define ICMP_SRCQUENCH	4
#define ICMP_REDIRECT	5
#define ICMP_ECHO	8
#define ICMP_TIMXCEED	11
#define ICMP_PARAMPROB	12
#define ICMP_UNREACH_NEEDFRAG	4

#define ICMP6_UNREACH	1
#define ICMP6_TOOBIG	2
#define ICMP6_TIMXCEED	3
#define ICMP6_PARAMPROB	4
#define ICMP6_ECHO	128
#define ICMP6_ECHOREPLY	129

/*
 * TCP options: every pass consumes at least the kind byte, so the loop ends.  A bad
 * option (length < 2 or past the header) ends the walk; what was read stays.
 */
static void
parse_tcp_opts(struct sd_rd opts, struct sd_tcp *t)
{
	struct sd_rd val;
	uint8_t kind, len, ws;

	while (sd_rd_u8(&opts, &kind)) {
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP)
			continue;
		/* the length counts the kind and length bytes themselves */
		if (!sd_rd_u8(&opts, &len) || len < 2 || !sd_rd_sub(&opts, len - 2u, &val))
			return;
		switch (kind) {
		case TCPOPT_MSS:
			if (val.len == 2)
				(void)sd_rd_be16(&val, &t->mss);
			break;
		case TCPOPT_WSCALE:
			if (val.len == 1 && sd_rd_u8(&val, &ws))
				t->wscale = (int8_t)(ws > 14 ? 14 : ws);	/* RFC 7323 §2.3 */
			break;
		case TCPOPT_SACKOK:
			if (val.len == 0)
				t->sack_perm = true;
			break;
		default:
			break;
		}
	}
}

bool
sd_tcp_padded_ack(const struct sd_tcp *t, uint32_t ip_total_len)
{
	size_t i, n = sd_rd_left(&t->payload);

	if (n == 0 || n > 6 || ip_total_len > 46 ||
	    (t->flags & ~(SD_TCP_ECE | SD_TCP_CWR)) != SD_TCP_ACK)
		return false;
	for (i = 0; i < n; i++)
		if (t->payload.p[i] != 0)
			return false;
	return true;
}

enum sd_rc
sd_tcp_parse(struct sd_rd r, struct sd_tcp *t)
{
	struct sd_rd opts;
	uint16_t offfl;
	size_t hlen;

	memset(t, 0, sizeof(*t));
	t->wscale = -1;
	if (!sd_rd_be16(&r, &t->sport) || !sd_rd_be16(&r, &t->dport) ||
	    !sd_rd_be32(&r, &t->seq) || !sd_rd_be32(&r, &t->ack) ||
	    !sd_rd_be16(&r, &offfl) || !sd_rd_be16(&r, &t->window) ||
	    !sd_rd_skip(&r, 4))			/* checksum, urgent pointer */
		return SD_TRUNCATED;
	t->flags = (uint8_t)(offfl & 0xff);
	hlen = (size_t)(offfl >> 12) * 4u;
	t->hdr_len = (uint8_t)hlen;
	if (hlen < 20)
		return SD_MALFORMED;
	/* The offset points past the bytes we have: cut by the capture, or a lie
	 * when the IP length covered them (the caller knows which: SD_IP_F_CAPLEN_CUT). */
	if (!sd_rd_sub(&r, hlen - 20, &opts))
		return SD_TRUNCATED;
	parse_tcp_opts(opts, t);
	t->payload = r;
	return SD_OK;
}

enum sd_rc
sd_udp_parse(struct sd_rd r, struct sd_udp *u)
{
	memset(u, 0, sizeof(*u));
	if (!sd_rd_be16(&r, &u->sport) || !sd_rd_be16(&r, &u->dport) ||
	    !sd_rd_be16(&r, &u->len) || !sd_rd_skip(&r, 2))
		return SD_TRUNCATED;
	if (u->len != 0 && u->len < 8)
		return SD_MALFORMED;
	/* 0 is a jumbogram's (RFC 2675 §4); more than we have is a cut capture. */
	if (u->len != 0 && u->len - 8u <= sd_rd_left(&r))
		sd_rd_trim(&r, u->len - 8u);
	u->payload = r;
	return SD_OK;
}

static bool
is_error_type(uint8_t type, bool v6)
{
	if (v6)
		return type == ICMP6_UNREACH || type == ICMP6_TOOBIG ||
		    type == ICMP6_TIMXCEED || type == ICMP6_PARAMPROB;
	return type == ICMP_UNREACH || type == ICMP_SRCQUENCH || type == ICMP_REDIRECT ||
	    type == ICMP_TIMXCEED || type == ICMP_PARAMPROB;
}

/* The packet an ICMP error quotes: its IP header and the first bytes after it. */
static void
parse_quoted(struct sd_rd quoted, bool v6, struct sd_icmp *ic)
{
	struct sd_ip *in = &ic->inner;
	struct sd_rd p;
	enum sd_rc rc;

	rc = sd_ip_parse(quoted, in);
	/* A quoted v6 chain may be cut inside its extension headers: keep the addresses. */
	if (rc != SD_OK && !(rc == SD_TRUNCATED && in->version != 0))
		return;
	if (in->version != (v6 ? 6 : 4))
		return;
	ic->has_inner = true;
	if (rc != SD_OK || in->frag_offset != 0)
		return;
	p = in->payload;
	switch (in->proto) {
	case SD_IPPROTO_TCP:
	case SD_IPPROTO_UDP:
		if (sd_rd_be16(&p, &ic->inner_sport) && sd_rd_be16(&p, &ic->inner_dport))
			ic->inner_has_ports = true;
		else
			ic->inner_sport = ic->inner_dport = 0;
		break;
	case SD_IPPROTO_ESP:
		(void)sd_rd_be32(&p, &ic->inner_spi);
		break;
	default:
		break;
	}
}

enum sd_rc
sd_icmp_parse(struct sd_rd r, bool v6, struct sd_icmp *ic)
{
	uint32_t rest;

	memset(ic, 0, sizeof(*ic));
	if (!sd_rd_u8(&r, &ic->type) || !sd_rd_u8(&r, &ic->code) || !sd_rd_skip(&r, 2) ||
	    !sd_rd_be32(&r, &rest))
		return SD_TRUNCATED;
	ic->is_error = is_error_type(ic->type, v6);
	if (v6) {
		if (ic->type == ICMP6_TOOBIG)
			ic->mtu = rest;
		else if (ic->type == ICMP6_ECHO || ic->type == ICMP6_ECHOREPLY)
			ic->echo_id = (uint16_t)(rest >> 16);
	} else {
		if (ic->type == ICMP_UNREACH && ic->code == ICMP_UNREACH_NEEDFRAG)
			ic->mtu = rest & 0xffff;	/* RFC 1191 next-hop MTU */
		else if (ic->type == ICMP_ECHO || ic->type == ICMP_ECHOREPLY)
			ic->echo_id = (uint16_t)(rest >> 16);
	}
	if (ic->is_error)
		parse_quoted(r, v6, ic);
	return SD_OK;
}
