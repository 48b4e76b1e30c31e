/* dissect/ivl.c - merge byte intervals into a sorted list (defrag.c and stream.c). */
#include "dissect/ivl.h"

#include <string.h>

unsigned
sd_ivl_merge(struct sd_ivl **head, struct sd_ivl **last, uint64_t off, const uint8_t *p,
    size_t n, sd_ivl_new_fn *alloc, void *ctx, uint64_t *added)
{
	struct sd_ivl **pp = head, *g, *ng;
	uint64_t cur = off, end = off + n, hi, gend;
	unsigned r = 0;

	if (added != NULL)
		*added = 0;
	/* after the last piece: append without a walk */
	if (*last != NULL && off >= (*last)->off + (*last)->len)
		pp = &(*last)->next;
	while (cur < end) {
		g = *pp;
		if (g != NULL && g->off + g->len <= cur) {
			pp = &g->next;
			continue;
		}
		if (g == NULL || g->off > cur) {
			hi = g == NULL || g->off > end ? end : g->off;
			ng = alloc(ctx, (size_t)(hi - cur));
			if (ng == NULL)
				return r | SD_IVL_NOMEM;
			ng->off = cur;
			ng->len = (size_t)(hi - cur);
			memcpy(ng->data, p + (cur - off), ng->len);
			ng->next = g;
			*pp = ng;
			pp = &ng->next;
			if (g == NULL)
				*last = ng;
			if (added != NULL)
				*added += hi - cur;
			r |= SD_IVL_NEW;
			cur = hi;
			continue;
		}
		/* g covers cur */
		gend = g->off + g->len;
		hi = gend < end ? gend : end;
		r |= SD_IVL_OVERLAP;
		if (memcmp(g->data + (cur - g->off), p + (cur - off), (size_t)(hi - cur)) != 0)
			r |= SD_IVL_DIFF;
		cur = hi;
		pp = &g->next;
	}
	return r;
}
