/* tests/unit/engine_harness.h - what the engine tests share: an engine whose every event
 * goes to the test's own sink. */
#ifndef SD_TESTS_UNIT_ENGINE_HARNESS_H
#define SD_TESTS_UNIT_ENGINE_HARNESS_H

#include <setjmp.h>	/* cmocka needs these before <cmocka.h> */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine.h"

/* A new engine with default limits, its events to emit(ctx, ev); the test frees it. */
static inline struct sd_engine *
harness_engine(void (*emit)(void *, const struct sd_event *), void *ctx)
{
	struct sd_engine_opts o;
	char err[128];
	struct sd_engine *e;

	memset(&o, 0, sizeof(o));
	o.sink.emit = emit;
	o.sink.ctx = ctx;
	e = sd_engine_new(&o, err, sizeof(err));
	assert_non_null(e);
	return e;
}

#endif /* SD_TESTS_UNIT_ENGINE_HARNESS_H */
