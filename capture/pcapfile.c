/*
 * capture/pcapfile.c - classic pcap files read in large blocks, frames handed on in place.
 *
 * libpcap's reader does two small fread()s per record through stdio (a record header, then
 * the data, copied into its own buffer); on a large file that is many read(2)s and two
 * copies of every byte.  Here the input is read a block at a time into one buffer and each
 * frame points into it.  What is accepted, refused and said is libpcap 1.10's (sf-pcap.c):
 * the same frames, timestamps and link type, the same error texts ("truncated dump file;
 * ...", "invalid packet capture length ..."); sd_pcapfile_takes() leaves every header this
 * reader does not reproduce exactly to libpcap.
 */
#include "capture/pcapfile.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du
#define LT_MASK		0x03ffffffu	/* LT_LINKTYPE(): the upper bits say FCS length etc. */
#define LT_RAW		101		/* LINKTYPE_RAW: libpcap's DLT_RAW, given back as 101 */

struct sd_pcapfile {
	FILE		*fp;		/* owned */
	int		 fd;		/* >= 0: read from it directly */
	bool		 exact;		/* read only the bytes the next record needs */
	const char	*label;		/* borrowed */
	bool		 swapped;	/* written in the other byte order */
	bool		 nano;
	int		 linktype;
	uint32_t	 snapshot;	/* libpcap's p->snapshot */
	uint8_t		*buf;		/* owned: [off, end) is read and not yet handed on */
	size_t		 cap, off, end;
	bool		 eof;		/* the source ended */
	int		 rerr;		/* errno of a failed read, 0 none */
	bool		 done;		/* EOF handed on */
	uint64_t	 no;		/* records handed on */
	uint64_t	 bytes;		/* header + records handed on */
	char		*error;		/* owned: the first error, given again (sticky) */
};

static uint32_t
load32(const uint8_t *p, bool swapped)
{
	uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
	uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[0] << 24;

	/* "swapped" is relative to this host, as libpcap has it */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return swapped ? be : le;
#else
	return swapped ? le : be;
#endif
}

static uint16_t
load16(const uint8_t *p, bool swapped)
{
	uint16_t le = (uint16_t)(p[0] | p[1] << 8), be = (uint16_t)(p[1] | p[0] << 8);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return swapped ? be : le;
#else
	return swapped ? le : be;
#endif
}

/* The magic: false when it is not one of ours; *swapped and *nano say which. */
static bool
parse_magic(const uint8_t *hdr, bool *swapped, bool *nano)
{
	uint32_t m = load32(hdr, false);

	*swapped = false;
	if (m != MAGIC_US && m != MAGIC_NS) {
		*swapped = true;
		m = load32(hdr, true);
		if (m != MAGIC_US && m != MAGIC_NS)
			return false;
	}
	*nano = m == MAGIC_NS;
	return true;
}

/*
 * The link types libpcap 1.10 hands on as they are (linktype_to_dlt() maps them to
 * themselves, or LINKTYPE_RAW to DLT_RAW, which sd_cap_linktype() gives back as 101),
 * whose maximum snapshot length is MAXIMUM_SNAPLEN (not DBUS 231, USBPCAP 249, EBHSCR 279),
 * and whose frames libpcap leaves alone (pcap_post_process(): USB_LINUX_MMAPPED 220 always;
 * in a file of the other byte order PFLOG 117, LINUX_SLL 113 and SLL2 276, USB_LINUX 189,
 * NFLOG 239 get their pseudo-headers swapped).  The ATM_CLIP (106), PFSYNC (246) and PKTAP
 * (258) values differ between LINKTYPE_ and DLT_.
 */
static bool
plain_linktype(uint32_t lt, bool swapped)
{
	if (lt <= 10 || lt == LT_RAW)
		return true;	/* NULL, EN10MB, ... FDDI: the same values in both */
	if (lt < 104 || lt > 289)
		return false;	/* outside libpcap 1.10's matching range: its own mapping */
	switch (lt) {
	case 106: case 246: case 258:
	case 231: case 249: case 279:
	case 220:
		return false;
	case 113: case 117: case 189: case 239: case 276:
		return !swapped;
	default:
		return true;
	}
}

bool
sd_pcapfile_takes(const uint8_t hdr[SD_PCAPFILE_HDR])
{
	bool swapped, nano;

	if (!parse_magic(hdr, &swapped, &nano))
		return false;
	/* 2.4 only: before 2.3 caplen and len were the other way round (and 2.3 files may be
	 * either), 543.0 is DG/UX's; libpcap's guesses stay libpcap's */
	if (load16(hdr + 4, swapped) != 2 || load16(hdr + 6, swapped) != 4)
		return false;
	return plain_linktype(load32(hdr + 20, swapped) & LT_MASK, swapped);
}

int
sd_pcapfile_open(struct sd_pcapfile **out, const uint8_t hdr[SD_PCAPFILE_HDR],
    struct sd_pcapfile_src src, const char *label, size_t block)
{
	struct sd_pcapfile *pf;
	uint32_t lt;

	*out = NULL;
	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return -1;
	pf->cap = block != 0 ? block : SD_PCAPFILE_BLOCK;
	if (pf->cap < SD_PCAPFILE_REC_HDR)
		pf->cap = SD_PCAPFILE_REC_HDR;
	if ((pf->buf = malloc(pf->cap)) == NULL) {
		free(pf);
		return -1;
	}
	(void)parse_magic(hdr, &pf->swapped, &pf->nano);
	lt = load32(hdr + 20, pf->swapped) & LT_MASK;
	pf->linktype = (int)lt;
	/* pcap_adjust_snapshot(): 0 or past INT_MAX is bogus, the maximum instead */
	pf->snapshot = load32(hdr + 16, pf->swapped);
	if (pf->snapshot == 0 || pf->snapshot > INT_MAX)
		pf->snapshot = SD_PCAPFILE_MAX_CAPLEN;
	pf->fp = src.fp;
	pf->fd = src.fd;
	pf->exact = src.exact;
	pf->label = label;
	pf->bytes = SD_PCAPFILE_HDR;
	*out = pf;
	return 0;
}

/* Read into buf[end, end + room): what came, 0 at the end (eof set) or on an error (rerr). */
static size_t
read_some(struct sd_pcapfile *pf, size_t room)
{
	ssize_t n;
	size_t got;

	if (pf->fd >= 0) {
		do
			n = read(pf->fd, pf->buf + pf->end, room);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			pf->rerr = errno != 0 ? errno : EIO;
		else if (n == 0)
			pf->eof = true;
		return n > 0 ? (size_t)n : 0;
	}
	/* stdio: fread() fills the whole request unless the stream ends or fails; bytes that
	 * came before a failure are handed on first */
	got = fread(pf->buf + pf->end, 1, room, pf->fp);
	if (got < room) {
		if (ferror(pf->fp))
			pf->rerr = errno != 0 ? errno : EIO;
		else
			pf->eof = true;
	}
	return got;
}

/*
 * Make the next need bytes readable at buf + off: the bytes not yet handed on move to the
 * front (less than a record), the buffer grows when need is larger than it, and the rest
 * of it is filled (exact: only up to need).  The bytes readable, fewer than need only at
 * the end of the input or after a read error; SIZE_MAX on memory failure.
 */
static size_t
want(struct sd_pcapfile *pf, size_t need)
{
	size_t have = pf->end - pf->off, cap;
	uint8_t *p;

	if (have >= need || pf->eof || pf->rerr != 0)
		return have;
	memmove(pf->buf, pf->buf + pf->off, have);
	pf->off = 0;
	pf->end = have;
	if (need > pf->cap) {
		for (cap = pf->cap; cap < need; cap *= 2)
			;
		if ((p = realloc(pf->buf, cap)) == NULL)
			return SIZE_MAX;
		pf->buf = p;
		pf->cap = cap;
	}
	while (pf->end < need && !pf->eof && pf->rerr == 0)
		pf->end += read_some(pf, pf->exact ? need - pf->end : pf->cap - pf->end);
	return pf->end;
}

/* Remember the first error: it is given again on every later call. */
static enum sd_cap_rc
fail(struct sd_pcapfile *pf, char err[SD_ERRBUF], const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sd_cap_rc
fail(struct sd_pcapfile *pf, char err[SD_ERRBUF], const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, SD_ERRBUF, "%s: frame %llu: %s", pf->label,
	    (unsigned long long)pf->no + 1, why);
	if (pf->error == NULL)
		pf->error = strdup(err);
	return SD_CAP_ERROR;
}

/* A short read: libpcap's text for a failed read, or the truncation message. */
static enum sd_cap_rc
short_read(struct sd_pcapfile *pf, char err[SD_ERRBUF], size_t have, const char *what,
    unsigned long long tried)
{
	if (have == SIZE_MAX)
		return fail(pf, err, "out of memory");
	if (pf->rerr != 0)
		return fail(pf, err, "error reading dump file: %s", strerror(pf->rerr));
	return fail(pf, err, "truncated dump file; tried to read %llu %s bytes, only got %zu",
	    tried, what, have);
}

/*
 * The record's timestamp as libpcap 1.10 hands it on (nano precision asked for): the 32-bit
 * fields are signed in a file of this host's byte order (bpf_int32) and unsigned in one of
 * the other (its SWAPLONG() yields u_int); us are scaled up, and a fraction of a second or
 * more is carried.
 */
static void
set_time(const struct sd_pcapfile *pf, const uint8_t *rh, struct sd_frame *f)
{
	uint32_t s = load32(rh, pf->swapped), u = load32(rh + 4, pf->swapped);
	int64_t sec = pf->swapped ? (int64_t)s : (int64_t)(int32_t)s;
	int64_t frac = pf->swapped ? (int64_t)u : (int64_t)(int32_t)u;
	uint64_t ns;

	if (!pf->nano)
		frac *= 1000;
	ns = (uint64_t)frac;
	f->sec = sec + (int64_t)(ns / 1000000000u);
	f->nsec = (uint32_t)(ns % 1000000000u);
}

enum sd_cap_rc
sd_pcapfile_next(struct sd_pcapfile *pf, struct sd_frame *f, char err[SD_ERRBUF])
{
	uint32_t caplen, keep;
	const uint8_t *rh;
	size_t have;

	err[0] = '\0';
	if (pf->error != NULL) {
		snprintf(err, SD_ERRBUF, "%s", pf->error);
		return SD_CAP_ERROR;
	}
	if (pf->done)
		return SD_CAP_EOF;
	have = want(pf, SD_PCAPFILE_REC_HDR);
	if (have == 0 && pf->rerr == 0) {
		pf->done = true;
		return SD_CAP_EOF;
	}
	if (have < SD_PCAPFILE_REC_HDR || have == SIZE_MAX)
		return short_read(pf, err, have, "header", SD_PCAPFILE_REC_HDR);
	rh = pf->buf + pf->off;
	caplen = load32(rh + 8, pf->swapped);
	if (caplen > SD_PCAPFILE_MAX_CAPLEN) {
		if (caplen > pf->snapshot)
			return fail(pf, err, "invalid packet capture length %u, bigger than "
			    "snaplen of %d", caplen, (int)pf->snapshot);
		return fail(pf, err, "invalid packet capture length %u, bigger than maximum "
		    "of %u", caplen, SD_PCAPFILE_MAX_CAPLEN);
	}
	/* past the snapshot length (a damaged file, or an old Solaris bug): libpcap hands on
	 * the first snapshot bytes and skips the rest */
	keep = caplen > pf->snapshot ? pf->snapshot : caplen;
	have = want(pf, SD_PCAPFILE_REC_HDR + (size_t)caplen);
	if (have == SIZE_MAX)
		return short_read(pf, err, have, "", 0);
	have -= SD_PCAPFILE_REC_HDR;
	if (have < keep)
		return short_read(pf, err, have, "captured", keep);
	if (have < caplen)
		return short_read(pf, err, have, "captured", caplen);
	rh = pf->buf + pf->off;		/* want() may have moved it */
	f->no = ++pf->no;
	set_time(pf, rh, f);
	f->caplen = keep;
	f->len = load32(rh + 12, pf->swapped);
	f->linktype = pf->linktype;
	f->data = rh + SD_PCAPFILE_REC_HDR;
	pf->off += SD_PCAPFILE_REC_HDR + (size_t)caplen;
	pf->bytes += SD_PCAPFILE_REC_HDR + (uint64_t)caplen;
	return SD_CAP_FRAME;
}

int
sd_pcapfile_linktype(const struct sd_pcapfile *pf)
{
	return pf->linktype;
}

bool
sd_pcapfile_nano(const struct sd_pcapfile *pf)
{
	return pf->nano;
}

uint64_t
sd_pcapfile_bytes(const struct sd_pcapfile *pf)
{
	return pf->bytes;
}

void
sd_pcapfile_close(struct sd_pcapfile *pf)
{
	if (pf == NULL)
		return;
	if (pf->fp != NULL)
		fclose(pf->fp);
	free(pf->buf);
	free(pf->error);
	free(pf);
}
