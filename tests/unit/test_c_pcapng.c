/* tests/unit/test_c_pcapng.c - capture/pcapng.c: sections, interfaces of several link types,
 * block types, timestamp resolutions, truncation and corruption, standard input. */
#include "tests/unit/cap_harness.h"

static size_t
put32(uint8_t *b, size_t o, uint32_t v)
{
	b[o] = (uint8_t)v;
	b[o + 1] = (uint8_t)(v >> 8);
	b[o + 2] = (uint8_t)(v >> 16);
	b[o + 3] = (uint8_t)(v >> 24);
	return o + 4;
}

static size_t
put_shb(uint8_t *b, size_t o)
{
	o = put32(b, o, 0x0a0d0d0a);			/* block type: SHB */
	o = put32(b, o, 28);				/* block length */
	o = put32(b, o, 0x1a2b3c4d);			/* byte-order magic */
	o = put32(b, o, 1);				/* version 1.0 */
	o = put32(b, o, 0xffffffff);			/* section length: unknown */
	o = put32(b, o, 0xffffffff);
	return put32(b, o, 28);
}

static size_t
put_idb(uint8_t *b, size_t o, uint16_t linktype, uint32_t snaplen)
{
	o = put32(b, o, 1);				/* block type: IDB */
	o = put32(b, o, 20);
	o = put32(b, o, linktype);			/* link type, reserved 0 */
	o = put32(b, o, snaplen);
	return put32(b, o, 20);
}

/* EPB with a 20-byte packet; default ts resolution us: ts = 1000000 us = 1 s. */
static size_t
put_epb(uint8_t *b, size_t o, uint32_t iface)
{
	o = put32(b, o, 6);				/* block type: EPB */
	o = put32(b, o, 52);				/* 28 + 20 data + 4 */
	o = put32(b, o, iface);
	o = put32(b, o, 0);				/* timestamp high */
	o = put32(b, o, 1000000);			/* timestamp low */
	o = put32(b, o, 20);				/* captured length */
	o = put32(b, o, 20);				/* original length */
	memset(b + o, 0x45, 20);
	o += 20;
	return put32(b, o, 52);
}

static void
write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, n, fp), n);
	fclose(fp);
}

/* What Decryption Secrets Blocks handed over. */
struct secrets_seen {
	int		 n;
	uint32_t	 type;
	char		 text[64];
	size_t		 len;
};

static void
on_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
	struct secrets_seen *s = ctx;

	s->n++;
	s->type = type;
	s->len = len < sizeof(s->text) ? len : sizeof(s->text);
	memcpy(s->text, data, s->len);
}

/* DSB (type 0x0A): secrets type, length, data padded to 32 bits. */
static size_t
put_dsb(uint8_t *b, size_t o, uint32_t type, const char *text, uint32_t claimed)
{
	size_t n = strlen(text), pad = (4 - n % 4) % 4, total = 20 + n + pad;

	o = put32(b, o, 0x0a);
	o = put32(b, o, (uint32_t)total);
	o = put32(b, o, type);
	o = put32(b, o, claimed);
	memcpy(b + o, text, n);
	memset(b + o + n, 0, pad);
	o += n + pad;
	return put32(b, o, (uint32_t)total);
}

/* A key log in a Decryption Secrets Block between two packets (editcap --inject-secrets
 * puts it first; a capture may carry more later): handed over when read, before the
 * frame after it, and not counted as a frame.  A length past the block: skipped. */
static void
test_pcapng_dsb(void **state)
{
	static const char kl[] = "CLIENT_RANDOM 00 11\n";	/* 19 bytes: padded */
	char path[512], err[SD_ERRBUF];
	uint8_t b[512];
	struct secrets_seen seen;
	struct sd_cap *c;
	struct sd_frame f;
	struct sd_rd data;
	uint32_t type;
	size_t o = 0;

	(void)state;
	tmp_path(path, sizeof(path), "dsb.pcapng");
	o = put_shb(b, o);
	o = put_idb(b, o, 1, 65535);
	o = put_epb(b, o, 0);
	o = put_dsb(b, o, SD_PCAPNG_DSB_TLS, kl, (uint32_t)strlen(kl));
	o = put_dsb(b, o, SD_PCAPNG_DSB_TLS, kl, 4096);		/* claims more than it holds */
	o = put_epb(b, o, 0);
	write_bytes(path, b, o);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	sd_cap_on_secrets(c, on_secrets, &seen);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(seen.n, 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 2);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.type, SD_PCAPNG_DSB_TLS);
	assert_int_equal(seen.len, strlen(kl));
	assert_memory_equal(seen.text, kl, strlen(kl));
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);

	/* the body parser alone: every truncation fails or stays inside */
	o = put_dsb(b, 0, SD_PCAPNG_DSB_TLS, kl, (uint32_t)strlen(kl));
	assert_true(sd_pcapng_parse_dsb(sd_rd_make(b + 8, o - 12), false, &type, &data));
	assert_int_equal(sd_rd_left(&data), strlen(kl));
	for (size_t n = 0; n < o - 12; n++) {
		uint8_t *cp = malloc(n > 0 ? n : 1);

		memcpy(cp, b + 8, n);
		assert_false(sd_pcapng_parse_dsb(sd_rd_make(cp, n), false, &type, &data));
		free(cp);
	}
}

/* pcapng: a second interface of another link type (Ethernet, then raw IP) after frame 1.
 * libpcap 1.10 stops there ("... different from the type of the first interface"); our
 * reader hands frame 2 on with its own interface's link type, as Wireshark shows it. */
static void
test_pcapng_mixed(void **state)
{
	char path[512], err[SD_ERRBUF];
	uint8_t b[512];
	struct sd_cap *c;
	struct sd_frame f;
	size_t o = 0;

	(void)state;
	tmp_path(path, sizeof(path), "mixed.pcapng");
	o = put_shb(b, o);
	o = put_idb(b, o, 1, 65535);
	o = put_epb(b, o, 0);
	o = put_idb(b, o, 101, 65535);
	o = put_epb(b, o, 1);
	write_bytes(path, b, o);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 1);
	assert_int_equal(f.sec, 1);
	assert_int_equal(f.nsec, 0);
	assert_int_equal(f.linktype, 1);
	assert_int_equal(f.caplen, 20);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 2);
	assert_int_equal(f.linktype, 101);
	assert_int_equal(f.caplen, 20);
	assert_int_equal(f.sec, 1);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);

	/* Same link type on both interfaces: read through. */
	o = 0;
	o = put_shb(b, o);
	o = put_idb(b, o, 1, 65535);
	o = put_epb(b, o, 0);
	o = put_idb(b, o, 1, 65535);
	o = put_epb(b, o, 1);
	write_bytes(path, b, o);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 2);
	assert_int_equal(f.linktype, 1);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);

	/* One raw-IP interface: the frame says LINKTYPE_RAW (101), not DLT_RAW (12). */
	o = 0;
	o = put_shb(b, o);
	o = put_idb(b, o, 101, 65535);
	o = put_epb(b, o, 0);
	write_bytes(path, b, o);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.linktype, 101);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);
}

/* A pcapng builder in either byte order: blocks get their two lengths on close. */
struct ng {
	uint8_t		 b[2048];
	size_t		 o, start;
	bool		 be;
	size_t		 bounds[32], nb;	/* where each block ends */
};

static void
ng16(struct ng *g, uint16_t v)
{
	assert_true(g->o + 2 <= sizeof(g->b));
	g->b[g->o + (g->be ? 0 : 1)] = (uint8_t)(v >> 8);
	g->b[g->o + (g->be ? 1 : 0)] = (uint8_t)v;
	g->o += 2;
}

static void
ng32(struct ng *g, uint32_t v)
{
	if (g->be) {
		ng16(g, (uint16_t)(v >> 16));
		ng16(g, (uint16_t)v);
	} else {
		ng16(g, (uint16_t)v);
		ng16(g, (uint16_t)(v >> 16));
	}
}

static void
ng_bytes(struct ng *g, size_t n, size_t r)	/* packet bytes: fill() of record r */
{
	assert_true(g->o + n + 3 <= sizeof(g->b));
	fill(g->b + g->o, n, r);
	g->o += n;
	while (g->o % 4 != 0)
		g->b[g->o++] = 0;		/* padding */
}

static void
ng_open(struct ng *g, uint32_t type)
{
	g->start = g->o;
	ng32(g, type);
	ng32(g, 0);				/* total length: patched by ng_close */
}

static void
ng_close(struct ng *g)
{
	size_t o;
	uint32_t len = (uint32_t)(g->o + 4 - g->start);

	ng32(g, len);
	o = g->o;
	g->o = g->start + 4;
	ng32(g, len);
	g->o = o;
	assert_true(g->nb < 32);
	g->bounds[g->nb++] = o;
}

static void
ng_shb(struct ng *g, bool be)
{
	g->be = be;
	ng_open(g, 0x0a0d0d0a);
	ng32(g, 0x1a2b3c4d);			/* byte-order magic, in the section's order */
	ng16(g, 1);				/* version 1.0 */
	ng16(g, 0);
	ng32(g, 0xffffffff);			/* section length: unknown */
	ng32(g, 0xffffffff);
	ng_close(g);
}

/* IDB; tsresol 0 means "no if_tsresol option" (default: microseconds). */
static void
ng_idb(struct ng *g, uint16_t linktype, uint32_t snaplen, uint8_t tsresol)
{
	ng_open(g, 1);
	ng16(g, linktype);
	ng16(g, 0);				/* reserved */
	ng32(g, snaplen);
	if (tsresol != 0) {
		ng16(g, 2);			/* if_name "x": an option we skip */
		ng16(g, 1);
		g->b[g->o++] = 'x';
		g->b[g->o++] = 0;
		g->b[g->o++] = 0;
		g->b[g->o++] = 0;
		ng16(g, 9);			/* if_tsresol, 1 byte + 3 padding */
		ng16(g, 1);
		g->b[g->o++] = tsresol;
		g->b[g->o++] = 0;
		g->b[g->o++] = 0;
		g->b[g->o++] = 0;
		ng16(g, 0);			/* opt_endofopt */
		ng16(g, 0);
	}
	ng_close(g);
}

static void
ng_epb(struct ng *g, uint32_t iface, uint64_t ts, uint32_t caplen, uint32_t len, size_t r)
{
	ng_open(g, 6);
	ng32(g, iface);
	ng32(g, (uint32_t)(ts >> 32));
	ng32(g, (uint32_t)ts);
	ng32(g, caplen);
	ng32(g, len);
	ng_bytes(g, caplen, r);
	ng_close(g);
}

/* The test file "two": frame number (Wireshark's), block, expectation.
 *   section 1, big-endian
 *     IDB 0  Ethernet (1), snaplen 64, default resolution (us)
 *     IDB 1  Linux SLL (113), snaplen 128, if_tsresol 9 (ns)
 *   1 EPB    if 0, 1700000000.123456 s, 20 of 60 bytes
 *   2 custom block 0x00000BAD: Wireshark 4.0 numbers it as a frame; not handed on
 *   3 EPB    if 1, 1700000001.987654321 s, 30 bytes
 *   4 SPB    original 100 bytes, cut at if 0's snaplen: 64; no time
 *   5 PB     (obsolete) if 1, 5.000000007 s, 10 bytes
 *     block of unknown type 0x777, NRB: skipped
 *   section 2, little-endian: the interface list starts again
 *     IDB 0  raw IP (101), snaplen 0 (no limit)
 *   6 EPB    if 0, 42 us, 20 bytes
 *     ISB    skipped
 * tshark 4.0.17 on the same bytes (built by a script) shows the same frame numbers,
 * cap_len, len, time_epoch (none for the SPB) and encapsulations (25: Linux SLL). */
static const struct {
	uint64_t	 no;
	int64_t		 sec;
	uint32_t	 nsec, caplen, len;
	int		 linktype;
} two_want[] = {
	{ 1, 1700000000, 123456000, 20, 60, 1 },
	{ 3, 1700000001, 987654321, 30, 30, 113 },
	{ 4, 0, 0, 64, 100, 1 },
	{ 5, 5, 7, 10, 10, 113 },
	{ 6, 0, 42000, 20, 20, 101 },
};

/* Builds "two"; ends[i] is the file offset just after frame i+1's block. */
static void
build_two(struct ng *g, size_t ends[5])
{
	memset(g, 0, sizeof(*g));
	ng_shb(g, true);
	ng_idb(g, 1, 64, 0);
	ng_idb(g, 113, 128, 9);
	ng_epb(g, 0, UINT64_C(1700000000123456), 20, 60, 0);
	ends[0] = g->o;
	ng_open(g, 0x00000bad);			/* custom block: PEN, 4 bytes of data */
	ng32(g, 32473);
	ng32(g, 0xdeadbeef);
	ng_close(g);
	ng_epb(g, 1, UINT64_C(1700000001987654321), 30, 30, 1);
	ends[1] = g->o;
	ng_open(g, 3);				/* SPB */
	ng32(g, 100);				/* original length */
	ng_bytes(g, 64, 2);
	ng_close(g);
	ends[2] = g->o;
	ng_open(g, 2);				/* PB */
	ng16(g, 1);				/* interface */
	ng16(g, 0);				/* drops */
	ng32(g, 1);				/* 5000000007 ns = 0x1_2A05F207 */
	ng32(g, 0x2a05f207);
	ng32(g, 10);
	ng32(g, 10);
	ng_bytes(g, 10, 3);
	ng_close(g);
	ends[3] = g->o;
	ng_open(g, 0x777);			/* unknown type */
	ng32(g, 0x77777777);
	ng_close(g);
	ng_open(g, 4);				/* NRB: just nrb_record_end */
	ng32(g, 0);
	ng_close(g);
	ng_shb(g, false);
	ng_idb(g, 101, 0, 0);
	ng_epb(g, 0, 42, 20, 20, 4);
	ends[4] = g->o;
	ng_open(g, 5);				/* ISB: if 0, timestamp, no options */
	ng32(g, 0);
	ng32(g, 0);
	ng32(g, 0);
	ng_close(g);
}

/* Read everything from an exact-size heap copy of b[0..n); frames are checked against
 * two_want; returns the last rc and the number of frames read. */
static enum sd_cap_rc
read_all(const uint8_t *b, size_t n, const char *name, bool check, uint64_t *frames,
    char err[SD_ERRBUF])
{
	struct sd_cap *c;
	struct sd_frame f;
	enum sd_cap_rc rc;
	uint8_t *cp = malloc(n ? n : 1);
	FILE *fp;

	assert_non_null(cp);
	memcpy(cp, b, n);
	*frames = 0;
	fp = n ? fmemopen(cp, n, "rb") : fopen("/dev/null", "rb");
	assert_non_null(fp);
	if (sd_cap_open_stream(&c, fp, name, err) != 0) {
		free(cp);
		return SD_CAP_ERROR;
	}
	while ((rc = sd_cap_next(c, &f, err)) == SD_CAP_FRAME) {
		uint8_t want[128];
		size_t i = (size_t)*frames;

		++*frames;
		if (!check) {
			assert_true(f.no >= *frames);	/* a flip may make a custom block */
			continue;
		}
		assert_true(i < 5);
		assert_int_equal(f.no, two_want[i].no);
		assert_int_equal(f.sec, two_want[i].sec);
		assert_int_equal(f.nsec, two_want[i].nsec);
		assert_int_equal(f.caplen, two_want[i].caplen);
		assert_int_equal(f.len, two_want[i].len);
		assert_int_equal(f.linktype, two_want[i].linktype);
		fill(want, f.caplen, i);
		assert_memory_equal(f.data, want, f.caplen);
	}
	sd_cap_close(c);
	free(cp);
	return rc;
}

static void
test_pcapng_two_sections(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	struct ng g;
	size_t ends[5];
	uint64_t frames, done, total;

	(void)state;
	build_two(&g, ends);
	assert_int_equal(read_all(g.b, g.o, "two", true, &frames, err), SD_CAP_EOF);
	assert_int_equal(frames, 5);

	/* From a file: the same, and progress ends at the file size. */
	tmp_path(path, sizeof(path), "two.pcapng");
	write_bytes(path, g.b, g.o);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	sd_cap_progress(c, &done, &total);
	assert_int_equal(total, g.o);
	assert_int_equal(done, 28);			/* the first SHB */
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		assert_int_equal(f.linktype, two_want[i].linktype);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_progress(c, &done, &total);
	assert_int_equal(done, g.o);
	sd_cap_close(c);
}

/* Every prefix: a cut on a block boundary is a clean end; anywhere else the frames before
 * it, then "<name>: frame N: truncated pcapng block" (N: the number the cut block would
 * have had, or the next one). */
static void
test_pcapng_truncated(void **state)
{
	char err[SD_ERRBUF], want[64];
	struct ng g;
	size_t ends[5], whole;
	uint64_t frames;
	enum sd_cap_rc rc;

	(void)state;
	build_two(&g, ends);
	whole = g.o;
	for (size_t n = 0; n < whole; n++) {
		uint64_t good = 0, numbered;
		bool boundary = false;

		for (size_t k = 0; k < g.nb; k++)
			boundary |= g.bounds[k] == n;
		while (good < 5 && ends[good] <= n)
			good++;
		numbered = good + (good >= 1 && ends[0] + 20 <= n);	/* the custom block */
		rc = read_all(g.b, n, "cut.pcapng", true, &frames, err);
		assert_int_equal(frames, good);
		if (n < 28) {			/* not even the first SHB: the open fails */
			assert_int_equal(rc, SD_CAP_ERROR);
			assert_true(strncmp(err, "cut.pcapng: ", 12) == 0);
			continue;
		}
		if (boundary) {
			assert_int_equal(rc, SD_CAP_EOF);
			continue;
		}
		assert_int_equal(rc, SD_CAP_ERROR);
		snprintf(want, sizeof(want), "cut.pcapng: frame %llu: truncated pcapng block",
		    (unsigned long long)numbered + 1);
		assert_string_equal(err, want);
	}
	/* The cut just before the ISB ends in the middle of it: an error after frame 5 ... */
	assert_int_equal(read_all(g.b, whole - 4, "cut", true, &frames, err), SD_CAP_ERROR);
	assert_int_equal(frames, 5);
	assert_string_equal(err, "cut: frame 7: truncated pcapng block");
	/* ... and cuts just after frames 1 to 5 are clean ends. */
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(read_all(g.b, ends[i], "cut", true, &frames, err), SD_CAP_EOF);
		assert_int_equal(frames, i + 1);
	}
}

/* Patch a 32-bit value at off (byte order be) in a copy of "two" and read it. */
static enum sd_cap_rc
read_patched(size_t off, uint32_t v, bool be, uint64_t *frames, char err[SD_ERRBUF])
{
	struct ng g;
	size_t ends[5], o;

	build_two(&g, ends);
	o = g.o;
	g.o = off;
	g.be = be;
	ng32(&g, v);
	g.o = o;
	return read_all(g.b, g.o, "bad", false, frames, err);
}

static void
test_pcapng_corrupt(void **state)
{
	char err[SD_ERRBUF];
	struct ng g;
	size_t ends[5], second;
	uint64_t frames;

	(void)state;
	build_two(&g, ends);
	second = ends[0];			/* the custom block after frame 1 */

	/* Block length not a multiple of 4, under 12, past 256 MiB; trailing copy differs. */
	assert_int_equal(read_patched(second + 4, 22, true, &frames, err), SD_CAP_ERROR);
	assert_int_equal(frames, 1);
	assert_non_null(strstr(err, "bad: frame 2: bad pcapng block"));
	assert_non_null(strstr(err, "total length 22"));
	assert_int_equal(read_patched(second + 4, 8, true, &frames, err), SD_CAP_ERROR);
	assert_non_null(strstr(err, "total length 8"));
	assert_int_equal(read_patched(second + 4, (256u << 20) + 4, true, &frames, err),
	    SD_CAP_ERROR);
	assert_non_null(strstr(err, "bad: frame 2: bad pcapng block"));
	assert_int_equal(read_patched(second + 16, 24, true, &frames, err), SD_CAP_ERROR);
	assert_non_null(strstr(err, "trailing length 24"));

	/* Frame 2 (EPB of 64 bytes: 8, 20 of fields, 32 of data, 4): its captured length
	 * past its block; its interface beyond the section's. */
	assert_int_equal(read_patched(ends[1] - 64 + 20, 33, true, &frames, err),
	    SD_CAP_ERROR);
	assert_int_equal(frames, 1);
	assert_string_equal(err, "bad: frame 3: pcapng packet longer than its block");
	assert_int_equal(read_patched(ends[1] - 64 + 20, 32, true, &frames, err),
	    SD_CAP_EOF);				/* the padding is in the block */
	assert_int_equal(frames, 5);
	assert_int_equal(read_patched(ends[1] - 64 + 8, 2, true, &frames, err),
	    SD_CAP_ERROR);
	assert_string_equal(err, "bad: frame 3: pcapng packet on interface 2, but its section "
	    "describes 2 interfaces");
	/* Frame 6 on interface 1: that was section 1's; section 2 has only one. */
	assert_int_equal(read_patched(ends[4] - 52 + 8, 1, false, &frames, err),
	    SD_CAP_ERROR);
	assert_int_equal(frames, 4);
	assert_non_null(strstr(err, "bad: frame 6: pcapng packet on interface 1, but its "
	    "section describes 1 interface"));

	/* A bad byte-order magic; an unsupported version (first SHB: the open fails). */
	assert_int_equal(read_patched(8, 0x1a2b3c4e, true, &frames, err), SD_CAP_ERROR);
	assert_int_equal(frames, 0);
	assert_non_null(strstr(err, "bad: "));
	assert_non_null(strstr(err, "byte-order magic"));
	assert_int_equal(read_patched(12, 0x00020000, true, &frames, err), SD_CAP_ERROR);
	assert_non_null(strstr(err, "pcapng version 2.0 is not supported"));

	/* Garbage after a good frame: named, with frame and lengths. */
	memset(g.b + second, 'A', 16);
	assert_int_equal(read_all(g.b, g.o, "garbage", false, &frames, err), SD_CAP_ERROR);
	assert_int_equal(frames, 1);
	assert_string_equal(err, "garbage: frame 2: bad pcapng block: type 0x41414141, "
	    "total length 1094795585");

	/* Every bit of every byte flipped once: no crash, no over-read (ASan), and always an
	 * end: EOF or an error naming the input. */
	build_two(&g, ends);
	for (size_t i = 0; i < g.o; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			enum sd_cap_rc rc;

			g.b[i] ^= (uint8_t)(1u << bit);
			rc = read_all(g.b, g.o, "flip", false, &frames, err);
			assert_true(rc == SD_CAP_EOF ||
			    (rc == SD_CAP_ERROR && strncmp(err, "flip: ", 6) == 0));
			assert_true(frames <= 7);
			g.b[i] ^= (uint8_t)(1u << bit);
		}
}

/* SPB captured length = min(original length, if 0's snaplen, room in the block).  (Writers
 * size the room from the first two; Wireshark 4.0 reads a larger room as a corrupt block.) */
static void
test_pcapng_spb(void **state)
{
	static const uint32_t want[][2] = {	/* caplen, len */
		{ 64, 100 },			/* snaplen */
		{ 10, 10 },			/* original length */
		{ 32, 100 },			/* room */
	};
	char err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	struct ng g;
	FILE *fp;

	(void)state;
	memset(&g, 0, sizeof(g));
	ng_shb(&g, false);
	ng_idb(&g, 1, 64, 0);
	ng_open(&g, 3);
	ng32(&g, 100);
	ng_bytes(&g, 80, 0);
	ng_close(&g);
	ng_open(&g, 3);
	ng32(&g, 10);
	ng_bytes(&g, 12, 1);
	ng_close(&g);
	ng_open(&g, 3);
	ng32(&g, 100);
	ng_bytes(&g, 32, 2);
	ng_close(&g);
	fp = fmemopen(g.b, g.o, "rb");
	assert_non_null(fp);
	assert_int_equal(sd_cap_open_stream(&c, fp, "spb", err), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		assert_int_equal(f.no, i + 1);
		assert_int_equal(f.caplen, want[i][0]);
		assert_int_equal(f.len, want[i][1]);
		assert_int_equal(f.sec, 0);
		assert_int_equal(f.nsec, 0);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);

	/* An SPB before any IDB: no interface 0 to take the link type from. */
	memset(&g, 0, sizeof(g));
	ng_shb(&g, true);
	ng_open(&g, 3);
	ng32(&g, 4);
	ng32(&g, 0);
	ng_close(&g);
	fp = fmemopen(g.b, g.o, "rb");
	assert_non_null(fp);
	assert_int_equal(sd_cap_open_stream(&c, fp, "spb", err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_ERROR);
	assert_string_equal(err, "spb: frame 1: pcapng packet on interface 0, but its section "
	    "describes 0 interfaces");
	sd_cap_close(c);
}

/* if_tsresol: powers of 10 and of 2, to nanoseconds exactly (floor). */
static void
test_pcapng_tsresol(void **state)
{
	uint64_t sec;
	uint32_t nsec;

	(void)state;
	sd_pcapng_ts(UINT64_C(1700000000123456), 6, &sec, &nsec);
	assert_int_equal(sec, 1700000000);
	assert_int_equal(nsec, 123456000);
	sd_pcapng_ts(UINT64_C(1700000001987654321), 9, &sec, &nsec);
	assert_int_equal(sec, 1700000001);
	assert_int_equal(nsec, 987654321);
	sd_pcapng_ts(UINT64_C(1700000001987654321), 12, &sec, &nsec);	/* ps */
	assert_int_equal(sec, 1700000);
	assert_int_equal(nsec, 1987654);
	sd_pcapng_ts(77, 0, &sec, &nsec);				/* seconds */
	assert_int_equal(sec, 77);
	assert_int_equal(nsec, 0);
	sd_pcapng_ts(UINT64_MAX, 19, &sec, &nsec);		/* 10^19 fits in 64 bits */
	assert_int_equal(sec, 1);
	assert_int_equal(nsec, 844674407);
	sd_pcapng_ts(UINT64_MAX, 25, &sec, &nsec);		/* 10^25 does not */
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 1844);				/* 1.8e19 * 1e-25 s */
	sd_pcapng_ts(UINT64_MAX, 29, &sec, &nsec);		/* 10^20 ns units: 0 ns */
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 0);
	sd_pcapng_ts(UINT64_MAX, 20, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 184467440);
	/* 2^-20 s: 3.5 s = 3 * 2^20 + 2^19. */
	sd_pcapng_ts((UINT64_C(3) << 20) | (UINT64_C(1) << 19), 0x80 | 20, &sec, &nsec);
	assert_int_equal(sec, 3);
	assert_int_equal(nsec, 500000000);
	/* 2^-32 s (fraction in the low 32 bits, as NTP): 1/3 s floors to 333333333 ns. */
	sd_pcapng_ts((UINT64_C(10) << 32) | 0x55555555u, 0x80 | 32, &sec, &nsec);
	assert_int_equal(sec, 10);
	assert_int_equal(nsec, 333333333);
	/* 2^-63: frac * 10^9 needs 93 bits. */
	sd_pcapng_ts(UINT64_MAX, 0x80 | 63, &sec, &nsec);
	assert_int_equal(sec, 1);
	assert_int_equal(nsec, 999999999);
	sd_pcapng_ts(UINT64_C(1) << 62, 0x80 | 63, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 500000000);
	/* 2^-64 and beyond: under one second. */
	sd_pcapng_ts(UINT64_MAX, 0x80 | 64, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 999999999);
	sd_pcapng_ts(UINT64_MAX, 0x80 | 127, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 0);
	sd_pcapng_ts(5, 0x80, &sec, &nsec);				/* 2^0: seconds */
	assert_int_equal(sec, 5);
	assert_int_equal(nsec, 0);
}

/* Standard input from a pipe: 4 bytes are read to choose the reader and cannot be put back
 * by seeking.  Both pcapng (ours) and classic pcap (libpcap, through the replay stream). */
static void
read_pipe(const uint8_t *b, size_t n, uint64_t *frames, uint64_t *last_no,
    enum sd_cap_rc *last)
{
	char err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t done, total;
	int pfd[2], saved;

	assert_true(n < 4096);			/* fits the pipe buffer: no writer process */
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(write(pfd[1], b, n), (ssize_t)n);
	close(pfd[1]);
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(pfd[0], STDIN_FILENO), STDIN_FILENO);
	close(pfd[0]);
	assert_int_equal(sd_cap_open_file(&c, "-", err), 0);
	*frames = 0;
	while ((*last = sd_cap_next(c, &f, err)) == SD_CAP_FRAME) {
		++*frames;
		*last_no = f.no;
	}
	sd_cap_progress(c, &done, &total);
	assert_int_equal(total, 0);		/* a pipe has no size */
	assert_true(done > 0);
	sd_cap_close(c);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

static void
test_stdin_pipe(void **state)
{
	char path[512];
	uint8_t buf[4096];
	struct ng g;
	size_t ends[5];
	uint64_t frames, last_no;
	enum sd_cap_rc rc;
	long size;
	FILE *fp;

	(void)state;
	build_two(&g, ends);
	read_pipe(g.b, g.o, &frames, &last_no, &rc);
	assert_int_equal(rc, SD_CAP_EOF);
	assert_int_equal(frames, 5);
	assert_int_equal(last_no, 6);

	tmp_path(path, sizeof(path), "pipe.pcap");
	size = write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	read_pipe(buf, (size_t)size, &frames, &last_no, &rc);
	assert_int_equal(rc, SD_CAP_EOF);
	assert_int_equal(frames, 3);
	assert_int_equal(last_no, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_mixed),
		cmocka_unit_test(test_pcapng_two_sections),
		cmocka_unit_test(test_pcapng_truncated),
		cmocka_unit_test(test_pcapng_corrupt),
		cmocka_unit_test(test_pcapng_spb),
		cmocka_unit_test(test_pcapng_tsresol),
		cmocka_unit_test(test_pcapng_dsb),
		cmocka_unit_test(test_stdin_pipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
