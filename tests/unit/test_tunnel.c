/* tests/unit/test_tunnel.c - UDP tunnels: Geneve, VXLAN-GPE, GTP-U, Teredo, VXLAN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dissect/tunnel.h"

/* A minimal IPv4 header start and an IPv6 header (40 bytes) to stand for inner packets. */
#define V4_START	0x45, 0x00, 0x00, 0x14, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2
#define V6_HEADER	0x60, 0, 0, 0, 0, 0, 59, 64, \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2

static const uint8_t geneve[] = {
	0x01, 0x00,		/* version 0, optlen 1 (4 bytes), flags */
	0x08, 0x00,		/* protocol IPv4 */
	0x00, 0x00, 0x2a, 0x00,	/* VNI 42 */
	0x01, 0x02, 0x03, 0x04,	/* one 4-byte option */
	V4_START,
};

static const uint8_t vxlan_gpe[] = {
	0x0c, 0x00, 0x00, 0x02,	/* I + P flags, next protocol 2 = IPv6 */
	0x00, 0x00, 0x01, 0x00,	/* VNI 1 */
	V6_HEADER,
};

static const uint8_t gtpu_ext[] = {
	0x34, 0xff, 0x00, 0x1c,	/* v1, PT, E; T-PDU; length 28 */
	0x00, 0x00, 0x00, 0x01,	/* TEID */
	0x00, 0x00, 0x00, 0x85,	/* sequence, N-PDU, next extension: PDU session container */
	0x01, 0x00, 0x01, 0x00,	/* extension: length 1 (4 bytes), content, next type 0 */
	V4_START,
};

static const uint8_t gtpu_echo[] = {
	0x32, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00,	/* echo request */
};

static const uint8_t teredo_origin[] = {
	0x00, 0x00, 0x0d, 0x05, 0xc0, 0x00, 0x02, 0x01,	/* origin indication */
	V6_HEADER,
};

static void
check_all_prefixes(const uint8_t *v, size_t n, uint16_t sport, uint16_t dport, size_t need)
{
	size_t k;

	for (k = 0; k < n; k++) {
		uint8_t *cp = malloc(k ? k : 1);
		struct sd_link l;
		enum sd_rc rc;

		memcpy(cp, v, k);
		rc = sd_tunnel_udp(sport, dport, sd_rd_make(cp, k), &l);
		if (k < need)
			assert_int_equal(rc, SD_UNSUPPORTED);
		free(cp);
	}
}

static void
test_geneve(void **state)
{
	struct sd_link l;

	(void)state;
	assert_int_equal(sd_tunnel_udp(40000, SD_PORT_GENEVE, sd_rd_make(geneve, sizeof(geneve)),
	    &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV4);
	assert_int_equal(sd_rd_left(&l.net), 20);
	assert_int_equal(l.net.p[0], 0x45);
	/* the reply comes from the Geneve port */
	assert_int_equal(sd_tunnel_udp(SD_PORT_GENEVE, 40000,
	    sd_rd_make(geneve, sizeof(geneve)), &l), SD_OK);
	/* not a tunnel port: ordinary UDP */
	assert_int_equal(sd_tunnel_udp(40000, 40001, sd_rd_make(geneve, sizeof(geneve)), &l),
	    SD_UNSUPPORTED);
	check_all_prefixes(geneve, sizeof(geneve), 1, SD_PORT_GENEVE, 13);
}

static void
test_vxlan_gpe(void **state)
{
	struct sd_link l;

	(void)state;
	assert_int_equal(sd_tunnel_udp(1, SD_PORT_VXLAN_GPE,
	    sd_rd_make(vxlan_gpe, sizeof(vxlan_gpe)), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV6);
	assert_int_equal(sd_rd_left(&l.net), 40);
	check_all_prefixes(vxlan_gpe, sizeof(vxlan_gpe), 1, SD_PORT_VXLAN_GPE, 9);
}

static void
test_gtpu(void **state)
{
	struct sd_link l;

	(void)state;
	assert_int_equal(sd_tunnel_udp(SD_PORT_GTPU, SD_PORT_GTPU,
	    sd_rd_make(gtpu_ext, sizeof(gtpu_ext)), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV4);
	assert_int_equal(l.net.p - gtpu_ext, 16);
	/* signalling, not user data */
	assert_int_equal(sd_tunnel_udp(SD_PORT_GTPU, SD_PORT_GTPU,
	    sd_rd_make(gtpu_echo, sizeof(gtpu_echo)), &l), SD_UNSUPPORTED);
	check_all_prefixes(gtpu_ext, sizeof(gtpu_ext), SD_PORT_GTPU, 9, 17);
}

static void
test_teredo(void **state)
{
	struct sd_link l;
	uint8_t not_v6[sizeof(teredo_origin)];

	(void)state;
	assert_int_equal(sd_tunnel_udp(SD_PORT_TEREDO, 51000,
	    sd_rd_make(teredo_origin, sizeof(teredo_origin)), &l), SD_OK);
	assert_int_equal(l.ethertype, SD_ETH_IPV6);
	assert_int_equal(l.net.p - teredo_origin, 8);
	memcpy(not_v6, teredo_origin, sizeof(not_v6));
	not_v6[8] = 0x45;	/* version 4 where IPv6 must be */
	assert_int_equal(sd_tunnel_udp(SD_PORT_TEREDO, 51000,
	    sd_rd_make(not_v6, sizeof(not_v6)), &l), SD_UNSUPPORTED);
	check_all_prefixes(teredo_origin, sizeof(teredo_origin), SD_PORT_TEREDO, 9,
	    sizeof(teredo_origin));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_vxlan_gpe),
		cmocka_unit_test(test_gtpu),
		cmocka_unit_test(test_teredo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
