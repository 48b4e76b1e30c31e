/* analyze/rules_esp.c - ESP rules: one-way ESP while IKE is up, asymmetric tunnels. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/ike.h"
#include "dissect/ip.h"
#include "dissect/table.h"
#include "engine/ipsec_types.h"

/*
 * The tunnels (gateway pairs) are written at capture end, after the IKE SAs, and a tunnel
 * that stays one way is written before, while it goes on (interim): both are kept in
 * bounded tables charged to the memory cap (pushed-out entries counted), keyed by the
 * tunnel so that its later record replaces the interim one.  An interim tunnel is judged
 * at once (a sensor tells one-way ESP while it happens), the rest in finish(); what was
 * told is not told again.  An IKE SA is up from its answered IKE_AUTH / phase 1 exchange
 * (written as it completes) or from its ike.sa record.
 */
#define TUNNELS		65536	/* ESP tunnels */
#define PAIRS		65536	/* gateway pairs with an IKE SA that came up */

#define ADDR_EQ(x, y)	(sd_ip_addr_cmp((x), (y)) == 0)

/* Keyed by the unordered gateway pair and encapsulation (tun_key). */
struct tun_rec {
	struct sd_addr	 a, b;
	uint64_t	 packets[2];
	double		 first[2], last[2];
	uint64_t	 first_frame[2], last_frame[2];
	bool		 one_way;
	bool		 udp;
	uint16_t	 port[2][2];	/* UDP-encapsulated: per direction, sender's and receiver's port */
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
	bool		 used_asym;
	bool		 told_one_way;	/* esp.one_way was said for it */
};

struct esp_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	struct sd_tab		*tun;	/* struct tun_rec */
	struct sd_tab		*up;	/* unordered gateway pairs with an IKE SA up: no value */
};

static void	pair_key(const struct sd_addr *, const struct sd_addr *, uint8_t key[34]);
static void	judge(struct esp_rules *);

static double
ts(int64_t sec, uint32_t nsec)
{
	return (double)sec + (double)nsec / 1e9;
}

static void
on_tunnel(struct esp_rules *t, const struct sd_event *ev)
{
	const struct sd_esp_tunnel *tu = ev->u.msg.tunnel;
	struct tun_rec *r;
	size_t i;
	int d;

	uint8_t key[35];

	if (tu == NULL)
		return;
	pair_key(&tu->a, &tu->b, key);
	key[34] = (uint8_t)((tu->udp_encap ? 1 : 0) | (tu->tcp_encap ? 2 : 0));
	r = sd_tab_get(t->tun, key, sizeof(key), true, NULL);
	if (r == NULL)
		return;
	if (r->packets[0] + r->packets[1] > 0 && sd_ip_addr_cmp(&r->a, &tu->a) != 0) {
		/* the same tunnel, its first SA now from the other side: keep a and b */
		r->one_way = tu->one_way;
		r->file_index = ev->file_index;
		for (d = 0; d < 2; d++) {
			r->packets[1 - d] = tu->dir[d].packets;
			r->first[1 - d] = ts(tu->dir[d].first_sec, tu->dir[d].first_nsec);
			r->last[1 - d] = ts(tu->dir[d].last_sec, tu->dir[d].last_nsec);
			r->first_frame[1 - d] = tu->dir[d].first_frame;
			r->last_frame[1 - d] = tu->dir[d].last_frame;
		}
		goto ports;
	}
	r->a = tu->a;
	r->b = tu->b;
	r->one_way = tu->one_way;
	r->udp = tu->udp_encap;
	r->file_index = ev->file_index;
	r->sec = ev->ts_sec;
	r->nsec = ev->ts_nsec;
	for (d = 0; d < 2; d++) {
		r->packets[d] = tu->dir[d].packets;
		r->first[d] = ts(tu->dir[d].first_sec, tu->dir[d].first_nsec);
		r->last[d] = ts(tu->dir[d].last_sec, tu->dir[d].last_nsec);
		r->first_frame[d] = tu->dir[d].first_frame;
		r->last_frame[d] = tu->dir[d].last_frame;
	}
ports:
	/* the ports each direction used (NAT may have moved them off 4500) */
	for (i = 0; r->udp && i < tu->nsas; i++) {
		const struct sd_esp_sa *sa = tu->sas[i];

		d = ADDR_EQ(&sa->src, &r->a) ? 0 : 1;
		if (r->port[d][0] == 0) {
			r->port[d][0] = sa->sport;
			r->port[d][1] = sa->dport;
		}
	}
}

/* Direction d of a tunnel as a gateway pair of a finding (sender first). */
static void
note_dir(struct sd_finding *f, const struct tun_rec *r, int d)
{
	sd_rule_note_pair(f, 0, d == 0 ? &r->a : &r->b, r->udp ? r->port[d][0] : 0,
	    d == 0 ? &r->b : &r->a, r->udp ? r->port[d][1] : 0,
	    r->udp ? SD_IPPROTO_UDP : SD_IPPROTO_ESP, r->file_index);
}

/* The one direction a one-way tunnel carries: 0 (a to b) or 1. */
static int
live_dir(const struct tun_rec *r)
{
	return r->packets[0] > 0 ? 0 : 1;
}

static bool	ike_up_between(struct esp_rules *, const struct sd_addr *, const struct sd_addr *);

static void
finish_tunnels(struct esp_rules *t)
{
	char g[200], s1[SD_ADDR_STRLEN], s2[SD_ADDR_STRLEN], s3[SD_ADDR_STRLEN];
	struct sd_finding *f;
	struct tun_rec *out, *in, *r;

	/* Asymmetric: tunnel i only G -> A, tunnel j only B -> G, overlapping in time. */
	for (out = sd_tab_first(t->tun); out != NULL; out = sd_tab_next(t->tun, out)) {
		const struct sd_addr *g_out, *peer_a;
		int di;

		if (!out->one_way)
			continue;
		di = live_dir(out);
		g_out = di == 0 ? &out->a : &out->b;
		peer_a = di == 0 ? &out->b : &out->a;
		for (in = sd_tab_first(t->tun); in != NULL; in = sd_tab_next(t->tun, in)) {
			const struct sd_addr *g_in, *peer_b;
			int dj;

			if (in == out || !in->one_way || in->used_asym)
				continue;
			dj = live_dir(in);
			g_in = dj == 0 ? &in->b : &in->a;	/* destination */
			peer_b = dj == 0 ? &in->a : &in->b;
			if (!ADDR_EQ(g_in, g_out) || ADDR_EQ(peer_a, peer_b))
				continue;
			if (in->first[dj] > out->last[di] || out->first[di] > in->last[dj])
				continue;	/* not the same period */
			out->used_asym = in->used_asym = true;
			sd_ip_addr_str(g_out, s1);
			sd_ip_addr_str(peer_a, s2);
			sd_ip_addr_str(peer_b, s3);
			snprintf(g, sizeof(g), "%s|%s|%s", s1, s2, s3);
			f = sd_finding_add(t->out, SD_K_ESP_ASYMMETRIC_TUNNELS, g, out->sec,
			    out->nsec, out->file_index);
			if (f == NULL)
				break;
			if (f->count == 1) {
				f->confidence = 0.8;
				sd_finding_value(f, "local_gateway", "%s", s1);
				sd_finding_value(f, "outbound_tunnel", "%s -> %s: %llu ESP packets, "
				    "none back", s1, s2, (unsigned long long)out->packets[di]);
				sd_finding_value(f, "inbound_tunnel", "%s -> %s: %llu ESP packets, "
				    "none back", s3, s1, (unsigned long long)in->packets[dj]);
			}
			sd_finding_summary(f, "traffic leaves %s on the tunnel to %s and returns on "
			    "the tunnel from %s: asymmetric routing across tunnels", s1, s2, s3);
			sd_finding_frame(f, out->first_frame[di]);
			sd_finding_frame(f, in->first_frame[dj]);
			sd_finding_frame(f, out->last_frame[di]);
			sd_finding_frame(f, in->last_frame[dj]);
			note_dir(f, out, di);
			note_dir(f, in, dj);
			break;
		}
	}
	for (r = sd_tab_first(t->tun); r != NULL; r = sd_tab_next(t->tun, r)) {
		int d;

		if (!r->one_way || r->used_asym || r->told_one_way)
			continue;
		d = live_dir(r);
		if (r->packets[d] < 2 || !ike_up_between(t, &r->a, &r->b))
			continue;
		sd_ip_addr_str(d == 0 ? &r->a : &r->b, s1);
		sd_ip_addr_str(d == 0 ? &r->b : &r->a, s2);
		snprintf(g, sizeof(g), "%s|%s", s1, s2);
		f = sd_finding_add(t->out, SD_K_ESP_ONE_WAY, g, r->sec, r->nsec, r->file_index);
		if (f == NULL)
			continue;
		r->told_one_way = true;
		if (f->count == 1) {
			f->confidence = 0.8;	/* a capture point on one path looks the same */
			sd_finding_value(f, "sending", "%s", s1);
			sd_finding_value(f, "silent", "%s", s2);
			sd_finding_value(f, "encapsulation", "%s", r->udp ? "ESP in UDP 4500" :
			    "IP protocol 50");
			sd_finding_value(f, "packets", "%llu from %s, 0 from %s",
			    (unsigned long long)r->packets[d], s1, s2);
		}
		sd_finding_summary(f, "ESP only from %s to %s while IKE between them is up: "
		    "nothing comes back (%s)", s1, s2, r->udp ? "UDP 4500" : "IP protocol 50");
		sd_finding_frame(f, r->first_frame[d]);
		sd_finding_frame(f, r->last_frame[d]);
		note_dir(f, r, d);
	}
}

/* ---- area glue ---- */

static void
pair_key(const struct sd_addr *x, const struct sd_addr *y, uint8_t key[34])
{
	const struct sd_addr *lo = sd_ip_addr_cmp(x, y) <= 0 ? x : y, *hi = lo == x ? y : x;

	memcpy(key, lo->a, 16);
	key[16] = lo->v;
	memcpy(key + 17, hi->a, 16);
	key[33] = hi->v;
}

/* An IKE SA between the two came up (established, or an answered exchange after init). */
static bool
ike_up_between(struct esp_rules *t, const struct sd_addr *x, const struct sd_addr *y)
{
	uint8_t key[34];

	pair_key(x, y, key);
	return sd_tab_get(t->up, key, sizeof(key), false, NULL) != NULL;
}

static void
on_sa(struct esp_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_sa *s = ev->u.msg.ike_sa;
	uint8_t key[34];
	bool up;
	size_t i;

	if (s == NULL)
		return;
	up = s->established;
	for (i = 0; i < s->nsteps; i++)
		if (strcmp(s->steps[i].step, "auth") == 0 && s->steps[i].ms >= 0)
			up = true;
	if (!up)
		return;
	pair_key(&s->initiator, &s->responder, key);
	(void)sd_tab_get(t->up, key, sizeof(key), true, NULL);
}

/* An answered IKE_AUTH without an error in clear (IKEv2), a complete Main or Aggressive
 * Mode (IKEv1): the SA between the two is up, without waiting for its ike.sa record. */
static void
on_exchange(struct esp_rules *t, const struct sd_event *ev)
{
	const struct sd_ike_exchange *x = ev->u.msg.exchange;
	uint8_t key[34];

	if (x == NULL || !x->answered || x->error != 0)
		return;
	if (!(x->version == 2 && x->exchange == SD_IKE_X_AUTH) &&
	    !(x->version == 1 && x->exchange == SD_IKE_X_V1_MAIN && x->messages >= 6) &&
	    !(x->version == 1 && x->exchange == SD_IKE_X_V1_AGGRESSIVE && x->messages >= 3))
		return;
	pair_key(&x->initiator_addr, &x->responder_addr, key);
	(void)sd_tab_get(t->up, key, sizeof(key), true, NULL);
}

static void esp_free(void *ctx);

static void *
esp_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct esp_rules *t = calloc(1, sizeof(*t));
	struct sd_tab_opts o;

	if (t == NULL)
		return NULL;
	t->env = env;
	t->out = env->out;
	memset(&o, 0, sizeof(o));
	o.mc = env->mc;
	o.val_size = sizeof(struct tun_rec);
	o.max = TUNNELS;
	t->tun = sd_tab_new(&o);
	o.val_size = 1;
	o.max = PAIRS;
	t->up = sd_tab_new(&o);
	if (t->tun == NULL || t->up == NULL) {
		snprintf(err, errlen, "out of memory");
		esp_free(t);
		return NULL;
	}
	return t;
}

static void
esp_free(void *ctx)
{
	struct esp_rules *t = ctx;

	if (t == NULL)
		return;
	sd_tab_free(t->tun);
	sd_tab_free(t->up);
	free(t);
}

static void
esp_event(void *ctx, const struct sd_event *ev)
{
	struct esp_rules *t = ctx;

	if (ev->type == SD_EV_IKE_SA) {
		on_sa(t, ev);
	} else if (ev->type == SD_EV_IKE_EXCHANGE) {
		on_exchange(t, ev);
	} else if (ev->type == SD_EV_ESP_TUNNEL) {
		on_tunnel(t, ev);
		/* one way while it goes on: say it now, once the window's last is in (two
		 * one-way tunnels may be one asymmetric route) */
		if (ev->u.msg.tunnel != NULL && ev->u.msg.tunnel->last_interim)
			judge(t);
	}
}

static void
judge(struct esp_rules *t)
{
	finish_tunnels(t);
}

static void
esp_finish(void *ctx)
{
	judge(ctx);
}

static void
esp_stats(const void *ctx, struct sd_rule_stats *st)
{
	const struct esp_rules *t = ctx;

	st->evicted += sd_tab_evicted(t->tun) + sd_tab_evicted(t->up);
	st->refused += sd_tab_refused(t->tun) + sd_tab_refused(t->up);
}

const struct sd_rule_area sd_rules_esp = {
	"esp", esp_new, esp_event, esp_finish, esp_free, NULL, esp_stats, NULL,
	false,
};
