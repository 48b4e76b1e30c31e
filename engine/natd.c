/* engine/natd.c - IKE NAT detection hashes recomputed from the addresses seen (RFC 7296 §2.23,
 * RFC 3947 §3.2): which side of an IKE SA is behind a NAT. */
#include "engine/natd.h"

#include <string.h>

size_t
sd_natd_hash(const struct sd_digest_hook *hk, const char *digest, const uint8_t ispi[8],
    const uint8_t rspi[8], const struct sd_addr *ip, uint16_t port, uint8_t *out,
    size_t outlen)
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t n, alen = ip->v == 6 ? 16 : 4;

	if (hk == NULL || hk->digest == NULL)
		return 0;
	memcpy(buf, ispi, 8);
	memcpy(buf + 8, rspi, 8);
	n = 16;
	/* sd_addr keeps IPv4 in its first four bytes */
	memcpy(buf + n, ip->a, alen);
	n += alen;
	buf[n++] = (uint8_t)(port >> 8);
	buf[n++] = (uint8_t)port;
	return hk->digest(hk->ctx, digest, buf, n, out, outlen);
}

/* Merge one NAT verdict: any mismatch says "behind NAT", a match only fills unknown. */
static void
nat_merge(int8_t *v, bool match)
{
	if (!match)
		*v = 1;
	else if (*v < 0)
		*v = 0;
}

static void
nat_note(struct sd_ike_nat *n, bool sender_is_init, bool src_checked, bool src_ok,
    bool dst_checked, bool dst_ok, const char *hash, bool assumed)
{
	if (!src_checked && !dst_checked)
		return;
	if (!n->checked) {
		n->initiator_behind_nat = -1;
		n->responder_behind_nat = -1;
	}
	n->checked = true;
	n->hash = hash;
	n->hash_assumed = n->hash_assumed || assumed;
	/* a sender whose own address hash fails is behind a NAT as seen from here */
	if (src_checked)
		nat_merge(sender_is_init ? &n->initiator_behind_nat : &n->responder_behind_nat,
		    src_ok);
	if (dst_checked)
		nat_merge(sender_is_init ? &n->responder_behind_nat : &n->initiator_behind_nat,
		    dst_ok);
}

static bool
hash_matches(const struct sd_digest_hook *hk, const char *digest, const uint8_t ispi[8], const uint8_t rspi[8],
    const struct sd_addr *ip, uint16_t port, struct sd_rd got)
{
	uint8_t h[64];
	size_t n = sd_natd_hash(hk, digest, ispi, rspi, ip, port, h, sizeof(h));

	return n != 0 && sd_rd_left(&got) == n && memcmp(h, got.p, n) == 0;
}

static const char *
v1_digest(uint16_t hash_alg, size_t len, bool *assumed)
{
	*assumed = false;
	switch (hash_alg) {
	case 1: return "md5";
	case 2: return "sha1";
	case 4: return "sha256";
	case 5: return "sha384";
	case 6: return "sha512";
	default: break;
	}
	*assumed = true;
	switch (len) {
	case 16: return "md5";
	case 20: return "sha1";
	case 32: return "sha256";
	case 48: return "sha384";
	case 64: return "sha512";
	default: return NULL;
	}
}

void
sd_natd_check(const struct sd_digest_hook *hk, uint16_t v1_hash, const struct sd_ike_msg *m,
    const struct sd_event *ev, bool sender_is_init, struct sd_ike_nat *sa_nat,
    struct sd_ike_nat *xn)
{
	bool sc = false, so = false, dc = false, dok = false, assumed = false;
	const char *dg = "sha1";
	size_t i;

	if (hk == NULL || hk->digest == NULL)
		return;
	if (m->version == 2) {
		for (i = 0; i < m->nnotify; i++) {
			const struct sd_ike_notify *n = &m->notify[i];

			if (n->type == SD_IKE_N_NAT_DETECTION_SOURCE_IP) {
				sc = true;
				so = so || hash_matches(hk, dg, m->ispi, m->rspi, &ev->src, ev->sport,
				    n->data);
			} else if (n->type == SD_IKE_N_NAT_DETECTION_DESTINATION_IP) {
				dc = true;
				dok = dok || hash_matches(hk, dg, m->ispi, m->rspi, &ev->dst,
				    ev->dport, n->data);
			}
		}
	} else {
		for (i = 0; i < m->nv1_natd; i++) {
			dg = v1_digest(v1_hash, sd_rd_left(&m->v1_natd[i]), &assumed);
			if (dg == NULL)
				return;
			if (i == 0) {	/* RFC 3947 §3.2: the first is the remote end */
				dc = true;
				dok = hash_matches(hk, dg, m->ispi, m->rspi, &ev->dst, ev->dport,
				    m->v1_natd[i]);
			} else {
				sc = true;
				so = so || hash_matches(hk, dg, m->ispi, m->rspi, &ev->src,
				    ev->sport, m->v1_natd[i]);
			}
		}
	}
	nat_note(sa_nat, sender_is_init, sc, so, dc, dok, dg, assumed);
	if (xn != NULL)
		nat_note(xn, sender_is_init, sc, so, dc, dok, dg, assumed);
}

