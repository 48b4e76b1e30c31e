/* dissect/keylog.h - TLS key log lines (the SSLKEYLOGFILE format of NSS, OpenSSL, curl,
 * browsers; draft-ietf-tls-keylogfile), kept by client random in a bounded table. */
#ifndef SD_DISSECT_KEYLOG_H
#define SD_DISSECT_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"

/* The secrets a line can name; index of sd_keylog_secrets.s[]. */
enum sd_keylog_label {
	SD_KL_CLIENT_RANDOM = 0,		/* TLS <= 1.2 master secret (48 bytes) */
	SD_KL_CLIENT_EARLY_TRAFFIC_SECRET,
	SD_KL_EARLY_EXPORTER_SECRET,
	SD_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	SD_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET,
	SD_KL_CLIENT_TRAFFIC_SECRET_0,
	SD_KL_SERVER_TRAFFIC_SECRET_0,
	SD_KL_EXPORTER_SECRET,
	SD_KL_NLABELS
};

#define SD_KEYLOG_MAX_SECRET	64	/* SHA-512 sized; TLS 1.3 suites use 32 or 48 */
#define SD_KEYLOG_MAX_ENTRIES	65536	/* connections kept (least recently used goes) */

struct sd_keylog_secret {
	uint8_t		 len;		/* 0: not logged */
	uint8_t		 b[SD_KEYLOG_MAX_SECRET];
};

/* The secrets of one connection (one client random). */
struct sd_keylog_secrets {
	struct sd_keylog_secret s[SD_KL_NLABELS];
};

struct sd_keylog_stats {
	uint64_t	 lines;		/* secret lines accepted */
	uint64_t	 malformed;	/* lines that are neither a secret, a comment nor empty */
	uint64_t	 first_bad_line;	/* line number (1-based, per text) of the first; 0 none */
	uint64_t	 refused;	/* lines not kept: the table or memcap had no room */
};

struct sd_keylog;

/* An empty key log; its entries are charged to mc (may be NULL).  NULL on no memory. */
struct sd_keylog	*sd_keylog_new(struct sd_memcap *mc);
void			 sd_keylog_free(struct sd_keylog *);	/* NULL-safe */
/*
 * Add the lines of one text (a file, or a pcapng Decryption Secrets Block): LABEL SP
 * hex(client_random, 32 bytes) SP hex(secret) per line, LF or CRLF, '#' comments and empty
 * lines allowed, unknown labels ignored (not malformed: the format grows).  Malformed
 * lines are counted in the stats; line numbers restart with each text (first_bad_line is
 * that of the first text that had one).  Nothing is kept from `text` after the call.
 */
void			 sd_keylog_add(struct sd_keylog *, const char *text, size_t len);
/* The secrets logged for a client random, or NULL.  Borrowed until the next add/free. */
const struct sd_keylog_secrets *sd_keylog_find(struct sd_keylog *, const uint8_t random[32]);
const struct sd_keylog_stats *sd_keylog_stats(const struct sd_keylog *);
/* Connections (client randoms) with at least one secret. */
size_t			 sd_keylog_count(const struct sd_keylog *);

#endif /* SD_DISSECT_KEYLOG_H */
