/* capture/file.c - frames from pcap and pcapng files or standard input (libpcap), and the
 * parts of the sd_cap handle that files and live interfaces share. */
#include "capture/cap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cap_internal.h"

#define PCAP_RECORD_HDR	16	/* classic pcap per-record header: progress estimate on pipes */

/*
 * libpcap 1.10 (sf-pcapng.c) stops at a pcapng interface whose link type or snapshot length
 * differs from the first interface's: "an interface has a type 113 different from the type
 * of the first interface", "... a snapshot length 262144 different from the snapshot length
 * of the first interface".  Its words do not say that the file is fine and the limit is
 * libpcap's, so the message gets a hint.
 */
#define MIXED_IFACES	"of the first interface"
#define MIXED_HINT	" (libpcap 1.10 reads only pcapng files whose interfaces all have " \
	"the same link type and snapshot length; if only the snapshot lengths differ, " \
	"convert the file with: editcap -F pcap FILE OUT.pcap)"

static const char *
hint_for(const char *msg)
{
	return strstr(msg, MIXED_IFACES) != NULL ? MIXED_HINT : "";
}

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

/* Prefix libpcap's open error with the file name, unless libpcap already did (it does
 * for fopen() failures: "path: No such file or directory"). */
static void
set_open_error(char err[SD_ERRBUF], const char *label, const char *msg)
{
	size_t n = strlen(label);

	if (strncmp(msg, label, n) == 0 && msg[n] == ':')
		snprintf(err, SD_ERRBUF, "%s", msg);
	else
		snprintf(err, SD_ERRBUF, "%s: %s%s", label, msg, hint_for(msg));
}

static void
set_size(struct sd_cap *c)
{
	FILE *fp = pcap_file(c->p);
	struct stat st;

	c->total = 0;
	if (fp != NULL && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		c->total = (uint64_t)st.st_size;
}

int
sd_cap_open_file(struct sd_cap **out, const char *path, char err[SD_ERRBUF])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct sd_cap *c;
	FILE *fp;
	int fd;

	*out = NULL;
	err[0] = '\0';
	ebuf[0] = '\0';
	if ((c = sd_cap_alloc(path, false, err)) == NULL)
		return -1;
	if (strcmp(path, "-") == 0) {
		/* A duplicate descriptor, so pcap_close() does not close the real stdin. */
		if ((fd = dup(STDIN_FILENO)) == -1 || (fp = fdopen(fd, "rb")) == NULL) {
			snprintf(err, SD_ERRBUF, "%s: %s", c->label, strerror(errno));
			if (fd != -1)
				close(fd);
			sd_cap_close(c);
			return -1;
		}
		c->p = pcap_fopen_offline_with_tstamp_precision(fp,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (c->p == NULL)
			fclose(fp);
	} else
		c->p = pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (c->p == NULL) {
		set_open_error(err, c->label, ebuf[0] != '\0' ? ebuf : "cannot open");
		sd_cap_close(c);
		return -1;
	}
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = sd_cap_linktype(pcap_datalink(c->p));
	set_size(c);
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
		snprintf(err, SD_ERRBUF, "%s: frame %llu: %s%s", c->label,
		    (unsigned long long)c->no + 1, msg, hint_for(msg));
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
	fp = pcap_file(c->p);
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
	free(c->name);
	free(c);
}
