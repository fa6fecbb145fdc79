"""celery-stderr: drop Celery's --logfile/-f wherever a worker, beat or events is started, so it logs to stderr.

Celery opens the log file at start and exits when it cannot ("FileNotFoundError … celery/app/log.py"). There is
no value that means stderr: `-f -` writes a file named "-" (`Logging._detect_handler` in celery/app/log.py makes
a StreamHandler only for no file at all, a WatchedFileHandler for any name). Leaving the flag out is what logs to
stderr (`DaemonOption("--logfile", "-f", help="Log destination; defaults to stderr")`, celery/bin/base.py).
It reads the same deploy files as gunicorn-stdout, with the same readers (codemods/gunicorn_stdout/).
"""

from __future__ import annotations

import re
from typing import Any

from fixbot.codemods import Codemod, Example, Refusal
from fixbot.codemods.gunicorn_stdout.formats import FORMATS, Reading, read_as
from fixbot.codemods.gunicorn_stdout.scan import Edit, Invocation, LogFlag, Program, Scan, variables
from fixbot.codemods.gunicorn_stdout.words import Word

__all__ = ["CeleryStderr", "find_invocations"]

# `celery [global options] COMMAND [options]`: the global options that take a value (celery/bin/celery.py).
_GLOBAL_VALUES = frozenset({b"-A", b"--app", b"-b", b"--broker", b"--result-backend", b"--loader", b"--config",
                            b"--workdir"})
# The commands with --logfile (CeleryDaemonCommand in celery/bin/base.py), and `multi`, which passes it on.
_COMMANDS = frozenset({"worker", "beat", "events", "multi"})
# What may lie between two words of one command line: blanks, line continuations, JSON commas, YAML dashes.
_GAP = re.compile(rb"[ \t\r\n\\,-]*")


def _celery_args(scan: Scan, words: list[Word], kind: str, line: int, found=None) -> None:
    """Read Celery's arguments: its command, then every --logfile/-f of a worker, beat, events or multi."""
    i = 0
    if found is None:
        command = None
        while i < len(words) and command is None:
            word = words[i].static
            if word is None:
                return  # the command comes from a variable: not a Celery start fixbot can read
            i += 2 if word in _GLOBAL_VALUES else 1
            if not word.startswith(b"-"):
                command = word.decode(errors="replace")
        if command not in _COMMANDS:
            return
        found = scan.invocation(line, kind)
        found.state["command"] = command
    state, flags = found.state, list(found.invocation.flags)
    while i < len(words):
        word, prefix = words[i], words[i].prefix
        if prefix == b"--" and word.static is not None:
            break
        name, eq, _ = prefix.partition(b"=")
        if word.static in (b"-D", b"--detach"):
            state["detach"] = True
        if name in (b"-f", b"--logfile") and (eq or i + 1 < len(words)):
            last = i if eq else i + 1
            value = word.shown.partition(b"=")[2] if eq else words[last].shown
        elif prefix.startswith(b"-f") and not prefix.startswith(b"--") and len(word.shown) > 2:
            last, value = i, word.shown[2:]  # click reads `-f/var/log/x.log` as `-f /var/log/x.log`
        else:
            found.variables += variables(word)
            i += 1
            continue
        flag = name.decode(errors="replace") if name.startswith(b"--") else "-f"
        flags.append(LogFlag("logfile", flag, value.decode(errors="replace"), scan.line(word.start)))
        found.edits.append(_drop(scan.source, words, i, last))
        i = last + 1
    found.invocation = Invocation(found.invocation.line, found.invocation.kind, tuple(flags))
    if flags and state["command"] == "multi":
        found.problem = (f"celery multi on line {found.invocation.line} detaches its workers, and without --logfile "
                         "they log to /var/log/celery/%n%I.log (celery/apps/multi.py): there is no stderr to send "
                         "them to; start `celery worker` in the foreground instead")
    elif flags and state.get("detach"):
        found.problem = (f"the Celery started on line {found.invocation.line} runs detached (--detach): its stderr "
                         "is /dev/null, so without --logfile its logs would be lost")


def _drop(source: bytes, words: list[Word], first: int, last: int) -> Edit:
    """The edit removing words[first..last] with the blanks before them (or after, when they open the line)."""
    a, b = words[first].start, words[last].end
    if first > 0 and _GAP.fullmatch(source, words[first - 1].end, a):
        return words[first - 1].end, b, b""
    if last + 1 < len(words) and _GAP.fullmatch(source, b, words[last + 1].start):
        return a, words[last + 1].start, b""
    return a, b, b""


CELERY = Program("celery", _celery_args)
_FORMATS = tuple(f for f in FORMATS if f.read is not None and f.name != "python")  # Celery has no config reader


def _read(source: str, filename: str) -> Reading | None:
    # A Python module is left alone: Celery's own settings (worker_logfile) are not a command line.
    return read_as(source, filename, CELERY, _FORMATS)


def find_invocations(source: str, filename: str) -> list[Invocation]:
    """Each place in the file that starts a Celery worker, beat, events or multi, with its --logfile flags."""
    reading = _read(source, filename)
    return [] if reading is None else reading.invocations


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
    FILES = tuple(p for f in _FORMATS for p in f.files)
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
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        reading = _read(source, filename)
        return source if reading is None else reading.rewrite(**options)
