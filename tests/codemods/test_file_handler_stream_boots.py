"""Handlers built in application code (issue 19, shape 2), booted for real: a WSGI app whose `logger.py` builds a
FileHandler itself, under Gunicorn. Diagnose reads the bare FileNotFoundError/OSError raised in logging's `_open`
from that module as fixable by file-handler-stream, and apply agrees (on main it said fixable and apply refused);
beside Gunicorn's own relative log files in the same directory it is the next failure of the same deploy, fixed in
the same commit. The fixed branch starts with the deploy's own entrypoint under the same condition, and every
request line and probe line printed or written before (with a writable directory) is on the console once."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support import boots
from tests.support.cli import fixbot
from tests.support.repos import commit_all

LOGGERS = ("", "myapp", "myapp.views")
APP = ("import probe\nfrom logger import logger\n\n\ndef application(environ, start_response):\n    probe.emit()\n"
       "    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok']\n")
LOGGER = """\
import logging
import os

LOG_DIR = "log"
{makedirs}logger = logging.getLogger("myapp")
logger.setLevel(logging.DEBUG)
handler = logging.handlers.RotatingFileHandler(os.path.join(LOG_DIR, "app.log"), maxBytes=1048576, backupCount=3)
handler.setLevel(logging.INFO)
handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
logger.addHandler(handler)
"""
ENTRY = '#!/bin/bash\ncd "$(dirname "$0")"\nexec gunicorn {config}app:application --workers 1 --bind 127.0.0.1:$PORT\n'


def _project(tmp_path, *, makedirs: bool, gunicorn_logs: bool, keep_dir: bool):
    files = {"app.py": APP, "logger.py": LOGGER.format(
        makedirs="os.makedirs(LOG_DIR, exist_ok=True)\n" if makedirs else "").replace("import os\n", "import logging.handlers\nimport os\n")}
    if gunicorn_logs:
        files["gunicorn_config.py"] = 'accesslog = "log/access.log"\nerrorlog = "log/error.log"\n'
    if keep_dir:
        files["log/.gitkeep"] = ""
    root = boots.wsgi_project(tmp_path / "repo", files, ENTRY.format(config="-c gunicorn_config.py " if gunicorn_logs else ""),
                              LOGGERS)
    commit_all(root)
    return root


def test_a_handler_built_in_code_beside_gunicorns_relative_logs_is_fixed_in_the_same_commit(tmp_path):
    root = _project(tmp_path, makedirs=False, gunicorn_logs=True, keep_dir=False)
    failed = boots.serve(root)
    assert not failed.booted and "'log/error.log' isn't writable" in failed.output, failed.output
    (root / "log").mkdir()
    writable = boots.serve(root)
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(root / "log")
    shutil.rmtree(root / "log")

    out = boots.fixed(tmp_path, root, failed)
    assert [(c["path"], c["codemod"]) for c in out["changes"]] == [("gunicorn_config.py", "gunicorn-stdout"),
                                                                  ("logger.py", "file-handler-stream")]
    assert "logging.StreamHandler()" in (root / "logger.py").read_text()
    boots.assert_each_once(LOGGERS, before, boots.serve(root))
    assert not (root / "log").exists()


@pytest.mark.skipif(not boots.have("unshare", "mount"), reason="needs unshare -m and mount")
def test_a_handler_built_in_code_on_a_read_only_root_is_diagnosed_and_fixed_with_its_makedirs(tmp_path):
    root = _project(tmp_path, makedirs=True, gunicorn_logs=False, keep_dir=True)
    writable = boots.serve(root)
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(root / "log")
    for f in (root / "log").glob("*.log"):
        f.unlink()
    failed = boots.serve(root, read_only=root)
    assert not failed.booted and "Read-only file system" in failed.output, failed.output
    log = tmp_path / "boot.log"
    log.write_text(failed.output)

    diagnosed = fixbot("diagnose", str(log), "--format", "json")
    [finding] = json.loads(diagnosed.stdout)["findings"]
    assert diagnosed.returncode == 0 and finding["fixes"] == ["file-handler-stream"], finding
    out = boots.fixed(tmp_path, root, failed)
    assert [c["path"] for c in out["changes"]] == ["logger.py"]
    fixed = (root / "logger.py").read_text()
    assert "makedirs" not in fixed and "RotatingFileHandler" not in fixed and 'handler.setLevel(logging.INFO)' in fixed
    boots.assert_each_once(LOGGERS, before, boots.serve(root, read_only=root))
