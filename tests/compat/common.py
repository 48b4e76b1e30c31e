"""Shared helpers of the differential tests: where the corpus is, running the tools."""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SKIP = 77  # ctest SKIP_RETURN_CODE


def corpus_dir():
    """../shared/corpus beside the repository, or None (a user's clone has none)."""
    d = os.environ.get("SD_CORPUS") or os.path.join(os.path.dirname(REPO), "shared", "corpus")
    return d if os.path.isfile(os.path.join(d, "MANIFEST.tsv")) else None


def manifest(cdir):
    rows = []
    with open(os.path.join(cdir, "MANIFEST.tsv"), encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
    return rows


def samples():
    sdir = os.path.join(REPO, "samples")
    if not os.path.isdir(sdir):
        return []
    return sorted(os.path.join(sdir, n) for n in os.listdir(sdir)
                  if n.endswith((".pcap", ".pcapng")))


def need_tshark():
    t = shutil.which("tshark")
    if t is None:
        print("SKIP: tshark is not installed")
        sys.exit(SKIP)
    return t


def run(cmd, timeout=600):
    env = dict(os.environ, TZ="UTC", LC_ALL="C", SD_GEOIP_DIRS="")
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, env=env)


def load_exceptions(path):
    """TSV: file, frame-or-key, field, reason.  Lines starting with # are comments."""
    exc = {}
    if not os.path.exists(path):
        return exc
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 4 or not parts[3].strip():
                raise SystemExit(f"{path}: every exception needs file, key, field and a reason: {line!r}")
            exc[(parts[0], parts[1], parts[2])] = parts[3]
    return exc
