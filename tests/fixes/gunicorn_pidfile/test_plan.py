"""The gunicorn-pidfile room end to end: Gunicorn really fails on its pid file (another user, a read-only run
directory), fixbot drops it from the entrypoint, and the fixed branch's Gunicorn really answers under the same
condition; where the fix goes when nothing names the directory, and when something reads the pid file."""

from __future__ import annotations

import shutil

import pytest

from fixbot import fixes
from tests.support import confined
from tests.support.cli import apply_json
from tests.support.pasting import MEDIA, cut_mistakes, findings, fixable
from tests.support.repos import clone, commit_all

START = "./entrypoint.sh"
EXAMPLES = fixes.HERE / "gunicorn_pidfile" / "examples"


@pytest.fixture(scope="module")
def deploy():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-gpid-")
    run = top / "run"
    run.mkdir(mode=0o755)
    repo = top / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(confined.WSGI_APP)
    (repo / "entrypoint.sh").write_text(f"#!/bin/sh\nexec gunicorn app:app --bind 127.0.0.1:$PORT --workers 1 \\\n"
                                        f"    --pid {run}/gunicorn.pid\n")
    (repo / "entrypoint.sh").chmod(0o755)
    (repo / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY . /app\nUSER nobody\nCMD ["/app/entrypoint.sh"]\n')
    commit_all(repo)
    confined.open_to_all(repo)
    yield top, repo, run
    shutil.rmtree(top)


@pytest.mark.parametrize("condition", ["another user", "read-only"])
def test_the_pid_file_goes_and_the_fixed_branch_answers_under_the_same_condition(deploy, condition):
    top, repo, run = deploy
    how = {"user": confined.NOBODY} if condition == "another user" else {"read_only": [run]}
    failed = confined.run(START, repo, timeout=10, **how)
    assert not failed.booted and f"'{run}/tmp" in failed.output, failed.output
    (top / "failed.log").write_text(failed.output)
    code, out, err = apply_json(top / "failed.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("entrypoint.sh", "gunicorn-no-pidfile")], (out, err)
    review = clone(repo, top / f"review-{condition.replace(' ', '-')}", "--branch", out["branch"])
    confined.open_to_all(review)
    assert "--pid" not in (review / "entrypoint.sh").read_text()
    fixed = confined.run(START, review, timeout=15, **how)
    assert fixed.status == 200 and fixed.body == "ok\n", fixed.output


def test_a_pid_file_something_reads_is_not_dropped(deploy, tmp_path):
    top, repo, run = deploy
    other = clone(repo, tmp_path / "other")
    (other / "reload.sh").write_text(f"#!/bin/sh\nkill -HUP $(cat {run}/gunicorn.pid)\n")
    commit_all(other, "reload")
    code, out, _ = apply_json(fixes.HERE / "gunicorn_pidfile/examples/pid-read-only.log", other, "--dry-run")
    assert (code, out["status"]) == (2, "refused") and "reload.sh reads Gunicorn's pid file" in out["error"], out


@pytest.mark.parametrize("files, status, changed", [
    ({"Procfile": "web: gunicorn app:app --pid /srv/app/gunicorn-app/run/g.pid\n",
      "start.sh": "#!/bin/sh\nexec gunicorn app:app --pid /run/other.pid\n"}, "fixed", ["Procfile"]),
    ({"Procfile": "web: gunicorn app:app\n"}, "already-fixed", []),
    ({"a.sh": "#!/bin/sh\nexec gunicorn a:app -p /x/a.pid\n", "b.sh": "#!/bin/sh\nexec gunicorn b:app -p /y/b.pid\n"},
     "refused", []),
], ids=["the one in that directory", "no pid file any more", "two others"])
def test_where_the_fix_goes(tmp_path, files, status, changed):
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    commit_all(repo)
    code, out, err = apply_json(EXAMPLES / "pid-read-only.log", repo, "--dry-run")
    assert out["status"] == status, (out, err)
    assert [c["path"] for c in out.get("changes") or []] == changed


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", ["pid-read-only", "pid-permission-denied", "pid-missing-dir"])
def test_found_whatever_the_medium_did_and_cut_at_every_line(name, medium):
    text = (EXAMPLES / f"{name}.log").read_text()
    where = "/srv/app/gone" if name == "pid-missing-dir" else "/srv/app/gunicorn-app/run"
    found = fixable(findings(MEDIA[medium](text)))
    assert [(f.kind, f.facts["dir"], f.fixes) for f in found] == [("gunicorn-pidfile", where, ("gunicorn-no-pidfile",))]
    if medium == "as printed":
        import re

        groups = [r"Can't create pidfile"] if name == "pid-missing-dir" else [r"gunicorn/pidfile\.py", r"^\w+Error: \[Errno"]
        assert cut_mistakes(text, [re.compile(g, re.M) for g in groups],
                            lambda f: [x.kind for x in f] == ["gunicorn-pidfile"]) == []


def test_the_apps_own_temporary_file_in_the_same_directory_is_a_near_miss(deploy):
    """The same errno on the same shape of path (`run/tmpXXXXXXXX`), but the app made it (tempfile.mkstemp at
    import), not Gunicorn's pidfile.py: nothing of Gunicorn's to drop."""
    top, _, run = deploy
    own = top / "own-tmp"
    own.mkdir(mode=0o755)
    (own / "app.py").write_text(f"import tempfile\ntempfile.mkstemp(dir={str(run)!r})\n" + confined.WSGI_APP)
    (own / "app.py").chmod(0o644)
    failed = confined.run("exec gunicorn app:app --bind 127.0.0.1:$PORT --workers 1 --no-control-socket", own,
                          user=confined.NOBODY, timeout=10)
    assert not failed.booted and f"PermissionError: [Errno 13] Permission denied: '{run}/tmp" in failed.output, failed.output
    found = findings(failed.output)
    assert not [f for f in found if f.kind == "gunicorn-pidfile"] and not fixable(found), found

