/* dissect/ike_tcp.h - IKE and ESP over TCP framing (RFC 8229 §3). */
#ifndef SD_DISSECT_IKE_TCP_H
#define SD_DISSECT_IKE_TCP_H

#include <stdbool.h>
#include <stddef.h>

#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_IKE_TCP_PREFIX	"IKETCP"
#define SD_IKE_TCP_PREFIX_LEN	6

/*
 * Does the stream start with the "IKETCP" prefix the initiator sends once (RFC 8229 §3)?
 * SD_OK yes, SD_NEED_MORE when the bytes so far are a proper prefix of it, else
 * SD_UNSUPPORTED.
 */
enum sd_rc	sd_ike_tcp_probe(struct sd_rd stream);

struct sd_ike_tcp_frame {
	bool		 ike;		/* non-ESP marker then an IKE message */
	struct sd_rd	 body;		/* IKE message (marker stripped) or ESP packet; borrowed */
};

/*
 * One frame at the start of `in`: a 16-bit length that counts itself, then the body
 * (RFC 8229 §3).  SD_OK with *consumed = the frame's bytes; SD_NEED_MORE with *needed = the
 * bytes the whole frame needs; SD_MALFORMED when the length cannot hold a marker or SPI
 * (< 6) or an ESP SPI is zero without being a whole marker + IKE header.
 */
enum sd_rc	sd_ike_tcp_frame(struct sd_rd in, struct sd_ike_tcp_frame *out,
		    size_t *consumed, size_t *needed);

#endif /* SD_DISSECT_IKE_TCP_H */
