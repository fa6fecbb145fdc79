"""Fly.io's logs API and Machines API on 127.0.0.1.

Built from Fly's pages: "Logs API options for programmatic access" (https://fly.io/docs/monitoring/logs-api-options/:
`GET /api/v1/apps/:app_name/logs` with `Authorization: Bearer`, what `fly logs` reads, paged by `next_token`), the
answer `fly logs` parses (`{"data": [{"id", "type": "logs", "attributes": {"timestamp", "message", "level",
"instance", "region", "meta"}}], "meta": {"next_token"}}`, an empty `data` once caught up), tokens of `fly tokens
create` sent as `Authorization: FlyV1 fm2_…`, and the Machines API (https://fly.io/docs/machines/api-machines-resource:
`GET /v1/apps/{app_name}/machines`; https://fly.io/docs/machines/machine-states/: created, started, stopped,
suspended, failed and the transient states), each machine with `state`, `events` whose `exit` ones carry
`request.exit_event.exit_code`, and `checks` with `status` passing|warning|critical; errors `{"error": …}`.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply

PAGE = 50


class FlyEmulator(Emulator):
    token = "FlyV1 fm2_lJPECAAAAAAAAmRUxBxhbW9yZQ==,fm2_lJPEEmulatorToken9Zm9vYmFy"

    def __init__(self) -> None:
        super().__init__()
        self.apps: dict[str, dict] = {}

    def add_app(self, name: str, machines: list[list[dict]] | None = None, log: Path = LEDGERSG_LOG) -> dict:
        app = {"lines": log.read_text().splitlines(), "machines": machines or [[]], "polls": 0}
        self.apps[name] = app
        return app

    def authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == self.token

    def unauthorized(self, request: Request) -> Reply:
        return json_reply({"error": "You must be authenticated to view this."}, 401)

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if parts[:3] == ["api", "v1", "apps"] and parts[4:] == ["logs"]:
            app = self.apps.get(parts[3])
            if app is None:
                return json_reply({"error": "Could not find App"}, 404)
            offset = int(request.arg("next_token") or 0)
            lines = app["lines"][offset:offset + PAGE]
            return json_reply({
                "data": [{"id": f"log-{offset + n}", "type": "logs", "attributes": {
                    "timestamp": "2026-12-01T05:46:24.000Z", "message": line, "level": "info",
                    "instance": "9080e6f3a12345", "region": "cdg", "meta": {"event": {"provider": "app"}}}}
                    for n, line in enumerate(lines)],
                "meta": {"next_token": str(offset + len(lines))},
            })
        if parts[:2] == ["v1", "apps"] and parts[3:] == ["machines"]:
            app = self.apps.get(parts[2])
            if app is None:
                return json_reply({"error": "app not found"}, 404)
            machines = app["machines"][min(app["polls"], len(app["machines"]) - 1)]
            app["polls"] += 1
            return json_reply(machines)
        return json_reply({"error": "not found"}, 404)


def machine(state: str, exit_code: int | None = None, checks: str | None = None) -> dict:
    """One machine as the Machines API lists it; `exit_code`: its newest event is that exit."""
    events = [{"type": "start", "status": "started", "source": "flyd", "timestamp": 1796106000000}]
    if exit_code is not None:
        events.append({"type": "exit", "status": "stopped", "source": "flyd", "timestamp": 1796106005000,
                       "request": {"exit_event": {"exit_code": exit_code, "oom_killed": False, "restarting": False}}})
    return {"id": "9080e6f3a12345", "name": "ledgersg-web", "state": state, "region": "cdg", "events": events,
            "checks": [{"name": "http", "status": checks}] if checks else []}
