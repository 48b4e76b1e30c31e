/* analyze/rules_ikesa.c - patterns across the IKE SAs of a gateway pair: periodic rekeys
 * with the ESP gap at each, a responder that never initiates. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/ip.h"
#include "dissect/table.h"
#include "engine/ipsec_types.h"

/* The IKE SAs and ESP SAs are written when they end: kept in bounded tables charged to
 * the memory cap (pushed-out entries counted) and judged at the end. */
#define SAS		65536	/* IKE SAs */
#define ESPS		65536	/* ESP SAs (for the gaps around rekeys) */
#define REQS		65536	/* (from, to) gateway pairs that sent requests */


/* Keyed by arrival order. */
struct sa_rec {
	struct sd_addr	 init, resp;
	uint16_t	 iport, rport;
	uint8_t		 proto;
	int64_t		 first_sec, last_sec;
	uint32_t	 first_nsec, last_nsec;
	uint64_t	 first_frame, last_frame;
	bool		 up;		/* an answered exchange after IKE_SA_INIT, or established */
	uint32_t	 file_index;
};

/* Keyed by arrival order. */
struct esp_rec {
	struct sd_addr	 src, dst;
	double		 first, last;
	uint64_t	 first_frame, last_frame;
};

/* Who sent IKE requests between two gateways (for "a responder that never initiates"). */
/* Keyed by (from, to). */
struct req_rec {
	uint32_t	 requests;
};
struct ikesa_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*sa;	/* struct sa_rec */
	struct sd_tab		*esp;	/* struct esp_rec */
	struct sd_tab		*req;	/* struct req_rec */
	uint64_t		 nsa, nesp;	/* keys of the next records */
};

static double
ts(int64_t sec, uint32_t nsec)
{
	return (double)sec + (double)nsec / 1e9;
}

/* Append to buf (size n, NUL-terminated) without overflowing. */
static void
append(char *buf, size_t n, const char *s)
{
	size_t l = strlen(buf);

	if (l + 1 < n)
		snprintf(buf + l, n - l, "%s", s);
}

static void
req_key(const struct sd_addr *from, const struct sd_addr *to, uint8_t key[34])
{
	memcpy(key, from->a, 16);
	key[16] = from->v;
	memcpy(key + 17, to->a, 16);
	key[33] = to->v;
}

static void
note_request(struct ikesa_rules *t, const struct sd_addr *from, const struct sd_addr *to)
{
	struct req_rec *r;
	uint8_t key[34];

	req_key(from, to, key);
	if ((r = sd_tab_get(t->req, key, sizeof(key), true, NULL)) != NULL)
		r->requests++;
}

static uint32_t
requests_from(struct ikesa_rules *t, const struct sd_addr *from, const struct sd_addr *to)
{
	const struct req_rec *r;
	uint8_t key[34];

	req_key(from, to, key);
	r = sd_tab_get(t->req, key, sizeof(key), false, NULL);
	return r != NULL ? r->requests : 0;
}

static void
on_sa(struct ikesa_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_sa *s = ev->u.msg.ike_sa;
	struct sa_rec *r;
	bool auth_answered = false;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nsteps; i++)
		if (strcmp(s->steps[i].step, "auth") == 0 && s->steps[i].ms >= 0)
			auth_answered = true;
	r = sd_tab_get(t->sa, &t->nsa, sizeof(t->nsa), true, NULL);
	t->nsa++;
	if (r == NULL)
		return;
	r->init = s->initiator;
	r->resp = s->responder;
	r->iport = s->initiator_port;
	r->rport = s->responder_port;
	r->proto = ev->transport != 0 ? ev->transport : SD_IPPROTO_UDP;
	r->first_sec = s->first_sec;
	r->first_nsec = s->first_nsec;
	r->last_sec = s->last_sec;
	r->last_nsec = s->last_nsec;
	r->first_frame = s->init_frame != 0 ? s->init_frame : s->first_frame;
	r->last_frame = s->last_frame;
	r->up = s->established || auth_answered;
	r->file_index = ev->file_index;
}

static void
on_esp(struct ikesa_rules *t, const struct sd_event *ev)
{
	const struct sd_esp_sa *s = ev->u.msg.esp;
	struct esp_rec *r;

	if (s == NULL)
		return;
	r = sd_tab_get(t->esp, &t->nesp, sizeof(t->nesp), true, NULL);
	t->nesp++;
	if (r == NULL)
		return;
	r->src = s->src;
	r->dst = s->dst;
	r->first = ts(s->first_sec, s->first_nsec);
	r->last = ts(s->last_sec, s->last_nsec);
	r->first_frame = s->first_frame;
	r->last_frame = s->last_frame;
}

/* The IKE SA records in arrival order, as an array the caller frees (NULL: none or no
 * memory). */
static const struct sa_rec **
sa_array(struct ikesa_rules *t, size_t *n)
{
	const struct sa_rec **v, *r;
	size_t i = 0;

	*n = sd_tab_count(t->sa);
	if (*n == 0 || (v = calloc(*n, sizeof(*v))) == NULL)
		return NULL;
	for (r = sd_tab_first(t->sa); r != NULL; r = sd_tab_next(t->sa, r))
		v[i++] = r;
	return v;
}

static int
cmp_sa(const void *x, const void *y)
{
	const struct sa_rec *a = *(const struct sa_rec *const *)x;
	const struct sa_rec *b = *(const struct sa_rec *const *)y;

	return a->first_frame < b->first_frame ? -1 : a->first_frame > b->first_frame;
}

/*
 * The SAs grouped by gateway pair without comparing every SA with every other (the
 * tables hold 65536 of each: quadratic loops took minutes at the end of a long capture).
 * ord[] holds the SAs sorted by (initiator, responder) and, within a pair, in arrival
 * order; pos[i] is where SA i (arrival order) is in it; run[k] the first position of the
 * pair position k belongs to, runend[k] one past its last.
 */
struct pair_ent {
	const struct sa_rec	*r;
	size_t			 i;	/* arrival order */
};

struct pairs {
	struct pair_ent	*ord;
	size_t		*pos, *run, *runend;
	size_t		 n;
};

static int
cmp_pair_dir(const struct sd_addr *ai, const struct sd_addr *ar, const struct sd_addr *bi,
    const struct sd_addr *br)
{
	int c = sd_ip_addr_cmp(ai, bi);

	return c != 0 ? c : sd_ip_addr_cmp(ar, br);
}

static int
cmp_pair_ent(const void *x, const void *y)
{
	const struct pair_ent *a = x, *b = y;
	int c = cmp_pair_dir(&a->r->init, &a->r->resp, &b->r->init, &b->r->resp);

	if (c != 0)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void
pairs_free(struct pairs *p)
{
	free(p->ord);
	free(p->pos);
	free(p->run);
	free(p->runend);
	memset(p, 0, sizeof(*p));
}

static bool
pairs_make(struct pairs *p, const struct sa_rec *const *all, size_t n)
{
	size_t k, lo;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->ord = calloc(n, sizeof(*p->ord));
	p->pos = calloc(n, sizeof(*p->pos));
	p->run = calloc(n, sizeof(*p->run));
	p->runend = calloc(n, sizeof(*p->runend));
	if (p->ord == NULL || p->pos == NULL || p->run == NULL || p->runend == NULL) {
		pairs_free(p);
		return false;
	}
	for (k = 0; k < n; k++) {
		p->ord[k].r = all[k];
		p->ord[k].i = k;
	}
	qsort(p->ord, n, sizeof(*p->ord), cmp_pair_ent);
	for (lo = 0, k = 0; k < n; k++) {
		if (k > 0 && cmp_pair_dir(&p->ord[k].r->init, &p->ord[k].r->resp,
		    &p->ord[k - 1].r->init, &p->ord[k - 1].r->resp) != 0)
			lo = k;
		p->run[k] = lo;
		p->pos[p->ord[k].i] = k;
	}
	for (k = n; k-- > 0;)
		p->runend[k] = k + 1 == n || p->run[k + 1] != p->run[k] ? k + 1 : p->runend[k + 1];
	return true;
}

/* How many SAs went from `init` to `resp` (binary search over ord). */
static size_t
pairs_count(const struct pairs *p, const struct sd_addr *init, const struct sd_addr *resp)
{
	size_t lo = 0, hi = p->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_pair_dir(&p->ord[mid].r->init, &p->ord[mid].r->resp, init, resp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->n ||
	    cmp_pair_dir(&p->ord[lo].r->init, &p->ord[lo].r->resp, init, resp) != 0)
		return 0;
	return p->runend[lo] - lo;
}

/*
 * The ESP records by unordered address pair, in arrival order within a pair, so that the
 * gap around a rekey looks only at the pair's own ESP SAs.
 */
struct esp_ent {
	const struct esp_rec	*r;
	const struct sd_addr	*lo, *hi;
	size_t			 i;
};

static void
esp_order(const struct sd_addr *a, const struct sd_addr *b, const struct sd_addr **lo,
    const struct sd_addr **hi)
{
	bool swap = sd_ip_addr_cmp(a, b) > 0;

	*lo = swap ? b : a;
	*hi = swap ? a : b;
}

static int
cmp_esp_ent(const void *x, const void *y)
{
	const struct esp_ent *a = x, *b = y;
	int c = cmp_pair_dir(a->lo, a->hi, b->lo, b->hi);

	if (c != 0)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The ESP records sorted (NULL: none or no memory; esp_gap() then finds no gap). */
static struct esp_ent *
esp_index(struct ikesa_rules *t, size_t *n)
{
	const struct esp_rec *e;
	struct esp_ent *v;
	size_t i = 0;

	*n = sd_tab_count(t->esp);
	if (*n == 0 || (v = calloc(*n, sizeof(*v))) == NULL) {
		*n = 0;
		return NULL;
	}
	for (e = sd_tab_first(t->esp); e != NULL; e = sd_tab_next(t->esp, e)) {
		v[i].r = e;
		esp_order(&e->src, &e->dst, &v[i].lo, &v[i].hi);
		v[i].i = i;
		i++;
	}
	qsort(v, *n, sizeof(*v), cmp_esp_ent);
	return v;
}

/* The ESP gap around time `at` between the gateways: last packet before, first after. */
static bool
esp_gap(const struct esp_ent *v, size_t nv, const struct sa_rec *s, double at, double *gap,
    uint64_t *before, uint64_t *after)
{
	const struct sd_addr *lo, *hi;
	const struct esp_rec *e;
	double last = -1, first = -1;
	size_t a = 0, b = nv, mid;

	*before = *after = 0;
	esp_order(&s->init, &s->resp, &lo, &hi);
	while (a < b) {		/* the pair's first record */
		mid = a + (b - a) / 2;
		if (cmp_pair_dir(v[mid].lo, v[mid].hi, lo, hi) < 0)
			a = mid + 1;
		else
			b = mid;
	}
	for (; a < nv && cmp_pair_dir(v[a].lo, v[a].hi, lo, hi) == 0; a++) {
		e = v[a].r;
		if (e->first < at && e->last > last) {
			last = e->last;
			*before = e->last_frame;
		}
		if (e->first >= at && (first < 0 || e->first < first)) {
			first = e->first;
			*after = e->first_frame;
		}
	}
	if (last < 0 || first < 0)
		return false;
	*gap = first - last;
	return true;
}

static void
finish_rekeys(struct ikesa_rules *t)
{
	size_t n, nesp = 0, i, j, k, m, r;
	const struct sa_rec **all, **v;
	struct esp_ent *esp = NULL;
	struct pairs p;
	bool *done;
	char g[160], s1[SD_ADDR_STRLEN], s2[SD_ADDR_STRLEN], list[512], item[96];
	struct sd_finding *f;

	if ((all = sa_array(t, &n)) == NULL)
		return;
	v = calloc(n, sizeof(*v));
	done = calloc(n, sizeof(*done));	/* by the pair's first position in p.ord */
	if (v == NULL || done == NULL || !pairs_make(&p, all, n))
		goto out;
	esp = esp_index(t, &nesp);
	for (i = 0; i < n; i++) {
		double lo = 1e18, hi = 0, sum = 0, mean, gap;
		uint64_t before, after;

		r = p.run[p.pos[i]];
		if (done[r] || !all[i]->up)
			continue;
		/* the pair's SAs that came up, in arrival order (i is the first of them) */
		done[r] = true;
		m = 0;
		for (j = r; j < p.runend[r]; j++)
			if (p.ord[j].r->up)
				v[m++] = p.ord[j].r;
		if (m < 4)
			continue;	/* three renewals at least before calling it a period */
		qsort(v, m, sizeof(v[0]), cmp_sa);
		for (k = 1; k < m; k++) {
			double d = ts(v[k]->first_sec, v[k]->first_nsec) -
			    ts(v[k - 1]->first_sec, v[k - 1]->first_nsec);

			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
			sum += d;
		}
		mean = sum / (double)(m - 1);
		/* A fixed period: every interval within 10% (and 2 s) of the mean. */
		if (mean < 1.0 || hi - lo > 0.1 * mean + 2.0)
			continue;
		sd_ip_addr_str(&v[0]->init, s1);
		sd_ip_addr_str(&v[0]->resp, s2);
		snprintf(g, sizeof(g), "%s|%s", s1, s2);
		f = sd_finding_put(t->out, SD_K_IKESA_PERIODIC_REKEY, g, v[1]->first_sec,
		    v[1]->first_nsec, v[1]->file_index);
		if (f == NULL)
			break;
		sd_finding_value(f, "gateways", "%s -> %s", s1, s2);
		sd_finding_value(f, "period_s", "%.1f (%zu new IKE SAs)", mean, m - 1);
		list[0] = '\0';
		for (k = 1; k < m; k++) {
			if (!esp_gap(esp, nesp, v[k], ts(v[k]->first_sec, v[k]->first_nsec), &gap,
			    &before, &after)) {
				sd_finding_frame(f, v[k]->first_frame);
			} else {
				snprintf(item, sizeof(item), "%s%.2f s (frames %llu-%llu)",
				    list[0] ? ", " : "", gap, (unsigned long long)sd_frame_no(before),
				    (unsigned long long)sd_frame_no(after));
				append(list, sizeof(list), item);
				sd_finding_frame(f, before);	/* last ESP, new SA, first ESP */
				sd_finding_frame(f, v[k]->first_frame);
				sd_finding_frame(f, after);
			}
		}
		if (list[0] != '\0')
			sd_finding_value(f, "esp_gaps", "%s", list);
		sd_finding_summary(f, "IKE SA between %s and %s renewed every %.1f s (%zu times)%s",
		    s1, s2, mean, m - 1, list[0] ? " with an ESP gap at each" : "");
		/* the SAs of a pair span flows (500, then 4500): the pair, as the first SA had it */
		sd_rule_note_pair(f, 0, &v[0]->init, v[0]->iport, &v[0]->resp, v[0]->rport,
		    v[0]->proto, v[0]->file_index);
	}
	pairs_free(&p);
out:
	free(esp);
	free(done);
	free(v);
	free(all);
}

/* RFC 1918, CGNAT 100.64/10, link-local, IPv6 ULA: an address behind NAT or in a lab. */
static bool
private_addr(const struct sd_addr *a)
{
	if (a->v == 4)
		return a->a[0] == 10 || (a->a[0] == 172 && (a->a[1] & 0xf0) == 16) ||
		    (a->a[0] == 192 && a->a[1] == 168) ||
		    (a->a[0] == 100 && (a->a[1] & 0xc0) == 64) ||
		    (a->a[0] == 169 && a->a[1] == 254);
	return (a->a[0] & 0xfe) == 0xfc || (a->a[0] == 0xfe && (a->a[1] & 0xc0) == 0x80);
}

/*
 * A gateway pair whose IKE SAs (two or more that came up) were all set up by the same
 * side: the other one only ever responds.  When that side must bring the tunnel up
 * (its traffic starts, the initiator is behind NAT or down), nothing happens.
 */
static void
finish_one_sided(struct ikesa_rules *t)
{
	size_t n, i, j, r;
	const struct sa_rec **all;
	struct pairs p;
	bool *done;
	char g[160], s1[SD_ADDR_STRLEN], s2[SD_ADDR_STRLEN];
	struct sd_finding *f;

	if ((all = sa_array(t, &n)) == NULL)
		return;
	if ((done = calloc(n, sizeof(*done))) == NULL || !pairs_make(&p, all, n)) {
		free(done);
		free(all);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct sa_rec *a = all[i];
		size_t up = 0, other;

		r = p.run[p.pos[i]];
		if (done[r])
			continue;
		done[r] = true;
		for (j = r; j < p.runend[r]; j++)
			up += p.ord[j].r->up ? 1 : 0;
		/* every SA the other way, set up before or after this pair's first */
		other = pairs_count(&p, &a->resp, &a->init);
		/* a client in a private network dialling a public VPN server: remote access,
		 * where only the client can initiate by design */
		if (up < 2 || other > 0 || (private_addr(&a->init) && !private_addr(&a->resp)))
			continue;
		sd_ip_addr_str(&a->init, s1);
		sd_ip_addr_str(&a->resp, s2);
		snprintf(g, sizeof(g), "%s>%s", s1, s2);
		f = sd_finding_put(t->out, SD_K_IKESA_RESPONDER_NEVER_INITIATES, g, a->first_sec,
		    a->first_nsec, a->file_index);
		if (f == NULL)
			break;
		f->confidence = 0.8;
		sd_finding_summary(f, "%s answered %zu IKE SAs from %s and never set one up "
		    "itself", s2, up, s1);
		sd_finding_value(f, "responder", "%s", s2);
		sd_finding_value(f, "initiator", "%s", s1);
		sd_finding_value(f, "ike_sas_by_initiator", "%zu", up);
		sd_finding_value(f, "requests_by_responder", "%u",
		    requests_from(t, &a->resp, &a->init));
		for (j = r; j < p.runend[r]; j++)
			if (p.ord[j].r->up)
				sd_finding_frame(f, p.ord[j].r->first_frame);
		sd_rule_note_pair(f, 0, &a->init, a->iport, &a->resp, a->rport, a->proto,
		    a->file_index);
	}
	pairs_free(&p);
	free(done);
	free(all);
}

/* ---- area glue ---- */

static struct sd_tab *
table(const struct sd_rule_env *env, size_t val_size, size_t max)
{
	struct sd_tab_opts o;

	memset(&o, 0, sizeof(o));
	o.val_size = val_size;
	o.max = max;
	o.mc = env->mc;
	return sd_tab_new(&o);
}

static void ikesa_free(void *ctx);

static void *
ikesa_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct ikesa_rules *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->env = env;
	t->out = env->out;
	t->sa = table(env, sizeof(struct sa_rec), SAS);
	t->esp = table(env, sizeof(struct esp_rec), ESPS);
	t->req = table(env, sizeof(struct req_rec), REQS);
	if (t->sa == NULL || t->esp == NULL || t->req == NULL) {
		snprintf(err, errlen, "out of memory");
		ikesa_free(t);
		return NULL;
	}
	return t;
}

static void
ikesa_free(void *ctx)
{
	struct ikesa_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->sa);
	sd_tab_free(t->esp);
	sd_tab_free(t->req);
	free(t);
}

static void
ikesa_event(void *ctx, const struct sd_event *ev)
{
	struct ikesa_rules *t = ctx;

	switch (ev->type) {
	case SD_EV_IKE_EXCHANGE:
		if (ev->u.msg.exchange != NULL)
			note_request(t, &ev->u.msg.exchange->initiator_addr,
			    &ev->u.msg.exchange->responder_addr);
		break;
	case SD_EV_IKE_SA:
		on_sa(t, ev);
		break;
	case SD_EV_ESP:
		on_esp(t, ev);
		break;
	default:
		break;
	}
}

static void
ikesa_finish(void *ctx)
{
	struct ikesa_rules *t = ctx;

	finish_rekeys(t);
	finish_one_sided(t);
}

static void
ikesa_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct ikesa_rules *t = ctx;
	const struct sd_tab *v[] = { t->sa, t->esp, t->req };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		st->evicted += sd_tab_evicted(v[i]);
		st->refused += sd_tab_refused(v[i]);
	}
}

const struct sd_rule_area sd_rules_ikesa = {
	"ikesa", ikesa_new, ikesa_event, ikesa_finish, ikesa_free, NULL, ikesa_stats,
	ikesa_finish,	/* each window: the SAs that ended so far */
	false,
};
