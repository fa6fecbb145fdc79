"""The Docker Engine API on a unix socket, as the docker CLI reaches it with `DOCKER_HOST=unix://…`.

A unix socket, not tcp://127.0.0.1: it is how an engine listens by default (/var/run/docker.sock), so the CLI's
path under test is the one users have. Built from the Engine API reference
(https://docs.docker.com/reference/api/engine/version/v1.47/: `HEAD`/`GET /_ping` with the `API-Version` header
the CLI negotiates with; "Inspect a container" `GET /containers/{id}/json` with `State` (`Status`, `Running`,
`Restarting`, `ExitCode`, `Health`) and `Config.Tty`; "Get container logs" `GET /containers/{id}/logs?stdout=&stderr=`
answering `application/vnd.docker.multiplexed-stream` when the container has no TTY: frames of an 8-byte header,
the stream (1 stdout, 2 stderr) and a big-endian length, then the bytes; errors `{"message": "No such container: x"}`
with 404).
"""

from __future__ import annotations

import struct
from pathlib import Path

from tests.support.emulators import LEDGERSG_LOG, Emulator, Reply, Request, json_reply

API = "1.47"


def frames(log: bytes) -> bytes:
    """A log as the engine multiplexes it: Gunicorn writes to stderr, so every line is a stream-2 frame."""
    return b"".join(struct.pack(">BxxxL", 2, len(line)) + line for line in log.splitlines(keepends=True))


class DockerEmulator(Emulator):
    def __init__(self, socket: Path) -> None:
        super().__init__()
        self.unix_socket = socket
        self.containers: dict[str, dict] = {}

    @property
    def host(self) -> str:
        return f"unix://{self.unix_socket}"

    def add_container(self, name: str, states: list[dict], log: Path = LEDGERSG_LOG) -> dict:
        import hashlib

        ident = hashlib.sha256(name.encode()).hexdigest()  # the CLI asks for the logs by the Id inspect gave
        container = {"id": ident, "states": states, "polls": 0, "log": log.read_bytes()}
        self.containers[name] = self.containers[ident] = container
        return container

    def route(self, request: Request) -> Reply:
        headers = {"API-Version": API, "Docker-Experimental": "false", "OSType": "linux", "Server": "Docker/27.3.1"}
        if request.path == "/_ping":
            return Reply(200, b"OK", {**headers, "Content-Type": "text/plain; charset=utf-8"})
        parts = request.path.strip("/").split("/")
        if parts[0].startswith("v"):
            parts = parts[1:]
        if parts[:1] == ["containers"] and len(parts) == 3:
            container = self.containers.get(parts[1])
            if container is None:
                return json_reply({"message": f"No such container: {parts[1]}"}, 404, headers)
            if parts[2] == "json":
                state = container["states"][min(container["polls"], len(container["states"]) - 1)]
                container["polls"] += 1
                return json_reply({"Id": container["id"], "Name": f"/{parts[1]}", "RestartCount": 3,
                                   "State": {"Running": state.get("Status") == "running", "Paused": False,
                                             "OOMKilled": False, "Dead": False, "Pid": 0, "Error": "",
                                             "StartedAt": "2026-12-01T05:46:24Z", "FinishedAt": "2026-12-01T05:46:25Z",
                                             "Restarting": state.get("Status") == "restarting", **state},
                                   "Config": {"Tty": False, "Image": "ledgersg:1"}}, 200, headers)
            if parts[2] == "logs":
                if request.arg("stdout") != "1" or request.arg("stderr") != "1":
                    return json_reply({"message": "the emulator serves stdout and stderr together"}, 400, headers)
                return Reply(200, frames(container["log"]),
                             {**headers, "Content-Type": "application/vnd.docker.multiplexed-stream"})
        return json_reply({"message": "page not found"}, 404, headers)
