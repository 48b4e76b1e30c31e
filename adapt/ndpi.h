/* analyze/ndpi.h - nDPI adapter: application labels for flows (nDPI 4.2 and later). */
#ifndef SD_ANALYZE_NDPI_H
#define SD_ANALYZE_NDPI_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/flow.h"

struct sd_ndpi;

/* NULL when nDPI could not be initialised (the program then labels nothing). */
struct sd_ndpi	*sd_ndpi_new(void);
void		 sd_ndpi_free(struct sd_ndpi *);

/*
 * Offer an IP packet (l3 points at the IP header) of flow f to detection.  Costs nothing
 * once the flow's label is final; per-flow state is charged to mc and freed as soon as
 * detection ends (or after a packet budget).
 */
void	sd_ndpi_packet(struct sd_ndpi *, struct sd_flow *f, struct sd_memcap *mc,
	    const uint8_t *l3, size_t len, uint64_t ts_us);
/* The flow ends: settle its label (giving up with a guess) and free detection state. */
void	sd_ndpi_flow_end(struct sd_ndpi *, struct sd_flow *f, struct sd_memcap *mc);

#endif /* SD_ANALYZE_NDPI_H */
