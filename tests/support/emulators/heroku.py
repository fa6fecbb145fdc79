"""Heroku's Platform API on 127.0.0.1: an app's builds, releases, dynos and log sessions, and Logplex's log stream.

Built from the Platform API reference (https://devcenter.heroku.com/articles/platform-api-reference, as heroku-client
documents its log sessions at https://unpkg.com/heroku-client@1.10.3/docs/logSession.md): Build `GET
/apps/{app}/builds` with `status` pending|succeeded|failed and `output_stream_url`; Release `GET
/apps/{app}/releases` with `version`, `status` and the release phase's `output_stream_url`; Dyno `GET
/apps/{app}/dynos` with `state` crashed|down|idle|starting|up; Log Session `POST /apps/{app}/log-sessions`
taking `dyno`, `lines`, `source`, `tail` and answering 201 with `logplex_url`), its ranges (`Range: created_at ..;
order=desc, max=1`, answered 206 with `Next-Range`; https://devcenter.heroku.com/articles/platform-api-reference#ranges),
its error bodies (`{"id": "unauthorized"|"not_found"|"rate_limit", "message": …}`), and Logplex's line format
(https://devcenter.heroku.com/articles/logging: `2026-12-01T05:46:24.000000+00:00 app[web.1]: …`). The pre-signed
stream URLs it hands out are on `localhost`, another origin than the API's 127.0.0.1, as Heroku's are on other hosts.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply


def logplex(log: Path, dyno: str = "web.1") -> bytes:
    """A real run's lines as `heroku logs` and a log session give them: each behind Logplex's prefix."""
    return b"".join(f"2026-12-01T05:46:{n % 60:02d}.{n:06d}+00:00 app[{dyno}]: ".encode() + line
                    for n, line in enumerate(log.read_bytes().splitlines(keepends=True)))


class HerokuEmulator(Emulator):
    token = "HRKU-6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"

    def __init__(self) -> None:
        super().__init__()
        self.apps: dict[str, dict] = {}

    def add_app(self, name: str, *, build: str = "succeeded", release: str = "succeeded",
                dynos: list[list[str]] | None = None, log: Path = LEDGERSG_LOG) -> dict:
        app = {"build": build, "release": release, "dynos": dynos or [["crashed"]], "polls": 0,
               "app_log": logplex(log), "build_log": log.read_bytes()}
        self.apps[name] = app
        return app

    def authorized(self, request: Request) -> bool:
        return request.path.startswith("/streams/") or super().authorized(request)

    def unauthorized(self, request: Request) -> Reply:
        return json_reply({"id": "unauthorized", "message": "Invalid credentials provided."}, 401)

    def _stream_url(self, kind: str, name: str) -> str:
        return f"http://localhost:{self.url.rsplit(':', 1)[1]}/streams/{kind}/{name}"

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if parts[0] == "streams":
            app = self.apps[parts[2]]
            return Reply(200, app["app_log" if parts[1] == "logplex" else "build_log"], {"Content-Type": "text/plain"})
        if parts[0] != "apps" or len(parts) < 3 or request.headers.get("accept") != "application/vnd.heroku+json; version=3":
            return json_reply({"id": "not_found", "message": "Not found."}, 404)
        app = self.apps.get(parts[1])
        if app is None:
            return json_reply({"id": "not_found", "message": "Couldn't find that app.", "resource": "app"}, 404)
        ranged = {"Content-Range": "id 00000000..ffffffff", "Next-Range": "]ffffffff..; max=1"}
        if parts[2] == "builds":
            return json_reply([{"id": "01234567-89ab-cdef-0123-456789abcdef", "status": app["build"],
                                "created_at": "2026-12-01T05:45:00Z",
                                "output_stream_url": self._stream_url("build", parts[1])}], 206, ranged)
        if parts[2] == "releases":
            return json_reply([{"id": "11234567-89ab-cdef-0123-456789abcdef", "version": 42, "status": app["release"],
                                "current": app["release"] == "succeeded",
                                "output_stream_url": self._stream_url("build", parts[1])}], 206, ranged)
        if parts[2] == "dynos":
            states = app["dynos"][min(app["polls"], len(app["dynos"]) - 1)]
            app["polls"] += 1
            return json_reply([{"name": f"web.{n + 1}", "type": "web", "state": s} for n, s in enumerate(states)])
        if parts[2] == "log-sessions" and request.method == "POST":
            return json_reply({"id": "21234567-89ab-cdef-0123-456789abcdef", "created_at": "2026-12-01T05:50:00Z",
                               "updated_at": "2026-12-01T05:50:00Z",
                               "logplex_url": self._stream_url("logplex", parts[1]) + "?srv=1796106600"}, 201)
        return json_reply({"id": "not_found", "message": "Not found."}, 404)
