/* capture/cap.h - frame sources: pcap/pcapng files, standard input, live interfaces. */
#ifndef SD_CAPTURE_CAP_H
#define SD_CAPTURE_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SD_ERRBUF	512

/* One captured record.  data is borrowed until the next sd_cap_next(). */
struct sd_frame {
	uint64_t	 no;		/* 1-based, every packet record of the file, as Wireshark numbers them */
	int64_t		 sec;
	uint32_t	 nsec;
	uint32_t	 caplen, len;
	int		 linktype;	/* LINKTYPE_* of this record (pcapng: its interface) */
	const uint8_t	*data;
};

enum sd_cap_rc {
	SD_CAP_FRAME,	/* *f holds a frame */
	SD_CAP_EOF,	/* clean end of the file */
	SD_CAP_ERROR,	/* truncated or corrupt input: err names the file and the frame */
	SD_CAP_TIMEOUT,	/* live: no packet within the read timeout; call again */
	SD_CAP_BREAK,	/* sd_cap_break() was called: what was read so far stands */
};

struct sd_cap;

/*
 * Open a pcap or pcapng file, either of them gzip-compressed (known by its content, not its
 * name); "-" is standard input.  Pipes and FIFOs are read so that sd_cap_break() ends a read
 * that waits for a writer.  0, or -1 with err set ("<file>: <why>": missing, a directory,
 * empty, not a capture, ...).
 */
int	sd_cap_open_file(struct sd_cap **, const char *path, char err[SD_ERRBUF]);
/* Open a pcap or pcapng stream (a fmemopen()ed buffer, a pipe), gzip-compressed or not; name
 * is for messages.  Takes fp in every case (sd_cap_close() closes it).  0, or -1 with err. */
int	sd_cap_open_stream(struct sd_cap **, FILE *fp, const char *name, char err[SD_ERRBUF]);
/* Open a live interface with an optional BPF filter (may be NULL).  0, or -1 with err. */
int	sd_cap_open_live(struct sd_cap **, const char *iface, const char *bpf,
	    int snaplen, char err[SD_ERRBUF]);
enum sd_cap_rc	sd_cap_next(struct sd_cap *, struct sd_frame *, char err[SD_ERRBUF]);
/* Ask a capture to stop, live or a file being read, now (async-signal-safe). */
void	sd_cap_break(struct sd_cap *);
/*
 * Stop reading files, politely (async-signal-safe; for SIGINT): a regular file ends at the
 * next frame; a pipe (standard input) stops waiting for its writer and hands on the frames
 * already received, then ends (SD_CAP_BREAK).  Works while a file is being opened too.
 */
void	sd_cap_interrupt(void);
/*
 * Live: how long sd_cap_next() waits for a packet before it returns SD_CAP_TIMEOUT (250 ms
 * unless set; 0 returns at once, for a caller that waits on several captures with
 * sd_cap_wait()).
 */
void	sd_cap_set_wait(struct sd_cap *, int ms);
/*
 * Wait up to ms for a packet on any of the live captures in caps (others and NULL are
 * skipped): 1 when one may have a packet, 0 when the time passed, -1 when a signal or an
 * error ended the wait early.
 */
int	sd_cap_wait(struct sd_cap *const *caps, int n, int ms);
/* Bytes read so far and the file size (total 0 when unknown: a pipe, a live interface). */
void	sd_cap_progress(const struct sd_cap *, uint64_t *done, uint64_t *total);
/* Live: packets received and dropped by the kernel so far; false when not available. */
bool	sd_cap_stats(struct sd_cap *, uint64_t *recv, uint64_t *drop);
const char	*sd_cap_name(const struct sd_cap *);
/* LINKTYPE_* of the whole source (classic pcap, live), else of the last frame handed on
 * (pcapng: per interface); -1 when not known yet. */
int		 sd_cap_datalink(const struct sd_cap *);
/* The libpcap name of a LINKTYPE_* value ("EN10MB", "USER0"), or NULL when it has none. */
const char	*sd_cap_linktype_name(int linktype);
bool	sd_cap_is_live(const struct sd_cap *);
#define SD_PCAPNG_DSB_TLS	0x544c534bu	/* Decryption Secrets Block: TLS key log ("TLSK") */
/*
 * pcapng: hand each Decryption Secrets Block to fn(ctx, secrets type, data, length) when it
 * is read, before the frames after it (data borrowed for the call); other sources have
 * none.  Call after opening, before the first sd_cap_next().
 */
void	sd_cap_on_secrets(struct sd_cap *, void (*fn)(void *ctx, uint32_t type,
	    const uint8_t *data, size_t len), void *ctx);
void	sd_cap_close(struct sd_cap *);

#endif /* SD_CAPTURE_CAP_H */
