/* analyze/rules_trust.c - trust rules: chain verification, names, pins, key changes (RFC 5280, 6125). */
#include "analyze/rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analyze/chain.h"
#include "analyze/clock.h"
#include "analyze/icat.h"
#include "analyze/outcome.h"
#include "analyze/tls_text.h"
#include "analyze/trust.h"
#include "analyze/verify.h"
#include "analyze/withdrawn.h"
#include "analyze/x509.h"
#include "dissect/table.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

/*
 * Per-flow state lives in the flow's storage (freed with the flow).  A chain is checked
 * when its Certificate arrives; the finding waits for the client's reaction (its alert,
 * the end of the handshake, or the flow's end), because the outcome decides how much it
 * matters.  Across flows, bounded tables charged to the memory cap: the key type each
 * server name showed first, the CA certificates servers sent (to tell an incomplete chain
 * from an unknown CA), and the outcomes of each finding's connections.
 */
#define NAMES_MAX	65536	/* server names remembered for key-type changes */
#define CAS_MAX		16384	/* CA certificates seen, by subject */
#define TALLIES_MAX	65536	/* findings whose connections' outcomes are counted */

/* Keyed by the server name, lowercase. */
struct keyname {
	char		 key_type[16];
	uint64_t	 frame;
	uint32_t	 file_index;
	char		 outcome[16];
};

enum { PIN_ANY, PIN_CERT, PIN_SPKI };

struct pin {
	char		 host[256];
	uint16_t	 port;		/* the server's port; 0 any */
	uint8_t		 what;		/* PIN_ANY, PIN_CERT or PIN_SPKI: what the hash is of */
	uint64_t	 seen;		/* certificates checked against it */
	uint8_t		 hash[32];
	size_t		 len;		/* 32 (SHA-256 of DER or SPKI) or 20 (SHA-1 of DER) */
	char		 text[128];	/* as given, for the finding */
};

struct trust_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_verify	*verify;
	struct sd_tab		*names;		/* struct keyname */
	struct sd_tab		*cas;		/* struct sd_chain_seen, by subject DN */
	struct sd_tab		*tallies;	/* struct sd_outcome_tally, by finding */
	uint64_t		 flows_refused;
	struct pin		 pins[SD_RULES_MAX_PINS];
	size_t			 npins;
};

/* ---------------------------------------------------------------- pins */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int
b64val(int c)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(a, c) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Hex with or without colons (40 or 64 digits), or base64 of 20 or 32 bytes. */
static bool
parse_hash(const char *s, uint8_t out[32], size_t *len)
{
	size_t n = 0, i, bits = 0;
	uint32_t acc = 0;
	int hi = -1, v;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == ':')
			continue;
		if ((v = hexval((unsigned char)s[i])) < 0)
			break;
		if (hi < 0)
			hi = v;
		else {
			if (n == 32)
				return false;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (s[i] == '\0' && hi < 0 && (n == 32 || n == 20)) {
		*len = n;
		return true;
	}
	/* base64 (with its '=' padding) */
	n = 0;
	for (i = 0; s[i] != '\0' && s[i] != '='; i++) {
		if ((v = b64val((unsigned char)s[i])) < 0)
			return false;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == 32)
				return false;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	for (; s[i] == '='; i++)
		;
	if (s[i] != '\0' || (n != 32 && n != 20))
		return false;
	*len = n;
	return true;
}

/*
 * HOST or HOST:PORT (the part before '=') into p->host and p->port.  An IPv6 address has
 * colons of its own: with a port it is written in brackets ([2001:db8::1]:443), and
 * without brackets a name with more than one colon is an address, not HOST:PORT.
 */
static bool
parse_pin_host(struct pin *p, const char *s, size_t n)
{
	const char *colon = NULL, *h = s;
	size_t hl = n, i;
	unsigned long port = 0;

	if (n > 0 && s[0] == '[') {
		for (i = 1; i < n && s[i] != ']'; i++)
			;
		if (i == n || (i + 1 < n && s[i + 1] != ':'))
			return false;
		h = s + 1;
		hl = i - 1;
		colon = i + 1 < n ? s + i + 1 : NULL;
	} else {
		for (i = 0; i < n; i++)
			if (s[i] == ':')
				colon = colon == NULL ? s + i : s + n;	/* two: an address */
		if (colon == s + n)
			colon = NULL;
		if (colon != NULL)
			hl = (size_t)(colon - s);
	}
	if (colon != NULL) {
		if (colon + 1 == s + n)
			return false;
		for (i = (size_t)(colon + 1 - s); i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || port > 65535)
				return false;
			port = port * 10 + (unsigned long)(s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return false;
	}
	if (hl == 0 || hl >= sizeof(p->host))
		return false;
	memcpy(p->host, h, hl);
	p->host[hl] = '\0';
	p->port = (uint16_t)port;
	return true;
}

static bool
parse_pins(struct trust_rules *t, const struct sd_rules_opts *o, char *err, size_t errlen)
{
	/* a prefix says what the hash is of; without one its length does (32: either) */
	static const struct {
		const char	*prefix;
		uint8_t		 what;
		size_t		 len;
	} kinds[] = {
		{ "sha1:", PIN_CERT, 20 },
		{ "sha256:", PIN_CERT, 32 },
		{ "spki-sha256:", PIN_SPKI, 32 },
		{ "pin-sha256:", PIN_SPKI, 32 },	/* HPKP's name for it (RFC 7469) */
	};
	const char *eq, *h;
	struct pin *p;
	size_t i, k, want;

	for (i = 0; i < o->npins && i < SD_RULES_MAX_PINS; i++) {
		p = &t->pins[t->npins];
		memset(p, 0, sizeof(*p));
		eq = strchr(o->pins[i], '=');
		h = eq != NULL ? eq + 1 : NULL;
		want = 0;
		for (k = 0; h != NULL && k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (strncasecmp(h, kinds[k].prefix, strlen(kinds[k].prefix)) == 0) {
				h += strlen(kinds[k].prefix);
				p->what = kinds[k].what;
				want = kinds[k].len;
				break;
			}
		if (eq == NULL || !parse_pin_host(p, o->pins[i], (size_t)(eq - o->pins[i])) ||
		    !parse_hash(h, p->hash, &p->len) || (want != 0 && p->len != want)) {
			snprintf(err, errlen, "--pin '%s': expected "
			    "HOST[:PORT]=[sha256:|sha1:|spki-sha256:]HASH ([ADDRESS]:PORT for "
			    "IPv6), HASH in hex (colons allowed) or base64", o->pins[i]);
			return false;
		}
		if (p->what == PIN_ANY && p->len == 20)
			p->what = PIN_CERT;
		snprintf(p->text, sizeof(p->text), "%s", eq + 1);
		t->npins++;
	}
	return true;
}

/* ---------------------------------------------------------------- state */

/* A TLS connection from its ClientHello to its flow record. */
struct tflow {
	bool			 have_client;
	struct sd_addr		 client;
	uint16_t		 cport;
	/*
	 * The server name sent, the name findings use (the SNI, else the server's address)
	 * and the leaf's subject: "" until known, then in strs (one allocation sized to
	 * them, where three 256-byte arrays were: a busy link holds thousands of these).
	 */
	const char		*sni, *name, *leaf_subject;
	char			*strs;		/* owned */
	size_t			 strs_size;
	bool			 cert_seen;
	bool			 chain_checked;	/* the chain was verified (not refused for memory) */
	int64_t			 when;		/* the time its validity was judged at */
	bool			 tls13;		/* ServerHello chose TLS 1.3: certificate hidden */
	bool			 claimed;	/* an inspection CA's chain: rules_intercept.c */
	bool			 judged;	/* its findings are made */
	bool			 had_fault;	/* v or w were set when it was judged */
	bool			 alert_seen;
	uint64_t		 cert_frame;
	int64_t			 cert_sec;
	uint32_t		 cert_nsec;
	char			 leaf_sha256[65];
	char			 key_type[16];
	int			 key_bits;
	struct sd_addr		 server;
	uint16_t		 sport;
	struct sd_trust_verdict	*v;	/* what the chain showed wrong; NULL nothing */
	struct weakset		*w;	/* its weak certificates; NULL none */
	struct sd_outcome_conn	 oc;
};

#define LEAF_MAX	255	/* bytes of the leaf's subject kept */

static void
strs_free(struct trust_rules *t, struct tflow *fl)
{
	sd_memcap_free(t->env->mc, fl->strs, fl->strs_size);
	fl->strs = NULL;
	fl->strs_size = 0;
	fl->sni = fl->name = fl->leaf_subject = "";
}

/*
 * Set the flow's names: sni (sni_len bytes), the name (NULL: the SNI) and the leaf's
 * subject (NULL: none; at most LEAF_MAX bytes kept).  On memory refusal they stay "" and
 * the refusal is counted.
 */
static void
strs_set(struct trust_rules *t, struct tflow *fl, const char *sni, size_t sni_len,
    const char *name, const char *leaf)
{
	size_t name_len = name != NULL ? strlen(name) : 0;
	size_t leaf_len = leaf != NULL ? strnlen(leaf, LEAF_MAX) : 0;
	size_t size = sni_len + 1 + name_len + 1 + leaf_len + 1;
	char *p, *q;

	if ((p = sd_memcap_malloc(t->env->mc, size)) == NULL) {
		strs_free(t, fl);
		t->flows_refused++;
		return;
	}
	q = p;
	memcpy(q, sni, sni_len);
	q[sni_len] = '\0';
	q += sni_len + 1;
	if (name != NULL)
		memcpy(q, name, name_len);
	q[name_len] = '\0';
	q += name_len + 1;
	if (leaf != NULL)
		memcpy(q, leaf, leaf_len);
	q[leaf_len] = '\0';
	strs_free(t, fl);
	fl->strs = p;
	fl->strs_size = size;
	fl->sni = p;
	fl->name = name != NULL ? p + sni_len + 1 : fl->sni;
	fl->leaf_subject = p + sni_len + 1 + name_len + 1;
}

static struct tflow *
flow_get(struct trust_rules *t, const struct sd_event *ev, bool create)
{
	struct tflow *fl = sd_rule_flow(t->env, ev, sizeof(struct tflow), create,
	    &t->flows_refused);

	if (fl != NULL && fl->sni == NULL)
		fl->sni = fl->name = fl->leaf_subject = "";	/* just made */
	return fl;
}

static void	weak_free(struct trust_rules *, struct tflow *);

static void
verdict_free(struct trust_rules *t, struct tflow *fl)
{
	if (fl->v != NULL)
		sd_memcap_free(t->env->mc, fl->v, sizeof(*fl->v));
	fl->v = NULL;
}

static void *
trust_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct trust_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.mc = env->mc;
	if (t == NULL)
		goto oom;
	o.val_size = sizeof(struct keyname);
	o.max = NAMES_MAX;
	if ((t->names = sd_tab_new(&o)) == NULL)
		goto oom;
	o.val_size = sizeof(struct sd_chain_seen);
	o.max = CAS_MAX;
	if ((t->cas = sd_tab_new(&o)) == NULL)
		goto oom;
	o.val_size = sizeof(struct sd_outcome_tally);
	o.max = TALLIES_MAX;
	if ((t->tallies = sd_tab_new(&o)) == NULL)
		goto oom;
	t->env = env;
	t->out = env->out;
	t->verify = env->verify;
	if (!parse_pins(t, env->opts, err, errlen))
		goto fail;
	return t;
oom:
	snprintf(err, errlen, "trust rules: out of memory");
fail:
	if (t != NULL) {
		sd_tab_free(t->names);
		sd_tab_free(t->cas);
		sd_tab_free(t->tallies);
		free(t);
	}
	return NULL;
}

static void
trust_free(void *ctx)
{
	struct trust_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->names);
	sd_tab_free(t->cas);
	sd_tab_free(t->tallies);
	free(t);
}

static void
trust_flow_free(void *ctx, void *state)
{
	struct trust_rules *t = ctx;
	struct tflow *fl = state;

	if (fl != NULL) {
		verdict_free(t, fl);
		weak_free(t, fl);
		strs_free(t, fl);
	}
	sd_rule_flow_release(t->env, state, sizeof(struct tflow));
}

static void
trust_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct trust_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->names) + sd_tab_evicted(t->cas) +
	    sd_tab_evicted(t->tallies);
	st->refused += sd_tab_refused(t->names) + sd_tab_refused(t->cas) +
	    sd_tab_refused(t->tallies);
}

/* ---------------------------------------------------------------- rules */

static struct sd_finding *
add(struct trust_rules *t, enum sd_kind kind, const char *group, const struct sd_event *ev)
{
	struct sd_finding *f = sd_finding_add(t->out, kind, group, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);

	if (f != NULL) {
		sd_finding_frame(f, ev->frame);
		sd_rule_note_flow(f, ev, false);
	}
	return f;
}

/* The connection of fl as a finding's flow. */
static void
conn_flow(const struct tflow *fl, const struct sd_event *ev, struct sd_finding_flow *out)
{
	memset(out, 0, sizeof(*out));
	out->id = ev->flow_id;
	out->proto = ev->transport;
	out->file_index = ev->file_index;
	out->client = fl->client;
	out->cport = fl->cport;
	out->server = fl->server;
	out->sport = fl->sport;
	out->app = ev->carrier;
	out->tags = ev->tags;
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static bool
weak_sig(const char *alg)
{
	char low[64];
	size_t i;

	for (i = 0; alg[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)alg[i]);
	low[i] = '\0';
	return strstr(low, "sha1") != NULL || strstr(low, "md5") != NULL ||
	    strstr(low, "md2") != NULL || strstr(low, "md4") != NULL;
}

/*
 * Weak certificates, judged per chain when the client's reaction is known.  CA/Browser
 * Forum deadlines: MD5 signatures were refused from 2009, RSA keys under 2048 bits issued
 * until the end of 2013, SHA-1 server certificates until the end of 2015; a chain
 * captured before every deadline its weaknesses had was sound at the time.
 */
#define WEAK_MAX	4		/* weak certificates named per chain */
#define T2000		946684800LL	/* 2000-01-01: keys under 1024 bits */
#define T2009		1230768000LL	/* 2009-01-01: MD5 (and MD2, MD4) */
#define T2014		1388534400LL	/* 2014-01-01: RSA and DSA under 2048 bits */
#define T2016		1451606400LL	/* 2016-01-01: SHA-1 */

struct weakcert {
	char		 subject[200];
	char		 why[112];
	int		 depth;
};

struct weakset {
	size_t		 n, total;
	int64_t		 deadline;	/* the earliest deadline of its weaknesses */
	struct weakcert	 c[WEAK_MAX];
};

static void
weak_free(struct trust_rules *t, struct tflow *fl)
{
	if (fl->w != NULL)
		sd_memcap_free(t->env->mc, fl->w, sizeof(*fl->w));
	fl->w = NULL;
}

/* Is x (at position i of the chain, DER der) an anchor whose signature nobody checks? */
static bool
anchor(struct trust_rules *t, const struct sd_x509_info *x, const struct sd_rd *der,
    int64_t when)
{
	const struct withdrawn_root *w;
	int64_t removed = 0;

	if (x->self_issued)
		return true;	/* a root's self-signature */
	if (!x->is_ca)
		return false;
	if (sd_verify_is_anchor(t->verify, der->p, der->len))
		return true;	/* the same CA is a root of the store (cross-signed copy) */
	/* a root of the store at the capture's date, since withdrawn */
	return (w = sd_withdrawn_root(x->subject, &removed)) != NULL &&
	    (when == SD_CLOCK_NO_TIME || removed > when);
}

/* Note what in the chain is weak; judged with the outcome (judge_weak). */
static void
find_weak(struct trust_rules *t, struct tflow *fl, const struct sd_tls_certificate *c,
    const struct sd_x509_info *x, size_t n)
{
	struct weakcert *wc;
	size_t i;

	for (i = 0; i < n; i++) {
		bool small = (strcmp(x[i].key_type, "RSA") == 0 ||
		    strcmp(x[i].key_type, "DSA") == 0) && x[i].key_bits > 0 &&
		    x[i].key_bits < 2048;
		bool sig = weak_sig(x[i].sig_alg) && !anchor(t, &x[i], &c->der[i], fl->when);
		int64_t dl = INT64_MAX;
		char low[64];
		size_t k;

		if (!x[i].parsed || (!small && !sig))
			continue;
		if (fl->w == NULL &&
		    (fl->w = sd_memcap_calloc(t->env->mc, sizeof(*fl->w))) == NULL) {
			t->flows_refused++;
			return;
		}
		if (small)
			dl = x[i].key_bits < 1024 ? T2000 : T2014;
		if (sig) {
			for (k = 0; x[i].sig_alg[k] != '\0' && k + 1 < sizeof(low); k++)
				low[k] = (char)tolower((unsigned char)x[i].sig_alg[k]);
			low[k] = '\0';
			if (strstr(low, "sha1") != NULL) {
				if (dl > T2016)
					dl = T2016;
			} else if (dl > T2009) {
				dl = T2009;
			}
		}
		if (fl->w->total++ == 0 || dl < fl->w->deadline)
			fl->w->deadline = dl;
		if (fl->w->n >= WEAK_MAX)
			continue;
		wc = &fl->w->c[fl->w->n++];
		wc->depth = (int)i;
		snprintf(wc->subject, sizeof(wc->subject), "%s", x[i].subject);
		wc->why[0] = '\0';
		if (small)
			snprintf(wc->why, sizeof(wc->why), "%s %d-bit key", x[i].key_type,
			    x[i].key_bits);
		if (sig)
			snprintf(wc->why + strlen(wc->why), sizeof(wc->why) - strlen(wc->why),
			    "%s%s signature", small ? ", " : "", x[i].sig_alg);
	}
}

static void
ymd(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, n, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, n, "?");
}

/*
 * One finding per server name and chain, listing its weak certificates, with each
 * connection's outcome.  A refusal is the weakness's when nothing else in the chain
 * explains it (high); else the chain's own finding carries the weakness (folded).  A
 * chain accepted, or captured before its deadlines, is info; past them, low if accepted.
 */
static void
judge_weak(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev,
    enum sd_outcome o, const char *what, uint64_t frame, struct sd_finding *chain_f)
{
	const struct weakset *w = fl->w;
	struct sd_outcome_tally *tl;
	struct sd_finding_flow cf;
	struct sd_finding *f;
	char g[400], list[700], date[16], dl[16], tail[400];
	bool then_ok = fl->when != SD_CLOCK_NO_TIME && fl->when < w->deadline;
	enum sd_sev s;
	size_t i;

	list[0] = '\0';
	for (i = 0; i < w->n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s (%s)",
		    i ? "; " : "", w->c[i].subject, w->c[i].why);
	if (o == SD_OUTCOME_REFUSED && chain_f != NULL) {
		sd_finding_value(chain_f, "weak", "%s", list);	/* one finding per cause */
		return;
	}
	if (o == SD_OUTCOME_REFUSED)
		s = SD_SEV_HIGH;
	else if (then_ok || (o == SD_OUTCOME_ACCEPTED && fl->when == SD_CLOCK_NO_TIME))
		s = SD_SEV_INFO;
	else
		s = o == SD_OUTCOME_ACCEPTED ? SD_SEV_LOW : SD_SEV_MEDIUM;
	snprintf(g, sizeof(g), "%s|%s", fl->name, fl->leaf_sha256);
	f = sd_finding_add(t->out, SD_K_TRUST_WEAK_CERTIFICATE, g, fl->cert_sec, fl->cert_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->severity = s;
		f->confidence = 0.9;
		sd_finding_value(f, "server", "%s", fl->name);
		for (i = 0; i < w->n; i++) {
			/* value names are kept by reference: static strings */
			static const char *const wn[WEAK_MAX] = { "weak_1", "weak_2", "weak_3",
				"weak_4" };

			sd_finding_value(f, wn[i], "%s (depth %d%s): %s", w->c[i].subject,
			    w->c[i].depth, w->c[i].depth == 0 ? ", leaf" : "", w->c[i].why);
		}
		if (w->total > w->n)
			sd_finding_value(f, "weak_more", "%zu more", w->total - w->n);
		ymd(w->deadline, dl, sizeof(dl));
		if (fl->when == SD_CLOCK_NO_TIME) {
			sd_finding_value(f, "judged", "the capture clock is wrong: weak by today's "
			    "rules (clients refuse these since %s), judged by the outcome", dl);
		} else {
			ymd(fl->when, date, sizeof(date));
			sd_finding_value(f, "judged", "captured %s, %s %s, when clients began to "
			    "refuse such certificates", date, then_ok ? "before" : "after", dl);
		}
		if (o == SD_OUTCOME_REFUSED)
			sd_finding_value(f, "note", "%s", "the chain verifies otherwise: the "
			    "weakness is what the client refused");
	} else if (s > f->severity) {
		f->severity = s;
	}
	if ((tl = sd_trust_tally(t->tallies, f)) != NULL) {
		sd_outcome_tally_add(tl, o, what, frame, fl->oc.keylog);
		sd_outcome_tally_values(tl, f);
	}
	tail[0] = '\0';
	if (tl != NULL)
		sd_outcome_tally_text(tl, tail, sizeof(tail));
	sd_finding_summary(f, "%s presents %zu weak certificate%s: %s (%s)", fl->name, w->total,
	    plural(w->total), list, tail);
	sd_finding_frame(f, fl->cert_frame);
	if (frame != fl->cert_frame && frame != 0)
		sd_finding_frame(f, frame);
	conn_flow(fl, ev, &cf);
	sd_finding_flow(f, &cf);
}

/* The CN of an RFC 2253 subject ("CN=a,O=b"), for certificates without a SAN. */
static bool
subject_cn(const char *subject, char *buf, size_t n)
{
	const char *p = subject, *e;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, "CN=", 3) == 0) {
			p += 3;
			for (e = p; *e != '\0' && !(*e == ',' && e[-1] != '\\'); e++)
				;
			snprintf(buf, n, "%.*s", (int)(e - p), p);
			return true;
		}
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return false;
}

/* Does the leaf fail to cover the SNI?  Its names into names[n] when it does. */
static bool
name_mismatch(const struct sd_x509_info *leaf, const char *sni, char *names, size_t n)
{
	char cn[256];
	unsigned char ip[16];
	size_t i, o = 0;

	if (!leaf->parsed || sni[0] == '\0')
		return false;
	/*
	 * An address literal as SNI (RFC 6066 forbids it, clients still send it) would have
	 * to match an iPAddress SAN, which the certificate facts do not carry: no verdict.
	 */
	if (inet_pton(AF_INET, sni, ip) == 1 || inet_pton(AF_INET6, sni, ip) == 1)
		return false;
	names[0] = '\0';
	for (i = 0; i < leaf->san_dns.n; i++) {
		if (sd_verify_name_matches(leaf->san_dns.v[i].p, leaf->san_dns.v[i].len, sni))
			return false;
		if (o < n)
			o += (size_t)snprintf(names + o, n - o, "%s%s", o ? ", " : "",
			    leaf->san_dns.v[i].p);
	}
	/* the CN counts only without dNSName SANs (RFC 6125 §6.4.4) */
	if (leaf->san_dns.n == 0 && leaf->subject != NULL &&
	    subject_cn(leaf->subject, cn, sizeof(cn))) {
		if (sd_verify_name_matches(cn, strlen(cn), sni))
			return false;
		snprintf(names, n, "CN=%s", cn);
	}
	return true;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static bool
hex_eq(const char *hexs, const uint8_t *h, size_t n)
{
	char buf[65];

	hex(h, n, buf);
	return strcmp(buf, hexs) == 0;
}

static void
rule_pins(struct trust_rules *t, const struct sd_event *ev, const struct sd_rd *der,
    const struct sd_x509_info *leaf, const char *sni)
{
	char addr[SD_ADDR_STRLEN], g[400];
	uint8_t spki[32];
	bool have_spki, ok;
	struct sd_finding *f;
	size_t i;

	if (t->npins == 0)
		return;
	sd_ip_addr_str(&ev->src, addr);
	/* from the certificate cache; parsed again only when the cache had no room */
	have_spki = leaf->have_spki;
	if (have_spki)
		memcpy(spki, leaf->spki_sha256, sizeof(spki));
	else if (leaf->sha256[0] == '\0')
		have_spki = sd_verify_spki_sha256(der->p, der->len, spki);
	for (i = 0; i < t->npins; i++) {
		const struct pin *p = &t->pins[i];

		if ((strcasecmp(p->host, sni) != 0 && strcasecmp(p->host, addr) != 0) ||
		    (p->port != 0 && p->port != ev->sport))
			continue;
		t->pins[i].seen++;
		if (p->len == 20)
			ok = hex_eq(leaf->sha1, p->hash, 20);
		else
			ok = (p->what != PIN_SPKI && hex_eq(leaf->sha256, p->hash, 32)) ||
			    (p->what != PIN_CERT && have_spki &&
			    memcmp(spki, p->hash, 32) == 0);
		if (ok)
			continue;
		snprintf(g, sizeof(g), "%s|%s", p->host, leaf->sha256);
		if ((f = add(t, SD_K_TRUST_PIN_MISMATCH, g, ev)) == NULL)
			continue;
		if (f->count == 1) {
			char sp[65];

			sd_finding_value(f, "host", "%s", p->host);
			sd_finding_value(f, "pinned", "%s", p->text);
			if (p->len == 20)
				sd_finding_value(f, "presented_sha1", "%s", leaf->sha1);
			sd_finding_value(f, "presented_sha256", "%s", leaf->sha256);
			if (have_spki) {
				hex(spki, 32, sp);
				sd_finding_value(f, "presented_spki_sha256", "%s", sp);
			}
			sd_finding_value(f, "presented", "%s", leaf->subject != NULL ?
			    leaf->subject : "(unparsable)");
		}
		sd_finding_summary(f, "%s presented a certificate other than the pinned one "
		    "(%llu connection%s)", p->host, (unsigned long long)f->count,
		    plural(f->count));
	}
}

void
sd_rule_trust_unseen_pins(const void *ctx, void (*fn)(void *, const char *, unsigned),
    void *fctx)
{
	const struct trust_rules *t = ctx;
	size_t i;

	for (i = 0; i < t->npins; i++)
		if (t->pins[i].seen == 0)
			fn(fctx, t->pins[i].host, t->pins[i].port);
}

/*
 * One server name showing two key types.  Compared when a connection is judged, each
 * with its own outcome, so the finding never calls a refused connection a success.
 */
static void
rule_key_type(struct trust_rules *t, const struct tflow *fl, const struct sd_event *ev,
    enum sd_outcome o)
{
	struct sd_finding_flow cf;
	struct keyname *k;
	struct sd_finding *f;
	char low[256];
	bool created;
	size_t i;

	if (fl->key_type[0] == '\0')
		return;
	for (i = 0; fl->name[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)fl->name[i]);
	low[i] = '\0';
	k = sd_tab_get(t->names, low, i, true, &created);
	if (k == NULL)
		return;
	if (created) {
		snprintf(k->key_type, sizeof(k->key_type), "%s", fl->key_type);
		snprintf(k->outcome, sizeof(k->outcome), "%s", sd_outcome_name(o));
		k->frame = fl->cert_frame;
		k->file_index = ev->file_index;
		return;
	}
	if (strcmp(k->key_type, fl->key_type) == 0)
		return;
	f = sd_finding_add(t->out, SD_K_TRUST_KEY_TYPE_CHANGED, fl->name, fl->cert_sec,
	    fl->cert_nsec, ev->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.7;	/* dual-certificate servers do this on purpose */
		sd_finding_value(f, "server", "%s", fl->name);
		sd_finding_value(f, "first_key_type", "%s (frame %llu, %s)", k->key_type,
		    (unsigned long long)sd_frame_no(k->frame), k->outcome);
		sd_finding_value(f, "other_key_type", "%s %d-bit (frame %llu, %s)", fl->key_type,
		    fl->key_bits, (unsigned long long)sd_frame_no(fl->cert_frame),
		    sd_outcome_name(o));
		sd_finding_value(f, "other_certificate", "%s", fl->leaf_subject);
		if (k->file_index == ev->file_index)
			sd_finding_frame(f, k->frame);
	}
	sd_finding_summary(f, "%s presents %s certificates on some connections and %s on "
	    "others (%llu change%s)", fl->name, k->key_type, fl->key_type,
	    (unsigned long long)f->count, plural(f->count));
	sd_finding_frame(f, fl->cert_frame);
	conn_flow(fl, ev, &cf);
	sd_finding_flow(f, &cf);
}

/*
 * The catalogue's text for tls.certificate_rejected says the chain was checked and found
 * sound; with TLS 1.3 the certificate is encrypted and no check ran, so such a finding
 * says that instead.
 */
static const char rejected13_why[] =
    "After the ServerHello chose TLS 1.3 the client sent a fatal certificate alert in the "
    "clear and the handshake ended. TLS 1.3 encrypts the server's certificate, so "
    "shakedown could not see it and ran no check of its chain, name or dates: the alert "
    "alone says that the client refused it (its trust store, a name mismatch, an expired "
    "or revoked certificate, or its own policy).";
static const char rejected13_fix[] =
    "Look at the certificate the server presents (openssl s_client -connect host:port "
    "-servername name -showcerts, or the client's TLS key log with Wireshark) and compare "
    "it with the client's trust store, expected name and policy; the client's own logs "
    "name the reason.";

/* The client refused a chain that verifies for shakedown (or one TLS 1.3 hides). */
static void
rule_rejected(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev,
    const struct sd_tls_alert *a)
{
	const char *an = sd_tls_alert_name(a->description);
	struct sd_finding *f;
	char g[400], srv[SD_ADDR_STRLEN], b[64];

	if (an == NULL)
		an = "?";
	sd_ip_addr_str(&ev->dst, srv);
	if (!fl->cert_seen) {
		fl->leaf_subject = "(encrypted: TLS 1.3)";	/* not in strs: a constant */
		/* no certificate to tell servers apart: the server's name does */
		snprintf(g, sizeof(g), "tls1.3|%s|%u", fl->sni[0] ? fl->sni : srv,
		    a->description);
	} else {
		snprintf(g, sizeof(g), "%s|%u", fl->leaf_subject, a->description);
	}
	f = sd_finding_add(t->out, SD_K_TRUST_CERTIFICATE_REJECTED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	if (!fl->cert_seen) {
		f->explanation = rejected13_why;
		f->fix = rejected13_fix;
	}
	if (f->count == 1) {
		f->confidence = 0.8;
		sd_finding_value(f, "alert", "%s (%u) from the client", an, a->description);
		sd_finding_value(f, "certificate", "%s", fl->leaf_subject);
		sd_finding_value(f, "server", "%s", fl->sni[0] ? fl->sni : srv);
		sd_finding_value(f, "note", "%s", !fl->cert_seen ? "TLS 1.3 encrypts the "
		    "certificate: shakedown could not see it, and checked nothing" :
		    fl->chain_checked ? "the chain verifies against shakedown's trust store: "
		    "the client trusts other roots, checks revocation or policy" : "the chain "
		    "was not verified here (no memory to verify it)");
		if (fl->oc.dtls) {
			sd_finding_value(f, "protocol", "%s", sd_outcome_version(&fl->oc, b,
			    sizeof(b)));
			sd_outcome_hvr_text(&fl->oc, g, sizeof(g));
			if (g[0] != '\0')
				sd_finding_value(f, "hello_verify", "%s", g);
		}
	}
	if (fl->cert_seen)
		sd_finding_summary(f, "%s%sthe client rejected the certificate %s with %s "
		    "(%llu time%s)", fl->oc.dtls ? sd_outcome_version(&fl->oc, b, sizeof(b)) :
		    "", fl->oc.dtls ? ": " : "", fl->leaf_subject, an,
		    (unsigned long long)f->count, plural(f->count));
	else
		sd_finding_summary(f, "the client rejected the certificate of %s with %s; TLS "
		    "1.3 encrypts it, so its chain could not be checked here (%llu time%s)",
		    fl->sni[0] ? fl->sni : srv, an, (unsigned long long)f->count,
		    plural(f->count));
	sd_outcome_hvr_frames(&fl->oc, f);
	if (fl->cert_frame != 0)
		sd_finding_frame(f, fl->cert_frame);
	sd_finding_frame(f, ev->frame);
	sd_rule_note_flow(f, ev, true);
}

/* The client's reaction is known (or will never be): make the connection's findings. */
static void
judge_conn(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev)
{
	struct sd_finding *f;
	struct sd_trust_conn c;
	char what[160];
	uint64_t frame;
	enum sd_outcome o;

	if (fl->judged || !fl->cert_seen)
		return;
	fl->judged = true;
	if (fl->claimed)
		return;		/* an inspection CA: one finding, tls.interception_ca */
	o = sd_outcome_judge(&fl->oc, what, sizeof(what), &frame);
	rule_key_type(t, fl, ev, o);
	if (o == SD_OUTCOME_UNDELIVERED)
		return;		/* the path finding carries it: the client never saw the chain */
	if (fl->v == NULL) {
		if (fl->w != NULL)
			judge_weak(t, fl, ev, o, what, frame, NULL);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.name = fl->name;
	c.sni = fl->sni;
	c.leaf = fl->leaf_subject;
	c.leaf_sha256 = fl->leaf_sha256;
	c.oc = &fl->oc;
	c.sec = fl->cert_sec;
	c.nsec = fl->cert_nsec;
	c.file_index = ev->file_index;
	conn_flow(fl, ev, &c.flow);
	f = sd_trust_report(t->out, t->tallies, fl->v, &c);
	if (fl->w != NULL)
		judge_weak(t, fl, ev, o, what, frame, f);
}

/*
 * Judge the connection once; its findings are then made, and what they were made from
 * (3.7 KiB of verdict, 1.3 KiB of weak certificates) is released at once instead of at
 * the end of the flow: only whether there was any is asked later (on_alert).
 */
static void
judge(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev)
{
	bool was = fl->judged;

	judge_conn(t, fl, ev);
	if (was || !fl->judged)
		return;
	fl->had_fault = fl->v != NULL || fl->w != NULL;
	verdict_free(t, fl);
	weak_free(t, fl);
}

/* Remember the CA certificates servers send: another chain may lack one of them. */
static void
note_cas(struct trust_rules *t, const struct sd_event *ev, const struct sd_x509_info *x,
    size_t n)
{
	struct sd_chain_seen *s;
	char a[SD_ADDR_STRLEN];
	bool created;
	size_t i;

	for (i = 1; i < n; i++) {
		if (!x[i].parsed || x[i].subject == NULL || !(x[i].is_ca || x[i].self_issued))
			continue;
		s = sd_tab_get(t->cas, x[i].subject, strlen(x[i].subject), true, &created);
		if (s == NULL || !created)
			continue;
		snprintf(s->server, sizeof(s->server), ev->src.v == 6 ? "[%s]:%u" : "%s:%u",
		    sd_ip_addr_str(&ev->src, a), ev->sport);
		s->frame = ev->frame;
		s->self_issued = x[i].self_issued;
	}
}

/*
 * Every certificate of the chain out of date at `when`, the one OpenSSL named first (it
 * may be the store's root, not sent): one finding names them all.
 */
static void
list_out_of_date(struct sd_trust_verdict *v, const struct sd_x509_info *x, size_t n,
    int64_t when)
{
	const struct sd_chain_diag *d = &v->d;
	size_t i, o;

	if (when == SD_CLOCK_NO_TIME)
		return;
	snprintf(v->out_of_date, sizeof(v->out_of_date), "%.200s (%s%s%s)", d->v_subject,
	    d->v_depth == 0 ? "leaf" : d->v_root ? "root" : "intermediate",
	    d->v_not_before[0] != '\0' ? (d->validity == 1 ? ", expired " : ", valid from ") :
	    "", d->v_not_before[0] == '\0' ? "" : d->validity == 1 ? d->v_not_after :
	    d->v_not_before);
	v->n_out_of_date = 1;
	for (i = 0; i < n; i++) {
		if (!x[i].parsed || x[i].not_before[0] == '\0' ||
		    (x[i].not_after_t >= when && x[i].not_before_t <= when) ||
		    (x[i].subject != NULL && strcmp(x[i].subject, d->v_subject) == 0))
			continue;
		o = strlen(v->out_of_date);
		snprintf(v->out_of_date + o, sizeof(v->out_of_date) - o, "; %.200s (%s, %s %s)",
		    x[i].subject != NULL ? x[i].subject : x[i].sha256,
		    i == 0 ? "leaf" : x[i].self_issued ? "root" : "intermediate",
		    x[i].not_after_t < when ? "expired" : "valid from",
		    x[i].not_after_t < when ? x[i].not_after : x[i].not_before);
		v->n_out_of_date++;
	}
}

/* Check the chain now; what it shows wrong waits in fl->v for the client's reaction. */
static void
check_chain(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev,
    const struct sd_tls_certificate *c, const struct sd_x509_info *x, size_t n)
{
	const struct sd_x509_info *xp[SD_TLS_MAX_CERTS], *xd[SD_TLS_MAX_CERTS];
	const struct sd_verify_result *r;
	const struct sd_chain_seen *seen = NULL;
	struct sd_trust_verdict v;
	char names[512];
	int64_t when, removed = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		xp[i] = x[i].parsed ? &x[i] : NULL;
		xd[i] = &x[i];		/* described, parsed or not: its SHA-256 keys the verdict */
	}
	fl->claimed = sd_icat_chain(t->env->icat, xp, n, NULL) >= 0;
	/* validity at the capture's real time (--time), or not at all when its clock is wrong */
	sd_clock_certificates(t->env->clock, ev->file_index, ev->ts_sec, xp, n);
	when = sd_clock_when(t->env->clock, ev->file_index, ev->ts_sec);
	r = sd_verify_chain_described(t->verify, c->der, xd, n, when);
	fl->chain_checked = r != NULL;
	fl->when = when;
	if (r != NULL && (r->flags & SD_VERIFY_MISSING_ISSUER))
		seen = sd_tab_get(t->cas, r->missing_issuer, strlen(r->missing_issuer), false,
		    NULL);
	memset(&v, 0, sizeof(v));
	sd_chain_diagnose(xp, n, r, seen, &v.d);
	v.untrusted = v.d.trust != SD_CHAIN_TRUSTED;
	v.when = when;
	if (v.untrusted && v.d.trust != SD_CHAIN_SELF_SIGNED && when != SD_CLOCK_NO_TIME &&
	    (v.withdrawn = sd_withdrawn_root(v.d.named, &removed)) != NULL && removed <= when)
		v.withdrawn = NULL;	/* removed before the capture: untrusted then too */
	v.validity = v.d.validity != 0;
	if (v.validity)
		list_out_of_date(&v, x, n, when);
	v.order = sd_chain_misordered(&v.d);
	v.name = name_mismatch(&x[0], fl->sni, names, sizeof(names));
	if (v.name)
		snprintf(v.names, sizeof(v.names), "%s", names);
	note_cas(t, ev, x, n);
	if (!(v.untrusted || v.validity || v.order || v.name))
		return;
	if (fl->v == NULL && (fl->v = sd_memcap_calloc(t->env->mc, sizeof(*fl->v))) == NULL) {
		t->flows_refused++;
		return;
	}
	*fl->v = v;
}

static void
on_certificate(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_certificate *c = ev->u.msg.certificate;
	struct sd_x509_info x[SD_TLS_MAX_CERTS];
	const struct sd_x509_info *cx;
	char a[SD_ADDR_STRLEN];
	size_t i, n;

	if (c == NULL || c->kept == 0 || c->retransmit || fl->cert_seen)
		return;
	if (fl->have_client && sd_ip_addr_cmp(&ev->src, &fl->client) == 0 &&
	    ev->sport == fl->cport)
		return;		/* the client's own certificate (mutual TLS) */
	n = c->kept;
	/* facts from the shared cache, copied: the rules below read them as an array */
	for (i = 0; i < n; i++) {
		cx = sd_x509_cached(t->env->x509, c->der[i].p, c->der[i].len);
		if (cx != NULL)
			x[i] = *cx;
		else
			memset(&x[i], 0, sizeof(x[i]));
	}
	fl->cert_seen = true;
	fl->cert_frame = ev->frame;
	fl->cert_sec = ev->ts_sec;
	fl->cert_nsec = ev->ts_nsec;
	fl->server = ev->src;
	fl->sport = ev->sport;
	strs_set(t, fl, fl->sni, strlen(fl->sni),
	    fl->sni[0] != '\0' ? NULL : sd_ip_addr_str(&ev->src, a),
	    x[0].subject != NULL ? x[0].subject : x[0].sha256);
	memcpy(fl->leaf_sha256, x[0].sha256, sizeof(fl->leaf_sha256));
	if (x[0].parsed) {
		snprintf(fl->key_type, sizeof(fl->key_type), "%s", x[0].key_type);
		fl->key_bits = x[0].key_bits;
	}
	check_chain(t, fl, ev, c, x, n);
	if (!fl->claimed)
		find_weak(t, fl, c, x, n);
	rule_pins(t, ev, &c->der[0], &x[0], fl->sni);
}

static void
on_alert(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;

	if (a == NULL || a->encrypted || !(fl->cert_seen || fl->tls13) || fl->alert_seen ||
	    !fl->have_client || sd_ip_addr_cmp(&ev->src, &fl->client) != 0 ||
	    ev->sport != fl->cport || a->level != 2)
		return;
	fl->alert_seen = true;
	if (fl->claimed)
		return;
	if (fl->v != NULL || fl->w != NULL || fl->had_fault ||
	    !sd_tls_cert_alert(a->description)) {
		judge(t, fl, ev);	/* the client's fatal alert: it refused */
		return;
	}
	/* our own verdict found nothing: the client judges by something else */
	rule_rejected(t, fl, ev, a);
	judge(t, fl, ev);
}

static void
on_client_hello(struct trust_rules *t, struct tflow *fl, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;

	/* the same attempt: a DTLS hello with the cookie, a TLS 1.3 hello after HRR */
	if (fl->have_client && !fl->cert_seen && sd_ip_addr_cmp(&ev->src, &fl->client) == 0 &&
	    ev->sport == fl->cport) {
		sd_outcome_event(&fl->oc, ev);
		return;
	}
	judge(t, fl, ev);	/* a new handshake on the flow: the last one is over */
	verdict_free(t, fl);
	weak_free(t, fl);
	strs_free(t, fl);
	memset(fl, 0, sizeof(*fl));
	fl->sni = fl->name = fl->leaf_subject = "";
	fl->have_client = true;
	fl->client = ev->src;
	fl->cport = ev->sport;
	if (sd_tls_sni_keepable(ch))
		strs_set(t, fl, (const char *)ch->sni.p, ch->sni.len, NULL, NULL);
	sd_outcome_event(&fl->oc, ev);
}

static void
trust_event(void *ctx, const struct sd_event *ev)
{
	struct trust_rules *t = ctx;
	const struct sd_tls_client_hello *ch;
	const struct sd_tls_server_hello *sh;
	struct tflow *fl;

	if (ev->type == SD_EV_TLS_CLIENT_HELLO) {
		ch = ev->u.msg.client_hello;
		if (ch == NULL || ch->retransmit || ev->flow_id == 0 ||
		    (fl = flow_get(t, ev, true)) == NULL)
			return;
		on_client_hello(t, fl, ev);
		return;
	}
	fl = flow_get(t, ev, ev->type == SD_EV_TLS_CERTIFICATE);
	if (fl != NULL && !fl->have_client && ev->type == SD_EV_TLS_CERTIFICATE) {
		/* picked up after the ClientHello: the certificate's receiver is the client */
		fl->have_client = fl->oc.have_client = true;
		fl->client = fl->oc.client = ev->dst;
		fl->cport = fl->oc.cport = ev->dport;
	}
	if (fl == NULL || !fl->have_client)
		return;
	sd_outcome_event(&fl->oc, ev);
	switch (ev->type) {
	case SD_EV_TLS_CERTIFICATE:
		on_certificate(t, fl, ev);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		sh = ev->u.msg.server_hello;
		if (sh != NULL && !sh->hello_retry)
			fl->tls13 = sd_tls_is13(sh->version);
		break;
	case SD_EV_TLS_ALERT:
		if (ev->u.msg.alert != NULL)
			on_alert(t, fl, ev);
		break;
	case SD_EV_TLS_SESSION:
		/* a finished handshake needs nothing more; a broken one waits for the flow */
		if (fl->oc.complete)
			judge(t, fl, ev);
		break;
	case SD_EV_FLOW:
		judge(t, fl, ev);
		break;
	default:
		break;
	}
}

/*
 * Inputs whose clock is wrong: say so once (when certificates were there to judge), and
 * lower the validity findings decided before the clock was known to be wrong.
 */
static void
clock_findings(struct trust_rules *t)
{
	struct sd_findings *out = t->out;
	struct sd_finding *f;
	char text[300], ev[600];
	size_t i, nout = out->n;
	uint32_t file;
	bool any;

	for (file = 0; file < sd_clock_files(t->env->clock); file++) {
		if (sd_clock_verdict(t->env->clock, file) != SD_CLOCK_WRONG)
			continue;
		sd_clock_text(t->env->clock, file, text, sizeof(text), ev, sizeof(ev));
		any = false;
		for (i = 0; i < nout; i++) {
			f = out->v[i];
			if (f->file_index != file)
				continue;
			if (f->k == SD_K_TRUST_CERTIFICATE_EXPIRED ||
			    f->k == SD_K_TRUST_CERTIFICATE_NOT_YET_VALID) {
				sd_finding_value(f, "clock", "%s", text);
				if (f->severity > SD_SEV_INFO)
					sd_finding_severity(f, SD_SEV_INFO);
				any = true;
			}
		}
		if (!sd_clock_saw_certificates(t->env->clock, file) && !any)
			continue;	/* nothing had a date to judge */
		f = sd_finding_add(out, SD_K_TRUST_CLOCK_IMPLAUSIBLE, "clock",
		    sd_clock_first(t->env->clock, file), 0, file);
		if (f == NULL || f->count != 1)
			continue;
		f->confidence = 0.9;
		sd_finding_summary(f, "%s", text);
		if (ev[0] != '\0')
			sd_finding_value(f, "evidence", "%s", ev);
		sd_finding_value(f, "fix", "%s", "--time YYYY-MM-DDTHH:MM:SSZ gives the real time of "
		    "the first frame");
	}
}

static void
trust_finish(void *ctx)
{
	struct trust_rules *t = ctx;

	clock_findings(t);
}

const struct sd_rule_area sd_rules_trust = {
	"trust", trust_new, trust_event, trust_finish, trust_free, trust_flow_free, trust_stats, NULL,
	false,
};
