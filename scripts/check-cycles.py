#!/usr/bin/env python3
"""Fails when modules of a crate import each other in a circle.

Usage: check-cycles.py CRATE_SRC_DIR...

A module depends on another when its code (not its comments, not its `#[cfg(test)] mod
tests`) names it: a `use crate::a::b` (groups expanded), a `crate::a::b` path, or a `super::x`.
A module's own children declared with `mod x;` are not dependencies. Prints every circle
(strongly connected component) with the edges inside it, and exits 1 if there is one.
"""

import os
import re
import sys


def modules(root):
    """Module path (`gate::routes`) -> file."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".rs"):
                p = os.path.join(d, f)
                parts = os.path.relpath(p, root)[:-3].split(os.sep)
                if parts[-1] in ("mod", "lib", "main"):
                    parts = parts[:-1]
                out["::".join(parts)] = p
    return out


def code_of(path):
    src = open(path, encoding="utf-8").read()
    src = re.split(r"#\[cfg\(test\)\]\s*mod tests\b", src)[0]
    lines = []
    for line in src.split("\n"):
        s = line.strip()
        lines.append("" if s.startswith("//") else line)
    src = "\n".join(lines)
    # String literals cannot name modules.
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', src)


def expand(prefix, tree):
    """`a::{b, c::{d, e}}` -> ["a::b", "a::c::d", "a::c::e"]."""
    tree = tree.strip()
    m = re.match(r"^((?:\w+::)*)\{(.*)\}$", tree, re.S)
    if not m:
        name = tree.split(" as ")[0].strip()
        return [prefix + name] if name else []
    head, body = m.group(1), m.group(2)
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    items.append(cur)
    out = []
    for it in items:
        it = it.strip()
        if it == "self":
            out.append((prefix + head).rstrip(":"))
        elif it:
            out.extend(expand(prefix + head, it))
    return out


def deps(name, code, mods):
    def resolve(path):
        parts = [p for p in path.split("::") if p and p not in ("self", "*")]
        while parts:
            k = "::".join(parts)
            if k in mods:
                return k
            parts = parts[:-1]
        return None

    found = set()
    for m in re.finditer(r"\buse\s+crate::([^;]*);", code, re.S):
        for p in expand("", m.group(1)):
            r = resolve(p)
            if r is not None:
                found.add(r)
    for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)(?!::|\w)", code):
        r = resolve(m.group(1))
        if r is not None:
            found.add(r)
    parent = "::".join(name.split("::")[:-1])
    here = name + "::" if name else ""
    up = parent + "::" if parent else ""
    # `use super::{..}`, `use self::..` and a child's items named relatively (`use lookup::X`).
    for m in re.finditer(r"\buse\s+(super::|self::|)((?:\w+::)*(?:\w+|\{.*?\}));", code, re.S):
        base = {"super::": up, "self::": here, "": here}[m.group(1)]
        for p in expand("", m.group(2)):
            if m.group(1) == "" and (here + p.split("::")[0]) not in mods:
                continue  # another crate (`use std::..`, `use policy_core::..`)
            r = resolve(base + p)
            if r is not None:
                found.add(r)
    for m in re.finditer(r"\bsuper::((?:\w+::)*\w+)(?!::|\w)", code):
        r = resolve((parent + "::" if parent else "") + m.group(1))
        if r is not None:
            found.add(r)
    found.discard(name)
    return found


def circles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(100000)

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(roots):
    bad = False
    for root in roots:
        mods = modules(root)
        edges = {m: deps(m, code_of(p), mods) for m, p in mods.items()}
        found = circles(edges)
        for comp in found:
            bad = True
            print(f"{root}: modules that import each other in a circle: {', '.join(comp)}")
            for m in comp:
                inside = sorted(edges[m] & set(comp))
                print(f"  {m or 'crate root'} -> {', '.join(inside)}")
        if not found:
            print(f"{root}: {len(mods)} modules, no import circle")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["src"]))
