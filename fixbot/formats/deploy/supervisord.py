"""supervisord configuration: the `command=` of each [program:x] section (split like shlex), and every section's settings with their byte-keeping edits.

supervisord reads its INI with RawConfigParser (supervisor/options.py `UnhosedConfigParser`): keys are lower-cased,
`=` or `:` separates, a `;` or `#` after whitespace starts an inline comment, an indented line continues a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixbot.formats import Refusal
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


# -- settings -------------------------------------------------------------------------------------------------

_HEADER = re.compile(r"(?m)^\[(?P<name>[^\]\n]+)\][^\n]*$")
_SETTING = re.compile(r"(?P<key>[^\s=:;#\[][^=:\n]*?)(?P<sep>[ \t]*[=:][ \t]*)(?P<value>[^\n]*)")


@dataclass(frozen=True)
class Setting:
    """One `key=value` line: `value` as supervisord reads it (inline comment and blanks dropped), `start`/`end`
    its span in the text; `continued` when indented lines carry on the value."""

    key: str
    value: str
    line: int
    start: int
    end: int
    sep: str
    continued: bool = False


@dataclass(frozen=True)
class Section:
    """One `[name]` section: its settings by lower-cased key, and `end`, where a new setting line goes (after its
    last setting)."""

    name: str
    line: int
    end: int
    settings: dict[str, Setting]

    @property
    def program(self) -> str | None:
        """The x of [program:x] (or [fcgi-program:x]); None for other sections."""
        kind, _, name = self.name.partition(":")
        return name.strip() if kind.strip() in ("program", "fcgi-program") else None

    def get(self, key: str) -> str | None:
        setting = self.settings.get(key)
        return None if setting is None else setting.value


def sections(source: str) -> list[Section]:
    """Every section of a supervisord file, in order."""
    headers = list(_HEADER.finditer(source))
    out = []
    for i, header in enumerate(headers):
        body_end = headers[i + 1].start() if i + 1 < len(headers) else len(source)
        settings: dict[str, Setting] = {}
        end = _line_end(source, header.end())
        pos = end
        last: Setting | None = None
        while pos < body_end:
            eol = source.find("\n", pos, body_end)
            eol = body_end if eol < 0 else eol
            line = source[pos:eol].rstrip("\r")
            stripped = line.strip()
            if line[:1] in (" ", "\t") and stripped and last is not None and not stripped.startswith((";", "#")):
                settings[last.key] = last = Setting(last.key, last.value, last.line, last.start, last.end, last.sep, True)
                end = _line_end(source, eol)
            elif stripped and not stripped.startswith((";", "#")):
                match = _SETTING.match(line)
                if match:
                    value = match["value"]
                    comment = re.search(r"[ \t][;#]", value)
                    value = (value[: comment.start()] if comment else value).rstrip()
                    start = pos + match.start("value")
                    key = match["key"].strip().lower()
                    last = settings[key] = Setting(key, value, source.count("\n", 0, pos) + 1, start,
                                                   start + len(value), match["sep"])
                    end = _line_end(source, eol)
            pos = eol + 1
        out.append(Section(header["name"].strip(), source.count("\n", 0, header.start()) + 1, end, settings))
    return out


def _line_end(source: str, offset: int) -> int:
    """The offset just after the newline that ends the line holding `offset` (the text's end when there is none)."""
    eol = source.find("\n", offset)
    return len(source) if eol < 0 else eol + 1


def set_values(source: str, changes: list[tuple[Section, str, str]]) -> str:
    """`source` with each (section, key, value) set: an existing setting's value replaced in place (its inline
    comment kept), a new one written as a line after the section's last setting, spelled like its siblings."""
    newline = "\r\n" if "\r\n" in source else "\n"
    edits: list[tuple[int, int, str]] = []
    for section, key, value in changes:
        setting = section.settings.get(key)
        if setting is not None:
            if setting.continued:
                raise Refusal(f"{key} in [{section.name}] on line {setting.line} goes on over several lines; "
                              "set it by hand")
            if setting.value != value:
                edits.append((setting.start, setting.end, value))
            continue
        sep = next(iter(section.settings.values())).sep if section.settings else "="
        before = "" if section.end == 0 or source[section.end - 1] == "\n" else newline
        edits.append((section.end, section.end, f"{before}{key}{sep}{value}{newline}"))
    out, last = [], len(source)
    ordered = sorted(enumerate(edits), key=lambda e: (e[1][0], e[1][1], e[0]), reverse=True)
    for _, (a, b, text) in ordered:  # two new lines at one place keep the order they were asked in
        out.append(source[b:last])
        out.append(text)
        last = a
    out.append(source[:last])
    return "".join(reversed(out))
