/* dissect/dns.h - DNS messages (RFC 1035 §4, RFC 3596): header, question, A/AAAA/CNAME answers. */
#ifndef SD_DISSECT_DNS_H
#define SD_DISSECT_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/ip.h"
#include "dissect/rc.h"
#include "dissect/reader.h"

#define SD_DNS_NAME_MAX		256	/* presentation form with NUL; longer names are cut */
#define SD_DNS_MAX_ANSWERS	16	/* answer records kept (an_total counts all) */
#define SD_DNS_MAX_CHAIN	8	/* CNAME hops followed by sd_dns_addrs() */

#define SD_DNS_TYPE_A		1
#define SD_DNS_TYPE_CNAME	5
#define SD_DNS_TYPE_AAAA	28

#define SD_DNS_RCODE_NOERROR	0
#define SD_DNS_RCODE_SERVFAIL	2
#define SD_DNS_RCODE_NXDOMAIN	3

/* sd_dns_msg.flags: oddities, not judgements. */
#define SD_DNS_NAME_CUT		0x0001	/* a name longer than SD_DNS_NAME_MAX was cut */
#define SD_DNS_ANSWERS_CUT	0x0002	/* more answers than SD_DNS_MAX_ANSWERS */
#define SD_DNS_BAD_RDATA	0x0004	/* an A/AAAA answer of the wrong length (skipped) */

/* One kept answer record.  Names are in presentation form, lower-cased; bytes outside
 * printable ASCII (and '.' or '\' inside a label) as \DDD, as dig prints them. */
struct sd_dns_answer {
	uint16_t	 type, rclass;
	uint32_t	 ttl;
	char		 name[SD_DNS_NAME_MAX];
	struct sd_addr	 addr;			/* A, AAAA */
	char		 target[SD_DNS_NAME_MAX];	/* CNAME */
};

/* A parsed message: copies only, nothing borrowed. */
struct sd_dns_msg {
	uint16_t	 id;
	bool		 response;	/* QR */
	bool		 truncated;	/* TC */
	uint8_t		 opcode, rcode;
	uint16_t	 qdcount, ancount, nscount, arcount;
	char		 qname[SD_DNS_NAME_MAX];	/* first question ("" if none) */
	uint16_t	 qtype, qclass;
	struct sd_dns_answer an[SD_DNS_MAX_ANSWERS];	/* A, AAAA and CNAME answers, in order */
	size_t		 nan;
	uint16_t	 an_total;	/* answer records parsed, of any type */
	uint32_t	 flags;		/* SD_DNS_* */
};

/*
 * Parse a DNS message (the UDP payload, or a TCP message without its length prefix).
 * SD_OK; SD_MALFORMED on a header, question or answer that breaks RFC 1035 (a compression
 * pointer that does not point backwards, a label past the end); SD_TRUNCATED when the
 * message ends inside the answer section (fields parsed so far are kept).  Authority and
 * additional sections are not parsed.
 */
enum sd_rc	sd_dns_parse(struct sd_rd msg, struct sd_dns_msg *out);

/*
 * The addresses `name` resolves to in m's answers, following CNAMEs (case-insensitive, up
 * to SD_DNS_MAX_CHAIN hops).  Writes at most max into out; returns how many it found.
 */
size_t		sd_dns_addrs(const struct sd_dns_msg *m, const char *name, struct sd_addr *out,
		    size_t max);

#endif /* SD_DISSECT_DNS_H */
