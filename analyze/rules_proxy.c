/* analyze/rules_proxy.c - proxy rules: HTTP CONNECT refused (4xx/5xx) or never answered,
 * SOCKS4/4a CONNECT refused (reply 91-93) or never answered. */
#include "analyze/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/prelude.h"

struct proxy_rules {
	struct sd_findings	*out;
};

static void *
proxy_new(const struct sd_rule_env *env, char *err, size_t errlen)
{
	struct proxy_rules *t = calloc(1, sizeof(*t));

	(void)err;
	(void)errlen;
	if (t != NULL)
		t->out = env->out;
	return t;
}

/* The proxy's name for itself: Proxy-Agent, else Server, else NULL. */
static const char *
proxy_agent(const struct sd_http_connect *c)
{
	if (c->proxy_agent[0] != '\0')
		return c->proxy_agent;
	if (c->server[0] != '\0')
		return c->server;
	return NULL;
}

/*
 * The refusal finding of the proxy at ev->src (its address into proxy): one per proxy,
 * target and status (kept apart per protocol), with the values every protocol gives.
 */
static struct sd_finding *
refused_add(struct proxy_rules *t, const struct sd_event *ev, const char *proto,
    const char *target, int status, const char *reason, char proxy[SD_ADDR_STRLEN])
{
	char g[512];
	struct sd_finding *f;

	sd_ip_addr_str(&ev->src, proxy);
	if (strcmp(proto, "http") == 0)
		(void)snprintf(g, sizeof(g), "%s|%u|%s|%d", proxy, ev->sport, target, status);
	else
		(void)snprintf(g, sizeof(g), "%s|%u|%s|%s-%d", proxy, ev->sport, target, proto,
		    status);
	f = sd_finding_add(t->out, SD_K_PROXY_CONNECT_REFUSED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f != NULL && f->count == 1) {
		f->confidence = 1.0;	/* the proxy said so itself */
		sd_finding_value(f, "proxy", "%s:%u", proxy, ev->sport);
		sd_finding_value(f, "target", "%s", target);
		sd_finding_value(f, "status", "%d", status);
		sd_finding_value(f, "reason", "%s", reason);
	}
	return f;
}

/*
 * The proxy answered CONNECT with 4xx/5xx: no tunnel, so no TLS follows.  The client's
 * reset or close after such an answer (curl resets after 403/407) is the consequence,
 * not a second cause: the TCP and TLS rules do not see a ClientHello here.
 */
static void
rule_refused(struct proxy_rules *t, const struct sd_event *ev, const struct sd_http_connect *c)
{
	char proxy[SD_ADDR_STRLEN];
	const char *agent = proxy_agent(c);
	struct sd_finding *f;

	f = refused_add(t, ev, "http", c->target, c->status, c->reason, proxy);
	if (f == NULL)
		return;
	if (f->count == 1 && agent != NULL)
		sd_finding_value(f, "proxy_agent", "%s", agent);
	sd_finding_summary(f, "proxy %s:%u refused CONNECT %s: %d %s%s%s%s (%llu time%s)", proxy,
	    ev->sport, c->target, c->status, c->reason,
	    c->status == 407 ? ", authentication required" :
	    c->status == 403 ? ", forbidden by policy" : "",
	    agent != NULL ? ", " : "", agent != NULL ? agent : "",
	    (unsigned long long)f->count, f->count == 1 ? "" : "s");
	sd_finding_frame(f, c->request_frame);
	sd_finding_frame(f, c->answered_frame);
	sd_rule_note_flow(f, ev, false);
}

/* A SOCKS4/4a proxy refused CONNECT (reply 91..93): no tunnel, no TLS. */
static void
rule_socks4_refused(struct proxy_rules *t, const struct sd_event *ev,
    const struct sd_preamble_ev *e)
{
	char proxy[SD_ADDR_STRLEN];
	const char *text = sd_socks4_reply_text(e->reply);
	const char *proto = e->socks4a ? "SOCKS4a" : "SOCKS4";
	struct sd_finding *f;

	if (text == NULL)
		text = "unknown reply code";
	f = refused_add(t, ev, "socks4", e->target, e->reply, text, proxy);
	if (f == NULL)
		return;
	if (f->count == 1) {
		sd_finding_value(f, "protocol", "%s", e->socks4a ? "socks4a" : "socks4");
		if (e->user[0] != '\0')
			sd_finding_value(f, "user", "%s", e->user);
	}
	sd_finding_summary(f, "%s proxy %s:%u refused CONNECT %s: reply %d, %s (%llu time%s)",
	    proto, proxy, ev->sport, e->target, e->reply, text, (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	sd_finding_frame(f, e->request_frame);
	sd_finding_frame(f, e->answered_frame);
	sd_rule_note_flow(f, ev, false);
}

static const char *
end_text(const char *end)
{
	if (strcmp(end, "proxy_rst") == 0)
		return "the proxy reset the connection";
	if (strcmp(end, "proxy_fin") == 0)
		return "the proxy closed the connection";
	if (strcmp(end, "client_closed") == 0)
		return "the client gave up and closed";
	return "no answer before the capture ended";
}

/* CONNECT sent, no status line ever came back. */
static void
rule_unanswered(struct proxy_rules *t, const struct sd_event *ev,
    const struct sd_http_connect *c)
{
	char g[512], proxy[SD_ADDR_STRLEN];
	const char *how;
	struct sd_finding *f;

	sd_ip_addr_str(&ev->dst, proxy);
	(void)snprintf(g, sizeof(g), "%s|%u|%s", proxy, ev->dport, c->target);
	f = sd_finding_add(t->out, SD_K_PROXY_CONNECT_UNANSWERED, g, ev->ts_sec, ev->ts_nsec,
	    ev->file_index);
	if (f == NULL)
		return;
	how = c->end == NULL ? "capture_end" : c->end;
	if (f->count > 1 && f->nvalues >= 3)
		how = f->values[2].value;	/* the summary tells the first occurrence's end */
	if (f->count == 1) {
		/* a capture that ends early looks the same as a proxy that never answers */
		f->confidence = c->end_frame != 0 ? 0.9 : 0.6;
		sd_finding_value(f, "proxy", "%s:%u", proxy, ev->dport);
		sd_finding_value(f, "target", "%s", c->target);
		sd_finding_value(f, "end", "%s", how);
	}
	sd_finding_summary(f, "proxy %s:%u never answered CONNECT %s (%s; %llu time%s)", proxy,
	    ev->dport, c->target, end_text(how), (unsigned long long)f->count,
	    f->count == 1 ? "" : "s");
	sd_finding_frame(f, c->request_frame);
	if (c->end_frame != 0)
		sd_finding_frame(f, c->end_frame);
	sd_rule_note_flow(f, ev, true);
}

static void
proxy_event(void *ctx, const struct sd_event *ev)
{
	struct proxy_rules *t = ctx;
	const struct sd_http_connect *c;
	const struct sd_preamble_ev *e;

	if (ev->type == SD_EV_PRELUDE && (e = ev->u.msg.pre) != NULL &&
	    e->kind == SD_PREAMBLE_SOCKS4 && strcmp(e->outcome, "refused") == 0) {
		rule_socks4_refused(t, ev, e);
		return;
	}
	if (ev->type != SD_EV_HTTP_CONNECT || ev->u.msg.connect == NULL)
		return;
	c = ev->u.msg.connect;
	if (c->status >= 400)
		rule_refused(t, ev, c);
	else if (c->status < 0)
		rule_unanswered(t, ev, c);
}

static void
proxy_finish(void *ctx)
{
	(void)ctx;
}

const struct sd_rule_area sd_rules_proxy = {
	"proxy", proxy_new, proxy_event, proxy_finish, free, NULL, NULL, NULL,
	false,
};
