"""Which of a build context's files `.dockerignore` keeps out of `COPY`/`ADD`, by Docker's own pattern rules.

The rules are those of moby/patternmatcher (what BuildKit and the classic builder use): one pattern a line, `#`
lines are comments, a leading `/` is dropped and the pattern cleaned as a path; `*` is any run of characters but
`/`, `?` one such character, `**` any number of directories (none too); a pattern that matches a directory
excludes everything below it; `!` makes an exception, and the last pattern that matches a path decides.
A Dockerfile's own `<name>.dockerignore` beside it wins over the context's `.dockerignore`.
"""

from __future__ import annotations

import posixpath
import re
from typing import Callable


def patterns(text: str) -> list[tuple[re.Pattern, bool]]:
    """(regex, is an exception) for each pattern of a .dockerignore, in order."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        line = line[1:].strip() if exception else line
        if not line:
            continue
        line = posixpath.normpath(line)
        if len(line) > 1 and line.startswith("/"):
            line = line[1:]
        out.append((_regex(line), exception))
    return out


def _regex(pattern: str) -> re.Pattern:
    """patternmatcher's translation of one cleaned pattern into an anchored regex."""
    out, i = "", 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            if pattern[i + 1: i + 2] == "*":
                i += 2
                if pattern[i: i + 1] == "/":
                    i += 1
                out += ".*" if i >= len(pattern) else "(.*/)?"
                continue
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out += re.escape(ch)
            else:
                body = pattern[i + 1: end]
                out += "[" + ("^" + body[1:] if body.startswith("^") else body).replace("\\", "\\\\") + "]"
                i = end
        else:
            out += re.escape(ch)
        i += 1
    try:
        return re.compile(out + r"\Z")
    except re.error:  # a malformed class: Docker refuses the file; match nothing rather than guess
        return re.compile(r"(?!)")


def excluded(path: str, rules: list[tuple[re.Pattern, bool]]) -> bool:
    """Whether `path` (relative to the build context) is left out of the context."""
    parts = path.split("/")
    parents = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    out = False
    for regex, exception in rules:
        if regex.match(path) or any(regex.match(p) for p in parents):
            out = not exception
    return out


def rules_for(context: str, dockerfile: str, read: Callable[[str], str | None]) -> list[tuple[re.Pattern, bool]]:
    """The .dockerignore rules a build of `dockerfile` with context `context` (repo-relative, "" for the top) uses."""
    own = read(dockerfile + ".dockerignore")
    if own is not None:
        return patterns(own)
    text = read(posixpath.join(context, ".dockerignore") if context else ".dockerignore")
    return patterns(text) if text is not None else []


def kept_dirs(files: list[str], context: str, rules: list[tuple[re.Pattern, bool]]) -> set[str]:
    """The repo-relative directories that arrive in a build context: those with a tracked file below them that
    `.dockerignore` keeps (an exception under an excluded directory brings that directory along)."""
    prefix = context + "/" if context else ""
    kept: set[str] = set()
    for file in files:
        if not file.startswith(prefix):
            continue
        if rules and excluded(file[len(prefix):], rules):
            continue
        d = posixpath.dirname(file)
        while d and d != context and d not in kept:
            kept.add(d)
            d = posixpath.dirname(d)
    return kept
