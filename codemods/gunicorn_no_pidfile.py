"""gunicorn-no-pidfile: drop Gunicorn's --pid/-p (and `pidfile =` in a config module) wherever Gunicorn is started.

Gunicorn writes its pid file through a temporary file beside it (gunicorn/pidfile.py) and exits when it cannot: a
read-only root or another user's run directory stops it before any worker starts. In a container the process
manager knows the pid; nothing needs the file unless something reads it, which the room checks before planning.
Settings: https://docs.gunicorn.org/en/stable/settings.html#pidfile
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import gunicorn
from fixbot.formats.deploy.edits import Change
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES, files

__all__ = ["GunicornNoPidfile"]

SETTINGS = frozenset({"pidfile"})


class GunicornNoPidfile(Codemod):
    NAME = "gunicorn-no-pidfile"
    DESCRIPTION = (
        "Drop Gunicorn's --pid/-p (and pidfile = in a config module), so it writes no pid file where the container "
        "gives no place, wherever Gunicorn is started: shell scripts, Dockerfiles, Procfiles, supervisord programs, "
        "compose services, systemd units, GUNICORN_CMD_ARGS, config modules."
    )
    HANDLES = ("gunicorn-pidfile",)
    FILES = files(rewritten=True)
    FORMATS = ("Gunicorn config modules",) + COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("shell, with a continuation", "exec gunicorn app:app \\\n  --pid /var/run/gunicorn.pid \\\n  --workers 2\n",
                "exec gunicorn app:app \\\n  --workers 2\n", filename="entrypoint.sh"),
        Example("Dockerfile exec form, an abbreviation and -p",
                'CMD ["gunicorn", "--pi=/run/g.pid", "-p", "/run/g2.pid", "app:app"]\n',
                'CMD ["gunicorn", "app:app"]\n', filename="Dockerfile"),
        Example("config module", 'bind = "0.0.0.0:8000"\npidfile = "/var/run/gunicorn.pid"\nworkers = 2\n',
                'bind = "0.0.0.0:8000"\nworkers = 2\n', filename="gunicorn.conf.py"),
        Example("no pid file", "web: gunicorn app:app --bind 0.0.0.0:$PORT\n", filename="Procfile"),
        Example("a pid file named at run time", 'exec gunicorn app:app --pid "$(mktemp -d)/g.pid"\n',
                refuses="cannot see into", filename="start.sh"),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Gunicorn', lambda text: gunicorn.find_invocations(text, filename, bool(options.get("config_module")), SETTINGS), before, after, dropped="no pid file")

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        """`config_module=True` reads the file as the module `gunicorn -c FILE` loads, whatever its name."""
        reading = gunicorn.read(source, filename, bool(options.pop("config_module", False)), SETTINGS)
        return source if reading is None else reading.rewrite(change=lambda flag, target: Change(None))
