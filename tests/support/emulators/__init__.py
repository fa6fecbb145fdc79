"""What every platform emulator shares: an HTTP server on 127.0.0.1, a record of requests, streamed and faulty answers.

Each module beside this one serves one platform's API as its documentation describes it (the pages are named in
its docstring): the same paths, JSON fields, error bodies and framing, so the real client (huggingface_hub,
requests, kubectl, the docker CLI) is what talks to it. A test makes an answer go wrong with `fault`: every request
that matches gets it instead of the platform's own answer.
"""

from __future__ import annotations

import json
import re
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import parse_qs, urlsplit

from tests.support import ROOT

# The failing logs the emulators serve: the project's own real runs.
LEDGERSG_LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"
ORDERS_LOG = ROOT / "examples" / "orders-api" / "logs" / "boot-failure.log"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    """status and headers; body: bytes, a JSON-able value, or an iterator of bytes written as it yields."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(value).encode(), {"Content-Type": "application/json", **(headers or {})})


HTML = Reply(200, b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in</body></html>\n",
             {"Content-Type": "text/html; charset=utf-8"})


class Emulator:
    """Subclasses answer `route`; `token` is what a request must carry (None: no authentication)."""

    token: str | None = None
    unix_socket: Path | None = None  # serve on this unix socket instead of TCP (the Docker Engine's way)
    certificate: Path | None = None  # serve HTTPS with this self-signed certificate (see `self_signed`)

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.fault: tuple[re.Pattern[str], Reply, int | None] | None = None
        self.stopped = threading.Event()
        self._server: socketserver.BaseServer | None = None

    # -- what subclasses write -------------------------------------------------------------------------------
    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def unauthorized(self, request: Request) -> Reply:
        return json_reply({"message": "Unauthorized"}, 401)

    # -- what tests use --------------------------------------------------------------------------------------
    def fail(self, path_pattern: str, reply: Reply, times: int | None = None) -> None:
        """The requests whose path matches `path_pattern` get `reply`: from now on, or the next `times` of them."""
        self.fault = (re.compile(path_pattern), reply, times)

    def calls(self, path_pattern: str = "") -> list[Request]:
        return [r for r in self.requests if re.search(path_pattern, r.path)]

    def endless(self, head: bytes, beat: bytes, every: float = 0.02) -> Iterator[bytes]:
        """`head`, then `beat` every `every` seconds until the emulator stops: a stream that never ends."""
        yield head
        while not self.stopped.wait(every):
            yield beat

    @property
    def url(self) -> str:
        assert self._server is not None and self.unix_socket is None
        host, port = self._server.server_address[:2]
        return f"{'https' if self.certificate else 'http'}://{host}:{port}"

    def start(self) -> "Emulator":
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def address_string(self) -> str:  # a unix socket's peer has no address
                return "unix" if emulator.unix_socket else super().address_string()

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                emulator.requests.append(request)
                try:
                    reply = emulator._answer(request)
                except Exception as err:  # an emulator bug: the test sees it in errors, the client a 500
                    emulator.errors.append(f"{type(err).__name__}: {err}")
                    reply = json_reply({"message": "emulator error"}, 500)
                self._write(reply)

            def _write(self, reply: Reply) -> None:
                body = reply.body
                if not isinstance(body, bytes) and not hasattr(body, "__next__"):
                    body = json.dumps(body).encode()
                    reply.headers.setdefault("Content-Type", "application/json")
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                    return
                self.send_header("Transfer-Encoding", "chunked")  # a stream: its end is not known in advance
                self.end_headers()
                try:
                    for block in body:
                        if block:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                            self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client cut the stream, as fixbot does at its bound
                self.close_connection = True

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _serve

        if self.unix_socket is not None:
            class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
                daemon_threads = True

            self._server = Server(str(self.unix_socket), Handler)
        else:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            self._server.daemon_threads = True
            if self.certificate is not None:
                import ssl

                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(self.certificate, self.certificate.with_suffix(".key"))
                self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, request: Request) -> Reply:
        if self.fault is not None and self.fault[0].search(request.path):
            pattern, reply, times = self.fault
            self.fault = None if times == 1 else (pattern, reply, None if times is None else times - 1)
            return reply
        if self.token is not None and not self.authorized(request):
            return self.unauthorized(request)
        return self.route(request)

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"


def self_signed(where: Path) -> Path:
    """A certificate for 127.0.0.1 (and its key beside it, .key), made by openssl: clients that send a token only
    over TLS (kubectl) trust it through their own configuration, as they would a cluster's CA."""
    import subprocess

    certificate = where / "emulator.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(certificate.with_suffix(".key")),
                    "-out", str(certificate)], check=True, capture_output=True, timeout=60)
    return certificate


def sse(events: Iterable[str]) -> bytes:
    """Server-sent events as the HTML standard frames them: `data:` lines, a blank line after each event."""
    return b"".join(b"data: " + e.encode() + b"\n\n" for e in events)


def wait_for(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
