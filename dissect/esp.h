/* dissect/esp.h - ESP header (RFC 4303), ESP in UDP (RFC 3948), AH in front of ESP (RFC 4302). */
#ifndef SD_DISSECT_ESP_H
#define SD_DISSECT_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/rc.h"
#include "dissect/reader.h"

/* ESP header: the only part in clear. */
struct sd_esp_hdr {
	uint32_t	 spi;
	uint32_t	 seq;
	bool		 has_spi, has_seq;
	size_t		 len;		/* bytes from the SPI to the end (header, ciphertext, ICV) */
};

/*
 * Parse the 8-byte ESP header at the start of r (raw IP protocol 50, or a UDP 4500 payload
 * that sd_ike_classify() called SD_IKE_UDP_ESP).  SD_TRUNCATED under 8 bytes (with
 * has_seq false, and spi set when 4 bytes are there: the capture cut the packet, it is
 * still a packet of that SA), SD_MALFORMED for SPI 0 (reserved, RFC 4303 §2.1; on UDP
 * 4500 it is the non-ESP marker).
 */
enum sd_rc	sd_esp_parse(struct sd_rd r, struct sd_esp_hdr *out);

/*
 * Skip an Authentication Header (RFC 4302 §2): ESP can follow AH.  On SD_OK *next_proto
 * is the AH Next Header and *inner the bytes after AH (borrowed).
 */
enum sd_rc	sd_esp_skip_ah(struct sd_rd ip_payload, uint8_t *next_proto, struct sd_rd *inner);

#endif /* SD_DISSECT_ESP_H */
