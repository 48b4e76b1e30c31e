/* analyze/rules_intercept.c - interception and path rules: inspection CAs, issuers and backends per name, one-way TCP. */
#include "analyze/rules_intercept.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/rules.h"
#include "analyze/x509.h"
#include "dissect/dns.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

#ifndef SD_INTERCEPT_CAS_INSTALLED
#define SD_INTERCEPT_CAS_INSTALLED	"/usr/local/share/shakedown/interception-cas.tsv"
#endif
#ifndef SD_INTERCEPT_CAS_SOURCE
#define SD_INTERCEPT_CAS_SOURCE		"data/interception-cas.tsv"
#endif

/*
 * Bounds.  State is kept per open TLS connection (until its flow record) and per server
 * name (until the end); past a cap new entries are refused and counted, never silently.
 */
#define MAX_CAT		1024	/* catalogue entries (shipped + --intercept-cas) */
#define MAX_CONNS	4096	/* TLS connections awaiting their flow record */
#define MAX_NAMES	1024	/* server names followed across connections */
#define MAX_EPS		16	/* server endpoints (address, port) per name */
#define MAX_ISSUERS	8	/* distinct leaf issuers per name */
#define MAX_CERTS	4	/* distinct leaf certificates per endpoint */
#define MAX_ONEWAY	32	/* one-way flows kept as evidence */
#define MAX_REVOC	64	/* revocation endpoints (CRL / OCSP hosts) followed */
#define MAX_DNS		256	/* DNS names whose answers are kept */
#define MAX_FAILS	256	/* failed connection attempts (address, port) kept */

/* One catalogue line: product and the issuer CN / O regexes (absent: any). */
struct cat_entry {
	char	*product;
	regex_t	 cn, o;
	bool	 has_cn, has_o;
};

/* A TLS connection between its ClientHello and its flow record. */
struct conn {
	uint64_t	 flow_id;
	uint32_t	 file_index;
	struct sd_finding_flow fl;
	char		*sni;		/* owned, NULL when the hello had none */
	uint64_t	 ch_frame, cert_frame, fail_frame;
	int64_t		 sec;
	uint32_t	 nsec;
	bool		 has_cert;
	char		 leaf_sha256[65];
	char		*issuer, *subject;	/* owned, leaf's */
	int		 cat;		/* catalogue entry matched, -1 none, -2 the vendor's own */
	char		*cat_issuer;	/* owned: issuer DN that matched */
	const char	*fail;		/* "client alert unknown_ca (48)"-like, static; NULL ok */
	char		 failbuf[64];
};

struct endpoint {
	struct sd_addr	 addr;
	uint16_t	 port;
	uint64_t	 ok, failed;
	uint64_t	 first_frame, fail_frame;	/* a cert (or hello) frame, a failure frame */
	char		 certs[MAX_CERTS][65];
	size_t		 ncerts;
	char		 issuer_first[256];
	size_t		 nissuers;	/* distinct non-inspection issuers seen here */
	char		 fail_what[64];
};

struct issuer {
	char		*dn;		/* owned */
	uint64_t	 count, frame;
	uint32_t	 eps;		/* bit per endpoint index that showed it */
};

struct name {
	char		*name;		/* owned: SNI, or "[addr]:port" without SNI */
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
	struct endpoint	 ep[MAX_EPS];
	size_t		 nep;
	uint64_t	 ep_overflow;
	struct issuer	 iss[MAX_ISSUERS];
	size_t		 niss;
	uint64_t	 iss_overflow;
	struct sd_finding_flow flows[4];
	size_t		 nflows;
};

struct oneway {
	struct sd_finding_flow fl;
	uint64_t	 first_frame, last_frame;
	uint64_t	 packets;
	int		 seen_role;
	int64_t		 sec;
	uint32_t	 nsec;
};

/* A CRL distribution point or OCSP responder named in a certificate seen. */
struct revoc {
	char		 host[SD_DNS_NAME_MAX];
	char		 url[256];
	uint16_t	 port;
	uint64_t	 cert_frame;
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
};

/* The last DNS answer for a name. */
struct dnsname {
	char		 name[SD_DNS_NAME_MAX];
	uint8_t		 rcode;
	struct sd_addr	 addrs[4];
	size_t		 naddrs;
	uint64_t	 frame;
	uint32_t	 file_index;
};

/* A connection attempt that failed: SYNs unanswered, refused by RST, or ICMP. */
struct connfail {
	struct sd_addr	 addr;
	uint16_t	 port;
	const char	*how;
	uint64_t	 frame1, frame2;
	uint32_t	 file_index;
};

struct intercept_rules {
	struct sd_findings	*out;
	struct revoc		 revoc[MAX_REVOC];
	size_t			 nrevoc;
	struct dnsname		*dns;
	size_t			 ndns;
	struct connfail		 fails[MAX_FAILS];
	size_t			 nfails;
	uint64_t		 revoc_refused, dns_refused, fails_refused;
	struct cat_entry	*cat;
	size_t			 ncat;
	struct conn		*conns;
	size_t			 nconns;
	uint64_t		 conns_refused;
	struct name		*names;
	size_t			 nnames;
	uint64_t		 names_refused;
	struct oneway		 oneway[MAX_ONEWAY];
	size_t			 noneway;
	uint64_t		 oneway_total;
};

static void	add_revoc_list(struct intercept_rules *, const struct sd_x509_list *,
		    const struct sd_event *);

static char	cat_path_used[512];
static size_t	cat_used_n;

const char *
sd_rule_intercept_catalogue(size_t *n)
{
	if (n != NULL)
		*n = cat_used_n;
	return cat_path_used[0] != '\0' ? cat_path_used : NULL;
}

/* ---------------------------------------------------------------- catalogue */

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
	if (n < 0 || (size_t)n >= sizeof(buf))
		return false;
	if (regcomp(re, buf, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	*has = true;
	return true;
}

static void
free_entry(struct cat_entry *e)
{
	if (e->has_cn)
		regfree(&e->cn);
	if (e->has_o)
		regfree(&e->o);
	free(e->product);
}

/* Load one catalogue file (TSV: product, CN regex, O regex, source).  -1 on an unreadable
 * file, -2 on a bad line (err says which), else the entries added. */
static int
load_catalogue(struct intercept_rules *t, const char *path, char *err, size_t errlen)
{
	char line[2048], *f[4], *p;
	unsigned lineno = 0;
	int added = 0, i;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
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
		if (i < 2 || t->ncat >= MAX_CAT) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, i < 2 ?
			    "expected product<TAB>CN regex<TAB>O regex[<TAB>source]" :
			    "too many entries");
			fclose(fp);
			return -2;
		}
		struct cat_entry *e = &t->cat[t->ncat];

		memset(e, 0, sizeof(*e));
		if (!compile_field(f[1], &e->cn, &e->has_cn) ||
		    !compile_field(f[2], &e->o, &e->has_o) ||
		    (!e->has_cn && !e->has_o) || (e->product = strdup(f[0])) == NULL) {
			free_entry(e);
			snprintf(err, errlen, "%s:%u: bad regular expression or empty entry",
			    path, lineno);
			fclose(fp);
			return -2;
		}
		t->ncat++;
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
static int
match_issuer(const struct intercept_rules *t, const char *dn)
{
	char cn[512], o[512];
	bool has_cn = dn_attr(dn, "CN", cn, sizeof(cn));
	bool has_o = dn_attr(dn, "O", o, sizeof(o));
	int best = -1, best_score = 0, score;
	size_t i;

	for (i = 0; i < t->ncat; i++) {
		const struct cat_entry *e = &t->cat[i];

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
static bool
leaf_is_vendors(const struct intercept_rules *t, int m, const char *subject)
{
	const struct cat_entry *e = &t->cat[m];
	char o[512];

	return subject != NULL && e->has_o && dn_attr(subject, "O", o, sizeof(o)) &&
	    regexec(&e->o, o, 0, NULL, 0) == 0;
}

/* ---------------------------------------------------------------- connections */

static struct conn *
conn_find(struct intercept_rules *t, uint64_t id, uint32_t file_index)
{
	size_t i;

	for (i = t->nconns; i-- > 0;)
		if (t->conns[i].flow_id == id && t->conns[i].file_index == file_index)
			return &t->conns[i];
	return NULL;
}

static struct conn *
conn_get(struct intercept_rules *t, const struct sd_event *ev, bool src_is_client)
{
	struct conn *c = conn_find(t, ev->flow_id, ev->file_index);

	if (c != NULL || ev->flow_id == 0)
		return c;
	if (t->nconns >= MAX_CONNS) {
		t->conns_refused++;
		return NULL;
	}
	c = &t->conns[t->nconns++];
	memset(c, 0, sizeof(*c));
	c->flow_id = ev->flow_id;
	c->file_index = ev->file_index;
	c->cat = -1;
	c->sec = ev->ts_sec;
	c->nsec = ev->ts_nsec;
	c->fl.id = ev->flow_id;
	c->fl.proto = ev->transport;
	c->fl.client = src_is_client ? ev->src : ev->dst;
	c->fl.server = src_is_client ? ev->dst : ev->src;
	c->fl.cport = src_is_client ? ev->sport : ev->dport;
	c->fl.sport = src_is_client ? ev->dport : ev->sport;
	c->fl.file_index = ev->file_index;
	return c;
}

static void
conn_release(struct intercept_rules *t, struct conn *c)
{
	free(c->sni);
	free(c->issuer);
	free(c->subject);
	free(c->cat_issuer);
	*c = t->conns[--t->nconns];
}

static bool
addr_eq(const struct sd_addr *a, const struct sd_addr *b)
{
	return a->v == b->v && memcmp(a->a, b->a, a->v == 4 ? 4 : 16) == 0;
}

static bool
from_server(const struct conn *c, const struct sd_event *ev)
{
	return addr_eq(&ev->src, &c->fl.server) && ev->sport == c->fl.sport;
}

static void
on_client_hello(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_client_hello *ch = ev->u.msg.client_hello;
	struct conn *c;
	size_t n;

	if (ch->dtls || ch->retransmit)
		return;
	c = conn_get(t, ev, true);
	if (c == NULL || c->ch_frame != 0)
		return;
	c->ch_frame = ev->frame;
	if (ch->has_sni && (n = sd_rd_left(&ch->sni)) > 0 && n < 256 &&
	    (c->sni = malloc(n + 1)) != NULL) {
		memcpy(c->sni, ch->sni.p, n);
		c->sni[n] = '\0';
	}
}

static void
on_certificate(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_certificate *cm = ev->u.msg.certificate;
	struct sd_x509_info xi;
	struct conn *c = conn_get(t, ev, false);
	uint32_t i;
	int m;

	if (c == NULL || c->has_cert || cm->kept == 0 || !from_server(c, ev))
		return;
	for (i = 0; i < cm->kept; i++) {
		if (!sd_x509_describe(cm->der[i].p, sd_rd_left(&cm->der[i]), &xi)) {
			sd_x509_info_free(&xi);
			if (i == 0)
				return;
			continue;
		}
		if (i == 0) {
			c->has_cert = true;
			c->cert_frame = ev->frame;
			memcpy(c->leaf_sha256, xi.sha256, sizeof(c->leaf_sha256));
			c->issuer = xi.issuer != NULL ? strdup(xi.issuer) : NULL;
			c->subject = xi.subject != NULL ? strdup(xi.subject) : NULL;
		}
		/*
		 * The leaf's issuer names the CA that signed for this name; a chain that also
		 * carries the inspection CA itself matches on that certificate's issuer.
		 */
		add_revoc_list(t, &xi.crl_dp, ev);
		add_revoc_list(t, &xi.ocsp, ev);
		if (c->cat == -1 && xi.issuer != NULL && (m = match_issuer(t, xi.issuer)) >= 0) {
			c->cat = m;
			c->cat_issuer = strdup(xi.issuer);
			/*
			 * A leaf issued *to* the vendor (its Organization matches the product's,
			 * e.g. a FortiGate's factory certificate O=Fortinet, CN=<serial> on its
			 * own SSL-VPN portal) is the appliance speaking for itself, not a
			 * substitute for somebody else's name.
			 */
			if (i == 0 && leaf_is_vendors(t, m, xi.subject)) {
				free(c->cat_issuer);
				c->cat_issuer = NULL;
				c->cat = -2;
			}
		}
		sd_x509_info_free(&xi);
	}
}

static void
note_fail(struct conn *c, const struct sd_event *ev, const char *what)
{
	if (c->fail != NULL)
		return;
	snprintf(c->failbuf, sizeof(c->failbuf), "%s", what);
	c->fail = c->failbuf;
	c->fail_frame = ev->frame;
}

static void
on_alert(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;
	struct conn *c = conn_find(t, ev->flow_id, ev->file_index);
	char what[64];

	if (c == NULL || a->encrypted || a->level != 2)
		return;
	snprintf(what, sizeof(what), "%s alert %s (%u)", from_server(c, ev) ? "server" :
	    "client", sd_tls_alert_name(a->description), a->description);
	note_fail(c, ev, what);
}

static void
on_reset(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_tcp_reset *r = &ev->u.reset;
	struct conn *c = conn_find(t, ev->flow_id, ev->file_index);

	/* a reset before the handshake finished fails the connection; after data it ends it */
	if (c == NULL || r->phase == SD_PHASE_DATA || r->phase == SD_PHASE_CLOSING)
		return;
	note_fail(c, ev, r->sender == SD_ROLE_SERVER ? "reset by the server" :
	    "reset by the client");
}

/* ---------------------------------------------------------------- per name */

static struct name *
name_get(struct intercept_rules *t, const struct conn *c)
{
	char key[300], a[SD_ADDR_STRLEN];
	size_t i;
	struct name *nm;

	if (c->sni != NULL)
		snprintf(key, sizeof(key), "%s", c->sni);
	else
		snprintf(key, sizeof(key), "[%s]:%u", sd_ip_addr_str(&c->fl.server, a),
		    c->fl.sport);
	for (i = 0; i < t->nnames; i++)
		if (t->names[i].file_index == c->file_index && strcmp(t->names[i].name, key) == 0)
			return &t->names[i];
	if (t->nnames >= MAX_NAMES) {
		t->names_refused++;
		return NULL;
	}
	nm = &t->names[t->nnames];
	memset(nm, 0, sizeof(*nm));
	if ((nm->name = strdup(key)) == NULL)
		return NULL;
	nm->file_index = c->file_index;
	nm->sec = c->sec;
	nm->nsec = c->nsec;
	t->nnames++;
	return nm;
}

static void
name_add(struct intercept_rules *t, const struct conn *c)
{
	struct name *nm = name_get(t, c);
	struct endpoint *ep = NULL;
	size_t i, e;

	if (nm == NULL)
		return;
	for (e = 0; e < nm->nep; e++)
		if (addr_eq(&nm->ep[e].addr, &c->fl.server) && nm->ep[e].port == c->fl.sport)
			break;
	if (e == nm->nep) {
		if (nm->nep >= MAX_EPS) {
			nm->ep_overflow++;
			return;
		}
		ep = &nm->ep[nm->nep++];
		memset(ep, 0, sizeof(*ep));
		ep->addr = c->fl.server;
		ep->port = c->fl.sport;
	}
	ep = &nm->ep[e];
	if (nm->nflows < sizeof(nm->flows) / sizeof(nm->flows[0]))
		nm->flows[nm->nflows++] = c->fl;
	if (ep->first_frame == 0)
		ep->first_frame = c->has_cert ? c->cert_frame : c->ch_frame;
	if (c->fail != NULL) {
		ep->failed++;
		if (ep->fail_frame == 0) {
			ep->fail_frame = c->fail_frame;
			snprintf(ep->fail_what, sizeof(ep->fail_what), "%s", c->fail);
		}
	} else {
		ep->ok++;
	}
	if (!c->has_cert || c->cat >= 0)
		return;		/* inspection CAs have their own finding */
	for (i = 0; i < ep->ncerts; i++)
		if (strcmp(ep->certs[i], c->leaf_sha256) == 0)
			break;
	if (i == ep->ncerts && ep->ncerts < MAX_CERTS)
		memcpy(ep->certs[ep->ncerts++], c->leaf_sha256, 65);
	if (c->issuer == NULL)
		return;
	for (i = 0; i < nm->niss; i++)
		if (strcmp(nm->iss[i].dn, c->issuer) == 0)
			break;
	if (i == nm->niss) {
		if (nm->niss >= MAX_ISSUERS || (nm->iss[i].dn = strdup(c->issuer)) == NULL) {
			nm->iss_overflow++;
			return;
		}
		nm->iss[i].count = 0;
		nm->iss[i].frame = c->cert_frame;
		nm->iss[i].eps = 0;
		nm->niss++;
	}
	nm->iss[i].count++;
	if (!(nm->iss[i].eps & (1u << e))) {
		nm->iss[i].eps |= 1u << e;
		ep->nissuers++;
		if (ep->nissuers == 1)
			snprintf(ep->issuer_first, sizeof(ep->issuer_first), "%s", c->issuer);
	}
}

/* ---------------------------------------------------------------- findings */

static void
report_interception(struct intercept_rules *t, const struct conn *c)
{
	const struct cat_entry *e = &t->cat[c->cat];
	char g[640];
	struct sd_finding *f;

	snprintf(g, sizeof(g), "%s|%s", e->product, c->cat_issuer != NULL ? c->cat_issuer : "");
	f = sd_finding_add(t->out, SD_K_ICEPT_INTERCEPTION_CA, g, c->sec, c->nsec, c->file_index);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.9;	/* a name match: a real CA could be named alike */
		sd_finding_value(f, "product", "%s", e->product);
		sd_finding_value(f, "issuer", "%s", c->cat_issuer != NULL ? c->cat_issuer : "");
		if (c->subject != NULL)
			sd_finding_value(f, "subject", "%s", c->subject);
		if (c->sni != NULL)
			sd_finding_value(f, "sni", "%s", c->sni);
	}
	/* the client refusing the substitute is an outage; accepting it is a policy fact */
	if (c->fail != NULL && f->severity < SD_SEV_HIGH) {
		f->severity = SD_SEV_HIGH;
		sd_finding_value(f, "client_outcome", "%s", c->fail);
	}
	sd_finding_summary(f, "%s: certificate signed by %s's inspection CA (%llu connection%s)%s",
	    c->sni != NULL ? c->sni : "(no SNI)", e->product, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s", f->severity >= SD_SEV_HIGH ?
	    ", and the client refused it" : "");
	sd_finding_frame(f, c->cert_frame);
	if (c->fail_frame != 0)
		sd_finding_frame(f, c->fail_frame);
	sd_finding_flow(f, &c->fl);
}

static void
conn_end(struct intercept_rules *t, struct conn *c)
{
	if (c->has_cert && c->cat >= 0)
		report_interception(t, c);
	if (c->ch_frame != 0)
		name_add(t, c);
	conn_release(t, c);
}

static void
ep_str(const struct endpoint *ep, char *buf, size_t n)
{
	char a[SD_ADDR_STRLEN];

	sd_ip_addr_str(&ep->addr, a);
	snprintf(buf, n, ep->addr.v == 6 ? "[%s]:%u" : "%s:%u", a, ep->port);
}

static void
name_flows(struct sd_finding *f, const struct name *nm)
{
	size_t i;

	for (i = 0; i < nm->nflows; i++)
		sd_finding_flow(f, &nm->flows[i]);
}

/* Some endpoint saw two issuers for this name: the certificate depends on the path. */
static bool
report_issuer_changed(struct intercept_rules *t, const struct name *nm)
{
	static const char *const iss_names[MAX_ISSUERS] = { "issuer_1", "issuer_2",
		"issuer_3", "issuer_4", "issuer_5", "issuer_6", "issuer_7", "issuer_8" };
	struct sd_finding *f;
	char ep[64];
	size_t i, e;

	for (e = 0; e < nm->nep; e++)
		if (nm->ep[e].nissuers > 1)
			break;
	if (e == nm->nep)
		return false;
	f = sd_finding_add(t->out, SD_K_ICEPT_ISSUER_CHANGED, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return true;
	f->confidence = 0.8;
	ep_str(&nm->ep[e], ep, sizeof(ep));
	sd_finding_value(f, "name", "%s", nm->name);
	sd_finding_value(f, "server", "%s", ep);
	for (i = 0; i < nm->niss && i < sizeof(iss_names) / sizeof(iss_names[0]); i++) {
		sd_finding_value(f, iss_names[i], "%s (%llu connection%s, first in frame %llu)",
		    nm->iss[i].dn, (unsigned long long)nm->iss[i].count,
		    nm->iss[i].count == 1 ? "" : "s", (unsigned long long)nm->iss[i].frame);
		sd_finding_frame(f, nm->iss[i].frame);
	}
	sd_finding_summary(f, "%s: %zu different issuers for the same name from %s", nm->name,
	    nm->niss, ep);
	name_flows(f, nm);
	return true;
}

/* Backends of one name that differ in certificate or in outcome. */
static void
report_backends(struct intercept_rules *t, const struct name *nm)
{
	static const char *const be_names[] = { "backend_1", "backend_2", "backend_3",
		"backend_4", "backend_5", "backend_6", "backend_7", "backend_8" };
	struct sd_finding *f;
	char ep[64], certs_differ = 0;
	size_t e, nok = 0, nfail = 0, ncert_eps = 0;
	const char *ref = NULL;

	for (e = 0; e < nm->nep; e++) {
		const struct endpoint *p = &nm->ep[e];

		if (p->ncerts > 0) {
			ncert_eps++;
			if (ref == NULL)
				ref = p->certs[0];
			if (p->ncerts > 1 || strcmp(ref, p->certs[0]) != 0)
				certs_differ = 1;
		}
		if (p->failed > 0)
			nfail++;
		if (p->ok > 0)
			nok++;
	}
	/*
	 * Several backends: different certificates, or failing on some and not on others.
	 * One address (a VIP) alternating between two certificates while some connections
	 * fail: the backends behind it differ.
	 */
	if (nm->nep > 1 ? !(certs_differ || (nfail > 0 && nok > 0)) :
	    !(certs_differ && nm->ep[0].failed > 0 && nm->ep[0].ok > 0))
		return;
	f = sd_finding_add(t->out, SD_K_ICEPT_BACKEND_MISMATCH, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return;
	f->confidence = nm->nep > 1 ? 0.9 : 0.6;
	sd_finding_value(f, "name", "%s", nm->name);
	for (e = 0; e < nm->nep; e++) {
		const struct endpoint *p = &nm->ep[e];

		ep_str(p, ep, sizeof(ep));
		if (e >= sizeof(be_names) / sizeof(be_names[0]))
			break;
		sd_finding_value(f, be_names[e], "%s: %llu ok, %llu failed%s%s%s, issuer %s", ep,
		    (unsigned long long)p->ok, (unsigned long long)p->failed,
		    p->failed > 0 ? " (" : "", p->failed > 0 ? p->fail_what : "",
		    p->failed > 0 ? ")" : "", p->issuer_first[0] != '\0' ? p->issuer_first :
		    "unseen");
		sd_finding_frame(f, p->first_frame);
		if (p->fail_frame != 0)
			sd_finding_frame(f, p->fail_frame);
	}
	if (nm->ep_overflow > 0)
		sd_finding_value(f, "backends_not_kept", "%llu",
		    (unsigned long long)nm->ep_overflow);
	sd_finding_summary(f, "%s: %zu backend%s differ (%s%s%zu failing)", nm->name, nm->nep,
	    nm->nep == 1 ? " behind one address" : "s",
	    certs_differ ? "different certificates, " : "", "", nfail);
	name_flows(f, nm);
}

/* ---------------------------------------------------------------- one-way TCP */

/*
 * A TCP flow whose one side sent data and advancing ACKs while nothing at all came from the
 * other: the other direction takes another path around the capture point.  A client that only
 * repeats its SYN is an unanswered attempt, not this.
 */
/* ---------------------------------------------------------------- MTU black hole */

/*
 * One side's full-size segments retransmitted (at least twice) and never acknowledged,
 * while the peer keeps talking and its own and smaller segments get through: packets above
 * some size vanish on the path, and no ICMP "fragmentation needed / packet too big" came
 * back (with one, icmp.packet_too_big says it and the sender adapts).
 */
static void
check_mtu(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	char from[SD_ADDR_STRLEN], to[SD_ADDR_STRLEN], g[128];
	struct sd_finding *f;
	struct sd_finding_flow fl;
	int r;

	for (r = 0; r < 2; r++) {
		if (fr->big_retx[r] < 2 || fr->seg_max[r] < 512 ||
		    fr->seg_max_acked[r] + 40 >= fr->seg_max[r] || fr->packets[!r] < 2 ||
		    fr->icmp_errors > 0)
			continue;
		sd_ip_addr_str(r == SD_ROLE_CLIENT ? &ev->src : &ev->dst, from);
		sd_ip_addr_str(r == SD_ROLE_CLIENT ? &ev->dst : &ev->src, to);
		snprintf(g, sizeof(g), "%s|%s", from, to);
		f = sd_finding_add(t->out, SD_K_PATH_TCP_MTU_BLACKHOLE, g, fr->first_sec, fr->first_nsec,
		    ev->file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			f->confidence = 0.8;	/* heavy loss of one segment looks alike */
			sd_finding_value(f, "sender", "%s (%s)", from, r == SD_ROLE_CLIENT ?
			    "client" : "server");
			sd_finding_value(f, "receiver", "%s", to);
			sd_finding_value(f, "largest_segment", "%u bytes of TCP payload",
			    fr->seg_max[r]);
			sd_finding_value(f, "largest_acked", "%u bytes", fr->seg_max_acked[r]);
			sd_finding_value(f, "full_size_retransmissions", "%u", fr->big_retx[r]);
		}
		sd_finding_summary(f, "%s -> %s: full-size TCP segments (%u bytes) resent and never "
		    "acknowledged while smaller ones pass: a path MTU black hole (%llu "
		    "connection%s)", from, to, fr->seg_max[r], (unsigned long long)f->count,
		    f->count == 1 ? "" : "s");
		sd_finding_frame(f, fr->seg_max_frame[r]);
		sd_finding_frame(f, fr->big_retx_frame[r]);
		fl.id = ev->flow_id;
		fl.proto = ev->transport;
		fl.client = ev->src;
		fl.server = ev->dst;
		fl.cport = ev->sport;
		fl.sport = ev->dport;
		fl.file_index = ev->file_index;
		sd_finding_flow(f, &fl);
	}
}

static void
on_flow(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_ev_flow *fr = &ev->u.flow;
	struct oneway *o;
	int seen;

	if (ev->transport != SD_IPPROTO_TCP)
		return;
	check_mtu(t, ev);
	if (fr->packets[SD_ROLE_SERVER] == 0 && fr->packets[SD_ROLE_CLIENT] >= 4 &&
	    fr->payload[SD_ROLE_CLIENT] > 0)
		seen = SD_ROLE_CLIENT;
	else if (fr->packets[SD_ROLE_CLIENT] == 0 && fr->packets[SD_ROLE_SERVER] >= 4 &&
	    fr->payload[SD_ROLE_SERVER] > 0)
		seen = SD_ROLE_SERVER;
	else
		return;
	t->oneway_total++;
	if (t->noneway >= MAX_ONEWAY)
		return;
	o = &t->oneway[t->noneway++];
	o->fl.id = ev->flow_id;
	o->fl.proto = ev->transport;
	o->fl.client = ev->src;
	o->fl.server = ev->dst;
	o->fl.cport = ev->sport;
	o->fl.sport = ev->dport;
	o->fl.file_index = ev->file_index;
	o->first_frame = fr->first_frame;
	o->last_frame = fr->last_frame;
	o->packets = fr->packets[seen];
	o->seen_role = seen;
	o->sec = fr->first_sec;
	o->nsec = fr->first_nsec;
}

/* Are all the flows of finding u one-way flows of ours (and all of them kept)? */
static bool
all_one_way(const struct intercept_rules *t, const struct sd_finding *u)
{
	size_t i, j;

	if (u->nflows == 0 || u->nflows_total > u->nflows)
		return false;
	for (i = 0; i < u->nflows; i++) {
		for (j = 0; j < t->noneway; j++)
			if (t->oneway[j].fl.id == u->flows[i].id &&
			    t->oneway[j].fl.file_index == u->flows[i].file_index)
				break;
		if (j == t->noneway)
			return false;
	}
	return true;
}

static void
report_one_way(struct intercept_rules *t)
{
	struct sd_finding *f;
	char c[SD_ADDR_STRLEN], s[SD_ADDR_STRLEN];
	size_t i;

	if (t->noneway == 0)
		return;
	for (i = 0; i < t->noneway; i++) {
		const struct oneway *o = &t->oneway[i];

		f = sd_finding_add(t->out, SD_K_PATH_TCP_ONE_WAY, NULL, o->sec, o->nsec, o->fl.file_index);
		if (f == NULL)
			return;
		if (f->count == 1) {
			f->confidence = 0.8;
			sd_finding_value(f, "seen", "%s -> %s port %u only (%llu packets, nothing "
			    "back)", sd_ip_addr_str(o->seen_role == SD_ROLE_CLIENT ? &o->fl.client :
			    &o->fl.server, c), sd_ip_addr_str(o->seen_role == SD_ROLE_CLIENT ?
			    &o->fl.server : &o->fl.client, s), o->seen_role == SD_ROLE_CLIENT ?
			    o->fl.sport : o->fl.cport, (unsigned long long)o->packets);
		}
		sd_finding_frame(f, o->first_frame);
		if (o->last_frame != o->first_frame)
			sd_finding_frame(f, o->last_frame);
		sd_finding_flow(f, &o->fl);
	}
	f->count = t->oneway_total;
	sd_finding_summary(f, "%llu TCP connection%s seen in one direction only: the capture "
	    "point misses the return path (asymmetric routing)",
	    (unsigned long long)t->oneway_total, t->oneway_total == 1 ? "" : "s");
	/*
	 * Unanswered SYNs in a capture that demonstrably misses return traffic may have been
	 * answered out of sight: lower their certainty and say why.
	 */
	for (i = 0; i < t->out->n; i++) {
		struct sd_finding *u = t->out->v[i];

		if (u->k != SD_K_TCP_SYN_UNANSWERED || u->confidence <= 0.4)
			continue;
		if (all_one_way(t, u)) {
			/* its own flow went on in one direction: it was answered out of sight */
			u->severity = SD_SEV_INFO;
			u->confidence = 0.1;
			sd_finding_value(u, "caveat", "the client went on sending on this "
			    "connection (see tcp.one_way): the answers took another path");
			continue;
		}
		u->confidence = 0.4;
		sd_finding_value(u, "caveat", "this capture shows one-way TCP flows (see "
		    "tcp.one_way): the answers may take a path the capture point does not see");
	}
}

/* ---------------------------------------------------------------- revocation endpoints */

/* Host (lower-cased) and port of an http:// or https:// URL; false for anything else. */
static bool
url_host(const char *url, char *host, size_t n, uint16_t *port)
{
	const char *p;
	size_t i = 0;
	unsigned long v;

	if (strncmp(url, "http://", 7) == 0) {
		p = url + 7;
		*port = 80;
	} else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		*port = 443;
	} else {
		return false;
	}
	while (*p != '\0' && *p != '/' && *p != ':' && *p != '?' && i + 1 < n) {
		char c = *p++;

		host[i++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	host[i] = '\0';
	if (*p == ':') {
		v = strtoul(p + 1, NULL, 10);
		if (v == 0 || v > 65535)
			return false;
		*port = (uint16_t)v;
	}
	return i > 0;
}

static void
add_revoc_list(struct intercept_rules *t, const struct sd_x509_list *l, const struct sd_event *ev)
{
	char host[SD_DNS_NAME_MAX];
	uint16_t port;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].p == NULL || strlen(l->v[i].p) != l->v[i].len ||
		    !url_host(l->v[i].p, host, sizeof(host), &port))
			continue;
		for (j = 0; j < t->nrevoc; j++)
			if (t->revoc[j].file_index == ev->file_index && t->revoc[j].port == port &&
			    strcmp(t->revoc[j].host, host) == 0)
				break;
		if (j < t->nrevoc)
			continue;
		if (t->nrevoc >= MAX_REVOC) {
			t->revoc_refused++;
			continue;
		}
		struct revoc *r = &t->revoc[t->nrevoc++];

		snprintf(r->host, sizeof(r->host), "%s", host);
		snprintf(r->url, sizeof(r->url), "%s", l->v[i].p);
		r->port = port;
		r->cert_frame = ev->frame;
		r->file_index = ev->file_index;
		r->sec = ev->ts_sec;
		r->nsec = ev->ts_nsec;
	}
}

static void
on_dns(struct intercept_rules *t, const struct sd_event *ev)
{
	const struct sd_dns_msg *m = ev->u.msg.dns;
	struct dnsname *d = NULL;
	size_t i;

	if (m->qname[0] == '\0' || (m->qtype != SD_DNS_TYPE_A && m->qtype != SD_DNS_TYPE_AAAA))
		return;
	for (i = 0; i < t->ndns; i++)
		if (t->dns[i].file_index == ev->file_index && strcmp(t->dns[i].name, m->qname) == 0)
			d = &t->dns[i];
	if (d == NULL) {
		if (t->ndns >= MAX_DNS) {
			t->dns_refused++;
			return;
		}
		d = &t->dns[t->ndns++];
		memset(d, 0, sizeof(*d));
		memcpy(d->name, m->qname, sizeof(d->name));
		d->file_index = ev->file_index;
	} else if (d->naddrs > 0 && (m->rcode != SD_DNS_RCODE_NOERROR || m->nan == 0)) {
		return;		/* an address answer (A) outweighs an empty one (AAAA) */
	}
	d->rcode = m->rcode;
	d->frame = ev->frame;
	d->naddrs = sd_dns_addrs(m, m->qname, d->addrs, 4);
}

static void
add_fail(struct intercept_rules *t, const struct sd_addr *a, uint16_t port, const char *how,
    uint64_t f1, uint64_t f2, uint32_t file_index)
{
	struct connfail *c;

	if (t->nfails >= MAX_FAILS) {
		t->fails_refused++;
		return;
	}
	c = &t->fails[t->nfails++];
	c->addr = *a;
	c->port = port;
	c->how = how;
	c->frame1 = f1;
	c->frame2 = f2;
	c->file_index = file_index;
}

static const char *
rcode_name(uint8_t rc)
{
	switch (rc) {
	case SD_DNS_RCODE_NOERROR:
		return "NOERROR";
	case 1:
		return "FORMERR";
	case SD_DNS_RCODE_SERVFAIL:
		return "SERVFAIL";
	case SD_DNS_RCODE_NXDOMAIN:
		return "NXDOMAIN";
	case 4:
		return "NOTIMP";
	case 5:
		return "REFUSED";
	default:
		return "error";
	}
}

static void
report_revocation(struct intercept_rules *t)
{
	char a[SD_ADDR_STRLEN];
	struct sd_finding *f;
	size_t i, j, k;

	for (i = 0; i < t->nrevoc; i++) {
		const struct revoc *r = &t->revoc[i];
		const struct dnsname *d = NULL;
		const struct connfail *c = NULL;

		for (j = 0; j < t->ndns; j++)
			if (t->dns[j].file_index == r->file_index &&
			    strcmp(t->dns[j].name, r->host) == 0)
				d = &t->dns[j];
		if (d == NULL)
			continue;	/* never looked up here: nothing to judge */
		if (d->rcode == SD_DNS_RCODE_NOERROR && d->naddrs > 0) {
			for (j = 0; j < t->nfails && c == NULL; j++)
				for (k = 0; k < d->naddrs; k++)
					if (t->fails[j].file_index == r->file_index &&
					    t->fails[j].port == r->port &&
					    addr_eq(&t->fails[j].addr, &d->addrs[k]))
						c = &t->fails[j];
			if (c == NULL)
				continue;	/* resolved, and no failed attempt seen */
		}
		f = sd_finding_add(t->out, SD_K_PATH_TLS_REVOCATION_UNREACHABLE, r->host, r->sec, r->nsec,
		    r->file_index);
		if (f == NULL)
			return;
		f->confidence = c != NULL ? 0.9 : 0.8;
		sd_finding_value(f, "url", "%s", r->url);
		sd_finding_value(f, "host", "%s", r->host);
		if (d->rcode != SD_DNS_RCODE_NOERROR || d->naddrs == 0) {
			sd_finding_value(f, "dns", "%s%s", rcode_name(d->rcode),
			    d->rcode == SD_DNS_RCODE_NOERROR ? " with no address" : "");
			sd_finding_summary(f, "revocation endpoint %s (%s) does not resolve: DNS %s",
			    r->host, r->url, d->rcode == SD_DNS_RCODE_NOERROR ? "answer without "
			    "an address" : rcode_name(d->rcode));
		} else {
			sd_finding_value(f, "dns", "%s", sd_ip_addr_str(&d->addrs[0], a));
			sd_finding_value(f, "connection", "%s port %u: %s", sd_ip_addr_str(&c->addr,
			    a), c->port, c->how);
			sd_finding_summary(f, "revocation endpoint %s (%s) resolves to %s but port "
			    "%u is unreachable: %s", r->host, r->url, a, c->port, c->how);
		}
		sd_finding_frame(f, r->cert_frame);
		sd_finding_frame(f, d->frame);
		if (c != NULL) {
			sd_finding_frame(f, c->frame1);
			if (c->frame2 != c->frame1)
				sd_finding_frame(f, c->frame2);
		}
	}
}

/* ---------------------------------------------------------------- area */

static void intercept_free(void *ctx);

static void *
intercept_new(struct sd_findings *out, const struct sd_rules_opts *opts, char *err, size_t errlen)
{
	static const char *const shipped[] = { SD_INTERCEPT_CAS_INSTALLED,
		SD_INTERCEPT_CAS_SOURCE };
	struct intercept_rules *t = calloc(1, sizeof(*t));
	size_t i;
	int n;

	if (t == NULL)
		return NULL;
	t->out = out;
	t->cat = calloc(MAX_CAT, sizeof(*t->cat));
	t->conns = calloc(MAX_CONNS, sizeof(*t->conns));
	t->names = calloc(MAX_NAMES, sizeof(*t->names));
	t->dns = calloc(MAX_DNS, sizeof(*t->dns));
	if (t->cat == NULL || t->conns == NULL || t->names == NULL || t->dns == NULL) {
		snprintf(err, errlen, "out of memory");
		intercept_free(t);
		return NULL;
	}
	cat_path_used[0] = '\0';
	cat_used_n = 0;
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
		n = load_catalogue(t, shipped[i], err, errlen);
		if (n == -1)
			continue;
		if (n < 0) {
			intercept_free(t);
			return NULL;
		}
		snprintf(cat_path_used, sizeof(cat_path_used), "%s", shipped[i]);
		cat_used_n = (size_t)n;
		break;
	}
	if (opts != NULL && opts->intercept_cas != NULL) {
		n = load_catalogue(t, opts->intercept_cas, err, errlen);
		if (n < 0) {
			if (n == -1)
				snprintf(err, errlen, "--intercept-cas: cannot read %s",
				    opts->intercept_cas);
			intercept_free(t);
			return NULL;
		}
	}
	return t;
}

static void
intercept_event(void *ctx, const struct sd_event *ev)
{
	struct intercept_rules *t = ctx;
	struct conn *c;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		on_client_hello(t, ev);
		break;
	case SD_EV_TLS_CERTIFICATE:
		on_certificate(t, ev);
		break;
	case SD_EV_TLS_ALERT:
		on_alert(t, ev);
		break;
	case SD_EV_TCP_RESET:
		on_reset(t, ev);
		if (ev->u.reset.answers_syn)
			add_fail(t, &ev->src, ev->sport, "refused (TCP reset)", ev->frame,
			    ev->frame, ev->file_index);
		break;
	case SD_EV_TCP_UNANSWERED:
		add_fail(t, &ev->dst, ev->dport, "SYN never answered", ev->u.unanswered.first_frame,
		    ev->u.unanswered.last_frame, ev->file_index);
		break;
	case SD_EV_ICMP_ERROR:
		if (ev->u.icmp.q_proto == SD_IPPROTO_TCP)
			add_fail(t, &ev->u.icmp.q_dst, ev->u.icmp.q_dport, "ICMP error", ev->frame,
			    ev->frame, ev->file_index);
		break;
	case SD_EV_DNS_ANSWER:
		on_dns(t, ev);
		break;
	case SD_EV_FLOW:
		on_flow(t, ev);
		if ((c = conn_find(t, ev->flow_id, ev->file_index)) != NULL)
			conn_end(t, c);
		break;
	default:
		break;
	}
}

/*
 * Past a cap, connections, names, endpoints and DNS answers were not followed: say so on
 * every finding of this area, since a finding may then be missing or incomplete.
 */
static void
note_caps(struct intercept_rules *t)
{
	static const enum sd_kind kinds[] = { SD_K_ICEPT_INTERCEPTION_CA,
		SD_K_ICEPT_ISSUER_CHANGED, SD_K_ICEPT_BACKEND_MISMATCH,
		SD_K_PATH_TLS_REVOCATION_UNREACHABLE };
	size_t i, k;

	if (t->conns_refused + t->names_refused + t->revoc_refused + t->dns_refused +
	    t->fails_refused == 0)
		return;
	for (i = 0; i < t->out->n; i++)
		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (t->out->v[i]->k == kinds[k])
				sd_finding_value(t->out->v[i], "not_tracked", "past the caps: %llu "
				    "TLS connections, %llu names, %llu revocation hosts, %llu DNS "
				    "names, %llu failed attempts", (unsigned long long)t->conns_refused,
				    (unsigned long long)t->names_refused,
				    (unsigned long long)t->revoc_refused,
				    (unsigned long long)t->dns_refused,
				    (unsigned long long)t->fails_refused);
}

static void
intercept_finish(void *ctx)
{
	struct intercept_rules *t = ctx;
	size_t i;

	while (t->nconns > 0)
		conn_end(t, &t->conns[0]);
	for (i = 0; i < t->nnames; i++)
		if (!report_issuer_changed(t, &t->names[i]))
			report_backends(t, &t->names[i]);
	report_revocation(t);
	report_one_way(t);
	note_caps(t);
}

static void
intercept_free(void *ctx)
{
	struct intercept_rules *t = ctx;
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; t->cat != NULL && i < t->ncat; i++)
		free_entry(&t->cat[i]);
	while (t->conns != NULL && t->nconns > 0)
		conn_release(t, &t->conns[0]);
	for (i = 0; t->names != NULL && i < t->nnames; i++) {
		free(t->names[i].name);
		for (j = 0; j < t->names[i].niss; j++)
			free(t->names[i].iss[j].dn);
	}
	free(t->cat);
	free(t->conns);
	free(t->names);
	free(t->dns);
	free(t);
}

const struct sd_rule_area sd_rules_intercept = {
	"intercept", intercept_new, intercept_event, intercept_finish, intercept_free,
};
