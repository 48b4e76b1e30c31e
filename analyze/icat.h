/* analyze/icat.h - the inspection-CA catalogue (data/interception-cas.tsv, --intercept-cas). */
#ifndef SD_ANALYZE_ICAT_H
#define SD_ANALYZE_ICAT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct sd_x509_info;

#define SD_ICAT_MAX	4096	/* entries (shipped + --intercept-cas) */

/* One catalogue line: product and the issuer CN / O regexes (absent: any). */
struct sd_icat_entry {
	char	*product;
	regex_t	 cn, o;
	bool	 has_cn, has_o;
};

/* Entries in blocks made as they fill (a compiled regex_t is never moved): the shipped
 * catalogue costs its 50 entries, not SD_ICAT_MAX. */
#define SD_ICAT_BLOCK	64
struct sd_icat_memo;
struct sd_icat {
	struct sd_icat_entry	*block[SD_ICAT_MAX / SD_ICAT_BLOCK];
	size_t			 n;
	struct sd_icat_memo	*memo;	/* issuer DN -> match, see sd_icat_match() */
};

struct sd_icat	*sd_icat_new(void);
void		 sd_icat_free(struct sd_icat *);
/*
 * Load one catalogue file (TSV: product, CN regex, O regex[, source]; '#' comments).  -1
 * when the file cannot be read, -2 on a bad line (err names file and line), else the
 * number of entries added.  The file is untrusted: lines past 2 KiB are cut, regexes are
 * anchored, a bad one is an error.
 */
int		 sd_icat_load(struct sd_icat *, const char *path, char *err, size_t errlen);
/* The shipped catalogue: the installed copy, else the source tree's; 0 when neither. */
int		 sd_icat_load_shipped(struct sd_icat *, char *err, size_t errlen);
/* The entry an issuer DN (RFC 2253) matches, -1 for none; entries testing both CN and O
 * win over those testing one.  The answer for a DN is remembered (a busy capture asks for
 * the same few issuers thousands of times; every entry is a regexec): one catalogue is not
 * for two threads at once. */
int		 sd_icat_match(const struct sd_icat *, const char *dn);
/* The leaf's subject carries entry m's Organization: the vendor's own certificate (false
 * for m not an entry, such as -1). */
bool		 sd_icat_is_vendors(const struct sd_icat *, int m, const char *subject);
const char	*sd_icat_product(const struct sd_icat *, int m);
/*
 * The inspection CA behind a server's chain (facts leaf first; NULL or unparsed entries
 * skipped): the entry the first matching issuer names, -1 none, -2 when the leaf is issued
 * to the vendor itself (its Organization is the product's: a FortiGate's factory
 * certificate on its own portal speaks for the appliance, it substitutes nobody's).
 * *issuer (may be NULL) gets the DN that matched, borrowed from the facts.
 */
int		 sd_icat_chain(const struct sd_icat *, const struct sd_x509_info *const *x,
		    size_t n, const char **issuer);

/*
 * Path of the shipped catalogue the last sd_icat_load_shipped() loaded, or NULL; the
 * entries it holds in *n.  For -v.  Static storage: valid until the next load.
 */
const char	*sd_rule_intercept_catalogue(size_t *n);

#endif /* SD_ANALYZE_ICAT_H */
