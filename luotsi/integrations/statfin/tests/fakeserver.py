"""A local stand-in for Statistics Finland's PxWeb API, serving the recorded responses.

It answers GET on the root, the ``tyonv`` folder and table 12r5 (metadata), and POST on 12r5 by
cutting the requested cells out of the verbatim 2026M06 export (other months of the constructed
metadata repeat the 2026M06 figures, so only structure may be tested on them). Failure modes are
switched on per test: ``fail_next`` (statuses to send before answering), ``retry_after``, a slow
path, and the folder listing from before the 8.6.2026 rename.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "recorded"
PREFIX = "/PxWeb/api/v1/"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


class FakePxWeb:
    def __init__(self) -> None:
        self.metadata = recorded("12r5_metadata_fi.json")
        export = recorded("12r5_2026M06_pxweb_json.json")
        self.contents = [c["code"] for c in export["columns"] if c["type"] == "c"]
        self.cube = {row["key"][0]: row["values"] for row in export["data"]}
        self.folder = recorded("tyonv_folder_fi.json")
        self.table_file = "12r5.px"
        self.fail_next: list[int] = []
        self.drop_next = 0  # close the connection without answering this many times
        self.retry_after: str | None = None
        self.slow_seconds = 1.0
        self.log: list[tuple[str, str, Any]] = []  # (method, path, body)
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakePxWeb:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET", None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"null")
                fake._handle(self, "POST", body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/PxWeb/api/v1"

    def posts(self) -> list[Any]:
        return [body for method, _, body in self.log if method == "POST"]

    # --- routing ---------------------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler, method: str, body: Any) -> None:
        path = req.path
        self.log.append((method, path, body))
        if self.drop_next:
            self.drop_next -= 1
            req.close_connection = True
            return None
        if self.fail_next:
            status = self.fail_next.pop(0)
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return _send(req, status, {"error": f"simulated {status}"}, headers)
        if not path.startswith(PREFIX):
            return _send(req, 404, {"error": "not found"})
        lang, _, rest = path[len(PREFIX) :].partition("/")
        if lang not in ("fi", "sv", "en"):
            return _send(req, 404, {"error": "unknown language"})
        rest = rest.rstrip("/")
        if rest == "?config":
            return _send(
                req,
                200,
                {"maxValues": 120000, "maxCells": 120000, "maxCalls": 40, "timeWindow": 60},
            )
        if rest == "":
            return _send(req, 200, recorded("root_fi.json"))
        if rest == "StatFin/tyonv":
            return _send(req, 200, self.folder)
        if rest.startswith("StatFin/slow"):
            time.sleep(self.slow_seconds)
            return _send(req, 200, [])
        if rest == f"StatFin/tyonv/{self.table_file}":
            if method == "GET":
                return _send(req, 200, self.metadata)
            return self._answer(req, body)
        return _send(req, 404, {"error": "not found"})

    def _answer(self, req: BaseHTTPRequestHandler, body: Any) -> None:
        """JSON-stat 2.0 for the selected cells, dimensions in table order (as PxWeb does)."""
        chosen: dict[str, list[str]] = {}
        for q in body.get("query", []):
            sel = q["selection"]
            if sel["filter"] != "item":
                return _send(req, 400, {"error": "only item filters are served"})
            chosen[q["code"]] = list(sel["values"])
        dims = []
        for var in self.metadata["variables"]:
            values = chosen.get(var["code"], var["values"])
            unknown = set(values) - set(var["values"])
            if unknown:
                return _send(req, 400, {"error": f"unknown values {sorted(unknown)}"})
            # PxWeb returns categories in table order whatever the order asked.
            dims.append((var, [v for v in var["values"] if v in set(values)]))
        area_i = next(i for i, (v, _) in enumerate(dims) if "SSS" in v["values"])
        content_i = next(i for i, (v, _) in enumerate(dims) if v["text"] == "Tiedot")
        time_i = next(i for i, (v, _) in enumerate(dims) if v.get("time"))
        value, status = [], {}
        for combo in itertools.product(*(vals for _, vals in dims)):
            content = combo[content_i].split("-")[-1]
            raw = self.cube[combo[area_i]][self.contents.index(content)]
            try:
                value.append(float(raw))
            except ValueError:
                status[str(len(value))] = raw
                value.append(None)
        answer = {
            "class": "dataset",
            "label": self.metadata["title"],
            "source": "KEHA-keskus, Työnvälitystilasto",
            "updated": "2026-07-21T05:00:00Z",
            "id": [v["code"] for v, _ in dims],
            "size": [len(vals) for _, vals in dims],
            "dimension": {
                v["code"]: {
                    "label": v["text"],
                    "category": {
                        "index": {x: i for i, x in enumerate(vals)},
                        "label": {x: v["valueTexts"][v["values"].index(x)] for x in vals},
                    },
                }
                for v, vals in dims
            },
            "value": value,
            "status": status,
            "role": {"time": [dims[time_i][0]["code"]], "metric": [dims[content_i][0]["code"]]},
            "version": "2.0",
        }
        return _send(req, 200, answer)


def _send(req: BaseHTTPRequestHandler, status: int, obj: Any, headers: dict | None = None) -> None:
    data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    req.send_response(status)
    req.send_header("Content-Type", "application/json; charset=utf-8")
    req.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    req.end_headers()
    with contextlib.suppress(BrokenPipeError):  # the client gave up (timeout tests)
        req.wfile.write(data)
