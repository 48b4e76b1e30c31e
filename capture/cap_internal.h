/* capture/cap_internal.h - the sd_cap handle shared by file.c and live.c (not installed). */
#ifndef SD_CAPTURE_CAP_INTERNAL_H
#define SD_CAPTURE_CAP_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>

#include "capture/cap.h"

struct sd_cap {
	pcap_t			*p;		/* owned: libpcap (live, classic pcap files) */
	struct sd_pcapng	*ng;		/* owned: our reader (pcapng files), else NULL */
	struct sd_pcapfile	*pf;		/* owned: our reader (classic pcap files), else NULL */
	struct sd_gz		*gz;		/* gzip decoder under p, ng or pf (they own it), or NULL */
	char			*name;		/* owned: path as given ("-") or interface */
	char			*iobuf;		/* owned: stdio buffer of a regular file, or NULL */
	const char		*label;		/* for messages: name, or "standard input" */
	bool			 live;
	bool			 pipe;		/* a file read through pipe_open() */
	bool			 nano;		/* timestamps come in ns (else us) */
	int			 fd;		/* live: pcap_get_selectable_fd(), or -1 */
	int			 wait_ms;	/* live: how long sd_cap_next() waits (sd_cap_set_wait) */
	int			 linktype;	/* LINKTYPE_* of pcap_datalink(); -1 pcapng */
	int			 last_linktype;	/* of the last frame handed on (-1 none yet) */
	uint64_t		 no;		/* frames handed on so far */
	uint64_t		 total;		/* file size; 0 when unknown */
	uint64_t		 base;		/* pf: offset of the file header in a regular file */
	uint64_t		 counted;	/* bytes of records read: progress when ftell fails */
	volatile sig_atomic_t	 stop;		/* set by sd_cap_break() */
};

/* Allocate a handle named `name` (copied).  NULL with err set on malloc failure. */
struct sd_cap	*sd_cap_alloc(const char *name, bool live, char err[SD_ERRBUF]);
/* Live: pcap_next_ex() with a read timeout that works (see live.c). */
int		 sd_cap_live_next(struct sd_cap *, struct pcap_pkthdr **, const u_char **);
/* LINKTYPE_* for a DLT_* value where the two differ (DLT_RAW). */
int		 sd_cap_linktype(int dlt);

#endif /* SD_CAPTURE_CAP_INTERNAL_H */
