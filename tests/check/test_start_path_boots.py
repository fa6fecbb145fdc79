"""One deploy, one fix (issue 19, shape 1), booted for real: a deploy whose start path writes several logs where it
cannot (a missing directory, a read-only root, a directory only root may write) is fixed by one `fixbot apply`
commit, and the fixed branch, started with the deploy's own entrypoint under the same condition, answers; every
line a request and each named logger at each level printed or wrote before (with a writable directory) is on the
console once. On main only the log's own site was fixed: the next one killed the start."""

from __future__ import annotations

import pytest

from tests.support import boots
from tests.support.repos import commit_all

LOGGERS = ("", "myapp", "myapp.views")

LOGGING = """\
LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {{"verbose": {{"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}}},
    "handlers": {{
        "console": {{"class": "logging.StreamHandler"}},
        "file": {{"class": "logging.FileHandler", "filename": "{logs}/django.log", "formatter": "verbose"}},
    }},
    "root": {{"handlers": ["console", "file"], "level": "INFO"}},
    "loggers": {{"myapp": {{"handlers": ["file"], "level": "DEBUG"}}}},
}}
"""

ENTRYPOINT = """\
#!/bin/bash
set -e
cd "$(dirname "$0")"
exec gunicorn config.wsgi:application --workers 1 --bind 127.0.0.1:$PORT {flags}
"""


def test_a_missing_directory_written_by_gunicorn_and_by_logging_is_fixed_in_one_commit(tmp_path):
    logs = tmp_path / "var" / "log" / "myapp"
    flags = f"--access-logfile {logs}/access.log --error-logfile {logs}/error.log"
    root = boots.django_project(tmp_path / "repo", LOGGING.format(logs=logs), ENTRYPOINT.format(flags=flags), LOGGERS)
    commit_all(root)
    failed = boots.serve(root)
    assert not failed.booted and "isn't writable" in failed.output, failed.output
    before = boots.with_the_directory(root, logs)

    out = boots.fixed(tmp_path, root, failed)
    assert sorted(c["path"] for c in out["changes"]) == ["config/settings.py", "entrypoint.sh"]
    boots.assert_each_once(LOGGERS, before, boots.serve(root))  # the directory is still missing: no mkdir in place of the console
    assert not logs.exists()


GUNICORN_CONF = """\
import os

LOG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs")
accesslog = os.path.join(LOG_DIR, "access.log")
errorlog = os.path.join(LOG_DIR, "error.log")
workers = 1
"""


@pytest.mark.skipif(not boots.have("unshare", "mount"), reason="needs unshare -m and mount")
def test_a_read_only_root_is_fixed_in_the_config_module_and_the_settings_at_once(tmp_path):
    root = tmp_path / "repo"
    logs = root / "logs"
    entry = ENTRYPOINT.format(flags="-c gunicorn.conf.py")
    boots.django_project(root, LOGGING.format(logs=logs), entry, LOGGERS,
                         files={"gunicorn.conf.py": GUNICORN_CONF, "logs/.gitkeep": ""})
    commit_all(root)
    writable = boots.serve(root)
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(logs)
    for f in logs.glob("*.log"):
        f.unlink()
    failed = boots.serve(root, read_only=root)
    assert not failed.booted and "Read-only file system" in failed.output, failed.output

    out = boots.fixed(tmp_path, root, failed)
    assert sorted(c["path"] for c in out["changes"]) == ["config/settings.py", "gunicorn.conf.py"]
    boots.assert_each_once(LOGGERS, before, boots.serve(root, read_only=root))


@pytest.mark.skipif(not boots.have("unshare", "mount"), reason="needs unshare -m and mount")
def test_a_read_only_root_declared_in_fixbot_yml_covers_every_directory_of_the_start_path(tmp_path):
    # Gunicorn's error log fails first; LOGGING writes into another directory of the same read-only root, which only
    # the declared root (no compose or Kubernetes file says it) puts on the path.
    root = tmp_path / "repo"
    logs, var = root / "logs", root / "var" / "gunicorn"
    flags = f"--access-logfile {var}/access.log --error-logfile {var}/error.log"
    boots.django_project(root, LOGGING.format(logs=logs), ENTRYPOINT.format(flags=flags), LOGGERS,
                         files={"logs/.gitkeep": "", "var/gunicorn/.gitkeep": "",
                                ".fixbot.yml": "deploy:\n  read_only_root: true\n"})
    commit_all(root)
    writable = boots.serve(root)
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(logs) + boots.read_logs(var)
    for f in [*logs.glob("*.log"), *var.glob("*.log")]:
        f.unlink()
    failed = boots.serve(root, read_only=root)
    assert not failed.booted and "Read-only file system" in failed.output, failed.output

    out = boots.fixed(tmp_path, root, failed)
    # On a declared read-only root /tmp is read-only too: Gunicorn's worker heartbeat moves to /dev/shm.
    assert sorted((c["path"], c["codemod"]) for c in out["changes"]) == [
        ("config/settings.py", "logging-console"), ("entrypoint.sh", "gunicorn-stdout"), ("entrypoint.sh", "gunicorn-worker-tmp-dir")]
    boots.assert_each_once(LOGGERS, before, boots.serve(root, read_only=root))


@pytest.mark.skipif(not boots.have("setpriv"), reason="needs setpriv")
def test_a_directory_only_root_may_write_is_fixed_for_the_user_the_deploy_runs_as(tmp_path):
    logs = tmp_path / "srv" / "logs"
    flags = f"--access-logfile {logs}/access.log --error-logfile {logs}/error.log"
    root = boots.django_project(tmp_path / "repo", LOGGING.format(logs=logs), ENTRYPOINT.format(flags=flags), LOGGERS)
    commit_all(root)
    logs.mkdir(parents=True)
    boots.nobody_can_read(tmp_path)
    writable = boots.serve(root)  # as root: it may write there
    assert writable.status == 200, writable.output
    before = writable.output, boots.read_logs(logs)
    for f in logs.glob("*.log"):
        f.unlink()
    failed = boots.serve(root, nobody=True)
    assert not failed.booted and "Permission" in failed.output, failed.output

    out = boots.fixed(tmp_path, root, failed)
    assert sorted(c["path"] for c in out["changes"]) == ["config/settings.py", "entrypoint.sh"]
    boots.nobody_can_read(root)
    boots.assert_each_once(LOGGERS, before, boots.serve(root, nobody=True))
