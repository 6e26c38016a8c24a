"""Every route of the installed Label Studio, as method x path: Django's own URL resolver in
the test venv, walked pattern by pattern, each pattern given one concrete path that Django
resolves back to the same view. No server is started and nothing is sent anywhere.

    .cache/label-studio-venv/bin/python tests/labelstudio/ls_routes.py > routes.jsonl

Each line: {"method", "path", "pattern", "view"}. Methods are those the view handles: a DRF
view's handlers (and a router's action map), HEAD where GET is served, OPTIONS where DRF or
Django answers it, every method for a plain function view without a method decorator.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile

try:
    import re._parser as sre_parse  # Python 3.11+
    from re import _constants as sre_c
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore
    import sre_constants as sre_c  # type: ignore

ANY = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
HTTP = ["get", "post", "put", "patch", "delete", "head", "options"]


def setup_django(data_dir: str) -> None:
    """As Label Studio's server does, offline: its package on sys.path, its settings, a data
    dir of our own, no version check against PyPI, no Sentry."""
    import label_studio

    sys.path.insert(0, os.path.dirname(os.path.abspath(label_studio.__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings.label_studio")
    os.environ.update({
        "LABEL_STUDIO_BASE_DATA_DIR": data_dir,
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "LOG_LEVEL": "ERROR",
        "DEBUG": "false",
    })
    os.environ.setdefault("SECRET_KEY", "labelgate-route-walk-not-a-secret")
    import django

    django.setup()


def methods_of(callback) -> list[str]:
    """The HTTP methods a view answers."""
    cls = getattr(callback, "cls", None)
    actions = getattr(callback, "actions", None)
    if cls is not None and actions:  # a DRF ViewSet behind a router
        got = {m.upper() for m in actions if m in cls.http_method_names}
        if "GET" in got and "head" in cls.http_method_names:
            got.add("HEAD")
        if "options" in cls.http_method_names:
            got.add("OPTIONS")
        return sorted(got)
    view_class = cls or getattr(callback, "view_class", None)
    if view_class is not None:
        got = {m.upper() for m in view_class.http_method_names if m in HTTP and hasattr(view_class, m)}
        if "GET" in got and "head" in view_class.http_method_names:
            got.add("HEAD")
        return sorted(got)
    # A function view: any method, unless a require_http_methods decorator says otherwise.
    for cell in _closures(callback):
        if isinstance(cell, (list, tuple, set)) and cell and all(isinstance(x, str) and x.upper() in ANY for x in cell):
            return sorted({x.upper() for x in cell})
    return ANY


def _closures(f, seen=None):
    seen = seen if seen is not None else set()
    if id(f) in seen or not callable(f):
        return
    seen.add(id(f))
    for cell in getattr(f, "__closure__", None) or ():
        try:
            v = cell.cell_contents
        except ValueError:
            continue
        yield v
        if callable(v):
            yield from _closures(v, seen)


def view_name(callback) -> str:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
    return f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', getattr(cls, '__name__', '?'))}"


def sample(pattern: str) -> str:
    """One string the regex `pattern` matches: digits where digits may go, else a letter."""
    # A DRF format suffix: a realistic one.
    pattern = pattern.replace("(?P<format>[a-z0-9]+)", "json")
    out = []

    def walk(items):
        for op, av in items:
            if op is sre_c.LITERAL:
                out.append(chr(av))
            elif op is sre_c.NOT_LITERAL:
                out.append("7" if chr(av) != "7" else "8")
            elif op is sre_c.ANY:
                out.append("x")
            elif op is sre_c.IN:
                out.append(_from_class(av))
            elif op is sre_c.SUBPATTERN:
                walk(av[-1])
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
                lo, _hi, sub = av
                for _ in range(max(lo, 1)):
                    walk(sub)
            elif op is sre_c.BRANCH:
                walk(av[1][0])
            elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
                continue
            elif op is sre_c.GROUPREF:
                raise ValueError("backreference")
            else:
                raise ValueError(f"cannot sample {op}")

    walk(sre_parse.parse(pattern))
    return "".join(out)


def _from_class(items) -> str:
    negate = any(op is sre_c.NEGATE for op, _ in items)
    allowed = set()
    for op, av in items:
        if op is sre_c.LITERAL:
            allowed.add(chr(av))
        elif op is sre_c.RANGE:
            allowed.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre_c.CATEGORY:
            if av in (sre_c.CATEGORY_DIGIT,):
                allowed.update("0123456789")
            elif av in (sre_c.CATEGORY_WORD,):
                allowed.update("abcxyz0123456789_")
            else:
                allowed.add("x")
    if negate:
        for c in "7xa":
            if c not in allowed:
                return c
        raise ValueError("negated class excludes every candidate")
    for c in "7jxa":
        if c in allowed:
            return c
    return sorted(allowed)[0]


def walk_patterns(patterns, prefix=()):
    from django.urls.resolvers import URLPattern, URLResolver

    for p in patterns:
        regex = p.pattern.regex.pattern
        parts = prefix + (regex,)
        if isinstance(p, URLResolver):
            yield from walk_patterns(p.url_patterns, parts)
        elif isinstance(p, URLPattern):
            yield parts, p.callback


def routes() -> list[dict]:
    """Every route as {method, path, pattern, view}, each path checked to resolve to its view."""
    from django.urls import Resolver404, resolve

    rows = []
    for parts, callback in walk_patterns(__import__("django.urls", fromlist=["get_resolver"]).get_resolver().url_patterns):
        # Each level matches the rest of the path left by its parent: sample level by level.
        path = "/" + "".join(sample(r) for r in parts)
        pattern = "".join(r.lstrip("^").rstrip("$").replace("\\Z", "") for r in parts)
        try:
            found = resolve(path)
        except Resolver404:
            raise AssertionError(f"the sample `{path}` of `{pattern}` does not resolve")
        name = view_name(callback)
        if view_name(found.func) != name:
            # An earlier pattern takes this path: this one is reached only by other paths, which
            # the earlier pattern's row classifies; sample it again with a distinct id.
            alt = re.sub(r"/7(?=/|$)", "/8", path)
            try:
                found = resolve(alt)
            except Resolver404:
                continue
            if view_name(found.func) != name:
                continue
            path = alt
        for method in methods_of(callback):
            rows.append({"method": method, "path": path, "pattern": pattern, "view": name})
    return rows


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="labelgate-ls-routes-")
    try:
        setup_django(data_dir)
        for row in routes():
            print(json.dumps(row))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
