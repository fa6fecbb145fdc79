"""supervisord configuration: the `command=` of each [program:x] section, which supervisord splits like shlex."""

from __future__ import annotations

import re

from fixbot.formats.deploy.scan import Program, Scan
from fixbot.formats.deploy.words import Unit, literal_units, split


def read(source: str, program: Program | None = None) -> Scan | None:
    return Scan.of(source, _read, program)


_PROGRAM = re.compile(rb"(?ms)^\[(?:fcgi-)?program:[^\]\n]*\][^\n]*\n(.*?)(?=^\[|\Z)")
_COMMAND = re.compile(rb"(?mi)^command[ \t]*[=:][ \t]*")


def _read(f: Scan) -> None:
    """`command=` of each [program:x]; supervisord shlex-splits it, continuation lines (indented) included."""
    src = f.source
    for section in _PROGRAM.finditer(src):
        for m in _COMMAND.finditer(src, section.start(1), section.end(1)):
            value: list[Unit] = []
            pos = m.end()
            while pos < section.end(1):
                eol = src.find(b"\n", pos, section.end(1))
                eol = section.end(1) if eol < 0 else eol
                line = src[pos:eol]
                if value and (not line.strip() or line[:1] not in (b" ", b"\t")):
                    break
                comment = re.search(rb"[ \t][;#]", line)  # supervisord's inline comments
                value += literal_units(src, pos, pos + comment.start() if comment else eol) + [Unit(b"\n", eol, eol)]
                pos = eol + 1
            if f.names(b"".join(u.shown for u in value)):
                f.argv(split(value))

