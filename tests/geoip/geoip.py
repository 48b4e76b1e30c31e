#!/usr/bin/env python3
"""GeoIP and ECS fields: shakedown with MaxMind-format databases this test writes itself
(tests/geoip/make-mmdb.pl, Debian libmaxmind-db-writer-perl), with known answers for the
samples' addresses.  Usage: geoip.py SHAKEDOWN.  Exit 77 (skipped) without the Perl writer."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SD = sys.argv[1]
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failures.append(what)


def run(args, env_dirs=""):
    env = dict(os.environ, SD_GEOIP_DIRS=env_dirs)
    return subprocess.run([SD] + args, capture_output=True, text=True, env=env, timeout=120)


def findings(out):
    return [json.loads(l) for l in out.splitlines() if l.strip() and
            json.loads(l).get("type") == "finding"]


if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"],
                  capture_output=True).returncode != 0:
    print("skipped: Perl MaxMind::DB::Writer (libmaxmind-db-writer-perl) is not installed")
    sys.exit(77)

tmp = tempfile.mkdtemp(prefix="sd-geoip-")
subprocess.run(["perl", os.path.join(HERE, "make-mmdb.pl"), tmp], check=True)
asn, city = os.path.join(tmp, "asn.mmdb"), os.path.join(tmp, "city.mmdb")
sample = os.path.join(ROOT, "samples", "trust-name-mismatch.pcap")   # 10.99.1.1 -> 10.99.1.2:443

# 1. known answers in every finding's flows
r = run(["--json", "--geoip", asn, "--geoip", city, sample])
check("--geoip runs", r.returncode == 0, r.stderr)
fs = findings(r.stdout)
check("a finding", len(fs) > 0, r.stdout[:300])
for f in fs:
    for fl in f["flows"]:
        if fl.get("source.ip") != "10.99.1.1":
            continue
        want = {"source.as.number": 64501,
                "source.as.organization.name": "Evil\x1b]8;;http://x\x07Net",
                "source.geo.country_iso_code": "FR",
                "destination.as.number": 64500,
                "destination.geo.country_iso_code": "DE",
                "destination.geo.city_name": "Berlin"}
        got = {k: fl.get(k) for k in want}
        check("ECS AS and geo of %s's flow" % f["kind"], got == want, repr(got))
        check("no city where the database has none", "source.geo.city_name" not in fl,
              repr(fl))

# 2. the ECS fields of a finding line
f = fs[0]
check("event.kind alert", f.get("event.kind") == "alert", repr(f.get("event.kind")))
check("rule.name is the kind", f.get("rule.name") == f["kind"])
check("message is the summary", f.get("message") == f["summary"])
check("event.severity numeric 4 for high",
      f["severity"] != "high" or f.get("event.severity") == 4, repr(f.get("event.severity")))
check("event.outcome failure for a refused connection",
      f["kind"] != "tls.name_mismatch" or f.get("event.outcome") == "failure",
      repr(f.get("event.outcome")))
check("tls.client.server_name", f.get("tls.client.server_name") == "www.example.test",
      repr(f.get("tls.client.server_name")))
check("@timestamp", f.get("@timestamp") == f["first_seen"])

# 3. a database recognised by its metadata, whatever its name (DB-IP country lite)
r = run(["--json", "--geoip", os.path.join(tmp, "wrong-name.dat"), sample])
fl = findings(r.stdout)[0]["flows"][0] if r.returncode == 0 and findings(r.stdout) else {}
check("DB-IP country database named .dat", fl.get("destination.geo.country_iso_code") == "CH"
      and "destination.as.number" not in fl, repr(fl) + r.stderr)

# 4. the flow records of --events
r = run(["--events", "--geoip", asn, "--geoip", city, sample])
flows = [json.loads(l) for l in r.stdout.splitlines() if '"type":"flow"' in l]
check("--events flow record has AS and country", len(flows) == 1 and
      flows[0].get("destination.as.number") == 64500 and
      flows[0].get("destination.geo.country_iso_code") == "DE", repr(flows)[:300])

# 5. the terminal report names the peers, escaped
r = run(["--color", "never", "--geoip", asn, "--geoip", city, sample])
check("text: AS and country beside the peer",
      "(AS64500 Example Transit <b>&co, DE, Berlin)" in r.stdout.replace("\n", " ")
      .replace("  ", " ") or "AS64500 Example Transit <b>&co, DE, Berlin" in
      " ".join(r.stdout.split()), r.stdout[-800:])
check("text: control bytes of a database string escaped",
      "\x1b" not in r.stdout and "\x07" not in r.stdout and
      "AS64501 Evil\\x1b]8;;http://x\\x07Net" in r.stdout, r.stdout[-800:])
r = run(["--json", "--geoip", asn, sample])
check("JSON: control bytes of a database string escaped",
      "\x1b" not in r.stdout and "\\u001b" in r.stdout, r.stdout[:300])

# 6. errors: not a database, a type it does not read, both options
for path, what in ((os.path.join(ROOT, "README.md"), "not a MaxMind DB"),
                   (os.path.join(tmp, "anon.mmdb"), "holds neither AS nor country"),
                   (os.path.join(tmp, "missing.mmdb"), "No such file")):
    r = run(["--geoip", path, sample])
    check("--geoip %s: exit 2, says why" % os.path.basename(path),
          r.returncode == 2 and what in r.stderr and r.stdout == "",
          "%d %r" % (r.returncode, r.stderr))
r = run(["--geoip", asn, "--no-geoip", sample])
check("--geoip with --no-geoip: exit 2", r.returncode == 2, r.stderr)

# 7. the standard places (SD_GEOIP_DIRS stands in for /usr/share/GeoIP) and --no-geoip
r = run(["--json", sample], env_dirs=tmp)
fl = findings(r.stdout)[0]["flows"][0]
check("databases of the standard places used without --geoip (unknown types skipped)",
      r.returncode == 0 and fl.get("destination.as.number") == 64500, repr(fl) + r.stderr)
r = run(["--json", "--no-geoip", sample], env_dirs=tmp)
fl = findings(r.stdout)[0]["flows"][0]
check("--no-geoip: no AS or geo", not any(k.startswith(("source.as", "destination.as",
      "source.geo", "destination.geo")) for k in fl), repr(fl))

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
