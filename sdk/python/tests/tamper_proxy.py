"""An HTTP proxy in front of a real gateway that tests script: pass, forge, replay, fail, drop."""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Optional

import httpx

NATIVE = "/api/v1/license/"


def native_error(code: int, name: str, status: int, retryable: bool, retry_after: Optional[int] = None):
    """A synthesized native error answer: (status, headers, body)."""
    body = json.dumps({"error": {"code": code, "name": name, "message": "scripted by the test proxy",
                                 "retryable": retryable}}).encode()
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return status, headers, body


UNAVAILABLE = native_error(1717, "LICENSE_API_UNAVAILABLE", 503, True, retry_after=0)


def flip_issued_at_digit(body: bytes) -> bytes:
    """Changes one digit of the signed data's issued_at: still valid JSON, no longer what was signed."""
    m = re.search(rb'"issued_at":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:(\d)', body)
    assert m, body
    i = m.start(1)
    digit = body[i:i + 1]
    return body[:i] + (b"1" if digit != b"1" else b"2") + body[i + 1:]


class TamperProxy:
    """Forwards to ``upstream`` unless a scripted action says otherwise.

    ``plan(*actions)`` queues one action per native request (then "pass"): "pass",
    "flip" (a byte of data changed), "swap_signature" (the signature of an earlier answer),
    "replay" (an earlier answer of the same endpoint, not forwarded), "drop" (connection closed
    without an answer), "unsigned" (data without a signature), or a (status, headers, body) tuple.
    ``down`` drops every request, the JWKS too. ``jwks_filter`` rewrites the JWKS.
    """

    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self._lock = threading.Lock()
        self._plan: List = []
        self.down = False
        self.jwks_filter: Optional[Callable[[dict], dict]] = None
        self.jwks_fetches = 0
        self.native_requests: List[dict] = []
        self.answers: List[dict] = []
        self._http = httpx.Client(timeout=30.0, trust_env=False)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._handle(self, "GET")

            def do_POST(self):
                proxy._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def plan(self, *actions) -> None:
        with self._lock:
            self._plan = list(actions)

    def nonces(self) -> List[str]:
        return [r["nonce"] for r in self.native_requests]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    # -------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if self.down:
            handler.close_connection = True
            return
        if method == "GET" and handler.path == "/api/v1/keys":
            with self._lock:
                self.jwks_fetches += 1
            upstream = self._http.get(self.upstream + handler.path)
            payload = upstream.content
            if self.jwks_filter is not None and upstream.status_code == 200:
                payload = json.dumps(self.jwks_filter(json.loads(payload))).encode()
            return self._send(handler, upstream.status_code, {"Content-Type": "application/json"}, payload)
        if not handler.path.startswith(NATIVE):
            upstream = self._http.request(method, self.upstream + handler.path, content=body,
                                          headers=self._forward_headers(handler))
            return self._send(handler, upstream.status_code, {"Content-Type": "application/json"}, upstream.content)
        with self._lock:
            action = self._plan.pop(0) if self._plan else "pass"
            self.native_requests.append({"path": handler.path, "nonce": handler.headers.get("X-License-Nonce"),
                                         "action": action if isinstance(action, str) else action[0]})
            earlier = [a for a in self.answers if a["path"] == handler.path]
        if action == "drop":
            handler.close_connection = True
            return
        if isinstance(action, tuple):
            return self._send(handler, *action)
        if action == "replay":
            assert earlier, "nothing to replay yet"
            return self._send(handler, 200, {"Content-Type": "application/json"}, earlier[-1]["body"])
        upstream = self._http.post(self.upstream + handler.path, content=body, headers=self._forward_headers(handler))
        payload = upstream.content
        if upstream.status_code == 200:
            if action == "flip":
                payload = flip_issued_at_digit(payload)
            elif action == "swap_signature":
                assert earlier, "no earlier signature to swap in"
                envelope = json.loads(payload)
                envelope["signature"] = json.loads(earlier[-1]["body"])["signature"]
                payload = json.dumps(envelope, separators=(",", ":")).encode()
            elif action == "unsigned":
                payload = json.dumps({"data": json.loads(payload)["data"]}).encode()
            with self._lock:
                self.answers.append({"path": handler.path, "body": upstream.content})
        headers = {"Content-Type": "application/json"}
        if "Retry-After" in upstream.headers:
            headers["Retry-After"] = upstream.headers["Retry-After"]
        return self._send(handler, upstream.status_code, headers, payload)

    @staticmethod
    def _forward_headers(handler: BaseHTTPRequestHandler) -> dict:
        skip = {"host", "content-length", "connection", "accept-encoding"}
        return {k: v for k, v in handler.headers.items() if k.lower() not in skip}

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, headers: dict, body: bytes) -> None:
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def dead_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port
