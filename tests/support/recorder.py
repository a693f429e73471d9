"""A local HTTP server that plays GitHub's issues API (and any webhook) and records every call, so tests
drive the real client code without the network."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Recorder:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[str]] = field(default_factory=dict)
    fail_next: int = 0  # answer this many requests with 502 first (retry tests)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        with self.lock:
            self.calls.append(Call(method, parts.path, parse_qs(parts.query), headers, body))
            if self.fail_next:
                self.fail_next -= 1
                return 502, {"message": "bad gateway"}
            segments = parts.path.strip("/").split("/")
            if segments[:1] != ["repos"]:
                return 200, {"ok": True}  # a webhook
            rest = segments[3:]
            if rest == ["issues"] and method == "GET":
                state = parse_qs(parts.query).get("state", ["open"])[0]
                return 200, [i for i in self.issues.values() if state == "all" or i["state"] == state]
            if rest == ["issues"] and method == "POST":
                number = len(self.issues) + 1
                issue = {"number": number, "state": "open", "html_url": f"{self.url}/issues/{number}", **body}
                self.issues[number] = issue
                return 201, issue
            if len(rest) == 3 and rest[2] == "comments" and method == "POST":
                self.comments.setdefault(int(rest[1]), []).append(body["body"])
                return 201, {"id": len(self.calls)}
            if len(rest) == 2 and method == "PATCH":
                issue = self.issues[int(rest[1])]
                issue.update(body)
                return 200, issue
            return 404, {"message": "not found"}


@contextmanager
def recording_server() -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            status, answer = recorder.handle(self.command, self.path, dict(self.headers), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
