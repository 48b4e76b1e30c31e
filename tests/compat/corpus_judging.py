#!/usr/bin/env python3
"""Judging captures from the wild: wrong clocks, old certificates, trust anchors.

usage: corpus_judging.py SHAKEDOWN

Each check runs shakedown on captures of ../shared/corpus that show the case (listed
below, with what the bytes show) and asserts what an engineer reading the report would
check.  Exit 77 when the corpus is absent (a user's clone has none).

- Wrong capture clocks: ndpi/gnutella.pcap is stamped 1970-01-01 (an emulator without a
  clock), ndpi/tls-rdn-extract.pcap 1999-12-31 while its chain was issued in 2010-2011:
  one info capture.clock_implausible each, the summary's "clock", and no expiry or
  not-yet-valid finding above info; with --time the validity is judged and nothing says
  the clock is wrong.
- Signatures on trust anchors: arkime/openssl-ssl3.pcap (2014) sends "GeoTrust Global CA"
  cross-signed with SHA-1 by Equifax; GeoTrust Global CA was a root of the store until
  2020, so that signature is nobody's concern and is not reported.
- Weak certificates by the capture's date and the client's reaction: the SHA-1 Google
  chain of arkime/openssl-ssl3.pcap (captured 2014-10-15, accepted) and the RSA 1024 /
  SHA-1 chain of zeek/ssl.v3.pcap (2007) are info; the SHA-1 leaf of ndpi/zattoo.pcap
  (2021, accepted) is low.
- One finding per chain: the leaf and the intermediate "Google Internet Authority G2" of
  arkime/openssl-ssl3.pcap, both SHA-1, are one finding listing both.
- Roots withdrawn after the capture: ndpi/443-curl.pcap ends its chain at "DST Root CA X3"
  (removed from Debian's store on 2021-10-07, after the capture): info with its
  withdrawn_root, never "untrusted" at a higher severity.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SKIP, corpus_dir, run  # noqa: E402

SEV = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
failures = []
passed = 0


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(f"{name}{': ' + detail if detail else ''}")


def records(binary, cdir, rel, *extra):
    r = run([binary, "--json", "-q", "--no-progress", *extra, os.path.join(cdir, rel)])
    out = []
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def findings(recs, kind=None):
    return [o for o in recs if o.get("type") == "finding" and (kind is None or
                                                             o.get("kind") == kind)]


def values(f):
    return (f.get("evidence") or {}).get("values") or {}


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    cdir = corpus_dir()
    if cdir is None:
        print("SKIP: ../shared/corpus is not here (a user's clone has none)")
        return SKIP

    for rel, day in (("ndpi/gnutella.pcap", "1970-01-01"),
                     ("ndpi/tls-rdn-extract.pcap", "1999-12-31")):
        recs = records(binary, cdir, rel)
        clk = findings(recs, "capture.clock_implausible")
        check(f"{rel}: one clock finding", len(clk) == 1, f"{len(clk)}")
        check(f"{rel}: the clock finding is info and names the day",
              len(clk) == 1 and clk[0]["severity"] == "info" and
              clk[0]["summary"].startswith(f"the capture clock reads {day}"),
              clk[0]["summary"] if clk else "")
        summ = [o for o in recs if o.get("type") == "summary"]
        check(f"{rel}: the capture summary says it", bool(summ) and
              "validity is not judged" in (summ[0].get("clock") or ""))
        dated = [f for f in findings(recs) if f["kind"] in
                 ("tls.certificate_expired", "tls.certificate_not_yet_valid") and
                 SEV[f["severity"]] > 0]
        check(f"{rel}: no validity finding above info", not dated,
              "; ".join(f["summary"][:100] for f in dated))
    recs = records(binary, cdir, "ndpi/tls-rdn-extract.pcap", "--time", "2016-03-01T12:00:00Z")
    check("tls-rdn-extract --time: no clock finding",
          not findings(recs, "capture.clock_implausible"))
    check("tls-rdn-extract --time 2016: the intermediate that ended in 2014 is expired",
          any("Microsoft Secure Server Authority" in f["summary"]
              for f in findings(recs, "tls.certificate_expired")))

    recs = records(binary, cdir, "arkime/openssl-ssl3.pcap")
    weak = findings(recs, "tls.weak_certificate")
    check("openssl-ssl3: one weak finding for the chain", len(weak) == 1, f"{len(weak)}")
    if weak:
        v = values(weak[0])
        named = " ".join(v.get(k, "") for k in ("weak_1", "weak_2", "weak_3", "weak_4"))
        check("openssl-ssl3: the cross-signed GeoTrust Global CA (an anchor) is not weak",
              "GeoTrust Global CA (depth" not in named, named)
        check("openssl-ssl3: the leaf and Google Internet Authority G2 both listed",
              "CN=*.google.com" in v.get("weak_1", "") and
              "Google Internet Authority G2" in v.get("weak_2", ""), named)
        check("openssl-ssl3: SHA-1 in 2014, accepted: info", weak[0]["severity"] == "info",
              weak[0]["severity"])
        check("openssl-ssl3: judged by the capture's date",
              "captured 2014-10-15, before 2016-01-01" in v.get("judged", ""))
    weak = findings(records(binary, cdir, "zeek/ssl.v3.pcap"), "tls.weak_certificate")
    check("ssl.v3 (2007): weak chains info", bool(weak) and
          all(f["severity"] == "info" for f in weak), " ".join(f["severity"] for f in weak))
    weak = findings(records(binary, cdir, "ndpi/zattoo.pcap"), "tls.weak_certificate")
    check("zattoo (2021, accepted): low", len(weak) == 1 and weak[0]["severity"] == "low",
          " ".join(f["severity"] for f in weak))

    recs = records(binary, cdir, "ndpi/443-curl.pcap")
    un = findings(recs, "tls.chain_untrusted")
    check("443-curl: the DST Root CA X3 chain is info, naming the withdrawn root",
          len(un) == 1 and un[0]["severity"] == "info" and
          values(un[0]).get("withdrawn_root", "").startswith("DST Root CA X3: removed "
                                                             "from Debian's store on 2021-10-07"),
          json.dumps([(f["severity"], values(f).get("withdrawn_root")) for f in un]))

    for line in failures:
        print("FAIL " + line)
    print(f"corpus judging: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
