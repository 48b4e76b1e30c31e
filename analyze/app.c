/* analyze/app.c - dispatch of flow payloads to the application dissectors. */
#include "analyze/app.h"

#include <stdlib.h>

struct sd_app {
	struct sd_memcap	*mc;
	struct sd_ev_sink	 sink;
};

struct sd_app *
sd_app_new(struct sd_memcap *mc, struct sd_ev_sink sink)
{
	struct sd_app *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->mc = mc;
	a->sink = sink;
	return a;
}

void
sd_app_free(struct sd_app *a)
{
	free(a);
}

void
sd_app_tcp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_tcp *t)
{
	(void)a;
	(void)f;
	(void)p;
	(void)t;
}

void
sd_app_udp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p,
    const struct sd_udp *u)
{
	(void)a;
	(void)f;
	(void)p;
	(void)u;
}

void
sd_app_esp(struct sd_app *a, struct sd_flow *f, const struct sd_app_pkt *p, struct sd_rd esp)
{
	(void)a;
	(void)f;
	(void)p;
	(void)esp;
}

void
sd_app_flow_end(struct sd_app *a, struct sd_flow *f)
{
	(void)a;
	f->app = NULL;
}

void
sd_app_finish(struct sd_app *a)
{
	(void)a;
}
