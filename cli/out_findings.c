/* cli/out_findings.c - findings for people (terminal) and for machines (JSON Lines). */
#include "cli/out.h"

#include "adapt/geoip.h"
#include "cli/report_esc.h"
#include "dissect/ip.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Findings of one kind printed in full before the rest go one per line. */
#define SD_TEXT_FULL_PER_KIND	3
#define SD_TEXT_MIN_WIDTH	40
#define SD_TEXT_MAX_WIDTH	400
#define SD_TEXT_INDENT		2

int
sd_out_text_width(FILE *f)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long v;

	if (c != NULL && *c != '\0') {
		v = strtol(c, &end, 10);
		if (*end == '\0' && v >= SD_TEXT_MIN_WIDTH)
			return v > SD_TEXT_MAX_WIDTH ? SD_TEXT_MAX_WIDTH : (int)v;
	}
	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= SD_TEXT_MIN_WIDTH)
		return ws.ws_col > SD_TEXT_MAX_WIDTH ? SD_TEXT_MAX_WIDTH : ws.ws_col;
	return 80;
}

/* Columns on the terminal of s[0..n) as put_safe_n() writes it. */
static size_t
safe_width(const char *s, size_t n)
{
	size_t i = 0, w = 0, cols;

	while (i < n) {
		i += sd_out_esc_ctl_next(s + i, n - i, &cols);
		w += cols;
	}
	return w;
}

/* Control bytes (C0, DEL, C1: 0x9b is the 8-bit CSI), bytes not part of valid UTF-8 and
 * invisible format characters as \xNN or \u{NNNN}; the rest as it is. */
static void
put_safe_n(FILE *f, const char *s, size_t n)
{
	sd_out_esc_ctl(f, s, n);
}

/* Print a string that may come from a packet: control bytes shown as \xNN. */
static void
put_safe(FILE *f, const char *s)
{
	put_safe_n(f, s, strlen(s));
}

/*
 * Print text from column `col` (where the caller's label left the cursor), wrapped at
 * spaces to `width` with continuation lines indented to `indent`; control bytes escaped.
 * A word longer than a line (a hash, a URL) is not cut.  Ends the line.
 */
static void
put_wrapped(FILE *f, const char *s, size_t col, size_t indent, size_t width)
{
	const char *p = s;
	bool line_empty = true;

	while (*p != '\0') {
		const char *w = p;
		size_t wl = 0, n = 0;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (p[n] != '\0' && p[n] != ' ')
			n++;
		wl = safe_width(p, n);
		if (!line_empty && col + 1 + wl > width) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			fputc(' ', f);
			col++;
		}
		put_safe_n(f, w, n);
		col += wl;
		line_empty = false;
		p = w + n;
	}
	fputc('\n', f);
}

static const char *
sev_color(enum sd_sev s)
{
	switch (s) {
	case SD_SEV_CRITICAL:
		return "\033[1;35m";
	case SD_SEV_HIGH:
		return "\033[1;31m";
	case SD_SEV_MEDIUM:
		return "\033[1;33m";
	case SD_SEV_LOW:
		return "\033[1;36m";
	case SD_SEV_INFO:
		return "\033[1;34m";
	}
	return "";
}

static void
upper(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
	dst[i] = '\0';
}

/* How the text names the protocol a flow's TLS rode in (sd_finding_flow.app). */
static const char *
app_title(const char *app)
{
	return strcmp(app, "openvpn") == 0 ? "the OpenVPN control channel" : app;
}

/* " (client SGT 17, server SGT 4)": the TrustSec groups of the sides that carried one. */
static const char *
sgt_text(const struct sd_flow_tags *t, char *buf, size_t n)
{
	bool c = (t->sgt_seen & (1u << SD_ROLE_CLIENT)) != 0;
	bool s = (t->sgt_seen & (1u << SD_ROLE_SERVER)) != 0;

	if (c && s)
		snprintf(buf, n, " (client SGT %u, server SGT %u)", t->sgt[SD_ROLE_CLIENT],
		    t->sgt[SD_ROLE_SERVER]);
	else if (c || s)
		snprintf(buf, n, " (%s SGT %u)", c ? "client" : "server",
		    t->sgt[c ? SD_ROLE_CLIENT : SD_ROLE_SERVER]);
	else
		buf[0] = '\0';
	return buf;
}

/* "addr:port", "[v6]:port", or the address alone (no port known, or none: ESP). */
static char *
endpoint(char *buf, size_t n, const struct sd_addr *a, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	sd_ip_addr_str(a, s);
	if (port == 0)
		snprintf(buf, n, "%s", s);
	else
		snprintf(buf, n, a->v == 6 ? "[%s]:%u" : "%s:%u", s, port);
	return buf;
}

static const char *
file_name(const char *const *files, int nfiles, uint32_t i)
{
	return files != NULL && i < (uint32_t)nfiles ? files[i] : "-";
}

/* Add v to the ascending set out[0..*k) (at most cap entries); a value already there is not. */
static void
set_add(uint64_t *out, size_t *k, size_t cap, uint64_t v)
{
	size_t j;

	for (j = 0; j < *k && out[j] != v; j++)
		;
	if (j < *k || *k == cap)
		return;
	for (j = *k; j > 0 && out[j - 1] > v; j--)
		out[j] = out[j - 1];
	out[j] = v;
	(*k)++;
}

/* The files a finding's evidence frames are in (ascending index, at most n). */
static size_t
evidence_files(const struct sd_finding *x, uint32_t *out, size_t n)
{
	uint64_t set[SD_FINDING_MAX_FRAMES];
	size_t i, k = 0;

	for (i = 0; i < x->nframes; i++)
		set_add(set, &k, n < SD_FINDING_MAX_FRAMES ? n : SD_FINDING_MAX_FRAMES,
		    sd_frame_file(x->frames[i]));
	for (i = 0; i < k; i++)
		out[i] = (uint32_t)set[i];
	return k;
}

/* The frame numbers of a finding's evidence in one file, ascending; returns how many. */
static size_t
frames_in(const struct sd_finding *x, uint32_t file, uint64_t *out)
{
	size_t i, k = 0;

	for (i = 0; i < x->nframes; i++)
		if (sd_frame_file(x->frames[i]) == file)
			set_add(out, &k, SD_FINDING_MAX_FRAMES, sd_frame_no(x->frames[i]));
	return k;
}

/* The Wireshark display filter selecting a finding's evidence frames in one file. */
static void
file_filter(const struct sd_finding *x, uint32_t file, char *buf, size_t n)
{
	uint64_t fr[SD_FINDING_MAX_FRAMES];
	size_t k = frames_in(x, file, fr);

	sd_frames_filter(fr, k, buf, n);
}

/* The column where values start: the longest label of this finding, and a space. */
static size_t
label_width(const struct sd_finding *x)
{
	size_t i, w = strlen("confidence:");

	for (i = 0; i < x->nvalues; i++)
		if (strlen(x->values[i].name) + 1 > w)
			w = strlen(x->values[i].name) + 1;
	return w > 28 ? 28 : w;
}

/* "  label:   " padded to the value column; returns that column. */
static size_t
put_label(FILE *f, const char *label, size_t lw)
{
	int n = fprintf(f, "%*s%s:", SD_TEXT_INDENT, "", label);

	if (n < 0)
		n = 0;
	if ((size_t)n < SD_TEXT_INDENT + lw + 1)
		fprintf(f, "%*s", (int)(SD_TEXT_INDENT + lw + 1 - (size_t)n), "");
	else {
		fputc(' ', f);
		return (size_t)n + 1;
	}
	return SD_TEXT_INDENT + lw + 1;
}

static void
text_one(FILE *f, const struct sd_finding *x, bool color, const struct sd_out_summary *sum,
    size_t width, bool first_of_kind)
{
	char sev[16], filt[SD_FRAMES_FILTER_LEN(SD_FINDING_MAX_FRAMES)];
	char a[SD_ADDR_STRLEN], b[SD_ADDR_STRLEN], line[1400];
	char t1[SD_ISO_LEN], t2[SD_ISO_LEN];
	uint32_t fl[SD_FINDING_MAX_FRAMES];
	size_t i, lw = label_width(x), col, nf, k;
	bool several = sum->ninputs > 1 || sum->nfiles > 1;

	upper(sev, sd_finding_sev_name(x->severity), sizeof(sev));
	fprintf(f, "%s%-8s%s %s\n", color ? sev_color(x->severity) : "", sev,
	    color ? "\033[0m" : "", x->kind);
	fprintf(f, "%*s", SD_TEXT_INDENT, "");
	put_wrapped(f, x->summary != NULL ? x->summary : x->kind, SD_TEXT_INDENT,
	    SD_TEXT_INDENT + 2, width);
	for (i = 0; i < x->nvalues; i++) {
		col = put_label(f, x->values[i].name, lw);
		put_wrapped(f, x->values[i].value, col, col, width);
	}
	sd_out_iso_time(t1, sizeof(t1), x->first_sec, x->first_nsec);
	sd_out_iso_time(t2, sizeof(t2), x->last_sec, x->last_nsec);
	col = put_label(f, "seen", lw);
	if (x->count > 1 || x->first_sec != x->last_sec || x->first_nsec != x->last_nsec)
		snprintf(line, sizeof(line), "%s to %s (%llu time%s)", t1, t2,
		    (unsigned long long)x->count, x->count == 1 ? "" : "s");
	else
		snprintf(line, sizeof(line), "%s", t1);
	put_wrapped(f, line, col, col, width);
	if (x->confidence < 0.995) {
		col = put_label(f, "confidence", lw);
		fprintf(f, "%.2f\n", x->confidence);
	}
	nf = evidence_files(x, fl, SD_FINDING_MAX_FRAMES);
	if (x->nframes > 0) {
		col = put_label(f, x->nframes > 1 ? "frames" : "frame", lw);
		for (k = 0; k < nf; k++) {
			uint64_t fr[SD_FINDING_MAX_FRAMES];
			size_t m = frames_in(x, fl[k], fr), used = 0;

			line[0] = '\0';
			for (i = 0; i < m && used + 32 < sizeof(line); i++)
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%llu",
				    i ? ", " : "", (unsigned long long)fr[i]);
			if (several && used + 8 < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, " in %s",
				    file_name(sum->files, sum->nfiles, fl[k]));
			if (k + 1 == nf && x->nframes_total > x->nframes && used + 32 < sizeof(line))
				snprintf(line + used, sizeof(line) - used, " (+%llu more)",
				    (unsigned long long)(x->nframes_total - x->nframes));
			if (k > 0)	/* a line per file, in the value column */
				fprintf(f, "%*s", (int)col, "");
			put_wrapped(f, line, col, col, width);
		}
	} else if (several) {
		col = put_label(f, "file", lw);
		put_wrapped(f, file_name(sum->files, sum->nfiles, x->file_index), col, col,
		    width);
	}
	for (i = 0; i < x->nflows && i < 3; i++) {
		const struct sd_finding_flow *fw = &x->flows[i];
		char lab[32], ea[SD_ADDR_STRLEN + 8], eb[SD_ADDR_STRLEN + 8];
		char ga[300], gb[300], sg[48];

		/* the peers' AS and country, when a GeoIP database knows them */
		sd_out_geo_text(&fw->client, ga, sizeof(ga));
		sd_out_geo_text(&fw->server, gb, sizeof(gb));
		if (fw->id == 0) {
			/* a gateway pair, not a flow of the table */
			col = put_label(f, "gateways", lw);
			snprintf(line, sizeof(line), "%s %s%s -> %s%s", sd_ip_proto_name(fw->proto),
			    endpoint(ea, sizeof(ea), &fw->client, fw->cport), ga,
			    endpoint(eb, sizeof(eb), &fw->server, fw->sport), gb);
		} else {
			snprintf(lab, sizeof(lab), "flow %llu", (unsigned long long)fw->id);
			col = put_label(f, lab, lw);
			snprintf(line, sizeof(line), "%s %s:%u%s -> %s:%u%s%s%s%s",
			    sd_ip_proto_name(fw->proto), sd_ip_addr_str(&fw->client, a), fw->cport,
			    ga, sd_ip_addr_str(&fw->server, b), fw->sport, gb,
			    sgt_text(&fw->tags, sg, sizeof(sg)),
			    fw->app != NULL ? ", TLS inside " : "",
			    fw->app != NULL ? app_title(fw->app) : "");
		}
		put_wrapped(f, line, col, col, width);
	}
	if (x->nflows_total > 3)
		fprintf(f, "%*s(%llu flows in all)\n", SD_TEXT_INDENT, "",
		    (unsigned long long)x->nflows_total);
	for (k = 0; k < nf; k++) {
		file_filter(x, fl[k], filt, sizeof(filt));
		if (filt[0] == '\0')
			continue;
		if (nf > 1) {
			char lab[64];

			snprintf(lab, sizeof(lab), "wireshark (%s)",
			    file_name(sum->files, sum->nfiles, fl[k]));
			col = put_label(f, lab, lw);
		} else {
			col = put_label(f, "wireshark", lw);
		}
		put_safe(f, filt);	/* one line: a filter is copied, never wrapped */
		fputc('\n', f);
	}
	if (x->evidence != NULL && x->evidence->file != NULL) {
		col = put_label(f, "evidence", lw);
		put_safe(f, x->evidence->file);	/* one line: a path is copied, never wrapped */
		if (x->evidence->partial)
			fputs(" (partial)", f);
		fputc('\n', f);
	}
	if (first_of_kind) {
		if (x->explanation != NULL && x->explanation[0] != '\0') {
			col = put_label(f, "why", lw);
			put_wrapped(f, x->explanation, col, col, width);
		}
		if (x->fix != NULL && x->fix[0] != '\0') {
			col = put_label(f, "fix", lw);
			put_wrapped(f, x->fix, col, col, width);
		}
	}
	fputc('\n', f);
}

/* The time span of the inputs' frames; false when none has a frame. */
static bool
inputs_span(const struct sd_out_summary *sum, int64_t *s0, uint32_t *n0, int64_t *s1,
    uint32_t *n1)
{
	bool any = false;
	int k;

	for (k = 0; k < sum->ninputs; k++) {
		const struct sd_out_input *in = &sum->inputs[k];

		if (in->frames == 0)
			continue;
		if (!any || in->first_sec < *s0 || (in->first_sec == *s0 && in->first_nsec < *n0)) {
			*s0 = in->first_sec;
			*n0 = in->first_nsec;
		}
		if (!any || in->last_sec > *s1 || (in->last_sec == *s1 && in->last_nsec > *n1)) {
			*s1 = in->last_sec;
			*n1 = in->last_nsec;
		}
		any = true;
	}
	return any;
}

static void
text_header(FILE *f, const struct sd_out_summary *sum)
{
	char t1[SD_ISO_LEN], t2[SD_ISO_LEN];
	int64_t s0 = 0, s1 = 0;
	uint32_t n0 = 0, n1 = 0;
	bool any;
	int k;

	for (k = 0; k < sum->ninputs; k++) {
		const struct sd_out_input *in = &sum->inputs[k];

		fprintf(f, "%s", k ? ", " : "");
		put_safe(f, in->name);
	}
	any = inputs_span(sum, &s0, &n0, &s1, &n1);
	fprintf(f, "%s: %llu frame%s, %llu flow%s\n", sum->ninputs > 1 ? " (merged)" : "",
	    (unsigned long long)sum->frames, sum->frames == 1 ? "" : "s",
	    (unsigned long long)sum->flows, sum->flows == 1 ? "" : "s");
	if (any) {
		sd_out_iso_time(t1, sizeof(t1), s0, 0);
		sd_out_iso_time(t2, sizeof(t2), s1, 0);
		/* whole seconds: a span, not evidence */
		t1[19] = '\0';
		t2[19] = '\0';
		fprintf(f, "Time: %sZ to %sZ (%.1f s)\n", t1, t2,
		    (double)(s1 - s0) + ((double)n1 - (double)n0) / 1e9);
	}
	if (sum->clock[0] != '\0') {
		fputs("Clock: ", f);
		put_safe(f, sum->clock);
		fputc('\n', f);
	}
	if (sum->flows_evicted + sum->memcap_refused + sum->rule_flows_refused +
	    sum->rule_evicted + sum->rule_refused > 0)
		fprintf(f, "Incomplete analysis: %llu flows evicted (--max-flows, --memcap), %llu "
		    "memory cap refusals, %llu connections not analysed, %llu summaries evicted, "
		    "%llu not kept (--memcap); findings may be missing\n",
		    (unsigned long long)sum->flows_evicted, (unsigned long long)sum->memcap_refused,
		    (unsigned long long)sum->rule_flows_refused,
		    (unsigned long long)sum->rule_evicted, (unsigned long long)sum->rule_refused);
	if (sum->alloc_failures + sum->json_dropped > 0)
		fprintf(f, "Incomplete analysis: %llu memory allocations failed, %llu JSON lines "
		    "dropped; findings may be missing\n", (unsigned long long)sum->alloc_failures,
		    (unsigned long long)sum->json_dropped);
	fputc('\n', f);
}

static const char *
value_of(const struct sd_finding *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nvalues; i++)
		if (strcmp(x->values[i].name, name) == 0)
			return x->values[i].value;
	return NULL;
}

/* A finding in one line: its summary alone when it names the subject already, else the
 * subject, then the summary. */
static void
headline(const struct sd_finding *x, const char *subj, char *line, size_t n)
{
	char kb[SD_ADDR_STRLEN];
	const char *key = value_of(x, "server");

	if (key == NULL && x->nflows > 0)
		key = sd_ip_addr_str(&x->flows[0].server, kb);
	if (x->summary != NULL && (subj[0] == '\0' ||
	    (key != NULL && strstr(x->summary, key) != NULL)))
		snprintf(line, n, "%s", x->summary);
	else
		snprintf(line, n, "%s - %s", subj, x->summary != NULL ? x->summary : x->kind);
}

/* " [frames 6, 8, 10, ...]": the first three evidence frames, "" when none. */
static void
frames_suffix(const struct sd_finding *x, char *suffix, size_t n)
{
	size_t used = 0, j;

	suffix[0] = '\0';
	for (j = 0; j < x->nframes && j < 3 && used + 24 < n; j++)
		used += (size_t)snprintf(suffix + used, n - used, "%s%llu", j ? ", " :
		    (x->nframes > 1 ? " [frames " : " [frame "),
		    (unsigned long long)sd_frame_no(x->frames[j]));
	if (used > 0)
		snprintf(suffix + used, n - used, "%s]", x->nframes > 3 ? ", ..." : "");
}

/*
 * What a finding is about, for the verdict: the server name and its address and port, or
 * the two gateways of an IPsec finding, or the server address alone.
 */
static void
subject_of(const struct sd_finding *x, char *buf, size_t n)
{
	const char *name = value_of(x, "server");
	char a[SD_ADDR_STRLEN], b[SD_ADDR_STRLEN];

	if (name == NULL)
		name = value_of(x, "sni");
	if (x->nflows == 0) {
		snprintf(buf, n, "%s", name != NULL ? name : "");
		return;
	}
	sd_ip_addr_str(&x->flows[0].server, b);
	if (strncmp(x->kind, "ike.", 4) == 0 || strncmp(x->kind, "ipsec.", 6) == 0 ||
	    strncmp(x->kind, "esp.", 4) == 0) {
		snprintf(buf, n, "%s <-> %s", sd_ip_addr_str(&x->flows[0].client, a), b);
		return;
	}
	if (name != NULL && strcmp(name, b) != 0 && strchr(name, ':') == NULL)
		snprintf(buf, n, "%s (%s:%u)", name, b, x->flows[0].sport);
	else
		snprintf(buf, n, "%s:%u", b, x->flows[0].sport);
}

/* Print at most `room` columns of s (escaped), with "..." when cut. */
/* The bytes of the longest prefix of s[0..len) (whole characters) that fits in room
 * columns as put_safe_n() writes it; *chars counts its characters. */
static size_t
fit(const char *s, size_t len, size_t room, size_t *chars)
{
	size_t used = 0, n = 0, k, cols;

	*chars = 0;
	while (n < len) {
		k = sd_out_esc_ctl_next(s + n, len - n, &cols);
		if (used + cols > room)
			break;
		used += cols;
		n += k;
		(*chars)++;
	}
	return n;
}

static void
put_cut(FILE *f, const char *s, size_t room)
{
	size_t len = strlen(s), chars, n = fit(s, len, room, &chars);

	if (n < len && chars > 3) {
		put_safe_n(f, s, fit(s, len, room > 3 ? room - 3 : 0, &chars));
		fputs("...", f);
	} else {
		put_safe_n(f, s, n);
	}
}

/*
 * The first screen: one line per failing server or tunnel (findings of medium severity or
 * more, one line for each subject: its most severe finding), most severe first.
 */
static void
text_verdict(FILE *f, const struct sd_findings *l, size_t width, bool color)
{
	char subj[256], line[600], sev[16], seen[64][256], suffix[96];
	size_t i, j, nseen = 0, shown = 0, room;

	for (i = 0; i < l->n; i++) {
		const struct sd_finding *x = l->v[i];

		if (x->severity < SD_SEV_MEDIUM)
			continue;
		subject_of(x, subj, sizeof(subj));
		for (j = 0; j < nseen && strcmp(seen[j], subj) != 0; j++)
			;
		if (j < nseen)
			continue;
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", subj);
		if (shown == 0)
			fprintf(f, "Verdict:\n");
		if (++shown > 20) {
			fprintf(f, "  ... and more below\n");
			break;
		}
		upper(sev, sd_finding_sev_name(x->severity), sizeof(sev));
		fprintf(f, "  %s%-8s%s ", color ? sev_color(x->severity) : "", sev,
		    color ? "\033[0m" : "");
		headline(x, subj, line, sizeof(line));
		/* the frames to open first, always shown: the text before them is cut */
		frames_suffix(x, suffix, sizeof(suffix));
		room = width > 11 + strlen(suffix) + 20 ? width - 11 - strlen(suffix) : 20;
		put_cut(f, line, room);
		fputs(suffix, f);
		fputc('\n', f);
	}
	if (shown > 0)
		fputc('\n', f);
}

void
sd_out_finding_line(FILE *f, const struct sd_finding *x, bool update, bool color, int width)
{
	char sev[16], subj[300], line[1400], head[64], suffix[96], t[SD_ISO_LEN];
	size_t room;

	sd_out_iso_time(t, sizeof(t), update ? x->last_sec : x->first_sec, 0);
	upper(sev, sd_finding_sev_name(x->severity), sizeof(sev));
	subject_of(x, subj, sizeof(subj));
	headline(x, subj, line, sizeof(line));
	suffix[0] = '\0';
	if (update) {
		snprintf(suffix, sizeof(suffix), " [%llu times]", (unsigned long long)x->count);
	} else {
		frames_suffix(x, suffix, sizeof(suffix));
	}
	/* 2026-12-06T03:51:46 HIGH     tls.chain_untrusted: ... */
	snprintf(head, sizeof(head), "%.19s %s", t, update ? "update " : "");
	fputs(head, f);
	fprintf(f, "%s%-8s%s ", color ? sev_color(x->severity) : "", sev,
	    color ? "\033[0m" : "");
	put_safe(f, x->kind);
	fputs(": ", f);
	room = (size_t)width > strlen(head) + 9 + strlen(x->kind) + 2 + strlen(suffix) + 20 ?
	    (size_t)width - strlen(head) - 9 - strlen(x->kind) - 2 - strlen(suffix) : 20;
	put_cut(f, line, room);
	fputs(suffix, f);
	fputc('\n', f);
}

/*
 * Per finding i: how many findings before it are of its kind (before[i]) and how many of
 * its kind there are (total[i]).  One pass over the distinct kinds seen so far, not over
 * every earlier finding: a busy capture has thousands of findings and a few dozen kinds.
 * False when memory is refused: kind_count() then counts directly.
 */
static bool
kind_counts(const struct sd_findings *l, size_t *before, size_t *total)
{
	size_t *first, *cnt, nk = 0, i, k;
	bool ok;

	first = malloc((l->n + 1) * sizeof(*first));
	cnt = calloc(l->n + 1, sizeof(*cnt));
	ok = before != NULL && total != NULL && first != NULL && cnt != NULL;
	for (i = 0; ok && i < l->n; i++) {
		/* first[k]: the first finding of the k-th kind, cnt[k] how many so far */
		for (k = 0; k < nk && strcmp(l->v[first[k]]->kind, l->v[i]->kind) != 0; k++)
			;
		if (k == nk)
			first[nk++] = i;
		before[i] = cnt[k]++;
		total[i] = k;
	}
	for (i = 0; ok && i < l->n; i++)
		total[i] = cnt[total[i]];
	free(first);
	free(cnt);
	return ok;
}

/* Findings before `upto` of finding i's kind: cached[i] when counted already. */
static size_t
kind_count(const struct sd_findings *l, size_t i, const size_t *cached, size_t upto)
{
	size_t j, n = 0;

	if (cached != NULL)
		return cached[i];
	for (j = 0; j < upto; j++)
		if (strcmp(l->v[j]->kind, l->v[i]->kind) == 0)
			n++;
	return n;
}

void
sd_out_findings_text(FILE *f, const struct sd_findings *l, const struct sd_out_summary *sum,
    bool color)
{
	size_t i, counts[5] = { 0 }, width = (size_t)sd_out_text_width(f);
	size_t *before, *total;
	int k;

	text_header(f, sum);
	text_verdict(f, l, width, color);
	before = calloc(l->n + 1, sizeof(*before));
	total = calloc(l->n + 1, sizeof(*total));
	if (!kind_counts(l, before, total)) {
		free(before);
		free(total);
		before = total = NULL;
	}
	for (i = 0; i < l->n; i++) {
		size_t same;

		counts[l->v[i]->severity]++;
		if (l->v[i]->severity == SD_SEV_INFO && !sum->verbose) {
			/* observations, not faults: one line per kind (-v has them in full) */
			if (kind_count(l, i, before, i) > 0)
				continue;
			same = kind_count(l, i, total, l->n);
			fprintf(f, "%s%-8s%s %s: ", color ? sev_color(SD_SEV_INFO) : "", "INFO",
			    color ? "\033[0m" : "", l->v[i]->kind);
			if (same > 1)
				fprintf(f, "%zu findings, first: ", same);
			put_wrapped(f, l->v[i]->summary != NULL ? l->v[i]->summary : "",
			    9 + strlen(l->v[i]->kind) + 2, 11, width);
			fputc('\n', f);
			continue;
		}
		/*
		 * One screen, not a thousand: the first findings of a kind in full, the
		 * rest of that kind as one line each (--json has them all in full).
		 */
		same = kind_count(l, i, before, i);
		if (same < SD_TEXT_FULL_PER_KIND) {
			text_one(f, l->v[i], color, sum, width, same == 0);
		} else {
			fprintf(f, "  + %s: ", l->v[i]->kind);
			put_wrapped(f, l->v[i]->summary != NULL ? l->v[i]->summary : "",
			    4 + strlen(l->v[i]->kind) + 2, 6, width);
			if (i + 1 == l->n || strcmp(l->v[i + 1]->kind, l->v[i]->kind) != 0)
				fputc('\n', f);
		}
	}
	free(before);
	free(total);
	if (l->n == 0)
		fprintf(f, "No findings: nothing in this capture explains a failure.\n");
	else if (counts[SD_SEV_INFO] > 0 && !sum->verbose)
		fprintf(f, "(informational findings: one line per kind; -v shows them in full)\n");
	else
		fprintf(f, "%zu finding%s: %zu critical, %zu high, %zu medium, %zu low, %zu info\n",
		    l->n, l->n == 1 ? "" : "s", counts[SD_SEV_CRITICAL], counts[SD_SEV_HIGH],
		    counts[SD_SEV_MEDIUM], counts[SD_SEV_LOW], counts[SD_SEV_INFO]);
	if (sum->findings_dropped > 0)
		fprintf(f, "(%llu further findings dropped at the cap)\n",
		    (unsigned long long)sum->findings_dropped);
	for (k = 0; k < sum->ninputs; k++) {
		const struct sd_out_input *in = &sum->inputs[k];

		if (in->error == NULL || in->error_said)
			continue;
		/* the error is said here, once (not on stderr) */
		fprintf(f, "Input error: ");
		put_safe(f, in->error);
		fprintf(f, " (the results above cover the %llu frame%s read before it)\n",
		    (unsigned long long)in->frames, in->frames == 1 ? "" : "s");
	}
}

static char observer[256];
static struct sd_geoip *geoip;

void
sd_out_set_geoip(struct sd_geoip *g)
{
	geoip = g;
}

struct sd_geoip *
sd_out_geoip(void)
{
	return geoip;
}

static void
geo_key_str(struct sd_json *j, const char *side, const char *suffix, const char *val)
{
	char key[64];

	if (val[0] == '\0')
		return;
	snprintf(key, sizeof(key), "%s.%s", side, suffix);
	sd_out_json_str(j, key, val);
}

void
sd_out_sgt_json(struct sd_json *j, const struct sd_flow_tags *t)
{
	if (t->sgt_seen & (1u << SD_ROLE_CLIENT))
		sd_out_json_uint(j, "cisco.trustsec.source_sgt", t->sgt[SD_ROLE_CLIENT]);
	if (t->sgt_seen & (1u << SD_ROLE_SERVER))
		sd_out_json_uint(j, "cisco.trustsec.destination_sgt", t->sgt[SD_ROLE_SERVER]);
}

void
sd_out_geo_json(struct sd_json *j, const char *side, const struct sd_addr *a)
{
	struct sd_geo g;
	char key[64];

	if (geoip == NULL || !sd_geoip_lookup(geoip, a, &g))
		return;
	if (g.have_as) {
		snprintf(key, sizeof(key), "%s.as.number", side);
		sd_out_json_uint(j, key, g.asn);
		geo_key_str(j, side, "as.organization.name", g.as_org);
	}
	if (g.have_country)
		geo_key_str(j, side, "geo.country_iso_code", g.country);
	geo_key_str(j, side, "geo.city_name", g.city);
}

size_t
sd_out_geo_text(const struct sd_addr *a, char *buf, size_t n)
{
	struct sd_geo g;
	size_t used = 0;

	buf[0] = '\0';
	if (geoip == NULL || n < 8 || !sd_geoip_lookup(geoip, a, &g))
		return 0;
	used = (size_t)snprintf(buf, n, " (");
	if (g.have_as && used < n)
		used += (size_t)snprintf(buf + used, n - used, "AS%u%s%s", g.asn,
		    g.as_org[0] != '\0' ? " " : "", g.as_org);
	if (g.have_country && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", g.have_as ? ", " : "",
		    g.country);
	if (g.city[0] != '\0' && used < n)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
		    g.have_as || g.have_country ? ", " : "", g.city);
	if (used < n)
		used += (size_t)snprintf(buf + used, n - used, ")");
	return used < n ? used : n - 1;
}

void
sd_out_set_observer(const char *name)
{
	snprintf(observer, sizeof(observer), "%s", name != NULL ? name : "");
}

void
sd_out_observer(struct sd_json *j)
{
	if (observer[0] != '\0')
		sd_out_json_str(j, "observer.name", observer);
}

/*
 * The fingerprints of each flow's first ClientHello, for the findings that name the flow:
 * a direct-mapped table by flow id (a finding decided long after its flow was overwritten
 * goes without them).  Cleared for each analysis, whose flow ids start again.
 */
#define HELLO_SLOTS	16384
struct hello_fp {
	uint64_t	 id;		/* 0 empty */
	char		 ja3[33], ja4[40];
};
static struct hello_fp *hellos;

void
sd_out_note_hello(uint64_t flow_id, const char *ja3, const char *ja4)
{
	struct hello_fp *h;

	if (flow_id == 0 || (ja3[0] == '\0' && ja4[0] == '\0'))
		return;
	if (hellos == NULL && (hellos = calloc(HELLO_SLOTS, sizeof(*hellos))) == NULL)
		return;
	h = &hellos[flow_id % HELLO_SLOTS];
	if (h->id == flow_id)
		return;		/* the first ClientHello of the flow */
	h->id = flow_id;
	snprintf(h->ja3, sizeof(h->ja3), "%s", ja3);
	snprintf(h->ja4, sizeof(h->ja4), "%s", ja4);
}

void
sd_out_hellos_reset(void)
{
	if (hellos != NULL)
		memset(hellos, 0, HELLO_SLOTS * sizeof(*hellos));
}

static const struct hello_fp *
hello_of(uint64_t flow_id)
{
	const struct hello_fp *h;

	if (hellos == NULL || flow_id == 0)
		return NULL;
	h = &hellos[flow_id % HELLO_SLOTS];
	return h->id == flow_id ? h : NULL;
}

/* The JA3 of the first of the finding's flows whose ClientHello is known. */
static const char *
finding_ja3(const struct sd_finding *x)
{
	const struct hello_fp *h;
	size_t i;

	for (i = 0; i < x->nflows; i++)
		if ((h = hello_of(x->flows[i].id)) != NULL && h->ja3[0] != '\0')
			return h->ja3;
	return NULL;
}

/* ECS event.severity: 1 (info) to 5 (critical), higher is worse. */
static unsigned
ecs_severity(enum sd_sev s)
{
	return (unsigned)s + 1;
}

/*
 * ECS event.outcome of the connections a finding is about: "failure" when the finding
 * counts a connection the client refused or that failed (values refused, failed,
 * undelivered) or, counting none, when it is a fault (medium or worse); "success" when
 * the connections it counts were all accepted; "unknown" otherwise.
 */
const char *
sd_out_finding_outcome(const struct sd_finding *x)
{
	if (value_of(x, "refused") != NULL || value_of(x, "failed") != NULL ||
	    value_of(x, "undelivered") != NULL)
		return "failure";
	if (value_of(x, "accepted") != NULL)
		return "success";
	return x->severity >= SD_SEV_MEDIUM ? "failure" : "unknown";
}

/* "TLS 1.2" / "DTLS 1.0" / "SSL 3.0": ECS tls.version_protocol and tls.version. */
void
sd_out_ecs_tls_version(struct sd_json *j, const char *v)
{
	const char *sp;
	char proto[8];
	size_t n, i;

	if (v == NULL || (sp = strchr(v, ' ')) == NULL || (n = (size_t)(sp - v)) == 0 ||
	    n >= sizeof(proto) || sp[1] == '\0')
		return;
	for (i = 0; i < n; i++) {
		if (v[i] < 'A' || v[i] > 'Z')
			return;
		proto[i] = (char)(v[i] - 'A' + 'a');
	}
	proto[n] = '\0';
	if (strcmp(proto, "tls") != 0 && strcmp(proto, "dtls") != 0 && strcmp(proto, "ssl") != 0)
		return;
	sd_out_json_str(j, "tls.version", sp + 1);
	sd_out_json_str(j, "tls.version_protocol", proto);
}

/*
 * Elastic Common Schema fields of a finding, beside its own keys, so that Elastic and
 * Splunk take the line without a mapping; the tls.* ones where the finding has them.
 */
static void
finding_ecs(struct sd_json *j, const struct sd_finding *x)
{
	const struct sd_finding_kind *k = sd_finding_kind(x->k);
	const char *v;
	bool tls = strncmp(x->kind, "tls.", 4) == 0 || strncmp(x->kind, "dtls.", 5) == 0;

	sd_out_json_iso(j, "@timestamp", x->first_sec, x->first_nsec);
	sd_out_json_str(j, "event.kind", "alert");
	sd_out_json_arr_begin(j, "event.category");
	sd_out_json_str(j, NULL, "network");
	sd_out_json_arr_end(j);
	sd_out_json_arr_begin(j, "event.type");
	sd_out_json_str(j, NULL, x->severity == SD_SEV_INFO ? "info" : "connection");
	if (x->severity >= SD_SEV_MEDIUM)
		sd_out_json_str(j, NULL, "error");
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "event.severity", ecs_severity(x->severity));
	sd_out_json_str(j, "event.outcome", sd_out_finding_outcome(x));
	sd_out_json_str(j, "event.module", "shakedown");
	sd_out_json_str(j, "event.dataset", "shakedown.finding");
	sd_out_json_str(j, "rule.name", x->kind);
	if (k != NULL)
		sd_out_json_str(j, "rule.description", k->title);
	sd_out_json_str(j, "message", x->summary != NULL ? x->summary : x->kind);
	if (!tls)
		return;
	if ((v = value_of(x, "server_name")) != NULL || (v = value_of(x, "sni")) != NULL ||
	    (x->k == SD_K_TRUST_PIN_MISMATCH && (v = value_of(x, "host")) != NULL) ||
	    ((x->k == SD_K_ICEPT_ISSUER_CHANGED || x->k == SD_K_ICEPT_BACKEND_MISMATCH) &&
	    (v = value_of(x, "name")) != NULL))
		sd_out_json_str(j, "tls.client.server_name", v);
	if ((v = value_of(x, "session_version")) != NULL || (v = value_of(x, "protocol")) != NULL)
		sd_out_ecs_tls_version(j, v);
	if ((v = value_of(x, "session_cipher")) != NULL)
		sd_out_json_str(j, "tls.cipher", v);
	if ((v = value_of(x, "leaf")) != NULL || (v = value_of(x, "certificate")) != NULL ||
	    (v = value_of(x, "subject")) != NULL)
		sd_out_json_str(j, "tls.server.x509.subject.distinguished_name", v);
	if ((v = value_of(x, "issuer")) != NULL)
		sd_out_json_str(j, "tls.server.x509.issuer.distinguished_name", v);
	if ((v = value_of(x, "not_before")) != NULL)
		sd_out_json_str(j, "tls.server.x509.not_before", v);
	if ((v = value_of(x, "not_after")) != NULL)
		sd_out_json_str(j, "tls.server.x509.not_after", v);
	if ((v = value_of(x, "presented_sha256")) != NULL)
		sd_out_json_str(j, "tls.server.hash.sha256", v);
	if ((v = finding_ja3(x)) != NULL)
		sd_out_json_str(j, "tls.client.ja3", v);
}

void
sd_out_finding_json(FILE *out, const struct sd_finding *x, const char *const *files, int nfiles,
    struct sd_json *j)
{
	sd_out_finding_json_as(out, x, files, nfiles, j, "finding");
}

/* --evidence: the finding's folder, capture and certificates (evidence.file, ...). */
static void
evidence_json(struct sd_json *j, const struct sd_finding_evidence *v)
{
	char path[4096];
	unsigned i;

	if (v == NULL)
		return;
	sd_out_json_str(j, "file", v->file);
	sd_out_json_str(j, "dir", v->dir);
	sd_out_json_arr_begin(j, "certificates");
	for (i = 0; i < v->ncerts; i++) {
		snprintf(path, sizeof(path), "%s/cert-%u.pem", v->dir, i + 1);
		sd_out_json_str(j, NULL, path);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "packets", v->packets);
	sd_out_json_bool(j, "partial", v->partial);
}

void
sd_out_finding_json_as(FILE *out, const struct sd_finding *x, const char *const *files,
    int nfiles, struct sd_json *j, const char *type)
{
	char filt[SD_FRAMES_FILTER_LEN(SD_FINDING_MAX_FRAMES)], a[SD_ADDR_STRLEN];
	uint32_t fl[SD_FINDING_MAX_FRAMES];
	uint64_t fr[SD_FINDING_MAX_FRAMES];
	const struct hello_fp *h;
	size_t i, k, m, nf;

	sd_out_json_reset(j);
	sd_out_json_obj_begin(j, NULL);
	sd_out_json_str(j, "type", type);
	sd_out_observer(j);
	sd_out_json_str(j, "kind", x->kind);
	sd_out_json_str(j, "severity", sd_finding_sev_name(x->severity));
	sd_out_json_double(j, "confidence", x->confidence, 2);
	sd_out_json_str(j, "summary", x->summary != NULL ? x->summary : x->kind);
	sd_out_json_str(j, "file", file_name(files, nfiles, x->file_index));
	sd_out_json_uint(j, "count", x->count);
	sd_out_json_ts(j, "first_ts", x->first_sec, x->first_nsec);
	sd_out_json_ts(j, "last_ts", x->last_sec, x->last_nsec);
	sd_out_json_iso(j, "first_seen", x->first_sec, x->first_nsec);
	sd_out_json_iso(j, "last_seen", x->last_sec, x->last_nsec);
	sd_out_json_obj_begin(j, "evidence");
	/* frames and filter of the finding's own file; by_file has every file's */
	m = frames_in(x, x->file_index, fr);
	sd_out_json_arr_begin(j, "frames");
	for (i = 0; i < m; i++)
		sd_out_json_uint(j, NULL, fr[i]);
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "frames_total", x->nframes_total);
	file_filter(x, x->file_index, filt, sizeof(filt));
	sd_out_json_str(j, "wireshark_filter", filt[0] != '\0' ? filt : NULL);
	nf = evidence_files(x, fl, SD_FINDING_MAX_FRAMES);
	sd_out_json_arr_begin(j, "by_file");
	for (k = 0; k < nf; k++) {
		sd_out_json_obj_begin(j, NULL);
		sd_out_json_str(j, "file", file_name(files, nfiles, fl[k]));
		m = frames_in(x, fl[k], fr);
		sd_out_json_arr_begin(j, "frames");
		for (i = 0; i < m; i++)
			sd_out_json_uint(j, NULL, fr[i]);
		sd_out_json_arr_end(j);
		file_filter(x, fl[k], filt, sizeof(filt));
		sd_out_json_str(j, "wireshark_filter", filt[0] != '\0' ? filt : NULL);
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	evidence_json(j, x->evidence);
	sd_out_json_obj_begin(j, "values");
	for (i = 0; i < x->nvalues; i++)
		sd_out_json_str(j, x->values[i].name, x->values[i].value);
	sd_out_json_obj_end(j);
	sd_out_json_obj_end(j);
	sd_out_json_arr_begin(j, "flows");
	for (i = 0; i < x->nflows; i++) {
		const struct sd_finding_flow *fw = &x->flows[i];

		/* a gateway pair (id 0) is no flow of the table: no id, no unknown port */
		sd_out_json_obj_begin(j, NULL);
		if (fw->id != 0)
			sd_out_json_uint(j, "id", fw->id);
		else
			sd_out_json_bool(j, "gateway_pair", true);
		sd_out_json_str(j, "file", file_name(files, nfiles, fw->file_index));
		sd_out_json_str(j, "network.transport", sd_ip_proto_name(fw->proto));
		if (fw->app != NULL)
			sd_out_json_str(j, "network.application", fw->app);
		sd_out_json_str(j, "source.ip", sd_ip_addr_str(&fw->client, a));
		if (fw->id != 0 || fw->cport != 0)
			sd_out_json_uint(j, "source.port", fw->cport);
		sd_out_json_str(j, "destination.ip", sd_ip_addr_str(&fw->server, a));
		if (fw->id != 0 || fw->sport != 0)
			sd_out_json_uint(j, "destination.port", fw->sport);
		sd_out_geo_json(j, "source", &fw->client);
		sd_out_geo_json(j, "destination", &fw->server);
		sd_out_sgt_json(j, &fw->tags);
		if ((h = hello_of(fw->id)) != NULL) {
			sd_out_json_str(j, "ja3", h->ja3[0] != '\0' ? h->ja3 : NULL);
			sd_out_json_str(j, "ja4", h->ja4[0] != '\0' ? h->ja4 : NULL);
		}
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "flows_total", x->nflows_total);
	sd_out_json_str(j, "explanation", x->explanation);
	sd_out_json_str(j, "fix", x->fix);
	finding_ecs(j, x);
	sd_out_json_obj_end(j);
	(void)sd_out_json_end_line(j, out);
}

void
sd_out_findings_json(FILE *out, const struct sd_findings *l, const char *const *files,
    int nfiles)
{
	struct sd_json j;
	size_t i;

	sd_out_json_init(&j);
	for (i = 0; i < l->n; i++)
		sd_out_finding_json(out, l->v[i], files, nfiles, &j);
	sd_out_json_free(&j);
}

static void
json_span(struct sd_json *j, int64_t s0, uint32_t n0, int64_t s1, uint32_t n1, bool any)
{
	if (!any) {
		sd_out_json_null(j, "first_ts");
		sd_out_json_null(j, "last_ts");
		sd_out_json_null(j, "first_seen");
		sd_out_json_null(j, "last_seen");
		return;
	}
	sd_out_json_ts(j, "first_ts", s0, n0);
	sd_out_json_ts(j, "last_ts", s1, n1);
	sd_out_json_iso(j, "first_seen", s0, n0);
	sd_out_json_iso(j, "last_seen", s1, n1);
}

void
sd_out_summary_json(FILE *out, const struct sd_out_summary *sum)
{
	struct sd_json j;
	uint64_t undecoded = sum->undecoded_link + sum->undecoded_truncated +
	    sum->undecoded_malformed;
	int64_t s0 = 0, s1 = 0;
	uint32_t n0 = 0, n1 = 0;
	bool any = false;
	int k;

	sd_out_json_init(&j);
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_str(&j, "type", "summary");
	sd_out_observer(&j);
	if (sum->ninputs == 1) {
		sd_out_json_str(&j, "file", sum->inputs[0].name);
	} else {
		sd_out_json_arr_begin(&j, "files");
		for (k = 0; k < sum->ninputs; k++)
			sd_out_json_str(&j, NULL, sum->inputs[k].name);
		sd_out_json_arr_end(&j);
	}
	/* "ok": the input was read to its end and something in it was decoded */
	sd_out_json_bool(&j, "ok", sum->input_error == NULL);
	sd_out_json_str(&j, "error", sum->input_error);
	sd_out_json_uint(&j, "frames", sum->frames);
	sd_out_json_uint(&j, "decoded", sum->frames > undecoded ? sum->frames - undecoded : 0);
	sd_out_json_obj_begin(&j, "undecoded");
	sd_out_json_uint(&j, "total", undecoded);
	sd_out_json_uint(&j, "unsupported_link_type", sum->undecoded_link);
	sd_out_json_uint(&j, "truncated", sum->undecoded_truncated);
	sd_out_json_uint(&j, "malformed", sum->undecoded_malformed);
	sd_out_json_obj_end(&j);
	sd_out_json_uint(&j, "flows", sum->flows);
	if (sum->clock[0] != '\0')
		sd_out_json_str(&j, "clock", sum->clock);
	sd_out_json_uint(&j, "findings", sum->findings);
	sd_out_json_uint(&j, "events", sum->events);
	sd_out_json_obj_begin(&j, "lost");
	sd_out_json_uint(&j, "flows_evicted", sum->flows_evicted);
	sd_out_json_uint(&j, "memcap_refusals", sum->memcap_refused);
	sd_out_json_uint(&j, "connections_not_analysed", sum->rule_flows_refused);
	sd_out_json_uint(&j, "summaries_evicted", sum->rule_evicted);
	sd_out_json_uint(&j, "summaries_refused", sum->rule_refused);
	sd_out_json_uint(&j, "findings_dropped", sum->findings_dropped);
	if (sum->alloc_failures > 0)
		sd_out_json_uint(&j, "allocation_failures", sum->alloc_failures);
	if (sum->json_dropped > 0)
		sd_out_json_uint(&j, "json_lines_dropped", sum->json_dropped);
	sd_out_json_obj_end(&j);
	any = inputs_span(sum, &s0, &n0, &s1, &n1);
	json_span(&j, s0, n0, s1, n1, any);
	if (sum->ninputs > 1) {
		sd_out_json_arr_begin(&j, "inputs");
		for (k = 0; k < sum->ninputs; k++) {
			const struct sd_out_input *in = &sum->inputs[k];

			sd_out_json_obj_begin(&j, NULL);
			sd_out_json_str(&j, "file", in->name);
			sd_out_json_uint(&j, "frames", in->frames);
			sd_out_json_str(&j, "error", in->error);
			json_span(&j, in->first_sec, in->first_nsec, in->last_sec, in->last_nsec,
			    in->frames > 0);
			sd_out_json_obj_end(&j);
		}
		sd_out_json_arr_end(&j);
	}
	sd_out_json_obj_end(&j);
	(void)sd_out_json_end_line(&j, out);
	sd_out_json_free(&j);
}

/* The report (cli/report*.c) names findings and endpoints the way the terminal does. */
const char *
sd_out_endpoint(char *buf, size_t n, const struct sd_addr *a, uint16_t port)
{
	return endpoint(buf, n, a, port);
}

void
sd_out_finding_subject(const struct sd_finding *x, char *buf, size_t n)
{
	subject_of(x, buf, n);
}

void
sd_out_finding_headline(const struct sd_finding *x, const char *subj, char *line, size_t n)
{
	headline(x, subj, line, n);
}
