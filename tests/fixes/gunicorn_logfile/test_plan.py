"""The gunicorn-logfile room with relative log files (issue 19, shape 6): Gunicorn started with `--chdir` really fails
on `--error-logfile ../logs/error.log` (it names the file as given), fixbot fixes that start and its access log in the
same directory in one commit, and the fixed branch's own entrypoint answers; request and probe lines are on the
console once each, none lost against a run with the directory present."""

from __future__ import annotations

import shutil

from tests.support import boots
from tests.support.cli import apply_json
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

    (tmp_path / "boot.log").write_text(failed.output)
    code, out, err = apply_json(tmp_path / "boot.log", root)
    assert code == 0 and out["status"] == "fixed" and out["remaining"] == [], (out, err)
    assert [(c["path"], c["codemod"]) for c in out["changes"]] == [("entrypoint.sh", "gunicorn-stdout")]
    boots.git_checkout(root, out["branch"])
    start = (root / "entrypoint.sh").read_text()
    assert "--error-logfile -" in start and "--access-logfile -" in start, start
    after = boots.serve(root)
    assert after.status == 200, after.output[-3000:]
    wrong = boots.each_once(boots.lines(LOGGERS, before[0]), boots.lines(LOGGERS, before[1]),
                            boots.lines(LOGGERS, after.output))
    assert wrong == [], wrong
    assert not (root / "logs").exists()
