#!/usr/bin/env python3
"""tests/compat/tshark_tls.py - differential test of the TLS/DTLS events against tshark.

For every capture in the shared corpus (and samples/*.pcap) run
    tshark -r FILE -T json -J "frame tls dtls"
and `shakedown --events FILE`, match the messages per (frame, type, position in frame) and
compare every field of spec/events.md for which tshark gives a value (certificate
chain fields: what `openssl x509 -nameopt RFC2253` prints for the DER tshark shows).  Differences are
allowed only when listed in tests/compat/tls-exceptions.tsv:
    file <TAB> frame <TAB> field <TAB> reason
(file relative to the corpus, or samples/NAME; frame and field may be `*`; field `message`
stands for a message present on one side only).
A capture with NAME.keylog next to it is read with that key log on both sides (tshark
-o tls.keylog_file:NAME.keylog, shakedown --keylog NAME.keylog): the decrypted TLS 1.3
Certificate messages and alerts are compared too; a pcapng Decryption Secrets Block is
read by both without an option.

Usage: tshark_tls.py SHAKEDOWN [FILE...]
Environment: SD_CORPUS (default: ../shared/corpus next to the repository),
SD_EVENTS_CMD (a command used instead of `SHAKEDOWN --events`, for development),
SD_TLS_VERBOSE=1 (list matched messages too).
Exit status: 0 no unlisted difference, 1 unlisted differences (printed), 77 skipped
(no corpus or no tshark).
"""

import hashlib
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
HRR_RANDOM = bytes.fromhex(
    "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
TYPES = ("tls.client_hello", "tls.server_hello", "tls.certificate", "tls.alert",
         "dtls.hello_verify_request")


def pairs_hook(pairs):
    """Keep duplicate keys in order (tshark -T json repeats keys)."""
    return pairs


def items(node):
    """(key, value) pairs of a JSON object parsed with pairs_hook."""
    return node if isinstance(node, list) else []


def norm(key):
    return "tls." + key[5:] if key.startswith("dtls.") else key


def flat(node, out):
    """All (key, scalar) pairs below node, in document order, keys normalised."""
    for k, v in items(node):
        if isinstance(v, list):
            if v and all(isinstance(e, tuple) for e in v):
                flat(v, out)
            else:
                for e in v:
                    if isinstance(e, list):
                        flat(e, out)
                    else:
                        out.append((norm(k), e))
        else:
            out.append((norm(k), v))
    return out


def num(v):
    return int(v, 16) if isinstance(v, str) and v.startswith("0x") else int(v)


def unhex(v):
    return bytes.fromhex(v.replace(":", "")) if v else b""


def ext_nodes(hs):
    """Extension subtrees of a handshake node, in order: (type, flattened fields)."""
    exts = []
    for k, v in items(hs):
        if isinstance(v, list) and v and isinstance(v[0], tuple):
            f = flat(v, [])
            keys = [a for a, _ in f]
            if k.startswith("Extension:") and "tls.handshake.extension.type" in keys:
                exts.append((num(dict(f)["tls.handshake.extension.type"]), f))
    return exts


def first(f, key):
    for k, v in f:
        if k == key:
            return v
    return None


def all_of(f, key):
    return [v for k, v in f if k == key]


def client_hello(hs, dtls):
    f = flat(hs, [])
    m = {"dtls": dtls}
    v = first(f, "tls.handshake.version")
    if v is not None:
        m["legacy_version"] = num(v)
    top = [(k, v) for k, v in items(hs)]
    suites = []
    for k, v in top:
        if norm(k) == "tls.handshake.ciphersuites":
            suites = [num(x) for x in all_of(flat(v, []), "tls.handshake.ciphersuite")]
    if suites or first(f, "tls.handshake.cipher_suites_length") is not None:
        m["ciphers"] = suites
    exts = ext_nodes(hs)
    if first(f, "tls.handshake.extensions_length") is not None or exts:
        m["extensions"] = [t for t, _ in exts]
    m["sni"] = None
    m["alpn"] = []
    m["supported_versions"] = []
    m["groups"] = []
    m["sig_algs"] = []
    for t, ef in exts:
        if t == 0:
            m["sni"] = first(ef, "tls.handshake.extensions_server_name")
        elif t == 16:
            m["alpn"] = all_of(ef, "tls.handshake.extensions_alpn_str")
        elif t == 43:
            m["supported_versions"] = [num(x) for x in
                                       all_of(ef, "tls.handshake.extensions.supported_version")]
        elif t == 10:
            m["groups"] = [num(x) for x in
                           all_of(ef, "tls.handshake.extensions_supported_group")]
        elif t == 13:
            m["sig_algs"] = [num(x) for x in all_of(ef, "tls.handshake.sig_hash_alg")]
    ja3 = first(f, "tls.handshake.ja3")
    if ja3 is not None:
        m["ja3"] = ja3
    return m


def server_hello(hs, dtls):
    f = flat(hs, [])
    m = {"dtls": dtls}
    legacy = first(f, "tls.handshake.version")
    if legacy is not None:
        m["legacy_version"] = num(legacy)
    c = first(f, "tls.handshake.ciphersuite")
    if c is not None:
        m["cipher"] = num(c)
    exts = ext_nodes(hs)
    m["extensions"] = [t for t, _ in exts]
    sv = None
    for t, ef in exts:
        if t == 43:
            v = first(ef, "tls.handshake.extensions.supported_version")
            sv = num(v) if v is not None else None
    if legacy is not None:
        m["version"] = sv if sv is not None else num(legacy)
    rnd = first(f, "tls.handshake.random")
    if rnd is not None:
        m["hello_retry"] = unhex(rnd) == HRR_RANDOM
    ja3s = first(f, "tls.handshake.ja3s")
    if ja3s is not None:
        m["ja3s"] = ja3s
    return m


def certificate(hs, dtls):
    f = flat(hs, [])
    certs = [unhex(c) for c in all_of(f, "tls.handshake.certificate")]
    return {"dtls": dtls, "chain": [openssl_facts(der) for der in certs]}


OPENSSL_CACHE = {}
MONTHS = {m: i + 1 for i, m in enumerate(
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def iso(openssl_date):
    """'Nov  3 18:16:08 2026 GMT' -> '2026-11-03T18:16:08Z'."""
    mon, day, hms, year = openssl_date.split()[:4]
    return "%s-%02d-%02dT%sZ" % (year, MONTHS[mon], int(day), hms)


def openssl_facts(der):
    """The chain fields of spec/events.md for one certificate, as the openssl CLI prints
    them (subject/issuer with -nameopt RFC2253); only sha256 when openssl cannot parse it."""
    digest = hashlib.sha256(der).hexdigest()
    if digest in OPENSSL_CACHE:
        return dict(OPENSSL_CACHE[digest])
    facts = {"sha256": digest}
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject",
                          "-issuer", "-serial", "-startdate", "-enddate", "-nameopt",
                          "RFC2253", "-ext", "subjectAltName"],
                         input=der, capture_output=True, check=False)
    if out.returncode == 0:
        lines = out.stdout.decode("utf-8", "replace").splitlines()
        san = []
        for i, line in enumerate(lines):
            key, _, val = line.partition("=")
            if key == "subject":
                facts["subject"] = val
            elif key == "issuer":
                facts["issuer"] = val
            elif key == "serial":
                neg = val.startswith("-")
                v = val.lstrip("-").lower().lstrip("0") or "0"
                facts["serial"] = ("-" + v) if neg else v
            elif key == "notBefore":
                facts["not_before"] = iso(val)
            elif key == "notAfter":
                facts["not_after"] = iso(val)
            elif line.startswith("X509v3 Subject Alternative Name") and i + 1 < len(lines):
                for part in lines[i + 1].split(","):
                    part = part.strip()
                    if part.startswith("DNS:"):
                        san.append(part[4:])
        facts["san_dns"] = san
    OPENSSL_CACHE[digest] = facts
    return dict(facts)


# tshark preferences some files need to be decoded at all: nothing on the wire tells the
# length of an OpenVPN tls-auth HMAC, and tshark assumes 20 bytes (SHA-1) unless told.
TSHARK_OPTS = {
    "mercury/openvpn_tcp_single.pcap": [
        "-o", "openvpn.tls_auth_detection_override:TRUE", "-o", "openvpn.tls_auth:TRUE",
        "-o", "openvpn.tls_auth_hmac_size:32"],
    "samples/openvpn-tcp-tls-auth.pcap": [
        "-o", "openvpn.tls_auth_detection_override:TRUE", "-o", "openvpn.tls_auth:TRUE",
        "-o", "openvpn.tls_auth_hmac_size:32"],
}


def keylog_of(path):
    """NAME.keylog next to NAME.pcap: both sides decrypt TLS 1.3 with it."""
    k = os.path.splitext(path)[0] + ".keylog"
    return k if os.path.exists(k) else None


def tshark_messages(path, opts=(), keylog=None):
    """{frame: [(type, fields)]} from tshark."""
    opt = ["-o", "tls.keylog_file:" + keylog] if keylog else []
    # CAPWAP data (UDP 5247): read the 802.11 frame control in RFC 5416's byte order;
    # Wireshark's default swaps it, for the access points of its draft-era Cisco support.
    out = subprocess.run(["tshark", "-o", "capwap.swap_fc:FALSE", "-r", path] + list(opts) +
                         opt + ["-T", "json", "-J", "frame tls dtls"],
                         capture_output=True, check=False)
    try:
        pkts = json.loads(out.stdout.decode("utf-8", "replace") or "[]",
                          object_pairs_hook=pairs_hook)
    except json.JSONDecodeError:
        return None
    msgs = {}
    for pkt in pkts:
        layers = dict(dict(pkt)["_source"])["layers"]
        frame = None
        found = []
        for lk, lv in items(layers):
            if lk == "frame":
                frame = int(first(flat(lv, []), "frame.number"))
            elif lk in ("tls", "dtls"):
                walk_records(lv, lk == "dtls", found)
        if found and frame is not None:
            msgs[frame] = found
    return msgs


def walk_records(node, dtls, found):
    """Find records and handshake messages below node, in order."""
    for k, v in items(node):
        nk = norm(k)
        if nk == "tls.record" and isinstance(v, list):
            rec = v
            ctype = None
            for rk, rv in items(rec):
                if norm(rk) == "tls.record.content_type":
                    ctype = int(rv)
            if ctype == 21:
                alert = None
                for rk, rv in items(rec):
                    if norm(rk) == "tls.alert_message":
                        alert = rv
                if isinstance(alert, list) and alert:
                    af = flat(alert, [])
                    found.append(("tls.alert", {
                        "dtls": dtls, "encrypted": False,
                        "level": num(first(af, "tls.alert_message.level")),
                        "description": num(first(af, "tls.alert_message.desc"))}))
                elif alert is not None:
                    found.append(("tls.alert", {"dtls": dtls, "encrypted": True,
                                                "level": None, "description": None}))
                continue
            rf = flat(rec, [])
            if any(a == "tls.handshake.cipherspec" for a, _ in rf):
                # SSLv2-compatible ClientHello: fields sit in the record itself
                found.append(("tls.client_hello", {
                    "dtls": dtls,
                    "legacy_version": num(first(rf, "tls.handshake.version")),
                    "ciphers": [num(x) for x in all_of(rf, "tls.handshake.cipherspec")],
                    "extensions": []}))
                continue
            walk_records(rec, dtls, found)
        elif nk == "tls.handshake" and isinstance(v, list):
            handshake(v, dtls, found)
        elif isinstance(v, list) and v and isinstance(v[0], tuple):
            walk_records(v, dtls, found)


def handshake(hs, dtls, found):
    f = items(hs)
    t = None
    frag = None
    for k, v in f:
        nk = norm(k)
        if nk == "tls.handshake.type":
            t = int(v)
        elif nk in ("tls.handshake.fragment_offset",):
            frag = frag or {}
            frag["off"] = int(v)
        elif nk == "tls.handshake.fragment_length":
            frag = frag or {}
            frag["len"] = int(v)
        elif nk == "tls.handshake.length":
            frag = frag or {}
            frag["mlen"] = int(v)
    if t is None:
        # a reassembled DTLS message or a nested handshake
        walk_records(hs, dtls, found)
        return
    if dtls and frag and "len" in frag and frag.get("len") != frag.get("mlen"):
        # a DTLS fragment: tshark shows the reassembled message separately
        if not any(norm(k) == "tls.handshake.ciphersuite" or k.startswith("Extension:")
                   or norm(k) in ("tls.handshake.certificates", "tls.handshake.cookie_length")
                   for k, _ in f):
            return
    if t == 1:
        found.append(("tls.client_hello", client_hello(hs, dtls)))
    elif t == 2:
        found.append(("tls.server_hello", server_hello(hs, dtls)))
    elif t == 11:
        fl = flat(hs, [])
        if any(k in ("tls.handshake.certificate", "tls.handshake.certificates_length")
               for k, _ in fl):
            found.append(("tls.certificate", certificate(hs, dtls)))
    elif t == 3 and dtls:
        cl = first(flat(hs, []), "tls.handshake.cookie_length")
        if cl is not None:
            found.append(("dtls.hello_verify_request", {"cookie_len": int(cl)}))


def ours(shakedown, path, keylog=None):
    cmd = os.environ.get("SD_EVENTS_CMD")
    argv = shlex.split(cmd) + [path] if cmd else [shakedown, "--events", path]
    if keylog:
        argv[-1:-1] = ["--keylog", keylog]
    out = subprocess.run(argv, capture_output=True, check=False)
    msgs = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        try:
            ev = json.loads(line)
        except json.JSONDecodeError:
            continue
        if ev.get("type") in TYPES:
            msgs.setdefault(int(ev["frame"]), []).append((ev["type"], ev))
    return msgs, out.returncode


def load_exceptions():
    exc = []
    path = os.path.join(HERE, "tls-exceptions.tsv")
    if not os.path.exists(path):
        return exc
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4:
                exc.append((parts[0], parts[1], parts[2]))
    return exc


def excused(exc, name, frame, field):
    for f, fr, fd in exc:
        if f == name and fr in ("*", str(frame)) and fd in ("*", field):
            return True
    return False


def compare_fields(theirs, mine):
    """Field names whose values differ (only where tshark has a value)."""
    bad = []
    for k, v in theirs.items():
        if k == "chain":
            mc = mine.get("chain", [])
            if [c["sha256"] for c in v] != [c.get("sha256") for c in mc]:
                bad.append((k, [c["sha256"] for c in v], [c.get("sha256") for c in mc]))
                continue
            for i, (tc, oc) in enumerate(zip(v, mc)):
                for fk, fv in tc.items():
                    if oc.get(fk) != fv:
                        bad.append(("chain[%d].%s" % (i, fk), fv, oc.get(fk)))
            continue
        if mine.get(k) != v:
            bad.append((k, v, mine.get(k)))
    return bad


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    shakedown = sys.argv[1]
    corpus = os.environ.get("SD_CORPUS",
                            os.path.join(os.path.dirname(REPO), "shared", "corpus"))
    if not os.path.isdir(corpus) or subprocess.run(
            ["sh", "-c", "command -v tshark"], capture_output=True).returncode != 0:
        print("skip: no corpus at %s or no tshark" % corpus)
        return 77
    files = sys.argv[2:]
    if not files:
        for root, _, names in os.walk(corpus):
            for n in sorted(names):
                if n.endswith((".pcap", ".pcapng", ".cap")):
                    files.append(os.path.join(root, n))
        sd = os.path.join(REPO, "samples")
        if os.path.isdir(sd):
            files += [os.path.join(sd, n) for n in sorted(os.listdir(sd))
                      if n.endswith((".pcap", ".pcapng"))]
    files.sort()
    exc = load_exceptions()
    verbose = os.environ.get("SD_TLS_VERBOSE") == "1"
    total = matched = diffs = excused_n = 0
    for path in files:
        name = os.path.relpath(path, corpus) if path.startswith(corpus) else \
            "samples/" + os.path.basename(path)
        keylog = keylog_of(path)
        theirs = tshark_messages(path, TSHARK_OPTS.get(name, ()), keylog)
        if theirs is None:
            continue
        mine, rc = ours(shakedown, path, keylog)
        if rc < 0:
            print("%s: shakedown died with signal %d" % (name, -rc))
            diffs += 1
            continue
        report = []
        for frame in sorted(set(theirs) | set(mine)):
            t_list, m_list = theirs.get(frame, []), list(mine.get(frame, []))
            for typ, tf in t_list:
                total += 1
                idx = next((i for i, (mt, _) in enumerate(m_list) if mt == typ), None)
                if idx is None:
                    if excused(exc, name, frame, "message"):
                        excused_n += 1
                    else:
                        report.append("  frame %d %s: missing in shakedown" % (frame, typ))
                    continue
                _, mf = m_list.pop(idx)
                bad = compare_fields(tf, mf)
                ok = True
                for field, tv, mv in bad:
                    if excused(exc, name, frame, field):
                        excused_n += 1
                        continue
                    ok = False
                    report.append("  frame %d %s.%s: tshark %s, shakedown %s" %
                                  (frame, typ, field, json.dumps(tv), json.dumps(mv)))
                if ok:
                    matched += 1
                    if verbose:
                        print("ok %s frame %d %s" % (name, frame, typ))
            for typ, _ in m_list:
                if excused(exc, name, frame, "message"):
                    excused_n += 1
                else:
                    report.append("  frame %d %s: only in shakedown" % (frame, typ))
        if report:
            diffs += len(report)
            print("%s:" % name)
            print("\n".join(report))
    print("tshark_tls: %d files, %d tshark messages, %d matched, %d unlisted differences, "
          "%d excused" % (len(files), total, matched, diffs, excused_n))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
