"""gunicorn-stdout: point Gunicorn's access and error logs at stdout/stderr (`-`) wherever Gunicorn is started.

Gunicorn exits at boot ("Error: '…' isn't writable") when a log file's directory is missing; in a container the
logs belong on stdout anyway. Settings: https://docs.gunicorn.org/en/stable/settings.html#logging
What each deploy file says is read in fixbot/formats/deploy/ (one reader per format); this is the codemod around them.
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example, lazy_commands
from fixbot.formats.deploy import gunicorn
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES, files

__all__ = ["GunicornStdout"]

# The libcst.tool entry point lives in codemods/_libcst_commands.py, so that importing this module does not
# import libcst.codemod (and libcst.matchers, ~200 ms); libcst.tool finds it with getattr.
__getattr__, __dir__ = lazy_commands(__name__, "GunicornConfigCommand")


class GunicornStdout(Codemod):
    NAME = "gunicorn-stdout"
    DESCRIPTION = (
        "Set Gunicorn's --access-logfile, --error-logfile and --log-file (and accesslog/errorlog in a config module) "
        "to '-' so logs go to stdout/stderr, wherever Gunicorn is started: shell scripts (also inside bash -c and "
        "su -c strings), Dockerfiles, Procfiles, supervisord programs, docker-compose services, systemd units (their "
        "stderr goes to journald), GUNICORN_CMD_ARGS. Refuses a daemonised Gunicorn (-D, daemon = True), whose "
        "stdout and stderr are /dev/null, unless it inherits stdio."
    )
    HANDLES = ("gunicorn-logfile",)
    FILES = files(rewritten=True)
    FORMATS = ("Gunicorn config modules",) + COMMAND_LINE_NAMES
    EXAMPLES = (
        Example(
            "nested bash -c with continuations (the incident)",
            'sudo -u user nohup bash -c "\ngunicorn config.wsgi:application \\\n-b 0.0.0.0:${PORT} \\\n'
            '--access-logfile /tmp/backend_logs/access.log \\\n--error-logfile /tmp/backend_logs/error.log\n" &\n',
            'sudo -u user nohup bash -c "\ngunicorn config.wsgi:application \\\n-b 0.0.0.0:${PORT} \\\n'
            '--access-logfile - \\\n--error-logfile -\n" &\n',
            filename="entrypoint.sh",
        ),
        Example(
            "drop the log directory's mkdir",
            "mkdir -p /var/log/app\nexec gunicorn app:app --error-logfile=/var/log/app/error.log\n",
            "exec gunicorn app:app --error-logfile=-\n",
            filename="entrypoint.sh",
            options={"remove_log_dirs": True},
        ),
        Example(
            "Dockerfile exec form",
            'CMD ["gunicorn", "--access-logfile", "/logs/access.log", "app.wsgi"]\n',
            'CMD ["gunicorn", "--access-logfile", "-", "app.wsgi"]\n',
            filename="Dockerfile",
        ),
        Example(
            "config module",
            'bind = "0.0.0.0:8000"\naccesslog = \'/var/log/gunicorn/access.log\'\npidfile = "/tmp/gunicorn.pid"\n',
            'bind = "0.0.0.0:8000"\naccesslog = \'-\'\npidfile = "/tmp/gunicorn.pid"\n',
            filename="gunicorn.conf.py",
        ),
        Example(
            "the file a start script hands to `gunicorn -c`, whatever its name",
            "capture_output = True\nerrorlog = '/var/log/web/error.log'\n",
            "capture_output = True\nerrorlog = '-'\n",
            filename="deploy/web.conf",
            options={"config_module": True},
        ),
        Example(
            "a config module told by its settings, not its name",
            "bind = '0.0.0.0:8000'\nworkers = 2\nerrorlog = '/var/log/web/error.log'\n",
            "bind = '0.0.0.0:8000'\nworkers = 2\nerrorlog = '-'\n",
            filename="deploy/web.conf",
        ),
        Example(
            "systemd unit: ExecStart with a continuation and an Environment= variable (journald keeps stderr)",
            "[Service]\nEnvironment=APP_LOG=/var/log/app/app.log\nExecStart=-/srv/venv/bin/gunicorn app:app \\\n"
            '    --workers 2 --log-file "${APP_LOG}"\n',
            "[Service]\nEnvironment=APP_LOG=/var/log/app/app.log\nExecStart=-/srv/venv/bin/gunicorn app:app \\\n"
            '    --workers 2 --log-file "-"\n',
            filename="app.service",
        ),
        Example("already on stdout", "web: gunicorn app:app --log-file -\n", filename="Procfile"),
        Example(
            "a daemon's stdio is /dev/null",
            "exec gunicorn app:app -D --error-logfile /var/log/app/error.log\n",
            refuses="runs as a daemon",
            filename="start.sh",
        ),
        Example(
            "a daemon that inherits stdio keeps its logs",
            "daemon = True\nenable_stdio_inheritance = True\nerrorlog = '/var/log/app/error.log'\n",
            "daemon = True\nenable_stdio_inheritance = True\nerrorlog = '-'\n",
            filename="gunicorn.conf.py",
        ),
        Example("no gunicorn", "#!/bin/sh\nexec uwsgi --ini app.ini\n", filename="entrypoint.sh"),
        Example(
            "path from a command substitution",
            'exec gunicorn app:app --error-logfile "$(mktemp -d)/error.log"\n',
            refuses="cannot see into",
            filename="start.sh",
        ),
        Example(
            "path from the project's own code",
            'from app.paths import log_path\nerrorlog = log_path("gunicorn")\n',
            refuses="code fixbot will not drop",
            filename="gunicorn.conf.py",
        ),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Gunicorn', lambda text: gunicorn.find_invocations(text, filename, bool(options.get("config_module"))), before, after)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`remove_log_dirs=True` also drops the script's mkdir/chown/chmod lines for the replaced directories;
        `config_module=True` reads the file as the Python module `gunicorn -c FILE` loads, whatever its name."""
        reading = gunicorn.read(source, filename, bool(options.pop("config_module", False)))
        return source if reading is None else reading.rewrite(**options)
