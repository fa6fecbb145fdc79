"""Every secret shape (tests/support/secret_shapes.py) through every output fixbot has: 0 leaks (issue 20).

diagnose's text, JSON, annotations and step summary; apply's text and JSON; the commit message; the pull
request's title, body and comments, posted to the GitHub emulator over HTTP; check's text, JSON and SARIF. Each
shape is planted where that output quotes the repository or the log (the root cause's line, the failing path, a
handler's file in a logging config), next to a canary word that must come through, so a test that lost the line
cannot pass by saying nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fixbot import apply, diagnose, report
from tests.support.gitcli import git
from tests.support import hostile
from tests.support.secret_shapes import SHAPES

CAUSE = "FileNotFoundError: [Errno 2] No such file or directory: '/app/apps/backend/logs/api.log'"
SIZE = 8


def _batches() -> list[list]:
    """Shapes in groups of SIZE for one log line each; a shape whose mask runs to the end of its line (a Cookie
    header, a key block, a quoted value cut off) goes last in its group, so the canaries after it survive."""
    from fixbot.redact import redact

    swallows = [(n, s) for n, s in enumerate(SHAPES) if "CANARY" not in redact(f"{s[1]} | CANARY x@y.z", {})]
    others = [(n, s) for n, s in enumerate(SHAPES) if (n, s) not in swallows]
    batches = [others[i:i + SIZE - 1] for i in range(0, len(others), SIZE - 1)]
    while len(batches) < len(swallows):
        batches.append([])
    for batch, last in zip(batches, swallows):
        batch.append(last)
    return [b for b in batches if b]


BATCHES = _batches()
FIXBOT = [sys.executable, "-m", "fixbot.cli"]


def fixbot(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*FIXBOT, *args], capture_output=True, text=True, cwd=hostile.ROOT, timeout=120,
                          env={**os.environ, **(env or {})})


def assert_no_leak(where: str, text: str, batch, canaries: bool = True) -> None:
    for n, (family, _, secret) in batch:
        assert secret not in text, f"{family} leaks into {where}"
        if canaries:
            assert f"CANARY{n}" in text, f"{where} lost the line of {family}: the test would prove nothing"


def planted_log(tmp_path, batch) -> str:
    """The incident's real log with the batch's lines appended to its root cause, as a collector appends fields."""
    extra = " (" + " | ".join(f"CANARY{n} {line}" for n, (_, line, _) in batch) + ")"
    log = tmp_path / "deploy.log"
    log.write_text(hostile.BOOT_LOG.read_text().replace(CAUSE, CAUSE + extra))
    return str(log)


@pytest.mark.parametrize("batch", BATCHES, ids=[f"shapes {b[0][0]}-{b[-1][0]}" for b in BATCHES])
def test_diagnose_and_apply_outputs_leak_no_shape(tmp_path, batch, github, origin):
    log = planted_log(tmp_path, batch)
    summary = tmp_path / "summary.md"
    ran = fixbot("diagnose", log, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert ran.returncode == 0, ran.stderr
    assert_no_leak("diagnose --format github", ran.stdout + ran.stderr, batch)
    assert_no_leak("the step summary", summary.read_text(), batch)
    findings = diagnose.diagnose_path(log)
    assert_no_leak("diagnose --format text", report.diagnosis_text(findings, log), batch)
    assert_no_leak("diagnose --format json", report.diagnosis_json(findings), batch)

    repo = hostile.ledgersg_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", str(origin))
    git(repo, "push", "-q", "origin", "main")
    result = apply.run(log, repo, dry_run=True)
    assert_no_leak("apply --format text", report.apply_text(result, log), batch)
    assert_no_leak("apply --format json", report.apply_json(result), batch)
    for _ in range(2):  # opened, then updated with a comment that the failure happened again
        result = apply.run(log, repo, open_pr=True)
        assert result.status == "fixed" and result.pr_url, result
        assert_no_leak("apply --open-pr --format json", report.apply_json(result), batch)
    [pr] = github.pulls.values()
    assert_no_leak("the PR body", pr["body"], batch)
    assert_no_leak("the PR title", pr["title"], batch, canaries=False)
    comments = [c["body"] for c in github.comments[pr["number"]]]
    assert comments, "the rerun commented"
    assert_no_leak("the PR comments", "\n".join(comments), batch, canaries=False)
    assert_no_leak("the commit message", git(repo, "log", "-1", "--format=%B", result.branch), batch, canaries=False)


# The commit message quotes no log line, only facts: the failing path is one. Shapes inside the path (those a path
# can hold as Python prints it: no quote, no backslash) reach it, in the log and in the settings alike.
PATH_BATCHES = [p for b in BATCHES if (p := [(n, s) for n, s in b if not set("'\"\\") & set(s[1])])]


@pytest.mark.parametrize("batch", PATH_BATCHES, ids=[f"shapes {b[0][0]}-{b[-1][0]}" for b in PATH_BATCHES])
def test_the_commit_message_leaks_no_shape_in_the_failing_path(tmp_path, batch):
    path = "/app/apps/backend/logs/" + " | ".join(f"CANARY{n} {s[1]}" for n, s in batch) + "/api.log"
    repo = hostile.ledgersg_repo(tmp_path / "repo")
    service = repo / hostile.SERVICE
    service.write_text(service.read_text().replace("'/app/apps/backend/logs/api.log'", repr(path)))
    hostile.commit_all(repo)
    log = tmp_path / "deploy.log"
    log.write_text(hostile.BOOT_LOG.read_text().replace("'/app/apps/backend/logs/api.log'", repr(path)))
    result = apply.run(str(log), repo)
    assert result.status == "fixed", result
    assert_no_leak("the commit message", git(repo, "log", "-1", "--format=%B", result.branch), batch)


def test_check_outputs_leak_no_shape(tmp_path):
    handlers = "".join(f"  h{n}:\n    class: logging.FileHandler\n    filename: "
                       f"{json.dumps(f'/var/log/app/CANARY{n} {line}/a.log')}\n" for n, (_, line, _) in enumerate(SHAPES))
    config = "version: 1\nhandlers:\n" + handlers + "root:\n  handlers: [h0]\n"
    repo = hostile.ledgersg_with(tmp_path / "repo", {"logging.yaml": config},
                                 "uvicorn worker:app --log-config /app/logging.yaml")
    # a filename with `%` is an interpolation to the readers (unknown, so no finding): only its leak is checked
    judged = [(n, s) for n, s in enumerate(SHAPES) if "%" not in s[1]]
    for fmt in ("text", "json", "sarif"):
        ran = fixbot("check", str(repo), "--format", fmt)
        assert ran.returncode == 1, ran.stderr
        assert_no_leak(f"check --format {fmt}", ran.stdout + ran.stderr, judged)
        assert_no_leak(f"check --format {fmt}", ran.stdout + ran.stderr, list(enumerate(SHAPES)), canaries=False)
