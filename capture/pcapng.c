/* capture/pcapng.c - pcapng files block by block (draft-ietf-opsawg-pcapng-02): sections of
 * either byte order, interfaces with their own link type, snaplen and time resolution. */
#include "capture/pcapng.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/reader.h"

#define BT_IDB		0x00000001u	/* Interface Description Block */
#define BT_PB		0x00000002u	/* Packet Block (obsolete) */
#define BT_SPB		0x00000003u	/* Simple Packet Block */
#define BT_EPB		0x00000006u	/* Enhanced Packet Block */
#define BT_JOURNAL	0x00000009u	/* systemd Journal Export Block */
#define BT_DSB		0x0000000Au	/* Decryption Secrets Block */
#define BT_SYSDIG_EV	0x00000204u	/* Sysdig Event Block */
#define BT_SYSDIG_EV2	0x00000216u	/* Sysdig Event Block v2 */
#define BT_SYSDIG_EV2L	0x00000221u	/* Sysdig Event Block v2, large */
#define BT_CUSTOM	0x00000BADu	/* Custom Block (may be copied) */
#define BT_CUSTOM_NC	0x40000BADu	/* Custom Block (do not copy) */
#define BOM		0x1A2B3C4Du	/* byte-order magic */

#define OPT_ENDOFOPT	0
#define OPT_TSRESOL	9
#define OPT_TSOFFSET	14

#define TSRESOL_DEFAULT	6		/* microseconds */
#define MAX_IFACES	(1u << 20)	/* 20 bytes of file each: bounds memory per file byte */

struct iface {
	int		 linktype;
	uint32_t	 snaplen;	/* 0: no limit */
	uint8_t		 tsresol;
	int64_t		 tsoffset;	/* seconds added to every timestamp */
};

struct sd_pcapng {
	FILE		*fp;		/* owned */
	const char	*label;		/* borrowed */
	bool		 be;		/* this section is big-endian */
	bool		 have_type;	/* the first SHB type was read by the caller */
	uint8_t		*buf;		/* owned: the current block, grown up to MAX_BLOCK */
	size_t		 cap;
	struct iface	*ifs;		/* owned: this section's interfaces */
	size_t		 nifs, ifcap;
	uint64_t	 no;		/* records numbered so far (Wireshark's frame number) */
	uint64_t	 bytes;		/* bytes of whole blocks read */
	bool		 eof;
	char		*error;		/* owned: set once reading failed (sticky) */
	sd_pcapng_secrets_fn secrets;	/* Decryption Secrets Blocks go there, or nowhere */
	void		*secrets_ctx;
	uint64_t	 bad_dsb;	/* DSBs whose length did not fit: skipped */
};

/*
 * A block body in the section's byte order: dissect/reader.h's bounds-checked view (a
 * getter that runs out empties it and fails) plus the byte order.
 */
struct cur {
	struct sd_rd	 r;
	bool		 be;
};

static uint32_t
load32(const uint8_t *p, bool be)
{
	struct sd_rd r = sd_rd_make(p, 4);
	uint32_t v;

	(void)(be ? sd_rd_be32(&r, &v) : sd_rd_le32(&r, &v));
	return v;
}

static bool
get16(struct cur *c, uint16_t *out)
{
	return c->be ? sd_rd_be16(&c->r, out) : sd_rd_le16(&c->r, out);
}

static bool
get32(struct cur *c, uint32_t *out)
{
	return c->be ? sd_rd_be32(&c->r, out) : sd_rd_le32(&c->r, out);
}

/* A 64-bit option value in the section's byte order. */
static bool
get64(struct cur *c, uint64_t *out)
{
	uint32_t a, b;

	*out = 0;
	if (sd_rd_left(&c->r) < 8)
		return sd_rd_skip(&c->r, 8);	/* fails and empties the view */
	(void)get32(c, &a);
	(void)get32(c, &b);
	*out = c->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

static bool
sub(struct cur *c, size_t n, struct cur *out)
{
	out->be = c->be;
	return sd_rd_sub(&c->r, n, &out->r);
}

/* Remember the first error: it is returned again on every later call. */
static enum sd_cap_rc
fail(struct sd_pcapng *ng, char err[SD_ERRBUF], const char *what)
{
	snprintf(err, SD_ERRBUF, "%s: frame %llu: %s", ng->label,
	    (unsigned long long)ng->no + 1, what);
	if (ng->error == NULL)
		ng->error = strdup(err);
	return SD_CAP_ERROR;
}

/* (a * b) >> k without overflow: b < 2^32, k < 128, the result known to fit 64 bits. */
static uint64_t
mul_shift(uint64_t a, uint32_t b, unsigned k)
{
	uint64_t lo = (a & 0xffffffffu) * b, mid = (a >> 32) * b;
	uint64_t plo = lo + (mid << 32), phi = (mid >> 32) + (plo < lo);

	if (k == 0)
		return plo;
	if (k >= 64)
		return phi >> (k - 64);
	return plo >> k | phi << (64 - k);
}

static uint64_t
pow10u(unsigned e)			/* e <= 19 */
{
	uint64_t v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

void
sd_pcapng_ts(uint64_t ts, uint8_t tsresol, uint64_t *sec, uint32_t *nsec)
{
	unsigned e = tsresol & 0x7fu;
	uint64_t units, frac;

	if (tsresol & 0x80u) {		/* 2^-e seconds */
		*sec = e >= 64 ? 0 : ts >> e;
		frac = e >= 64 ? ts : ts & ((UINT64_C(1) << e) - 1);
		*nsec = (uint32_t)mul_shift(frac, 1000000000u, e);
		return;
	}
	if (e > 19) {			/* 10^e does not fit: under one second */
		*sec = 0;
		*nsec = e - 9 > 19 ? 0 : (uint32_t)(ts / pow10u(e - 9));
		return;
	}
	units = pow10u(e);
	*sec = ts / units;
	frac = ts % units;
	*nsec = e <= 9 ? (uint32_t)(frac * pow10u(9 - e)) : (uint32_t)(frac / pow10u(e - 9));
}

/* Read n bytes into the block buffer at off: 1, 0 at a clean end (nothing read, at_start),
 * -1 with err (short read: truncated; I/O error). */
static int
read_exact(struct sd_pcapng *ng, size_t off, size_t n, bool at_start, char err[SD_ERRBUF])
{
	size_t got = fread(ng->buf + off, 1, n, ng->fp);

	if (got == n)
		return 1;
	if (ferror(ng->fp)) {
		char why[128];

		snprintf(why, sizeof(why), "read error: %s", strerror(errno));
		fail(ng, err, why);
		return -1;
	}
	if (got == 0 && at_start)
		return 0;
	fail(ng, err, "truncated pcapng block");
	return -1;
}

static int
grow(struct sd_pcapng *ng, size_t need, char err[SD_ERRBUF])
{
	size_t cap = ng->cap ? ng->cap : 4096;
	uint8_t *p;

	if (need <= ng->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(ng->buf, cap)) == NULL) {
		fail(ng, err, "out of memory");
		return -1;
	}
	ng->buf = p;
	ng->cap = cap;
	return 0;
}

/*
 * Read one whole block into ng->buf and check its framing: total length a multiple of 4,
 * at least 12, at most SD_PCAPNG_MAX_BLOCK, the trailing copy equal.  An SHB sets the byte
 * order first (its type reads the same either way; the magic after the length says which).
 * 1 with *type and *body (between the lengths), 0 at a clean end, -1 with err.
 */
static int
read_block(struct sd_pcapng *ng, uint32_t *type, struct cur *body, char err[SD_ERRBUF])
{
	char why[160];
	uint32_t len, magic;
	size_t have;
	int rc;

	if (grow(ng, 12, err) != 0)
		return -1;
	if (ng->have_type) {
		ng->have_type = false;
		memcpy(ng->buf, (const uint8_t[]){ 0x0A, 0x0D, 0x0D, 0x0A }, 4);
	} else if ((rc = read_exact(ng, 0, 4, true, err)) <= 0)
		return rc;
	if ((rc = read_exact(ng, 4, 4, false, err)) <= 0)
		return -1;
	have = 8;
	*type = load32(ng->buf, ng->be);
	if (*type == SD_PCAPNG_SHB) {
		if (read_exact(ng, 8, 4, false, err) <= 0)
			return -1;
		have = 12;
		magic = load32(ng->buf + 8, false);
		if (magic == BOM)
			ng->be = false;
		else if (load32(ng->buf + 8, true) == BOM)
			ng->be = true;
		else {
			snprintf(why, sizeof(why), "bad pcapng byte-order magic 0x%08x", magic);
			fail(ng, err, why);
			return -1;
		}
	}
	len = load32(ng->buf + 4, ng->be);
	if (len < 12 || len % 4 != 0 || len > SD_PCAPNG_MAX_BLOCK ||
	    (*type == SD_PCAPNG_SHB && len < 28)) {
		snprintf(why, sizeof(why), "bad pcapng block: type 0x%08x, total length %u",
		    *type, len);
		fail(ng, err, why);
		return -1;
	}
	/* The buffer grows with the bytes that arrive, not with the length the block claims:
	 * a 20-byte input claiming 256 MiB costs a 64 KiB read, not a 256 MiB allocation. */
	while (have < len) {
		size_t step = have < 65536 ? 65536 : have;

		if (step > len - have)
			step = len - have;
		if (grow(ng, have + step, err) != 0 ||
		    read_exact(ng, have, step, false, err) <= 0)
			return -1;
		have += step;
	}
	if (load32(ng->buf + len - 4, ng->be) != len) {
		snprintf(why, sizeof(why), "bad pcapng block: type 0x%08x, total length %u, "
		    "trailing length %u", *type, len, load32(ng->buf + len - 4, ng->be));
		fail(ng, err, why);
		return -1;
	}
	ng->bytes += len;
	body->r = sd_rd_make(ng->buf + 8, len - 12);
	body->be = ng->be;
	return 1;
}

/* A new section: its own byte order (set by read_block) and no interfaces yet. */
static int
section(struct sd_pcapng *ng, struct cur b, char err[SD_ERRBUF])
{
	uint16_t major, minor;
	uint32_t magic;
	char why[96];

	if (!get32(&b, &magic) || !get16(&b, &major) || !get16(&b, &minor))
		return fail(ng, err, "bad pcapng section header"), -1;
	/* 1.2 was written by some early tools and means 1.0 (Wireshark reads both). */
	if (major != 1 || (minor != 0 && minor != 2)) {
		snprintf(why, sizeof(why), "pcapng version %u.%u is not supported", major, minor);
		return fail(ng, err, why), -1;
	}
	ng->nifs = 0;
	return 0;
}

static int
interface(struct sd_pcapng *ng, struct cur b, char err[SD_ERRBUF])
{
	struct iface ifc = { .tsresol = TSRESOL_DEFAULT };
	uint16_t linktype, reserved, code, olen;
	struct cur val;
	uint64_t off;
	void *p;

	if (!get16(&b, &linktype) || !get16(&b, &reserved) || !get32(&b, &ifc.snaplen))
		return fail(ng, err, "pcapng interface block too short"), -1;
	ifc.linktype = linktype;
	/* Options: code, length, value padded to 4 bytes; each pass consumes its header. */
	while (sd_rd_left(&b.r) >= 4) {
		(void)get16(&b, &code);
		(void)get16(&b, &olen);
		if (code == OPT_ENDOFOPT)
			break;
		if (!sub(&b, ((size_t)olen + 3) & ~(size_t)3, &val))
			return fail(ng, err, "pcapng interface option goes past its block"), -1;
		if (code == OPT_TSRESOL && olen == 1)
			ifc.tsresol = val.r.p[0];
		else if (code == OPT_TSOFFSET && olen == 8 && get64(&val, &off))
			ifc.tsoffset = (int64_t)off;
	}
	if (ng->nifs == ng->ifcap) {
		size_t n = ng->ifcap ? ng->ifcap * 2 : 4;

		if (ng->nifs >= MAX_IFACES)
			return fail(ng, err, "too many pcapng interfaces"), -1;
		if ((p = realloc(ng->ifs, n * sizeof(*ng->ifs))) == NULL)
			return fail(ng, err, "out of memory"), -1;
		ng->ifs = p;
		ng->ifcap = n;
	}
	ng->ifs[ng->nifs++] = ifc;
	return 0;
}

static const struct iface *
iface_of(struct sd_pcapng *ng, uint32_t id, char err[SD_ERRBUF])
{
	char why[128];

	if (id < ng->nifs)
		return &ng->ifs[id];
	snprintf(why, sizeof(why), "pcapng packet on interface %u, but its section describes "
	    "%zu interface%s", id, ng->nifs, ng->nifs == 1 ? "" : "s");
	fail(ng, err, why);
	return NULL;
}

static void
set_time(struct sd_frame *f, const struct iface *ifc, uint32_t hi, uint32_t lo)
{
	uint64_t sec;
	int64_t s;

	sd_pcapng_ts((uint64_t)hi << 32 | lo, ifc->tsresol, &sec, &f->nsec);
	/* Saturate what int64_t cannot hold: only a corrupt or absurd file gets there. */
	s = sec > INT64_MAX ? INT64_MAX : (int64_t)sec;
	if (__builtin_add_overflow(s, ifc->tsoffset, &f->sec))
		f->sec = ifc->tsoffset < 0 ? INT64_MIN : INT64_MAX;
}

/* EPB (wide interface id) and the obsolete PB (16-bit id, 16-bit drop count) share a shape. */
static enum sd_cap_rc
packet(struct sd_pcapng *ng, uint32_t type, struct cur b, struct sd_frame *f,
    char err[SD_ERRBUF])
{
	const struct iface *ifc;
	uint32_t id, hi, lo, caplen, len;
	uint16_t id16, drops;

	if (type == BT_EPB) {
		if (!get32(&b, &id))
			return fail(ng, err, "pcapng packet block too short");
	} else {
		if (!get16(&b, &id16) || !get16(&b, &drops))
			return fail(ng, err, "pcapng packet block too short");
		id = id16;
	}
	if (!get32(&b, &hi) || !get32(&b, &lo) || !get32(&b, &caplen) || !get32(&b, &len))
		return fail(ng, err, "pcapng packet block too short");
	if (caplen > sd_rd_left(&b.r))
		return fail(ng, err, "pcapng packet longer than its block");
	if ((ifc = iface_of(ng, id, err)) == NULL)
		return SD_CAP_ERROR;
	set_time(f, ifc, hi, lo);
	f->caplen = caplen;
	f->len = len;
	f->linktype = ifc->linktype;
	f->data = b.r.p;
	return SD_CAP_FRAME;
}

static enum sd_cap_rc
simple_packet(struct sd_pcapng *ng, struct cur b, struct sd_frame *f, char err[SD_ERRBUF])
{
	const struct iface *ifc;
	uint32_t len, caplen;

	if (!get32(&b, &len))
		return fail(ng, err, "pcapng simple packet block too short");
	if ((ifc = iface_of(ng, 0, err)) == NULL)
		return SD_CAP_ERROR;
	/* The block carries no captured length: the packet is cut at the snaplen, and what
	 * follows it in the block is padding. */
	caplen = len;
	if (ifc->snaplen != 0 && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	if (caplen > sd_rd_left(&b.r))
		caplen = (uint32_t)sd_rd_left(&b.r);
	/* No timestamp either.  Wireshark shows such a frame with no time; 0 (the epoch) is
	 * our "no time", rather than borrowing the previous packet's time, which would
	 * invent one. */
	f->sec = 0;
	f->nsec = 0;
	f->caplen = caplen;
	f->len = len;
	f->linktype = ifc->linktype;
	f->data = b.r.p;
	return SD_CAP_FRAME;
}

bool
sd_pcapng_parse_dsb(struct sd_rd body, bool be, uint32_t *type, struct sd_rd *data)
{
	struct cur c = { body, be };
	uint32_t len;

	*data = sd_rd_make(NULL, 0);
	if (!get32(&c, type) || !get32(&c, &len) || !sd_rd_sub(&c.r, len, data))
		return false;
	/* padding to 32 bits, then options (none defined for the DSB but comments) */
	return len % 4 == 0 || sd_rd_skip(&c.r, 4 - len % 4);
}

/* A Decryption Secrets Block: to the caller's handler (a key log for TLS). */
static void
secrets_block(struct sd_pcapng *ng, struct cur body)
{
	struct sd_rd data;
	uint32_t type;

	if (!sd_pcapng_parse_dsb(body.r, body.be, &type, &data)) {
		ng->bad_dsb++;
		return;
	}
	if (ng->secrets != NULL)
		ng->secrets(ng->secrets_ctx, type, data.p, sd_rd_left(&data));
}

void
sd_pcapng_on_secrets(struct sd_pcapng *ng, sd_pcapng_secrets_fn fn, void *ctx)
{
	ng->secrets = fn;
	ng->secrets_ctx = ctx;
}

enum sd_cap_rc
sd_pcapng_next(struct sd_pcapng *ng, struct sd_frame *f, char err[SD_ERRBUF])
{
	enum sd_cap_rc rc;
	struct cur body;
	uint32_t type;
	int r;

	err[0] = '\0';
	if (ng->error != NULL) {
		snprintf(err, SD_ERRBUF, "%s", ng->error);
		return SD_CAP_ERROR;
	}
	if (ng->eof)
		return SD_CAP_EOF;
	for (;;) {
		if ((r = read_block(ng, &type, &body, err)) <= 0) {
			ng->eof = r == 0;
			return r == 0 ? SD_CAP_EOF : SD_CAP_ERROR;
		}
		switch (type) {
		case SD_PCAPNG_SHB:
			if (section(ng, body, err) != 0)
				return SD_CAP_ERROR;
			continue;
		case BT_IDB:
			if (interface(ng, body, err) != 0)
				return SD_CAP_ERROR;
			continue;
		case BT_EPB:
		case BT_PB:
			rc = packet(ng, type, body, f, err);
			break;
		case BT_SPB:
			rc = simple_packet(ng, body, f, err);
			break;
		case BT_DSB:
			secrets_block(ng, body);
			continue;
		case BT_JOURNAL:
		case BT_SYSDIG_EV:
		case BT_SYSDIG_EV2:
		case BT_SYSDIG_EV2L:
		case BT_CUSTOM:
		case BT_CUSTOM_NC:
			/* Wireshark (4.0.17, checked with tshark -e frame.number) shows each of
			 * these as a frame of its own, a custom block of any PEN included: count
			 * them, so the packets after them keep Wireshark's numbers.  They carry
			 * no packet, so they are not handed on. */
			ng->no++;
			continue;
		default:
			continue;	/* NRB, ISB, DSB, custom, unknown: framing checked, skipped */
		}
		if (rc != SD_CAP_FRAME)
			return rc;
		f->no = ++ng->no;
		return SD_CAP_FRAME;
	}
}

int
sd_pcapng_open(struct sd_pcapng **out, FILE *fp, const char *label, char err[SD_ERRBUF])
{
	struct sd_pcapng *ng;
	struct cur body;
	uint32_t type;

	*out = NULL;
	if ((ng = calloc(1, sizeof(*ng))) == NULL) {
		snprintf(err, SD_ERRBUF, "%s: out of memory", label);
		return -1;
	}
	ng->fp = fp;
	ng->label = label;
	ng->have_type = true;
	/* The first SHB here, so that a file that is not pcapng fails at open, not at frame 1.
	 * Its framing errors read "frame 1", which is where they are. */
	if (read_block(ng, &type, &body, err) <= 0 || section(ng, body, err) != 0) {
		ng->fp = NULL;		/* the caller's on failure */
		sd_pcapng_close(ng);
		return -1;
	}
	*out = ng;
	return 0;
}

FILE *
sd_pcapng_file(const struct sd_pcapng *ng)
{
	return ng->fp;
}

uint64_t
sd_pcapng_bytes(const struct sd_pcapng *ng)
{
	return ng->bytes;
}

void
sd_pcapng_close(struct sd_pcapng *ng)
{
	if (ng == NULL)
		return;
	if (ng->fp != NULL)
		fclose(ng->fp);
	free(ng->buf);
	free(ng->ifs);
	free(ng->error);
	free(ng);
}
