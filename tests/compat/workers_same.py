#!/usr/bin/env python3
"""--workers N finds what one thread finds.

Runs `shakedown --json` and the terminal report with --workers 1, 2 and 3 on every sample
(samples/*.pcap*) and, when ../shared/corpus is here, on every corpus capture, and fails
on any difference in the output (findings: kinds, severities, evidence frames, flows and
their ids, values, counts; the summary record: frames, flows, events).

usage: workers_same.py SHAKEDOWN [--samples-only | --corpus-only] [--workers 2,3]
(--corpus-only exits 77 when the corpus is absent; SD_JOBS=N runs N captures at once)
"""
import concurrent.futures
import difflib
import os
import sys

from common import SKIP, corpus_dir, manifest, run, samples


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
        base, err = outputs(binary, path, 1)
        if err is not None:
            return [f"{path}: {err}"]
        fails = []
        for n in counts:
            got, err = outputs(binary, path, n)
            if err is not None:
                fails.append(f"{path}: {err}")
                continue
            for what, a, b in (("--json", base[0], got[0]), ("terminal", base[1], got[1])):
                if a != b:
                    diff = "".join(list(difflib.unified_diff(
                        a.splitlines(True), b.splitlines(True), "--workers 1",
                        f"--workers {n}", n=0))[:12])
                    fails.append(f"{path}: {what} differs with --workers {n}:\n{diff}")
        return fails

    failures = []
    jobs = int(os.environ.get("SD_JOBS", "1"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for fails in ex.map(compare, files):
            failures += fails
    for line in failures:
        print("FAIL " + line)
    print(f"workers: {len(files)} captures, --workers {counts} against 1; "
          f"{len(failures)} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
