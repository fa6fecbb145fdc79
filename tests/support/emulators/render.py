"""Render's REST API on 127.0.0.1: a service, its deploys and its logs.

Built from Render's API reference (https://api-docs.render.com/reference, read through the types generated from its
OpenAPI at https://docs.rs/render-client/0.2.2/render_client/types/struct.ListLogsResponse.html and the "List Logs"
page at https://www.withone.ai/knowledge/render): "Retrieve service" `GET
/v1/services/{serviceId}` with `ownerId`; "List deploys" `GET /v1/services/{serviceId}/deploys`, a list of
`{"deploy": {...}, "cursor": …}` whose `status` is one of created, build_in_progress, update_in_progress, live,
deactivated, build_failed, update_failed, canceled, pre_deploy_in_progress, pre_deploy_failed; "List logs" `GET
/v1/logs?ownerId=&resource=&type=&startTime=&endTime=&direction=&limit=` answering `{"hasMore", "nextStartTime",
"nextEndTime", "logs": [{"id", "labels": [{"name", "value"}], "message", "timestamp"}]}`, paged by time) and its
error bodies `{"id": "not_found"|"unauthorized", "message": …}` (401, 404, 429). The page cursor it hands out
(`nextStartTime`) is its own offset, as opaque to the client as the timestamps Render hands out.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply

PAGE = 40  # lines a page of the emulator's logs: small, so that a real log needs several


class RenderEmulator(Emulator):
    token = "rnd_EmulatorKey3xQ9vL2mT7pR4sW8yZ1"

    def __init__(self) -> None:
        super().__init__()
        self.services: dict[str, dict] = {}

    def add_service(self, service_id: str, statuses: list[str], log: Path = LEDGERSG_LOG) -> dict:
        service = {"id": service_id, "ownerId": "tea-emulator0000000001", "statuses": statuses, "polls": 0,
                   "lines": log.read_text().splitlines()}
        self.services[service_id] = service
        return service

    def unauthorized(self, request: Request) -> Reply:
        return json_reply({"id": "unauthorized", "message": "unauthorized"}, 401)

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if parts[:2] == ["v1", "services"] and len(parts) >= 3:
            service = self.services.get(parts[2])
            if service is None:
                return json_reply({"id": "not_found", "message": "service not found"}, 404)
            if len(parts) == 3:
                return json_reply({"id": service["id"], "ownerId": service["ownerId"], "name": "ledgersg",
                                   "type": "web_service", "suspended": "not_suspended"})
            if parts[3:] == ["deploys"]:
                status = service["statuses"][min(service["polls"], len(service["statuses"]) - 1)]
                service["polls"] += 1
                deploy = {"id": "dep-emulator000000000001", "status": status, "trigger": "new_commit",
                          "commit": {"id": "6b1f0c2d", "message": "deploy"},
                          "createdAt": "2026-12-01T05:46:00Z", "updatedAt": "2026-12-01T05:47:00Z",
                          **({} if "progress" in status else {"finishedAt": "2026-12-01T05:47:00Z"})}
                return json_reply([{"deploy": deploy, "cursor": "cursor-1"}])
        if request.path == "/v1/logs":
            service = self.services.get(request.arg("resource") or "")
            if service is None or request.arg("ownerId") != service["ownerId"]:
                return json_reply({"id": "not_found", "message": "resource not found"}, 404)
            offset = int(request.arg("startTime", "0") or 0) if (request.arg("startTime") or "").isdigit() else 0
            lines = service["lines"][offset:offset + PAGE]
            more = offset + PAGE < len(service["lines"])
            return json_reply({
                "hasMore": more,
                **({"nextStartTime": str(offset + PAGE), "nextEndTime": request.arg("endTime")} if more else {}),
                "logs": [{"id": f"log-{offset + n}", "message": line, "timestamp": "2026-12-01T05:46:24Z",
                          "labels": [{"name": "type", "value": request.arg("type")},
                                     {"name": "level", "value": "error"},
                                     {"name": "resource", "value": service["id"]}]}
                         for n, line in enumerate(lines)],
            })
        return json_reply({"id": "not_found", "message": "not found"}, 404)
