"""examples/orders-api, the FastAPI + uvicorn incident: its kept log is what a real boot prints, and fixbot apply's fix boots."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from fixbot.diagnose import diagnose_path
from tests.support import realrun
from tests.support.repos import git
from tests.support import ROOT

EXAMPLE = ROOT / "examples" / "orders-api"
FIXBOT = str(realrun.VENV_BIN / "fixbot")


def start(directory: Path) -> realrun.Run:
    port = realrun.free_port()
    return realrun._run_and_probe(["sh", "start.sh"], directory, {"HOST": realrun.LOOPBACK, "PORT": str(port)},
                                  port=port, timeout=20, probe="/health")


def facts(log: Path) -> dict:
    [finding] = diagnose_path(str(log))
    assert finding.kind == "logging-handler" and finding.fixable
    return {k: finding.facts.get(k) for k in ("handler", "path", "error", "program", "config")}


def test_the_kept_log_is_a_real_boot_and_fixbot_apply_makes_it_answer(tmp_path):
    kept = facts(EXAMPLE / "logs" / "boot-failure.log")
    assert kept == {"handler": "access_file", "path": "/var/log/orders-api/access.log", "error": "FileNotFoundError",
                    "program": "uvicorn", "config": "logging.yaml"}  # start.sh's `set -x` trace names it
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "orders-api")

    failed = start(repo)
    assert not failed.booted, failed.output
    log = tmp_path / "boot.log"
    log.write_text(failed.output)
    assert facts(log) == kept  # the kept log still says what a boot of the example prints

    done = subprocess.run([FIXBOT, "apply", "--log", str(log), "--repo", str(repo), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert [c["path"] for c in result["changes"]] == ["logging.yaml"]
    fixed = tmp_path / "fixed"
    git(repo, "worktree", "add", "-q", str(fixed), result["branch"])
    assert "# Access logs go to the volume the log shipper reads." in (fixed / "logging.yaml").read_text()
    booted = start(fixed)
    assert booted.status == 200 and json.loads(booted.body) == {"status": "ok"}, booted.output


def test_the_reviewer_checklist_of_a_yaml_fix_asks_for_the_program_that_loads_it_not_django():
    from fixbot import apply, report

    result = apply.run(str(EXAMPLE / "logs" / "boot-failure.log"), EXAMPLE, dry_run=True)
    checklist = report.pr_body(result, None).split("## Checklist for the reviewer", 1)[1]
    assert "--log-config" in checklist and "manage.py" not in checklist
