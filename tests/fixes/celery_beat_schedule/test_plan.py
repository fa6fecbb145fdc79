"""The celery-beat-schedule room end to end: beat really dies on its schedule file (another user's working
directory, a read-only one), fixbot adds `--schedule /tmp/celerybeat-schedule` to the Procfile's beat, and the
fixed branch's beat really ticks under the same condition; the log as pasted and cut (Celery's own logger prints
the traceback a piece a line); a worker's start is left alone."""

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

EXAMPLES = fixes.HERE / "celery_beat_schedule" / "examples"
TICK = "Scheduler: Sending due task tick"


def beat_command(tree) -> str:
    return next(line for line in (tree / "Procfile").read_text().splitlines() if line.startswith("beat:"))[5:].strip()


def _clean_tmp():
    for path in glob.glob("/tmp/celerybeat-schedule*"):
        os.remove(path)


@pytest.fixture(scope="module")
def deploy():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    _clean_tmp()
    top = confined.world_dir("fixbot-beat-")
    repo = top / "repo"
    repo.mkdir()
    (repo / "tasks.py").write_text(BEAT_APP)
    (repo / "Procfile").write_text("worker: celery -A tasks worker -l info\nbeat: celery -A tasks beat -l info\n")
    commit_all(repo)
    confined.open_to_all(repo)
    yield top, repo
    shutil.rmtree(top)
    _clean_tmp()


@pytest.mark.parametrize("condition", ["another user", "read-only"])
def test_beat_keeps_its_schedule_in_tmp_and_the_fixed_branch_ticks(deploy, condition):
    top, repo = deploy
    how = {"user": confined.NOBODY} if condition == "another user" else {"read_only": [repo]}
    env = {"PYTHONPATH": "."}
    failed = confined.run(f"exec {beat_command(repo)}", repo, timeout=8, env=env, **how)
    assert TICK not in failed.output and "celerybeat-schedule" in failed.output, failed.output[-3000:]
    (top / "failed.log").write_text(failed.output)
    code, out, err = apply_json(top / "failed.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("Procfile", "celery-schedule-tmp")], (out, err)
    review = clone(repo, top / f"review-{condition.replace(' ', '-')}", "--branch", out["branch"])
    confined.open_to_all(review)
    assert beat_command(review) == "celery -A tasks beat --schedule /tmp/celerybeat-schedule -l info"
    assert "worker: celery -A tasks worker -l info\n" in (review / "Procfile").read_text()
    how = {"user": confined.NOBODY} if condition == "another user" else {"read_only": [review]}
    fixed = confined.run(f"exec {beat_command(review)}", review, timeout=8, env=env, **how)
    assert TICK in fixed.output, fixed.output[-3000:]
    _clean_tmp()


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", ["beat-permission-denied", "beat-read-only"])
def test_found_whatever_the_medium_did(name, medium):
    found = fixable(findings(MEDIA[medium]((EXAMPLES / f"{name}.log").read_text())))
    assert [(f.kind, f.facts["path"], f.fixes) for f in found] == [("celery-beat-schedule", "celerybeat-schedule",
                                                                     ("celery-schedule-tmp",))]


@pytest.mark.parametrize("name", ["beat-permission-denied", "beat-read-only"])
def test_cut_at_every_line(name):
    # The clean tracebacks only: Celery's logger repeats each piece of the traceback as a WARNING line after them,
    # and its own "Removing corrupted schedule file" line says it alone (test_beats_own_error_line_alone).
    text = "".join(line + "\n" for line in (EXAMPLES / f"{name}.log").read_text().splitlines()
                   if "WARNING/MainProcess]" not in line and "Removing corrupted" not in line)
    groups = [re.compile(r"celery/beat\.py", re.M), re.compile(r"^[\w.]*(?:Error|error): \[Errno", re.M)]
    assert cut_mistakes(text, groups, lambda f: [x.kind for x in f] == ["celery-beat-schedule"]) == []


@pytest.mark.parametrize("name, errno", [("beat-permission-denied", "13"), ("beat-read-only", "30")])
def test_beats_own_error_line_alone(name, errno):
    """The survey's shape (a thread keeps beat's ERROR line and cuts the traceback before its last line): the
    real line, alone and with the traceback's head, as pasted."""
    lines = (EXAMPLES / f"{name}.log").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if "Removing corrupted schedule file" in line)
    for text in (lines[at], "\n".join(lines[at - 1:at + 8])):
        for medium in ("as printed", "quoted", "fenced"):
            found = fixable(findings(MEDIA[medium](text + "\n")))
            assert [(f.kind, f.facts["path"], f.facts["errno"], f.fixes) for f in found] == [
                ("celery-beat-schedule", "celerybeat-schedule", errno, ("celery-schedule-tmp",))], (medium, text)


def test_the_apps_own_shelve_in_the_same_directory_is_a_near_miss(deploy):
    """The same errno in the same working directory, on a shelve the tasks module opens itself at import (before
    beat runs, outside celery/beat.py): moving beat's schedule would not fix it."""
    top, _ = deploy
    own = top / "own-shelve"
    own.mkdir(mode=0o755)
    (own / "tasks.py").write_text('import shelve\nCACHE = shelve.open("app-cache")\n' + BEAT_APP)
    (own / "tasks.py").chmod(0o644)
    failed = confined.run("exec celery -A tasks beat -l info", own, user=confined.NOBODY, timeout=8,
                          env={"PYTHONPATH": "."})
    assert TICK not in failed.output and "[Errno 13]" in failed.output and "app-cache" in failed.output, failed.output[-3000:]
    found = findings(failed.output)
    assert not [f for f in found if f.kind == "celery-beat-schedule"] and not fixable(found), found
