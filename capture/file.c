/* capture/file.c - frames from pcap files (capture/pcapfile.c, libpcap for the rarer
 * variants), pcapng files (capture/pcapng.c), either gzip-compressed (capture/gz.c), or
 * standard input, and the parts of the sd_cap handle that files and live interfaces share. */
#define _GNU_SOURCE		/* fopencookie(): glibc */
#include "capture/cap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cap_internal.h"
#include "capture/gz.h"
#include "capture/pcapfile.h"
#include "capture/pcapng.h"

#define PCAP_RECORD_HDR	16	/* classic pcap per-record header: progress estimate on pipes */
#define PIPE_POLL_MS	250	/* a pipe read looks at the stop flag this often */
#define PIPE_DRAIN	(1u << 20)	/* read at most this much more once told to stop */
#define SD_CAP_FILE_BUF	(256u * 1024)	/* stdio buffer of a regular file */

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
	c->linktype = -1;
	c->last_linktype = -1;
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
	uint8_t	 head[SD_PCAPFILE_HDR];
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

/* Set by sd_cap_interrupt() (a signal handler): every file read ends. */
static volatile sig_atomic_t interrupted_all;

void
sd_cap_interrupt(void)
{
	interrupted_all = 1;
}

/*
 * A pipe, FIFO or terminal read with poll() before read(), so that a writer that keeps the
 * pipe open without writing (`(cat x.pcap; sleep 60) | shakedown -`) does not hold the run:
 * once sd_cap_interrupt() (or sd_cap_break()) is called, the stream ends within
 * PIPE_POLL_MS, after the bytes already waiting in the pipe, and the readers above hand on
 * what they had received.  stdio's read()
 * would block until the writer closes, and SA_RESTART restarts it after the signal.  The
 * flag is global because the signal may come while the file is being opened, before the
 * caller holds a handle to break.
 */
struct pipe_src {
	int			 fd;		/* owned */
	volatile sig_atomic_t	*stop;		/* borrowed: the handle's flag */
	size_t			 drained;	/* bytes read since told to stop */
};

static ssize_t
pipe_read(void *cookie, char *buf, size_t size)
{
	struct pipe_src *ps = cookie;
	struct pollfd pfd;
	bool stopping;
	ssize_t n;
	int rc;

	for (;;) {
		/* stopping: what the writer already sent is read (up to PIPE_DRAIN, in case
		 * it never pauses), then the stream ends; nothing more is waited for */
		stopping = *ps->stop || interrupted_all;
		if (stopping && ps->drained >= PIPE_DRAIN)
			return 0;
		pfd.fd = ps->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, stopping ? 0 : PIPE_POLL_MS);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (rc == 0) {
			if (stopping)
				return 0;	/* an end: the reader stops at what it has */
			continue;
		}
		if ((n = read(ps->fd, buf, size)) >= 0) {
			if (stopping)
				ps->drained += (size_t)n;
			return n;
		}
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

static int
pipe_close(void *cookie)
{
	struct pipe_src *ps = cookie;
	int rc = close(ps->fd);

	free(ps);
	return rc;
}

/* A stream over fd that sd_cap_break() can end; takes fd (closed on failure too). */
static FILE *
pipe_open(struct sd_cap *c, int fd)
{
	cookie_io_functions_t io = { .read = pipe_read, .close = pipe_close };
	struct pipe_src *ps;
	FILE *fp;

	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		close(fd);
		return NULL;
	}
	ps->fd = fd;
	ps->stop = &c->stop;
	c->pipe = true;
	if ((fp = fopencookie(ps, "rb", io)) == NULL) {
		close(fd);
		free(ps);
	}
	return fp;
}

/* fp from its first byte again, after head[0..n) was read: rewound when it can seek,
 * else with the bytes put back.  Takes fp in every case; NULL on memory failure. */
static FILE *
restart(FILE *fp, bool seekable, const uint8_t *head, size_t n)
{
	FILE *out;

	if (seekable && fseek(fp, 0, SEEK_SET) == 0)
		return fp;
	if ((out = replay_open(fp, head, n)) == NULL)
		fclose(fp);
	return out;
}

static void
read_head_error(struct sd_cap *c, char err[SD_ERRBUF])
{
	if (c->gz != NULL && sd_gz_error(c->gz) != NULL)
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, sd_gz_error(c->gz));
	else
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
}

/* Read the first bytes of fp (up to 4) into head; -1 with err on a read error. */
static int
read_head(struct sd_cap *c, FILE *fp, uint8_t head[4], size_t *n, char err[SD_ERRBUF])
{
	*n = fread(head, 1, 4, fp);
	if (!ferror(fp))
		return 0;
	read_head_error(c, err);
	return -1;
}

/*
 * A classic pcap header (head[0..4) read already): the rest of it is read, and a header
 * capture/pcapfile.c takes starts that reader on fp.  A regular file is read from its
 * descriptor from here on (stdio only closes it), a pipe a record at a time through its
 * stream (frames as they arrive; sd_cap_break() ends it), anything else (gzip, a memory
 * stream) in blocks through its stream.  1 when the reader took fp; 0 when libpcap is to
 * read it (head[0..*n) holds what was read); -1 with err on a read error; -2 out of memory.
 */
static int
open_pcapfile(struct sd_cap *c, FILE *fp, uint8_t head[SD_PCAPFILE_HDR], size_t *n,
    char err[SD_ERRBUF])
{
	struct sd_pcapfile_src src = { .fp = fp, .fd = -1, .exact = c->pipe };
	uint32_t magic = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
	    (uint32_t)head[2] << 8 | head[3];
	size_t more;
	long pos;

	if (*n != 4 || (magic != 0xa1b2c3d4u && magic != 0xd4c3b2a1u &&
	    magic != 0xa1b23c4du && magic != 0x4d3cb2a1u))
		return 0;
	more = fread(head + 4, 1, SD_PCAPFILE_HDR - 4, fp);
	if (ferror(fp)) {
		read_head_error(c, err);
		return -1;
	}
	*n += more;
	if (*n < SD_PCAPFILE_HDR || !sd_pcapfile_takes(head))
		return 0;
	c->base = 0;
	if (c->gz == NULL && !c->pipe && (pos = ftell(fp)) >= SD_PCAPFILE_HDR) {
		c->base = (uint64_t)pos - SD_PCAPFILE_HDR;
		if (fileno(fp) >= 0 && lseek(fileno(fp), pos, SEEK_SET) == pos)
			src.fd = fileno(fp);
	}
	if (sd_pcapfile_open(&c->pf, head, src, c->label, 0) != 0)
		return -2;
	c->nano = true;		/* frames in ns, as libpcap hands them on */
	c->linktype = sd_pcapfile_linktype(c->pf);
	return 1;
}

/*
 * The format is chosen by the first bytes: gzip's magic puts a decoder in front and looks
 * again; the pcapng SHB type goes to our reader (capture/pcapng.c: libpcap 1.10 refuses
 * pcapng files whose interfaces differ in link type or snaplen), a classic pcap header that
 * capture/pcapfile.c reads as libpcap would to that reader (large blocks, no copy per
 * frame), anything else to libpcap (the rarer pcap variants, every header error, and
 * libpcap's own "unknown file format" for the rest).
 * Takes fp in every case.
 */
static int
open_stream(struct sd_cap *c, FILE *fp, char err[SD_ERRBUF])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	const char *gz = "";
	uint8_t head[SD_PCAPFILE_HDR];
	bool seekable;
	FILE *lp;
	size_t n;
	int rc;

	ebuf[0] = '\0';
	c->total = size_of(fp);
	seekable = ftell(fp) == 0;	/* fails without side effects on a pipe */
	if (read_head(c, fp, head, &n, err) != 0)
		goto fail;
	if (sd_gz_magic(head, n)) {
		if ((lp = restart(fp, seekable, head, n)) == NULL) {
			fp = NULL;	/* closed by restart() */
			goto oom;
		}
		if ((fp = sd_gz_open(lp, &c->gz)) == NULL) {
			fclose(lp);
			goto oom;
		}
		seekable = false;
		gz = ", in the gzip data";
		if (read_head(c, fp, head, &n, err) != 0)
			goto fail;
	}
	if (n == 0) {
		snprintf(err, SD_ERRBUF, "%s: empty file%s", c->label,
		    c->gz != NULL ? " (nothing in the gzip data)" : "");
		goto fail;
	}
	if (n == 4 && head[0] == 0x0A && head[1] == 0x0D && head[2] == 0x0D &&
	    head[3] == 0x0A) {
		if (sd_pcapng_open(&c->ng, fp, c->label, err) != 0)
			goto fail;
		c->nano = true;
		c->linktype = -1;	/* per frame: its interface's */
		return 0;
	}
	if ((rc = open_pcapfile(c, fp, head, &n, err)) != 0) {
		if (rc > 0)
			return 0;
		if (rc == -2)
			goto oom;
		goto fail;
	}
	if ((lp = restart(fp, seekable, head, n)) == NULL) {
		fp = NULL;	/* closed by restart() */
		goto oom;
	}
	c->p = pcap_fopen_offline_with_tstamp_precision(lp, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (c->p == NULL) {
		if (c->gz != NULL && sd_gz_error(c->gz) != NULL)
			snprintf(err, SD_ERRBUF, "%s: %s", c->label, sd_gz_error(c->gz));
		else if (strcmp(ebuf, "unknown file format") == 0)
			snprintf(err, SD_ERRBUF, "%s: not a pcap or pcapng capture (unknown file "
			    "format%s)", c->label, gz);
		else
			set_open_error(err, c->label, ebuf[0] != '\0' ? ebuf : "cannot open");
		fp = lp;
		goto fail;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = sd_cap_linktype(pcap_datalink(c->p));
	return 0;
oom:
	snprintf(err, SD_ERRBUF, "%s: out of memory", c->label);
fail:
	c->gz = NULL;		/* freed with fp */
	if (fp != NULL)
		fclose(fp);
	return -1;
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

/* A stream for path ("-": standard input): regular files through stdio, pipes and FIFOs
 * through pipe_open().  NULL with err set. */
static FILE *
open_path(struct sd_cap *c, const char *path, char err[SD_ERRBUF])
{
	struct stat st;
	FILE *fp;
	int fd;

	/* A duplicate of standard input, so closing the capture does not close the real one. */
	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) != 0) {
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, SD_ERRBUF, "%s: is a directory, not a capture file", c->label);
		close(fd);
		return NULL;
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		if ((fp = fdopen(fd, "rb")) == NULL) {
			snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
			close(fd);
			return NULL;
		}
		/* a file named on the command line is read in large blocks, not st_blksize
		 * ones (a read(2) per 4 KiB was a tenth of the time); not standard input */
		if (S_ISREG(st.st_mode) && strcmp(path, "-") != 0 &&
		    (c->iobuf = malloc(SD_CAP_FILE_BUF)) != NULL &&
		    setvbuf(fp, c->iobuf, _IOFBF, SD_CAP_FILE_BUF) != 0) {
			free(c->iobuf);
			c->iobuf = NULL;
		}
		return fp;
	}
	if ((fp = pipe_open(c, fd)) == NULL)
		snprintf(err, SD_ERRBUF, "%s: out of memory", c->label);
	return fp;
}

int
sd_cap_open_file(struct sd_cap **out, const char *path, char err[SD_ERRBUF])
{
	struct sd_cap *c;
	FILE *fp;

	*out = NULL;
	err[0] = '\0';
	if ((c = sd_cap_alloc(path, false, err)) == NULL)
		return -1;
	if ((fp = open_path(c, path, err)) == NULL || open_stream(c, fp, err) != 0) {
		sd_cap_close(c);
		return -1;
	}
	*out = c;
	return 0;
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

/*
 * A reader stopped: by sd_cap_break() (the stream ended early on purpose: a break, not a
 * truncated file), or by a fault of the gzip data under it (name that, not the short read
 * it caused).
 */
static enum sd_cap_rc
end_of_input(struct sd_cap *c, enum sd_cap_rc rc, char err[SD_ERRBUF])
{
	if (c->stop || interrupted_all)
		return SD_CAP_BREAK;
	if (rc == SD_CAP_ERROR && c->gz != NULL && sd_gz_error(c->gz) != NULL)
		snprintf(err, SD_ERRBUF, "%s: frame %llu: %s", c->label,
		    (unsigned long long)c->no + 1, sd_gz_error(c->gz));
	return rc;
}

enum sd_cap_rc
sd_cap_next(struct sd_cap *c, struct sd_frame *f, char err[SD_ERRBUF])
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ns;
	int rc;

	err[0] = '\0';
	/* a pipe, interrupted, still hands on the frames it received (pipe_read()) */
	if (c->stop || (interrupted_all && !c->live && !c->pipe))
		return SD_CAP_BREAK;
	if (c->ng != NULL) {
		rc = sd_pcapng_next(c->ng, f, err);
		c->counted = sd_pcapng_bytes(c->ng);
		if (rc != SD_CAP_FRAME)
			return end_of_input(c, (enum sd_cap_rc)rc, err);
		c->no = f->no;
		c->last_linktype = f->linktype;
		return SD_CAP_FRAME;
	}
	if (c->pf != NULL) {
		rc = sd_pcapfile_next(c->pf, f, err);
		if (rc != SD_CAP_FRAME)
			return end_of_input(c, (enum sd_cap_rc)rc, err);
		c->no = f->no;
		c->counted += PCAP_RECORD_HDR + f->caplen;
		c->last_linktype = c->linktype;
		return SD_CAP_FRAME;
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
		return end_of_input(c, SD_CAP_EOF, err);
	default:
		set_next_error(c, err);
		return c->live ? SD_CAP_ERROR : end_of_input(c, SD_CAP_ERROR, err);
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
	c->last_linktype = c->linktype;
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
	if (c->gz != NULL) {
		*done = sd_gz_in(c->gz);	/* compressed bytes, as the size is */
		return;
	}
	if (c->pf != NULL) {
		/* a pipe: the bytes of records handed on, the estimate as below */
		*done = c->pipe ? c->counted : c->base + sd_pcapfile_bytes(c->pf);
		return;
	}
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

int
sd_cap_datalink(const struct sd_cap *c)
{
	return c->linktype >= 0 ? c->linktype : c->last_linktype;
}

const char *
sd_cap_linktype_name(int linktype)
{
	/* LINKTYPE_USER0..15 (147..162): private link types, which libpcap 1.10 leaves
	 * unnamed; the name says what the file is (someone's own encapsulation) */
	static const char *const user[] = { "USER0", "USER1", "USER2", "USER3", "USER4",
		"USER5", "USER6", "USER7", "USER8", "USER9", "USER10", "USER11", "USER12",
		"USER13", "USER14", "USER15" };

	if (linktype >= 147 && linktype <= 162)
		return user[linktype - 147];
	/* libpcap names DLT_* values; LINKTYPE_RAW is DLT_RAW there (sd_cap_linktype()) */
	return pcap_datalink_val_to_name(linktype == 101 ? DLT_RAW : linktype);
}

bool
sd_cap_is_live(const struct sd_cap *c)
{
	return c->live;
}

void
sd_cap_on_secrets(struct sd_cap *c, void (*fn)(void *, uint32_t, const uint8_t *, size_t),
    void *ctx)
{
	if (c->ng != NULL)
		sd_pcapng_on_secrets(c->ng, fn, ctx);
}

void
sd_cap_close(struct sd_cap *c)
{
	if (c == NULL)
		return;
	if (c->p != NULL)
		pcap_close(c->p);
	sd_pcapng_close(c->ng);
	sd_pcapfile_close(c->pf);
	free(c->iobuf);		/* after the stream using it is closed */
	free(c->name);
	free(c);
}
