/* capture/gz.c - a stdio stream over zlib's inflate for gzip-compressed captures (RFC 1952). */
#define _GNU_SOURCE		/* fopencookie(): glibc */
#include "capture/gz.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <zlib.h>

#define GZ_INBUF	65536	/* compressed bytes read from the source at a time */

struct sd_gz {
	FILE		*src;		/* owned */
	z_stream	 z;
	bool		 member_end;	/* the last inflate() ended a member */
	bool		 done;		/* clean end of the data */
	uint64_t	 nin;		/* compressed bytes read */
	char		 error[128];	/* set once; then every read fails */
	uint8_t		 in[GZ_INBUF];
};

bool
sd_gz_magic(const uint8_t *head, size_t n)
{
	return n >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}

/* Refill the input buffer: 1, 0 at the end of the source, -1 on a read error (set). */
static int
fill(struct sd_gz *g)
{
	size_t got = fread(g->in, 1, sizeof(g->in), g->src);

	if (got == 0) {
		if (!ferror(g->src))
			return 0;
		snprintf(g->error, sizeof(g->error), "read error: %s", strerror(errno));
		return -1;
	}
	g->z.next_in = g->in;
	g->z.avail_in = (uInt)got;
	g->nin += got;
	return 1;
}

/*
 * At the end of a member: another one follows (reset and go on), or the data ends here.
 * gzip -d ignores what follows the last member when it does not start with the magic
 * (tape padding, zeros); so do we.
 */
static bool
next_member(struct sd_gz *g)
{
	if (g->z.next_in[0] != 0x1f) {
		g->done = true;
		return false;
	}
	if (inflateReset(&g->z) != Z_OK) {
		snprintf(g->error, sizeof(g->error), "gzip: cannot restart the decoder");
		return false;
	}
	g->member_end = false;
	return true;
}

/* Decompress into buf until something comes out, the data ends, or it fails. */
static ssize_t
gz_read(void *cookie, char *buf, size_t size)
{
	struct sd_gz *g = cookie;
	uInt want = size > UINT_MAX ? UINT_MAX : (uInt)size;
	int zr, got;

	if (g->error[0] != '\0') {
		errno = EIO;
		return -1;
	}
	g->z.next_out = (Bytef *)buf;
	g->z.avail_out = want;
	while (!g->done && g->error[0] == '\0' && g->z.avail_out == want) {
		if (g->z.avail_in == 0) {
			if ((got = fill(g)) < 0)
				break;
			if (got == 0) {
				if (g->member_end)
					g->done = true;
				else
					snprintf(g->error, sizeof(g->error), "gzip data truncated "
					    "(the file ends inside the compressed stream)");
				break;
			}
		}
		if (g->member_end && !next_member(g))
			break;
		zr = inflate(&g->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			g->member_end = true;
		else if (zr == Z_MEM_ERROR)
			snprintf(g->error, sizeof(g->error), "gzip: out of memory");
		else if (zr != Z_OK && !(zr == Z_BUF_ERROR && g->z.avail_in == 0))
			snprintf(g->error, sizeof(g->error), "gzip data corrupt (%s)",
			    g->z.msg != NULL ? g->z.msg : "inflate failed");
	}
	if (g->z.avail_out < want)
		return (ssize_t)(want - g->z.avail_out);	/* the fault, if any, next time */
	if (g->error[0] != '\0') {
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
gz_close(void *cookie)
{
	struct sd_gz *g = cookie;
	int rc = fclose(g->src);

	inflateEnd(&g->z);
	free(g);
	return rc;
}

FILE *
sd_gz_open(FILE *src, struct sd_gz **out)
{
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	struct sd_gz *g;
	FILE *fp;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	/* 16 + MAX_WBITS: a gzip wrapper only (a zlib or raw deflate stream is not a capture) */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return NULL;
	}
	g->src = src;
	if ((fp = fopencookie(g, "rb", io)) == NULL) {
		inflateEnd(&g->z);
		free(g);
		return NULL;
	}
	*out = g;
	return fp;
}

const char *
sd_gz_error(const struct sd_gz *g)
{
	return g != NULL && g->error[0] != '\0' ? g->error : NULL;
}

uint64_t
sd_gz_in(const struct sd_gz *g)
{
	return g != NULL ? g->nin : 0;
}
