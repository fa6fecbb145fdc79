"""What files say: the readers fixbot's codemods, rooms and `fixbot check` share, and their byte-keeping edits.

The bottom layer: nothing here imports from the rest of fixbot. `python` parses Python safely, `logconfig` is the
one reader of the logging configurations a file holds (Python dictConfig literals and Django's LOGGING, YAML, JSON,
fileConfig INI) with their edits, `deploy` reads how a process is started (shell, Dockerfile, Procfile,
supervisord, compose, systemd, Gunicorn config modules).
"""

from __future__ import annotations

import functools
import posixpath
import re
from fnmatch import translate


@functools.lru_cache(maxsize=512)
def _matchers(patterns: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """`patterns` as two regexes (fnmatch's own translation): those of a path (holding a /), those of a name."""
    def one(group: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(translate(p) for p in group)) if group else None

    return one([p for p in patterns if "/" in p]), one([p for p in patterns if "/" not in p])


def named(file: str, patterns: tuple[str, ...]) -> bool:
    """Whether a repo-relative file goes by one of `patterns` (fnmatch, lower case; of its path when they hold a /).
    Asked of every tracked file by check and apply's start path: each tuple of patterns is compiled once."""
    by_path, by_name = _matchers(tuple(patterns))
    lower = file.lower()
    return bool((by_name is not None and by_name.match(posixpath.basename(lower)))
                or (by_path is not None and by_path.match(lower)))


class Refusal(Exception):
    """A file cannot be read or rewritten with certainty; the message says why, in one line."""


class NothingToDo(Refusal):
    """The file holds nothing the reader is about (no LOGGING at all): `fixbot codemod` leaves it and exits 0,
    like libcst's SkipFile, so it can run over `settings/*.py`; `fixbot apply`, which chose the file, refuses."""
