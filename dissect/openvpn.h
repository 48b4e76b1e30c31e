/* dissect/openvpn.h - OpenVPN packets (opcode, session, tls-auth / tls-crypt wrapping, ACKs,
 * message packet-id) and the TLS byte stream of its control channel, reassembled per
 * direction in message packet-id order (OpenVPN's reliable layer, ssl_pkt.h / reliable.c). */
#ifndef SD_DISSECT_OPENVPN_H
#define SD_DISSECT_OPENVPN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"
#include "dissect/tls.h"

#define SD_OVPN_PORT	1194

/* Opcodes: the high 5 bits of the first byte; the low 3 bits are the key id. */
#define SD_OVPN_HARD_RESET_CLIENT_V1	1
#define SD_OVPN_HARD_RESET_SERVER_V1	2
#define SD_OVPN_SOFT_RESET_V1		3
#define SD_OVPN_CONTROL_V1		4
#define SD_OVPN_ACK_V1			5
#define SD_OVPN_DATA_V1			6
#define SD_OVPN_HARD_RESET_CLIENT_V2	7
#define SD_OVPN_HARD_RESET_SERVER_V2	8
#define SD_OVPN_DATA_V2			9
#define SD_OVPN_HARD_RESET_CLIENT_V3	10	/* tls-crypt-v2 */
#define SD_OVPN_CONTROL_WKC_V1		11	/* tls-crypt-v2: wrapped client key */

#define SD_OVPN_MAX_ACKS	8	/* packet ids in one ACK array (OpenVPN: RELIABLE_ACK_SIZE) */

/* How control packets are wrapped: --tls-auth adds an HMAC, a replay packet-id and a time;
 * --tls-crypt (and v2) encrypts everything after the session id, TLS included. */
enum sd_ovpn_auth {
	SD_OVPN_AUTH_NONE = 0,
	SD_OVPN_AUTH_HMAC,	/* tls-auth: hmac_len bytes of HMAC */
	SD_OVPN_AUTH_CRYPT,	/* tls-crypt / tls-crypt-v2: nothing readable */
};

struct sd_ovpn_wrap {
	enum sd_ovpn_auth	 auth;
	uint8_t			 hmac_len;	/* 16, 20, 32, 48 or 64 with SD_OVPN_AUTH_HMAC */
};

/* One parsed packet; payload borrows from the input. */
struct sd_ovpn_pkt {
	uint8_t		 opcode, key_id;
	uint64_t	 session_id;
	uint32_t	 replay_id, net_time;	/* tls-auth / tls-crypt only */
	uint8_t		 nacks;
	uint32_t	 acks[SD_OVPN_MAX_ACKS];
	uint64_t	 remote_session;	/* when nacks > 0 */
	bool		 has_msg_id;		/* every control opcode but ACK */
	uint32_t	 msg_id;
	struct sd_rd	 payload;	/* CONTROL_V1: TLS bytes; resets: options (early negotiation) */
};

/* "P_CONTROL_V1", ...; NULL for an opcode OpenVPN does not define. */
const char	*sd_ovpn_opcode_name(uint8_t opcode);
/* Opcodes with a session id and the reliable-layer header (all but DATA_V1/V2). */
bool		 sd_ovpn_is_control(uint8_t opcode);

/*
 * Parse one packet (UDP payload, or a TCP frame without its length) wrapped as w.
 * SD_OK; SD_UNSUPPORTED for data packets (no header beyond the opcode) and for tls-crypt
 * (session id only: the rest is encrypted); SD_MALFORMED for an unknown opcode, an ACK
 * array over SD_OVPN_MAX_ACKS or fields running past the end.
 */
enum sd_rc	sd_ovpn_parse(struct sd_rd, const struct sd_ovpn_wrap *, struct sd_ovpn_pkt *);

/*
 * Tell how a control packet is wrapped; nothing says so on the wire.  Wireshark
 * (packet-openvpn.c) guesses tls-auth from the entropy of the bytes after the session id
 * and takes the HMAC length from a preference; here every HMAC length is tried and the
 * fields that follow must make sense: a small replay packet-id, a time within a year of
 * now_sec (the capture's clock), an ACK array that fits, and for an ACK exactly its size.
 * tls-crypt is the replay packet-id and time right after the session id.  SD_OK with *w;
 * SD_UNSUPPORTED when no reading fits (not OpenVPN, or a data packet).
 */
enum sd_rc	sd_ovpn_detect(struct sd_rd, int64_t now_sec, struct sd_ovpn_wrap *);

/*
 * Could this be the first packet of an OpenVPN connection on a port other than 1194?
 * A HARD_RESET_CLIENT (key id 0) whose wrapping sd_ovpn_detect() can tell and whose message
 * packet-id is 0.  tcp: `in` is the stream with its 2-byte length prefix.  SD_OK,
 * SD_NEED_MORE (TCP: the first frame is incomplete), else SD_UNSUPPORTED.
 */
enum sd_rc	sd_ovpn_probe(struct sd_rd in, bool tcp, int64_t now_sec);

/*
 * TCP framing: a 16-bit length (not counting itself), then the packet.  SD_OK with *pkt
 * borrowing the packet and *consumed its bytes plus 2; SD_NEED_MORE; SD_MALFORMED for a
 * length of 0.
 */
enum sd_rc	sd_ovpn_tcp_frame(struct sd_rd in, struct sd_rd *pkt, size_t *consumed);

/* --- the control channel's TLS stream (openvpn_conn.c) --- */

#define SD_OVPN_MAX_HELD	32		/* out-of-order messages held per direction */
#define SD_OVPN_MAX_STREAM	(128 * 1024)	/* TLS bytes buffered per direction */

struct sd_ovpn_held {
	uint32_t	 id;
	uint8_t		*p;		/* owned, charged to the memcap */
	size_t		 len;
};

/* One direction: messages in packet-id order, their TLS bytes not yet parsed. */
struct sd_ovpn_dir {
	bool			 started;	/* next_id known */
	bool			 dead;		/* TLS gave up on this direction */
	uint32_t		 next_id;	/* message packet-id expected next */
	uint8_t			*buf;		/* in-order TLS bytes (owned) */
	size_t			 len, cap;
	uint64_t		 skip;		/* bytes TLS asked to pass over, not yet arrived */
	struct sd_ovpn_held	 held[SD_OVPN_MAX_HELD];
	unsigned		 nheld;
};

/* Counters for the flow record, per direction (0 client, 1 server). */
struct sd_ovpn_stats {
	struct sd_ovpn_wrap	 wrap;
	bool			 wrap_known;
	uint32_t		 tls_sessions;	/* TLS connections (a new key id starts one) */
	uint64_t		 control[2];	/* control and ACK packets */
	uint64_t		 data[2];	/* data packets (encrypted, not parsed) */
	uint64_t		 duplicates[2];	/* retransmitted messages (packet-id seen) */
	uint64_t		 reordered[2];	/* messages that arrived ahead of a missing one */
	uint64_t		 dropped[2];	/* messages refused by a cap */
	uint64_t		 gaps[2];	/* missing messages given up on */
	uint64_t		 malformed[2];	/* packets that did not parse */
};

struct sd_ovpn_conn;

/* A conn over mc (which must outlive it); TLS events go to emit(ctx, ...) as for TLS over
 * TCP.  NULL when the memcap refuses. */
struct sd_ovpn_conn	*sd_ovpn_conn_new(struct sd_memcap *mc, sd_tls_emit_fn emit, void *ctx);
/*
 * One OpenVPN packet sent in direction dir (0 client, 1 server): control messages go into
 * the direction's stream in packet-id order (duplicates dropped, a missing message waited
 * for while SD_OVPN_MAX_HELD later ones are held, then given up as a gap) and the TLS
 * records they complete are parsed, emitting events with pkt.  A new key id (soft reset)
 * or a new client session ends the TLS connection and starts another.  now_sec: the
 * capture's clock, to tell the wrapping.  Returns what parsing the packet gave.
 */
enum sd_rc	 sd_ovpn_conn_packet(struct sd_ovpn_conn *, int dir, struct sd_rd pkt,
		    const struct sd_tls_pkt *pkt_info, int64_t now_sec);
/* The flow ends: tls.session of the current TLS connection (see sd_tls_conn_end). */
void		 sd_ovpn_conn_end(struct sd_ovpn_conn *, const struct sd_tls_pkt *);
void		 sd_ovpn_conn_free(struct sd_ovpn_conn *);	/* NULL-safe */
const struct sd_ovpn_stats *sd_ovpn_conn_stats(const struct sd_ovpn_conn *);

/* Stream of one direction (exposed for the unit tests): add message id's payload. */
void		 sd_ovpn_dir_free(struct sd_ovpn_dir *, struct sd_memcap *);

#endif /* SD_DISSECT_OPENVPN_H */
