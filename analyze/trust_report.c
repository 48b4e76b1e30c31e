/* analyze/trust_report.c - a judged connection's chain verdict as one finding: the fault
 * the client's reaction points at, the others folded in, severity by outcome. */
#include "analyze/trust.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dissect/table.h"

enum fault { F_UNTRUSTED, F_VALIDITY, F_NAME, F_ORDER, F_N };

struct sd_outcome_tally *
sd_trust_tally(struct sd_tab *tallies, const struct sd_finding *f)
{
	return sd_tab_get(tallies, &f, sizeof(f), true, NULL);
}

static bool
has(const struct sd_trust_verdict *v, enum fault w)
{
	switch (w) {
	case F_UNTRUSTED:
		return v->untrusted;
	case F_VALIDITY:
		return v->validity;
	case F_NAME:
		return v->name;
	case F_ORDER:
		return v->order;
	default:
		return false;
	}
}

/*
 * The fault the finding is about.  The client's alert names what it refused: unknown_ca
 * the issuer, certificate_expired the dates, bad_certificate / certificate_unknown the
 * name (OpenSSL, Go and Java send these).  Without one the bytes' own facts come first
 * (dates, name), then, if the client went on, the order before the store: a chain this
 * client accepted is untrusted only for shakedown.
 */
static enum fault
primary(const struct sd_trust_verdict *v, const struct sd_outcome_conn *oc, enum sd_outcome o)
{
	static const enum fault by48[] = { F_UNTRUSTED, F_ORDER, F_VALIDITY, F_NAME };
	static const enum fault by45[] = { F_VALIDITY, F_UNTRUSTED, F_NAME, F_ORDER };
	static const enum fault by42[] = { F_NAME, F_VALIDITY, F_UNTRUSTED, F_ORDER };
	static const enum fault went_on[] = { F_VALIDITY, F_NAME, F_ORDER, F_UNTRUSTED };
	static const enum fault other[] = { F_VALIDITY, F_NAME, F_UNTRUSTED, F_ORDER };
	uint8_t a = oc->alert && oc->alert_sender == SD_ROLE_CLIENT ? oc->alert_desc : 0;
	const enum fault *ord = a == 48 ? by48 : a == 45 ? by45 : a == 42 || a == 46 ? by42 :
	    o == SD_OUTCOME_ACCEPTED ? went_on : other;
	size_t i;

	for (i = 0; i < F_N; i++)
		if (has(v, ord[i]))
			return ord[i];
	return F_UNTRUSTED;
}

static enum sd_kind
kind_of(enum fault w, const struct sd_chain_diag *d)
{
	switch (w) {
	case F_VALIDITY:
		return d->validity == 1 ? SD_K_TRUST_CERTIFICATE_EXPIRED :
		    SD_K_TRUST_CERTIFICATE_NOT_YET_VALID;
	case F_NAME:
		return SD_K_TRUST_NAME_MISMATCH;
	case F_ORDER:
		return SD_K_TRUST_CHAIN_MISORDERED;
	default:
		return SD_K_TRUST_CHAIN_UNTRUSTED;
	}
}

/*
 * Severity follows the outcome.  Refused, failed or not shown: the catalogue's (high), as
 * a chain fault then explains an outage.  Accepted: a chain shakedown alone cannot verify
 * is info (the client knows a root shakedown was not given), an incomplete chain low
 * (other clients lack the intermediate), an out-of-order one low, a wrong date or name
 * that the client let pass medium.
 */
static enum sd_sev
severity(enum fault w, const struct sd_trust_verdict *v, enum sd_outcome o)
{
	const struct sd_chain_diag *d = &v->d;

	/* a root the store had when this was captured: trusted then, unless refused */
	if (w == F_UNTRUSTED && v->withdrawn != NULL && o != SD_OUTCOME_REFUSED)
		return SD_SEV_INFO;
	if (w == F_ORDER)
		return o == SD_OUTCOME_ACCEPTED ? SD_SEV_LOW : o == SD_OUTCOME_REFUSED ?
		    SD_SEV_HIGH : SD_SEV_MEDIUM;
	if (o != SD_OUTCOME_ACCEPTED)
		return SD_SEV_HIGH;
	if (w == F_UNTRUSTED)
		return d->trust == SD_CHAIN_INCOMPLETE ? SD_SEV_LOW : SD_SEV_INFO;
	return SD_SEV_MEDIUM;
}

static void
group_of(enum fault w, const struct sd_trust_verdict *v, const struct sd_trust_conn *c,
    char *g, size_t n)
{
	switch (w) {
	case F_UNTRUSTED:
		snprintf(g, n, "%s|%s", v->d.reason, v->d.named);
		break;
	case F_VALIDITY:
		snprintf(g, n, "%s|%s", v->d.v_subject, c->leaf_sha256);
		break;
	case F_NAME:
		snprintf(g, n, "%s|%s", c->sni, c->leaf_sha256);
		break;
	default:
		snprintf(g, n, "%s|%s", c->name, c->leaf_sha256);
		break;
	}
}

/* A chain ending at a root today's store no longer has, captured while it had it. */
static void
withdrawn_text(const struct sd_trust_verdict *v, const char *name, char *buf, size_t n)
{
	char when[32];
	time_t t = (time_t)v->when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(when, sizeof(when), "%Y-%m-%d", &tm) == 0)
		snprintf(when, sizeof(when), "?");
	snprintf(buf, n, "the chain of %s ends at the root '%s', which Debian's store had until "
	    "%s (%s, %s): it was trusted when this was captured (%s); today's store no longer "
	    "has it", name, v->d.named, v->withdrawn->date, v->withdrawn->why,
	    v->withdrawn->source, when);
}

/* The untrusted chain as the client's acceptance shows it: shakedown's store lacks it. */
static void
accepted_text(const struct sd_chain_diag *d, const char *name, char *buf, size_t n)
{
	switch (d->trust) {
	case SD_CHAIN_UNKNOWN_ROOT:
		snprintf(buf, n, "the client trusts a root shakedown does not know ('%s'); pass "
		    "--ca-file to check it", d->named);
		break;
	case SD_CHAIN_SELF_SIGNED:
		snprintf(buf, n, "the client trusts the self-signed certificate '%s' of %s, which "
		    "shakedown does not know; pass --ca-file to check it", d->named, name);
		break;
	case SD_CHAIN_ISSUER_NOT_SENT:
		snprintf(buf, n, "the client accepted the chain of %s: it knows the issuer '%s', "
		    "which the server does not send and shakedown does not know; pass --ca-file "
		    "to check it", name, d->named);
		break;
	default:
		sd_chain_trust_text(d, name, buf, n);
		snprintf(buf + strlen(buf), n - strlen(buf), "; this client has it (cached or "
		    "installed), clients without it refuse the chain");
		break;
	}
}

static void
values_untrusted(struct sd_finding *f, const struct sd_chain_diag *d)
{
	char s[160];

	sd_finding_value(f, "reason", "%s", d->reason);
	if (d->trust == SD_CHAIN_SELF_SIGNED || (d->trust == SD_CHAIN_UNKNOWN_ROOT &&
	    d->root_sent)) {
		sd_finding_value(f, "untrusted", "%s", d->named);
	} else {
		sd_finding_value(f, "missing_issuer", "%s", d->named);
		sd_finding_value(f, "issuer_of", "%s", d->issuer_of);
	}
	if (d->seen.frame != 0) {
		snprintf(s, sizeof(s), "%s, frame %llu", d->seen.server,
		    (unsigned long long)sd_frame_no(d->seen.frame));
		sd_finding_value(f, "sent_elsewhere", "%s", s);
	}
	if (d->aia[0] != '\0')
		sd_finding_value(f, "ca_issuers", "%s", d->aia);
}

static void
values_validity(struct sd_finding *f, const struct sd_chain_diag *d)
{
	sd_finding_value(f, "certificate", "%s", d->v_subject);
	sd_finding_value(f, "depth", "%d%s", d->v_depth, d->v_depth == 0 ? " (leaf)" :
	    d->v_root ? " (root)" : " (intermediate)");
	if (d->v_not_before[0] != '\0') {
		sd_finding_value(f, "not_before", "%s", d->v_not_before);
		sd_finding_value(f, "not_after", "%s", d->v_not_after);
	}
}

static void
values_order(struct sd_finding *f, const struct sd_chain_diag *d)
{
	sd_finding_value(f, "sent", "%s", d->sent);
	sd_finding_value(f, "path", "%s", d->path);
	if (d->nunrelated > 0)
		sd_finding_value(f, "unrelated", "%s (issued by %s)", d->unrelated,
		    d->unrelated_by);
}

/* The faults other than the primary, as values of its finding. */
static void
values_folded(struct sd_finding *f, enum fault w, const struct sd_trust_verdict *v,
    const struct sd_trust_conn *c, enum sd_outcome o)
{
	char s[1024];

	if (w != F_UNTRUSTED && v->untrusted) {
		if (o == SD_OUTCOME_ACCEPTED)
			accepted_text(&v->d, c->name, s, sizeof(s));
		else
			sd_chain_trust_text(&v->d, c->name, s, sizeof(s));
		sd_finding_value(f, "store", "%s", s);
	}
	if (w != F_VALIDITY && v->validity) {
		sd_chain_validity_text(&v->d, s, sizeof(s));
		sd_finding_value(f, "validity", "%s", s);
	}
	if (v->validity && v->n_out_of_date > 1)
		sd_finding_value(f, "out_of_date", "%d certificates: %s", v->n_out_of_date,
		    v->out_of_date);
	if (w != F_NAME && v->name)
		sd_finding_value(f, "name", "certificate for %s does not cover the requested "
		    "name %s", v->names[0] ? v->names : "(no name)", c->sni);
	if (w != F_ORDER && v->order) {
		sd_chain_order_text(&v->d, s, sizeof(s));
		sd_finding_value(f, "order", "chain sent %s", s);
	}
}

static void
fill_first(struct sd_finding *f, enum fault w, const struct sd_trust_verdict *v,
    const struct sd_trust_conn *c, enum sd_outcome o)
{
	char b[160];

	f->confidence = w == F_UNTRUSTED ? 0.9 : w == F_VALIDITY ? 0.95 : 1.0;
	switch (w) {
	case F_UNTRUSTED:
		values_untrusted(f, &v->d);
		if (v->withdrawn != NULL)
			sd_finding_value(f, "withdrawn_root", "%s: removed from Debian's store on %s "
			    "(%s, %s)", v->withdrawn->name, v->withdrawn->date,
			    v->withdrawn->source, v->withdrawn->why);
		break;
	case F_VALIDITY:
		values_validity(f, &v->d);
		break;
	case F_NAME:
		sd_finding_value(f, "server_name", "%s", c->sni);
		sd_finding_value(f, "certificate_names", "%s", v->names[0] ? v->names : "(none)");
		break;
	default:
		values_order(f, &v->d);
		break;
	}
	sd_finding_value(f, "leaf", "%s", c->leaf);
	sd_finding_value(f, "server", "%s", c->name);
	if (w == F_VALIDITY && v->d.v_openssl[0] != '\0')
		sd_finding_value(f, "openssl", "%s", v->d.v_openssl);
	else if (v->d.openssl[0] != '\0' && w == F_UNTRUSTED)
		sd_finding_value(f, "openssl", "%s", v->d.openssl);
	values_folded(f, w, v, c, o);
	if (c->oc->dtls) {
		sd_finding_value(f, "protocol", "%s", sd_outcome_version(c->oc, b, sizeof(b)));
		sd_outcome_hvr_text(c->oc, b, sizeof(b));
		if (b[0] != '\0')
			sd_finding_value(f, "hello_verify", "%s", b);
	}
}

static void
summarize(struct sd_finding *f, enum fault w, const struct sd_trust_verdict *v,
    const struct sd_trust_conn *c, const struct sd_outcome_tally *t)
{
	char main[1100], tail[700], ver[32], pre[48];
	const char *vt;
	bool all_accepted = t != NULL &&
	    t->n[SD_OUTCOME_ACCEPTED] == sd_outcome_tally_total(t);

	pre[0] = '\0';
	if (c->oc->dtls) {
		vt = sd_outcome_version(c->oc, ver, sizeof(ver));
		snprintf(pre, sizeof(pre), "%s: ", vt[0] != '\0' ? vt : "DTLS");
	}
	switch (w) {
	case F_UNTRUSTED:
		if (v->withdrawn != NULL)
			withdrawn_text(v, c->name, main, sizeof(main));
		else if (all_accepted)
			accepted_text(&v->d, c->name, main, sizeof(main));
		else
			sd_chain_trust_text(&v->d, c->name, main, sizeof(main));
		break;
	case F_VALIDITY:
		sd_chain_validity_text(&v->d, tail, sizeof(tail));
		snprintf(main, sizeof(main), "%s: %s", c->name, tail);
		if (v->n_out_of_date > 1)
			snprintf(main + strlen(main), sizeof(main) - strlen(main), "; %d other "
			    "certificate%s of the chain out of date too", v->n_out_of_date - 1,
			    v->n_out_of_date > 2 ? "s" : "");
		break;
	case F_NAME:
		snprintf(main, sizeof(main), "certificate for %s does not cover the requested "
		    "name %s", v->names[0] ? v->names : "(no name)", c->sni);
		break;
	default:
		sd_chain_order_text(&v->d, tail, sizeof(tail));
		snprintf(main, sizeof(main), "%s sends its chain %s%s", c->name, tail,
		    all_accepted ? "; this client reorders it, clients that do not reorder "
		    "refuse it" :
		    "");
		break;
	}
	tail[0] = '\0';
	if (t != NULL)
		sd_outcome_tally_text(t, tail, sizeof(tail));
	if (c->oc->dtls && c->oc->hvr_frame != 0)
		snprintf(tail + strlen(tail), sizeof(tail) - strlen(tail), ", after a "
		    "HelloVerifyRequest exchange");
	sd_finding_summary(f, "%s%s (%s)", pre, main, tail);
}

struct sd_finding *
sd_trust_report(struct sd_findings *out, struct sd_tab *tallies,
    const struct sd_trust_verdict *v, const struct sd_trust_conn *c)
{
	struct sd_outcome_tally *t;
	struct sd_finding *f;
	enum sd_outcome o;
	enum sd_sev s;
	enum fault w;
	char what[160], g[600];
	uint64_t frame;

	o = sd_outcome_judge(c->oc, what, sizeof(what), &frame);
	if (o == SD_OUTCOME_UNDELIVERED)
		return NULL;	/* tcp.mtu_blackhole: the client never saw this chain */
	w = primary(v, c->oc, o);
	group_of(w, v, c, g, sizeof(g));
	f = sd_finding_add(out, kind_of(w, &v->d), g, c->sec, c->nsec, c->file_index);
	if (f == NULL)
		return NULL;
	s = severity(w, v, o);
	if (f->count == 1) {
		f->severity = s;
		fill_first(f, w, v, c, o);
	} else if (s > f->severity) {
		f->severity = s;
	}
	if ((t = sd_trust_tally(tallies, f)) != NULL) {
		sd_outcome_tally_add(t, o, what, frame, c->oc->keylog);
		sd_outcome_tally_values(t, f);
	}
	summarize(f, w, v, c, t);
	sd_outcome_hvr_frames(c->oc, f);
	sd_finding_frame(f, c->oc->cert_frame);
	if (frame != c->oc->cert_frame)
		sd_finding_frame(f, frame);
	if (w == F_UNTRUSTED && v->d.seen.frame != 0)
		sd_finding_frame(f, v->d.seen.frame);	/* where the missing one was sent */
	sd_finding_flow(f, &c->flow);
	return f;
}
