#!/usr/bin/env python3
"""Files given together, --merge, the summary record, times and the text report's layout.

usage: test_files.py SHAKEDOWN

What a user checks: unrelated files are analysed one by one (own findings, own summary,
a section each); --merge on the parts of a rotated capture gives the findings of the whole
capture, each evidence frame named with its file and a filter per file; every finding has
ISO 8601 times; an unreadable input is an error and a summary record, never "no findings";
the text fits the terminal width, explains a kind once, and has no colour for NO_COLOR or a
dumb terminal.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

BIN = os.path.abspath(sys.argv[1])
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CA = ["--ca-file", "samples/pki/root.crt"]
failures = []
passes = 0


def check(name, cond, detail=""):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(name)
        print(f"FAIL: {name}" + (f": {detail}" if detail else ""))


def run(*args, env=None):
    e = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1", COLUMNS="80")
    if env:
        e.update(env)
    r = subprocess.run([BIN, "--no-progress", *args], cwd=REPO, capture_output=True, env=e,
                       timeout=300)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def jlines(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def split_pcap(src, dst_prefix, per_file):
    """Cut a classic pcap into parts of per_file records, as a ring buffer would."""
    data = open(src, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    header, off, recs = data[:24], 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    parts = []
    for i in range(0, len(recs), per_file):
        p = f"{dst_prefix}_{len(parts):05d}.pcap"
        with open(p, "wb") as f:
            f.write(header)
            f.writelines(recs[i:i + per_file])
        parts.append(p)
    return parts, len(recs)


tmp = tempfile.mkdtemp(prefix="sd-files-")
try:
    a, b = "samples/trust-expired-intermediate.pcap", "samples/tcp-syn-unanswered.pcap"

    # --- unrelated files are analysed one by one --------------------------------------
    alone = {}
    for p in (a, b):
        rc, out, _ = run("--json", *CA, p)
        alone[p] = [f for f in jlines(out) if f["type"] == "finding"]
    rc, out, err = run("--json", *CA, a, b)
    lines = jlines(out)
    sums = [x for x in lines if x["type"] == "summary"]
    check("two files: one summary record per file", [s.get("file") for s in sums] == [a, b],
          str(sums))
    check("two files: summary records carry no severity",
          all("severity" not in s for s in sums))
    for p in (a, b):
        mine = [(f["kind"], f["severity"], f["evidence"]["frames"]) for f in lines
                if f["type"] == "finding" and f["file"] == p]
        ref = [(f["kind"], f["severity"], f["evidence"]["frames"]) for f in alone[p]]
        check(f"two files: {p} has the findings it has alone", mine == ref, f"{mine} vs {ref}")
    s_a = next((s for s in sums if s.get("file") == a), {})
    rc1, out1, _ = run("--events", "-q", "--no-ndpi", a)
    cap = [x for x in jlines(out1) if x["type"] == "capture"]
    check("two files: summary frames are the file's own",
          cap and s_a.get("frames") == cap[0]["frames"], f"{s_a.get('frames')} vs {cap}")
    check("two files: every finding's flows name its file",
          all(fl["file"] == f["file"] for f in lines if f["type"] == "finding"
              for fl in f["flows"]))
    rc, out, _ = run(*CA, a, b)
    heads = [l for l in out.splitlines() if re.match(r"^samples/\S+: \d+ frames?, \d+ flows?$", l)]
    check("two files: the text report has a section per file", len(heads) == 2, str(heads))

    # --- --merge: the parts of a rotated capture are the whole capture -----------------
    whole = "samples/trust-incomplete-elsewhere.pcap"
    rc, out, _ = run("--json", *CA, whole)
    ref = [f for f in jlines(out) if f["type"] == "finding"]
    per = 34          # the certificate (33) in one part, the alert (35) in the next
    parts, nrec = split_pcap(os.path.join(REPO, whole), os.path.join(tmp, "ring"), per)
    rc, out, err = run("--json", "--merge", *CA, *parts)
    merged = [f for f in jlines(out) if f["type"] == "finding"]
    msum = [x for x in jlines(out) if x["type"] == "summary"]
    check("--merge: findings of the whole capture",
          sorted((f["kind"], f["severity"]) for f in merged) ==
          sorted((f["kind"], f["severity"]) for f in ref),
          f"{[f['kind'] for f in merged]} vs {[f['kind'] for f in ref]}")
    check("--merge: one summary naming every file, frames add up",
          len(msum) == 1 and msum[0].get("files") == parts and msum[0]["frames"] == nrec,
          str(msum))

    def whole_frames(f):
        got = []
        for bf in f["evidence"]["by_file"]:
            k = parts.index(bf["file"])
            got += [k * per + n for n in bf["frames"]]
        return sorted(got)

    for f in ref:
        m = [g for g in merged if g["kind"] == f["kind"] and g["summary"] == f["summary"]]
        check(f"--merge: {f['kind']} evidence is the same frames, named per file",
              m and whole_frames(m[0]) == sorted(f["evidence"]["frames"]),
              f"{m[0]['evidence']['by_file'] if m else None} vs {f['evidence']['frames']}")
        for g in m:
            for bf in g["evidence"]["by_file"]:
                want = " || ".join(f"frame.number == {n}" for n in bf["frames"])
                filt = bf["wireshark_filter"] or ""
                check("--merge: each file's filter selects its own frames",
                      all(re.search(rf"\b{n}\b", filt) for n in bf["frames"]) and
                      len(re.findall(r"\d+", filt)) >= 1, f"{filt} vs {want}")
    spans = [g for g in merged if len(g["evidence"]["by_file"]) > 1]
    check("--merge: evidence spanning two files names both", len(spans) >= 1,
          "no finding spans files: choose another split")
    rc, out, _ = run("--merge", *CA, *parts)
    check("--merge: the text names the file of each frame", " in " + parts[0] in out or
          any(" in " + p in out for p in parts))
    check("--merge: the text has a filter per file", "wireshark (" in out)
    rc, out, _ = run("--json", *CA, *parts)
    sep = [f for f in jlines(out) if f["type"] == "finding"]
    check("without --merge the parts are separate captures (findings differ)",
          sorted(f["kind"] for f in sep) != sorted(f["kind"] for f in ref) or
          len([x for x in jlines(out) if x["type"] == "summary"]) == len(parts))

    # --- time on every finding -------------------------------------------------------
    rc, out, _ = run("--json", b)
    f = [x for x in jlines(out) if x["type"] == "finding"][0]
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6,9}Z$")
    check("JSON: first_seen/last_seen in ISO 8601 UTC",
          iso.match(f.get("first_seen", "")) and iso.match(f.get("last_seen", "")), str(f))
    import datetime
    t = datetime.datetime.fromtimestamp(float(f["first_ts"]), datetime.timezone.utc)
    check("JSON: first_seen is first_ts", f["first_seen"].startswith(
        t.strftime("%Y-%m-%dT%H:%M:%S")), f"{f['first_seen']} vs {t}")
    rc, out, _ = run(b)
    check("text: seen line in ISO 8601", re.search(r"^  seen: +\d{4}-\d\d-\d\dT[\d:.]+Z", out, re.M))
    check("text: confidence shown when below 1", re.search(r"^  confidence: +0\.9", out, re.M))
    rc, out, _ = run(*CA, "samples/tls12-3chain.pcap")
    check("text: a healthy capture says no findings", "No findings" in out)

    # --- inputs that cannot be looked at ---------------------------------------------
    empty = os.path.join(tmp, "empty.pcap")
    open(empty, "wb").close()
    for name, path in (("missing", os.path.join(tmp, "missing.pcap")), ("directory", tmp),
                       ("empty", empty)):
        rc, out, err = run("--json", path)
        s = jlines(out)
        check(f"{name}: exit 2", rc == 2, str(rc))
        check(f"{name}: one line on stderr", len(err.strip().splitlines()) == 1, err)
        check(f"{name}: a summary record with the error",
              len(s) == 1 and s[0]["type"] == "summary" and s[0]["ok"] is False and s[0]["error"],
              out)
        rc, out, err = run(path)
        check(f"{name}: no 'No findings' verdict", "No findings" not in out, out)
        rc, out, err = run("--events", path)
        ev = jlines(out)
        check(f"{name}: --events writes its capture record",
              len(ev) == 1 and ev[0]["type"] == "capture" and ev[0]["error"], out)
    rc, out, err = run("--json", os.path.join(tmp, "missing.pcap"), b)
    check("a missing file does not stop the others",
          rc == 2 and any(x["type"] == "finding" for x in jlines(out)), f"{rc} {out[:200]}")

    # --- readable text ---------------------------------------------------------------
    for cols in ("60", "100"):
        rc, out, _ = run(*CA, "samples/icmp-unreachable.pcap", env={"COLUMNS": cols})
        long_lines = [l for l in out.splitlines()
                      if len(l) > int(cols) and "wireshark" not in l and " " in l.strip()]
        check(f"text: wrapped to COLUMNS={cols}", not long_lines, "\n".join(long_lines[:3]))
    rc, out, _ = run(*CA, "samples/icmp-unreachable.pcap")
    kinds = re.findall(r"^(?:HIGH|MEDIUM|LOW|INFO|CRITICAL) +(\S+)$", out, re.M)
    whys = len(re.findall(r"^  why: ", out, re.M))
    check("text: why/fix once per kind", kinds and whys == len(set(kinds)) and
          len(kinds) > len(set(kinds)), f"{kinds} {whys}")
    rc, out, _ = run(*CA, "samples/icmp-unreachable.pcap", env={"COLUMNS": "80"})
    m = re.findall(r"^  (\S[^:]*:) +(\S)", out, re.M)
    cols = {}
    for line in out.split("\n\n"):
        starts = {len(x.group(0)) - 1 for x in re.finditer(r"^  [a-z_ 0-9]+: +(?=\S)", line, re.M)}
        if len(starts) > 1:
            cols[line.splitlines()[0]] = starts
    check("text: values aligned in one column per finding", not cols, str(cols))
    # --- the first screen: a verdict, informational findings folded ---------------------
    rc, out, _ = run(*CA, "samples/icmp-unreachable.pcap")
    block = out.split("Verdict:\n", 1)[1].split("\n\n", 1)[0].splitlines() if "Verdict:\n" in out else []
    check("verdict: a block before the details", block and out.index("Verdict:") <
          out.index("\nHIGH "), out[:400])
    check("verdict: one line per failing server, with severity and frames",
          len(block) == 2 and all(re.match(r"^  (HIGH|CRITICAL|MEDIUM) +\S.*\[frames? [\d, .]+\]$", l)
                                  for l in block), str(block))
    check("verdict: lines fit the width", all(len(l) <= 80 for l in block), str(block))
    rc, out, _ = run(*CA, "samples/tls12-3chain.pcap")
    check("verdict: none for a healthy capture", "Verdict" not in out)
    rc, out, _ = run(*CA, "samples/ike-rekey-periodic.pcap")
    info = re.findall(r"^INFO +ike\.responder_never_initiates: ", out, re.M)
    check("info findings: one line per kind by default", len(info) == 1 and
          "why:" not in out.split("INFO")[1], out[-600:])
    rc, out, _ = run("-v", *CA, "samples/ike-rekey-periodic.pcap")
    check("info findings: in full with -v",
          re.search(r"^INFO +ike\.responder_never_initiates$", out, re.M) and "  why:" in out)

    if shutil.which("script"):
        def tty(env):
            e = dict(os.environ, TZ="UTC", COLUMNS="80")
            e.pop("NO_COLOR", None)
            e.update(env)
            r = subprocess.run(["script", "-qec", f"{BIN} --no-progress {b}", "/dev/null"],
                               cwd=REPO, capture_output=True, env=e, timeout=120)
            return r.stdout.decode("utf-8", "replace")
        check("terminal: colour by default", "\033[" in tty({"TERM": "xterm"}))
        check("terminal: NO_COLOR turns colour off",
              "\033[" not in tty({"TERM": "xterm", "NO_COLOR": "1"}))
        check("terminal: TERM=dumb turns colour off", "\033[" not in tty({"TERM": "dumb"}))
    else:
        print("note: script(1) not installed, terminal checks skipped")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print(f"files: {passes} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
