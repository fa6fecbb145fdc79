"""Procfiles (Heroku, honcho, foreman): each process type's command line is read as a shell command."""

from __future__ import annotations

import re

from fixbot.formats.deploy.scan import Program, Scan
from fixbot.formats.deploy.words import Script


def read(source: str, program: Program | None = None) -> Scan | None:
    return Scan.of(source, _read, program)


def _read(f: Scan) -> None:
    for m in re.finditer(rb"(?m)^[ \t]*[\w.-]+[ \t]*:[ \t]*(.*)$", f.source):
        if f.names(m.group(1)):
            f.script(Script(m.group(1), base=m.start(1)))

