"""The home-cache room end to end: an app whose cache goes where platformdirs says really fails as user 65534 with
HOME=/ (the chained FileNotFoundError, then the PermissionError on /.cache that stopped it), fixbot sets
XDG_CACHE_HOME in the Dockerfile, and the fixed branch's command, with the Dockerfile's environment, really
answers as the same user; the log as pasted and cut; a path the app chose itself is a near miss."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from fixbot import fixes
from tests.support import confined, realrun
from tests.support.cli import apply_json
from tests.support.make_room_examples import CACHE_APP
from tests.support.pasting import MEDIA, cut_mistakes, findings, fixable
from tests.support.repos import clone, commit_all

EXAMPLES = fixes.HERE / "home_cache" / "examples"
DOCKERFILE = ('FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nUSER 65534\n'
              'CMD ["gunicorn", "--bind", "127.0.0.1:8000", "--workers", "1", "app:app"]\n')


def start(dockerfile: str, port: int) -> tuple[str, dict[str, str]]:
    """The Dockerfile's CMD as a command line on `port`, and the environment its ENV lines set."""
    env = dict(re.findall(r"(?m)^ENV (\w+)=(\S+)$", dockerfile))
    argv = json.loads(re.search(r"(?m)^CMD (\[.*\])$", dockerfile)[1])
    return "exec " + " ".join(argv).replace("127.0.0.1:8000", f"127.0.0.1:{port}"), env


@pytest.fixture(scope="module")
def deploy():
    if not confined.available():
        pytest.skip("needs root, unshare and setpriv")
    top = confined.world_dir("fixbot-cache-")
    repo = top / "repo"
    repo.mkdir()
    # Gunicorn 27 starts its control server after it forks the first worker: which is logged first, the control
    # socket's error or the worker's failed import that halts the arbiter, is timing (CI saw only the import).
    # A second before the import fails lets the log show both, as a slower app's does.
    (repo / "app.py").write_text("import time\n\ntime.sleep(1)\n" + CACHE_APP)
    (repo / "Dockerfile").write_text(DOCKERFILE)
    commit_all(repo)
    confined.open_to_all(repo)
    made = not Path("/tmp/.cache").exists()
    yield top, repo
    shutil.rmtree(top)
    shutil.rmtree("/tmp/.cache/orders", ignore_errors=True)
    if made and Path("/tmp/.cache").exists() and not os.listdir("/tmp/.cache"):
        os.rmdir("/tmp/.cache")


def test_the_variable_is_set_in_the_dockerfile_and_the_fixed_branch_answers_as_the_same_user(deploy):
    top, repo = deploy
    port = realrun.free_port()
    command, env = start(DOCKERFILE, port)
    failed = confined.run(command, repo, user=confined.NOBODY, port=port, timeout=10, env={"HOME": "/", **env})
    assert failed.status is None and "PermissionError: [Errno 13] Permission denied: '/.cache'" in failed.output
    (top / "failed.log").write_text(failed.output)
    code, out, err = apply_json(top / "failed.log", repo)
    # one deploy, one fix: the same HOME also left Gunicorn's control socket no place (a second finding, same file)
    assert code == 0 and sorted((c["path"], c["codemod"]) for c in out["changes"]) == [
        ("Dockerfile", "cache-env"), ("Dockerfile", "gunicorn-no-control-socket")], (out, err)
    review = clone(repo, top / "review", "--branch", out["branch"])
    confined.open_to_all(review)
    fixed_dockerfile = (review / "Dockerfile").read_text()
    assert fixed_dockerfile == DOCKERFILE.replace("USER 65534\n", "USER 65534\nENV XDG_CACHE_HOME=/tmp/.cache\n").replace(
        '"gunicorn", ', '"gunicorn", "--no-control-socket", ')
    assert "Control server error" not in confined.run(start(fixed_dockerfile, 1)[0], review, user=confined.NOBODY,
                                                      timeout=4, env={"HOME": "/", **start(fixed_dockerfile, 1)[1]}).output
    command, env = start(fixed_dockerfile, port)
    fixed = confined.run(command, review, user=confined.NOBODY, port=port, timeout=15, env={"HOME": "/", **env})
    assert fixed.status == 200 and fixed.body == "ok\n", fixed.output


@pytest.mark.parametrize("files, status, changed", [
    ({"Dockerfile": DOCKERFILE.replace("USER 65534\n", "ENV XDG_CACHE_HOME=/tmp/.cache\n")}, "fixed", ["Dockerfile"]),
    ({"entrypoint.sh": "#!/bin/sh\nexec gunicorn app:app\n"}, "fixed", ["entrypoint.sh"]),
    ({"Dockerfile": DOCKERFILE, "web.dockerfile": DOCKERFILE}, "refused", []),
], ids=["already set: only the control socket is left", "a start script", "two Dockerfiles"])
def test_where_the_variable_goes(tmp_path, files, status, changed):
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    commit_all(repo)
    code, out, err = apply_json(EXAMPLES / "home-is-root-permission-denied.log", repo, "--dry-run")
    assert out["status"] == status, (out, err)
    assert sorted({c["path"] for c in out.get("changes") or []}) == changed


@pytest.mark.parametrize("medium", sorted(MEDIA))
@pytest.mark.parametrize("name, path", [("home-is-root-permission-denied", "/.cache"), ("home-read-only", "/root/.cache/orders")])
def test_found_whatever_the_medium_did_and_cut_at_every_line(name, path, medium):
    text = (EXAMPLES / f"{name}.log").read_text()
    text = "".join(line + "\n" for line in text.splitlines() if "Control server error" not in line)  # its own room
    found = fixable(findings(MEDIA[medium](text)))
    assert [(f.kind, f.facts["path"], f.fixes) for f in found] == [("home-cache", path, ("cache-env",))]
    if medium == "as printed":
        # The error's own line is enough: the path's folder picks the variable (the survey: pastes are that line).
        assert cut_mistakes(text, [re.compile(r"^\w+Error: \[Errno (?:13|30)\]", re.M)],
                            lambda f: [x.kind for x in f] == ["home-cache"]) == []


def test_a_denied_path_the_app_chose_itself_is_a_near_miss(deploy):
    top, _ = deploy
    own = top / "own"
    own.mkdir(mode=0o755)
    (own / "root-only").mkdir(mode=0o755)
    (own / "job.py").write_text(f"from pathlib import Path\nPath({str(own / 'root-only' / 'state')!r}).mkdir(parents=True)\n")
    (own / "job.py").chmod(0o644)
    run = confined.run("exec python3 job.py", own, user=confined.NOBODY, timeout=10, env={"HOME": "/"})
    assert "PermissionError: [Errno 13]" in run.output, run.output
    assert not fixable(findings(run.output))


@pytest.mark.parametrize("wrap", ["{}", "[rank1]: {}", "`{}`", "> {}"])
def test_the_errors_own_line_alone_as_threads_paste_it(wrap):
    """The survey's shape: threads paste the last line alone (torchrun prefixing it with its rank, in backticks,
    quoted); the real run's line, so wrapped, is read with the variable its folder picks."""
    line = next(l for l in (EXAMPLES / "home-is-root-permission-denied.log").read_text().splitlines()
                if l.startswith("PermissionError: [Errno 13]"))
    found = fixable(findings(wrap.format(line) + "\n"))
    assert [(f.kind, f.facts["path"], f.fixes) for f in found] == [("home-cache", "/.cache", ("cache-env",))]
