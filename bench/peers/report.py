#!/usr/bin/env python3
"""Prints criterion's medians and ratios as markdown tables, and writes ratios.svg (no extra
tools). Every ratio is between two medians of the same criterion run. The headline baseline
is the fastest Cedar encoding of each benchmark."""
import json, math, os, platform

HERE = os.path.dirname(os.path.abspath(__file__))
CRIT = os.path.join(HERE, "target", "criterion")
# (criterion name, label, engine)
ENGINES = [
    ("labelgate", "LabelGate", "LabelGate"),
    ("cedar_hierarchy_sliced", "Cedar, hierarchy, sliced", "Cedar"),
    ("cedar_hierarchy", "Cedar, hierarchy", "Cedar"),
    ("cedar_threshold_sliced", "Cedar, threshold, sliced", "Cedar"),
    ("cedar_threshold", "Cedar, threshold", "Cedar"),
    ("rego_vm", "Rego, regorus VM", "Rego"),
    ("rego_interpreter", "Rego, regorus interpreter", "Rego"),
    ("casbin", "Casbin (role cells only)", "Casbin"),
]
BENCHES = [("demo_single", "demo org, single check"), ("demo_allowed", "demo org, allowed actions (18)"),
           ("large_single", "large org, single check"), ("large_allowed", "large org, allowed actions (18)")]
TARGET = {"single": 20, "allowed": 50}
COLORS = {"Cedar": ["#8c4a12", "#b8621a", "#d9822b", "#eeb27a"], "Rego": ["#2f7d32", "#7cc47f"],
          "Casbin": ["#2b6cd9"]}


def median(group, engine):
    path = os.path.join(CRIT, group, engine, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


def fmt(ns):
    if ns is None:
        return "-"
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def ratio(r):
    return "-" if r is None else (f"{r:.1f}x" if r < 100 else f"{r:.0f}x")


m = {g: {e: median(g, e) for e, _, _ in ENGINES} for g, _ in BENCHES}
benches = [(g, label) for g, label in BENCHES if m[g]["labelgate"] is not None]


def fastest(g, engine):
    """The fastest encoding of `engine` in benchmark `g`: (criterion name, median)."""
    times = [(m[g][e], e) for e, _, eng in ENGINES if eng == engine and m[g][e] is not None]
    return min(times)[::-1] if times else (None, None)


print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
print("\nMedians (one criterion run):\n")
print("| engine, encoding | " + " | ".join(label for _, label in benches) + " |")
print("| --- |" + " --- |" * len(benches))
for e, label, _ in ENGINES:
    print(f"| {label} | " + " | ".join(fmt(m[g][e]) for g, _ in benches) + " |")

print("\nRatio to the fastest encoding of the same engine (1.0x: that encoding):\n")
print("| engine, encoding | " + " | ".join(label for _, label in benches) + " |")
print("| --- |" + " --- |" * len(benches))
for e, label, engine in ENGINES[1:]:
    cells = []
    for g, _ in benches:
        best = fastest(g, engine)[1]
        cells.append(ratio(m[g][e] / best) if m[g][e] and best else "-")
    print(f"| {label} | " + " | ".join(cells) + " |")

print("\nHow many times LabelGate's median each one is (the headline: the fastest Cedar):\n")
print("| benchmark | LabelGate | fastest Cedar | fastest Cedar / LabelGate | target | "
      "fastest Rego / LabelGate | Casbin / LabelGate |")
print("| --- | --- | --- | --- | --- | --- | --- |")
rows = []
for g, label in benches:
    lg = m[g]["labelgate"]
    ce, cm = fastest(g, "Cedar")
    re_, rm = fastest(g, "Rego")
    tgt = TARGET[g.split("_")[1]]
    hit = "met" if cm / lg >= tgt else "**missed**"
    name = dict((e, l) for e, l, _ in ENGINES)[ce]
    casbin = m[g]["casbin"]
    print(f"| {label} | {fmt(lg)} | {fmt(cm)} ({name}) | {ratio(cm / lg)} | >= {tgt}x: {hit} | "
          f"{ratio(rm / lg)} | {ratio(casbin / lg) if casbin else '-'} |")
    rows.append((label, [(l, eng, m[g][e] / lg) for e, l, eng in ENGINES[1:] if m[g][e]], tgt))

# The JavaScript run (js/bench.mjs writes js-results.json): cedar-wasm, both encodings.
JS_VARIANTS = [("hierarchy_sliced", "Cedar, hierarchy, sliced"), ("hierarchy", "Cedar, hierarchy"),
               ("threshold", "Cedar, threshold")]
try:
    with open(os.path.join(HERE, "js", "js-results.json")) as f:
        js = json.load(f)
except FileNotFoundError:
    js = {}
if js:
    print("\n| JavaScript (Node, one run) | LabelGate | " + " | ".join(l for _, l in JS_VARIANTS) +
          " | fastest Cedar / LabelGate | target |\n| --- | --- |" + " --- |" * len(JS_VARIANTS) + " --- | --- |")
    for lg, cedar, label, tgt in [("lgOne", "cedarOne", "JS: per decision", 50),
                                  ("lgMany", "cedarMany", "JS: allowed actions, 1,000 projects", None)]:
        r = min(js[cedar].values()) / js[lg]
        ok = "" if tgt is None else f">= {tgt}x: {'met' if r >= tgt else '**missed**'}"
        print(f"| {label} | {fmt(js[lg])} | " + " | ".join(fmt(js[cedar][v]) for v, _ in JS_VARIANTS) +
              f" | {ratio(r)} | {ok} |")
        rows.append((label, [(l, "Cedar", js[cedar][v] / js[lg]) for v, l in JS_VARIANTS], tgt))
    print("\n| JavaScript (Node) | LabelGate | Cedar | Cedar / LabelGate | target |\n| --- | --- | --- | --- | --- |")
    r = js["cedarLoad"] / js["lgLoad"]
    print(f"| JS: module load (fresh process, median of 7) | {fmt(js['lgLoad'] * 1e6)} | {fmt(js['cedarLoad'] * 1e6)} | {ratio(r)} | |")
    rows.append(("JS: module load", [("Cedar (cedar-wasm)", "Cedar", r)], None))
    r = js["cedarGz"] / js["lgGz"]
    print(f"| JS: gzip size, wasm + JS glue | {js['lgGz'] / 1024:.0f} KiB | {js['cedarGz'] / 1024:.0f} KiB | {ratio(r)} | >= 20x: {'met' if r >= 20 else '**missed**'} |")
    rows.append(("JS: gzip size, wasm + JS glue (smaller)", [("Cedar (cedar-wasm)", "Cedar", r)], 20))

# Module sizes (size.sh writes target/rego-wasm/sizes.json): wasm only, gzip -9.
try:
    with open(os.path.join(HERE, "target", "rego-wasm", "sizes.json")) as f:
        sizes = json.load(f)
except FileNotFoundError:
    sizes = {}
lg_size = next((v for k, v in sizes.items() if k.startswith("LabelGate") and v), None)
if lg_size:
    print("\n| wasm module (no JS glue) | bytes | gzip -9 | gzip / LabelGate's |\n| --- | --- | --- | --- |")
    for name, v in sizes.items():
        if v:
            print(f"| {name} | {v['raw']:,} | {v['gzip']:,} | {ratio(v['gzip'] / lg_size['gzip'])} |")
    picks = [("Cedar (cedar-wasm)", "Cedar", "Cedar"), ("Rego (regorus + wasm-opt)", "Rego", "regorus interpreter (+")]
    bars = [(label, engine, v["gzip"] / lg_size["gzip"]) for label, engine, prefix in picks
            for k, v in sizes.items() if k.startswith(prefix) and v]
    rows.append(("wasm module, gzip size (smaller)", bars, None))

# ---- SVG: horizontal bars of the ratios to LabelGate, log scale ------------------------
W, LEFT, BAR, GAP, TOP = 820, 330, 13, 16, 62
vmax = max([r for _, bars, _ in rows for _, _, r in bars] + [100])
decades = math.ceil(math.log10(vmax))
scale = (W - LEFT - 60) / decades
H = TOP + sum(len(bars) * (BAR + 2) + GAP + 14 for _, bars, _ in rows) + 40
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       '<text x="10" y="20" font-size="15" font-weight="bold">How many times LabelGate\'s median (or size), one run, log scale</text>',
       '<text x="10" y="38">Bold: the fastest Cedar encoding, the headline baseline. Dashed: the target, where the row has one.</text>']
x = 10
for engine, colors in COLORS.items():
    out.append(f'<rect x="{x}" y="46" width="12" height="10" fill="{colors[0]}"/><text x="{x + 16}" y="55">{engine}</text>')
    x += 80
for d in range(decades + 1):
    gx = LEFT + d * scale
    out.append(f'<line x1="{gx:.1f}" y1="{TOP}" x2="{gx:.1f}" y2="{H - 30}" stroke="#ddd"/>')
    out.append(f'<text x="{gx:.1f}" y="{H - 15}" text-anchor="middle">{10 ** d}x</text>')
y = TOP + 4
for label, bars, tgt in rows:
    out.append(f'<text x="10" y="{y + BAR - 2}" font-weight="bold">{label}</text>')
    y += 14
    best = min((r for _, eng, r in bars if eng == "Cedar"), default=None)
    top = y
    shade = {}
    for name, engine, r in bars:
        color = COLORS[engine][min(shade.get(engine, 0), len(COLORS[engine]) - 1)]
        shade[engine] = shade.get(engine, 0) + 1
        w = max(1.0, math.log10(max(r, 1.0)) * scale)
        weight = ' font-weight="bold"' if engine == "Cedar" and r == best else ""
        out.append(f'<text x="{LEFT - 6}" y="{y + BAR - 2}" text-anchor="end"{weight}>{name}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{color}"/>')
        out.append(f'<text x="{LEFT + w + 4:.1f}" y="{y + BAR - 2}"{weight}>{ratio(r)}</text>')
        y += BAR + 2
    if tgt:
        tx = LEFT + math.log10(tgt) * scale
        out.append(f'<line x1="{tx:.1f}" y1="{top - 2}" x2="{tx:.1f}" y2="{y}" stroke="#c00" stroke-dasharray="4,3"/>')
    y += GAP
out.append('</svg>')
with open(os.path.join(HERE, "ratios.svg"), "w") as f:
    f.write("\n".join(out) + "\n")
print(f"\nwrote {os.path.join('bench', 'peers', 'ratios.svg')}")
