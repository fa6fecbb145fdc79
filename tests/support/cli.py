"""One way to run fixbot as a user does, in a fresh interpreter: `fixbot(...)`, `apply_json` for `fixbot apply --format json`, and `fixbot_on_terminal` under a pseudo-terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from tests.support import ROOT


FIXBOT = [sys.executable, "-m", "fixbot.cli"]


def fixbot(*args: str, cwd: Path = ROOT, stdin: str | bytes | None = None, env: dict | None = None,
           timeout: float = 120, text: bool = True) -> subprocess.CompletedProcess:
    """`fixbot ARGS` in `cwd`; `text=False` keeps stdout and stderr as bytes (and `stdin` must be bytes)."""
    return subprocess.run([*FIXBOT, *args], input=stdin, capture_output=True, text=text, cwd=cwd, env=env,
                          timeout=timeout)


def apply_json(log: Path, repo: Path, *args: str) -> tuple[int, dict, str]:
    """(exit code, the JSON report, stderr) of `fixbot apply --log LOG --repo REPO --format json ARGS`."""
    result = fixbot("apply", "--log", str(log), "--repo", str(repo), "--format", "json", *args)
    return result.returncode, json.loads(result.stdout), result.stderr


def assert_one_line(result: subprocess.CompletedProcess, code: int) -> str:
    """The one line on stderr of a run that ended with `code`: no traceback, no internal error."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr and "internal error" not in result.stderr, lines
    return lines[0]


@dataclass(frozen=True)
class OnTerminal:
    returncode: int
    terminal: str  # what the pseudo-terminal showed (its \r\n back to \n)
    stdout: str  # the pipes of the streams that were not on the terminal ("" for those that were)
    stderr: str


def fixbot_on_terminal(*args: str, terminal: tuple[str, ...] = ("stdout",), typed: bytes | None = None,
                       env: dict | None = None, cwd: Path = ROOT, timeout: float = 60) -> OnTerminal:
    """`fixbot ARGS` with the streams named in `terminal` (stdin, stdout, stderr) on one pseudo-terminal, the others
    on pipes (stdin: /dev/null unless typed on the terminal); `typed` is what a person types there, Ctrl-D and all
    (the terminal does not echo it)."""
    import os
    import pty
    import termios
    import threading

    master, slave = pty.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    streams = {name: slave if name in terminal else subprocess.PIPE for name in ("stdout", "stderr")}
    stdin = slave if "stdin" in terminal else subprocess.DEVNULL
    proc = subprocess.Popen([*FIXBOT, *args], stdin=stdin, **streams, cwd=cwd, env=env)
    os.close(slave)
    shown = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every end of the terminal's other side is closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        if typed is not None:  # from a thread: a terminal's input queue is small, and a write waits for the reader
            threading.Thread(target=os.write, args=(master, typed), daemon=True).start()
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
        os.close(master)
    return OnTerminal(proc.returncode, shown.decode("utf-8", "replace").replace("\r\n", "\n"),
                      (out or b"").decode("utf-8", "replace"), (err or b"").decode("utf-8", "replace"))
