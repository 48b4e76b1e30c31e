/* tests/unit/test_o_json.c - JSON writer: structure, escaping of hostile strings, numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/finding.h"
#include "cli/json.h"
#include "cli/out.h"

static char *
line_of(struct sd_json *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_true(sd_out_json_end_line(j, f));
	fclose(f);
	return buf;
}

static void
test_structure(void **state)
{
	struct sd_json j;
	char *s;

	(void)state;
	sd_out_json_init(&j);
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_str(&j, "type", "flow");
	sd_out_json_uint(&j, "frame", 18446744073709551615ull);
	sd_out_json_int(&j, "neg", -5);
	sd_out_json_arr_begin(&j, "a");
	sd_out_json_uint(&j, NULL, 1);
	sd_out_json_uint(&j, NULL, 2);
	sd_out_json_arr_end(&j);
	sd_out_json_obj_begin(&j, "o");
	sd_out_json_null(&j, "n");
	sd_out_json_bool(&j, "b", true);
	sd_out_json_obj_end(&j);
	sd_out_json_ts(&j, "ts", 1700000000, 123456000);
	sd_out_json_ts(&j, "tn", 1700000000, 123456789);
	sd_out_json_hex(&j, "h", (const uint8_t *)"\x00\xff", 2);
	sd_out_json_obj_end(&j);
	s = line_of(&j);
	assert_string_equal(s, "{\"type\":\"flow\",\"frame\":18446744073709551615,\"neg\":-5,"
	    "\"a\":[1,2],\"o\":{\"n\":null,\"b\":true},\"ts\":1700000000.123456,"
	    "\"tn\":1700000000.123456789,\"h\":\"00ff\"}\n");
	free(s);
	sd_out_json_free(&j);
}

/* Numbers at their limits and timestamps with leading zeros, as printf would write them. */
static void
test_numbers(void **state)
{
	struct sd_json j;
	char *s;

	(void)state;
	sd_out_json_init(&j);
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_int(&j, "min", INT64_MIN);
	sd_out_json_int(&j, "max", INT64_MAX);
	sd_out_json_int(&j, "zero", 0);
	sd_out_json_uint(&j, "u0", 0);
	sd_out_json_uint(&j, "u10", 10);
	sd_out_json_ts(&j, "t0", 0, 0);
	sd_out_json_ts(&j, "t1", 5, 7);
	sd_out_json_ts(&j, "t2", 5, 7000);
	sd_out_json_ts(&j, "tneg", -1, 500000000);
	sd_out_json_obj_end(&j);
	s = line_of(&j);
	assert_string_equal(s, "{\"min\":-9223372036854775808,\"max\":9223372036854775807,"
	    "\"zero\":0,\"u0\":0,\"u10\":10,\"t0\":0.000000,\"t1\":5.000000007,"
	    "\"t2\":5.000007,\"tneg\":-1.500000}\n");
	free(s);
	sd_out_json_free(&j);
}

/* One object {key: s[0..n)} as the writer puts it, as a malloc'd line. */
static char *
strn_line(const char *key, const char *s, size_t n)
{
	struct sd_json j;
	char *line;

	sd_out_json_init(&j);
	sd_out_json_obj_begin(&j, NULL);
	sd_out_json_strn(&j, key, s, n);
	sd_out_json_obj_end(&j);
	line = line_of(&j);
	sd_out_json_free(&j);
	return line;
}

/* A server name from a packet can hold anything: it must come out as valid JSON. */
static void
test_escaping(void **state)
{
	static const char hostile[] = "a\"b\\c\n\x1b[31m\x7f\xc3\xa9\xff\xe2\x82";
	char *s;

	(void)state;
	s = strn_line("sni", hostile, sizeof(hostile) - 1);
	/* quote, backslash, newline, ESC, DEL escaped; valid UTF-8 (é) kept; invalid bytes
	 * (0xff, a cut 3-byte sequence) escaped one by one */
	assert_string_equal(s, "{\"sni\":\"a\\\"b\\\\c\\u000a\\u001b[31m\\u007f\xc3\xa9"
	    "\\u00ff\\u00e2\\u0082\"}\n");
	free(s);
}

/* A C1 control in UTF-8 (U+009B, CSI on a terminal that reads C1) is a control too: escaped,
 * like a lone 0x9b byte; the characters around it kept. */
static void
test_escaping_c1(void **state)
{
	static const char hostile[] = "x\xc2\x9b" "31my\x9b\xc2\x80\xc2\xa0";
	char *s;

	(void)state;
	s = strn_line("cn", hostile, sizeof(hostile) - 1);
	assert_string_equal(s, "{\"cn\":\"x\\u009b31my\\u009b\\u0080\xc2\xa0\"}\n");
	free(s);
}

static void
test_finding_filter_and_grouping(void **state)
{
	struct sd_findings l;
	struct sd_finding *f;
	char buf[128];

	(void)state;
	memset(&l, 0, sizeof(l));
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "tcp|10.0.0.2|443", 1, 0, 0);
	assert_non_null(f);
	sd_finding_frame(f, 9);
	sd_finding_frame(f, 3);
	sd_finding_frame(f, 9);		/* duplicates are not added twice */
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "tcp|10.0.0.2|443", 2, 0, 0);
	assert_int_equal(f->count, 2);
	assert_int_equal(l.n, 1);	/* same cause: one finding */
	assert_int_equal(f->severity, SD_SEV_HIGH);	/* from the catalogue */
	assert_int_equal(sd_finding_filter(f, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "frame.number == 3 || frame.number == 9");
	f = sd_finding_add(&l, SD_K_TCP_SYN_UNANSWERED, "tcp|10.0.0.3|443", 3, 0, 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(sd_finding_filter(f, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");	/* no frames, no filter */
	sd_finding_list_free(&l);
}

/* Many causes: each its own finding, repeats merged, still found after sorting. */
static void
test_finding_many_groups(void **state)
{
	struct sd_findings l;
	struct sd_finding *f;
	char g[32];
	int i, r;

	(void)state;
	memset(&l, 0, sizeof(l));
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 5000; i++) {
			snprintf(g, sizeof(g), "tcp|10.0.%d.%d|443", i / 256, i % 256);
			f = sd_finding_add(&l, i % 2 ? SD_K_TCP_PORT_CLOSED : SD_K_TCP_SYN_UNANSWERED, g,
			    r, 0, 0);
			assert_non_null(f);
			assert_int_equal(f->count, r + 1);
		}
		if (r == 1)
			sd_finding_sort(&l);
	}
	assert_int_equal(l.n, 5000);
	f = sd_finding_add(&l, SD_K_TCP_PORT_CLOSED, "tcp|10.0.0.1|443", 9, 0, 0);
	assert_int_equal(f->count, 4);
	sd_finding_list_free(&l);
}

/*
 * Gateway pairs (IPsec findings: no flow of the table, id 0): two pairs are two entries,
 * and neither output calls one "flow 0" or prints a port it does not know.
 */
static void
test_gateway_pairs(void **state)
{
	struct sd_findings l;
	struct sd_finding *f;
	struct sd_finding_flow fl;
	struct sd_json j;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out;

	(void)state;
	memset(&l, 0, sizeof(l));
	f = sd_finding_add(&l, SD_K_ESP_ASYMMETRIC_TUNNELS, "g", 1, 0, 0);
	assert_non_null(f);
	for (i = 0; i < 3; i++) {
		memset(&fl, 0, sizeof(fl));
		fl.proto = i == 2 ? SD_IPPROTO_ESP : SD_IPPROTO_UDP;
		fl.client.v = fl.server.v = 4;
		fl.client.a[0] = fl.server.a[0] = 10;
		fl.client.a[3] = 1;
		fl.server.a[3] = (uint8_t)(2 + i);
		fl.cport = fl.sport = i == 2 ? 0 : 4500;
		sd_finding_flow(f, &fl);
		sd_finding_flow(f, &fl);	/* the same pair again: kept once */
	}
	assert_int_equal(f->nflows, 3);
	assert_int_equal(f->nflows_total, 3);
	sd_out_json_init(&j);
	out = open_memstream(&buf, &len);
	sd_out_finding_json(out, f, NULL, 0, &j);
	fclose(out);
	assert_null(strstr(buf, "\"id\":0"));
	assert_null(strstr(buf, "\"source.port\":0"));
	assert_non_null(strstr(buf, "{\"gateway_pair\":true,\"file\":\"-\",\"network.transport\":\"esp\","
	    "\"source.ip\":\"10.0.0.1\",\"destination.ip\":\"10.0.0.4\"}"));
	free(buf);
	sd_out_json_free(&j);
	sd_finding_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_gateway_pairs),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_c1),
		cmocka_unit_test(test_finding_filter_and_grouping),
		cmocka_unit_test(test_finding_many_groups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
