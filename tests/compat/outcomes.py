#!/usr/bin/env python3
"""Severity follows the outcome: no HIGH or CRITICAL finding about a connection the client
completed normally, and no finding stating an outcome the connection did not have.

usage: outcomes.py SHAKEDOWN samples|corpus

For every capture (samples/ with the samples' CA, or ../shared/corpus), the findings of
`--json` are compared with the TLS/DTLS connections of `--events`: a connection whose
handshake completed, with application data both ways and no fatal alert, worked; a HIGH or
CRITICAL finding whose flows name such a connection blames something the client accepted
and used, unless the finding groups connections of differing outcomes and states them: its
`accepted` value counts at least as many connections as the working ones it names (the
finding is serious for the connections refused, and says which were not).

Findings that state outcomes (values `accepted`, `refused`, `failed`, `unknown`,
`undelivered`: "N connection(s) (...)") must state the one the events show for every
connection they name: a connection that worked is counted under `accepted`, one ended by a
cleartext fatal alert before its handshake finished under `refused` or `failed`.  Since
every finding must agree with the one reading of the events, no two findings disagree about
a connection's outcome.  --events runs only on captures with such findings, so this stays
cheap.
Exit 77 when the corpus is absent.
"""
import concurrent.futures
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import REPO, SKIP, corpus_dir, manifest, run, samples  # noqa: E402

SERIOUS = ("high", "critical")


def lines_of(out):
    res = []
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            res.append(json.loads(line))
        except ValueError:
            pass
    return res


def worked(ev):
    """A TLS/DTLS connection the client completed normally."""
    if ev.get("type") != "tls.session" or not ev.get("handshake_complete"):
        return False
    ad = ev.get("app_data") or {}
    if not ad.get("client") or not ad.get("server"):
        return False
    return not any(a.get("level") == "fatal" for a in ev.get("alerts") or [])


OUTCOMES = ("accepted", "refused", "failed", "unknown", "undelivered")


def stated(f, outcome):
    """Connections a finding states under one outcome ("2 connections (...)"), or 0."""
    v = ((f.get("evidence") or {}).get("values") or {}).get(outcome, "")
    m = re.match(r"(\d+) connections?\b", v) if isinstance(v, str) else None
    return int(m.group(1)) if m else 0


def accepted_count(f):
    return stated(f, "accepted")


def states_outcomes(f):
    return any(stated(f, o) for o in OUTCOMES)


def ended_by_alert(ev):
    """A connection a cleartext fatal alert ended before its handshake finished."""
    if ev.get("type") != "tls.session" or ev.get("handshake_complete"):
        return False
    return any(a.get("level") == "fatal" and not a.get("encrypted")
               for a in ev.get("alerts") or [])


def conn_key(ip1, p1, ip2, p2):
    return (ip1, p1, ip2, p2)


def check(binary, path, extra):
    """Problems of one capture: list of strings."""
    r = run([binary, "--json", "-q", "--no-progress", *extra, path])
    found = [f for f in lines_of(r.stdout) if f.get("type", "finding") == "finding"
             and "kind" in f]
    serious = [f for f in found if f.get("severity") in SERIOUS and f.get("flows")]
    telling = [f for f in found if states_outcomes(f) and f.get("flows")]
    if not serious and not telling:
        return []
    r = run([binary, "--events", "-q", "--no-progress", "--no-ndpi", *extra, path])
    ok, alerted = set(), set()
    for ev in lines_of(r.stdout):
        if worked(ev):
            ok.add(conn_key(ev["src"], ev["sport"], ev["dst"], ev["dport"]))
        elif ended_by_alert(ev):
            alerted.add(conn_key(ev["src"], ev["sport"], ev["dst"], ev["dport"]))
    problems = []
    rel = os.path.relpath(path, REPO)
    for f in telling:
        keys = [conn_key(fl.get("source.ip"), fl.get("source.port"),
                         fl.get("destination.ip"), fl.get("destination.port"))
                for fl in f["flows"]]
        n_ok = sum(1 for k in keys if k in ok)
        n_bad = sum(1 for k in keys if k in alerted)
        if n_ok > stated(f, "accepted"):
            problems.append(f"{rel}: {f['kind']} names {n_ok} connection(s) that worked but "
                            f"states {stated(f, 'accepted')} accepted "
                            f"({f.get('summary', '')[:120]})")
        if n_bad > stated(f, "refused") + stated(f, "failed"):
            problems.append(f"{rel}: {f['kind']} names {n_bad} connection(s) ended by a fatal "
                            f"alert but states {stated(f, 'refused') + stated(f, 'failed')} "
                            f"refused or failed ({f.get('summary', '')[:120]})")
    for f in serious:
        named = []
        for fl in f["flows"]:
            k = conn_key(fl.get("source.ip"), fl.get("source.port"),
                         fl.get("destination.ip"), fl.get("destination.port"))
            if k in ok:
                named.append(k)
        if named and accepted_count(f) >= len(named):
            continue
        for k in named:
            problems.append(f"{os.path.relpath(path, REPO)}: {f['severity']} {f['kind']} "
                            f"names {k[0]}:{k[1]} -> {k[2]}:{k[3]}, a connection the client "
                            f"completed normally ({f.get('summary', '')[:120]})")
    return problems


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("samples", "corpus"):
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    if sys.argv[2] == "samples":
        files = samples()
        extra = ["--ca-file", os.path.join(REPO, "samples", "pki", "root.crt")]
    else:
        cdir = corpus_dir()
        if cdir is None:
            print("SKIP: ../shared/corpus is not here (a user's clone has none)")
            return SKIP
        files = [os.path.join(cdir, row["file"]) for row in manifest(cdir)]
        extra = []
    jobs = int(os.environ.get("SD_JOBS", "2"))
    problems = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for p in ex.map(lambda f: check(binary, f, extra), files):
            problems += p
    for p in problems:
        print("FAIL " + p)
    print(f"outcomes: {len(files)} captures, {len(problems)} findings blaming connections "
          f"that worked or stating outcomes they did not have")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
