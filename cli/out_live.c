/* cli/out_live.c - findings the moment they are decided: a compact line on the terminal and
 * a JSON line per finding (standard output or -o FILE, reopened on SIGHUP), repeats of a
 * finding counted and told again only when the count grows tenfold or once a minute. */
#include "cli/out_live.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/json.h"
#include "cli/out.h"
#include "cli/out_redis.h"

#define SEEN_MAX	65536		/* findings whose last telling is remembered */
#define UPDATE_EVERY	60.0		/* seconds between updates of one finding, at most */

struct seen {
	const struct sd_finding *f;	/* NULL: free slot */
	uint64_t	 told_count;
	double		 told_at;
};

struct sd_live_out {
	FILE		*text;		/* compact lines; NULL none */
	bool		 color;
	int		 width;
	FILE		*json;		/* JSON lines; NULL none */
	const char	*path;		/* -o FILE: json is ours to reopen */
	const char *const *files;
	int		 nfiles;
	struct sd_json	 j;
	struct seen	*seen;		/* open addressing by pointer, SEEN_MAX slots */
	size_t		 nseen;
	uint64_t	 lines, updates_held, write_errors;
	struct sd_redis	*redis;		/* borrowed; NULL none */
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sd_live_out *
sd_live_out_new(FILE *text, bool color, int width, FILE *json, const char *path,
    const char *const *files, int nfiles, char *err, size_t errlen)
{
	struct sd_live_out *l = calloc(1, sizeof(*l));

	if (l == NULL || (l->seen = calloc(SEEN_MAX, sizeof(*l->seen))) == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->text = text;
	l->color = color;
	l->width = width;
	l->json = json;
	l->files = files;
	l->nfiles = nfiles;
	if (path != NULL) {
		l->path = path;
		if ((l->json = fopen(path, "a")) == NULL) {
			snprintf(err, errlen, "-o %s: %s", path, strerror(errno));
			free(l->seen);
			free(l);
			return NULL;
		}
	}
	sd_out_json_init(&l->j);
	return l;
}

void
sd_live_out_set_redis(struct sd_live_out *l, struct sd_redis *r)
{
	l->redis = r;
}

FILE *
sd_live_out_json(const struct sd_live_out *l)
{
	return l != NULL ? l->json : NULL;
}

/* The remembered telling of f (made when absent); NULL when the table is full. */
static struct seen *
seen_of(struct sd_live_out *l, const struct sd_finding *f)
{
	size_t h = (size_t)(((uintptr_t)f >> 4) * 11400714819323198485ull) % SEEN_MAX, i;

	for (i = 0; i < SEEN_MAX; i++, h = (h + 1) % SEEN_MAX) {
		if (l->seen[h].f == f)
			return &l->seen[h];
		if (l->seen[h].f == NULL) {
			if (l->nseen >= SEEN_MAX / 2)
				return NULL;
			l->nseen++;
			l->seen[h].f = f;
			return &l->seen[h];
		}
	}
	return NULL;
}

static void
tell(struct sd_live_out *l, const struct sd_finding *f, bool update)
{
	if (l->text != NULL) {
		sd_out_finding_line(l->text, f, update, l->color, l->width);
		fflush(l->text);
	}
	if (l->redis != NULL) {
		/* the same line to the stream: built once in memory */
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m != NULL) {
			sd_out_finding_json_as(m, f, l->files, l->nfiles, &l->j, update ?
			    "finding_update" : "finding");
			fclose(m);
			if (l->json != NULL && fwrite(buf, 1, len, l->json) != len)
				l->write_errors++;
			if (len > 0)	/* nothing when the line was dropped (cli/json.h) */
				sd_redis_push(l->redis, buf, len, f->kind,
				    sd_finding_sev_name(f->severity));
			free(buf);
		}
	} else if (l->json != NULL) {
		sd_out_finding_json_as(l->json, f, l->files, l->nfiles, &l->j, update ?
		    "finding_update" : "finding");
	}
	if (l->json != NULL && (fflush(l->json) != 0 || ferror(l->json))) {
		l->write_errors++;
		clearerr(l->json);
	}
	l->lines++;
}

void
sd_live_out_decided(void *ctx, const struct sd_finding *f, enum sd_finding_change ch)
{
	struct sd_live_out *l = ctx;
	struct seen *s = seen_of(l, f);
	double now = mono();

	if (ch == SD_FINDING_NEW || s == NULL || s->told_count == 0) {
		tell(l, f, ch != SD_FINDING_NEW);
	} else if (f->count >= s->told_count * 10 ||
	    (f->count > s->told_count && now - s->told_at >= UPDATE_EVERY)) {
		tell(l, f, true);
	} else {
		l->updates_held++;
		return;
	}
	if (s != NULL) {
		s->told_count = f->count > 0 ? f->count : 1;
		s->told_at = now;
	}
}

void
sd_live_out_final(struct sd_live_out *l, const struct sd_findings *list)
{
	struct seen *s;
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < list->n; i++) {
		const struct sd_finding *f = list->v[i];

		if (!f->decided)
			continue;
		s = seen_of(l, f);
		if (s == NULL || s->told_count != f->count) {
			tell(l, f, true);
			if (s != NULL)
				s->told_count = f->count;
		}
	}
}

bool
sd_live_out_reopen(struct sd_live_out *l, char *err, size_t errlen)
{
	FILE *nf;

	if (l == NULL || l->path == NULL)
		return true;
	if ((nf = fopen(l->path, "a")) == NULL) {
		snprintf(err, errlen, "-o %s: %s (still writing to the old file)", l->path,
		    strerror(errno));
		return false;
	}
	fclose(l->json);
	l->json = nf;
	return true;
}

void
sd_live_out_counts(const struct sd_live_out *l, uint64_t *lines, uint64_t *held,
    uint64_t *write_errors)
{
	*lines = l != NULL ? l->lines : 0;
	*held = l != NULL ? l->updates_held : 0;
	*write_errors = l != NULL ? l->write_errors : 0;
}

void
sd_live_out_free(struct sd_live_out *l)
{
	if (l == NULL)
		return;
	if (l->path != NULL && l->json != NULL)
		fclose(l->json);
	sd_out_json_free(&l->j);
	free(l->seen);
	free(l);
}
