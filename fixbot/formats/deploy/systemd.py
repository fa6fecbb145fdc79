"""systemd units (`*.service`, drop-ins): the Exec*= command lines of [Service], with the Environment= they use.

systemd.syntax(7): a line ending in a backslash continues on the next (the backslash reads as a space), and
comment lines inside a continuation are skipped. systemd.service(5), Command lines: the first word may carry
the prefixes `-@:+!`, `@` makes the second word argv[0]; `${NAME}` is replaced by the variable's value as one
word, a word `$NAME` by its value split at whitespace, `$$` is a `$`, and `:` turns substitution off.
Under systemd a service's stdout and stderr go to journald, so `-` keeps every log line there.
"""

from __future__ import annotations

import re

from fixbot.formats.deploy.scan import Program, Scan
from fixbot.formats.deploy.words import Unit, Word, split

_SECTION = re.compile(rb"(?m)^[ \t]*\[([^\]\n]*)\]")
_SETTING = re.compile(rb"[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*")
_EXEC = frozenset({b"ExecStart", b"ExecStartPre", b"ExecStartPost", b"ExecReload", b"ExecStop", b"ExecStopPost",
                   b"ExecCondition"})
_PREFIXES = frozenset(b"-@:+!|")
_BRACED = re.compile(rb"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read(source: str, program: Program | None = None) -> Scan | None:
    return Scan.of(source, _read, program)


def _settings(src: bytes, a: int, b: int):
    """(key, line number offset, value units) of each setting between a and b, continuation lines joined."""
    pos = a
    while pos < b:
        eol = src.find(b"\n", pos, b)
        eol = b if eol < 0 else eol
        m = _SETTING.match(src, pos, eol)
        if m is None or src[pos:eol].lstrip()[:1] in (b"#", b";"):
            pos = eol + 1
            continue
        value: list[Unit] = []
        start = m.end()
        while True:
            end = eol - 1 if src[pos:eol].endswith(b"\r") else eol
            line = src[start:end]
            if not line.rstrip(b" \t").endswith(b"\\") or eol >= b:
                value += [Unit(src[i : i + 1], i, i + 1) for i in range(start, end)]
                break
            cut = start + len(line.rstrip(b" \t")) - 1
            value += [Unit(src[i : i + 1], i, i + 1) for i in range(start, cut)] + [Unit(b" ", cut, eol + 1)]
            start = pos = eol + 1
            while True:  # comment lines inside a continuation are skipped
                eol = src.find(b"\n", pos, b)
                eol = b if eol < 0 else eol
                if src[pos:eol].lstrip()[:1] not in (b"#", b";") or eol >= b:
                    break
                start = pos = eol + 1
        yield m.group(1), m.start(1), value
        pos = eol + 1


def _read(f: Scan) -> None:
    src = f.source
    sections = list(_SECTION.finditer(src))
    for k, section in enumerate(sections):
        if section.group(1).strip() != b"Service":
            continue
        a = src.find(b"\n", section.end())
        a = len(src) if a < 0 else a + 1
        b = sections[k + 1].start() if k + 1 < len(sections) else len(src)
        settings = list(_settings(src, a, b))
        env: dict[bytes, tuple[Unit, ...]] = {}
        for key, at, value in settings:  # systemd applies every Environment= before it runs any command
            if key != b"Environment":
                continue
            if not value:
                env.clear()  # an empty assignment resets the list
            for word in split(value):
                name, eq, _ = (word.static or b"").partition(b"=")
                if not eq:
                    continue
                rest = word.units[next(i for i, u in enumerate(word.units) if u.text == b"=") + 1 :]
                env[name] = rest
                if f.program.env is not None and name == f.program.env:  # GUNICORN_CMD_ARGS
                    f.cmd_args(rest, f.line(at))
        for key, at, value in settings:
            if key in _EXEC and f.names(b"".join(u.shown for u in value)):
                f.argv(_command(split(value), env))


def _command(words: list[Word], env: dict[bytes, tuple[Unit, ...]]) -> list[Word]:
    """argv as systemd builds it: the prefixes dropped from the program, argv[0] skipped after `@`, variables
    of the unit's Environment= put in (a variable the unit does not set is left as an expansion)."""
    if not words:
        return words
    first = words[0]
    n = 0
    while n < len(first.units) and first.units[n].text is not None and first.units[n].text[0] in _PREFIXES:
        n += 1
    prefixes = b"".join(u.text or b"" for u in first.units[:n])
    program = Word(first.units[n:], first.units[n].start if n < len(first.units) else first.end, first.end)
    rest = words[2:] if b"@" in prefixes else words[1:]
    if b":" in prefixes:
        return [program, *rest]
    out = [program]
    for word in rest:
        whole = word.static is not None and re.fullmatch(rb"\$([A-Za-z_][A-Za-z0-9_]*)", word.static)
        if whole and all(u.outer is None for u in word.units):
            name = whole.group(1)
            if name in env:
                out += split(env[name], quotes=False)
            else:
                out.append(Word((Unit(None, word.start, word.end, raw=word.static),), word.start, word.end))
            continue
        out.append(Word(tuple(_substitute(word.units, env)), word.start, word.end, dash=word.dash))
    return out


def _substitute(units: tuple[Unit, ...], env: dict[bytes, tuple[Unit, ...]]) -> list[Unit]:
    """`${NAME}` replaced by one unit holding the variable's value (or an expansion when the unit does not set it)."""
    out: list[Unit] = []
    text = b"".join(u.text or b"\0" for u in units)
    i = 0
    while i < len(units):
        if text[i : i + 2] == b"$$":
            out.append(Unit(b"$", units[i].start, units[i + 1].end, outer=units[i].outer))
            i += 2
            continue
        m = _BRACED.match(text, i) if units[i].text == b"$" else None
        if m is None:
            out.append(units[i])
            i += 1
            continue
        first, last = units[i], units[m.end() - 1]
        name = m.group(1)
        if name in env:
            value = b"".join(u.shown for u in env[name])
            out.append(Unit(value, first.start, last.end, outer=first.outer))
        else:
            out.append(Unit(None, first.start, last.end, raw=m.group(0), outer=first.outer))
        i = m.end()
    return out
