#!/usr/bin/python3
"""--report in a real browser: the HTML report of several samples (one with hostile strings in
its SNI and certificate names) rendered by headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium), and the Markdown report rendered by
python3-markdown.

HTML: the page loads with no network request and no console message of level error; it holds
no <script>, no <img>, no attribute on*, no link that leaves the report; the hostile strings
show as text; it does not overflow the window sideways; dark mode and print work.  Screenshots
(light and dark) and the printed PDF are left in OUTDIR as artefacts.
Markdown: no tag but the report's own, no link to anything outside it, the hostile strings
shown as text.

Usage: browser.py SHAKEDOWN OUTDIR.  Exit 77 (skipped) when chromium is not installed."""
import base64
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SD, OUT = sys.argv[1], sys.argv[2]
SAMPLES = ["hostile-strings", "hostile-c1", "icept-fortinet", "ike-no-proposal", "trust-unknown-ca",
           "tcp-rst-closed"]
ESC = "\x1b"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
           "[link](http://evil.example)", "../../etc/passwd"]
# the terminal escape as the report shows it: every control byte visible
HOSTILE_ESC = "\\x1b[31mred\\x1b]8;;http://x\\x1b\\click"
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)[:600]))
    if not ok:
        failures.append(what)


chromium = shutil.which("chromium")
driver_bin = shutil.which("chromedriver")
if chromium is None or driver_bin is None:
    print("skipped: Debian's chromium and chromium-driver are not installed "
          "(apt-get install chromium chromium-driver)")
    sys.exit(77)

from selenium import webdriver  # noqa: E402  (after the skip: a missing module is a failure)
from selenium.webdriver.chrome.service import Service  # noqa: E402
import markdown  # noqa: E402

os.makedirs(OUT, exist_ok=True)
tmp = tempfile.mkdtemp(prefix="sd-report-")
# Peers: the GeoIP test's databases (known answers for the samples' addresses, AS names with
# markup and an OSC 8 link), when Debian's Perl writer is there to make them.
geo = []
if subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"],
                  capture_output=True).returncode == 0:
    subprocess.run(["perl", os.path.join(ROOT, "tests", "geoip", "make-mmdb.pl"), tmp],
                   check=True)
    geo = ["--geoip", os.path.join(tmp, "asn.mmdb"), "--geoip", os.path.join(tmp, "city.mmdb")]
else:
    print("note: no libmaxmind-db-writer-perl: the peers' AS and country are not checked")
pages = {}
for s in SAMPLES:
    pcap = os.path.join(ROOT, "samples", s + ".pcap")
    for ext in ("html", "md"):
        out = os.path.join(tmp, s + "." + ext)
        r = subprocess.run([SD, "-q", "--report", out] + (geo if s == "hostile-strings" else [])
                           + [pcap], capture_output=True, timeout=120)
        check(f"{s}: --report .{ext} runs", r.returncode in (0, 1) and os.path.exists(out),
              r.stderr.decode(errors="replace"))
    pages[s] = os.path.join(tmp, s)
    with open(pages[s] + ".html", "rb") as f:
        raw = f.read()
    check(f"{s}: no control byte in the HTML file",
          not any(b < 0x20 and b not in (0x09, 0x0a) for b in raw) and b"\x9b" not in raw)

opts = webdriver.ChromeOptions()
opts.binary_location = chromium
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1280,900", "--user-data-dir=" + os.path.join(tmp, "profile"),
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-default-apps", "--disable-sync"):
    opts.add_argument(a)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
drv = webdriver.Chrome(service=Service(driver_bin), options=opts)

ATTRS_JS = """
var bad = [];
document.querySelectorAll('*').forEach(function (e) {
  for (var i = 0; i < e.attributes.length; i++) {
    var n = e.attributes[i].name.toLowerCase();
    if (n.indexOf('on') === 0 || n === 'src' || n === 'srcset' || n === 'style' ||
        n === 'formaction' || (n === 'href' && e.getAttribute('href').charAt(0) !== '#'))
      bad.push(e.tagName + ' ' + n + '=' + e.attributes[i].value);
  }
});
return bad;
"""
try:
    import json
    for s in SAMPLES:
        url = "file://" + pages[s] + ".html"
        drv.get("about:blank")  # the browser's own start pages are not the report's
        drv.get_log("performance")
        drv.get_log("browser")
        drv.get(url)
        # network: every request the page made (the document itself is the only one)
        reqs = []
        for e in drv.get_log("performance"):
            m = json.loads(e["message"])["message"]
            if m.get("method") == "Network.requestWillBeSent":
                reqs.append(m["params"]["request"]["url"])
        others = [u for u in reqs if u != url]
        check(f"{s}: no network request", others == [], others)
        res = drv.execute_script("return performance.getEntriesByType('resource')"
                                 ".map(function (e) { return e.name; })")
        check(f"{s}: no resource loaded (performance API)", res == [], res)
        errs = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        check(f"{s}: no console error", errs == [], errs)
        n = drv.execute_script("return [document.scripts.length, "
                               "document.querySelectorAll('script,img,iframe,object,embed,"
                               "form,link,meta[http-equiv=refresh],base').length]")
        check(f"{s}: no script, image, frame, form or external link element", n == [0, 0], n)
        bad = drv.execute_script(ATTRS_JS)
        check(f"{s}: no event handler, src or link leaving the report", bad == [], bad)
        text = drv.execute_script("return document.body.innerText")
        check(f"{s}: the verdict comes first",
              text.find("Verdict") >= 0 and text.find("Verdict") < text.find("Capture"))
        check(f"{s}: no control character shown",
              not any(ord(c) < 0x20 and c not in "\t\n" or 0x7f <= ord(c) <= 0x9f for c in text))
        wide = drv.execute_script("return [document.documentElement.scrollWidth, "
                                  "window.innerWidth]")
        check(f"{s}: nothing overflows the window sideways", wide[0] <= wide[1], wide)
        if s == "hostile-strings":
            for h in HOSTILE:
                check(f"{s}: shows {h!r} as text", h in text)
            check(f"{s}: shows the terminal escapes visibly", HOSTILE_ESC in text)
            check(f"{s}: no ESC reached the page", ESC not in text)
            if geo:
                peers = drv.execute_script(
                    "return document.querySelector('#peers ~ table').innerText")
                for want in ("AS64501", "AS64500", "Example Transit <b>&co", "DE", "Berlin",
                             "Evil\\x1b]8;;http://x\\x07Net"):
                    check(f"{s}: peers show {want!r}", want in peers, peers)
        if s in ("icept-fortinet", "trust-unknown-ca"):
            n = drv.execute_script("return document.querySelectorAll('svg.ladder line.red')"
                                   ".length")
            check(f"{s}: the ladder draws the alert in red", n >= 1, n)
            n = drv.execute_script("return document.querySelectorAll('svg.vbar line.red')"
                                   ".length")
            check(f"{s}: the capture time marked on each certificate's validity", n >= 1, n)
        if s == "ike-no-proposal":
            check(f"{s}: the IKE exchange is in the ladder", "IKE_SA_INIT" in text)
        light = drv.execute_script("return getComputedStyle(document.body).backgroundColor")
        drv.set_window_size(1280, min(12000, drv.execute_script(
            "return document.documentElement.scrollHeight") + 40))
        drv.save_screenshot(os.path.join(OUT, f"report-{s}.png"))
        drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        dark = drv.execute_script("return getComputedStyle(document.body).backgroundColor")
        check(f"{s}: a dark colour scheme", light != dark, (light, dark))
        drv.save_screenshot(os.path.join(OUT, f"report-{s}-dark.png"))
        drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        pdf = base64.b64decode(drv.print_page())
        with open(os.path.join(OUT, f"report-{s}.pdf"), "wb") as f:
            f.write(pdf)
        check(f"{s}: prints", pdf[:5] == b"%PDF-" and len(pdf) > 2000, len(pdf))
        drv.set_window_size(1280, 900)
        errs = [e for e in drv.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        check(f"{s}: no console error after printing", errs == [], errs)
finally:
    drv.quit()


class Tags(html.parser.HTMLParser):
    """The tags, attributes and text of rendered Markdown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


OWN = {"h1", "h2", "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "code",
       "pre", "strong", "a"}
for s in SAMPLES:
    with open(pages[s] + ".md", encoding="utf-8") as f:
        md = f.read()
    check(f"{s}: no control character in the Markdown",
          not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in md))
    p = Tags()
    p.feed(markdown.markdown(md, extensions=["tables", "fenced_code"]))
    check(f"{s}: Markdown renders only the report's own tags", p.tags <= OWN, p.tags - OWN)
    links = [(t, k, v) for t, k, v in p.attrs if k not in ("id",) and
             not (k == "href" and v.startswith("#")) and not (t == "code" and k == "class")]
    check(f"{s}: Markdown has no link or attribute from packets", links == [], links)
    text = "".join(p.text).replace("\u200b", "")
    if s == "hostile-strings":
        for h in HOSTILE:
            check(f"{s}: Markdown shows {h!r} as text", h in text)
        check(f"{s}: Markdown shows the terminal escapes visibly", HOSTILE_ESC in text)
        check(f"{s}: Markdown has the ladder as a fenced block", "```text" in md)
        if geo:
            check(f"{s}: Markdown peers show the AS name as text",
                  "Example Transit <b>&co" in text and "AS64501" in text)

shutil.rmtree(tmp, ignore_errors=True)
print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
