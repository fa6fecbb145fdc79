"""Small projects of our own that really fail to deploy, and the counting of what they print: a view that logs one line on each named logger at each level, and Gunicorn's line for the request.

`django_project` writes a Django project started by its own `entrypoint.sh`; `wsgi_project` a plain WSGI app
whose module builds its logging itself. `serve` starts the deploy's own start command (optionally under a
read-only root, `unshare -m` with a read-only bind mount, or as nobody, `setpriv --reuid=65534`) and requests
`/health/` once; `lines` counts, in a run's console and its log files, each probe line and the request line.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.support import realrun

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
REQUEST = "GET /health/"
HEALTH = "/health/"

_PROBE = """\
import logging

LOGGERS = {loggers!r}


def emit():
    for name in LOGGERS:
        for level in {levels!r}:
            logging.getLogger(name or None).log(getattr(logging, level), "probe %s %s", name or "root", level)
"""

_DJANGO_SETTINGS = """\
SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DATABASES = {{}}
USE_TZ = True

{logging}
"""

_URLS = """\
from django.http import HttpResponse
from django.urls import path

import probe


def health(request):
    probe.emit()
    return HttpResponse("ok")


urlpatterns = [path("health/", health)]
"""

_WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
"""

_MANAGE = """\
#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def django_project(root: Path, logging_source: str, entrypoint: str, loggers: tuple[str, ...], files: dict | None = None) -> Path:
    """A Django project at `root` (a git repository once the caller commits it) whose settings hold
    `logging_source`, started by `entrypoint` (bash; Gunicorn binds 127.0.0.1:$PORT)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "__init__.py").write_text("")
    (root / "config" / "settings.py").write_text(_DJANGO_SETTINGS.format(logging=logging_source))
    (root / "config" / "urls.py").write_text(_URLS)
    (root / "config" / "wsgi.py").write_text(_WSGI)
    (root / "manage.py").write_text(_MANAGE)
    (root / "probe.py").write_text(_PROBE.format(loggers=loggers, levels=LEVELS))
    _write(root, "entrypoint.sh", entrypoint, executable=True)
    for name, text in (files or {}).items():
        _write(root, name, text, executable=name.endswith(".sh"))
    return root


def wsgi_project(root: Path, files: dict[str, str], entrypoint: str, loggers: tuple[str, ...]) -> Path:
    """A plain WSGI app (no framework) at `root`: `files` are its modules; `app.py` should call probe.emit()."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "probe.py").write_text(_PROBE.format(loggers=loggers, levels=LEVELS))
    for name, text in files.items():
        _write(root, name, text, executable=name.endswith(".sh"))
    _write(root, "entrypoint.sh", entrypoint, executable=True)
    return root


def _write(root: Path, name: str, text: str, executable: bool = False) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def serve(root: Path, *, read_only: Path | None = None, nobody: bool = False, timeout: float = 15,
          env: dict | None = None) -> realrun.Run:
    """Start `root`'s entrypoint.sh (the deploy's own start command) and GET /health/ once it answers.

    `read_only`: that directory is bind-mounted read-only over itself in a private mount namespace (`unshare -m`),
    as a container's read-only root is; `nobody`: the whole start runs as uid/gid 65534."""
    script = root / "entrypoint.sh"
    command = f"exec bash {script}"
    if read_only is not None:
        command = (f"mount --bind {read_only} {read_only} && mount -o remount,bind,ro {read_only} {read_only} && "
                   f"{command}")
    if nobody:
        # The interpreter lives under /root (mode 700): in the private mount namespace, /root becomes an empty
        # tmpfs holding only the interpreter's tree, so uid 65534 can run it; the host's /root is untouched.
        python = Path(sys.base_prefix).resolve()
        keep = f"/tmp/.boots-python-{os.getpid()}"
        command = (f"mkdir -p {keep} && mount --bind {python} {keep} && mount -t tmpfs -o mode=755 none /root && "
                   f"mkdir -p {python} && mount --bind {keep} {python} && "
                   + command.replace("exec bash", "exec setpriv --reuid=65534 --regid=65534 --clear-groups bash"))
    wrapper = root.parent / f"{root.name}-start.sh"
    wrapper.write_text(f"#!/bin/bash\n{command}\n" if read_only is None and not nobody else
                       f"#!/bin/bash\nexec unshare -m bash -c {_quote(command)}\n")
    run = realrun.run_script(wrapper, env={"PYTHONPATH": str(root), **(env or {})}, cwd=root, timeout=timeout,
                             probe=HEALTH)
    return run


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def lines(loggers: tuple[str, ...], *texts: str) -> Counter:
    """How often each probe line ("probe NAME LEVEL") and the request line appear in `texts` together."""
    found: Counter = Counter()
    text = "\n".join(texts)
    for name in loggers:
        for level in LEVELS:
            found[(name or "root", level)] = len(re.findall(rf"probe {re.escape(name or 'root')} {level}\b", text))
    found[("request", "")] = text.count(REQUEST)
    return found


def read_logs(directory: Path) -> str:
    """Everything the run wrote into the files of `directory` (recursively)."""
    if not directory.is_dir():
        return ""
    return "\n".join(p.read_text(errors="replace") for p in sorted(directory.rglob("*")) if p.is_file())


def with_the_directory(root: Path, logs: Path) -> tuple[str, str]:
    """(console, files) of a run of `root` with the missing directory `logs` made; it is missing again after."""
    logs.mkdir(parents=True)
    try:
        writable = serve(root)
        assert writable.status == 200, writable.output
        return writable.output, read_logs(logs)
    finally:
        shutil.rmtree(logs)


def each_once(console: Counter, files: Counter, after: Counter) -> list[str]:
    """What the fixed run gets wrong against the run with a writable directory (`console` and `files`: what that
    printed and wrote): a line lost, or printed on the console more often than the original printed it there
    (once, when it was only in a file)."""
    wrong = []
    for key in set(console) | set(files):
        if (console[key] or files[key]) and not after[key]:
            wrong.append(f"{key} lost")
        elif after[key] > max(1, console[key]):
            wrong.append(f"{key} printed {after[key]} times")
    return sorted(wrong)


def nobody_can_read(root: Path) -> None:
    """Let uid 65534 read and run the tree (tmp_path is root's, mode 700)."""
    for parent in [root, *root.parents]:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    for top, dirs, names in os.walk(root):
        for name in dirs + names:
            p = Path(top) / name
            p.chmod(p.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if p.is_dir() or os.access(p, os.X_OK) else 0))


def have(*programs: str) -> bool:
    return all(shutil.which(p) for p in programs)


def manage_check_log(root: Path, log: Path, expect: str) -> Path:
    """`log`, holding the real stderr of `manage.py check` on `root`, which must fail saying `expect`."""
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and expect in done.stderr, done.stderr
    log.write_text(done.stderr)
    return log


def git_checkout(root: Path, branch: str) -> None:
    subprocess.run(["git", "-C", str(root), "checkout", "-q", branch], check=True)


def fixed(tmp_path: Path, root: Path, failed) -> dict:
    """`fixbot apply` on the real log of the failed run `failed`: it must fix everything on the start path (nothing
    remaining); the fixed branch is checked out, and apply's JSON returned."""
    from tests.support.cli import apply_json

    log = tmp_path / "boot.log"
    log.write_text(failed.output)
    code, out, err = apply_json(log, root)
    assert code == 0 and out["status"] == "fixed", (err, out)
    assert out.get("remaining", []) == [], out["remaining"]
    git_checkout(root, out["branch"])
    return out


def assert_each_once(loggers: tuple[str, ...], before: tuple[str, str], after) -> None:
    """The fixed run `after` answered, and every line the run with a writable directory printed or wrote (`before`:
    its console and its files) is on the console once: none lost, none doubled."""
    console, files = before
    assert after.status == 200, after.output[-3000:]
    wrong = each_once(lines(loggers, console), lines(loggers, files), lines(loggers, after.output))
    assert wrong == [], wrong
