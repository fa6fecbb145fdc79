"""`fixbot check` on supervisord's own log file and its programs' logs, through the room's `sites()`."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import fixbot
from tests.support.repos import make_repo

CONF = ("[supervisord]\nnodaemon=true\nlogfile=/var/log/supervisor/supervisord.log\n\n[program:web]\n"
        "command=gunicorn app:app\nstdout_logfile=%(ENV_LOG_DIR)s/web.log\n")


def check(tmp_path, files: dict[str, str], *args: str):
    make_repo(tmp_path / "repo", files).close()
    done = fixbot("check", str(tmp_path / "repo"), "--format", "json", *args)
    return done.returncode, json.loads(done.stdout)["findings"] if done.stdout.startswith("{") else done.stdout


def test_supervisords_own_log_directory_that_nothing_makes_is_a_finding_and_fix_makes_it_clean(tmp_path):
    files = {"Dockerfile": "FROM python:3.11-slim\nRUN pip install supervisor\nCOPY supervisord.conf /etc/\n"
                           'CMD ["supervisord", "-c", "/etc/supervisord.conf"]\n', "supervisord.conf": CONF}
    code, found = check(tmp_path, files)
    assert code == 1 and [(f["path"], f["line"], f["rule"], f["codemod"]) for f in found] == [
        ("supervisord.conf", 3, "log-dir-missing", "supervisord-stdout")], found
    assert "supervisord logfile writes /var/log/supervisor/supervisord.log" in found[0]["evidence"]
    done = fixbot("check", str(tmp_path / "repo"), "--fix")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "logfile=/dev/null" in (tmp_path / "repo" / "supervisord.conf").read_text()


@pytest.mark.parametrize("dockerfile", [
    "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y \\\n    supervisor\nCOPY supervisord.conf /etc/\n",
    "FROM python:3.11-slim\nRUN pip install supervisor && mkdir -p /var/log/supervisor\n",
], ids=["the package makes /var/log/supervisor", "the Dockerfile makes it"])
def test_a_log_directory_the_image_has_is_no_finding(tmp_path, dockerfile):
    assert check(tmp_path, {"Dockerfile": dockerfile, "supervisord.conf": CONF}) == (0, [])
