/* dissect/ike.h - IKEv1/ISAKMP (RFC 2408, 2409) and IKEv2 (RFC 7296) messages in clear. */
#ifndef SD_DISSECT_IKE_H
#define SD_DISSECT_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/memcap.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_IKE_PORT		500
#define SD_IKE_NATT_PORT	4500
#define SD_IKE_HDR_LEN		28

/* Exchange types (IKEv1: RFC 2408 §3.1, RFC 2409; IKEv2: RFC 7296 §3.1, IANA). */
#define SD_IKE_X_V1_BASE	1
#define SD_IKE_X_V1_MAIN	2	/* Identity Protection */
#define SD_IKE_X_V1_AUTH_ONLY	3
#define SD_IKE_X_V1_AGGRESSIVE	4
#define SD_IKE_X_V1_INFO	5
#define SD_IKE_X_V1_TRANSACTION	6	/* Mode-CFG / XAUTH */
#define SD_IKE_X_V1_QUICK	32
#define SD_IKE_X_V1_NEW_GROUP	33
#define SD_IKE_X_SA_INIT	34
#define SD_IKE_X_AUTH		35
#define SD_IKE_X_CREATE_CHILD	36
#define SD_IKE_X_INFORMATIONAL	37

/* Payload types (IKEv1 1..22 and private 130..132; IKEv2 33..53). */
#define SD_IKE_P_NONE		0
#define SD_IKE_P_V1_SA		1
#define SD_IKE_P_V1_PROPOSAL	2
#define SD_IKE_P_V1_TRANSFORM	3
#define SD_IKE_P_V1_KE		4
#define SD_IKE_P_V1_ID		5
#define SD_IKE_P_V1_CERT	6
#define SD_IKE_P_V1_CERTREQ	7
#define SD_IKE_P_V1_HASH	8
#define SD_IKE_P_V1_SIG		9
#define SD_IKE_P_V1_NONCE	10
#define SD_IKE_P_V1_NOTIFY	11
#define SD_IKE_P_V1_DELETE	12
#define SD_IKE_P_V1_VID		13
#define SD_IKE_P_V1_ATTR	14	/* Mode-CFG attributes */
#define SD_IKE_P_V1_NATD	20	/* RFC 3947 */
#define SD_IKE_P_V1_NATOA	21
#define SD_IKE_P_V1_NATD_DRAFT	130	/* draft-ietf-ipsec-nat-t-ike-01..03 */
#define SD_IKE_P_V1_NATOA_DRAFT	131
#define SD_IKE_P_V1_FRAG	132	/* Cisco / strongSwan IKEv1 fragmentation */
#define SD_IKE_P_SA		33
#define SD_IKE_P_KE		34
#define SD_IKE_P_IDI		35
#define SD_IKE_P_IDR		36
#define SD_IKE_P_CERT		37
#define SD_IKE_P_CERTREQ	38
#define SD_IKE_P_AUTH		39
#define SD_IKE_P_NONCE		40
#define SD_IKE_P_NOTIFY		41
#define SD_IKE_P_DELETE		42
#define SD_IKE_P_VID		43
#define SD_IKE_P_TSI		44
#define SD_IKE_P_TSR		45
#define SD_IKE_P_SK		46
#define SD_IKE_P_CP		47
#define SD_IKE_P_EAP		48
#define SD_IKE_P_SKF		53	/* RFC 7383 */

/* Header flags: IKEv1 (RFC 2408 §3.1) and IKEv2 (RFC 7296 §3.1). */
#define SD_IKE_HF_V1_ENC	0x01
#define SD_IKE_HF_V1_COMMIT	0x02
#define SD_IKE_HF_V1_AUTH_ONLY	0x04
#define SD_IKE_HF_INITIATOR	0x08
#define SD_IKE_HF_VERSION	0x10
#define SD_IKE_HF_RESPONSE	0x20

/* Notify types used by this program (full tables: dissect/ike_names.h). */
#define SD_IKE_N_NO_PROPOSAL_CHOSEN	14
#define SD_IKE_N_INVALID_KE_PAYLOAD	17
#define SD_IKE_N_AUTHENTICATION_FAILED	24
#define SD_IKE_N_NAT_DETECTION_SOURCE_IP	16388
#define SD_IKE_N_NAT_DETECTION_DESTINATION_IP	16389
#define SD_IKE_N_COOKIE			16390
#define SD_IKE_N_FRAGMENTATION_SUPPORTED	16430
#define SD_IKE_N_V1_R_U_THERE		36136
#define SD_IKE_N_V1_R_U_THERE_ACK	36137

/* Bounds on what one message records; counts past them are kept in n* but not stored. */
#define SD_IKE_MAX_PAYLOADS	48
#define SD_IKE_MAX_NOTIFY	24
#define SD_IKE_MAX_VID		24
#define SD_IKE_MAX_PROPOSALS	16
#define SD_IKE_MAX_TRANSFORMS	96
#define SD_IKE_MAX_IDS		2
#define SD_IKE_MAX_DELETES	4
#define SD_IKE_MAX_NATD		4

/* sd_ike_msg.flags: oddities that are not fatal (facts for analyze/, no severity). */
#define SD_IKE_F_TRUNCATED	0x0001	/* datagram shorter than the header length field */
#define SD_IKE_F_TRAILING	0x0002	/* datagram longer than the header length field */
#define SD_IKE_F_BAD_PAYLOAD_LEN 0x0004	/* payload length < 4 or past the end: walk stopped */
#define SD_IKE_F_BAD_PAYLOAD	0x0008	/* a payload body did not parse (SA, notify, ...) */
#define SD_IKE_F_TOO_MANY	0x0010	/* more payloads/notifies/VIDs/transforms than stored */
#define SD_IKE_F_SK_NOT_LAST	0x0020	/* bytes after an SK/SKF payload */
#define SD_IKE_F_UNKNOWN_PAYLOAD 0x0040	/* a payload type unknown for this version */
#define SD_IKE_F_CRITICAL_UNKNOWN 0x0080	/* IKEv2: unknown payload with the critical bit */
#define SD_IKE_F_BAD_FRAGMENT	0x0100	/* SKF number 0 or > total, or total 0 */
#define SD_IKE_F_BAD_VERSION	0x0200	/* major version neither 1 nor 2: header only */
#define SD_IKE_F_LENGTH_SHORT	0x0400	/* header length field < 28 */

/* One SA transform in order of appearance. */
struct sd_ike_transform {
	uint8_t		 proposal;	/* proposal number it belongs to */
	uint8_t		 protocol;	/* the proposal's protocol id (1 IKE/ISAKMP, 2 AH, 3 ESP, 4 IPCOMP) */
	uint8_t		 number;	/* IKEv1 transform number (0 for IKEv2) */
	uint8_t		 type;		/* IKEv2 transform type (1 ENCR ... 5 ESN); IKEv1: 1 */
	uint16_t	 id;		/* transform id */
	uint16_t	 key_len;	/* Key Length attribute (IKEv2 14, IKEv1 IKE 14 / IPsec 6), 0 absent */
	/* IKEv1 attributes (0 when absent).  Phase 1 (protocol ISAKMP, RFC 2409 App. A): */
	uint16_t	 v1_enc, v1_hash, v1_auth, v1_group, v1_prf;
	/* Phase 2 (IPsec DOI, RFC 2407 §4.5): group (3), encapsulation mode (4), auth alg (5) */
	uint16_t	 v1_encap, v1_auth_alg;
	uint64_t	 life_sec, life_kb;	/* life type/duration pairs, 0 absent */
};

struct sd_ike_proposal {
	uint8_t		 number;
	uint8_t		 protocol;
	uint8_t		 spi_size;
	uint8_t		 ntransforms;	/* as declared */
	uint8_t		 spi[8];	/* first spi_size bytes (max 8) */
};

struct sd_ike_notify {
	uint16_t	 type;
	uint8_t		 protocol;
	uint8_t		 spi_size;
	uint32_t	 doi;		/* IKEv1 only */
	struct sd_rd	 spi, data;	/* borrowed */
};

struct sd_ike_id {
	uint8_t		 payload;	/* 5 (v1 ID), 35 IDi, 36 IDr */
	uint8_t		 type;		/* ID type: 1 IPv4, 2 FQDN, 3 RFC822, 5 IPv6, 9 DER DN, 11 KEY_ID ... */
	uint8_t		 ip_proto;	/* IKEv1 only */
	uint16_t	 port;		/* IKEv1 only */
	struct sd_rd	 data;		/* borrowed */
};

struct sd_ike_delete {
	uint8_t		 protocol;
	uint8_t		 spi_size;
	uint16_t	 nspi;
	struct sd_rd	 spis;		/* borrowed: nspi * spi_size bytes */
};

/*
 * Facts of one IKE message.  The sd_rd fields borrow from the payload given to
 * sd_ike_parse(); copy what must outlive the packet.  `initiator` for IKEv1 is not in the
 * header: sd_ike_state_update() sets it from the flow direction.
 */
struct sd_ike_msg {
	bool		 header_ok;	/* the 28-byte header was read: the event can be written */
	uint8_t		 version;	/* major: 1 or 2 */
	uint8_t		 minor;
	uint8_t		 exchange;
	uint8_t		 ispi[8], rspi[8];
	uint32_t	 message_id;
	uint8_t		 hdr_flags;	/* raw flags byte */
	uint8_t		 first_payload;	/* header next-payload */
	uint32_t	 length;	/* header length field */
	size_t		 datagram_len;	/* bytes given (after the non-ESP marker) */
	bool		 initiator;	/* IKEv2 I flag; IKEv1 see above */
	bool		 response;	/* IKEv2 R flag; false for IKEv1 */
	bool		 encrypted;	/* IKEv1 E flag, or IKEv2 first payload SK/SKF */
	bool		 nat_t;		/* came behind the non-ESP marker */
	uint32_t	 retransmits;	/* earlier copies in this flow (sd_ike_state_update) */
	uint32_t	 flags;		/* SD_IKE_F_* */

	uint8_t		 payloads[SD_IKE_MAX_PAYLOADS];
	size_t		 npayloads;	/* stored; npayloads_total counts all */
	size_t		 npayloads_total;
	struct sd_ike_notify notify[SD_IKE_MAX_NOTIFY];
	size_t		 nnotify;
	struct sd_rd	 vid[SD_IKE_MAX_VID];	/* borrowed */
	size_t		 nvid;
	struct sd_ike_proposal proposals[SD_IKE_MAX_PROPOSALS];
	size_t		 nproposals;
	struct sd_ike_transform transforms[SD_IKE_MAX_TRANSFORMS];
	size_t		 ntransforms;
	uint32_t	 sa_doi;	/* IKEv1 SA DOI (1 IPsec) */

	bool		 has_ke;
	uint16_t	 ke_group;	/* IKEv2 KE DH group (IKEv1 KE carries none) */
	size_t		 ke_len;	/* key exchange data bytes */
	bool		 has_nonce;
	size_t		 nonce_len;
	struct sd_ike_id ids[SD_IKE_MAX_IDS];
	size_t		 nids;
	uint8_t		 auth_method;	/* IKEv2 AUTH payload method, 0 absent */
	struct sd_ike_delete deletes[SD_IKE_MAX_DELETES];
	size_t		 ndeletes;
	uint8_t		 cert_encoding;	/* first CERT payload's encoding, 0 absent */
	size_t		 ncerts, ncertreqs;
	uint8_t		 certreq_encoding;	/* first CERTREQ's encoding, 0 absent */
	struct sd_rd	 certreq;	/* its certification authority data, borrowed (X.509
					 * signature: SHA-1 hashes of CA public keys, RFC 7296 §3.7) */

	/* IKEv2 SK / SKF: what is known about the encrypted part */
	uint8_t		 sk_inner;	/* next payload inside SK (first SKF fragment: 0 in others) */
	size_t		 sk_len;	/* encrypted payload body bytes (IV, data, ICV) */
	bool		 has_fragment;	/* SKF (RFC 7383) */
	uint16_t	 frag_number, frag_total;
	/* IKEv1 fragmentation payload (132): Cisco / strongSwan */
	bool		 has_v1_frag;
	uint16_t	 v1_frag_id;
	uint8_t		 v1_frag_number;
	bool		 v1_frag_last;

	/* IKEv1 NAT-D payloads (RFC 3947 §3.2, types 20 and 130): the first hashes the
	 * receiver's address, the rest the sender's.  Borrowed. */
	struct sd_rd	 v1_natd[SD_IKE_MAX_NATD];
	size_t		 nv1_natd;

	/* Set by the caller (analyze/), not by sd_ike_parse(): context of the datagram. */
	bool		 retransmit;	/* same datagram bytes seen before for this SA */
	bool		 tcp_encap;	/* RFC 8229 IKE over TCP */
	uint32_t	 ip_fragments;	/* IP fragments the datagram was reassembled from, 0 none */
};

/* What a UDP datagram carries, judged from its bytes (and 4500 for the marker rules). */
enum sd_ike_udp {
	SD_IKE_UDP_OTHER = 0,	/* neither IKE nor ESP */
	SD_IKE_UDP_IKE,		/* IKE header at offset 0 */
	SD_IKE_UDP_IKE_NATT,	/* 4-byte non-ESP marker, then an IKE header (RFC 3948 §2.2) */
	SD_IKE_UDP_ESP,		/* ESP in UDP (RFC 3948 §2.1): non-zero SPI, port 4500 */
	SD_IKE_UDP_KEEPALIVE,	/* NAT-keepalive: one 0xff byte (RFC 3948 §2.3) */
};

/*
 * Classify a UDP payload.  On port 4500 (either side): one 0xff byte is a keepalive, four
 * zero bytes then a plausible IKE header is IKE, >= 4 bytes with a non-zero SPI is ESP.
 * On port 500 a plausible header (major version 1 or 2, length >= 28) is IKE.  On other
 * ports only a strict header (version 0x10/0x20, a known exchange, a known first payload,
 * length field == datagram length) is, so detection does not rest on the port alone.
 */
enum sd_ike_udp	sd_ike_classify(struct sd_rd udp_payload, uint16_t sport, uint16_t dport);

/* SD_OK when sd_ike_classify() says IKE or IKE_NATT, else SD_UNSUPPORTED. */
enum sd_rc	sd_ike_probe(struct sd_rd udp_payload, uint16_t sport, uint16_t dport);

/*
 * Parse one IKE message.  `payload` starts at the IKE header: the caller strips the
 * non-ESP marker and says so with natt (sd_ike_parse_udp() does both).  Walks the
 * payload chain in clear; each pass consumes a >= 4-byte header, so a chain that points
 * onwards forever ends with the data.  Returns SD_OK, SD_TRUNCATED (datagram shorter than
 * the length field; fields parsed as far as the bytes go), SD_MALFORMED (header or chain
 * breaks the spec), SD_UNSUPPORTED (major version not 1 or 2).  out->header_ok says
 * whether the header facts are valid whatever the result.
 */
enum sd_rc	sd_ike_parse(struct sd_rd payload, bool natt, struct sd_ike_msg *out);

/* Same, from the UDP payload: strips the marker when the classification says NAT-T. */
enum sd_rc	sd_ike_parse_udp(struct sd_rd udp_payload, uint16_t sport, uint16_t dport,
		    struct sd_ike_msg *out);

/* One data attribute (RFC 2408 §3.3, RFC 7296 §3.3.5): TV when the AF bit is set. */
struct sd_ike_attr {
	uint16_t	 type;		/* AF bit cleared */
	bool		 tv;
	uint64_t	 value;		/* TV value, or a TLV value of <= 8 bytes big-endian */
	struct sd_rd	 data;		/* TLV value bytes (borrowed); empty for TV */
};
/* Read the next attribute; false on a short or cut attribute. */
bool	sd_ike_attr_next(struct sd_rd *, struct sd_ike_attr *);

/*
 * The proposal header both versions share (RFC 2408 §3.5, RFC 7296 §3.3.1): number,
 * protocol, SPI size, transform count, SPI.  Consumes it from *b and records the proposal
 * in m (flagging SD_IKE_F_TOO_MANY past the cap); *p gets a copy.
 */
enum sd_rc	sd_ike_proposal_header(struct sd_rd *b, struct sd_ike_msg *m,
		    struct sd_ike_proposal *p);

/* SA payload bodies (dissect/ike_v1.c, ike_v2.c), used by the walk in ike.c. */
enum sd_rc	sd_ike_v1_parse_sa(struct sd_rd body, struct sd_ike_msg *);
enum sd_rc	sd_ike_v2_parse_sa(struct sd_rd body, struct sd_ike_msg *);

/*
 * Per-flow IKE state, for IKEv1 "initiator": the side that sent the first message of an
 * exchange (SPIs + message id).  dir is the flow direction of the packet (0 or 1, any
 * fixed convention).  It also counts retransmissions: a message whose direction, SPIs,
 * message id, exchange, flags, first payload and length match one of the last
 * SD_IKE_STATE_SEEN messages of the flow (an IKE_SA_INIT resent with a COOKIE or another
 * KE group differs in length or SPI and is a new request, not a copy).
 *
 * The two tables grow on use (2 exchanges and 4 messages first, doubling up to
 * SD_IKE_STATE_SLOTS and SD_IKE_STATE_SEEN), charged to the memory cap given at init: a
 * probe of one request and its answer holds about 150 bytes rather than 920 for the
 * whole of a flow's life (UDP: 180 s idle).  The tables fill in order and a full one at
 * its bound replaces as before, so what is decided is the same as with fixed tables.
 * When the cap refuses to grow one, the smaller table replaces its oldest entry (a copy
 * may then count as a new message): counted in `refused` and in the cap's refusals.
 */
#define SD_IKE_STATE_SLOTS	16
#define SD_IKE_STATE_SEEN	32
struct sd_ike_slot {
	uint8_t		 ispi[8];
	uint32_t	 message_id;
	uint8_t		 exchange;
	uint8_t		 dir;		/* direction of the first message */
	bool		 used;
	uint64_t	 seen;		/* age, for replacement */
};
struct sd_ike_seen {
	uint64_t	 key;		/* hash of the fields above, 0 unused */
	uint32_t	 copies;
};
struct sd_ike_state {
	struct sd_memcap	*mc;		/* NULL: the plain heap */
	struct sd_ike_slot	*slot;		/* nslot entries */
	struct sd_ike_seen	*seen;		/* nseen entries, a ring once full */
	uint8_t			 nslot, nseen;
	uint8_t			 seen_next;	/* ring position */
	int8_t			 p1_initiator_dir;	/* IKEv1 phase 1 initiator direction, -1 unknown */
	bool			 p1_known;
	uint64_t		 clock;
	uint64_t		 refused;	/* growths the memory cap refused */
};
void	sd_ike_state_init(struct sd_ike_state *, struct sd_memcap *);
/* Free the tables (the state can be used again: it starts empty). */
void	sd_ike_state_free(struct sd_ike_state *);
/*
 * Set msg->initiator for IKEv1 (IKEv2 keeps its flag), msg->retransmits for both, and
 * remember the exchange.  Call it once per message, in capture order.
 */
void	sd_ike_state_update(struct sd_ike_state *, struct sd_ike_msg *msg, int dir);

#endif /* SD_DISSECT_IKE_H */
