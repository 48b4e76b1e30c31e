/* analyze/finding.c - finding list: grouping by cause, evidence, display filters. */
#include "analyze/finding.h"

#include "dissect/hash.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SD_FINDINGS_MAX		100000	/* distinct findings held; more are counted as dropped */

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical" };

const char *
sd_finding_sev_name(enum sd_sev s)
{
	if ((unsigned)s < sizeof(sev_names) / sizeof(sev_names[0]))
		return sev_names[s];
	return "info";
}

bool
sd_finding_sev_parse(const char *s, enum sd_sev *out)
{
	size_t i;

	for (i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++) {
		if (strcasecmp(s, sev_names[i]) == 0) {
			*out = (enum sd_sev)i;
			return true;
		}
	}
	return false;
}

static char *xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

static char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static void
finding_free(struct sd_finding *f)
{
	size_t k;

	for (k = 0; k < f->nvalues; k++)
		free(f->values[k].value);
	free(f->group);
	free(f->summary);
	free(f->frames);
	free(f->flows);
	if (f->evidence != NULL) {
		free(f->evidence->dir);
		free(f->evidence->file);
		free(f->evidence);
	}
	free(f);
}

void
sd_finding_list_free(struct sd_findings *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		finding_free(l->v[i]);
	free(l->v);
	free(l->idx);
	free(l->touched);
	memset(l, 0, sizeof(*l));
}

static size_t
key_hash(const char *kind, const char *group)
{
	uint64_t h = sd_hash_str(SD_HASH_INIT, kind);

	h = sd_hash(h, "|", 1);
	return (size_t)sd_hash_mix(sd_hash_str(h, group));
}

/* Slot of (kind, group) in the index: the one holding it, or the empty one to use. */
static size_t *
index_slot(const struct sd_findings *l, const char *kind, const char *group)
{
	size_t mask = l->idx_cap - 1, i = key_hash(kind, group) & mask;

	for (;;) {
		size_t *slot = &l->idx[i];
		const struct sd_finding *f;

		if (*slot == 0)
			return slot;
		f = l->v[*slot - 1];
		if (strcmp(f->kind, kind) == 0 && strcmp(f->group, group) == 0)
			return slot;
		i = (i + 1) & mask;
	}
}

/* Keep the index at most half full; false on a memory failure. */
static bool
index_grow(struct sd_findings *l)
{
	size_t ncap = l->idx_cap ? l->idx_cap * 2 : 64, k, *old = l->idx;

	if (l->idx_cap != 0 && (l->n + 1) * 2 <= l->idx_cap)
		return true;
	l->idx = calloc(ncap, sizeof(*l->idx));
	if (l->idx == NULL) {
		l->idx = old;
		return false;
	}
	l->idx_cap = ncap;
	for (k = 0; k < l->n; k++)
		*index_slot(l, l->v[k]->kind, l->v[k]->group) = k + 1;
	free(old);
	return true;
}

/* Remember that f changed, to hand it over at the next flush. */
static void
touch(struct sd_finding *f)
{
	struct sd_findings *l = f->owner;
	struct sd_finding **nv;
	size_t ncap;

	if (f->touched || l == NULL)
		return;
	f->touched = true;
	if (l->ntouched == l->touched_cap) {
		ncap = l->touched_cap ? l->touched_cap * 2 : 64;
		nv = realloc(l->touched, ncap * sizeof(*nv));
		if (nv == NULL) {
			l->touched_lost++;	/* sd_findings_settle() still hands it over */
			return;
		}
		l->touched = nv;
		l->touched_cap = ncap;
	}
	l->touched[l->ntouched++] = f;
}

static struct sd_finding	*get(struct sd_findings *, enum sd_kind, const char *, int64_t,
			    uint32_t, uint32_t, bool);

struct sd_finding *
sd_finding_add(struct sd_findings *l, enum sd_kind kind, const char *group, int64_t sec,
    uint32_t nsec, uint32_t file_index)
{
	return get(l, kind, group, sec, nsec, file_index, true);
}

struct sd_finding *
sd_finding_put(struct sd_findings *l, enum sd_kind kind, const char *group, int64_t sec,
    uint32_t nsec, uint32_t file_index)
{
	return get(l, kind, group, sec, nsec, file_index, false);
}

static struct sd_finding *
get(struct sd_findings *l, enum sd_kind kind, const char *group, int64_t sec,
    uint32_t nsec, uint32_t file_index, bool again)
{
	const struct sd_finding_kind *k = sd_finding_kind(kind);
	struct sd_finding *f;
	size_t *slot;

	if (group == NULL)
		group = "";
	if (!index_grow(l))
		return NULL;
	if (k == NULL)
		return NULL;
	slot = index_slot(l, k->kind, group);
	if (*slot != 0) {
		f = l->v[*slot - 1];
		if (!again)
			return f;	/* the same cause restated: changes tell themselves */
		f->count++;
		f->last_sec = sec;
		f->last_nsec = nsec;
		touch(f);
		return f;
	}
	if (l->n >= SD_FINDINGS_MAX) {
		l->dropped++;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		struct sd_finding **nv = realloc(l->v, ncap * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		l->v = nv;
		l->cap = ncap;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->group = strdup(group);
	if (f->group == NULL) {
		free(f);
		return NULL;
	}
	f->k = kind;
	f->kind = k->kind;
	f->severity = k->severity;
	f->explanation = k->explanation;
	f->fix = k->fix;
	f->confidence = 1.0;
	f->count = 1;
	f->file_index = file_index;
	f->first_sec = f->last_sec = sec;
	f->first_nsec = f->last_nsec = nsec;
	f->owner = l;
	l->v[l->n++] = f;
	*slot = l->n;
	touch(f);
	return f;
}

bool
sd_grow(void **v, size_t *cap, size_t n, size_t sz, size_t max)
{
	size_t ncap;
	void *nv;

	if (n < *cap)
		return true;
	if (*cap >= max)
		return false;
	ncap = *cap == 0 ? 2 : *cap > max / 2 ? max : *cap * 2;
	if (ncap > max)
		ncap = max;
	if ((nv = realloc(*v, ncap * sz)) == NULL)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

/*
 * The evidence frames stay in ascending order without duplicates, whatever order the rule
 * names them in (a reply before its request, a later connection's frames first): the
 * outputs list them as they are.  Past the cap a frame is only counted.
 */
void
sd_finding_frame(struct sd_finding *f, uint64_t frame)
{
	size_t i;

	for (i = 0; i < f->nframes && f->frames[i] < frame; i++)
		;
	if (i < f->nframes && f->frames[i] == frame)
		return;
	touch(f);
	f->nframes_total++;
	if (f->nframes == SD_FINDING_MAX_FRAMES || !sd_grow((void **)&f->frames, &f->frames_cap,
	    f->nframes, sizeof(f->frames[0]), SD_FINDING_MAX_FRAMES))
		return;
	memmove(&f->frames[i + 1], &f->frames[i], (f->nframes - i) * sizeof(f->frames[0]));
	f->frames[i] = frame;
	f->nframes++;
}

void
sd_finding_severity(struct sd_finding *f, enum sd_sev sev)
{
	if (f->severity == sev)
		return;
	f->severity = sev;
	touch(f);
}

/* A flow of the table by its id; a gateway pair (id 0) by its endpoints. */
static bool
same_flow(const struct sd_finding_flow *x, const struct sd_finding_flow *y)
{
	if (x->id != y->id || x->file_index != y->file_index)
		return false;
	return x->id != 0 || (x->proto == y->proto && x->cport == y->cport &&
	    x->sport == y->sport && sd_ip_addr_cmp(&x->client, &y->client) == 0 &&
	    sd_ip_addr_cmp(&x->server, &y->server) == 0);
}

void
sd_finding_flow(struct sd_finding *f, const struct sd_finding_flow *fl)
{
	size_t i;

	for (i = 0; i < f->nflows; i++) {
		if (!same_flow(&f->flows[i], fl))
			continue;
		/* a side's SGT first seen after the flow was noted (its first packet came later) */
		if ((fl->tags.sgt_seen & ~f->flows[i].tags.sgt_seen) != 0) {
			sd_flow_tags_merge(&f->flows[i].tags, &fl->tags);
			touch(f);
		}
		return;
	}
	touch(f);
	f->nflows_total++;
	if (f->nflows < SD_FINDING_MAX_FLOWS && sd_grow((void **)&f->flows, &f->flows_cap,
	    f->nflows, sizeof(f->flows[0]), SD_FINDING_MAX_FLOWS))
		f->flows[f->nflows++] = *fl;
}

void
sd_finding_value(struct sd_finding *f, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v;
	size_t i;

	va_start(ap, fmt);
	v = xvasprintf(fmt, ap);
	va_end(ap);
	if (v == NULL)
		return;
	for (i = 0; i < f->nvalues; i++) {
		if (strcmp(f->values[i].name, name) == 0) {
			if (strcmp(f->values[i].value, v) == 0) {
				free(v);	/* unchanged: nothing to tell */
				return;
			}
			touch(f);
			free(f->values[i].value);
			f->values[i].value = v;
			return;
		}
	}
	if (f->nvalues == SD_FINDING_MAX_VALUES) {
		free(v);
		return;
	}
	touch(f);
	f->values[f->nvalues].name = name;
	f->values[f->nvalues].value = v;
	f->nvalues++;
}

void
sd_finding_summary(struct sd_finding *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (s == NULL)
		return;
	if (f->summary != NULL && strcmp(f->summary, s) == 0) {
		free(s);
		return;
	}
	if (f->summary != NULL)
		touch(f);	/* a restated finding's new summary is news */
	free(f->summary);
	f->summary = s;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Append one term of a display filter to buf: "frame.number == lo" for one frame, a closed
 * range for a run.  Returns false, leaving buf as it was, when the term does not fit.
 */
static bool
put_term(char *buf, size_t len, size_t *used, uint64_t lo, uint64_t hi)
{
	const char *sep = *used > 0 ? " || " : "";
	int w;

	if (lo == hi)
		w = snprintf(buf + *used, len - *used, "%sframe.number == %llu", sep,
		    (unsigned long long)lo);
	else
		w = snprintf(buf + *used, len - *used,
		    "%s(frame.number >= %llu && frame.number <= %llu)", sep,
		    (unsigned long long)lo, (unsigned long long)hi);
	if (w < 0 || (size_t)w >= len - *used) {
		buf[*used] = '\0';
		return false;
	}
	*used += (size_t)w;
	return true;
}

/*
 * Wireshark's "frame.number in {a b}" is refused from 4.0 on (set members need commas),
 * and "{a, b}" by 3.6: only == joined with || (and >= && <= for runs) is read by both.
 */
size_t
sd_frames_filter(const uint64_t *frames, size_t n, char *buf, size_t len)
{
	uint64_t local[SD_FINDING_MAX_FRAMES], *fr = local;
	size_t i, j, k, used = 0, covered = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (n == 0)
		return 0;
	if (n > SD_FINDING_MAX_FRAMES && (fr = malloc(n * sizeof(*fr))) == NULL)
		return 0;
	memcpy(fr, frames, n * sizeof(*fr));
	qsort(fr, n, sizeof(*fr), cmp_u64);
	for (i = 0; i < n; i = j) {
		/* fr[i..j) holds the run fr[i] .. fr[k], duplicates included */
		for (j = i + 1, k = i; j < n && fr[j] - fr[k] <= 1; j++)
			if (fr[j] != fr[k])
				k = j;
		if (fr[k] - fr[i] >= 2 && put_term(buf, len, &used, fr[i], fr[k])) {
			covered += j - i;
			continue;
		}
		/* one frame, or a pair (shorter as two terms), or a run that does not fit */
		for (j = i; j < n && fr[j] == fr[i]; j++)
			;
		if (!put_term(buf, len, &used, fr[i], fr[i]))
			break;
		covered += j - i;
	}
	if (fr != local)
		free(fr);
	return covered;
}

size_t
sd_finding_filter(const struct sd_finding *f, char *buf, size_t n)
{
	return sd_frames_filter(f->frames, f->nframes, buf, n);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct sd_finding *x = *(struct sd_finding *const *)a;
	const struct sd_finding *y = *(struct sd_finding *const *)b;
	uint64_t fx = x->nframes ? x->frames[0] : 0, fy = y->nframes ? y->frames[0] : 0;

	int c;

	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if ((c = strcmp(x->kind, y->kind)) != 0)
		return c;	/* a kind's findings together: the report can fold them */
	if (x->file_index != y->file_index)
		return x->file_index < y->file_index ? -1 : 1;
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return 0;
}

void
sd_finding_sort(struct sd_findings *l)
{
	size_t k;

	if (l->n > 1)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_finding);
	if (l->idx != NULL) {	/* positions moved: re-index */
		memset(l->idx, 0, l->idx_cap * sizeof(*l->idx));
		for (k = 0; k < l->n; k++)
			*index_slot(l, l->v[k]->kind, l->v[k]->group) = k + 1;
	}
}

bool
sd_findings_subscribe(struct sd_findings *l, const struct sd_finding_out *o)
{
	if (l->nouts >= SD_FINDING_MAX_OUTS)
		return false;
	l->outs[l->nouts++] = *o;
	return true;
}

void
sd_finding_hold(struct sd_finding *f)
{
	f->held = true;
}

void
sd_finding_release(struct sd_finding *f)
{
	f->held = false;
	touch(f);
}

static bool
has_value(const struct sd_finding *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++)
		if (strcmp(f->values[i].name, name) == 0)
			return true;
	return false;
}

/* Hand one finding to every output. */
static void
hand_over(struct sd_findings *l, struct sd_finding *f)
{
	enum sd_finding_change c = f->decided ? SD_FINDING_UPDATE : SD_FINDING_NEW;
	size_t i;

	f->touched = false;
	f->decided = true;
	f->decided_count = f->count;
	if (l->loss_note[0] != '\0' && !has_value(f, "capture_loss"))
		sd_finding_value(f, "capture_loss", "%s", l->loss_note);
	for (i = 0; i < l->nouts; i++)
		l->outs[i].decided(l->outs[i].ctx, f, c);
}

void
sd_findings_flush(struct sd_findings *l)
{
	size_t i, kept = 0;

	for (i = 0; i < l->ntouched; i++) {
		struct sd_finding *f = l->touched[i];

		if (f->held)
			l->touched[kept++] = f;	/* stays touched: handed over when released */
		else
			hand_over(l, f);
	}
	l->ntouched = kept;
}

void
sd_findings_settle(struct sd_findings *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		l->v[i]->held = false;
	sd_findings_flush(l);
	/* those whose change could not be remembered */
	for (i = 0; i < l->n; i++)
		if (!l->v[i]->decided || l->v[i]->touched)
			hand_over(l, l->v[i]);
	l->ntouched = 0;
}

/*
 * --workers: the same cause found by two workers (each saw some of its flows) becomes one
 * finding, as one engine would have made it: counts add up; the frames are the first
 * SD_FINDING_MAX_FRAMES of both (each list is ascending); the flows are both lists merged
 * by flow id (each keeps its own order), up to the cap; first and last times span both;
 * a value or summary both set is the later occurrence's, as a later event would have set it.
 */
static bool
later(int64_t s1, uint32_t n1, int64_t s2, uint32_t n2)
{
	return s1 > s2 || (s1 == s2 && n1 > n2);
}

static void
merge_frames(struct sd_finding *f, struct sd_finding *g)
{
	uint64_t v[2 * SD_FINDING_MAX_FRAMES];
	size_t i = 0, j = 0, n = 0, dup = 0;

	while ((i < f->nframes || j < g->nframes) && n < SD_FINDING_MAX_FRAMES) {
		if (j == g->nframes || (i < f->nframes && f->frames[i] < g->frames[j])) {
			v[n++] = f->frames[i++];
		} else if (i == f->nframes || g->frames[j] < f->frames[i]) {
			v[n++] = g->frames[j++];
		} else {
			v[n++] = f->frames[i++];
			j++;
			dup++;
		}
	}
	f->nframes_total += g->nframes_total - dup;
	while (f->frames_cap < n)
		if (!sd_grow((void **)&f->frames, &f->frames_cap, f->frames_cap,
		    sizeof(f->frames[0]), SD_FINDING_MAX_FRAMES))
			return;
	if (n > 0)
		memcpy(f->frames, v, n * sizeof(v[0]));
	f->nframes = n;
}

static void
merge_flows(struct sd_finding *f, struct sd_finding *g)
{
	struct sd_finding_flow v[2 * SD_FINDING_MAX_FLOWS];
	size_t i = 0, j = 0, n = 0;

	while ((i < f->nflows || j < g->nflows) && n < SD_FINDING_MAX_FLOWS) {
		if (j == g->nflows || (i < f->nflows && f->flows[i].id <= g->flows[j].id))
			v[n++] = f->flows[i++];
		else
			v[n++] = g->flows[j++];
	}
	f->nflows_total += g->nflows_total;
	while (f->flows_cap < n)
		if (!sd_grow((void **)&f->flows, &f->flows_cap, f->flows_cap,
		    sizeof(f->flows[0]), SD_FINDING_MAX_FLOWS))
			return;
	if (n > 0)
		memcpy(f->flows, v, n * sizeof(v[0]));
	f->nflows = n;
}

static void
merge_one(struct sd_finding *f, struct sd_finding *g)
{
	bool g_later = later(g->last_sec, g->last_nsec, f->last_sec, f->last_nsec);
	size_t i, k;
	char *t;

	f->count += g->count;
	if (later(f->first_sec, f->first_nsec, g->first_sec, g->first_nsec)) {
		f->first_sec = g->first_sec;
		f->first_nsec = g->first_nsec;
		f->file_index = g->file_index;
	}
	if (g_later) {
		f->last_sec = g->last_sec;
		f->last_nsec = g->last_nsec;
		f->confidence = g->confidence;
		if (g->summary != NULL) {
			t = f->summary;
			f->summary = g->summary;
			g->summary = t;
		}
	}
	if (g->severity > f->severity)
		f->severity = g->severity;
	for (k = 0; k < g->nvalues; k++) {
		for (i = 0; i < f->nvalues; i++)
			if (strcmp(f->values[i].name, g->values[k].name) == 0)
				break;
		if (i == f->nvalues) {
			if (f->nvalues == SD_FINDING_MAX_VALUES)
				continue;
			f->values[f->nvalues].name = g->values[k].name;
			f->values[f->nvalues++].value = g->values[k].value;
			g->values[k].value = NULL;
		} else if (g_later) {
			t = f->values[i].value;
			f->values[i].value = g->values[k].value;
			g->values[k].value = t;
		}
	}
	merge_frames(f, g);
	merge_flows(f, g);
}

void
sd_findings_merge(struct sd_findings *l, struct sd_findings *from)
{
	size_t i, *slot;

	for (i = 0; i < from->n; i++) {
		struct sd_finding *g = from->v[i];

		if (!index_grow(l)) {
			l->dropped++;
			finding_free(g);
			continue;
		}
		slot = index_slot(l, g->kind, g->group);
		if (*slot != 0) {
			merge_one(l->v[*slot - 1], g);
			finding_free(g);
			continue;
		}
		if (l->n >= SD_FINDINGS_MAX || !sd_grow((void **)&l->v, &l->cap, l->n,
		    sizeof(l->v[0]), SIZE_MAX / sizeof(l->v[0]))) {
			l->dropped++;
			finding_free(g);
			continue;
		}
		g->owner = l;
		g->touched = false;
		l->v[l->n++] = g;
		*slot = l->n;
	}
	l->dropped += from->dropped;
	from->n = 0;
	from->dropped = 0;
}
