"""The newcomer's install (issue 25): `pip install <the repository>` into a fresh venv outside the clone, then fixbot
runs on a copy of an example with no test dependency there.

It builds fixbot as pip does for a user (build isolation; setuptools and the runtime dependencies from the registry
or pip's cache): 30 to 60 s measured here with pip's cache warm, 84 s cold, more than any other test. So it runs
only with FIXBOT_INSTALL_TEST=1: `make install-check`, which .ci/run runs after `make test`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.repos import commit_all, git

pytestmark = pytest.mark.skipif(os.environ.get("FIXBOT_INSTALL_TEST") != "1",
                                reason="a minute of pip: `make install-check` (FIXBOT_INSTALL_TEST=1) runs it")

EXAMPLE = ROOT / "examples" / "ledgersg"
TEST_ONLY = ("django", "gunicorn", "celery", "pytest", "hypothesis")


def _source(where: Path) -> Path:
    """The repository as a clone has it: its tracked files, nothing built in it."""
    source = where / "fixbot-clone"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in tracked.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    return source


def test_pip_install_of_the_repository_runs_fixbot_without_the_test_extra(tmp_path):
    source = _source(tmp_path)
    venv = tmp_path / "user-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    installed = subprocess.run([venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check",
                                str(source)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    for module in TEST_ONLY:
        probe = subprocess.run([venv / "bin" / "python", "-c", f"import {module}"], cwd=tmp_path, capture_output=True)
        assert probe.returncode != 0, f"{module} is installed: the runtime install pulled a test dependency"

    app = tmp_path / "my-app"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    commit_all(app, "deployed")
    log = tmp_path / "deploy.log"
    shutil.copy(EXAMPLE / "logs" / "boot-failure.log", log)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([venv / "bin" / "fixbot", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("fixbot, version "), version.stdout + version.stderr
    diagnosed = run("diagnose", str(log))
    assert diagnosed.returncode == 0 and "logging-handler" in diagnosed.stdout, diagnosed.stdout + diagnosed.stderr
    dry = run("apply", "--log", str(log), "--repo", str(app), "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "-        'file': {" in dry.stdout and "handler 'file' removed" in dry.stdout, dry.stdout
    assert git(app, "status", "--porcelain") == "" and len(git(app, "branch").splitlines()) == 1, "a dry run commits nothing"
