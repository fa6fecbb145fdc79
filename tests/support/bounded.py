"""Run fixbot in a child process with a CPU-time bound and an address-space limit, so a regression fails instead of hanging the suite.

The limits are set with `resource.setrlimit` in the child before it starts (RLIMIT_AS for memory, RLIMIT_CPU for
time): a fixbot that grows past them dies with MemoryError or SIGXCPU, and the test says so. CPU seconds are the
bound rather than wall seconds, so that a loaded shared machine cannot make a fast run look slow; a wall-clock
timeout still ends a child that waits on something.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The checkout whose fixbot runs (`python -m` reads it from the working directory): another one, such as main's,
# shows what these tests say about code without the fixes (FIXBOT_TEST_SOURCE=/work/main pytest ...).
SOURCE = Path(os.environ.get("FIXBOT_TEST_SOURCE", ROOT))
FIXBOT = [sys.executable, "-m", "fixbot.cli"]
SECONDS = 2.0  # what each hostile shape must answer in (issue 20)
MEMORY = 500 << 20  # and in how much address space
WALL = 30.0  # a child still running after this is killed (it waits on something, or the machine is swamped)


@dataclass
class Bounded:
    returncode: int
    stdout: str
    stderr: str
    cpu: float  # the child's user + system seconds
    wall: float

    def __repr__(self) -> str:
        return (f"Bounded(rc={self.returncode}, cpu={self.cpu:.2f}s, wall={self.wall:.2f}s, "
                f"err={self.stderr[-600:]!r}, out={self.stdout[-600:]!r})")


def _limits(seconds: float, memory: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(seconds) + 1  # RLIMIT_CPU counts whole seconds: the assertion below holds the exact bound
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    return apply


def run(argv: list[str], *, cwd: Path = SOURCE, env: dict | None = None, stdin: bytes = b"",
        seconds: float = SECONDS, memory: int = MEMORY) -> Bounded:
    """Run `argv` under the limits and return what it did; never waits longer than WALL."""
    env = {**os.environ, **(env or {})}
    env.pop("FIXBOT_DEBUG", None)
    with tempfile.TemporaryDirectory() as scratch:
        out, err, inp = (Path(scratch) / n for n in ("out", "err", "in"))
        inp.write_bytes(stdin)
        start = time.monotonic()
        with open(inp, "rb") as i, open(out, "wb") as o, open(err, "wb") as e:
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=i, stdout=o, stderr=e,
                                    preexec_fn=_limits(seconds, memory), start_new_session=True)
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() - start > WALL:
                    os.killpg(proc.pid, signal.SIGKILL)
                    pid, status, usage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.01)
            proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        return Bounded(proc.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
                       usage.ru_utime + usage.ru_stime, wall)


def fixbot(*args: str, **kw) -> Bounded:
    return run([*FIXBOT, *args], **kw)


def assert_bounded(ran: Bounded, seconds: float = SECONDS) -> Bounded:
    """It finished on its own, within the bound, and printed no traceback nor an internal error."""
    assert ran.returncode >= 0, f"killed by signal {-ran.returncode} (SIGXCPU: over its CPU bound): {ran!r}"
    assert ran.wall < WALL, f"still running after {WALL} s: {ran!r}"
    assert ran.cpu < seconds, f"{ran.cpu:.2f} CPU seconds, over the bound of {seconds} s: {ran!r}"
    for text in (ran.stdout, ran.stderr):
        assert "Traceback" not in text and "internal error" not in text and "MemoryError" not in text, ran
    return ran


def assert_one_line(ran: Bounded, code: int = 2) -> str:
    """A documented exit code and one clear line on stderr."""
    assert_bounded(ran)
    assert ran.returncode == code, ran
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fixbot: "), ran
    return lines[0]
