/* tests/unit/test_a_sink.c - the finding sink: findings handed to every output when decided,
 * updates for later occurrences, holds until the evidence is complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/finding.h"

struct seen {
	const struct sd_finding	*f[16];
	enum sd_finding_change	 c[16];
	uint64_t		 count[16];
	int			 n;
};

static void
on_decided(void *ctx, const struct sd_finding *f, enum sd_finding_change c)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->f[s->n] = f;
	s->c[s->n] = c;
	s->count[s->n] = f->count;
	s->n++;
}

static void
test_new_then_update(void **state)
{
	struct sd_findings l;
	struct seen a, b;
	struct sd_finding_out oa = { on_decided, &a }, ob = { on_decided, &b };
	struct sd_finding *f, *g;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_true(sd_findings_subscribe(&l, &oa));
	assert_true(sd_findings_subscribe(&l, &ob));
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "10.0.0.2|443", 1, 0, 0);
	sd_finding_frame(f, 3);
	assert_int_equal(a.n, 0);		/* nothing before the event is through */
	sd_findings_flush(&l);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 1);		/* every output, at once */
	assert_ptr_equal(a.f[0], f);
	assert_int_equal(a.c[0], SD_FINDING_NEW);
	sd_findings_flush(&l);
	assert_int_equal(a.n, 1);		/* nothing changed: nothing handed over */
	g = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "10.0.0.2|443", 5, 0, 0);
	assert_ptr_equal(g, f);
	sd_findings_flush(&l);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.c[1], SD_FINDING_UPDATE);
	assert_int_equal(a.count[1], 2);
	sd_findings_settle(&l);
	assert_int_equal(a.n, 2);
	sd_finding_list_free(&l);
}

/* Findings decided while the capture lost packets say so; once the loss stops, no more. */
static void
test_loss_note(void **state)
{
	struct sd_findings l;
	struct seen a;
	struct sd_finding_out oa = { on_decided, &a };
	struct sd_finding *f, *g;
	size_t i;
	bool has;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	assert_true(sd_findings_subscribe(&l, &oa));
	snprintf(l.loss_note, sizeof(l.loss_note), "%s", "the kernel dropped 50 of 1000 "
	    "packets (5.0%)");
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "10.0.0.2|443", 1, 0, 0);
	sd_findings_flush(&l);
	l.loss_note[0] = '\0';
	g = sd_finding_add(&l, SD_K_TCP_PORT_CLOSED, "10.0.0.3|443", 2, 0, 0);
	sd_findings_flush(&l);
	for (i = 0, has = false; i < f->nvalues; i++)
		has |= strcmp(f->values[i].name, "capture_loss") == 0 &&
		    strstr(f->values[i].value, "dropped 50 of 1000") != NULL;
	assert_true(has);
	for (i = 0, has = false; i < g->nvalues; i++)
		has |= strcmp(g->values[i].name, "capture_loss") == 0;
	assert_false(has);
	sd_finding_list_free(&l);
}

static void
test_hold(void **state)
{
	struct sd_findings l;
	struct seen a;
	struct sd_finding_out oa = { on_decided, &a };
	struct sd_finding *f, *g;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	assert_true(sd_findings_subscribe(&l, &oa));
	f = sd_finding_add(&l, SD_K_TRUST_CHAIN_UNTRUSTED, "x", 1, 0, 0);
	sd_finding_hold(f);		/* waits for the client's reaction */
	g = sd_finding_add(&l, SD_K_TCP_PORT_CLOSED, "y", 1, 0, 0);
	sd_findings_flush(&l);
	assert_int_equal(a.n, 1);
	assert_ptr_equal(a.f[0], g);
	sd_finding_value(f, "client_alert", "%s", "unknown_ca (48)");
	sd_finding_release(f);
	sd_findings_flush(&l);
	assert_int_equal(a.n, 2);
	assert_ptr_equal(a.f[1], f);
	assert_int_equal(a.c[1], SD_FINDING_NEW);
	/* a hold never released is decided at the end */
	f = sd_finding_add(&l, SD_K_TRUST_NAME_MISMATCH, "z", 1, 0, 0);
	sd_finding_hold(f);
	sd_findings_flush(&l);
	assert_int_equal(a.n, 2);
	sd_findings_settle(&l);
	assert_int_equal(a.n, 3);
	assert_ptr_equal(a.f[2], f);
	sd_finding_list_free(&l);
}

/* Evidence frames in ascending order without duplicates, whatever order they came in. */
static void
test_frames_sorted(void **state)
{
	static const uint64_t in[] = { 36, 30, 8, 30, 6, 36, 31 };
	static const uint64_t want[] = { 6, 8, 30, 31, 36 };
	struct sd_findings l;
	struct sd_finding *f;
	size_t i;

	(void)state;
	memset(&l, 0, sizeof(l));
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "x", 1, 0, 0);
	assert_non_null(f);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		sd_finding_frame(f, in[i]);
	assert_int_equal(f->nframes, 5);
	assert_int_equal(f->nframes_total, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(f->frames[i], want[i]);
	/* past the cap: counted, the list stays sorted and full */
	for (i = 0; i < SD_FINDING_MAX_FRAMES + 4; i++)
		sd_finding_frame(f, 1000 - i);
	assert_int_equal(f->nframes, SD_FINDING_MAX_FRAMES);
	assert_int_equal(f->nframes_total, 5 + SD_FINDING_MAX_FRAMES + 4);
	for (i = 1; i < f->nframes; i++)
		assert_true(f->frames[i - 1] < f->frames[i]);
	assert_int_equal(f->frames[0], 6);
	sd_finding_list_free(&l);
}

/*
 * sd_finding_put: a cause judged again (a window, then the end) is made once with count 1,
 * then returned as it is; restating the same values tells nothing, a changed value or
 * summary is an update; the count stays 1.
 */
static void
test_put_restated(void **state)
{
	struct sd_findings l;
	struct seen a;
	struct sd_finding_out oa = { on_decided, &a };
	struct sd_finding *f, *g;

	(void)state;
	memset(&l, 0, sizeof(l));
	memset(&a, 0, sizeof(a));
	assert_true(sd_findings_subscribe(&l, &oa));
	f = sd_finding_put(&l, SD_K_ICEPT_BACKEND_MISMATCH, "www.example.test", 1, 0, 0);
	assert_non_null(f);
	sd_finding_value(f, "backend_1", "%s", "10.0.0.1:443: 1 ok");
	sd_finding_summary(f, "%s", "2 backends differ");
	sd_findings_flush(&l);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.c[0], SD_FINDING_NEW);
	/* the next window: the same judgement */
	g = sd_finding_put(&l, SD_K_ICEPT_BACKEND_MISMATCH, "www.example.test", 9, 0, 0);
	assert_ptr_equal(g, f);
	sd_finding_value(g, "backend_1", "%s", "10.0.0.1:443: 1 ok");
	sd_finding_summary(g, "%s", "2 backends differ");
	sd_findings_flush(&l);
	assert_int_equal(a.n, 1);		/* nothing new: nothing told */
	assert_int_equal(f->count, 1);
	/* more connections since: an update, still one finding of count 1 */
	g = sd_finding_put(&l, SD_K_ICEPT_BACKEND_MISMATCH, "www.example.test", 20, 0, 0);
	sd_finding_value(g, "backend_1", "%s", "10.0.0.1:443: 5 ok");
	sd_findings_flush(&l);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.c[1], SD_FINDING_UPDATE);
	assert_int_equal(f->count, 1);
	assert_string_equal(f->values[0].value, "10.0.0.1:443: 5 ok");
	assert_int_equal(l.n, 1);
	sd_finding_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_then_update),
		cmocka_unit_test(test_loss_note),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_frames_sorted),
		cmocka_unit_test(test_put_restated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
