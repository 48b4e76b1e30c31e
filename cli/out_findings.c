/* cli/out_findings.c - findings for people (terminal) and for machines (JSON Lines). */
#include "cli/out.h"

#include "dissect/ip.h"

#include <string.h>

/* Findings of one kind printed in full before the rest go one per line. */
#define SD_TEXT_FULL_PER_KIND	3

/* Print a string that may come from a packet: control bytes and escapes shown as \xNN. */
static void
put_safe(FILE *f, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
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

/* A flow of the table by its id; a gateway pair (id 0) as such. */
static void
text_flow(FILE *f, const struct sd_finding_flow *fl)
{
	char a[SD_ADDR_STRLEN + 8], b[SD_ADDR_STRLEN + 8];

	if (fl->id == 0) {
		fprintf(f, "  gateways: %s %s -> %s\n", sd_ip_proto_name(fl->proto),
		    endpoint(a, sizeof(a), &fl->client, fl->cport),
		    endpoint(b, sizeof(b), &fl->server, fl->sport));
		return;
	}
	fprintf(f, "  flow %llu: %s %s:%u -> %s:%u\n", (unsigned long long)fl->id,
	    sd_ip_proto_name(fl->proto), sd_ip_addr_str(&fl->client, a), fl->cport,
	    sd_ip_addr_str(&fl->server, b), fl->sport);
}

static void
text_one(FILE *f, const struct sd_finding *x, bool color, const struct sd_out_summary *sum)
{
	char sev[16], filt[1024];
	size_t i;

	upper(sev, sd_finding_sev_name(x->severity), sizeof(sev));
	fprintf(f, "%s%-8s%s %s\n", color ? sev_color(x->severity) : "", sev,
	    color ? "\033[0m" : "", x->kind);
	fprintf(f, "  ");
	put_safe(f, x->summary != NULL ? x->summary : x->kind);
	fputc('\n', f);
	if (sum->nfiles > 1)
		fprintf(f, "  file:     %s\n", sum->files[x->file_index]);
	for (i = 0; i < x->nvalues; i++) {
		fprintf(f, "  %-22s ", x->values[i].name);
		put_safe(f, x->values[i].value);
		fputc('\n', f);
	}
	if (x->nframes > 0) {
		fprintf(f, "  evidence: frame%s", x->nframes > 1 ? "s" : "");
		for (i = 0; i < x->nframes; i++)
			fprintf(f, "%s %llu", i ? "," : "", (unsigned long long)x->frames[i]);
		if (x->nframes_total > x->nframes)
			fprintf(f, " (+%llu more)",
			    (unsigned long long)(x->nframes_total - x->nframes));
		fputc('\n', f);
	}
	for (i = 0; i < x->nflows && i < 3; i++)
		text_flow(f, &x->flows[i]);
	if (x->nflows_total > 3)
		fprintf(f, "  (%llu flows in all)\n", (unsigned long long)x->nflows_total);
	sd_finding_filter(x, filt, sizeof(filt));
	if (filt[0] != '\0')
		fprintf(f, "  wireshark: %s\n", filt);
	if (x->explanation != NULL && x->explanation[0] != '\0')
		fprintf(f, "  why:  %s\n", x->explanation);
	if (x->fix != NULL && x->fix[0] != '\0')
		fprintf(f, "  fix:  %s\n", x->fix);
	fputc('\n', f);
}

void
sd_out_findings_text(FILE *f, const struct sd_findings *l, const struct sd_out_summary *sum,
    bool color)
{
	size_t i, counts[5] = { 0 };
	int k;

	for (k = 0; k < sum->nfiles; k++)
		fprintf(f, "%s%s", k ? ", " : "", sum->files[k]);
	fprintf(f, ": %llu frame%s, %llu flow%s\n", (unsigned long long)sum->frames,
	    sum->frames == 1 ? "" : "s", (unsigned long long)sum->flows,
	    sum->flows == 1 ? "" : "s");
	if (sum->flows_evicted + sum->memcap_refused + sum->rule_flows_refused +
	    sum->rule_evicted + sum->rule_refused > 0)
		fprintf(f, "Incomplete analysis: %llu flows evicted (--max-flows, --memcap), %llu memory cap "
		    "refusals, %llu connections not analysed, %llu summaries evicted, %llu not "
		    "kept (--memcap); findings may be missing\n",
		    (unsigned long long)sum->flows_evicted, (unsigned long long)sum->memcap_refused,
		    (unsigned long long)sum->rule_flows_refused,
		    (unsigned long long)sum->rule_evicted, (unsigned long long)sum->rule_refused);
	fputc('\n', f);
	for (i = 0; i < l->n; i++) {
		size_t j, same = 0;

		counts[l->v[i]->severity]++;
		/*
		 * One screen, not a thousand: the first findings of a kind in full, the
		 * rest of that kind as one line each (--json has them all in full).
		 */
		for (j = 0; j < i; j++)
			if (strcmp(l->v[j]->kind, l->v[i]->kind) == 0)
				same++;
		if (same < SD_TEXT_FULL_PER_KIND) {
			text_one(f, l->v[i], color, sum);
		} else {
			fprintf(f, "  + %s: ", l->v[i]->kind);
			put_safe(f, l->v[i]->summary != NULL ? l->v[i]->summary : "");
			fputc('\n', f);
			if (i + 1 == l->n || strcmp(l->v[i + 1]->kind, l->v[i]->kind) != 0)
				fputc('\n', f);
		}
	}
	if (l->n == 0)
		fprintf(f, "No findings: nothing in this capture explains a failure.\n");
	else
		fprintf(f, "%zu finding%s: %zu critical, %zu high, %zu medium, %zu low, %zu info\n",
		    l->n, l->n == 1 ? "" : "s", counts[SD_SEV_CRITICAL], counts[SD_SEV_HIGH],
		    counts[SD_SEV_MEDIUM], counts[SD_SEV_LOW], counts[SD_SEV_INFO]);
	if (l->dropped > 0)
		fprintf(f, "(%llu further findings dropped at the cap)\n",
		    (unsigned long long)l->dropped);
	if (sum->input_error != NULL)
		fprintf(f, "Input error: %s (the results above cover what was read before it)\n",
		    sum->input_error);
}

void
sd_out_finding_json(FILE *out, const struct sd_finding *x, struct sd_json *j)
{
	char filt[1024], a[SD_ADDR_STRLEN];
	size_t i;

	sd_out_json_reset(j);
	sd_out_json_obj_begin(j, NULL);
	sd_out_json_str(j, "kind", x->kind);
	sd_out_json_str(j, "severity", sd_finding_sev_name(x->severity));
	sd_out_json_double(j, "confidence", x->confidence, 2);
	sd_out_json_str(j, "summary", x->summary != NULL ? x->summary : x->kind);
	sd_out_json_uint(j, "count", x->count);
	sd_out_json_ts(j, "first_ts", x->first_sec, x->first_nsec);
	sd_out_json_ts(j, "last_ts", x->last_sec, x->last_nsec);
	sd_out_json_obj_begin(j, "evidence");
	sd_out_json_arr_begin(j, "frames");
	for (i = 0; i < x->nframes; i++)
		sd_out_json_uint(j, NULL, x->frames[i]);
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "frames_total", x->nframes_total);
	sd_finding_filter(x, filt, sizeof(filt));
	sd_out_json_str(j, "wireshark_filter", filt[0] != '\0' ? filt : NULL);
	sd_out_json_obj_begin(j, "values");
	for (i = 0; i < x->nvalues; i++)
		sd_out_json_str(j, x->values[i].name, x->values[i].value);
	sd_out_json_obj_end(j);
	sd_out_json_obj_end(j);
	sd_out_json_arr_begin(j, "flows");
	for (i = 0; i < x->nflows; i++) {
		const struct sd_finding_flow *fl = &x->flows[i];

		/* a gateway pair (id 0) is no flow of the table: no id, no unknown port */
		sd_out_json_obj_begin(j, NULL);
		if (fl->id != 0)
			sd_out_json_uint(j, "id", fl->id);
		else
			sd_out_json_bool(j, "gateway_pair", true);
		sd_out_json_str(j, "network.transport", sd_ip_proto_name(fl->proto));
		sd_out_json_str(j, "source.ip", sd_ip_addr_str(&fl->client, a));
		if (fl->id != 0 || fl->cport != 0)
			sd_out_json_uint(j, "source.port", fl->cport);
		sd_out_json_str(j, "destination.ip", sd_ip_addr_str(&fl->server, a));
		if (fl->id != 0 || fl->sport != 0)
			sd_out_json_uint(j, "destination.port", fl->sport);
		sd_out_json_obj_end(j);
	}
	sd_out_json_arr_end(j);
	sd_out_json_uint(j, "flows_total", x->nflows_total);
	sd_out_json_str(j, "explanation", x->explanation);
	sd_out_json_str(j, "fix", x->fix);
	sd_out_json_obj_end(j);
	(void)sd_out_json_end_line(j, out);
}

void
sd_out_findings_json(FILE *out, const struct sd_findings *l)
{
	struct sd_json j;
	size_t i;

	sd_out_json_init(&j);
	for (i = 0; i < l->n; i++)
		sd_out_finding_json(out, l->v[i], &j);
	sd_out_json_free(&j);
}
