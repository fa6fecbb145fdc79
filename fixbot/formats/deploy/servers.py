"""The lines of a deploy file that start a server or a worker with its application, as the file spells them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# The program word, with the path it is run by (`/app/.venv/bin/gunicorn`, `python -m uvicorn`).
_SERVER = re.compile(r"(?:(?:python[\d.]*\s+-m\s+)|(?:[\w.${}/-]*/))?(?<![\w-])"
                     r"(?P<program>gunicorn|uvicorn|daphne|hypercorn|waitress-serve|celery|(?:python[\d.]*\s+)?"
                     r"(?:\./)?manage\.py\s+runserver)(?![\w-])")
_APPLICATION = re.compile(r"[\w.]+:[\w.]+|(?<!\S)(?:-A|--app)[\s=]|runserver|\bwsgi\b|\basgi\b")
_NOT_STARTS = re.compile(r"\b(?:pip3?|install|apt(?:-get)?|apk|poetry\s+add|which|echo|printf|grep|pkill|pgrep)\b")


@dataclass(frozen=True)
class Start:
    """One line that starts `program` (gunicorn, uvicorn, celery, …, runserver) with its application."""

    line: int
    program: str
    command: str


def read(text: str) -> list[Start]:
    """Each start line of a file's text (comments already removed): a shell line with its continuations, a
    Procfile/supervisord/systemd/compose `key: command`, or a Dockerfile/compose exec-form JSON array."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        first, joined = i, lines[i]
        while joined.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            joined = joined.rstrip()[:-1].rstrip() + " " + lines[i].strip()
        i += 1
        array = re.search(r"\[\s*\".*\"\s*\]", joined)
        if array:
            try:
                argv = json.loads(array.group())
            except ValueError:
                argv = None
            if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
                joined = " ".join(argv)
        found = _SERVER.search(joined)
        if not found or _NOT_STARTS.search(joined[: found.start()]):
            continue
        command = joined[found.start():].strip().strip("'\"")
        command = re.split(r"\s+(?:&&|\|\||;|\|)\s+|\s*;\s*$|\s+&\s*$", command)[0].strip()
        if _APPLICATION.search(command):
            program = found["program"].split()[-1] if "runserver" in found["program"] else found["program"]
            out.append(Start(first + 1, "runserver" if "runserver" in program else program, command))
    return out
