"""Procfiles (Heroku, honcho, foreman): each process type's command line is read as a shell command."""

from __future__ import annotations

import re

from codemods.gunicorn_stdout.scan import Scan
from codemods.gunicorn_stdout.words import Script


def read(source: str) -> Scan | None:
    return Scan.of(source, _read)


def _read(f: Scan) -> None:
    for m in re.finditer(rb"(?m)^[ \t]*[\w.-]+[ \t]*:[ \t]*(.*)$", f.source):
        if b"gunicorn" in m.group(1).lower():
            f.script(Script(m.group(1), base=m.start(1)))

