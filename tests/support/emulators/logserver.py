"""A log served over HTTP, as `url:` sources and a deployment status's `log_url` point at: a boot monitor's endpoint.

Built from the HTML standard's server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html:
`text/event-stream`, `data:` fields, a blank line ending each event, `:` comments as keep-alives) and RFC 9110's
redirects, 401 with `WWW-Authenticate: Bearer` (RFC 6750) and RFC 6585's 429 with `Retry-After`. The log is
one of the project's real runs, as plain text (`/logs/backend`) or one event per line (`/logs/stream`).
"""

from __future__ import annotations

from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply, sse


class LogServer(Emulator):
    token = "fixbot-log-token-Tq7wZ2pLx9"

    def __init__(self, log: Path = LEDGERSG_LOG, *, token: str | None = token) -> None:
        super().__init__()
        self.token = token
        self.log = log.read_bytes()

    def unauthorized(self, request: Request) -> Reply:
        return Reply(401, b"unauthorized\n", {"Content-Type": "text/plain", "WWW-Authenticate": "Bearer"})

    def route(self, request: Request) -> Reply:
        if request.path == "/logs/backend":
            return Reply(200, self.log, {"Content-Type": "text/plain; charset=utf-8"})
        if request.path == "/logs/stream":
            return Reply(200, sse(self.log.decode().splitlines()), {"Content-Type": "text/event-stream"})
        if request.path == "/logs/endless":  # the log, then a heartbeat line forever
            return Reply(200, self.endless(self.log, b"heartbeat: still booting\n"), {"Content-Type": "text/plain"})
        if request.path == "/logs/endless-stream":  # the log as events, then SSE keep-alive comments forever
            head = sse(self.log.decode().splitlines())
            return Reply(200, self.endless(head, b": keep-alive\n\n"), {"Content-Type": "text/event-stream"})
        if request.path == "/logs/firehose":  # a line every few microseconds, for the size bound
            block = b"GET /health 200\n" * 4096
            return Reply(200, self.endless(self.log, block, every=0.0), {"Content-Type": "text/plain"})
        if request.path == "/logs/moved":
            return Reply(302, b"", {"Location": "/logs/backend"})
        if request.path == "/logs/elsewhere":
            return Reply(302, b"", {"Location": "http://localhost:9/logs/backend"})
        return json_reply({"message": "not found"}, 404)
