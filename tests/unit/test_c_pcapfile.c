/* tests/unit/test_c_pcapfile.c - capture/pcapfile.c: classic pcap in either byte order, us
 * and ns, records larger than the read block, cut and corrupt records with libpcap's words,
 * the variants left to libpcap, and the whole path through sd_cap_open_stream(). */
#include <setjmp.h>	/* cmocka needs these before <cmocka.h> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap.h"
#include "capture/pcapfile.h"

struct file {
	uint8_t	 b[8192];
	size_t	 n;
	bool	 be;
};

static void
put32(struct file *f, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		f->b[f->n + (size_t)i] = (uint8_t)(f->be ? v >> (24 - 8 * i) : v >> (8 * i));
	f->n += 4;
}

static void
put16(struct file *f, uint16_t v)
{
	f->b[f->n] = (uint8_t)(f->be ? v >> 8 : v);
	f->b[f->n + 1] = (uint8_t)(f->be ? v : v >> 8);
	f->n += 2;
}

static void
header(struct file *f, bool be, uint32_t magic, uint16_t minor, uint32_t snaplen,
    uint32_t linktype)
{
	memset(f, 0, sizeof(*f));
	f->be = be;
	put32(f, magic);
	put16(f, 2);
	put16(f, minor);
	put32(f, 0);		/* thiszone */
	put32(f, 0);		/* sigfigs */
	put32(f, snaplen);
	put32(f, linktype);
}

/* A record whose data byte i is (seed + i). */
static void
record(struct file *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
    uint8_t seed)
{
	put32(f, sec);
	put32(f, frac);
	put32(f, caplen);
	put32(f, len);
	assert_true(f->n + caplen <= sizeof(f->b));
	for (uint32_t i = 0; i < caplen; i++)
		f->b[f->n++] = (uint8_t)(seed + i);
}

/* A reader over f's bytes (fmemopen), reading block bytes at a time. */
static struct sd_pcapfile *
open_mem(const struct file *f, size_t block, bool exact)
{
	struct sd_pcapfile_src src = { .fd = -1, .exact = exact };
	uint8_t hdr[SD_PCAPFILE_HDR];
	struct sd_pcapfile *pf;

	src.fp = fmemopen((void *)(uintptr_t)f->b, f->n, "rb");
	assert_non_null(src.fp);
	assert_int_equal(fread(hdr, 1, sizeof(hdr), src.fp), sizeof(hdr));
	assert_true(sd_pcapfile_takes(hdr));
	assert_int_equal(sd_pcapfile_open(&pf, hdr, src, "t.pcap", block), 0);
	return pf;
}

static void
check(const struct sd_frame *fr, uint64_t no, int64_t sec, uint32_t nsec, uint32_t caplen,
    uint32_t len, uint8_t seed)
{
	assert_int_equal(fr->no, no);
	assert_int_equal(fr->sec, sec);
	assert_int_equal(fr->nsec, nsec);
	assert_int_equal(fr->caplen, caplen);
	assert_int_equal(fr->len, len);
	for (uint32_t i = 0; i < caplen; i++)
		assert_int_equal(fr->data[i], (uint8_t)(seed + i));
}

/* Both byte orders, us and ns, every block size from tiny to the default, both read modes:
 * the same frames. */
static void
test_orders_and_precisions(void **state)
{
	static const size_t blocks[] = { 0, 16, 17, 100, 4096 };
	struct sd_pcapfile *pf;
	struct sd_frame fr;
	struct file f;
	char err[SD_ERRBUF];

	(void)state;
	for (int be = 0; be < 2; be++) {
		for (int ns = 0; ns < 2; ns++) {
			header(&f, be, ns ? 0xa1b23c4du : 0xa1b2c3d4u, 4, 65535, 1);
			record(&f, 1700000000, ns ? 123456789 : 123456, 60, 60, 1);
			record(&f, 1700000001, 5, 100, 1514, 2);
			record(&f, 1700000002, ns ? 999999999 : 999999, 0, 0, 3);
			for (size_t k = 0; k < 2 * sizeof(blocks) / sizeof(blocks[0]); k++) {
				pf = open_mem(&f, blocks[k / 2], k % 2 == 1);
				assert_int_equal(sd_pcapfile_linktype(pf), 1);
				assert_int_equal(sd_pcapfile_nano(pf), ns == 1);
				assert_int_equal(sd_pcapfile_bytes(pf), 24);
				assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
				check(&fr, 1, 1700000000, ns ? 123456789 : 123456000, 60, 60, 1);
				assert_int_equal(fr.linktype, 1);
				assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
				check(&fr, 2, 1700000001, ns ? 5 : 5000, 100, 1514, 2);
				assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
				check(&fr, 3, 1700000002, ns ? 999999999 : 999999000, 0, 0, 3);
				assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_EOF);
				assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_EOF);
				assert_int_equal(sd_pcapfile_bytes(pf), f.n);
				sd_pcapfile_close(pf);
			}
		}
	}
}

/* A sub-second field of a second or more is carried, as libpcap's value is by file.c; a
 * negative one (the fields are signed in a file of this host's byte order) wraps as it did;
 * in a file of the other byte order libpcap reads them unsigned. */
static void
test_time_carry(void **state)
{
	struct sd_pcapfile *pf;
	struct sd_frame fr;
	struct file f;
	char err[SD_ERRBUF];
	uint64_t ns = (uint64_t)(int64_t)-1000;

	(void)state;
	header(&f, false, 0xa1b2c3d4u, 4, 65535, 1);
	record(&f, 10, 2999999, 4, 4, 0);
	record(&f, 10, 0xffffffffu, 4, 4, 0);
	record(&f, 0x80000000u, 0, 4, 4, 0);
	pf = open_mem(&f, 0, false);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	assert_int_equal(fr.sec, 12);
	assert_int_equal(fr.nsec, 999999000);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	assert_int_equal(fr.sec, 10 + (int64_t)(ns / 1000000000u));
	assert_int_equal(fr.nsec, ns % 1000000000u);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	assert_int_equal(fr.sec, -2147483648LL);	/* the seconds are signed too */
	sd_pcapfile_close(pf);

	header(&f, true, 0xa1b2c3d4u, 4, 65535, 1);
	record(&f, 10, 0xffffffffu, 4, 4, 0);
	record(&f, 0x80000000u, 0, 4, 4, 0);
	pf = open_mem(&f, 0, false);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	assert_int_equal(fr.sec, 10 + 4294967295000ULL / 1000000000u);
	assert_int_equal(fr.nsec, 4294967295000ULL % 1000000000u);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	assert_int_equal(fr.sec, 2147483648LL);
	sd_pcapfile_close(pf);
}

/* A frame larger than the read block: the buffer grows for it, the frames after it read on. */
static void
test_frame_larger_than_block(void **state)
{
	struct sd_pcapfile *pf;
	struct sd_frame fr;
	struct file f;
	char err[SD_ERRBUF];

	(void)state;
	header(&f, false, 0xa1b2c3d4u, 4, 0, 101);	/* snaplen 0: the maximum */
	record(&f, 1, 0, 10, 10, 7);
	record(&f, 2, 0, 3000, 3000, 8);
	record(&f, 3, 0, 20, 20, 9);
	for (int exact = 0; exact < 2; exact++) {
		pf = open_mem(&f, 64, exact);
		assert_int_equal(sd_pcapfile_linktype(pf), 101);	/* LINKTYPE_RAW */
		assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
		check(&fr, 1, 1, 0, 10, 10, 7);
		assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
		check(&fr, 2, 2, 0, 3000, 3000, 8);
		assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
		check(&fr, 3, 3, 0, 20, 20, 9);
		assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_EOF);
		sd_pcapfile_close(pf);
	}
}

/* Open f's bytes and read until the first non-frame; that code, err holding its text. */
static enum sd_cap_rc
read_to_end(const struct file *f, size_t block, uint64_t *frames, char err[SD_ERRBUF])
{
	struct sd_pcapfile *pf = open_mem(f, block, false);
	struct sd_frame fr;
	enum sd_cap_rc rc;
	char again[SD_ERRBUF];

	*frames = 0;
	while ((rc = sd_pcapfile_next(pf, &fr, err)) == SD_CAP_FRAME)
		(*frames)++;
	/* the error stays */
	assert_int_equal(sd_pcapfile_next(pf, &fr, again), rc);
	if (rc == SD_CAP_ERROR)
		assert_string_equal(again, err);
	sd_pcapfile_close(pf);
	return rc;
}

/* Cut records and corrupt lengths: libpcap's texts, the file and the frame named. */
static void
test_cut_and_corrupt(void **state)
{
	struct file f, g;
	char err[SD_ERRBUF];
	uint64_t n;

	(void)state;
	header(&f, true, 0xa1b2c3d4u, 4, 65535, 1);
	record(&f, 1, 0, 60, 60, 0);
	record(&f, 2, 0, 60, 60, 0);
	for (size_t block = 0; block <= 32; block += 32) {
		g = f;
		g.n = 24 + 76 + 7;		/* in the second record's header */
		assert_int_equal(read_to_end(&g, block, &n, err), SD_CAP_ERROR);
		assert_int_equal(n, 1);
		assert_string_equal(err, "t.pcap: frame 2: truncated dump file; tried to read "
		    "16 header bytes, only got 7");
		g.n = 24 + 76 + 16 + 20;	/* in its data */
		assert_int_equal(read_to_end(&g, block, &n, err), SD_CAP_ERROR);
		assert_int_equal(n, 1);
		assert_string_equal(err, "t.pcap: frame 2: truncated dump file; tried to read "
		    "60 captured bytes, only got 20");
	}

	/* a length past the snapshot length and past libpcap's maximum */
	header(&f, false, 0xa1b2c3d4u, 4, 65535, 1);
	record(&f, 1, 0, 4, 4, 0);
	put32(&f, 1);
	put32(&f, 0);
	put32(&f, 0x7fffffffu);
	put32(&f, 60);
	assert_int_equal(read_to_end(&f, 0, &n, err), SD_CAP_ERROR);
	assert_int_equal(n, 1);
	assert_string_equal(err, "t.pcap: frame 2: invalid packet capture length 2147483647, "
	    "bigger than snaplen of 65535");
	/* a snapshot length above the maximum: the maximum is named */
	header(&f, false, 0xa1b2c3d4u, 4, 1000000, 1);
	put32(&f, 1);
	put32(&f, 0);
	put32(&f, 300000);
	put32(&f, 300000);
	assert_int_equal(read_to_end(&f, 0, &n, err), SD_CAP_ERROR);
	assert_int_equal(n, 0);
	assert_string_equal(err, "t.pcap: frame 1: invalid packet capture length 300000, "
	    "bigger than maximum of 262144");
}

/* A record longer than the file's snapshot length (but sane): its first snaplen bytes are
 * handed on and the rest skipped, as libpcap does; cut inside the skipped part, libpcap's
 * text with the record's length. */
static void
test_over_snaplen(void **state)
{
	struct sd_pcapfile *pf;
	struct sd_frame fr;
	struct file f;
	char err[SD_ERRBUF];
	uint64_t n;

	(void)state;
	header(&f, false, 0xa1b2c3d4u, 4, 20, 1);
	record(&f, 1, 0, 60, 60, 5);
	record(&f, 2, 0, 10, 10, 6);
	pf = open_mem(&f, 0, false);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	check(&fr, 1, 1, 0, 20, 60, 5);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_FRAME);
	check(&fr, 2, 2, 0, 10, 10, 6);
	assert_int_equal(sd_pcapfile_next(pf, &fr, err), SD_CAP_EOF);
	sd_pcapfile_close(pf);

	f.n = 24 + 16 + 30;
	assert_int_equal(read_to_end(&f, 0, &n, err), SD_CAP_ERROR);
	assert_string_equal(err, "t.pcap: frame 1: truncated dump file; tried to read "
	    "60 captured bytes, only got 30");
	f.n = 24 + 16 + 10;
	assert_int_equal(read_to_end(&f, 0, &n, err), SD_CAP_ERROR);
	assert_string_equal(err, "t.pcap: frame 1: truncated dump file; tried to read "
	    "20 captured bytes, only got 10");
}

/* The headers left to libpcap: older versions, other magics, link types it maps or whose
 * frames it rewrites. */
static void
test_left_to_libpcap(void **state)
{
	struct file f;

	(void)state;
	header(&f, false, 0xa1b2c3d4u, 3, 65535, 1);
	assert_false(sd_pcapfile_takes(f.b));		/* 2.3: lengths maybe swapped */
	header(&f, false, 0xa1b2cd34u, 4, 65535, 1);
	assert_false(sd_pcapfile_takes(f.b));		/* Kuznetzov's */
	header(&f, false, 0x0a0d0d0au, 4, 65535, 1);
	assert_false(sd_pcapfile_takes(f.b));		/* pcapng */
	header(&f, false, 0xa1b2c3d4u, 4, 65535, 246);
	assert_false(sd_pcapfile_takes(f.b));		/* PFSYNC: another DLT value */
	header(&f, false, 0xa1b2c3d4u, 4, 65535, 231);
	assert_false(sd_pcapfile_takes(f.b));		/* DBUS: another maximum */
	header(&f, true, 0xa1b2c3d4u, 4, 65535, 113);
	assert_false(sd_pcapfile_takes(f.b));		/* SLL, swapped: pseudo-header rewritten */
	header(&f, false, 0xa1b2c3d4u, 4, 65535, 113);
	assert_true(sd_pcapfile_takes(f.b));
	header(&f, true, 0xa1b23c4du, 4, 65535, 1 | 0x10000000u);	/* FCS bits: ignored */
	assert_true(sd_pcapfile_takes(f.b));
}

/* The whole path: a stream opened by sd_cap_open_stream(), the reader chosen by the header,
 * a file header cut short still in libpcap's words, a 2.3 file still read (by libpcap). */
static void
test_through_cap(void **state)
{
	struct sd_cap *c;
	struct sd_frame fr;
	struct file f;
	char err[SD_ERRBUF];
	uint64_t done, total;
	FILE *fp;

	(void)state;
	for (int minor = 3; minor <= 4; minor++) {
		header(&f, false, 0xa1b23c4du, (uint16_t)minor, 65535, 1);
		record(&f, 5, 6, 30, 40, 1);
		fp = fmemopen(f.b, f.n, "rb");
		assert_non_null(fp);
		assert_int_equal(sd_cap_open_stream(&c, fp, "s.pcap", err), 0);
		assert_int_equal(sd_cap_datalink(c), 1);
		assert_int_equal(sd_cap_next(c, &fr, err), SD_CAP_FRAME);
		check(&fr, 1, 5, 6, 30, 40, 1);
		assert_int_equal(fr.linktype, 1);
		assert_int_equal(sd_cap_next(c, &fr, err), SD_CAP_EOF);
		sd_cap_progress(c, &done, &total);
		if (minor == 4)
			assert_int_equal(done, f.n);
		sd_cap_close(c);
	}

	header(&f, false, 0xa1b2c3d4u, 4, 65535, 1);
	fp = fmemopen(f.b, 14, "rb");
	assert_non_null(fp);
	assert_int_equal(sd_cap_open_stream(&c, fp, "s.pcap", err), -1);
	assert_string_equal(err, "s.pcap: truncated dump file; tried to read 24 file header "
	    "bytes, only got 10");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_and_precisions),
		cmocka_unit_test(test_time_carry),
		cmocka_unit_test(test_frame_larger_than_block),
		cmocka_unit_test(test_cut_and_corrupt),
		cmocka_unit_test(test_over_snaplen),
		cmocka_unit_test(test_left_to_libpcap),
		cmocka_unit_test(test_through_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
