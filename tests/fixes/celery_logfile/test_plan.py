"""The celery-logfile room end to end: a real worker that could not open its log, the fix on its own branch,
the fixed Procfile's worker started for real; and where the room places the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixbot.fixes.celery_logfile import _names
from tests.support import celeryrun
from tests.support.cli import apply_json
from tests.support.repos import clone, commit_all, without_branch
from tests.support.repos import git_out as git, snapshot

# Two deploy files start Celery with a log file; only the Procfile's is the one that failed.
MULTI_SH = "#!/bin/sh\ncelery multi start w1 -A tasks --logfile=/var/log/celery/%n%I.log\n"


def procfile(log: Path) -> str:
    return f"web: gunicorn app:app\nworker: celery -A tasks worker --pool solo -l info --logfile {log}\n"


def worker_command(tree: Path) -> str:
    line = next(line for line in (tree / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    return line.partition(":")[2].strip()


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    top = tmp_path_factory.mktemp("celery-room")
    repo = celeryrun.make_app(top / "repo")
    (repo / "Procfile").write_text(procfile(top / "gone" / "celery.log"))
    (repo / "multi.sh").write_text(MULTI_SH)
    commit_all(repo)
    run = celeryrun.run_celery(repo, worker_command(repo))
    assert not run.ready and "FileNotFoundError" in run.output, run.output
    log = top / "worker.log"
    log.write_text(run.output)
    return repo, log


def test_the_failing_procfile_is_fixed_and_its_worker_logs_to_stderr(failing, tmp_path):
    repo, log = failing
    before = snapshot(repo)
    code, out, err = apply_json(log, repo)
    assert code == 0 and out["status"] == "fixed", err
    assert out["branch"].startswith("fixbot/celery-logfile-")
    assert [(c["path"], c["codemod"]) for c in out["changes"]] == [("Procfile", "celery-stderr")]
    assert without_branch(snapshot(repo), out["branch"]) == before

    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    assert (review / "multi.sh").read_text() == MULTI_SH
    assert worker_command(review) == "celery -A tasks worker --pool solo -l info"
    run = celeryrun.run_celery(review, worker_command(review))
    assert run.ready and celeryrun.READY in run.stderr, run.output

    # merged, the same log is already fixed
    merged = clone(repo, tmp_path / "merged")
    git(merged, "merge", "-q", "--ff-only", f"origin/{out['branch']}")
    code, again, err = apply_json(log, merged)
    assert (code, again["status"], again["branch"]) == (0, "already-fixed", None), err


def test_a_multi_start_naming_the_file_is_refused_with_the_reason(failing, tmp_path):
    repo, _ = failing
    log = tmp_path / "multi.log"
    log.write_text((failing[1]).read_text().replace(str(failing[0].parent / "gone" / "celery.log"),
                                                    "/var/log/celery/w1.log"))
    code, out, _ = apply_json(log, repo)
    assert code == 2 and out["status"] == "refused" and "celery multi on line 2 detaches" in out["error"], out


@pytest.mark.parametrize("value, target, names", [
    ("/var/log/celery/%n%I.log", "/var/log/celery/w1.log", True),
    ("/var/log/celery/%n%I.log", "/var/log/celery/w1-2.log", True),
    ("/var/log/celery/%h.log", "/var/log/other/x.log", False),
    ("/l/100%%.log", "/l/100%.log", True),
    ("/l/w.log", "", False),
])
def test_a_log_file_is_named_by_its_node_pattern(value, target, names):
    assert _names(value, target) is names


@pytest.mark.parametrize("files, status, changed", [
    ({"Procfile": "worker: celery -A tasks worker --logfile $LOG_DIR/celery.log\n"}, "fixed", ["Procfile"]),
    ({"Procfile": "worker: celery -A tasks worker --logfile $LOG_DIR/celery.log\n",
      "start.sh": "#!/bin/sh\nexec celery -A tasks beat -f \"$BEAT_LOG\"\n"}, "refused", []),
    ({"Procfile": "worker: celery -A tasks worker --logfile /elsewhere/celery.log\n"}, "refused", []),
    ({"Procfile": "worker: gunicorn app:app\n"}, "refused", []),
], ids=["named at run time", "two named at run time", "another literal file", "no celery"])
def test_where_the_fix_goes_when_no_start_names_the_file(failing, tmp_path, files, status, changed):
    repo = celeryrun.make_app(tmp_path / "repo")
    for name, text in files.items():
        (repo / name).write_text(text)
    commit_all(repo)
    code, out, err = apply_json(failing[1], repo, "--dry-run")
    assert out["status"] == status, (out, err)
    assert status == "fixed" or "Celery" in out["error"], out
    assert [c["path"] for c in out.get("changes") or []] == changed


@pytest.mark.parametrize("how", ["cd", "--workdir"])
def test_a_relative_logfile_is_matched_through_the_directory_the_start_runs_in(tmp_path, how):
    """`--logfile=../logging/celery.log` after `cd /…/src` (or Celery's own --workdir): the log shows the absolute
    path Celery opened; on main the relative flag named no start and apply refused."""
    repo = tmp_path / "repo"
    celeryrun.make_app(repo / "src")
    # its pid file beside the log, relative too: the same start path's next failure, fixed in the same commit
    worker = "celery -A tasks worker --pool solo -l info --logfile=../logging/celery.log --pidfile=../logging/w.pid"
    src = repo / "src"
    line = f"cd {src} && exec {worker}" if how == "cd" else "exec " + worker.replace("celery -A", f"celery --workdir {src} -A")
    (repo / "entrypoint.sh").write_text(f"#!/bin/sh\n{line}\n")
    commit_all(repo)
    failed = celeryrun.run_celery(repo, ["sh", "entrypoint.sh"])
    assert not failed.ready and f"'{repo / 'logging' / 'celery.log'}'" in failed.output, failed.output
    (tmp_path / "worker.log").write_text(failed.output)

    code, out, err = apply_json(tmp_path / "worker.log", repo)
    assert code == 0 and sorted((c["path"], c["codemod"]) for c in out["changes"]) == [
        ("entrypoint.sh", "celery-no-pidfile"), ("entrypoint.sh", "celery-stderr")], (out, err)
    review = clone(repo, tmp_path / "review", "--branch", out["branch"])
    assert "--logfile" not in (review / "entrypoint.sh").read_text() and "--pidfile" not in (review / "entrypoint.sh").read_text()
    (review / "entrypoint.sh").write_text((review / "entrypoint.sh").read_text().replace(str(repo), str(review)))
    fixed = celeryrun.run_celery(review, ["sh", "entrypoint.sh"])
    assert fixed.ready and celeryrun.READY in fixed.stderr, fixed.output
    assert not (review / "logging").exists()
