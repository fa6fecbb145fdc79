"""The Action's own steps (install and a dry run) against a bare `pip install` of its dependencies, no cache either way.

    python benchmarks/action.py [--runs 3]

The Action: action.yml's two `run:` scripts, by bash in a fresh $RUNNER_TEMP as the runner runs them: pip installs
uv (pinned by hash), uv fills a venv from .ci/action-requirements.txt and adds fixbot with --no-deps, then fixbot's
dry run on the example's log. Its floor: `python3 -m venv` and `pip install` of pyproject's dependencies into it.
Both download everything (a fresh UV_CACHE_DIR, PIP_NO_CACHE_DIR=1), so the numbers need PyPI and vary with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "ledgersg"
LOG = EXAMPLE / "logs" / "boot-failure.log"
GIT_ID = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
          "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return elapsed


def action_run(scratch: Path) -> tuple[float, float]:
    """Seconds for the Action's install step and for its run step (a dry run), from nothing."""
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    runner_temp = scratch / "runner-temp"
    runner_temp.mkdir()
    workspace = scratch / "workspace"
    shutil.copytree(EXAMPLE, workspace, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "deployed"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, env={**os.environ, **GIT_ID})
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "ACTION_PATH": str(ROOT), "FIXBOT_PYTHON": "",
           "GITHUB_WORKSPACE": str(workspace), "INPUT_LOG_FILE": str(LOG), "INPUT_DRY_RUN": "true",
           "UV_CACHE_DIR": str(scratch / "uv-cache"), "PIP_NO_CACHE_DIR": "1"}
    times = []
    for step in steps:
        fixed = {k: str(v) for k, v in (step.get("env") or {}).items() if "${{" not in str(v)}
        times.append(timed(["bash", "-c", step["run"]], cwd=runner_temp, env={**env, **fixed}))
    return times[0], times[1]


def bare_pip(scratch: Path) -> tuple[float, float]:
    """Seconds for `python3 -m venv` and for `pip install` of the dependencies into it, from nothing."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    venv = scratch / "venv"
    env = {**os.environ, "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    create = timed(["python3", "-m", "venv", str(venv)], cwd=scratch, env=env)
    install = timed([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *dependencies], cwd=scratch, env=env)
    return create, install


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    action, baseline = [], []
    for _ in range(args.runs):  # interleaved, so a slow minute of the network hits both
        with tempfile.TemporaryDirectory(prefix="fixbot-bench-") as scratch:
            action.append(action_run(Path(scratch)))
        with tempfile.TemporaryDirectory(prefix="fixbot-bench-") as scratch:
            baseline.append(bare_pip(Path(scratch)))
    install, run = min(action, key=sum)
    create, pip = min(baseline, key=sum)
    mine, floor = install + run, create + pip
    print(f"bare pip: python3 -m venv {create:.2f} s + pip install of the dependencies {pip:.2f} s = {floor:.2f} s")
    print(f"the Action: install step (uv by hash, the lock, fixbot) {install:.2f} s + dry run {run:.2f} s "
          f"= {mine:.2f} s  ({mine / floor:.2f}x bare pip)  [best of {args.runs}, no cache]")


if __name__ == "__main__":
    main()
