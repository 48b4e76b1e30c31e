/* cli/opts.c - the command line: options, --help, exit statuses. */
#include "cli/opts.h"

#include "analyze/clock.h"
#include "cli/report.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
sd_cli_usage(FILE *f)
{
	fprintf(f,
"usage: shakedown [options] FILE...      analyse pcap/pcapng files, gzip-compressed or not\n"
"                                        ('-' = standard input), each on its own\n"
"                                        (--merge: as one capture)\n"
"       shakedown [options] -i IFACE     analyse live traffic until interrupted\n"
"\n"
"Tells why a TLS, DTLS, IKE or ESP connection fails, with the frames that prove it.\n"
"\n"
"Output (default: findings for people on the terminal):\n"
"  -e, --events           write every decoded protocol message as JSON Lines\n"
"                         (one object per line, see docs/events.md) instead of findings\n"
"  -j, --json             write findings as JSON Lines (\"type\":\"finding\"), and after each\n"
"                         input a \"type\":\"summary\" record (frames, flows, losses,\n"
"                         errors); not with --events\n"
"      --sessions         also one JSON line (\"type\":\"session\") per TLS/DTLS connection\n"
"                         and per IKE SA: peers, SNI, versions and suites offered and\n"
"                         chosen, certificate, JA3/JA4, outcome (the view of Zeek's\n"
"                         ssl.log); to -o FILE if given, else standard output (--json)\n"
"  -o, --output FILE      also write the findings as JSON Lines to FILE (appended), each\n"
"                         the moment it is decided, and the summary and statistics\n"
"                         records; SIGHUP reopens FILE (logrotate)\n"
"      --redis URL        also send every finding, update and statistics record to a\n"
"                         Redis stream (redis://[[user]:password@]host[:port][/db]):\n"
"                         XADD with fields json, kind, severity, sensor; files too\n"
"      --redis-stream KEY the stream (default shakedown:findings)\n"
"      --redis-queue N    records kept while Redis is away (default 10000; the oldest\n"
"                         are dropped and counted past it)\n"
"      --sensor-name NAME the sensor's name (default the host name): the sensor field\n"
"                         of Redis entries, observer.name in every JSON record\n"
"      --stats SEC        live: a statistics record every SEC seconds (default 60, 0 off)\n"
"                         and on SIGUSR1, on stderr and as \"type\":\"stats\" JSON\n"
"      --window SEC       judge across connections (issuer changes, backends, periodic\n"
"                         rekeys) every SEC seconds of traffic, not only at the end\n"
"                         (default 300 live; files: at the end, over the whole capture)\n"
"      --color WHEN       colour the terminal report: auto (default), always, never\n"
"      --progress         show a progress line on stderr (default when stderr is a TTY)\n"
"      --no-progress      never show it\n"
"  -q, --quiet            no statistics or warnings on stderr\n"
"  -v, --verbose          statistics on stderr at the end (packets, flows, memory,\n"
"                         certificate caches)\n"
"\n");
	/* several strings: ISO C caps a string literal at 4095 bytes */
	fprintf(f,
"Decryption:\n"
"      --keylog FILE      TLS 1.3 secrets in the SSLKEYLOGFILE format (written by curl,\n"
"                         browsers, openssl s_client -keylogfile); repeatable.  The\n"
"                         encrypted handshake (certificates, CertificateRequest) and\n"
"                         alerts of the connections it has keys for are decrypted, so\n"
"                         certificate findings work on TLS 1.3 too and say \"(from the\n"
"                         key log)\".  A pcapng Decryption Secrets Block (editcap\n"
"                         --inject-secrets) is read the same way without the option.\n"
"                         Secrets are never printed; application data is not decrypted\n"
"\n");
	fprintf(f,
"Evidence:\n"
"      --evidence DIR     per finding, a folder DIR/NNN-KIND/ (NNN counts findings as\n"
"                         they are decided) with evidence.pcapng, every frame of its\n"
"                         flows with a comment on each evidence frame, and the\n"
"                         certificates it involves (cert-1.pem, ...); JSON gives\n"
"                         evidence.file; DIR is created when missing.  Files are read\n"
"                         again at the end; standard input and -i keep the first 48\n"
"                         and last 16 packets of each flow (in 1/8 of --memcap) and\n"
"                         write a finding's folder when it is decided\n"
"      --force            overwrite the folders of an earlier run in DIR\n"
"\n");
	fprintf(f,
"Report:\n"
"      --report FILE      also write a report that stands on its own to FILE.html (one\n"
"                         page, no script, nothing fetched) or FILE.md (GitHub Markdown):\n"
"                         verdict, capture, each finding with its evidence frames,\n"
"                         values, fix, filter and ladder diagram, certificates, all\n"
"                         TLS/DTLS connections and IKE SAs, peers (AS, country)\n"
"\n"
"Analysis:\n"
"      --fail-on SEV      exit 1 when a finding has severity SEV or higher\n"
"                         (info, low, medium, high, critical; any case)\n"
"      --no-ndpi          with --events: do not label flows with nDPI (\"app\": \"Unknown\");\n"
"                         nDPI runs only for --events, the one output with its label\n"
"      --geoip FILE       a MaxMind-format database (GeoLite2/GeoIP2 or DB-IP lite: ASN,\n"
"                         Country or City, recognised by its metadata): peers get their AS\n"
"                         and country in the report and in JSON (source.as.number, ...);\n"
"                         repeatable; default: the *.mmdb files of /usr/share/GeoIP and\n"
"                         /var/lib/GeoIP (where geoipupdate writes them)\n"
"      --no-geoip         no GeoIP, not even from the standard places\n"
"      --ca-file PEM      trust the certificates of this PEM file when verifying chains;\n"
"                         repeatable (every file is loaded)\n"
"      --ca-path DIR      trust the certificates of this OpenSSL hashed directory;\n"
"                         repeatable\n"
"      --no-system-ca     do not trust the system store (only --ca-file/--ca-path)\n"
"      --pin HOST=HASH    the certificate of HOST must match HASH: SHA-256 or SHA-1 of\n"
"                         the certificate or SHA-256 of its public key, hex (colons\n"
"                         allowed) or base64, prefixed sha256:, sha1: or spki-sha256:\n"
"                         (or bare: its length decides); repeatable;\n"
"                         HOST:PORT=HASH: only the server on that port ([ADDR]:PORT for\n"
"                         IPv6); a pin for which no certificate was seen is warned about\n"
"      --intercept-cas F  more TLS-inspection CA patterns (same format as\n"
"                         data/interception-cas.tsv)\n"
"      --time ISO8601     the real time (UTC) of the capture's first frame, for a\n"
"                         capture whose clock is wrong: validity is judged at it\n"
"      --memcap MIB       memory for flows and reassembly (default 256)\n"
"      --max-flows N      flows tracked at once (default 131072)\n"
"\n");
	fprintf(f,
"Threads:\n"
"      --workers N        analyse files on N threads, flows split by their address pair\n"
"                         (default 1; at most 16); rules joining several address pairs\n"
"                         are not merged yet (docs/design-notes.md) (file input;\n"
"                         not with -i, --events, -o, --redis, --sessions, --evidence,\n"
"                         --report)\n"
"\n"
"Files:\n"
"      --merge            analyse all files as one capture in timestamp order (rotated\n"
"                         files, one file per interface); evidence names each frame's file\n"
"\n"
"Reading:\n"
"  -c, --count N          stop after N packets (files: the first N frames of each file)\n"
"      --duration SEC     stop after SEC seconds (files: of capture time, from each\n"
"                         file's first frame); a file cut short is said on stderr\n"
"  -i, --interface IFACE  capture on IFACE (needs CAP_NET_RAW); several -i: one capture\n"
"                         per interface, analysed together (frames are numbered per\n"
"                         interface, as their files would be)\n"
"  -f, --filter BPF       capture filter, e.g. 'tcp port 443 or udp port 500'\n"
"  -Z, --user USER        drop root for USER (and its groups) once the interface and\n"
"                         -o file are open, before reading any packet\n"
"\n"
"Ctrl-C (SIGINT) or SIGTERM stops reading, also from a pipe; what was read is reported.\n"
"\n"
"  -h, --help             this text\n"
"  -V, --version          version\n"
"\n"
"Frame numbers are those Wireshark shows for the same file (1-based, per file).\n"
"Exit status: 0 analysed; 1 analysed and a finding reached --fail-on;\n"
"2 usage error, or an input error: a file that cannot be read (missing, a directory,\n"
"empty, not a capture, a link type not decoded), one in which no frame could be decoded\n"
"(one line on stderr each; the other files are still analysed), or a truncated or\n"
"corrupt capture (what was read before the error is still analysed and reported).\n");
	fprintf(f,
"\n"
"Examples:\n"
"  why it fails, on the terminal:\n"
"    shakedown customer.pcapng\n"
"  a report to attach, with each finding's packets and certificates:\n"
"    shakedown --report incident.html --evidence case-4711 customer.pcapng\n"
"  the same in Markdown, for a tracker:\n"
"    shakedown --report ticket.md customer.pcapng\n"
"  findings plus a line per connection and IKE SA, with AS and country (SIEM):\n"
"    shakedown --json --sessions --geoip GeoLite2-ASN.mmdb span.pcap\n"
"  a sensor on a span port:\n"
"    shakedown -i eth1 -Z nobody -o /var/log/shakedown/findings.jsonl \\\n"
"      --redis redis://fleet.example --evidence /var/lib/shakedown\n");
}

/* A whole number in [min, max] for option `name`; false after saying why on stderr. */
/*
 * --workers N: what the worker threads do not support yet is refused, not run on one
 * thread behind the user's back.  --events would need the events of N threads merged in
 * frame order; the streaming outputs (-i, -o, --redis) and --sessions, --evidence,
 * --report would need one writer fed by every thread (docs/design-notes.md, "Workers").
 */
static bool
workers_ok(const struct opts *o)
{
	const char *what = o->iface != NULL ? "-i" : o->events ? "--events" :
	    o->out_file != NULL ? "-o" : o->redis != NULL ? "--redis" : o->sessions ?
	    "--sessions" : o->evidence != NULL ? "--evidence" : o->report != NULL ?
	    "--report" : NULL;

	if (what == NULL)
		return true;
	fprintf(stderr, "shakedown: --workers %u: not with %s yet (give --workers 1)\n",
	    o->workers, what);
	return false;
}

static bool
parse_uint(const char *name, const char *s, unsigned long long min, unsigned long long max,
    unsigned long long *out)
{
	char *end;

	errno = 0;
	/* strtoull() takes leading blanks and a sign ("-1" is ULLONG_MAX): digits only */
	if (!isdigit((unsigned char)s[0]) || (*out = strtoull(s, &end, 10), *end != '\0')) {
		fprintf(stderr, "shakedown: --%s: not a number: %s\n", name, s);
		return false;
	}
	if (errno != 0 || *out < min || *out > max) {
		if (max == ULLONG_MAX)
			fprintf(stderr, "shakedown: --%s: out of range (at least %llu): %s\n",
			    name, min, s);
		else
			fprintf(stderr, "shakedown: --%s: out of range (%llu to %llu): %s\n",
			    name, min, max, s);
		return false;
	}
	return true;
}

/* A number of seconds > 0 (fractions allowed); false after saying why on stderr. */
static bool
parse_seconds(const char *name, const char *s, double *out)
{
	char *end;

	errno = 0;
	if (!(isdigit((unsigned char)s[0]) || s[0] == '.') ||
	    (*out = strtod(s, &end), *end != '\0') || !isfinite(*out)) {
		fprintf(stderr, "shakedown: --%s: not a number: %s\n", name, s);
		return false;
	}
	if (errno != 0 || *out <= 0) {
		fprintf(stderr, "shakedown: --%s: out of range (more than 0 seconds): %s\n", name,
		    s);
		return false;
	}
	return true;
}

/*
 * getopt_long() found an option it does not take (opterr is 0, so it said nothing): one
 * line saying which and why, not the whole usage.  arg is the word as given.
 */
/*
 * getopt_long() found an option it does not take (opterr is 0, so it said nothing): one
 * line saying which and why, not the whole usage.  arg is argv[optind - 1].
 */
static void
bad_option(const struct option *lo, const char *arg, int c, int optopt_)
{
	const struct option *match = NULL;
	size_t n = 0, i, matches = 0;
	bool is_long = arg != NULL && strncmp(arg, "--", 2) == 0;

	if (is_long) {
		arg += 2;
		n = strcspn(arg, "=");
		for (i = 0; lo[i].name != NULL; i++) {
			if (strncmp(lo[i].name, arg, n) != 0)
				continue;
			matches++;
			if (match == NULL || lo[i].name[n] == '\0')
				match = &lo[i];
		}
		/* getopt sets optopt to 0 (unknown) or to the option's value for a long
		 * option, to the letter for a short one; a short option inside a cluster
		 * ("--json -qx") leaves arg at the word before it */
		if (optopt_ > 0 && optopt_ < 256 && (match == NULL || match->val != optopt_))
			is_long = false;
	}
	if (!is_long && c == ':')
		fprintf(stderr, "shakedown: option -%c needs a value\n", optopt_);
	else if (!is_long)
		fprintf(stderr, "shakedown: unknown option -%c\n", optopt_);
	else if (c == ':')
		fprintf(stderr, "shakedown: option --%.*s needs a value\n", (int)n, arg);
	else if (matches == 0)
		fprintf(stderr, "shakedown: unknown option --%.*s\n", (int)n, arg);
	else if (arg[n] == '=' && match->has_arg == no_argument)
		fprintf(stderr, "shakedown: option --%s takes no value\n", match->name);
	else
		fprintf(stderr, "shakedown: ambiguous option --%.*s\n", (int)n, arg);
	fprintf(stderr, "see shakedown --help\n");
}

int
sd_cli_parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_COLOR = 256, O_PROGRESS, O_NO_PROGRESS, O_FAIL_ON, O_NO_NDPI, O_MEMCAP,
		O_MAX_FLOWS, O_DURATION, O_CA_FILE, O_CA_PATH, O_NO_SYSTEM_CA, O_PIN,
		O_INTERCEPT_CAS, O_MERGE, O_TIME, O_STATS, O_WINDOW, O_REDIS, O_REDIS_STREAM,
		O_REDIS_QUEUE, O_SENSOR, O_GEOIP, O_NO_GEOIP, O_SESSIONS,
		O_EVIDENCE, O_FORCE, O_REPORT, O_KEYLOG, O_WORKERS };
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
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "interface", required_argument, NULL, 'i' },
		{ "user", required_argument, NULL, 'Z' },
		{ "filter", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "ca-file", required_argument, NULL, O_CA_FILE },
		{ "ca-path", required_argument, NULL, O_CA_PATH },
		{ "no-system-ca", no_argument, NULL, O_NO_SYSTEM_CA },
		{ "pin", required_argument, NULL, O_PIN },
		{ "intercept-cas", required_argument, NULL, O_INTERCEPT_CAS },
		{ "time", required_argument, NULL, O_TIME },
		{ "merge", no_argument, NULL, O_MERGE },
		{ "output", required_argument, NULL, 'o' },
		{ "stats", required_argument, NULL, O_STATS },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "redis", required_argument, NULL, O_REDIS },
		{ "redis-stream", required_argument, NULL, O_REDIS_STREAM },
		{ "redis-queue", required_argument, NULL, O_REDIS_QUEUE },
		{ "sensor-name", required_argument, NULL, O_SENSOR },
		{ "geoip", required_argument, NULL, O_GEOIP },
		{ "no-geoip", no_argument, NULL, O_NO_GEOIP },
		{ "sessions", no_argument, NULL, O_SESSIONS },
		{ "evidence", required_argument, NULL, O_EVIDENCE },
		{ "force", no_argument, NULL, O_FORCE },
		{ "report", required_argument, NULL, O_REPORT },
		{ "keylog", required_argument, NULL, O_KEYLOG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->stats_sec = -1;
	o->progress = -1;
	o->color = -1;
	opterr = 0;		/* bad_option() says it, in one line */
	while ((c = getopt_long(argc, argv, ":ejqvi:f:c:o:Z:hV", lo, NULL)) != -1) {
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
			if (o->nifaces == SD_MAX_IFACES) {
				fprintf(stderr, "shakedown: at most %d interfaces (-i)\n",
				    SD_MAX_IFACES);
				return -1;
			}
			o->ifaces[o->nifaces++] = optarg;
			o->iface = o->ifaces[0];
			break;
		case 'Z':
			o->user = optarg;
			break;
		case 'f':
			o->bpf = optarg;
			break;
		case 'c':
			if (!parse_uint("count", optarg, 1, ULLONG_MAX, &v))
				return -1;
			o->count = v;
			break;
		case O_DURATION:
			if (!parse_seconds("duration", optarg, &o->duration))
				return -1;
			break;
		case 'o':
			o->out_file = optarg;
			break;
		case O_REDIS:
			o->redis = optarg;
			break;
		case O_REDIS_STREAM:
			o->redis_stream = optarg;
			break;
		case O_REDIS_QUEUE:
			if (!parse_uint("redis-queue", optarg, 1, 10000000, &v))
				return -1;
			o->redis_queue = (size_t)v;
			break;
		case O_SENSOR:
			o->sensor = optarg;
			break;
		case O_STATS:
			if (!parse_uint("stats", optarg, 0, 86400 * 365, &v))
				return -1;
			o->stats_sec = (int)v;
			break;
		case O_WINDOW:
			if (!parse_uint("window", optarg, 1, 86400 * 365, &v))
				return -1;
			o->rules.window_sec = (int64_t)v;
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
		case O_GEOIP:
			if (o->ngeoip >= SD_MAX_GEOIP) {
				fprintf(stderr, "shakedown: --geoip: at most %d\n", SD_MAX_GEOIP);
				return -1;
			}
			o->geoip[o->ngeoip++] = optarg;
			break;
		case O_NO_GEOIP:
			o->no_geoip = true;
			break;
		case O_KEYLOG:
			if (o->nkeylog >= SD_MAX_KEYLOGS) {
				fprintf(stderr, "shakedown: --keylog: at most %d\n", SD_MAX_KEYLOGS);
				return -1;
			}
			o->keylog[o->nkeylog++] = optarg;
			break;
		case O_SESSIONS:
			o->sessions = true;
			break;
		case O_EVIDENCE:
			o->evidence = optarg;
			break;
		case O_FORCE:
			o->force = true;
			break;
		case O_REPORT:
			if (sd_report_format(optarg) == SD_REPORT_NONE) {
				fprintf(stderr, "shakedown: --report %s: the name ends in .html "
				    "or .md (the format)\n", optarg);
				return -1;
			}
			o->report = optarg;
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
		case O_MERGE:
			o->merge = true;
			break;
		case O_TIME:
			if (!sd_clock_parse_iso(optarg, &o->rules.capture_time)) {
				fprintf(stderr, "shakedown: --time '%s': expected YYYY-MM-DD, "
				    "YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SSZ (UTC, 1970-01-02 or "
				    "later)\n", optarg);
				return -1;
			}
			break;
		case O_MEMCAP:
			if (!parse_uint("memcap", optarg, 1, 1024ull * 1024, &v))
				return -1;
			o->memcap = (size_t)v << 20;
			break;
		case O_MAX_FLOWS:
			if (!parse_uint("max-flows", optarg, 1, 1ull << 24, &v))
				return -1;
			o->max_flows = (uint32_t)v;
			break;
		case O_WORKERS:
			if (!parse_uint("workers", optarg, 1, SD_MAX_WORKERS, &v))
				return -1;
			o->workers = (unsigned)v;
			break;
		case 'h':
			sd_cli_usage(stdout);
			exit(SD_EXIT_OK);
		case 'V':
			printf("shakedown %s\n", SD_VERSION);
			exit(SD_EXIT_OK);
		default:	/* '?' unknown, ':' value missing */
			bad_option(lo, optind > 0 && optind <= argc ? argv[optind - 1] : NULL, c,
			    optopt);
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
	if (o->iface != NULL && o->rules.window_sec == 0)
		o->rules.window_sec = 300;	/* a sensor decides without waiting for the end */
	if (o->force && o->evidence == NULL) {
		fprintf(stderr, "shakedown: --force applies to --evidence only\n");
		return -1;
	}
	if (o->json && o->events) {
		fprintf(stderr, "shakedown: --json and --events are two outputs: give one\n");
		return -1;
	}
	if (o->sessions && o->events) {
		fprintf(stderr, "shakedown: --sessions goes with the findings, not with --events "
		    "(which has every message)\n");
		return -1;
	}
	if (o->workers > 1 && !workers_ok(o))
		return -1;
	if (o->sessions && o->out_file == NULL)
		o->json = true;
	return optind;
}

