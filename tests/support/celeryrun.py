"""Real Celery worker runs for the tests: a one-line app on the in-memory broker, started and stopped once ready."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from tests.support.realrun import VENV_BIN, clean_env

CELERY = VENV_BIN / "celery"
# The broker lives in the worker's own memory: nothing to install, nothing listens, nothing leaves the machine.
APP = 'from celery import Celery\n\napp = Celery("tasks", broker="memory://")\n'
READY = "ready."  # the worker's "celery@host ready." (INFO), logged once it consumes


@dataclass(frozen=True)
class CeleryRun:
    returncode: int | None
    output: str  # stdout and stderr interleaved, as a deploy log holds them
    stderr: str  # stderr alone: where the logs go once there is no --logfile
    ready: bool  # the worker said it was ready (it was then stopped)


def make_app(directory: Path) -> Path:
    """A directory holding tasks.py, the app `celery -A tasks` loads."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tasks.py").write_text(APP)
    return directory


def run_celery(cwd: Path, command: str | Sequence[str], *, timeout: float = 40, log: Path | None = None) -> CeleryRun:
    """Run a `celery …` command line in `cwd` (the venv's celery) until it says it is ready (on its output, or in
    the file `log`), then stop it with SIGTERM (a warm shutdown), or until it exits on its own."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    if argv[0] == "celery":
        argv[0] = str(CELERY)
    proc = subprocess.Popen(argv, cwd=cwd, env=clean_env(cwd, home=cwd), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    both: list[str] = []
    errors: list[str] = []
    ready = threading.Event()

    def pump(stream, also: list[str] | None) -> None:
        for line in stream:
            both.append(line)
            if also is not None:
                also.append(line)
            if READY in line:
                ready.set()

    threads = [threading.Thread(target=pump, args=(proc.stdout, None)),
               threading.Thread(target=pump, args=(proc.stderr, errors))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not ready.is_set() and time.monotonic() < deadline:
        if log is not None and log.exists() and READY in log.read_text(errors="replace"):
            ready.set()
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for t in threads:
        t.join(timeout=5)
    return CeleryRun(proc.returncode, "".join(both), "".join(errors), ready.is_set())
