/* dissect/fingerprint.c - JA3/JA3S (Salesforce) and JA4 (FoxIO) hello fingerprints. */
#include "dissect/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"

/*
 * JA3 text goes either into an MD5 context or into a caller's buffer (for tests and
 * debugging), so the fingerprint never needs a buffer sized by the peer.
 */
struct ja_out {
	struct sd_md5	*md5;
	char		*buf;
	size_t		 size, len;	/* len counts what would have been written */
	char		 pend[256];	/* bytes on their way to md5, hashed in blocks */
	size_t		 npend;
};

static void
out_flush(struct ja_out *o)
{
	if (o->md5 != NULL && o->npend > 0)
		sd_md5_update(o->md5, o->pend, o->npend);
	o->npend = 0;
}

static void
out_str(struct ja_out *o, const char *s, size_t n)
{
	size_t room;

	if (o->md5 != NULL) {
		if (o->npend + n > sizeof(o->pend))
			out_flush(o);
		if (n > sizeof(o->pend))
			sd_md5_update(o->md5, s, n);
		else {
			memcpy(o->pend + o->npend, s, n);
			o->npend += n;
		}
	}
	if (o->buf != NULL && o->size > 0 && o->len < o->size - 1) {
		room = o->size - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
		o->buf[o->len + (n < room ? n : room)] = '\0';
	}
	o->len += n;
}

/* v in decimal (no printf: a hello has hundreds of values) */
static void
out_uint(struct ja_out *o, unsigned v)
{
	char tmp[12];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	out_str(o, tmp + i, sizeof(tmp) - i);
}

/* A list of u16 values (width 2) or u8 (width 1), dash-joined, GREASE dropped. */
static void
out_list(struct ja_out *o, struct sd_rd list, int width, bool drop_grease)
{
	bool first = true;
	uint16_t v;
	uint8_t b;

	while (sd_rd_left(&list) > 0) {
		if (width == 2) {
			if (!sd_rd_be16(&list, &v))
				break;
		} else {
			(void)sd_rd_u8(&list, &b);
			v = b;
		}
		if (drop_grease && sd_tls_is_grease(v))
			continue;
		if (!first)
			out_str(o, "-", 1);
		out_uint(o, v);
		first = false;
	}
}

/* Extension types of a raw extension block, dash-joined, GREASE dropped. */
static void
out_ext_types(struct ja_out *o, struct sd_rd exts)
{
	struct sd_rd body;
	bool first = true;
	uint16_t type;

	while (sd_rd_left(&exts) > 0) {
		if (!sd_rd_be16(&exts, &type) || !sd_rd_vec16(&exts, &body))
			break;
		if (sd_tls_is_grease(type))
			continue;
		if (!first)
			out_str(o, "-", 1);
		out_uint(o, type);
		first = false;
	}
}

/* JA3 = SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats. */
static void
ja3_write(const struct sd_tls_client_hello *ch, struct ja_out *o)
{
	out_uint(o, ch->legacy_version);
	out_str(o, ",", 1);
	out_list(o, ch->ciphers, 2, true);
	out_str(o, ",", 1);
	out_ext_types(o, ch->extensions);
	out_str(o, ",", 1);
	out_list(o, ch->groups, 2, true);
	out_str(o, ",", 1);
	out_list(o, ch->point_formats, 1, false);
}

size_t
sd_tls_ja3_string(const struct sd_tls_client_hello *ch, char *buf, size_t size)
{
	struct ja_out o = { .buf = buf, .size = size };

	if (buf != NULL && size > 0)
		buf[0] = '\0';
	ja3_write(ch, &o);
	return o.len;
}

void
sd_tls_ja3(const struct sd_tls_client_hello *ch, char out[33])
{
	struct sd_md5 m;
	struct ja_out o = { .md5 = &m };
	uint8_t d[16];

	out[0] = '\0';
	if (ch->cipher_width != 2)
		return;		/* SSLv2 hellos have no JA3 */
	sd_md5_init(&m);
	ja3_write(ch, &o);
	out_flush(&o);
	sd_md5_final(&m, d);
	sd_hash_hex(d, sizeof(d), out);
}

/* JA3S = SSLVersion,Cipher,SSLExtension. */
void
sd_tls_ja3s(const struct sd_tls_server_hello *sh, char out[33])
{
	struct sd_md5 m;
	struct ja_out o = { .md5 = &m };
	uint8_t d[16];

	sd_md5_init(&m);
	out_uint(&o, sh->legacy_version);
	out_str(&o, ",", 1);
	out_uint(&o, sh->cipher);
	out_str(&o, ",", 1);
	out_ext_types(&o, sh->extensions);
	out_flush(&o);
	sd_md5_final(&m, d);
	sd_hash_hex(d, sizeof(d), out);
}

/* --- JA4 --- */

static int
cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

/*
 * JA4's two version characters (technical_details/JA4.md, "TLS and DTLS Version").  The
 * table is JA4.md's, with 0x0200 ("s2") and 0x0100 ("s1") from FoxIO's Python and Rust
 * implementations, which fingerprint TLS over TCP only.  In a DTLS hello 0x0100 is not
 * SSL 1.0 but OpenSSL's pre-standard DTLS1_BAD_VER; JA4.md lists no code for it, and
 * FoxIO's Wireshark plugin, the one reference that writes DTLS fingerprints, maps it to
 * "00" ("Unknown"): so do we (docs/design-notes.md, "JA4 of DTLS").
 */
static const char *
ja4_version(uint16_t v, bool dtls)
{
	if (dtls && v == 0x0100)
		return "00";
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002:
	case 0x0200: return "s2";
	case 0x0100: return "s1";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

/* Hash "xxxx,xxxx,..." of vals[0..n) (already ordered) into 12 hex chars + NUL; with sep
 * and tail, append "_" and the tail list. */
static void
hash12(const uint16_t *vals, size_t n, const uint16_t *tail, size_t ntail, bool with_tail,
    char out[13])
{
	static const char hexd[] = "0123456789abcdef";
	struct sd_sha256 s;
	char buf[256];		/* items of 5 bytes (and the '_'), hashed in blocks */
	uint8_t d[32];
	char hex[65];
	size_t i, k = 0, m, part;
	const uint16_t *v;

	sd_sha256_init(&s);
	for (part = 0; part < (with_tail ? 2u : 1u); part++) {
		v = part == 0 ? vals : tail;
		m = part == 0 ? n : ntail;
		if (part == 1)
			buf[k++] = '_';
		for (i = 0; i < m; i++) {
			if (k + 5 > sizeof(buf) - 1) {
				sd_sha256_update(&s, buf, k);
				k = 0;
			}
			if (i > 0)
				buf[k++] = ',';
			buf[k++] = hexd[v[i] >> 12 & 0xf];
			buf[k++] = hexd[v[i] >> 8 & 0xf];
			buf[k++] = hexd[v[i] >> 4 & 0xf];
			buf[k++] = hexd[v[i] & 0xf];
		}
	}
	sd_sha256_update(&s, buf, k);
	sd_sha256_final(&s, d);
	sd_hash_hex(d, sizeof(d), hex);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

/* The u16 values of a raw list (GREASE dropped) into a new array; *n its length. */
static uint16_t *
collect_u16(struct sd_rd list, size_t *n)
{
	uint16_t *a, v;

	*n = 0;
	if ((a = malloc(sd_rd_left(&list) / 2 * sizeof(*a) + sizeof(*a))) == NULL)
		return NULL;
	while (sd_rd_be16(&list, &v))
		if (!sd_tls_is_grease(v))
			a[(*n)++] = v;
	return a;
}

/*
 * JA4 (FoxIO technical_details/JA4.md): the scratch arrays are bounded by the hello, itself
 * bounded by SD_TLS_MAX_HS_MSG, and freed before return.
 */
void
sd_tls_ja4(const struct sd_tls_client_hello *ch, char out[40])
{
	uint16_t *ciphers = NULL, *exts = NULL, *sigs = NULL, *vers = NULL, type, best = 0;
	size_t nc, ns, nv, ne = 0, next_all = 0, i;
	struct sd_rd e = ch->extensions, body, alpn = ch->alpn, first;
	char a_alpn[3] = "00", hc[13], he[13];
	bool has_sni = false;

	out[0] = '\0';
	if (ch->cipher_width != 2)
		return;
	ciphers = collect_u16(ch->ciphers, &nc);
	sigs = collect_u16(ch->sig_algs, &ns);
	vers = collect_u16(ch->supported_versions, &nv);
	exts = malloc(sd_rd_left(&e) / 4 * sizeof(*exts) + sizeof(*exts));
	if (ciphers == NULL || sigs == NULL || vers == NULL || exts == NULL)
		goto out;
	while (sd_rd_be16(&e, &type) && sd_rd_vec16(&e, &body)) {
		if (sd_tls_is_grease(type))
			continue;
		next_all++;
		if (type == SD_TLS_EXT_SERVER_NAME)
			has_sni = true;
		if (type != SD_TLS_EXT_SERVER_NAME && type != SD_TLS_EXT_ALPN)
			exts[ne++] = type;
	}
	if (ch->has_supported_versions && nv > 0) {
		for (i = 0; i < nv; i++)
			if (vers[i] > best)
				best = vers[i];
	} else
		best = ch->legacy_version;
	/*
	 * First ALPN value: its first and last characters.  JA4.md's prose asks for hex
	 * digits when they are not alphanumeric, but FoxIO's Python and Rust implementations
	 * write '9' for a non-ASCII byte and keep ASCII as is, and FoxIO's own vector
	 * (pcap/tls-non-ascii-alpn.pcapng, ALPN 0xba 0xad -> "99") follows them: so do we.
	 */
	if (sd_rd_vec8(&alpn, &first) && first.len > 0) {
		uint8_t c0 = first.p[0], c1 = first.p[first.len - 1];

		a_alpn[0] = c0 < 0x80 ? (char)c0 : '9';
		a_alpn[1] = c1 < 0x80 ? (char)c1 : '9';
	}
	qsort(ciphers, nc, sizeof(*ciphers), cmp_u16);
	qsort(exts, ne, sizeof(*exts), cmp_u16);
	if (nc == 0)
		memcpy(hc, "000000000000", 13);
	else
		hash12(ciphers, nc, NULL, 0, false, hc);
	if (ne == 0 && ns == 0)
		memcpy(he, "000000000000", 13);
	else
		hash12(exts, ne, sigs, ns, ns > 0, he);
	(void)snprintf(out, 40, "%c%s%c%02zu%02zu%s_%s_%s", ch->dtls ? 'd' : 't',
	    ja4_version(best, ch->dtls), has_sni ? 'd' : 'i', nc > 99 ? (size_t)99 : nc,
	    next_all > 99 ? (size_t)99 : next_all, a_alpn, hc, he);
out:
	free(ciphers);
	free(sigs);
	free(vers);
	free(exts);
}

void
sd_tls_hello_fingerprints(const struct sd_tls_client_hello *ch, char ja3[33], char ja4[40])
{
	ja3[0] = ja4[0] = '\0';
	if (ch->parsed != SD_TLS_P_ALL || ch->fault.what != NULL)
		return;
	sd_tls_ja3(ch, ja3);
	sd_tls_ja4(ch, ja4);
}

void
sd_tls_server_fingerprint(const struct sd_tls_server_hello *sh, char ja3s[33])
{
	ja3s[0] = '\0';
	if (sh->parsed != SD_TLS_P_ALL || sh->fault.what != NULL)
		return;
	sd_tls_ja3s(sh, ja3s);
}
