"""`fly:APP`: a Fly.io app's recent log, through the logs API `fly logs` reads, and its Machines' state to watch.

`FLY_API_TOKEN` (a `fly tokens create` token, `FlyV1 fm2_…`, sent with its own scheme; an older one as Bearer)
goes to `FLY_API_URL` and to `FLY_MACHINES_URL` only. `GET /api/v1/apps/{app}/logs` answers `{"data": [{"attributes":
{"message", …}}], "meta": {"next_token"}}`: pages are read until one comes back empty (the API is polled, as `fly
logs` polls it; it has no end of its own). `fixbot watch` reads the Machines API: a machine whose newest event is an
exit with a non-zero code has failed; all started, with their checks passing, is a deploy that runs.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote, urlencode

from fixbot.sources import Source, SourceError, State, _http

_PAGES = 500
# Machine states (fly.io/docs/machines/machine-states/): persistent created, started, stopped, suspended, failed;
# the transient ones are on the way to another.
_PENDING = {"created", "creating", "starting", "replacing", "updating", "restarting"}


class Fly(Source):
    target = "APP"
    pattern = r"[a-z0-9][a-z0-9-]{0,62}"
    endpoint = ("FLY_API_URL", "https://api.fly.io")
    secret = "FLY_API_TOKEN"
    watches = "the app's Machines: their state, exits and checks"

    def chunks(self) -> Iterator[bytes]:
        token = ""
        for _ in range(_PAGES):
            url = f"{self.base_url}/api/v1/apps/{quote(self.value)}/logs?{urlencode({'next_token': token})}"
            page = _http.request(self, url, what=str(self), headers={"Accept": "application/json"})
            entries = page.get("data") if isinstance(page, dict) else None
            if not isinstance(entries, list):
                raise SourceError(f"{self}: Fly's logs answer has no list of data")
            lines = [(e.get("attributes") or {}).get("message") for e in entries if isinstance(e, dict)]
            yield b"".join(str(m).encode() + b"\n" for m in lines if m is not None)
            following = (page.get("meta") or {}).get("next_token")
            if not entries or not following or following == token:
                return
            token = following
        raise SourceError(f"{self}: Fly kept paging past {_PAGES} pages of logs")

    def state(self) -> State:
        variable, default = "FLY_MACHINES_URL", "https://api.machines.dev/v1"
        base = (self.env.get(variable) or default).rstrip("/")
        machines = _http.request(self, f"{base}/apps/{quote(self.value)}/machines", what=str(self),
                                 token_origin=_http.origin(base))
        if not isinstance(machines, list) or not machines:
            return State("pending", "no machines yet")
        states, waiting = [], False
        for machine in (m for m in machines if isinstance(m, dict)):
            events = sorted((e for e in machine.get("events") or [] if isinstance(e, dict)),
                            key=lambda e: e.get("timestamp") or 0)
            last = events[-1] if events else {}
            code = ((last.get("request") or {}).get("exit_event") or {}).get("exit_code")
            if last.get("type") == "exit" and code not in (None, 0):
                return State("failed", f"machine {machine.get('id', '?')} exited with code {code}")
            if machine.get("state") == "failed":  # it could not start at all
                return State("failed", f"machine {machine.get('id', '?')} failed")
            checks = sorted({str(c.get("status")) for c in machine.get("checks") or [] if isinstance(c, dict)})
            state = str(machine.get("state"))
            if state == "started" and checks not in ([], ["passing"]):
                state = f"started with checks {'/'.join(checks)}"  # up, but not serving yet
            waiting = waiting or state.startswith("started ") or state in _PENDING
            states.append(state)
        detail = "machines " + ", ".join(sorted(set(states)))
        if set(states) == {"started"}:
            return State("running", detail)
        return State("pending" if waiting else "other", detail)
