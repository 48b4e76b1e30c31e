/* analyze/rules_trust.c - trust rules: chain verification, names, pins, key changes (RFC 5280, 6125). */
#include "analyze/rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/tls_text.h"
#include "analyze/verify.h"
#include "analyze/x509.h"
#include "dissect/table.h"
#include "dissect/tls.h"
#include "dissect/tls_names.h"

/*
 * Per-flow state lives in the flow's storage (freed with the flow); the key type each
 * server name showed first in a bounded table charged to the memory cap.
 */
#define NAMES_MAX	65536	/* server names remembered for key-type changes */

struct tflow {
	bool			 have_client;
	struct sd_addr		 client;
	uint16_t		 cport;
	char			 sni[256];
	bool			 cert_seen;
	bool			 chain_checked;	/* the chain was verified (not refused for memory) */
	bool			 tls13;		/* ServerHello chose TLS 1.3: certificate hidden */
	uint64_t		 cert_frame;
	char			 leaf_subject[256];
	struct sd_finding	*judged;	/* what our own verification found, if anything */
	bool			 alert_seen;
};

/* Keyed by the server name, lowercase. */
struct keyname {
	char		 key_type[16];
	uint64_t	 frame;
	uint32_t	 file_index;
	bool		 reported;
};

struct pin {
	char		 host[256];
	uint16_t	 port;		/* the server's port; 0 any */
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
	const char *eq;
	struct pin *p;
	size_t i;

	for (i = 0; i < o->npins && i < SD_RULES_MAX_PINS; i++) {
		p = &t->pins[t->npins];
		memset(p, 0, sizeof(*p));
		eq = strchr(o->pins[i], '=');
		if (eq == NULL || !parse_pin_host(p, o->pins[i], (size_t)(eq - o->pins[i])) ||
		    !parse_hash(eq + 1, p->hash, &p->len)) {
			snprintf(err, errlen, "--pin '%s': expected HOST=HASH or HOST:PORT=HASH "
			    "([ADDRESS]:PORT for IPv6), HASH the SHA-256 or SHA-1 of the "
			    "certificate (or SHA-256 of its public key) in hex, colons allowed, or "
			    "base64", o->pins[i]);
			return false;
		}
		snprintf(p->text, sizeof(p->text), "%s", eq + 1);
		t->npins++;
	}
	return true;
}

/* ---------------------------------------------------------------- state */

static struct tflow *
flow_get(struct trust_rules *t, const struct sd_event *ev, bool create)
{
	return sd_rule_flow(t->env, ev, sizeof(struct tflow), create, &t->flows_refused);
}

static void *
trust_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct trust_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct keyname);
	o.max = NAMES_MAX;
	o.mc = env->mc;
	if (t == NULL || (t->names = sd_tab_new(&o)) == NULL) {
		snprintf(err, errlen, "trust rules: out of memory");
		goto fail;
	}
	t->env = env;
	t->out = env->out;
	if (!parse_pins(t, env->opts, err, errlen))
		goto fail;
	t->verify = sd_verify_new(env->opts->ca_files, env->opts->nca_files,
	    env->opts->ca_paths, env->opts->nca_paths, env->opts->no_system_ca, err, errlen);
	if (t->verify == NULL)
		goto fail;
	return t;
fail:
	if (t != NULL) {
		sd_tab_free(t->names);
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
	sd_verify_free(t->verify);
	sd_tab_free(t->names);
	free(t);
}

static void
trust_flow_free(void *ctx, void *state)
{
	struct trust_rules *t = ctx;

	sd_rule_flow_release(t->env, state, sizeof(struct tflow));
}

static void
trust_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct trust_rules *t = ctx;

	st->flows_refused += t->flows_refused;
	st->evicted += sd_tab_evicted(t->names);
	st->refused += sd_tab_refused(t->names);
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

/* Who the client wanted: SNI, else the server address. */
static const char *
server_name(const struct tflow *fl, const struct sd_event *ev, char *buf)
{
	if (fl != NULL && fl->sni[0] != '\0')
		return fl->sni;
	return sd_ip_addr_str(&ev->src, buf);
}

static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static struct sd_finding *
rule_chain(struct trust_rules *t, const struct sd_event *ev, const struct sd_verify_result *r,
    const struct sd_x509_info *leaf, const char *name)
{
	struct sd_finding *f = NULL, *first = NULL;
	char g[600];

	if (r->flags & SD_VERIFY_UNTRUSTED) {
		const char *why, *who;

		if (r->flags & SD_VERIFY_SELF_SIGNED) {
			why = "self-signed certificate";
			who = r->untrusted;
		} else if (r->flags & SD_VERIFY_UNTRUSTED_ROOT) {
			why = "untrusted root";
			who = r->untrusted;
		} else {
			why = "issuer not found (intermediate not sent, or a CA not in the store)";
			who = r->missing_issuer;
		}
		snprintf(g, sizeof(g), "%s|%s", why, who);
		if ((f = add(t, SD_K_TRUST_CHAIN_UNTRUSTED, g, ev)) != NULL) {
			if (f->count == 1) {
				f->confidence = 0.9;	/* the client may trust what we do not */
				sd_finding_value(f, "reason", "%s", why);
				if (r->flags & (SD_VERIFY_SELF_SIGNED | SD_VERIFY_UNTRUSTED_ROOT))
					sd_finding_value(f, "untrusted", "%s", who);
				else {
					sd_finding_value(f, "missing_issuer", "%s", who);
					sd_finding_value(f, "issuer_of", "%s", r->missing_for);
				}
				sd_finding_value(f, "leaf", "%s", leaf->subject != NULL ?
				    leaf->subject : leaf->sha256);
				sd_finding_value(f, "server", "%s", name);
				sd_finding_value(f, "openssl", "%s", r->error_text);
			}
			sd_finding_summary(f, "certificate chain of %s does not verify: %s%s%s "
			    "(%llu connection%s)", name, why,
			    who[0] != '\0' ? ": " : "", who, (unsigned long long)f->count,
			    plural(f->count));
			first = f;
		}
	}
	if (r->flags & (SD_VERIFY_EXPIRED | SD_VERIFY_NOT_YET_VALID)) {
		bool exp = (r->flags & SD_VERIFY_EXPIRED) != 0;
		enum sd_kind kind = exp ? SD_K_TRUST_CERTIFICATE_EXPIRED :
		    SD_K_TRUST_CERTIFICATE_NOT_YET_VALID;

		snprintf(g, sizeof(g), "%s|%s", r->expired, leaf->sha256);
		if ((f = add(t, kind, g, ev)) != NULL) {
			if (f->count == 1) {
				f->confidence = 0.95;	/* the capture clock may be wrong */
				sd_finding_value(f, "certificate", "%s", r->expired);
				sd_finding_value(f, "depth", "%d%s", r->expired_depth,
				    r->expired_depth == 0 ? " (leaf)" : "");
				if (r->expired_depth == 0) {
					sd_finding_value(f, "not_before", "%s", leaf->not_before);
					sd_finding_value(f, "not_after", "%s", leaf->not_after);
				}
				sd_finding_value(f, "server", "%s", name);
			}
			sd_finding_summary(f, "%s certificate %s %s at the capture time (%llu "
			    "connection%s)", r->expired_depth == 0 ? "server" : "chain",
			    r->expired, exp ? "had expired" : "was not yet valid",
			    (unsigned long long)f->count, plural(f->count));
			if (first == NULL)
				first = f;
		}
	}
	return first;
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

static void
rule_weak(struct trust_rules *t, const struct sd_event *ev, const struct sd_x509_info *x,
    size_t n, const char *name)
{
	struct sd_finding *f;
	char g[200], why[160];
	size_t i;

	for (i = 0; i < n; i++) {
		bool small = (strcmp(x[i].key_type, "RSA") == 0 ||
		    strcmp(x[i].key_type, "DSA") == 0) && x[i].key_bits > 0 &&
		    x[i].key_bits < 2048;
		/* a root's own signature is never checked: SHA-1 there is harmless */
		bool sig = !x[i].self_issued && weak_sig(x[i].sig_alg);

		if (!x[i].parsed || (!small && !sig))
			continue;
		why[0] = '\0';
		if (small)
			snprintf(why, sizeof(why), "%s %d-bit key", x[i].key_type, x[i].key_bits);
		if (sig)
			snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s signature",
			    small ? ", " : "", x[i].sig_alg);
		snprintf(g, sizeof(g), "%s", x[i].sha256);
		if ((f = add(t, SD_K_TRUST_WEAK_CERTIFICATE, g, ev)) == NULL)
			continue;
		if (f->count == 1) {
			sd_finding_value(f, "certificate", "%s", x[i].subject);
			sd_finding_value(f, "depth", "%zu%s", i, i == 0 ? " (leaf)" : "");
			sd_finding_value(f, "weakness", "%s", why);
			sd_finding_value(f, "sha256", "%s", x[i].sha256);
			sd_finding_value(f, "server", "%s", name);
		}
		sd_finding_summary(f, "%s presents a weak certificate %s: %s (%llu connection%s)",
		    name, x[i].subject, why, (unsigned long long)f->count, plural(f->count));
	}
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

static struct sd_finding *
rule_name(struct trust_rules *t, const struct sd_event *ev, const struct sd_x509_info *leaf,
    const char *sni)
{
	struct sd_finding *f;
	char g[600], cn[256], names[512];
	unsigned char ip[16];
	size_t i, o = 0;

	if (!leaf->parsed || sni[0] == '\0')
		return NULL;
	/*
	 * An address literal as SNI (RFC 6066 forbids it, clients still send it) would have
	 * to match an iPAddress SAN, which the certificate facts do not carry: no verdict.
	 */
	if (inet_pton(AF_INET, sni, ip) == 1 || inet_pton(AF_INET6, sni, ip) == 1)
		return NULL;
	names[0] = '\0';
	for (i = 0; i < leaf->san_dns.n; i++) {
		if (sd_verify_name_matches(leaf->san_dns.v[i].p, leaf->san_dns.v[i].len, sni))
			return NULL;
		if (o < sizeof(names))
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "",
			    leaf->san_dns.v[i].p);
	}
	/* the CN counts only without dNSName SANs (RFC 6125 §6.4.4) */
	if (leaf->san_dns.n == 0 && leaf->subject != NULL &&
	    subject_cn(leaf->subject, cn, sizeof(cn))) {
		if (sd_verify_name_matches(cn, strlen(cn), sni))
			return NULL;
		snprintf(names, sizeof(names), "CN=%s", cn);
	}
	snprintf(g, sizeof(g), "%s|%s", sni, leaf->sha256);
	if ((f = add(t, SD_K_TRUST_NAME_MISMATCH, g, ev)) == NULL)
		return NULL;
	if (f->count == 1) {
		sd_finding_value(f, "server_name", "%s", sni);
		sd_finding_value(f, "certificate_names", "%s", names[0] ? names : "(none)");
		sd_finding_value(f, "leaf", "%s", leaf->subject);
	}
	sd_finding_summary(f, "certificate for %s does not cover the requested name %s (%llu "
	    "connection%s)", names[0] ? names : "(no name)", sni, (unsigned long long)f->count,
	    plural(f->count));
	return f;
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

	sd_ip_addr_str(&ev->src, addr);
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
			ok = hex_eq(leaf->sha256, p->hash, 32) ||
			    (have_spki && memcmp(spki, p->hash, 32) == 0);
		if (ok)
			continue;
		snprintf(g, sizeof(g), "%s|%s", p->host, leaf->sha256);
		if ((f = add(t, SD_K_TRUST_PIN_MISMATCH, g, ev)) == NULL)
			continue;
		if (f->count == 1) {
			char sp[65];

			sd_finding_value(f, "host", "%s", p->host);
			sd_finding_value(f, "pinned", "%s", p->text);
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

static void
rule_key_type(struct trust_rules *t, const struct sd_event *ev, const struct sd_x509_info *leaf,
    const char *name)
{
	struct keyname *k;
	struct sd_finding *f;
	char low[256];
	bool created;
	size_t i;

	if (!leaf->parsed || leaf->key_type[0] == '\0')
		return;
	for (i = 0; name[i] != '\0' && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	k = sd_tab_get(t->names, low, i, true, &created);
	if (k == NULL)
		return;
	if (created) {
		snprintf(k->key_type, sizeof(k->key_type), "%s", leaf->key_type);
		k->frame = ev->frame;
		k->file_index = ev->file_index;
		return;
	}
	if (strcmp(k->key_type, leaf->key_type) == 0)
		return;
	f = add(t, SD_K_TRUST_KEY_TYPE_CHANGED, name, ev);
	if (f == NULL)
		return;
	if (f->count == 1) {
		f->confidence = 0.7;	/* dual-certificate servers do this on purpose */
		sd_finding_value(f, "server", "%s", name);
		sd_finding_value(f, "first_key_type", "%s (frame %llu)", k->key_type,
		    (unsigned long long)sd_frame_no(k->frame));
		sd_finding_value(f, "other_key_type", "%s %d-bit", leaf->key_type, leaf->key_bits);
		sd_finding_value(f, "other_certificate", "%s", leaf->subject);
		if (k->file_index == ev->file_index)
			sd_finding_frame(f, k->frame);
	}
	sd_finding_summary(f, "%s presents %s certificates on some connections and %s on "
	    "others (%llu change%s)", name, k->key_type, leaf->key_type,
	    (unsigned long long)f->count, plural(f->count));
}

static void
on_certificate(struct trust_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_certificate *c = ev->u.msg.certificate;
	struct tflow *fl = flow_get(t, ev, false);
	struct sd_x509_info x[SD_TLS_MAX_CERTS];
	const struct sd_x509_info *cx;
	const struct sd_verify_result *r;
	struct sd_finding *f;
	char buf[SD_ADDR_STRLEN];
	const char *name;
	size_t i, n;

	if (c == NULL || c->kept == 0 || c->retransmit)
		return;
	if (fl != NULL && fl->have_client && sd_ip_addr_cmp(&ev->src, &fl->client) == 0 &&
	    ev->sport == fl->cport)
		return;		/* the client's own certificate (mutual TLS) */
	if (fl == NULL)
		fl = flow_get(t, ev, true);
	name = server_name(fl, ev, buf);
	n = c->kept;
	/* facts from the shared cache, copied: the rules below read them as an array */
	for (i = 0; i < n; i++) {
		cx = sd_x509_cached(t->env->x509, c->der[i].p, c->der[i].len);
		if (cx != NULL)
			x[i] = *cx;
		else
			memset(&x[i], 0, sizeof(x[i]));
	}
	r = sd_verify_chain(t->verify, c->der, n, ev->ts_sec);
	f = r != NULL ? rule_chain(t, ev, r, &x[0], name) : NULL;
	if (fl != NULL) {
		struct sd_finding *nm = rule_name(t, ev, &x[0], fl->sni);

		fl->cert_seen = true;
		fl->chain_checked = r != NULL;
		fl->cert_frame = ev->frame;
		fl->judged = f != NULL ? f : nm;
		snprintf(fl->leaf_subject, sizeof(fl->leaf_subject), "%s",
		    x[0].subject != NULL ? x[0].subject : x[0].sha256);
	}
	rule_weak(t, ev, x, n, name);
	rule_pins(t, ev, &c->der[0], &x[0], fl != NULL ? fl->sni : "");
	rule_key_type(t, ev, &x[0], name);
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

static void
on_alert(struct trust_rules *t, const struct sd_event *ev)
{
	const struct sd_tls_alert *a = ev->u.msg.alert;
	struct tflow *fl = flow_get(t, ev, false);
	const char *an;
	struct sd_finding *f;
	char g[400], srv[SD_ADDR_STRLEN];

	if (a == NULL || a->encrypted || fl == NULL || !(fl->cert_seen || fl->tls13) ||
	    fl->alert_seen ||
	    !fl->have_client || sd_ip_addr_cmp(&ev->src, &fl->client) != 0 ||
	    ev->sport != fl->cport || !sd_tls_cert_alert(a->description))
		return;
	fl->alert_seen = true;
	an = sd_tls_alert_name(a->description);
	if (an == NULL)
		an = "?";
	if (fl->judged != NULL) {
		/* our own verdict names the cause: the alert is its proof from the client */
		sd_finding_frame(fl->judged, ev->frame);
		if (fl->judged->count == 1)
			sd_finding_value(fl->judged, "client_alert", "%s (%u)", an,
			    a->description);
		return;
	}
	sd_ip_addr_str(&ev->dst, srv);
	if (!fl->cert_seen) {
		snprintf(fl->leaf_subject, sizeof(fl->leaf_subject), "%s",
		    "(encrypted: TLS 1.3)");
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
		sd_finding_value(f, "alert", "%s (%u)", an, a->description);
		sd_finding_value(f, "certificate", "%s", fl->leaf_subject);
		sd_finding_value(f, "server", "%s", fl->sni[0] ? fl->sni : srv);
		sd_finding_value(f, "note", "%s", !fl->cert_seen ? "TLS 1.3 encrypts the "
		    "certificate: shakedown could not see it, and checked nothing" :
		    fl->chain_checked ? "the chain verifies against shakedown's trust store: "
		    "the client trusts other roots, checks revocation or policy" : "the chain "
		    "was not verified here (no memory to verify it)");
	}
	if (fl->cert_seen)
		sd_finding_summary(f, "the client rejected the certificate %s with %s (%llu "
		    "time%s)", fl->leaf_subject, an, (unsigned long long)f->count,
		    plural(f->count));
	else
		sd_finding_summary(f, "the client rejected the certificate of %s with %s; TLS "
		    "1.3 encrypts it, so its chain could not be checked here (%llu time%s)",
		    fl->sni[0] ? fl->sni : srv, an, (unsigned long long)f->count,
		    plural(f->count));
	if (fl->cert_frame != 0)
		sd_finding_frame(f, fl->cert_frame);
	sd_finding_frame(f, ev->frame);
	sd_rule_note_flow(f, ev, true);
}

static void
trust_event(void *ctx, const struct sd_event *ev)
{
	struct trust_rules *t = ctx;
	const struct sd_tls_client_hello *ch;
	const struct sd_tls_server_hello *sh;
	struct tflow *fl;

	switch (ev->type) {
	case SD_EV_TLS_CLIENT_HELLO:
		ch = ev->u.msg.client_hello;
		if (ch == NULL || ch->retransmit || ev->flow_id == 0 ||
		    (fl = flow_get(t, ev, true)) == NULL)
			return;
		memset(fl, 0, sizeof(*fl));
		fl->have_client = true;
		fl->client = ev->src;
		fl->cport = ev->sport;
		if (ch->has_sni && ch->sni.len < sizeof(fl->sni) &&
		    memchr(ch->sni.p, '\0', ch->sni.len) == NULL) {
			memcpy(fl->sni, ch->sni.p, ch->sni.len);
			fl->sni[ch->sni.len] = '\0';
		}
		break;
	case SD_EV_TLS_CERTIFICATE:
		on_certificate(t, ev);
		break;
	case SD_EV_TLS_SERVER_HELLO:
		sh = ev->u.msg.server_hello;
		if (sh != NULL && !sh->hello_retry &&
		    (fl = flow_get(t, ev, false)) != NULL)
			fl->tls13 = sh->version == 0x0304 || (sh->version >> 8) == 0x7f;
		break;
	case SD_EV_TLS_ALERT:
		on_alert(t, ev);
		break;
	default:
		break;
	}
}

static void
trust_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_trust = {
	"trust", trust_new, trust_event, trust_finish, trust_free, trust_flow_free, trust_stats,
};
