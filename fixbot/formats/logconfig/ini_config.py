"""fileConfig INI (`logging.ini`, `logging.conf`, Gunicorn's `--log-config`): file handlers become StreamHandlers.

https://docs.python.org/3/library/logging.config.html#configuration-file-format
configparser checks the file and reads each handler's class, but it drops comments and spacing, so the edits
are made on the text: the lines are read the way configparser reads them (a more indented line continues the
value above it, a `#`/`;` line is a comment even inside a value, keys are case-insensitive, `=` or `:`). Every
handler listed in `[handlers] keys=` whose class ends in FileHandler gets `class=StreamHandler`,
`args=(sys.stderr,)` and loses `kwargs` (a file handler's keyword arguments are all about its file). Each
value is replaced after its `key = `, keeping that spacing; continuation lines of a replaced or removed value
go; every comment stays. A logger's `handlers=` that now names two console handlers keeps one, as in the
other formats.
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass, field

from fixbot.formats import NothingToDo, Refusal
from fixbot.formats.logconfig.handlers import (
    NO_CONFIG,
    Edit,
    HandlerSite,
    apply_edits,
    drop_flow_entries,
    drops,
    level_of,
    writes_file,
)

STREAM_CLASS = "StreamHandler"  # fileConfig evaluates class names in the logging module's namespace
STREAM_ARGS = "(sys.stderr,)"
_LINE = re.compile(r"[^\n]*\n?")
_SECTION = re.compile(r"\[(?P<header>.+)\]")
_ITEM = re.compile(r"[^,\s](?:[^,]*[^,\s])?")  # a name in `handlers=console, file`
_DELIMITER = re.compile(r"[ \t]*[=:][ \t]*$")
_BLANKS = re.compile(r"[ \t]*")
_REFERENCE = re.compile(r"%\(([^)]*)\)s")
# configparser's option pattern (`.*?\s*[=:]`) is quadratic in a line with no delimiter: a longer line is refused
# before configparser reads the file. A logging INI's longest line is a format string, well under this.
MAX_LINE = 4096
# What one option may become once interpolated: configparser bounds the depth of `%(name)s`, not the fan-out.
MAX_INTERPOLATED = 1 << 16
# A logging config has a [loggers] or [handlers] section; supervisord's INI and Gunicorn's .conf modules do not.
SNIFF = re.compile(r"(?m)^[ \t]*\[(loggers|handlers)\][ \t]*\r?$")


@dataclass
class _Option:
    key_line: tuple[int, int]  # the span of the line holding `key = value`
    value: tuple[int, int]  # the value's span on that line (after `key = `, line ending and trailing blanks out)
    lead: str  # the line up to the value: `args = `
    more: list[tuple[int, int]] = field(default_factory=list)  # continuation lines (and blank lines among them)


def is_logging_ini(source: str) -> bool:
    return bool(SNIFF.search(source))


def _sections(source: str) -> dict[str, dict[str, _Option]]:
    """Section name -> option (lower case) -> where it is, read line by line as configparser does."""
    sections: dict[str, dict[str, _Option]] = {}
    current: dict[str, _Option] | None = None
    option: _Option | None = None
    indent = 0
    blanks: list[tuple[int, int]] = []
    for m in _LINE.finditer(source):
        if m.start() == m.end():
            break
        line = m.group()
        stripped = line.strip()
        if stripped.startswith(("#", ";")):
            continue
        if not stripped:
            blanks.append(m.span())
            continue
        level = len(line) - len(line.lstrip())
        if option is not None and level > indent:
            option.more += blanks + [m.span()]
            blanks = []
            continue
        blanks, indent, option = [], level, None
        if _SECTION.match(stripped):
            current = sections.setdefault(_SECTION.match(stripped).group("header"), {})
            continue
        found = _option(line, level)
        if current is None or found is None:
            continue
        name, value_at = found
        body = line.rstrip("\r\n")
        end = m.start() + len(body.rstrip())
        option = _Option(m.span(), (m.start() + value_at, max(end, m.start() + value_at)), line[:value_at])
        current[name.strip().lower()] = option
    return sections


def _option(line: str, start: int) -> tuple[str, int] | None:
    """(name, where its value starts) of `key = value` from `start`, as configparser's `.*?\\s*[=:][ \\t]*`
    reads it (the first delimiter), in one pass."""
    ends = [i for i in (line.find("=", start), line.find(":", start)) if i >= 0]
    if not ends:
        return None
    at = min(ends)
    return line[start:at], _BLANKS.match(line, at + 1).end()


def _check_lines(source: str) -> None:
    """Refusal for a line longer than MAX_LINE, found without a pattern."""
    start = 0
    while start < len(source):
        end = source.find("\n", start)
        end = len(source) if end < 0 else end
        if end - start > MAX_LINE:
            line = source.count("\n", 0, start) + 1
            raise Refusal(f"line {line} is {end - start} characters long; fixbot reads INI lines of up to {MAX_LINE}")
        start = end + 1


def _parse(source: str) -> tuple[configparser.ConfigParser, list[str]]:
    """The parsed file and the handler names `[handlers] keys=` lists; Refusal, or NothingToDo when it lists none."""
    _check_lines(source)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(source)
    except configparser.Error as error:
        raise Refusal(f"does not parse as INI: {' '.join(str(error).split())}") from None
    if not parser.has_option("handlers", "keys"):
        raise NothingToDo(NO_CONFIG)
    return parser, [n.strip() for n in parser.get("handlers", "keys").split(",") if n.strip()]


def handlers(source: str) -> list[HandlerSite]:
    """Every handler `[handlers] keys=` lists. A file handler's filename is the first of its `args` or the
    `filename` of its `kwargs` when that is a literal string; a handler whose class does not end in FileHandler
    writes no file, whatever its args say (SysLogHandler's `('/dev/log',)` is a socket), as rewrite judges it."""
    parser, names = _parse(source)
    sections = _sections(source)
    out = []
    for name in names:
        options = sections.get(f"handler_{name}", {})
        cls = parser.get(f"handler_{name}", "class", fallback=None) if parser.has_section(f"handler_{name}") else None
        filename, at = None, options.get("class")
        for key in ("args", "kwargs") if writes_file(cls) else ():
            try:
                value = ast.literal_eval(source[slice(*options[key].value)].strip()) if key in options else None
            except (ValueError, SyntaxError, RecursionError):  # args naming sys.stdout and the like
                continue
            if key == "args" and isinstance(value, tuple) and value and isinstance(value[0], str):
                filename, at = value[0], options[key]
            elif key == "kwargs" and isinstance(value, dict) and isinstance(value.get("filename"), str):
                filename, at = value["filename"], options[key]
        line = source.count("\n", 0, at.key_line[0]) + 1 if at else 1
        out.append(HandlerSite(name, cls, filename, line, writes_file(cls)))
    return out


def models(source: str) -> list:
    """The stdlib.Config fileConfig builds from the file (one)."""
    parser, names = _parse(source)
    return [model_of(parser, names)[0]]


def rewrite(source: str) -> str:
    parser, names = _parse(source)
    sections = _sections(source)
    edits: list[Edit] = []
    converted: set[str] = set()
    for name in names:
        section = f"handler_{name}"
        if not parser.has_section(section) or not writes_file(_get(parser, section, "class")):
            continue
        edits += _handler_edits(parser, name, sections.get(section, {}), source)
        converted.add(name)
    if not converted:
        return source
    lists = dict(_logger_lists(parser, sections))
    items = {n: [(m.start(), m.end()) for m in _ITEM.finditer(source, *option.value)] for n, option in lists.items()}
    model, qualnames = model_of(parser, names)
    planned = drops(model, {qualnames[n]: len(spans) for n, spans in items.items() if n in qualnames})
    for logger, spans in items.items():
        positions = planned.get(qualnames.get(logger, ""), set()) if logger in qualnames else set()
        edits += drop_flow_entries(spans, [i in positions for i in range(len(spans))]) if positions else []
    return apply_edits(source, edits)


def model_of(parser: configparser.ConfigParser, names: list[str]):
    """(the stdlib.Config fileConfig builds from this file, the logger name each [loggers] key configures).
    fileConfig gives handlers no filters, names a logger by its `qualname` and defaults `propagate` to 1."""
    from fixbot.formats.logconfig import stdlib, stdlib_read

    def values(option: str | None) -> tuple[str, ...]:
        return tuple(n.strip() for n in (option or "").split(",") if n.strip())

    handlers = {}
    for name in names:
        section = f"handler_{name}"
        if parser.has_section(section):
            handlers[name] = stdlib.Handler(stdlib_read.kind_of(_get(parser, section, "class"), None, False),
                                            _level(parser, section), (), _get(parser, section, "formatter") or None)
    loggers, qualnames = {}, {}
    for key in values(_get(parser, "loggers", "keys")):
        section = f"logger_{key}"
        if not parser.has_section(section):
            continue
        name = stdlib.ROOT if key == "root" else _get(parser, section, "qualname")
        if name is None:
            continue
        level = _level(parser, section)
        propagate = _get(parser, section, "propagate")
        loggers[name] = stdlib.Logger(
            level=stdlib.WARNING if key == "root" and not parser.has_option(section, "level") else level,
            propagate=True if propagate is None else _int(propagate),
            handlers=values(_get(parser, section, "handlers")),
        )
        qualnames[key] = name
    formats = {n: parser.get(f"formatter_{n}", "format", raw=True, fallback=None)  # fileConfig reads it raw
               for n in values(_get(parser, "formatters", "keys")) if parser.has_section(f"formatter_{n}")}
    return stdlib.Config(handlers, loggers, {}, formats), qualnames


def _int(text: str) -> bool | None:
    try:
        return int(text) != 0
    except ValueError:
        return None


def _get(parser: configparser.ConfigParser, section: str, option: str) -> str | None:
    """An option as fileConfig reads it: interpolated (`%(name)s`) as configparser does by default (the parser
    itself reads the file raw)."""
    value = parser.get(section, option, fallback=None)
    if value is None or "%" not in value:
        return value
    items = dict(parser.items(section, raw=True))
    if _interpolated_size(items, value, 1, {}) > MAX_INTERPOLATED:
        raise Refusal(f"the {option} of [{section}] interpolates to more than {MAX_INTERPOLATED} characters")
    try:
        return configparser.BasicInterpolation().before_get(parser, section, option, value, items)
    except configparser.Error as error:
        raise Refusal(f"the {option} of [{section}] does not interpolate: {' '.join(str(error).split())}") from None


def _interpolated_size(items: dict[str, str], value: str, depth: int, sizes: dict) -> int:
    """How long `value` is once interpolated, counted without building it (each option's size once per depth),
    and no further than just past the bound; a missing option or a cycle is configparser's error to raise."""
    size = len(value)
    if depth > configparser.MAX_INTERPOLATION_DEPTH:
        return size
    for reference in _REFERENCE.finditer(value):
        name = reference.group(1).lower()
        if name in items:
            if (name, depth) not in sizes:
                sizes[name, depth] = _interpolated_size(items, items[name], depth + 1, sizes)
            size += sizes[name, depth]
        if size > MAX_INTERPOLATED:
            break
    return size


def _level(parser: configparser.ConfigParser, section: str) -> int | None:
    """The `level=` of a handler or a logger section (absent: NOTSET; not a level name or a number: None)."""
    return level_of(_get(parser, section, "level"), parser.has_option(section, "level"))


def _handler_edits(parser: configparser.ConfigParser, name: str, options: dict[str, _Option], source: str) -> list[Edit]:
    if "class" not in options:
        raise Refusal(f"handler {name!r} takes its class from [DEFAULT]; fixbot will not change every handler's")
    if "%(" in parser.get(f"handler_{name}", "class", raw=True):
        raise Refusal(f"the class of handler {name!r} is built by interpolation; fixbot will not replace the option it comes from")
    edits = _set(options["class"], STREAM_CLASS)
    args, kwargs = options.get("args"), options.get("kwargs")
    if args is not None:
        return edits + _set(args, STREAM_ARGS) + (_set(kwargs, None) if kwargs is not None else [])
    if kwargs is not None:  # kwargs={'filename': …} alone: that line becomes the args
        return edits + _set(kwargs, STREAM_ARGS, key="args")
    # no args, no kwargs: `args = (sys.stderr,)` after the class, spaced like it
    return edits + [_insert_after(source, options["class"], "args", STREAM_ARGS)]


def _logger_lists(parser: configparser.ConfigParser, sections: dict[str, dict[str, _Option]]) -> list[tuple[str, _Option]]:
    """The one-line `handlers=` of each logger that [loggers] lists, with the logger's name."""
    loggers = [n.strip() for n in (_get(parser, "loggers", "keys") or "").split(",") if n.strip()]
    found = [(n, sections.get(f"logger_{n}", {}).get("handlers")) for n in loggers]
    return [(n, option) for n, option in found if option is not None and not option.more]


def _insert_after(source: str, option: _Option, key: str, value: str) -> Edit:
    """A new line `key = value` after `option`, indented and spaced around its delimiter like it."""
    end = (option.more[-1] if option.more else option.key_line)[1]
    line = _line_like(option, key, value)
    if source[end - 1 : end] != "\n":  # the option was the file's last line, with no line ending
        return end, end, _newline(source) + line
    return end, end, line + _newline(source)


def _newline(source: str) -> str:
    return "\r\n" if "\r\n" in source else "\n"


def _set(option: _Option, value: str | None, key: str | None = None) -> list[Edit]:
    """Edits giving `option` the one-line `value` after its own `key = ` spacing (under another `key` if
    given), or removing it (`value` None), continuation lines included."""
    more = [(*span, "") for span in option.more]
    if value is None:
        return [(*option.key_line, "")] + more
    if key is None:
        return [(*option.value, value)] + more
    return [(option.key_line[0], option.value[1], _line_like(option, key, value))] + more


def _line_like(option: _Option, key: str, value: str) -> str:
    """`key = value` with the indentation and the spacing around the delimiter of `option`'s line."""
    indent = option.lead[: len(option.lead) - len(option.lead.lstrip())]
    return f"{indent}{key}{_DELIMITER.search(option.lead).group()}{value}"
