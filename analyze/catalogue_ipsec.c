/* analyze/catalogue_ipsec.c - IPsec kinds (rules_ipsec.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_ipsec[] = {
	{ "ike.unanswered", SD_SEV_HIGH,
	  "IKE never answered",
	  "The initiator sent the first IKE message (IKEv2 IKE_SA_INIT or IKEv1 Main/Aggressive "
	  "Mode) and retransmitted it, and nothing came back: UDP 500 is dropped on the path, or "
	  "the responder is down or does not run IKE on that address. When an ICMP unreachable "
	  "came back instead, the finding names the device that sent it.",
	  "Check that the peer's IKE daemon runs and listens on that address; open UDP 500 and "
	  "4500 (and IP protocol 50) between the gateways; for an ICMP reply, look at the "
	  "reporting device's rules or routing." },
	{ "ike.natt_unanswered", SD_SEV_HIGH,
	  "IKE answered on UDP 500, silent on UDP 4500 (NAT-T)",
	  "IKE_SA_INIT completed on UDP 500, then the initiator moved to UDP 4500 (NAT traversal, "
	  "RFC 3948) for IKE_AUTH and retransmitted it without an answer: UDP 4500 is blocked or "
	  "not forwarded to the responder, while 500 passes.",
	  "Allow and forward UDP 4500 to the responder as well as UDP 500 (firewall rules, NAT "
	  "port forwarding, cloud security groups)." },
	{ "ike.auth_fragmented_unanswered", SD_SEV_HIGH,
	  "Large IKE_AUTH lost to IP fragmentation",
	  "The IKE_AUTH request (usually large because of certificates) left as IP fragments and "
	  "was retransmitted without an answer, while the smaller IKE_SA_INIT was answered. A "
	  "device on the path drops IP fragments (or non-first fragments), so the responder "
	  "never reassembles the request.",
	  "Enable IKEv2 fragmentation (RFC 7383, strongSwan fragmentation=yes) on both peers, "
	  "or send smaller certificates / no chain, or let the path pass IP fragments; lowering "
	  "the interface MTU does not help unfragmented IKE by itself." },
	{ "ike.no_proposal_chosen", SD_SEV_HIGH,
	  "No IKE proposal acceptable to the responder",
	  "The responder answered NO_PROPOSAL_CHOSEN: none of the initiator's algorithm "
	  "combinations (encryption, integrity/PRF, DH group) matches its configuration. The "
	  "finding lists what the initiator offered by name and what the responder said.",
	  "Align the IKE (phase 1) or ESP (phase 2) proposals of both peers: add a common "
	  "encryption, integrity and DH group to one side." },
	{ "ike.invalid_ke", SD_SEV_INFO,
	  "Responder asked for another DH group (INVALID_KE_PAYLOAD)",
	  "The initiator's KE payload used a DH group the responder accepts only as a later "
	  "choice or not at all; the responder answered INVALID_KE_PAYLOAD with the group it "
	  "wants. When the retry with that group succeeds it costs one round trip (info); when "
	  "it does not, the negotiation fails (medium).",
	  "Put the group the responder asked for first in the initiator's proposal (or make both "
	  "peers prefer the same group)." },
	{ "ike.cookie_not_echoed", SD_SEV_MEDIUM,
	  "IKE COOKIE challenge not answered",
	  "The responder is under load (or configured to) and demanded a COOKIE (RFC 7296 §2.6); "
	  "the initiator never repeated IKE_SA_INIT with the cookie, so no SA was set up. "
	  "Scanners and broken initiators behave so.",
	  "Check that the initiator supports IKEv2 cookies; look at the responder's half-open "
	  "SA count and cookie threshold." },
	{ "ike.auth_failed", SD_SEV_HIGH,
	  "IKE authentication failed",
	  "The peer said AUTHENTICATION_FAILED in clear (IKEv1 informational), or IKEv2 IKE_AUTH "
	  "was answered and then no tunnel came up: no ESP and no further exchange, a delete or "
	  "silence. IKEv2 encrypts that answer, so this is inferred; a response just big enough "
	  "for one notify raises the confidence.",
	  "Compare the pre-shared keys, certificates (trust chain, identities, key usage) and "
	  "IDs both peers expect; the responder's log names the reason." },
	{ "ike.dpd_unanswered", SD_SEV_HIGH,
	  "Dead peer detection unanswered",
	  "An established IKE SA's INFORMATIONAL request (dead peer detection or a delete) was "
	  "retransmitted and never answered. After three or more tries the initiator declares "
	  "the peer dead and tears the tunnel down.",
	  "Check that the peer is up and that UDP 500/4500 still pass in both directions "
	  "(firewall state timeouts, NAT mappings that expired: NAT keepalives)." },
	{ "ike.periodic_rekey", SD_SEV_LOW,
	  "Tunnel renewed on a fixed period with ESP outage",
	  "New IKE SAs replace the old ones between the same gateways at a fixed interval "
	  "(reauthentication or lifetime expiry), and ESP stops around each renewal. Users see "
	  "a drop every period.",
	  "Use make-before-break reauthentication or rekeying instead of reauthentication, "
	  "align lifetimes on both peers, and add a random margin to the rekey time." },
	{ "ike.error_notify", SD_SEV_MEDIUM,
	  "IKE error notify",
	  "A peer sent an IKE error notify in clear (TS_UNACCEPTABLE, INVALID_SYNTAX, "
	  "INVALID_SPI, ...): it refused the exchange for the reason named.",
	  "Read the notify name: traffic selectors must match, syntax errors point at an "
	  "interoperability problem; the peer's log has the details." },
	{ "esp.one_way", SD_SEV_HIGH,
	  "ESP in one direction only",
	  "The IKE SA between the gateways is up, but ESP (IP protocol 50 or UDP 4500) flows "
	  "only one way: the other gateway's ESP is dropped on the path, or it sends nothing "
	  "back (routing or policy on its side).",
	  "Allow ESP (protocol 50) or UDP 4500 in both directions between the gateways; check "
	  "the silent gateway's routing and policies for the return traffic." },
	{ "esp.asymmetric_tunnels", SD_SEV_MEDIUM,
	  "Traffic leaves on one tunnel and returns on another",
	  "In the same period a gateway sends ESP only on the tunnel to one peer and receives "
	  "ESP only on the tunnel from another peer: the protected networks overlap or the "
	  "routing behind the peers is asymmetric, so each tunnel looks one-way.",
	  "Make the traffic selectors / routes of the tunnels consistent so that both "
	  "directions of a flow use the same tunnel." },
	{ "ike.responder_never_initiates", SD_SEV_INFO,
	  "A gateway that only ever responds",
	  "Every IKE SA between these two gateways that came up in the capture (two or more) "
	  "was set up by the same side; the other never initiated one. That is fine while "
	  "the initiator keeps the tunnel up, but when the tunnel must come up from the "
	  "responder's side (its traffic starts first, the initiator sits behind NAT, or "
	  "restarted) nothing happens until the initiator tries again.",
	  "If both sides should be able to bring the tunnel up, configure the responder to "
	  "initiate too (strongSwan start_action = start or trap, Cisco/FortiGate auto-"
	  "negotiate); behind NAT only the NATed side can initiate." },
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_ipsec_n = sizeof(sd_kinds_ipsec) / sizeof(sd_kinds_ipsec[0]) - 1;
