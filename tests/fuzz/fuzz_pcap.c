/*
 * tests/fuzz/fuzz_pcap.c - a whole capture file through the whole pipeline and the rules.
 *
 * What is costly to make (the trust store, the inspection-CA catalogue) is made once, and
 * forgotten back to new between inputs (sd_rule_shared_reset); the engine and the rule
 * areas, cheap, are made per input.  So one input's result does not depend on the ones
 * before it: with SD_FUZZ_TWICE set, each input runs twice and the second run's findings
 * and counts must be the first's (the replay test fuzz.replay.pcap_twice checks it).
 * The store is samples/pki/root.crt alone (no system store: the same verdicts on every
 * machine).  nDPI, a library not built with the sanitizers, whose detection module keeps
 * caches across flows, is left out unless SD_FUZZ_NDPI is set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "adapt/digest.h"
#include "adapt/ndpi.h"
#include "engine/engine.h"
#include "analyze/rules.h"
#include "analyze/x509.h"
#include "tests/fuzz/fuzz.h"

#ifndef SD_FUZZ_SOURCE_DIR
#define SD_FUZZ_SOURCE_DIR	"."
#endif

static struct {
	bool			 ready, twice;
	struct sd_rules_opts	 ro;
	struct sd_rule_shared	 sh;
	struct sd_ndpi		*ndpi;
} g;

static void
sink(void *ctx, const struct sd_event *ev)
{
	struct sd_rules **r = ctx;

	if (*r != NULL)
		sd_rules_event(*r, ev);
}

static void
setup(void)
{
	static const char root[] = SD_FUZZ_SOURCE_DIR "/samples/pki/root.crt";
	char err[256];

	memset(&g.ro, 0, sizeof(g.ro));
	g.ro.ca_files[g.ro.nca_files++] = root;
	g.ro.no_system_ca = true;
	/* windows of one second: the live path of the cross-connection rules too */
	g.ro.window_sec = 1;
	if (!sd_rule_shared_open(&g.sh, &g.ro, err, sizeof(err))) {
		fprintf(stderr, "fuzz_pcap: %s\n", err);
		abort();
	}
	if (getenv("SD_FUZZ_NDPI") != NULL && (g.ndpi = sd_ndpi_new()) == NULL)
		abort();
	g.twice = getenv("SD_FUZZ_TWICE") != NULL;
	g.ready = true;
}

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t
mix_str(uint64_t h, const char *s)
{
	return s != NULL ? mix(h, s, strlen(s) + 1) : mix(h, "", 1);
}

/* What a run produced: every finding's identity, text, counts, frames and values, the
 * engine's counts, and what -v says of the rules (losses, the cache answers, the clock). */
static uint64_t
result_hash(const struct sd_findings *fs, const struct sd_engine_stats *st,
    const struct sd_rules *r)
{
	uint64_t h = 0xcbf29ce484222325ull;
	struct sd_rule_cache_stats cs;
	struct sd_rule_stats rs;
	char clock[256];
	size_t i, k;

	memset(&rs, 0, sizeof(rs));
	sd_rules_stats(r, &rs, NULL, NULL);
	sd_rules_cache_stats(r, &cs);
	sd_rules_clock_text(r, 0, clock, sizeof(clock));
	h = mix(h, &rs, sizeof(rs));
	h = mix(h, &cs, sizeof(cs));
	h = mix_str(h, clock);

	for (i = 0; i < fs->n; i++) {
		const struct sd_finding *f = fs->v[i];

		h = mix_str(h, f->kind);
		h = mix(h, &f->severity, sizeof(f->severity));
		h = mix_str(h, f->group);
		h = mix_str(h, f->summary);
		h = mix(h, &f->count, sizeof(f->count));
		h = mix(h, f->frames, f->nframes * sizeof(*f->frames));
		h = mix(h, &f->nflows_total, sizeof(f->nflows_total));
		for (k = 0; k < f->nvalues; k++) {
			h = mix_str(h, f->values[k].name);
			h = mix_str(h, f->values[k].value);
		}
	}
	h = mix(h, &fs->n, sizeof(fs->n));
	h = mix(h, &st->frames, sizeof(st->frames));
	h = mix(h, &st->malformed, sizeof(st->malformed));
	h = mix(h, &st->tcp, sizeof(st->tcp));
	h = mix(h, &st->udp, sizeof(st->udp));
	return h;
}

static uint64_t
run(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE], perr[256];
	struct sd_findings findings;
	struct sd_engine_opts po;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	struct sd_pkt_in in;
	struct sd_rules *rules = NULL;
	struct sd_store_reg reg;
	struct sd_memcap mc;
	struct sd_engine *pipe;
	uint64_t no = 0, hash = 0;
	pcap_t *p;
	FILE *f;

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
	po.defrag.max_datagrams = 64;
	po.max_esp_sas = 64;	/* tables sized by their caps: small ones, cheap per input */
	po.stream_buf = 16384;
	po.hooks.digest = sd_adapt_digest();
	if (g.ndpi != NULL)
		po.hooks.classify = sd_ndpi_hook(g.ndpi);
	po.sink.emit = sink;
	po.sink.ctx = &rules;
	po.store_reg = &reg;
	po.mc = &mc;
	pipe = sd_engine_new(&po, perr, sizeof(perr));
	rules = pipe != NULL ? sd_rules_new_shared(&findings, &g.ro, &g.sh, &reg,
	    sd_engine_memcap(pipe), perr, sizeof(perr)) : NULL;
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
	if (pipe != NULL && rules != NULL) {
		sd_engine_finish(pipe);
		sd_rules_finish(rules);
		hash = result_hash(&findings, sd_engine_stats(pipe), rules);
	}
	sd_engine_free(pipe);		/* ends flows: their rule state goes first */
	sd_rules_free(rules);
	sd_finding_list_free(&findings);
	pcap_close(p);		/* closes f */
	if (mc.used != 0) {
		fprintf(stderr, "fuzz_pcap: %zu bytes still charged after the free\n", mc.used);
		abort();
	}
	/* the next input starts from a new-made state */
	if (!sd_rule_shared_reset(&g.sh, &g.ro))
		abort();
	sd_x509_memo_clear();
	return hash;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t first;

	if (size == 0)
		return 0;
	if (!g.ready)
		setup();
	first = run(data, size);
	if (g.twice && run(data, size) != first) {
		fprintf(stderr, "fuzz_pcap: the same input gave another result the second time\n");
		abort();
	}
	return 0;
}
