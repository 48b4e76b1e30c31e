#!/usr/bin/env python3
"""Every finding's display filter, given to tshark, selects exactly its evidence frames.

For each capture and option set in tests/golden/TESTLIST (run with --json; --events dropped),
each finding's evidence.wireshark_filter goes to `tshark -r CAPTURE -Y FILTER -T fields
-e frame.number`: tshark must accept it (exit 0, no complaint) and print the finding's
evidence.frames, no more, no fewer.  The filter is the one a user pastes into Wireshark, so
this is what tells the installed Wireshark reads it ("frame.number in {8 10}" was refused
from Wireshark 4.0 on).  tshark starts in about a second, so the runs go in parallel.

usage: filters.py SHAKEDOWN      exit 77 (skipped) when tshark is not installed
"""
import concurrent.futures
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SKIP = 77
ENV = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1")


def cases():
    """(capture, options) pairs of TESTLIST, run with --json: the lines that report
    findings, and once each the captures that only have an --events line."""
    lines = []
    with open(os.path.join(HERE, "TESTLIST")) as f:
        for line in f:
            words = shlex.split(line, comments=True)
            if len(words) >= 2:
                lines.append((words[1], words[2:]))
    out = []
    for pcap, opts in lines:
        if "--events" not in opts:
            key = (pcap, tuple(o for o in opts if o != "--json"))
            if key not in out:
                out.append(key)
    for pcap, opts in lines:
        if not any(k[0] == pcap for k in out):
            out.append((pcap, tuple(o for o in opts if o != "--events")))
    return out


def findings(shakedown, pcap, opts):
    cmd = [shakedown, "--no-progress", "--color", "never", "--json", *opts, pcap]
    p = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=120)
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            obj = json.loads(line)
            if "kind" in obj:
                out.append(obj)
    return out


def tshark_frames(tshark, pcap, filt):
    cmd = [tshark, "-n", "-r", pcap, "-Y", filt, "-T", "fields", "-e", "frame.number"]
    p = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=120)
    err = [l for l in p.stderr.decode("utf-8", "replace").splitlines()
           if l.strip() and "This could be dangerous" not in l]
    frames = set()
    for l in p.stdout.decode("utf-8", "replace").split():
        frames.add(int(l))
    return p.returncode, err, frames


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    shakedown = os.path.abspath(sys.argv[1])
    tshark = shutil.which("tshark")
    if tshark is None:
        print("filters: tshark not installed, skipped")
        return SKIP
    t0 = time.monotonic()
    fails = []
    checks = {}	# (capture, filter) -> (evidence frames, where it came from)
    workers = max(2, 2 * (os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        runs_sd = [(pcap, opts, ex.submit(findings, shakedown, pcap, opts))
                   for pcap, opts in cases()]
    for pcap, opts, fut in runs_sd:
        where = " ".join((pcap,) + opts)
        for fd in fut.result():
            ev = fd.get("evidence", {})
            frames, filt = set(ev.get("frames", [])), ev.get("wireshark_filter")
            name = "%s [%s]" % (fd["kind"], where)
            if not frames:
                if filt is not None:
                    fails.append("%s: no evidence frames but filter %r" % (name, filt))
                continue
            if not filt:
                fails.append("%s: frames %s but no filter" % (name, sorted(frames)))
                continue
            key = (pcap, filt)
            if key in checks and checks[key][0] != frames:
                fails.append("%s: filter %r also given for frames %s" %
                             (name, filt, sorted(checks[key][0])))
            checks.setdefault(key, (frames, name))
    t1 = time.monotonic()
    if not checks:
        fails.append("no finding with a filter in any TESTLIST capture")
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        runs = {k: ex.submit(tshark_frames, tshark, k[0], k[1]) for k in checks}
        for (pcap, filt), fut in runs.items():
            frames, name = checks[(pcap, filt)]
            rc, err, got = fut.result()
            if rc != 0 or err:
                fails.append("%s: tshark refuses %r (exit %d): %s" %
                             (name, filt, rc, " / ".join(err)))
            elif got != frames:
                fails.append("%s: %r selects %s, evidence is %s" %
                             (name, filt, sorted(got), sorted(frames)))
    for f in fails:
        print("FAIL " + f)
    t2 = time.monotonic()
    print("filters: %d captures, %d filters checked with %s, %d failed "
          "(%.1f s shakedown, %.1f s tshark)" %
          (len(runs_sd), len(checks), tshark, len(fails), t1 - t0, t2 - t1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
