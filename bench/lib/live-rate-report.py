"""The table, verdict and JSON of bench/live-rate, from the files of its run (LR_* in the
environment: see the end of bench/live-rate).  Exit status 0 PASS or no verdict, 1 FAIL or a
receiver that did not run to its end."""
import json
import os
import platform
import re
import sys
import time

E = os.environ
clk = int(E["LR_CLK_TCK"])
work = E["LR_WORK"]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def num(pat, text):
    m = re.search(pat, text)
    return int(m.group(1)) if m else None


def intor(s):
    return int(s) if s not in ("", None) else None


def delta(a, b):
    a, b = intor(a), intor(b)
    return b - a if a is not None and b is not None else None


def tcpreplay(tag):
    tr = read(os.path.join(work, tag + ".tcpreplay"))
    m = re.search(r"Rated:\s+([\d.]+) Bps,\s+([\d.]+) Mbps,\s+([\d.]+) pps", tr)
    s = re.search(r"Actual:\s+\d+ packets \(\d+ bytes\) sent in ([\d.]+) seconds", tr)
    return {"sent": num(r"Successful packets:\s+(\d+)", tr),
            "failed": num(r"Failed packets:\s+(\d+)", tr),
            "mbps": float(m.group(2)) if m else None,
            "pps": float(m.group(3)) if m else None,
            "seconds": float(s.group(1)) if s else None}


steps = []
for line in open(E["LR_STEPS"]):
    (tool, rate, tr_rc, rx_rc, tx0, tx1, rx0, rx1, rxd0, rxd1, ticks, wall_us, load, tag,
     st) = line.rstrip("\n").split("\t", 14)
    s = {"tool": tool, "rate": rate, "tcpreplay_exit": int(tr_rc), "exit": int(rx_rc),
         "veth_tx": delta(tx0, tx1), "arrived": delta(rx0, rx1),
         "veth_rx_dropped": delta(rxd0, rxd1), "cpu_s": int(ticks) / clk,
         "wall_s": int(wall_us) / 1e6, "loadavg": load.split()}
    s.update(tcpreplay(tag))
    err = read(os.path.join(work, tag + ".err"))
    if tool == "tcpdump":
        s["received"] = num(r"(\d+) packets? received by filter", err)
        s["dropped"] = num(r"(\d+) packets? dropped by kernel", err)
        s["read"] = num(r"(\d+) packets? captured", err)
        s["ok"] = s["exit"] == 0 and s["dropped"] is not None
    else:
        rec = json.loads(st) if st != "-" else {}
        summ = [json.loads(x) for x in read(os.path.join(work, tag + ".jsonl")).splitlines()
                if '"type":"summary"' in x]
        s["received"] = rec.get("packets_received")
        s["dropped"] = rec.get("packets_dropped")
        s["read"] = summ[-1]["frames"] if summ else rec.get("frames")
        s["ok"] = s["exit"] == 0 and s["dropped"] is not None and bool(summ)
        if not s["ok"]:
            s["stderr"] = err[-2000:]
    s["cpu_pct"] = (round(s["cpu_s"] / s["seconds"] * 100, 1)
                    if s["seconds"] else None)
    # tcpreplay did not reach the rate asked for (the sender, not the receiver, was the limit)
    s["short"] = (rate != "topspeed" and s["mbps"] is not None
                  and s["mbps"] < 0.9 * float(rate))
    steps.append(s)


def n(v):
    return "-" if v is None else f"{v:,}"


def f(v, spec="", dash="-"):
    return dash if v is None else format(v, spec)


try:
    gstats = json.load(open(E["LR_GSTATS"]))
except (OSError, ValueError):
    gstats = {}
cpu_model = ""
for line in read("/proc/cpuinfo").splitlines():
    if line.startswith("model name"):
        cpu_model = line.split(":", 1)[1].strip()
        break
load_now = read("/proc/loadavg").split()[:3]
workers = E["LR_WORKERS"]
td_buf = E["LR_TD_BUF"]

print(f"live drop rate: the first {int(E['LR_PACKETS']):,} packets of {E['LR_CAP']}"
      + (f" ({gstats['packets']:,} in the file)" if isinstance(gstats.get("packets"), int) else "")
      + (f", at most {E['LR_DURATION']} s a step" if E["LR_DURATION"] else "")
      + ", over a veth pair (offloads off, MTU 1600)"
      + (f"; tcpreplay and the receiver on CPU {E['LR_PIN']}" if E["LR_PIN"] else ""))
print(f"shakedown: {E['LR_SD_PATH']} ({E['LR_SD_VERSION'] or '?'})"
      + (f" --workers {workers}" if workers else "") + "; ring 32 MiB of TPACKET_V3 blocks")
if E["LR_TD_VERSION"]:
    print(f"tcpdump:   {E['LR_TD_VERSION']} -w /dev/null; "
          + (f"-B {td_buf} KiB" if td_buf else "default buffer (libpcap's 2 MiB; -B not given)"))
print(f"CPU: {cpu_model or '?'}, {os.cpu_count()} cores; load average at the start "
      f"{' '.join(steps[0]['loadavg']) if steps else '-'}, at the end {' '.join(load_now)}")
print()
print(f"{'rate':>9} {'Mbit/s':>7} {'kpps':>6} {'receiver':<9} {'sent':>9} {'arrived':>9} "
      f"{'received':>9} {'read':>9} {'dropped':>8} {'CPU s':>6} {'CPU %':>6}")
for s in steps:
    print(f"{s['rate']:>9} {f(s['mbps'], '.1f'):>7} {f(s['pps'] and s['pps'] / 1000, '.1f'):>6} "
          f"{s['tool']:<9} {n(s['sent']):>9} {n(s['arrived']):>9} {n(s['received']):>9} "
          f"{n(s['read']):>9} {n(s['dropped']):>8} {s['cpu_s']:>6.2f} {f(s['cpu_pct'], '.1f'):>6}"
          + (" <" if s["short"] else "")
          + ("" if s["ok"] else "  (did not run to its end: exit " + str(s["exit"]) + ")"))
    if s.get("veth_rx_dropped"):
        print(f"{'':>9} the veth itself dropped {s['veth_rx_dropped']:,} (rx_dropped), "
              "before any packet socket")
    if s.get("stderr"):
        print("           stderr: " + s["stderr"].strip().replace("\n", "\n           "))

if any(s["short"] for s in steps):
    print("  <: tcpreplay reached less than 90 % of the rate asked for (the sender was the limit)")

order = []
for s in steps:
    if s["rate"] not in order:
        order.append(s["rate"])


def label(rate):
    if rate != "topspeed":
        return f"{rate} Mbit/s"
    got = [s["mbps"] for s in steps if s["rate"] == rate and s["mbps"]]
    return "topspeed (" + "/".join(f"{x:.0f}" for x in got) + " Mbit/s)"


def highest(tool):
    """The last rate of the series at which TOOL ran and dropped nothing (None: none)."""
    best = None
    for s in steps:
        if s["tool"] == tool and s["ok"] and s["dropped"] == 0:
            best = s["rate"]
    return best


def clean_upto(tool, rate):
    """TOOL ran and dropped nothing at every rate of the series up to RATE."""
    for r in order[:order.index(rate) + 1]:
        got = [s for s in steps if s["tool"] == tool and s["rate"] == r]
        if not got or not all(s["ok"] and s["dropped"] == 0 for s in got):
            return False
    return True


print()
hi = {t: highest(t) for t in ("tcpdump", "shakedown")}
for t in ("tcpdump", "shakedown"):
    if any(s["tool"] == t for s in steps):
        print(f"highest rate without drops, {t + ':':<10} "
              + (label(hi[t]) if hi[t] else "none (it dropped at every rate)"))
failed = [s for s in steps if not s["ok"]]
verdict = None
if not any(s["tool"] == "tcpdump" for s in steps):
    why = "no verdict: tcpdump was not run (--no-tcpdump)"
elif hi["tcpdump"] is None:
    why = "no verdict: tcpdump dropped packets at every rate; try lower --rates"
else:
    verdict = clean_upto("shakedown", hi["tcpdump"])
    why = ("shakedown drops nothing up to the highest rate at which tcpdump drops nothing ("
           + label(hi["tcpdump"]) + ")")
if failed:
    verdict = False
    why = ", ".join(f"{s['tool']} at {s['rate']} did not run to its end" for s in failed)
if hi["tcpdump"] is not None:
    mb = {s["tool"]: s["mbps"] for s in steps if s["rate"] == hi["tcpdump"]}
    if mb.get("tcpdump") and mb.get("shakedown") and mb["shakedown"] < 0.9 * mb["tcpdump"]:
        print(f"note: at {hi['tcpdump']} tcpreplay sent {mb['shakedown']:.0f} Mbit/s to shakedown "
              f"but {mb['tcpdump']:.0f} to tcpdump: the receiver's CPU was taken from the sender's")
print(f"check: {'PASS' if verdict else 'FAIL' if verdict is False else 'NONE'}: {why}")

if out := E["LR_JSON_OUT"]:
    doc = {
        "kind": "live-rate",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"kernel": platform.release(), "cpus": os.cpu_count(), "cpu": cpu_model},
        "loadavg_start": steps[0]["loadavg"] if steps else None,
        "loadavg_end": load_now,
        "repo": {"commit": E["LR_COMMIT"], "dirty": E["LR_DIRTY"] != "0"},
        "shakedown": {"path": E["LR_SD_PATH"], "version": E["LR_SD_VERSION"],
                      "workers": int(workers) if workers else None},
        "tcpdump": {"version": E["LR_TD_VERSION"] or None,
                    "buffer_kib": int(td_buf) if td_buf else None},
        "capture": {"path": E["LR_CAP"], "size_arg": E["LR_SIZE"],
                    "packets": gstats.get("packets"), "flows": gstats.get("flows")},
        "options": {"packets_per_step": int(E["LR_PACKETS"]),
                    "duration_s": int(E["LR_DURATION"]) if E["LR_DURATION"] else None,
                    "rates": order, "quick": E["LR_QUICK"] == "1",
                    "pin_cpu": int(E["LR_PIN"]) if E["LR_PIN"] else None},
        "steps": [{k: v for k, v in s.items() if k != "stderr"} for s in steps],
        "highest_without_drops": hi,
        "check": "PASS" if verdict else "FAIL" if verdict is False else None,
    }
    with open(out, "w") as fo:
        json.dump(doc, fo, indent=1, sort_keys=True)
        fo.write("\n")
    print(f"\nsaved {out}")
sys.exit(1 if verdict is False else 0)
