/*
 * tests/fuzz/fuzz_prelude.c - the STARTTLS / HTTP CONNECT prelude parser (sd_prelude_feed)
 * as engine/app.c drives it.
 *
 * Input: chunks until the bytes run out: u8 ctl (bit 0 direction: 0 client, 1 server),
 * be16 length, data.  The first chunk starts the parse (sd_prelude_init).  Each chunk is
 * appended to its direction's pending bytes; both directions are fed (server first) in
 * exact-size copies and what was consumed is dropped.  Checked: consumed never exceeds
 * the input, the client's bytes are never consumed while the request is pending or after
 * the upgrade, and a finished CONNECT has a status of 200..999.
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
			sd_prelude_init(&p, chunk);
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
	return 0;
}
