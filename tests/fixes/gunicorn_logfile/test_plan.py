"""The gunicorn-logfile room with relative log files (issue 19, shape 6): Gunicorn started with `--chdir` really fails
on `--error-logfile ../logs/error.log` (it names the file as given), fixbot fixes that start and its access log in the
same directory in one commit, and the fixed branch's own entrypoint answers; request and probe lines are on the
console once each, none lost against a run with the directory present."""

from __future__ import annotations

import shutil

from tests.support import boots
from tests.support.repos import commit_all

LOGGERS = ("", "myapp")
APP = ("import probe\n\n\ndef application(environ, start_response):\n    probe.emit()\n"
       "    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n")
ENTRY = ("#!/bin/bash\nexec gunicorn --chdir {src} app:application --workers 1 --bind 127.0.0.1:$PORT \\\n"
         "    --error-logfile ../logs/error.log --access-logfile ../logs/access.log\n")


def test_relative_log_files_under_chdir_are_fixed_and_the_fixed_branch_answers(tmp_path):
    root = tmp_path / "repo"
    boots.wsgi_project(root, {"srv/app.py": APP}, ENTRY.format(src=root / "srv"), LOGGERS)
    commit_all(root)
    failed = boots.serve(root)
    assert not failed.booted and "'../logs/error.log' isn't writable" in failed.output, failed.output
    (root / "logs").mkdir()
    writable = boots.serve(root)
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(root / "logs")
    shutil.rmtree(root / "logs")

    out = boots.fixed(tmp_path, root, failed)
    assert [(c["path"], c["codemod"]) for c in out["changes"]] == [("entrypoint.sh", "gunicorn-stdout")]
    start = (root / "entrypoint.sh").read_text()
    assert "--error-logfile -" in start and "--access-logfile -" in start, start
    boots.assert_each_once(LOGGERS, before, boots.serve(root))
    assert not (root / "logs").exists()
