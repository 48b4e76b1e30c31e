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
	SD_CAP_BREAK,	/* live: sd_cap_break() was called */
};

struct sd_cap;

/* Open a pcap or pcapng file ("-" is standard input).  0, or -1 with err set. */
int	sd_cap_open_file(struct sd_cap **, const char *path, char err[SD_ERRBUF]);
/* Open a pcap or pcapng stream (a fmemopen()ed buffer, a pipe); name is for messages.
 * Takes fp in every case (sd_cap_close() closes it).  0, or -1 with err set. */
int	sd_cap_open_stream(struct sd_cap **, FILE *fp, const char *name, char err[SD_ERRBUF]);
/* Open a live interface with an optional BPF filter (may be NULL).  0, or -1 with err. */
int	sd_cap_open_live(struct sd_cap **, const char *iface, const char *bpf,
	    int snaplen, char err[SD_ERRBUF]);
enum sd_cap_rc	sd_cap_next(struct sd_cap *, struct sd_frame *, char err[SD_ERRBUF]);
/* Ask a live capture to stop (async-signal-safe). */
void	sd_cap_break(struct sd_cap *);
/* Bytes read so far and the file size (total 0 when unknown: a pipe, a live interface). */
void	sd_cap_progress(const struct sd_cap *, uint64_t *done, uint64_t *total);
/* Live: packets received and dropped by the kernel so far; false when not available. */
bool	sd_cap_stats(struct sd_cap *, uint64_t *recv, uint64_t *drop);
const char	*sd_cap_name(const struct sd_cap *);
bool	sd_cap_is_live(const struct sd_cap *);
void	sd_cap_close(struct sd_cap *);

#endif /* SD_CAPTURE_CAP_H */
