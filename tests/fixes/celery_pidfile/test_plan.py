"""The celery-pidfile room end to end: beat really dies on a --pidfile in a read-only directory, fixbot drops the
flag from the start script, and the fixed branch's beat really ticks under the same mount; a pid file something
else reads is not dropped; the log as pasted and cut."""

from __future__ import annotations

import glob
import os
import re
import shutil

import pytest

from fixbot import fixes
from tests.support import confined
from tests.support.cli import apply_json
from tests.support.make_room_examples import BEAT_APP
from tests.support.pasting import MEDIA, cut_mistakes, findings, fixable
from tests.support.repos import clone, commit_all

EXAMPLES = fixes.HERE / "celery_pidfile" / "examples"
TICK = "Scheduler: Sending due task tick"


@pytest.fixture(scope="module")
def deploy():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-cpid-")
    run = top / "run"
    run.mkdir(mode=0o755)
    repo = top / "repo"
    repo.mkdir()
    (repo / "tasks.py").write_text(BEAT_APP)
    (repo / "start.sh").write_text(f"#!/bin/sh\nexec celery -A tasks beat -s {top}/schedule --pidfile {run}/beat.pid -l info\n")
    commit_all(repo)
    confined.open_to_all(repo)
    yield top, repo, run
    shutil.rmtree(top)


def test_the_pid_file_goes_and_the_fixed_branch_ticks(deploy):
    top, repo, run = deploy
    failed = confined.run("sh start.sh", repo, timeout=8, env={"PYTHONPATH": "."}, read_only=[run])
    assert TICK not in failed.output and "LockFailed" in failed.output, failed.output[-2000:]
    (top / "failed.log").write_text(failed.output)
    code, out, err = apply_json(top / "failed.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("start.sh", "celery-no-pidfile")], (out, err)
    review = clone(repo, top / "review", "--branch", out["branch"])
    confined.open_to_all(review)
    assert "--pidfile" not in (review / "start.sh").read_text()
    fixed = confined.run("sh start.sh", review, timeout=8, env={"PYTHONPATH": "."}, read_only=[run])
    assert TICK in fixed.output, fixed.output[-2000:]


def test_a_pid_file_something_reads_is_not_dropped(deploy, tmp_path):
    top, repo, run = deploy
    other = clone(repo, tmp_path / "other")
    (other / "stop.sh").write_text(f"#!/bin/sh\nkill $(cat {run}/beat.pid)\n")
    commit_all(other, "stop")
    log = tmp_path / "failed.log"
    log.write_text((EXAMPLES / "beat-pidfile-read-only.log").read_text().replace("/srv/app/pid-app/run", str(run)))
    code, out, _ = apply_json(log, other, "--dry-run")
    assert (code, out["status"]) == (2, "refused") and "stop.sh reads Celery's pid file" in out["error"], out


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name, path", [("beat-pidfile-read-only", "/srv/app/pid-app/run/beat.pid"),
                                        ("worker-pidfile-missing-dir", "/srv/app/gone/worker.pid")])
def test_found_whatever_the_medium_did_and_cut_at_every_line(name, path, medium):
    text = (EXAMPLES / f"{name}.log").read_text()
    found = fixable(findings(MEDIA[medium](text)))
    assert [(f.kind, f.facts["path"], f.fixes) for f in found] == [("celery-pidfile", path, ("celery-no-pidfile",))]
    if medium == "as printed":
        groups = [re.compile(r"celery/platforms\.py", re.M), re.compile(r"^celery\.platforms\.LockFailed: \[Errno", re.M)]
        assert cut_mistakes(text, groups, lambda f: [x.kind for x in f] == ["celery-pidfile"]) == []
