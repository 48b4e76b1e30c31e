/* cli/evidence_write.c - --evidence: the folders, the pcapng of each finding and its
 * certificates as PEM (RFC 7468). */
#include "cli/evidence.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "capture/cap.h"
#include "capture/pcapng_write.h"
#include "cli/evidence_int.h"
#include "cli/out.h"
#include "dissect/hash.h"

#define EV_BATCH	1024	/* replay: findings written per pass over the inputs, at most */

/* "001-tls.cert.expired": digits, a dash, anything (a folder of an earlier run). */
static bool
is_finding_folder(const char *name)
{
	size_t i = 0;

	while (isdigit((unsigned char)name[i]))
		i++;
	return i >= 3 && name[i] == '-';
}

int
sd_evidence_prepare(const char *dir, bool force, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "--evidence %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--evidence %s: not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "--evidence %s: %s", dir, strerror(errno));
		return -1;
	}
	if (force)
		return 0;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "--evidence %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (is_finding_folder(de->d_name)) {
			snprintf(err, errlen, "--evidence %s: %s/%s is there already (from an "
			    "earlier run?); --force overwrites", dir, dir, de->d_name);
			closedir(d);
			return -1;
		}
	closedir(d);
	return 0;
}

static void
write_error(struct sd_evidence *e, const char *path)
{
	fprintf(stderr, "shakedown: --evidence: %s: %s\n", path, strerror(errno));
	e->st.errors++;
}

enum ev_open { EV_CREATE, EV_APPEND, EV_REWRITE };

/* Open a file of ours: never through a symbolic link; an existing one only with --force
 * (or ours, written earlier in this run: EV_APPEND, EV_REWRITE). */
static FILE *
open_out(struct sd_evidence *e, const char *path, enum ev_open how)
{
	int fl = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, fd;
	bool append = how == EV_APPEND;
	FILE *fp;

	fl |= append ? O_APPEND : how == EV_REWRITE || e->o.force ? O_TRUNC : O_EXCL;
	if ((fd = open(path, fl, 0644)) < 0) {
		write_error(e, path);
		return NULL;
	}
	if ((fp = fdopen(fd, append ? "ab" : "wb")) == NULL) {
		write_error(e, path);
		close(fd);
	}
	return fp;
}

static bool
close_out(struct sd_evidence *e, FILE *fp, const char *path)
{
	if (fclose(fp) != 0) {
		write_error(e, path);
		return false;
	}
	return true;
}

/* The folder of a finding decided for the first time: DIR/NNN-<kind>, the kind's
 * characters limited to [a-z0-9._-] (kinds are program constants; this is a second fence). */
static struct sd_finding_evidence *
folder_new(struct sd_evidence *e, const struct sd_finding *x)
{
	struct sd_finding_evidence *v = calloc(1, sizeof(*v));
	char kind[64];
	size_t i, n;
	int len;

	if (v == NULL)
		return NULL;
	for (i = 0; x->kind[i] != '\0' && i < sizeof(kind) - 1; i++) {
		unsigned char c = (unsigned char)x->kind[i];

		kind[i] = (char)(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-' ?
		    c : '_');
	}
	kind[i] = '\0';
	v->index = ++*e->o.next_index;
	n = strlen(e->o.dir) + strlen(kind) + 32;
	v->dir = malloc(n);
	v->file = malloc(n + 20);
	if (v->dir == NULL || v->file == NULL) {
		free(v->dir);
		free(v->file);
		free(v);
		return NULL;
	}
	len = snprintf(v->dir, n, "%s/%03u-%s", e->o.dir, v->index, kind);
	snprintf(v->file, n + 20, "%.*s/evidence.pcapng", len, v->dir);
	if (mkdir(v->dir, 0755) != 0) {
		struct stat st;

		/* --force reuses a folder of an earlier run, never a link to elsewhere */
		if (errno != EEXIST || !e->o.force) {
			write_error(e, v->dir);
		} else if (lstat(v->dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			return v;
		} else {
			fprintf(stderr, "shakedown: --evidence: %s: not a directory\n", v->dir);
			e->st.errors++;
		}
		free(v->dir);
		free(v->file);
		free(v);
		return NULL;	/* this finding goes without */
	}
	return v;
}

static bool
is_evidence_frame(const struct sd_finding *x, uint64_t frame)
{
	size_t lo = 0, hi = x->nframes, mid;

	while (lo < hi) {		/* frames are ascending */
		mid = (lo + hi) / 2;
		if (x->frames[mid] == frame)
			return true;
		if (x->frames[mid] < frame)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The comment of an evidence frame: the finding and what the frame shows (its events). */
static void
frame_comment(const struct sd_evidence *e, struct sd_finding *x, uint64_t frame,
    char *buf, size_t n)
{
	const struct ev_flow *f;
	struct ev_flow **fl;
	size_t len, i, nfl, said = 0;
	bool partial = x->evidence->partial;
	unsigned k;

	fl = ev_finding_flows(e, x, 0, x->nflows, &nfl);
	x->evidence->partial = partial;		/* only looking */
	len = (size_t)snprintf(buf, n, "shakedown finding %03u %s (%s), frame %llu of the "
	    "input: ", x->evidence->index, x->kind, sd_finding_sev_name(x->severity),
	    (unsigned long long)sd_frame_no(frame));
	for (i = 0; i < nfl && len < n; i++) {
		f = fl[i];
		for (k = 0; k < f->nlab && len < n; k++) {
			if (f->lab[k].frame != frame || said >= 4)
				continue;
			len += (size_t)snprintf(buf + len, n - len, "%s%s", said > 0 ? ", " : "",
			    sd_ev_type_name(f->lab[k].type));
			said++;
		}
	}
	if (said == 0 && len < n)
		snprintf(buf + len, n - len, "evidence frame");
	free(fl);
}

/* PEM (RFC 7468): base64 lines of 64 characters between the labels. */
static bool
write_pem(FILE *fp, const uint8_t *der, size_t n)
{
	unsigned char line[65];
	size_t i, k;

	fputs("-----BEGIN CERTIFICATE-----\n", fp);
	for (i = 0; i < n; i += 48) {
		k = n - i < 48 ? n - i : 48;
		EVP_EncodeBlock(line, der + i, (int)k);
		fprintf(fp, "%s\n", line);
	}
	fputs("-----END CERTIFICATE-----\n", fp);
	return !ferror(fp);
}

/* The certificates of flows[from..to) not written yet: cert-<n>.pem each. */
static void
write_certs(struct sd_evidence *e, struct sd_finding *x, size_t from, size_t to)
{
	struct sd_finding_evidence *v = x->evidence;
	const struct ev_flow *f;
	struct ev_flow **fl;
	char path[4096];
	size_t i, k, nfl;
	unsigned c;
	uint64_t h;
	FILE *fp;

	fl = ev_finding_flows(e, x, from, to, &nfl);
	for (i = 0; i < nfl; i++) {
		f = fl[i];
		for (c = 0; c < f->ncerts; c++) {
			h = sd_hash(SD_HASH_INIT, f->cert[c], f->certlen[c]);
			for (k = 0; k < v->ncerts && v->cert_hash[k] != h; k++)
				;
			if (k < v->ncerts)
				continue;	/* the same certificate from another flow */
			if (v->ncerts == sizeof(v->cert_hash) / sizeof(v->cert_hash[0])) {
				v->partial = true;
				goto out;
			}
			snprintf(path, sizeof(path), "%s/cert-%u.pem", v->dir, v->ncerts + 1);
			if ((fp = open_out(e, path, EV_CREATE)) == NULL)
				goto out;
			if (!write_pem(fp, f->cert[c], f->certlen[c])) {
				fclose(fp);
				write_error(e, path);
				goto out;
			}
			if (!close_out(e, fp, path))
				goto out;
			v->cert_hash[v->ncerts++] = h;
		}
	}
out:
	free(fl);
}

static int
cmp_pkt(const void *a, const void *b)
{
	const struct ev_pkt *p = *(const struct ev_pkt *const *)a;
	const struct ev_pkt *q = *(const struct ev_pkt *const *)b;

	if (p->sec != q->sec)
		return p->sec < q->sec ? -1 : 1;
	if (p->nsec != q->nsec)
		return p->nsec < q->nsec ? -1 : 1;
	return p->frame < q->frame ? -1 : p->frame > q->frame;
}

/* Stream: the kept packets of flows[from..to), in time order, without duplicates. */
static struct ev_pkt **
gather_pkts(const struct sd_evidence *e, struct sd_finding *x, size_t from, size_t to,
    size_t *np)
{
	struct ev_pkt **v = NULL, **nv;
	const struct ev_flow *f;
	struct ev_flow **fl;
	size_t i, n = 0, k, m, nfl;
	unsigned j;

	fl = ev_finding_flows(e, x, from, to, &nfl);
	for (i = 0; i < nfl; i++) {
		f = fl[i];
		if ((nv = realloc(v, (n + f->nhead + f->ntail + f->nkeep + 1) * sizeof(*v))) == NULL)
			break;
		v = nv;
		for (j = 0; j < f->nhead && f->head != NULL; j++)
			if (f->head[j] != NULL)
				v[n++] = f->head[j];
		for (j = 0; j < SD_EVIDENCE_TAIL && f->tail != NULL; j++)
			if (f->tail[j] != NULL)
				v[n++] = f->tail[j];
		for (j = 0; j < f->nkeep; j++)
			v[n++] = f->keep[j];
	}
	free(fl);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_pkt);
	for (k = 0, m = 0; k < n; k++)
		if (m == 0 || v[m - 1]->frame != v[k]->frame)
			v[m++] = v[k];
	*np = m;
	return v;
}

/* Stream: write (or append a section with) the packets of flows[from..to) now. */
static void
write_stream(struct sd_evidence *e, struct sd_finding *x, size_t from, size_t to,
    enum ev_open how)
{
	struct sd_finding_evidence *v = x->evidence;
	struct sd_pcapng_w *w;
	struct ev_pkt **p;
	char comment[512];
	size_t n, i, shown = 0;
	FILE *fp;

	p = gather_pkts(e, x, from, to, &n);
	if ((fp = open_out(e, v->file, how)) == NULL) {
		free(p);
		return;
	}
	if ((w = sd_pcapng_w_new(fp, "shakedown")) == NULL) {
		fclose(fp);
		write_error(e, v->file);
		free(p);
		return;
	}
	for (i = 0; i < n; i++) {
		bool ev = is_evidence_frame(x, p[i]->frame);

		if (ev) {
			frame_comment(e, x, p[i]->frame, comment, sizeof(comment));
			shown++;
		}
		if (sd_pcapng_w_packet(w, p[i]->linktype, p[i]->sec, p[i]->nsec, p[i]->caplen,
		    p[i]->len, p[i]->data, ev ? comment : NULL) != 0)
			break;
	}
	if (how == EV_REWRITE) {
		e->st.packets -= v->packets;
		v->packets = 0;
	}
	v->packets += sd_pcapng_w_count(w);
	e->st.packets += sd_pcapng_w_count(w);
	if (!sd_pcapng_w_free(w)) {
		fclose(fp);
		write_error(e, v->file);
	} else {
		close_out(e, fp, v->file);
	}
	if (how != EV_APPEND && shown < x->nframes)
		v->partial = true;	/* an evidence frame the finding names is not in it */
	free(p);
}

void
ev_write_decided(struct sd_evidence *e, struct sd_finding *x)
{
	struct sd_finding_evidence *v = x->evidence;
	struct ev_flow **fl;
	bool first = v == NULL;
	size_t i, nfl;

	if (first) {
		if ((v = x->evidence = folder_new(e, x)) == NULL)
			return;
		e->st.findings++;
	}
	if (x->nflows_total > x->nflows || x->nframes_total > x->nframes)
		v->partial = true;	/* more than a finding lists */
	if (!e->o.stream) {
		/* replay: written at the end; what it needs must stay until then */
		fl = ev_finding_flows(e, x, v->nflows_done, x->nflows, &nfl);
		for (i = 0; i < nfl; i++)
			ev_flow_pin(e, fl[i]);
		free(fl);
		v->nflows_done = x->nflows;
		return;
	}
	if (!first && v->nflows_done == x->nflows)
		return;
	write_stream(e, x, v->nflows_done, x->nflows, first ? EV_CREATE : EV_APPEND);
	write_certs(e, x, v->nflows_done, x->nflows);
	v->nflows_done = x->nflows;
}

/* Replay: one frame wanted by one finding of the batch. */
struct ev_want {
	uint64_t	 ref;
	size_t		 j;	/* in the batch */
};

static int
cmp_want(const void *a, const void *b)
{
	const struct ev_want *p = a, *q = b;

	if (p->ref != q->ref)
		return p->ref < q->ref ? -1 : 1;
	return p->j < q->j ? -1 : p->j > q->j;
}

/* The frames finding x wants (its flows' and its own evidence frames) onto *v. */
static bool
want_frames(const struct sd_evidence *e, struct sd_finding *x, size_t j, struct ev_want **v,
    size_t *n, size_t *cap)
{
	const struct ev_flow *f;
	struct ev_flow **fl;
	uint64_t *refs;
	size_t i, k, need, nfl;
	bool ok = false;

	fl = ev_finding_flows(e, x, 0, x->nflows, &nfl);
	for (i = 0; i <= nfl; i++) {
		f = i < nfl ? fl[i] : NULL;
		need = *n + (f != NULL ? f->nrefs : x->nframes);
		if (need > *cap) {
			struct ev_want *nv;
			size_t c = need * 2;

			if ((nv = realloc(*v, c * sizeof(*nv))) == NULL)
				goto out;
			*v = nv;
			*cap = c;
		}
		if (f == NULL) {	/* last: the evidence frames themselves */
			for (k = 0; k < x->nframes; k++) {
				(*v)[*n].ref = x->frames[k];
				(*v)[(*n)++].j = j;
			}
			continue;
		}
		if ((refs = malloc((f->nrefs + 1) * sizeof(*refs))) == NULL)
			goto out;
		ev_flow_refs(f, refs);
		for (k = 0; k < f->nrefs; k++) {
			(*v)[*n].ref = refs[k];
			(*v)[(*n)++].j = j;
		}
		free(refs);
	}
	ok = true;
out:
	free(fl);
	return ok;
}

/* One input read again: every wanted frame of it to its finding's file. */
static void
replay_file(struct sd_evidence *e, uint32_t fi, struct ev_want *v, size_t n, size_t *k,
    struct sd_finding **xs, struct sd_pcapng_w **w)
{
	char err[SD_ERRBUF], comment[512];
	struct sd_cap *cap = NULL;
	struct sd_frame fr;
	uint64_t ref;

	if (fi < (uint32_t)e->o.nfiles && sd_cap_open_file(&cap, e->o.files[fi], err) != 0) {
		fprintf(stderr, "shakedown: --evidence: reading again: %s\n", err);
		e->st.errors++;
		cap = NULL;
	}
	while (cap != NULL && *k < n && sd_frame_file(v[*k].ref) == fi &&
	    sd_cap_next(cap, &fr, err) == SD_CAP_FRAME) {
		ref = sd_frame_ref(fi, fr.no);
		while (*k < n && sd_frame_file(v[*k].ref) == fi && v[*k].ref < ref) {
			xs[v[*k].j]->evidence->partial = true;	/* not in the file (changed?) */
			(*k)++;
		}
		for (; *k < n && v[*k].ref == ref; (*k)++) {
			struct sd_finding *x = xs[v[*k].j];
			bool ev = is_evidence_frame(x, ref);

			if (w[v[*k].j] == NULL)
				continue;
			if (ev)
				frame_comment(e, x, ref, comment, sizeof(comment));
			(void)sd_pcapng_w_packet(w[v[*k].j], fr.linktype, fr.sec, fr.nsec,
			    fr.caplen, fr.len, fr.data, ev ? comment : NULL);
		}
	}
	for (; *k < n && sd_frame_file(v[*k].ref) == fi; (*k)++)
		xs[v[*k].j]->evidence->partial = true;
	if (cap != NULL)
		sd_cap_close(cap);
}

/* Replay: findings xs[0..nx) from one pass over the inputs. */
static void
replay_batch(struct sd_evidence *e, struct sd_finding **xs, size_t nx)
{
	struct sd_pcapng_w *w[EV_BATCH];
	FILE *fp[EV_BATCH];
	struct ev_want *v = NULL;
	size_t n = 0, cap = 0, j, k, m;

	for (j = 0; j < nx; j++)
		if (!want_frames(e, xs[j], j, &v, &n, &cap)) {
			fprintf(stderr, "shakedown: --evidence: out of memory\n");
			e->st.errors++;
			free(v);
			return;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_want);
	for (k = 0, m = 0; k < n; k++)
		if (m == 0 || cmp_want(&v[m - 1], &v[k]) != 0)
			v[m++] = v[k];
	n = m;
	for (j = 0; j < nx; j++) {
		w[j] = NULL;
		if ((fp[j] = open_out(e, xs[j]->evidence->file, EV_CREATE)) != NULL &&
		    (w[j] = sd_pcapng_w_new(fp[j], "shakedown")) == NULL)
			write_error(e, xs[j]->evidence->file);
	}
	for (k = 0; k < n;)
		replay_file(e, sd_frame_file(v[k].ref), v, n, &k, xs, w);
	for (j = 0; j < nx; j++) {
		struct sd_finding_evidence *ev = xs[j]->evidence;

		if (fp[j] == NULL)
			continue;
		if (w[j] != NULL) {
			ev->packets = sd_pcapng_w_count(w[j]);
			e->st.packets += ev->packets;
		}
		if (w[j] == NULL || !sd_pcapng_w_free(w[j])) {
			fclose(fp[j]);
			write_error(e, ev->file);
		} else {
			close_out(e, fp[j], ev->file);
		}
		write_certs(e, xs[j], 0, xs[j]->nflows);
	}
	free(v);
}

void
ev_write_replay(struct sd_evidence *e, const struct sd_findings *l)
{
	struct sd_finding *xs[EV_BATCH];
	size_t i, nx = 0, batch = EV_BATCH;
	struct rlimit rl;

	/* one open file per finding of a pass: stay well within the descriptors allowed */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < batch)
		batch = rl.rlim_cur / 2 > 16 ? rl.rlim_cur / 2 : 16;
	for (i = 0; i < l->n; i++) {
		if (l->v[i]->evidence == NULL)
			continue;
		xs[nx++] = l->v[i];
		if (nx == batch) {
			replay_batch(e, xs, nx);
			nx = 0;
		}
	}
	if (nx > 0)
		replay_batch(e, xs, nx);
}

/*
 * Stream, at the end of the input: a finding written when it was decided misses the packets
 * its flows sent after (the close, a retransmission); written again in full when every
 * packet then written is still kept.
 */
void
ev_write_final(struct sd_evidence *e, struct sd_finding *x)
{
	struct sd_finding_evidence *v = x->evidence;
	struct ev_flow **fl;
	uint64_t kept = 0;
	size_t i, nfl;
	bool partial = v->partial;

	v->partial = false;
	fl = ev_finding_flows(e, x, 0, x->nflows, &nfl);
	for (i = 0; i < nfl; i++)
		kept += (uint64_t)fl[i]->nhead + fl[i]->ntail + fl[i]->nkeep;
	free(fl);
	if (v->partial || kept <= v->packets) {
		v->partial = partial;	/* as it was written */
		return;
	}
	if (x->nflows_total > x->nflows || x->nframes_total > x->nframes)
		v->partial = true;
	write_stream(e, x, 0, x->nflows, EV_REWRITE);
}
