/* capture/pcapng_write.h - a small pcapng writer (draft-ietf-opsawg-pcapng): one section,
 * an interface per link type, Enhanced Packet Blocks with nanosecond timestamps and an
 * optional comment each. */
#ifndef SD_CAPTURE_PCAPNG_WRITE_H
#define SD_CAPTURE_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SD_PCAPNG_W_MAX_IFACES	16	/* distinct link types in one file */

struct sd_pcapng_w;

/*
 * Start a file on fp (borrowed: the caller closes it after sd_pcapng_w_free()): the Section
 * Header Block is written now, with app as shb_userappl.  NULL when out of memory or when
 * the write fails.
 */
struct sd_pcapng_w	*sd_pcapng_w_new(FILE *fp, const char *app);
/*
 * One packet of link type linktype (LINKTYPE_*; its Interface Description Block comes before
 * its first packet), caplen bytes of data (borrowed) of a packet of len bytes on the wire.
 * comment (may be NULL) becomes the packet's opt_comment, cut to 65000 bytes.  0, or -1
 * when the write failed or the file has SD_PCAPNG_W_MAX_IFACES link types already.
 */
int	sd_pcapng_w_packet(struct sd_pcapng_w *, int linktype, int64_t sec, uint32_t nsec,
	    uint32_t caplen, uint32_t len, const uint8_t *data, const char *comment);
/* Packets written so far. */
uint64_t	sd_pcapng_w_count(const struct sd_pcapng_w *);
/* Free the writer (NULL-safe); true when every write succeeded. */
bool	sd_pcapng_w_free(struct sd_pcapng_w *);

#endif /* SD_CAPTURE_PCAPNG_WRITE_H */
