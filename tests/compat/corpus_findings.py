#!/usr/bin/env python3
"""Clean captures: no finding beyond a documented list.

Runs `shakedown --json` on every capture of ../shared/corpus (real traffic from other
projects' test suites: mostly healthy sessions, some real failures) and compares the
finding kinds reported per file with tests/compat/corpus-findings.tsv (file, kind, count,
reason: why that capture really shows it, checked by reading the frames).  Fails on a
finding the list does not name (a false alarm until shown otherwise), on a listed finding
that no longer appears or whose count changed (the list is stale: re-check it), and on a
crash.  Exit 77 when the corpus is absent (a user's clone has none).

usage: corpus_findings.py SHAKEDOWN [--write]   (--write: print the TSV of what is
found now, reasons kept where the line existed, "REVIEW" elsewhere)
"""
import collections
import concurrent.futures
import json
import os
import sys

from common import HERE, SKIP, corpus_dir, manifest, run

LIST = os.path.join(HERE, "corpus-findings.tsv")


def load_list():
    out = {}
    if not os.path.exists(LIST):
        return out
    with open(LIST, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < 4 or not p[3].strip():
                raise SystemExit(f"{LIST}: file, kind, count and a reason: {line!r}")
            out[(p[0], p[1])] = (int(p[2]), p[3])
    return out


def findings_of(binary, path):
    r = run([binary, "--json", "-q", "--no-progress", path])
    if r.returncode not in (0, 1, 2):
        return None, f"exit {r.returncode}: {r.stderr.decode(errors='replace')[:400]}"
    err = r.stderr.decode(errors="replace")
    if "Sanitizer" in err or "runtime error" in err:
        return None, "sanitizer report: " + err[:400]
    kinds = collections.Counter()
    for line in r.stdout.decode("utf-8").splitlines():
        obj = json.loads(line)
        if obj.get("type") != "finding":
            continue        # the summary record that ends each input
        kinds[obj["kind"]] += int(obj.get("count", 1))
    return kinds, None


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    write = "--write" in sys.argv[2:]
    cdir = corpus_dir()
    if cdir is None:
        print("SKIP: ../shared/corpus is not here (a user's clone has none)")
        return SKIP
    files = [row["file"] for row in manifest(cdir)]
    listed = load_list()
    found = {}
    failures = []
    jobs = int(os.environ.get("SD_JOBS", "1"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        res = ex.map(lambda f: (f, findings_of(binary, os.path.join(cdir, f))), files)
        for f, (kinds, err) in res:
            if err is not None:
                failures.append(f"{f}: {err}")
                continue
            for k, n in kinds.items():
                found[(f, k)] = n
    if write:
        print("# file\tkind\tcount\treason (checked against the frames)")
        for key in sorted(found):
            reason = listed.get(key, (0, "REVIEW"))[1]
            print(f"{key[0]}\t{key[1]}\t{found[key]}\t{reason}")
        return 0
    for key, n in sorted(found.items()):
        if key not in listed:
            failures.append(f"{key[0]}: unlisted finding {key[1]} (x{n})")
        elif listed[key][0] != n:
            failures.append(f"{key[0]}: {key[1]} counted {n}, the list says {listed[key][0]}")
    for key in sorted(listed):
        if key not in found and key[0] in files:
            failures.append(f"{key[0]}: listed {key[1]} no longer reported (stale line)")
    for line in failures:
        print("FAIL " + line)
    total = sum(found.values())
    print(f"corpus findings: {len(files)} captures, {total} findings in {len(found)} "
          f"(file, kind) pairs, {len(listed)} listed; {len(failures)} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
