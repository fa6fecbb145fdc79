"""Where a file starts uvicorn, with its --host and --port as written: what bind-platform-port rewrites and its room judges.

The same deploy files as Gunicorn's are read, by the same readers (fixbot/formats/deploy/); uvicorn's options are
click's (no abbreviations), `--opt value` or `--opt=value`.
"""

from __future__ import annotations

from fixbot.formats.deploy.edits import Target, drop_words
from fixbot.formats.deploy.scan import LogFlag, Program, Scan, variables
from fixbot.formats.deploy.table import COMMAND_LINES, Reading, read_as
from fixbot.formats.deploy.words import Word

__all__ = ["UVICORN", "find_invocations", "read"]

# The options that say where uvicorn listens (uvicorn/main.py), by the setting they set.
_OPTIONS = {b"--host": "host", b"--port": "port", b"--uds": "uds", b"--fd": "fd"}
SETTINGS = frozenset(_OPTIONS.values())


def _spell(setting: str) -> str:
    return next(o.decode() for o, s in _OPTIONS.items() if s == setting)


def _uvicorn_args(scan: Scan, words: list[Word], kind: str, line: int, found=None) -> None:
    """Read uvicorn's arguments: every option of the settings asked for, with where its value is."""
    if found is None:
        found = scan.invocation(line, kind)
    flags = list(found.invocation.flags)
    i = 0
    while i < len(words):
        word, prefix = words[i], words[i].prefix
        if prefix == b"--" and word.static is not None:
            break
        name, eq, _ = prefix.partition(b"=")
        setting = _OPTIONS.get(name)
        if setting not in scan.program.settings or not (eq or i + 1 < len(words)):
            found.variables += variables(word)
            i += 1
            continue
        last = i if eq else i + 1
        if eq:
            units = word.units[next(k for k, u in enumerate(word.units) if u.text == b"=") + 1:]
        else:
            units = words[last].units
        lead = [scan.leading] if scan.leading is not None else []
        drop = drop_words(scan.source, lead + words, i + len(lead), last + len(lead))
        value = b"".join(u.shown for u in units).decode(errors="replace")
        flags.append(LogFlag(setting, name.decode(errors="replace"), value, scan.line(word.start)))
        insert = units[0].start if units else words[last].end
        found.targets.append((flags[-1], Target(words[last], tuple(units), insert, drop)))
        i = last + 1
    found.invocation = type(found.invocation)(found.invocation.line, found.invocation.kind, tuple(flags))


UVICORN = Program("uvicorn", _uvicorn_args, settings=SETTINGS, spell=_spell)
FORMATS = COMMAND_LINES  # uvicorn.run() is code


def read(source: str, filename: str, settings=SETTINGS) -> Reading | None:
    return read_as(source, filename, UVICORN.reading(settings), FORMATS)


def find_invocations(source: str, filename: str, settings=SETTINGS) -> list:
    """Each place in the file that starts uvicorn, with its --host/--port/--uds/--fd as written."""
    reading = read(source, filename, settings)
    return [] if reading is None else reading.invocations
