/* analyze/clock.c - is the capture's clock right?  Three witnesses, per input file:
 *  - the frame times themselves: before 1995 no TLS certificate of today's web was valid,
 *    and a capture days in the future of the analysis was not made yet;
 *  - the certificates servers send: a capture dated before the notBefore of most of them,
 *    from two issuers or more, was dated by a wrong clock (one server's certificate from
 *    the future is a real failure, the whole web's is not);
 *  - the TLS hello times: TLS up to 1.2 put the sender's clock in the first four bytes of
 *    the hello random (gmt_unix_time, RFC 5246 §7.4.1.2).  Current stacks send random
 *    bytes there instead, which land anywhere in 136 years; two hosts whose hello times
 *    agree with each other within ten minutes are clocks, and a capture clock days away
 *    from them is wrong, one within ten minutes of them is right.
 */
#include "analyze/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/tls_text.h"
#include "analyze/x509.h"
#include "dissect/tls.h"

#define Y1995		788918400LL	/* 1995-01-01T00:00:00Z */
#define Y2000		946684800LL
#define DAY		86400LL
#define AGREE_SEC	600		/* two clocks that agree */
#define FAR_SEC		(2 * DAY)	/* a capture clock this far from the hosts' is wrong */
#define MAX_HINTS	64		/* hello times kept per input */
#define CERT_SET	4096		/* distinct certificates counted per input */
#define MAX_ISSUERS	4
#define MAX_FILES	1024		/* inputs told apart; later ones share the last */

struct hint {
	int64_t		 off;		/* hello time minus frame time */
	uint64_t	 sender;	/* a hash of the sender's address */
};

struct fclock {
	bool		 have;
	int64_t		 first;		/* the earliest frame time */
	/* certificates: distinct ones, and those not yet valid at their frame's time */
	uint64_t	*set;		/* CERT_SET hashes of SHA-256, 0 empty; NULL none yet */
	uint64_t	 certs, notyet;
	uint64_t	 notyet_issuers[MAX_ISSUERS];
	size_t		 nnotyet_issuers;
	char		 notyet_ex[2][200];	/* "CN=ISRG Root X1 (valid from 2015-06-04)" */
	size_t		 nex;
	/* hello times */
	struct hint	 hints[MAX_HINTS];
	size_t		 nhints;
	bool		 agreed;	/* two hosts' hello times agree */
	int64_t		 agreed_off;
	uint64_t	 agreed_senders[2];
	bool		 confirmed;	/* ... and within AGREE_SEC of the capture clock */
};

struct sd_clock {
	int64_t		 given, now;
	bool		 have_base;
	int64_t		 base;		/* the first frame time of all inputs (for --time) */
	struct fclock	*f;
	size_t		 nf;
};

struct sd_clock *
sd_clock_new(int64_t given, int64_t now)
{
	struct sd_clock *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->given = given;
	c->now = now;
	return c;
}

void
sd_clock_free(struct sd_clock *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nf; i++)
		free(c->f[i].set);
	free(c->f);
	free(c);
}

static struct fclock *
file_of(struct sd_clock *c, uint32_t file_index, bool grow)
{
	size_t want = file_index < MAX_FILES ? (size_t)file_index + 1 : MAX_FILES;
	struct fclock *nf;

	if (want > c->nf) {
		if (!grow)
			return c->nf > 0 ? &c->f[c->nf - 1] : NULL;
		if ((nf = realloc(c->f, want * sizeof(*nf))) == NULL)
			return c->nf > 0 ? &c->f[c->nf - 1] : NULL;
		memset(nf + c->nf, 0, (want - c->nf) * sizeof(*nf));
		c->f = nf;
		c->nf = want;
	}
	return &c->f[want - 1];
}

static const struct fclock *
file_get(const struct sd_clock *c, uint32_t file_index)
{
	size_t i = file_index < MAX_FILES ? file_index : MAX_FILES - 1;

	if (c == NULL || c->nf == 0)
		return NULL;
	return &c->f[i < c->nf ? i : c->nf - 1];
}

static uint64_t
fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h != 0 ? h : 1;
}

static int64_t
abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* One hello time: does it agree with another host's, or with the capture clock? */
static void
add_hint(struct sd_clock *c, struct fclock *f, const struct sd_event *ev, const uint8_t *rnd)
{
	int64_t t = (int64_t)((uint32_t)rnd[0] << 24 | (uint32_t)rnd[1] << 16 |
	    (uint32_t)rnd[2] << 8 | rnd[3]);
	uint64_t sender = fnv(ev->src.a, sizeof(ev->src.a));
	struct hint h;
	size_t i;

	/* random bytes fall anywhere: only times a clock could show are compared */
	if (t < Y2000 || t > c->now + 365 * DAY)
		return;
	h.off = t - ev->ts_sec;
	h.sender = sender;
	for (i = 0; i < f->nhints; i++) {
		if (f->hints[i].sender == sender || abs64(f->hints[i].off - h.off) > AGREE_SEC)
			continue;
		if (!f->agreed) {
			f->agreed = true;
			f->agreed_off = h.off;
			f->agreed_senders[0] = f->hints[i].sender;
			f->agreed_senders[1] = sender;
		}
		if (abs64(h.off) <= AGREE_SEC)
			f->confirmed = true;
		break;
	}
	if (f->nhints < MAX_HINTS)
		f->hints[f->nhints++] = h;
}

void
sd_clock_event(struct sd_clock *c, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch;
	const struct sd_tls_server_hello *sh;
	struct fclock *f;

	if (c == NULL || ev->type == SD_EV_CAPTURE)
		return;
	if ((f = file_of(c, ev->file_index, true)) == NULL)
		return;
	if (!f->have || ev->ts_sec < f->first) {
		f->have = true;
		f->first = ev->ts_sec;
	}
	if (!c->have_base) {
		c->have_base = true;
		c->base = ev->ts_sec;
	}
	if (ev->type == SD_EV_TLS_CLIENT_HELLO && (ch = ev->u.msg.client_hello) != NULL &&
	    !ch->retransmit && !(ch->flags & SD_TLS_HELLO_SSLV2))
		add_hint(c, f, ev, ch->random);
	else if (ev->type == SD_EV_TLS_SERVER_HELLO && (sh = ev->u.msg.server_hello) != NULL &&
	    !sh->retransmit && !sh->hello_retry && !sd_tls_is13(sh->version))
		add_hint(c, f, ev, sh->random);
}

/* Count a certificate once; true when it was not counted before (or cannot be told). */
static bool
first_sight(struct fclock *f, const char *sha256)
{
	uint64_t h = fnv(sha256, strlen(sha256));
	size_t i, k;

	if (f->set == NULL && (f->set = calloc(CERT_SET, sizeof(*f->set))) == NULL)
		return false;
	for (i = 0; i < CERT_SET; i++) {
		k = (size_t)((h + i) % CERT_SET);
		if (f->set[k] == h)
			return false;
		if (f->set[k] == 0) {
			if (f->certs >= CERT_SET / 2)
				return false;	/* full: the first half of the capture decides */
			f->set[k] = h;
			return true;
		}
	}
	return false;
}

void
sd_clock_certificates(struct sd_clock *c, uint32_t file_index, int64_t ts,
    const struct sd_x509_info *const *x, size_t n)
{
	struct fclock *f;
	uint64_t ih;
	size_t i, k;

	if (c == NULL || (f = file_of(c, file_index, true)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (x[i] == NULL || !x[i]->parsed || x[i]->not_before[0] == '\0' ||
		    !first_sight(f, x[i]->sha256))
			continue;
		f->certs++;
		if (x[i]->not_before_t <= ts)
			continue;
		f->notyet++;
		ih = fnv(x[i]->issuer != NULL ? x[i]->issuer : "", x[i]->issuer != NULL ?
		    strlen(x[i]->issuer) : 0);
		for (k = 0; k < f->nnotyet_issuers && f->notyet_issuers[k] != ih; k++)
			;
		if (k == f->nnotyet_issuers && k < MAX_ISSUERS)
			f->notyet_issuers[f->nnotyet_issuers++] = ih;
		if (f->nex < 2) {
			char nb[11];

			snprintf(nb, sizeof(nb), "%.10s", x[i]->not_before);
			snprintf(f->notyet_ex[f->nex++], sizeof(f->notyet_ex[0]),
			    "%.170s (valid from %s)", x[i]->subject != NULL ? x[i]->subject :
			    x[i]->sha256, nb);
		}
	}
}

/* Why the clock of f is wrong (a static reason), or NULL. */
static const char *
wrong_why(const struct sd_clock *c, const struct fclock *f)
{
	if (!f->have)
		return NULL;
	if (f->first < Y1995)
		return "before 1995";
	if (f->first > c->now + FAR_SEC)
		return "in the future";
	if (f->confirmed)
		return NULL;
	if (f->agreed && abs64(f->agreed_off) > FAR_SEC)
		return "far from the hosts' own clocks";
	if (f->notyet >= 2 && f->nnotyet_issuers >= 2 && f->notyet * 2 > f->certs)
		return "before most certificates seen were issued";
	return NULL;
}

enum sd_clock_verdict
sd_clock_verdict(const struct sd_clock *c, uint32_t file_index)
{
	const struct fclock *f = file_get(c, file_index);

	if (c == NULL)
		return SD_CLOCK_UNKNOWN;
	if (c->given != 0)
		return SD_CLOCK_GIVEN;
	if (f == NULL)
		return SD_CLOCK_UNKNOWN;
	if (wrong_why(c, f) != NULL)
		return SD_CLOCK_WRONG;
	return f->confirmed ? SD_CLOCK_RIGHT : SD_CLOCK_UNKNOWN;
}

int64_t
sd_clock_when(const struct sd_clock *c, uint32_t file_index, int64_t ts)
{
	if (c == NULL)
		return ts;
	if (c->given != 0)
		return ts + (c->given - (c->have_base ? c->base : ts));
	if (sd_clock_verdict(c, file_index) == SD_CLOCK_WRONG)
		return SD_CLOCK_NO_TIME;
	return ts;
}

size_t
sd_clock_files(const struct sd_clock *c)
{
	return c != NULL ? c->nf : 0;
}

int64_t
sd_clock_first(const struct sd_clock *c, uint32_t file_index)
{
	const struct fclock *f = file_get(c, file_index);

	return f != NULL ? f->first : 0;
}

bool
sd_clock_saw_certificates(const struct sd_clock *c, uint32_t file_index)
{
	const struct fclock *f = file_get(c, file_index);

	return f != NULL && f->certs > 0;
}

static void
iso(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, n, "%lld", (long long)t);
	else
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
sd_clock_text(const struct sd_clock *c, uint32_t file_index, char *buf, size_t n,
    char *evidence, size_t en)
{
	const struct fclock *f = file_get(c, file_index);
	const char *why;
	char t[32], h[32];

	if (n > 0)
		buf[0] = '\0';
	if (evidence != NULL && en > 0)
		evidence[0] = '\0';
	if (c == NULL)
		return;
	if (c->given != 0) {
		iso(c->given, t, sizeof(t));
		iso(c->have_base ? c->base : 0, h, sizeof(h));
		snprintf(buf, n, "the capture clock reads %s; --time %s is taken as the real time "
		    "of the first frame, and validity is judged at it", h, t);
		return;
	}
	if (f == NULL || (why = wrong_why(c, f)) == NULL)
		return;
	iso(f->first, t, sizeof(t));
	t[10] = '\0';	/* the day: frames of a wrong clock are no evidence of the second */
	snprintf(buf, n, "the capture clock reads %s, %s: validity is not judged", t, why);
	if (evidence == NULL || en == 0)
		return;
	if (f->agreed && abs64(f->agreed_off) > FAR_SEC) {
		iso(f->first + f->agreed_off, h, sizeof(h));
		snprintf(evidence, en, "TLS hello times of two hosts agree on %s, %lld days "
		    "from the capture clock", h, (long long)(abs64(f->agreed_off) / DAY));
	} else if (f->notyet > 0) {
		snprintf(evidence, en, "%llu of the %llu certificates seen were not yet valid "
		    "at the capture time, among them %s%s%s",
		    (unsigned long long)f->notyet, (unsigned long long)f->certs, f->notyet_ex[0],
		    f->nex > 1 ? " and " : "", f->nex > 1 ? f->notyet_ex[1] : "");
	}
}

bool
sd_clock_parse_iso(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, k = 0;
	struct tm tm;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &k) != 3 || k != 10)
		return false;
	s += 10;
	if (*s == 'T' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
			return false;
		s += 6;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", &se, &k) != 1 || k != 2)
				return false;
			s += 3;
		}
	}
	if (*s == 'Z')
		s++;
	if (*s != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60 || h < 0 || mi < 0 || se < 0)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if ((t = timegm(&tm)) == (time_t)-1)
		return false;
	*out = (int64_t)t;
	return *out != 0;
}
