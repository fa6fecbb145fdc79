"""celery-no-pidfile: drop Celery's --pidfile wherever a worker, beat or events is started.

Celery writes the pid file at start (celery/platforms.py `Pidfile.write_pid`) and exits when it cannot
(`celery.platforms.LockFailed: [Errno 13] Permission denied: '/var/run/celery/beat.pid'`). In the foreground
under a container or a process manager nothing needs it; the room checks that nothing in the repository reads it.
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import celery
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES
from fixbot.formats.deploy.edits import Change

__all__ = ["CeleryNoPidfile"]

SETTINGS = frozenset({"pidfile"})


class CeleryNoPidfile(Codemod):
    NAME = "celery-no-pidfile"
    DESCRIPTION = (
        "Drop Celery's --pidfile so a worker, beat or events writes no pid file where the container gives no place, "
        "wherever it is started: shell scripts, Dockerfiles, Procfiles, supervisord programs, compose services, "
        "systemd units."
    )
    HANDLES = ("celery-pidfile",)
    FILES = tuple(p for f in celery.FORMATS for p in f.files)
    FORMATS = COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("Procfile", "beat: celery -A proj beat --pidfile=/var/run/celery/beat.pid -l info\n",
                "beat: celery -A proj beat -l info\n", filename="Procfile"),
        Example("Dockerfile exec form", 'CMD ["celery", "-A", "proj", "worker", "--pidfile", "/run/w.pid"]\n',
                'CMD ["celery", "-A", "proj", "worker"]\n', filename="Dockerfile"),
        Example("no pid file", "exec celery -A proj worker -l info\n", filename="start.sh"),
        Example("a pid file named at run time", 'exec celery -A proj worker --pidfile "$(mktemp)"\n',
                refuses="cannot see into", filename="start.sh"),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Celery', lambda text: celery.find_invocations(text, filename, SETTINGS), before, after, dropped="no pid file")

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        reading = celery.read(source, filename, SETTINGS)
        return source if reading is None else reading.rewrite(change=lambda flag, target: Change(None))
