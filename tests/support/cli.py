"""One way to run fixbot as a user does, in a fresh interpreter: `fixbot(...)`, and `apply_json` for `fixbot apply --format json`."""

from __future__ import annotations

import json
import subprocess
import sys
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
