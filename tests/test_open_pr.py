"""`fixbot apply --open-pr` from the command line: log or run id in, one pull request out, however often it runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.github_emulator import make_zip
from tests.gitcli import git

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"


@pytest.fixture
def app(tmp_path, origin) -> Path:
    root = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", root, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "deployed")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    return root


def fixbot(*args: str) -> tuple[int, dict, str]:
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", *args, "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_open_pr_then_rerun_keeps_one_pr(github, app):
    code, first, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0, err
    assert (first["status"], first["pr_action"]) == ("fixed", "opened")
    assert first["pr_url"].endswith("/pull/1")
    code, again, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0, err
    assert again["pr_url"] == first["pr_url"] and again["pr_action"] in ("exists", "updated")
    assert len(github.pulls) == 1
    assert git(app, "rev-parse", "--abbrev-ref", "HEAD") == "main", "the user's checkout stays on its branch"


def test_run_id_downloads_the_logs_and_links_the_run(github, app, monkeypatch):
    github.add_run(99, zip_bytes=make_zip({"0_deploy.txt": LOG.read_text()}))
    monkeypatch.setenv("GITHUB_SERVER_URL", "http://127.0.0.1")
    code, result, err = fixbot("--run-id", "99", "--repo", str(app), "--open-pr")
    assert code == 0, err
    (pull,) = github.pulls.values()
    assert f"http://127.0.0.1/{github.full_name}/actions/runs/99" in pull["body"]
    assert result["findings"][0]["evidence"][0]["source"] == "0_deploy.txt"


def test_log_and_run_id_together_is_a_usage_error(app):
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", "--log", str(LOG), "--run-id", "1"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "one of --log and --run-id" in done.stderr


def test_secrets_in_the_log_reach_neither_stdout_nor_the_pr(github, app, tmp_path, monkeypatch):
    secrets = {"pat": "ghp_" + "Q" * 36, "aws": "AKIA" + "ABCDEFGHIJKLMNOP", "db": "hunter2-Passw0rd",
               "env": "very-secret-session-value"}
    monkeypatch.setenv("SESSION_SECRET", secrets["env"])
    leaky = LOG.read_text().replace(
        "'/app/apps/backend/logs/api.log'\n",
        f"'/app/apps/backend/logs/api.log' postgres://app:{secrets['db']}@db token={secrets['pat']}"
        f" {secrets['aws']} {secrets['env']}\n",
    )
    log = tmp_path / "deploy.log"
    log.write_text(leaky)
    for fmt in ("text", "json"):
        done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", "--log", str(log), "--repo", str(app),
                               "--open-pr", "--format", fmt], capture_output=True, text=True, cwd=ROOT,
                              env=dict(os.environ), timeout=120)
        assert done.returncode == 0, done.stderr
        assert "FileNotFoundError" in done.stdout
        for secret in secrets.values():
            assert secret not in done.stdout + done.stderr, (fmt, secret)
    (pull,) = github.pulls.values()
    commit = git(app, "log", "--format=%B", "-1", pull["head"]["ref"])
    for secret in secrets.values():
        assert secret not in pull["body"] + pull["title"] + commit


@pytest.mark.parametrize("unset", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_open_pr_without_what_it_needs_changes_nothing(github, app, monkeypatch, unset):
    monkeypatch.delenv(unset)
    refs = git(app, "for-each-ref")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and result["status"] == "refused" and unset in err
    assert git(app, "for-each-ref") == refs, "no branch is made when the PR cannot be opened"


def test_a_failed_publish_removes_the_branch_it_made(github, app):
    github.fail_next("POST", r"/pulls$", 403, message="Resource not accessible by integration")
    refs = git(app, "for-each-ref", "refs/heads")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and "pull-requests: write" in err
    assert git(app, "for-each-ref", "refs/heads") == refs
