"""Where a file starts a Celery worker, beat, events or multi, with its --logfile/-f flags: what celery-stderr drops and the rooms judge.

Celery opens the log file at start and exits when it cannot ("FileNotFoundError … celery/app/log.py"). The same
deploy files as Gunicorn's are read, by the same readers (fixbot/formats/deploy/).
"""

from __future__ import annotations


from fixbot.formats.deploy.table import FORMATS as ALL_FORMATS, Reading, read_as
from fixbot.formats.deploy.edits import drop_words
from fixbot.formats.deploy.scan import Invocation, LogFlag, Program, Scan, variables
from fixbot.formats.deploy.words import Word

__all__ = ["CELERY", "FORMATS", "find_invocations", "read"]

# `celery [global options] COMMAND [options]`: the global options that take a value (celery/bin/celery.py).
_GLOBAL_VALUES = frozenset({b"-A", b"--app", b"-b", b"--broker", b"--result-backend", b"--loader", b"--config",
                            b"--workdir"})
# The commands with --logfile (CeleryDaemonCommand in celery/bin/base.py), and `multi`, which passes it on.
_COMMANDS = frozenset({"worker", "beat", "events", "multi"})


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
        found.edits.append(drop_words(scan.source, words, i, last))
        i = last + 1
    found.invocation = Invocation(found.invocation.line, found.invocation.kind, tuple(flags))
    if flags and state["command"] == "multi":
        found.problem = (f"celery multi on line {found.invocation.line} detaches its workers, and without --logfile "
                         "they log to /var/log/celery/%n%I.log (celery/apps/multi.py): there is no stderr to send "
                         "them to; start `celery worker` in the foreground instead")
    elif flags and state.get("detach"):
        found.problem = (f"the Celery started on line {found.invocation.line} runs detached (--detach): its stderr "
                         "is /dev/null, so without --logfile its logs would be lost")


CELERY = Program("celery", _celery_args)
FORMATS = tuple(f for f in ALL_FORMATS if f.read is not None and f.name != "python")  # Celery has no config reader


def read(source: str, filename: str) -> Reading | None:
    # A Python module is left alone: Celery's own settings (worker_logfile) are not a command line.
    return read_as(source, filename, CELERY, FORMATS)


def find_invocations(source: str, filename: str) -> list[Invocation]:
    """Each place in the file that starts a Celery worker, beat, events or multi, with its --logfile flags."""
    reading = read(source, filename)
    return [] if reading is None else reading.invocations


