/* cli/out_redis.c - the fleet sink: one XADD per finding, update and statistics record to a
 * Redis stream, through hiredis.  A Redis that is down or goes away never stops the
 * analysis: records wait in a bounded queue (the oldest dropped and counted when it is
 * full), connections are retried with a growing backoff, and every wait on the server is
 * bounded by a short timeout. */
#include "cli/out_redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <hiredis/hiredis.h>

#define CONNECT_MS	200		/* connecting never holds the analysis longer */
#define IO_MS		500		/* nor does one command */
#define BACKOFF_MAX	30.0		/* seconds between reconnection attempts, at most */
#define MAXLEN		100000		/* XADD MAXLEN ~: the stream keeps about this many */

struct rec {
	char	*json, *kind, *sev;
};

struct sd_redis {
	char		 host[256], user[128], pass[256];
	int		 port, db;
	char		 key[256], sensor[256];
	redisContext	*c;
	double		 next_try, backoff;
	bool		 warned, quiet;
	struct rec	*q;		/* ring of qcap records */
	size_t		 qcap, qhead, qn;
	uint64_t	 sent, dropped, failures;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* redis://[[user]:password@]host[:port][/db] */
static bool
parse_url(struct sd_redis *r, const char *url, char *err, size_t errlen)
{
	const char *p, *at, *slash, *colon, *hend;
	size_t n;

	r->port = 6379;
	if (strncasecmp(url, "redis://", 8) != 0)
		goto bad;
	p = url + 8;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (at != NULL && (slash == NULL || at < slash)) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon == NULL)
			goto bad;
		n = (size_t)(colon - p);
		if (n >= sizeof(r->user) || (size_t)(at - colon - 1) >= sizeof(r->pass))
			goto bad;
		memcpy(r->user, p, n);
		r->user[n] = '\0';
		memcpy(r->pass, colon + 1, (size_t)(at - colon - 1));
		r->pass[at - colon - 1] = '\0';
		p = at + 1;
	}
	hend = slash != NULL ? slash : p + strlen(p);
	colon = memchr(p, ':', (size_t)(hend - p));
	n = (size_t)((colon != NULL ? colon : hend) - p);
	if (n == 0 || n >= sizeof(r->host))
		goto bad;
	memcpy(r->host, p, n);
	r->host[n] = '\0';
	if (colon != NULL) {
		char *e;
		long v = strtol(colon + 1, &e, 10);

		if (e != hend || v < 1 || v > 65535)
			goto bad;
		r->port = (int)v;
	}
	if (slash != NULL && slash[1] != '\0') {
		char *e;
		long v = strtol(slash + 1, &e, 10);

		if (*e != '\0' || v < 0 || v > 65535)
			goto bad;
		r->db = (int)v;
	}
	return true;
bad:
	snprintf(err, errlen, "--redis '%s': expected redis://[[user]:password@]host[:port][/db]",
	    url);
	return false;
}

struct sd_redis *
sd_redis_new(const char *url, const char *key, size_t queue, const char *sensor, bool quiet,
    char *err, size_t errlen)
{
	struct sd_redis *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->q = calloc(queue > 0 ? queue : 1, sizeof(*r->q))) == NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->qcap = queue > 0 ? queue : 1;
	r->quiet = quiet;
	r->backoff = 1;
	snprintf(r->key, sizeof(r->key), "%s", key);
	snprintf(r->sensor, sizeof(r->sensor), "%s", sensor);
	if (!parse_url(r, url, err, errlen)) {
		free(r->q);
		free(r);
		return NULL;
	}
	return r;
}

static void
fail(struct sd_redis *r, const char *what)
{
	if (!r->warned && !r->quiet)
		fprintf(stderr, "shakedown: warning: redis %s:%d: %s; findings wait in the "
		    "queue (%zu at most) and the connection is retried\n", r->host, r->port,
		    what, r->qcap);
	r->warned = true;
	r->failures++;
	if (r->c != NULL)
		redisFree(r->c);
	r->c = NULL;
	r->next_try = mono() + r->backoff;
	r->backoff = r->backoff * 2 < BACKOFF_MAX ? r->backoff * 2 : BACKOFF_MAX;
}

static bool
ok_reply(redisReply *rep)
{
	bool ok = rep != NULL && rep->type != REDIS_REPLY_ERROR;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok;
}

static bool
connect_now(struct sd_redis *r)
{
	struct timeval tc = { 0, CONNECT_MS * 1000 }, tio = { 0, IO_MS * 1000 };

	if (mono() < r->next_try)
		return false;
	r->c = redisConnectWithTimeout(r->host, r->port, tc);
	if (r->c == NULL || r->c->err) {
		fail(r, r->c != NULL ? r->c->errstr : "cannot connect");
		return false;
	}
	(void)redisSetTimeout(r->c, tio);
	if (r->pass[0] != '\0' && !(r->user[0] != '\0' ?
	    ok_reply(redisCommand(r->c, "AUTH %s %s", r->user, r->pass)) :
	    ok_reply(redisCommand(r->c, "AUTH %s", r->pass)))) {
		fail(r, "AUTH refused");
		return false;
	}
	if (r->db != 0 && !ok_reply(redisCommand(r->c, "SELECT %d", r->db))) {
		fail(r, "SELECT refused");
		return false;
	}
	if (r->warned && !r->quiet)
		fprintf(stderr, "shakedown: redis %s:%d: connected again, sending %zu queued "
		    "records\n", r->host, r->port, r->qn);
	r->warned = false;
	r->backoff = 1;
	return true;
}

static void
rec_free(struct rec *e)
{
	free(e->json);
	free(e->kind);
	free(e->sev);
	memset(e, 0, sizeof(*e));
}

void
sd_redis_flush(struct sd_redis *r)
{
	struct rec *e;
	redisReply *rep;

	while (r != NULL && r->qn > 0) {
		if (r->c == NULL && !connect_now(r))
			return;
		e = &r->q[r->qhead];
		rep = redisCommand(r->c, "XADD %s MAXLEN ~ %d * json %s kind %s severity %s "
		    "sensor %s", r->key, MAXLEN, e->json, e->kind, e->sev, r->sensor);
		if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
			if (rep != NULL)
				freeReplyObject(rep);
			fail(r, r->c != NULL && r->c->err ? r->c->errstr : "XADD refused");
			return;
		}
		freeReplyObject(rep);
		rec_free(e);
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qn--;
		r->sent++;
	}
}

void
sd_redis_push(struct sd_redis *r, const char *json, size_t len, const char *kind,
    const char *sev)
{
	struct rec *e;

	if (r == NULL)
		return;
	while (len > 0 && (json[len - 1] == '\n' || json[len - 1] == '\r'))
		len--;
	if (r->qn == r->qcap) {		/* full: the oldest goes, counted */
		rec_free(&r->q[r->qhead]);
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qn--;
		r->dropped++;
	}
	e = &r->q[(r->qhead + r->qn) % r->qcap];
	e->json = strndup(json, len);
	e->kind = strdup(kind != NULL ? kind : "");
	e->sev = strdup(sev != NULL ? sev : "");
	if (e->json == NULL || e->kind == NULL || e->sev == NULL) {
		rec_free(e);
		r->dropped++;
		return;
	}
	r->qn++;
	sd_redis_flush(r);
}

void
sd_redis_counts(const struct sd_redis *r, uint64_t *sent, uint64_t *queued,
    uint64_t *dropped)
{
	*sent = r != NULL ? r->sent : 0;
	*queued = r != NULL ? r->qn : 0;
	*dropped = r != NULL ? r->dropped : 0;
}

void
sd_redis_free(struct sd_redis *r)
{
	if (r == NULL)
		return;
	while (r->qn > 0) {
		rec_free(&r->q[r->qhead]);
		r->qhead = (r->qhead + 1) % r->qcap;
		r->qn--;
	}
	if (r->c != NULL)
		redisFree(r->c);
	free(r->q);
	free(r);
}
