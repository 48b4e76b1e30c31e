/* cli/ike_notes.c - the offer, the choice and the error of IKE SAs, by initiator SPI. */
#include "cli/ike_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ike_text.h"
#include "dissect/ike.h"
#include "dissect/ike_names.h"
#include "engine/ipsec_types.h"

#define SLOTS	1024	/* SAs followed at once */

struct sd_ike_notes {
	struct sd_ike_note	 v[SLOTS];
};

struct sd_ike_notes *
sd_ike_notes_new(void)
{
	return calloc(1, sizeof(struct sd_ike_notes));
}

void
sd_ike_notes_free(struct sd_ike_notes *t)
{
	free(t);
}

static struct sd_ike_note *
slot(struct sd_ike_notes *t, uint8_t version, const uint8_t ispi[8], bool create)
{
	uint64_t h = 1469598103934665603ull;
	struct sd_ike_note *e;
	int i;

	for (i = 0; i < 8; i++)
		h = (h ^ ispi[i]) * 1099511628211ull;
	e = &t->v[(h ^ version) % SLOTS];
	if (e->used && e->version == version && memcmp(e->ispi, ispi, 8) == 0)
		return e;
	if (!create)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->version = version;
	memcpy(e->ispi, ispi, 8);
	return e;
}

struct sd_ike_note *
sd_ike_notes_get(struct sd_ike_notes *t, uint8_t version, const uint8_t ispi[8])
{
	return t != NULL ? slot(t, version, ispi, false) : NULL;
}

void
sd_ike_notes_done(struct sd_ike_note *e)
{
	if (e != NULL)
		e->used = false;
}

const char *
sd_ike_note_error(const struct sd_ike_note *e, char num[8])
{
	const char *n;

	if (e == NULL || e->error == 0)
		return NULL;
	if ((n = sd_ike_notify_name(e->version, e->error)) != NULL)
		return n;
	snprintf(num, 8, "%u", e->error);
	return num;
}

static bool
first_exchange(uint8_t version, uint8_t exchange)
{
	return version == 2 ? exchange == SD_IKE_X_SA_INIT :
	    (exchange == SD_IKE_X_V1_MAIN || exchange == SD_IKE_X_V1_AGGRESSIVE);
}

void
sd_ike_notes_event(struct sd_ike_notes *t, const struct sd_event *ev)
{
	const struct sd_ike_msg *m;
	const struct sd_ike_exchange *x;
	struct sd_ike_note *e;
	bool request;

	if (t == NULL)
		return;
	if (ev->type == SD_EV_IKE && (m = ev->u.msg.ike) != NULL) {
		if (!m->header_ok || !first_exchange(m->version, m->exchange) ||
		    m->ntransforms == 0 || (e = slot(t, m->version, m->ispi, true)) == NULL)
			return;
		request = m->version == 2 ? !m->response : m->initiator;
		if (request && e->offered[0] == '\0')
			sd_ike_offer_text(m, e->offered, sizeof(e->offered));
		else if (!request && e->chosen[0] == '\0')
			sd_ike_offer_text(m, e->chosen, sizeof(e->chosen));
	} else if (ev->type == SD_EV_IKE_EXCHANGE && (x = ev->u.msg.exchange) != NULL) {
		if (x->error == 0 || (e = slot(t, x->version, x->ispi, true)) == NULL ||
		    e->error != 0)
			return;
		e->error = x->error;
		e->error_frame = x->response_frame != 0 ? x->response_frame : ev->frame;
	}
}
