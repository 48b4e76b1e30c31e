/* analyze/rules_backend.c - findings across the connections of one server name: the issuer
 * changed (interception switched on), backends that differ (per name, or behind one
 * virtual address). State is gathered by rules_intercept.c. */
#include "analyze/intercept_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/x509.h"
#include "dissect/tls_names.h"

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
bool
sd_icpt_report_issuer_changed(struct intercept_rules *t, const struct name *nm)
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
	f = sd_finding_put(t->out, SD_K_ICEPT_ISSUER_CHANGED, nm->name, nm->sec, nm->nsec,
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
		    nm->iss[i].count == 1 ? "" : "s", (unsigned long long)sd_frame_no(nm->iss[i].frame));
		sd_finding_frame(f, nm->iss[i].frame);
	}
	sd_finding_summary(f, "%s: %zu different issuers for the same name from %s", nm->name,
	    nm->niss, ep);
	name_flows(f, nm);
	return true;
}

/* Backends of one name that differ in certificate or in outcome. */
void
sd_icpt_report_backends(struct intercept_rules *t, const struct name *nm)
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
	f = sd_finding_put(t->out, SD_K_ICEPT_BACKEND_MISMATCH, nm->name, nm->sec, nm->nsec,
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

/* Append to buf (size n, NUL-terminated) without overflowing. */
static void
append(char *buf, size_t n, const char *s)
{
	size_t l = strlen(buf);

	if (l + 1 < n)
		snprintf(buf + l, n - l, "%s", s);
}

/* "10, 48" from a list of frame references. */
static void
frames_str(char *buf, size_t n, const uint64_t *v, size_t nv)
{
	char item[32];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < nv; i++) {
		snprintf(item, sizeof(item), "%s%llu", i > 0 ? ", " : "",
		    (unsigned long long)sd_frame_no(v[i]));
		append(buf, n, item);
	}
}

/* "2 completed", "2 failed (client alert Unknown CA (48))", "1 completed, 1 unseen". */
static void
variant_outcome(const struct variant *v, char *buf, size_t n)
{
	uint64_t unseen = v->conns - v->completed - v->failed;
	int k = 0;

	buf[0] = '\0';
	if (v->completed > 0)
		k += snprintf(buf, n, "%llu completed the handshake",
		    (unsigned long long)v->completed);
	if (v->failed > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, "%s%llu failed (%s)", k > 0 ? ", " : "",
		    (unsigned long long)v->failed, v->fail_what);
	if (unseen > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "%s%llu without a visible end of handshake",
		    k > 0 ? ", " : "", (unsigned long long)unseen);
}

/* A tcp.port_closed finding about these refused connections: say what it is part of. */
static void
note_port_closed(struct intercept_rules *t, const struct refusal *rf, const char *ep)
{
	size_t i, j, k;

	for (i = 0; i < t->out->n; i++) {
		struct sd_finding *u = t->out->v[i];

		if (u->k != SD_K_TCP_PORT_CLOSED)
			continue;
		for (j = 0; j < u->nflows; j++)
			for (k = 0; k < rf->n; k++)
				if (u->flows[j].id == rf->flows[k].id &&
				    u->flows[j].file_index == rf->flows[k].file_index)
					goto found;
		continue;
found:
		sd_finding_value(u, "caveat", "%s served TLS on other connections: these "
		    "resets come from one backend behind a load-balanced address, not from "
		    "the whole service (see tls.backend_mismatch)", ep);
	}
}

/*
 * One address (a virtual IP) serving one name with different leaf certificates, whose
 * connections end differently, or that also refuses SYNs with a reset between working
 * connections: a balancer alternates between backends that differ.  No DNS answer or
 * second address is needed.  Reported per certificate (connections, issuer, outcome,
 * frames) with the refused SYNs; it explains, so replaces, tls.issuer_changed, and a
 * tcp.port_closed on the same connections is told so.  True when reported.
 */
bool
sd_icpt_report_vip(struct intercept_rules *t, const struct name *nm)
{
	static const char *const var_names[MAX_VARIANTS] = { "certificate_1",
		"certificate_2", "certificate_3", "certificate_4" };
	const struct endpoint *p;
	const struct refusal *rf;
	struct sd_finding *f;
	char ep[64], out[160], fr[64], fr2[64], sum[640], part[400], syns[96];
	uint64_t ok = 0, failed = 0;
	size_t i, k, between = 0;
	uint8_t key[24];

	if (nm->nep != 1 || nm->nvar < 2)
		return false;
	p = &nm->ep[0];
	for (i = 0; i < nm->nvar; i++) {
		failed += nm->var[i].failed;
		ok += nm->var[i].conns - nm->var[i].failed;
	}
	sd_icpt_refusal_key(&p->addr, p->port, nm->file_index, key);
	rf = sd_tab_get(t->refusals, key, sizeof(key), false, NULL);
	for (i = 0; rf != NULL && i < rf->n; i++)
		if (rf->rst_frames[i] > nm->first_ch && rf->rst_frames[i] < nm->last_ch)
			between++;
	/* without refusals in between, two issuers at one address stay tls.issuer_changed */
	if (between == 0 && (p->nissuers > 1 || failed == 0 || ok == 0))
		return false;
	f = sd_finding_put(t->out, SD_K_ICEPT_BACKEND_MISMATCH, nm->name, nm->sec, nm->nsec,
	    nm->file_index);
	if (f == NULL)
		return true;
	f->confidence = between > 0 ? 0.8 : 0.6;
	ep_str(p, ep, sizeof(ep));
	sd_finding_value(f, "name", "%s", nm->name);
	sd_finding_value(f, "address", "%s: every connection to this one address", ep);
	sum[0] = '\0';
	for (i = 0; i < nm->nvar; i++) {
		const struct variant *v = &nm->var[i];
		const char *iss = v->iss >= 0 ? nm->iss[v->iss].dn : "not kept";

		variant_outcome(v, out, sizeof(out));
		frames_str(fr, sizeof(fr), v->cert_frames, v->ncert_frames);
		frames_str(fr2, sizeof(fr2), v->fail_frames, v->nfail_frames);
		sd_finding_value(f, var_names[i], "%llu connection%s, issuer %s: %s; certificate "
		    "in %s%s%s", (unsigned long long)v->conns, v->conns == 1 ? "" : "s", iss, out,
		    fr, v->nfail_frames > 0 ? ", failure in " : "", fr2);
		for (k = 0; k < v->ncert_frames; k++)
			sd_finding_frame(f, v->cert_frames[k]);
		for (k = 0; k < v->nfail_frames; k++)
			sd_finding_frame(f, v->fail_frames[k]);
		for (k = 0; k < v->nflows; k++)
			sd_finding_flow(f, &v->flows[k]);
		snprintf(part, sizeof(part), "%s%s with a certificate from %s", i > 0 ? "; " : "",
		    out, iss);
		append(sum, sizeof(sum), part);
	}
	if (nm->var_overflow > 0)
		sd_finding_value(f, "certificates_not_kept", "%llu connections",
		    (unsigned long long)nm->var_overflow);
	if (rf != NULL) {
		syns[0] = '\0';
		for (i = 0; i < rf->n; i++) {
			snprintf(part, sizeof(part), "%s%llu/%llu", i > 0 ? ", " : "",
			    (unsigned long long)sd_frame_no(rf->syn_frames[i]),
			    (unsigned long long)sd_frame_no(rf->rst_frames[i]));
			append(syns, sizeof(syns), part);
			if (rf->syn_frames[i] != 0)
				sd_finding_frame(f, rf->syn_frames[i]);
			sd_finding_frame(f, rf->rst_frames[i]);
			sd_finding_flow(f, &rf->flows[i]);
		}
		sd_finding_value(f, "syn_refused", "%llu connection attempt%s refused: the SYN "
		    "answered by a TCP reset (SYN/reset in %s)", (unsigned long long)rf->count,
		    rf->count == 1 ? "" : "s", syns);
		snprintf(part, sizeof(part), "; %llu SYN%s refused with a TCP reset",
		    (unsigned long long)rf->count, rf->count == 1 ? "" : "s");
		append(sum, sizeof(sum), part);
		note_port_closed(t, rf, ep);
	}
	sd_finding_summary(f, "%s at %s: the backends behind this one address differ: %s",
	    nm->name, ep, sum);
	return true;
}

