"""The directory a start line of a deploy file runs in, where the file spells it: a shell `cd`, a Dockerfile `WORKDIR`, a compose `working_dir:`, the program's own `--chdir`/`--workdir`."""

from __future__ import annotations

import posixpath
import re

_CD = re.compile(r"""(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)(?:cd|pushd)\s+(?P<q>['"]?)(?P<dir>[^\s'";&|)]*)(?P=q)""")
_WORKDIR = re.compile(r"(?im)^[ \t]*WORKDIR[ \t]+['\"]?(?P<dir>[^\s'\"]+)")
_WORKING_DIR = re.compile(r"""^(?P<indent>[ \t]*)(?:working_dir|workingDir)[ \t]*:[ \t]*['"]?(?P<dir>[^\s'"#]+)""")
# Gunicorn's --chdir and Celery's --workdir move the process before it opens its log files.
_OWN = re.compile(r"""(?:--chdir|--workdir)(?:=|\s+)(?P<q>['"]?)(?P<dir>[^\s'"]+)(?P=q)""")


def at(file: str, text: str, line: int) -> str | None:
    """The absolute directory the start at 1-based `line` of `file` runs in, None when the file does not say it
    literally (a `cd "$(dirname "$0")"`, a variable, nothing at all)."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    start = lines[line - 1]
    own = _OWN.search(start)
    base = _before(file, lines, line)
    if own:
        return _join(base, own["dir"])
    return base


def _before(file: str, lines: list[str], line: int) -> str | None:
    name = posixpath.basename(file).lower()
    if name.startswith(("dockerfile", "containerfile")) or name.endswith(".dockerfile"):
        cwd = None
        for text in lines[:line]:
            found = _WORKDIR.match(text)
            if found:
                cwd = _join(cwd, found["dir"])
        return cwd
    if name.endswith((".yml", ".yaml")):
        return _compose(lines, line)
    cwd: str | None = None
    for number, text in enumerate(lines[:line], 1):
        program = re.search(r"\b(?:gunicorn|celery|uvicorn)\b", text) if number == line else None
        for found in _CD.finditer(text[: program.start()] if program else text):
            cwd = _join(cwd, found["dir"]) if found["dir"] else None
    return cwd


def _compose(lines: list[str], line: int) -> str | None:
    """`working_dir:` of the service whose block holds `line` (before or after it, at the same indentation)."""
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    top = line - 1
    while top > 0 and (not lines[top - 1].strip() or len(lines[top - 1]) - len(lines[top - 1].lstrip()) >= indent):
        top -= 1
    end = line
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) >= indent):
        end += 1
    for text in lines[top:end]:
        found = _WORKING_DIR.match(text)
        if found and len(found["indent"]) == indent and found["dir"].startswith("/"):
            return posixpath.normpath(found["dir"])
    return None


def _join(cwd: str | None, directory: str) -> str | None:
    if "$" in directory or "`" in directory or directory.startswith("~"):
        return None
    if directory.startswith("/"):
        return posixpath.normpath(directory)
    return posixpath.normpath(posixpath.join(cwd, directory)) if cwd else None


def absolute(file: str, text: str, line: int, value: str) -> str | None:
    """`value`, a path a start at `line` passes, made absolute through the directory it runs in (None: unknown)."""
    if value.startswith("/"):
        return posixpath.normpath(value)
    cwd = at(file, text, line)
    return posixpath.normpath(posixpath.join(cwd, value)) if cwd and "$" not in value else None
