/* adapt/geoip.c - AS and country of an address from MaxMind-format databases. */
#include "adapt/geoip.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define GEOIP_MAX_DB	8
#define GEOIP_CACHE	1024	/* direct-mapped: outputs look up the same few peers again */

struct db {
	MMDB_s			 m;
	enum sd_geoip_kind	 kind;
	char			*path;
};

struct slot {
	struct sd_addr	 a;
	bool		 used, found;
	struct sd_geo	 g;
};

struct sd_geoip {
	struct db	 db[GEOIP_MAX_DB];
	size_t		 n;
	struct slot	*cache;
};

struct sd_geoip *
sd_geoip_new(void)
{
	return calloc(1, sizeof(struct sd_geoip));
}

void
sd_geoip_free(struct sd_geoip *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++) {
		MMDB_close(&g->db[i].m);
		free(g->db[i].path);
	}
	free(g->cache);
	free(g);
}

/* The kind a database_type names; false for one that holds neither AS nor country. */
static bool
kind_of(const char *type, enum sd_geoip_kind *k)
{
	if (type == NULL)
		return false;
	if (strstr(type, "City") != NULL) {
		*k = SD_GEOIP_CITY;
		return true;
	}
	if (strstr(type, "Country") != NULL) {
		*k = SD_GEOIP_COUNTRY;
		return true;
	}
	if (strstr(type, "ASN") != NULL || strstr(type, "ISP") != NULL) {
		*k = SD_GEOIP_ASN;
		return true;
	}
	return false;
}

int
sd_geoip_add(struct sd_geoip *g, const char *path, char *err, size_t errlen)
{
	struct db *d;
	FILE *f;
	int rc;

	if (g->n == GEOIP_MAX_DB) {
		snprintf(err, errlen, "%s: more than %d GeoIP databases", path, GEOIP_MAX_DB);
		return -1;
	}
	d = &g->db[g->n];
	memset(d, 0, sizeof(*d));
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fclose(f);
	rc = MMDB_open(path, MMDB_MODE_MMAP, &d->m);
	if (rc != MMDB_SUCCESS) {
		if (rc == MMDB_IO_ERROR)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		else
			snprintf(err, errlen, "%s: not a MaxMind DB file (%s)", path,
			    MMDB_strerror(rc));
		return -1;
	}
	if (!kind_of(d->m.metadata.database_type, &d->kind)) {
		snprintf(err, errlen, "%s: a MaxMind DB of type '%.80s', which holds neither AS "
		    "nor country (ASN, Country and City databases are read)", path,
		    d->m.metadata.database_type != NULL ? d->m.metadata.database_type : "");
		MMDB_close(&d->m);
		return -1;
	}
	if ((d->path = strdup(path)) == NULL) {
		MMDB_close(&d->m);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	g->n++;
	free(g->cache);		/* answers may change with the new database */
	g->cache = NULL;
	return 0;
}

static int
add_dir(struct sd_geoip *g, const char *dir)
{
	struct dirent **names;
	char path[4096], err[512];
	int i, n, opened = 0;
	size_t l;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		l = strlen(names[i]->d_name);
		if (l > 5 && strcmp(names[i]->d_name + l - 5, ".mmdb") == 0 &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) <
		    sizeof(path) && sd_geoip_add(g, path, err, sizeof(err)) == 0)
			opened++;
		free(names[i]);
	}
	free(names);
	return opened;
}

int
sd_geoip_add_defaults(struct sd_geoip *g)
{
	const char *env = getenv("SD_GEOIP_DIRS");
	char *list, *p, *save = NULL;
	int n = 0;

	if (env == NULL)
		env = "/usr/share/GeoIP:/var/lib/GeoIP";
	if ((list = strdup(env)) == NULL)
		return 0;
	for (p = strtok_r(list, ":", &save); p != NULL; p = strtok_r(NULL, ":", &save))
		n += add_dir(g, p);
	free(list);
	return n;
}

size_t
sd_geoip_count(const struct sd_geoip *g)
{
	return g != NULL ? g->n : 0;
}

const char *
sd_geoip_path(const struct sd_geoip *g, size_t i, enum sd_geoip_kind *k)
{
	if (g == NULL || i >= g->n)
		return NULL;
	if (k != NULL)
		*k = g->db[i].kind;
	return g->db[i].path;
}

/* A UTF-8 string of the entry at path into buf; false when absent. */
static bool
get_str(MMDB_entry_s *e, char *buf, size_t n, const char *const *path)
{
	MMDB_entry_data_s v;

	if (MMDB_aget_value(e, &v, path) != MMDB_SUCCESS || !v.has_data ||
	    v.type != MMDB_DATA_TYPE_UTF8_STRING)
		return false;
	snprintf(buf, n, "%.*s", (int)(v.data_size < n ? v.data_size : n - 1), v.utf8_string);
	return true;
}

static void
lookup_db(struct db *d, const struct sockaddr *sa, struct sd_geo *out, bool *found)
{
	static const char *const asn[] = { "autonomous_system_number", NULL };
	static const char *const org[] = { "autonomous_system_organization", NULL };
	static const char *const cc[] = { "country", "iso_code", NULL };
	static const char *const rcc[] = { "registered_country", "iso_code", NULL };
	static const char *const city[] = { "city", "names", "en", NULL };
	MMDB_lookup_result_s r;
	MMDB_entry_data_s v;
	int mrc;

	r = MMDB_lookup_sockaddr(&d->m, sa, &mrc);
	if (mrc != MMDB_SUCCESS || !r.found_entry)
		return;
	if (d->kind == SD_GEOIP_ASN) {
		if (MMDB_aget_value(&r.entry, &v, asn) == MMDB_SUCCESS && v.has_data &&
		    (v.type == MMDB_DATA_TYPE_UINT32 || v.type == MMDB_DATA_TYPE_UINT16 ||
		    v.type == MMDB_DATA_TYPE_UINT64)) {
			out->asn = v.type == MMDB_DATA_TYPE_UINT32 ? v.uint32 :
			    v.type == MMDB_DATA_TYPE_UINT16 ? v.uint16 : (uint32_t)v.uint64;
			out->have_as = true;
			*found = true;
			(void)get_str(&r.entry, out->as_org, sizeof(out->as_org), org);
		}
		return;
	}
	if (!out->have_country) {
		if (get_str(&r.entry, out->country, sizeof(out->country), cc) ||
		    get_str(&r.entry, out->country, sizeof(out->country), rcc)) {
			out->have_country = true;
			*found = true;
		}
	}
	if (d->kind == SD_GEOIP_CITY && out->city[0] == '\0' &&
	    get_str(&r.entry, out->city, sizeof(out->city), city))
		*found = true;
}

static size_t
hash_addr(const struct sd_addr *a)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i, n = a->v == 6 ? 16 : 4;

	for (i = 0; i < n; i++)
		h = (h ^ a->a[i]) * 1099511628211ULL;
	return (size_t)(h % GEOIP_CACHE);
}

bool
sd_geoip_lookup(struct sd_geoip *g, const struct sd_addr *a, struct sd_geo *out)
{
	struct sockaddr_storage ss;
	struct slot *s = NULL;
	bool found = false;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (g == NULL || g->n == 0 || (a->v != 4 && a->v != 6))
		return false;
	if (g->cache == NULL)
		g->cache = calloc(GEOIP_CACHE, sizeof(*g->cache));
	if (g->cache != NULL) {
		s = &g->cache[hash_addr(a)];
		if (s->used && s->a.v == a->v && memcmp(s->a.a, a->a, a->v == 6 ? 16 : 4) == 0) {
			*out = s->g;
			return s->found;
		}
	}
	memset(&ss, 0, sizeof(ss));
	if (a->v == 4) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, a->a, 4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, a->a, 16);
	}
	for (i = 0; i < g->n; i++)
		lookup_db(&g->db[i], (const struct sockaddr *)&ss, out, &found);
	if (s != NULL) {
		s->used = true;
		s->a = *a;
		s->found = found;
		s->g = *out;
	}
	return found;
}
