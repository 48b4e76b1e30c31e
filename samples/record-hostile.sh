#!/bin/bash
# Record a capture whose packet strings are hostile to reports (HTML, script, Markdown links,
# ANSI and OSC 8 terminal escapes, path traversal): a real OpenSSL s_server whose self-signed
# certificate carries them in its subject and SANs, and real s_client connections sending
# them as SNI.  The client does not trust the certificate (unknown_ca), so findings exist.
#
#   usage (root):  bash samples/record-hostile.sh
#
# The certificate is made once in samples/pki-hostile/ (kept when present) with
# python3-cryptography, which writes any bytes into a name.  Only namespaces named
# sdrec<PID>* are created (10.99.x.x inside them); everything started is killed by PID.
set -euo pipefail

ALL=(hostile-strings)
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
	local sni n=${#STRINGS[@]}
	topo_direct
	cap_start c c0 hostile-strings
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept 443 -naccept "$n" -tls1_2 \
		-cert "$HOSTILE/hostile.crt" -key "$HOSTILE/hostile.key" \
		<&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 443
	for sni in "${STRINGS[@]}"; do
		# s_client sends the name's bytes as they are; it refuses the certificate
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$sni" -CAfile "$PKI/root.crt" -verify_return_error \
			</dev/null 8>&- >>"$TMP/client.log" 2>&1 || true
		sleep 0.2
	done
	wait_gone "$SRV_PID" 3
	cap_stop hostile-strings
	expect hostile-strings "$n" "src host 10.99.1.1 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == 48"
}

eval "lib_make_pki() $(declare -f make_pki | tail -n +2)"
make_pki() { lib_make_pki; make_hostile_pki; }
record_main "$@"
