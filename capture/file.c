/* capture/file.c - frames from pcap files (libpcap), pcapng files (capture/pcapng.c) or
 * standard input, and the parts of the sd_cap handle that files and live interfaces share. */
#define _GNU_SOURCE		/* fopencookie(): glibc */
#include "capture/cap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cap_internal.h"
#include "capture/pcapng.h"

#define PCAP_RECORD_HDR	16	/* classic pcap per-record header: progress estimate on pipes */

struct sd_cap *
sd_cap_alloc(const char *name, bool live, char err[SD_ERRBUF])
{
	struct sd_cap *c;

	if ((c = calloc(1, sizeof(*c))) == NULL || (c->name = strdup(name)) == NULL) {
		free(c);
		snprintf(err, SD_ERRBUF, "%s: out of memory", name);
		return NULL;
	}
	c->live = live;
	c->fd = -1;
	c->label = (!live && strcmp(name, "-") == 0) ? "standard input" : c->name;
	return c;
}

int
sd_cap_linktype(int dlt)
{
	/* pcap_datalink() gives DLT_* values; they equal LINKTYPE_* except for a few that
	 * differ between platforms.  The one that matters here: LINKTYPE_RAW (101) is read
	 * back as DLT_RAW (12, or 14 on OpenBSD). */
	if (dlt == DLT_RAW)
		return 101;
	return dlt;
}

/* Prefix libpcap's open error with the file name, unless libpcap already did. */
static void
set_open_error(char err[SD_ERRBUF], const char *label, const char *msg)
{
	size_t n = strlen(label);

	if (strncmp(msg, label, n) == 0 && msg[n] == ':')
		snprintf(err, SD_ERRBUF, "%s", msg);
	else
		snprintf(err, SD_ERRBUF, "%s: %s", label, msg);
}

/* The size of a regular file, for progress; 0 otherwise (a pipe, a memory stream). */
static uint64_t
size_of(FILE *fp)
{
	struct stat st;
	int fd = fileno(fp);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		return (uint64_t)st.st_size;
	return 0;
}

/*
 * A stream that gives back the bytes already read from a pipe to find the format, then the
 * rest of the pipe: libpcap must read the file header from its first byte, a pipe cannot
 * be rewound, and ungetc() promises only one byte.
 */
struct replay {
	FILE	*fp;		/* owned */
	uint8_t	 head[4];
	size_t	 n, off;
};

static ssize_t
replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *r = cookie;
	size_t k;

	if (r->off < r->n) {
		k = r->n - r->off < size ? r->n - r->off : size;
		memcpy(buf, r->head + r->off, k);
		r->off += k;
		return (ssize_t)k;
	}
	k = fread(buf, 1, size, r->fp);
	return k == 0 && ferror(r->fp) ? -1 : (ssize_t)k;
}

static int
replay_close(void *cookie)
{
	struct replay *r = cookie;
	int rc = fclose(r->fp);

	free(r);
	return rc;
}

/* fp with head[0..n) put back in front; fp is owned by the result, or still the caller's
 * when NULL is returned. */
static FILE *
replay_open(FILE *fp, const uint8_t *head, size_t n)
{
	cookie_io_functions_t io = { .read = replay_read, .close = replay_close };
	struct replay *r;
	FILE *out;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->fp = fp;
	memcpy(r->head, head, n);
	r->n = n;
	if ((out = fopencookie(r, "rb", io)) == NULL)
		free(r);
	return out;
}

/*
 * The format is chosen by the first 4 bytes: the pcapng SHB type goes to our reader
 * (capture/pcapng.c: libpcap 1.10 refuses pcapng files whose interfaces differ in link type
 * or snaplen), anything else to libpcap (classic pcap and its variants, and libpcap's own
 * "unknown file format" message for the rest).  Takes fp in every case.
 */
static int
open_stream(struct sd_cap *c, FILE *fp, char err[SD_ERRBUF])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	uint8_t head[4];
	bool seekable;
	FILE *lp;
	size_t n;

	ebuf[0] = '\0';
	c->total = size_of(fp);
	seekable = ftell(fp) == 0;	/* fails without side effects on a pipe */
	n = fread(head, 1, sizeof(head), fp);
	if (ferror(fp)) {
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
		fclose(fp);
		return -1;
	}
	if (n == 4 && head[0] == 0x0A && head[1] == 0x0D && head[2] == 0x0D &&
	    head[3] == 0x0A) {
		if (sd_pcapng_open(&c->ng, fp, c->label, err) != 0) {
			fclose(fp);
			return -1;
		}
		c->nano = true;
		c->linktype = -1;	/* per frame: its interface's */
		return 0;
	}
	if (seekable && fseek(fp, 0, SEEK_SET) == 0)
		lp = fp;
	else if ((lp = replay_open(fp, head, n)) == NULL) {
		snprintf(err, SD_ERRBUF, "%s: out of memory", c->label);
		fclose(fp);
		return -1;
	}
	c->p = pcap_fopen_offline_with_tstamp_precision(lp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (c->p == NULL) {
		set_open_error(err, c->label, ebuf[0] != '\0' ? ebuf : "cannot open");
		fclose(lp);
		return -1;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = sd_cap_linktype(pcap_datalink(c->p));
	return 0;
}

int
sd_cap_open_stream(struct sd_cap **out, FILE *fp, const char *name, char err[SD_ERRBUF])
{
	struct sd_cap *c;

	*out = NULL;
	err[0] = '\0';
	if ((c = sd_cap_alloc(name, false, err)) == NULL) {
		fclose(fp);
		return -1;
	}
	if (open_stream(c, fp, err) != 0) {
		sd_cap_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

int
sd_cap_open_file(struct sd_cap **out, const char *path, char err[SD_ERRBUF])
{
	struct sd_cap *c;
	FILE *fp;
	int fd = -1;

	*out = NULL;
	err[0] = '\0';
	if ((c = sd_cap_alloc(path, false, err)) == NULL)
		return -1;
	if (strcmp(path, "-") == 0) {
		/* A duplicate descriptor, so closing the capture does not close the real stdin. */
		if ((fd = dup(STDIN_FILENO)) == -1 || (fp = fdopen(fd, "rb")) == NULL)
			goto fail;
	} else if ((fp = fopen(path, "rb")) == NULL)
		goto fail;
	if (open_stream(c, fp, err) != 0) {
		sd_cap_close(c);
		return -1;
	}
	*out = c;
	return 0;
fail:
	snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
	if (fd != -1)
		close(fd);
	sd_cap_close(c);
	return -1;
}

static void
set_next_error(struct sd_cap *c, char err[SD_ERRBUF])
{
	const char *msg = pcap_geterr(c->p);

	if (msg == NULL || msg[0] == '\0')
		msg = "read error";
	if (c->live)
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, msg);
	else
		snprintf(err, SD_ERRBUF, "%s: frame %llu: %s", c->label,
		    (unsigned long long)c->no + 1, msg);
}

enum sd_cap_rc
sd_cap_next(struct sd_cap *c, struct sd_frame *f, char err[SD_ERRBUF])
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ns;
	int rc;

	err[0] = '\0';
	if (c->stop)
		return SD_CAP_BREAK;
	if (c->ng != NULL) {
		if ((rc = sd_pcapng_next(c->ng, f, err)) == SD_CAP_FRAME)
			c->no = f->no;
		c->counted = sd_pcapng_bytes(c->ng);
		return (enum sd_cap_rc)rc;
	}
	rc = c->live ? sd_cap_live_next(c, &h, &data) : pcap_next_ex(c->p, &h, &data);
	switch (rc) {
	case 1:
		break;
	case 0:
		return SD_CAP_TIMEOUT;		/* live only: the read timeout expired */
	case PCAP_ERROR_BREAK:
		/* Offline: end of file.  Live: pcap_breakloop() was called. */
		if (c->live || c->stop)
			return SD_CAP_BREAK;
		return SD_CAP_EOF;
	default:
		set_next_error(c, err);
		return SD_CAP_ERROR;
	}
	c->no++;
	c->counted += PCAP_RECORD_HDR + h->caplen;
	/* tv_usec holds ns when the handle was opened with nano precision.  A corrupt
	 * record may carry a sub-second field >= 1 s: carry it rather than hand on an
	 * impossible nsec. */
	ns = (uint64_t)h->ts.tv_usec * (c->nano ? 1u : 1000u);
	f->no = c->no;
	f->sec = (int64_t)h->ts.tv_sec + (int64_t)(ns / 1000000000u);
	f->nsec = (uint32_t)(ns % 1000000000u);
	f->caplen = h->caplen;
	f->len = h->len;
	f->linktype = c->linktype;
	f->data = data;
	return SD_CAP_FRAME;
}

void
sd_cap_break(struct sd_cap *c)
{
	/* Async-signal-safe: a flag store, and pcap_breakloop() stores a flag too (and on
	 * Linux writes to an eventfd, so a blocked poll() wakes up). */
	c->stop = 1;
	if (c->live)
		pcap_breakloop(c->p);
}

void
sd_cap_progress(const struct sd_cap *c, uint64_t *done, uint64_t *total)
{
	FILE *fp;
	long pos;

	*done = 0;
	*total = 0;
	if (c->live)
		return;
	*total = c->total;
	/* ftell() works on the stdio stream of both pcap and pcapng readers; on a pipe it
	 * fails, and the bytes of records handed on are the estimate. */
	fp = c->ng != NULL ? sd_pcapng_file(c->ng) : pcap_file(c->p);
	if (fp != NULL && (pos = ftell(fp)) >= 0)
		*done = (uint64_t)pos;
	else
		*done = c->counted;
}

bool
sd_cap_stats(struct sd_cap *c, uint64_t *recv, uint64_t *drop)
{
	struct pcap_stat st;

	*recv = 0;
	*drop = 0;
	if (!c->live || pcap_stats(c->p, &st) != 0)
		return false;
	*recv = st.ps_recv;
	*drop = st.ps_drop;
	return true;
}

const char *
sd_cap_name(const struct sd_cap *c)
{
	return c->name;
}

bool
sd_cap_is_live(const struct sd_cap *c)
{
	return c->live;
}

void
sd_cap_close(struct sd_cap *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		pcap_close(c->p);
	sd_pcapng_close(c->ng);
	free(c->name);
	free(c);
}
