"""Every deploy-file format gunicorn-stdout knows, in one table: its name, the file names it goes by, its reader.

`fixbot codemod` tells a file's format from this table, `fixbot apply` looks for Gunicorn in the files it
names, and fixbot.repo looks for DJANGO_SETTINGS_MODULE in the same files: a new format is one reader module
and one line here.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Callable, Protocol

from fixbot.formats import Refusal
from fixbot.formats.python import SOURCE_FILES
from fixbot.formats.deploy import compose, dockerfile, procfile, shell, supervisord, systemd
from fixbot.formats.deploy import gunicorn_config as config_module
from fixbot.formats.deploy.scan import Invocation, Program


class Reading(Protocol):
    """What a reader makes of one file: where it starts or configures Gunicorn, and the file rewritten."""

    @property
    def invocations(self) -> list[Invocation]: ...

    def rewrite(self, **options: object) -> str: ...


@dataclass(frozen=True)
class Format:
    """One kind of file. Patterns are lower-case fnmatch patterns of the file's name, or of its path when they
    hold a "/". `files` are the names fixbot looks for in a repository; `also` are more names the format goes by
    when a file is handed to the codemod (any `*.yml` may be a compose file, but not every one is worth reading).
    `sniff` (re.match on the text, or a test of it) tells the format of a file whose name says nothing. A name in
    `unless_sniffed` is this format's only when the text does not sniff as another format: `gunicorn.conf` is a
    Python config module for `gunicorn -c`, or a supervisord file with a `[program:gunicorn]` section."""

    name: str
    files: tuple[str, ...]
    read: Callable[..., Reading | None] | None  # (source, program=GUNICORN); None: read only for DJANGO_SETTINGS_MODULE
    also: tuple[str, ...] = ()
    sniff: str | Callable[[str], bool] | None = None
    unless_sniffed: tuple[str, ...] = ()

    def sniffs(self, source: str) -> bool:
        """Whether the text says it is of this format (a regex matched at its start, or a test of its own)."""
        if self.sniff is None:
            return False
        return bool(re.match(self.sniff, source)) if isinstance(self.sniff, str) else self.sniff(source)

    def takes(self, path: str) -> bool:
        """Whether a file at `path` (lower case, forward slashes) goes by one of this format's names."""
        return _matches(path, self.files + self.also)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    name = posixpath.basename(path)
    return any(fnmatch(path if "/" in p else name, p) for p in patterns)


_SHEBANG = r"#!\S*(/|env\s+)(ba|da|z|k)?sh\b"

# In the order names are tried: the first format that takes a name has it (`entrypoint.py` is Python,
# `start.ini` supervisord). A script with a shebang is a script even when it writes a `[program:x]` section.
FORMATS = (
    Format("python", ("gunicorn*.py", "*gunicorn*.conf.py", "gunicorn*.conf"), config_module.read, also=SOURCE_FILES,
           sniff=config_module.looks_like, unless_sniffed=("gunicorn*.conf",)),
    Format("dockerfile", ("dockerfile*", "*.dockerfile", "containerfile*"), dockerfile.read),
    Format("procfile", ("procfile*",), procfile.read),
    Format("compose", ("docker-compose*.yml", "docker-compose*.yaml", "compose*.yml", "compose*.yaml"), compose.read,
           also=("*.yml", "*.yaml")),
    Format("supervisord", ("supervisor*.conf", "supervisor*/*.conf", "*/supervisor*/*.conf", "supervisor*/*.ini",
                           "*/supervisor*/*.ini"), supervisord.read, also=("*.ini",),
           sniff=rf"(?s)(?!{_SHEBANG})(?:.*?\n)??[ \t]*\[(?:fcgi-)?program:[^\]\n=]*\]"),
    Format("systemd", ("*.service", "*.service.d/*.conf"), systemd.read, sniff=r"(?s)(?:.*?\n)??[ \t]*\[Service\][ \t]*\r?\n"),
    Format("env-file", (".env", "*.env", ".env.*"), None),
    Format("shell", ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run"), shell.read,
           sniff=_SHEBANG),
)
# The formats that start a program on a command line (a Python config module starts nothing: it is read for
# Gunicorn's settings only)
COMMAND_LINES = tuple(f for f in FORMATS if f.read is not None and f.name != "python")
COMMAND_LINE_NAMES = tuple(f.name for f in COMMAND_LINES)


def format_of(source: str, filename: str) -> Format | None:
    """The format gunicorn-stdout reads a file as, by its name, else by its text; None when neither tells."""
    path = filename.replace("\\", "/").lower()
    readable = [f for f in FORMATS if f.read]
    named = next((f for f in readable if f.takes(path)), None)
    if named and not _matches(path, named.unless_sniffed):
        return named
    return next((f for f in readable if f is not named and f.sniffs(source)), named)


def files(*, rewritten: bool = False) -> tuple[str, ...]:
    """The file-name patterns of every format (only of those gunicorn-stdout rewrites, with `rewritten`)."""
    return tuple(p for f in FORMATS if f.read or not rewritten for p in f.files)


def read_as(source: str, filename: str, program: Program, formats: tuple[Format, ...] = FORMATS) -> Reading | None:
    """What the file's reader makes of `program` in it: None for a file no format of `formats` reads; Refusal
    when neither its name nor its text tells its kind but it names the program."""
    found = format_of(source, filename)
    if found is None:
        if program.name in source.lower():
            raise Refusal(f"cannot tell what kind of file {posixpath.basename(filename) or 'this'} is")
        return None
    return found.read(source, program=program) if found in formats else None
