/* bench/pcap_read.c - the bare libpcap read loop: the floor shakedown is compared with.
 * Reads every record with pcap_next_ex(), touches the first byte of each packet and sums
 * caplen so the work cannot be optimised away, and prints packets and bytes. */
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0;
	unsigned sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: sd_pcap_read FILE\n");
		return 2;
	}
	ebuf[0] = '\0';
	p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (p == NULL) {
		fprintf(stderr, "sd_pcap_read: %s: %s\n", argv[1], ebuf);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		if (h->caplen > 0)
			sum += data[0];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "sd_pcap_read: %s: frame %llu: %s\n", argv[1],
		    (unsigned long long)packets + 1, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %llu bytes %llu check %u\n", (unsigned long long)packets,
	    (unsigned long long)bytes, sum & 0xff);
	return 0;
}
