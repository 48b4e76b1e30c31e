/* analyze/rules.h - rules turn events into findings (pure functions of event facts). */
#ifndef SD_ANALYZE_RULES_H
#define SD_ANALYZE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/finding.h"
#include "dissect/event.h"
#include "dissect/memcap.h"

struct sd_clock;
struct sd_icat;
struct sd_verify;
struct sd_x509_cache;
struct sd_scope;

/* What the user told the rules (cli/main.c fills it; every field optional). */
#define SD_RULES_MAX_PINS	32
#define SD_RULES_MAX_CA		16
struct sd_rules_opts {
	const char	*ca_files[SD_RULES_MAX_CA];	/* --ca-file: PEM bundles of trusted roots */
	size_t		 nca_files;
	const char	*ca_paths[SD_RULES_MAX_CA];	/* --ca-path: OpenSSL hashed directories */
	size_t		 nca_paths;
	bool		 no_system_ca;	/* --no-system-ca: trust only the above */
	const char	*pins[SD_RULES_MAX_PINS];	/* --pin HOST[:PORT]=HASH, as given */
	size_t		 npins;
	const char	*intercept_cas;	/* --intercept-cas FILE: more inspection-CA patterns */
	int64_t		 capture_time;	/* --time: the real time of the first frame; 0 none */
	/*
	 * Live (--window): cross-connection rules (issuer changes, backends, periodic
	 * rekeys, one-sided IKE) judge what they have every window_sec seconds of event
	 * time, without waiting for the end; 0 (files): at the end only, over everything.
	 */
	int64_t		 window_sec;
};

struct sd_rules;
struct sd_rule_shared;

/*
 * Findings go into `out` (borrowed; the caller owns and frees it).  Per-flow rule state
 * lives in the flows' storage: each area with per-flow state registers a slot in `reg`
 * (the engine's registry, borrowed; NULL: no per-flow state, per-flow rules stay quiet)
 * and charges its state to `mc` (the engine's memory budget; may be NULL).  NULL with a
 * message in err on a bad option (unreadable CA file, malformed pin) or memory failure.
 */
struct sd_rules	*sd_rules_new(struct sd_findings *out, const struct sd_rules_opts *,
		    struct sd_store_reg *reg, struct sd_memcap *mc, char *err, size_t errlen);
/* The same on shared state made once (sd_rule_shared_open; borrowed: it outlives the
 * rules, which do not close it).  opts must be those it was opened with. */
struct sd_rules	*sd_rules_new_shared(struct sd_findings *out, const struct sd_rules_opts *,
		    const struct sd_rule_shared *, struct sd_store_reg *reg,
		    struct sd_memcap *mc, char *err, size_t errlen);
void		 sd_rules_free(struct sd_rules *);
/* Event sink: feed every event. */
void		 sd_rules_event(void *ctx, const struct sd_event *);
/*
 * The clock reads now_sec (sd_rules_event() calls it with each event's time; live, the
 * caller also on an idle link): every window_sec, cross-flow rules judge what they have
 * so far, restating their findings (sd_finding_put).  Nothing without window_sec.
 */
void		 sd_rules_clock(struct sd_rules *, int64_t now_sec);
/* End of capture: cross-flow rules conclude. */
void		 sd_rules_finish(struct sd_rules *);

/* After sd_rules_finish(): each --pin for which no certificate was seen (its host, and
 * its port or 0), so the user hears that the pin was never checked. */
void		 sd_rules_unseen_pins(const struct sd_rules *,
		    void (*fn)(void *ctx, const char *host, unsigned port), void *ctx);

/* What the rules could not keep: counted, reported in -v and in the capture summary. */
struct sd_rule_stats {
	uint64_t	 flows_refused;	/* connections not analysed: memory refused their state */
	uint64_t	 evicted;	/* cross-flow summaries pushed out at the caps */
	uint64_t	 refused;	/* cross-flow summaries never made: no room at all */
};
/* The sum over the areas, and each area's by name (fn called once per area). */
void		 sd_rules_stats(const struct sd_rules *, struct sd_rule_stats *total,
		    void (*fn)(void *ctx, const char *area, const struct sd_rule_stats *),
		    void *ctx);
/* The shared caches (for -v): certificates described and answered from the cache, chains
 * verified and answered from the cache. */
struct sd_rule_cache_stats {
	uint64_t	 described, described_cached;
	uint64_t	 verified, verified_cached;
};
void		 sd_rules_cache_stats(const struct sd_rules *, struct sd_rule_cache_stats *);

/*
 * What the areas share, made once from the options: certificate facts, the trust store
 * (--ca-file, --ca-path, the system's) and the inspection-CA catalogue (shipped and
 * --intercept-cas).  The trust and interception areas judge the same chain with the same
 * store and catalogue, so one finding can carry what the other would have said.
 */
struct sd_rule_shared {
	struct sd_x509_cache	*x509;
	struct sd_verify	*verify;
	struct sd_icat		*icat;
	struct sd_clock		*clock;		/* is the capture's clock right? */
};
/* false with err set (unreadable CA file or catalogue, memory); close what it opened. */
bool	sd_rule_shared_open(struct sd_rule_shared *, const struct sd_rules_opts *, char *err,
	    size_t errlen);
/*
 * Forget what the inputs so far taught (certificate facts, verdicts, the clock), keeping
 * the store and the catalogue: the next input is judged as if the shared state were new
 * (the fuzz target runs one input after another on one store).  false on memory failure
 * (close it then).  No rules may use it meanwhile.
 */
bool	sd_rule_shared_reset(struct sd_rule_shared *, const struct sd_rules_opts *);
void	sd_rule_shared_close(struct sd_rule_shared *);

/* What an area gets at creation. */
struct sd_rule_env {
	struct sd_findings		*out;
	const struct sd_rules_opts	*opts;
	struct sd_memcap		*mc;	/* charge rule state here (may be NULL) */
	int				 slot;	/* the area's per-flow slot, -1 none */
	struct sd_x509_cache		*x509;	/* certificate facts, shared by the areas */
	/* where TLS, DTLS, IKE, ESP, proxies and revocation endpoints are (analyze/scope.h):
	 * fed every event before the areas see it; areas may add to it; NULL in some tests */
	struct sd_scope			*scope;
	struct sd_verify		*verify;	/* the trust store (sd_rule_shared) */
	const struct sd_icat		*icat;	/* the inspection-CA catalogue */
	struct sd_clock			*clock;	/* the capture's clock (analyze/clock.h) */
};

/*
 * A rule area (analyze/rules_<area>.c): its own state, sees every event in order, and
 * concludes at the end.  new() returns the state (NULL with err set on failure); the
 * other functions take it.  flow_free (NULL: no per-flow state) frees one flow's state
 * after its last event; stats (may be NULL) adds what the area lost.
 */
struct sd_rule_area {
	const char	*name;
	void		*(*new)(const struct sd_rule_env *, char *err, size_t errlen);
	void		 (*event)(void *, const struct sd_event *);
	void		 (*finish)(void *);
	void		 (*free)(void *);
	sd_slot_free_fn	*flow_free;
	void		 (*stats)(const void *, struct sd_rule_stats *);
	/* (may be NULL) judge across connections now, as finish() will again at the end */
	void		 (*window)(void *);
	/*
	 * The area also sees malformed ClientHellos, ServerHellos and Certificates (their
	 * fault set, fields after it unread); the others never do, so that no rule judges a
	 * half-parsed message as if it were whole.
	 */
	bool		 malformed;
};

/*
 * The area's state for the flow of ev (its slot in ev->store): with create, made zeroed
 * (size bytes, charged to env->mc) when absent.  NULL when the event has no flow, when
 * absent without create, or when memory is refused (counted in *refused).
 */
void	*sd_rule_flow(const struct sd_rule_env *, const struct sd_event *ev, size_t size,
	    bool create, uint64_t *refused);
/* A ClientHello, ServerHello or Certificate that stopped at a fault (dissect/tls.h): only
 * areas with `malformed` set see one. */
bool	 sd_rule_malformed(const struct sd_event *);
/* Free state made by sd_rule_flow (size: as asked then). */
void	 sd_rule_flow_release(const struct sd_rule_env *, void *state, size_t size);
/* Free the area's state for the flow of ev (size: as asked then) and empty its slot, so
 * that sd_rule_flow() makes it again (of another size). */
void	 sd_rule_flow_drop(const struct sd_rule_env *, const struct sd_event *ev, size_t size);

extern const struct sd_rule_area sd_rules_tcp;		/* rules_tcp.c: reachability */
extern const struct sd_rule_area sd_rules_tls;		/* rules_tls.c: negotiation, alerts */
extern const struct sd_rule_area sd_rules_trust;	/* rules_trust.c: chains, names, pins */
extern const struct sd_rule_area sd_rules_intercept;	/* rules_intercept.c: inspection CAs, issuers, backends */
extern const struct sd_rule_area sd_rules_path;		/* rules_path.c: one-way TCP, MTU black holes, revocation */
extern const struct sd_rule_area sd_rules_proxy;		/* rules_proxy.c: HTTP CONNECT proxies */
extern const struct sd_rule_area sd_rules_ike;		/* rules_ike.c: IKE exchanges and SAs */
extern const struct sd_rule_area sd_rules_ikesa;	/* rules_ikesa.c: patterns across IKE SAs */
extern const struct sd_rule_area sd_rules_esp;		/* rules_esp.c: ESP tunnels */

/*
 * What the capture's clock reads for input file_index when it is wrong or was given with
 * --time ("the capture clock reads 1970-01-01T00:00:00Z, before 1995: validity is not
 * judged"), for the capture summary; "" when nothing says it is wrong.
 */
void	sd_rules_clock_text(const struct sd_rules *, uint32_t file_index, char *buf, size_t n);

/* The trust area's part of sd_rules_unseen_pins() (ctx: its state). */
void	sd_rule_trust_unseen_pins(const void *ctx, void (*fn)(void *, const char *, unsigned),
	    void *fctx);

extern const struct sd_rule_area sd_rules_hello;	/* rules_hello.c: ClientHellos never answered */
extern const struct sd_rule_area sd_rules_malformed;	/* rules_malformed.c: malformed hellos, Certificates */

/* The MTU black-hole pattern of tcp.mtu_blackhole for role r of a TCP flow record
 * (rules_path.c); rules that would name the same silence defer to it. */
bool	sd_rule_mtu_blackhole(const struct sd_ev_flow *, int r);

/*
 * The flow of an IPsec finding: the connection flow_id when the rule knows it, else the
 * gateway pair (id 0: outputs name it "gateways", not a flow).  A port of 0 is not known
 * (or the protocol has none, ESP) and is not printed.
 */
void	sd_rule_note_pair(struct sd_finding *, uint64_t flow_id, const struct sd_addr *i,
	    uint16_t iport, const struct sd_addr *r, uint16_t rport, uint8_t proto,
	    uint32_t file_index);

/* Copy the flow identity of an event into a finding. */
void	sd_rule_note_flow(struct sd_finding *, const struct sd_event *, bool src_is_client);

#endif /* SD_ANALYZE_RULES_H */
