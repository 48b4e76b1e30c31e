/*
 * tests/fuzz/fuzz_prelude.c - the prelude parsers (sd_preamble_probe, sd_prelude_feed:
 * STARTTLS, HTTP CONNECT, SOCKS4, MySQL, RDP) as engine/app.c drives them.
 *
 * Input: chunks until the bytes run out: u8 ctl (bit 0 direction: 0 client, 1 server),
 * be16 length, data.  The first chunk is probed (sd_preamble_probe) and starts the parse:
 * a binary preamble through sd_prelude_start, anything else through sd_prelude_init.  Each chunk is
 * appended to its direction's pending bytes; both directions are fed (server first) in
 * exact-size copies and what was consumed is dropped.  Checked: consumed never exceeds
 * the input, the client's bytes are never consumed while the request is pending or after
 * the upgrade, a finished CONNECT has a status of 200..999, and a prelude event has an
 * outcome, NUL-terminated strings and a stray skip of at most SD_PREAMBLE_MAX_STRAY.
 */
#include <stdlib.h>
#include <string.h>

#include "dissect/prelude.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define SIDE_MAX	(SD_PRELUDE_MAX_LINE * 4)

struct side {
	uint8_t		buf[SIDE_MAX];
	size_t		len;
};

static void
check_pre(const struct sd_preamble_ev *e)
{
	CHECK(e->outcome != NULL);
	CHECK(memchr(e->target, '\0', sizeof(e->target)) != NULL);
	CHECK(memchr(e->user, '\0', sizeof(e->user)) != NULL);
	CHECK(memchr(e->server_version, '\0', sizeof(e->server_version)) != NULL);
	CHECK(memchr(e->error, '\0', sizeof(e->error)) != NULL);
	CHECK(memchr(e->cookie, '\0', sizeof(e->cookie)) != NULL);
	CHECK(e->skipped <= SD_PREAMBLE_MAX_STRAY);
}

/* Probe the first chunk and start the parse the way engine/app.c does. */
static void
start(struct sd_prelude *p, struct sd_rd chunk)
{
	enum sd_preamble k;
	size_t skip;

	if (sd_preamble_probe(chunk, &k, &skip) == SD_OK && k >= SD_PREAMBLE_SOCKS4 &&
	    k != SD_PREAMBLE_TEXT) {
		sd_prelude_start(p, k, skip, 1, 0, 0);
		if (p->pre_done) {
			p->pre_done = false;
			check_pre(&p->pre);
		}
		return;
	}
	sd_prelude_init(p, chunk);
}

static void
feed(struct sd_prelude *p, int dir, struct side *s, uint64_t frame)
{
	enum sd_prelude_state before = p->state;
	size_t used = 0;
	uint8_t *cp;

	cp = malloc(s->len ? s->len : 1);
	if (cp == NULL)
		abort();
	memcpy(cp, s->buf, s->len);
	(void)sd_prelude_feed(p, dir, sd_rd_make(cp, s->len), frame, 0, 0, &used);
	free(cp);
	CHECK(used <= s->len);
	if (dir == 0 && (before == SD_PRELUDE_REQUESTED || before == SD_PRELUDE_UPGRADED))
		CHECK(used == 0);
	if (p->connect_done) {
		p->connect_done = false;
		CHECK(p->connect.status >= 200 && p->connect.status <= 999);
		CHECK(memchr(p->connect.target, '\0', sizeof(p->connect.target)) != NULL);
	}
	if (p->pre_done) {
		p->pre_done = false;
		check_pre(&p->pre);
	}
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct side side[2];
	struct sd_prelude p;
	struct sd_rd in = sd_rd_make(data, size), chunk;
	uint64_t frame = 0;
	bool started = false;
	uint16_t n;
	uint8_t ctl;
	int d;

	side[0].len = side[1].len = 0;
	memset(&p, 0, sizeof(p));
	while (sd_rd_u8(&in, &ctl) && sd_rd_be16(&in, &n)) {
		if (!sd_rd_sub(&in, n < sd_rd_left(&in) ? n : sd_rd_left(&in), &chunk))
			break;
		d = ctl & 1;
		if (!started) {
			start(&p, chunk);
			started = true;
		}
		if (side[d].len + chunk.len > SIDE_MAX)
			break;
		if (chunk.len > 0)
			memcpy(side[d].buf + side[d].len, chunk.p, chunk.len);
		side[d].len += chunk.len;
		frame++;
		feed(&p, 1, &side[1], frame);
		feed(&p, 0, &side[0], frame);
	}
	if (sd_preamble_close(&p))
		check_pre(&p.pre);
	return 0;
}
