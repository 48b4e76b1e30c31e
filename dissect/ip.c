/* dissect/ip.c - IPv4 (RFC 791) and IPv6 with extension headers (RFC 8200, 2675). */
#include "dissect/ip.h"

#include <arpa/inet.h>
#include <string.h>

#define IP6_HBH		0
#define IP6_ROUTING	43
#define IP6_FRAGMENT	44
#define IP6_DSTOPTS	60
#define IP6_MOBILITY	135
#define IP6_HIP		139
#define IP6_SHIM6	140
#define IP6_EXP1	253
#define IP6_EXP2	254

#define IP6_MAX_EXT	8	/* longer chains are flagged, not walked */
#define IP6_OPT_PAD1	0
#define IP6_OPT_JUMBO	0xc2

/* One's-complement sum over the header; a correct header sums to 0xffff. */
static bool
ipv4_csum_ok(struct sd_rd hdr)
{
	uint32_t sum = 0;
	uint16_t w;

	while (sd_rd_be16(&hdr, &w))
		sum += w;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Options TLVs (RFC 791 §3.1): EOL ends, NOP is one byte, others carry a length >= 2. */
static bool
ipv4_opts_ok(struct sd_rd opts)
{
	uint8_t type, len;

	while (sd_rd_u8(&opts, &type)) {
		if (type == 0)
			return true;
		if (type == 1)
			continue;
		if (!sd_rd_u8(&opts, &len) || len < 2 || !sd_rd_skip(&opts, len - 2u))
			return false;
	}
	return true;
}

static enum sd_rc
parse_v4(struct sd_rd net, struct sd_ip *out)
{
	struct sd_rd r = net, hdr;
	uint8_t vihl, ttl, proto, tos;
	uint16_t tot, id, off, csum;
	size_t ihl, avail = sd_rd_left(&net);

	if (!sd_rd_u8(&r, &vihl) || !sd_rd_u8(&r, &tos) || !sd_rd_be16(&r, &tot) ||
	    !sd_rd_be16(&r, &id) || !sd_rd_be16(&r, &off) || !sd_rd_u8(&r, &ttl) ||
	    !sd_rd_u8(&r, &proto) || !sd_rd_be16(&r, &csum) ||
	    !sd_rd_copy(&r, out->src.a, 4) || !sd_rd_copy(&r, out->dst.a, 4))
		return SD_TRUNCATED;
	(void)csum;
	out->version = 4;
	out->src.v = out->dst.v = 4;
	out->tos = tos;
	out->id = id;
	out->frag_ident = id;
	out->ttl = ttl;
	out->proto = proto;
	out->more_frags = (off & 0x2000) != 0;
	out->frag_offset = (uint32_t)(off & 0x1fff) * 8u;
	out->fragment = out->more_frags || out->frag_offset != 0;
	ihl = (size_t)(vihl & 0x0f) * 4u;
	out->hdr_len = (uint16_t)ihl;
	if (ihl < 20)
		return SD_MALFORMED;
	if (ihl > avail)
		return SD_TRUNCATED;
	r = net;
	(void)sd_rd_sub(&r, ihl, &hdr);
	if (!ipv4_csum_ok(hdr))
		out->flags |= SD_IP_F_BAD_CSUM;
	(void)sd_rd_skip(&hdr, 20);
	if (!ipv4_opts_ok(hdr))
		out->flags |= SD_IP_F_BAD_HDR;
	if (tot == 0) {
		/*
		 * TSO/GSO: the NIC fills in the length later, so a capture taken on the
		 * sending host shows 0 (tcpdump print-ip.c).  Take the length from the frame.
		 */
		out->flags |= SD_IP_F_TSO_ZERO_LEN;
		out->total_len = (uint32_t)avail;
	} else {
		if (tot < ihl)
			return SD_MALFORMED;
		out->total_len = tot;
		if (tot > avail)
			out->flags |= SD_IP_F_CAPLEN_CUT;
		else
			sd_rd_trim(&r, tot - ihl);	/* drop Ethernet padding */
	}
	out->payload = r;
	return SD_OK;
}

static bool
is_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case IP6_HBH:
	case IP6_ROUTING:
	case IP6_FRAGMENT:
	case IP6_DSTOPTS:
	case SD_IPPROTO_AH:
	case IP6_MOBILITY:
	case IP6_HIP:
	case IP6_SHIM6:
	case IP6_EXP1:
	case IP6_EXP2:
		return true;
	default:
		return false;
	}
}

/* Hop-by-hop options: find a Jumbo Payload option (RFC 2675); 0 if none or bad. */
static uint32_t
find_jumbo(struct sd_rd opts)
{
	uint8_t type;
	uint32_t jlen;
	struct sd_rd val;

	while (sd_rd_u8(&opts, &type)) {
		if (type == IP6_OPT_PAD1)
			continue;
		if (!sd_rd_vec8(&opts, &val))
			return 0;
		if (type == IP6_OPT_JUMBO && sd_rd_be32(&val, &jlen))
			return jlen;
	}
	return 0;
}

/*
 * Walk the extension headers in `*r` (positioned after the fixed header) and leave
 * it at the upper-layer header.  `cut`: the capture ended before the payload length
 * (or there is none: `zero_plen`, when a hop-by-hop jumbo option may give it).
 */
static enum sd_rc
walk_ext(struct sd_rd *r, uint8_t nh, bool cut, bool zero_plen, struct sd_ip *out)
{
	struct sd_rd ext;
	uint8_t next, hlen;
	uint16_t offlg;
	size_t size, hdr_len = 40;
	int n = 0;

	while (is_ext_hdr(nh)) {
		if (++n > IP6_MAX_EXT) {
			out->flags |= SD_IP_F_BAD_HDR;
			nh = SD_IPPROTO_NONE;
			break;
		}
		if (!sd_rd_peek_u8(r, 0, &next) || !sd_rd_peek_u8(r, 1, &hlen))
			goto short_hdr;
		if (nh == IP6_FRAGMENT)
			size = 8;
		else if (nh == SD_IPPROTO_AH)
			size = ((size_t)hlen + 2u) * 4u;	/* RFC 4302: 4-byte units, +2 */
		else
			size = ((size_t)hlen + 1u) * 8u;
		if (!sd_rd_sub(r, size, &ext))
			goto short_hdr;
		hdr_len += size;
		out->hdr_len = (uint16_t)hdr_len;
		(void)sd_rd_skip(&ext, 2);
		if (nh == IP6_HBH) {
			if (n != 1)			/* only right after the fixed header */
				out->flags |= SD_IP_F_BAD_HDR;
			else if (zero_plen) {
				uint32_t j = find_jumbo(ext);

				if (j > UINT32_MAX - 40u)
					out->flags |= SD_IP_F_BAD_HDR;
				else if (j != 0) {
					out->flags |= SD_IP_F_JUMBO;
					out->total_len = 40u + j;
				}
			}
		} else if (nh == IP6_ROUTING) {
			out->flags |= SD_IP_F_ROUTING;
		} else if (nh == IP6_FRAGMENT) {
			(void)sd_rd_be16(&ext, &offlg);
			(void)sd_rd_be32(&ext, &out->frag_ident);
			out->fragment = true;
			out->frag_offset = (uint32_t)(offlg & 0xfff8);
			out->more_frags = (offlg & 1) != 0;
			if (out->frag_offset != 0 || out->more_frags) {
				/*
				 * The rest is the fragmentable part: every fragment's offset
				 * counts from here, so reassembly must start here too.
				 */
				nh = next;
				break;
			}
		}
		nh = next;
	}
	out->proto = nh;
	return SD_OK;

short_hdr:
	out->proto = SD_IPPROTO_NONE;
	if (cut) {
		out->flags |= SD_IP_F_CAPLEN_CUT;
		return SD_TRUNCATED;
	}
	out->flags |= SD_IP_F_BAD_HDR;		/* runs past the payload length */
	r->len = 0;
	return SD_OK;
}

static enum sd_rc
parse_v6(struct sd_rd net, struct sd_ip *out)
{
	struct sd_rd r = net;
	uint32_t vtf;
	uint16_t plen;
	uint8_t nh, hlim;
	size_t avail;
	bool cut = false;
	enum sd_rc rc;

	if (!sd_rd_be32(&r, &vtf) || !sd_rd_be16(&r, &plen) || !sd_rd_u8(&r, &nh) ||
	    !sd_rd_u8(&r, &hlim) || !sd_rd_copy(&r, out->src.a, 16) ||
	    !sd_rd_copy(&r, out->dst.a, 16))
		return SD_TRUNCATED;
	out->version = 6;
	out->src.v = out->dst.v = 6;
	out->tos = (uint8_t)(vtf >> 20);
	out->ttl = hlim;
	out->hdr_len = 40;
	out->proto = nh;
	avail = sd_rd_left(&r);
	if (plen == 0) {
		/* Jumbogram (found in the hop-by-hop walk) or GSO/BIG TCP, which
		 * leaves 0 and no jumbo option: either way the frame gives the length. */
		cut = true;
		out->total_len = 40;
	} else {
		out->total_len = 40u + plen;
		if (plen > avail) {
			cut = true;
			out->flags |= SD_IP_F_CAPLEN_CUT;
		} else {
			sd_rd_trim(&r, plen);
		}
	}
	rc = walk_ext(&r, nh, cut, plen == 0, out);
	if (rc == SD_OK && plen == 0) {
		if (out->flags & SD_IP_F_JUMBO) {
			if (out->total_len < out->hdr_len)
				out->flags |= SD_IP_F_BAD_HDR;
			else if (out->total_len > sd_rd_left(&net))
				out->flags |= SD_IP_F_CAPLEN_CUT;
			else
				sd_rd_trim(&r, out->total_len - out->hdr_len);
		} else {
			out->flags |= SD_IP_F_TSO_ZERO_LEN;
			out->total_len = (uint32_t)sd_rd_left(&net);
		}
	}
	out->payload = r;
	return rc;
}

enum sd_rc
sd_ip_parse(struct sd_rd net, struct sd_ip *out)
{
	uint8_t b;

	memset(out, 0, sizeof(*out));
	out->proto = SD_IPPROTO_NONE;
	if (!sd_rd_peek_u8(&net, 0, &b))
		return SD_TRUNCATED;
	switch (b >> 4) {
	case 4:
		return parse_v4(net, out);
	case 6:
		return parse_v6(net, out);
	default:
		return SD_MALFORMED;
	}
}

const char *
sd_ip_addr_str(const struct sd_addr *a, char *buf)
{
	/* inet_ntop's IPv6 form is RFC 5952's in glibc and the BSDs: lower case,
	 * longest zero run compressed, a single 0 field left as is. */
	if (a->v == 4 && inet_ntop(AF_INET, a->a, buf, SD_ADDR_STRLEN) != NULL)
		return buf;
	if (a->v == 6 && inet_ntop(AF_INET6, a->a, buf, SD_ADDR_STRLEN) != NULL)
		return buf;
	memcpy(buf, "?", 2);
	return buf;
}

int
sd_ip_addr_cmp(const struct sd_addr *x, const struct sd_addr *y)
{
	int c;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	c = memcmp(x->a, y->a, x->v == 4 ? 4u : 16u);
	return c < 0 ? -1 : c > 0;
}

enum sd_rc
sd_ip6_skip_ext(struct sd_rd *payload, uint8_t *proto)
{
	uint8_t next, hlen;
	size_t size;
	int n = 0;

	while (*proto != IP6_FRAGMENT && is_ext_hdr(*proto)) {
		if (++n > IP6_MAX_EXT)
			return SD_MALFORMED;
		if (!sd_rd_peek_u8(payload, 0, &next) || !sd_rd_peek_u8(payload, 1, &hlen))
			return SD_MALFORMED;
		if (*proto == SD_IPPROTO_AH)
			size = ((size_t)hlen + 2u) * 4u;
		else
			size = ((size_t)hlen + 1u) * 8u;
		if (!sd_rd_skip(payload, size))
			return SD_MALFORMED;
		*proto = next;
	}
	return SD_OK;
}

const char *
sd_ip_proto_name(uint8_t proto)
{
	switch (proto) {
	case SD_IPPROTO_TCP:
		return "tcp";
	case SD_IPPROTO_UDP:
		return "udp";
	case SD_IPPROTO_ESP:
		return "esp";
	case SD_IPPROTO_ICMP:
		return "icmp";
	case SD_IPPROTO_ICMPV6:
		return "icmpv6";
	default:
		return "ip";
	}
}
