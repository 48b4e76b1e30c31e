#!/usr/bin/env python3
"""--redis against a real redis-server this test starts on a free loopback port.

usage: redis.py SHAKEDOWN

- every finding of a sample arrives as a stream entry whose json field equals the line -o
  writes, with kind, severity and sensor, and the summary record after them;
- with the server stopped, the run completes (exit status as without --redis) and says so
  on stderr;
- a password and a database in the URL are used (AUTH, SELECT).
Exit 77 when redis-server or redis-cli is not installed.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE = os.path.join(REPO, "samples", "lb-vip-backends.pcap")
CA = os.path.join(REPO, "samples", "pki", "root.crt")
fails = []
passed = 0


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        fails.append(f"{name}{': ' + detail if detail else ''}")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_redis(tmp, port, password=None):
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", tmp]
    if password:
        args += ["--requirepass", password]
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise SystemExit("redis-server did not start")


def xrange(port, key, db=0, password=None):
    args = ["redis-cli", "-p", str(port), "-n", str(db), "--raw"]
    if password:
        args += ["-a", password, "--no-auth-warning"]
    out = subprocess.run(args + ["XRANGE", key, "-", "+"], capture_output=True,
                         text=True).stdout.splitlines()
    entries, i = [], 0
    while i < len(out):
        i += 1                      # the entry id
        fields = {}
        while i + 1 < len(out) and not (out[i].count("-") == 1 and
                                        out[i].replace("-", "").isdigit()):
            fields[out[i]] = out[i + 1]
            i += 2
        entries.append(fields)
    return entries


def main():
    binary = os.path.abspath(sys.argv[1])
    for c in ("redis-server", "redis-cli"):
        if shutil.which(c) is None:
            print(f"SKIP: {c} is not installed")
            return 77
    tmp = tempfile.mkdtemp()
    port = free_port()
    srv = start_redis(tmp, port)
    try:
        out = os.path.join(tmp, "o.jsonl")
        r = subprocess.run([binary, "-q", "--ca-file", CA, "-o", out, "--redis",
                            f"redis://127.0.0.1:{port}", "--redis-stream", "sd:test",
                            "--sensor-name", "probe-1", SAMPLE], capture_output=True)
        check("run with redis: exit 0", r.returncode == 0, r.stderr.decode()[:300])
        lines = [l for l in open(out).read().splitlines()]
        ent = xrange(port, "sd:test")
        check("one stream entry per -o line", len(ent) == len(lines),
              f"{len(ent)} entries, {len(lines)} lines")
        check("json field equals the -o line, in order",
              [e.get("json") for e in ent] == lines)
        kinds = [json.loads(l).get("kind", "summary") for l in lines]
        check("kind and severity fields", [e.get("kind") for e in ent] == kinds and
              all(e.get("severity") for e in ent))
        check("sensor field", all(e.get("sensor") == "probe-1" for e in ent))
        check("the summary comes last", json.loads(ent[-1]["json"])["type"] == "summary")
    finally:
        srv.terminate()
        srv.wait()

    # the server is down: the analysis completes and says so
    t0 = time.time()
    r = subprocess.run([binary, "--ca-file", CA, "--json", "--redis",
                        f"redis://127.0.0.1:{port}", SAMPLE], capture_output=True)
    check("redis down: exit 0", r.returncode == 0)
    check("redis down: findings still on stdout",
          b'"type":"finding"' in r.stdout and b'"type":"summary"' in r.stdout)
    check("redis down: a warning", b"redis 127.0.0.1" in r.stderr, r.stderr.decode()[:300])
    check("redis down: not held up (under 5 s)", time.time() - t0 < 5)

    # a password and a database
    srv = start_redis(tmp, port, "s3cret")
    try:
        r = subprocess.run([binary, "-q", "--ca-file", CA, "--redis",
                            f"redis://:s3cret@127.0.0.1:{port}/3", SAMPLE],
                           capture_output=True)
        ent = xrange(port, "shakedown:findings", 3, "s3cret")
        check("AUTH and SELECT: entries in db 3 under the default stream",
              len(ent) >= 2 and json.loads(ent[-1]["json"])["type"] == "summary",
              f"{len(ent)} entries; {r.stderr.decode()[:200]}")
    finally:
        srv.terminate()
        srv.wait()
    r = subprocess.run([binary, "--redis", "http://x", SAMPLE], capture_output=True)
    check("a malformed URL: exit 2 with the expected form", r.returncode == 2 and
          b"redis://[[user]:password@]host[:port][/db]" in r.stderr)
    shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print("FAIL " + f)
    print(f"redis: {passed} passed, {len(fails)} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
