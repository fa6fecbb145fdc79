"""What files say: the readers fixbot's codemods, rooms and `fixbot check` share, and their byte-keeping edits.

The bottom layer: nothing here imports from the rest of fixbot. `python` parses Python safely, `logconfig` is the
one reader of the logging configurations a file holds (Python dictConfig literals and Django's LOGGING, YAML, JSON,
fileConfig INI) with their edits, `deploy` reads how a process is started (shell, Dockerfile, Procfile,
supervisord, compose, systemd, Gunicorn config modules).
"""

from __future__ import annotations

import posixpath
from fnmatch import fnmatch


def named(file: str, patterns: tuple[str, ...]) -> bool:
    """Whether a repo-relative file goes by one of `patterns` (fnmatch, lower case; of its path when they hold a /)."""
    name = posixpath.basename(file).lower()
    return any(fnmatch(file.lower() if "/" in p else name, p) for p in patterns)


class Refusal(Exception):
    """A file cannot be read or rewritten with certainty; the message says why, in one line."""


class NothingToDo(Refusal):
    """The file holds nothing the reader is about (no LOGGING at all): `fixbot codemod` leaves it and exits 0,
    like libcst's SkipFile, so it can run over `settings/*.py`; `fixbot apply`, which chose the file, refuses."""
