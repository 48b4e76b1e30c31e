#!/usr/bin/env python3
"""--evidence DIR on bundled samples: a folder per finding named from its kind and an index,
a pcapng that tshark opens with every frame of the finding's flows (same times, lengths and
protocol stack as the input) and a comment on each evidence frame, certificates that openssl
parses, evidence.file in JSON, refusal to overwrite without --force, standard input (packets
kept in memory) giving the same files as a file read twice, and the memory budget.
Usage: evidence.py SHAKEDOWN.  Exit 77 (skipped) without tshark or openssl."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "samples")
SD = sys.argv[1]
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)[:600]))
    if not ok:
        failures.append(what)


for tool in ("tshark", "openssl"):
    if shutil.which(tool) is None:
        print("skipped: %s is not installed" % tool)
        sys.exit(77)

tmp = tempfile.mkdtemp(prefix="sd-evidence-")


def run(args, stdin=None):
    return subprocess.run([SD] + args, capture_output=True, timeout=300, stdin=stdin)


def findings(out):
    recs = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    return [r for r in recs if r.get("type") in ("finding", "finding_update")]


def tshark_fields(path, fields, dfilter=None):
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t"]
    if dfilter:
        args += ["-Y", dfilter]
    for f in fields:
        args += ["-e", f]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None
    return [l.split("\t") for l in r.stdout.splitlines()]


def flow_filter(fl):
    """A display filter for one JSON flow of a finding."""
    a, b = fl["source.ip"], fl["destination.ip"]
    ip = "ipv6" if ":" in a else "ip"
    f = "%s.addr==%s && %s.addr==%s" % (ip, a, ip, b)
    proto = fl.get("network.transport")
    if fl.get("gateway_pair"):
        return "(" + f + ")"
    if proto in ("tcp", "udp") and "source.port" in fl:
        f += " && %s.port==%d && %s.port==%d" % (proto, fl["source.port"], proto,
                                                 fl["destination.port"])
    return "(" + f + ")"


def frame_flow_filter(sample, n):
    """A display filter for the conversation of frame n of sample."""
    g = tshark_fields(sample, ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "udp.srcport",
                               "udp.dstport", "tcp.srcport", "tcp.dstport"],
                      "frame.number==%d" % n)[0]
    g += [""] * (8 - len(g))
    src, dst = (g[0] or g[1]).split(",")[0], (g[2] or g[3]).split(",")[0]
    ip = "ipv6" if ":" in src else "ip"
    f = "%s.addr==%s && %s.addr==%s" % (ip, src, ip, dst)
    for proto, a, b in (("udp", g[4], g[5]), ("tcp", g[6], g[7])):
        if a and b:
            f += " && %s.port==%s && %s.port==%s" % (proto, a.split(",")[0], proto,
                                                     b.split(",")[0])
            break
    return "(" + f + ")"


NAME = re.compile(r"^[0-9]{3,}-[a-z0-9._-]+$")
INSIDE = re.compile(r"^(evidence\.pcapng|cert-[0-9]+\.pem)$")


def check_names(d, what):
    bad = []
    for name in os.listdir(d):
        if not NAME.match(name) or not os.path.isdir(os.path.join(d, name)):
            bad.append(name)
            continue
        bad += [name + "/" + n for n in os.listdir(os.path.join(d, name)) if not INSIDE.match(n)]
    check(what + ": names from the kind and an index only", not bad, bad)


def check_finding(f, sample, what, whole=True, frames_in_sample=True):
    ev = f["evidence"]
    path = ev.get("file")
    check(what + ": evidence.file given", path is not None, ev)
    if path is None:
        return
    check(what + ": evidence.file exists", os.path.isfile(path), path)
    check(what + ": evidence.dir holds it", os.path.dirname(path) == ev.get("dir"), ev)
    got = tshark_fields(path, ["frame.number", "frame.time_epoch", "frame.len",
                               "frame.protocols", "frame.comment"])
    check(what + ": tshark opens the pcapng", got is not None, path)
    if got is None:
        return
    check(what + ": frame count as in JSON", len(got) == ev["packets"],
          "%d != %d" % (len(got), ev["packets"]))
    # the comments: one per evidence frame, naming the finding and the input frame
    comments = [g[4] for g in got if len(g) > 4 and g[4]]
    named = sorted(int(m.group(1)) for c in comments
                   for m in [re.search(r"frame (\d+) of the input", c)] if m)
    if ev["partial"]:
        # packets went for the budget: the comments are on those evidence frames it kept
        check(what + ": comments only on evidence frames", set(named) <= set(ev["frames"]),
              "%s vs %s" % (named, ev["frames"]))
    else:
        check(what + ": a comment on each evidence frame", named == sorted(ev["frames"]),
              "%s vs %s" % (named, ev["frames"]))
    check(what + ": comments name the kind",
          all(f["kind"] in c and "shakedown finding" in c for c in comments), comments)
    if not whole:
        return
    # every frame of its flows and of the flows of its evidence frames (an IKE exchange
    # that moved to port 4500), with the input's times, lengths and protocol stack
    filt = " || ".join([flow_filter(fl) for fl in f["flows"]] +
                       [frame_flow_filter(sample, n) for n in ev["frames"]
                        if frames_in_sample])
    want = tshark_fields(sample, ["frame.time_epoch", "frame.len", "frame.protocols"], filt)
    have = [g[1:4] for g in got]
    check(what + ": every frame of its flows, times and link layer intact",
          want is not None and sorted(have) == sorted(want) and not ev["partial"],
          "%d frames vs %d in the input (%s)" % (len(have), len(want or []), filt))


def check_certs(f, what, subjects):
    certs = f["evidence"].get("certificates", [])
    got = []
    for c in certs:
        r = subprocess.run(["openssl", "x509", "-in", c, "-noout", "-subject"],
                           capture_output=True, text=True)
        check(what + ": openssl x509 parses " + os.path.basename(c), r.returncode == 0,
              r.stderr)
        got.append(r.stdout.strip())
    for s in subjects:
        check(what + ": certificate with " + s, any(s in g for g in got), got)
    check(what + ": each certificate once", len(set(got)) == len(got), got)


def files_of(d):
    out = {}
    for root, _, names in os.walk(d):
        for n in names:
            p = os.path.join(root, n)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, d)] = hashlib.sha256(fh.read()).hexdigest()
    return out


# 1. TLS: an expired certificate, read from a file (frames read again at the end)
sample = os.path.join(SAMPLES, "trust-expired.pcap")
d1 = os.path.join(tmp, "tls")			# does not exist yet: created
r = run(["--json", "--evidence", d1, sample])
check("tls: runs", r.returncode == 0, r.stderr)
fs = findings(r.stdout)
check("tls: findings", len(fs) > 0, r.stdout[:300])
check_names(d1, "tls")
for f in fs:
    check_finding(f, sample, "tls " + f["kind"])
exp = [f for f in fs if f["kind"] == "tls.certificate_expired"]
check("tls: the expired-certificate finding", len(exp) == 1, [f["kind"] for f in fs])
if exp:
    check_certs(exp[0], "tls", ["CN = www.example.test"])
    check("tls: folder 001-tls.certificate_expired",
          exp[0]["evidence"]["dir"] == os.path.join(d1, "001-tls.certificate_expired"),
          exp[0]["evidence"]["dir"])

# 2. refusal without --force: exit 2, a clear message, nothing touched; --force overwrites
before = files_of(d1)
r = run(["--json", "--evidence", d1, sample])
check("refusal: exit 2", r.returncode == 2, r.returncode)
check("refusal: says --force", b"--force" in r.stderr and b"already" in r.stderr, r.stderr)
check("refusal: nothing analysed", findings(r.stdout) == [], r.stdout[:200])
check("refusal: files untouched", files_of(d1) == before)
r = run(["--json", "--evidence", d1, "--force", sample])
check("--force: runs", r.returncode == 0, r.stderr)
check("--force: the same files again", files_of(d1) == before)
# --force never follows a folder that became a link to elsewhere
d1l, elsewhere = os.path.join(tmp, "tls-link"), os.path.join(tmp, "elsewhere")
os.makedirs(d1l)
os.makedirs(elsewhere)
os.symlink(elsewhere, os.path.join(d1l, "001-tls.certificate_expired"))
r = run(["--json", "--evidence", d1l, "--force", sample])
check("--force and a link: said", b"not a directory" in r.stderr, r.stderr)
check("--force and a link: nothing written through it", os.listdir(elsewhere) == [],
      os.listdir(elsewhere))
r = run(["--force", sample])
check("--force alone: a usage error", r.returncode == 2 and b"--evidence" in r.stderr,
      r.stderr)

# 3. IKE: the exchange that failed authentication
sample = os.path.join(SAMPLES, "ike-auth-failed.pcap")
d2 = os.path.join(tmp, "ike")
r = run(["--json", "--evidence", d2, sample])
fs = findings(r.stdout)
check("ike: runs with findings", r.returncode == 0 and fs, r.stderr)
check_names(d2, "ike")
for f in fs:
    check_finding(f, sample, "ike " + f["kind"])
    check("ike: no certificate files (IKE certificates are encrypted)",
          f["evidence"]["certificates"] == [], f["evidence"])

# 4. across connections: a load balancer's backends with different chains
sample = os.path.join(SAMPLES, "lb-backends.pcap")
d3 = os.path.join(tmp, "lb")
r = run(["--json", "--evidence", d3, sample])
fs = findings(r.stdout)
check("lb: runs", r.returncode == 0, r.stderr)
check_names(d3, "lb")
for f in fs:
    check_finding(f, sample, "lb " + f["kind"])
bm = [f for f in fs if f["kind"] == "tls.backend_mismatch"]
check("lb: the backend mismatch over several flows", len(bm) == 1 and len(bm[0]["flows"]) > 1,
      [f["kind"] for f in fs])
if bm:
    check_certs(bm[0], "lb", [])
    check("lb: certificates of every backend",
          len(bm[0]["evidence"]["certificates"]) >= 2, bm[0]["evidence"])

# 5. VLAN-tagged Ethernet keeps its link layer
sample = os.path.join(SAMPLES, "tls-vlan.pcap")
d4 = os.path.join(tmp, "vlan")
r = run(["--json", "--evidence", d4, sample])
fs = findings(r.stdout)
check("vlan: runs with findings", r.returncode == 0 and fs, r.stderr)
for f in fs:
    check_finding(f, sample, "vlan " + f["kind"])

# 6. standard input: packets kept in memory, written when decided, the same captures
for name in ("trust-expired.pcap", "lb-backends.pcap", "ike-auth-failed.pcap"):
    sample = os.path.join(SAMPLES, name)
    dfile, dpipe = os.path.join(tmp, "f-" + name), os.path.join(tmp, "p-" + name)
    rf = run(["--json", "--evidence", dfile, sample])
    with open(sample, "rb") as fh:
        rp = run(["--json", "--evidence", dpipe, "-"], stdin=fh)
    check("stdin %s: runs" % name, rp.returncode == 0, rp.stderr)
    ff = {f["evidence"]["dir"].replace(dfile, ""): f for f in findings(rf.stdout)}
    fp = {f["evidence"]["dir"].replace(dpipe, ""): f for f in findings(rp.stdout)}
    check("stdin %s: the same folders" % name, sorted(ff) == sorted(fp),
          "%s vs %s" % (sorted(ff), sorted(fp)))
    check_names(dpipe, "stdin " + name)
    for k, f in fp.items():
        check_finding(f, sample, "stdin %s %s" % (name, f["kind"]))
        if k in ff:
            a = tshark_fields(f["evidence"]["file"], ["frame.time_epoch", "frame.comment"])
            b = tshark_fields(ff[k]["evidence"]["file"], ["frame.time_epoch", "frame.comment"])
            check("stdin %s %s: the same frames and comments as from the file" %
                  (name, f["kind"]), a == b, "%s vs %s" % (len(a or []), len(b or [])))

# 7. files analysed one by one: the index counts on, no folder is reused
d5 = os.path.join(tmp, "two")
r = run(["--json", "--evidence", d5, os.path.join(SAMPLES, "trust-expired.pcap"),
         os.path.join(SAMPLES, "ike-auth-failed.pcap")])
dirs = sorted(f["evidence"]["dir"] for f in findings(r.stdout))
check("two files: one folder per finding", len(dirs) == len(set(dirs)) and
      len(os.listdir(d5)) == len(dirs), dirs)
check("two files: numbered 001, 002, ...",
      sorted(os.path.basename(x)[:3] for x in dirs) ==
      ["%03d" % (i + 1) for i in range(len(dirs))], dirs)

# 8. the budget: 1 MiB of --memcap keeps 128 KiB; a longer stream evicts and says so
big = os.path.join(tmp, "big.pcap")
parts = ["ike-rekey-periodic.pcap", "lb-backends.pcap", "icept-issuer-changed.pcap",
         "ip-fragments.pcap", "lb-vip-backends.pcap", "trust-expired.pcap"]
if shutil.which("mergecap"):
    subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", big] +
                   [os.path.join(SAMPLES, p) for p in parts], check=True)
    d6 = os.path.join(tmp, "budget")
    with open(big, "rb") as fh:
        r = run(["--json", "--memcap", "1", "--evidence", d6, "-"], stdin=fh)
    fs = findings(r.stdout)
    check("budget: runs", r.returncode == 0, r.stderr)
    check("budget: evictions said", b"dropped" in r.stderr and b"128 KiB" in r.stderr,
          r.stderr)
    check("budget: findings whose packets went say partial",
          any(f["evidence"]["partial"] for f in fs), [f["evidence"] for f in fs])
    for f in fs:
        # 5-tuples recur across the joined samples: only the frame checks here
        check_finding(f, big, "budget " + f["kind"], whole=False)
    last = [f for f in fs if f["kind"] == "tls.certificate_expired"]
    check("budget: the last finding's flow is kept whole", len(last) == 1 and
          not last[0]["evidence"]["partial"], [f["evidence"] for f in last])
    for f in last:		# its frames are numbered in the joined stream
        check_finding(f, os.path.join(SAMPLES, "trust-expired.pcap"), "budget last",
                      whole=True, frames_in_sample=False)
else:
    print("skip budget: no mergecap")

# 9. the reports link each finding's capture and certificates, relative to the report
rep_dir = os.path.join(tmp, "reports")
os.makedirs(rep_dir)
d7 = os.path.join(tmp, "linked")
for ext in ("html", "md"):
    rep = os.path.join(rep_dir, "incident." + ext)
    r = run(["--json", "--force", "--evidence", d7, "--report", rep,
             os.path.join(SAMPLES, "icept-fortinet.pcap")])
    fs = findings(r.stdout)
    body = open(rep, encoding="utf-8").read() if os.path.exists(rep) else ""
    links = re.findall(r'href="([^"#][^"]*)"', body) if ext == "html" else \
        re.findall(r"\]\(([^)#][^)]*)\)", body)
    targets = {os.path.normpath(os.path.join(rep_dir, l)) for l in links}
    check(ext + " report: every finding's capture linked",
          fs and all(os.path.normpath(f["evidence"]["file"]) in targets for f in fs),
          (links, [f["evidence"]["file"] for f in fs]))
    check(ext + " report: links relative, each to a file that exists",
          links and all(not os.path.isabs(l) and ":" not in l and
                        os.path.isfile(os.path.join(rep_dir, l)) for l in links), links)
    check(ext + " report: the certificates linked too",
          any(l.endswith("cert-1.pem") for l in links), links)

shutil.rmtree(tmp)
if failures:
    print("%d failed" % len(failures))
    sys.exit(1)
print("all passed")
