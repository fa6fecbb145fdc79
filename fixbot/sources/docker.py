"""`docker:CONTAINER`: an exited or restarting container's log, through the docker CLI and the engine it talks to.

The CLI, not the Engine API by hand: it finds the engine as the user's shell does (`DOCKER_HOST`, `DOCKER_CONTEXT`,
the contexts in ~/.docker, ssh:// hosts) and demultiplexes the engine's stdout/stderr frames. `docker container
inspect` first, so that a missing container or an engine that does not run is one line of the CLI's own error;
then `docker logs`, its stdout and stderr on one pipe so that the lines keep the order the frames had. The
engine's socket is its authentication; there is no token. The CLI is killed at the fetch's bound.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from typing import Iterator

from fixbot.sources import Source, SourceError, State


class Docker(Source):
    target = "CONTAINER"
    pattern = r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}"
    watches = "the container's state and health"

    def _docker(self) -> str:
        found = shutil.which("docker", path=self.env.get("PATH"))
        if found is None:
            raise SourceError(f"{self}: the docker CLI is not on PATH; fixbot reads the container through it")
        return found

    def _inspect(self) -> dict:
        try:
            done = subprocess.run([self._docker(), "container", "inspect", "--", self.value], capture_output=True,
                                  env=self.env, timeout=self.bounds.timeout)
        except subprocess.TimeoutExpired:
            raise SourceError(f"{self}: the docker engine did not answer within {self.bounds.timeout:g} s") from None
        if done.returncode != 0:
            said = next((line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()),
                        f"docker exited with {done.returncode}")
            raise SourceError(f"{self}: {' '.join(said.split())[:300]}")
        try:
            (found,) = json.loads(done.stdout)
        except ValueError:
            raise SourceError(f"{self}: docker container inspect did not answer one container in JSON") from None
        return found if isinstance(found, dict) else {}

    def chunks(self) -> Iterator[bytes]:
        state = self._inspect().get("State") or {}
        self.notes.append(f"{self}: {_describe(state)}: reading its log")
        process = subprocess.Popen([self._docker(), "logs", "--", self.value], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env=self.env)
        timer = threading.Timer(self.bounds.timeout + 1, process.kill)  # the CLI of a log that never ends
        timer.start()
        try:
            assert process.stdout is not None
            while block := process.stdout.read1(1 << 16):
                yield block
            if process.wait() != 0:
                raise SourceError(f"{self}: docker logs exited with {process.returncode}")
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()

    def state(self) -> State:
        state = self._inspect().get("State") or {}
        status, health = state.get("Status"), (state.get("Health") or {}).get("Status")
        detail = _describe(state)
        if state.get("Restarting") or status == "restarting" or health == "unhealthy":
            return State("failed", detail)
        if status == "exited":
            return State("failed" if state.get("ExitCode") else "other", detail)
        if status == "running":
            return State("pending" if health == "starting" else "running", detail)
        return State("pending" if status == "created" else "other", detail)


def _describe(state: dict) -> str:
    status = state.get("Status", "unknown")
    if status in ("exited", "restarting") or state.get("Restarting"):
        return f"{status} (exit code {state.get('ExitCode', '?')})"
    health = (state.get("Health") or {}).get("Status")
    return f"{status}, {health}" if health else str(status)
