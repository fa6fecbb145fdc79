"""Dockerfiles and Containerfiles: RUN, CMD and ENTRYPOINT in shell or exec (JSON) form, and ENV GUNICORN_CMD_ARGS."""

from __future__ import annotations

import dataclasses
import json
import re

from fixbot.formats.deploy.scan import Program, Scan
from fixbot.formats.deploy.words import Script, Unit, Word, literal_units


def read(source: str, program: Program | None = None) -> Scan | None:
    return Scan.of(source, _read, program)


_INSTRUCTION = re.compile(rb"(?im)^[ \t]*(RUN|CMD|ENTRYPOINT|ENV)[ \t]+")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _instructions(src: bytes):
    """(keyword, start of arguments, end) of each Dockerfile instruction, continuation lines included."""
    end = 0
    for m in _INSTRUCTION.finditer(src):
        if m.start() < end:
            continue  # a continuation line that happens to start with `env …`
        end = src.find(b"\n", m.end())
        end = len(src) if end < 0 else end
        while src[:end].rstrip(b" \t\r").endswith(b"\\"):
            nxt = src.find(b"\n", end + 1)
            end = len(src) if nxt < 0 else nxt
        yield m.group(1).upper(), m.end(), end


def _json_words(src: bytes, a: int, b: int) -> list[Word] | None:
    """Words of an exec-form JSON array, or None when Docker would read the text as shell form."""
    try:
        argv = json.loads(re.sub(rb"\\\r?\n", b"", src[a:b]))
    except ValueError:
        return None
    if not isinstance(argv, list) or not all(isinstance(x, str) for x in argv):
        return None
    words = []
    for m in _JSON_STRING.finditer(src, a, b):
        found, i = [], m.start() + 1
        while i < m.end() - 1:
            if src[i] != 0x5C:
                found.append(Unit(src[i : i + 1], i, i + 1, outer=m.span()))
                i += 1
                continue
            j = i + (6 if src[i + 1] == ord("u") else 2)
            text = json.loads(b'"' + src[i:j] + b'"').encode(errors="surrogatepass")
            found.append(Unit(text, i, j, outer=m.span()))
            i = j
        words.append(Word(tuple(found), *m.span()))
    return words


def _read(f: Scan) -> None:
    src, entrypoint = f.source, []
    for keyword, a, b in _instructions(src):
        ours = f.names(src[a:b])
        if keyword == b"ENV":
            env = f.program.env  # `ENV KEY value…`, the old form
            legacy = env and re.match(re.escape(env) + rb"[ \t]+(?!=)", src[a:b])
            if legacy:
                f.cmd_args(literal_units(src, a + legacy.end(), b), f.line(a))
            elif ours:
                f.script(Script(src[a:b], base=a))
            continue
        words = _json_words(src, a, b)
        if keyword == b"ENTRYPOINT":
            entrypoint = words or []  # a shell-form ENTRYPOINT ignores CMD
        if words is None:
            if ours:
                f.script(Script(src[a:b], base=a))
        elif keyword == b"CMD" and entrypoint:
            # exec-form CMD is appended to an exec-form ENTRYPOINT: `ENTRYPOINT ["gunicorn"]` + `CMD ["--…"]`;
            # keep what lies in the CMD, the ENTRYPOINT was read on its own.
            before = len(f.found)
            f.argv(entrypoint + words)
            for found in f.found[before:]:
                found.edits = [e for e in found.edits if e[0] >= a]
                found.targets = [(fl, t) for fl, t in found.targets if t.insert >= a]
                flags = tuple(fl for fl in found.invocation.flags if fl.line >= f.line(a))
                found.invocation = dataclasses.replace(found.invocation, flags=flags)
            f.found[before:] = [found for found in f.found[before:] if found.invocation.flags]
        elif ours:
            f.argv(words)



_STAGE_LINE = re.compile(r"(?im)^[ \t]*(FROM|ENV|ARG|CMD|ENTRYPOINT)\b[ \t]*([^\n]*)$")
_ENV_NAME = re.compile(r"(?:^|\s)([A-Za-z_]\w*)(?==|\s)")


def final_stage_env(source: str) -> tuple[dict[str, int], int | None]:
    """({variable: line} the last stage sets with ENV, the offset of its first CMD or ENTRYPOINT line, or None):
    where a codemod that sets the process's environment reads and writes (`ENV NAME=value` or `ENV NAME value`)."""
    env: dict[str, int] = {}
    start: int | None = None
    for m in _STAGE_LINE.finditer(source):
        keyword = m[1].upper()
        line = source.count("\n", 0, m.start()) + 1
        if keyword == "FROM":
            env, start = {}, None
        elif keyword == "ENV":
            names = _ENV_NAME.findall(" " + m[2]) if "=" in m[2] else m[2].split()[:1]
            env.update({name: line for name in names})
        elif start is None and keyword in ("CMD", "ENTRYPOINT"):
            start = m.start()
    return env, start
