"""The gate decides on exactly the document Label Studio will parse, or refuses.

A differential over mutated bodies: each body, with its Content-Type, is read by the gate
(edge-worker's body_read example: the very functions the Worker decides with) and by Label
Studio's own parsers (drf_bodies.py: DRF's JSONParser, FormParser and MultiPartParser as Label
Studio's settings configure them). Wherever the gate reads a document, Label Studio must read
the same one or refuse the body; a body the gate cannot read alike is refused. The hostile
forms are there on purpose: UTF-7 (`+ACI-` is a `"`) and UTF-16 hiding fields inside one string,
byte order marks, repeated keys at any depth, non-JSON whitespace, NaN, lone surrogates,
forms and multipart declared as JSON, JSON declared as a form, odd media types and parameters.
No server is needed.
"""
from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SEED = 20261203

BASES = [
    {"pinned_at": None},
    {"pinned_at": "2026-01-01T00:00:00Z"},
    {"title": "triage", "pinned_at": None},
    {"completed_by": 5, "result": [], "lead_time": 1.5},
    {"project": 3, "data": {"text": "a task"}},
    {"user_id": 14, "role": "AN"},
    {"workspace": 2, "title": "moved"},
    {"selectedItems": {"all": False, "included": [1, 2]}},
    {"type": "AN", "users": [4], "selectedItems": {"all": True, "excluded": []}},
    {},
]
HIDDEN = 'x", "title": "pwned", "maximum_annotations": 99, "completed_by": 1, "y": "z'

CONTENT_TYPES = [
    "application/json", "APPLICATION/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
    'application/json; charset="utf-8"', "application/json ; charset=utf8", "application/json; charset=utf-7",
    "application/json; charset=UTF-7", "application/json; charset=utf-16", "application/json; charset=utf-16-le",
    "application/json; charset=latin-1", "application/json; charset=cp1252", "application/json; charset=utf_8",
    "application/json; charset=u8", "application/json; charset=utf-8; charset=utf-7",
    "application/json; charset=utf-7; charset=utf-8", "application/json; boundary=x", "application/json; q=1",
    "application/json; charset", "application/json;", "application/json, text/plain", "text/json",
    "application/vnd.api+json", "application/x-json", "application/*", "*/*", "text/plain",
    "text/plain; charset=utf-7", "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-7", "multipart/form-data; boundary=xyz",
    "multipart/form-data; boundary=xyz; charset=utf-7", "", None,
]


def utf7_hidden(doc: dict) -> bytes:
    """The document with fields hidden in one string: a UTF-8 reader sees one string `note`,
    a UTF-7 reader (`+ACI-` is a `"`) sees it closed and more keys."""
    text = json.dumps(doc)[:-1] if doc else "{"
    sep = ", " if doc else ""
    return (text + sep + '"note": "' + HIDDEN.replace('"', "+ACI-") + '"}').encode("ascii")


def mutations(rng: random.Random) -> list[tuple[str | None, bytes]]:
    cases: list[tuple[str | None, bytes]] = []
    for doc in BASES:
        text = json.dumps(doc)
        bodies = [
            text.encode(),
            json.dumps(doc, indent=2).encode(),
            json.dumps(doc, separators=(",", ":")).encode(),
            json.dumps({**doc, "title": "\u00e9t\u00e9 \u2603 \U0001f600"}, ensure_ascii=False).encode(),
            json.dumps({**doc, "title": "\u00e9t\u00e9 \u2603 \U0001f600"}).encode(),
            utf7_hidden(doc),
            b"\xef\xbb\xbf" + text.encode(),
            text.encode("utf-16"),
            text.encode("utf-16-le"),
            ("\u00e9" + text).encode("latin-1", "replace"),
            text.replace('": ', '":\x0c ').encode(),
            text.replace(", ", ",\x0b ").encode(),
            ("\x0c" + text).encode(),
            (" \t\r\n" + text + " \n").encode(),
            text.encode() + b" x",
            text.encode() + b"\x00",
            text.replace("}", ', "pinned_at": "dup"}').encode() if doc else b'{"a": 1, "a": 2}',
            ('{"nested": {"k": 1, "k": 2}' + (", " + text[1:] if doc else "}")).encode(),
            ('{"nested": [{"k": 1, "k": 2}]' + (", " + text[1:] if doc else "}")).encode(),
            text.replace("}", ', "n": NaN}').encode() if doc else b'{"n": NaN}',
            text.replace("}", ', "n": Infinity}').encode() if doc else b'{"n": -Infinity}',
            text.replace("}", ', "s": "\\ud800"}').encode() if doc else b'{"s": "\\udfff"}',
            text.replace("}", ', "big": 123456789012345678901234567890}').encode() if doc else b'{"big": 1e400}',
            text.replace("}", ', "f": 1.0}').encode() if doc else b'{"f": 1e2}',
            text.replace("}", ", }").encode(),
            text.replace('"', "'").encode(),
            ("// c\n" + text).encode(),
            b"[" + text.encode() + b"]",
            b'"' + text.encode().replace(b'"', b'\\"') + b'"',
            b"pinned_at=&title=pwned",
            b"--xyz\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\npwned\r\n--xyz--\r\n",
            b"",
            b"   ",
            text.replace('"', '\\u0022', 2).encode(),
            text.encode("utf-8").replace(b"a", "\u0430".encode(), 1),
        ]
        for body in bodies:
            for ct in rng.sample(CONTENT_TYPES, 6) + ["application/json", "application/json; charset=utf-8"]:
                cases.append((ct, body))
    # Random byte-level mutations of valid documents.
    for _ in range(1500):
        doc = dict(rng.choice(BASES))
        raw = bytearray(json.dumps(doc).encode())
        for _ in range(rng.randint(1, 3)):
            op = rng.randrange(4)
            at = rng.randrange(len(raw) + 1)
            if op == 0 and raw:
                raw[min(at, len(raw) - 1)] = rng.randrange(256)
            elif op == 1:
                raw[at:at] = bytes([rng.choice(b'{}[]",:\\ \t\x0c+-ACI0123456789eE.nNu\xef\xbb\xbf\x00')])
            elif op == 2 and raw:
                del raw[min(at, len(raw) - 1)]
            else:
                raw[at:at] = rng.choice([b'"title": "x", ', b', "a": 1', b"+ACI-", b"\\u0000", b"\xc3\xa9", b"\xff"])
        ct = "application/json" if rng.random() < 0.5 else rng.choice(CONTENT_TYPES)
        cases.append((ct, bytes(raw)))
    return cases


def run(cmd: list[str], cases, cwd: Path) -> list[dict]:
    lines = "".join(json.dumps({"content_type": ct, "body_hex": b.hex()}) + "\n" for ct, b in cases)
    out = subprocess.run(cmd, input=lines, cwd=cwd, capture_output=True, text=True, check=True, timeout=1800).stdout
    return [json.loads(x) for x in out.splitlines()]


def same(a, b) -> bool:
    """Equal documents; numbers compared as Python compares them (1 == 1.0 is not the same
    reading: an int and a float are told apart)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, int) != isinstance(b, int):
            return False
        return a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=1e-15))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_the_gate_reads_what_label_studio_parses_or_refuses():
    rng = random.Random(SEED)
    cases = mutations(rng)
    gate = run(["cargo", "run", "-q", "--release", "-p", "edge-worker", "--example", "body_read"], cases, ROOT)
    drf = run([sys.executable, str(HERE / "drf_bodies.py")], cases, HERE)
    parsers = drf.pop()["parsers"]
    assert parsers, "Label Studio names no parser"
    assert len(gate) == len(drf) == len(cases)
    read = refused_by_gate = refused_by_both = 0
    disagree = []
    for (ct, body), g, d in zip(cases, gate, drf):
        if "refused" in g:
            refused_by_gate += 1
            refused_by_both += "refused" in d
            continue
        read += 1
        if "refused" in d:
            continue  # Label Studio answers 400 and acts on nothing
        if not same(g["read"], d.get("read")):
            disagree.append((ct, body[:120], g["read"], d))
    print(f"\nbodies: {len(cases)}; read by the gate {read}; refused by the gate {refused_by_gate} "
          f"(by Label Studio too: {refused_by_both}); parsers {parsers}")
    assert disagree == [], "the gate and Label Studio read different documents:\n" + "\n".join(map(repr, disagree[:10]))
    # The hostile forms are never read.
    hostile = [i for i, (ct, b) in enumerate(cases) if b"+ACI-" in b and ct and "utf-7" in ct.lower()]
    assert hostile and all("refused" in gate[i] for i in hostile)
    assert read > 500, "the differential read too few bodies to mean anything"
