/* tests/fuzz/fuzz_dns.c - DNS message parser and the CNAME-chain resolver over its output. */
#include <stdint.h>
#include <string.h>

#include "dissect/dns.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_dns_msg m;
	struct sd_addr a[4];
	size_t i, n;

	(void)sd_dns_parse(sd_rd_make(data, size), &m);
	/* every kept string is terminated; resolving the question walks the chain */
	for (i = 0; i < m.nan; i++)
		if (memchr(m.an[i].name, '\0', sizeof(m.an[i].name)) == NULL ||
		    memchr(m.an[i].target, '\0', sizeof(m.an[i].target)) == NULL)
			__builtin_trap();
	n = sd_dns_addrs(&m, m.qname, a, 4);
	if (n > 4)
		__builtin_trap();
	return 0;
}
