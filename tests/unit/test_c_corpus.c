/* tests/unit/test_c_corpus.c - capture/ over the real pcapng files of ../shared/corpus:
 * frames counted against its manifest (skipped where the corpus is absent). */
#include "tests/unit/cap_harness.h"

static const char *
shared_dir(void)
{
	static char buf[1024];
	const char *src = getenv("SD_SOURCE_DIR");
	struct stat st;

	if (src != NULL && snprintf(buf, sizeof(buf), "%s/../shared", src) < (int)sizeof(buf) &&
	    stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
		return buf;
	if (stat("/work/shared", &st) == 0 && S_ISDIR(st.st_mode))
		return "/work/shared";
	return NULL;
}

/* The packets column of MANIFEST.tsv (capinfos -c) for one corpus file; -1 if absent. */
static long
manifest_packets(const char *shared, const char *file)
{
	char path[1100], line[4096];
	long packets = -1;
	size_t n = strlen(file);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/corpus/MANIFEST.tsv", shared);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *col = line;

		if (strncmp(line, file, n) != 0 || line[n] != '\t')
			continue;
		for (int i = 1; i < 7 && col != NULL; i++)	/* column 7: packets */
			if ((col = strchr(col, '\t')) != NULL)
				col++;
		if (col != NULL)
			packets = strtol(col, NULL, 10);
		break;
	}
	fclose(fp);
	return packets;
}

static void
check_corpus_count(const char *shared, const char *file)
{
	char path[1100], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	enum sd_cap_rc rc;
	uint64_t n = 0, done, total;
	long want;

	want = manifest_packets(shared, file);
	assert_true(want > 0);
	snprintf(path, sizeof(path), "%s/corpus/%s", shared, file);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	while ((rc = sd_cap_next(c, &f, err)) == SD_CAP_FRAME) {
		n++;
		assert_int_equal(f.no, n);
	}
	assert_int_equal(rc, SD_CAP_EOF);
	assert_int_equal(n, want);
	sd_cap_progress(c, &done, &total);
	assert_int_equal(done, total);
	sd_cap_close(c);
}

static void
test_corpus_pcapng(void **state)
{
	const char *shared = shared_dir();

	(void)state;
	if (shared == NULL)
		skip();
	check_corpus_count(shared, "ndpi/tls_with_huge_ch.pcapng");
	check_corpus_count(shared, "arkime/IKEv2.pcap");
	/* Wireshark captures: two interfaces of different link types (libpcap 1.10 refuses
	 * the first), three interfaces of one. */
	check_corpus_count(shared, "pcapplusplus/pcapng-example.pcapng");
	check_corpus_count(shared, "pcapplusplus/ipsec.pcapng");
	check_corpus_count(shared, "ndpi/steam.pcapng");		/* 4 interfaces */
	check_corpus_count(shared, "ndpi/bets.pcapng");	/* named .pcapng, but classic pcap */
}

/* pcapng-example.pcapng: capinfos says Ethernet (59) and Linux cooked-mode v1 (100);
 * tshark shows frames 1-59 as Ethernet, 60-159 as SLL. */
static void
test_corpus_pcapng_links(void **state)
{
	const char *shared = shared_dir();
	char path[1100], err[SD_ERRBUF];
	struct sd_cap *c;
	struct sd_frame f;
	uint64_t eth = 0, sll = 0, first_sll = 0;
	enum sd_cap_rc rc;

	(void)state;
	if (shared == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/corpus/pcapplusplus/pcapng-example.pcapng", shared);
	assert_int_equal(sd_cap_open_file(&c, path, err), 0);
	while ((rc = sd_cap_next(c, &f, err)) == SD_CAP_FRAME) {
		assert_true(f.linktype == 1 || f.linktype == 113);
		assert_true(f.caplen <= f.len);
		if (f.linktype == 1)
			eth++;
		else if (sll++ == 0)
			first_sll = f.no;
	}
	assert_int_equal(rc, SD_CAP_EOF);
	assert_int_equal(eth, 59);
	assert_int_equal(sll, 100);
	assert_int_equal(first_sll, 60);
	sd_cap_close(c);
}

/* Live: open "lo" with a filter for one UDP port, send a datagram there, see it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_pcapng),
		cmocka_unit_test(test_corpus_pcapng_links),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
