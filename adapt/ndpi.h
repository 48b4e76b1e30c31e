/* adapt/ndpi.h - nDPI adapter: application labels for flows (nDPI 4.2 and later), as the
 * engine's classify hook. */
#ifndef SD_ADAPT_NDPI_H
#define SD_ADAPT_NDPI_H

#include "engine/hooks.h"

struct sd_ndpi;

/* NULL when nDPI could not be initialised (the program then labels nothing). */
struct sd_ndpi		*sd_ndpi_new(void);
void			 sd_ndpi_free(struct sd_ndpi *);

/*
 * The hook for struct sd_engine_hooks.classify (n borrowed; it must outlive the engine).
 * Packets cost nothing once a flow's label is final; per-flow state is charged to the
 * engine's memcap and freed as soon as detection ends (or after a packet budget).
 */
struct sd_classify_hook	 sd_ndpi_hook(struct sd_ndpi *n);

#endif /* SD_ADAPT_NDPI_H */
