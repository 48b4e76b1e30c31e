/* tests/unit/test_o_events.c - every event type has its name and writer in the one table
 * (cli/out_events.c), the names are unique and documented, and so are anomaly names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/out.h"
#include "dissect/anomaly.h"

static char *
read_doc(const char *rel)
{
	const char *root = getenv("SD_SOURCE_DIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	assert_non_null(root);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* `name` in backquotes somewhere in the text. */
static int
documented(const char *doc, const char *name)
{
	char q[128];

	snprintf(q, sizeof(q), "`%s`", name);
	return strstr(doc, q) != NULL;
}

static void
test_every_type_has_a_writer(void **state)
{
	char *doc = read_doc("docs/events.md");
	const struct sd_ev_writer *w, *o;
	int t, u;

	(void)state;
	for (t = 0; t < SD_EV_NTYPES; t++) {
		w = sd_out_event_writer((enum sd_ev_type)t);
		assert_non_null(w);
		/* a gap in the designated initialisers leaves type 0, name and writer NULL */
		assert_int_equal(w->type, t);
		assert_non_null(w->name);
		assert_non_null(w->write);
		if (!documented(doc, w->name))
			fail_msg("event type %s is not in docs/events.md", w->name);
		for (u = 0; u < t; u++) {
			o = sd_out_event_writer((enum sd_ev_type)u);
			assert_string_not_equal(o->name, w->name);
		}
	}
	assert_null(sd_out_event_writer(SD_EV_NTYPES));
	free(doc);
}

static void
check_anomalies(const char *doc, const struct sd_anomaly_name *t, size_t n)
{
	size_t i, k;

	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_int_not_equal(t[i].bit, 0);
		if (!documented(doc, t[i].name))
			fail_msg("anomaly %s is not in docs/events.md", t[i].name);
		for (k = 0; k < i; k++)
			assert_int_not_equal(t[k].bit, t[i].bit);
	}
}

static void
test_anomaly_names(void **state)
{
	char *doc = read_doc("docs/events.md");

	(void)state;
	check_anomalies(doc, sd_anom_tls_hello, sd_anom_tls_hello_n);
	check_anomalies(doc, sd_anom_ike, sd_anom_ike_n);
	check_anomalies(doc, sd_anom_dns, sd_anom_dns_n);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_has_a_writer),
		cmocka_unit_test(test_anomaly_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
