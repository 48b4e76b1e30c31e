/* dissect/tunnel.h - tunnels carried over UDP: VXLAN, VXLAN-GPE, Geneve, GTP-U, Teredo,
 * CAPWAP data (UDP 5247, dissect/capwap.h). */
#ifndef SD_DISSECT_TUNNEL_H
#define SD_DISSECT_TUNNEL_H

#include <stdint.h>

#include "dissect/link.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_PORT_GTPU		2152	/* 3GPP TS 29.281 */
#define SD_PORT_TEREDO		3544	/* RFC 4380 */
#define SD_PORT_VXLAN		4789	/* RFC 7348 */
#define SD_PORT_VXLAN_GPE	4790	/* draft-ietf-nvo3-vxlan-gpe */
#define SD_PORT_GENEVE		6081	/* RFC 8926 */

/*
 * If this UDP datagram is a tunnel one of its ports identifies (either port, as Wireshark
 * decides: replies come from the tunnel port) and its
 * header is well formed, decode down to the inner network layer: SD_OK with out->ethertype
 * (SD_ETH_IPV4 / SD_ETH_IPV6 / other) and out->net.  SD_UNSUPPORTED: not a tunnel (the
 * datagram is then an ordinary UDP payload).  GTP-U signalling (echo, error indication),
 * Teredo bubbles (no IPv6 payload), and CAPWAP data that is DTLS, a keep-alive or a
 * fragment are SD_UNSUPPORTED too.
 */
enum sd_rc	sd_tunnel_udp(uint16_t sport, uint16_t dport, struct sd_rd payload,
		    struct sd_link *out);

#endif /* SD_DISSECT_TUNNEL_H */
