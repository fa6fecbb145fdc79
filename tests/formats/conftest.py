"""Fixtures of the readers' tests: the bundled incident as a repository fixbot may scan."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.support import ROOT


LEDGERSG = ROOT / "examples" / "ledgersg"


@pytest.fixture
def ledgersg(tmp_path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(LEDGERSG, repo, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (repo / "gunicorn.conf.py").write_text("errorlog = '-'\n")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)  # the index is what a dry run scans
    return repo
