/* dissect/event.c - per-flow storage slots and the names of TCP phases (the event type names
 * are in cli/out_events.c). */
#include "dissect/event.h"

const char *
sd_tcp_phase_name(enum sd_tcp_phase p)
{
	switch (p) {
	case SD_PHASE_SYN_SENT:
		return "syn_sent";
	case SD_PHASE_SYN_ACKED:
		return "established";
	case SD_PHASE_CLIENT_DATA:
		return "client_data";
	case SD_PHASE_DATA:
		return "data";
	case SD_PHASE_CLOSING:
		return "closing";
	case SD_PHASE_MIDSTREAM:
		return "midstream";
	}
	return "unknown";
}

int
sd_store_register(struct sd_store_reg *r, sd_slot_free_fn *fn, void *ctx)
{
	if (r->n >= SD_FLOW_SLOTS)
		return -1;
	r->s[r->n].free = fn;
	r->s[r->n].ctx = ctx;
	return (int)r->n++;
}

void
sd_store_release(const struct sd_store_reg *r, struct sd_flow_store *st)
{
	unsigned i;

	for (i = 0; i < SD_FLOW_SLOTS; i++) {
		if (st->slot[i] == NULL)
			continue;
		if (r != NULL && i < r->n && r->s[i].free != NULL)
			r->s[i].free(r->s[i].ctx, st->slot[i]);
		st->slot[i] = NULL;
	}
}
