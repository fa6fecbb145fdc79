"""`render:SERVICE_ID`: the log of a Render service's newest deploy, through Render's REST API and `RENDER_API_KEY`.

The service gives its workspace (`ownerId`); its newest deploy gives the window and the kind of log: the build's
for `build_failed` and `pre_deploy_failed`, the app's otherwise (`update_failed`: it built, then did not boot).
`GET /v1/logs` pages through that window oldest first (`hasMore`, `nextStartTime`, `nextEndTime`); each entry's
`message` is one line. A deploy still building or updating is not a result; `fixbot watch` polls its status.
"""

from __future__ import annotations

import time
from typing import Iterator
from urllib.parse import quote, urlencode

from fixbot.sources import Source, SourceError, State, _http

_PENDING = {"created", "queued", "build_in_progress", "update_in_progress", "pre_deploy_in_progress"}
_FAILED = {"build_failed", "update_failed", "pre_deploy_failed"}
_PAGES = 1000  # 100 entries each: far past any deploy's log; an API that pages for ever must end


class Render(Source):
    target = "SERVICE_ID"
    pattern = r"[a-z]{2,4}-[a-z0-9]{8,40}"
    endpoint = ("RENDER_API_URL", "https://api.render.com/v1")
    secret = "RENDER_API_KEY"
    watches = "the newest deploy's status"

    def _get(self, path: str, what: str):
        return _http.request(self, f"{self.base_url}{path}", what=what, headers={"Accept": "application/json"})

    def _deploy(self) -> dict:
        what = str(self)
        deploys = self._get(f"/services/{quote(self.value)}/deploys?limit=1", what)
        if not isinstance(deploys, list):
            raise SourceError(f"{what}: Render's list of deploys is not a list")
        if not deploys:
            raise SourceError(f"{what}: the service has no deploy yet")
        deploy = deploys[0].get("deploy") if isinstance(deploys[0], dict) else None
        if not isinstance(deploy, dict) or not isinstance(deploy.get("status"), str):
            raise SourceError(f"{what}: Render listed a deploy without a status")
        return deploy

    def chunks(self) -> Iterator[bytes]:
        what = str(self)
        service = self._get(f"/services/{quote(self.value)}", what)
        owner = service.get("ownerId") if isinstance(service, dict) else None
        if not isinstance(owner, str):
            raise SourceError(f"{what}: Render's answer names no ownerId for the service")
        deploy = self._deploy()
        status = deploy["status"]
        if status in _PENDING:
            raise SourceError(f"{what}: the newest deploy is {status}: not a result yet; `fixbot watch --from"
                              f" {self}` waits for one")
        kind = "build" if status in ("build_failed", "pre_deploy_failed") else "app"
        self.notes.append(f"{self}: deploy {deploy.get('id', '?')} is {status}: reading its {kind} log")
        start = deploy.get("createdAt") or ""
        end = deploy.get("finishedAt") or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for _ in range(_PAGES):
            query = urlencode({"ownerId": owner, "resource": self.value, "type": kind, "direction": "forward",
                               "startTime": start, "endTime": end, "limit": 100})
            page = self._get(f"/logs?{query}", what)
            entries = page.get("logs") if isinstance(page, dict) else None
            if not isinstance(entries, list):
                raise SourceError(f"{what}: Render's logs answer has no list of logs")
            yield b"".join(str(e.get("message", "")).encode() + b"\n" for e in entries if isinstance(e, dict))
            if not page.get("hasMore"):
                return
            start, end = page.get("nextStartTime"), page.get("nextEndTime")
            if not start or not end:
                return
        raise SourceError(f"{what}: Render kept paging past {_PAGES} pages of logs")

    def state(self) -> State:
        status = self._deploy()["status"]
        phase = ("pending" if status in _PENDING else "running" if status == "live"
                 else "failed" if status in _FAILED else "other")
        return State(phase, status)
