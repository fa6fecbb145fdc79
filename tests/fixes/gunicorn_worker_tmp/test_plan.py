"""The gunicorn-worker-tmp room end to end: on a read-only root (/tmp, /var/tmp and the app's directory read-only)
every Gunicorn worker really dies on its heartbeat file, fixbot adds `--worker-tmp-dir /dev/shm` to the Dockerfile's
command, and the fixed branch's command really answers under the same mounts; the log as pasted and cut."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fixbot import fixes
from tests.support import confined
from tests.support.cli import apply_json, fixbot
from tests.support.pasting import MEDIA, cut_mistakes, findings, fixable
from tests.support.repos import clone, commit_all, make_repo

EXAMPLES = fixes.HERE / "gunicorn_worker_tmp" / "examples"
READ_ONLY = [Path("/tmp"), Path("/var/tmp")]


def cmd(dockerfile: str) -> str:
    """The Dockerfile's exec-form CMD as a shell command line (each word quoted as it is)."""
    return " ".join(json.loads(re.search(r"(?m)^CMD (\[.*\])$", dockerfile)[1])).replace("$PORT", "$PORT")


@pytest.fixture(scope="module")
def deploy():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-gtmp-")
    repo = top / "repo"
    repo.mkdir()
    (repo / "app.py").write_text(confined.WSGI_APP)
    (repo / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\n'
                                     'CMD ["gunicorn", "--bind", "127.0.0.1:8000", "--workers", "1", "app:app"]\n')
    commit_all(repo)
    confined.open_to_all(repo)
    yield top, repo
    shutil.rmtree(top)


def test_the_heartbeat_goes_to_dev_shm_and_the_fixed_branch_answers_on_a_read_only_root(deploy):
    top, repo = deploy
    from tests.support import realrun

    port = realrun.free_port()
    start = cmd((repo / "Dockerfile").read_text()).replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    failed = confined.run(f"exec {start}", repo, port=port, timeout=10, read_only=READ_ONLY)
    assert failed.status is None and "No usable temporary directory" in failed.output, failed.output
    (top / "failed.log").write_text(failed.output)
    code, out, err = apply_json(top / "failed.log", repo)
    assert code == 0 and [(c["path"], c["codemod"]) for c in out["changes"]] == [("Dockerfile", "gunicorn-worker-tmp-dir")], (out, err)
    review = clone(repo, top / "review", "--branch", out["branch"])
    confined.open_to_all(review)
    fixed_cmd = cmd((review / "Dockerfile").read_text())
    assert fixed_cmd.startswith("gunicorn --worker-tmp-dir /dev/shm --bind"), fixed_cmd
    fixed = confined.run(f"exec {fixed_cmd.replace('127.0.0.1:8000', f'127.0.0.1:{port}')}", review, port=port,
                         timeout=15, read_only=READ_ONLY)
    assert fixed.status == 200 and fixed.body == "ok\n", fixed.output


def test_fixbot_check_names_it_only_where_the_root_is_declared_read_only(tmp_path):
    files = {"Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app"]\n'}
    make_repo(tmp_path / "plain", files).close()
    assert fixbot("check", str(tmp_path / "plain")).returncode == 0
    make_repo(tmp_path / "ro", {**files, ".fixbot.yml": "deploy:\n  read_only_root: true\n"}).close()
    done = fixbot("check", str(tmp_path / "ro"), "--format", "json")
    found = json.loads(done.stdout)["findings"]
    assert done.returncode == 1 and [(f["path"], f["codemod"]) for f in found] == [("Dockerfile", "gunicorn-worker-tmp-dir")], done.stdout
    assert fixbot("check", str(tmp_path / "ro"), "--fix").returncode == 0
    assert '"--worker-tmp-dir", "/dev/shm"' in (tmp_path / "ro" / "Dockerfile").read_text()


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name", ["no-usable-temporary-directory", "worker-tmp-dir-read-only"])
def test_found_whatever_the_medium_did_and_cut_at_every_line(name, medium):
    text = (EXAMPLES / f"{name}.log").read_text()
    found = fixable(findings(MEDIA[medium](text)))
    assert [(f.kind, f.fixes) for f in found] == [("gunicorn-worker-tmp", ("gunicorn-worker-tmp-dir",))]
    if medium == "as printed":
        groups = [r"gunicorn/workers/workertmp\.py", r"^\w+Error: \[Errno"]
        assert cut_mistakes(text, [re.compile(g, re.M) for g in groups],
                            lambda f: [x.kind for x in f] == ["gunicorn-worker-tmp"]) == []


def test_the_apps_own_temporary_file_on_a_read_only_root_is_a_near_miss(deploy):
    top, _ = deploy
    own = top / "own"
    own.mkdir(mode=0o755)
    (own / "job.py").write_text("import tempfile\ntempfile.mkstemp()\n")
    (own / "job.py").chmod(0o644)
    run = confined.run("exec python3 job.py", own, timeout=10, read_only=READ_ONLY)
    assert "No usable temporary directory" in run.output, run.output
    assert not fixable(findings(run.output))
