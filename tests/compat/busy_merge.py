#!/usr/bin/env python3
"""A failure gives the same findings alone as amid thousands of concurrent flows.

Each failing sample below is shifted in time into a busy generated capture
(../shared/bench/make-bench-pcap --size 256M --rate 6000: some 3,500 flows open at once,
TLS, DTLS, IKE and ESP), merged with mergecap, and analysed.  Every finding the sample
gives alone must come out of the merged capture with the same kind and severity, naming
the sample's own connections, and the run must say it lost nothing (no rule state
evicted, no flow evicted).  Skipped where ../shared is absent (a user's clone).

usage: busy_merge.py SHAKEDOWN
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# One sample per rule area, each a real recorded failure (samples/README.md).
SAMPLES = [
    "tcp-syn-unanswered.pcap",       # rules_tcp.c: finding decided when the flow ends
    "tls-reset-injected.pcap",       # rules_tcp.c: forged reset, TTL compared
    "neg-no-shared-cipher.pcap",     # rules_tls.c: per-flow handshake state
    "trust-unknown-ca.pcap",         # rules_trust.c: chain + the client's alert
    "icept-fortinet.pcap",           # rules_intercept.c: per-connection state at flow end
    "lb-backends.pcap",              # rules_intercept.c: per-name summary across flows
    "revocation-unreachable.pcap",   # rules_path.c: DNS answers + failed attempts
    "ike-no-proposal.pcap",          # rules_ike.c
    "ike-rekey-periodic.pcap",       # rules_ikesa.c: IKE SAs across time
    "esp-one-way.pcap",              # rules_esp.c: tunnels at the end
]
EPOCH = 1796083200       # 2026-12-01T00:00:00Z: inside every sample certificate's validity


def findings(binary, pcap, extra):
    r = common.run([binary, "--no-progress", "--json", "-v", *extra, pcap], timeout=900)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{binary} {pcap}: exit {r.returncode}: {r.stderr.decode()[:500]}")
    out = []
    for line in r.stdout.decode().splitlines():
        d = json.loads(line)
        if "kind" in d and "severity" in d:
            out.append(d)
    return out, r.stderr.decode()


def tuples(f):
    return {(x.get("source.ip"), x.get("source.port"), x.get("destination.ip"),
             x.get("destination.port")) for x in f.get("flows", [])}


def first_ts(pcap):
    r = common.run(["capinfos", "-a", "-S", "-T", "-r", pcap])
    return float(r.stdout.decode().strip().split("\t")[-1])


def main():
    binary = sys.argv[1]
    shared = os.path.join(os.path.dirname(common.REPO), "shared")
    gen = os.path.join(shared, "bench", "make-bench-pcap")
    if not os.path.isfile(gen):
        print("SKIP: ../shared/bench is absent")
        return common.SKIP
    for tool in ("mergecap", "editcap", "capinfos"):
        if shutil.which(tool) is None:
            print(f"SKIP: {tool} is not installed")
            return common.SKIP
    tmp = tempfile.mkdtemp(prefix="sd-busy-")
    fail = passed = 0
    try:
        busy = os.path.join(tmp, "busy.pcap")
        subprocess.run([sys.executable, gen, "-q", "-o", busy, "--size", "256M",
                        "--rate", "6000", "--epoch", str(EPOCH)], check=True)
        for name in SAMPLES:
            sample = os.path.join(common.REPO, "samples", name)
            shifted = os.path.join(tmp, "shifted.pcap")
            merged = os.path.join(tmp, "merged.pcap")
            # the sample starts 50 ms into the busy capture, all its flows amid the others
            delta = EPOCH + 0.05 - first_ts(sample)
            subprocess.run(["editcap", "-t", f"{delta:.6f}", sample, shifted], check=True)
            subprocess.run(["mergecap", "-F", "pcap", "-w", merged, busy, shifted], check=True)
            ca = ["--ca-file", os.path.join(common.REPO, "samples", "pki", "root.crt")]
            alone, _ = findings(binary, shifted, ca)
            amid, stats = findings(binary, merged, ca)
            problems = []
            if not alone:
                problems.append("the sample alone gives no finding (not a failure sample?)")
            for f in alone:
                mine = tuples(f)
                match = [g for g in amid if g["kind"] == f["kind"] and
                         g["severity"] == f["severity"] and mine <= tuples(g)]
                if not match:
                    problems.append(f"missing amid the busy capture: {f['kind']} "
                                    f"({f['severity']}) {f['summary']}")
            lost = [l for l in stats.splitlines() if l.startswith("shakedown: lost: ")]
            if len(lost) != 1:
                problems.append("no 'lost:' statistics line in -v output")
            elif any(not part.endswith(" 0") for part in lost[0][17:].split(", ")):
                problems.append(f"the run lost state: {lost[0]}")
            if problems:
                fail += 1
                print(f"FAIL {name}:")
                for p in problems:
                    print(f"  {p}")
            else:
                passed += 1
            os.unlink(shifted)
            os.unlink(merged)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"busy merge: {passed} passed, {fail} failed")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
