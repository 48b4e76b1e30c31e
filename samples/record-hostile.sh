#!/bin/bash
# Record a capture whose packet strings are hostile to reports (HTML, script, Markdown links,
# ANSI and OSC 8 terminal escapes, path traversal): a real OpenSSL s_server whose self-signed
# certificate carries them in its subject and SANs, and real s_client connections sending
# them as SNI.  The client does not trust the certificate (unknown_ca), so findings exist.
#
# hostile-c1: the same with the bytes a terminal or a parser may obey: C0 controls, C1
# controls as raw bytes (0x80-0x9f, 0x9b the 8-bit CSI) and as UTF-8 (U+0080-U+009F, U+009B),
# invalid UTF-8, quotes, Markdown links to javascript:, path separators and "..", and
# strings of thousands of bytes, in the certificate's subject, its SANs and the SNI.  The
# certificate (pki-hostile/c1.crt; raw bytes in T61Strings) is built by python3-cryptography with placeholders of the
# same length, which are then replaced by the raw bytes in the DER and the certificate signed
# again (cryptography refuses invalid UTF-8 and non-ASCII DNS names).
#
#   usage (root):  bash samples/record-hostile.sh
#
# The certificate is made once in samples/pki-hostile/ (kept when present) with
# python3-cryptography, which writes any bytes into a name.  Only namespaces named
# sdrec<PID>* are created (10.99.x.x inside them); everything started is killed by PID.
set -euo pipefail

ALL=(hostile-strings hostile-c1)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
HOSTILE=$HERE/pki-hostile

ESC=$'\e'
# What a report must show as text: each one also a client's SNI.
STRINGS=(
	'<script>alert(1)</script>'
	'"><img src=x onerror=alert(1)>'
	'[link](http://evil.example)'
	"${ESC}[31mred${ESC}]8;;http://x${ESC}\\click${ESC}]8;;${ESC}\\"
	'../../etc/passwd'
)

make_hostile_pki() {
	[ -s "$HOSTILE/hostile.crt" ] && return
	log "creating the hostile certificate in $HOSTILE"
	mkdir -p "$HOSTILE"
	"$PY" - "$HOSTILE" "${STRINGS[@]}" <<-'PYEOF'
	import datetime, sys
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import rsa
	from cryptography.x509.oid import NameOID
	out, s = sys.argv[1], sys.argv[2:]
	key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
	name = x509.Name([
	    x509.NameAttribute(NameOID.COMMON_NAME, s[0]),
	    x509.NameAttribute(NameOID.ORGANIZATION_NAME, s[1]),
	    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, s[2]),
	    x509.NameAttribute(NameOID.LOCALITY_NAME, s[3]),
	    x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, s[4]),
	])
	now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
	cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
	        .public_key(key.public_key()).serial_number(x509.random_serial_number())
	        .not_valid_before(now - datetime.timedelta(hours=1))
	        .not_valid_after(now + datetime.timedelta(days=3650))
	        .add_extension(x509.SubjectAlternativeName([x509.DNSName(v) for v in s]),
	                       critical=False)
	        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
	        .sign(key, hashes.SHA256()))
	open(out + "/hostile.key", "wb").write(key.private_bytes(
	    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
	    serialization.NoEncryption()))
	open(out + "/hostile.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
	PYEOF
}

rec_hostile_strings() {
	hostile_run hostile-strings "$HOSTILE/hostile.crt" "$HOSTILE/hostile.key" "${STRINGS[@]}"
}

# hostile-c1's strings (bytes, written by printf %b): SNIs first (255 bytes at most each);
# the first one is the server name the terminal report shows.
C1_SNI=(
	'c0\x01\x07\x08\x0d\x1b[2J\x7f-c1raw\x85\x9b31m\x9f-c1utf8\xc2\x85\xc2\x9b31m\xc2\x9f.example'
	'c1raw\x80\x85\x8d\x90\x9b31m\x9c\x9d\x9f.example'
	'c1utf8\xc2\x80\xc2\x85\xc2\x9b31m\xc2\x9d\xc2\x9f.example'
	'[x](javascript:alert(1))"\x27`<b>x</b>'
	'..\x2f..\x2f..\x5cwin\x5c..\x2fx'
	'bad\xff\xfe\xc0\xaf\xed\xa0\x80\xf8\x88\x80\x80\x80utf8'
	"long$(printf 'x%.0s' $(seq 1 240)).example"
)

make_c1_pki() {
	[ -s "$HOSTILE/c1.crt" ] && return
	log "creating the C1 certificate in $HOSTILE"
	local s args=()
	for s in "${C1_SNI[@]}"; do
		args+=("$(printf '%b' "$s" | od -An -v -tx1 | tr -d ' \n')")
	done
	"$PY" - "$HOSTILE" "${args[@]}" <<-'PYEOF'
	import datetime, sys
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import padding, rsa
	from cryptography.x509.name import _ASN1Type
	from cryptography.x509.oid import NameOID
	out = sys.argv[1]
	raw = [bytes.fromhex(h) for h in sys.argv[2:]]
	# longer ones for the certificate only: an overlong subject and a SAN of 4000 bytes
	raw.append(b"\x9b" * 8 + b"\xc2\x9b" * 8 + b"\x1b]8;;javascript:x\x1b\\" + b"L" * 3000)
	raw.append(b"<script>alert(document.cookie)</script>" * 100)
	holders = []
	for i, r in enumerate(raw):
	    h = (b"PH%02d" % i + b"q" * len(r))[:len(r)]
	    assert len(r) >= 4 and len(h) == len(r)
	    holders.append(h)
	key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
	def attr(oid, h, t=_ASN1Type.UTF8String):
	    return x509.NameAttribute(oid, h.decode(), _type=t, _validate=False)
	# OpenSSL refuses a certificate whose UTF8String is not UTF-8: the raw bytes go into
	# T61Strings (read as Latin-1 by OpenSSL, as bytes by a naive reader)
	t61 = _ASN1Type.T61String
	name = x509.Name([
	    attr(NameOID.COMMON_NAME, holders[1], t61),
	    attr(NameOID.ORGANIZATION_NAME, holders[2]),
	    attr(NameOID.ORGANIZATIONAL_UNIT_NAME, holders[0], t61),
	    attr(NameOID.ORGANIZATIONAL_UNIT_NAME, holders[3]),
	    attr(NameOID.LOCALITY_NAME, holders[4]),
	    attr(NameOID.STATE_OR_PROVINCE_NAME, holders[5], t61),
	    attr(NameOID.ORGANIZATIONAL_UNIT_NAME, holders[7], t61),
	])
	now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
	cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
	        .public_key(key.public_key()).serial_number(x509.random_serial_number())
	        .not_valid_before(now - datetime.timedelta(hours=1))
	        .not_valid_after(now + datetime.timedelta(days=3650))
	        .add_extension(x509.SubjectAlternativeName(
	            [x509.DNSName(h.decode()) for h in holders]), critical=False)
	        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
	        .sign(key, hashes.SHA256()))
	der = cert.public_bytes(serialization.Encoding.DER)
	tbs = cert.tbs_certificate_bytes
	new = tbs
	for h, r in zip(holders, raw):
	    assert new.count(h) >= 1, h
	    new = new.replace(h, r)
	sig = key.sign(new, padding.PKCS1v15(), hashes.SHA256())
	assert len(sig) == len(cert.signature)
	der = der.replace(tbs, new).replace(cert.signature, sig)
	x509.load_der_x509_certificate(der)
	open(out + "/c1.key", "wb").write(key.private_bytes(
	    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
	    serialization.NoEncryption()))
	open(out + "/c1.der", "wb").write(der)
	PYEOF
	openssl x509 -inform DER -in "$HOSTILE/c1.der" -out "$HOSTILE/c1.crt"
	rm -f "$HOSTILE/c1.der"
}

# hostile_run NAME CERT KEY SNI...: one s_server session per SNI, each refused (unknown_ca).
hostile_run() {
	local name=$1 crt=$2 key=$3 sni
	shift 3
	topo_direct
	cap_start c c0 "$name"
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept 443 -naccept "$#" -tls1_2 \
		-cert "$crt" -key "$key" <&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 443
	for sni in "$@"; do
		# s_client sends the name's bytes as they are; it refuses the certificate
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$sni" -CAfile "$PKI/root.crt" -verify_return_error \
			</dev/null 8>&- >>"$TMP/client.log" 2>&1 || true
		sleep 0.2
	done
	wait_gone "$SRV_PID" 3
	cap_stop "$name"
	expect "$name" "$#" "src host 10.99.1.1 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == 48"
}

rec_hostile_c1() {
	local s snis=()
	for s in "${C1_SNI[@]}"; do
		snis+=("$(printf '%b' "$s")")
	done
	hostile_run hostile-c1 "$HOSTILE/c1.crt" "$HOSTILE/c1.key" "${snis[@]}"
}

eval "lib_make_pki() $(declare -f make_pki | tail -n +2)"
make_pki() { lib_make_pki; make_hostile_pki; make_c1_pki; }
record_main "$@"
