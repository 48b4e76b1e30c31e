/* analyze/chain.c - what a served certificate chain shows (RFC 5246 §7.4.2, RFC 8446
 * §4.4.2: the sender's certificate first, each following one certifying the one before). */
#include "analyze/chain.h"

#include <stdio.h>
#include <string.h>

#include "analyze/verify.h"
#include "analyze/x509.h"
#include "dissect/event.h"

#define PATH_MAX_CERTS	16

static bool
usable(const struct sd_x509_info *x)
{
	return x != NULL && x->parsed && x->subject != NULL && x->issuer != NULL;
}

/* The position of the sent certificate whose subject is dn, or -1. */
static int
find_subject(const struct sd_x509_info *const *x, size_t n, const char *dn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (usable(x[i]) && strcmp(x[i]->subject, dn) == 0)
			return (int)i;
	return -1;
}

static void
diagnose_trust(const struct sd_x509_info *const *x, size_t n,
    const struct sd_verify_result *r, const struct sd_chain_seen *seen,
    struct sd_chain_diag *d)
{
	int k;

	snprintf(d->openssl, sizeof(d->openssl), "%s", r->error_text);
	if (r->flags & SD_VERIFY_SELF_SIGNED) {
		d->trust = SD_CHAIN_SELF_SIGNED;
		d->reason = "self-signed leaf";
		snprintf(d->named, sizeof(d->named), "%s", r->untrusted);
	} else if (r->flags & SD_VERIFY_UNTRUSTED_ROOT) {
		d->trust = SD_CHAIN_UNKNOWN_ROOT;
		d->reason = "unknown root";
		d->root_sent = true;
		snprintf(d->named, sizeof(d->named), "%s", r->untrusted);
	} else if (r->flags & SD_VERIFY_MISSING_ISSUER) {
		snprintf(d->named, sizeof(d->named), "%s", r->missing_issuer);
		snprintf(d->issuer_of, sizeof(d->issuer_of), "%s", r->missing_for);
		k = find_subject(x, n, r->missing_for);
		d->issuer_of_last = k >= 0 && (size_t)k == n - 1;
		if (k >= 0 && x[k]->ca_issuers.n > 0)
			snprintf(d->aia, sizeof(d->aia), "%s", x[k]->ca_issuers.v[0].p);
		/* only a certificate seen somewhere tells a root from an intermediate */
		if (seen != NULL && seen->frame != 0) {
			d->seen = *seen;
			d->trust = seen->self_issued ? SD_CHAIN_UNKNOWN_ROOT : SD_CHAIN_INCOMPLETE;
			d->reason = seen->self_issued ? "unknown root" : "incomplete chain";
		} else {
			d->trust = SD_CHAIN_ISSUER_NOT_SENT;
			d->reason = "issuer not sent";
		}
	}
}

static void
diagnose_validity(const struct sd_x509_info *const *x, size_t n,
    const struct sd_verify_result *r, struct sd_chain_diag *d)
{
	int k;

	if (!(r->flags & (SD_VERIFY_EXPIRED | SD_VERIFY_NOT_YET_VALID)))
		return;
	d->validity = (r->flags & SD_VERIFY_EXPIRED) ? 1 : 2;
	snprintf(d->v_subject, sizeof(d->v_subject), "%s", r->expired);
	d->v_depth = r->expired_depth;
	snprintf(d->v_openssl, sizeof(d->v_openssl), "%s", r->expired_text);
	if ((k = find_subject(x, n, r->expired)) < 0) {
		d->v_root = d->v_depth >= (int)n;	/* not sent: the store's root */
	} else {
		d->v_root = x[k]->self_issued;
		memcpy(d->v_not_before, x[k]->not_before, sizeof(d->v_not_before));
		memcpy(d->v_not_after, x[k]->not_after, sizeof(d->v_not_after));
	}
}

/* A second copy of a certificate on the path (servers configured with the leaf twice):
 * clients ignore it, it is not an unrelated one. */
static bool
repeated(const struct sd_x509_info *const *x, const bool *used, size_t n, size_t k)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (used[i] && strcmp(x[i]->sha256, x[k]->sha256) == 0)
			return true;
	return false;
}

/* Follow issuers from the leaf through what was sent; what is left over is unrelated. */
static void
diagnose_order(const struct sd_x509_info *const *x, size_t n, struct sd_chain_diag *d)
{
	size_t path[PATH_MAX_CERTS], np = 0, i, j, cur = 0, len;
	bool used[PATH_MAX_CERTS] = { false };

	if (n > PATH_MAX_CERTS)
		n = PATH_MAX_CERTS;
	if (n < 2 || !usable(x[0]))
		return;
	path[np++] = 0;
	used[0] = true;
	while (np < n && !x[cur]->self_issued) {
		for (j = 1; j < n; j++)
			if (!used[j] && usable(x[j]) && strcmp(x[j]->subject, x[cur]->issuer) == 0)
				break;
		if (j == n)
			break;
		path[np++] = j;
		used[j] = true;
		cur = j;
	}
	for (i = 0; i < np; i++) {
		len = strlen(d->path);
		snprintf(d->path + len, sizeof(d->path) - len, "%s%zu", i ? ", " : "", path[i] + 1);
		if (path[i] != i && !d->out_of_order) {
			d->out_of_order = true;
			if (i == 1)
				snprintf(d->issuer_pos, sizeof(d->issuer_pos), "the leaf's issuer is "
				    "certificate %zu of %zu", path[i] + 1, n);
			else
				snprintf(d->issuer_pos, sizeof(d->issuer_pos), "the issuer of "
				    "certificate %zu is certificate %zu of %zu", path[i - 1] + 1,
				    path[i] + 1, n);
		}
	}
	for (i = 0; i < n; i++) {
		bool other = usable(x[i]) && !used[i] && !repeated(x, used, n, i);

		len = strlen(d->sent);
		snprintf(d->sent + len, sizeof(d->sent) - len, "%s%zu %s%s", i ? "; " : "", i + 1,
		    usable(x[i]) ? x[i]->subject : "(not parsed)", other ? " (unrelated)" : "");
		if (!other)
			continue;
		if (d->nunrelated++ == 0) {
			snprintf(d->unrelated, sizeof(d->unrelated), "%s", x[i]->subject);
			snprintf(d->unrelated_by, sizeof(d->unrelated_by), "%s", x[i]->issuer);
		}
	}
}

void
sd_chain_diagnose(const struct sd_x509_info *const *x, size_t n,
    const struct sd_verify_result *r, const struct sd_chain_seen *missing_seen,
    struct sd_chain_diag *d)
{
	memset(d, 0, sizeof(*d));
	d->reason = "";
	if (r != NULL) {
		diagnose_trust(x, n, r, missing_seen, d);
		diagnose_validity(x, n, r, d);
	}
	diagnose_order(x, n, d);
}

bool
sd_chain_misordered(const struct sd_chain_diag *d)
{
	return d->out_of_order || d->nunrelated > 0;
}

void
sd_chain_trust_text(const struct sd_chain_diag *d, const char *name, char *buf, size_t n)
{
	char of[300], tail[400];

	buf[0] = '\0';
	switch (d->trust) {
	case SD_CHAIN_TRUSTED:
		break;
	case SD_CHAIN_SELF_SIGNED:
		snprintf(buf, n, "%s presents a self-signed certificate '%s'", name, d->named);
		break;
	case SD_CHAIN_UNKNOWN_ROOT:
		if (d->root_sent)
			snprintf(buf, n, "the chain of %s ends in a private or unknown root '%s' "
			    "that is not in the store", name, d->named);
		else
			snprintf(buf, n, "the chain of %s leads to a private or unknown root '%s' "
			    "that is not in the store (not sent, as roots need not be; %s sends "
			    "it in frame %llu)", name, d->named, d->seen.server,
			    (unsigned long long)sd_frame_no(d->seen.frame));
		break;
	case SD_CHAIN_INCOMPLETE:
		snprintf(buf, n, "%s sends an incomplete chain: the intermediate '%s' (issuer of "
		    "'%s') is not sent; another server in the capture sends it (%s, frame %llu)",
		    name, d->named, d->issuer_of, d->seen.server,
		    (unsigned long long)sd_frame_no(d->seen.frame));
		break;
	case SD_CHAIN_ISSUER_NOT_SENT:
		if (d->issuer_of_last)
			snprintf(of, sizeof(of), "%s", "its last certificate");
		else
			snprintf(of, sizeof(of), "'%s'", d->issuer_of);
		tail[0] = '\0';
		if (d->aia[0] != '\0')
			snprintf(tail, sizeof(tail), "; the certificate says where to fetch it "
			    "(AIA caIssuers %s): clients that fetch it succeed, others refuse",
			    d->aia);
		snprintf(buf, n, "%s does not send the issuer '%s' of %s, and '%s' is not in "
		    "the store%s", name, d->named, of, d->named, tail);
		break;
	}
}

void
sd_chain_validity_text(const struct sd_chain_diag *d, char *buf, size_t n)
{
	const char *which = d->v_depth == 0 ? "server certificate" : d->v_root ? "root" :
	    "intermediate";

	buf[0] = '\0';
	if (d->validity == 0)
		return;
	if (d->v_not_before[0] == '\0')
		snprintf(buf, n, "the %s '%s' %s at the capture time", which, d->v_subject,
		    d->validity == 1 ? "had expired" : "was not yet valid");
	else if (d->validity == 1)
		snprintf(buf, n, "the %s '%s' had expired at the capture time (valid %s to %s)",
		    which, d->v_subject, d->v_not_before, d->v_not_after);
	else
		snprintf(buf, n, "the %s '%s' was not yet valid at the capture time (valid from "
		    "%s)", which, d->v_subject, d->v_not_before);
}

void
sd_chain_order_text(const struct sd_chain_diag *d, char *buf, size_t n)
{
	size_t len;

	buf[0] = '\0';
	if (d->out_of_order)
		snprintf(buf, n, "out of order (%s)", d->issuer_pos);
	if (d->nunrelated > 0) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "%swith %s unrelated certificate%s '%s' (issued by "
		    "'%s', not on the leaf's path)", len ? ", " : "",
		    d->nunrelated == 1 ? "an" : "more than one",
		    d->nunrelated == 1 ? "" : "s, the first", d->unrelated, d->unrelated_by);
	}
}
