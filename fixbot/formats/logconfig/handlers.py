"""What becomes of one dictConfig handler in a YAML or JSON file, and the text edits every format reader shares.

The rule is logging-console's for Python settings, applied to every file handler: the handler is rewritten in
place into a `logging.StreamHandler` under its own name (so every logger, `target` and `handlers` list naming
it stays valid), keeping `level`, `formatter`, `filters`, `.` and a `stream`, and dropping every other key
(`filename`, `maxBytes`, `backupCount`, `when`, `encoding`, `delay`, `mode`…), which StreamHandler would
reject. No `stream` is added: StreamHandler writes to sys.stderr by default, as the Python codemod leaves it.
A logger's handler list then drops what prints a record twice, following levels, filters and propagation as
the standard library does (drops, over fixbot/formats/logconfig/console_lists.py): never what printed a line no
other handler prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from fixbot.formats import Refusal
from fixbot.formats.logconfig.levels import level_text

STREAM_CLASS = "logging.StreamHandler"
# Said (as codemods.NothingToDo) of a file with no logging config at all: `fixbot codemod` leaves it, exit 0.
NO_CONFIG = "no logging config in this file"
# What a handler rewritten into a StreamHandler keeps; dictConfig passes anything else to the constructor.
KEEP = frozenset({"class", "()", "level", "formatter", "filters", ".", "stream"})
# Factories ("()") fixbot knows write a file and take nothing a StreamHandler needs.
KNOWN_FILE_CLASSES = frozenset(
    {
        "logging.FileHandler",
        "logging.handlers.RotatingFileHandler",
        "logging.handlers.TimedRotatingFileHandler",
        "logging.handlers.WatchedFileHandler",
    }
)


def is_config(depth: int, keys: Iterable[str], handlers: Iterable[Iterable[str]] | None) -> bool:
    """Whether a mapping with `keys`, whose `handlers` mapping holds mappings with these keys (None: there is
    no `handlers` mapping), is a dictConfig. It needs `version`, except at the top of a file when one of its
    handlers has a `class` or a `()`: Gunicorn merges `--log-config-json` into its own defaults, which hold
    the version, so such files often leave it out."""
    if handlers is None:
        return False
    return "version" in keys or (depth == 0 and any({"class", "()"} & set(h) for h in handlers))


def writes_file(cls: object) -> bool:
    """A class whose name ends in FileHandler (the stdlib's four and most third-party ones) writes a file."""
    return isinstance(cls, str) and cls.rsplit(".", 1)[-1].endswith("FileHandler")


@dataclass(frozen=True)
class Change:
    """One file handler turned into a StreamHandler: the key whose value becomes the class, the keys to drop."""

    handler: str
    class_key: str  # "class", or "()" for a known file class used as a factory
    drop: tuple[str, ...]


def plan_handler(name: str, keys: Mapping[str, object]) -> Change | None:
    """The change for handler `name` given its keys and (string) values; None when it writes no file."""
    factory = keys.get("()")
    if factory is not None:
        if factory in KNOWN_FILE_CLASSES:
            return Change(name, "()", tuple(k for k in keys if k not in KEEP))
        if "filename" in keys or writes_file(factory):
            raise Refusal(f"handler {name!r} is built by the factory {factory!r}, which fixbot does not know; it cannot tell what a console version would take")
        return None
    cls = keys.get("class")
    if not writes_file(cls) and "filename" not in keys:
        return None
    if not isinstance(cls, str):
        raise Refusal(f"handler {name!r} writes a file but has no class fixbot can read")
    return Change(name, "class", tuple(k for k in keys if k not in KEEP))


@dataclass(frozen=True)
class HandlerSite:
    """One handler as the readers report it: `filename` is the file it writes when that is a plain string, `line`
    the line of that filename (else of the handler), `writes_file` whether logging-console would rewrite it."""

    name: str
    cls: str | None  # its class, or its factory `()`, when a string
    filename: str | None
    line: int
    writes_file: bool


def handler_site(name: str, keys: Mapping[str, object], line: int) -> HandlerSite:
    """The HandlerSite of a dictConfig handler with these keys and (string) values, by plan_handler's rule."""
    cls = next((c for c in (keys.get("class"), keys.get("()")) if isinstance(c, str)), None)
    try:
        writes = plan_handler(name, keys) is not None
    except Refusal:  # a file handler fixbot would refuse to rewrite still writes a file
        writes = True
    filename = keys.get("filename")
    return HandlerSite(name, cls, filename if writes and isinstance(filename, str) else None, line, writes)


def drops(config: object, lists: Mapping[str, int]) -> dict[str, set[int]]:
    """Positions to drop from the handler lists of the loggers in `lists` (logger -> its list's length; the root
    is ""), once every file handler of `config` (a dictConfig of plain values, or a stdlib.Config) prints to the
    console, so that every record prints once and none is lost (fixbot/formats/logconfig/console_lists.py)."""
    from fixbot.formats.logconfig import console_lists, stdlib, stdlib_read

    model = stdlib_read.from_dict(config) if isinstance(config, Mapping) else config
    if not isinstance(model, stdlib.Config):
        return {}
    editable = {n for n, size in lists.items() if n in model.loggers and len(model.loggers[n].handlers or ()) == size}
    planned = console_lists.plan(model, editable).lists
    return {n: {i for i, name in enumerate(names) if name is None} for n, names in planned.items()}


def is_stream(cls: object) -> bool:
    return isinstance(cls, str) and cls.rsplit(".", 1)[-1] == "StreamHandler"


def level_of(value: object, present: bool = True) -> int | None:
    """The level a YAML, JSON or INI `level` value means: absent is NOTSET (0); a name or a number is read
    as in Python settings; anything else (null, `ext://…`, an interpolation, true) is not known: None."""
    if not present:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return level_text(value) if isinstance(value, str) else None


# ---------------------------------------------------------------------------------------------------------
# Text edits: (start, end, replacement) on the source string, applied from the end.

Edit = tuple[int, int, str]


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    ordered = sorted(set(edits))
    for (_, end, _), (start, _, _) in zip(ordered, ordered[1:]):
        if start < end:  # two changes to one span: a bug, not something to guess about
            raise Refusal("fixbot planned two overlapping edits; please report this file")
    for start, end, text in reversed(ordered):
        source = source[:start] + text + source[end:]
    return source


def drop_flow_entries(entries: Sequence[tuple[int, int]], dropped: Sequence[bool]) -> list[Edit]:
    """Edits removing entries of a `{…}` mapping (JSON object or YAML flow mapping) with their commas.

    `entries` are the (key start, value end) of each entry in order. A run of dropped entries followed by a
    kept one goes up to that one's key (its comma and the whitespace after it with it); a run at the end goes
    back to the end of the last kept entry, taking the comma before it. So `{a, b, c}` loses b as `{a, c}`,
    c as `{a, b}` and a as `{b, c}`, and a pretty-printed object loses whole lines.
    """
    edits: list[Edit] = []
    i = 0
    while i < len(entries):
        if not dropped[i]:
            i += 1
            continue
        j = i
        while j < len(entries) and dropped[j]:
            j += 1
        if j < len(entries):
            edits.append((entries[i][0], entries[j][0], ""))
        elif i > 0:
            edits.append((entries[i - 1][1], entries[j - 1][1], ""))
        else:  # every entry goes: never the case, a handler keeps its class
            edits.append((entries[i][0], entries[j - 1][1], ""))
        i = j
    return edits


def line_span(source: str, start: int, end: int, what: str) -> tuple[int, int]:
    """The whole lines holding source[start:end], newline included, when nothing but blanks precede `start` on
    its line and nothing but blanks or a `#` comment follow `end` on its line; else Refusal."""
    line_start = source.rfind("\n", 0, start) + 1
    eol = source.find("\n", end)
    eol = len(source) if eol < 0 else eol + 1
    rest = source[end:eol].strip()
    if source[line_start:start].strip() or (rest and not rest.startswith("#")):
        raise Refusal(f"{what} shares its line with something else; fixbot will not cut the line apart")
    return line_start, eol
