#!/usr/bin/env python3
"""--workers N finds what one thread finds.

Runs `shakedown --json` and the terminal report with --workers 1, 2 and 3 on every sample
(samples/*.pcap*) and, when ../shared/corpus is here, on every corpus capture, and fails
on any difference in the output (findings: kinds, severities, evidence frames, flows and
their ids, values, counts; the summary record: frames, flows, events).

The captures where a rule joins flows of several address pairs that the split puts on
different workers, and whose summaries are not merged yet (docs/design-notes.md,
"Workers"), are listed in workers-differences.tsv (file, workers, what differs); the test
fails on a difference the list does not name and on a listed one that is gone (stale).

usage: workers_same.py SHAKEDOWN [--samples-only | --corpus-only] [--workers 2,3] [--write]
(--corpus-only exits 77 when the corpus is absent; SD_JOBS=N runs N captures at once)
"""
import collections
import concurrent.futures
import difflib
import json
import os
import sys

from common import HERE, REPO, SKIP, corpus_dir, manifest, run, samples

LIST = os.path.join(HERE, "workers-differences.tsv")


def load_list():
    out = {}
    with open(LIST, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            p = line.rstrip("\n").split("\t")
            if len(p) < 3 or not p[2].strip():
                raise SystemExit(f"{LIST}: file, workers and what differs: {line!r}")
            out[(p[0], int(p[1]))] = p[2]
    return out


def name_of(path):
    """samples/x.pcap, or the corpus's own file name (arkime/x.pcap)"""
    cdir = corpus_dir()
    if cdir is not None and path.startswith(cdir + os.sep):
        return os.path.relpath(path, cdir)
    return os.path.relpath(path, REPO)


def what_differs(a, b):
    """A short description of how two --json outputs differ."""
    def parse(text):
        kinds, summ = collections.Counter(), None
        for line in text.splitlines():
            o = json.loads(line)
            if o.get("type") == "finding":
                kinds[o["kind"]] += int(o.get("count", 1))
            else:
                summ = (o.get("flows"), o.get("events"))
        return kinds, summ
    (ka, sa), (kb, sb) = parse(a), parse(b)
    d = [f"{k} {ka[k]} -> {kb[k]}" for k in sorted(set(ka) | set(kb)) if ka[k] != kb[k]]
    if sa != sb:
        d.append(f"flows, events {sa} -> {sb}")
    return "; ".join(d) if d else "values or flows of findings joined across address pairs"


def outputs(binary, path, workers):
    """(JSON lines, terminal report) of one capture, or an error text."""
    out = []
    for mode in (["--json"], []):
        r = run([binary, "-q", "--no-progress", "--color", "never", "--workers",
                 str(workers)] + mode + [path])
        if r.returncode not in (0, 1, 2):
            return None, f"--workers {workers}: exit {r.returncode}: " \
                f"{r.stderr.decode(errors='replace')[:400]}"
        err = r.stderr.decode(errors="replace")
        if "Sanitizer" in err or "runtime error" in err:
            return None, f"--workers {workers}: sanitizer report: {err[:400]}"
        out.append(r.stdout.decode("utf-8", errors="replace"))
    return out, None


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    binary = os.path.abspath(args[0])
    counts = [2, 3]
    if "--workers" in args:
        counts = [int(x) for x in args[args.index("--workers") + 1].split(",")]
    files = [] if "--corpus-only" in args else samples()
    cdir = corpus_dir()
    if cdir is None and "--corpus-only" in args:
        print("SKIP: ../shared/corpus is not here (a user's clone has none)")
        return SKIP
    if cdir is not None and "--samples-only" not in args:
        files += [os.path.join(cdir, row["file"]) for row in manifest(cdir)]
    def compare(path):
        """[(file, workers, what differs or an error)]"""
        base, err = outputs(binary, path, 1)
        if err is not None:
            return [(name_of(path), 1, "ERROR " + err)]
        diffs = []
        for n in counts:
            got, err = outputs(binary, path, n)
            if err is not None:
                diffs.append((name_of(path), n, "ERROR " + err))
            elif base != got:
                text = ""
                for what, a, b in (("--json", base[0], got[0]), ("terminal", base[1], got[1])):
                    if a != b:
                        text += f"{what}:\n" + "".join(list(difflib.unified_diff(
                            a.splitlines(True), b.splitlines(True), "--workers 1",
                            f"--workers {n}", n=0))[:8])
                diffs.append((name_of(path), n, what_differs(base[0], got[0]), text))
        return diffs

    found = []
    jobs = int(os.environ.get("SD_JOBS", "1"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for diffs in ex.map(compare, files):
            found += diffs
    if "--write" in args:
        print("# file\tworkers\twhat differs from --workers 1 (a cross-flow summary not merged)")
        for d in sorted(found, key=lambda d: (d[0], d[1])):
            print(f"{d[0]}\t{d[1]}\t{d[2]}")
        return 0
    listed = load_list()
    names = {name_of(p) for p in files}
    failures = []
    seen = set()
    for d in found:
        key = (d[0], d[1])
        seen.add(key)
        if d[2].startswith("ERROR"):
            failures.append(f"{d[0]}: --workers {d[1]}: {d[2]}")
        elif key not in listed:
            failures.append(f"{d[0]}: --workers {d[1]} differs ({d[2]}), not listed:\n{d[3]}")
        elif listed[key] != d[2]:
            failures.append(f"{d[0]}: --workers {d[1]}: now {d[2]!r}, the list says "
                            f"{listed[key]!r}")
    for key in sorted(listed):
        if key[0] in names and key[1] in counts and key not in seen:
            failures.append(f"{key[0]}: --workers {key[1]} is now the same as one thread: "
                            "remove its line (stale)")
    for line in failures:
        print("FAIL " + line)
    print(f"workers: {len(files)} captures, --workers {counts} against 1; {len(seen)} "
          f"listed differences, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
