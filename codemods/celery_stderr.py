"""celery-stderr: drop Celery's --logfile/-f wherever a worker, beat or events is started, so it logs to stderr.

Celery opens the log file at start and exits when it cannot ("FileNotFoundError … celery/app/log.py"). There is
no value that means stderr: `-f -` writes a file named "-" (`Logging._detect_handler` in celery/app/log.py makes
a StreamHandler only for no file at all, a WatchedFileHandler for any name). Leaving the flag out is what logs to
stderr (`DaemonOption("--logfile", "-f", help="Log destination; defaults to stderr")`, celery/bin/base.py).
It reads the same deploy files as gunicorn-stdout, with the same readers (codemods/gunicorn_stdout/).
"""

from __future__ import annotations

from typing import Any

from fixbot.codemods import Codemod, Example
from fixbot.formats.deploy import celery
from fixbot.formats.deploy.table import COMMAND_LINE_NAMES

__all__ = ["CeleryStderr"]


class CeleryStderr(Codemod):
    NAME = "celery-stderr"
    DESCRIPTION = (
        "Drop Celery's --logfile/-f so a worker, beat or events logs to stderr (Celery has no value meaning stderr: "
        "`-f -` writes a file named '-'), wherever it is started: shell scripts (also inside bash -c and su -c "
        "strings), Dockerfiles, Procfiles, supervisord programs, docker-compose services, systemd units (journald "
        "keeps their stderr). Refuses celery multi and "
        "--detach, which have no stderr."
    )
    HANDLES = ("celery-logfile",)
    FILES = tuple(p for f in celery.FORMATS for p in f.files)
    FORMATS = COMMAND_LINE_NAMES
    EXAMPLES = (
        Example(
            "worker in a bash -c string with continuations",
            'su app -c "celery -A proj worker \\\n  --loglevel=INFO \\\n  --logfile=/var/log/celery/worker.log \\\n'
            '  --pool solo" &\n',
            'su app -c "celery -A proj worker \\\n  --loglevel=INFO \\\n  --pool solo" &\n',
            filename="entrypoint.sh",
        ),
        Example(
            "Dockerfile exec form",
            'CMD ["celery", "-A", "proj", "worker", "-f", "/logs/celery.log", "-l", "info"]\n',
            'CMD ["celery", "-A", "proj", "worker", "-l", "info"]\n',
            filename="Dockerfile",
        ),
        Example(
            "`-f -` is a file named '-'",
            "worker: celery -A proj worker -f - -l info\nbeat: celery -A proj beat -f/var/log/beat.log\n",
            "worker: celery -A proj worker -l info\nbeat: celery -A proj beat\n",
            filename="Procfile",
        ),
        Example(
            "compose command as a list",
            "services:\n  worker:\n    command:\n      - celery\n      - worker\n      - --logfile\n"
            "      - /var/log/celery.log\n",
            "services:\n  worker:\n    command:\n      - celery\n      - worker\n",
            filename="docker-compose.yml",
        ),
        Example(
            "systemd unit, the log file from Environment=",
            "[Service]\nEnvironment=LOG=/var/log/celery/w.log\nExecStart=/srv/venv/bin/celery -A proj worker \\\n"
            "    --logfile=${LOG} -l info\n",
            "[Service]\nEnvironment=LOG=/var/log/celery/w.log\nExecStart=/srv/venv/bin/celery -A proj worker -l info\n",
            filename="worker.service",
        ),
        Example("already on stderr", "[program:worker]\ncommand=celery -A proj worker -l info\n",
                filename="supervisord.conf"),
        Example("not a command that logs", "#!/bin/sh\ncelery -A proj inspect ping -d w1@host\n", filename="check.sh"),
        Example(
            "celery multi",
            "celery multi start w1 -A proj -l INFO --logfile=/var/log/celery/%n%I.log\n",
            refuses="celery multi on line 1 detaches its workers",
            filename="start.sh",
        ),
        Example(
            "detached worker",
            "exec celery -A proj worker --detach -f /var/log/celery/w.log\n",
            refuses="runs detached",
            filename="start.sh",
        ),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.deploy.changes import described

        return described('Celery', lambda text: celery.find_invocations(text, filename), before, after, dropped="it logs to stderr")

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        reading = celery.read(source, filename)
        return source if reading is None else reading.rewrite(**options)
