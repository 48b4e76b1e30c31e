/* capture/live.c - frames from a live interface (libpcap pcap_create/pcap_activate). */
#include "capture/cap.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "capture/cap_internal.h"

#define LIVE_SNAPLEN	262144
#define LIVE_TIMEOUT_MS	250		/* sd_cap_next() returns SD_CAP_TIMEOUT this often */
#define LIVE_BUFFER	(32 * 1024 * 1024)

/* "<iface>: <what pcap_statustostr says>: <libpcap's detail>", leaving out what is empty or
 * repeated. */
static void
set_status(char err[SD_ERRBUF], const struct sd_cap *c, int status)
{
	const char *what = pcap_statustostr(status);
	const char *detail = pcap_geterr(c->p);

	if (detail == NULL || detail[0] == '\0' || strcmp(detail, what) == 0)
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, what);
	else if (status == PCAP_ERROR || status == PCAP_WARNING)
		snprintf(err, SD_ERRBUF, "%s: %s", c->label, detail);
	else
		snprintf(err, SD_ERRBUF, "%s: %s (%s)", c->label, what, detail);
}

static int
set_filter(struct sd_cap *c, const char *bpf, char err[SD_ERRBUF])
{
	struct bpf_program prog;
	int rc;

	if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, SD_ERRBUF, "%s: filter \"%s\": %s", c->label, bpf,
		    pcap_geterr(c->p));
		return -1;
	}
	rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(err, SD_ERRBUF, "%s: cannot set filter \"%s\": %s", c->label, bpf,
		    pcap_geterr(c->p));
		return -1;
	}
	return 0;
}

/*
 * On success err is empty, or holds a warning from pcap_activate() (promiscuous mode not
 * supported, ...) that the caller should show; the capture works anyway.
 */
int
sd_cap_open_live(struct sd_cap **out, const char *iface, const char *bpf, int snaplen,
    char err[SD_ERRBUF])
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct sd_cap *c;
	int status;

	*out = NULL;
	err[0] = '\0';
	ebuf[0] = '\0';
	if ((c = sd_cap_alloc(iface, true, err)) == NULL)
		return -1;
	if ((c->p = pcap_create(iface, ebuf)) == NULL) {
		snprintf(err, SD_ERRBUF, "%s: %s", iface, ebuf);
		goto fail;
	}
	/*
	 * Not immediate mode: on Linux that makes libpcap use TPACKET_V2, a ring of slots each
	 * as large as the interface's MTU (or 64 KiB with offloads on), so 32 MiB holds only
	 * a few hundred packets of a busy span port.  TPACKET_V3 packs packets into blocks that
	 * the kernel hands over when full or after the read timeout: packets wait at most
	 * LIVE_TIMEOUT_MS, the buffer holds what it can hold.
	 */
	if (pcap_set_snaplen(c->p, snaplen > 0 ? snaplen : LIVE_SNAPLEN) != 0 ||
	    pcap_set_promisc(c->p, 1) != 0 ||
	    pcap_set_timeout(c->p, LIVE_TIMEOUT_MS) != 0 ||
	    pcap_set_buffer_size(c->p, LIVE_BUFFER) != 0) {
		snprintf(err, SD_ERRBUF, "%s: cannot set capture options", iface);
		goto fail;
	}
	/* Nanosecond timestamps where the platform has them; otherwise us, scaled later. */
	(void)pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);
	status = pcap_activate(c->p);
	if (status < 0) {
		set_status(err, c, status);
		goto fail;
	}
	if (status > 0)
		set_status(err, c, status);	/* a warning: kept in err, capture goes on */
	/* On Linux libpcap 1.10 pcap_next_ex() does not return when the timeout passes
	 * without packets (it polls again; libpcap issue #1001): the timeout only bounds how
	 * long a packet waits in the buffer.  So read in non-blocking mode and wait in
	 * sd_cap_live_next() with poll(), whose timeout does expire. */
	if ((c->fd = pcap_get_selectable_fd(c->p)) >= 0 &&
	    pcap_setnonblock(c->p, 1, ebuf) != 0)
		c->fd = -1;
	c->wait_ms = LIVE_TIMEOUT_MS;
	c->nano = pcap_get_tstamp_precision(c->p) == PCAP_TSTAMP_PRECISION_NANO;
	c->linktype = sd_cap_linktype(pcap_datalink(c->p));
	if (bpf != NULL && bpf[0] != '\0' && set_filter(c, bpf, err) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	sd_cap_close(c);
	return -1;
}

/*
 * pcap_next_ex() return codes: 1 a packet, 0 the timeout passed, PCAP_ERROR_BREAK after
 * sd_cap_break(), PCAP_ERROR.  A signal that interrupts poll() ends the wait early, so a
 * SIGINT handler calling sd_cap_break() takes effect at once; from another thread within
 * one timeout.
 */
int
sd_cap_live_next(struct sd_cap *c, struct pcap_pkthdr **h, const u_char **data)
{
	struct pollfd pfd;
	int rc;

	if (c->fd < 0)
		return pcap_next_ex(c->p, h, data);	/* blocking, as libpcap does it */
	if ((rc = pcap_next_ex(c->p, h, data)) != 0)
		return rc;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (c->wait_ms <= 0)
		return 0;
	rc = poll(&pfd, 1, c->wait_ms);
	if (c->stop)
		return PCAP_ERROR_BREAK;
	if (rc <= 0)
		return 0;		/* timeout, or EINTR: the caller calls again */
	return pcap_next_ex(c->p, h, data);
}

void
sd_cap_set_wait(struct sd_cap *c, int ms)
{
	if (c != NULL && c->live)
		c->wait_ms = ms;
}

int
sd_cap_wait(struct sd_cap *const *caps, int n, int ms)
{
	struct pollfd pfd[64];
	int i, k = 0, rc;

	for (i = 0; i < n && k < (int)(sizeof(pfd) / sizeof(pfd[0])); i++) {
		if (caps[i] == NULL || !caps[i]->live)
			continue;
		if (caps[i]->fd < 0)
			return 1;	/* no descriptor to wait on: its read blocks on its own */
		pfd[k].fd = caps[i]->fd;
		pfd[k].events = POLLIN;
		pfd[k].revents = 0;
		k++;
	}
	if (k == 0)
		return 1;
	rc = poll(pfd, (nfds_t)k, ms);
	return rc > 0 ? 1 : rc == 0 ? 0 : -1;
}
