/* capture/pcapng_write.c - a small pcapng writer (draft-ietf-opsawg-pcapng), host byte order. */
#include "capture/pcapng_write.h"

#include <stdlib.h>
#include <string.h>

#define BT_SHB		0x0A0D0D0Au
#define BT_IDB		0x00000001u
#define BT_EPB		0x00000006u
#define OPT_END		0
#define OPT_COMMENT	1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_TSRESOL	9
#define MAX_COMMENT	65000u
#define IDB_SNAPLEN	262144u

struct sd_pcapng_w {
	FILE		*fp;
	int		 link[SD_PCAPNG_W_MAX_IFACES];	/* interface id -> link type */
	unsigned	 nlink;
	uint64_t	 count;
	bool		 failed;
};

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void
put(struct sd_pcapng_w *w, const void *p, size_t n)
{
	if (!w->failed && n > 0 && fwrite(p, 1, n, w->fp) != n)
		w->failed = true;
}

static void
put32(struct sd_pcapng_w *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_pad(struct sd_pcapng_w *w, size_t n)
{
	static const uint8_t zero[4];

	put(w, zero, pad4(n) - n);
}

/* An option: code, length, value padded to 32 bits. */
static void
put_opt(struct sd_pcapng_w *w, uint16_t code, const void *v, uint16_t len)
{
	uint16_t h[2] = { code, len };

	put(w, h, sizeof(h));
	put(w, v, len);
	put_pad(w, len);
}

static size_t
opt_size(size_t len)
{
	return 4 + pad4(len);
}

struct sd_pcapng_w *
sd_pcapng_w_new(FILE *fp, const char *app)
{
	struct sd_pcapng_w *w = calloc(1, sizeof(*w));
	uint16_t ver[2] = { 1, 0 };
	uint64_t section_len = UINT64_MAX;	/* not given */
	size_t alen = app != NULL ? strlen(app) : 0, blen;

	if (w == NULL)
		return NULL;
	w->fp = fp;
	if (alen > 256)
		alen = 256;
	blen = 12 + 4 + 8 + (alen > 0 ? opt_size(alen) : 0) + 4 + 4;
	put32(w, BT_SHB);
	put32(w, (uint32_t)blen);
	put32(w, 0x1A2B3C4Du);
	put(w, ver, sizeof(ver));
	put(w, &section_len, sizeof(section_len));
	if (alen > 0)
		put_opt(w, OPT_SHB_USERAPPL, app, (uint16_t)alen);
	put_opt(w, OPT_END, NULL, 0);
	put32(w, (uint32_t)blen);
	if (w->failed) {
		free(w);
		return NULL;
	}
	return w;
}

/* The interface id of a link type, its IDB written the first time; -1 past the limit. */
static int
iface_of(struct sd_pcapng_w *w, int linktype)
{
	uint16_t lt[2] = { (uint16_t)linktype, 0 };
	uint8_t res = 9;	/* nanoseconds */
	uint32_t blen = 8 + 8 + (uint32_t)opt_size(1) + 4 + 4;
	unsigned i;

	for (i = 0; i < w->nlink; i++)
		if (w->link[i] == linktype)
			return (int)i;
	if (w->nlink == SD_PCAPNG_W_MAX_IFACES || linktype < 0 || linktype > 0xffff)
		return -1;
	put32(w, BT_IDB);
	put32(w, blen);
	put(w, lt, sizeof(lt));
	put32(w, IDB_SNAPLEN);
	put_opt(w, OPT_IF_TSRESOL, &res, 1);
	put_opt(w, OPT_END, NULL, 0);
	put32(w, blen);
	w->link[w->nlink] = linktype;
	return (int)w->nlink++;
}

int
sd_pcapng_w_packet(struct sd_pcapng_w *w, int linktype, int64_t sec, uint32_t nsec,
    uint32_t caplen, uint32_t len, const uint8_t *data, const char *comment)
{
	size_t clen = comment != NULL ? strlen(comment) : 0, blen;
	uint64_t ts;
	int id;

	if (w->failed || (id = iface_of(w, linktype)) < 0)
		return -1;
	if (clen > MAX_COMMENT)
		clen = MAX_COMMENT;
	ts = sec < 0 ? 0 : (uint64_t)sec * 1000000000u + nsec;
	blen = 28 + pad4(caplen) + (clen > 0 ? opt_size(clen) + 4 : 0) + 4;
	if (blen > UINT32_MAX)
		return -1;
	put32(w, BT_EPB);
	put32(w, (uint32_t)blen);
	put32(w, (uint32_t)id);
	put32(w, (uint32_t)(ts >> 32));
	put32(w, (uint32_t)ts);
	put32(w, caplen);
	put32(w, len < caplen ? caplen : len);
	put(w, data, caplen);
	put_pad(w, caplen);
	if (clen > 0) {
		put_opt(w, OPT_COMMENT, comment, (uint16_t)clen);
		put_opt(w, OPT_END, NULL, 0);
	}
	put32(w, (uint32_t)blen);
	if (w->failed)
		return -1;
	w->count++;
	return 0;
}

uint64_t
sd_pcapng_w_count(const struct sd_pcapng_w *w)
{
	return w->count;
}

bool
sd_pcapng_w_free(struct sd_pcapng_w *w)
{
	bool ok;

	if (w == NULL)
		return true;
	ok = !w->failed;
	free(w);
	return ok;
}
