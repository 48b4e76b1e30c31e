/* cli/report_html.c - the report as one self-contained HTML page: inline CSS and SVG, no
 * script, nothing fetched (its Content-Security-Policy forbids it), light and dark, print. */
#include "cli/report_int.h"

#include <inttypes.h>
#include <string.h>

#include "cli/report_esc.h"

#define E(f, s)	sd_out_esc_html((f), (s), strlen(s))

static const char css[] =
	":root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#59636e;--line:#d0d7de;"
	"--head:#f6f8fa;--red:#c62828;--redbg:#fdecea;--amber:#9a6700;--code:#eff1f3;"
	"--link:#0550ae}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;"
	"--line:#3d444d;--head:#161b22;--red:#ff7b72;--redbg:#3c1618;--amber:#d29922;"
	"--code:#1f2428;--link:#58a6ff}}\n"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
	"background:var(--bg);max-width:72rem;margin:0 auto;padding:1rem 1.5rem;"
	"overflow-wrap:anywhere}\n"
	"h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{border-bottom:1px solid var(--line);"
	"padding-bottom:.2rem;margin-top:2rem}h3{margin-top:1.6rem}h4{margin:1rem 0 .3rem}\n"
	"table{border-collapse:collapse;margin:.5rem 0;width:100%;table-layout:auto}\n"
	"th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;"
	"vertical-align:top;overflow-wrap:anywhere;word-break:break-word}\n"
	"th{background:var(--head);overflow-wrap:normal;word-break:normal}tr.bad td{background:var(--redbg)}\n"
	"code{font:13px/1.4 ui-monospace,'DejaVu Sans Mono',monospace;background:var(--code);"
	"padding:0 .2rem;overflow-wrap:anywhere;word-break:break-all}\n"
	"td:first-child code{white-space:nowrap;word-break:normal}\n"
	"a{color:var(--link)}.mute{color:var(--mute)}\n"
	".sev{font-weight:700;white-space:nowrap}.s4,.s3{color:var(--red)}.s2{color:var(--amber)}"
	".s1,.s0{color:var(--mute)}\n"
	"svg.vbar{max-width:100%;height:auto}\n"
	"svg.ladder{max-width:100%;height:auto;font:12px ui-monospace,'DejaVu Sans Mono',"
	"monospace}\n"
	"svg .ln{stroke:var(--fg)}svg .tx{fill:var(--fg)}svg .mu{fill:var(--mute)}"
	"svg .red{stroke:var(--red)}svg .rt{fill:var(--red)}svg .life{stroke:var(--line)}"
	"svg .hd{fill:var(--head);stroke:var(--line)}\n"
	"@media print{body{max-width:none;font-size:11pt;padding:0}"
	"a{color:inherit;text-decoration:none}h2,h3{break-after:avoid}"
	"table,svg{break-inside:avoid}tr.bad td{background:none;font-weight:600}}\n";

static void
begin(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* nothing leaves the page, even if some text were ever read as markup */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src data:\">\n", f);
	fputs("<meta name=\"referrer\" content=\"no-referrer\">\n", f);
	fputs("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", f);
	fputs("<meta name=\"color-scheme\" content=\"light dark\">\n<title>", f);
	E(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
	E(f, title);
	fputs("</h1>\n", f);
}

static void
end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

static void
heading(FILE *f, int level, const char *id, const char *text)
{
	fprintf(f, "<h%d", level);
	if (id != NULL) {
		fputs(" id=\"", f);
		E(f, id);
		fputc('"', f);
	}
	fputc('>', f);
	E(f, text);
	fprintf(f, "</h%d>\n", level);
}

static void
para_begin(FILE *f)
{
	fputs("<p>", f);
}

static void
para_end(FILE *f)
{
	fputs("</p>\n", f);
}

static void
text(FILE *f, const char *s, size_t n)
{
	sd_out_esc_html(f, s, n);
}

static void
code(FILE *f, const char *s)
{
	fputs("<code>", f);
	E(f, s);
	fputs("</code>", f);
}

static void
strong(FILE *f, const char *s, size_t n)
{
	fputs("<strong>", f);
	sd_out_esc_html(f, s, n);
	fputs("</strong>", f);
}

/* Only links inside the report, or to a relative file (an evidence capture). */
static void
link(FILE *f, const char *href, const char *t)
{
	fputs("<a href=\"", f);
	if (strchr(href, ':') != NULL)
		fputs("./", f);		/* never a scheme: "x:y" is a relative name */
	E(f, href);
	fputs("\">", f);
	E(f, t);
	fputs("</a>", f);
}

static void
table_begin(FILE *f, const char *const *head, int ncols)
{
	int i;

	fputs("<table>\n<thead><tr>", f);
	for (i = 0; i < ncols; i++) {
		fputs("<th>", f);
		E(f, head[i]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
}

static void
row_begin(FILE *f, int sev)
{
	fputs(sev >= (int)SD_SEV_HIGH ? "<tr class=\"bad\">" : "<tr>", f);
}

static void
cell(FILE *f, const char *s, size_t n, enum rpt_cell c)
{
	char href[40];

	switch (c) {
	case RPT_CODE:
		fputs("<td><code>", f);
		sd_out_esc_html(f, s, n);
		fputs("</code></td>", f);
		return;
	case RPT_SEV:
		fprintf(f, "<td class=\"sev s%d\">", strncmp(s, "CRIT", 4) == 0 ? 4 :
		    strncmp(s, "HIGH", 4) == 0 ? 3 : strncmp(s, "MED", 3) == 0 ? 2 : 1);
		sd_out_esc_html(f, s, n);
		fputs("</td>", f);
		return;
	case RPT_LINK:
		snprintf(href, sizeof(href), "#%.*s", (int)(n < 30 ? n : 30), s);
		fputs("<td>", f);
		link(f, href, href + 1);
		fputs("</td>", f);
		return;
	case RPT_TEXT:
		break;
	}
	fputs("<td>", f);
	sd_out_esc_html(f, s, n);
	fputs("</td>", f);
}

static void
row_end(FILE *f)
{
	fputs("</tr>\n", f);
}

static void
table_end(FILE *f)
{
	fputs("</tbody>\n</table>\n", f);
}

/* Geometry of a ladder: the two lifelines and a row per message. */
#define LX	250	/* client lifeline */
#define RX	730	/* server lifeline */
#define TOP	56
#define ROW	30
#define WIDTH	800

static void
endpoint_label(FILE *f, int x, const char *who, const struct sd_addr *a, uint16_t port)
{
	char s[SD_ADDR_STRLEN];

	sd_ip_addr_str(a, s);
	fprintf(f, "<rect class=\"hd\" x=\"%d\" y=\"4\" width=\"220\" height=\"36\" rx=\"4\"/>"
	    "<text class=\"tx\" x=\"%d\" y=\"19\" text-anchor=\"middle\">", x - 110, x);
	E(f, who);
	fprintf(f, "</text><text class=\"mu\" x=\"%d\" y=\"34\" text-anchor=\"middle\">", x);
	E(f, s);
	if (port != 0)
		fprintf(f, " port %u", port);
	fputs("</text>\n", f);
}

/*
 * The exchange as an SVG sequence diagram: client left, server right, one arrow per
 * message (time since the first, frame), alerts and resets red, retransmissions dashed,
 * a red cross where it failed.  Labels are program text; escaped all the same.
 */
static void
ladder(FILE *f, const struct rpt_msg *const *m, size_t n, const struct sd_finding_flow *fw,
    size_t fail, const char *note)
{
	static unsigned serial;
	const char *left, *right;
	int h = TOP + (int)n * ROW + 40, y, x1, x2;
	char t[32];
	size_t i;

	serial++;
	fprintf(f, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
	    "aria-label=\"message ladder\">\n", WIDTH, h, WIDTH, h);
	fprintf(f, "<defs><marker id=\"a%u\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	    "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
	    "<path d=\"M0 0L10 5L0 10z\" class=\"tx\"/></marker>"
	    "<marker id=\"r%u\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
	    "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" "
	    "class=\"rt\"/></marker></defs>\n", serial, serial);
	sd_report_sides(fw, &left, &right);
	endpoint_label(f, LX, left, &fw->client, fw->cport);
	endpoint_label(f, RX, right, &fw->server, fw->sport);
	fprintf(f, "<text class=\"mu\" x=\"8\" y=\"34\">time (s)   frame</text>\n");
	fprintf(f, "<line class=\"life\" x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"%d\" "
	    "stroke-width=\"2\"/><line class=\"life\" x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"%d\" "
	    "stroke-width=\"2\"/>\n", LX, LX, h - 8, RX, RX, h - 8);
	for (i = 0; i < n; i++) {
		bool red = (m[i]->mark & RPT_RED) != 0, retx = (m[i]->mark & RPT_RETX) != 0;

		y = TOP + (int)i * ROW + 18;
		x1 = sd_report_from_client(m[i], fw) ? LX : RX;
		x2 = x1 == LX ? RX : LX;
		sd_report_reltime(t, sizeof(t), m, n, i);
		fprintf(f, "<g><title>frame %" PRIu64 "</title><text class=\"mu\" x=\"8\" "
		    "y=\"%d\">", sd_frame_no(m[i]->frame), y + 4);
		E(f, t);
		fprintf(f, "</text><text class=\"mu\" x=\"150\" y=\"%d\" text-anchor=\"end\">"
		    "#%" PRIu64 "</text>", y + 4, sd_frame_no(m[i]->frame));
		fprintf(f, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke-width=\"%s\"%s marker-end=\"url(#%c%u)\"/>", red ? "red" : "ln",
		    x1, y, x2 + (x2 > x1 ? -2 : 2), y, red ? "2.5" : "1.5",
		    retx ? " stroke-dasharray=\"6 4\"" : "", red ? 'r' : 'a', serial);
		fprintf(f, "<text class=\"%s\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
		    red ? "rt" : "tx", (LX + RX) / 2, y - 5);
		E(f, m[i]->label);
		fputs("</text></g>\n", f);
		if (i == fail)
			fprintf(f, "<text class=\"rt\" x=\"%d\" y=\"%d\" font-weight=\"700\" "
			    "text-anchor=\"%s\">✗ failed here</text>\n", x2 + (x2 == RX ? -8 : 8),
			    y + 16, x2 == RX ? "end" : "start");
	}
	y = TOP + (int)n * ROW + 14;
	if (fail >= n)
		fprintf(f, "<text class=\"mu\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
		    "(nothing more seen of it)</text>\n", (LX + RX) / 2, y);
	fputs("</svg>\n", f);
	if (note != NULL && note[0] != '\0') {
		fputs("<p class=\"mute\">", f);
		E(f, note);
		fputs("</p>\n", f);
	}
}

/*
 * The validity period as a bar, the capture time a red mark on it (or beyond one end,
 * with an arrow): expired and not-yet-valid certificates are seen at a glance.
 */
static void
validity(FILE *f, int64_t from, int64_t to, int64_t when)
{
	const int x0 = 20, w = 560;
	double pos = ((double)when - (double)from) / ((double)to - (double)from);
	int x = x0 + (int)(pos < 0 ? -12 : pos > 1 ? w + 12 : pos * w);
	bool in = pos >= 0 && pos <= 1;

	fprintf(f, "<tr><td>Capture time</td><td><svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 620 34\" width=\"620\" height=\"34\" class=\"vbar\" "
	    "role=\"img\" aria-label=\"validity and capture time\">"
	    "<rect x=\"%d\" y=\"12\" width=\"%d\" height=\"10\" rx=\"3\" class=\"hd\"/>"
	    "<text class=\"mu\" x=\"%d\" y=\"10\" font-size=\"10\">not before</text>"
	    "<text class=\"mu\" x=\"%d\" y=\"10\" font-size=\"10\" text-anchor=\"end\">"
	    "not after</text><line class=\"red\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"32\" "
	    "stroke-width=\"3\"/><text class=\"rt\" x=\"%d\" y=\"32\" font-size=\"10\" "
	    "text-anchor=\"%s\">%s</text></svg></td></tr>\n", x0, w, x0, x0 + w, x, x,
	    x + (x > x0 + w / 2 ? -6 : 6), x > x0 + w / 2 ? "end" : "start",
	    in ? "capture" : pos < 0 ? "capture: before" : "capture: after");
}

const struct rpt_fmt sd_report_html = {
	begin, end, heading, para_begin, para_end, text, code, strong, link, table_begin,
	row_begin, cell, row_end, table_end, ladder, validity,
};
