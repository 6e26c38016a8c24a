#!/usr/bin/env python3
"""Prints criterion's medians and the ratios, and writes ratios.svg (no extra tools)."""
import json, os, platform

HERE = os.path.dirname(os.path.abspath(__file__))
CRIT = os.path.join(HERE, "target", "criterion")
ENGINES = ["labelgate", "cedar", "casbin"]
ROWS = [("demo_single", "demo org, single check"), ("demo_allowed", "demo org, allowed actions (18)"),
        ("large_single", "large org, single check"), ("large_allowed", "large org, allowed actions (18)")]
TARGET = {"single": 20, "allowed": 50}


def median(group, engine):
    path = os.path.join(CRIT, group, engine, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"]


def fmt(ns):
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


rows = []
for group, label in ROWS:
    try:
        m = {e: median(group, e) for e in ENGINES}
    except FileNotFoundError:
        continue
    rows.append((group, label, m, m["cedar"] / m["labelgate"], m["casbin"] / m["labelgate"]))

# The JavaScript run (js/bench.mjs writes js-results.json): Cedar's ratios only, no Casbin.
JS_ROWS = [("lgOne", "cedarOne", "JS: per decision", 50), ("lgMany", "cedarMany", "JS: allowed actions, 1,000 projects", None),
           ("lgLoad", "cedarLoad", "JS: module load", None), ("lgGz", "cedarGz", "JS: gzip size (smaller)", 20)]
js = {}
try:
    with open(os.path.join(HERE, "js", "js-results.json")) as f:
        js = json.load(f)
except FileNotFoundError:
    pass

print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
print(f"{'benchmark':36} {'LabelGate':>11} {'Cedar':>11} {'Casbin':>11} {'Cedar/LG':>9} {'Casbin/LG':>10}  target")
for group, label, m, rc, rk in rows:
    tgt = TARGET[group.split("_")[1]]
    ok = "met" if rc >= tgt else "MISSED"
    print(f"{label:36} {fmt(m['labelgate']):>11} {fmt(m['cedar']):>11} {fmt(m['casbin']):>11} "
          f"{rc:8.1f}x {rk:9.1f}x  Cedar >= {tgt}x: {ok}")

if js:
    print(f"\n{'JavaScript (Node, one run)':36} {'LabelGate':>11} {'Cedar':>11} {'Cedar/LG':>9}  target")
    for lg, cedar, label, tgt in JS_ROWS:
        r = js[cedar] / js[lg]
        unit = (lambda v: f"{v / 1024:.0f} KiB") if lg == "lgGz" else (lambda v: fmt(v * 1e6) if lg == "lgLoad" else fmt(v))
        ok = "" if tgt is None else f"Cedar >= {tgt}x: {'met' if r >= tgt else 'MISSED'}"
        print(f"{label:36} {unit(js[lg]):>11} {unit(js[cedar]):>11} {r:8.1f}x  {ok}")
        rows.append((lg, label, None, r, None))

# ---- SVG: horizontal bars of the ratios, log scale --------------------------------------
import math
W, LEFT, BAR, GAP, TOP = 760, 250, 16, 14, 50
vmax = max([r[3] for r in rows] + [r[4] for r in rows if r[4] is not None] + [100])
decades = math.ceil(math.log10(vmax))
scale = (W - LEFT - 40) / decades
H = TOP + sum((2 if r[4] is not None else 1) * (BAR + 2) + GAP + 2 for r in rows) + 40
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="10" y="20" font-size="15" font-weight="bold">How many times slower (or larger) than LabelGate, median, log scale</text>',
       f'<rect x="{LEFT}" y="30" width="12" height="10" fill="#d9822b"/><text x="{LEFT + 16}" y="39">Cedar</text>',
       f'<rect x="{LEFT + 70}" y="30" width="12" height="10" fill="#2b6cd9"/><text x="{LEFT + 86}" y="39">Casbin</text>']
for d in range(decades + 1):
    x = LEFT + d * scale
    out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{H - 30}" stroke="#ddd"/>')
    out.append(f'<text x="{x:.1f}" y="{H - 15}" text-anchor="middle">{10 ** d}x</text>')
y = TOP + 4
for group, label, m, rc, rk in rows:
    label_y = y + BAR + 4 if rk is not None else y + BAR - 4
    out.append(f'<text x="{LEFT - 8}" y="{label_y}" text-anchor="end">{label}</text>')
    for ratio, color in ((rc, "#d9822b"), (rk, "#2b6cd9")):
        if ratio is None:
            continue
        w = max(1.0, math.log10(max(ratio, 1.0)) * scale)
        out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{color}"/>')
        shown = f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"
        out.append(f'<text x="{LEFT + w + 4:.1f}" y="{y + BAR - 4}">{shown}x</text>')
        y += BAR + 2
    y += GAP + 2
out.append('</svg>')
with open(os.path.join(HERE, "ratios.svg"), "w") as f:
    f.write("\n".join(out) + "\n")
print(f"wrote {os.path.join('bench', 'peers', 'ratios.svg')}")
