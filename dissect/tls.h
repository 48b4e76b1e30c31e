/* dissect/tls.h - TLS/DTLS records and handshakes (RFC 8446, 5246, 6347, 9147). */
#ifndef SD_DISSECT_TLS_H
#define SD_DISSECT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/event.h"
#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

/* Record content types (RFC 8446 §5.1, RFC 6520). */
#define SD_TLS_CT_CCS		20
#define SD_TLS_CT_ALERT		21
#define SD_TLS_CT_HANDSHAKE	22
#define SD_TLS_CT_APPDATA	23
#define SD_TLS_CT_HEARTBEAT	24

/* Handshake types. */
#define SD_TLS_HS_CLIENT_HELLO		1
#define SD_TLS_HS_SERVER_HELLO		2
#define SD_TLS_HS_HELLO_VERIFY_REQUEST	3
#define SD_TLS_HS_NEW_SESSION_TICKET	4
#define SD_TLS_HS_CERTIFICATE		11
#define SD_TLS_HS_SERVER_KEY_EXCHANGE	12
#define SD_TLS_HS_CERTIFICATE_REQUEST	13
#define SD_TLS_HS_SERVER_HELLO_DONE	14
#define SD_TLS_HS_CLIENT_KEY_EXCHANGE	16
#define SD_TLS_HS_FINISHED		20
#define SD_TLS_HS_KEY_UPDATE		24

/* Extension types used by the parser. */
#define SD_TLS_EXT_SERVER_NAME		0
#define SD_TLS_EXT_SUPPORTED_GROUPS	10
#define SD_TLS_EXT_EC_POINT_FORMATS	11
#define SD_TLS_EXT_SIG_ALGS		13
#define SD_TLS_EXT_ALPN			16
#define SD_TLS_EXT_SESSION_TICKET	35
#define SD_TLS_EXT_PRE_SHARED_KEY	41
#define SD_TLS_EXT_EARLY_DATA		42
#define SD_TLS_EXT_SUPPORTED_VERSIONS	43
#define SD_TLS_EXT_PSK_KEY_EXCHANGE_MODES 45
#define SD_TLS_EXT_KEY_SHARE		51
#define SD_TLS_EXT_ECH			0xfe0d	/* encrypted_client_hello (draft-ietf-tls-esni) */

#define SD_TLS_MAX_RECORD	(16384 + 2048)	/* TLSCiphertext.length limit */
#define SD_TLS_MAX_HS_MSG	(64 * 1024)	/* reassembly cap per handshake message */
#define SD_TLS_MAX_CERTS	32		/* certificates kept per Certificate message */

/* A GREASE value (RFC 8701): 0x?a?a with both bytes equal. */
static inline bool
sd_tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* The packet that delivered the newest bytes (frame of the event). */
struct sd_tls_pkt {
	uint64_t	 frame;
	int64_t		 ts_sec;
	uint32_t	 ts_nsec;
};

/* sd_tls_client_hello.flags and sd_tls_server_hello.flags: oddities, not judgements. */
#define SD_TLS_HELLO_SSLV2		0x0001	/* SSLv2-compatible ClientHello */
#define SD_TLS_HELLO_DUP_EXT		0x0002	/* an extension type appears twice */
#define SD_TLS_HELLO_BAD_EXT		0x0004	/* an extension body did not parse */
#define SD_TLS_HELLO_NO_EXTENSIONS	0x0008	/* extensions block absent */
#define SD_TLS_HELLO_TRAILING		0x0010	/* bytes after the extensions block */

/*
 * Where a ClientHello, ServerHello or Certificate breaks the spec: the parser stops at the
 * first field at fault, keeps what it read before and names that field (the event's
 * `malformed`, docs/events.md).  Facts, not a verdict; lengths are the wire's.
 */
struct sd_tls_fault {
	const char	*what;		/* stable name (sd_tls_fault_text); NULL: parsed whole */
	uint32_t	 offset;	/* in the message body: where the field at fault starts */
	uint32_t	 declared;	/* the length it declares */
	uint32_t	 avail;		/* the bytes there were for it */
	bool		 len_cut;	/* its length field itself is cut (declared unknown) */
	uint32_t	 index;		/* extension_overrun, certificate_*: which one, from 1 */
	bool		 has_ext_type;
	uint16_t	 ext_type;	/* extension_overrun: its type, when its header was read */
};
/* The fault as a short sentence with its numbers ("cipher_suites length 5 is odd");
 * returns the length written (snprintf's contract). */
size_t	sd_tls_fault_text(const struct sd_tls_fault *, char *buf, size_t n);

/* sd_tls_client_hello.parsed, sd_tls_server_hello.parsed: the fields read before a fault,
 * in wire order (a ServerHello has no cookie, and one cipher_suite for SD_TLS_P_SUITES). */
#define SD_TLS_P_NONE		0
#define SD_TLS_P_VERSION	1	/* legacy_version */
#define SD_TLS_P_RANDOM		2
#define SD_TLS_P_SESSION_ID	3
#define SD_TLS_P_COOKIE		4	/* DTLS ClientHello */
#define SD_TLS_P_SUITES		5	/* cipher_suites / cipher_suite */
#define SD_TLS_P_COMPRESSION	6
#define SD_TLS_P_EXTENSIONS	7	/* the extensions block was entered: the extensions
					 * before the fault are parsed */
#define SD_TLS_P_ALL		8

/*
 * ClientHello (RFC 8446 §4.1.2) or SSLv2-compatible ClientHello (RFC 5246 Appendix E.2).
 * Every sd_rd borrows from the reassembled message; lists are raw big-endian u16 arrays
 * (ciphers: u24 for SSLv2, see cipher_width).  Valid for the emit call only.
 */
struct sd_tls_client_hello {
	bool		 dtls;
	uint16_t	 record_version;	/* version of the record that carried it */
	uint16_t	 legacy_version;
	uint8_t		 random[32];	/* SSLv2: challenge, right-aligned, zero-padded */
	struct sd_rd	 session_id;
	struct sd_rd	 cookie;	/* DTLS only */
	struct sd_rd	 ciphers;	/* raw cipher suite list */
	uint8_t		 cipher_width;	/* 2, or 3 for SSLv2 cipher specs */
	struct sd_rd	 compression;
	struct sd_rd	 extensions;	/* raw extension block (type, len, body)* */
	bool		 has_sni;
	struct sd_rd	 sni;		/* first host_name */
	struct sd_rd	 alpn;		/* ProtocolNameList body: (len8, name)* */
	bool		 has_supported_versions;
	struct sd_rd	 supported_versions;	/* u16 list */
	struct sd_rd	 groups;	/* u16 list */
	struct sd_rd	 point_formats;	/* u8 list */
	struct sd_rd	 sig_algs;	/* u16 list */
	uint32_t	 flags;		/* SD_TLS_HELLO_* */
	bool		 retransmit;	/* DTLS: same message_seq and bytes seen before */
	uint16_t	 epoch, message_seq;	/* DTLS record epoch and handshake message_seq */
	struct sd_rd	 key_shares;	/* key_share client_shares: (group u16, key<u16>)* */
	bool		 has_key_share;
	bool		 psk;		/* pre_shared_key extension present */
	struct sd_rd	 psk_modes;	/* psk_key_exchange_modes: u8 list */
	bool		 early_data;	/* early_data extension present */
	bool		 has_session_ticket;	/* session_ticket extension present */
	uint16_t	 session_ticket_len;	/* its body length (0: empty offer) */
	bool		 ech;		/* encrypted_client_hello (0xfe0d) present */
	uint8_t		 parsed;	/* SD_TLS_P_*: SD_TLS_P_ALL unless fault.what */
	struct sd_tls_fault fault;	/* what == NULL: well formed */
};

/* ServerHello or HelloRetryRequest (RFC 8446 §4.1.3). */
struct sd_tls_server_hello {
	bool		 dtls;
	uint16_t	 record_version;
	uint16_t	 legacy_version;
	uint16_t	 version;	/* supported_versions when present, else legacy_version */
	uint8_t		 random[32];
	struct sd_rd	 session_id;
	uint16_t	 cipher;
	uint8_t		 compression;
	struct sd_rd	 extensions;	/* raw extension block */
	bool		 hello_retry;	/* random is the HRR magic (RFC 8446 §4.1.3) */
	bool		 has_supported_versions;
	bool		 has_alpn;
	struct sd_rd	 alpn;		/* selected protocol name */
	uint16_t	 key_share_group;	/* key_share: the HRR's selected_group or the
					 * ServerHello's share group (RFC 8446 §4.2.8); 0 if none */
	uint32_t	 flags;		/* SD_TLS_HELLO_* */
	bool		 retransmit;	/* DTLS: same message_seq and bytes seen before */
	uint16_t	 epoch, message_seq;	/* DTLS */
	bool		 psk;		/* pre_shared_key extension (TLS 1.3: PSK accepted) */
	uint8_t		 resumed;	/* SD_TLS_RESUMED_*, from the connection's ClientHello */
	uint8_t		 parsed;	/* SD_TLS_P_* */
	struct sd_tls_fault fault;
};

/* How a ServerHello resumes a session (sd_tls_server_hello.resumed, tls.session). */
#define SD_TLS_RESUMED_NO		0
#define SD_TLS_RESUMED_SESSION_ID	1	/* TLS <= 1.2: the ClientHello's session id echoed */
#define SD_TLS_RESUMED_TICKET		2	/* same, and the ClientHello carried a ticket */
#define SD_TLS_RESUMED_PSK		3	/* TLS 1.3 ServerHello with pre_shared_key */
/* "session_id", "ticket", "psk", or NULL for SD_TLS_RESUMED_NO. */
const char	*sd_tls_resumed_name(uint8_t);
/* Name of a handshake message type ("client_hello", ...), NULL when unknown. */
const char	*sd_tls_hs_name(uint8_t);
/* Key exchange of a cipher suite from its registry name: "ecdhe", "dhe", "rsa", "psk",
 * "ecdhe_psk", "dhe_psk", "rsa_psk", "dh_anon", "ecdh_anon", "rsa_export", "dhe_export",
 * "dh", "ecdh", "tls13" (TLS 1.3 suites), ...; NULL when unknown. */
const char	*sd_tls_cipher_kex(uint16_t);

/* Certificate (TLS <= 1.2 / DTLS <= 1.2 layout: certificate_list<0..2^24-1>). */
struct sd_tls_certificate {
	bool		 dtls;
	uint32_t	 count;		/* certificates in the message */
	uint32_t	 kept;		/* of which in der[] (count > kept: SD_TLS_MAX_CERTS) */
	struct sd_rd	 der[SD_TLS_MAX_CERTS];	/* borrowed DER of each, in order sent */
	bool		 tls13;		/* TLS 1.3 layout (context, per-entry extensions) */
	bool		 decrypted;	/* read from a TLS 1.3 record decrypted with a key log */
	bool		 retransmit;	/* DTLS: same message_seq and bytes seen before */
	uint16_t	 epoch, message_seq;	/* DTLS */
	struct sd_tls_fault fault;	/* what: der[] holds the certificates before it */
};

#define SD_TLS_MAX_CA_NAMES	16	/* DistinguishedNames kept per CertificateRequest */

/* CertificateRequest (TLS <= 1.2, RFC 5246 §7.4.4; DTLS the same). */
struct sd_tls_certificate_request {
	bool		 dtls;
	struct sd_rd	 cert_types;	/* u8 list */
	bool		 has_sig_algs;	/* TLS 1.2 / DTLS 1.2 layout */
	struct sd_rd	 sig_algs;	/* u16 list */
	uint32_t	 ca_count;	/* DistinguishedNames in the message */
	uint32_t	 ca_kept;	/* of which in ca[] */
	struct sd_rd	 ca[SD_TLS_MAX_CA_NAMES];	/* borrowed DER of each Name */
	bool		 tls13;		/* TLS 1.3 layout: no cert_types, extensions instead */
	bool		 decrypted;	/* read from a record decrypted with a key log */
	bool		 retransmit;
	uint16_t	 epoch, message_seq;	/* DTLS */
};

/* ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4, RFC 4279 §2). */
struct sd_tls_server_key_exchange {
	bool		 dtls;
	const char	*kex;		/* sd_tls_cipher_kex() of the negotiated suite, or NULL */
	bool		 has_group;	/* ECDHE named_curve (curve_type 3) */
	uint16_t	 group;
	uint8_t		 curve_type;	/* ECDHE ECParameters.curve_type (0 when not ECDHE) */
	uint32_t	 dh_bits;	/* DHE: bits of dh_p (0 when not DHE) */
	bool		 has_sig_alg;	/* TLS 1.2 SignatureAndHashAlgorithm */
	uint16_t	 sig_alg;
	bool		 parsed;	/* the parameters matched the expected layout */
	bool		 retransmit;
	uint16_t	 epoch, message_seq;	/* DTLS */
};

/* TLS 1.3: the first protected record of one side after the ServerHello. */
struct sd_tls_encrypted_handshake {
	bool		 dtls;
	uint8_t		 sender;	/* SD_ROLE_* */
	uint32_t	 records;	/* 1 */
};

/* Where the connection was when something happened (alerts, tls.session). */
#define SD_TLS_AFTER_NONE	0	/* the peer had sent nothing */
#define SD_TLS_AFTER_HS		1	/* a clear handshake message: after_hs */
#define SD_TLS_AFTER_ENC_HS	2	/* a protected handshake record */
#define SD_TLS_AFTER_APPDATA	3	/* application data */
#define SD_TLS_AFTER_CCS	4	/* ChangeCipherSpec */
#define SD_TLS_AFTER_ALERT	5

struct sd_tls_alert {
	bool		 dtls;
	bool		 encrypted;	/* protected record: level/description unknown */
	bool		 decrypted;	/* TLS 1.3 protected record read with a key log */
	uint16_t	 record_version;
	uint8_t		 level;		/* valid when !encrypted */
	uint8_t		 description;
	uint16_t	 length;	/* record body length */
	/* context, from the connection */
	uint8_t		 sender;	/* SD_ROLE_* */
	uint8_t		 after;		/* SD_TLS_AFTER_*: the peer's last record before it */
	uint8_t		 after_hs;	/* handshake type when after == SD_TLS_AFTER_HS */
	bool		 has_peer_hs;	/* the peer had sent a handshake message in clear */
	uint8_t		 peer_hs;	/* its last one (even if records followed it) */
	bool		 has_since_peer;
	uint64_t	 since_peer_ms;	/* since the peer's last record */
	bool		 has_since_client_hello;
	uint64_t	 since_client_hello_ms;
	bool		 application;	/* the sender had sent application data before */
};
/* Name of an alert's `after` ("server_hello_done", "application_data", ...) or NULL. */
const char	*sd_tls_after_name(uint8_t after, uint8_t after_hs);

struct sd_dtls_hello_verify_request {
	uint16_t	 server_version;
	struct sd_rd	 cookie;
	bool		 retransmit;	/* same message_seq and bytes seen before */
	uint16_t	 epoch, message_seq;
};

#define SD_TLS_SESSION_ALERTS	8	/* alerts kept in tls.session */

struct sd_tls_session_alert {
	uint8_t		 sender, level, description;
	bool		 encrypted;
	bool		 decrypted;	/* read with a key log (level/description known) */
	bool		 by_length;	/* TLS 1.3: a protected record of an alert's exact size */
	uint64_t	 frame;
};

/* sd_tls_session.keylog: TLS 1.3 decryption with a key log (--keylog, pcapng DSB). */
#define SD_TLS_KEYLOG_NONE	0	/* no key log given, or not TLS 1.3 */
#define SD_TLS_KEYLOG_NO_KEYS	1	/* the key log has no secrets for this client random */
#define SD_TLS_KEYLOG_DECRYPTED	2	/* records decrypted */
#define SD_TLS_KEYLOG_FAILED	3	/* a record failed authentication: wrong keys */
#define SD_TLS_KEYLOG_UNSUPPORTED 4	/* keys logged, cipher suite not decrypted */
/* "no_keys", "decrypted", "failed", "unsupported", or NULL for SD_TLS_KEYLOG_NONE. */
const char	*sd_tls_keylog_name(uint8_t);
/* Is ev a TLS message read from a record decrypted with a key log (certificate,
 * certificate_request, alert)? */
bool		 sd_tls_ev_decrypted(const struct sd_event *);

/*
 * TLS 1.3 record decryption (engine/hooks.h; adapt/tls13.c fills it from a key log).  The
 * parsers link no cryptography: they count records and key epochs and hand each record
 * to the hook.  A hook with open == NULL turns decryption off (the default: no cost).
 */
struct sd_tls_decrypt_hook {
	/*
	 * Keys of a TLS 1.3 connection with this ClientHello.random and suite: the hook's
	 * state for it, charged to mc, or NULL with *why = SD_TLS_KEYLOG_NO_KEYS or
	 * SD_TLS_KEYLOG_UNSUPPORTED.
	 */
	void	*(*open)(void *ctx, struct sd_memcap *mc, const uint8_t client_random[32],
		    uint16_t cipher, uint8_t *why);
	/*
	 * Decrypt one record of direction dir (SD_ROLE_*): key epoch 0 is the handshake
	 * traffic secret, 1 the application traffic secret 0, n + 1 the one after n
	 * KeyUpdates; seq its record number within the epoch; hdr the 5-byte record header
	 * (the additional data); body len bytes of ciphertext and tag.  Writes the
	 * TLSInnerPlaintext to out (room for len bytes) and returns its length, or -1 when
	 * the tag does not authenticate (or the epoch's secret is not logged).
	 */
	int	(*record)(void *ctx, void *state, int dir, unsigned epoch, uint64_t seq,
		    const uint8_t hdr[5], const uint8_t *body, size_t len, uint8_t *out);
	/* The connection ends: forget the keys (failed: a record did not authenticate). */
	void	(*close)(void *ctx, void *state, struct sd_memcap *mc, bool failed);
	void	*ctx;
};

/* TLS 1.3 records bigger than this are not decrypted after the handshake: application
 * data is not ours to read, only alerts and KeyUpdates (a few dozen bytes) are. */
#define SD_TLS13_DECRYPT_SMALL	256

/* tls.session: one per connection, when its state is freed (sd_tls_conn_end). */
struct sd_tls_session {
	bool		 dtls;
	uint16_t	 version, cipher;	/* 0 / has_server_hello false: none seen */
	bool		 has_server_hello;
	bool		 has_sni;
	uint16_t	 sni_len;
	char		 sni[256];	/* raw bytes, sni_len of them */
	uint8_t		 resumed;	/* SD_TLS_RESUMED_* */
	bool		 abbreviated;	/* TLS <= 1.2: server CCS right after ServerHello */
	uint64_t	 client_hello_frame, server_hello_frame;	/* 0: none */
	bool		 handshake_complete;
	uint64_t	 app_data[2];	/* application data records per side */
	uint32_t	 nalerts;	/* alerts seen (alerts[] keeps SD_TLS_SESSION_ALERTS) */
	struct sd_tls_session_alert alerts[SD_TLS_SESSION_ALERTS];
	bool		 client_cert_requested, client_cert_sent;
	bool		 encrypted_handshake;	/* TLS 1.3 protected handshake seen */
	uint8_t		 keylog;	/* SD_TLS_KEYLOG_*: what the key log did for it */
	uint16_t	 epochs[2];	/* DTLS: highest epoch per side */
	uint64_t	 retransmits;	/* DTLS: handshake messages seen again */
};

/* --- message parsers (dissect/tls_handshake.c, tls_ext.c) --- */

/*
 * Parse a ClientHello body (after the handshake header).  Fills ja3/ja4 too.  The hello,
 * ServerHello and Certificate parsers return SD_MALFORMED with the struct's fault set and
 * the fields before it filled (parsed says which): a partial message is still a fact.
 */
enum sd_rc	sd_tls_parse_client_hello(struct sd_rd body, bool dtls,
		    struct sd_tls_client_hello *);
/* Parse an SSLv2 CLIENT-HELLO message body (after the 2-byte length, from msg_type on). */
enum sd_rc	sd_tls_parse_sslv2_client_hello(struct sd_rd msg, struct sd_tls_client_hello *);
enum sd_rc	sd_tls_parse_server_hello(struct sd_rd body, bool dtls,
		    struct sd_tls_server_hello *);
/* TLS 1.2-style Certificate; TLS 1.3 layout (context + entries) too when tls13. */
enum sd_rc	sd_tls_parse_certificate(struct sd_rd body, bool tls13,
		    struct sd_tls_certificate *);
enum sd_rc	sd_dtls_parse_hello_verify_request(struct sd_rd body,
		    struct sd_dtls_hello_verify_request *);
/* Extensions of a ClientHello: fills sni/alpn/groups/... from ch->extensions.  On
 * SD_MALFORMED ch->fault is set (offset within the extensions block). */
enum sd_rc	sd_tls_parse_ch_extensions(struct sd_tls_client_hello *);
enum sd_rc	sd_tls_parse_sh_extensions(struct sd_tls_server_hello *);

/* --- fingerprints (dissect/fingerprint.c, hashes in dissect/hash.c) --- */

/* JA3 string (decimal fields) of a parsed ClientHello into buf; returns its length
 * (truncated at bufsize - 1 like snprintf, NUL-terminated when bufsize > 0). */
size_t	sd_tls_ja3_string(const struct sd_tls_client_hello *, char *buf, size_t bufsize);
void	sd_tls_ja3(const struct sd_tls_client_hello *, char out[33]);
void	sd_tls_ja3s(const struct sd_tls_server_hello *, char out[33]);
void	sd_tls_ja4(const struct sd_tls_client_hello *, char out[40]);
/*
 * The fingerprints of a hello as its event gives it: JA3 and JA4 of a ClientHello parsed
 * whole (not SSLv2), JA3S of a ServerHello parsed whole; "" otherwise.  Not computed by
 * the parser: only the outputs that print them (--events, --sessions, JSON findings) ask,
 * while the hello's event is being handed on.
 */
void	sd_tls_hello_fingerprints(const struct sd_tls_client_hello *, char ja3[33],
	    char ja4[40]);
void	sd_tls_server_fingerprint(const struct sd_tls_server_hello *, char ja3s[33]);

/* --- detection --- */

/*
 * Does this look like the start of TLS (udp false) or DTLS (udp true)?  SD_OK: a plausible
 * record header (type 20-24, version 0x0300-0x0304 / DTLS 0xfeff, 0xfefd, 0xfefc, length
 * <= 2^14 + 2048) or an SSLv2-compatible ClientHello; SD_NEED_MORE: too few bytes to say,
 * or (udp) a whole STUN message, after which DTLS may follow on the same flow (WebRTC);
 * SD_UNSUPPORTED: not TLS.
 */
enum sd_rc	sd_tls_probe(struct sd_rd first_bytes, bool udp);
/*
 * TLS after a plaintext prelude (STARTTLS, HTTP CONNECT, PostgreSQL SSLRequest, MySQL
 * SSL request): find the first record in `in` that starts a ClientHello (hello_type 1) or
 * ServerHello (2): 16 03 0x LEN LEN, handshake type, 24-bit length >= 38, 03 0x.  SD_OK
 * with *off its offset; SD_NEED_MORE when a candidate may start in the last 10 bytes
 * (*off: where to look again); SD_UNSUPPORTED when there is none.
 */
enum sd_rc	sd_tls_find_hello(struct sd_rd in, uint8_t hello_type, size_t *off);
/* DTLSPlaintext header sanity: type 20-24, DTLS version, length cap. */
bool		sd_dtls_plausible_header(uint8_t type, uint16_t version, uint16_t len);

/*
 * --- one connection (TCP) or association (UDP), both directions ---
 *
 * Wiring (analyze/): on the first payload of a flow, sd_tls_probe(); on SD_OK create the
 * conn with the flow's memcap and an emit callback that builds the struct sd_event (common
 * fields from the packet; u.msg = msg; direction gives src/dst) and hands it to the sink,
 * where cli/ev_tls.c writes the fields.  TCP, after each segment of direction dir:
 *
 *	rc = sd_tls_feed(c, dir, sd_rd_make(s->buf, s->len), &pkt, &consumed, &skip);
 *	sd_stream_consume(s, mc, consumed);
 *	if (skip > 0)
 *		sd_stream_skip(s, mc, skip);
 *	(rc == SD_MALFORMED: not TLS any more; stop collecting that direction)
 *
 * and sd_tls_gap(c, dir) when the stream skipped a hole (gap_pending).  UDP: one
 * sd_dtls_datagram() per datagram.  Events are emitted during these calls.
 */

struct sd_tls_conn;

typedef void	(*sd_tls_emit_fn)(void *ctx, enum sd_ev_type, union sd_ev_msg msg, int dir,
		    const struct sd_tls_pkt *);

/* Counters and facts kept per connection (read by analyze/). */
struct sd_tls_conn_stats {
	uint64_t	 records[2];
	uint64_t	 hs_messages[2];
	uint64_t	 oversized[2];	/* handshake messages over SD_TLS_MAX_HS_MSG, skipped */
	uint64_t	 malformed[2];	/* records or messages that broke the spec */
	uint64_t	 resyncs[2];	/* bytes skipped hunting for a record header after a gap */
	uint64_t	 dtls_retransmits[2];	/* DTLS handshake messages seen again (re-emitted, flagged) */
	uint64_t	 dtls13_records[2];	/* DTLS 1.3 unified-header (ciphertext) records */
	uint64_t	 heartbeats[2];
	bool		 ccs_seen[2];
	bool		 tls13;		/* ServerHello chose TLS 1.3 */
	uint16_t	 version;	/* negotiated version, 0 until ServerHello */
	uint16_t	 cipher;
};

/*
 * New state for one connection; memory (the struct and reassembly buffers) is charged to
 * mc, which must outlive the conn.  dtls selects sd_dtls_datagram() over sd_tls_feed().
 * NULL when mc refuses or malloc fails.
 */
struct sd_tls_conn	*sd_tls_conn_new(struct sd_memcap *mc, bool dtls, sd_tls_emit_fn emit,
			    void *ctx);
void			 sd_tls_conn_free(struct sd_tls_conn *);	/* NULL-safe */
/*
 * The connection ends (flow end, close or eviction): emit tls.session once, at pkt (the
 * flow's last frame) or, when pkt is NULL, at the last TLS record's frame.  Call before
 * sd_tls_conn_free(); NULL-safe; later calls do nothing.
 */
void			 sd_tls_conn_end(struct sd_tls_conn *, const struct sd_tls_pkt *pkt);
const struct sd_tls_conn_stats *sd_tls_conn_stats(const struct sd_tls_conn *);

/*
 * TCP: parse whole records from `in` (the in-order bytes of direction dir, 0 client,
 * 1 server, starting at a record boundary).  Always sets *consumed (bytes the caller must
 * drop: whole records, plus a record header whose body is skipped) and *skip (bytes right
 * after those that the caller should pass over unbuffered: sd_stream_consume(consumed) then
 * sd_stream_skip(skip)).  Returns SD_NEED_MORE when the next record (or record header) is
 * incomplete, SD_OK when it stopped because of a skip or ran out exactly at a record
 * boundary, SD_MALFORMED when the bytes are not TLS (the direction is then given up, see
 * sd_tls_conn_done), SD_ENOMEM when a cap refused reassembly memory (message skipped).
 * Events are emitted with pkt during the call.
 */
enum sd_rc	sd_tls_feed(struct sd_tls_conn *, int dir, struct sd_rd in,
		    const struct sd_tls_pkt *pkt, size_t *consumed, uint64_t *skip);
/* Bytes were lost in direction dir (TCP gap): drop partial state and hunt for the next
 * plausible record header in later input. */
void		sd_tls_gap(struct sd_tls_conn *, int dir);

/* DTLS: one UDP datagram (several records) of direction dir. */
enum sd_rc	sd_dtls_datagram(struct sd_tls_conn *, int dir, struct sd_rd payload,
		    const struct sd_tls_pkt *);

/* Nothing more of interest but record headers (both directions encrypted or given up). */
bool		sd_tls_conn_done(const struct sd_tls_conn *);

/* --- internals shared by tls_record.c, tls_handshake.c and dtls.c --- */

#define SD_DTLS_SLOTS		4	/* handshake messages reassembled at once per direction */
#define SD_DTLS_SEQS		64	/* message_seq values remembered for retransmissions */

/* One DTLS handshake message being reassembled from fragments. */
struct sd_dtls_frag {
	bool		 used;
	uint8_t		 type;
	uint16_t	 seq;
	uint16_t	 record_version;
	uint32_t	 len;		/* message length */
	uint32_t	 have;		/* distinct bytes received */
	uint8_t		*buf;		/* len bytes, then the coverage bitmap (len + 7) / 8 */
	size_t		 alloc;		/* bytes charged */
	uint64_t	 age;		/* for eviction: the oldest slot goes first */
};

struct sd_tls_dir {
	/* TLS over TCP: handshake bytes reassembled across records */
	uint8_t		*hs;
	size_t		 hs_len, hs_cap;
	uint32_t	 hs_skip;	/* bytes of an oversized message still to drop */
	bool		 encrypted;	/* handshake records of this direction are protected */
	bool		 dead;		/* not TLS (any more): given up */
	bool		 resync;	/* after a gap: hunt for a record header */
	bool		 started;	/* first record seen (SSLv2 hello only first) */
	/* DTLS */
	struct sd_dtls_frag frag[SD_DTLS_SLOTS];
	uint64_t	 frag_clock;
	uint64_t	 seq_done;	/* bit n: message_seq n completed */
	uint32_t	 seq_sum[SD_DTLS_SEQS];	/* FNV-1a of each completed message */
};

/* What the connection remembers for resumption, alerts and tls.session (fixed size). */
struct sd_tls_track {
	uint8_t		 ch_sid[32];	/* the ClientHello's session id */
	uint8_t		 ch_random[32];	/* its random: the key log's index */
	bool		 ch_early_data;	/* it offered 0-RTT data (early_data extension) */
	uint8_t		 ch_sid_len;
	bool		 ch_ticket;	/* the ClientHello carried a non-empty session_ticket */
	bool		 ch_seen;
	struct sd_tls_pkt ch_pkt;	/* first ClientHello */
	bool		 sh_seen;	/* a (non-HRR) ServerHello */
	uint32_t	 server_msgs_after_sh;	/* server handshake messages after it */
	bool		 abbreviated_checked;
	bool		 cert_requested;
	uint32_t	 client_certs;	/* certificates in the client's Certificate */
	bool		 client_cert_msg;	/* the client sent a Certificate message */
	bool		 protected_hs[2];	/* a protected handshake record (Finished) per side */
	bool		 enc_hs_emitted[2];	/* TLS 1.3 tls.encrypted_handshake per side */
	bool		 t13_client_after_server;	/* TLS 1.3: client protected record after the server's flight */
	bool		 t13_server_after_client;	/* then a server record after that */
	uint64_t	 appdata[2];
	uint8_t		 last[2];	/* SD_TLS_AFTER_* of each side's last record */
	uint8_t		 last_hs[2];
	bool		 hs_seen[2];	/* last_hs[] is set */
	bool		 has_last_pkt[2];
	struct sd_tls_pkt last_pkt[2];	/* each side's last record */
	struct sd_tls_pkt last_any;	/* the last record of either side */
	uint16_t	 epochs[2];
	bool		 ended;		/* tls.session emitted */
	struct sd_tls_session sess;
	uint16_t	 cur_epoch, cur_seq;	/* DTLS: of the message being dispatched */
};

struct sd_tls_conn {
	struct sd_memcap	*mc;
	bool			 dtls;
	sd_tls_emit_fn		 emit;
	void			*ctx;
	struct sd_tls_dir	 d[2];
	struct sd_tls_conn_stats st;
	bool			 retransmit;	/* the message being dispatched is a DTLS retransmission */
	struct sd_tls_track	 t;
	/* TLS 1.3 decryption with a key log (sd_tls_conn_set_decrypt) */
	const struct sd_tls_decrypt_hook *dh;	/* NULL: off */
	void			*dec;		/* the hook's state, NULL: no keys */
	uint8_t			 keylog;	/* SD_TLS_KEYLOG_* */
	bool			 decrypting;	/* the message dispatched came out of a decrypted record */
	struct {
		unsigned	 epoch;		/* 0 handshake, 1 application, +1 per KeyUpdate */
		uint64_t	 seq;		/* records of this direction in the epoch */
		bool		 off;		/* authentication failed: stop */
		uint32_t	 skipped;	/* client: 0-RTT records passed over (RFC 8446 §4.2.10) */
	}			 dd[2];
};

/* Decrypt TLS 1.3 records with this hook (borrowed, outlives the conn); NULL or a hook
 * without open: off.  Call before the first sd_tls_feed. */
void	sd_tls_conn_set_decrypt(struct sd_tls_conn *, const struct sd_tls_decrypt_hook *);

/* Reassembly memory, charged to c->mc (tls_record.c). */
void	*sd_tls_alloc(struct sd_tls_conn *, size_t);
void	 sd_tls_release(struct sd_tls_conn *, void *, size_t);


/* Dispatch one complete handshake message (type, body) of direction dir. */
void	sd_tls_handshake_msg(struct sd_tls_conn *, int dir, uint8_t type, struct sd_rd body,
	    uint16_t record_version, const struct sd_tls_pkt *);
/* Handle one alert record body. */
void	sd_tls_alert_record(struct sd_tls_conn *, int dir, struct sd_rd body,
	    uint16_t record_version, bool encrypted, const struct sd_tls_pkt *);
/*
 * Record-level bookkeeping for tls.session, alert context and tls.encrypted_handshake
 * (tls_record.c): call once per record of direction dir, after
 * the record was handled.  prot: the record is protected (a Finished, TLS 1.3 flight,
 * encrypted alert or application data); len: the record body length (0: unknown).
 */
void	sd_tls_note_record(struct sd_tls_conn *, int dir, uint8_t type, bool prot,
	    size_t len, const struct sd_tls_pkt *);
/* CertificateRequest and ServerKeyExchange bodies (tls_handshake.c). */
enum sd_rc	sd_tls_parse_certificate_request(struct sd_rd body, bool tls12,
		    struct sd_tls_certificate_request *);
/* TLS 1.3 CertificateRequest (RFC 8446 §4.3.2): context, signature_algorithms and
 * certificate_authorities from the extensions. */
enum sd_rc	sd_tls_parse_certificate_request13(struct sd_rd body,
		    struct sd_tls_certificate_request *);
enum sd_rc	sd_tls_parse_server_key_exchange(struct sd_rd body, const char *kex, bool tls12,
		    struct sd_tls_server_key_exchange *);

#endif /* SD_DISSECT_TLS_H */
