/* tests/fuzz/fuzz_net.c - link (VLAN, CMD/SGT, VN-Tag, PBB, MPLS shims) -> IP -> (one
 * GRE/VXLAN/IP-in-IP inner) -> TCP/UDP/ICMP.
 * The first input byte picks the link type; the rest is the frame. */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "dissect/ip.h"
#include "dissect/l4.h"
#include "dissect/link.h"
#include "dissect/tunnel.h"

#define VXLAN_PORT	4789

static const int linktypes[] = {
	SD_LINKTYPE_ETHERNET, SD_LINKTYPE_NULL, SD_LINKTYPE_RAW, SD_LINKTYPE_LOOP,
	SD_LINKTYPE_LINUX_SLL, SD_LINKTYPE_LINUX_SLL2, SD_LINKTYPE_IPV4, SD_LINKTYPE_IPV6,
	SD_DLT_RAW_12, SD_DLT_RAW_14,
};

static volatile uint8_t sink;

/* Read the first and last byte of every view a parser hands back: ASan checks
 * that each lies inside the input. */
static void
touch(struct sd_rd r)
{
	if (r.len > 0)
		sink = (uint8_t)(sink ^ r.p[0] ^ r.p[r.len - 1]);
}

static void decode_net(const struct sd_link *, int depth);

static void
decode_udp(struct sd_rd payload, int depth)
{
	struct sd_udp u;
	struct sd_link inner;

	if (sd_udp_parse(payload, &u) != SD_OK)
		return;
	touch(u.payload);
	if (depth == 0 && (u.dport == VXLAN_PORT || u.sport == VXLAN_PORT) &&
	    sd_link_vxlan(u.payload, &inner) == SD_OK)
		decode_net(&inner, depth + 1);
	else if (depth == 0 && sd_tunnel_udp(u.sport, u.dport, u.payload, &inner) == SD_OK)
		decode_net(&inner, depth + 1);
}

static void
decode_net(const struct sd_link *l, int depth)
{
	struct sd_ip ip;
	struct sd_tcp t;
	struct sd_icmp ic;
	struct sd_link inner;
	char buf[SD_ADDR_STRLEN];

	touch(l->net);
	if (l->ethertype != SD_ETH_IPV4 && l->ethertype != SD_ETH_IPV6)
		return;
	if (sd_ip_parse(l->net, &ip) != SD_OK)
		return;
	touch(ip.payload);
	sink = (uint8_t)(sink ^ (uint8_t)sd_ip_addr_str(&ip.src, buf)[0] ^
	    (uint8_t)sd_ip_addr_cmp(&ip.src, &ip.dst));
	if (ip.frag_offset != 0)
		return;
	switch (ip.proto) {
	case SD_IPPROTO_TCP:
		if (sd_tcp_parse(ip.payload, &t) == SD_OK)
			touch(t.payload);
		break;
	case SD_IPPROTO_UDP:
		decode_udp(ip.payload, depth);
		break;
	case SD_IPPROTO_ICMP:
	case SD_IPPROTO_ICMPV6:
		if (sd_icmp_parse(ip.payload, ip.proto == SD_IPPROTO_ICMPV6, &ic) == SD_OK &&
		    ic.has_inner) {
			touch(ic.inner.payload);
			sink = (uint8_t)(sink ^ ic.inner_sport ^ ic.inner_spi);
		}
		break;
	case SD_IPPROTO_GRE:
		if (depth == 0 && sd_link_gre(ip.payload, &inner) == SD_OK)
			decode_net(&inner, depth + 1);
		break;
	case SD_IPPROTO_IPIP:
	case SD_IPPROTO_IPV6:
		if (depth == 0) {
			memset(&inner, 0, sizeof(inner));
			inner.ethertype = ip.proto == SD_IPPROTO_IPIP ? SD_ETH_IPV4 : SD_ETH_IPV6;
			inner.net = ip.payload;
			decode_net(&inner, depth + 1);
		}
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_link l;
	int lt;

	if (size < 1)
		return 0;
	lt = linktypes[data[0] % (sizeof(linktypes) / sizeof(linktypes[0]))];
	if (sd_link_decode(lt, sd_rd_make(data + 1, size - 1), &l) == SD_OK) {
		sink = (uint8_t)(sink ^ l.shims ^ l.sgt ^ l.isid);
		decode_net(&l, 0);
	}
	return 0;
}
