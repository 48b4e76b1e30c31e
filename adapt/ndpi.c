/* adapt/ndpi.c - the one file that talks to nDPI (API probed at configure time): the engine's
 * classify hook (engine/hooks.h). */
#include "adapt/ndpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndpi/ndpi_api.h>

/*
 * Packets per flow offered to nDPI before giving up.  Its TLS, DNS and IPsec detection
 * concludes within the first handful; beyond that it costs more than all our parsing.
 */
#define SD_NDPI_MAX_PKTS	16

struct sd_ndpi {
	struct ndpi_detection_module_struct *mod;
};

struct flow_ndpi {
	struct ndpi_flow_struct	*nf;
	ndpi_protocol		 proto;
	uint16_t		 pkts;
	bool			 done;
};

struct sd_ndpi *
sd_ndpi_new(void)
{
	NDPI_PROTOCOL_BITMASK all;
	struct sd_ndpi *n;

	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (n->mod == NULL) {
		free(n);
		return NULL;
	}
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(n->mod, &all);
	ndpi_finalize_initialization(n->mod);
	return n;
}

void
sd_ndpi_free(struct sd_ndpi *n)
{
	if (n == NULL)
		return;
	ndpi_exit_detection_module(n->mod);
	free(n);
}

static void
set_label(struct sd_ndpi *n, char *label, size_t labellen, ndpi_protocol p)
{
	char buf[48];

	if (p.master_protocol == NDPI_PROTOCOL_UNKNOWN &&
	    p.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
		snprintf(label, labellen, "Unknown");
		return;
	}
	ndpi_protocol2name(n->mod, p, buf, sizeof(buf));
	snprintf(label, labellen, "%s", buf);
}

static void
release(void **state, struct sd_memcap *mc)
{
	struct flow_ndpi *s = *state;

	if (s == NULL)
		return;
	if (s->nf != NULL) {
		ndpi_free_flow(s->nf);
		sd_memcap_give(mc, SIZEOF_FLOW_STRUCT);
	}
	sd_memcap_free(mc, s, sizeof(*s));
	*state = NULL;
}

static void
settle(struct sd_ndpi *n, void **state, char *label, size_t labellen, struct sd_memcap *mc)
{
	struct flow_ndpi *s = *state;
	u_int8_t guessed = 0;

	if (!s->done && s->nf != NULL)
		s->proto = ndpi_detection_giveup(n->mod, s->nf, 1, &guessed);
	s->done = true;
	set_label(n, label, labellen, s->proto);
	release(state, mc);
}

static void
hook_packet(void *ctx, void **state, char *label, size_t labellen, struct sd_memcap *mc,
    const uint8_t *l3, size_t len, uint64_t ts_us)
{
	struct sd_ndpi *n = ctx;
	struct flow_ndpi *s;

	if (n == NULL || label[0] != '\0')
		return;
	if (*state == NULL) {
		if (!sd_memcap_take(mc, sizeof(*s) + SIZEOF_FLOW_STRUCT)) {
			snprintf(label, labellen, "Unknown");
			return;
		}
		s = calloc(1, sizeof(*s));
		if (s != NULL)
			s->nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (s == NULL || s->nf == NULL) {
			free(s);
			sd_memcap_give(mc, sizeof(*s) + SIZEOF_FLOW_STRUCT);
			snprintf(label, labellen, "Unknown");
			return;
		}
		memset(s->nf, 0, SIZEOF_FLOW_STRUCT);
		*state = s;
	}
	s = *state;
	if (len > 65535)
		len = 65535;	/* TSO super-frames: nDPI takes a 16-bit length */
#if defined(SD_NDPI_API_42)
	s->proto = ndpi_detection_process_packet(n->mod, s->nf, l3, (unsigned short)len,
	    ts_us / 1000);
#else
	s->proto = ndpi_detection_process_packet(n->mod, s->nf, l3, (unsigned short)len,
	    ts_us / 1000, NULL);
#endif
	s->pkts++;
	/* detected is enough: the label does not need nDPI's extra dissection */
	if (ndpi_is_protocol_detected(n->mod, s->proto)) {
		s->done = true;
		settle(n, state, label, labellen, mc);
		return;
	}
	if (s->pkts >= SD_NDPI_MAX_PKTS)
		settle(n, state, label, labellen, mc);
}

static void
hook_flow_end(void *ctx, void **state, char *label, size_t labellen, struct sd_memcap *mc)
{
	struct sd_ndpi *n = ctx;

	if (n != NULL && *state != NULL)
		settle(n, state, label, labellen, mc);
	else if (label[0] == '\0')
		snprintf(label, labellen, "Unknown");
}

struct sd_classify_hook
sd_ndpi_hook(struct sd_ndpi *n)
{
	struct sd_classify_hook h = { hook_packet, hook_flow_end, n };

	return h;
}
