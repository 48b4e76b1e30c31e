/* dissect/prelude.c - STARTTLS and HTTP CONNECT preludes before TLS (RFC 3207, 9051, 2595,
 * 4217, 4642, 4511 §4.14, 9110 §9.3.6): which plaintext exchange switches a connection to TLS. */
#include "dissect/prelude.h"

#include <string.h>

/* Case-insensitive: does r start with the NUL-terminated word w? */
static bool
has_prefix(struct sd_rd r, const char *w)
{
	size_t i, n = strlen(w);
	uint8_t c;

	if (r.len < n)
		return false;
	for (i = 0; i < n; i++) {
		c = r.p[i];
		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (c != (uint8_t)w[i])
			return false;
	}
	return true;
}

/* Is r exactly the word w (case-insensitive), possibly followed by spaces? */
static bool
is_word(struct sd_rd r, const char *w)
{
	size_t n = strlen(w);

	if (!has_prefix(r, w))
		return false;
	(void)sd_rd_skip(&r, n);
	while (r.len > 0 && (r.p[0] == ' ' || r.p[0] == '\t'))
		(void)sd_rd_skip(&r, 1);
	return r.len == 0;
}

/* Take the next space-delimited token off *r. */
static struct sd_rd
take_token(struct sd_rd *r)
{
	struct sd_rd tok;
	size_t i = 0;

	while (r->len > 0 && r->p[0] == ' ')
		(void)sd_rd_skip(r, 1);
	while (i < r->len && r->p[i] != ' ')
		i++;
	(void)sd_rd_sub(r, i, &tok);
	return tok;
}

/* Copy r into dst as a NUL-terminated string, cut to n - 1 bytes. */
static void
copy_str(char *dst, size_t n, struct sd_rd r)
{
	size_t k = r.len < n - 1 ? r.len : n - 1;

	if (k > 0)
		memcpy(dst, r.p, k);
	dst[k] = '\0';
}

/* Three ASCII digits at the start of r, as a number; -1 if not. */
static int
reply_code(struct sd_rd r)
{
	int v = 0;
	size_t i;

	if (r.len < 3)
		return -1;
	for (i = 0; i < 3; i++) {
		if (r.p[i] < '0' || r.p[i] > '9')
			return -1;
		v = v * 10 + (r.p[i] - '0');
	}
	return v;
}

bool
sd_prelude_parse_connect(struct sd_rd line, char *target, size_t n)
{
	struct sd_rd method, tgt, ver;

	method = take_token(&line);
	tgt = take_token(&line);
	ver = take_token(&line);
	if (!is_word(method, "CONNECT") || tgt.len == 0 || !has_prefix(ver, "HTTP/1."))
		return false;
	copy_str(target, n, tgt);
	return true;
}

bool
sd_prelude_parse_status(struct sd_rd line, int *status, char *reason, size_t n)
{
	struct sd_rd ver, code;

	*status = -1;
	ver = take_token(&line);
	code = take_token(&line);
	if (!has_prefix(ver, "HTTP/1.") || code.len != 3 || reply_code(code) < 100)
		return false;
	*status = reply_code(code);
	while (line.len > 0 && line.p[0] == ' ')
		(void)sd_rd_skip(&line, 1);
	copy_str(reason, n, line);
	return true;
}

void
sd_prelude_init(struct sd_prelude *p, struct sd_rd first)
{
	uint8_t c = 0;

	memset(p, 0, sizeof(*p));
	p->mode = SD_PRELUDE_GENERIC;
	if (!sd_rd_peek_u8(&first, 0, &c))
		return;
	if (c == 0x30)
		p->mode = SD_PRELUDE_LDAP;
	else if (c >= 0x20 && c < 0x7f && c != '<')
		p->mode = SD_PRELUDE_LINES;	/* XMPP ('<') stays generic */
}

/*
 * The next CRLF (or LF) line of *in: true with the line (without its end) and what it
 * occupies in *used; false when no complete line is there yet.
 */
static bool
next_line(struct sd_rd in, struct sd_rd *line, size_t *used)
{
	size_t i;

	for (i = 0; i < in.len; i++)
		if (in.p[i] == '\n')
			break;
	if (i == in.len)
		return false;
	*used = i + 1;
	if (i > 0 && in.p[i - 1] == '\r')
		i--;
	*line = sd_rd_make(in.p, i);
	return true;
}

/* A client command line (state WAIT). */
static void
client_line(struct sd_prelude *p, struct sd_rd line, uint64_t frame, int64_t sec, uint32_t nsec)
{
	struct sd_rd rest = line, t1, t2;

	if (p->in_request) {
		if (line.len == 0) {	/* end of the CONNECT header */
			p->in_request = false;
			p->connect.request_frame = frame;
			p->connect.request_sec = sec;
			p->connect.request_nsec = nsec;
			p->connect_open = true;
			p->ask = SD_PRELUDE_ASK_CONNECT;
			p->state = SD_PRELUDE_REQUESTED;
		}
		return;
	}
	if (has_prefix(line, "CONNECT ")) {
		memset(&p->connect, 0, sizeof(p->connect));
		p->connect.status = -1;
		if (sd_prelude_parse_connect(line, p->connect.target, sizeof(p->connect.target))) {
			p->in_request = true;
			p->refused = false;
		}
		return;
	}
	t1 = take_token(&rest);
	t2 = take_token(&rest);
	if (is_word(t1, "STARTTLS") || is_word(t1, "STLS")) {
		p->tag[0] = '\0';
	} else if (is_word(t1, "AUTH") &&
	    (is_word(t2, "TLS") || is_word(t2, "SSL") || is_word(t2, "TLS-C"))) {
		p->tag[0] = '\0';
	} else if (t1.len > 0 && is_word(t2, "STARTTLS")) {
		copy_str(p->tag, sizeof(p->tag), t1);	/* IMAP: "a1 STARTTLS" */
	} else {
		return;
	}
	p->ask = SD_PRELUDE_ASK_STARTTLS;
	p->state = SD_PRELUDE_REQUESTED;
}

/* The proxy's answer to CONNECT, one header line at a time. */
static void
connect_answer_line(struct sd_prelude *p, struct sd_rd line, uint64_t frame, int64_t sec,
    uint32_t nsec)
{
	struct sd_rd v = line;
	int status;

	if (!p->in_answer) {
		if (sd_prelude_parse_status(line, &status, p->connect.reason,
		    sizeof(p->connect.reason))) {
			p->connect.status = status;
			p->connect.answered_frame = frame;
			p->connect.answered_sec = sec;
			p->connect.answered_nsec = nsec;
			p->in_answer = true;
		}
		return;
	}
	if (line.len > 0) {
		if (has_prefix(line, "PROXY-AGENT:")) {
			(void)sd_rd_skip(&v, 12);
			while (v.len > 0 && (v.p[0] == ' ' || v.p[0] == '\t'))
				(void)sd_rd_skip(&v, 1);
			copy_str(p->connect.proxy_agent, sizeof(p->connect.proxy_agent), v);
		} else if (has_prefix(line, "SERVER:")) {
			(void)sd_rd_skip(&v, 7);
			while (v.len > 0 && (v.p[0] == ' ' || v.p[0] == '\t'))
				(void)sd_rd_skip(&v, 1);
			copy_str(p->connect.server, sizeof(p->connect.server), v);
		}
		return;
	}
	/* end of the answer's header */
	p->in_answer = false;
	if (p->connect.status < 200)
		return;			/* interim 1xx: the real answer follows */
	p->connect_done = true;
	p->connect_open = false;
	if (p->connect.status < 300) {
		p->state = SD_PRELUDE_UPGRADED;
	} else {
		p->state = SD_PRELUDE_WAIT;	/* the client may try again */
		p->ask = SD_PRELUDE_ASK_NONE;
		p->refused = true;
	}
}

/* The server's reply to STARTTLS / STLS / AUTH TLS. */
static void
starttls_reply_line(struct sd_prelude *p, struct sd_rd line)
{
	struct sd_rd rest = line, t1, t2;
	bool ok = false, no = false;
	int code;

	if (p->tag[0] != '\0') {	/* IMAP: the tagged completion */
		t1 = take_token(&rest);
		t2 = take_token(&rest);
		if (t1.len != strlen(p->tag) || memcmp(t1.p, p->tag, t1.len) != 0)
			return;		/* untagged, or another command's completion */
		ok = is_word(t2, "OK");
		no = !ok;
	} else if ((code = reply_code(line)) >= 0) {
		if (line.len > 3 && line.p[3] == '-')
			return;		/* continuation of a multi-line reply */
		ok = code == 220 || code == 234 || code == 382;	/* SMTP, FTP, NNTP */
		no = code >= 400;
	} else if (has_prefix(line, "+OK")) {
		ok = true;		/* POP3 */
	} else if (has_prefix(line, "-ERR")) {
		no = true;
	} else if (has_prefix(line, "OK")) {
		ok = true;		/* ManageSieve */
	} else if (has_prefix(line, "NO") || has_prefix(line, "BAD")) {
		no = true;
	}
	if (ok) {
		p->state = SD_PRELUDE_UPGRADED;
	} else if (no) {
		p->state = SD_PRELUDE_WAIT;
		p->ask = SD_PRELUDE_ASK_NONE;
	}
}

static enum sd_rc
feed_lines(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec, size_t *consumed)
{
	struct sd_rd line;
	size_t used;

	while (p->state == SD_PRELUDE_WAIT || p->state == SD_PRELUDE_REQUESTED) {
		if (dir == 0 && p->state == SD_PRELUDE_REQUESTED)
			return SD_OK;	/* the client waits for the answer; its next bytes are TLS */
		/*
		 * A TLS handshake record where the client's next line would start: an upgrade
		 * this parser has no command for (PROXY protocol v1 header, HTTP "Upgrade:
		 * TLS/1.0" as in RFC 2817 and Gnutella, IRC, XMPP-like dialogues).  Not after a
		 * refused CONNECT: there is no tunnel then.
		 */
		if (dir == 0 && !p->in_request && !p->refused && in.len > 0 && in.p[0] == 0x16) {
			if (in.len < 3)
				return SD_OK;
			if (in.p[1] == 3 && in.p[2] <= 4) {
				p->state = SD_PRELUDE_UPGRADED;
				return SD_OK;
			}
		}
		if (!next_line(in, &line, &used)) {
			if (in.len > SD_PRELUDE_MAX_LINE) {
				p->state = SD_PRELUDE_DEAD;
				return SD_MALFORMED;
			}
			return SD_OK;
		}
		if (dir == 0 && *consumed == 0 && p->ask == SD_PRELUDE_ASK_NONE &&
		    !p->in_request && line.len > 0 && line.p[0] == '<') {
			p->mode = SD_PRELUDE_GENERIC;	/* XMPP after a server greeting */
			return SD_OK;
		}
		(void)sd_rd_skip(&in, used);
		*consumed += used;
		if (dir == 0)
			client_line(p, line, frame, sec, nsec);
		else if (p->state == SD_PRELUDE_REQUESTED && p->ask == SD_PRELUDE_ASK_CONNECT)
			connect_answer_line(p, line, frame, sec, nsec);
		else if (p->state == SD_PRELUDE_REQUESTED)
			starttls_reply_line(p, line);
	}
	return SD_OK;
}

/* BER length (definite form, up to 4 bytes). */
static bool
ber_len(struct sd_rd *r, size_t *len)
{
	uint8_t b, k, i;
	uint32_t v = 0;

	if (!sd_rd_u8(r, &b))
		return false;
	if (b < 0x80) {
		*len = b;
		return true;
	}
	k = b & 0x7f;
	if (k == 0 || k > 4)
		return false;
	for (i = 0; i < k; i++) {
		if (!sd_rd_u8(r, &b))
			return false;
		v = v << 8 | b;
	}
	*len = v;
	return true;
}

/* One BER TLV: its tag and contents. */
static bool
ber_tlv(struct sd_rd *r, uint8_t *tag, struct sd_rd *val)
{
	size_t len;

	return sd_rd_u8(r, tag) && ber_len(r, &len) && sd_rd_sub(r, len, val);
}

/* One LDAPMessage (RFC 4511 §4.2): the StartTLS request or its response. */
static void
ldap_message(struct sd_prelude *p, int dir, struct sd_rd msg)
{
	struct sd_rd id, op, f;
	uint8_t tag, b;
	uint32_t mid = 0;

	if (!ber_tlv(&msg, &tag, &id) || tag != 0x02 || id.len == 0 || id.len > 4)
		return;
	while (sd_rd_u8(&id, &b))
		mid = mid << 8 | b;
	if (!ber_tlv(&msg, &tag, &op))
		return;
	if (dir == 0 && tag == 0x77) {		/* [APPLICATION 23] ExtendedRequest */
		if (ber_tlv(&op, &tag, &f) && tag == 0x80 &&
		    f.len == strlen(SD_PRELUDE_LDAP_STARTTLS_OID) &&
		    memcmp(f.p, SD_PRELUDE_LDAP_STARTTLS_OID, f.len) == 0) {
			p->ask = SD_PRELUDE_ASK_LDAP;
			p->ldap_id = mid;
			p->state = SD_PRELUDE_REQUESTED;
		}
	} else if (dir == 1 && tag == 0x78 && p->state == SD_PRELUDE_REQUESTED &&
	    mid == p->ldap_id) {			/* [APPLICATION 24] ExtendedResponse */
		if (ber_tlv(&op, &tag, &f) && tag == 0x0a && f.len == 1 && f.p[0] == 0) {
			p->state = SD_PRELUDE_UPGRADED;
		} else {
			p->state = SD_PRELUDE_WAIT;
			p->ask = SD_PRELUDE_ASK_NONE;
		}
	}
}

static enum sd_rc
feed_ldap(struct sd_prelude *p, int dir, struct sd_rd in, size_t *consumed)
{
	struct sd_rd r, msg;
	uint8_t tag;
	size_t len, hdr;

	while (p->state == SD_PRELUDE_WAIT || p->state == SD_PRELUDE_REQUESTED) {
		if (dir == 0 && p->state == SD_PRELUDE_REQUESTED)
			return SD_OK;
		r = in;
		if (!sd_rd_u8(&r, &tag) || !ber_len(&r, &len)) {
			if (in.len >= 6) {	/* a whole length field was there: bad */
				p->state = SD_PRELUDE_DEAD;
				return SD_MALFORMED;
			}
			return SD_OK;
		}
		if (tag != 0x30 || len > 65536) {
			p->state = SD_PRELUDE_DEAD;
			return SD_MALFORMED;
		}
		hdr = in.len - r.len;
		if (!sd_rd_sub(&r, len, &msg))
			return SD_OK;		/* the rest of the message is yet to come */
		ldap_message(p, dir, msg);
		(void)sd_rd_skip(&in, hdr + len);
		*consumed += hdr + len;
	}
	return SD_OK;
}

enum sd_rc
sd_prelude_feed(struct sd_prelude *p, int dir, struct sd_rd in, uint64_t frame, int64_t sec,
    uint32_t nsec, size_t *consumed)
{
	*consumed = 0;
	switch (p->mode) {
	case SD_PRELUDE_LINES:
		return feed_lines(p, dir, in, frame, sec, nsec, consumed);
	case SD_PRELUDE_LDAP:
		return feed_ldap(p, dir, in, consumed);
	case SD_PRELUDE_SOCKS4:
	case SD_PRELUDE_MYSQL:
	case SD_PRELUDE_RDP:
		return sd_preamble_feed(p, dir, in, frame, sec, nsec, consumed);
	case SD_PRELUDE_GENERIC:
	case SD_PRELUDE_STRAY:
		break;
	}
	return SD_OK;
}
