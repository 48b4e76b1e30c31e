/* dissect/prelude.h - plaintext that upgrades a TCP connection to TLS: STARTTLS (SMTP RFC 3207,
 * IMAP RFC 9051 §6.2.1, POP3 RFC 2595 §4, FTP RFC 4217 §4, NNTP RFC 4642, LDAP RFC 4511
 * §4.14) and HTTP CONNECT (RFC 9110 §9.3.6). */
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
	SD_PRELUDE_GENERIC,	/* not understood (XMPP, PostgreSQL, SOCKS): look for a hello */
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

/* Parse "CONNECT host:port HTTP/1.x" into target; false if it is not a CONNECT line. */
bool		sd_prelude_parse_connect(struct sd_rd line, char *target, size_t n);
/* Parse "HTTP/1.x NNN reason": false if not a status line. */
bool		sd_prelude_parse_status(struct sd_rd line, int *status, char *reason, size_t n);

#endif /* SD_DISSECT_PRELUDE_H */
