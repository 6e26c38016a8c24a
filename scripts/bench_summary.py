"""Reads criterion's estimates for the core benchmarks and prints medians, ratios and targets."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target"
CRIT = ROOT / "criterion"


def median_ns(group, bench):
    path = CRIT / group / bench / "new" / "estimates.json"
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.1f} ns"


paired = json.loads((ROOT / "labelgate-bench" / "core-paired.json").read_text())
rows = []
for case in ["manager_allowed", "manager_out_of_scope", "annotator_assigned"]:
    small = median_ns("check", f"small_{case}")
    large = median_ns("check", f"large_{case}")
    p = paired[case]
    rows.append((f"single check `{case}` (criterion)", small, large, f"{large / small:.2f}x", "<= 100 ns"))
    rows.append((f"single check `{case}` (paired rounds)", p["small_ns"], p["large_ns"], f"{p['ratio']:.2f}x", "large <= 1.5x small"))
dj = median_ns("check", "small_decide_json")
rows.append(("decide_json round trip (parse + decide + serialize)", dj, None, "", ""))
s, l = median_ns("allowed_actions", "small_manager_project"), median_ns("allowed_actions", "large_manager_project")
rows.append(("allowed_actions, one project", s, l, f"{l / s:.2f}x", "<= 1 us"))
for who in ["manager", "annotator", "administrator"]:
    rows.append((f"visible_projects, {who} (large)", None, median_ns("visible_projects", f"large_{who}"), "", ""))
ls, ll = median_ns("load", "small"), median_ns("load", "large")
rows.append(("snapshot load", ls, ll, "", "large < 1 s"))
mem = json.loads((ROOT / "labelgate-bench" / "core-memory.json").read_text())

print()
print("| measure | 10-member org (median) | large org (median) | large / small | target |")
print("| --- | --- | --- | --- | --- |")
for name, small, large, ratio, target in rows:
    print(f"| {name} | {fmt(small) if small else '-'} | {fmt(large) if large else '-'} | {ratio} | {target} |")
print()
print(
    f"large snapshot: {mem['json_bytes'] / 1e6:.1f} MB of JSON; load peak heap "
    f"{mem['load_peak_bytes'] / 1048576:.0f} MiB (target < 300 MB), "
    f"{mem['load_resident_bytes'] / 1048576:.0f} MiB held once loaded"
)
