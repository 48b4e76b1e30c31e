/* dissect/defrag.c - IPv4 and IPv6 fragment reassembly with limits (RFC 791, 8200, 6946). */
#include "dissect/defrag.h"

#include "dissect/ivl.h"

#include <stdlib.h>
#include <string.h>

/*
 * Choices the header leaves open:
 * - Overlaps keep the first copy, in IPv6 too (RFC 5722 says drop the datagram; a
 *   troubleshooting tool would rather show it and count the overlap).  A fragment wholly
 *   covered by identical bytes is a duplicate (st.duplicates), not an overlap.
 * - A fragment cut by the snaplen (SD_IP_F_CAPLEN_CUT) is refused with SD_TRUNCATED.
 * - Datagrams evicted for room, given up past max_frags or found stale are counted in
 *   st.timed_out; refused fragments in st.dropped.
 * - Datagrams sit in one list in creation order, so eviction is oldest-first and expiry
 *   costs O(expired); the bucket array is allocated with the first fragment.
 * - The memcap is charged for the table, the buckets, every datagram and piece, and the
 *   output buffer (kept for reuse, at most max_size).
 */

#define DEFRAG_DEFAULT_DATAGRAMS	4096u
#define DEFRAG_DEFAULT_FRAGS		64u
#define DEFRAG_DEFAULT_SIZE_V4		65535u
#define DEFRAG_DEFAULT_SIZE_V6		(65535u + 8u)
#define DEFRAG_DEFAULT_TIMEOUT_US	(30u * 1000000ull)
#define DEFRAG_NO_TOTAL			UINT32_MAX

/*
 * A datagram in reassembly.  Key: RFC 791 (src, dst, proto, id) for IPv4; RFC 8200
 * (src, dst, identification) for IPv6, whose fragment header's next header need not match
 * what the parser reports as the upper-layer protocol of fragment 0.
 */
struct dgram {
	struct dgram	*hnext;			/* hash chain */
	struct dgram	*older, *newer;		/* creation order, oldest first */
	uint8_t		 version, proto;
	uint8_t		 src[16], dst[16];
	uint32_t	 ident;
	uint32_t	 hash;
	uint64_t	 first_us;
	uint64_t	 first_frame;		/* frame of the offset-0 fragment */
	bool		 have_first;
	uint32_t	 total;			/* end of the MF-clear fragment, or NO_TOTAL */
	uint32_t	 covered;		/* bytes held (pieces don't overlap) */
	uint32_t	 max_end;		/* end of the last piece */
	uint32_t	 nfrags;		/* fragments that brought new bytes */
	struct sd_ivl	*pieces;		/* received bytes, sorted, never overlapping */
	struct sd_ivl	*last;			/* in-order fragments append here */
};

struct sd_defrag {
	struct sd_defrag_limits	 lim;
	bool			 size_set;	/* max_size given: same for v4 and v6 */
	struct sd_memcap	*mc;
	struct dgram		**bucket;	/* allocated with the first fragment */
	uint32_t		 nbucket;	/* power of two */
	uint32_t		 ndgram;
	struct dgram		*oldest, *newest;
	uint8_t			*out;		/* the last completed datagram */
	size_t			 out_cap;
	struct sd_defrag_stats	 st;
};

struct sd_defrag *
sd_defrag_new(const struct sd_defrag_limits *lim, struct sd_memcap *mc)
{
	struct sd_defrag *t;

	if ((t = sd_memcap_calloc(mc, sizeof(*t))) == NULL)
		return NULL;
	if (lim != NULL)
		t->lim = *lim;
	if (t->lim.max_datagrams == 0)
		t->lim.max_datagrams = DEFRAG_DEFAULT_DATAGRAMS;
	if (t->lim.max_frags == 0)
		t->lim.max_frags = DEFRAG_DEFAULT_FRAGS;
	t->size_set = t->lim.max_size != 0;
	if (t->lim.timeout_us == 0)
		t->lim.timeout_us = DEFRAG_DEFAULT_TIMEOUT_US;
	t->mc = mc;
	return t;
}

static void
free_dgram(struct sd_defrag *t, struct dgram *d)
{
	struct dgram **pp;
	struct sd_ivl *p;

	for (pp = &t->bucket[d->hash & (t->nbucket - 1)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == d) {
			*pp = d->hnext;
			break;
		}
	if (d->older != NULL)
		d->older->newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer != NULL)
		d->newer->older = d->older;
	else
		t->newest = d->older;
	while ((p = d->pieces) != NULL) {
		d->pieces = p->next;
		sd_memcap_free(t->mc, p, sizeof(*p) + p->len);
	}
	sd_memcap_give(t->mc, sizeof(*d));
	free(d);
	t->ndgram--;
}

void
sd_defrag_free(struct sd_defrag *t)
{
	if (t == NULL)
		return;
	while (t->oldest != NULL)
		free_dgram(t, t->oldest);
	if (t->bucket != NULL) {
		free(t->bucket);
		sd_memcap_give(t->mc, (size_t)t->nbucket * sizeof(*t->bucket));
	}
	free(t->out);
	sd_memcap_give(t->mc, t->out_cap);
	sd_memcap_give(t->mc, sizeof(*t));
	free(t);
}

const struct sd_defrag_stats *
sd_defrag_stats(const struct sd_defrag *t)
{
	return &t->st;
}

static bool
expired(const struct sd_defrag *t, const struct dgram *d, uint64_t now_us)
{
	return now_us > d->first_us && now_us - d->first_us >= t->lim.timeout_us;
}

void
sd_defrag_expire(struct sd_defrag *t, uint64_t now_us)
{
	/* Creation order is time order (give or take capture reordering): stop at the
	 * first datagram still in time, so this costs O(expired). */
	while (t->oldest != NULL && expired(t, t->oldest, now_us)) {
		t->st.timed_out++;
		free_dgram(t, t->oldest);
	}
}

static uint32_t
ident_of(const struct sd_ip *ip)
{
	return ip->version == 4 ? ip->id : ip->frag_ident;
}

/* FNV-1a over the key, then a murmur finaliser to spread it over the low bits. */
static uint32_t
hash_key(const struct sd_ip *ip)
{
	uint32_t h = 2166136261u, id = ident_of(ip);
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ ip->src.a[i]) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ ip->dst.a[i]) * 16777619u;
	h = (h ^ ip->version) * 16777619u;
	if (ip->version == 4)
		h = (h ^ ip->proto) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(id >> (8 * i))) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static bool
same_key(const struct dgram *d, const struct sd_ip *ip)
{
	return d->version == ip->version && d->ident == ident_of(ip) &&
	    (ip->version != 4 || d->proto == ip->proto) &&
	    memcmp(d->src, ip->src.a, 16) == 0 && memcmp(d->dst, ip->dst.a, 16) == 0;
}

static bool
alloc_buckets(struct sd_defrag *t)
{
	uint32_t n = 16;
	size_t sz;

	while (n < t->lim.max_datagrams && n < (1u << 24))
		n <<= 1;
	sz = (size_t)n * sizeof(*t->bucket);
	if (!sd_memcap_take(t->mc, sz))
		return false;
	t->bucket = calloc(n, sizeof(*t->bucket));
	if (t->bucket == NULL) {
		sd_memcap_give(t->mc, sz);
		return false;
	}
	t->nbucket = n;
	return true;
}

static struct dgram *
lookup(struct sd_defrag *t, const struct sd_ip *ip, uint32_t h)
{
	struct dgram *d;

	for (d = t->bucket[h & (t->nbucket - 1)]; d != NULL; d = d->hnext)
		if (d->hash == h && same_key(d, ip))
			return d;
	return NULL;
}

static struct dgram *
create(struct sd_defrag *t, const struct sd_ip *ip, uint32_t h, uint64_t now_us)
{
	struct dgram *d, **b;

	if (t->ndgram >= t->lim.max_datagrams && t->oldest != NULL) {
		t->st.timed_out++;		/* evicted incomplete, oldest first */
		free_dgram(t, t->oldest);
	}
	if ((d = sd_memcap_calloc(t->mc, sizeof(*d))) == NULL)
		return NULL;
	d->version = ip->version;
	d->proto = ip->proto;
	memcpy(d->src, ip->src.a, 16);
	memcpy(d->dst, ip->dst.a, 16);
	d->ident = ident_of(ip);
	d->hash = h;
	d->first_us = now_us;
	d->total = DEFRAG_NO_TOTAL;
	b = &t->bucket[h & (t->nbucket - 1)];
	d->hnext = *b;
	*b = d;
	d->older = t->newest;
	if (t->newest != NULL)
		t->newest->newer = d;
	else
		t->oldest = d;
	t->newest = d;
	t->ndgram++;
	return d;
}

static struct sd_ivl *
new_piece(void *ctx, size_t len)
{
	struct sd_defrag *t = ctx;

	return sd_memcap_malloc(t->mc, sizeof(struct sd_ivl) + len);
}

/*
 * Merge [off, off + len) into the datagram's pieces (dissect/ivl.c): the uncovered parts
 * become new pieces, covered parts keep the first copy and are compared.
 */
static unsigned
merge(struct sd_defrag *t, struct dgram *d, uint32_t off, const uint8_t *p, uint32_t len)
{
	uint64_t added;
	unsigned r;

	r = sd_ivl_merge(&d->pieces, &d->last, off, p, len, new_piece, t, &added);
	d->covered += (uint32_t)added;
	if (d->last != NULL)
		d->max_end = (uint32_t)(d->last->off + d->last->len);
	return r;
}

/* Copy the complete datagram into the table's output buffer. */
static bool
assemble(struct sd_defrag *t, const struct dgram *d, struct sd_rd *out)
{
	const struct sd_ivl *g;
	uint8_t *nb;

	if (t->out_cap < d->total) {
		if (!sd_memcap_take(t->mc, d->total - t->out_cap))
			return false;
		nb = realloc(t->out, d->total);
		if (nb == NULL) {
			sd_memcap_give(t->mc, d->total - t->out_cap);
			return false;
		}
		t->out = nb;
		t->out_cap = d->total;
	}
	for (g = d->pieces; g != NULL; g = g->next)
		memcpy(t->out + g->off, g->data, g->len);
	*out = sd_rd_make(t->out, d->total);
	return true;
}

static enum sd_rc
refuse(struct sd_defrag *t, enum sd_rc rc)
{
	t->st.dropped++;
	return rc;
}

enum sd_rc
sd_defrag_add(struct sd_defrag *t, const struct sd_ip *ip, uint64_t now_us, uint64_t frame,
    struct sd_rd *out, uint64_t *first_frame, uint32_t *nfrags)
{
	size_t n = sd_rd_left(&ip->payload);
	uint32_t max_size, len, off = ip->frag_offset, h;
	struct dgram *d;
	unsigned r;
	bool created = false;

	*out = sd_rd_make(NULL, 0);
	*first_frame = 0;
	*nfrags = 0;
	t->st.fragments++;
	if (ip->version != 4 && ip->version != 6)
		return refuse(t, SD_MALFORMED);
	if (!ip->fragment || (off == 0 && !ip->more_frags)) {
		/* Atomic fragment (RFC 6946): complete by itself, never mixed with a
		 * reassembly under way with the same identification. */
		t->st.reassembled++;
		*out = ip->payload;
		*first_frame = frame;
		*nfrags = 1;
		return SD_OK;
	}
	if (ip->flags & SD_IP_F_CAPLEN_CUT)
		return refuse(t, SD_TRUNCATED);	/* the snaplen cut it: its bytes are unknown */
	max_size = t->size_set ? t->lim.max_size :
	    ip->version == 4 ? DEFRAG_DEFAULT_SIZE_V4 : DEFRAG_DEFAULT_SIZE_V6;
	/* RFC 8200 §4.5 (and RFC 791): non-last fragments carry multiples of 8 bytes */
	if (n > max_size || off > max_size - n || (ip->more_frags && (n == 0 || n % 8 != 0)))
		return refuse(t, SD_MALFORMED);
	len = (uint32_t)n;
	if (t->bucket == NULL && !alloc_buckets(t))
		return refuse(t, SD_ENOMEM);
	h = hash_key(ip);
	d = lookup(t, ip, h);
	if (d != NULL && expired(t, d, now_us)) {
		t->st.timed_out++;		/* stale: this fragment starts a new one */
		free_dgram(t, d);
		d = NULL;
	}
	if (d == NULL) {
		if ((d = create(t, ip, h, now_us)) == NULL)
			return refuse(t, SD_ENOMEM);
		created = true;
	}
	/* A last fragment must agree with what is known of the end. */
	if (!ip->more_frags) {
		if ((d->total != DEFRAG_NO_TOTAL && d->total != off + len) ||
		    (d->pieces != NULL && d->total == DEFRAG_NO_TOTAL &&
		    d->max_end > off + len))
			goto malformed;
	} else if (d->total != DEFRAG_NO_TOTAL && off + len > d->total) {
		goto malformed;
	}
	if (d->nfrags >= t->lim.max_frags) {
		/* too many pieces (tiny-fragment flood): give the datagram up */
		t->st.timed_out++;
		free_dgram(t, d);
		return refuse(t, SD_ENOMEM);
	}
	r = len > 0 ? merge(t, d, off, ip->payload.p, len) : 0;
	if (r & SD_IVL_NOMEM) {
		if (created && d->pieces == NULL)
			free_dgram(t, d);
		return refuse(t, SD_ENOMEM);
	}
	if (r == SD_IVL_OVERLAP)
		t->st.duplicates++;		/* same bytes again, nothing new */
	else if (r & SD_IVL_OVERLAP)
		t->st.overlaps++;
	if ((r & SD_IVL_NEW) || len == 0)
		d->nfrags++;
	if (!ip->more_frags)
		d->total = off + len;
	if (off == 0 && !d->have_first) {
		d->have_first = true;
		d->first_frame = frame;
		d->proto = ip->proto;
	}
	if (!d->have_first || d->total == DEFRAG_NO_TOTAL || d->covered != d->total)
		return SD_NEED_MORE;
	if (!assemble(t, d, out)) {
		free_dgram(t, d);
		return refuse(t, SD_ENOMEM);
	}
	*first_frame = d->first_frame;
	*nfrags = d->nfrags;
	t->st.reassembled++;
	free_dgram(t, d);
	return SD_OK;

malformed:
	if (created)
		free_dgram(t, d);
	return refuse(t, SD_MALFORMED);
}
