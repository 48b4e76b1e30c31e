/* dissect/capwap.h - CAPWAP (RFC 5415) headers, control messages, and the data channel's
 * IEEE 802.11 / 802.3 payloads (RFC 5416). */
#ifndef SD_DISSECT_CAPWAP_H
#define SD_DISSECT_CAPWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/link.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_PORT_CAPWAP_CONTROL	5246	/* RFC 5415 §11 */
#define SD_PORT_CAPWAP_DATA	5247

/* The preamble's type (RFC 5415 §4.1). */
#define SD_CAPWAP_PLAIN		0	/* a CAPWAP header follows */
#define SD_CAPWAP_DTLS		1	/* a CAPWAP DTLS header: 3 reserved bytes, then DTLS */

/* Header flags (RFC 5415 §4.3), in struct sd_capwap.flags. */
#define SD_CAPWAP_F_T		0x20	/* native frame format of the binding (WBID) */
#define SD_CAPWAP_F_F		0x10	/* a fragment */
#define SD_CAPWAP_F_L		0x08	/* the last fragment */
#define SD_CAPWAP_F_W		0x04	/* wireless specific information present */
#define SD_CAPWAP_F_M		0x02	/* radio MAC address present */
#define SD_CAPWAP_F_K		0x01	/* keep-alive (data channel) */

#define SD_CAPWAP_WBID_80211	1	/* IEEE 802.11 binding (RFC 5416) */

/* Control message types (RFC 5415 §4.5.1.1) this decoder names; the rest are numbers. */
#define SD_CAPWAP_DISCOVERY_REQ		1
#define SD_CAPWAP_DISCOVERY_RESP	2
#define SD_CAPWAP_JOIN_REQ		3
#define SD_CAPWAP_JOIN_RESP		4

#define SD_CAPWAP_ELEM_RESULT_CODE	33	/* RFC 5415 §4.6.35 */

/* One CAPWAP datagram's preamble and header. */
struct sd_capwap {
	uint8_t		 version;	/* preamble version: 0 */
	uint8_t		 type;		/* SD_CAPWAP_PLAIN or SD_CAPWAP_DTLS */
	/* SD_CAPWAP_PLAIN only: */
	uint8_t		 hlen;		/* header length in 4-byte words (preamble included) */
	uint8_t		 rid;		/* radio id */
	uint8_t		 wbid;		/* wireless binding id */
	uint8_t		 flags;		/* SD_CAPWAP_F_* */
	uint16_t	 frag_id;
	uint16_t	 frag_off;	/* in 8-byte units */
	struct sd_rd	 payload;	/* borrowed: DTLS records, a control message or a frame */
};

/* A control message header (RFC 5415 §4.5.1) and the facts this decoder reads from it. */
struct sd_capwap_ctrl {
	uint32_t	 enterprise;	/* IANA enterprise number: 0 for RFC 5415's types */
	uint8_t		 msg_type;	/* enterprise specific type */
	uint8_t		 seq;
	uint16_t	 nelems;	/* message elements walked */
	bool		 has_result;
	uint32_t	 result_code;	/* Result Code element, when has_result */
	bool		 elems_cut;	/* the element list ended inside an element */
};

/*
 * Parse the preamble and, for SD_CAPWAP_PLAIN, the header of one CAPWAP datagram.
 * SD_OK: *out is set; out->payload borrows from `in`.  SD_UNSUPPORTED: a preamble version
 * other than 0 or an unknown type; SD_TRUNCATED: the datagram ends inside the header;
 * SD_MALFORMED: HLEN smaller than the fixed header.
 */
enum sd_rc	sd_capwap_parse(struct sd_rd in, struct sd_capwap *out);

/*
 * Parse the control message in the payload of an unfragmented SD_CAPWAP_PLAIN datagram:
 * its header and the Result Code element if any.  SD_OK also when the element list is cut
 * short (ctrl->elems_cut); SD_TRUNCATED when the 8-byte message header is.
 */
enum sd_rc	sd_capwap_control(struct sd_rd payload, struct sd_capwap_ctrl *ctrl);

/*
 * The network layer inside a data channel datagram (header already parsed into *cw):
 * an 802.3 frame (T = 0) or, with T = 1 and WBID 1, an IEEE 802.11 data frame whose LLC/SNAP
 * header names IPv4 or IPv6.  SD_OK: out->ethertype and out->net are set (borrowed).
 * SD_UNSUPPORTED: a fragment, a keep-alive, another binding, an 802.11 frame that is not
 * unprotected data.
 */
enum sd_rc	sd_capwap_data(const struct sd_capwap *cw, struct sd_link *out);

/* The name of a control message type of RFC 5415 (enterprise 0), or NULL. */
const char	*sd_capwap_msg_name(uint32_t enterprise, uint8_t type);
/* The meaning of a Result Code (RFC 5415 §4.6.35), or NULL. */
const char	*sd_capwap_result_name(uint32_t code);

#endif /* SD_DISSECT_CAPWAP_H */
