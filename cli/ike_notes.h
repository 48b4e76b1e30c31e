/* cli/ike_notes.h - what an IKE SA's messages say in clear before its ike.sa record: the
 * transforms offered and chosen in the first exchange and the first error notify of a
 * response, for the outputs that describe SAs (--sessions, --report). */
#ifndef SD_CLI_IKE_NOTES_H
#define SD_CLI_IKE_NOTES_H

#include <stdbool.h>
#include <stdint.h>

#include "dissect/event.h"

#define SD_IKE_NOTE_OFFER	320

struct sd_ike_note {
	bool		 used;
	uint8_t		 version;
	uint8_t		 ispi[8];
	char		 offered[SD_IKE_NOTE_OFFER], chosen[SD_IKE_NOTE_OFFER];	/* "" none */
	uint16_t	 error;		/* first error notify (< 16384) of a response, 0 none */
	uint64_t	 error_frame;
};

/* A bounded table (direct-mapped by SPI: a collision makes the older SA go without). */
struct sd_ike_notes;
struct sd_ike_notes	*sd_ike_notes_new(void);
void			 sd_ike_notes_free(struct sd_ike_notes *);
/* Feed every event: ike and ike.exchange are read, the rest ignored. */
void			 sd_ike_notes_event(struct sd_ike_notes *, const struct sd_event *);
/* The notes of an SA (NULL: nothing in clear), and forgetting them once it is written. */
struct sd_ike_note	*sd_ike_notes_get(struct sd_ike_notes *, uint8_t version,
			    const uint8_t ispi[8]);
void			 sd_ike_notes_done(struct sd_ike_note *);
/* The error notify's name, or its number in num[8]; NULL when none. */
const char		*sd_ike_note_error(const struct sd_ike_note *, char num[8]);

#endif /* SD_CLI_IKE_NOTES_H */
