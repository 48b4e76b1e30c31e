/* analyze/catalogue.c - the finding kinds of analyze/kinds.h: name, severity, title,
 * explanation, fix (docs/findings.md says the same at length). */
#include "analyze/finding.h"

#include <string.h>

/* [kind] = { name, severity, title, explanation, fix } */
static const struct sd_finding_kind kinds[SD_K_COUNT] = {
	/* rules_tcp.c */
	[SD_K_TCP_SYN_UNANSWERED] = { "tcp.syn_unanswered", SD_SEV_HIGH,
	  "TCP connection attempts never answered",
	  "The client sent SYNs (first attempt and retransmissions) and nothing came back from "
	  "the server: no SYN-ACK, no RST, no ICMP error. Something on the path silently drops "
	  "the SYNs or the answers (a firewall rule, a security group, a server that is down, "
	  "wrong routing), or the capture point sees only one direction.",
	  "Check that the server is up and listening on that port, then the firewalls and "
	  "security groups between client and server for a drop rule on this port; capture on "
	  "the server side to see whether the SYNs arrive." },
	[SD_K_TCP_PORT_CLOSED] = { "tcp.port_closed", SD_SEV_MEDIUM,
	  "Connection refused: RST answers the SYN",
	  "The server (or a device in its name) answered the client's SYN with a reset: nothing "
	  "listens on that port, or a firewall rejects the connection with a TCP reset.",
	  "Start the service or correct the port the client uses; if the service runs, look for "
	  "a firewall rule that rejects with tcp-reset." },
	[SD_K_TCP_TLS_RESET_AFTER_CLIENT_HELLO] = { "tls.reset_after_client_hello", SD_SEV_HIGH,
	  "Connection reset right after the ClientHello",
	  "The TCP handshake completed and the client sent its TLS ClientHello, then a reset "
	  "arrived from the server's side before the server sent anything. When the reset's IP TTL or IP ID differ from the server's own packets, a "
	  "middlebox (firewall, IPS, proxy, DPI filter) forged it on the server's behalf.",
	  "Compare the TTL values shown: a different TTL points at a device on the path "
	  "(firewall application control, SNI filtering, IPS); check its logs for this "
	  "connection. Same TTL: the server itself reset, check its logs and its TLS "
	  "configuration." },
	[SD_K_TCP_ICMP_UNREACHABLE] = { "icmp.unreachable", SD_SEV_HIGH,
	  "Destination unreachable (ICMP) for a flow",
	  "A router or the destination host answered a packet of this flow with an ICMP "
	  "destination-unreachable message: no route, host or port unreachable, or "
	  "administratively prohibited (a firewall rejects the traffic).",
	  "For 'administratively prohibited', find the firewall at the reporting address and "
	  "its rule for this port; for 'port unreachable', start the service; for 'host' or "
	  "'net unreachable', check routing towards the destination." },
	[SD_K_TCP_ICMP_PACKET_TOO_BIG] = { "icmp.packet_too_big", SD_SEV_INFO,
	  "Path MTU smaller than the packets sent",
	  "A router reported that a packet was too big for the next hop (ICMP fragmentation "
	  "needed / ICMPv6 packet too big) with the MTU it can forward. Path MTU discovery at "
	  "work; it matters when large handshake packets (certificates, IKE_AUTH) then vanish.",
	  "Nothing if the sender adapts; otherwise lower the MTU/MSS on the tunnel or interface, "
	  "or make sure these ICMP messages reach the sender." },
	/* rules_tls.c */
	[SD_K_TLS_NO_SHARED_CIPHER] = { "tls.no_shared_cipher", SD_SEV_HIGH,
	  "No cipher suite in common",
	  "The server refused the ClientHello with a fatal handshake_failure or "
	  "insufficient_security alert before any ServerHello: none of the cipher suites the "
	  "client offered is enabled on the server (a legacy client offering only RSA or CBC "
	  "suites against a hardened server, or the reverse).",
	  "Compare the offered suites shown with the server's cipher configuration; enable a "
	  "suite both support (ECDHE with AES-GCM for TLS 1.2) on the server, or update the "
	  "client's TLS library or its cipher list." },
	[SD_K_TLS_NO_SHARED_VERSION] = { "tls.no_shared_version", SD_SEV_HIGH,
	  "No protocol version in common",
	  "The server answered the ClientHello with a protocol_version alert, or chose a "
	  "version the client did not offer: the client's and the server's enabled TLS "
	  "versions do not overlap (a TLS 1.3-only server and a TLS 1.2 client, a client "
	  "still limited to TLS 1.0/1.1).",
	  "Enable a common version: TLS 1.2 on the server for old clients, or update the "
	  "client (and its MinProtocol/security level) to TLS 1.2 or 1.3." },
	[SD_K_TLS_NO_SHARED_GROUP] = { "tls.no_shared_group", SD_SEV_HIGH,
	  "No key exchange group in common (TLS 1.3)",
	  "A TLS 1.3-only ClientHello that offers the mandatory TLS_AES_128_GCM_SHA256 suite "
	  "was refused with handshake_failure: the (EC)DHE groups the client offers "
	  "(supported_groups) and the server's do not overlap.",
	  "Configure a common group on both sides (X25519 and secp256r1 are the usual ones): "
	  "the server's and the client's -groups / ssl_ecdh_curve settings." },
	[SD_K_TLS_HELLO_RETRY_LOOP] = { "tls.hello_retry_loop", SD_SEV_HIGH,
	  "HelloRetryRequest did not lead to a handshake",
	  "In TLS 1.3 the server asked the client to retry with another key share "
	  "(HelloRetryRequest) and then either asked again or failed the handshake: client "
	  "and server disagree about the groups or the client cannot produce the share asked "
	  "for. A second ClientHello without a share for the group asked for was built or "
	  "altered wrongly: compare it with the client's own capture to find a middlebox that "
	  "rewrites ClientHellos.",
	  "Check the group lists of both sides (the HRR names the group the server wants); "
	  "capture on both sides of firewalls, proxies and load balancers to find one that "
	  "alters ClientHellos, and update or bypass it." },
	[SD_K_TLS_CLIENT_CERTIFICATE_MISSING] = { "tls.client_certificate_missing", SD_SEV_HIGH,
	  "Client certificate required but not sent",
	  "The server asked for a client certificate (CertificateRequest), the client answered "
	  "with an empty Certificate and the server aborted the handshake.",
	  "Install a client certificate (and key) issued by a CA the server accepts on the "
	  "client or its profile, or relax the server's client-certificate requirement for "
	  "this client." },
	[SD_K_TLS_DTLS_ALERT_AFTER_RESUMPTION] = { "dtls.alert_after_resumption", SD_SEV_MEDIUM,
	  "DTLS fatal alert right after a resumption attempt",
	  "A DTLS client offered to resume a session and the peer answered with a fatal "
	  "alert before any certificate. A server may resume a session only with the session's "
	  "own cipher suite and version: a client whose cipher or version settings changed "
	  "since the session was made (a VPN client's DTLS cipher option, an update) gets "
	  "illegal_parameter. Otherwise the session state differs between the nodes behind a "
	  "load balancer, or a DTLS stack mishandles resumption.",
	  "Make the client offer the session's cipher suite and version again, or have it drop "
	  "its cached session (disable resumption) after a configuration change; share one "
	  "session cache and ticket key between the server's nodes." },
	[SD_K_TLS_FATAL_ALERT] = { "tls.fatal_alert", SD_SEV_MEDIUM,
	  "Fatal TLS alert",
	  "One side ended the connection with a fatal alert that no more specific rule "
	  "explains; the finding names the sender and the message it answered. The severity "
	  "follows the alert (handshake-stopping alerts are high).",
	  "Read the alert against the message it answered: decode_error or illegal_parameter "
	  "point at an implementation or middlebox bug, internal_error at the sender's logs, "
	  "unrecognized_name at the server's virtual-host configuration." },
	/* rules_trust.c */
	[SD_K_TRUST_CERTIFICATE_REJECTED] = { "tls.certificate_rejected", SD_SEV_HIGH,
	  "The client rejected the server's certificate",
	  "Right after the server's Certificate flight the client sent a fatal certificate "
	  "alert (bad_certificate, unsupported_certificate, certificate_revoked, "
	  "certificate_expired, certificate_unknown, unknown_ca, access_denied or "
	  "decrypt_error) and the handshake ended. shakedown's own check of the chain found "
	  "nothing wrong, so the client judges by another trust store, by revocation or by "
	  "a policy of its own.",
	  "Compare the client's trust store with the chain shown (root distributed to the "
	  "client, corporate CA, pinned certificate), check revocation (CRL/OCSP reachable "
	  "from the client) and the client's own logs for the exact reason." },
	[SD_K_TRUST_CHAIN_UNTRUSTED] = { "tls.chain_untrusted", SD_SEV_HIGH,
	  "Certificate chain does not verify against the trust store",
	  "The server's chain does not lead to a root in shakedown's trust store at the capture "
	  "time, and the finding names why as far as the bytes decide it: the leaf is "
	  "self-signed; the chain ends in (or leads to) a private or unknown root; the server "
	  "does not send an intermediate that another server in the capture sends (an "
	  "incomplete chain); or the server does not send the issuer of its last certificate "
	  "and the store does not have it. Severity follows what the client did: high when it "
	  "refused the chain or nothing shows its reaction, info when it went on (it trusts a "
	  "root shakedown was not given), low for an incomplete chain it completed itself.",
	  "Self-signed or private root: install a certificate from a CA the clients trust, "
	  "or distribute the root to them (and give it to shakedown with --ca-file). "
	  "Incomplete chain or issuer not sent: configure the server to send the full chain "
	  "(leaf plus intermediates, e.g. fullchain.pem). Accepted by the client: pass its "
	  "root to shakedown with --ca-file." },
	[SD_K_TRUST_CERTIFICATE_EXPIRED] = { "tls.certificate_expired", SD_SEV_HIGH,
	  "Certificate expired at the time of the capture",
	  "A certificate of the server's chain (the leaf, or an intermediate) was past its "
	  "notAfter date when the connection was captured.",
	  "Renew the certificate (or the intermediate) and reload the server; check that "
	  "automatic renewal runs and that the server was restarted after it." },
	[SD_K_TRUST_CERTIFICATE_NOT_YET_VALID] = { "tls.certificate_not_yet_valid", SD_SEV_HIGH,
	  "Certificate not yet valid at the time of the capture",
	  "A certificate of the server's chain had a notBefore date later than the "
	  "connection: either it was deployed before its start date or a clock is wrong "
	  "(the client's, or the capture host's).",
	  "Check the clocks of client, server and capture host (NTP); otherwise wait for the "
	  "start date or reissue the certificate with a validity that starts now." },
	[SD_K_TRUST_WEAK_CERTIFICATE] = { "tls.weak_certificate", SD_SEV_MEDIUM,
	  "Weak certificate: small RSA key or SHA-1/MD5 signature",
	  "Certificates of the chain have an RSA or DSA key under 2048 bits, or a SHA-1 or MD5 "
	  "signature that a client checks (not the self-signature of a root, nor the "
	  "signature on a certificate that is itself a trust anchor). Current clients refuse "
	  "these at their default security level (OpenSSL 3 level 1 and up, browsers). One "
	  "finding per server name and chain; the severity follows the outcome and the "
	  "capture's date: a chain captured before the CA/Browser Forum deadlines (MD5 2009, "
	  "RSA under 2048 bits 2014, SHA-1 2016) or accepted with no date to judge by is info, "
	  "accepted past them low, refused high.",
	  "Reissue the certificate with an RSA key of 2048 bits or more (or ECDSA P-256) and "
	  "a SHA-256 signature." },
	[SD_K_TRUST_NAME_MISMATCH] = { "tls.name_mismatch", SD_SEV_HIGH,
	  "Certificate does not cover the requested server name",
	  "The server name the client asked for (SNI) is not among the certificate's "
	  "subjectAltName DNS names (nor its CN when it has none), by the RFC 6125 rules: a "
	  "wildcard covers exactly one left-most label.",
	  "Add the name to the certificate's subjectAltName, or make the server (virtual "
	  "host, load balancer, SNI routing) present the certificate meant for this name." },
	[SD_K_TRUST_PIN_MISMATCH] = { "tls.pin_mismatch", SD_SEV_HIGH,
	  "Server presented a certificate other than the pinned one",
	  "A connection to a host given with --pin presented a leaf certificate whose "
	  "SHA-256/SHA-1 (or public key SHA-256) is not the pinned value: the certificate "
	  "was renewed, the client reaches another server, or something intercepts it.",
	  "If the certificate was renewed on purpose, update the pin on the clients (VPN "
	  "profiles, apps); otherwise find who presents this certificate (proxy, wrong "
	  "backend)." },
	[SD_K_TRUST_KEY_TYPE_CHANGED] = { "tls.key_type_changed", SD_SEV_LOW,
	  "Same server name presents different key types",
	  "Connections to one server name received an RSA certificate on some and an EC one "
	  "on others: several backends with different certificates behind one name, a "
	  "partial certificate rollout, or a server with both that chooses by cipher suite.",
	  "Make every backend of the name present the same certificate, or check that "
	  "clients that pin or restrict key types accept both." },
	[SD_K_TRUST_CHAIN_MISORDERED] = { "tls.chain_misordered", SD_SEV_LOW,
	  "Certificate chain sent out of order or with unrelated certificates",
	  "The server's Certificate message does not list each certificate followed by its "
	  "issuer (RFC 5246 §7.4.2): the leaf's issuer comes later than second, or the "
	  "message carries certificates that certify nothing on the leaf's path (an old "
	  "intermediate, another provider's CA). Clients that build the path from what they "
	  "received (OpenSSL, browsers) go on; strict or embedded ones refuse the chain. The "
	  "severity follows what the client did: low when it went on, high when it refused.",
	  "Configure the server's chain file as leaf, then its issuer, then that one's issuer "
	  "(fullchain.pem order), and remove the certificates the finding lists as unrelated." },
	[SD_K_TRUST_CLOCK_IMPLAUSIBLE] = { "capture.clock_implausible", SD_SEV_INFO,
	  "The capture's clock is wrong: certificate validity is not judged",
	  "The capture's timestamps cannot be the real time: before 1995, in the future, "
	  "before the start of validity of most certificates the servers sent (from two "
	  "issuers or more), or days away from the clocks two hosts wrote into their TLS "
	  "hellos. Devices without a real-time clock or NTP stamp 1970-01-01 or 2000-01-01, "
	  "and anonymised files are shifted; every certificate would then look expired or "
	  "not yet valid. shakedown does not judge validity in such a capture (expiry "
	  "findings made before the clock was recognised are lowered to info) and judges "
	  "weak certificates by the clients' reactions alone.",
	  "Give the real time of the capture's first frame with --time YYYY-MM-DDTHH:MM:SSZ "
	  "to have validity judged; set up NTP on the capturing device." },
	/* rules_intercept.c */
	[SD_K_ICEPT_INTERCEPTION_CA] = { "tls.interception_ca", SD_SEV_MEDIUM,
	  "Certificate issued by a TLS-inspection product",
	  "The server's certificate for this name was signed by a CA whose name matches a known "
	  "TLS-inspection product (firewall, secure web gateway, antivirus, debugging proxy) in "
	  "the interception catalogue: a device or program on the path terminates TLS and "
	  "re-signs the site's certificate. The finding carries shakedown's own verification "
	  "of the chain and the outcome of each connection, and names the genuine issuer when "
	  "earlier connections to the name showed it. Severity is high when a client refused "
	  "it (alert or reset): that client does not trust the inspection CA.",
	  "If the inspection is intended, install the product's CA in the client's trust store "
	  "(or exempt this name from inspection, e.g. for pinned or mutual-TLS clients); if it is "
	  "not, find the device or software named and remove it from the path." },
	[SD_K_ICEPT_ISSUER_CHANGED] = { "tls.issuer_changed", SD_SEV_MEDIUM,
	  "Same name, different certificate issuers",
	  "Connections to the same server name and address received certificates from "
	  "different issuers within the capture: part of the connections took a path through "
	  "something that re-signs certificates (an inspection device not in the catalogue), or "
	  "a rogue server answers some of them.",
	  "Compare the issuers listed: find which path or client produced the unexpected one "
	  "(routing, proxy settings, PAC file) and whether that issuer is an approved corporate "
	  "inspection CA; if it is not, treat it as an interception incident." },
	[SD_K_ICEPT_BACKEND_MISMATCH] = { "tls.backend_mismatch", SD_SEV_MEDIUM,
	  "Load-balanced backends of one name differ",
	  "Several servers (addresses) answer for the same name, or one virtual address "
	  "alternates between backends, and they do not present the same certificate or do "
	  "not behave alike: some backends' handshakes fail while others succeed. A backend "
	  "was left with an old, wrong or broken certificate or configuration.",
	  "Deploy the same certificate chain and TLS configuration on every backend of the "
	  "pool; take the failing backends named in the finding out of rotation until fixed." },
	/* rules_path.c */
	[SD_K_PATH_TCP_ONE_WAY] = { "tcp.one_way", SD_SEV_LOW,
	  "TCP seen in one direction only",
	  "A TCP connection's packets (data and advancing acknowledgements) were captured in one "
	  "direction while nothing came back the other way: the return traffic takes another "
	  "path around the capture point (asymmetric routing, ECMP, a capture on one side of a "
	  "link aggregate). Unanswered-SYN findings in the same capture are then uncertain.",
	  "Capture where both directions pass (or on both paths) before drawing conclusions "
	  "from missing answers; if the asymmetry is unexpected, check the routing and any "
	  "stateful firewall that needs to see both directions." },
	[SD_K_PATH_TCP_MTU_BLACKHOLE] = { "tcp.mtu_blackhole", SD_SEV_HIGH,
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
	[SD_K_PATH_TLS_REVOCATION_UNREACHABLE] = { "tls.revocation_unreachable", SD_SEV_MEDIUM,
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
	/* rules_hello.c */
	[SD_K_HELLO_UNANSWERED] = { "tls.client_hello_unanswered", SD_SEV_HIGH,
	  "The server never answered the ClientHello",
	  "The TCP handshake completed and the client sent its TLS ClientHello, then nothing "
	  "came back from the server: no ServerHello, no alert, no reset, no FIN, often not "
	  "even an acknowledgement, while the client resent it and finally gave up. A "
	  "firewall, IPS or SNI filter that reads the ClientHello and silently drops the "
	  "connection looks like this (as common as one that resets it); so does a server "
	  "whose TLS service hangs, when its TCP stack acknowledged the hello. When other "
	  "connections to the same server completed with another name, the name (SNI) is "
	  "what is filtered.",
	  "Look for a device on the path with application, URL or SNI filtering (its logs for "
	  "the name shown) and the policy for this name; when the server's TCP acknowledged "
	  "the ClientHello, check the server's TLS service and its logs instead." },
	/* rules_malformed.c */
	[SD_K_MALF_CLIENT_HELLO] = { "tls.malformed_client_hello", SD_SEV_HIGH,
	  "The client's ClientHello is malformed",
	  "The ClientHello breaks the TLS encoding: a length overruns what contains it, a list "
	  "has an odd length, a required list is empty. The field at fault is named with its "
	  "numbers. A server answers such a hello with decode_error (50) or illegal_parameter "
	  "(47), or a reset: the client's TLS stack (or a device that rewrites ClientHellos on "
	  "the path: a proxy, a firewall inserting or changing extensions) built it wrongly. A "
	  "server that went on anyway was lenient; another server will not be.",
	  "Capture on the client itself: if the hello is already malformed there, update or fix "
	  "the client's TLS library; if it is well formed there, find the device between that "
	  "rewrites it (compare the two captures byte by byte) and update or bypass it." },
	[SD_K_MALF_SERVER_HELLO] = { "tls.malformed_server_hello", SD_SEV_HIGH,
	  "The server's ServerHello is malformed",
	  "The ServerHello breaks the TLS encoding (the field at fault is named with its "
	  "numbers). A client answers it with decode_error (50) or a reset: the server's TLS "
	  "stack, or a device that rewrites the server's flight, built it wrongly.",
	  "Capture on the server: if the ServerHello is malformed there, fix or update the "
	  "server's TLS library; otherwise find the device on the path that alters it." },
	[SD_K_MALF_CERTIFICATE] = { "tls.malformed_certificate", SD_SEV_HIGH,
	  "A Certificate message is malformed",
	  "The Certificate message breaks the TLS encoding: the list length or one "
	  "certificate's length overruns what contains it, or a certificate is empty. The "
	  "certificates before the fault are kept. Its peer answers with decode_error (50), "
	  "bad_certificate (42) or a reset: the sender's TLS stack, a load balancer or TLS "
	  "offloader that assembles the chain, or a device that rewrites the flight built it "
	  "wrongly.",
	  "Capture on the sender: if the message is already malformed there, fix how its chain "
	  "is configured or update its TLS library (or the offloader); otherwise find the "
	  "device on the path that alters it." },
	/* rules_proxy.c */
	[SD_K_PROXY_CONNECT_REFUSED] = { "proxy.connect_refused", SD_SEV_MEDIUM,
	  "Proxy refused the CONNECT tunnel",
	  "The client asked an HTTP proxy to open a tunnel (CONNECT host:port) and the proxy "
	  "answered with an error status instead of 2xx, so no TLS handshake took place. 407 "
	  "means the proxy wants credentials (Proxy-Authorization) that the client did not send "
	  "or that were wrong; 403 means the proxy's policy forbids the target host or port; "
	  "502, 503 and 504 mean the proxy could not reach or resolve the target. A SOCKS4 "
	  "proxy answers 91 when its rules refuse the client or the target, or when it could "
	  "not connect to the target; 92 and 93 when its identd check of the client failed.",
	  "407: configure the client with the proxy's credentials or authentication scheme "
	  "(Basic, NTLM, Negotiate) shown in Proxy-Authenticate. 403: ask the proxy's "
	  "administrators to allow the target (CONNECT to port 443 only is a common policy; "
	  "ConnectPort, ACL or category rules). 5xx: check DNS and routing from the proxy to "
	  "the target. SOCKS4 91: check the proxy's client and target rules (Dante: client "
	  "pass/socks pass blocks) and its route to the target; 92/93: run identd on the "
	  "client or drop the proxy's identd requirement." },
	[SD_K_PROXY_CONNECT_UNANSWERED] = { "proxy.connect_unanswered", SD_SEV_MEDIUM,
	  "HTTP proxy never answered the CONNECT",
	  "The client sent CONNECT host:port to an HTTP proxy and no status line came back: the "
	  "proxy closed or reset the connection without a word, or the client gave up waiting. "
	  "The proxy may have crashed or hit a connection limit, a device between client and "
	  "proxy may filter the request, or the port is not an HTTP proxy at all.",
	  "Check the proxy's logs for the connection and its health and limits; try the same "
	  "CONNECT with curl -v -x from the client's network; make sure the configured proxy "
	  "address and port are an HTTP proxy (not SOCKS or a transparent interception port)." },
	/* rules_ike.c */
	[SD_K_IKE_UNANSWERED] = { "ike.unanswered", SD_SEV_HIGH,
	  "IKE never answered",
	  "The initiator sent the first IKE message (IKEv2 IKE_SA_INIT or IKEv1 Main/Aggressive "
	  "Mode) and retransmitted it, and nothing came back: UDP 500 is dropped on the path, or "
	  "the responder is down or does not run IKE on that address. When an ICMP unreachable "
	  "came back instead, the finding names the device that sent it.",
	  "Check that the peer's IKE daemon runs and listens on that address; open UDP 500 and "
	  "4500 (and IP protocol 50) between the gateways; for an ICMP reply, look at the "
	  "reporting device's rules or routing." },
	[SD_K_IKE_NATT_UNANSWERED] = { "ike.natt_unanswered", SD_SEV_HIGH,
	  "IKE answered on UDP 500, silent on UDP 4500 (NAT-T)",
	  "IKE_SA_INIT completed on UDP 500, then the initiator moved to UDP 4500 (NAT traversal, "
	  "RFC 3948) for IKE_AUTH and retransmitted it without an answer: UDP 4500 is blocked or "
	  "not forwarded to the responder, while 500 passes.",
	  "Allow and forward UDP 4500 to the responder as well as UDP 500 (firewall rules, NAT "
	  "port forwarding, cloud security groups)." },
	[SD_K_IKE_AUTH_FRAGMENTED_UNANSWERED] = { "ike.auth_fragmented_unanswered", SD_SEV_HIGH,
	  "Large IKE_AUTH lost to IP fragmentation",
	  "The IKE_AUTH request (usually large because of certificates) left as IP fragments and "
	  "was retransmitted without an answer, while the smaller IKE_SA_INIT was answered. A "
	  "device on the path drops IP fragments (or non-first fragments), so the responder "
	  "never reassembles the request.",
	  "Enable IKEv2 fragmentation (RFC 7383, strongSwan fragmentation=yes) on both peers, "
	  "or send smaller certificates / no chain, or let the path pass IP fragments; lowering "
	  "the interface MTU does not help unfragmented IKE by itself." },
	[SD_K_IKE_NO_PROPOSAL_CHOSEN] = { "ike.no_proposal_chosen", SD_SEV_HIGH,
	  "No IKE proposal acceptable to the responder",
	  "The responder answered NO_PROPOSAL_CHOSEN: none of the initiator's algorithm "
	  "combinations (encryption, integrity/PRF, DH group) matches its configuration. The "
	  "finding lists what the initiator offered by name and what the responder said.",
	  "Align the IKE (phase 1) or ESP (phase 2) proposals of both peers: add a common "
	  "encryption, integrity and DH group to one side." },
	[SD_K_IKE_INVALID_KE] = { "ike.invalid_ke", SD_SEV_INFO,
	  "Responder asked for another DH group (INVALID_KE_PAYLOAD)",
	  "The initiator's KE payload used a DH group the responder accepts only as a later "
	  "choice or not at all; the responder answered INVALID_KE_PAYLOAD with the group it "
	  "wants. When the retry with that group succeeds it costs one round trip (info); when "
	  "it does not, the negotiation fails (medium).",
	  "Put the group the responder asked for first in the initiator's proposal (or make both "
	  "peers prefer the same group)." },
	[SD_K_IKE_COOKIE_NOT_ECHOED] = { "ike.cookie_not_echoed", SD_SEV_MEDIUM,
	  "IKE COOKIE challenge not answered",
	  "The responder is under load (or configured to) and demanded a COOKIE (RFC 7296 §2.6); "
	  "the initiator never repeated IKE_SA_INIT with the cookie, so no SA was set up. "
	  "Scanners and broken initiators behave so.",
	  "Check that the initiator supports IKEv2 cookies; look at the responder's half-open "
	  "SA count and cookie threshold." },
	[SD_K_IKE_AUTH_FAILED] = { "ike.auth_failed", SD_SEV_HIGH,
	  "IKE authentication failed",
	  "The peer said AUTHENTICATION_FAILED in clear (IKEv1 informational), or IKEv2 IKE_AUTH "
	  "was answered and then no tunnel came up: no ESP and no further exchange, a delete or "
	  "silence. IKEv2 encrypts that answer, so this is inferred; a response just big enough "
	  "for one notify raises the confidence. A full answer followed at once by an "
	  "INFORMATIONAL from the initiator, and nothing after it, is the initiator refusing the "
	  "responder (its certificate or AUTH).",
	  "Compare the pre-shared keys, certificates (trust chain, identities, key usage) and "
	  "IDs both peers expect; the log of the side that refused (rejected_by) names the "
	  "reason." },
	[SD_K_IKE_DPD_UNANSWERED] = { "ike.dpd_unanswered", SD_SEV_HIGH,
	  "Dead peer detection unanswered",
	  "An established IKE SA's INFORMATIONAL request (dead peer detection or a delete) was "
	  "retransmitted and never answered. After three or more tries the initiator declares "
	  "the peer dead and tears the tunnel down.",
	  "Check that the peer is up and that UDP 500/4500 still pass in both directions "
	  "(firewall state timeouts, NAT mappings that expired: NAT keepalives)." },
	[SD_K_IKESA_PERIODIC_REKEY] = { "ike.periodic_rekey", SD_SEV_LOW,
	  "Tunnel renewed on a fixed period with ESP outage",
	  "New IKE SAs replace the old ones between the same gateways at a fixed interval "
	  "(reauthentication or lifetime expiry), and ESP stops around each renewal. Users see "
	  "a drop every period.",
	  "Use make-before-break reauthentication or rekeying instead of reauthentication, "
	  "align lifetimes on both peers, and add a random margin to the rekey time." },
	[SD_K_IKE_ERROR_NOTIFY] = { "ike.error_notify", SD_SEV_MEDIUM,
	  "IKE error notify",
	  "A peer sent an IKE error notify in clear (TS_UNACCEPTABLE, INVALID_SYNTAX, "
	  "INVALID_SPI, ...): it refused the exchange for the reason named.",
	  "Read the notify name: traffic selectors must match, syntax errors point at an "
	  "interoperability problem; the peer's log has the details." },
	[SD_K_IKESA_RESPONDER_NEVER_INITIATES] = { "ike.responder_never_initiates", SD_SEV_INFO,
	  "A gateway that only ever responds",
	  "Every IKE SA between these two gateways that came up in the capture (two or more) "
	  "was set up by the same side; the other never initiated one. That is fine while "
	  "the initiator keeps the tunnel up, but when the tunnel must come up from the "
	  "responder's side (its traffic starts first, the initiator sits behind NAT, or "
	  "restarted) nothing happens until the initiator tries again.",
	  "If both sides should be able to bring the tunnel up, configure the responder to "
	  "initiate too (strongSwan start_action = start or trap, Cisco/FortiGate auto-"
	  "negotiate); behind NAT only the NATed side can initiate." },
	/* rules_esp.c */
	[SD_K_ESP_ONE_WAY] = { "esp.one_way", SD_SEV_HIGH,
	  "ESP in one direction only",
	  "The IKE SA between the gateways is up, but ESP (IP protocol 50 or UDP 4500) flows "
	  "only one way: the other gateway's ESP is dropped on the path, or it sends nothing "
	  "back (routing or policy on its side).",
	  "Allow ESP (protocol 50) or UDP 4500 in both directions between the gateways; check "
	  "the silent gateway's routing and policies for the return traffic." },
	[SD_K_ESP_ASYMMETRIC_TUNNELS] = { "esp.asymmetric_tunnels", SD_SEV_MEDIUM,
	  "Traffic leaves on one tunnel and returns on another",
	  "In the same period a gateway sends ESP only on the tunnel to one peer and receives "
	  "ESP only on the tunnel from another peer: the protected networks overlap or the "
	  "routing behind the peers is asymmetric, so each tunnel looks one-way.",
	  "Make the traffic selectors / routes of the tunnels consistent so that both "
	  "directions of a flow use the same tunnel." },
};

const struct sd_finding_kind *
sd_finding_kind(enum sd_kind k)
{
	if ((unsigned)k >= SD_K_COUNT)
		return NULL;
	return &kinds[k];
}

const struct sd_finding_kind *
sd_finding_kind_at(size_t i)
{
	return i < SD_K_COUNT ? &kinds[i] : NULL;
}

const struct sd_finding_kind *
sd_finding_kind_get(const char *name)
{
	size_t i;

	for (i = 0; i < SD_K_COUNT; i++)
		if (kinds[i].kind != NULL && strcmp(kinds[i].kind, name) == 0)
			return &kinds[i];
	return NULL;
}
