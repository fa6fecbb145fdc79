"""Real boots through `fixbot apply`: uvicorn (YAML), Gunicorn (INI, logconfig_dict, JSON) and a WSGI script (JSON),
each in a git repository started by its own script, die on a file handler; apply commits the fix on its branch,
that branch boots and answers, the config keeps its comments, and the user's checkout is untouched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support import formatsrun, realrun
from tests.support.repos import git

FIXBOT = str(realrun.VENV_BIN / "fixbot")

START = {
    "uvicorn": 'exec uvicorn app:app --host 127.0.0.1 --port "$PORT" --lifespan off --log-config logging.yaml\n',
    "gunicorn-ini": 'exec gunicorn app:app --workers 1 --bind "127.0.0.1:$PORT" --log-config logging.ini\n',
    "gunicorn-dict": 'exec gunicorn -c gunicorn.conf.py app:app --workers 1 --bind "127.0.0.1:$PORT"\n',
    "gunicorn-json": 'exec gunicorn app:app --workers 1 --bind "127.0.0.1:$PORT" --log-config-json logging.json\n',
    "wsgi-json": "exec python serve.py\n",
}

GUNICORN_CONF = """\
# Gunicorn's settings: gunicorn -c gunicorn.conf.py app:app
logconfig_dict = {
    "version": 1,
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
        # errors are kept on the volume
        "error_file": {"class": "logging.FileHandler", "filename": "LOGDIR/gunicorn.error.log"},
    },
    "loggers": {"gunicorn.error": {"handlers": ["error_file"], "level": "INFO"}},
}
"""


def make_gunicorn_dict(directory: Path, logdir: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(formatsrun.WSGI_APP)
    (directory / "gunicorn.conf.py").write_text(GUNICORN_CONF.replace("LOGDIR", logdir))
    return directory / "gunicorn.conf.py"


MAKE = {
    "uvicorn": formatsrun.make_uvicorn,
    "gunicorn-ini": formatsrun.make_gunicorn,
    "gunicorn-dict": make_gunicorn_dict,
    "gunicorn-json": formatsrun.make_gunicorn_json,  # its log is one line: the handler's name, no path
    "wsgi-json": formatsrun.make_plain,
}


def start(directory: Path) -> realrun.Run:
    """The repository's own start script, as a deploy runs it, on a free 127.0.0.1 port."""
    port = realrun.free_port()
    return realrun._run_and_probe(["bash", "start.sh"], directory, {"PORT": str(port)}, port=port, timeout=20,
                                  probe="/")


@pytest.mark.parametrize("shape", [
    "uvicorn",
    "gunicorn-ini",
    "gunicorn-dict",
    "gunicorn-json",
    "wsgi-json",
])
def test_apply_fixes_the_logging_config_and_the_branch_boots(tmp_path, shape):
    repo, logdir = tmp_path / "repo", str(tmp_path / "no-such-dir")
    config = MAKE[shape](repo, logdir)
    (repo / "start.sh").write_text("#!/bin/sh\n" + START[shape])
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "app")
    before, head = config.read_bytes(), git(repo, "rev-parse", "HEAD")

    failed = start(repo)
    assert not failed.booted and failed.returncode not in (0, None), failed.output
    log = tmp_path / "deploy.log"
    log.write_text(failed.output)

    done = subprocess.run([FIXBOT, "apply", "--log", str(log), "--repo", str(repo), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "fixed" and result["changes"][0]["path"] == config.name, result
    assert result["branch"].startswith("fixbot/logging-handler-")
    subject = git(repo, "log", "-1", "--format=%s", result["branch"])
    # fileConfig's failure names no handler: the subject must not invent one.
    assert ("'file'" in subject) == ("ValueError: Unable to configure handler 'file'" in failed.output), subject
    # The user's checkout: same HEAD, same bytes, nothing staged or untracked.
    assert git(repo, "rev-parse", "HEAD") == head and config.read_bytes() == before
    assert git(repo, "status", "--porcelain") == ""

    fixed = tmp_path / "fixed"
    git(repo, "worktree", "add", "-q", str(fixed), result["branch"])
    after = (fixed / config.name).read_text()
    comments = [line.strip() for line in before.decode().splitlines() if line.lstrip().startswith(("#", ";"))]
    assert all(c in after for c in comments)
    booted = start(fixed)
    assert booted.status == 200 and booted.body == "ok", booted.output
    assert not Path(logdir).exists()
    # Once the fix is what HEAD holds (merged, or run on its branch), the same log finds nothing left to do.
    again = subprocess.run([FIXBOT, "apply", "--log", str(log), "--repo", str(fixed), "--format", "json"],
                           capture_output=True, text=True, timeout=60)
    assert (again.returncode, json.loads(again.stdout)["status"]) == (0, "already-fixed"), again.stdout + again.stderr
