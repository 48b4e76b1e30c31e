/* analyze/chain.h - what a served certificate chain shows, beside OpenSSL's verdict: which
 * certificate is missing or untrusted and whether the bytes tell a root from an
 * intermediate, whether the chain is sent in order, which certificate is out of date. */
#ifndef SD_ANALYZE_CHAIN_H
#define SD_ANALYZE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sd_verify_result;
struct sd_x509_info;

/* Why a chain does not lead to a root in the store, as exactly as the bytes decide it. */
enum sd_chain_trust {
	SD_CHAIN_TRUSTED,	/* verifies, or fails for another reason only */
	SD_CHAIN_SELF_SIGNED,	/* the leaf signs itself */
	SD_CHAIN_UNKNOWN_ROOT,	/* complete up to a root (sent, or seen elsewhere) not in the store */
	SD_CHAIN_INCOMPLETE,	/* an intermediate, seen elsewhere in the capture, is not sent */
	SD_CHAIN_ISSUER_NOT_SENT,	/* an issuer never seen: not sent, not in the store */
};

/* Where a CA certificate was seen sent by a server in the capture. */
struct sd_chain_seen {
	char		 server[64];	/* "10.99.1.2:443" */
	uint64_t	 frame;		/* its Certificate message */
	bool		 self_issued;	/* a root */
};

struct sd_chain_diag {
	enum sd_chain_trust	 trust;
	const char		*reason;	/* "self-signed leaf", "unknown root", ... (static) */
	char		 named[256];	/* the certificate the reason names */
	char		 issuer_of[256];	/* missing issuer: the certificate it issued */
	bool		 issuer_of_last;	/* ... which is the last one sent */
	bool		 root_sent;	/* unknown root: the server sends it */
	char		 aia[256];	/* missing issuer: caIssuers URL of issuer_of, "" none */
	struct sd_chain_seen seen;	/* missing issuer seen elsewhere (frame 0: not) */
	char		 openssl[96];	/* OpenSSL's own reason */
	/* a certificate out of its validity period at the capture time */
	int		 validity;	/* 0 in date, 1 expired, 2 not yet valid */
	char		 v_subject[256];
	int		 v_depth;	/* 0 leaf */
	bool		 v_root;
	char		 v_not_before[21], v_not_after[21];
	char		 v_openssl[96];	/* OpenSSL's reason for it */
	/* the order sent */
	bool		 out_of_order;
	size_t		 nunrelated;	/* certificates not on the leaf's path */
	char		 unrelated[256];	/* the first */
	char		 unrelated_by[256];	/* its issuer */
	char		 sent[512];	/* "1 CN=a; 2 CN=b (unrelated); ..." */
	char		 path[128];	/* "1, 4, 3": positions sent, in path order */
	char		 issuer_pos[64];	/* "the leaf's issuer is certificate 4 of 4" */
};

/*
 * Diagnose the chain x[0..n) (facts leaf first, as sent; NULL for one not parsed) verified
 * as r.  missing_seen: where the certificate r names as missing issuer was seen in the
 * capture (NULL: never).  Untrusted reasons need r; the order needs only the facts.
 */
void	sd_chain_diagnose(const struct sd_x509_info *const *x, size_t n,
	    const struct sd_verify_result *r, const struct sd_chain_seen *missing_seen,
	    struct sd_chain_diag *d);
/* Does the chain need a finding about its order (out of order, unrelated certificates)? */
bool	sd_chain_misordered(const struct sd_chain_diag *);
/* "the chain of NAME ends in a private or unknown root 'X' that is not in the store" and
 * the like: the untrusted reason as one clause, for summaries and values. */
void	sd_chain_trust_text(const struct sd_chain_diag *, const char *name, char *buf,
	    size_t n);
/* "the intermediate 'X' had expired at the capture time (valid A to B)". */
void	sd_chain_validity_text(const struct sd_chain_diag *, char *buf, size_t n);
/* "out of order (the leaf's issuer is certificate 4 of 4), with an unrelated certificate
 * 'X'". */
void	sd_chain_order_text(const struct sd_chain_diag *, char *buf, size_t n);

#endif /* SD_ANALYZE_CHAIN_H */
