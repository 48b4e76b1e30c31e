/* cli/report_write.c - the report's content, most important first, through a format. */
#include "cli/report_int.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapt/digest.h"
#include "adapt/geoip.h"
#include "analyze/x509.h"
#include "cli/json.h"

#define T(s)	(s), strlen(s)	/* a C string as (text, length) */

const char *
sd_report_clock(char *buf, size_t n, int64_t sec, uint32_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		snprintf(buf, n, "%" PRId64, sec);
	else
		snprintf(buf, n, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
		    nsec / 1000000u);
	return buf;
}

/* A finding with where it lives: its analysis and its number in the report. */
struct item {
	const struct rpt_run	*run;
	const struct sd_finding	*x;
	size_t			 no;
};

/* Every finding of every analysis, most severe first (stable within a severity). */
static struct item *
all_findings(const struct sd_report *r, size_t *np)
{
	struct item *v, t;
	size_t i, j, n = 0;

	for (i = 0; i < r->nruns; i++)
		n += r->runs[i].findings.n;
	*np = 0;
	if ((v = calloc(n > 0 ? n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < r->nruns; i++)
		for (j = 0; j < r->runs[i].findings.n; j++) {
			v[*np].run = &r->runs[i];
			v[*np].x = r->runs[i].findings.v[j];
			(*np)++;
		}
	for (i = 1; i < n; i++)		/* insertion sort: stable, and n is small */
		for (j = i; j > 0 && v[j - 1].x->severity < v[j].x->severity; j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		v[i].no = i + 1;
	return v;
}

static void
para(const struct rpt_fmt *o, FILE *f, const char *s)
{
	o->para_begin(f);
	o->text(f, T(s));
	o->para_end(f);
}

static const char *
sev_upper(enum sd_sev s)
{
	static const char *const n[] = { "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

#define RPT_VERDICT_LINES	30

/* The failing servers and tunnels, one line each (their most severe finding). */
static void
verdict(const struct rpt_fmt *o, FILE *f, const struct item *v, size_t n)
{
	static const char *const head[] = { "Severity", "What fails", "Finding" };
	char subj[300], line[1400], id[32], (*seen)[300];
	size_t i, j, nseen = 0, below = 0, more = 0;

	o->heading(f, 2, "verdict", "Verdict");
	seen = calloc(n > 0 ? n : 1, sizeof(*seen));
	for (i = 0; i < n; i++) {
		if (v[i].x->severity < SD_SEV_MEDIUM) {
			below++;
			continue;
		}
		sd_out_finding_subject(v[i].x, subj, sizeof(subj));
		for (j = 0; seen != NULL && j < nseen && strcmp(seen[j], subj) != 0; j++)
			;
		if (seen != NULL && j < nseen)
			continue;
		if (nseen == 0)
			o->table_begin(f, head, 3);
		if (seen != NULL)
			snprintf(seen[nseen], sizeof(seen[0]), "%s", subj);
		if (++nseen > RPT_VERDICT_LINES) {
			more++;		/* a verdict is read at a glance: the rest below */
			continue;
		}
		sd_out_finding_headline(v[i].x, subj, line, sizeof(line));
		o->row_begin(f, (int)v[i].x->severity);
		o->cell(f, T(sev_upper(v[i].x->severity)), RPT_SEV);
		o->cell(f, T(line), RPT_TEXT);
		snprintf(id, sizeof(id), "f%zu", v[i].no);
		o->cell(f, T(id), RPT_LINK);
		o->row_end(f);
	}
	free(seen);
	if (more > 0) {
		o->table_end(f);
		snprintf(line, sizeof(line), "%zu more failing servers or tunnels in the findings "
		    "below.", more);
		para(o, f, line);
	} else if (nseen > 0)
		o->table_end(f);
	else
		para(o, f, "No failing server or tunnel: no finding of medium severity or more.");
	if (below > 0) {
		snprintf(line, sizeof(line), "%zu finding%s of low or info severity below.", below,
		    below == 1 ? "" : "s");
		para(o, f, line);
	}
}


static void
iso(char *buf, size_t n, int64_t sec, uint32_t nsec)
{
	sd_out_iso_time(buf, n, sec, nsec);
}

/* The inputs: name, SHA-256, link type, frames, time span; then what was lost. */
static void
capture(const struct rpt_fmt *o, FILE *f, const struct sd_report *r)
{
	static const char *const head[] = { "File", "SHA-256", "Link type", "Frames",
		"First frame", "Last frame", "Span" };
	char sha[65], t1[SD_ISO_LEN], t2[SD_ISO_LEN], num[64], line[600];
	size_t i;
	int k;

	o->heading(f, 2, "capture", "Capture");
	o->table_begin(f, head, 7);
	for (i = 0; i < r->nruns; i++)
		for (k = 0; k < r->runs[i].ninputs; k++) {
			const struct rpt_input *in = &r->runs[i].inputs[k];
			const char *name = in->name != NULL ? in->name : "-";

			if (strcmp(name, "-") == 0 || !sd_adapt_file_sha256(name, sha))
				snprintf(sha, sizeof(sha), "%s", "not read again (standard input, "
				    "an interface, or gone)");
			o->row_begin(f, -1);
			o->cell(f, T(name), RPT_TEXT);
			o->cell(f, T(sha), RPT_CODE);
			o->cell(f, T(in->linktype[0] ? in->linktype : "-"), RPT_TEXT);
			snprintf(num, sizeof(num), "%" PRIu64, in->frames);
			o->cell(f, T(num), RPT_TEXT);
			iso(t1, sizeof(t1), in->first_sec, in->first_nsec);
			iso(t2, sizeof(t2), in->last_sec, in->last_nsec);
			o->cell(f, in->frames > 0 ? t1 : "-", in->frames > 0 ? strlen(t1) : 1,
			    RPT_TEXT);
			o->cell(f, in->frames > 0 ? t2 : "-", in->frames > 0 ? strlen(t2) : 1,
			    RPT_TEXT);
			snprintf(num, sizeof(num), "%.3f s", (double)(in->last_sec - in->first_sec) +
			    ((double)in->last_nsec - (double)in->first_nsec) / 1e9);
			o->cell(f, T(in->frames > 0 ? num : "-"), RPT_TEXT);
			o->row_end(f);
		}
	o->table_end(f);
	for (i = 0; i < r->nruns; i++) {
		const struct rpt_run *u = &r->runs[i];

		snprintf(line, sizeof(line), "%sFrames: %" PRIu64 ", flows: %" PRIu64 ", events: %"
		    PRIu64 ", findings: %zu. Not decoded: %" PRIu64 " frames of an unsupported "
		    "link type, %" PRIu64 " truncated by the capture (snap length), %" PRIu64
		    " malformed.%s", r->nruns > 1 ? (u->ninputs > 1 ? "Merged: " : "") : "",
		    u->frames, u->flows, u->events, u->findings.n, u->undecoded_link,
		    u->undecoded_truncated, u->undecoded_malformed, u->lost > 0 ?
		    " Analysis incomplete (flows evicted or memory cap reached): findings may "
		    "be missing." : " Nothing was dropped by the analysis.");
		o->para_begin(f);
		if (r->nruns > 1 && u->ninputs == 1 && u->inputs[0].name != NULL) {
			o->strong(f, T(u->inputs[0].name));
			o->text(f, T(": "));
		}
		o->text(f, T(line));
		o->para_end(f);
		for (k = 0; k < u->ninputs; k++)
			if (u->inputs[k].error != NULL) {
				o->para_begin(f);
				o->strong(f, T("Input error:"));
		o->text(f, T(" "));
				o->text(f, T(u->inputs[k].error));
				o->para_end(f);
			}
		if (u->clock[0] != '\0') {
			o->para_begin(f);
			o->strong(f, T("Clock:"));
		o->text(f, T(" "));
			o->text(f, T(u->clock));
			o->para_end(f);
		}
	}
	if (r->msgs_lost + r->conns_lost + r->certs_lost > 0) {
		snprintf(line, sizeof(line), "This report left out %" PRIu64 " ladder messages, %"
		    PRIu64 " connections and %" PRIu64 " certificates past its limits.",
		    r->msgs_lost, r->conns_lost, r->certs_lost);
		para(o, f, line);
	}
}

void
sd_report_sides(const struct sd_finding_flow *fw, const char **left, const char **right)
{
	bool ike = fw->proto == 17 && (fw->sport == 500 || fw->sport == 4500);

	*left = ike ? "initiator" : "client";
	*right = ike ? "responder" : "server";
}

bool
sd_report_from_client(const struct rpt_msg *m, const struct sd_finding_flow *fw)
{
	return m->sport == fw->cport && sd_ip_addr_cmp(&m->src, &fw->client) == 0;
}

void
sd_report_reltime(char *buf, size_t len, const struct rpt_msg *const *m, size_t n, size_t i)
{
	size_t k;

	for (k = 0; k < n && !m[k]->has_ts; k++)
		;
	if (k == n || !m[i]->has_ts)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "+%.3f", (double)(m[i]->sec - m[k]->sec) +
		    ((double)m[i]->nsec - (double)m[k]->nsec) / 1e9);
}

/* Order of the chain index: flow id, then where it was kept (stable).  Both rpt_msg and
 * rpt_chain begin with their flow_id, which a pointer to either reaches (C11 6.7.2.1p15). */
static int
flow_order(const void *a, const void *b)
{
	const uint64_t *x = *(const uint64_t *const *)a;
	const uint64_t *y = *(const uint64_t *const *)b;

	if (*x != *y)
		return *x < *y ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Order of the message index: flow id, then frame, then where it was kept. */
static int
msg_order(const void *a, const void *b)
{
	const struct rpt_msg *x = *(const struct rpt_msg *const *)a;
	const struct rpt_msg *y = *(const struct rpt_msg *const *)b;

	if (x->flow_id == y->flow_id && x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return flow_order(a, b);
}

bool
sd_report_index(struct sd_report *r)
{
	size_t i, k;
	bool ok = true;

	for (i = 0; i < r->nruns; i++) {
		struct rpt_run *u = &r->runs[i];

		if (u->msg_by_flow == NULL && u->nmsgs > 0 &&
		    (u->msg_by_flow = calloc(u->nmsgs, sizeof(*u->msg_by_flow))) != NULL) {
			for (k = 0; k < u->nmsgs; k++)
				u->msg_by_flow[k] = &u->msgs[k];
			qsort(u->msg_by_flow, u->nmsgs, sizeof(*u->msg_by_flow), msg_order);
		}
		if (u->chain_by_flow == NULL && u->nchains > 0 &&
		    (u->chain_by_flow = calloc(u->nchains, sizeof(*u->chain_by_flow))) != NULL) {
			for (k = 0; k < u->nchains; k++)
				u->chain_by_flow[k] = &u->chains[k];
			qsort(u->chain_by_flow, u->nchains, sizeof(*u->chain_by_flow),
			    flow_order);
		}
		ok = ok && (u->nmsgs == 0 || u->msg_by_flow != NULL) &&
		    (u->nchains == 0 || u->chain_by_flow != NULL);
	}
	return ok;
}

/* The entries of an index sorted by flow id that belong to one flow: the first one's
 * position, and *np of them (see flow_order). */
static size_t
flow_range(const void *const *v, size_t n, uint64_t flow_id, size_t *np)
{
	size_t lo = 0, hi = v != NULL ? n : 0, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (*(const uint64_t *)v[mid] < flow_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; v != NULL && end < n && *(const uint64_t *)v[end] == flow_id; end++)
		;
	*np = end - lo;
	return lo;
}

/* The messages of a flow, by frame: a borrowed range of the run's index; *np of them. */
static const struct rpt_msg *const *
flow_msgs(const struct rpt_run *u, uint64_t flow_id, size_t *np)
{
	size_t at = flow_range((const void *const *)u->msg_by_flow, u->nmsgs, flow_id, np);

	return *np > 0 ? u->msg_by_flow + at : NULL;
}

/* The chains sent on a flow: a borrowed range of the run's index; *np of them. */
static const struct rpt_chain *const *
flow_chains(const struct rpt_run *u, uint64_t flow_id, size_t *np)
{
	size_t at = flow_range((const void *const *)u->chain_by_flow, u->nchains, flow_id, np);

	return *np > 0 ? u->chain_by_flow + at : NULL;
}

/* One row of the evidence table: a message at an evidence frame. */
static void
evidence_row(const struct rpt_fmt *o, FILE *f, const struct rpt_msg *m,
    const struct sd_finding_flow *fw, const struct sd_report *r)
{
	char num[64], t[SD_ISO_LEN], ea[80], eb[80], what[200];
	uint32_t file = sd_frame_file(m->frame);

	snprintf(num, sizeof(num), "%" PRIu64 "%s%s", sd_frame_no(m->frame),
	    r->nfiles > 1 ? " in " : "", r->nfiles > 1 && file < (uint32_t)r->nfiles ?
	    r->files[file] : "");
	if (m->has_ts)
		iso(t, sizeof(t), m->sec, m->nsec);
	else
		snprintf(t, sizeof(t), "-");
	snprintf(what, sizeof(what), "%s → %s", sd_out_endpoint(ea, sizeof(ea), &m->src,
	    m->sport), sd_report_from_client(m, fw) ? sd_out_endpoint(eb, sizeof(eb),
	    &fw->server, fw->sport) : sd_out_endpoint(eb, sizeof(eb), &fw->client, fw->cport));
	o->row_begin(f, (m->mark & RPT_RED) ? (int)SD_SEV_HIGH : -1);
	o->cell(f, T(num), RPT_TEXT);
	o->cell(f, T(t), RPT_TEXT);
	o->cell(f, T(what), RPT_TEXT);
	o->cell(f, T(m->label), RPT_TEXT);
	o->row_end(f);
}

/* The evidence frames: what each one shows, from the messages of the finding's flows. */
static void
evidence(const struct rpt_fmt *o, FILE *f, const struct item *it, const struct sd_report *r)
{
	static const char *const head[] = { "Frame", "Time", "Source → destination",
		"What the frame shows" };
	const struct sd_finding *x = it->x;
	char num[64], what[300];
	size_t i, j, k, shown;

	if (x->nframes == 0)
		return;
	o->table_begin(f, head, 4);
	for (i = 0; i < x->nframes; i++) {
		shown = 0;
		for (k = 0; k < x->nflows; k++) {
			const struct sd_finding_flow *fw = &x->flows[k];
			const struct rpt_msg *const *fm;
			size_t nm;

			if (fw->id == 0 || (fm = flow_msgs(it->run, fw->id, &nm)) == NULL)
				continue;
			for (j = 0; j < nm; j++) {
				const struct rpt_msg *m = fm[j];

				if (m->frame != x->frames[i])
					continue;
				evidence_row(o, f, m, fw, r);
				shown++;
			}
		}
		if (shown > 0)
			continue;
		snprintf(num, sizeof(num), "%" PRIu64, sd_frame_no(x->frames[i]));
		o->row_begin(f, -1);
		o->cell(f, T(num), RPT_TEXT);
		o->cell(f, T("-"), RPT_TEXT);
		o->cell(f, T("-"), RPT_TEXT);
		o->cell(f, T("evidence named by the rule (see the values)"), RPT_TEXT);
		o->row_end(f);
	}
	o->table_end(f);
	if (x->nframes_total > x->nframes) {
		snprintf(what, sizeof(what), "%" PRIu64 " more evidence frames not listed.",
		    x->nframes_total - x->nframes);
		para(o, f, what);
	}
}

/* The Wireshark display filter of the evidence frames, one per file. */
static void
filters(const struct rpt_fmt *o, FILE *f, const struct sd_finding *x, const struct sd_report *r)
{
	char filt[SD_FRAMES_FILTER_LEN(SD_FINDING_MAX_FRAMES)];
	uint64_t fr[SD_FINDING_MAX_FRAMES];
	uint32_t file, done[SD_FINDING_MAX_FRAMES];
	size_t i, j, k, ndone = 0;

	for (i = 0; i < x->nframes; i++) {
		file = sd_frame_file(x->frames[i]);
		for (j = 0; j < ndone && done[j] != file; j++)
			;
		if (j < ndone)
			continue;
		done[ndone++] = file;
		for (k = 0, j = 0; j < x->nframes; j++)
			if (sd_frame_file(x->frames[j]) == file)
				fr[k++] = sd_frame_no(x->frames[j]);
		sd_frames_filter(fr, k, filt, sizeof(filt));
		o->para_begin(f);
		o->strong(f, T("Wireshark display filter"));
		if (r->nfiles > 1 && file < (uint32_t)r->nfiles) {
			o->text(f, T(" ("));
			o->text(f, T(r->files[file]));
			o->text(f, T(")"));
		}
		o->text(f, T(": "));
		o->code(f, filt);
		o->para_end(f);
	}
}

/*
 * The path of `target` as seen from the directory of the report `report`: the evidence
 * folder and the report may be anywhere, so both are made absolute first.  False when
 * either cannot be resolved.
 */
static bool
relative_to_report(const char *report, const char *target, char *out, size_t n)
{
	char rdir[PATH_MAX], tabs[PATH_MAX], tmp[PATH_MAX];
	const char *slash = strrchr(report, '/'), *a, *b;
	size_t common = 0, i, len = 0;

	if (slash == NULL)
		snprintf(tmp, sizeof(tmp), ".");
	else
		snprintf(tmp, sizeof(tmp), "%.*s", slash == report ? 1 : (int)(slash - report),
		    report);
	if (realpath(tmp, rdir) == NULL || realpath(target, tabs) == NULL)
		return false;
	/* the longest common run of whole components */
	for (i = 0; rdir[i] != '\0' && rdir[i] == tabs[i]; i++)
		if (rdir[i] == '/')
			common = i;
	if (rdir[i] == '\0' && (tabs[i] == '/' || tabs[i] == '\0'))
		common = i;
	a = rdir + common;
	b = tabs + common + (tabs[common] == '/' ? 1 : 0);
	out[0] = '\0';
	for (; *a != '\0'; a++)
		if (*a == '/' && len + 3 < n) {
			memcpy(out + len, "../", 3);
			len += 3;
			out[len] = '\0';
		}
	if (len + strlen(b) + 1 > n)
		return false;
	memcpy(out + len, b, strlen(b) + 1);
	return out[0] != '\0';
}

/* --evidence DIR: the finding's capture and certificates, linked relative to the report. */
static void
evidence_links(const struct rpt_fmt *o, FILE *f, const struct sd_finding *x,
    const struct sd_report *r)
{
	char rel[PATH_MAX], path[PATH_MAX], name[32];
	unsigned i;

	if (x->evidence == NULL || x->evidence->file == NULL ||
	    !relative_to_report(r->path, x->evidence->file, rel, sizeof(rel)))
		return;
	o->para_begin(f);
	o->strong(f, T("Evidence:"));
	o->text(f, T(" "));
	o->link(f, rel, rel);
	if (x->evidence->partial)
		o->text(f, T(" (partial: not every packet of its flows was kept)"));
	for (i = 1; i <= x->evidence->ncerts; i++) {
		snprintf(path, sizeof(path), "%s/cert-%u.pem", x->evidence->dir, i);
		snprintf(name, sizeof(name), "cert-%u.pem", i);
		if (!relative_to_report(r->path, path, rel, sizeof(rel)))
			continue;
		o->text(f, T(i == 1 ? "; certificates: " : ", "));
		o->link(f, rel, name);
	}
	o->para_end(f);
}

/* The ladder of the finding's first connection or exchange. */
static void
ladder(const struct rpt_fmt *o, FILE *f, const struct item *it)
{
	const struct sd_finding *x = it->x;
	const struct sd_finding_flow *fw = NULL;
	const struct rpt_msg *const *v;
	char note[200] = "";
	size_t i, n, fail;

	for (i = 0; i < x->nflows && fw == NULL; i++)
		if (x->flows[i].id != 0)
			fw = &x->flows[i];
	if (fw == NULL)
		return;
	v = flow_msgs(it->run, fw->id, &n);
	if (v == NULL)
		return;
	for (fail = 0; fail < n && !(v[fail]->mark & RPT_RED); fail++)
		;
	if (x->nflows_total > 1)
		snprintf(note, sizeof(note), "The first of %" PRIu64 " connections of this "
		    "finding.", x->nflows_total);
	o->heading(f, 4, NULL, "Ladder");
	o->ladder(f, v, n, fw, fail, note);
}

static void
finding(const struct rpt_fmt *o, FILE *f, const struct item *it, const struct sd_report *r)
{
	static const char *const vh[] = { "Name", "Value" };
	const struct sd_finding *x = it->x;
	char id[32], title[200], t1[SD_ISO_LEN], t2[SD_ISO_LEN], line[300];
	size_t i;

	snprintf(id, sizeof(id), "f%zu", it->no);
	snprintf(title, sizeof(title), "f%zu · %s · %s", it->no, sev_upper(x->severity),
	    x->kind);
	o->heading(f, 3, id, title);
	o->para_begin(f);
	o->strong(f, T(x->summary != NULL ? x->summary : x->kind));
	o->para_end(f);
	iso(t1, sizeof(t1), x->first_sec, x->first_nsec);
	iso(t2, sizeof(t2), x->last_sec, x->last_nsec);
	snprintf(line, sizeof(line), "Severity %s, confidence %.2f; seen %" PRIu64 " time%s, "
	    "%s%s%s.", sev_upper(x->severity), x->confidence, x->count, x->count == 1 ? "" :
	    "s", t1, strcmp(t1, t2) != 0 ? " to " : "", strcmp(t1, t2) != 0 ? t2 : "");
	para(o, f, line);
	evidence(o, f, it, r);
	if (x->nvalues > 0) {
		o->table_begin(f, vh, 2);
		for (i = 0; i < x->nvalues; i++) {
			o->row_begin(f, -1);
			o->cell(f, T(x->values[i].name), RPT_CODE);
			o->cell(f, T(x->values[i].value), RPT_TEXT);
			o->row_end(f);
		}
		o->table_end(f);
	}
	if (x->explanation != NULL && x->explanation[0] != '\0') {
		o->para_begin(f);
		o->strong(f, T("Why:"));
		o->text(f, T(" "));
		o->text(f, T(x->explanation));
		o->para_end(f);
	}
	if (x->fix != NULL && x->fix[0] != '\0') {
		o->para_begin(f);
		o->strong(f, T("Fix:"));
		o->text(f, T(" "));
		o->text(f, T(x->fix));
		o->para_end(f);
	}
	filters(o, f, x, r);
	evidence_links(o, f, x, r);
	ladder(o, f, it);
}

static void
base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, k = 0;
	uint32_t v;

	for (i = 0; i + 2 < n + 2 && i < n && k + 5 <= cap; i += 3) {
		v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		out[k++] = a[v >> 18 & 63];
		out[k++] = a[v >> 12 & 63];
		out[k++] = i + 1 < n ? a[v >> 6 & 63] : '=';
		out[k++] = i + 2 < n ? a[v & 63] : '=';
	}
	out[k] = '\0';
}

/* A digest given in hex, as base64 (how some tools and pinning configurations show it). */
static void
hex_base64(const char *hex, char *out, size_t cap)
{
	uint8_t b[64];
	size_t n = 0;
	unsigned v;

	while (n < sizeof(b) && hex[2 * n] != '\0' && hex[2 * n + 1] != '\0' &&
	    sscanf(hex + 2 * n, "%2x", &v) == 1)
		b[n++] = (uint8_t)v;
	base64(b, n, out, cap);
}

static void
kv(const struct rpt_fmt *o, FILE *f, const char *k, const char *v, enum rpt_cell c)
{
	o->row_begin(f, -1);
	o->cell(f, T(k), RPT_TEXT);
	o->cell(f, v != NULL ? v : "-", v != NULL ? strlen(v) : 1, c);
	o->row_end(f);
}

/* Where the capture time falls in a certificate's validity. */
static void
validity(char *buf, size_t n, const struct sd_x509_info *c, int64_t when)
{
	char t[SD_ISO_LEN];

	iso(t, sizeof(t), when, 0);
	t[19] = '\0';
	if (c->not_before[0] == '\0' || c->not_after[0] == '\0')
		snprintf(buf, n, "%s → %s (capture %sZ: dates unreadable)", c->not_before,
		    c->not_after, t);
	else if (when < c->not_before_t)
		snprintf(buf, n, "▶ capture %sZ ◀ before %s → %s: NOT YET VALID", t,
		    c->not_before, c->not_after);
	else if (when > c->not_after_t)
		snprintf(buf, n, "%s → %s before ▶ capture %sZ ◀: EXPIRED", c->not_before,
		    c->not_after, t);
	else
		snprintf(buf, n, "%s → ▶ capture %sZ (day %" PRId64 " of %" PRId64 ") ◀ → %s: "
		    "valid", c->not_before, t, (when - c->not_before_t) / 86400,
		    (c->not_after_t - c->not_before_t) / 86400, c->not_after);
}

/* What the findings of this connection say about its chain. */
static void
verification(char *buf, size_t n, const struct item *v, size_t nv, const struct rpt_run *u,
    uint64_t flow_id)
{
	size_t i, k, used = 0;
	const char *why;

	buf[0] = '\0';
	for (i = 0; i < nv; i++) {
		const struct sd_finding *x = v[i].x;

		if (v[i].run != u || (strncmp(x->kind, "tls.chain", 9) != 0 &&
		    strncmp(x->kind, "tls.cert", 8) != 0 && strncmp(x->kind, "tls.name", 8) != 0))
			continue;
		for (k = 0; k < x->nflows && x->flows[k].id != flow_id; k++)
			;
		if (k == x->nflows)
			continue;
		why = NULL;
		for (k = 0; k < x->nvalues; k++)
			if (strcmp(x->values[k].name, "openssl") == 0 ||
			    strcmp(x->values[k].name, "reason") == 0)
				why = x->values[k].value;
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%sf%zu %s%s%s",
			    used ? "; " : "", v[i].no, x->kind, why ? ": " : "", why ? why : "");
	}
	if (buf[0] == '\0')
		snprintf(buf, n, "no certificate finding against this chain (it verified, or "
		    "the connection was not judged)");
}

static void
one_cert(const struct rpt_fmt *o, FILE *f, const struct rpt_chain *ch, size_t i,
    const char *verdict_text)
{
	static const char *const head[] = { "Certificate", "" };
	struct sd_x509_info c;
	char line[600], b64[128], *sans;
	size_t k, used = 0, cap = 16;

	(void)sd_x509_describe(ch->der[i], ch->len[i], &c);
	o->table_begin(f, head, 2);
	snprintf(line, sizeof(line), "%zu of %zu as sent%s%s", i + 1, ch->count,
	    i == 0 ? " (leaf)" : "", c.is_ca ? ", CA" : "");
	kv(o, f, "Position", line, RPT_TEXT);
	kv(o, f, "Subject", c.subject, RPT_TEXT);
	kv(o, f, "Issuer", c.issuer, RPT_TEXT);
	for (k = 0; k < c.san_dns.n; k++)
		cap += c.san_dns.v[k].len + 2;
	if ((sans = malloc(cap)) != NULL) {
		sans[0] = '\0';
		for (k = 0; k < c.san_dns.n; k++) {
			memcpy(sans + used, k ? ", " : "", k ? 2 : 0);
			used += k ? 2 : 0;
			memcpy(sans + used, c.san_dns.v[k].p, c.san_dns.v[k].len);
			used += c.san_dns.v[k].len;
		}
		sans[used] = '\0';
		/* a name may hold a NUL: the cell writes every byte, escaped */
		o->row_begin(f, -1);
		o->cell(f, T("SANs (DNS)"), RPT_TEXT);
		o->cell(f, sans, used, RPT_TEXT);
		o->row_end(f);
		free(sans);
	}
	validity(line, sizeof(line), &c, ch->sec);
	kv(o, f, "Validity", line, RPT_TEXT);
	if (o->validity != NULL && c.not_before[0] != '\0' && c.not_after[0] != '\0' &&
	    c.not_after_t > c.not_before_t)
		o->validity(f, c.not_before_t, c.not_after_t, ch->sec);
	snprintf(line, sizeof(line), "%s %d bits", c.key_type[0] ? c.key_type : "?", c.key_bits);
	kv(o, f, "Key", line, RPT_TEXT);
	kv(o, f, "Signature", c.sig_alg[0] ? c.sig_alg : "-", RPT_TEXT);
	kv(o, f, "Serial", c.serial, RPT_CODE);
	kv(o, f, "SHA-256", c.sha256, RPT_CODE);
	hex_base64(c.sha256, b64, sizeof(b64));
	kv(o, f, "SHA-256 (base64)", b64, RPT_CODE);
	kv(o, f, "SHA-1", c.sha1, RPT_CODE);
	hex_base64(c.sha1, b64, sizeof(b64));
	kv(o, f, "SHA-1 (base64)", b64, RPT_CODE);
	if (i == 0)
		kv(o, f, "Verification", verdict_text, RPT_TEXT);
	o->table_end(f);
	sd_x509_info_free(&c);
}

/* Chains shown at most: a capture of a thousand servers is not read as a report. */
#define RPT_MAX_CHAINS	256

/* Is this chain's leaf among those shown already? */
static bool
chain_shown(const struct rpt_chain *const *shown, size_t n, const struct rpt_chain *ch)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (shown[i]->len[0] == ch->len[0] &&
		    memcmp(shown[i]->der[0], ch->der[0], ch->len[0]) == 0)
			return true;
	return false;
}

static void
one_chain(const struct rpt_fmt *o, FILE *f, const struct rpt_chain *ch, const struct item *v,
    size_t nv, size_t i)
{
	char title[300], ea[80], ver[600], num[32];
	size_t k;

	snprintf(title, sizeof(title), "Chain sent by %s, frame %" PRIu64 " (finding f%zu)",
	    sd_out_endpoint(ea, sizeof(ea), &ch->server, ch->sport), sd_frame_no(ch->frame),
	    v[i].no);
	o->heading(f, 3, NULL, title);
	verification(ver, sizeof(ver), v, nv, v[i].run, ch->flow_id);
	for (k = 0; k < ch->n; k++)
		one_cert(o, f, ch, k, ver);
	if (ch->n < ch->count) {
		snprintf(num, sizeof(num), "%zu", ch->count - ch->n);
		o->para_begin(f);
		o->text(f, T(num));
		o->text(f, T(" more certificates sent, not kept."));
		o->para_end(f);
	}
}

/* Every chain sent on a connection some finding is about, once per distinct leaf. */
static void
certificates(const struct rpt_fmt *o, FILE *f, const struct item *v, size_t nv)
{
	const struct rpt_chain *shown[RPT_MAX_CHAINS];
	const struct rpt_chain *const *fc;
	size_t i, j, k, n, nshown = 0, more = 0;

	o->heading(f, 2, "certificates", "Certificates");
	for (i = 0; i < nv; i++)
		for (k = 0; k < v[i].x->nflows; k++) {
			fc = flow_chains(v[i].run, v[i].x->flows[k].id, &n);
			for (j = 0; fc != NULL && j < n; j++) {
				if (chain_shown(shown, nshown, fc[j]))
					continue;
				if (nshown == RPT_MAX_CHAINS) {
					more++;
					continue;
				}
				shown[nshown++] = fc[j];
				one_chain(o, f, fc[j], v, nv, i);
			}
		}
	if (nshown == 0)
		para(o, f, "No finding is about a connection that sent certificates in clear.");
	if (more > 0)
		para(o, f, "More chains are not shown.");
}

/* Every TLS/DTLS connection and IKE SA. */
static void
connections(const struct rpt_fmt *o, FILE *f, const struct sd_report *r)
{
	static const char *const head[] = { "Frame", "Client", "Server", "SNI", "Protocol",
		"Suite", "Outcome" };
	char ea[80], num[32];
	size_t i, j, n = 0;

	o->heading(f, 2, "connections", "TLS/DTLS connections and IKE SAs");
	for (i = 0; i < r->nruns; i++)
		n += r->runs[i].nconns;
	if (n == 0) {
		para(o, f, "None seen.");
		return;
	}
	o->table_begin(f, head, 7);
	for (i = 0; i < r->nruns; i++)
		for (j = 0; j < r->runs[i].nconns; j++) {
			const struct rpt_conn *c = &r->runs[i].conns[j];
			bool bad = strncmp(c->outcome, "failed", 6) == 0 ||
			    strncmp(c->outcome, "not", 3) == 0 || strncmp(c->outcome, "no ", 3) == 0;

			o->row_begin(f, bad ? (int)SD_SEV_HIGH : -1);
			snprintf(num, sizeof(num), "%" PRIu64, sd_frame_no(c->frame));
			o->cell(f, T(num), RPT_TEXT);
			o->cell(f, T(sd_out_endpoint(ea, sizeof(ea), &c->client, c->cport)), RPT_TEXT);
			o->cell(f, T(sd_out_endpoint(ea, sizeof(ea), &c->server, c->sport)), RPT_TEXT);
			if (c->sni != NULL)
				o->cell(f, c->sni, c->sni_len, RPT_TEXT);
			else
				o->cell(f, T("-"), RPT_TEXT);
			o->cell(f, T(c->version[0] ? c->version : (c->dtls ? "DTLS, no ServerHello" :
			    "TLS, no ServerHello")), RPT_TEXT);
			o->cell(f, T(c->suite[0] ? c->suite : "-"), RPT_TEXT);
			o->cell(f, T(c->outcome), RPT_TEXT);
			o->row_end(f);
		}
	o->table_end(f);
}

struct peer {
	struct sd_addr	 a;
	unsigned	 client, server;	/* as client / server (initiator / responder) */
};

static void
peer_add(struct peer *v, size_t *n, size_t cap, const struct sd_addr *a, bool server)
{
	size_t i;

	for (i = 0; i < *n && sd_ip_addr_cmp(&v[i].a, a) != 0; i++)
		;
	if (i == *n) {
		if (*n == cap)
			return;
		memset(&v[i], 0, sizeof(v[i]));
		v[i].a = *a;
		(*n)++;
	}
	if (server)
		v[i].server++;
	else
		v[i].client++;
}

/* The addresses of the connections and findings, with AS and country when known. */
static void
peers(const struct rpt_fmt *o, FILE *f, const struct sd_report *r, const struct item *v,
    size_t nv)
{
	static const char *const head[] = { "Address", "Role", "AS", "Organisation",
		"Country", "City" };
	struct sd_geoip *g = sd_out_geoip();
	size_t i, j, n = 0, cap = 4096;
	struct peer *p = calloc(cap, sizeof(*p));
	char a[SD_ADDR_STRLEN], buf[64];
	struct sd_geo geo;

	o->heading(f, 2, "peers", "Peers");
	if (p == NULL)
		return;
	for (i = 0; i < nv; i++)
		for (j = 0; j < v[i].x->nflows; j++) {
			peer_add(p, &n, cap, &v[i].x->flows[j].client, false);
			peer_add(p, &n, cap, &v[i].x->flows[j].server, true);
		}
	for (i = 0; i < r->nruns; i++)
		for (j = 0; j < r->runs[i].nconns; j++) {
			peer_add(p, &n, cap, &r->runs[i].conns[j].client, false);
			peer_add(p, &n, cap, &r->runs[i].conns[j].server, true);
		}
	if (g == NULL)
		para(o, f, "No GeoIP database (--geoip FILE, or geoipupdate's standard places): "
		    "AS and country unknown.");
	if (n == 0) {
		para(o, f, "None.");
		free(p);
		return;
	}
	o->table_begin(f, head, 6);
	for (i = 0; i < n; i++) {
		bool known = g != NULL && sd_geoip_lookup(g, &p[i].a, &geo);

		o->row_begin(f, -1);
		o->cell(f, T(sd_ip_addr_str(&p[i].a, a)), RPT_TEXT);
		snprintf(buf, sizeof(buf), "%s%s%s", p[i].client ? "client" : "",
		    p[i].client && p[i].server ? ", " : "", p[i].server ? "server" : "");
		o->cell(f, T(buf), RPT_TEXT);
		if (known && geo.have_as)
			snprintf(buf, sizeof(buf), "AS%u", geo.asn);
		else
			snprintf(buf, sizeof(buf), "-");
		o->cell(f, T(buf), RPT_TEXT);
		/* database text: escaped like packet text */
		o->cell(f, T(known && geo.have_as && geo.as_org[0] ? geo.as_org : "-"), RPT_TEXT);
		o->cell(f, T(known && geo.have_country ? geo.country : "-"), RPT_TEXT);
		o->cell(f, T(known && geo.city[0] ? geo.city : "-"), RPT_TEXT);
		o->row_end(f);
	}
	o->table_end(f);
	if (n == cap)
		para(o, f, "More peers not listed.");
	free(p);
}

/* A word of the command line as a POSIX shell reads it back ('...' when needed). */
static void
shell_word(char *buf, size_t n, const char *w)
{
	size_t used = 0;
	const char *p;

	if (w[0] != '\0' && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_./=:,+@%") == strlen(w)) {
		snprintf(buf, n, "%s", w);
		return;
	}
	for (p = w, used = (size_t)snprintf(buf, n, "'"); *p != '\0' && used + 6 < n; p++)
		used += (size_t)snprintf(buf + used, n - used, *p == '\'' ? "'\\''" : "%c", *p);
	snprintf(buf + used, n > used ? n - used : 0, "'");
}

static void
about(const struct rpt_fmt *o, FILE *f, const struct sd_report *r)
{
	char *cmd, w[1024];
	size_t len = 0, cap = 1;
	int i;

	o->heading(f, 2, "about", "How this report was made");
	o->para_begin(f);
	o->text(f, T("shakedown "));
	o->text(f, T(r->version));
	o->text(f, T(", reproduced by this command line:"));
	o->para_end(f);
	for (i = 0; i < r->argc; i++)
		cap += strlen(r->argv[i]) * 4 + 3;
	if ((cmd = malloc(cap)) == NULL)
		return;
	cmd[0] = '\0';
	for (i = 0; i < r->argc && len < cap; i++) {
		shell_word(w, sizeof(w), r->argv[i]);
		len += (size_t)snprintf(cmd + len, cap - len, "%s%s", i ? " " : "", w);
	}
	o->para_begin(f);
	o->code(f, cmd);	/* its bytes are escaped by the format like any text */
	o->para_end(f);
	free(cmd);
}

void
sd_report_content(const struct sd_report *r, const struct rpt_fmt *o, FILE *f)
{
	struct item *v;
	size_t n = 0, i;

	v = all_findings(r, &n);
	o->begin(f, "shakedown report");
	verdict(o, f, v, v != NULL ? n : 0);
	capture(o, f, r);
	o->heading(f, 2, "findings", "Findings");
	if (v == NULL || n == 0)
		para(o, f, "No findings.");
	for (i = 0; v != NULL && i < n; i++)
		finding(o, f, &v[i], r);
	certificates(o, f, v, v != NULL ? n : 0);
	connections(o, f, r);
	peers(o, f, r, v, v != NULL ? n : 0);
	about(o, f, r);
	o->end(f);
	free(v);
}
