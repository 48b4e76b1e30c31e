#!/usr/bin/env python3
"""Hostile packet strings in every output.

samples/hostile-c1.pcap (recorded by samples/record-hostile.sh: a real openssl s_server whose
certificate subject and SANs, and real s_client SNIs, carry C0 controls, C1 controls as raw
bytes and as UTF-8 with 0x9b / U+009B, ANSI and OSC 8 escapes, HTML and Markdown markup,
javascript: links, quotes, path separators and "..", invalid UTF-8, strings of thousands of
bytes) and samples/hostile-strings.pcap go through every output:

- terminal (default and -v, stdout and stderr): valid UTF-8, no C0 byte but newline, no DEL,
  no C1 as a raw byte or as UTF-8 (so no ESC and no 8-bit CSI 0x9b);
- JSON Lines (-j, --sessions, --events, -o FILE): each line valid UTF-8 and valid JSON, no raw
  control (C0, DEL, C1 as UTF-8) in the line;
- the HTML report (parsed with html.parser): no element, attribute, script or link that the
  report of an ordinary sample does not have; no control character;
- the Markdown report: no raw HTML tag, no link or image but the report's own anchors, no
  control character;
- --evidence DIR: every file and folder inside DIR, names of printable ASCII without "..";
- --redis (a real redis-server on a free loopback port, read back over RESP by this script):
  every field of every entry valid UTF-8 without control characters.

Usage: hostile.py SHAKEDOWN.  Redis is skipped (said, not failed) without redis-server."""
import html.parser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SD = os.path.abspath(sys.argv[1])
SAMPLES = [os.path.join(ROOT, "samples", s + ".pcap") for s in ("hostile-c1", "hostile-strings")]
BENIGN = os.path.join(ROOT, "samples", "trust-unknown-ca.pcap")
ENV = dict(os.environ, TZ="UTC", LC_ALL="C", NO_COLOR="1", COLUMNS="100", SD_GEOIP_DIRS="")
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)[:600]))
    if not ok:
        failures.append(what)


def run(args, **kw):
    return subprocess.run([SD, "--no-progress"] + args, capture_output=True, env=ENV,
                          timeout=300, **kw)


def bad_chars(text, allow="\n"):
    """The control characters of text (C0 but `allow`, DEL, C1), with their offsets."""
    return [(i, hex(ord(c))) for i, c in enumerate(text)
            if (ord(c) < 0x20 and c not in allow) or 0x7f <= ord(c) <= 0x9f][:5]


def terminal_safe(what, data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(f"{what}: valid UTF-8", False, e)
        return
    check(f"{what}: no control byte (C0, DEL, C1 raw or UTF-8)", not bad_chars(text),
          bad_chars(text))


def json_safe(what, data):
    n = 0
    for line in data.split(b"\n"):
        if not line:
            continue
        n += 1
        try:
            text = line.decode("utf-8")
            json.loads(text)
        except ValueError as e:
            check(f"{what}: line {n} valid UTF-8 JSON", False, e)
            return 0
        if bad_chars(text, ""):
            check(f"{what}: line {n} has no raw control", False, bad_chars(text, ""))
            return 0
    return n


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for k, v in attrs:
            self.attrs.add(k)
            if k in ("href", "src", "action", "xlink:href") and v is not None \
                    and not v.startswith("#") and not re.match(r"^[\w./-]+$", v):
                self.attrs.add(f"{k}={v}")

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path):
    p = Tags()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p


def md_markup(md):
    """The raw HTML tags and links of a Markdown text, outside code spans and blocks."""
    out, fence = [], False
    for line in md.split("\n"):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        line = re.sub(r"(`+).*?\1", "", line)          # code spans
        line = re.sub(r"\\.", "", line)                # backslash escapes
        out += re.findall(r"<[A-Za-z/!?][^>]*>", line)
        out += [m for m in re.findall(r"\]\(([^)]*)\)", line) if not m.startswith("#")]
        out += re.findall(r"(?i)\b(?:https?://|www\.)", line)   # autolinks (GFM)
    return out


def resp(sock_file, cmd):
    sock_file.write(b"".join([b"*%d\r\n" % len(cmd)] +
                             [b"$%d\r\n%s\r\n" % (len(c), c) for c in cmd]))
    sock_file.flush()
    return read_resp(sock_file)


def read_resp(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-"):
        return rest
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data
    if t == b"*":
        n = int(rest)
        return [read_resp(f) for _ in range(max(n, 0))]
    raise ValueError(line)


def redis_check(tmp, pcap, name):
    if shutil.which("redis-server") is None:
        print(f"note: no redis-server: Redis entries of {name} not checked")
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                          "--save", "", "--appendonly", "no", "--dir", tmp],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        r = run(["-q", "--redis", f"redis://127.0.0.1:{port}", "--redis-stream", "h", pcap])
        check(f"{name}: --redis runs", r.returncode in (0, 1), r.stderr[-400:])
        c = socket.create_connection(("127.0.0.1", port), 5)
        f = c.makefile("rwb")
        entries = resp(f, [b"XRANGE", b"h", b"-", b"+"])
        c.close()
        check(f"{name}: Redis entries written", isinstance(entries, list) and len(entries) > 0,
              entries)
        bad = []
        for e in entries or []:
            for v in e[1]:
                try:
                    t = v.decode("utf-8")
                except UnicodeDecodeError as err:
                    bad.append(str(err))
                    continue
                if bad_chars(t, ""):
                    bad.append(t[:200])
        check(f"{name}: every Redis field valid UTF-8 without control characters",
              bad == [], bad[:3])
    finally:
        p.terminate()
        p.wait(10)


def main():
    tmp = tempfile.mkdtemp(prefix="sd-hostile-")
    try:
        r = run(["-q", "--report", os.path.join(tmp, "benign.html"), BENIGN])
        r = run(["-q", "--report", os.path.join(tmp, "benign.md"), BENIGN])
        benign = parse_html(os.path.join(tmp, "benign.html"))
        for pcap in SAMPLES:
            name = os.path.basename(pcap)
            for opts in ([], ["-v"], ["--color", "never", "-v", "--fail-on", "high"]):
                r = run(opts + [pcap])
                check(f"{name} {' '.join(opts)}: runs", r.returncode in (0, 1), r.stderr[-400:])
                terminal_safe(f"{name} {' '.join(opts)}: terminal stdout", r.stdout)
                terminal_safe(f"{name} {' '.join(opts)}: terminal stderr", r.stderr)
            for opts in (["-j"], ["-j", "--sessions"], ["-e"]):
                r = run(["-q"] + opts + [pcap])
                n = json_safe(f"{name} {' '.join(opts)}", r.stdout)
                check(f"{name} {' '.join(opts)}: JSON lines written and safe", n > 0, n)
            out = os.path.join(tmp, name + ".jsonl")
            r = run(["-q", "-o", out, pcap])
            terminal_safe(f"{name} -o: terminal", r.stdout)
            with open(out, "rb") as f:
                check(f"{name} -o FILE: JSON lines safe", json_safe(f"{name} -o", f.read()) > 0)
            if "c1" in name:
                # the SNI with C1 controls as UTF-8 reaches JSON, escaped
                r = run(["-q", "--sessions", "-j", pcap])
                check(f"{name}: U+009B from a packet escaped in JSON",
                      b"\\u009b" in r.stdout and b"\xc2\x9b" not in r.stdout)
            # reports
            for ext in ("html", "md"):
                rep = os.path.join(tmp, f"{name}.{ext}")
                r = run(["-q", "--report", rep, pcap])
                check(f"{name}: --report .{ext} written", os.path.exists(rep), r.stderr[-300:])
            with open(os.path.join(tmp, name + ".html"), "rb") as f:
                raw = f.read()
            terminal_safe(f"{name}: HTML report bytes", raw.replace(b"\t", b" "))
            h = parse_html(os.path.join(tmp, name + ".html"))
            check(f"{name}: HTML report has no element the benign report has not",
                  h.tags <= benign.tags | {"details", "summary"}, h.tags - benign.tags)
            check(f"{name}: HTML report has no attribute or link the benign report has not",
                  h.attrs <= benign.attrs, h.attrs - benign.attrs)
            check(f"{name}: HTML report has no script element", "script" not in h.tags)
            text = "".join(h.text)
            check(f"{name}: HTML report text has no control character", not bad_chars(text, "\n\t"),
                  bad_chars(text, "\n\t"))
            with open(os.path.join(tmp, name + ".md"), "rb") as f:
                rawmd = f.read()
            terminal_safe(f"{name}: Markdown report bytes", rawmd)
            with open(os.path.join(tmp, "benign.md"), encoding="utf-8") as f:
                benign_md = set(md_markup(f.read()))
            got = set(md_markup(rawmd.decode("utf-8", "replace")))
            check(f"{name}: Markdown report has no tag or link the benign report has not",
                  got <= benign_md, got - benign_md)
            # evidence folders: every name inside DIR, printable, no traversal
            ev = os.path.join(tmp, "ev-" + name)
            r = run(["-q", "--evidence", ev, pcap])
            check(f"{name}: --evidence runs", r.returncode in (0, 1), r.stderr[-300:])
            names = []
            for d, dirs, files in os.walk(ev):
                for n in dirs + files:
                    names.append(os.path.relpath(os.path.join(d, n), ev))
            check(f"{name}: evidence written", len(names) > 0)
            badn = [n for n in names if not re.match(r"^[\x21-\x7e]+$", n.replace(" ", "_"))
                    or ".." in n.split(os.sep)]
            check(f"{name}: evidence names printable ASCII, no '..'", badn == [], badn)
            outside = []
            for d, dirs, files in os.walk(tmp):
                for n in files:
                    full = os.path.realpath(os.path.join(d, n))
                    if not full.startswith(os.path.realpath(tmp) + os.sep):
                        outside.append(full)
            check(f"{name}: nothing written outside the test's folder", outside == [], outside)
            redis_check(tmp, pcap, name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("hostile outputs: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
