/* cli/main.c - shakedown: why a TLS / DTLS / IKE / ESP connection fails, from a capture. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/workers.h"
#include "adapt/digest.h"
#include "adapt/geoip.h"
#include "adapt/ndpi.h"
#include "adapt/tls13.h"
#include "analyze/rules.h"
#include "analyze/icat.h"
#include "capture/cap.h"
#include "cli/alloc.h"
#include "cli/evidence.h"
#include "cli/opts.h"
#include "cli/out_live.h"
#include "cli/out_redis.h"
#include "cli/sessions.h"
#include "cli/out.h"
#include "cli/report.h"
#include "dissect/keylog.h"
#include "dissect/link.h"
#include "dissect/tls.h"



/* A ClientHello's fingerprints, kept by a worker until its flow ids are the file's. */
struct hello_note {
	uint64_t	 flow_id;
	char		 ja3[33], ja4[40];
};

/* Events fan out to the --events writer and to the rules. */
struct tee {
	struct sd_out_events	*events;
	struct sd_rules		*rules;
	struct sd_sessions	*sessions;	/* --sessions; NULL */
	struct sd_evidence	*evidence;	/* --evidence; NULL */
	struct sd_report	*report;	/* --report; NULL */
	uint64_t		 count;
	/* JSON findings are written (--json, -o, --redis): they name each flow's JA3 and JA4,
	 * which are computed only then (a tenth of the default run's instructions) */
	bool			 fingerprints;
	/* a --workers thread: ClientHellos noted here, not in the outputs' table */
	bool			 worker;
	struct hello_note	*hellos;
	size_t			 nhellos, hellos_cap;
};

static void
note_hello(struct tee *t, uint64_t flow_id, const struct sd_tls_client_hello *ch)
{
	struct hello_note *h;
	char ja3[33], ja4[40];

	if (!t->fingerprints)
		return;
	sd_tls_hello_fingerprints(ch, ja3, ja4);
	if (!t->worker) {
		sd_out_note_hello(flow_id, ja3, ja4);
		return;
	}
	if (t->nhellos == t->hellos_cap) {
		size_t ncap = t->hellos_cap ? t->hellos_cap * 2 : 64;

		if ((h = realloc(t->hellos, ncap * sizeof(*h))) == NULL)
			return;		/* the finding lacks its JA3 only */
		t->hellos = h;
		t->hellos_cap = ncap;
	}
	h = &t->hellos[t->nhellos++];
	h->flow_id = flow_id;
	snprintf(h->ja3, sizeof(h->ja3), "%s", ja3);
	snprintf(h->ja4, sizeof(h->ja4), "%s", ja4);
}

/* --report FILE: every analysis adds to it, written at the end; NULL without. */
static struct sd_report *report;
/* TLS 1.3 secrets from --keylog and pcapng Decryption Secrets Blocks, for every run */
static struct sd_memcap keylog_mc = { .limit = (size_t)64 << 20 };
static struct sd_keylog *keylog;
static struct sd_tls13 *tls13;

static struct sd_cap *volatile live_caps[SD_MAX_IFACES];
/* Live: how long to wait for a packet on any interface before the engine's clock follows
 * the wall clock (an idle link still decides timeouts: SYNs, IKE, DPD never answered). */
#define LIVE_WAIT_MS	250
static volatile sig_atomic_t interrupted, hangup, usr1;

/* SIGHUP: reopen -o FILE; SIGUSR1: a statistics record now (both read by run_read). */
static void
on_hup_usr1(int sig)
{
	if (sig == SIGHUP)
		hangup = 1;
	else
		usr1 = 1;
}

/* Files stop too, standard input included: what was received is analysed and reported. */
static void
on_signal(int sig)
{
	int k;

	(void)sig;
	interrupted = 1;
	sd_cap_interrupt();
	for (k = 0; k < SD_MAX_IFACES; k++)
		if (live_caps[k] != NULL)
			sd_cap_break(live_caps[k]);
}

static void
tee_emit(void *ctx, const struct sd_event *ev)
{
	struct tee *t = ctx;

	t->count++;
	if (ev->type == SD_EV_TLS_CLIENT_HELLO && ev->u.msg.client_hello != NULL)
		note_hello(t, ev->flow_id, ev->u.msg.client_hello);
	if (t->events != NULL)
		sd_out_event(t->events, ev);
	if (t->evidence != NULL)
		sd_evidence_event(t->evidence, ev);	/* before the rules: findings may use it */
	if (t->rules != NULL)
		sd_rules_event(t->rules, ev);
	if (t->sessions != NULL)
		sd_sessions_event(t->sessions, ev);
	if (t->report != NULL)
		sd_report_event(t->report, ev);
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

/* A name for messages: the file as given, "standard input" for "-". */
static const char *
label_of(const struct sd_cap *cap)
{
	return strcmp(sd_cap_name(cap), "-") == 0 && !sd_cap_is_live(cap) ? "standard input" :
	    sd_cap_name(cap);
}

/*
 * Files: is frame fr (n frames of this file before it) past -c or --duration?  --duration
 * counts capture time from the file's first frame (*t0, set at n == 0).
 */
static bool
past_limit(const struct opts *o, const struct sd_frame *fr, uint64_t n, double *t0)
{
	double t = (double)fr->sec + (double)fr->nsec / 1e9;

	if (n == 0)
		*t0 = t;
	if (o->count != 0 && n >= o->count)
		return true;
	return o->duration > 0 && t - *t0 >= o->duration;
}

/* A file read in part on purpose (-c, --duration, a signal): say so, the report is partial. */
static void
note_stopped(const struct sd_cap *cap, const struct opts *o, uint64_t n, bool limit)
{
	if (o->quiet || sd_cap_is_live(cap))
		return;
	if (!limit)
		fprintf(stderr, "shakedown: %s: interrupted: stopped after %" PRIu64 " frames\n",
		    label_of(cap), n);
	else if (o->count != 0 && n >= o->count)
		fprintf(stderr, "shakedown: %s: stopped after %" PRIu64 " frames (--count)\n",
		    label_of(cap), n);
	else
		fprintf(stderr, "shakedown: %s: stopped after %" PRIu64 " frames (--duration %g "
		    "s of capture time)\n", label_of(cap), n, o->duration);
}

/* One input: a file (or standard input, or the live interface) and what was read from it. */
struct input {
	const char	*name;
	uint32_t	 index;		/* position on the command line */
	struct sd_cap	*cap;		/* NULL: not open (failed, or read to its end) */
	struct sd_frame	 fr;		/* the next frame, when have */
	bool		 have;
	uint64_t	 frames;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	bool		 failed;
	bool		 said;		/* its error is on stderr already */
	bool		 cut;		/* stopped by -c or --duration */
	double		 t0;		/* capture time of its first frame (--duration) */
	int		 datalink;	/* its link type when it has one (classic pcap, live), else -1 */
	char		 err[SD_ERRBUF];
};

/* One analysis: an engine, its rules and their findings (per file, or one for --merge). */
struct run {
	struct sd_memcap	 mc;		/* outlives the engine and the rules that charge it */
	struct sd_store_reg	 reg;
	struct sd_findings	 findings;
	struct sd_engine	*engine;
	struct sd_rules		*rules;
	struct tee		 tee;
	struct sd_live_out	*live;		/* findings as decided (live mode, -o); NULL */
	struct sd_redis		*redis;		/* --redis; NULL */
	struct sd_sessions	*sessions;	/* --sessions; NULL */
	bool			 json_stdout;	/* --json: JSON lines to standard output */
	struct sd_evidence	*evidence;	/* --evidence; NULL */
	/* statistics records: what the last one counted */
	uint64_t		 st_recv, st_drop, st_frames;
	double			 st_at;
	/*
	 * --workers N: this run reads and merges; each worker run has its own engine,
	 * rules and findings, on its own thread (docs/design-notes.md, "Workers").
	 */
	struct sd_workers	*workers;
	struct run		*wk[SD_MAX_WORKERS];
	unsigned		 nwk;
	/* a worker's: its nDPI (not shared between threads), its flows' first frames */
	struct sd_ndpi		*own_ndpi;
	uint64_t		*firsts;	/* by flow id; 0: not seen yet */
	size_t			 firsts_cap;
};

static void
run_free(struct run *r)
{
	unsigned i;

	if (r == NULL)
		return;
	sd_workers_finish(r->workers);
	for (i = 0; i < r->nwk; i++)
		run_free(r->wk[i]);
	sd_engine_free(r->engine);	/* before the rules: flows' slots point at their state */
	sd_evidence_free(r->evidence);
	sd_rules_free(r->rules);
	sd_sessions_free(r->sessions);
	sd_finding_list_free(&r->findings);
	sd_live_out_free(r->live);
	sd_redis_free(r->redis);
	sd_ndpi_free(r->own_ndpi);
	free(r->firsts);
	free(r->tee.hellos);
	free(r);
}

/* A worker's frame hook: the first frame of each flow, to number flows as one engine does. */
static void
worker_frame(void *ctx, const struct sd_flow *f, const struct sd_pkt_in *pk)
{
	struct run *r = ctx;

	if (f->id >= r->firsts_cap) {
		size_t ncap = r->firsts_cap ? r->firsts_cap : 1024;
		uint64_t *nv;

		while (ncap <= f->id)
			ncap *= 2;
		if ((nv = realloc(r->firsts, ncap * sizeof(*nv))) == NULL)
			return;		/* numbered last (workers_number) */
		memset(nv + r->firsts_cap, 0, (ncap - r->firsts_cap) * sizeof(*nv));
		r->firsts = nv;
		r->firsts_cap = ncap;
	}
	if (r->firsts[f->id] == 0)
		r->firsts[f->id] = pk->frame + 1;
}

static struct run *
run_new(const struct opts *o, struct sd_ndpi *ndpi, struct sd_out_events *evout,
    struct sd_evidence *ev, bool worker)
{
	struct sd_engine_opts po;
	struct run *r;
	char perr[256];

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		fprintf(stderr, "shakedown: out of memory\n");
		sd_evidence_free(ev);
		return NULL;
	}
	sd_out_hellos_reset();		/* flow ids start again */
	memset(&po, 0, sizeof(po));
	po.memcap = o->memcap;
	po.mc = &r->mc;
	po.flow.max_flows = o->max_flows;
	po.hooks.digest = sd_adapt_digest();
	po.hooks.tls_decrypt = sd_tls13_hook(tls13);
	if (ndpi != NULL)
		po.hooks.classify = sd_ndpi_hook(ndpi);
	po.sink.emit = tee_emit;
	po.sink.ctx = &r->tee;
	po.store_reg = &r->reg;
	r->tee.events = evout;
	r->tee.fingerprints = o->json || o->out_file != NULL || o->redis != NULL;
	if (worker) {
		/* the reader decides when idle flows end, alike in every worker */
		po.expire_by_caller = true;
		po.frames.frame = worker_frame;
		po.frames.ctx = r;
		r->tee.worker = true;
	}
	if ((r->evidence = r->tee.evidence = ev) != NULL) {
		/* what --evidence keeps takes its eighth of the memory cap */
		size_t cap = o->memcap != 0 ? o->memcap : (size_t)256 << 20;

		r->mc.limit = cap - cap / 8;
		po.frames = sd_evidence_hook(ev);
	}
	if (report != NULL && !worker) {
		r->tee.report = report;
		sd_report_begin(report);
	}
	r->engine = sd_engine_new(&po, perr, sizeof(perr));
	if (r->engine == NULL) {
		fprintf(stderr, "shakedown: %s\n", perr);
		run_free(r);
		return NULL;
	}
	if (o->workers > 1 && !worker)
		return r;	/* it reads and merges: the workers' rules decide */
	/* the rules keep their per-flow state in the engine's flows, within its memory cap */
	r->rules = sd_rules_new(&r->findings, &o->rules, &r->reg, sd_engine_memcap(r->engine),
	    perr, sizeof(perr));
	if (r->rules == NULL) {
		fprintf(stderr, "shakedown: %s\n", perr);
		run_free(r);
		return NULL;
	}
	r->tee.rules = r->rules;
	return r;
}

/* --workers: what each worker thread runs (engine/workers.h), on its own run. */
static void
wk_packet(void *ctx, const struct sd_pkt_in *pk)
{
	sd_engine_packet(((struct run *)ctx)->engine, pk);
}

static void
wk_tick(void *ctx, uint64_t now_us)
{
	sd_engine_expire(((struct run *)ctx)->engine, now_us);
}

/* A capture record (input_end): the reader counted it once for all. */
static void
wk_call(void *ctx, const void *payload, size_t len)
{
	struct run *r = ctx;
	struct sd_event ev;

	if (len != sizeof(ev))
		return;
	memcpy(&ev, payload, sizeof(ev));
	tee_emit(&r->tee, &ev);
	r->tee.count--;
}

static void
wk_finish(void *ctx)
{
	struct run *r = ctx;

	sd_engine_finish(r->engine);
	sd_rules_finish(r->rules);
}

/* The worker runs of r and their threads; false after saying why. */
static bool
workers_start(struct run *r, const struct opts *o, struct sd_ndpi *ndpi)
{
	static const struct sd_workers_cb cb = { wk_packet, wk_tick, wk_call, wk_finish };
	void *ctx[SD_MAX_WORKERS];
	char err[256];
	unsigned i;

	for (i = 0; i < o->workers; i++) {
		/* nDPI keeps per-call state in its module: one for each thread */
		struct sd_ndpi *nd = ndpi != NULL && i > 0 ? sd_ndpi_new() : NULL;

		if (ndpi != NULL && i > 0 && nd == NULL) {
			fprintf(stderr, "shakedown: nDPI initialisation failed\n");
			return false;
		}
		if ((r->wk[i] = run_new(o, i > 0 ? nd : ndpi, NULL, NULL, true)) == NULL) {
			sd_ndpi_free(nd);
			return false;
		}
		r->wk[i]->own_ndpi = nd;
		ctx[r->nwk++] = r->wk[i];
	}
	if ((r->workers = sd_workers_start(r->nwk, &cb, ctx, err, sizeof(err))) == NULL) {
		fprintf(stderr, "shakedown: %s\n", err);
		return false;
	}
	return true;
}

/* A flow of one worker by the frame that first counted it (flow ids, workers_merge). */
struct flow_first {
	uint64_t	 frame;		/* + 1; UINT64_MAX: never counted */
	uint64_t	 id;
	unsigned	 w;
};

static int
cmp_first(const void *a, const void *b)
{
	const struct flow_first *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	if (x->w != y->w)
		return x->w < y->w ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The flow ids one engine reading the whole file gives: it numbers flows as they come, so
 * every worker's flows sorted by their first frame (a worker's own numbers keep their
 * order) are 1, 2, ...  map[w][local id] is the file's id; false without memory.
 */
static bool
workers_number(const struct run *r, uint64_t **map)
{
	struct flow_first *v;
	uint64_t created[SD_MAX_WORKERS], id;
	size_t n = 0, k;
	unsigned w;

	for (w = 0; w < r->nwk; w++) {
		created[w] = sd_engine_flow_stats(r->wk[w]->engine)->created;
		n += created[w];
	}
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return false;
	for (w = 0, k = 0; w < r->nwk; w++) {
		const struct run *x = r->wk[w];

		if ((map[w] = calloc(created[w] + 1, sizeof(**map))) == NULL) {
			free(v);
			return false;
		}
		for (id = 1; id <= created[w]; id++, k++) {
			v[k].frame = id < x->firsts_cap && x->firsts[id] != 0 ? x->firsts[id] :
			    UINT64_MAX;
			v[k].id = id;
			v[k].w = w;
		}
	}
	qsort(v, n, sizeof(*v), cmp_first);
	for (k = 0; k < n; k++)
		map[v[k].w][v[k].id] = k + 1;
	free(v);
	return true;
}

/*
 * After the workers ended: their findings into r's, with the file's flow ids, and the
 * ClientHellos' fingerprints noted under those ids for the outputs.
 */
static void
workers_merge(struct run *r)
{
	uint64_t *map[SD_MAX_WORKERS] = { NULL };
	bool numbered = workers_number(r, map);
	unsigned w;
	size_t i, k;

	for (w = 0; w < r->nwk; w++) {
		struct run *x = r->wk[w];
		uint64_t created = sd_engine_flow_stats(x->engine)->created;

		for (i = 0; numbered && i < x->findings.n; i++) {
			struct sd_finding *f = x->findings.v[i];

			for (k = 0; k < f->nflows; k++)
				if (f->flows[k].id != 0 && f->flows[k].id <= created)
					f->flows[k].id = map[w][f->flows[k].id];
		}
		for (i = 0; numbered && i < x->tee.nhellos; i++) {
			const struct hello_note *h = &x->tee.hellos[i];

			if (h->flow_id != 0 && h->flow_id <= created)
				sd_out_note_hello(map[w][h->flow_id], h->ja3, h->ja4);
		}
		sd_findings_merge(&r->findings, &x->findings);
	}
	for (w = 0; w < r->nwk; w++)
		free(map[w]);
}

/* What was counted: r's own, or the sums over its workers. */
struct run_sums {
	struct sd_engine_stats	 s;
	struct sd_flow_stats	 fs;
	struct sd_defrag_stats	 ds;
	struct sd_rule_stats	 rs;
	struct sd_rule_cache_stats cs;
	uint64_t		 events;
};

/* Counters structs are all uint64_t (size_t is as wide here): add them as arrays. */
static void
add_u64(void *to, const void *from, size_t size)
{
	uint64_t *t = to, x;
	size_t i;

	for (i = 0; i < size / sizeof(uint64_t); i++) {
		memcpy(&x, (const uint8_t *)from + i * sizeof(x), sizeof(x));
		t[i] += x;
	}
}

static void
run_sums(const struct run *r, struct run_sums *sum)
{
	struct sd_rule_cache_stats cs;
	struct sd_rule_stats rs;
	unsigned w, n = r->nwk > 0 ? r->nwk : 1;

	_Static_assert(sizeof(struct sd_engine_stats) % sizeof(uint64_t) == 0 &&
	    sizeof(size_t) == sizeof(uint64_t), "engine stats: 64-bit counters");
	memset(sum, 0, sizeof(*sum));
	sum->events = r->tee.count;
	for (w = 0; w < n; w++) {
		const struct run *x = r->nwk > 0 ? r->wk[w] : r;

		add_u64(&sum->s, sd_engine_stats(x->engine), sizeof(sum->s));
		add_u64(&sum->fs, sd_engine_flow_stats(x->engine), sizeof(sum->fs));
		add_u64(&sum->ds, sd_engine_defrag_stats(x->engine), sizeof(sum->ds));
		sd_rules_stats(x->rules, &rs, NULL, NULL);
		add_u64(&sum->rs, &rs, sizeof(rs));
		sd_rules_cache_stats(x->rules, &cs);
		add_u64(&sum->cs, &cs, sizeof(cs));
		if (x != r)
			sum->events += x->tee.count;
	}
}

/* A --sessions line: where the findings' JSON lines go, and to Redis. */
static void
session_line(void *ctx, const char *line, size_t len)
{
	struct run *r = ctx;
	FILE *f = r->live != NULL ? sd_live_out_json(r->live) : NULL;

	if (f == NULL && r->json_stdout)
		f = stdout;
	if (f != NULL) {
		fwrite(line, 1, len, f);
		fputc('\n', f);
		if (f != stdout || r->live != NULL)
			fflush(f);
	}
	if (r->redis != NULL)
		sd_redis_push(r->redis, line, len, "session", "info");
}

/* An input read to its end (or failed): close it and write its capture record. */
static void
input_end(struct input *in, struct run *r)
{
	struct sd_event end;
	int k;

	memset(&end, 0, sizeof(end));
	end.type = SD_EV_CAPTURE;
	end.file_index = in->index;
	end.frame = sd_frame_ref(in->index, in->frames);
	end.ts_sec = in->last_sec;
	end.ts_nsec = in->last_nsec;
	end.u.capture.name = in->name;
	end.u.capture.frames = in->frames;
	end.u.capture.error = in->failed ? in->err : NULL;
	if (r->workers != NULL) {
		/* every worker's rules hear of it, after the file's frames (counted once) */
		r->tee.count++;
		sd_workers_broadcast(r->workers, &end, sizeof(end));
	} else {
		tee_emit(&r->tee, &end);
	}
	if (in->cap != NULL) {
		in->datalink = sd_cap_datalink(in->cap);	/* pcapng: known once read */
		for (k = 0; k < SD_MAX_IFACES; k++)
			if (live_caps[k] == in->cap)
				live_caps[k] = NULL;
		sd_cap_close(in->cap);
		in->cap = NULL;
	}
}

static void
input_fail(struct input *in)
{
	fprintf(stderr, "shakedown: %s\n", in->err);
	in->failed = true;
	in->said = true;
}

/* Fetch the next frame of an open input; false when it has none left. */
static bool
input_fill(struct input *in, struct run *r, const struct opts *o, bool *timeout)
{
	enum sd_cap_rc rc;

	*timeout = false;
	if (in->have)
		return true;
	if (in->cap == NULL)
		return false;
	rc = sd_cap_next(in->cap, &in->fr, in->err);
	switch (rc) {
	case SD_CAP_FRAME:
		in->have = true;
		return true;
	case SD_CAP_TIMEOUT:
		*timeout = true;
		return false;
	case SD_CAP_ERROR:
		/*
		 * After some frames, the text report says it once with what was read (its
		 * "Input error" line); otherwise stderr does.
		 */
		if (in->frames > 0 && !o->events && !o->json)
			in->failed = true;
		else
			input_fail(in);
		/* FALLTHROUGH */
	case SD_CAP_EOF:
	case SD_CAP_BREAK:
		/* a file (a pipe too) ends early on an interrupt, after what was received */
		if (interrupted)
			note_stopped(in->cap, o, in->frames, false);
		break;
	}
	input_end(in, r);
	return false;
}

/*
 * -Z USER: the user's groups, then its group, then the user (as tcpdump -Z and Suricata
 * --user do); checked by trying to get root back.  Without -Z, a warning when packets
 * are about to be parsed as root.
 */
static bool
drop_root(const struct opts *o)
{
	struct passwd *pw;

	if (o->user == NULL) {
		if (geteuid() == 0 && o->iface != NULL && !o->quiet)
			fprintf(stderr, "shakedown: warning: parsing packets as root; -Z USER "
			    "drops root once the interface is open\n");
		return true;
	}
	if ((pw = getpwnam(o->user)) == NULL) {
		fprintf(stderr, "shakedown: -Z %s: no such user\n", o->user);
		return false;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "shakedown: -Z %s: cannot become that user: %s\n", o->user,
		    strerror(errno));
		return false;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		fprintf(stderr, "shakedown: -Z %s: root could be taken back\n", o->user);
		return false;
	}
	return true;
}

/*
 * A statistics record (--stats, SIGUSR1): on stderr for people, and as a JSON line of its
 * own type beside the findings.  Drops are the kernel's (pcap_stats) since the start and
 * since the last record.
 */
static void	json_out(struct run *, struct sd_json *, FILE *, const char *, const char *);

/* Packets received and dropped by the kernel, summed over the live captures of ins. */
static bool
live_counts(const struct input *ins, int nin, uint64_t *recv, uint64_t *drop)
{
	uint64_t rv, dr;
	bool any = false;
	int k;

	*recv = *drop = 0;
	for (k = 0; k < nin; k++) {
		if (ins[k].cap == NULL || !sd_cap_stats(ins[k].cap, &rv, &dr))
			continue;
		*recv += rv;
		*drop += dr;
		any = true;
	}
	return any;
}

/* The names of the live inputs, comma-separated ("-" when none is open). */
static void
live_names(const struct input *ins, int nin, char *buf, size_t n)
{
	size_t len = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < nin; k++) {
		if (ins[k].cap == NULL || !sd_cap_is_live(ins[k].cap))
			continue;
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s",
		    len > 0 ? "," : "", ins[k].name);
		if (len >= n)
			break;
	}
	if (buf[0] == '\0')
		snprintf(buf, n, "-");
}

static void
stats_record(struct run *r, const struct input *ins, int nin, const struct opts *o)
{
	const struct sd_engine_stats *s = sd_engine_stats(r->engine);
	const struct sd_flow_stats *fs = sd_engine_flow_stats(r->engine);
	uint64_t recv = 0, drop = 0, lines, held, werr, drecv, ddrop;
	struct sd_rule_stats rs;
	struct timespec ts;
	struct sd_json j;
	FILE *jf;
	char names[256];
	bool have = live_counts(ins, nin, &recv, &drop);
	int k;

	live_names(ins, nin, names, sizeof(names));
	sd_rules_stats(r->rules, &rs, NULL, NULL);
	sd_live_out_counts(r->live, &lines, &held, &werr);
	drecv = recv - r->st_recv;
	ddrop = drop - r->st_drop;
	if (!o->quiet)
		fprintf(stderr, "shakedown: %s: %" PRIu64 " packets (%" PRIu64 " since the last "
		    "record), %" PRIu64 " dropped by the kernel (%" PRIu64 " since), %" PRIu64
		    " flows active, memory %zu of %zu KiB, %zu findings, %" PRIu64 " flows "
		    "evicted\n", names, have ? recv : s->frames,
		    have ? drecv : s->frames - r->st_frames, drop, ddrop, fs->active,
		    r->mc.used / 1024, r->mc.limit / 1024, r->findings.n, fs->evicted);
	jf = r->live != NULL ? sd_live_out_json(r->live) : NULL;
	if (jf == NULL && o->json)
		jf = stdout;
	if (jf != NULL || r->redis != NULL) {
		clock_gettime(CLOCK_REALTIME, &ts);
		sd_out_json_init(&j);
		sd_out_json_obj_begin(&j, NULL);
		sd_out_json_str(&j, "type", "stats");
		sd_out_json_iso(&j, "time", ts.tv_sec, (uint32_t)ts.tv_nsec);
		sd_out_observer(&j);
		sd_out_json_str(&j, "interface", strcmp(names, "-") != 0 ? names : NULL);
		sd_out_json_uint_opt(&j, "packets_received", have, recv);
		sd_out_json_uint_opt(&j, "packets_dropped", have, drop);
		sd_out_json_uint_opt(&j, "received_since_last", have, drecv);
		sd_out_json_uint_opt(&j, "dropped_since_last", have, ddrop);
		if (have && nin > 1) {
			/* several interfaces: each one's own counters */
			sd_out_json_arr_begin(&j, "interfaces");
			for (k = 0; k < nin; k++) {
				uint64_t rv, dr;

				if (ins[k].cap == NULL || !sd_cap_stats(ins[k].cap, &rv, &dr))
					continue;
				sd_out_json_obj_begin(&j, NULL);
				sd_out_json_str(&j, "name", ins[k].name);
				sd_out_json_uint(&j, "packets_received", rv);
				sd_out_json_uint(&j, "packets_dropped", dr);
				sd_out_json_obj_end(&j);
			}
			sd_out_json_arr_end(&j);
		}
		sd_out_json_uint(&j, "frames", s->frames);
		sd_out_json_uint(&j, "bytes", s->bytes);
		sd_out_json_uint(&j, "flows_active", fs->active);
		sd_out_json_uint(&j, "flows_evicted", fs->evicted);
		sd_out_json_uint(&j, "memory_used", r->mc.used);
		sd_out_json_uint(&j, "memcap", r->mc.limit);
		sd_out_json_uint(&j, "memcap_refusals", r->mc.refused);
		sd_out_json_uint(&j, "findings", r->findings.n);
		sd_out_json_uint(&j, "findings_dropped", r->findings.dropped);
		sd_out_json_uint(&j, "connections_not_analysed", rs.flows_refused);
		sd_out_json_uint(&j, "summaries_evicted", rs.evicted);
		sd_out_json_uint(&j, "updates_held", held);
		sd_out_json_uint(&j, "output_write_errors", werr);
		if (r->redis != NULL) {
			uint64_t sent, queued, dropped;

			sd_redis_counts(r->redis, &sent, &queued, &dropped);
			sd_out_json_uint(&j, "redis_sent", sent);
			sd_out_json_uint(&j, "redis_queued", queued);
			sd_out_json_uint(&j, "redis_dropped", dropped);
		}
		sd_out_json_obj_end(&j);
		json_out(r, &j, jf, "stats", "info");
		sd_out_json_free(&j);
	}
	r->st_recv = recv;
	r->st_drop = drop;
	r->st_frames = s->frames;
}

/* A finished JSON record to the JSON stream (may be NULL) and to Redis. */
static void
json_out(struct run *r, struct sd_json *j, FILE *jf, const char *kind, const char *sev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (r->redis != NULL && (m = open_memstream(&buf, &len)) != NULL) {
		(void)sd_out_json_end_line(j, m);
		fclose(m);
		if (jf != NULL)
			(void)fwrite(buf, 1, len, jf);
		if (len > 0)	/* nothing when the line was dropped (cli/json.h) */
			sd_redis_push(r->redis, buf, len, kind, sev);
		free(buf);
	} else if (jf != NULL) {
		(void)sd_out_json_end_line(j, jf);
	}
	if (jf != NULL)
		fflush(jf);
}

/*
 * Live: while the kernel drops more than 1% of the packets since the last statistics
 * record, findings decided meanwhile say that their evidence may be incomplete.
 */
static void
note_loss(struct run *r, const struct input *ins, int nin)
{
	uint64_t recv, drop, dr, dd;

	if (!live_counts(ins, nin, &recv, &drop))
		return;
	dr = recv - r->st_recv;
	dd = drop - r->st_drop;
	if (dd > 0 && dd * 100 > dr + dd)
		snprintf(r->findings.loss_note, sizeof(r->findings.loss_note), "the kernel "
		    "dropped %" PRIu64 " of %" PRIu64 " packets (%.1f%%) since the last "
		    "statistics record: the evidence may be incomplete", dd, dr + dd,
		    100.0 * (double)dd / (double)(dr + dd));
	else
		r->findings.loss_note[0] = '\0';
}

/* The live captures still open among ins, at most SD_MAX_IFACES, into caps. */
static int
live_open(const struct input *ins, int nin, struct sd_cap **caps)
{
	int k, n = 0;

	for (k = 0; k < nin && n < SD_MAX_IFACES; k++)
		if (ins[k].cap != NULL && sd_cap_is_live(ins[k].cap))
			caps[n++] = ins[k].cap;
	return n;
}

static bool
earlier(const struct sd_frame *a, const struct sd_frame *b)
{
	return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

/*
 * Read the inputs of one run to their end: one input, or several merged in timestamp order
 * (--merge; equal times keep the command line's order).  Frames keep their own file's
 * numbers (sd_frame_ref).
 */
static void
run_read(struct run *r, struct input *ins, int nin, const struct opts *o, bool progress)
{
	struct sd_pkt_in pk;
	struct input *in;
	double started = now_mono(), last_shown = 0, last_stats = started;
	int stats_every = o->stats_sec >= 0 ? o->stats_sec : o->iface != NULL ? 60 : 0;
	struct sd_cap *caps[SD_MAX_IFACES];
	char err[300];
	uint64_t n = 0;
	int k;

	for (;;) {
		bool timeout = false, any = false, t1;

		in = NULL;
		for (k = 0; k < nin; k++) {
			if (!input_fill(&ins[k], r, o, &t1)) {
				timeout |= t1;
				continue;
			}
			any = true;
			if (in == NULL || earlier(&ins[k].fr, &in->fr))
				in = &ins[k];
		}
		if (in != NULL && !sd_cap_is_live(in->cap) &&
		    past_limit(o, &in->fr, in->frames, &in->t0)) {
			/* -c, --duration on files: this file's first frames only */
			in->cut = true;
			in->have = false;
			note_stopped(in->cap, o, in->frames, true);
			input_end(in, r);
			continue;
		}
		if (in != NULL) {
			const struct sd_frame *fr = &in->fr;

			pk.frame = sd_frame_ref(in->index, fr->no);
			pk.sec = fr->sec;
			pk.nsec = fr->nsec;
			pk.caplen = fr->caplen;
			pk.len = fr->len;
			pk.linktype = fr->linktype;
			pk.file_index = in->index;
			pk.data = fr->data;
			if (r->workers != NULL)
				sd_workers_packet(r->workers, &pk);
			else
				sd_engine_packet(r->engine, &pk);
			if (in->frames == 0) {
				in->first_sec = fr->sec;
				in->first_nsec = fr->nsec;
			}
			in->frames++;
			in->last_sec = fr->sec;
			in->last_nsec = fr->nsec;
			in->have = false;
			n++;
		} else if (!any && !timeout) {
			break;		/* every input read to its end */
		}
		if (o->iface != NULL && (interrupted || (o->count != 0 && n >= o->count)))
			break;
		if (in == NULL && timeout && (k = live_open(ins, nin, caps)) > 0 &&
		    sd_cap_wait(caps, k, LIVE_WAIT_MS) != 0)
			timeout = false;	/* a packet came (or a signal): read on */
		if (timeout) {
			/* an idle link: the engine's clock follows the wall clock */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			sd_engine_tick(r->engine, (uint64_t)ts.tv_sec * 1000000u +
			    (uint64_t)ts.tv_nsec / 1000u);
			sd_rules_clock(r->rules, (int64_t)ts.tv_sec);
		}
		if ((n & 4095) == 0 || timeout) {
			double t = now_mono();
			struct sd_cap *cap = NULL;

			for (k = 0; k < nin && cap == NULL; k++)
				cap = ins[k].cap;
			if (progress && cap != NULL && t - last_shown >= 0.25) {
				show_progress(cap, started, false);
				last_shown = t;
			}
			if (cap != NULL && sd_cap_is_live(cap)) {
				if (o->duration > 0 && t - started >= o->duration)
					break;
				note_loss(r, ins, nin);
				if (usr1 || (stats_every > 0 && t - last_stats >= stats_every)) {
					/* a record on demand keeps the period's rhythm */
					if (stats_every > 0 && t - last_stats >= stats_every)
						last_stats = t;
					usr1 = 0;
					stats_record(r, ins, nin, o);
				}
			}
		}
		if (timeout || (n & 4095) == 0)
			sd_redis_flush(r->redis);	/* what waited while Redis was away */
		if (hangup) {
			hangup = 0;
			if (!sd_live_out_reopen(r->live, err, sizeof(err)))
				fprintf(stderr, "shakedown: %s\n", err);
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	/* stopped early (interrupt, --count): the inputs still open end here */
	for (k = 0; k < nin; k++)
		if (ins[k].cap != NULL)
			input_end(&ins[k], r);
}

/*
 * Malformed key log lines since *seen: said once, with the first one's line number (the
 * line itself is not shown: it may hold a secret).
 */
static void
keylog_malformed(const char *what, const char *name, uint64_t *seen)
{
	const struct sd_keylog_stats *ks = sd_keylog_stats(keylog);

	if (ks->malformed > *seen)
		fprintf(stderr, "shakedown: %s %s: %" PRIu64 " malformed line%s ignored (the "
		    "first at line %" PRIu64 ")\n", what, name, ks->malformed - *seen,
		    ks->malformed - *seen == 1 ? "" : "s", ks->first_bad_line);
	*seen = ks->malformed;
}

/* A pcapng Decryption Secrets Block: a TLS key log goes into the table. */
static void
on_secrets(void *ctx, uint32_t type, const uint8_t *data, size_t len)
{
	static uint64_t seen;

	if (type != SD_PCAPNG_DSB_TLS || keylog == NULL)
		return;
	sd_keylog_add(keylog, (const char *)data, len);
	keylog_malformed("decryption secrets block of", ctx, &seen);
}

/* Every --keylog file into the table; -1 after saying why (it cannot be read). */
static int
load_keylogs(const struct opts *o)
{
	static uint64_t seen;
	char *buf = NULL, *nb;
	size_t cap = 0, len, n;
	FILE *fp;
	int i;

	keylog = sd_keylog_new(&keylog_mc);
	tls13 = keylog != NULL ? sd_tls13_new(keylog) : NULL;
	if (tls13 == NULL) {
		fprintf(stderr, "shakedown: TLS decryption: out of memory\n");
		return -1;
	}
	for (i = 0; i < o->nkeylog; i++) {
		if ((fp = fopen(o->keylog[i], "r")) == NULL) {
			fprintf(stderr, "shakedown: --keylog %s: %s\n", o->keylog[i],
			    strerror(errno));
			return -1;
		}
		/* the whole file: lines may be long, and the table copies what it keeps */
		len = 0;
		for (;;) {
			if (len == cap) {
				if (cap >= (size_t)256 << 20 ||
				    (nb = realloc(buf, cap ? cap * 2 : 65536)) == NULL)
					break;
				buf = nb;
				cap = cap ? cap * 2 : 65536;
			}
			if ((n = fread(buf + len, 1, cap - len, fp)) == 0)
				break;
			len += n;
		}
		if (ferror(fp) || !feof(fp)) {
			fprintf(stderr, "shakedown: --keylog %s: %s\n", o->keylog[i],
			    ferror(fp) ? "read error" : "too large");
			fclose(fp);
			free(buf);
			return -1;
		}
		fclose(fp);
		sd_keylog_add(keylog, buf, len);
		if (!o->quiet)
			keylog_malformed("--keylog", o->keylog[i], &seen);
	}
	if (buf != NULL)
		explicit_bzero(buf, cap);
	free(buf);
	return 0;
}

/* What TLS 1.3 decryption did (-v), and connections whose keys were wrong (always). */
static void
print_keylog_stats(bool verbose)
{
	const struct sd_tls13_stats *ts = tls13 != NULL ? sd_tls13_stats(tls13) : NULL;

	if (ts == NULL || sd_keylog_count(keylog) == 0)
		return;
	if (verbose)
		fprintf(stderr, "shakedown: key log: %zu client randoms; TLS 1.3 connections: %"
		    PRIu64 " decrypted, %" PRIu64 " without keys, %" PRIu64 " failed "
		    "(wrong keys), %" PRIu64 " cipher suite not decrypted\n",
		    sd_keylog_count(keylog), ts->decrypted, ts->no_keys, ts->failed,
		    ts->unsupported);
	else if (ts->failed > 0)
		fprintf(stderr, "shakedown: key log: %" PRIu64 " TLS 1.3 connection%s did not "
		    "decrypt (wrong keys for them?)\n", ts->failed, ts->failed == 1 ? "" : "s");
}

/* said: frames of sources already refused as undecodable (not warned about again). */
static void
print_stats(const struct run *r, bool verbose, const struct sd_engine_stats *said)
{
	struct run_sums sums;
	const struct sd_findings *findings = &r->findings;
	const struct sd_engine_stats *s = &sums.s;
	const struct sd_flow_stats *fs = &sums.fs;
	const struct sd_defrag_stats *ds = &sums.ds;
	const struct sd_rule_cache_stats *cs = &sums.cs;
	const struct sd_rule_stats *rs = &sums.rs;
	uint64_t unsup, trunc, bad;
	const char *cat;
	size_t ncat;

	run_sums(r, &sums);
	unsup = s->unsupported_link - said->unsupported_link;
	trunc = s->truncated - said->truncated;
	bad = s->malformed - said->malformed;
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
		/* one line a script can check: everything that was not kept */
		fprintf(stderr, "shakedown: lost: flows evicted %" PRIu64 ", memcap refusals %"
		    PRIu64 ", connections not analysed %" PRIu64 ", summaries evicted %" PRIu64
		    ", summaries refused %" PRIu64 ", findings dropped %" PRIu64 "\n",
		    fs->evicted, s->memcap_refused, rs->flows_refused, rs->evicted, rs->refused,
		    findings->dropped);
		fprintf(stderr, "shakedown: certificates: %" PRIu64 " described, %" PRIu64
		    " from the cache; chains: %" PRIu64 " verified, %" PRIu64 " from the cache\n",
		    cs->described, cs->described_cached, cs->verified, cs->verified_cached);
		cat = sd_rule_intercept_catalogue(&ncat);
		fprintf(stderr, "shakedown: interception catalogue: %s (%zu entries)\n",
		    cat != NULL ? cat : "none found", ncat);
	}
	if (unsup + trunc + bad > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " frames not decoded (%" PRIu64
		    " unsupported link type, %" PRIu64 " truncated, %" PRIu64 " malformed)\n",
		    unsup + trunc + bad, unsup, trunc, bad);
	if (fs->evicted > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " flows evicted at the flow cap or near "
		    "the memory cap (--max-flows, --memcap)\n", fs->evicted);
	if (s->memcap_refused > 0)
		fprintf(stderr, "shakedown: the memory cap refused data %" PRIu64
		    " times (--memcap); some flows are incomplete\n", s->memcap_refused);
	if (rs->flows_refused + rs->evicted + rs->refused > 0)
		fprintf(stderr, "shakedown: rule state past the memory cap (--memcap): %" PRIu64
		    " connections not analysed, %" PRIu64 " summaries judged early and evicted, %"
		    PRIu64 " not kept; findings may be missing\n", rs->flows_refused, rs->evicted,
		    rs->refused);
	if (findings->dropped > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " distinct findings past the cap were "
		    "dropped\n", findings->dropped);
	if (sd_alloc_failures() + sd_out_json_dropped() > 0)
		fprintf(stderr, "shakedown: %" PRIu64 " memory allocations failed, %" PRIu64
		    " JSON lines dropped (out of memory or past %zu MiB); findings may be "
		    "missing\n", sd_alloc_failures(), sd_out_json_dropped(),
		    SD_JSON_MAX_LINE >> 20);
	if (ds->timed_out > 0 || ds->dropped > 0)
		fprintf(stderr, "shakedown: IP reassembly: %" PRIu64 " datagrams incomplete, %"
		    PRIu64 " fragments dropped\n", ds->timed_out, ds->dropped);
}

/* "link type 147 (USER0) not supported" into buf. */
static void
linktype_unsupported(char *buf, size_t len, int lt)
{
	const char *name = sd_cap_linktype_name(lt);

	snprintf(buf, len, "link type %d%s%s%s not supported", lt, name != NULL ? " (" : "",
	    name != NULL ? name : "", name != NULL ? ")" : "");
}

/* A source with one link type for all its frames (classic pcap, live) that the engine
 * does not decode is refused before reading it; false with err set. */
static bool
linktype_ok(const struct sd_cap *cap, char err[SD_ERRBUF])
{
	char why[96];
	int lt = sd_cap_datalink(cap);

	if (lt < 0 || sd_link_supported(lt))
		return true;
	linktype_unsupported(why, sizeof(why), lt);
	snprintf(err, SD_ERRBUF, "%s: %s", label_of(cap), why);
	return false;
}

/*
 * --pin hosts without a certificate: each analysis (file) reports its own; a pin is warned
 * about when no analysis saw its host, once, at the end.
 */
#define SD_PIN_NOTES	64
static struct {
	char		 host[256];
	unsigned	 port;
	int		 runs;		/* analyses that did not see it */
} pin_notes[SD_PIN_NOTES];
static int pin_nnotes, pins_runs;

static void
pin_unseen(void *ctx, const char *host, unsigned port)
{
	int i;

	(void)ctx;
	for (i = 0; i < pin_nnotes; i++)
		if (pin_notes[i].port == port && strcmp(pin_notes[i].host, host) == 0)
			break;
	if (i == pin_nnotes) {
		if (pin_nnotes == SD_PIN_NOTES)
			return;
		snprintf(pin_notes[i].host, sizeof(pin_notes[i].host), "%s", host);
		pin_notes[i].port = port;
		pin_notes[i].runs = 0;
		pin_nnotes++;
	}
	pin_notes[i].runs++;
}

static void
warn_pins(void)
{
	int i;

	for (i = 0; i < pin_nnotes; i++) {
		const char *host = pin_notes[i].host;
		unsigned port = pin_notes[i].port;
		bool v6 = strchr(host, ':') != NULL;

		if (pin_notes[i].runs < pins_runs)
			continue;	/* some file had its certificate */
		if (port == 0)
			fprintf(stderr, "shakedown: --pin %s: no certificate for %s in the "
			    "capture\n", host, host);
		else
			fprintf(stderr, "shakedown: --pin %s%s%s:%u: no certificate for %s port "
			    "%u in the capture\n", v6 ? "[" : "", host, v6 ? "]" : "", port, host,
			    port);
	}
}

static void
summary_fill(struct sd_out_summary *sum, const struct run *r, const struct input *ins, int nin,
    struct sd_out_input *oi, const char *const *files, int nfiles)
{
	struct run_sums sums;
	const struct sd_engine_stats *s = &sums.s;
	int k;

	run_sums(r, &sums);
	memset(sum, 0, sizeof(*sum));
	sum->files = files;
	sum->nfiles = nfiles;
	sum->inputs = oi;
	sum->ninputs = nin;
	for (k = 0; k < nin; k++) {
		oi[k].name = ins[k].name;
		oi[k].index = ins[k].index;
		oi[k].frames = ins[k].frames;
		oi[k].first_sec = ins[k].first_sec;
		oi[k].first_nsec = ins[k].first_nsec;
		oi[k].last_sec = ins[k].last_sec;
		oi[k].last_nsec = ins[k].last_nsec;
		oi[k].error = ins[k].failed ? ins[k].err : NULL;
		oi[k].error_said = ins[k].said;
		oi[k].linktype = ins[k].datalink >= 0 ? sd_cap_linktype_name(ins[k].datalink) :
		    NULL;
		sum->frames += ins[k].frames;
		if (ins[k].failed && sum->input_error == NULL)
			sum->input_error = ins[k].err;
	}
	sum->flows = sums.fs.created;
	sum->events = sums.events;
	sum->undecoded_link = s->unsupported_link;
	sum->undecoded_truncated = s->truncated;
	sum->undecoded_malformed = s->malformed;
	sum->flows_evicted = sums.fs.evicted;
	sum->memcap_refused = s->memcap_refused;
	sum->rule_flows_refused = sums.rs.flows_refused;
	sum->rule_evicted = sums.rs.evicted;
	sum->rule_refused = sums.rs.refused;
	sum->findings_dropped = r->findings.dropped;
	sum->alloc_failures = sd_alloc_failures();
	sum->json_dropped = sd_out_json_dropped();
	sum->findings = r->findings.n;
	for (k = 0; k < nin && sum->clock[0] == '\0'; k++)
		sd_rules_clock_text(r->nwk > 0 ? r->wk[0]->rules : r->rules, ins[k].index,
		    sum->clock, sizeof(sum->clock));
}

/* The summary of inputs that could not be opened at all (no engine ran). */
static void
summary_failed(struct sd_out_summary *sum, const struct input *ins, int nin,
    struct sd_out_input *oi, const char *const *files, int nfiles)
{
	int k;

	memset(sum, 0, sizeof(*sum));
	sum->files = files;
	sum->nfiles = nfiles;
	sum->inputs = oi;
	sum->ninputs = nin;
	for (k = 0; k < nin; k++) {
		memset(&oi[k], 0, sizeof(oi[k]));
		oi[k].name = ins[k].name;
		oi[k].index = ins[k].index;
		oi[k].error = ins[k].err;
	}
	sum->input_error = ins[0].err;
}

/* An output that cannot be opened (-o, --redis): say why, analyse nothing. */
static int
analyse_abort(struct input *ins, int nin, struct run *r, struct sd_out_input *oi,
    const char *err)
{
	int k;

	fprintf(stderr, "shakedown: %s\n", err);
	for (k = 0; k < nin; k++)
		if (ins[k].cap != NULL)
			sd_cap_close(ins[k].cap);
	run_free(r);
	free(oi);
	return SD_EXIT_ERROR;
}

/* --sensor-name, else the host name ("unknown" when it has none). */
static const char *
sensor_name(const struct opts *o)
{
	static char host[256];

	if (o->sensor != NULL)
		return o->sensor;
	if (host[0] == '\0') {
		if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
			snprintf(host, sizeof(host), "%s", "unknown");
		host[sizeof(host) - 1] = '\0';
	}
	return host;
}

/* The evidence keeper of one analysis (NULL without --evidence, or out of memory). */
static struct sd_evidence *
evidence_new(const struct opts *o, const struct input *ins, int nin, const char *const *files,
    int nfiles)
{
	static unsigned next_index;	/* NNN counts on across the files analysed one by one */
	struct sd_evidence_opts eo;
	struct sd_evidence *e;
	size_t cap = o->memcap != 0 ? o->memcap : (size_t)256 << 20;
	int k;

	if (o->evidence == NULL)
		return NULL;
	memset(&eo, 0, sizeof(eo));
	eo.dir = o->evidence;
	eo.force = o->force;
	eo.stream = o->iface != NULL;
	for (k = 0; k < nin; k++)
		eo.stream |= strcmp(ins[k].name, "-") == 0;	/* a pipe cannot be read twice */
	eo.budget = cap / 8;
	eo.next_index = &next_index;
	eo.files = files;
	eo.nfiles = nfiles;
	if ((e = sd_evidence_new(&eo)) == NULL)
		fprintf(stderr, "shakedown: --evidence: out of memory\n");
	return e;
}

/* On stderr: how many folders, and what the budget made it lose. */
static void
evidence_said(const struct sd_evidence *e, const struct opts *o)
{
	struct sd_evidence_stats st;

	if (e == NULL || o->quiet)
		return;
	sd_evidence_stats(e, &st);
	if (st.findings > 0)
		fprintf(stderr, "shakedown: evidence of %" PRIu64 " finding%s in %s (%" PRIu64
		    " packets%s)\n", st.findings, st.findings == 1 ? "" : "s", o->evidence,
		    st.packets, st.partial > 0 ? ", some findings partial: see evidence.partial" :
		    "");
	if (st.evicted > 0 || st.refused > 0)
		fprintf(stderr, "shakedown: --evidence: %" PRIu64 " flows' packets dropped and %"
		    PRIu64 " refused to stay within %zu KiB (1/8 of --memcap); their findings "
		    "are partial\n", st.evicted, st.refused, st.budget / 1024);
}

/*
 * Analyse some inputs as one capture (one file, the live interface, or every file with
 * --merge) and write what was found.  Returns the exit status of this part.
 */
static int
analyse(struct input *ins, int nin, const struct opts *o, struct sd_ndpi *ndpi,
    struct sd_out_events *evout, const char *const *files, int nfiles, bool progress,
    bool color, bool *first_section)
{
	struct sd_out_input *oi;
	struct sd_out_summary sum;
	struct run *r;
	int k, nopen = 0, status = SD_EXIT_OK;

	oi = calloc((size_t)nin, sizeof(*oi));
	if (oi == NULL) {
		fprintf(stderr, "shakedown: out of memory\n");
		return SD_EXIT_ERROR;
	}
	for (k = 0; k < nin; k++) {
		int rc;

		if (o->iface != NULL)
			rc = sd_cap_open_live(&ins[k].cap, ins[k].name, o->bpf, 262144, ins[k].err);
		else
			rc = sd_cap_open_file(&ins[k].cap, ins[k].name, ins[k].err);
		if (rc == 0 && !linktype_ok(ins[k].cap, ins[k].err)) {
			sd_cap_close(ins[k].cap);
			rc = -1;
		}
		if (rc != 0) {
			ins[k].cap = NULL;
			input_fail(&ins[k]);
			status = SD_EXIT_ERROR;
			continue;
		}
		ins[k].datalink = sd_cap_datalink(ins[k].cap);
		sd_cap_on_secrets(ins[k].cap, on_secrets, (void *)ins[k].name);
		nopen++;
		if (sd_cap_is_live(ins[k].cap)) {
			/* one wait over every interface (run_read), none inside the read */
			sd_cap_set_wait(ins[k].cap, 0);
			if (k < SD_MAX_IFACES)
				live_caps[k] = ins[k].cap;
		}
	}
	if (o->iface != NULL && nopen < nin) {
		/* a sensor listens on every interface it was given, or on none */
		for (k = 0; k < nin; k++) {
			if (k < SD_MAX_IFACES)
				live_caps[k] = NULL;
			if (ins[k].cap != NULL) {
				sd_cap_close(ins[k].cap);
				ins[k].cap = NULL;
			}
		}
		nopen = 0;
	}
	for (k = 0; k < nin && !o->quiet; k++)
		if (ins[k].cap != NULL && sd_cap_is_live(ins[k].cap))
			fprintf(stderr, "shakedown: listening on %s%s%s (Ctrl-C to stop)\n",
			    ins[k].name, o->bpf ? ", filter: " : "", o->bpf ? o->bpf : "");
	if (nopen == 0) {
		/* nothing to analyse: say so in the machine outputs, never "no findings" */
		struct tee t = { .events = evout };

		for (k = 0; k < nin; k++) {
			struct run fake;

			memset(&fake, 0, sizeof(fake));
			fake.tee = t;
			input_end(&ins[k], &fake);
		}
		summary_failed(&sum, ins, nin, oi, files, nfiles);
		if (o->json)
			sd_out_summary_json(stdout, &sum);
		if (report != NULL) {
			struct sd_findings none;

			memset(&none, 0, sizeof(none));
			sd_report_begin(report);
			sd_report_end(report, &none, &sum);
		}
		free(oi);
		return SD_EXIT_ERROR;
	}
	r = run_new(o, ndpi, evout, evidence_new(o, ins, nin, files, nfiles), false);
	if (r != NULL && o->workers > 1 && !workers_start(r, o, ndpi)) {
		run_free(r);
		r = NULL;
	}
	if (r == NULL) {
		for (k = 0; k < nin; k++)
			if (ins[k].cap != NULL)
				sd_cap_close(ins[k].cap);
		free(oi);
		return SD_EXIT_ERROR;
	}
	if (r->evidence != NULL) {
		/* first: the outputs after it print where the evidence went */
		struct sd_finding_out fo = sd_evidence_out(r->evidence);

		(void)sd_findings_subscribe(&r->findings, &fo);
	}
	if (o->out_file != NULL || o->redis != NULL || (o->iface != NULL && !o->events)) {
		/* findings the moment they are decided: live mode, and -o FILE for files too */
		struct sd_finding_out fo;
		char err[300];

		r->live = sd_live_out_new(o->iface != NULL && !o->json && !o->events ? stdout :
		    NULL, color, sd_out_text_width(stdout), o->out_file == NULL &&
		    o->iface != NULL && o->json ? stdout : NULL, o->out_file, files, nfiles, err,
		    sizeof(err));
		if (r->live == NULL)
			return analyse_abort(ins, nin, r, oi, err);
		if (o->redis != NULL) {
			r->redis = sd_redis_new(o->redis, o->redis_stream != NULL ?
			    o->redis_stream : "shakedown:findings", o->redis_queue > 0 ?
			    o->redis_queue : 10000, sensor_name(o),
			    o->quiet, err, sizeof(err));
			if (r->redis == NULL) {
				return analyse_abort(ins, nin, r, oi, err);
			}
			sd_live_out_set_redis(r->live, r->redis);
		}
		fo.decided = sd_live_out_decided;
		fo.ctx = r->live;
		(void)sd_findings_subscribe(&r->findings, &fo);
	}
	if (o->sessions) {
		char err[128];

		r->json_stdout = o->json;
		r->sessions = sd_sessions_new(&r->reg, &r->mc, files, nfiles, session_line, r, err,
		    sizeof(err));
		if (r->sessions == NULL)
			return analyse_abort(ins, nin, r, oi, err);
		r->tee.sessions = r->sessions;
	}
	for (k = 0; k < nin; k++)
		if (ins[k].failed)
			input_end(&ins[k], r);	/* its capture record, with the error */
	/* everything that needs root is open: give it up before the first packet is parsed */
	if (!drop_root(o) || (o->user != NULL && o->evidence != NULL &&
	    access(o->evidence, W_OK | X_OK) != 0 &&
	    (fprintf(stderr, "shakedown: --evidence %s: not writable by -Z %s\n", o->evidence,
	    o->user), true))) {
		for (k = 0; k < nin; k++)
			if (ins[k].cap != NULL)
				sd_cap_close(ins[k].cap);
		run_free(r);
		free(oi);
		return SD_EXIT_ERROR;
	}
	sd_alloc_phase("packets");
	run_read(r, ins, nin, o, progress);
	if (r->workers != NULL) {
		sd_workers_finish(r->workers);	/* each worker ends its flows and rules */
		r->workers = NULL;
		workers_merge(r);
	}
	sd_engine_finish(r->engine);
	if (r->rules != NULL)
		sd_rules_finish(r->rules);
	sd_evidence_finish(r->evidence, &r->findings);
	evidence_said(r->evidence, o);
	sd_live_out_final(r->live, &r->findings);
	sd_finding_sort(&r->findings);
	sd_alloc_phase("output");
	summary_fill(&sum, r, ins, nin, oi, files, nfiles);
	if ((sum.frames > 0 || o->iface == NULL) && sum.undecoded_link +
	    sum.undecoded_truncated + sum.undecoded_malformed >= sum.frames) {
		/* read, but nothing in it could be looked at: not a verdict either */
		for (k = 0; k < nin; k++)
			if (!ins[k].failed && ins[k].frames == 0 && nin == 1) {
				snprintf(ins[k].err, sizeof(ins[k].err), "%s: no frames in the "
				    "capture", strcmp(ins[k].name, "-") ? ins[k].name :
				    "standard input");
				input_fail(&ins[k]);
			} else if (!ins[k].failed && ins[k].frames > 0) {
				char why[128];

				if (sum.undecoded_link == sum.frames && ins[k].datalink >= 0)
					linktype_unsupported(why, sizeof(why), ins[k].datalink);
				else
					snprintf(why, sizeof(why), "%" PRIu64 " of an unsupported "
					    "link type, %" PRIu64 " truncated, %" PRIu64 " malformed",
					    sum.undecoded_link, sum.undecoded_truncated,
					    sum.undecoded_malformed);
				snprintf(ins[k].err, sizeof(ins[k].err), "%s: no frame could be "
				    "decoded (%" PRIu64 " frame%s: %s)", strcmp(ins[k].name, "-") ?
				    ins[k].name : "standard input", sum.frames,
				    sum.frames == 1 ? "" : "s", why);
				input_fail(&ins[k]);
				break;
			}
		summary_fill(&sum, r, ins, nin, oi, files, nfiles);
		sum.nothing_decoded = true;
	}
	sum.verbose = o->verbose;
	if (sum.input_error != NULL)
		status = SD_EXIT_ERROR;
	if (o->json) {
		/* live: every finding went out as it was decided */
		if (sd_live_out_json(r->live) != stdout)
			sd_out_findings_json(stdout, &r->findings, files, nfiles);
		sd_out_summary_json(stdout, &sum);
	}
	if (o->out_file != NULL && sd_live_out_json(r->live) != NULL) {
		sd_out_summary_json(sd_live_out_json(r->live), &sum);
		fflush(sd_live_out_json(r->live));
	}
	if (r->redis != NULL) {
		char *buf = NULL;
		size_t len = 0;
		uint64_t sent, queued, dropped;
		FILE *m = open_memstream(&buf, &len);

		if (m != NULL) {
			sd_out_summary_json(m, &sum);
			fclose(m);
			sd_redis_push(r->redis, buf, len, "summary", "info");
			free(buf);
		}
		sd_redis_flush(r->redis);
		sd_redis_counts(r->redis, &sent, &queued, &dropped);
		if ((queued > 0 || dropped > 0) && !o->quiet)
			fprintf(stderr, "shakedown: redis: %" PRIu64 " records sent, %" PRIu64
			    " not sent (the server was away), %" PRIu64 " dropped from the "
			    "full queue\n", sent, queued, dropped);
	}
	if (!o->events && !o->json && !sum.nothing_decoded) {
		if (!*first_section)
			fputc('\n', stdout);
		sd_out_findings_text(stdout, &r->findings, &sum, color);
		*first_section = false;
	}
	if (!o->quiet)
		print_keylog_stats(o->verbose);
	if (!o->quiet) {
		struct sd_engine_stats said;

		/* frames already named in the "no frame could be decoded" error: not again */
		memset(&said, 0, sizeof(said));
		if (sum.nothing_decoded) {
			struct run_sums sums;

			run_sums(r, &sums);
			said = sums.s;
		}
		print_stats(r, o->verbose, &said);
	}
	if (r->nwk == 0) {
		sd_rules_unseen_pins(r->rules, pin_unseen, NULL);
		pins_runs++;
	}
	for (k = 0; k < (int)r->nwk; k++) {
		/* a pin is unseen when no worker saw its certificate */
		sd_rules_unseen_pins(r->wk[k]->rules, pin_unseen, NULL);
		pins_runs++;
	}
	if (o->fail_on_set && status == SD_EXIT_OK) {
		size_t i;

		for (i = 0; i < r->findings.n; i++)
			if (r->findings.v[i]->severity >= o->fail_on)
				status = SD_EXIT_FINDINGS;
	}
	if (report != NULL)
		sd_report_end(report, &r->findings, &sum);
	run_free(r);
	free(oi);
	return status;
}

/*
 * The GeoIP databases: every --geoip (one that cannot be used stops the start), else
 * those of the standard places; set as the outputs' (sd_out_set_geoip).  *gp is NULL
 * with nothing to use (no database, --no-geoip).  -1 after saying why on stderr.
 */
static int
open_geoip(const struct opts *o, struct sd_geoip **gp)
{
	struct sd_geoip *g;
	char err[512];
	int i;

	*gp = NULL;
	if (o->no_geoip) {
		if (o->ngeoip > 0) {
			fprintf(stderr, "shakedown: --geoip and --no-geoip together\n");
			return -1;
		}
		return 0;
	}
	if ((g = sd_geoip_new()) == NULL) {
		fprintf(stderr, "shakedown: out of memory\n");
		return -1;
	}
	for (i = 0; i < o->ngeoip; i++) {
		if (sd_geoip_add(g, o->geoip[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "shakedown: --geoip %s\n", err);
			sd_geoip_free(g);
			return -1;
		}
	}
	if (o->ngeoip == 0 && sd_geoip_add_defaults(g) == 0) {
		sd_geoip_free(g);
		return 0;
	}
	if (o->verbose && !o->quiet) {
		static const char *const kn[] = { "ASN", "Country", "City" };
		enum sd_geoip_kind k;
		size_t n;

		for (n = 0; n < sd_geoip_count(g); n++) {
			const char *p = sd_geoip_path(g, n, &k);

			fprintf(stderr, "shakedown: GeoIP %s database %s\n", kn[k], p);
		}
	}
	sd_out_set_geoip(g);
	*gp = g;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sd_out_events evout;
	struct sd_ndpi *ndpi = NULL;
	struct sd_geoip *geoip = NULL;
	struct input *ins;
	struct opts o;
	const char *const *files;
	int first, nfiles, i, st, status = SD_EXIT_OK;
	bool progress, color, first_section = true;
	const char *term = getenv("TERM");

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	first = sd_cli_parse_args(argc, argv, &o);
	if (first < 0)
		return SD_EXIT_ERROR;
	if (o.iface != NULL) {
		files = o.ifaces;
		nfiles = o.nifaces;
	} else {
		files = (const char *const *)argv + first;
		nfiles = argc - first;
	}
	/* a dumb terminal gets neither colour nor the progress line's escapes */
	progress = o.progress == 1 || (o.progress == -1 && o.iface == NULL && !o.quiet &&
	    isatty(STDERR_FILENO) && (term == NULL || strcmp(term, "dumb") != 0));
	color = o.color == 1 || (o.color == -1 && isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL && (term == NULL || strcmp(term, "dumb") != 0));

	if (o.evidence != NULL) {
		char err[600];

		if (sd_evidence_prepare(o.evidence, o.force, err, sizeof(err)) != 0) {
			fprintf(stderr, "shakedown: %s\n", err);
			return SD_EXIT_ERROR;
		}
	}
	if (open_geoip(&o, &geoip) != 0 || load_keylogs(&o) != 0)
		return SD_EXIT_ERROR;
	if (o.report != NULL && (report = sd_report_new(o.report, sd_report_format(o.report),
	    SD_VERSION, argc, argv)) == NULL) {
		fprintf(stderr, "shakedown: out of memory\n");
		sd_geoip_free(geoip);
		return SD_EXIT_ERROR;
	}
	ins = calloc((size_t)nfiles, sizeof(*ins));
	if (ins == NULL) {
		fprintf(stderr, "shakedown: out of memory\n");
		sd_geoip_free(geoip);
		return SD_EXIT_ERROR;
	}
	for (i = 0; i < nfiles; i++) {
		ins[i].name = files[i];
		ins[i].index = (uint32_t)i;
	}
	/* nDPI's label reaches only the flow records of --events: without them it would cost
	 * a third of the run (its ClientHello dissection formats JA3 strings) for nothing */
	if (!o.no_ndpi && o.events) {
		ndpi = sd_ndpi_new();
		if (ndpi == NULL) {
			fprintf(stderr, "shakedown: nDPI initialisation failed\n");
			free(ins);
			return SD_EXIT_ERROR;
		}
	}
	if (o.events)
		sd_out_events_init(&evout, stdout, files, nfiles);
	sd_out_set_observer(sensor_name(&o));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_hup_usr1);
	signal(SIGUSR1, on_hup_usr1);

	if (o.merge || o.iface != NULL) {
		/* several interfaces are one capture point: one engine */
		status = analyse(ins, nfiles, &o, ndpi, o.events ? &evout : NULL, files, nfiles,
		    progress, color, &first_section);
	} else {
		/* files given together are unrelated captures: each is analysed on its own */
		for (i = 0; i < nfiles && !interrupted; i++) {
			st = analyse(&ins[i], 1, &o, ndpi, o.events ? &evout : NULL, files, nfiles,
			    progress, color, &first_section);
			if (st > status)
				status = st;
		}
	}
	if (!o.quiet && pins_runs > 0)
		warn_pins();
	if (fflush(stdout) != 0 || (o.events && evout.write_error)) {
		fprintf(stderr, "shakedown: write error on standard output\n");
		status = SD_EXIT_ERROR;
	}
	if (report != NULL && !sd_report_write(report))
		status = SD_EXIT_ERROR;
	sd_report_free(report);
	if (o.events)
		sd_out_events_free(&evout);
	sd_ndpi_free(ndpi);
	sd_out_set_geoip(NULL);
	sd_geoip_free(geoip);
	sd_tls13_free(tls13);
	sd_keylog_free(keylog);
	free(ins);
	return status;
}
