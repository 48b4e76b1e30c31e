#!/usr/bin/env python3
"""Allocation failures: make the Nth allocation of a run fail, for N over the whole run.

Needs a build configured with -DSD_ALLOC_FAIL=ON (the dev preset is): the environment
variable SD_ALLOC_FAIL=N makes shakedown's Nth allocation return NULL (cli/alloc.h).

For each case (a sample and the options that reach one protocol path or output), a first
run counts the allocations and where the phases start (setup, packets, output).  Then one
run per chosen N checks:
  - the exit status is 0, 1 or 2 (never a signal, never a sanitizer abort);
  - no AddressSanitizer, LeakSanitizer or UBSan report on stderr;
  - exit 2 comes with an error line ("shakedown: ..." other than the allocfail line);
  - every line of the JSON output parses (a dropped line is fine, half a line is not);
  - a failure during the packets phase that does not end the run is counted: stderr says
    "memory allocations failed" and the JSON summary has lost.allocation_failures.
Setup allocations are the same in every case: every N of the setup phase is tried on the
first case only; the packets and output phases of every case are tried at every N, or at an
evenly spaced, deterministic selection when there are more than --max-per-case.
The last line says how many runs were made.  Usage: run.py SHAKEDOWN [--max-per-case K]
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S = os.path.join(SRC, "samples")

# (name, options, JSON output on stdout).  Together: TLS, TLS 1.3 with a key log, a pcapng
# Decryption Secrets Block, DTLS, IKEv2 with ESP, IKE fragments, IKEv1, OpenVPN, CAPWAP,
# proxies, tunnels, IP fragments, interception, hostile strings; findings, events, sessions,
# the -o stream, report (HTML and Markdown) and evidence outputs.
CASES = [
    ("kl-ok+keylog+sessions", ["-j", "--sessions", "-v", "--keylog", f"{S}/kl-ok.keylog",
                               f"{S}/kl-ok.pcap"], True),
    ("kl-untrusted-dsb", ["-j", f"{S}/kl-untrusted-dsb.pcapng"], True),
    ("dtls-untrusted", ["-j", "-v", f"{S}/dtls-untrusted.pcap"], True),
    ("ikev2-esp-events", ["-e", f"{S}/ikev2-esp.pcap"], True),
    ("ike-auth-fragmented", ["-j", "--sessions", f"{S}/ike-auth-fragmented.pcap"], True),
    ("ikev1-main", ["-j", f"{S}/ikev1-main.pcap"], True),
    ("openvpn-udp", ["-j", f"{S}/openvpn-udp.pcap"], True),
    ("capwap-dtls", ["-e", f"{S}/capwap-dtls-untrusted.pcap"], True),
    ("proxy-connect", ["-j", f"{S}/proxy-connect.pcap"], True),
    ("asym-tunnels", ["-j", f"{S}/asym-tunnels.pcap"], True),
    ("ip-fragments-events", ["-e", f"{S}/ip-fragments.pcap"], True),
    ("icept-report-evidence", ["-j", "--report", "@/r.html", "--evidence", "@/ev",
                               f"{S}/icept-fortinet.pcap"], True),
    ("hostile-report-md-o", ["--report", "@/r.md", "-o", "@/out.jsonl",
                             f"{S}/hostile-strings.pcap"], False),
]

SANITIZER = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|"
                       r"SUMMARY: (Address|Leak|Undefined)")
COUNT = re.compile(r"allocfail: (\d+) allocations, packets from #(\d+), output from #(\d+)")
FAILED = re.compile(r"allocfail: \d+ allocations, (\d+) failed, first at #(\d+) in phase (\w+)")


def run(binary, opts, n):
    """One run with SD_ALLOC_FAIL=n in a scratch directory: (rc, stdout, stderr, dir)."""
    d = tempfile.mkdtemp(prefix="sd-allocfail-")
    args = [binary, "--no-geoip", "--color", "never", "--no-progress"]
    args += [a.replace("@", d, 1) if a.startswith("@/") else a for a in opts]
    env = dict(os.environ, SD_ALLOC_FAIL=str(n))
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    try:
        p = subprocess.run(args, env=env, capture_output=True, timeout=120, cwd=d)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace"), d
    except subprocess.TimeoutExpired:
        return "timeout", b"", "", d


def json_problems(data, what):
    out = []
    for i, line in enumerate(data.decode(errors="replace").splitlines(), 1):
        try:
            json.loads(line)
        except ValueError:
            out.append(f"{what} line {i} is not JSON: {line[:120]!r}")
    return out


def summary_counts(data):
    """lost.allocation_failures of the last summary line (0 when absent)."""
    for line in reversed(data.decode(errors="replace").splitlines()):
        try:
            o = json.loads(line)
        except ValueError:
            continue
        if o.get("type") == "summary":
            return o.get("lost", {}).get("allocation_failures", 0)
    return None


def check(binary, case, n):
    name, opts, json_out = case
    rc, out, err, d = run(binary, opts, n)
    probs = []
    try:
        if rc not in (0, 1, 2):
            probs.append(f"exit status {rc}")
        if SANITIZER.search(err):
            probs.append("sanitizer report: " + SANITIZER.search(err).group(0))
        m = FAILED.search(err)
        phase = m.group(3) if m else "none"
        failed = int(m.group(1)) if m else 0
        lines = [l for l in err.splitlines() if l.startswith("shakedown:")
                 and "allocfail:" not in l]
        if rc == 2 and not lines:
            probs.append("exit 2 without an error message")
        if json_out:
            probs += json_problems(out, "stdout")
        jo = os.path.join(d, "out.jsonl")
        if os.path.exists(jo):
            with open(jo, "rb") as f:
                probs += json_problems(f.read(), "-o file")
        if failed and phase == "packets" and rc != 2:
            if "memory allocations failed" not in err:
                probs.append("a failure while reading packets is not counted on stderr")
            if json_out and "-e" not in opts:
                c = summary_counts(out)
                if c is not None and c < 1:
                    probs.append("the JSON summary does not count the failure")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if probs:
        tail = "\n    ".join(err.splitlines()[-12:])
        return [f"{name} N={n} (phase {phase}): " + "; ".join(probs) + "\n    " + tail]
    return []


def spread(lo, hi, k):
    """Every N of [lo, hi], or k evenly spaced ones including both ends."""
    if hi < lo:
        return []
    if hi - lo + 1 <= k:
        return list(range(lo, hi + 1))
    return sorted({lo + (hi - lo) * i // (k - 1) for i in range(k)})


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    maxper = 30
    if "--max-per-case" in sys.argv:
        maxper = int(sys.argv[sys.argv.index("--max-per-case") + 1])
    plan = []
    for i, case in enumerate(CASES):
        rc, _, err, d = run(binary, case[1], 0)
        shutil.rmtree(d, ignore_errors=True)
        m = COUNT.search(err)
        if m is None:
            if "allocfail" not in err and i == 0:
                print("SKIP: this shakedown is not built with -DSD_ALLOC_FAIL=ON")
                return 77
            print(f"FAIL: {case[0]}: the counting run printed no count (exit {rc})\n{err}")
            return 1
        total, pk, outp = (int(x) for x in m.groups())
        if pk == 0:
            print(f"FAIL: {case[0]}: the counting run never read packets (exit {rc})\n{err}")
            return 1
        ns = list(range(1, pk)) if i == 0 else []
        ns += spread(pk, total, maxper)
        print(f"{case[0]}: {total} allocations (setup 1..{pk - 1}, packets {pk}.."
              f"{(outp or total + 1) - 1}, output {outp or total + 1}..{total}); "
              f"{len(ns)} runs", flush=True)
        plan += [(case, n) for n in ns]
    problems = []
    jobs = int(os.environ.get("SD_ALLOCFAIL_JOBS", "2"))
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for res in ex.map(lambda cn: check(binary, cn[0], cn[1]), plan):
            for p in res:
                print("FAIL:", p, flush=True)
            problems += res
    print(f"allocfail: {len(plan)} runs over {len(CASES)} cases, {len(problems)} failed "
          f"({time.monotonic() - t0:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
