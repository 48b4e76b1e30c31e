/* tests/unit/test_c_cap.c - capture/: pcap files, standard input, errors that name the file
 * and the frame, and a live capture on the loopback interface. */
#include "tests/unit/cap_harness.h"

#include <zlib.h>


static void
test_pcap_nano(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t done, total;
	long size;

	(void)state;
	tmp_path(path, sizeof(path), "nano.pcap");
	size = write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_string_equal(sd_cap_name(c), path);
	assert_false(sd_cap_is_live(c));
	sd_cap_progress(c, &done, &total);
	assert_int_equal(total, size);
	assert_int_equal(done, 24);			/* the file header */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		check_frame(&f, i + 1, &three[i], three[i].frac);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);	/* stays at EOF */
	sd_cap_progress(c, &done, &total);
	assert_int_equal(done, size);
	assert_int_equal(total, size);
	assert_false(sd_cap_stats(c, &done, &total));
	sd_cap_close(c);

	/* sd_cap_break() stops a file too (Ctrl-C during a long read). */
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	sd_cap_break(c);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_BREAK);
	sd_cap_close(c);
}

static void
test_pcap_micro(void **state)
{
	static const struct rec us[] = {
		{ 1, 0, 60, 60 },
		{ 1600000000, 999999, 60, 60 },
	};
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;

	(void)state;
	tmp_path(path, sizeof(path), "micro.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_MICRO, us, 2);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	check_frame(&f, 1, &us[0], 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	check_frame(&f, 2, &us[1], 999999000);		/* us scaled to ns */
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);
}

/* A record with caplen 0 is still a frame (Wireshark numbers it). */
static void
test_caplen_zero(void **state)
{
	static const struct rec z[] = {
		{ 10, 1, 0, 60 },
		{ 11, 2, 14, 14 },
	};
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;

	(void)state;
	tmp_path(path, sizeof(path), "zero.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, z, 2);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 1);
	assert_int_equal(f.caplen, 0);
	assert_int_equal(f.len, 60);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	check_frame(&f, 2, &z[1], 2);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);
}

/* Copy the first n bytes of src into dst. */
static void
truncate_copy(const char *src, const char *dst, long n)
{
	uint8_t buf[4096];
	FILE *in, *out;

	assert_true(n >= 0 && (size_t)n <= sizeof(buf));
	in = fopen(src, "rb");
	assert_non_null(in);
	assert_int_equal(fread(buf, 1, (size_t)n, in), (size_t)n);
	fclose(in);
	out = fopen(dst, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite(buf, 1, (size_t)n, out), (size_t)n);
	fclose(out);
}

/* Cut in the middle of the third record's data: two frames, then an error naming the
 * file and frame 3. */
static void
test_truncated_record(void **state)
{
	char path[512], cut[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	long third;

	(void)state;
	tmp_path(path, sizeof(path), "whole.pcap");
	tmp_path(cut, sizeof(cut), "cut.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	third = 24 + 16 + 60 + 16 + 100;		/* where record 3 starts */
	truncate_copy(path, cut, third + 16 + 20);	/* 20 of its 42 bytes */
	assert_int_equal(sd_cap_open_file(&c, cut, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(f.no, 2);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_ERROR);
	assert_non_null(strstr(err, cut));
	assert_non_null(strstr(err, ": frame 3: "));
	assert_non_null(strstr(err, "truncated"));	/* libpcap: "truncated dump file; ..." */
	sd_cap_close(c);

	/* Cut inside the third record's header: the same. */
	truncate_copy(path, cut, third + 7);
	assert_int_equal(sd_cap_open_file(&c, cut, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_ERROR);
	assert_non_null(strstr(err, cut));
	assert_non_null(strstr(err, ": frame 3: "));
	sd_cap_close(c);

	/* Cut exactly after record 2: a clean end after two frames. */
	truncate_copy(path, cut, third);
	assert_int_equal(sd_cap_open_file(&c, cut, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_close(c);

	/* Cut inside the file header: the open fails and names the file. */
	truncate_copy(path, cut, 10);
	assert_int_equal(sd_cap_open_file(&c, cut, err), -1);
	assert_null(c);
	assert_true(strncmp(err, cut, strlen(cut)) == 0);
	assert_non_null(strstr(err, "truncated"));
}

/* A record header with an absurd caplen (garbage in the middle of the file): frame 1, then
 * an error for frame 2. */
static void
test_corrupt_record(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	FILE *fp;
	static const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0x7f };	/* LE 0x7fffffff */

	(void)state;
	tmp_path(path, sizeof(path), "corrupt.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 24 + 16 + 60 + 8, SEEK_SET), 0);	/* record 2: incl_len */
	assert_int_equal(fwrite(huge, 1, sizeof(huge), fp), sizeof(huge));
	fclose(fp);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_ERROR);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_non_null(strstr(err, ": frame 2: "));
	assert_non_null(strstr(err, "2147483647"));	/* libpcap names the bad length */
	sd_cap_close(c);
}

static void
test_not_a_capture(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	FILE *fp;

	(void)state;
	tmp_path(path, sizeof(path), "notes.txt");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("This is a text file and not a packet capture at all.\n", fp);
	fclose(fp);
	assert_int_equal(sd_cap_open_file(&c, path, err), -1);
	assert_null(c);
	assert_true(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
	assert_non_null(strstr(err, "unknown file format"));

	/* A missing file: named once, with the reason. */
	tmp_path(path, sizeof(path), "missing.pcap");
	assert_int_equal(sd_cap_open_file(&c, path, err), -1);
	assert_true(strncmp(err, path, strlen(path)) == 0);
	assert_null(strstr(err + strlen(path), path));
	assert_non_null(strstr(err, "No such file"));
}

/* gzip (zlib's gzwrite, as gzip(1) writes it): the same frames; every prefix short of the
 * whole file is an error that says the gzip data is truncated, never a clean end. */
static void
test_gzip(void **state)
{
	char path[512], gzpath[512], cut[512], err[SD_ERRBUF];
	uint8_t raw[4096], *gz;
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t done, total;
	long size, gzsize;
	size_t n, k, frames;
	enum sd_cap_rc rc;
	gzFile g;
	FILE *fp;

	(void)state;
	tmp_path(path, sizeof(path), "plain.pcap");
	size = write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(raw, 1, sizeof(raw), fp);
	fclose(fp);
	assert_int_equal(n, size);
	tmp_path(gzpath, sizeof(gzpath), "packed.pcap");	/* no .gz: known by content */
	g = gzopen(gzpath, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, raw, (unsigned)n), (int)n);
	assert_int_equal(gzclose(g), Z_OK);

	assert_int_equal(sd_cap_open_file(&c, gzpath, err), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		check_frame(&f, i + 1, &three[i], three[i].frac);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_progress(c, &done, &total);
	assert_int_equal(done, total);		/* compressed bytes against the file size */
	sd_cap_close(c);

	fp = fopen(gzpath, "rb");
	assert_non_null(fp);
	gz = malloc(65536);
	assert_non_null(gz);
	gzsize = (long)fread(gz, 1, 65536, fp);
	fclose(fp);
	tmp_path(cut, sizeof(cut), "cut.pcap.gz");
	for (k = 2; k < (size_t)gzsize; k++) {	/* from the 2-byte magic on */
		fp = fopen(cut, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(gz, 1, k, fp), k);
		fclose(fp);
		if (sd_cap_open_file(&c, cut, err) != 0) {
			assert_non_null(strstr(err, "gzip"));
			continue;
		}
		frames = 0;
		while ((rc = sd_cap_next(c, &f, err)) == SD_CAP_FRAME)
			frames++;
		assert_int_equal(rc, SD_CAP_ERROR);
		assert_true(frames < 3 || strstr(err, "gzip data truncated") != NULL);
		sd_cap_close(c);
	}
	/* Each bit flipped: a result or an error, never a crash or a hang. */
	for (k = 0; k < (size_t)gzsize * 8; k++) {
		gz[k / 8] ^= (uint8_t)(1u << (k % 8));
		fp = fmemopen(gz, (size_t)gzsize, "rb");
		assert_non_null(fp);
		if (sd_cap_open_stream(&c, fp, "flip", err) == 0) {
			while (sd_cap_next(c, &f, err) == SD_CAP_FRAME)
				;
			sd_cap_close(c);
		}
		gz[k / 8] ^= (uint8_t)(1u << (k % 8));
	}
	free(gz);
}

/* Inputs that hold no capture say what they are; link types are named as libpcap does. */
static void
test_open_errors(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	FILE *fp;

	(void)state;
	tmp_path(path, sizeof(path), "empty.pcap");
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fclose(fp);
	assert_int_equal(sd_cap_open_file(&c, path, err), -1);
	assert_non_null(strstr(err, ": empty file"));
	assert_int_equal(sd_cap_open_file(&c, tmpdir, err), -1);
	assert_non_null(strstr(err, ": is a directory"));
	assert_string_equal(sd_cap_linktype_name(1), "EN10MB");
	assert_string_equal(sd_cap_linktype_name(147), "USER0");
	assert_string_equal(sd_cap_linktype_name(162), "USER15");
	assert_null(sd_cap_linktype_name(60000));

	tmp_path(path, sizeof(path), "eth.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 1);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	assert_int_equal(sd_cap_datalink(c), 1);
	sd_cap_close(c);
}

/* Standard input ("-"), here redirected from a file; the real stdin stays open. */
static void
test_stdin(void **state)
{
	char path[512], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t done, total;
	int saved;

	(void)state;
	tmp_path(path, sizeof(path), "stdin.pcap");
	write_pcap(path, PCAP_TSTAMP_PRECISION_NANO, three, 3);
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_non_null(freopen(path, "rb", stdin));
	assert_int_equal(sd_cap_open_file(&c, "-", err), 0);
	assert_string_equal(sd_cap_name(c), "-");
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_FRAME);
		check_frame(&f, i + 1, &three[i], three[i].frac);
	}
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_EOF);
	sd_cap_progress(c, &done, &total);
	assert_true(done > 0);
	sd_cap_close(c);
	assert_int_equal(dup2(saved, STDIN_FILENO), 0);
	close(saved);

	/* Garbage on standard input: the error says "standard input". */
	tmp_path(path, sizeof(path), "garbage.bin");
	{
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		fputs("\x01\x02\x03\x04garbage garbage garbage garbage", fp);
		fclose(fp);
	}
	saved = dup(STDIN_FILENO);
	assert_non_null(freopen(path, "rb", stdin));
	assert_int_equal(sd_cap_open_file(&c, "-", err), -1);
	assert_true(strncmp(err, "standard input: ", 16) == 0);
	assert_int_equal(dup2(saved, STDIN_FILENO), 0);
	close(saved);
}

/* pcapng writer pieces (little-endian). */
static void
test_live_lo(void **state)
{
	const char payload[] = "shakedown-cap-test";
	char bpf[64], err[SD_ERRBUF];
	struct sockaddr_in to;
	struct sd_cap *c;
	struct sd_frame f;
	enum sd_cap_rc rc;
	uint64_t recv, drop;
	uint16_t port;
	int s, tries;

	(void)state;
	port = (uint16_t)(40000 + getpid() % 20000);
	snprintf(bpf, sizeof(bpf), "udp and dst port %u", port);
	if (sd_cap_open_live(&c, "lo", bpf, 0, err) != 0) {
		/* Not root, or no AF_PACKET sockets here: not this test's business. */
		if (strstr(err, "ermission") != NULL || strstr(err, "not permitted") != NULL)
			skip();
		fail_msg("open lo: %s", err);
	}
	assert_true(sd_cap_is_live(c));
	assert_string_equal(sd_cap_name(c), "lo");
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&to,
	    sizeof(to)), (ssize_t)sizeof(payload));
	close(s);
	for (tries = 0; (rc = sd_cap_next(c, &f, err)) == SD_CAP_TIMEOUT && tries < 20; tries++)
		;
	assert_int_equal(rc, SD_CAP_FRAME);
	assert_int_equal(f.no, 1);
	assert_int_equal(f.linktype, 1);		/* Linux lo: Ethernet framing */
	assert_int_equal(f.caplen, 14 + 20 + 8 + sizeof(payload));
	assert_int_equal(f.len, f.caplen);
	assert_memory_equal(f.data + f.caplen - sizeof(payload), payload, sizeof(payload));
	assert_true(f.sec > 1600000000 && f.nsec < 1000000000u);
	assert_true(sd_cap_stats(c, &recv, &drop));
	assert_true(recv >= 1);
	/* Nothing else matches the filter: timeouts, then a break. */
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_TIMEOUT);
	sd_cap_break(c);
	assert_int_equal(sd_cap_next(c, &f, err), SD_CAP_BREAK);
	sd_cap_close(c);
}

static void
test_live_errors(void **state)
{
	char err[SD_ERRBUF];
	struct sd_cap *c;

	(void)state;
	assert_int_equal(sd_cap_open_live(&c, "sd-no-such0", NULL, 0, err), -1);
	assert_null(c);
	assert_true(strncmp(err, "sd-no-such0: ", 13) == 0);
	if (sd_cap_open_live(&c, "lo", "udp and dst port nonsense", 0, err) == 0)
		fail_msg("a bad filter was accepted");
	if (strstr(err, "ermission") != NULL)
		skip();
	assert_true(strncmp(err, "lo: filter \"udp and dst port nonsense\": ", 40) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_nano),
		cmocka_unit_test(test_pcap_micro),
		cmocka_unit_test(test_caplen_zero),
		cmocka_unit_test(test_truncated_record),
		cmocka_unit_test(test_corrupt_record),
		cmocka_unit_test(test_not_a_capture),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_live_lo),
		cmocka_unit_test(test_live_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
