/* dissect/tls_ext.c - hello extensions (RFC 8446 §4.2, RFC 6066, RFC 7301, RFC 8422). */
#include "dissect/tls.h"

/*
 * server_name (RFC 6066 §3): ServerNameList<1..2^16-1> of (name_type, HostName<1..2^16-1>).
 * Keeps the first host_name (type 0); other name types are skipped.
 */
static enum sd_rc
parse_sni(struct sd_rd ext, struct sd_tls_client_hello *ch)
{
	struct sd_rd list, name;
	uint8_t type;

	if (sd_rd_left(&ext) == 0)
		return SD_OK;	/* empty in a ServerHello / resumed session */
	if (!sd_rd_vec16(&ext, &list) || sd_rd_left(&ext) != 0)
		return SD_MALFORMED;
	while (sd_rd_left(&list) > 0) {
		if (!sd_rd_u8(&list, &type) || !sd_rd_vec16(&list, &name))
			return SD_MALFORMED;
		if (type == 0 && !ch->has_sni) {
			ch->has_sni = true;
			ch->sni = name;
		}
	}
	return SD_OK;
}

/* A u16 list with a length prefix of prefix_len (1 or 2) bytes; the body must be even. */
static enum sd_rc
parse_u16_list(struct sd_rd ext, int prefix_len, struct sd_rd *out)
{
	struct sd_rd list;
	bool ok;

	ok = prefix_len == 1 ? sd_rd_vec8(&ext, &list) : sd_rd_vec16(&ext, &list);
	if (!ok || sd_rd_left(&ext) != 0 || sd_rd_left(&list) % 2 != 0)
		return SD_MALFORMED;
	*out = list;
	return SD_OK;
}

/* ALPN (RFC 7301 §3.1): ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. */
static enum sd_rc
parse_alpn_list(struct sd_rd ext, struct sd_rd *out)
{
	struct sd_rd list, chk, name;

	if (!sd_rd_vec16(&ext, &list) || sd_rd_left(&ext) != 0)
		return SD_MALFORMED;
	chk = list;
	while (sd_rd_left(&chk) > 0)
		if (!sd_rd_vec8(&chk, &name))
			return SD_MALFORMED;
	*out = list;
	return SD_OK;
}

/* Seen-type bitmap for duplicate detection: 65536 bits would be 8 KiB on the stack; the
 * registry's low range plus a hash of the rest is enough to flag duplicates. */
static bool
mark_seen(uint64_t seen[8], uint16_t type)
{
	unsigned bit = type < 448 ? type : 448 + (type % 64);
	uint64_t m = (uint64_t)1 << (bit % 64);
	bool dup = (seen[bit / 64] & m) != 0;

	seen[bit / 64] |= m;
	return dup && bit < 448;
}

/*
 * key_share in a ClientHello (RFC 8446 §4.2.8): client_shares<0..2^16-1> of KeyShareEntry
 * (group u16, key_exchange<1..2^16-1>); the whole list must parse.
 */
static enum sd_rc
parse_key_share(struct sd_rd ext, struct sd_tls_client_hello *ch)
{
	struct sd_rd list, chk, key;
	uint16_t group;

	if (!sd_rd_vec16(&ext, &list) || sd_rd_left(&ext) != 0)
		return SD_MALFORMED;
	chk = list;
	while (sd_rd_left(&chk) > 0)
		if (!sd_rd_be16(&chk, &group) || !sd_rd_vec16(&chk, &key))
			return SD_MALFORMED;
	ch->key_shares = list;
	ch->has_key_share = true;
	return SD_OK;
}

/*
 * The next extension of a block: type and body, or false with f telling which one
 * (n, from 1) overran the block and by how much (offset within the block).
 */
static bool
next_ext(struct sd_rd *exts, size_t block_len, uint32_t n, uint16_t *type,
    struct sd_rd *body, struct sd_tls_fault *f)
{
	size_t left = sd_rd_left(exts);
	uint16_t len = 0;

	if (sd_rd_be16(exts, type) && sd_rd_be16(exts, &len) && sd_rd_sub(exts, len, body))
		return true;
	f->what = "extension_overrun";
	f->offset = (uint32_t)(block_len - left);
	f->index = n;
	f->has_ext_type = left >= 2;
	f->ext_type = left >= 2 ? *type : 0;
	f->len_cut = left < 4;
	f->declared = len;
	f->avail = left >= 4 ? (uint32_t)(left - 4) : (uint32_t)left;
	return false;
}

enum sd_rc
sd_tls_parse_ch_extensions(struct sd_tls_client_hello *ch)
{
	struct sd_rd exts = ch->extensions, body;
	uint64_t seen[8] = { 0 };
	uint32_t n = 0;
	uint16_t type;
	enum sd_rc rc;

	while (sd_rd_left(&exts) > 0) {
		if (!next_ext(&exts, ch->extensions.len, ++n, &type, &body, &ch->fault))
			return SD_MALFORMED;
		if (mark_seen(seen, type))
			ch->flags |= SD_TLS_HELLO_DUP_EXT;
		rc = SD_OK;
		switch (type) {
		case SD_TLS_EXT_SERVER_NAME:
			rc = parse_sni(body, ch);
			break;
		case SD_TLS_EXT_SUPPORTED_GROUPS:
			rc = parse_u16_list(body, 2, &ch->groups);
			break;
		case SD_TLS_EXT_EC_POINT_FORMATS:
			if (!sd_rd_vec8(&body, &ch->point_formats) || sd_rd_left(&body) != 0)
				rc = SD_MALFORMED;
			break;
		case SD_TLS_EXT_SIG_ALGS:
			rc = parse_u16_list(body, 2, &ch->sig_algs);
			break;
		case SD_TLS_EXT_ALPN:
			rc = parse_alpn_list(body, &ch->alpn);
			break;
		case SD_TLS_EXT_SUPPORTED_VERSIONS:
			rc = parse_u16_list(body, 1, &ch->supported_versions);
			ch->has_supported_versions = rc == SD_OK;
			break;
		case SD_TLS_EXT_KEY_SHARE:
			rc = parse_key_share(body, ch);
			break;
		case SD_TLS_EXT_PRE_SHARED_KEY:
			ch->psk = true;
			break;
		case SD_TLS_EXT_PSK_KEY_EXCHANGE_MODES:
			if (!sd_rd_vec8(&body, &ch->psk_modes) || sd_rd_left(&body) != 0)
				rc = SD_MALFORMED;
			break;
		case SD_TLS_EXT_EARLY_DATA:
			ch->early_data = true;
			break;
		case SD_TLS_EXT_SESSION_TICKET:
			/* RFC 5077 §3.2: empty to ask for a ticket, else the ticket */
			ch->has_session_ticket = true;
			ch->session_ticket_len = (uint16_t)sd_rd_left(&body);
			break;
		case SD_TLS_EXT_ECH:
			ch->ech = true;
			break;
		default:
			break;
		}
		/* A bad extension body is a fact about the peer; the rest still parses. */
		if (rc != SD_OK)
			ch->flags |= SD_TLS_HELLO_BAD_EXT;
	}
	return SD_OK;
}

enum sd_rc
sd_tls_parse_sh_extensions(struct sd_tls_server_hello *sh)
{
	struct sd_rd exts = sh->extensions, body, list;
	uint64_t seen[8] = { 0 };
	uint32_t n = 0;
	uint16_t type, v;

	while (sd_rd_left(&exts) > 0) {
		if (!next_ext(&exts, sh->extensions.len, ++n, &type, &body, &sh->fault))
			return SD_MALFORMED;
		if (mark_seen(seen, type))
			sh->flags |= SD_TLS_HELLO_DUP_EXT;
		if (type == SD_TLS_EXT_SUPPORTED_VERSIONS) {
			/* ServerHello: selected_version, a single u16 (RFC 8446 §4.2.1). */
			if (sd_rd_be16(&body, &v) && sd_rd_left(&body) == 0) {
				sh->has_supported_versions = true;
				sh->version = v;
			} else
				sh->flags |= SD_TLS_HELLO_BAD_EXT;
		} else if (type == SD_TLS_EXT_KEY_SHARE) {
			/* HRR: selected_group; ServerHello: KeyShareEntry, group first */
			if (!sd_rd_be16(&body, &sh->key_share_group))
				sh->flags |= SD_TLS_HELLO_BAD_EXT;
		} else if (type == SD_TLS_EXT_PRE_SHARED_KEY) {
			sh->psk = true;	/* selected_identity (RFC 8446 §4.2.11) */
		} else if (type == SD_TLS_EXT_ALPN) {
			if (parse_alpn_list(body, &list) == SD_OK &&
			    sd_rd_vec8(&list, &sh->alpn) && sd_rd_left(&list) == 0)
				sh->has_alpn = true;
			else
				sh->flags |= SD_TLS_HELLO_BAD_EXT;
		}
	}
	return SD_OK;
}
