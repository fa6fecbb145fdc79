"""`heroku:APP`: a Heroku app's failed build, failed release or crashed dynos, through the Platform API.

`HEROKU_API_KEY` goes as Bearer to `HEROKU_API_URL` only (the API's `Accept: application/vnd.heroku+json;
version=3`). The newest build that `failed` gives its `output_stream_url`; else the newest release that `failed`
(its release phase) gives its own; else a log session (`POST /apps/{app}/log-sessions`, 1500 lines, no tail)
gives a `logplex_url` with the app's recent log, each line behind Logplex's `TIMESTAMP app[web.1]: ` prefix,
which the diagnosis strips as it does journald's. Those URLs are pre-signed, on other hosts: no token goes there.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from fixbot.sources import Source, SourceError, State, _http

_ACCEPT = {"Accept": "application/vnd.heroku+json; version=3"}


class Heroku(Source):
    target = "APP"
    pattern = r"[a-z][a-z0-9-]{1,29}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    endpoint = ("HEROKU_API_URL", "https://api.heroku.com")
    secret = "HEROKU_API_KEY"
    watches = "the newest build and release, then the dynos"

    def _api(self, path: str, *, method: str = "GET", body: dict | None = None, newest: str | None = None,
             ok: tuple[int, ...] = (200, 206)):
        headers = dict(_ACCEPT)
        if newest:  # Heroku pages lists by Range; the newest one alone is `order=desc, max=1`
            headers["Range"] = f"{newest} ..; order=desc, max=1"
        return _http.request(self, f"{self.base_url}/apps/{quote(self.value)}{path}", what=str(self),
                             method=method, headers=headers, body=body, ok=ok)

    def _newest(self, path: str, key: str) -> dict | None:
        listed = self._api(path, newest=key)
        if not isinstance(listed, list):
            raise SourceError(f"{self}: Heroku's list of {path.strip('/')} is not a list")
        return max((item for item in listed if isinstance(item, dict)), key=lambda item: item.get(key) or 0,
                   default=None)

    def _stream(self, url: object, what: str) -> Iterator[bytes]:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise SourceError(f"{self}: Heroku gave no URL for the {what}")
        reply = _http.request(self, url, what=f"{self}: the {what}", stream=True, anonymous=True)
        yield from _http.body(reply)

    def chunks(self) -> Iterator[bytes]:
        build = self._newest("/builds", "created_at")
        if build and build.get("status") == "pending":
            raise SourceError(f"{self}: the newest build is pending: not a result yet; `fixbot watch --from {self}`"
                              " waits for one")
        if build and build.get("status") == "failed":
            self.notes.append(f"{self}: build {build.get('id', '?')} failed: reading its output")
            yield from self._stream(build.get("output_stream_url"), "build's output")
            return
        release = self._newest("/releases", "version")
        if release and release.get("status") == "failed":
            self.notes.append(f"{self}: release v{release.get('version', '?')} failed: reading its release phase")
            yield from self._stream(release.get("output_stream_url"), "release phase's output")
            return
        session = self._api("/log-sessions", method="POST", body={"lines": 1500, "tail": False}, ok=(200, 201))
        yield from self._stream(session.get("logplex_url") if isinstance(session, dict) else None, "app's log")

    def state(self) -> State:
        for path, key, label in (("/builds", "created_at", "build"), ("/releases", "version", "release")):
            item = self._newest(path, key) or {}
            status = item.get("status")
            if status == "pending":
                return State("pending", f"{label} pending")
            if status == "failed":
                return State("failed", f"{label} failed")
        dynos = self._api("/dynos")
        states = sorted({d.get("state") for d in dynos if isinstance(d, dict)} if isinstance(dynos, list) else set(),
                        key=str)
        detail = "dynos " + (", ".join(map(str, states)) or "none")
        if "crashed" in states:
            return State("failed", detail)
        if states == ["up"]:
            return State("running", detail)
        return State("pending" if "starting" in states or not states else "other", detail)
