"""Label Studio's own reading of request bodies: DRF's parsers as Label Studio configures them
(its settings, in the test venv), on one body per JSON line of stdin,
{"content_type": str | null, "body_hex": str}. One line out per body: {"read": data} (a
form's QueryDict as {key: [values]}) or {"refused": why}. No server is started.

    .cache/label-studio-venv/bin/python tests/labelstudio/drf_bodies.py < bodies.jsonl
"""
from __future__ import annotations

import json
import sys
import tempfile

import ls_routes


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="labelgate-drf-") as data:
        ls_routes.setup_django(data)
        from django.http import QueryDict
        from django.test import RequestFactory
        from rest_framework.request import Request
        from rest_framework.settings import api_settings

        parsers = [p() for p in api_settings.DEFAULT_PARSER_CLASSES]
        factory = RequestFactory()
        for line in sys.stdin:
            case = json.loads(line)
            body = bytes.fromhex(case["body_hex"])
            extra = {}
            if case.get("content_type") is None:
                extra["CONTENT_TYPE"] = ""
            req = factory.generic("POST", "/api/projects/1/", data=body,
                                  content_type=case.get("content_type") or "", **extra)
            try:
                data_ = Request(req, parsers=parsers).data
                if isinstance(data_, QueryDict):
                    data_ = {k: data_.getlist(k) for k in data_}
                out = {"read": data_}
            except Exception as e:  # noqa: BLE001 - any refusal of the parser is a refusal
                out = {"refused": f"{type(e).__name__}: {e}"}
            try:
                print(json.dumps(out), flush=True)
            except (TypeError, ValueError):
                print(json.dumps({"read_unserializable": repr(out)[:200]}), flush=True)
        print(json.dumps({"parsers": [type(p).__module__ + "." + type(p).__name__ for p in parsers]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
