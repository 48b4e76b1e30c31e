#!/usr/bin/env python3
"""Floods and reassembly abuse: the captures of tests/abuse/gen.py (SYN flood, missing first
segment then megabytes out of order, orphan fragments, IKE_SA_INIT flood, thousands of
certificates, 60-deep tunnels, ClientHellos of 4,000 extensions), each with a real failure
(samples/trust-unknown-ca.pcap) mixed into its middle.

For each kind, with --memcap 64 -v:
- the run ends (exit 0 or 1), and the sanitizer build (the SHAKEDOWN given) reports nothing
  on the SCALE 1 capture;
- peak RSS (the kernel's ru_maxrss of the process, from wait4) stays under 160 MiB.  RSS is
  measured on a build without sanitizers (ASan's shadow memory and quarantine inflate it
  several times): $SD_RELEASE_BIN when set, else a RelWithDebInfo build of the shakedown
  target that this test makes in BUILDDIR/abuse-release (reused when up to date);
- the CPU time (user + system) of twice the input is at most 2.5 times that of the input
  (plus 0.3 s for the start-up: trust store, nDPI);
- -v's "lost:" statistics are printed, and where the flood passes the caps (SYN and IKE
  floods) they count the evictions and the capture summary says "Incomplete analysis ...
  findings may be missing"; any loss counted in -v is said in the summary;
- the real failure's finding (the unknown CA) is reported: near the memory cap a new flow
  ends the least recently active ones, so a flood of idle flows gives way to it.

Usage: flood.py SHAKEDOWN BUILDDIR [KIND...]"""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SD_DEV = os.path.abspath(sys.argv[1])
BUILD = os.path.abspath(sys.argv[2])
KINDS = sys.argv[3:] or ["syn", "ooo", "frag", "ike", "certs", "tunnels", "ext"]
OVER_CAP = {"syn", "ike"}          # floods that must pass --memcap 64 / --max-flows
RSS_LIMIT_KIB = 160 * 1024
REAL = "does not send the issuer 'CN=Other Untrusted Root CA"
ENV = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1", COLUMNS="100", SD_GEOIP_DIRS="")
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)[:800]),
          flush=True)
    if not ok:
        failures.append(what)


def release_binary():
    b = os.environ.get("SD_RELEASE_BIN")
    if b:
        return b
    d = os.path.join(BUILD, "abuse-release")
    t0 = time.time()
    r = subprocess.run(["cmake", "-S", ROOT, "-B", d, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                        "-DCMAKE_C_FLAGS=-D_FORTIFY_SOURCE=3 -fstack-protector-strong"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        r = subprocess.run(["cmake", "--build", d, "--target", "shakedown", "-j2"],
                           capture_output=True, text=True)
    check("a build without sanitizers for RSS", r.returncode == 0, r.stdout[-800:] + r.stderr[-800:])
    print(f"note: release build in {time.time() - t0:.0f} s", flush=True)
    return os.path.join(d, "shakedown") if r.returncode == 0 else None


def run(binary, pcap, env=ENV):
    """(exit status, stdout, stderr, max RSS KiB, CPU seconds) of one run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([binary, "--no-progress", "--memcap", "64", "-v", pcap],
                             stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"), ru.ru_maxrss, ru.ru_utime + ru.ru_stime)


def lost(stderr):
    m = re.search(r"lost: flows evicted (\d+), memcap refusals (\d+)", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    rel = release_binary()
    tmp = tempfile.mkdtemp(prefix="sd-abuse-")
    try:
        for kind in KINDS:
            pcaps = {}
            for scale in (1, 2):
                pcaps[scale] = os.path.join(tmp, f"{kind}-{scale}.pcap")
                subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), kind,
                                str(scale), pcaps[scale]], check=True, stdout=subprocess.DEVNULL)
            # the sanitizer build: no crash, no report, on the smaller one
            rc, out, err, _, _ = run(SD_DEV, pcaps[1])
            check(f"{kind}: sanitizer build ends cleanly", rc in (0, 1) and
                  "Sanitizer" not in err and "runtime error" not in err, (rc, err[-600:]))
            if rel is None:
                continue
            res = {s: run(rel, pcaps[s]) for s in (1, 2)}
            for s, (rc, out, err, rss, cpu) in res.items():
                size = os.path.getsize(pcaps[s]) / 1048576
                print(f"note: {kind} x{s}: {size:.0f} MiB of pcap, {cpu:.2f} s CPU, "
                      f"peak RSS {rss / 1024:.0f} MiB", flush=True)
                check(f"{kind} x{s}: ends (exit 0 or 1)", rc in (0, 1), (rc, err[-400:]))
                check(f"{kind} x{s}: peak RSS under 160 MiB with --memcap 64",
                      rss < RSS_LIMIT_KIB, f"{rss / 1024:.0f} MiB")
                counts = lost(err)
                check(f"{kind} x{s}: -v counts what was lost", counts is not None, err[-600:])
                incomplete = re.search(r"Incomplete analysis: .*findings may be missing", out)
                if kind in OVER_CAP:
                    check(f"{kind} x{s}: evictions counted",
                          counts is not None and counts[0] > 0, counts)
                    check(f"{kind} x{s}: the summary says findings may be missing",
                          incomplete is not None, out[:600])
                if counts is not None and counts[0] + counts[1] > 0:
                    check(f"{kind} x{s}: a loss counted in -v is said in the summary",
                          incomplete is not None, out[:600])
                check(f"{kind} x{s}: the real failure is reported, or its loss is said",
                      REAL in out or incomplete is not None, out[:600])
                # floods of idle flows give way to a live connection (new flows end the
                # least recently active ones near the cap): the failure itself survives
                check(f"{kind} x{s}: the real failure is reported", REAL in out, out[:600])
            c1, c2 = res[1][4], res[2][4]
            check(f"{kind}: twice the input within 2.5 times the CPU time",
                  c2 <= 2.5 * c1 + 0.3, f"{c1:.2f} s then {c2:.2f} s")
            for s in (1, 2):
                os.unlink(pcaps[s])
    finally:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    print("abuse floods: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
