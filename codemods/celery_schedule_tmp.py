"""celery-schedule-tmp: Celery beat keeps its schedule file in /tmp (`--schedule /tmp/celerybeat-schedule`) wherever beat is started.

beat opens a shelve (dbm) file, `celerybeat-schedule` in its working directory unless -s/--schedule says
otherwise, and dies when it cannot (`_dbm.error: [Errno 13] Permission denied: 'celerybeat-schedule'`, or an
OSError from celery/beat.py on a read-only root). The file only remembers when each task last ran; in /tmp a
restart may run a due task once more, which is what a new container does anyway.
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import celery
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES
from fixbot.formats.deploy.edits import Change

__all__ = ["CelerySchedule"]

SETTINGS = frozenset({"schedule"})
SCHEDULE = "/tmp/celerybeat-schedule"


def _change(flag, target) -> Change | None:
    return None if flag.value == SCHEDULE else Change(SCHEDULE)


def _add(invocation) -> tuple[tuple[str, str], ...]:
    return (("schedule", SCHEDULE),) if invocation.command == "beat" and not invocation.flags else ()


class CelerySchedule(Codemod):
    NAME = "celery-schedule-tmp"
    DESCRIPTION = (
        "Give Celery beat /tmp/celerybeat-schedule for its schedule file (--schedule added after `beat`, spelled like "
        "its neighbours, or an existing -s/--schedule set), wherever beat is started: shell scripts, Dockerfiles, "
        "Procfiles, supervisord programs, compose services, systemd units."
    )
    HANDLES = ("celery-beat-schedule",)
    FILES = tuple(p for f in celery.FORMATS for p in f.files)
    FORMATS = COMMAND_LINE_NAMES
    EXAMPLES = (
        Example("Procfile", "beat: celery -A proj beat -l info\n",
                "beat: celery -A proj beat --schedule /tmp/celerybeat-schedule -l info\n", filename="Procfile"),
        Example("Dockerfile exec form, beat last", 'CMD ["celery", "-A", "proj", "beat"]\n',
                'CMD ["celery", "-A", "proj", "beat", "--schedule", "/tmp/celerybeat-schedule"]\n', filename="Dockerfile"),
        Example("an existing -s", "exec celery -A proj beat -s /app/celerybeat-schedule\n",
                "exec celery -A proj beat -s /tmp/celerybeat-schedule\n", filename="start.sh"),
        Example("a worker keeps no schedule", "worker: celery -A proj worker -l info\n", filename="Procfile"),
        Example("a schedule named at run time", 'exec celery -A proj beat -s "$(mktemp)"\n',
                refuses="cannot see into", filename="start.sh"),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Celery', lambda text: celery.find_invocations(text, filename, SETTINGS), before, after)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        reading = celery.read(source, filename, SETTINGS)
        return source if reading is None else reading.rewrite(change=_change, add=_add)
