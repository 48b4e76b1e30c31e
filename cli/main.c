/* cli/main.c - shakedown: why a TLS / DTLS / IKE / ESP connection fails, from a capture. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "adapt/digest.h"
#include "adapt/ndpi.h"
#include "analyze/rules.h"
#include "analyze/icat.h"
#include "capture/cap.h"
#include "cli/out.h"

#ifndef SD_VERSION
#define SD_VERSION "0.0.0"
#endif

#define SD_EXIT_OK		0
#define SD_EXIT_FINDINGS	1
#define SD_EXIT_ERROR		2

struct opts {
	bool		 events, json, quiet, no_ndpi, verbose;
	int		 progress;	/* -1 auto (TTY), 0 off, 1 on */
	int		 color;		/* -1 auto, 0 never, 1 always */
	bool		 fail_on_set;
	enum sd_sev	 fail_on;
	const char	*iface, *bpf;
	uint64_t	 count;		/* live: stop after this many packets (0: until interrupted) */
	double		 duration;	/* live: stop after this many seconds */
	size_t		 memcap;
	uint32_t	 max_flows;
	struct sd_rules_opts rules;
};

/* Events fan out to the --events writer and to the rules. */
struct tee {
	struct sd_out_events	*events;
	struct sd_rules		*rules;
	uint64_t		 count;
};

static struct sd_cap *volatile live_cap;
static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (live_cap != NULL)
		sd_cap_break(live_cap);
}

static void
tee_emit(void *ctx, const struct sd_event *ev)
{
	struct tee *t = ctx;

	t->count++;
	if (t->events != NULL)
		sd_out_event(t->events, ev);
	if (t->rules != NULL)
		sd_rules_event(t->rules, ev);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: shakedown [options] FILE...      analyse pcap/pcapng files, gzip-compressed or not\n"
"                                        ('-' = standard input)\n"
"       shakedown [options] -i IFACE     analyse live traffic until interrupted\n"
"\n"
"Tells why a TLS, DTLS, IKE or ESP connection fails, with the frames that prove it.\n"
"\n"
"Output (default: findings for people on the terminal):\n"
"  -e, --events           write every decoded protocol message as JSON Lines\n"
"                         (one object per line, see docs/events.md) instead of findings\n"
"  -j, --json             write findings as JSON Lines (top-level \"kind\" and \"severity\")\n"
"      --color WHEN       colour the terminal report: auto (default), always, never\n"
"      --progress         show a progress line on stderr (default when stderr is a TTY)\n"
"      --no-progress      never show it\n"
"  -q, --quiet            no statistics or warnings on stderr\n"
"  -v, --verbose          statistics on stderr at the end (packets, flows, memory)\n"
"\n"
"Analysis:\n"
"      --fail-on SEV      exit 1 when a finding has severity SEV or higher\n"
"                         (info, low, medium, high, critical; any case)\n"
"      --no-ndpi          do not label flows with nDPI\n"
"      --ca-file PEM      trust the certificates of this PEM file when verifying chains;\n"
"                         repeatable (every file is loaded)\n"
"      --ca-path DIR      trust the certificates of this OpenSSL hashed directory;\n"
"                         repeatable\n"
"      --no-system-ca     do not trust the system store (only --ca-file/--ca-path)\n"
"      --pin HOST=HASH    the certificate of HOST must match HASH: SHA-256 or SHA-1 of\n"
"                         the certificate, hex (colons allowed) or base64; repeatable;\n"
"                         HOST:PORT=HASH: only the server on that port ([ADDR]:PORT for\n"
"                         IPv6); a pin for which no certificate was seen is warned about\n"
"      --intercept-cas F  more TLS-inspection CA patterns (same format as\n"
"                         data/interception-cas.tsv)\n"
"      --memcap MIB       memory for flows and reassembly (default 256)\n"
"      --max-flows N      flows tracked at once (default 131072)\n"
"\n"
"Live capture:\n"
"  -i, --interface IFACE  capture on IFACE (needs CAP_NET_RAW)\n"
"  -f, --filter BPF       capture filter, e.g. 'tcp port 443 or udp port 500'\n"
"  -c, --count N          stop after N packets\n"
"      --duration SEC     stop after SEC seconds\n"
"\n"
"  -h, --help             this text\n"
"  -V, --version          version\n"
"\n"
"Frame numbers are those Wireshark shows for the same file (1-based, per file).\n"
"Exit status: 0 analysed; 1 analysed and a finding reached --fail-on;\n"
"2 usage error, or an input error (unreadable, truncated or corrupt capture: what was\n"
"read before the error is still analysed and reported).\n");
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_COLOR = 256, O_PROGRESS, O_NO_PROGRESS, O_FAIL_ON, O_NO_NDPI, O_MEMCAP,
		O_MAX_FLOWS, O_DURATION, O_CA_FILE, O_CA_PATH, O_NO_SYSTEM_CA, O_PIN,
		O_INTERCEPT_CAS };
	static const struct option lo[] = {
		{ "events", no_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "color", required_argument, NULL, O_COLOR },
		{ "colour", required_argument, NULL, O_COLOR },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fail-on", required_argument, NULL, O_FAIL_ON },
		{ "no-ndpi", no_argument, NULL, O_NO_NDPI },
		{ "memcap", required_argument, NULL, O_MEMCAP },
		{ "max-flows", required_argument, NULL, O_MAX_FLOWS },
		{ "interface", required_argument, NULL, 'i' },
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "ca-file", required_argument, NULL, O_CA_FILE },
		{ "ca-path", required_argument, NULL, O_CA_PATH },
		{ "no-system-ca", no_argument, NULL, O_NO_SYSTEM_CA },
		{ "pin", required_argument, NULL, O_PIN },
		{ "intercept-cas", required_argument, NULL, O_INTERCEPT_CAS },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->progress = -1;
	o->color = -1;
	while ((c = getopt_long(argc, argv, "ejqvi:f:c:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'e':
			o->events = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'i':
			o->iface = optarg;
			break;
		case 'f':
			o->bpf = optarg;
			break;
		case 'c':
			errno = 0;
			o->count = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg) {
				fprintf(stderr, "shakedown: --count: not a number: %s\n", optarg);
				return -1;
			}
			break;
		case O_DURATION:
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || end == optarg || o->duration <= 0) {
				fprintf(stderr, "shakedown: --duration: not a positive number: %s\n",
				    optarg);
				return -1;
			}
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else {
				fprintf(stderr, "shakedown: --color: auto, always or never\n");
				return -1;
			}
			break;
		case O_PROGRESS:
			o->progress = 1;
			break;
		case O_NO_PROGRESS:
			o->progress = 0;
			break;
		case O_FAIL_ON:
			if (!sd_finding_sev_parse(optarg, &o->fail_on)) {
				fprintf(stderr, "shakedown: --fail-on: one of info, low, medium, "
				    "high, critical\n");
				return -1;
			}
			o->fail_on_set = true;
			break;
		case O_NO_NDPI:
			o->no_ndpi = true;
			break;
		case O_CA_FILE:
		case O_CA_PATH: {
			const char **list = c == O_CA_FILE ? o->rules.ca_files : o->rules.ca_paths;
			size_t *n = c == O_CA_FILE ? &o->rules.nca_files : &o->rules.nca_paths;

			if (*n >= SD_RULES_MAX_CA) {
				fprintf(stderr, "shakedown: --%s: at most %d\n",
				    c == O_CA_FILE ? "ca-file" : "ca-path", SD_RULES_MAX_CA);
				return -1;
			}
			list[(*n)++] = optarg;
			break;
		}
		case O_NO_SYSTEM_CA:
			o->rules.no_system_ca = true;
			break;
		case O_PIN:
			if (o->rules.npins >= SD_RULES_MAX_PINS) {
				fprintf(stderr, "shakedown: --pin: at most %d\n", SD_RULES_MAX_PINS);
				return -1;
			}
			o->rules.pins[o->rules.npins++] = optarg;
			break;
		case O_INTERCEPT_CAS:
			o->rules.intercept_cas = optarg;
			break;
		case O_MEMCAP:
		case O_MAX_FLOWS: {
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || v == 0 ||
			    v > (c == O_MEMCAP ? 1024ull * 1024 : 1ull << 24)) {
				fprintf(stderr, "shakedown: --%s: out of range: %s\n",
				    c == O_MEMCAP ? "memcap" : "max-flows", optarg);
				return -1;
			}
			if (c == O_MEMCAP)
				o->memcap = (size_t)v << 20;
			else
				o->max_flows = (uint32_t)v;
			break;
		}
		case 'h':
			usage(stdout);
			exit(SD_EXIT_OK);
		case 'V':
			printf("shakedown %s\n", SD_VERSION);
			exit(SD_EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (o->iface == NULL && optind >= argc) {
		fprintf(stderr, "shakedown: no capture file given (see --help)\n");
		return -1;
	}
	if (o->iface != NULL && optind < argc) {
		fprintf(stderr, "shakedown: give either -i IFACE or files, not both\n");
		return -1;
	}
	if (o->bpf != NULL && o->iface == NULL) {
		fprintf(stderr, "shakedown: --filter applies to live capture (-i) only\n");
		return -1;
	}
	return optind;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
human_bytes(char *buf, size_t n, double b)
{
	if (b >= 1e9)
		snprintf(buf, n, "%.2f GB", b / 1e9);
	else if (b >= 1e6)
		snprintf(buf, n, "%.1f MB", b / 1e6);
	else
		snprintf(buf, n, "%.0f kB", b / 1e3);
}

static void
show_progress(const struct sd_cap *cap, double started, bool final)
{
	uint64_t done, total;
	double el = now_mono() - started, rate;
	char d[32], t[32];

	if (final) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	sd_cap_progress(cap, &done, &total);
	rate = el > 0 ? (double)done / el : 0;
	human_bytes(d, sizeof(d), (double)done);
	if (total > 0) {
		human_bytes(t, sizeof(t), (double)total);
		fprintf(stderr, "\r\033[K%s: %s of %s (%.0f%%), %.0f MB/s, ETA %.0f s",
		    sd_cap_name(cap), d, t, 100.0 * (double)done / (double)total, rate / 1e6,
		    rate > 0 ? (double)(total - (done < total ? done : total)) / rate : 0.0);
	} else {
		fprintf(stderr, "\r\033[K%s: %s, %.0f MB/s", sd_cap_name(cap), d, rate / 1e6);
	}
}

/* Read one source to its end; returns false on an input error (message in err). */
static bool
run_source(struct sd_cap *cap, struct sd_engine *pipe, uint32_t file_index,
    const struct opts *o, bool progress, char err[SD_ERRBUF], struct sd_event *end)
{
	struct sd_frame fr;
	struct sd_pkt_in in;
	enum sd_cap_rc rc;
	double started = now_mono(), last_shown = 0, last_stats = started;
	uint64_t n = 0, recv, drop;

	for (;;) {
		rc = sd_cap_next(cap, &fr, err);
		if (rc == SD_CAP_EOF || rc == SD_CAP_BREAK)
			break;
		if (rc == SD_CAP_ERROR) {
			if (progress)
				show_progress(cap, started, true);
			return false;
		}
		if (rc == SD_CAP_FRAME) {
			in.frame = fr.no;
			in.sec = fr.sec;
			in.nsec = fr.nsec;
			in.caplen = fr.caplen;
			in.len = fr.len;
			in.linktype = fr.linktype;
			in.file_index = file_index;
			in.data = fr.data;
			sd_engine_packet(pipe, &in);
			n++;
			end->frame = fr.no;
			end->ts_sec = fr.sec;
			end->ts_nsec = fr.nsec;
			end->u.capture.frames = fr.no;
		}
		if (interrupted || (o->count != 0 && n >= o->count))
			break;
		if (rc == SD_CAP_TIMEOUT) {
			/* an idle link: the engine's clock follows the wall clock */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			sd_engine_tick(pipe, (uint64_t)ts.tv_sec * 1000000u +
			    (uint64_t)ts.tv_nsec / 1000u);
		}
		if ((n & 4095) == 0 || rc == SD_CAP_TIMEOUT) {
			double t = now_mono();

			if (progress && t - last_shown >= 0.25) {
				show_progress(cap, started, false);
				last_shown = t;
			}
			if (sd_cap_is_live(cap)) {
				if (o->duration > 0 && t - started >= o->duration)
					break;
				if (!o->quiet && t - last_stats >= 10 &&
				    sd_cap_stats(cap, &recv, &drop)) {
					fprintf(stderr, "shakedown: %s: %" PRIu64 " packets, %"
					    PRIu64 " dropped by the kernel, %" PRIu64
					    " flows active\n", sd_cap_name(cap), recv, drop,
					    sd_engine_flow_stats(pipe)->active);
					last_stats = t;
				}
			}
		}
	}
	if (progress)
		show_progress(cap, started, true);
	return true;
}

static void
print_stats(const struct sd_engine *pipe, const struct sd_rules *rules,
    const struct sd_findings *findings, bool verbose)
{
	struct sd_rule_stats rs;
	const struct sd_engine_stats *s = sd_engine_stats(pipe);
	const struct sd_flow_stats *fs = sd_engine_flow_stats(pipe);
	const struct sd_defrag_stats *ds = sd_engine_defrag_stats(pipe);
	const char *cat;
	size_t ncat;

	if (verbose) {
		fprintf(stderr, "shakedown: %" PRIu64 " frames (%" PRIu64 " IPv4, %" PRIu64
		    " IPv6, %" PRIu64 " other link types/ethertypes), %" PRIu64 " tunnelled\n",
		    s->frames, s->ipv4, s->ipv6, s->non_ip + s->unsupported_link, s->tunnels);
		fprintf(stderr, "shakedown: %" PRIu64 " TCP, %" PRIu64 " UDP, %" PRIu64
		    " ICMP, %" PRIu64 " ESP, %" PRIu64 " other; %" PRIu64 " IP fragments, %"
		    PRIu64 " datagrams reassembled\n", s->tcp, s->udp, s->icmp, s->esp,
		    s->other, s->fragments, s->reassembled);
		fprintf(stderr, "shakedown: flows: %" PRIu64 " in all, at most %" PRIu64
		    " at once, %" PRIu64 " ended idle, %" PRIu64 " evicted; memory held at "
		    "most %.1f MiB\n", fs->created, fs->peak, fs->expired, fs->evicted,
		    (double)s->memcap_peak / 1048576.0);
		sd_rules_stats(rules, &rs, NULL, NULL);
		/* one line a script can check: everything that was not kept */
		fprintf(stderr, "shakedown: lost: flows evicted %" PRIu64 ", memcap refusals %"
		    PRIu64 ", connections not analysed %" PRIu64 ", summaries evicted %" PRIu64
		    ", summaries refused %" PRIu64 ", findings dropped %" PRIu64 "\n",
		    fs->evicted, s->memcap_refused, rs.flows_refused, rs.evicted, rs.refused,
		    findings->dropped);
		cat = sd_rule_intercept_catalogue(&ncat);
		fprintf(stderr, "shakedown: interception catalogue: %s (%zu entries)\n",
		    cat != NULL ? cat : "none found", ncat);
	}
	if (s->unsupported_link > 0 || s->truncated > 0 || s->malformed > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " frames not decoded (%" PRIu64
		    " unsupported link type, %" PRIu64 " truncated, %" PRIu64 " malformed)\n",
		    s->unsupported_link + s->truncated + s->malformed, s->unsupported_link,
		    s->truncated, s->malformed);
	if (fs->evicted > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " flows evicted at the flow cap "
		    "(--max-flows)\n", fs->evicted);
	if (s->memcap_refused > 0)
		fprintf(stderr, "shakedown: the memory cap refused data %" PRIu64
		    " times (--memcap); some flows are incomplete\n", s->memcap_refused);
	sd_rules_stats(rules, &rs, NULL, NULL);
	if (rs.flows_refused + rs.evicted + rs.refused > 0)
		fprintf(stderr, "shakedown: rule state past the memory cap (--memcap): %" PRIu64
		    " connections not analysed, %" PRIu64 " summaries judged early and evicted, %"
		    PRIu64 " not kept; findings may be missing\n", rs.flows_refused, rs.evicted,
		    rs.refused);
	if (findings->dropped > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " distinct findings past the cap were "
		    "dropped\n", findings->dropped);
	if (ds->timed_out > 0 || ds->dropped > 0)
		fprintf(stderr, "shakedown: IP reassembly: %" PRIu64 " datagrams incomplete, %"
		    PRIu64 " fragments dropped\n", ds->timed_out, ds->dropped);
}

static void
warn_pin(void *ctx, const char *host, unsigned port)
{
	bool v6 = strchr(host, ':') != NULL;

	(void)ctx;
	if (port == 0)
		fprintf(stderr, "shakedown: --pin %s: no certificate for %s in the capture\n",
		    host, host);
	else
		fprintf(stderr, "shakedown: --pin %s%s%s:%u: no certificate for %s port %u in the "
		    "capture\n", v6 ? "[" : "", host, v6 ? "]" : "", port, host, port);
}

int
main(int argc, char **argv)
{
	struct sd_out_events evout;
	struct sd_findings findings;
	struct sd_engine_opts po;
	struct sd_engine *pipe;
	struct sd_rules *rules;
	struct sd_ndpi *ndpi = NULL;
	struct sd_store_reg reg;
	struct sd_memcap mc;
	struct tee tee;
	struct sd_event end;
	uint64_t total_frames = 0;
	struct opts o;
	char err[SD_ERRBUF], perr[256], first_err[SD_ERRBUF] = "";
	const char *const *files;
	const char *live_name[1];
	int first, nfiles, i, status = SD_EXIT_OK;
	bool input_error = false, progress, color;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	first = parse_args(argc, argv, &o);
	if (first < 0)
		return SD_EXIT_ERROR;
	if (o.iface != NULL) {
		live_name[0] = o.iface;
		files = live_name;
		nfiles = 1;
	} else {
		files = (const char *const *)argv + first;
		nfiles = argc - first;
	}
	progress = o.progress == 1 || (o.progress == -1 && o.iface == NULL && !o.quiet &&
	    isatty(STDERR_FILENO));
	color = o.color == 1 || (o.color == -1 && isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL);

	memset(&findings, 0, sizeof(findings));
	memset(&tee, 0, sizeof(tee));
	if (o.events) {
		sd_out_events_init(&evout, stdout, files, nfiles);
		tee.events = &evout;
	}
	memset(&reg, 0, sizeof(reg));
	memset(&mc, 0, sizeof(mc));
	memset(&po, 0, sizeof(po));
	po.memcap = o.memcap;
	po.mc = &mc;		/* outlives the engine and the rules that charge it */
	po.flow.max_flows = o.max_flows;
	po.hooks.digest = sd_adapt_digest();
	if (!o.no_ndpi) {
		ndpi = sd_ndpi_new();
		if (ndpi == NULL) {
			fprintf(stderr, "shakedown: nDPI initialisation failed\n");
			return SD_EXIT_ERROR;
		}
		po.hooks.classify = sd_ndpi_hook(ndpi);
	}
	po.sink.emit = tee_emit;
	po.sink.ctx = &tee;
	po.store_reg = &reg;
	pipe = sd_engine_new(&po, perr, sizeof(perr));
	if (pipe == NULL) {
		fprintf(stderr, "shakedown: %s\n", perr);
		sd_ndpi_free(ndpi);
		if (o.events)
			sd_out_events_free(&evout);
		return SD_EXIT_ERROR;
	}
	/* the rules keep their per-flow state in the engine's flows, within its memory cap */
	rules = sd_rules_new(&findings, &o.rules, &reg, sd_engine_memcap(pipe), perr,
	    sizeof(perr));
	if (rules == NULL) {
		fprintf(stderr, "shakedown: %s\n", perr);
		sd_engine_free(pipe);
		sd_ndpi_free(ndpi);
		if (o.events)
			sd_out_events_free(&evout);
		return SD_EXIT_ERROR;
	}
	tee.rules = rules;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	for (i = 0; i < nfiles && !interrupted; i++) {
		struct sd_cap *cap;
		int rc;

		if (o.iface != NULL)
			rc = sd_cap_open_live(&cap, o.iface, o.bpf, 262144, err);
		else
			rc = sd_cap_open_file(&cap, files[i], err);
		if (rc != 0) {
			fprintf(stderr, "shakedown: %s\n", err);
			if (!input_error)
				snprintf(first_err, sizeof(first_err), "%s", err);
			input_error = true;
			continue;
		}
		if (sd_cap_is_live(cap)) {
			live_cap = cap;
			if (!o.quiet)
				fprintf(stderr, "shakedown: listening on %s%s%s (Ctrl-C to stop)\n",
				    o.iface, o.bpf ? ", filter: " : "", o.bpf ? o.bpf : "");
		}
		memset(&end, 0, sizeof(end));
		end.type = SD_EV_CAPTURE;
		end.file_index = (uint32_t)i;
		end.u.capture.name = files[i];
		if (!run_source(cap, pipe, (uint32_t)i, &o, progress, err, &end)) {
			fprintf(stderr, "shakedown: %s\n", err);
			if (!input_error)
				snprintf(first_err, sizeof(first_err), "%s", err);
			input_error = true;
			end.u.capture.error = err;
		}
		total_frames += end.u.capture.frames;
		tee_emit(&tee, &end);
		live_cap = NULL;
		sd_cap_close(cap);
	}
	sd_engine_finish(pipe);
	sd_rules_finish(rules);
	sd_finding_sort(&findings);

	if (o.json)
		sd_out_findings_json(stdout, &findings);
	if (!o.events && !o.json) {
		struct sd_out_summary sum;

		sum.files = files;
		sum.nfiles = nfiles;
		sum.frames = total_frames;
		sum.flows = sd_engine_flow_stats(pipe)->created;
		sum.events = tee.count;
		sum.input_error = input_error ? first_err : NULL;
		{
			struct sd_rule_stats rs;

			sd_rules_stats(rules, &rs, NULL, NULL);
			sum.flows_evicted = sd_engine_flow_stats(pipe)->evicted;
			sum.memcap_refused = sd_engine_stats(pipe)->memcap_refused;
			sum.rule_flows_refused = rs.flows_refused;
			sum.rule_evicted = rs.evicted;
			sum.rule_refused = rs.refused;
		}
		sd_out_findings_text(stdout, &findings, &sum, color);
	}
	if (!o.quiet) {
		print_stats(pipe, rules, &findings, o.verbose);
		sd_rules_unseen_pins(rules, warn_pin, NULL);
	}
	if (o.fail_on_set) {
		size_t k;

		for (k = 0; k < findings.n; k++)
			if (findings.v[k]->severity >= o.fail_on)
				status = SD_EXIT_FINDINGS;
	}
	if (fflush(stdout) != 0 || (o.events && evout.write_error)) {
		fprintf(stderr, "shakedown: write error on standard output\n");
		status = SD_EXIT_ERROR;
	}
	if (input_error)
		status = SD_EXIT_ERROR;
	if (o.events)
		sd_out_events_free(&evout);
	sd_engine_free(pipe);		/* before the rules: flows' slots point at their state */
	sd_ndpi_free(ndpi);
	sd_rules_free(rules);
	sd_finding_list_free(&findings);
	return status;
}
