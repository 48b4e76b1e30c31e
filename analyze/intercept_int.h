/* analyze/intercept_int.h - state shared by the interception rules (rules_intercept.c) and
 * the cross-connection findings per name (rules_backend.c); internal to those two. */
#ifndef SD_ANALYZE_INTERCEPT_INT_H
#define SD_ANALYZE_INTERCEPT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/icat.h"
#include "analyze/outcome.h"
#include "analyze/rules.h"
#include "dissect/table.h"
#include "dissect/tls.h"

#define MAX_NAMES	65536	/* server names followed across connections */
#define MAX_EPS		16	/* server endpoints (address, port) per name */
#define MAX_ISSUERS	8	/* distinct leaf issuers per name */
#define MAX_CERTS	4	/* distinct leaf certificates per endpoint */
#define MAX_VARIANTS	4	/* distinct leaf certificates per name, with their outcomes */
#define MAX_VFRAMES	4	/* evidence frames kept per variant (certificates, failures) */
#define MAX_REFUSALS	65536	/* (address, port) pairs that refused SYNs with a reset */
#define MAX_RFRAMES	8	/* refused SYNs kept per (address, port) */
#define MAX_FRAMES	4	/* frames named per issuer */
#define TALLIES_MAX	4096	/* interception findings whose outcomes are counted */
#define FAIL_WHAT	96	/* "Unknown CA (48) alert from the client" */

/* A TLS connection between its ClientHello and its flow record. */
struct conn {
	uint32_t	 file_index;
	struct sd_finding_flow fl;
	char		*sni;		/* owned, NULL when the hello had none */
	uint64_t	 ch_frame, cert_frame;
	int64_t		 sec;
	uint32_t	 nsec;
	bool		 has_cert;
	bool		 answered;	/* the server said something TLS (ServerHello, Certificate) */
	bool		 completed;	/* its TLS session finished the handshake */
	char		 leaf_sha256[65];
	char		*issuer, *subject;	/* owned, leaf's */
	int		 cat;		/* catalogue entry matched, -1 none, -2 the vendor's own */
	char		*cat_issuer;	/* owned: issuer DN that matched */
	char		*verdict;	/* owned: inspection chains, what verification said */
	char		*openssl;	/* owned: its OpenSSL reason, NULL when it verifies */
	struct sd_outcome_conn oc;	/* the same reading of the outcome as rules_trust.c */
	/* set when the flow ends (conn_end), from oc: refused by the client or failed */
	bool		 failed;
	uint64_t	 fail_frame;
	char		 fail_what[FAIL_WHAT];
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
	char		 fail_what[FAIL_WHAT];
};

struct issuer {
	char		*dn;		/* owned */
	uint64_t	 count, frame;
	uint64_t	 frames[MAX_FRAMES];
	size_t		 nframes;
	uint32_t	 eps;		/* bit per endpoint index that showed it */
};

/* One leaf certificate a name was served with, and what became of its connections. */
struct variant {
	char		 sha256[65];
	int		 iss;		/* its leaf's issuer in name.iss, -1 not kept */
	uint64_t	 conns, completed, failed;
	uint64_t	 cert_frames[MAX_VFRAMES], fail_frames[MAX_VFRAMES];
	size_t		 ncert_frames, nfail_frames;
	char		 fail_what[FAIL_WHAT];
	struct sd_finding_flow flows[MAX_VFRAMES];
	size_t		 nflows;
};

/* The inspection CA that re-signed a name: its finding, its certificates' frames. */
struct resigned {
	struct sd_finding *f;		/* tls.interception_ca */
	char		*dn;		/* owned */
	uint64_t	 count;
	uint64_t	 frames[MAX_FRAMES];
	size_t		 nframes;
};

/* Keyed by the SNI, or "[addr]:port" without one. */
struct name {
	char		*name;		/* owned copy of the key */
	uint32_t	 file_index;
	int64_t		 sec;
	uint32_t	 nsec;
	struct endpoint	*ep;		/* nep of room for ep_cap, grown to MAX_EPS (ep_room) */
	size_t		 nep, ep_cap;
	uint64_t	 ep_overflow;
	struct issuer	 iss[MAX_ISSUERS];
	size_t		 niss;
	uint64_t	 iss_overflow;
	struct resigned	 rs;
	struct sd_finding_flow flows[4];
	size_t		 nflows;
	struct variant	 var[MAX_VARIANTS];
	size_t		 nvar;
	uint64_t	 var_overflow;
	uint64_t	 first_ch, last_ch;	/* ClientHello frames of its first and last connection */
};

/* SYNs to one (address, port) answered by a reset, keyed by (file, address, port). */
struct refusal {
	uint64_t	 count;
	uint64_t	 syn_frames[MAX_RFRAMES], rst_frames[MAX_RFRAMES];
	struct sd_finding_flow flows[MAX_RFRAMES];
	size_t		 n;
};

struct intercept_rules {
	const struct sd_rule_env *env;
	struct sd_findings	*out;
	const struct sd_icat	*cat;		/* shared (sd_rule_shared) */
	struct sd_tab		*names;		/* struct name */
	struct sd_tab		*tallies;	/* struct icept_tally, by finding */
	struct sd_tab		*refusals;	/* struct refusal */
	uint64_t		 flows_refused;
};

/* The key of the refused-SYN table for (address, port, file). */
void	sd_icpt_refusal_key(const struct sd_addr *, uint16_t port, uint32_t file_index,
	    uint8_t key[24]);
/* tls.issuer_changed for a name; true when reported. */
bool	sd_icpt_report_issuer_changed(struct intercept_rules *, const struct name *);
/* tls.backend_mismatch across the endpoints of a name. */
void	sd_icpt_report_backends(struct intercept_rules *, const struct name *);
/* tls.backend_mismatch behind one virtual address; true when reported. */
bool	sd_icpt_report_vip(struct intercept_rules *, const struct name *);

#endif /* SD_ANALYZE_INTERCEPT_INT_H */
