"""The Hugging Face Hub's Spaces API on 127.0.0.1: a Space's runtime and its build and run logs.

Built from huggingface_hub's reference (https://huggingface.co/docs/huggingface_hub/package_reference/space_runtime:
`SpaceRuntime` with `stage`, `hardware`, `raw`; the stages of `SpaceStage`, BUILDING and APP_STARTING among the
intermediate ones; `HfApi.get_space_runtime`, `HfApi.fetch_space_logs`) and the Hub's API pages
(https://huggingface.co/docs/hub/api): `GET /api/spaces/{owner}/{name}/runtime` answers JSON with `stage` and
`errorMessage`; `GET /api/spaces/{owner}/{name}/logs/run` and `/logs/build` are server-sent events, each
`data: {"data": "<line>\\n", "timestamp": "…"}`, keep-alives as empty `data:` events, the server's `Date` marking
where a replay ends. Errors carry `X-Error-Code` and `X-Error-Message` as the Hub's do (a missing Space is
`RepoNotFound`, 404; a bad token 401).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply

_STAMP = "2026-12-01T05:46:{:02d}.000Z"  # when the real run logged its lines; before any Date the server sends


@dataclass
class Space:
    stages: list[str]  # what each poll of the runtime answers, the last one for ever after
    run_log: bytes = b""
    build_log: bytes = b""
    error_message: str = ""
    endless: bool = False  # the run log's stream never closes: keep-alives after the log
    polls: int = field(default=0)


class HubEmulator(Emulator):
    token = "hf_EmulatorToken0aB1cD2eF3gH4iJ5kL6mN7oP8q"

    def __init__(self) -> None:
        super().__init__()
        self.spaces: dict[str, Space] = {}

    def add_space(self, repo_id: str, stages: list[str], run_log: Path | bytes = LEDGERSG_LOG, **more) -> Space:
        log = run_log.read_bytes() if isinstance(run_log, Path) else run_log
        self.spaces[repo_id] = space = Space(stages, log, **more)
        return space

    def unauthorized(self, request: Request) -> Reply:
        return json_reply({"error": "Invalid credentials in Authorization header"}, 401,
                          {"X-Error-Message": "Invalid credentials in Authorization header"})

    def route(self, request: Request) -> Reply:
        parts = request.path.strip("/").split("/")
        if len(parts) < 5 or parts[:2] != ["api", "spaces"]:
            return json_reply({"error": "Not Found"}, 404)
        space = self.spaces.get(f"{parts[2]}/{parts[3]}")
        if space is None:
            return json_reply({"error": "Repository not found"}, 404,
                              {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"})
        if parts[4:] == ["runtime"]:
            stage = space.stages[min(space.polls, len(space.stages) - 1)]
            space.polls += 1
            failed = stage in ("BUILD_ERROR", "RUNTIME_ERROR")
            return json_reply({
                "stage": stage, "hardware": {"current": None if stage == "BUILDING" else "cpu-basic",
                                             "requested": "cpu-basic"},
                "storage": None, "gcTimeout": 172800, "replicas": {"current": 1, "requested": 1},
                "devMode": False, "domains": [{"domain": f"{parts[2]}-{parts[3]}.hf.space", "stage": "READY"}],
                "sha": "6b1f0c2d9e8a7f6b5c4d3e2f1a0b9c8d7e6f5a4b",
                **({"errorMessage": space.error_message} if failed and space.error_message else {}),
            })
        if parts[4:] in (["logs", "run"], ["logs", "build"]):
            log = space.build_log if parts[5] == "build" else space.run_log
            events = b"".join(
                b"data: " + json.dumps({"data": line, "timestamp": _STAMP.format(n % 60)}).encode() + b"\n\n"
                for n, line in enumerate(log.decode("utf-8", "replace").splitlines(keepends=True))
            )
            headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}  # and http.server's Date
            body = self.endless(events, b"data: \n\n") if space.endless and parts[5] == "run" else iter([events])
            return Reply(200, body, headers)
        return json_reply({"error": "Not Found"}, 404)
