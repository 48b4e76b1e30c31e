/* analyze/catalogue_proxy.c - HTTP proxy kinds (rules_proxy.c); docs/findings.md says the same at length. */
#include "analyze/finding.h"

/* { kind, severity, title, explanation, fix }: one entry per kind the rules emit. */
const struct sd_finding_kind sd_kinds_proxy[] = {
	{ "proxy.connect_refused", SD_SEV_MEDIUM,
	  "HTTP proxy refused the CONNECT tunnel",
	  "The client asked an HTTP proxy to open a tunnel (CONNECT host:port) and the proxy "
	  "answered with an error status instead of 2xx, so no TLS handshake took place. 407 "
	  "means the proxy wants credentials (Proxy-Authorization) that the client did not send "
	  "or that were wrong; 403 means the proxy's policy forbids the target host or port; "
	  "502, 503 and 504 mean the proxy could not reach or resolve the target.",
	  "407: configure the client with the proxy's credentials or authentication scheme "
	  "(Basic, NTLM, Negotiate) shown in Proxy-Authenticate. 403: ask the proxy's "
	  "administrators to allow the target (CONNECT to port 443 only is a common policy; "
	  "ConnectPort, ACL or category rules). 5xx: check DNS and routing from the proxy to "
	  "the target." },
	{ "proxy.connect_unanswered", SD_SEV_MEDIUM,
	  "HTTP proxy never answered the CONNECT",
	  "The client sent CONNECT host:port to an HTTP proxy and no status line came back: the "
	  "proxy closed or reset the connection without a word, or the client gave up waiting. "
	  "The proxy may have crashed or hit a connection limit, a device between client and "
	  "proxy may filter the request, or the port is not an HTTP proxy at all.",
	  "Check the proxy's logs for the connection and its health and limits; try the same "
	  "CONNECT with curl -v -x from the client's network; make sure the configured proxy "
	  "address and port are an HTTP proxy (not SOCKS or a transparent interception port)." },
	{ NULL, SD_SEV_INFO, NULL, NULL, NULL },	/* end */
};
const size_t sd_kinds_proxy_n = sizeof(sd_kinds_proxy) / sizeof(sd_kinds_proxy[0]) - 1;
