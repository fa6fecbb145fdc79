"""Where a file starts a Celery worker, beat, events or multi, with its --logfile/-f flags: what celery-stderr drops and the rooms judge.

Celery opens the log file at start and exits when it cannot ("FileNotFoundError … celery/app/log.py"). The same
deploy files as Gunicorn's are read, by the same readers (fixbot/formats/deploy/).
"""

from __future__ import annotations


from fixbot.formats.deploy.table import COMMAND_LINES, Reading, read_as
from fixbot.formats.deploy.edits import Anchor, Target, drop_words
from fixbot.formats.deploy.scan import Invocation, LogFlag, Program, Scan, variables
from fixbot.formats.deploy.words import Word

__all__ = ["CELERY", "FORMATS", "find_invocations", "read"]

# `celery [global options] COMMAND [options]`: the global options that take a value (celery/bin/celery.py).
_GLOBAL_VALUES = frozenset({b"-A", b"--app", b"-b", b"--broker", b"--result-backend", b"--loader", b"--config",
                            b"--workdir"})
# The commands with --logfile (CeleryDaemonCommand in celery/bin/base.py), and `multi`, which passes it on.
_COMMANDS = frozenset({"worker", "beat", "events", "multi"})


# The options of a worker, beat or events that name a file (click: no abbreviations), by the setting they set.
_OPTIONS = {b"-f": "logfile", b"--logfile": "logfile", b"-s": "schedule", b"--schedule": "schedule",
            b"--pidfile": "pidfile"}


def _spell(setting: str) -> str:
    """The option that sets `setting`, as a new option is written (`schedule` → `--schedule`)."""
    return next(o.decode() for o, s in _OPTIONS.items() if s == setting and o.startswith(b"--"))


def _celery_args(scan: Scan, words: list[Word], kind: str, line: int, found=None) -> None:
    """Read Celery's arguments: its command, then every option of a worker, beat, events or multi that sets one of
    the settings asked for (its --logfile/-f unless told: those are dropped by celery-stderr's edits)."""
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
        before = words[i - 2] if i >= 2 else scan.leading
        found.anchor = Anchor(words[i - 1], words[i] if i < len(words) else None, before)
    state, flags = found.state, list(found.invocation.flags)
    wanted = scan.program.settings
    while i < len(words):
        word, prefix = words[i], words[i].prefix
        if prefix == b"--" and word.static is not None:
            break
        name, eq, _ = prefix.partition(b"=")
        if word.static in (b"-D", b"--detach"):
            state["detach"] = True
        setting = _OPTIONS.get(name)
        short = prefix[:2] if not prefix.startswith(b"--") and len(word.shown) > 2 else b""
        if setting in wanted and (eq or i + 1 < len(words)):
            last = i if eq else i + 1
            units = word.units[next(k for k, u in enumerate(word.units) if u.text == b"=") + 1:] if eq else words[last].units
        elif _OPTIONS.get(short) in wanted and short:
            setting, name, last, units = _OPTIONS[short], short, i, word.units[2:]  # click: `-f/x.log` is `-f /x.log`
        else:
            found.variables += variables(word)
            i += 1
            continue
        flag = name.decode(errors="replace")
        value = b"".join(u.shown for u in units).decode(errors="replace")
        lead = [scan.leading] if scan.leading is not None else []
        drop = drop_words(scan.source, lead + words, i + len(lead), last + len(lead))
        flags.append(LogFlag(setting, flag, value, scan.line(word.start)))
        found.targets.append((flags[-1], Target(words[last], tuple(units), words[last].start, drop)))
        if setting == "logfile":
            found.edits.append(drop)  # celery-stderr's decision: Celery has no value meaning stderr
        i = last + 1
    found.invocation = Invocation(found.invocation.line, found.invocation.kind, tuple(flags), command=state["command"])
    logfiles = [f for f in flags if f.setting == "logfile"]
    if logfiles and state["command"] == "multi":
        found.problem = (f"celery multi on line {found.invocation.line} detaches its workers, and without --logfile "
                         "they log to /var/log/celery/%n%I.log (celery/apps/multi.py): there is no stderr to send "
                         "them to; start `celery worker` in the foreground instead")
    elif logfiles and state.get("detach"):
        found.problem = (f"the Celery started on line {found.invocation.line} runs detached (--detach): its stderr "
                         "is /dev/null, so without --logfile its logs would be lost")


CELERY = Program("celery", _celery_args, settings=frozenset({"logfile"}), spell=_spell)
FORMATS = COMMAND_LINES  # Celery has no config reader


def read(source: str, filename: str, settings=frozenset({"logfile"})) -> Reading | None:
    # A Python module is left alone: Celery's own settings (worker_logfile) are not a command line.
    return read_as(source, filename, CELERY.reading(settings), FORMATS)


def find_invocations(source: str, filename: str, settings=frozenset({"logfile"})) -> list[Invocation]:
    """Each place in the file that starts a Celery worker, beat, events or multi, with the options of `settings`
    (its --logfile/-f unless told: `schedule`, `pidfile`)."""
    reading = read(source, filename, settings)
    return [] if reading is None else reading.invocations


