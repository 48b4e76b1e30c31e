/* tests/fuzz/fuzz_pcap.c - a whole capture file through the whole pipeline and the rules. */
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "adapt/digest.h"
#include "engine/engine.h"
#include "analyze/rules.h"
#include "tests/fuzz/fuzz.h"

static void
sink(void *ctx, const struct sd_event *ev)
{
	struct sd_rules **r = ctx;

	if (*r != NULL)
		sd_rules_event(*r, ev);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE], perr[256];
	struct sd_findings findings;
	struct sd_rules_opts ro;
	struct sd_engine_opts po;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	struct sd_pkt_in in;
	struct sd_rules *rules = NULL;
	struct sd_store_reg reg;
	struct sd_memcap mc;
	struct sd_engine *pipe;
	uint64_t no = 0;
	pcap_t *p;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "rb");
	if (f == NULL)
		return 0;
	p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (p == NULL) {
		fclose(f);
		return 0;
	}
	memset(&findings, 0, sizeof(findings));
	memset(&reg, 0, sizeof(reg));
	memset(&mc, 0, sizeof(mc));
	memset(&po, 0, sizeof(po));
	po.memcap = 8u << 20;		/* small caps: reach the limit paths */
	po.flow.max_flows = 64;
	po.stream_buf = 16384;
	po.hooks.digest = sd_adapt_digest();	/* nDPI is not ours to fuzz: no classify hook */
	po.sink.emit = sink;
	po.sink.ctx = &rules;
	po.store_reg = &reg;
	po.mc = &mc;
	pipe = sd_engine_new(&po, perr, sizeof(perr));
	/* windows of one second: the live path of the cross-connection rules too */
	memset(&ro, 0, sizeof(ro));
	ro.window_sec = 1;
	rules = pipe != NULL ? sd_rules_new(&findings, &ro, &reg, sd_engine_memcap(pipe), perr,
	    sizeof(perr)) : NULL;
	while (pipe != NULL && rules != NULL && pcap_next_ex(p, &h, &pkt) == 1) {
		in.frame = ++no;
		in.sec = h->ts.tv_sec;
		in.nsec = (uint32_t)h->ts.tv_usec;
		in.caplen = h->caplen;
		in.len = h->len;
		in.linktype = pcap_datalink(p);
		in.file_index = 0;
		in.data = pkt;
		sd_engine_packet(pipe, &in);
	}
	if (pipe != NULL)
		sd_engine_finish(pipe);
	sd_engine_free(pipe);		/* ends flows: their rule state goes first */
	sd_rules_free(rules);
	sd_finding_list_free(&findings);
	pcap_close(p);		/* closes f */
	return 0;
}
