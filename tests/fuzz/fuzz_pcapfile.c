/*
 * tests/fuzz/fuzz_pcapfile.c - our classic pcap reader (capture/pcapfile.c) against libpcap,
 * on the same bytes: every header it takes, libpcap opens too, and record by record both give
 * the same frame (timestamp as shakedown hands it on, lengths, every byte), the same end, or
 * the same error text.  The first input byte picks the block size (small ones: records
 * larger than the buffer, moves of a partial record) and the exact (pipe) read mode; the rest
 * is the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture/pcapfile.h"
#include "tests/fuzz/fuzz.h"

/* The frame libpcap hands on, as capture/file.c turns it into an sd_frame. */
static void
same_frame(const struct pcap_pkthdr *h, const u_char *data, const struct sd_frame *f)
{
	uint64_t ns = (uint64_t)h->ts.tv_usec;

	if (f->sec != (int64_t)h->ts.tv_sec + (int64_t)(ns / 1000000000u) ||
	    f->nsec != (uint32_t)(ns % 1000000000u) || f->caplen != h->caplen ||
	    f->len != h->len || memcmp(f->data, data, h->caplen) != 0)
		__builtin_trap();
}

/* err is "fuzz: frame N: <text>": the text must be libpcap's. */
static void
same_error(const char *err, const char *lp, uint64_t no)
{
	char want[SD_ERRBUF + 64];

	snprintf(want, sizeof(want), "fuzz: frame %llu: %s", (unsigned long long)no, lp);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "ours: %s\nlibpcap: %s\n", err, want);
		__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char ebuf[PCAP_ERRBUF_SIZE], err[SD_ERRBUF];
	struct sd_pcapfile_src src = { .fd = -1 };
	uint8_t hdr[SD_PCAPFILE_HDR];
	struct sd_pcapfile *pf;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	struct sd_frame f;
	enum sd_cap_rc rc;
	size_t block;
	FILE *a, *b;
	pcap_t *p;
	uint64_t n = 0;
	int lrc, dlt;

	if (size < 1 + SD_PCAPFILE_HDR)
		return 0;
	block = (size_t)(data[0] & 0x3f) * 53;		/* 0: the default size */
	src.exact = (data[0] & 0x40) != 0;
	data++;
	size--;
	if (!sd_pcapfile_takes(data))
		return 0;
	if ((a = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL)
		return 0;
	if ((p = pcap_fopen_offline_with_tstamp_precision(a, PCAP_TSTAMP_PRECISION_NANO,
	    ebuf)) == NULL) {
		fprintf(stderr, "libpcap refused a header we take: %s\n", ebuf);
		__builtin_trap();
	}
	dlt = pcap_datalink(p);
	if ((b = fmemopen((void *)(uintptr_t)data, size, "rb")) == NULL ||
	    fread(hdr, 1, sizeof(hdr), b) != sizeof(hdr)) {
		if (b != NULL)
			fclose(b);
		pcap_close(p);
		return 0;
	}
	src.fp = b;
	if (sd_pcapfile_open(&pf, hdr, src, "fuzz", block) != 0) {
		fclose(b);
		pcap_close(p);
		return 0;
	}
	/* libpcap's DLT_RAW is LINKTYPE_RAW; the others are the same values */
	if (sd_pcapfile_linktype(pf) != (dlt == DLT_RAW ? 101 : dlt))
		__builtin_trap();
	for (;;) {
		lrc = pcap_next_ex(p, &h, &pkt);
		rc = sd_pcapfile_next(pf, &f, err);
		if (lrc == 1) {
			if (rc != SD_CAP_FRAME)
				__builtin_trap();
			if (f.no != ++n)
				__builtin_trap();
			same_frame(h, pkt, &f);
			continue;
		}
		if (lrc == PCAP_ERROR_BREAK) {
			if (rc != SD_CAP_EOF || sd_pcapfile_next(pf, &f, err) != SD_CAP_EOF)
				__builtin_trap();
		} else {
			if (rc != SD_CAP_ERROR)
				__builtin_trap();
			same_error(err, pcap_geterr(p), n + 1);
		}
		break;
	}
	sd_pcapfile_close(pf);
	pcap_close(p);
	return 0;
}
