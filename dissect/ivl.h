/* dissect/ivl.h - byte intervals held for reassembly: one merge for IP defragmentation and
 * TCP out-of-order segments (first copy wins, overlaps compared). */
#ifndef SD_DISSECT_IVL_H
#define SD_DISSECT_IVL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes [off, off + len) of a datagram or stream; a list is sorted and never overlaps. */
struct sd_ivl {
	struct sd_ivl	*next;
	uint64_t	 off;
	size_t		 len;
	uint8_t		 data[];
};

/*
 * Allocate a piece with room for n data bytes (the owner applies its caps and memcap);
 * NULL refuses.  The merge fills next, off, len and data.
 */
typedef struct sd_ivl	*sd_ivl_new_fn(void *ctx, size_t n);

/* sd_ivl_merge() outcome bits */
#define SD_IVL_NEW	0x01	/* brought bytes no piece had */
#define SD_IVL_OVERLAP	0x02	/* met bytes held before */
#define SD_IVL_DIFF	0x04	/* ... and they differ from the first copy */
#define SD_IVL_NOMEM	0x08	/* a part was refused (the parts before it stay) */

/*
 * Merge [off, off + n) into the sorted list *head (whose last piece is *last): the parts
 * no piece covers become new pieces, the covered parts keep the first copy and are
 * compared.  Appending after the last piece costs O(1) (in-order arrival, the usual
 * case).  *added (may be NULL) gets the number of new bytes held.
 */
unsigned	sd_ivl_merge(struct sd_ivl **head, struct sd_ivl **last, uint64_t off,
		    const uint8_t *p, size_t n, sd_ivl_new_fn *alloc, void *ctx,
		    uint64_t *added);

#endif /* SD_DISSECT_IVL_H */
