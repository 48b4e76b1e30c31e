/* capture/pcapng.h - our pcapng reader (draft-ietf-opsawg-pcapng), used for every pcapng file
 * because libpcap 1.10 refuses files whose interfaces differ in link type or snapshot length. */
#ifndef SD_CAPTURE_PCAPNG_H
#define SD_CAPTURE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/cap.h"
#include "dissect/reader.h"

#define SD_PCAPNG_SHB		0x0A0D0D0Au	/* Section Header Block type: the file magic */
#define SD_PCAPNG_MAX_BLOCK	(256u << 20)	/* larger blocks are refused, not allocated */

struct sd_pcapng;

/* What a Decryption Secrets Block carries: its secrets type and data (borrowed for the
 * call).  Set with sd_pcapng_on_secrets / sd_cap_on_secrets. */
typedef void	(*sd_pcapng_secrets_fn)(void *ctx, uint32_t type, const uint8_t *data,
		    size_t len);

/*
 * Start reading fp, whose first 4 bytes (the SHB block type, SD_PCAPNG_SHB) the caller has
 * already consumed; the rest of that SHB is read and checked here.  label names the input in
 * messages ("<label>: ...") and is borrowed for the reader's life.  fp is owned by the reader
 * on success (sd_pcapng_close() closes it) and left to the caller on failure.
 * 0, or -1 with err set.
 */
int		sd_pcapng_open(struct sd_pcapng **, FILE *fp, const char *label,
		    char err[SD_ERRBUF]);
/*
 * The next packet record (EPB, SPB, obsolete PB), numbered as Wireshark numbers frames.
 * f->data is borrowed until the next call.  SD_CAP_FRAME, SD_CAP_EOF (stays EOF), or
 * SD_CAP_ERROR with err "<label>: frame N: ..." (and the same error on every later call).
 */
enum sd_cap_rc	sd_pcapng_next(struct sd_pcapng *, struct sd_frame *, char err[SD_ERRBUF]);
FILE		*sd_pcapng_file(const struct sd_pcapng *);	/* borrowed: for ftell() */
uint64_t	 sd_pcapng_bytes(const struct sd_pcapng *);	/* bytes of blocks read */
void		 sd_pcapng_close(struct sd_pcapng *);		/* NULL-safe; closes fp */
/* Hand each Decryption Secrets Block to fn as it is read (before the packets after it). */
void		 sd_pcapng_on_secrets(struct sd_pcapng *, sd_pcapng_secrets_fn fn, void *ctx);
/*
 * A Decryption Secrets Block body (after type and length; be: the section's byte order):
 * secrets type, secrets length, the data (padded to 32 bits), options.  True with *type
 * and *data (borrowed from body) when the length fits the block.  Exposed for tests.
 */
bool		 sd_pcapng_parse_dsb(struct sd_rd body, bool be, uint32_t *type,
		    struct sd_rd *data);

/* Exposed for tests: a timestamp in units of if_tsresol (the option's byte; 6 when absent)
 * to seconds and nanoseconds, exactly (floor), before if_tsoffset. */
void		 sd_pcapng_ts(uint64_t ts, uint8_t tsresol, uint64_t *sec, uint32_t *nsec);

#endif /* SD_CAPTURE_PCAPNG_H */
