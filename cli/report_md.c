/* cli/report_md.c - the report in GitHub-flavoured Markdown: tables, and the ladders as
 * fenced text; every string escaped so that a tracker renders no markup from packets. */
#include "cli/report_int.h"

#include <inttypes.h>
#include <string.h>

#include "cli/report_esc.h"

#define M(f, s)	sd_out_esc_md((f), (s), strlen(s))

static void
begin(FILE *f, const char *title)
{
	fputs("# ", f);
	M(f, title);
	fputs("\n\n", f);
}

static void
end(FILE *f)
{
	(void)f;
}

static void
heading(FILE *f, int level, const char *id, const char *text)
{
	/* an explicit anchor: GitHub's own ids depend on the text */
	if (id != NULL) {
		fputs("<a id=\"", f);
		sd_out_esc_html(f, id, strlen(id));
		fputs("\"></a>\n\n", f);
	}
	fprintf(f, "%.*s ", level, "######");
	M(f, text);
	fputs("\n\n", f);
}

static void
para_begin(FILE *f)
{
	(void)f;
}

static void
para_end(FILE *f)
{
	fputs("\n\n", f);
}

static void
text(FILE *f, const char *s, size_t n)
{
	sd_out_esc_md(f, s, n);
}

/*
 * A code span: a run of backticks longer than any inside, spaces inside it; controls
 * shown.  Nothing else in a code span is markup (CommonMark §6.1).
 */
static void
code(FILE *f, const char *s)
{
	size_t run = 0, max = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > max)
			max = run;
	}
	for (i = 0; i <= max; i++)
		fputc('`', f);
	fputc(' ', f);
	sd_out_esc_ctl(f, s, strlen(s));
	fputc(' ', f);
	for (i = 0; i <= max; i++)
		fputc('`', f);
}

static void
strong(FILE *f, const char *s, size_t n)
{
	fputs("**", f);
	sd_out_esc_md(f, s, n);
	fputs("**", f);
}

static void
link(FILE *f, const char *href, const char *t)
{
	size_t i;

	fputc('[', f);
	M(f, t);
	fputs("](", f);
	if (strchr(href, ':') != NULL)
		fputs("./", f);
	/* a destination of safe characters only: the rest percent-encoded */
	for (i = 0; href[i] != '\0'; i++) {
		unsigned char c = (unsigned char)href[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("#/._-", c) != NULL)
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
	fputc(')', f);
}

static int table_cols;

static void
table_begin(FILE *f, const char *const *head, int ncols)
{
	int i;

	table_cols = ncols;
	fputc('|', f);
	for (i = 0; i < ncols; i++) {
		fputc(' ', f);
		M(f, head[i][0] != '\0' ? head[i] : " ");
		fputs(" |", f);
	}
	fputs("\n|", f);
	for (i = 0; i < ncols; i++)
		fputs(" --- |", f);
	fputc('\n', f);
}

static void
row_begin(FILE *f, int sev)
{
	(void)sev;
	fputc('|', f);
}

static void
cell(FILE *f, const char *s, size_t n, enum rpt_cell c)
{
	char href[40];

	fputc(' ', f);
	switch (c) {
	case RPT_CODE:
		if (memchr(s, '|', n) == NULL && memchr(s, '\0', n) == NULL) {
			code(f, s);
			break;
		}
		/* a pipe would end the cell even in a code span: as text */
		/* FALLTHROUGH */
	case RPT_TEXT:
		sd_out_esc_md(f, s, n);
		break;
	case RPT_SEV:
		fputs("**", f);
		sd_out_esc_md(f, s, n);
		fputs("**", f);
		break;
	case RPT_LINK:
		snprintf(href, sizeof(href), "#%.*s", (int)(n < 30 ? n : 30), s);
		link(f, href, href + 1);
		break;
	}
	fputs(" |", f);
}

static void
row_end(FILE *f)
{
	fputc('\n', f);
}

static void
table_end(FILE *f)
{
	fputc('\n', f);
	table_cols = 0;
}

/* Columns of the text ladder: time, frame, then the arrow between the two bars. */
#define LANE	52

/* One arrow of width LANE, the label in its middle. */
static void
arrow(FILE *f, const char *label, bool right, bool red, bool retx)
{
	char line[LANE + 1];
	size_t len = strlen(label), start, i;
	char dash = retx ? '.' : '-';

	if (len > LANE - 8)
		len = LANE - 8;
	memset(line, dash, LANE);
	line[LANE] = '\0';
	start = (LANE - len - 2) / 2;
	line[start] = ' ';
	memcpy(line + start + 1, label, len);
	line[start + 1 + len] = ' ';
	if (right)
		line[LANE - 1] = '>';
	else
		line[0] = '<';
	if (red)
		line[right ? LANE - 2 : 1] = 'X';
	for (i = 0; i < LANE; i++)	/* labels are program text: no control, no backtick */
		if ((unsigned char)line[i] < 0x20 || line[i] == '`')
			line[i] = '?';
	fprintf(f, "|%s|", line);
}

static void
ladder(FILE *f, const struct rpt_msg *const *m, size_t n, const struct sd_finding_flow *fw,
    size_t fail, const char *note)
{
	char a[SD_ADDR_STRLEN], b[SD_ADDR_STRLEN], ea[80], eb[80], t[32];
	const char *left, *right;
	size_t i;

	sd_report_sides(fw, &left, &right);
	snprintf(ea, sizeof(ea), "%s %s:%u", left, sd_ip_addr_str(&fw->client, a), fw->cport);
	snprintf(eb, sizeof(eb), "%s %s:%u", right, sd_ip_addr_str(&fw->server, b), fw->sport);
	fputs("```text\n", f);
	fprintf(f, "%-10s %7s  %-*s%s\n", "time (s)", "frame", LANE + 1, ea, eb);
	for (i = 0; i < n; i++) {
		sd_report_reltime(t, sizeof(t), m, n, i);
		fprintf(f, "%-10s %7" PRIu64 "  ", t, sd_frame_no(m[i]->frame));
		arrow(f, m[i]->label, sd_report_from_client(m[i], fw), (m[i]->mark & RPT_RED) != 0,
		    (m[i]->mark & RPT_RETX) != 0);
		fputs(i == fail ? "  <== failed here\n" : "\n", f);
	}
	if (fail >= n)
		fprintf(f, "%19s(nothing more seen of it)\n", "");
	fputs("```\n\n", f);
	fputs("X: alert, reset or error; dotted: retransmission.", f);
	if (note != NULL && note[0] != '\0') {
		fputc(' ', f);
		M(f, note);
	}
	fputs("\n\n", f);
}

const struct rpt_fmt sd_report_md = {
	begin, end, heading, para_begin, para_end, text, code, strong, link, table_begin,
	row_begin, cell, row_end, table_end, ladder, NULL,
};
