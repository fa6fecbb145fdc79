"""Real Django and Gunicorn runs for the tests: write a project, boot it, and keep what it printed."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path
from typing import Literal, Mapping, Sequence

# The tests run from the project's venv; its bin holds the gunicorn that goes with this interpreter.
VENV_BIN = Path(sys.executable).parent
GUNICORN = VENV_BIN / "gunicorn"
HEALTH_PATH = "/api/v1/health/"
LOOPBACK = "127.0.0.1"

# One worker and a short worker timeout: the failures under test happen while a worker boots, so more
# workers only repeat the same traceback and cost time. One worker also makes the ending deterministic: with
# two, Gunicorn 27 sometimes dies on an uncaught HaltServer instead of logging "Reason: Worker failed to boot.".
DEFAULT_GUNICORN_ARGS = ("config.wsgi:application", "--workers", "1", "--timeout", "10")

SettingsLayout = Literal["active", "base", "single"]


@dataclass(frozen=True)
class Run:
    """What one real run printed and how it ended."""

    returncode: int | None  # exit code of the process we started; negative for a signal
    output: str  # stdout and stderr interleaved, as a deploy log would hold them
    port: int | None = None  # the 127.0.0.1 port it was told to bind
    status: int | None = None  # HTTP status of GET HEALTH_PATH, None when nothing answered
    body: str = ""  # the body of that response
    timed_out: bool = False  # neither exited nor answered before the deadline
    duration: float = 0.0
    files: dict[str, str] = field(default_factory=dict)  # run_script(collect=...): path -> text

    @property
    def booted(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class Project:
    """A Django project written by make_django_project; paths are absolute."""

    root: Path  # the top of the tree (a repository root in the tests)
    backend: Path  # the directory holding manage.py; Gunicorn runs from here
    settings_module: str  # the active one, e.g. "config.settings.service"
    active_file: Path  # the file of settings_module
    logging_file: Path  # the file that holds the LOGGING assignment
    wsgi_file: Path
    manage_file: Path
    app: str = "config.wsgi:application"

    def env(self) -> dict[str, str]:
        return {"DJANGO_SETTINGS_MODULE": self.settings_module}


# ---------------------------------------------------------------------------------------------------------
# LOGGING sources, in the incident's style, to hand to make_django_project.

CONSOLE_LOGGING = """\
LOGGING = {
    'version': 1,
    'disable_existing_loggers': False,
    'formatters': {
        'verbose': {
            'format': '{levelname} {asctime} {module} {message}',
            'style': '{',
        },
    },
    'handlers': {
        'console': {
            'level': 'INFO',
            'class': 'logging.StreamHandler',
            'formatter': 'verbose',
        },
    },
    'root': {
        'handlers': ['console'],
        'level': 'INFO',
    },
}
"""


def file_logging(
    filename: str,
    *,
    handler: str = "file",
    handler_class: str = "logging.FileHandler",
    extra: str = "",
) -> str:
    """LOGGING source with a console handler and one file handler named `handler` writing to `filename`.

    `extra` is added verbatim inside the file handler's dict (e.g. "'maxBytes': 1048576,").
    """
    extra_line = f"\n            {extra}" if extra else ""
    return f"""\
LOGGING = {{
    'version': 1,
    'disable_existing_loggers': False,
    'formatters': {{
        'verbose': {{
            'format': '{{levelname}} {{asctime}} {{module}} {{message}}',
            'style': '{{',
        }},
        'simple': {{
            'format': '{{levelname}} {{message}}',
            'style': '{{',
        }},
    }},
    'handlers': {{
        'console': {{
            'level': 'INFO',
            'class': 'logging.StreamHandler',
            'formatter': 'verbose',
        }},
        {handler!r}: {{
            'level': 'INFO',
            'class': {handler_class!r},
            'filename': {filename!r},
            'formatter': 'simple',{extra_line}
        }},
    }},
    'root': {{
        'handlers': ['console', {handler!r}],
        'level': 'INFO',
    }},
    'loggers': {{
        'django': {{
            'handlers': ['console', {handler!r}],
            'level': 'INFO',
            'propagate': False,
        }},
        'django.request': {{
            'handlers': ['console', {handler!r}],
            'level': 'ERROR',
            'propagate': False,
        }},
    }},
}}
"""


# ---------------------------------------------------------------------------------------------------------
# Writing a project.

_MANAGE = """\
#!/usr/bin/env python
\"\"\"Django's command-line utility for administrative tasks.\"\"\"
import os
import sys


def main():
    \"\"\"Run administrative tasks.\"\"\"
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', '{settings}')
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)


if __name__ == '__main__':
    main()
"""

# Shaped like startproject's, so `application = get_wsgi_application()` is line 16 as in the incident.
_WSGI = """\
\"\"\"
WSGI config for config project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
\"\"\"

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', '{settings}')

application = get_wsgi_application()
"""

_BASE = """\
\"\"\"Settings shared by every environment.\"\"\"

SECRET_KEY = 'test-only-insecure-key'
DEBUG = False
ALLOWED_HOSTS = ['*']
INSTALLED_APPS = []
MIDDLEWARE = ['django.middleware.common.CommonMiddleware']
ROOT_URLCONF = 'config.urls'
WSGI_APPLICATION = 'config.wsgi.application'
DATABASES = {{}}
TIME_ZONE = {time_zone!r}
USE_TZ = True
"""

_URLS = """\
\"\"\"URL configuration.\"\"\"

from django.urls import path

from api import views

urlpatterns = [
    path('api/v1/health/', views.health),
]
"""

_VIEWS = """\
\"\"\"API views.\"\"\"

from django.http import JsonResponse


def health(request):
    return JsonResponse({'status': 'healthy'})
"""


def make_django_project(
    root: Path,
    *,
    logging_source: str | None,
    settings_layout: SettingsLayout = "active",
    backend_dir: str = "apps/backend",
    active: str = "service",
    star_import: Literal["relative", "absolute"] = "relative",
    time_zone: str = "UTC",
    extra_settings: str = "",
) -> Project:
    """Write a minimal Django project under `root` and describe it.

    settings_layout:
      "active" - config/settings/{base,<active>}.py; <active> star-imports base, then assigns LOGGING (the incident)
      "base"   - LOGGING is in base.py; <active> only star-imports it
      "single" - one config/settings.py module (startproject's layout); `active` is ignored
    `logging_source` is module source text (e.g. file_logging(...)); None writes no LOGGING at all.
    `extra_settings` is appended to the active module.
    """
    root = Path(root).resolve()
    backend = root / backend_dir
    config = backend / "config"
    api = backend / "api"
    for directory in (config, api):
        directory.mkdir(parents=True, exist_ok=True)
    logging_text = textwrap.dedent(logging_source).strip() + "\n" if logging_source else ""
    base_text = _BASE.format(time_zone=time_zone)

    if settings_layout == "single":
        settings_module = "config.settings"
        active_file = logging_file = config / "settings.py"
        active_file.write_text(_join(base_text, logging_text, extra_settings))
    elif settings_layout in ("active", "base"):
        settings = config / "settings"
        settings.mkdir(exist_ok=True)
        (settings / "__init__.py").write_text("")
        settings_module = f"config.settings.{active}"
        base_file = settings / "base.py"
        active_file = settings / f"{active}.py"
        importer = "from .base import *" if star_import == "relative" else "from config.settings.base import *"
        head = f'"""Settings for the {active} environment."""\n\n{importer}  # noqa: F401,F403\n'
        if settings_layout == "active":
            base_file.write_text(base_text)
            active_file.write_text(_join(head, logging_text, extra_settings))
            logging_file = active_file
        else:
            base_file.write_text(_join(base_text, logging_text))
            active_file.write_text(_join(head, extra_settings))
            logging_file = base_file
    else:
        raise ValueError(f"unknown settings_layout {settings_layout!r}")

    (config / "__init__.py").write_text("")
    (config / "urls.py").write_text(_URLS)
    wsgi_file = config / "wsgi.py"
    wsgi_file.write_text(_WSGI.format(settings=settings_module))
    (api / "__init__.py").write_text("")
    (api / "views.py").write_text(_VIEWS)
    manage_file = backend / "manage.py"
    manage_file.write_text(_MANAGE.format(settings=settings_module))
    manage_file.chmod(0o755)
    return Project(
        root=root,
        backend=backend,
        settings_module=settings_module,
        active_file=active_file,
        logging_file=logging_file,
        wsgi_file=wsgi_file,
        manage_file=manage_file,
    )


def _join(*parts: str) -> str:
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Running things.


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def clean_env(
    cwd: Path | None = None, extra: Mapping[str, str | None] | None = None, *, home: Path | None = None
) -> dict[str, str]:
    """An environment that owes nothing to the caller's: the venv first on PATH, cwd on PYTHONPATH.

    Values of None in `extra` remove the variable.
    """
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        # Keep the examples tree free of __pycache__ and make Python's output arrive as it happens.
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        # Nothing here may leave the machine: whatever honours these goes direct, and only to loopback.
        "no_proxy": "*",
        "NO_PROXY": "*",
    }
    if home is not None:
        # Gunicorn 27 puts its control socket in $HOME/.gunicorn/ (or $XDG_RUNTIME_DIR): a private HOME keeps
        # parallel runs from sharing one socket and keeps /root clean.
        env["HOME"] = str(home)
    if cwd is not None:
        env["PYTHONPATH"] = str(cwd)
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_gunicorn(
    cwd: Path | Project,
    args: Sequence[str] | None = None,
    *,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 20,
    probe: str = HEALTH_PATH,
) -> Run:
    """Start the venv's Gunicorn in `cwd` on a free 127.0.0.1 port and see how it ends.

    `args` are Gunicorn's arguments without a bind (DEFAULT_GUNICORN_ARGS when None); the bind is added here so
    nothing listens beyond loopback. If Gunicorn exits, returns its output and exit code; if it boots, GETs
    `probe`, records the status, and stops it. Given a Project, runs in its backend with its settings module.
    """
    args = list(DEFAULT_GUNICORN_ARGS if args is None else args)
    if any(a in ("-b", "--bind") or a.startswith("--bind=") or (a.startswith("-b") and len(a) > 2) for a in args):
        raise ValueError("run_gunicorn chooses the bind itself (127.0.0.1 and a free port)")
    base_env: dict[str, str | None] = {}
    if isinstance(cwd, Project):
        base_env.update(cwd.env())
        cwd = cwd.backend
    base_env.update(env or {})
    port = free_port()
    command = [str(GUNICORN), *args, "--bind", f"{LOOPBACK}:{port}"]
    return _run_and_probe(command, Path(cwd), base_env, port=port, timeout=timeout, probe=probe)


def run_manage_check(
    project: Path | Project,
    args: Sequence[str] = ("check",),
    *,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 20,
) -> Run:
    """`python manage.py check` (or other `args`) in the project's backend, with the same clean env."""
    base_env: dict[str, str | None] = {}
    if isinstance(project, Project):
        base_env.update(project.env())
        backend = project.backend
    else:
        backend = Path(project)
    base_env.update(env or {})
    command = [sys.executable, "manage.py", *args]
    return _run_and_probe(command, backend, base_env, port=None, timeout=timeout, probe=None)


def run_script(
    path: Path,
    env: Mapping[str, str | None] | None = None,
    *,
    cwd: Path | None = None,
    port: int | None = None,
    timeout: float = 20,
    probe: str = HEALTH_PATH,
    collect: Sequence[Path] = (),
) -> Run:
    """Run a start script that launches Gunicorn itself, with bash, and see whether the app answers.

    The script is told its port through BACKEND_PORT and PORT (a free one unless given) and must bind
    127.0.0.1 (or 0.0.0.0) on it; `gunicorn` on PATH is the venv's, and `sudo -u USER CMD` runs CMD as the
    current user, as start scripts in containers like to say. The run ends when the port answers `probe`,
    when the script and everything it started have exited, or at `timeout`; then the whole process group is
    killed (so a script that backgrounds Gunicorn with nohup and exits is handled; one that uses setsid is not).
    `collect` names files the script writes its logs to; their text ends up in Run.files.
    """
    path = Path(path).resolve()
    cwd = Path(cwd) if cwd is not None else path.parent
    port = port if port is not None else free_port()
    with tempfile.TemporaryDirectory(prefix="realrun-shims-") as shims:
        _write_sudo_shim(Path(shims))
        base_env: dict[str, str | None] = {"BACKEND_PORT": str(port), "PORT": str(port)}
        base_env.update(env or {})
        base_env["PATH"] = f"{shims}{os.pathsep}{base_env.get('PATH') or clean_env()['PATH']}"
        run = _run_and_probe(
            ["bash", str(path)], cwd, base_env, port=port, timeout=timeout, probe=probe, wait_for_group=True
        )
    files = {}
    for name in collect:
        try:
            files[str(name)] = Path(name).read_text(errors="replace")
        except OSError:
            pass
    return dataclasses.replace(run, files=files)


def run_command(command: str, cwd: Path, env: Mapping[str, str | None], *, port: int, host: str = LOOPBACK,
                probe: str = "/", timeout: float = 15) -> Run:
    """Run a deploy's start command line (a Procfile's, with bash) until `host:port` answers `probe`, it exits,
    or `timeout`; the venv's programs come first on PATH."""
    env = {**env, "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH') or clean_env()['PATH']}"}
    return _run_and_probe(["bash", "-c", command], cwd, env, port=port, timeout=timeout, probe=probe,
                          wait_for_group=True, host=host)


def _write_sudo_shim(directory: Path) -> None:
    # Drops sudo's options (and their values) and runs the rest: tests run as one user, and a real sudo would
    # reset PATH and the environment the test gave the script.
    shim = directory / "sudo"
    shim.write_text(
        "#!/usr/bin/env bash\n"
        "while [ $# -gt 0 ]; do\n"
        '  case "$1" in\n'
        "    -u|-g|-C|-h|-p|-r|-t|-U) shift 2 ;;\n"
        "    --) shift; break ;;\n"
        "    -*) shift ;;\n"
        "    *) break ;;\n"
        "  esac\n"
        "done\n"
        'exec "$@"\n'
    )
    shim.chmod(0o755)


def _run_and_probe(
    command: list[str],
    cwd: Path,
    env: Mapping[str, str | None],
    *,
    port: int | None,
    timeout: float,
    probe: str | None,
    wait_for_group: bool = False,
    host: str = LOOPBACK,
) -> Run:
    started = time.monotonic()
    deadline = started + timeout
    status: int | None = None
    body = ""
    timed_out = False
    with tempfile.TemporaryDirectory(prefix="realrun-home-") as home, tempfile.TemporaryFile() as out:
        full_env = clean_env(cwd, env, home=Path(home))
        # A file rather than a pipe: nobody has to drain it while we probe, and a chatty process cannot block.
        # A new session makes the process a group leader, so everything it forks can be killed together.
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while True:
                exited = proc.poll() is not None
                if exited and not (wait_for_group and _group_alive(proc.pid)):
                    break
                if port is not None and probe is not None:
                    answer = _probe(port, probe, timeout=max(0.1, min(2.0, deadline - time.monotonic())), host=host)
                    if answer is not None:
                        status, body = answer
                        break
                if time.monotonic() >= deadline:
                    timed_out = True
                    break
                time.sleep(0.05)
        finally:
            _kill_group(proc)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    return Run(
        returncode=proc.returncode,
        output=output,
        port=port,
        status=status,
        body=body,
        timed_out=timed_out,
        duration=time.monotonic() - started,
    )


def _probe(port: int, path: str, *, timeout: float, host: str = LOOPBACK) -> tuple[int, str] | None:
    """(status, body) of GET http://host:port/path (127.0.0.1 unless told), or None when nothing answered with HTTP."""
    # No proxy handler: the caller's http_proxy must never route a loopback probe elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{host}:{port}{path}", timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, HTTPException):
        # Refused (not bound yet), reset (the master shut down with our connection in its backlog), or
        # timed out (no worker up yet): all mean "no answer yet".
        return None


def _group_alive(pgid: int) -> bool:
    """Is any process of group `pgid` still running (zombies do not count)?"""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the ")" that closes comm: state ppid pgrp ...
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) >= 3 and int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _kill_group(proc: subprocess.Popen) -> None:
    """TERM the whole group, give it a moment to log its shutdown, then KILL whatever is left."""
    pgid = proc.pid  # start_new_session made it the leader
    for sig, grace in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _group_alive(pgid):
                break
            time.sleep(0.05)
        else:
            continue
        break
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass


def boot_backend(tree: Path, settings: str) -> Run:
    """The ledgersg-shaped backend in `tree` started under Gunicorn with `settings`."""
    return run_gunicorn(tree / "apps/backend", env={"DJANGO_SETTINGS_MODULE": settings})
