/* analyze/withdrawn.h - roots that today's store no longer has: a chain ending at one of
 * them verified for clients on the day it was captured, if that was before the removal. */
#ifndef SD_ANALYZE_WITHDRAWN_H
#define SD_ANALYZE_WITHDRAWN_H

#include <stdint.h>

struct withdrawn_root {
	const char	*name;		/* the root's CN (Mozilla's nickname) */
	const char	*date;		/* YYYY-MM-DD: the Debian release that removed it */
	const char	*source;	/* "ca-certificates 20211004" */
	const char	*why;		/* "expired" or "removed" */
};

/*
 * The withdrawn root an RFC 2253 name (a missing issuer, an untrusted root) names, by its
 * CN (else its first OU, else its O), case-insensitive; NULL when none.  *removed_t: the
 * removal date in seconds since the epoch.
 */
const struct withdrawn_root *sd_withdrawn_root(const char *dn, int64_t *removed_t);

#endif /* SD_ANALYZE_WITHDRAWN_H */
