#!/usr/bin/env python3
"""Differential test: frame counts and per-flow packet counts, shakedown vs tshark.

For every capture under ../shared/corpus and samples/, the number of frames and, for every
TCP/UDP flow (5-tuple, both directions together), the number of packets must agree with
what tshark decodes.  A reassembled IP datagram counts once, at the frame that completed
it, as tshark counts it; ICMP errors (which quote other packets) and frames tshark cannot
give a single innermost 5-tuple for are left out.  Differences are allowed only where
tests/compat/counts-exceptions.tsv lists them with a reason.

usage: tshark_counts.py SHAKEDOWN [FILE...]
"""
import collections
import concurrent.futures
import json
import os
import sys

from common import (HERE, SKIP, corpus_dir, load_exceptions, manifest, need_tshark, run,
                    samples)

FIELDS = ["frame.number", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport",
          "tcp.dstport", "udp.srcport", "udp.dstport", "icmp.type", "icmpv6.type", "ip.proto"]


def tshark_flows(tshark, path):
    cmd = [tshark, "-n", "-r", path, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=l", "-o", "tcp.desegment_tcp_streams:FALSE",
           # CAPWAP data (UDP 5247): 802.11 frame control in RFC 5416 byte order, as in
           # tshark_tls.py (tshark swaps it by default, for draft-era Cisco access points)
           "-o", "capwap.swap_fc:FALSE"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = run(cmd)
    frames = 0
    flows = collections.Counter()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        c = line.split("\t")
        if len(c) < len(FIELDS):
            continue
        frames += 1
        fr, protos, s4, d4, s6, d6, ts, td, us, ud, icmp, icmp6, _ = c[:13]
        layers = protos.split(":")
        if icmp or icmp6 or "icmp" in layers or "icmpv6" in layers:
            continue
        # the innermost IP layer and the transport right above it (fields hold the
        # last occurrence of each, so tunnels resolve to their inner packet)
        ipl = [i for i, l in enumerate(layers) if l in ("ip", "ipv6")]
        if not ipl:
            continue
        last_ip = ipl[-1]
        src, dst = (s4, d4) if layers[last_ip] == "ip" else (s6, d6)
        l4 = [l for l in layers[last_ip + 1:] if l in ("tcp", "udp")]
        if not src or not l4:
            continue
        if l4[0] == "tcp" and ts and td:
            proto, sp, dp = "tcp", ts, td
        elif l4[0] == "udp" and us and ud:
            proto, sp, dp = "udp", us, ud
        else:
            continue
        a, b = (src, int(sp)), (dst, int(dp))
        flows[(proto,) + tuple(sorted([a, b]))] += 1
    return frames, flows, p.returncode, p.stderr.decode("utf-8", "replace")


def our_flows(shakedown, path):
    p = run([shakedown, "--events", "--no-ndpi", "-q", "--no-progress", path])
    frames = None
    flows = collections.Counter()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        ev = json.loads(line)
        if ev["type"] == "capture":
            frames = ev["frames"]
        elif ev["type"] == "flow" and ev["transport"] in ("tcp", "udp"):
            a, b = (ev["src"], ev["sport"]), (ev["dst"], ev["dport"])
            flows[(ev["transport"],) + tuple(sorted([a, b]))] += ev["packets"]
    return frames, flows, p.returncode


def compare(args):
    shakedown, tshark, path, name = args
    problems = []
    tf, tflows, trc, terr = tshark_flows(tshark, path)
    of, oflows, orc = our_flows(shakedown, path)
    if orc not in (0, 2):
        problems.append(("exit", f"shakedown exited {orc}"))
    if orc == 2 and trc == 0:
        problems.append(("exit", "shakedown reported an input error, tshark read the file"))
    if of != tf:
        problems.append(("frames", f"frames: tshark {tf}, shakedown {of}"))
    for k in sorted(set(tflows) | set(oflows), key=str):
        if tflows.get(k, 0) != oflows.get(k, 0):
            key = f"{k[0]} {k[1][0]}:{k[1][1]} {k[2][0]}:{k[2][1]}"
            problems.append((key, f"packets: tshark {tflows.get(k, 0)}, shakedown {oflows.get(k, 0)}"))
    return name, problems, len(tflows)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    shakedown = os.path.abspath(sys.argv[1])
    tshark = need_tshark()
    files = []
    if len(sys.argv) > 2:
        files = [(p, os.path.basename(p)) for p in sys.argv[2:]]
    else:
        cdir = corpus_dir()
        if cdir is None:
            print("SKIP: ../shared/corpus is not here (a user's clone has none)")
            return SKIP
        files = [(os.path.join(cdir, r["file"]), "corpus/" + r["file"]) for r in manifest(cdir)]
        files += [(p, "samples/" + os.path.basename(p)) for p in samples()]
    exc = load_exceptions(os.path.join(HERE, "counts-exceptions.tsv"))
    used = set()
    failed = 0
    nflows = 0
    jobs = [(shakedown, tshark, p, n) for p, n in files]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for name, problems, nf in ex.map(compare, jobs):
            nflows += nf
            for key, msg in problems:
                e = (name, key, "packets" if key not in ("frames", "exit") else key)
                e2 = (name, "*", "*")
                if e in exc or e2 in exc:
                    used.add(e if e in exc else e2)
                    continue
                failed += 1
                print(f"DIFF {name}: {key}: {msg}")
    for e in sorted(set(exc) - used):
        print(f"note: exception no longer needed: {e}")
    print(f"{len(files)} captures, {nflows} tshark flows compared, {failed} unexplained differences")
    print(f"{0 if failed else 1} passed, {1 if failed else 0} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
