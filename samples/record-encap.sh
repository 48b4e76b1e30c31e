#!/bin/bash
# Record real TLS sessions (OpenSSL s_server with s_client or curl) in network namespaces, then
# put the shim headers of enterprise span and monitor sessions into the captured frames:
#
#   encap-sgt-one-way     unknown_ca failure (s_client does not trust the server's
#                         certificate); 802.1Q VLAN 10 both ways, Cisco MetaData with
#                         TrustSec SGT 17 on the client's frames only (one tagged direction)
#   encap-vntag-vlan      curl fetching a page; VN-Tag (FEX: host VIF 5) + 802.1Q VLAN 100
#   encap-pbb-vlan        the same curl session inside 802.1ah PBB: B-TAG 200 (0x88a8),
#                         I-TAG I-SID 65568, the customer's MACs, C-TAG 30
#   encap-qinq-cmd-mpls   the unknown_ca failure as a carrier hands it on: S-tag 100, C-tag 200,
#                         CMD (SGT 17 client, 4 server), one MPLS label; ARP keeps the tags only
#
#   usage (root):  bash samples/record-encap.sh [name...]    (no name: all of them)
#
# The kernels here have no 8021q module and none of these headers can be put on by Linux, so
# the frames of the real sessions are rewritten after the capture (python3, struct), byte
# for byte what a switch inserts: MACs, IP and everything above are untouched, timestamps too.
# The untrusted certificate is samples/pki-fail/unknown-ca (record-tls-fail.sh makes it).
# Only namespaces named sdrec<PID>* are created (10.99.x.x inside them); everything started
# is killed by PID.
set -euo pipefail

ALL=(encap-sgt-one-way encap-vntag-vlan encap-pbb-vlan encap-qinq-cmd-mpls)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
FAIL=$HERE/pki-fail

# raw_untrusted: s_client refuses the server's certificate (unknown_ca, alert 48).
raw_untrusted() {
	[ -s "$FAIL/unknown-ca.crt" ] || die "no $FAIL/unknown-ca.crt: run record-tls-fail.sh first"
	topo_direct
	cap_start c c0 raw-untrusted
	# lib.sh's server with another certificate: s_server takes the last -cert/-key given
	server_start 10.99.1.2:443 "$FAIL/other-root.crt" -cert "$FAIL/unknown-ca.crt" \
		-key "$FAIL/unknown-ca.key" -tls1_2
	{ sleep 0.4; echo "hello from client"; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$SNI" -CAfile "$PKI/root.crt" -verify_return_error \
			-verify_hostname "$SNI" -tls1_2 8>&- >"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
	cap_stop raw-untrusted
	expect raw-untrusted 1 "src host 10.99.1.1 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == 48"
}

# raw_curl: curl fetches s_server's status page (-www) over TLS 1.3, chain verified.
raw_curl() {
	topo_direct
	cap_start c c0 raw-curl
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem" -www
	timeout 10 ip netns exec "${PFX}c" curl -sS -o "$TMP/page" --cacert "$PKI/root.crt" \
		--resolve "$SNI:443:10.99.1.2" "https://$SNI/" 8>&- 2>"$TMP/client.log" ||
		die "curl failed: $(cat "$TMP/client.log")"
	wait_gone "$SRV_PID" 3
	exec 8>&-
	cap_stop raw-curl
	grep -q 'Ciphers supported in s_server binary' "$TMP/page" || die "curl got no status page"
}

# rewrite VARIANT IN OUT: insert the shim headers of VARIANT into every frame of IN.
rewrite() {
	"$PY" - "$@" <<-'PYEOF'
	import struct, sys
	variant, src, dst = sys.argv[1:4]
	CLIENT = bytes.fromhex("029900000101")	# c0's MAC: the client's frames
	def cmd(sgt, etype):			# Cisco MetaData: version 1, length 1, SGT option
	    return struct.pack("!HBBHHH", 0x8909, 1, 1, 0x0001, sgt, etype)
	def vlan(tpid, vid):
	    return struct.pack("!HH", tpid, vid)
	def shim(frame):
	    macs, etype, rest = frame[:12], struct.unpack("!H", frame[12:14])[0], frame[14:]
	    c = macs[6:12] == CLIENT
	    if variant == "encap-sgt-one-way":
	        tags = vlan(0x8100, 10) + (cmd(17, etype) if c else struct.pack("!H", etype))
	        return macs + tags + rest
	    if variant == "encap-vntag-vlan":
	        # host -> FEX: D=0, source VIF 5; FEX -> host: D=1, destination VIF 5
	        vn = struct.pack("!HI", 0x8926, 0x00000005 if c else 0x80050000)
	        return macs + vn + vlan(0x8100, 100) + struct.pack("!H", etype) + rest
	    if variant == "encap-pbb-vlan":
	        # backbone MACs of the two edge bridges: B-DA, B-SA
	        bmacs = bytes.fromhex("0299bb000002" "0299bb000001" if c else
	                              "0299bb000001" "0299bb000002")
	        itag = struct.pack("!HI", 0x88e7, 0x00010020)	# PCP 0, I-SID 65568
	        return (bmacs + vlan(0x88a8, 200) + itag + macs + vlan(0x8100, 30) +
	                struct.pack("!H", etype) + rest)
	    if variant == "encap-qinq-cmd-mpls":
	        q = vlan(0x88a8, 100) + vlan(0x8100, 200)
	        if etype != 0x0800:		# ARP is no MPLS payload
	            return macs + q + struct.pack("!H", etype) + rest
	        lse = struct.pack("!I", (1001 << 12) | 0x100 | 64)	# label 1001, S, TTL 64
	        return macs + q + cmd(17 if c else 4, 0x8847) + lse + rest
	    raise SystemExit("unknown variant " + variant)
	data = open(src, "rb").read()
	magic = data[:4]
	end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
	hdr = bytearray(data[:24])
	if struct.unpack(end + "I", hdr[20:24])[0] != 1:
	    raise SystemExit(src + ": not Ethernet")
	out, off = [bytes(hdr)], 24
	while off < len(data):
	    sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
	    frame = data[off + 16:off + 16 + incl]
	    off += 16 + incl
	    if incl != orig:
	        raise SystemExit(src + ": a frame cut by the snaplen")
	    new = shim(frame)
	    out.append(struct.pack(end + "IIII", sec, frac, len(new), len(new)) + new)
	open(dst, "wb").write(b"".join(out))
	print("[record] %s: %d frames rewritten" % (dst.rsplit("/", 1)[-1], len(out) - 1),
	      file=sys.stderr)
	PYEOF
	chmod 0644 "$3"
}

# from_raw RAW VARIANT: cap_stop installed the plain capture in samples/; it is only the
# input of the rewrite (each sample from its own session), so it moves out first.
from_raw() {
	mv -f "$HERE/$1.pcap" "$TMP/$1.raw.pcap"
	rewrite "$2" "$TMP/$1.raw.pcap" "$HERE/$2.pcap"
}

rec_encap_sgt_one_way() {
	raw_untrusted
	from_raw raw-untrusted encap-sgt-one-way
}

rec_encap_vntag_vlan() {
	raw_curl
	from_raw raw-curl encap-vntag-vlan
}

rec_encap_pbb_vlan() {
	raw_curl
	from_raw raw-curl encap-pbb-vlan
}

rec_encap_qinq_cmd_mpls() {
	raw_untrusted
	from_raw raw-untrusted encap-qinq-cmd-mpls
}

record_main "$@"
