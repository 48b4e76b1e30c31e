/* tests/unit/helpers.h - what the unit tests share: exact-size copies for ASan, finding
 * lookups, typed event payloads.  Included after <cmocka.h>; every helper is static. */
#ifndef SD_TESTS_UNIT_HELPERS_H
#define SD_TESTS_UNIT_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include "analyze/finding.h"	/* struct only: no function of analyze/ is called here */
#include "dissect/event.h"

/* A heap copy of exactly n bytes, so ASan sees a one-byte over-read (free() it). */
static inline uint8_t *
dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *cp = malloc(n > 0 ? n : 1);

	assert_non_null(cp);
	if (n > 0)
		memcpy(cp, p, n);
	return cp;
}

/* The payload union of a message event from a pointer of the type `type` carries. */
static inline union sd_ev_msg
ev_msg(enum sd_ev_type type, const void *p)
{
	union sd_ev_msg m;

	memset(&m, 0, sizeof(m));
	switch (type) {
	case SD_EV_TLS_CLIENT_HELLO: m.client_hello = p; break;
	case SD_EV_TLS_SERVER_HELLO: m.server_hello = p; break;
	case SD_EV_TLS_CERTIFICATE: m.certificate = p; break;
	case SD_EV_TLS_ALERT: m.alert = p; break;
	case SD_EV_DTLS_HELLO_VERIFY_REQUEST: m.hvr = p; break;
	case SD_EV_TLS_CERTIFICATE_REQUEST: m.cert_request = p; break;
	case SD_EV_TLS_SERVER_KEY_EXCHANGE: m.ske = p; break;
	case SD_EV_TLS_ENCRYPTED_HANDSHAKE: m.enc_hs = p; break;
	case SD_EV_TLS_SESSION: m.session = p; break;
	case SD_EV_HTTP_CONNECT: m.connect = p; break;
	case SD_EV_IKE: m.ike = p; break;
	case SD_EV_ESP: m.esp = p; break;
	case SD_EV_IKE_EXCHANGE: m.exchange = p; break;
	case SD_EV_IKE_SA: m.ike_sa = p; break;
	case SD_EV_ESP_TUNNEL: m.tunnel = p; break;
	case SD_EV_DNS_ANSWER: m.dns = p; break;
	case SD_EV_CAPWAP_CONTROL: m.capwap = p; break;
	default: break;
	}
	return m;
}

/* The value called name of a finding, NULL when it has none. */
static inline const char *
finding_value(const struct sd_finding *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++)
		if (strcmp(f->values[i].name, name) == 0)
			return f->values[i].value;
	return NULL;
}

/* Is frame among a finding's evidence frames? */
static inline bool
finding_has_frame(const struct sd_finding *f, uint64_t frame)
{
	size_t i;

	for (i = 0; i < f->nframes; i++)
		if (f->frames[i] == frame)
			return true;
	return false;
}

/* The first finding of a kind (by stable name) in a list, NULL when there is none. */
static inline const struct sd_finding *
finding_find(const struct sd_findings *l, const char *kind)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i]->kind, kind) == 0)
			return l->v[i];
	return NULL;
}

/*
 * Per-flow storage as the engine keeps it (dissect/event.h), for tests that feed rules
 * events by hand: test_store() gives each flow id its slots, test_flow_end() frees them
 * after the flow's SD_EV_FLOW event, test_flows_free() the rest.
 */
#define TEST_FLOWS	256
struct test_flows {
	struct sd_store_reg	 reg;
	uint64_t		 id[TEST_FLOWS];
	struct sd_flow_store	 st[TEST_FLOWS];
	size_t			 n;
};

static inline struct sd_flow_store *
test_store(struct test_flows *t, uint64_t id)
{
	size_t i;

	if (id == 0)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (t->id[i] == id)
			return &t->st[i];
	assert_true(t->n < TEST_FLOWS);
	t->id[t->n] = id;
	memset(&t->st[t->n], 0, sizeof(t->st[0]));
	return &t->st[t->n++];
}

static inline void
test_flow_end(struct test_flows *t, uint64_t id)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->id[i] == id) {
			sd_store_release(&t->reg, &t->st[i]);
			t->id[i] = 0;
		}
}

static inline void
test_flows_free(struct test_flows *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		sd_store_release(&t->reg, &t->st[i]);
	t->n = 0;
}

#endif /* SD_TESTS_UNIT_HELPERS_H */
