#!/usr/bin/env python3
"""Differential test: IKE messages and ESP SAs, shakedown --events vs tshark.

For every capture in ../shared/corpus whose MANIFEST protocols hold isakmp or esp, plus
samples/*.pcap, tshark's ISAKMP fields (SPIs, exchange type, message id, flags, payload
types in order, notify types, vendor IDs, SA transforms, SKF fragment number/total) are
compared frame by frame with the `ike` lines of `shakedown --events`, and tshark's ESP
SPI/sequence numbers, summed per (src, dst, spi, udp), with the `esp` lines.  A difference
is allowed only where tests/compat/ike-exceptions.tsv lists it (file, frame or
esp:SRC>DST/SPI, field, reason).  Exit 0 all equal, 1 an unlisted difference (or a stale
exception), 77 when the corpus or tshark is absent.

usage: tshark_ike.py SHAKEDOWN [FILE...]
"""
import collections
import concurrent.futures
import json
import os
import sys

from common import (HERE, SKIP, corpus_dir, load_exceptions, manifest, need_tshark, run,
                    samples)

EXC_FILE = os.path.join(HERE, "ike-exceptions.tsv")
IKE_FIELDS = ["version", "exchange", "ispi", "rspi", "message_id", "flags", "payloads",
              "notify", "vendor_ids", "transforms", "fragment", "nat_t", "initiator",
              "response", "encrypted"]


def derive(f, natt_port):
    """Fields tshark shows only through others: header flag bits, first payload, port."""
    f["nat_t"] = natt_port
    if "flags" not in f or "version" not in f:
        return f
    if f["version"] == 2:
        f["initiator"] = bool(f["flags"] & 0x08)
        f["response"] = bool(f["flags"] & 0x20)
        f["encrypted"] = bool(f["payloads"]) and f["payloads"][0] in (46, 53)
    elif f["version"] == 1:
        f["response"] = False
        f["encrypted"] = bool(f["flags"] & 0x01)
    return f
ESP_FIELDS = ["packets", "first_frame", "last_frame", "seq_first", "seq_last"]


def pairs_hook(p):
    return p


def hexbytes(v):
    return v.replace(":", "").lower()


def intval(v):
    return int(v, 0) if isinstance(v, str) else int(v)


def ike_facts(tree):
    """One tshark isakmp layer (list of key/value pairs) -> our field names."""
    f = {"payloads": [], "notify": [], "vendor_ids": [], "transforms": [], "fragment": None}
    frag = {}

    def walk(items, depth, in_payload):
        pending_type = None
        for k, v in items:
            if isinstance(v, list) and v and isinstance(v[0], tuple):
                walk(v, depth + 1, in_payload or k == "isakmp.typepayload_tree")
                continue
            if k == "isakmp.typepayload" and depth == 0:
                f["payloads"].append(int(v))
            elif k == "isakmp.notify.msgtype":
                f["notify"].append(int(v))
            elif k == "isakmp.vid_bytes":
                f["vendor_ids"].append(hexbytes(v))
            elif k == "isakmp.tf.type":
                pending_type = int(v)
            elif k.startswith("isakmp.tf.id") and pending_type is not None:
                f["transforms"].append([pending_type, int(v)])
                pending_type = None
            elif k == "isakmp.trans.id":
                f["transforms"].append([1, int(v)])
            elif k in ("isakmp.frag.number", "isakmp.frag.total") and in_payload:
                frag[k.rsplit(".", 1)[1]] = int(v)
            elif depth == 0 and k == "isakmp.ispi":
                f["ispi"] = hexbytes(v)
            elif depth == 0 and k == "isakmp.rspi":
                f["rspi"] = hexbytes(v)
            elif depth == 0 and k == "isakmp.version":
                f["version"] = intval(v) >> 4
            elif depth == 0 and k == "isakmp.exchangetype":
                f["exchange"] = int(v)
            elif depth == 0 and k == "isakmp.flags":
                f["flags"] = intval(v)
            elif depth == 0 and k == "isakmp.messageid":
                f["message_id"] = intval(v)

    walk(tree, 0, False)
    if "number" in frag and "total" in frag:
        f["fragment"] = {"number": frag["number"], "total": frag["total"]}
    return f


def tshark_side(tshark, path):
    """frame -> [ike facts], and ESP SA summaries keyed 'src>dst/spi/udp'."""
    p = run([tshark, "-n", "-r", path, "-T", "json", "-J", "frame ip ipv6 udp icmp icmpv6 isakmp esp",
             "-o", "esp.enable_null_encryption_decode_heuristic:FALSE"])
    if p.returncode != 0 and not p.stdout:
        return None, None, p.stderr.decode("utf-8", "replace")
    try:
        pkts = json.loads(p.stdout.decode("utf-8", "replace"), object_pairs_hook=pairs_hook)
    except ValueError as e:
        return None, None, f"tshark JSON: {e}"
    ike = collections.defaultdict(list)
    esp = collections.OrderedDict()
    for pkt in pkts:
        layers = dict(pkt).get("_source")
        layers = dict(layers).get("layers") if layers else None
        if not layers:
            continue
        frame = None
        src = dst = None
        udp = False
        natt = False
        for name, val in layers:
            if name in ("icmp", "icmpv6"):
                break  # what follows is the packet an ICMP error quotes, not a message
            if name == "frame":
                frame = int(dict(val).get("frame.number"))
            elif name in ("ip", "ipv6"):
                d = dict(val)
                src = d.get("ip.src") or d.get("ipv6.src")
                dst = d.get("ip.dst") or d.get("ipv6.dst")
            elif name == "udp":
                udp = True
                d = dict(val)
                natt = "4500" in (d.get("udp.srcport"), d.get("udp.dstport"))
            elif name == "isakmp":
                ike[frame].append(derive(ike_facts(val), natt))
            elif name == "esp":
                d = dict(val)
                if "esp.spi" not in d:
                    continue
                spi = intval(d["esp.spi"])
                seq = int(d.get("esp.sequence", 0))
                key = f"{src}>{dst}/{spi:08x}/{'udp' if udp else 'esp'}"
                sa = esp.get(key)
                if sa is None:
                    sa = esp[key] = {"packets": 0, "first_frame": frame, "seq_first": seq}
                sa["packets"] += 1
                sa["last_frame"] = frame
                sa["seq_last"] = seq
    return ike, esp, None


def our_side(shakedown, path):
    p = run([shakedown, "--events", "--no-ndpi", "-q", "--no-progress", path])
    ike = collections.defaultdict(list)
    esp = collections.OrderedDict()
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("type") == "ike":
            ev["flags"] = ev.get("flags")
            ike[ev["frame"]].append(ev)
        elif ev.get("type") == "esp":
            key = f"{ev['src']}>{ev['dst']}/{ev['spi']}/{'udp' if ev['udp_encap'] else 'esp'}"
            esp[key] = ev
    return ike, esp, p.returncode, p.stderr.decode("utf-8", "replace")


STATS = collections.Counter()


def compare(shakedown, tshark, path, name):
    diffs = []
    t_ike, t_esp, err = tshark_side(tshark, path)
    if t_ike is None:
        return [(name, "-", "tshark", f"tshark failed: {err.strip()[:200]}")]
    o_ike, o_esp, rc, stderr = our_side(shakedown, path)
    if rc not in (0, 1):
        diffs.append((name, "-", "exit", f"shakedown exit {rc}: {stderr.strip()[:200]}"))
    for frame in sorted(set(t_ike) | set(o_ike)):
        t, o = t_ike.get(frame, []), o_ike.get(frame, [])
        if len(t) != len(o):
            diffs.append((name, str(frame), "messages",
                          f"tshark {len(t)} ike message(s), shakedown {len(o)}"))
            continue
        for tm, om in zip(t, o):
            STATS["ike messages"] += 1
            STATS["notifies"] += len(tm["notify"])
            STATS["vendor ids"] += len(tm["vendor_ids"])
            STATS["transforms"] += len(tm["transforms"])
            STATS["fragments"] += tm["fragment"] is not None
            for fld in IKE_FIELDS:
                if fld not in tm:
                    continue
                if tm[fld] != om.get(fld):
                    diffs.append((name, str(frame), fld,
                                  f"tshark {json.dumps(tm[fld])} shakedown {json.dumps(om.get(fld))}"))
    for key in list(t_esp) + [k for k in o_esp if k not in t_esp]:
        t, o = t_esp.get(key), o_esp.get(key)
        if t is None or o is None:
            diffs.append((name, f"esp:{key}", "sa",
                          "only in shakedown" if t is None else "only in tshark"))
            continue
        STATS["esp SAs"] += 1
        for fld in ESP_FIELDS:
            if t[fld] != o.get(fld):
                diffs.append((name, f"esp:{key}", fld,
                              f"tshark {t[fld]} shakedown {o.get(fld)}"))
    return diffs


def inputs(args):
    if args:
        return [(a, os.path.basename(a)) for a in args]
    out = []
    cdir = corpus_dir()
    for row in manifest(cdir):
        protos = row.get("protocols", "").split(",")
        if "isakmp" in protos or "esp" in protos:
            path = os.path.join(cdir, row["file"])
            if os.path.isfile(path) and (path, row["file"]) not in out:
                out.append((path, row["file"]))
    for s in samples():
        out.append((s, "samples/" + os.path.basename(s)))
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    shakedown = sys.argv[1]
    if corpus_dir() is None and len(sys.argv) == 2:
        print("SKIP: ../shared/corpus is absent")
        return SKIP
    tshark = need_tshark()
    if not os.access(shakedown, os.X_OK):
        print(f"{shakedown}: not an executable")
        return 2
    exc = load_exceptions(EXC_FILE)
    used = set()
    todo = inputs(sys.argv[2:])
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        results = list(ex.map(lambda t: compare(shakedown, tshark, t[0], t[1]), todo))
    for (path, name), diffs in zip(todo, results):
        for d in diffs:
            key = d[:3]
            if key in exc or (d[0], "*", d[2]) in exc:
                used.add(key if key in exc else (d[0], "*", d[2]))
                continue
            bad += 1
            print(f"DIFF {d[0]} frame {d[1]} {d[2]}: {d[3]}")
    if len(sys.argv) == 2:
        for key in exc:
            if key not in used:
                print(f"STALE exception (no longer differs): {' '.join(key)}")
                bad += 1
    print(f"{len(todo)} captures compared ({', '.join(f'{v} {k}' for k, v in sorted(STATS.items()))}), "
          f"{bad} unlisted difference(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
