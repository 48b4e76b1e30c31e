/* capture/gz.h - gzip-compressed captures (RFC 1952) as a stdio stream of the decompressed
 * bytes, through zlib's inflate: Wireshark reads .pcap.gz and .pcapng.gz, so do we. */
#ifndef SD_CAPTURE_GZ_H
#define SD_CAPTURE_GZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sd_gz;

/* Do these first bytes of a stream start a gzip member (1f 8b)? */
bool		 sd_gz_magic(const uint8_t *head, size_t n);
/*
 * A read-only stream of the decompressed bytes of src: its gzip members one after another
 * (as gzip -d does; bytes after the last member that do not start another are ignored, as
 * gzip does).  src is owned by the result (fclose() of it closes src), or still the
 * caller's when NULL (out of memory) is returned.  *gz is set to the decoder's state, for
 * sd_gz_error() and sd_gz_in(); it lives until the stream is closed.
 * A truncated or corrupt stream gives what was decompressed before the fault, then a read
 * error (so libpcap and the pcapng reader report an error, not a clean end).
 */
FILE		*sd_gz_open(FILE *src, struct sd_gz **gz);
/* Why the stream failed ("gzip data truncated", ...), or NULL while it has not. */
const char	*sd_gz_error(const struct sd_gz *);
/* Compressed bytes read from src so far (progress against the file's size). */
uint64_t	 sd_gz_in(const struct sd_gz *);

#endif /* SD_CAPTURE_GZ_H */
