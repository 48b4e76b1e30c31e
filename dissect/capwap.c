/* dissect/capwap.c - CAPWAP preamble and header (RFC 5415 §4.1-4.3), control message
 * header and Result Code (§4.5.1, §4.6.35), data channel payloads (RFC 5416 §3). */
#include "dissect/capwap.h"

#include <string.h>

#define CAPWAP_FIXED_HLEN	2	/* 8 bytes: preamble, HLEN..flags, fragment id/offset */

enum sd_rc
sd_capwap_parse(struct sd_rd in, struct sd_capwap *out)
{
	uint8_t pre;
	uint32_t v;
	uint16_t off;

	memset(out, 0, sizeof(*out));
	if (!sd_rd_u8(&in, &pre))
		return SD_TRUNCATED;
	out->version = pre >> 4;
	out->type = pre & 0x0f;
	if (out->version != 0 || out->type > SD_CAPWAP_DTLS)
		return SD_UNSUPPORTED;
	if (out->type == SD_CAPWAP_DTLS) {
		/* CAPWAP DTLS header (§4.2): the preamble and 24 reserved bits */
		if (!sd_rd_skip(&in, 3))
			return SD_TRUNCATED;
		out->payload = in;
		return SD_OK;
	}
	if (!sd_rd_be24(&in, &v) || !sd_rd_be16(&in, &out->frag_id) || !sd_rd_be16(&in, &off))
		return SD_TRUNCATED;
	out->hlen = (uint8_t)(v >> 19);
	out->rid = (uint8_t)((v >> 14) & 0x1f);
	out->wbid = (uint8_t)((v >> 9) & 0x1f);
	out->flags = (uint8_t)((v >> 3) & 0x3f);	/* T F L W M K; the 3 low bits reserved */
	out->frag_off = off >> 3;
	if (out->hlen < CAPWAP_FIXED_HLEN)
		return SD_MALFORMED;
	/* the optional radio MAC and wireless information lie inside HLEN */
	if (!sd_rd_skip(&in, ((size_t)out->hlen - CAPWAP_FIXED_HLEN) * 4))
		return SD_TRUNCATED;
	out->payload = in;
	return SD_OK;
}

enum sd_rc
sd_capwap_control(struct sd_rd p, struct sd_capwap_ctrl *c)
{
	uint32_t mt, val;
	uint16_t len, etype, elen;
	uint8_t flags;
	struct sd_rd e;

	memset(c, 0, sizeof(*c));
	if (!sd_rd_be32(&p, &mt) || !sd_rd_u8(&p, &c->seq) || !sd_rd_be16(&p, &len) ||
	    !sd_rd_u8(&p, &flags))
		return SD_TRUNCATED;
	c->enterprise = mt >> 8;
	c->msg_type = (uint8_t)(mt & 0xff);
	/*
	 * RFC 5415 counts the length "following the Sequence Number field", which implementations
	 * read as the elements with or without the length and flags: trimming to it only ever
	 * drops what follows the message, whichever reading the sender used.
	 */
	sd_rd_trim(&p, len);
	while (sd_rd_left(&p) > 0) {
		if (!sd_rd_be16(&p, &etype) || !sd_rd_be16(&p, &elen) || !sd_rd_sub(&p, elen, &e)) {
			c->elems_cut = true;
			break;
		}
		c->nelems++;
		if (etype == SD_CAPWAP_ELEM_RESULT_CODE && sd_rd_be32(&e, &val)) {
			c->has_result = true;
			c->result_code = val;
		}
	}
	return SD_OK;
}

/* An IEEE 802.11 data frame (IEEE 802.11-2020 §9.3.2.1) with LLC/SNAP (RFC 1042). */
static enum sd_rc
ieee80211_data(struct sd_rd r, struct sd_link *out)
{
	static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };
	static const uint8_t bridge_tunnel[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0xf8 };
	uint8_t fc0, fc1, llc[6];
	uint16_t seqctl, type;
	size_t hdr = 24;

	if (!sd_rd_u8(&r, &fc0) || !sd_rd_u8(&r, &fc1))
		return SD_UNSUPPORTED;
	/* version 0, type 2 (data), a subtype that carries data (not the Null ones: bit 2) */
	if ((fc0 & 0x03) != 0 || ((fc0 >> 2) & 0x03) != 2 || (fc0 & 0x40) != 0)
		return SD_UNSUPPORTED;
	if ((fc1 & 0x40) != 0 || (fc1 & 0x04) != 0)	/* protected, more fragments */
		return SD_UNSUPPORTED;
	if ((fc1 & 0x03) == 0x03)			/* To DS and From DS: a fourth address */
		hdr += 6;
	if ((fc0 & 0x80) != 0) {			/* QoS data: QoS control */
		hdr += 2;
		if ((fc1 & 0x80) != 0)			/* +HTC: HT control */
			hdr += 4;
	}
	/* duration, three addresses, then the sequence control (fragment number: low 4 bits) */
	if (!sd_rd_skip(&r, 20) || !sd_rd_le16(&r, &seqctl) || (seqctl & 0x0f) != 0 ||
	    !sd_rd_skip(&r, hdr - 24))
		return SD_UNSUPPORTED;
	if (!sd_rd_copy(&r, llc, sizeof(llc)) || !sd_rd_be16(&r, &type))
		return SD_UNSUPPORTED;
	if (memcmp(llc, snap, 6) != 0 && memcmp(llc, bridge_tunnel, 6) != 0)
		return SD_UNSUPPORTED;
	if ((type != SD_ETH_IPV4 && type != SD_ETH_IPV6) || sd_rd_left(&r) == 0)
		return SD_UNSUPPORTED;
	memset(out, 0, sizeof(*out));
	out->ethertype = type;
	out->net = r;
	return SD_OK;
}

enum sd_rc
sd_capwap_data(const struct sd_capwap *cw, struct sd_link *out)
{
	memset(out, 0, sizeof(*out));
	if (cw->type != SD_CAPWAP_PLAIN ||
	    (cw->flags & (SD_CAPWAP_F_F | SD_CAPWAP_F_K)) != 0)	/* fragments, keep-alives */
		return SD_UNSUPPORTED;
	if ((cw->flags & SD_CAPWAP_F_T) == 0)			/* IEEE 802.3 */
		return sd_link_ether(cw->payload, out) == SD_OK ? SD_OK : SD_UNSUPPORTED;
	if (cw->wbid == SD_CAPWAP_WBID_80211)
		return ieee80211_data(cw->payload, out);
	return SD_UNSUPPORTED;
}

const char *
sd_capwap_msg_name(uint32_t enterprise, uint8_t type)
{
	static const char *const names[] = {
		NULL, "discovery_request", "discovery_response", "join_request",
		"join_response", "configuration_status_request",
		"configuration_status_response", "configuration_update_request",
		"configuration_update_response", "wtp_event_request", "wtp_event_response",
		"change_state_event_request", "change_state_event_response", "echo_request",
		"echo_response", "image_data_request", "image_data_response", "reset_request",
		"reset_response", "primary_discovery_request", "primary_discovery_response",
		"data_transfer_request", "data_transfer_response",
		"clear_configuration_request", "clear_configuration_response",
		"station_configuration_request", "station_configuration_response",
	};

	if (enterprise != 0 || type >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[type];
}

const char *
sd_capwap_result_name(uint32_t code)
{
	static const char *const names[] = {
		"success", "failure_ac_list", "success_nat_detected",
		"join_failure_unspecified", "join_failure_resource_depletion",
		"join_failure_unknown_source", "join_failure_incorrect_data",
		"join_failure_session_id_in_use", "join_failure_wtp_hardware_not_supported",
		"join_failure_binding_not_supported", "reset_failure_unable_to_reset",
		"reset_failure_firmware_write_error", "configuration_failure_unable_to_apply",
		"configuration_failure_service_provided_anyhow",
		"image_data_error_invalid_checksum", "image_data_error_invalid_data_length",
		"image_data_error_other", "image_data_error_image_already_present",
		"message_unexpected_invalid_in_current_state",
		"message_unexpected_unrecognized_request", "failure_missing_mandatory_element",
		"failure_unrecognized_element", "data_transfer_error_no_information",
	};

	if (code >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[code];
}
