"""The supervisord-logfile room end to end: supervisord really fails on its own log (as another user, on a read-only
directory), fixbot fixes its config and the program file it includes in one commit, and the fixed branch's
supervisord really starts its program, which answers; and where the room places the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import confined, realrun
from tests.support.cli import apply_json
from tests.support.repos import clone, commit_all, snapshot, without_branch

pytestmark = pytest.mark.skipif(not confined.available(), reason="needs root, unshare and setpriv")

START = "exec supervisord -c deploy/supervisord.conf"


def main_conf(logs: Path) -> str:
    return (f"[supervisord]\nnodaemon=true\nlogfile={logs}/supervisord.log\npidfile={logs}/supervisord.pid\n\n"
            "[include]\nfiles = conf.d/*.conf\n")


def web_conf(logs: Path, port: int) -> str:
    return (f"[program:web]\ncommand=python3 -m http.server {port} --bind 127.0.0.1\n"
            f"stdout_logfile={logs}/web.log\nredirect_stderr=true\n")


@pytest.fixture(scope="module")
def deploy():
    """A repository whose supervisord writes into `logs/`, a directory root owns; and its port."""
    top = confined.world_dir("fixbot-supervisord-")
    port = realrun.free_port()
    logs = top / "logs"
    logs.mkdir(mode=0o755)
    repo = top / "repo"
    (repo / "deploy" / "conf.d").mkdir(parents=True)
    (repo / "deploy" / "supervisord.conf").write_text(main_conf(logs))
    (repo / "deploy" / "conf.d" / "web.conf").write_text(web_conf(logs, port))
    (repo / "entrypoint.sh").write_text(f"#!/bin/sh\n{START}\n")
    (repo / "Dockerfile").write_text("FROM python:3.11-slim\nRUN pip install supervisor\nCOPY . /app\n"
                                     "WORKDIR /app\nUSER nobody\nCMD [\"/app/entrypoint.sh\"]\n")
    commit_all(repo)
    confined.open_to_all(repo)
    yield top, repo, logs, port
    shutil.rmtree(top)


@pytest.mark.parametrize("condition", ["another user", "read-only"])
def test_the_failing_config_and_its_programs_are_fixed_in_one_commit_and_the_fixed_branch_answers(deploy, condition):
    top, repo, logs, port = deploy
    how = {"user": confined.NOBODY} if condition == "another user" else {"read_only": [logs]}
    run = confined.run(START, repo, port=port, timeout=10, **how)
    assert not run.booted and f"'{logs}/supervisord.log'" in run.output, run.output
    log = top / f"{condition}.log"
    log.write_text(run.output)

    before = snapshot(repo)
    code, out, err = apply_json(log, repo)
    assert code == 0 and out["status"] == "fixed", (out, err)
    assert out["branch"].startswith("fixbot/supervisord-logfile-")
    assert sorted(c["path"] for c in out["changes"]) == ["deploy/conf.d/web.conf", "deploy/supervisord.conf"]
    # the two conditions make the same fix (one failure, one branch): the second run finds the first's branch
    assert without_branch(snapshot(repo), out["branch"]) == without_branch(before, out["branch"])

    review = clone(repo, top / f"review-{condition.replace(' ', '-')}", "--branch", out["branch"])
    confined.open_to_all(review)
    fixed = confined.run(START, review, port=port, timeout=15, **how)
    assert fixed.status == 200, fixed.output
    assert "spawned: 'web'" in fixed.output  # supervisord's own log, on stdout
    assert not list(logs.iterdir())


def test_a_program_log_that_cannot_be_opened_names_the_program_and_its_file_is_fixed(deploy, tmp_path):
    top, _, logs, port = deploy
    repo = top / "program-only"
    (repo / "conf.d").mkdir(parents=True)
    (repo / "supervisord.conf").write_text("[supervisord]\nnodaemon=true\nlogfile=/dev/null\npidfile=/tmp/sd.pid\n\n"
                                           "[include]\nfiles = conf.d/*.conf\n")
    (repo / "conf.d" / "web.conf").write_text(web_conf(logs, port))
    commit_all(repo)
    confined.open_to_all(repo)
    run = confined.run("exec supervisord -c supervisord.conf", repo, port=port, timeout=9, user=confined.NOBODY)
    assert "spawnerr: unknown error making dispatchers for 'web': EACCES" in run.output, run.output
    (tmp_path / "spawnerr.log").write_text(run.output)
    code, out, err = apply_json(tmp_path / "spawnerr.log", repo, "--dry-run")
    assert code == 0 and [c["path"] for c in out["changes"]] == ["conf.d/web.conf"], (out, err)
    assert "+stdout_logfile=/dev/stdout" in out["diff"] and "+stdout_logfile_maxbytes=0" in out["diff"]


@pytest.mark.parametrize("files, status, changed, says", [
    ({"supervisord.conf": "[supervisord]\nnodaemon=true\nlogfile=/dev/null\npidfile=/tmp/s.pid\n"},
     "already-fixed", [], None),
    ({"a/supervisord.conf": "[supervisord]\nlogfile=/x/s.log\n", "b/supervisord.conf": "[supervisord]\nlogfile=/y/s.log\n"},
     "refused", [], "cannot be told among a/supervisord.conf, b/supervisord.conf"),
    ({"deploy/supervisord.conf": "[supervisord]\nnodaemon=false\nlogfile=/srv/app/logs/supervisord.log\n"},
     "refused", [], "runs as a daemon"),
    ({"Procfile": "web: gunicorn app:app\n"}, "refused", [], "no supervisord configuration"),
], ids=["already on the console", "two supervisords, neither names it", "a daemon", "no supervisord"])
def test_where_the_fix_goes(files, status, changed, says, tmp_path):
    log = tmp_path / "failed.log"
    log.write_text((Path(__file__).parents[3] / "fixbot/fixes/supervisord_logfile/examples/"
                    "logfile-permission-denied.log").read_text())
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    commit_all(repo)
    code, out, err = apply_json(log, repo, "--dry-run")
    assert out["status"] == status, (out, err)
    assert [c["path"] for c in out.get("changes") or []] == changed
    assert says is None or says in out["error"], out
