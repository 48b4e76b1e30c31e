/* capture/pcapfile.h - our reader of classic pcap files (the common variants: magic a1b2c3d4
 * and a1b23c4d, either byte order, version 2.4), read in large blocks, each frame handed on in
 * place.  The other variants go to libpcap (capture/file.c decides). */
#ifndef SD_CAPTURE_PCAPFILE_H
#define SD_CAPTURE_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/cap.h"

#define SD_PCAPFILE_HDR		24		/* the file header */
#define SD_PCAPFILE_REC_HDR	16		/* each record's header */
#define SD_PCAPFILE_BLOCK	(1u << 20)	/* read at a time (default) */
#define SD_PCAPFILE_MAX_CAPLEN	262144u		/* libpcap's MAXIMUM_SNAPLEN: longer records are refused */

struct sd_pcapfile;

/* Where the bytes after the file header come from. */
struct sd_pcapfile_src {
	FILE	*fp;		/* owned by the reader once it is made (closed with it) */
	int	 fd;		/* >= 0: read(2) from it, positioned after the header; fp only closed */
	bool	 exact;		/* read only what the next record needs (a pipe: each frame as it
				 * arrives, as libpcap did), not whole blocks */
};

/*
 * Would this reader take a file with this header (hdr: its first SD_PCAPFILE_HDR bytes)?
 * It takes the variants whose records libpcap 1.10 hands on unchanged: magic a1b2c3d4 (us) or
 * a1b23c4d (ns) in either byte order, version 2.4, a link type that libpcap maps to itself (or
 * LINKTYPE_RAW) with the usual maximum snapshot length and no pseudo-header to rewrite.
 * Every other header (and every error in one) is left to libpcap, whose texts stay.
 */
bool		sd_pcapfile_takes(const uint8_t hdr[SD_PCAPFILE_HDR]);
/*
 * Start reading after the header hdr (sd_pcapfile_takes() true).  block: the read size and
 * the buffer's first size (0: SD_PCAPFILE_BLOCK); the buffer grows only for a record larger
 * than it.  label names the input in messages and is borrowed.  0 (src.fp is the reader's),
 * or -1 on memory failure (src.fp still the caller's).
 */
int		sd_pcapfile_open(struct sd_pcapfile **, const uint8_t hdr[SD_PCAPFILE_HDR],
		    struct sd_pcapfile_src src, const char *label, size_t block);
/*
 * The next record, numbered from 1; f->data points into the reader's buffer until the next
 * call.  f->linktype is the file's (LINKTYPE_*).  SD_CAP_FRAME, SD_CAP_EOF (stays EOF), or
 * SD_CAP_ERROR with err "<label>: frame N: <libpcap's text>" (the same on every later call).
 */
enum sd_cap_rc	sd_pcapfile_next(struct sd_pcapfile *, struct sd_frame *, char err[SD_ERRBUF]);
int		sd_pcapfile_linktype(const struct sd_pcapfile *);	/* LINKTYPE_* */
bool		sd_pcapfile_nano(const struct sd_pcapfile *);	/* the file has ns */
uint64_t	sd_pcapfile_bytes(const struct sd_pcapfile *);	/* header + records handed on */
void		sd_pcapfile_close(struct sd_pcapfile *);	/* NULL-safe; closes src.fp */

#endif /* SD_CAPTURE_PCAPFILE_H */
