#!/bin/bash
# Record IKEv2 over TCP (RFC 8229) between two libreswan pluto daemons in network
# namespaces: the initiator connects to TCP 4500, sends the "IKETCP" stream prefix, then
# IKE_SA_INIT and IKE_AUTH as 2-byte-length-prefixed messages (non-ESP marker of 4 zero
# bytes), and the responder answers on the same stream.
#
#   usage (root):  bash samples/record-ike-tcp.sh [name...]    (no name: all of them)
#   names: ikev2-tcp
#
# Only namespaces named sdrec<PID>* are created (addresses 10.99.1.1 and 10.99.1.2);
# each pluto gets its own run, NSS, ipsec.d and secrets under a temporary directory.
# Everything this script starts is killed by PID, and the namespaces are deleted, on exit.
# Needs: libreswan (Debian; installed with apt-get when missing) and what lib.sh needs.
#
# The kernels of the recording machines have no ESP (CONFIG_INET_ESP unset), hence no
# "espintcp" TCP upper-layer protocol, which is what frames pluto's IKE-in-TCP messages:
# pluto writes and reads each message as "4 zero bytes + IKE message" and relies on
# setsockopt(TCP_ULP, "espintcp") for the RFC 8229 2-byte length (libreswan's own
# impairment tcp-skip-setsockopt-espintcp leaves the length out, which is not RFC 8229 on
# the wire). So each pluto runs with a small LD_PRELOAD library, compiled here, that does
# what the kernel's espintcp does for IKE messages: setsockopt(TCP_ULP, "espintcp")
# succeeds and marks the socket, each write() on it goes out as one length-prefixed
# message (length includes its own 2 bytes), each read() returns one message without its
# length. IKE payloads, the IKETCP prefix and the non-ESP marker are pluto's own. The
# child SA cannot be installed without ESP; the capture is about the IKE exchanges.
set -euo pipefail

ALL=(ikev2-tcp)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

PLUTO=/usr/libexec/ipsec/pluto

# build_shim: $TMP/espintcp.so, the user-space stand-in for the kernel's espintcp framing.
build_shim() {
	cat >"$TMP/espintcp.c" <<-'EOF2'
	#define _GNU_SOURCE
	#include <dlfcn.h>
	#include <errno.h>
	#include <netinet/in.h>
	#include <poll.h>
	#include <stdint.h>
	#include <string.h>
	#include <sys/socket.h>
	#include <unistd.h>

	#define MAXFD 4096
	static unsigned char framed[MAXFD];

	static ssize_t (*real_read)(int, void *, size_t);
	static ssize_t (*real_write)(int, const void *, size_t);
	static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
	static int (*real_close)(int);

	static void init(void)
	{
	    if (real_close != NULL)
	        return;
	    real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	    real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	    real_setsockopt = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	    real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	}

	static int is_framed(int fd) { return fd >= 0 && fd < MAXFD && framed[fd]; }

	int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
	{
	    init();
	    /* 31 = TCP_ULP */
	    if (level == IPPROTO_TCP && name == 31 && val != NULL && len >= 8 &&
	        memcmp(val, "espintcp", 8) == 0 && fd >= 0 && fd < MAXFD) {
	        framed[fd] = 1;
	        return 0;
	    }
	    return real_setsockopt(fd, level, name, val, len);
	}

	int close(int fd)
	{
	    init();
	    if (fd >= 0 && fd < MAXFD)
	        framed[fd] = 0;
	    return real_close(fd);
	}

	/* all N bytes, waiting on a non-blocking socket; 0 on success */
	static int xfer(int fd, unsigned char *b, size_t n, int rd)
	{
	    while (n > 0) {
	        ssize_t r = rd ? real_read(fd, b, n) : real_write(fd, b, n);
	        if (r > 0) {
	            b += r;
	            n -= (size_t)r;
	            continue;
	        }
	        if (r == 0)
	            return -1;
	        if (errno != EAGAIN && errno != EINTR)
	            return -1;
	        struct pollfd p = { fd, (short)(rd ? POLLIN : POLLOUT), 0 };
	        poll(&p, 1, 5000);
	    }
	    return 0;
	}

	ssize_t write(int fd, const void *buf, size_t n)
	{
	    static unsigned char out[65536];
	    init();
	    if (!is_framed(fd))
	        return real_write(fd, buf, n);
	    if (n > sizeof(out) - 2) {
	        errno = EMSGSIZE;
	        return -1;
	    }
	    out[0] = (unsigned char)((n + 2) >> 8);
	    out[1] = (unsigned char)(n + 2);
	    memcpy(out + 2, buf, n);
	    if (xfer(fd, out, n + 2, 0) != 0)
	        return -1;
	    return (ssize_t)n;
	}

	ssize_t read(int fd, void *buf, size_t n)
	{
	    static unsigned char in[65536];
	    unsigned char hdr[2];
	    init();
	    if (!is_framed(fd))
	        return real_read(fd, buf, n);
	    ssize_t r = real_read(fd, hdr, 1);
	    if (r <= 0)
	        return r;	/* EAGAIN, error or EOF as the caller expects them */
	    if (xfer(fd, hdr + 1, 1, 1) != 0)
	        return 0;
	    size_t len = ((size_t)hdr[0] << 8 | hdr[1]);
	    if (len < 2)
	        return 0;
	    len -= 2;
	    if (xfer(fd, in, len, 1) != 0)
	        return 0;
	    if (len > n)
	        len = n;
	    memcpy(buf, in, len);
	    return (ssize_t)len;
	}
	EOF2
	cc -shared -fPIC -O1 -o "$TMP/espintcp.so" "$TMP/espintcp.c" -ldl ||
		die "cannot build the espintcp stand-in"
}

need_libreswan() {
	[ -x "$PLUTO" ] && return
	log "installing: libreswan"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libreswan >/dev/null
}

# pluto_start ROLE: one pluto in namespace $PFX$ROLE, state under $TMP/pluto-ROLE.
pluto_start() {
	local r=$1 d=$TMP/pluto-$1 n=100
	mkdir -p "$d/run" "$d/nss" "$d/ipsec.d"
	ipsec initnss --nssdir "$d/nss" >/dev/null
	cat >"$d/ipsec.conf" <<-'EOF2'
	config setup
	    uniqueids=no

	conn ike-tcp
	    ikev2=insist
	    authby=secret
	    left=10.99.1.1
	    right=10.99.1.2
	    enable-tcp=yes
	    tcp-remoteport=4500
	    retransmit-timeout=10s
	    auto=ignore
	EOF2
	printf '10.99.1.1 10.99.1.2 : PSK "shakedown-sample-psk-ike-over-tcp"\n' >"$d/ipsec.secrets"
	chmod 600 "$d/ipsec.secrets"
	ip netns exec "$PFX$r" env LD_PRELOAD="$TMP/espintcp.so" "$PLUTO" --nofork --stderrlog --config "$d/ipsec.conf" \
		--rundir "$d/run" --ipsecdir "$d/ipsec.d" --secretsfile "$d/ipsec.secrets" \
		--nssdir "$d/nss" --listen-tcp \
		>"$d/pluto.log" 2>&1 &
	track $!
	until [ -S "$d/run/pluto.ctl" ]; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "pluto did not start in $PFX$r: $(tail -5 "$d/pluto.log")"
		sleep 0.1
	done
	ip netns exec "$PFX$r" ipsec addconn --config "$d/ipsec.conf" \
		--ctlsocket "$d/run/pluto.ctl" ike-tcp >>"$d/pluto.log" 2>&1 ||
		die "pluto in $PFX$r did not load the connection: $(tail -5 "$d/pluto.log")"
}

# ---------------------------------------------------------------- captures
rec_ikev2_tcp() {
	need_libreswan
	build_shim
	topo_direct
	pluto_start s
	pluto_start c
	cap_start c c0 ikev2-tcp
	timeout 20 ip netns exec "${PFX}c" ipsec whack --ctlsocket "$TMP/pluto-c/run/pluto.ctl" \
		--name ike-tcp --initiate >"$TMP/whack.log" 2>&1 || true
	sleep 0.5
	# delete the IKE SA (INFORMATIONAL with a Delete payload over the same stream)
	timeout 10 ip netns exec "${PFX}c" ipsec whack --ctlsocket "$TMP/pluto-c/run/pluto.ctl" \
		--name ike-tcp --terminate >>"$TMP/whack.log" 2>&1 || true
	sleep 1
	cap_stop ikev2-tcp
	cat "$TMP/whack.log" >&2
	expect ikev2-tcp 1 'tcp[tcpflags] & tcp-syn != 0 and tcp dst port 4500'
	# the "IKETCP" stream prefix, then length-prefixed messages with the non-ESP marker
	expect ikev2-tcp 1 'tcp dst port 4500 and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x494b4554'
	expect ikev2-tcp 6 'tcp port 4500 and tcp[((tcp[12:1] & 0xf0) >> 2) + 2:4] = 0'
	grep -q 'established IKE SA' "$TMP/whack.log" || die "the IKE SA was not established"
}

record_main "$@"
