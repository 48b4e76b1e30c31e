/* analyze/catalogue_intercept.c - interception and path kinds (rules_intercept.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_intercept[] = {
	{ "tls.interception_ca", SD_SEV_MEDIUM,
	  "Certificate issued by a TLS-inspection product",
	  "The server's certificate for this name was signed by a CA whose name matches a known "
	  "TLS-inspection product (firewall, secure web gateway, antivirus, debugging proxy) in "
	  "the interception catalogue: a device or program on the path terminates TLS and "
	  "re-signs the site's certificate. Severity is high when the client then refused it "
	  "(alert or reset): the client does not trust the inspection CA.",
	  "If the inspection is intended, install the product's CA in the client's trust store "
	  "(or exempt this name from inspection, e.g. for pinned or mutual-TLS clients); if it is "
	  "not, find the device or software named and remove it from the path." },
	{ "tls.issuer_changed", SD_SEV_MEDIUM,
	  "Same name, different certificate issuers",
	  "Connections to the same server name and address received certificates from "
	  "different issuers within the capture: part of the connections took a path through "
	  "something that re-signs certificates (an inspection device not in the catalogue), or "
	  "a rogue server answers some of them.",
	  "Compare the issuers listed: find which path or client produced the unexpected one "
	  "(routing, proxy settings, PAC file) and whether that issuer is an approved corporate "
	  "inspection CA; if it is not, treat it as an interception incident." },
	{ "tls.backend_mismatch", SD_SEV_MEDIUM,
	  "Load-balanced backends of one name differ",
	  "Several servers (addresses) answer for the same name, or one virtual address "
	  "alternates between backends, and they do not present the same certificate or do "
	  "not behave alike: some backends' handshakes fail while others succeed. A backend "
	  "was left with an old, wrong or broken certificate or configuration.",
	  "Deploy the same certificate chain and TLS configuration on every backend of the "
	  "pool; take the failing backends named in the finding out of rotation until fixed." },
	{ "tcp.one_way", SD_SEV_LOW,
	  "TCP seen in one direction only",
	  "A TCP connection's packets (data and advancing acknowledgements) were captured in one "
	  "direction while nothing came back the other way: the return traffic takes another "
	  "path around the capture point (asymmetric routing, ECMP, a capture on one side of a "
	  "link aggregate). Unanswered-SYN findings in the same capture are then uncertain.",
	  "Capture where both directions pass (or on both paths) before drawing conclusions "
	  "from missing answers; if the asymmetry is unexpected, check the routing and any "
	  "stateful firewall that needs to see both directions." },
	{ "tcp.mtu_blackhole", SD_SEV_HIGH,
	  "Large packets vanish on the path (MTU black hole)",
	  "One side's full-size TCP segments were retransmitted again and again and never "
	  "acknowledged, while its smaller segments and the peer's packets got through, and no "
	  "ICMP 'fragmentation needed' / 'packet too big' came back: a link on the path has a "
	  "smaller MTU (tunnel, PPPoE, VPN) and the ICMP that path MTU discovery needs is "
	  "filtered, or a device drops large packets. Connections hang once a large message "
	  "(a certificate flight) is sent.",
	  "Clamp the TCP MSS on the router or tunnel (e.g. nftables 'tcp option maxseg size set "
	  "rt mtu'), lower the interface MTU, or let ICMP type 3 code 4 / ICMPv6 type 2 through "
	  "the firewalls on the path." },
	{ "tls.revocation_unreachable", SD_SEV_MEDIUM,
	  "Certificate revocation endpoint unreachable",
	  "A CRL distribution point or OCSP responder named in a certificate of this capture "
	  "could not be reached: its name did not resolve (NXDOMAIN, SERVFAIL, no address), or "
	  "it resolved and the connection to it went unanswered, was refused or drew an ICMP "
	  "error. Clients that require revocation checking (hard-fail: some VPN clients, "
	  "Windows with strict policies, Java with ocsp enabled) then refuse the certificate; "
	  "soft-fail clients stall until their timeout.",
	  "Let the clients reach the CRL/OCSP hosts (DNS and outbound HTTP on port 80 through "
	  "the proxy or firewall), or have the server staple OCSP responses; for a private PKI, "
	  "publish the CRL and OCSP service where clients can reach them." },
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_intercept_n = sizeof(sd_kinds_intercept) / sizeof(sd_kinds_intercept[0]) - 1;
