/* tests/unit/test_c_pcapng_write.c - capture/pcapng_write.c: files our pcapng reader and, when
 * installed, tshark read back, with link types, nanosecond timestamps and comments intact. */
#include "tests/unit/cap_harness.h"

#include "capture/pcapng_write.h"

/* Two link types (Ethernet, raw IP), a frame cut by the snaplen, odd lengths for padding. */
static const struct wrec {
	int		 linktype;
	int64_t		 sec;
	uint32_t	 nsec, caplen, len;
	const char	*comment;
} recs[] = {
	{ 1, 1700000000, 123456789, 61, 61, "shakedown 001 tls.cert.expired: certificate" },
	{ 101, 1700000001, 5, 20, 1500, NULL },
	{ 1, 1700000002, 999999999, 42, 42, "a comment\nwith a newline, \"quotes\", ü" },
};

static void
write_three(const char *path)
{
	uint8_t data[64];
	struct sd_pcapng_w *w;
	FILE *fp = fopen(path, "wb");
	size_t i;

	assert_non_null(fp);
	w = sd_pcapng_w_new(fp, "shakedown test");
	assert_non_null(w);
	for (i = 0; i < 3; i++) {
		memset(data, (int)(0x40 + i), sizeof(data));
		assert_int_equal(sd_pcapng_w_packet(w, recs[i].linktype, recs[i].sec,
		    recs[i].nsec, recs[i].caplen, recs[i].len, data, recs[i].comment), 0);
	}
	assert_int_equal(sd_pcapng_w_count(w), 3);
	assert_true(sd_pcapng_w_free(w));
	assert_int_equal(fclose(fp), 0);
}

static void
test_read_back(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	size_t i, k;

	(void)state;
	tmp_path(path, sizeof(path), "w.pcapng");
	write_three(path);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		assert_int_equal(f.no, i + 1);
		assert_int_equal(f.linktype, recs[i].linktype);
		assert_int_equal(f.sec, recs[i].sec);
		assert_int_equal(f.nsec, recs[i].nsec);
		assert_int_equal(f.caplen, recs[i].caplen);
		assert_int_equal(f.len, recs[i].len);
		for (k = 0; k < f.caplen; k++)
			assert_int_equal(f.data[k], 0x40 + i);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);
}

/* tshark, when installed, reads the same file: frame count, link types and the comments. */
static void
test_tshark(void **state)
{
	char path[512], cmd[1024], line[512];
	FILE *p;
	int n = 0;

	(void)state;
	if (system("command -v tshark >/dev/null 2>&1") != 0)
		skip();
	tmp_path(path, sizeof(path), "t.pcapng");
	write_three(path);
	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -E separator=, -e frame.number "
	    "-e frame.time_epoch -e frame.comment 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		n++;
		if (n == 1)
			assert_string_equal(line, "1,1700000000.123456789,shakedown 001 "
			    "tls.cert.expired: certificate\n");
		else if (n == 2)
			assert_string_equal(line, "2,1700000001.000000005,\n");
		else if (n == 3)
			assert_non_null(strstr(line, "3,1700000002.999999999,a comment"));
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(n, 3);
}

/* A write error (a full disk) is reported, not hidden. */
static void
test_write_error(void **state)
{
	uint8_t data[64] = { 0 };
	struct sd_pcapng_w *w;
	FILE *fp = fopen("/dev/full", "wb");

	(void)state;
	if (fp == NULL)
		skip();
	setvbuf(fp, NULL, _IONBF, 0);
	w = sd_pcapng_w_new(fp, "x");
	assert_null(w);
	fclose(fp);
	fp = fmemopen(NULL, 200, "wb");
	assert_non_null(fp);
	setvbuf(fp, NULL, _IONBF, 0);
	w = sd_pcapng_w_new(fp, "x");
	assert_non_null(w);
	assert_int_equal(sd_pcapng_w_packet(w, 1, 1, 0, 64, 64, data, NULL), 0);
	assert_int_equal(sd_pcapng_w_packet(w, 1, 1, 0, 64, 64, data, "too much"), -1);
	assert_false(sd_pcapng_w_free(w));
	fclose(fp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_tshark),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
