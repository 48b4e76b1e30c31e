/* dissect/keylog.c - TLS key log lines (SSLKEYLOGFILE, draft-ietf-tls-keylogfile §3). */
#include "dissect/keylog.h"

#include <string.h>

#include "dissect/table.h"

struct sd_keylog {
	struct sd_tab		*tab;	/* client random (32 bytes) -> struct sd_keylog_secrets */
	struct sd_keylog_stats	 st;
};

static const struct {
	const char	*name;
	size_t		 len;
} labels[SD_KL_NLABELS] = {
#define L(s) { s, sizeof(s) - 1 }
	[SD_KL_CLIENT_RANDOM] = L("CLIENT_RANDOM"),
	[SD_KL_CLIENT_EARLY_TRAFFIC_SECRET] = L("CLIENT_EARLY_TRAFFIC_SECRET"),
	[SD_KL_EARLY_EXPORTER_SECRET] = L("EARLY_EXPORTER_SECRET"),
	[SD_KL_CLIENT_HANDSHAKE_TRAFFIC_SECRET] = L("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
	[SD_KL_SERVER_HANDSHAKE_TRAFFIC_SECRET] = L("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
	[SD_KL_CLIENT_TRAFFIC_SECRET_0] = L("CLIENT_TRAFFIC_SECRET_0"),
	[SD_KL_SERVER_TRAFFIC_SECRET_0] = L("SERVER_TRAFFIC_SECRET_0"),
	[SD_KL_EXPORTER_SECRET] = L("EXPORTER_SECRET"),
#undef L
};

struct sd_keylog *
sd_keylog_new(struct sd_memcap *mc)
{
	struct sd_keylog *k;
	struct sd_tab_opts o;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	memset(&o, 0, sizeof(o));
	o.val_size = sizeof(struct sd_keylog_secrets);
	o.max = SD_KEYLOG_MAX_ENTRIES;
	o.mc = mc;
	if ((k->tab = sd_tab_new(&o)) == NULL) {
		free(k);
		return NULL;
	}
	return k;
}

void
sd_keylog_free(struct sd_keylog *k)
{
	if (k == NULL)
		return;
	/* secrets are wiped before their memory goes back */
	for (void *v = sd_tab_first(k->tab); v != NULL; v = sd_tab_next(k->tab, v))
		memset(v, 0, sizeof(struct sd_keylog_secrets));
	sd_tab_free(k->tab);
	free(k);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2 * n hex digits in [p, p + len) into out[n]. */
static bool
unhex(const char *p, size_t len, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (len != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		if ((hi = hexval(p[2 * i])) < 0 || (lo = hexval(p[2 * i + 1])) < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* The next space-separated field of [*p, end): its start and length; false at the end. */
static bool
field(const char **p, const char *end, const char **f, size_t *flen)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	if (*p == end)
		return false;
	*f = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*flen = (size_t)(*p - *f);
	return true;
}

enum line_rc { LINE_OK, LINE_SKIP, LINE_BAD, LINE_NOROOM };

static enum line_rc
add_line(struct sd_keylog *k, const char *p, const char *end)
{
	const char *f, *r, *s, *extra;
	size_t flen, rlen, slen, elen;
	uint8_t random[32];
	struct sd_keylog_secret sec;
	struct sd_keylog_secrets *v;
	int i;

	if (!field(&p, end, &f, &flen) || *f == '#')
		return LINE_SKIP;
	if (!field(&p, end, &r, &rlen) || !field(&p, end, &s, &slen) ||
	    field(&p, end, &extra, &elen))
		return LINE_BAD;
	if (!unhex(r, rlen, random, sizeof(random)) || slen % 2 != 0 || slen == 0 ||
	    slen / 2 > SD_KEYLOG_MAX_SECRET)
		return LINE_BAD;
	memset(&sec, 0, sizeof(sec));
	sec.len = (uint8_t)(slen / 2);
	if (!unhex(s, slen, sec.b, sec.len))
		return LINE_BAD;
	for (i = 0; i < SD_KL_NLABELS; i++)
		if (flen == labels[i].len && memcmp(f, labels[i].name, flen) == 0)
			break;
	if (i == SD_KL_NLABELS)
		return LINE_SKIP;	/* a label of a later version of the format */
	if (i == SD_KL_CLIENT_RANDOM && sec.len != 48)
		return LINE_BAD;
	if ((v = sd_tab_get(k->tab, random, sizeof(random), true, NULL)) == NULL)
		return LINE_NOROOM;
	v->s[i] = sec;
	memset(&sec, 0, sizeof(sec));
	return LINE_OK;
}

void
sd_keylog_add(struct sd_keylog *k, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *le;
	uint64_t lineno = 0;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		if (le > p && le[-1] == '\r')
			le--;
		switch (add_line(k, p, le)) {
		case LINE_OK:
			k->st.lines++;
			break;
		case LINE_BAD:
			if (k->st.malformed++ == 0)
				k->st.first_bad_line = lineno;
			break;
		case LINE_NOROOM:
			k->st.refused++;
			break;
		case LINE_SKIP:
			break;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

const struct sd_keylog_secrets *
sd_keylog_find(struct sd_keylog *k, const uint8_t random[32])
{
	return sd_tab_get(k->tab, random, 32, false, NULL);
}

const struct sd_keylog_stats *
sd_keylog_stats(const struct sd_keylog *k)
{
	return &k->st;
}

size_t
sd_keylog_count(const struct sd_keylog *k)
{
	return sd_tab_count(k->tab);
}
