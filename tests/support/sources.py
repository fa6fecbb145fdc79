"""What the tests of fixbot/sources/ share: fixbot run as a process against an emulator, and the plans to compare."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT, cli
from tests.support.gitcli import git

LEDGERSG = ROOT / "examples" / "ledgersg"
# Tokens of this machine must not reach an emulator, nor the emulators' tokens this machine's platforms.
_PLATFORM = ("HF_TOKEN", "HF_ENDPOINT", "RENDER_API_KEY", "RENDER_API_URL", "HEROKU_API_KEY", "HEROKU_API_URL",
             "FLY_API_TOKEN", "FLY_API_URL", "FIXBOT_LOG_TOKEN", "KUBECONFIG", "DOCKER_HOST", "DOCKER_CONTEXT",
             "GITHUB_TOKEN")


def fixbot(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """tests.support.cli's fixbot, with no platform's variables but `env`'s."""
    base = {k: v for k, v in os.environ.items() if k not in _PLATFORM}
    base.update({"NO_PROXY": "127.0.0.1,localhost", "HF_HUB_DISABLE_TELEMETRY": "1", **(env or {})})
    return cli.fixbot(*args, env=base, timeout=timeout)


def plans(spec: str, log: Path, repo: Path, env: dict[str, str], *more: str) -> tuple[subprocess.CompletedProcess,
                                                                                   subprocess.CompletedProcess]:
    """`apply --dry-run --format json` from `spec`, then on the same log as a file."""
    fetched = fixbot("apply", "--from", spec, "--repo", str(repo), "--dry-run", "--format", "json", *more, env=env)
    given = fixbot("apply", "--log", str(log), "--repo", str(repo), "--dry-run", "--format", "json", env=env)
    return fetched, given


def assert_same_plan(fetched: subprocess.CompletedProcess, given: subprocess.CompletedProcess, *secrets: str) -> dict:
    assert given.returncode == 0, given.stderr
    assert fetched.returncode == 0, fetched.stderr
    plan, same = json.loads(fetched.stdout), json.loads(given.stdout)
    notes = plan.pop("warnings")  # what the source noted (the platform's stage): the rest is the same, byte for byte
    assert same.pop("warnings") == []
    assert plan == same
    plan["warnings"] = notes
    assert plan["status"] == "fixed" and plan["changes"] and plan["diff"]
    for secret in secrets:
        assert secret not in fetched.stdout + fetched.stderr
    return plan


def one_line_refusal(done: subprocess.CompletedProcess, *secrets: str) -> str:
    """The error of a refused fetch: exit 2, nothing on stdout, one line on stderr (returned)."""
    line = cli.assert_one_line(done, 2)
    assert done.stdout == "" and line.startswith("fixbot: "), done.stdout
    for secret in secrets:
        assert secret not in done.stderr
    return line


@pytest.fixture
def ledgersg_repo(tmp_path) -> Path:
    """examples/ledgersg as a committed repository: what apply makes its branch in."""
    root = tmp_path / "app"
    shutil.copytree(LEDGERSG, root, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "deployed")
    return root
