"""Real runs of plain `logging.config.dictConfig` / `fileConfig` calls on broken configurations, and what they print.

No framework: the interpreter alone, as a script, a cron job or a worker would call it. Runs that need the
kernel's help (a read-only mount for `[Errno 30]`, another user for `[Errno 13]`) say so with None when this
machine cannot make them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_DICT = "import json, logging.config, sys\nlogging.config.dictConfig(json.loads(sys.argv[1]))\n"
_FILE = "import logging.config, sys\nlogging.config.fileConfig(sys.argv[1])\n"
# An .ini for `fileConfig` with one file handler on the root logger; `path` is its file.
FILE_HANDLER_INI = """\
[loggers]
keys=root
[handlers]
keys=file
[formatters]
keys=
[logger_root]
handlers=file
[handler_file]
class=FileHandler
args=({path!r},)
"""
# Another user cannot read the venv's interpreter under /root; the system's own can be run by anyone.
SYSTEM_PYTHON = next((p for p in ("/usr/bin/python3.11", "/usr/bin/python3") if os.access(p, os.X_OK)), None)


def file_handler_config(filename: str, *, handler: str = "file", cls: str = "logging.FileHandler", **extra) -> dict:
    """A dictConfig with a console handler and one file handler named `handler`, both on the root logger."""
    return {
        "version": 1,
        "formatters": {"plain": {"format": "%(levelname)s %(message)s"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "plain"},
            handler: {"class": cls, "filename": filename, "formatter": "plain", **extra},
        },
        "root": {"handlers": ["console", handler], "level": "INFO"},
    }


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert done.returncode != 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def dict_config(config: dict, cwd: Path, python: str = sys.executable) -> str:
    """What `logging.config.dictConfig(config)` in a script prints when it fails."""
    script = cwd / "configure.py"
    script.write_text(_DICT)
    return _run([python, str(script), json.dumps(config)], cwd)


CODE_HANDLER = """\
import logging
import logging.handlers
import os

LOG_DIR = {log_dir!r}
logger = logging.getLogger("app")
handler = logging.handlers.RotatingFileHandler(os.path.join(LOG_DIR, "app.log"), maxBytes=1048576, backupCount=3)
handler.setLevel(logging.INFO)
logger.addHandler(handler)
"""


def code_handler(log_dir: str, cwd: Path) -> str:
    """What an application prints when a module it imports builds a file handler in a missing directory."""
    (cwd / "applog.py").write_text(CODE_HANDLER.format(log_dir=log_dir))
    (cwd / "serve.py").write_text("import applog\n")
    return _run([sys.executable, str(cwd / "serve.py")], cwd)


def file_config(ini: str, cwd: Path) -> str:
    """What `logging.config.fileConfig` of an .ini file with this text prints when it fails."""
    (cwd / "logging.ini").write_text(ini)
    script = cwd / "configure.py"
    script.write_text(_FILE)
    return _run([sys.executable, str(script), str(cwd / "logging.ini")], cwd)


def dict_config_read_only(config: dict, mount: Path, cwd: Path) -> str | None:
    """dictConfig with `mount` made a read-only file system (as Kubernetes' readOnlyRootFilesystem), in a private
    mount namespace; None where this machine cannot make one."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    mount.mkdir(parents=True, exist_ok=True)
    script = cwd / "configure.py"
    script.write_text(_DICT)
    inner = 'mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"'
    done = subprocess.run([unshare, "-rm", "sh", "-c", inner, "sh", str(mount), sys.executable, str(script),
                           json.dumps(config)], cwd=cwd, capture_output=True, text=True, timeout=30)
    output = done.stdout + done.stderr
    return output if "[Errno 30]" in output else None


def dict_config_as_nobody(handler: str = "file") -> tuple[str, str] | None:
    """(output, path): dictConfig of a file handler in a directory only root may write, run as user 65534 (root
    itself is never refused); None where that cannot be done here. The directory is one of its own under /tmp:
    pytest's are closed to other users."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or SYSTEM_PYTHON is None or os.geteuid() != 0:
        return None
    with tempfile.TemporaryDirectory(prefix="fixbot-nobody-") as scratch:
        where = Path(scratch)
        where.chmod(0o755)
        script = where / "configure.py"
        script.write_text(_DICT)
        script.chmod(0o644)
        path = str(where / "api.log")
        done = subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", SYSTEM_PYTHON, str(script),
                               json.dumps(file_handler_config(path, handler=handler))], cwd="/", capture_output=True, text=True, timeout=30)
    output = done.stdout + done.stderr
    return (output, path) if f"[Errno 13] Permission denied: '{path}'" in output else None
