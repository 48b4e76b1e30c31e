#!/usr/bin/env python3
"""--sessions: one JSON line per TLS/DTLS connection and per IKE SA.  Every ClientHello
tshark sees in the bundled samples must be a session line with the same SNI, JA3, JA3S and
version; known outcomes of failing samples; the lines go where the findings' JSON goes.
A difference tests/compat/tls-exceptions.tsv excuses for that sample, frame and field (the
hello's own fields; "message" on any frame for the version a ServerHello gave) is not one.
Usage: sessions.py SHAKEDOWN.  Exit 77 (skipped) without tshark."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SD = sys.argv[1]
failures = []
sys.path.insert(0, os.path.join(ROOT, "tests", "compat"))
from common import load_exceptions  # noqa: E402

EXC = load_exceptions(os.path.join(ROOT, "tests", "compat", "tls-exceptions.tsv"))


def excused(name, frame, field):
    """The TLS differential test's list excuses this difference (its file, frame, field)."""
    f = "samples/" + name
    return any((f, fr, fi) in EXC for fr in (str(frame), "*") for fi in (field, "*"))


VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2",
            0x0304: "TLS 1.3", 0xfeff: "DTLS 1.0", 0xfefd: "DTLS 1.2", 0xfefc: "DTLS 1.3"}


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)[:400]))
    if not ok:
        failures.append(what)


def run(args):
    return subprocess.run([SD, "-q"] + args, capture_output=True, text=True, timeout=120)


def lines(out, typ):
    return [d for d in (json.loads(l) for l in out.splitlines() if l.strip())
            if d.get("type") == typ]


def sessions(path):
    r = run(["--sessions", path])
    if r.returncode != 0:
        check("--sessions runs on " + os.path.basename(path), False, r.stderr)
    return lines(r.stdout, "session")


# RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest, no choice yet
HRR = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"


def num(v):
    v = v.split(",")[0]
    return int(v, 16) if v.startswith("0x") else int(v) if v else None


def tshark_hellos(path):
    """First ClientHello per stream with its ServerHello facts, keyed by the CH frame."""
    fields = ["frame.number", "tcp.stream", "udp.stream", "tls.handshake.type",
              "dtls.handshake.type", "tls.handshake.extensions_server_name",
              "dtls.handshake.extensions_server_name", "tls.handshake.ja3",
              "dtls.handshake.ja3", "tls.handshake.ja3s", "dtls.handshake.ja3s",
              "tls.handshake.version", "dtls.handshake.version",
              "tls.handshake.extensions.supported_version",
              "dtls.handshake.extensions.supported_version", "tls.handshake.random"]
    cmd = ["tshark", "-n", "-r", path, "-Y", "tls.handshake.type == 1 or tls.handshake.type == 2 or "
           "dtls.handshake.type == 1 or dtls.handshake.type == 2", "-T", "fields", "-E", "occurrence=a",
           "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    streams = {}
    for l in out.splitlines():
        v = dict(zip(fields, l.split("\t")))
        stream = ("t" + v["tcp.stream"]) if v["tcp.stream"] else ("u" + v["udp.stream"])
        types = (v["tls.handshake.type"] or v["dtls.handshake.type"]).split(",")
        s = streams.setdefault(stream, {})
        for i, t in enumerate(types):
            if t == "1" and "ch" not in s:
                s["ch"] = int(v["frame.number"])
                s["sni"] = (v["tls.handshake.extensions_server_name"] or
                            v["dtls.handshake.extensions_server_name"]).split(",")[0] or None
                s["ja3"] = (v["tls.handshake.ja3"] or v["dtls.handshake.ja3"]).split(",")[0]
            elif t == "2" and "ch" in s and HRR not in v["tls.handshake.random"]:
                sv = (v["tls.handshake.extensions.supported_version"] or
                      v["dtls.handshake.extensions.supported_version"])
                hv = v["tls.handshake.version"] or v["dtls.handshake.version"]
                # a HelloRetryRequest comes first: the last ServerHello decides
                s["version"] = VERSIONS.get(num(sv.split(",")[-1] if sv else hv.split(",")[i]
                                                if i < len(hv.split(",")) else hv))
                s["ja3s"] = (v["tls.handshake.ja3s"] or v["dtls.handshake.ja3s"]).split(",")[-1]
    return {s["ch"]: s for s in streams.values() if "ch" in s}


if shutil.which("tshark") is None:
    print("skipped: tshark is not installed")
    sys.exit(77)

# 1. every ClientHello tshark sees is a session with the same facts
compared = 0
for path in sorted(glob.glob(os.path.join(ROOT, "samples", "*.pcap"))):
    name = os.path.basename(path)
    ours = {s["frame"]: s for s in sessions(path) if s["protocol"] in ("tls", "dtls")}
    for frame, t in tshark_hellos(path).items():
        s = ours.get(frame)
        if s is None:
            check(f"{name}: ClientHello {frame} has a session line", False, sorted(ours))
            continue
        compared += 1
        diffs = []
        if s["sni"] != t["sni"] and not excused(name, frame, "sni"):
            diffs.append(("sni", s["sni"], t["sni"]))
        if t["ja3"] and s["ja3"] != t["ja3"] and not excused(name, frame, "ja3"):
            diffs.append(("ja3", s["ja3"], t["ja3"]))
        if t.get("ja3s") and s["ja3s"] != t["ja3s"]:
            diffs.append(("ja3s", s["ja3s"], t["ja3s"]))
        if t.get("version") and s["version"] != t["version"]:
            diffs.append(("version", s["version"], t["version"]))
        # a ServerHello only shakedown reads (the list says which, as field "message")
        if "ja3s" not in t and s["version"] is not None and not excused(name, "*", "message"):
            diffs.append(("version without a ServerHello", s["version"], None))
        if diffs:
            check(f"{name}: session of ClientHello {frame} agrees with tshark", False, diffs)
check(f"TLS/DTLS sessions compared with tshark: {compared}", compared >= 30, compared)

# 2. known outcomes
s = sessions(os.path.join(ROOT, "samples", "neg-fatal-alert.pcap"))
check("fatal alert: one TLS session", len(s) == 1, s)
if s:
    check("fatal alert: the server's alert is the outcome",
          s[0]["outcome"] == "failed" and s[0]["alerts"] and
          s[0]["alerts"][0]["sender"] == "server" and s[0]["event.outcome"] == "failure", s[0])

s = sessions(os.path.join(ROOT, "samples", "icept-fortinet.pcap"))
forti = [x for x in s if x["certificate"] and "Fortinet" in (x["certificate"]["issuer"] or "")]
check("interception: the Fortinet-issued chain is in a session", len(forti) >= 1, s)
check("interception: the client refused it (unknown CA)",
      all(x["outcome"] == "refused" and "Unknown CA" in x["outcome_reason"] for x in forti),
      forti)
check("interception: the direct connection was accepted",
      any(x["outcome"] == "accepted" and x["handshake_complete"] for x in s), s)
if forti:
    c = forti[0]["certificate"]
    check("certificate summary: subject, SANs, validity, key",
          c["subject"].startswith("CN=www.example.test") and "www.example.test" in c["san_dns"]
          and c["not_after"] and c["key_type"] and c["chain_length"] >= 1, c)

s = sessions(os.path.join(ROOT, "samples", "ike-no-proposal.pcap"))
check("NO_PROPOSAL_CHOSEN: IKE sessions with the error and the offer",
      len(s) >= 1 and all(x["protocol"] == "ike" and x["error"] == "NO_PROPOSAL_CHOSEN" and
                          x["outcome"] == "failed" and x["offered"].startswith("#1 ")
                          for x in s), s)
s = sessions(os.path.join(ROOT, "samples", "ikev1-main.pcap"))
check("IKEv1 Main Mode: established, offer and choice",
      len(s) == 1 and s[0]["established"] and s[0]["outcome"] == "established" and
      s[0]["chosen"], s)

# 2b. findings carry the JA3 of their connection (ECS tls.client.ja3, flows' ja3/ja4)
r = run(["--sessions", os.path.join(ROOT, "samples", "icept-fortinet.pcap")])
ss = {(x["client"], x["client_port"]): x for x in lines(r.stdout, "session")}
fs = [f for f in lines(r.stdout, "finding") if f["kind"].startswith("tls.")]
check("findings: tls.client.ja3 is the JA3 of the finding's first connection",
      fs and all(f.get("tls.client.ja3") ==
                 ss[(f["flows"][0]["source.ip"], f["flows"][0]["source.port"])]["ja3"] and
                 f["flows"][0]["ja4"] == ss[(f["flows"][0]["source.ip"],
                                             f["flows"][0]["source.port"])]["ja4"]
                 for f in fs), fs[:1])

# 3. where the lines go
sample = os.path.join(ROOT, "samples", "neg-fatal-alert.pcap")
r = run(["--sessions", sample])
check("--sessions alone: JSON on standard output with findings and summary",
      lines(r.stdout, "session") and lines(r.stdout, "finding") and lines(r.stdout, "summary"),
      r.stdout[:300])
tmp = tempfile.mkdtemp(prefix="sd-sessions-")
out = os.path.join(tmp, "out.jsonl")
r = run(["--sessions", "-o", out, sample])
with open(out) as f:
    body = f.read()
check("--sessions -o FILE: sessions in FILE, terminal text on standard output",
      lines(body, "session") and not r.stdout.lstrip().startswith("{") and
      "session" not in r.stdout.split("\n")[0], r.stdout[:200])
r = subprocess.run([SD, "--sessions", "--events", sample], capture_output=True, text=True)
check("--sessions with --events is a usage error", r.returncode == 2, r.returncode)
shutil.rmtree(tmp)

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
