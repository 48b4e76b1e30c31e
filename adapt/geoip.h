/* adapt/geoip.h - who a peer is: AS and country from MaxMind-format databases (libmaxminddb). */
#ifndef SD_ADAPT_GEOIP_H
#define SD_ADAPT_GEOIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/ip.h"

/* What the databases say of one address; strings come from the databases (escape on output). */
struct sd_geo {
	bool		 have_as;
	uint32_t	 asn;
	char		 as_org[128];
	bool		 have_country;
	char		 country[3];	/* ISO 3166-1 alpha-2 */
	char		 city[96];	/* "" when unknown */
};

/* What a database holds, read from its metadata's database_type. */
enum sd_geoip_kind {
	SD_GEOIP_ASN,		/* GeoLite2-ASN, GeoIP2-ISP, DBIP-ASN-Lite, ... */
	SD_GEOIP_COUNTRY,	/* GeoLite2-Country, GeoIP2-Country, DBIP-Country-Lite */
	SD_GEOIP_CITY,		/* GeoLite2-City, GeoIP2-City, DBIP-City-Lite (country too) */
};

struct sd_geoip;

struct sd_geoip	*sd_geoip_new(void);
void		 sd_geoip_free(struct sd_geoip *);
/*
 * Open one database and recognise it by its metadata (not its name).  0 on success; -1
 * with the reason in err: not a MaxMind DB, unreadable, or a type that holds neither AS
 * nor country (an anonymous-IP or connection-type database, say).
 */
int		 sd_geoip_add(struct sd_geoip *, const char *path, char *err, size_t errlen);
/*
 * The locations geoipupdate writes to: every *.mmdb of /usr/share/GeoIP and
 * /var/lib/GeoIP that is recognised (others are skipped).  $SD_GEOIP_DIRS, when set,
 * replaces the list (colon-separated; empty: none; tests use it).  Returns how many
 * databases were opened.
 */
int		 sd_geoip_add_defaults(struct sd_geoip *);
/* Databases open; the i-th one's path and kind (for -v). */
size_t		 sd_geoip_count(const struct sd_geoip *);
const char	*sd_geoip_path(const struct sd_geoip *, size_t i, enum sd_geoip_kind *);
/* Look an address up in every database; false when none knows it. */
bool		 sd_geoip_lookup(struct sd_geoip *, const struct sd_addr *, struct sd_geo *);

#endif /* SD_ADAPT_GEOIP_H */
