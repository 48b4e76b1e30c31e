/* analyze/catalogue_tcp.c - reachability kinds (rules_tcp.c); docs/findings.md says the same. */
#include "analyze/finding.h"

const struct sd_finding_kind sd_kinds_tcp[] = {
	{ "tcp.syn_unanswered", SD_SEV_HIGH,
	  "TCP connection attempts never answered",
	  "The client sent SYNs (first attempt and retransmissions) and nothing came back from "
	  "the server: no SYN-ACK, no RST, no ICMP error. Something on the path silently drops "
	  "the SYNs or the answers (a firewall rule, a security group, a server that is down, "
	  "wrong routing), or the capture point sees only one direction.",
	  "Check that the server is up and listening on that port, then the firewalls and "
	  "security groups between client and server for a drop rule on this port; capture on "
	  "the server side to see whether the SYNs arrive." },
	{ "tcp.port_closed", SD_SEV_MEDIUM,
	  "Connection refused: RST answers the SYN",
	  "The server (or a device in its name) answered the client's SYN with a reset: nothing "
	  "listens on that port, or a firewall rejects the connection with a TCP reset.",
	  "Start the service or correct the port the client uses; if the service runs, look for "
	  "a firewall rule that rejects with tcp-reset." },
	{ "tls.reset_after_client_hello", SD_SEV_HIGH,
	  "Connection reset right after the ClientHello",
	  "The TCP handshake completed and the client sent its TLS ClientHello, then a reset "
	  "arrived from the server's side before the server sent anything. When the reset's IP TTL or IP ID differ from the server's own packets, a "
	  "middlebox (firewall, IPS, proxy, DPI filter) forged it on the server's behalf.",
	  "Compare the TTL values shown: a different TTL points at a device on the path "
	  "(firewall application control, SNI filtering, IPS); check its logs for this "
	  "connection. Same TTL: the server itself reset, check its logs and its TLS "
	  "configuration." },
	{ "icmp.unreachable", SD_SEV_HIGH,
	  "Destination unreachable (ICMP) for a flow",
	  "A router or the destination host answered a packet of this flow with an ICMP "
	  "destination-unreachable message: no route, host or port unreachable, or "
	  "administratively prohibited (a firewall rejects the traffic).",
	  "For 'administratively prohibited', find the firewall at the reporting address and "
	  "its rule for this port; for 'port unreachable', start the service; for 'host' or "
	  "'net unreachable', check routing towards the destination." },
	{ "icmp.packet_too_big", SD_SEV_INFO,
	  "Path MTU smaller than the packets sent",
	  "A router reported that a packet was too big for the next hop (ICMP fragmentation "
	  "needed / ICMPv6 packet too big) with the MTU it can forward. Path MTU discovery at "
	  "work; it matters when large handshake packets (certificates, IKE_AUTH) then vanish.",
	  "Nothing if the sender adapts; otherwise lower the MTU/MSS on the tunnel or interface, "
	  "or make sure these ICMP messages reach the sender." },
};
const size_t sd_kinds_tcp_n = sizeof(sd_kinds_tcp) / sizeof(sd_kinds_tcp[0]);
