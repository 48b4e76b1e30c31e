/* tests/unit/cap_harness.h - what the capture/ tests share: a scratch directory, pcap files
 * written with libpcap, frames checked byte for byte. */
#ifndef SD_TESTS_UNIT_CAP_HARNESS_H
#define SD_TESTS_UNIT_CAP_HARNESS_H

#include <setjmp.h>	/* cmocka needs these before <cmocka.h> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/cap.h"
#include "capture/pcapng.h"

static char tmpdir[] = "/tmp/sd_test_cap.XXXXXX";	/* one per test program */

struct rec {
	int64_t		 sec;
	uint32_t	 frac;		/* ns or us, as the file's precision says */
	uint32_t	 caplen, len;
};

/* Three records: a full frame, one cut by the snaplen (caplen < len), a small one. */
static const struct rec three[] = {
	{ 1700000000, 123456789, 60, 60 },
	{ 1700000001, 5, 100, 1514 },
	{ 1700000002, 999999999, 42, 42 },
};

static inline int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the files the tests wrote (flat: no subdirectories), then the directory. */
static inline int
teardown(void **state)
{
	char path[1024];
	struct dirent *e;
	DIR *d;

	(void)state;
	if ((d = opendir(tmpdir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static inline void
tmp_path(char *buf, size_t size, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < size);
}

/* Packet bytes: byte i of record r is r * 16 + i, so a mix-up between records shows. */
static inline void
fill(uint8_t *buf, size_t n, size_t r)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(r * 16 + i);
}

/* Write recs with pcap_dump into path; returns the file size. */
static inline long
write_pcap(const char *path, int precision, const struct rec *recs, size_t n)
{
	uint8_t buf[2048];
	struct pcap_pkthdr h;
	pcap_dumper_t *d;
	pcap_t *p;
	struct stat st;

	p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, (u_int)precision);
	assert_non_null(p);
	d = pcap_dump_open(p, path);
	assert_non_null(d);
	for (size_t i = 0; i < n; i++) {
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = (time_t)recs[i].sec;
		h.ts.tv_usec = (suseconds_t)recs[i].frac;
		h.caplen = recs[i].caplen;
		h.len = recs[i].len;
		assert_true(recs[i].caplen <= sizeof(buf));
		fill(buf, recs[i].caplen, i);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(p);
	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

static inline void
check_frame(const struct sd_frame *f, uint64_t no, const struct rec *r, uint32_t nsec)
{
	uint8_t want[2048];

	assert_int_equal(f->no, no);
	assert_int_equal(f->sec, r->sec);
	assert_int_equal(f->nsec, nsec);
	assert_int_equal(f->caplen, r->caplen);
	assert_int_equal(f->len, r->len);
	assert_int_equal(f->linktype, 1);		/* LINKTYPE_ETHERNET */
	fill(want, r->caplen, (size_t)no - 1);
	assert_memory_equal(f->data, want, r->caplen);
}

#endif /* SD_TESTS_UNIT_CAP_HARNESS_H */
