/* dissect/prelude.h - what comes before TLS on a TCP connection: STARTTLS (SMTP RFC 3207,
 * IMAP RFC 9051 §6.2.1, POP3 RFC 2595 §4, FTP RFC 4217 §4, NNTP RFC 4642, LDAP RFC 4511
 * §4.14), HTTP CONNECT (RFC 9110 §9.3.6), and the binary preambles of dissect/preamble.c:
 * SOCKS4/4a, the MySQL/MariaDB SSLRequest, RDP's X.224 negotiation, stray leading bytes. */
#ifndef SD_DISSECT_PRELUDE_H
#define SD_DISSECT_PRELUDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/rc.h"
#include "dissect/reader.h"

/* The LDAP StartTLS extended operation (RFC 4511 §4.14.1). */
#define SD_PRELUDE_LDAP_STARTTLS_OID	"1.3.6.1.4.1.1466.20037"

/* Longest plaintext line kept or parsed; a longer one ends the prelude parse. */
#define SD_PRELUDE_MAX_LINE	4096

/*
 * The http.connect event (SD_EV_HTTP_CONNECT): one CONNECT request and the proxy's answer.
 * Strings are NUL-terminated copies (cut to their size), raw bytes from the packet: the
 * writer escapes them.  Emitted when the answer's header is complete, or at flow end
 * when the proxy never answered (status -1) or its header never completed.
 */
struct sd_http_connect {
	char		 target[256];		/* request target, host:port */
	int		 status;		/* 100..999, -1: never answered */
	char		 reason[128];		/* reason phrase */
	char		 proxy_agent[128];	/* Proxy-Agent header ("" absent) */
	char		 server[128];		/* Server header ("" absent) */
	uint64_t	 request_frame;		/* frame completing the request header */
	uint64_t	 answered_frame;	/* frame completing the status line (0: none) */
	int64_t		 request_sec, answered_sec;
	uint32_t	 request_nsec, answered_nsec;
	/* how the connection ended when unanswered (set by analyze/ at flow end) */
	uint64_t	 end_frame;		/* the proxy's FIN or RST, 0: none seen */
	const char	*end;			/* "proxy_fin", "proxy_rst", "client_closed", "capture_end" */
};

enum sd_prelude_mode {
	SD_PRELUDE_LINES = 0,	/* text commands and replies, CRLF lines */
	SD_PRELUDE_LDAP,	/* BER LDAPMessages */
	SD_PRELUDE_GENERIC,	/* not understood (XMPP, PostgreSQL, SOCKS5): look for a hello */
	SD_PRELUDE_SOCKS4,	/* SOCKS4/4a request and reply (dissect/preamble.c) */
	SD_PRELUDE_MYSQL,	/* MySQL/MariaDB greeting and SSLRequest */
	SD_PRELUDE_RDP,		/* RDP X.224 Connection Request / Confirm */
	SD_PRELUDE_STRAY,	/* a few bytes, then a ClientHello: nothing to parse */
};

/*
 * What the first payload of a TCP flow is, as sd_preamble_probe() decides it.  The order of
 * the constants is the order of the probes (docs/design-notes.md, "Probe order"): TLS first,
 * then the binary preambles whose first bytes are fixed enough not to take a TLS flow, then
 * text, and stray bytes before a ClientHello last.
 */
enum sd_preamble {
	SD_PREAMBLE_NONE = 0,	/* none of ours: the flow is given up */
	SD_PREAMBLE_TLS,	/* a TLS record header (or SSLv2 hello) from the first byte */
	SD_PREAMBLE_LDAP,	/* a BER SEQUENCE: LDAPMessage (StartTLS) */
	SD_PREAMBLE_SOCKS5,	/* SOCKS5 method greeting (RFC 1928 §3) */
	SD_PREAMBLE_PGSQL,	/* PostgreSQL SSLRequest */
	SD_PREAMBLE_SOCKS4,	/* SOCKS4 / SOCKS4a CONNECT request */
	SD_PREAMBLE_RDP,	/* TPKT + X.224 Connection Request (MS-RDPBCGR 2.2.1.1) */
	SD_PREAMBLE_MYSQL,	/* MySQL protocol 10 greeting, or the client's SSLRequest */
	SD_PREAMBLE_TEXT,	/* printable ASCII: STARTTLS, CONNECT, XMPP, PROXY v1 */
	SD_PREAMBLE_STRAY,	/* up to SD_PREAMBLE_MAX_STRAY bytes, then a ClientHello record */
};

/*
 * Most bytes skipped before a ClientHello (SD_PREAMBLE_STRAY).  64 covers a PROXY protocol
 * v2 header with IPv6 addresses (16 + 36 bytes) and the odd test prefix; the record after
 * them must be unambiguous: 16 03 0x, a record length equal to the handshake length + 4, a
 * ClientHello (type 1) of at least 38 bytes whose client_version is 03 0x.  Nine constrained
 * bytes at one of 64 offsets: random binary data matches about once in 2^60.
 */
#define SD_PREAMBLE_MAX_STRAY	64

/*
 * The prelude event (SD_EV_PRELUDE) of a binary preamble: what was asked, what was
 * answered, and whether TLS follows.  Strings are NUL-terminated copies from the packet
 * (the writer escapes them).  Written once the outcome is known, or at flow end.
 */
struct sd_preamble_ev {
	enum sd_preamble	 kind;
	const char		*outcome;	/* "upgraded", "refused", "no_tls", "failed", "unanswered" */
	const char		*note;		/* a diagnosis in words, or NULL */
	int			 dir;		/* SD_ROLE_* of the packet that decided it */
	/* SOCKS4/4a */
	bool			 socks4a;	/* the target is a host name (0.0.0.x address) */
	char			 target[272];	/* host:port or a.b.c.d:port */
	char			 user[64];	/* USERID */
	int			 reply;		/* CD of the reply (90 granted), -1: none */
	/* MySQL / MariaDB */
	bool			 greeting;	/* the server's greeting was seen */
	bool			 client_seen;	/* the client's first packet was seen */
	char			 server_version[64];
	uint32_t		 server_caps, client_caps;
	int			 error_code;	/* ERR packet instead of a greeting, -1: none */
	char			 error[128];
	/* RDP */
	char			 cookie[128];	/* "Cookie: mstshash=..." or routing token line */
	bool			 neg_req;	/* RDP_NEG_REQ present */
	uint32_t		 requested;	/* requestedProtocols */
	uint8_t			 neg_type;	/* 0 none, 2 RDP_NEG_RSP, 3 RDP_NEG_FAILURE */
	uint32_t		 neg_value;	/* selectedProtocol or failureCode */
	/* stray bytes */
	uint32_t		 skipped;
	/* frames: the client's ask, the server's answer (or greeting) */
	uint64_t		 request_frame, answered_frame;
	int64_t			 sec;
	uint32_t		 nsec;
	uint64_t		 frame;		/* the deciding frame */
	bool			 open;		/* started, outcome not yet known */
};

enum sd_prelude_state {
	SD_PRELUDE_WAIT = 0,	/* plaintext, no upgrade asked for */
	SD_PRELUDE_REQUESTED,	/* the client asked (STARTTLS, CONNECT): client bytes held */
	SD_PRELUDE_UPGRADED,	/* accepted: TLS follows in both directions */
	SD_PRELUDE_DEAD,	/* parse given up (line too long, not the protocol) */
};

/* What the client asked for. */
enum sd_prelude_ask {
	SD_PRELUDE_ASK_NONE = 0,
	SD_PRELUDE_ASK_STARTTLS,	/* "STARTTLS", "STLS", "AUTH TLS" */
	SD_PRELUDE_ASK_CONNECT,		/* HTTP CONNECT */
	SD_PRELUDE_ASK_LDAP,		/* LDAP StartTLS extended request */
};

struct sd_prelude {
	enum sd_prelude_mode	 mode;
	enum sd_prelude_state	 state;
	enum sd_prelude_ask	 ask;
	uint32_t		 ldap_id;	/* messageID of the StartTLS request */
	char			 tag[32];	/* IMAP tag of the STARTTLS command */
	bool			 in_answer;	/* HTTP: status line seen, reading its header */
	bool			 in_request;	/* HTTP: CONNECT line seen, reading its header */
	bool			 connect_open;	/* a CONNECT whose event is not yet emitted */
	bool			 refused;	/* the last CONNECT was refused: no tunnel */
	bool			 connect_done;	/* an answered CONNECT to emit now (caller clears) */
	struct sd_http_connect	 connect;
	bool			 pre_done;	/* a prelude event to emit now (caller clears) */
	struct sd_preamble_ev	 pre;		/* binary preambles (dissect/preamble.c) */
};

/* Start a prelude parse; `first` is the first payload seen (either direction). */
void		sd_prelude_init(struct sd_prelude *, struct sd_rd first);

/*
 * Parse what one direction (0 client, 1 server) sent: complete lines (or LDAP messages)
 * only.  *consumed is what was parsed; the caller drops those bytes and calls again with
 * more.  While state is REQUESTED the client's bytes are not consumed (they are the TLS
 * hello once the server accepts).  `frame`/`sec`/`nsec` identify the packet being fed.
 * When connect_done becomes true, p->connect holds an answered CONNECT for the caller
 * to emit.  Returns SD_OK, or SD_MALFORMED when the state became DEAD.
 */
enum sd_rc	sd_prelude_feed(struct sd_prelude *, int dir, struct sd_rd in, uint64_t frame,
		    int64_t sec, uint32_t nsec, size_t *consumed);

/*
 * Which probe takes the first payload of a TCP flow (either direction): SD_OK with *kind
 * (SD_PREAMBLE_NONE: none), *skip the stray bytes before a ClientHello; SD_NEED_MORE when
 * too few bytes are there to tell TLS from the rest, or when unknown bytes are fewer than
 * SD_PREAMBLE_MAX_STRAY + 11 (a ClientHello may follow them in the next segment).
 */
enum sd_rc	sd_preamble_probe(struct sd_rd first, enum sd_preamble *kind, size_t *skip);
/* Start the parse of a preamble that sd_preamble_probe() found. */
void		sd_prelude_start(struct sd_prelude *, enum sd_preamble kind, size_t skip,
		    uint64_t frame, int64_t sec, uint32_t nsec);
const char	*sd_preamble_name(enum sd_preamble);
/* Names of an RDP protocol bit (PROTOCOL_SSL "ssl"...) and of an RDP_NEG_FAILURE code. */
const char	*sd_rdp_protocol_name(uint32_t bit);
const char	*sd_rdp_failure_name(uint32_t code);
/* Meaning of a SOCKS4 reply code (90..93), or NULL. */
const char	*sd_socks4_reply_text(int code);
/* Binary preambles: the part of sd_prelude_feed() for modes SOCKS4, MYSQL, RDP. */
enum sd_rc	sd_preamble_feed(struct sd_prelude *, int dir, struct sd_rd in, uint64_t frame,
		    int64_t sec, uint32_t nsec, size_t *consumed);
/* At flow end: true when a started preamble has no outcome yet (it becomes "unanswered"). */
bool		sd_preamble_close(struct sd_prelude *);

/* Parse "CONNECT host:port HTTP/1.x" into target; false if it is not a CONNECT line. */
bool		sd_prelude_parse_connect(struct sd_rd line, char *target, size_t n);
/* Parse "HTTP/1.x NNN reason": false if not a status line. */
bool		sd_prelude_parse_status(struct sd_rd line, int *status, char *reason, size_t n);

#endif /* SD_DISSECT_PRELUDE_H */
