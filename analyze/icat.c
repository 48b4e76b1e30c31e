/* analyze/icat.c - the inspection-CA catalogue: TSV lines of product and issuer CN / O
 * regular expressions (data/interception-cas.tsv, --intercept-cas), matched against DNs. */
#include "analyze/icat.h"

#include "dissect/hash.h"

#include "analyze/x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SD_INTERCEPT_CAS_INSTALLED
#define SD_INTERCEPT_CAS_INSTALLED	"/usr/local/share/shakedown/interception-cas.tsv"
#endif
#ifndef SD_INTERCEPT_CAS_SOURCE
#define SD_INTERCEPT_CAS_SOURCE		"data/interception-cas.tsv"
#endif

static char	cat_path_used[512];
static size_t	cat_used_n;

const char *
sd_rule_intercept_catalogue(size_t *n)
{
	if (n != NULL)
		*n = cat_used_n;
	return cat_path_used[0] != '\0' ? cat_path_used : NULL;
}

/*
 * How many copies of its parts the pattern may compile to, at most: glibc's regcomp copies
 * the operand of `+` once and of {n,m} up to m times, nested or stacked ("a+++...", a line
 * of a hostile file) multiplying them, and takes minutes and gigabytes for 2^100.  The
 * product of every repetition's factor bounds it (an overestimate where they are not
 * nested); past SD_ICAT_MAX_COPIES the pattern is refused.
 */
#define SD_ICAT_MAX_COPIES	256
static bool
repeats_bounded(const char *rx)
{
	unsigned long copies = 1, n, m;
	const char *p = rx;
	char *end;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		/* a repetition of a repetition ("a*++", "b{2}+"): glibc's closure is exponential */
		if ((*p == '+' || *p == '*' || *p == '?' || *p == '{') && p > rx &&
		    (p[-1] == '+' || p[-1] == '*' || p[-1] == '?' || p[-1] == '}') &&
		    !(p - 1 > rx && p[-2] == '\\'))
			return false;
		if (*p == '+' || *p == '*' || *p == '?') {
			/* '*' and '?' too: "a*+++..." makes regcomp's closure exponential */
			copies *= 2;
		} else if (*p == '{' && p[1] >= '0' && p[1] <= '9') {
			n = strtoul(p + 1, &end, 10);
			m = n;
			if (*end == ',')
				m = end[1] >= '0' && end[1] <= '9' ? strtoul(end + 1, &end, 10) : n + 1;
			if (n > SD_ICAT_MAX_COPIES || m > SD_ICAT_MAX_COPIES)
				return false;
			copies *= (m > 1 ? m : 1);
		}
		if (copies > SD_ICAT_MAX_COPIES)
			return false;
	}
	return true;
}

static bool
compile_field(const char *rx, regex_t *re, bool *has)
{
	char buf[1024];
	int n;

	*has = false;
	if (strcmp(rx, "-") == 0 || rx[0] == '\0')
		return true;
	/* the whole attribute must match, as in Chromium's RE2::FullMatch */
	n = snprintf(buf, sizeof(buf), "^(%s)$", rx);
	if (n < 0 || (size_t)n >= sizeof(buf) || !repeats_bounded(rx))
		return false;
	if (regcomp(re, buf, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	*has = true;
	return true;
}

/* Entry i (< n, or n when its block is made). */
static struct sd_icat_entry *
entry(const struct sd_icat *t, size_t i)
{
	return &t->block[i / SD_ICAT_BLOCK][i % SD_ICAT_BLOCK];
}

static void
free_entry(struct sd_icat_entry *e)
{
	if (e->has_cn)
		regfree(&e->cn);
	if (e->has_o)
		regfree(&e->o);
	free(e->product);
}

/* The answers for recent issuer DNs: direct-mapped by the DN's hash, a slot replaced on a
 * collision (bounded: MEMO_SLOTS strings). */
#define MEMO_SLOTS	256
#define MEMO_DN_MAX	512
struct sd_icat_memo {
	struct {
		uint64_t	 h;
		char		*dn;
		int		 m;
	} slot[MEMO_SLOTS];
};

static void
memo_clear(struct sd_icat_memo *mm)
{
	size_t i;

	if (mm == NULL)
		return;
	for (i = 0; i < MEMO_SLOTS; i++) {
		free(mm->slot[i].dn);
		mm->slot[i].dn = NULL;
	}
}

/* Load one catalogue file (TSV: product, CN regex, O regex, source).  -1 on an unreadable
 * file, -2 on a bad line (err says which), else the entries added. */
int
sd_icat_load(struct sd_icat *t, const char *path, char *err, size_t errlen)
{
	char line[2048], *f[4], *p;
	unsigned lineno = 0;
	int added = 0, i;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	memo_clear(t->memo);	/* new entries: new answers */
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		for (i = 0; i < 4; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (i < 2 || t->n >= SD_ICAT_MAX) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, i < 2 ?
			    "expected product<TAB>CN regex<TAB>O regex[<TAB>source]" :
			    "too many entries");
			fclose(fp);
			return -2;
		}
		struct sd_icat_entry *e;

		if (t->block[t->n / SD_ICAT_BLOCK] == NULL &&
		    (t->block[t->n / SD_ICAT_BLOCK] = calloc(SD_ICAT_BLOCK,
		    sizeof(struct sd_icat_entry))) == NULL) {
			snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
			fclose(fp);
			return -2;
		}
		e = entry(t, t->n);
		memset(e, 0, sizeof(*e));
		bool ok = compile_field(f[1], &e->cn, &e->has_cn) &&
		    compile_field(f[2], &e->o, &e->has_o) && (e->has_cn || e->has_o);

		if (!ok || (e->product = strdup(f[0])) == NULL) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, ok ? "out of memory" :
			    "bad regular expression (or one repeating too much to compile), "
			    "or empty entry");
			free_entry(e);
			fclose(fp);
			return -2;
		}
		t->n++;
		added++;
	}
	fclose(fp);
	return added;
}

/*
 * Copy the value of the first attribute `key` ("CN", "O") of an RFC 2253 distinguished
 * name into buf, undoing its backslash escapes.  false when absent.
 */
static bool
dn_attr(const char *dn, const char *key, char *buf, size_t n)
{
	size_t klen = strlen(key), o = 0;
	const char *p = dn;
	bool start = true;

	if (n == 0)
		return false;
	while (*p != '\0') {
		if (start && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			p += klen + 1;
			while (*p != '\0' && *p != ',' && *p != '+') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (o + 1 < n)
					buf[o++] = *p;
				p++;
			}
			buf[o] = '\0';
			return true;
		}
		start = false;
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ',' || *p == '+')
			start = true;
		p++;
	}
	return false;
}

/* The catalogue entry an issuer DN matches, -1 for none.  Entries that test both CN and
 * O win over those testing one (the more specific product name). */
static int match_all(const struct sd_icat *t, const char *dn);

int
sd_icat_match(const struct sd_icat *t, const char *dn)
{
	uint64_t h = sd_hash_str(SD_HASH_INIT, dn);
	size_t k = (size_t)(sd_hash_mix(h) % MEMO_SLOTS);
	struct sd_icat_memo *mm = t->memo;
	char *copy;
	int m;

	if (mm != NULL && mm->slot[k].dn != NULL && mm->slot[k].h == h &&
	    strcmp(mm->slot[k].dn, dn) == 0)
		return mm->slot[k].m;
	m = match_all(t, dn);
	/* a DN from a packet can be long: only short ones are kept (256 x 512 bytes at most) */
	if (mm != NULL && strlen(dn) < MEMO_DN_MAX && (copy = strdup(dn)) != NULL) {
		free(mm->slot[k].dn);
		mm->slot[k].dn = copy;
		mm->slot[k].h = h;
		mm->slot[k].m = m;
	}
	return m;
}

static int
match_all(const struct sd_icat *t, const char *dn)
{
	char cn[512], o[512];
	bool has_cn = dn_attr(dn, "CN", cn, sizeof(cn));
	bool has_o = dn_attr(dn, "O", o, sizeof(o));
	int best = -1, best_score = 0, score;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct sd_icat_entry *e = entry(t, i);

		if (e->has_cn && (!has_cn || regexec(&e->cn, cn, 0, NULL, 0) != 0))
			continue;
		if (e->has_o && (!has_o || regexec(&e->o, o, 0, NULL, 0) != 0))
			continue;
		score = (e->has_cn ? 1 : 0) + (e->has_o ? 1 : 0);
		if (score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

/* The leaf's subject carries the catalogue entry's Organization: the vendor's own. */
bool
sd_icat_is_vendors(const struct sd_icat *t, int m, const char *subject)
{
	const struct sd_icat_entry *e;
	char o[512];

	if (m < 0 || (size_t)m >= t->n)	/* no entry (sd_icat_match found none) */
		return false;
	e = entry(t, (size_t)m);
	return subject != NULL && e->has_o && dn_attr(subject, "O", o, sizeof(o)) &&
	    regexec(&e->o, o, 0, NULL, 0) == 0;
}

struct sd_icat *
sd_icat_new(void)
{
	struct sd_icat *t = calloc(1, sizeof(*t));

	if (t != NULL && (t->memo = calloc(1, sizeof(*t->memo))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
sd_icat_free(struct sd_icat *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free_entry(entry(t, i));
	for (i = 0; i < sizeof(t->block) / sizeof(t->block[0]); i++)
		free(t->block[i]);
	memo_clear(t->memo);
	free(t->memo);
	free(t);
}

int
sd_icat_load_shipped(struct sd_icat *t, char *err, size_t errlen)
{
	static const char *const shipped[] = { SD_INTERCEPT_CAS_INSTALLED,
		SD_INTERCEPT_CAS_SOURCE };
	size_t i;
	int n;

	cat_path_used[0] = '\0';
	cat_used_n = 0;
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		n = sd_icat_load(t, shipped[i], err, errlen);
		if (n == -1)
			continue;
		if (n < 0)
			return n;
		snprintf(cat_path_used, sizeof(cat_path_used), "%s", shipped[i]);
		cat_used_n = (size_t)n;
		return n;
	}
	return 0;
}

const char *
sd_icat_product(const struct sd_icat *t, int m)
{
	return m >= 0 && (size_t)m < t->n ? entry(t, (size_t)m)->product : NULL;
}

int
sd_icat_chain(const struct sd_icat *t, const struct sd_x509_info *const *x, size_t n,
    const char **issuer)
{
	size_t i;
	int m;

	if (issuer != NULL)
		*issuer = NULL;
	for (i = 0; i < n; i++) {
		/*
		 * The leaf's issuer names the CA that signed for this name; a chain that also
		 * carries the inspection CA itself matches on that certificate's issuer.
		 */
		if (x[i] == NULL || !x[i]->parsed || x[i]->issuer == NULL ||
		    (m = sd_icat_match(t, x[i]->issuer)) < 0)
			continue;
		if (i == 0 && sd_icat_is_vendors(t, m, x[i]->subject))
			return -2;
		if (issuer != NULL)
			*issuer = x[i]->issuer;
		return m;
	}
	return -1;
}
