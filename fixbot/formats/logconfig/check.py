"""Check a rewritten settings module's LOGGING the way dictConfig would read it: the logging-handler room's post-check.

`check_source(source, allow_file_handlers=False) -> list[str]`: every referenced handler, formatter and filter
exists, no handler writes to a file (unless allowed), no logger lists two unfiltered stream handlers. An empty list means
sound. `compare(before, after)` is what the room reports: only the problems the rewrite brought (a derived module
naming handlers of its base, or lists computed at run time, were so before it) plus every logger whose lowest level
rose (it would drop messages it wrote before), and what was proven.
"""

from __future__ import annotations

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig.pydict import LoggingConfig, NotStatic, definition_value, iter_small_statements, read_logging, read_mapping

FILES = "still writes to a file"


def problems(config: LoggingConfig, *, allow_file_handlers: bool = False) -> list[str]:
    """What dictConfig would trip on, or what fixbot promises away, in one read LOGGING."""
    found = []
    for ref in config.refs:
        found += [f"{ref.owner} uses handler {n!r}, which is not defined" for n in ref.names if n not in config.handlers]
        if ref.of_logger:
            # Of two unfiltered stream handlers with literal levels, the lower one prints every line of the other
            # again. A filtered one (Django's DEBUG-only console) may not, and of two whose levels are only known at
            # run time neither can go without maybe dropping messages: neither is proven.
            streams = sorted({n for n in ref.names if n in config.handlers and _plain_stream(config.handlers[n])})
            if len(streams) > 1:
                found.append(f"{ref.owner} has {len(streams)} unfiltered stream handlers ({', '.join(streams)}): lines twice")
    for handler in config.handlers.values():
        if handler.file and not allow_file_handlers:
            found.append(f"handler {handler.name!r} {FILES}")
        if config.formatters is not None and handler.formatter and handler.formatter not in config.formatters:
            found.append(f"handler {handler.name!r} uses formatter {handler.formatter!r}, which is not defined")
    if config.filters is not None:
        found += [f"{owner} uses filter {name!r}, which is not defined" for owner, name in config.filter_refs if name not in config.filters]
    return found


def _plain_stream(handler) -> bool:
    from fixbot.formats.logconfig.levels import level

    return handler.stream and not handler.filtered and level(handler.mapping.get("level")) is not None


def check_source(source: str, *, allow_file_handlers: bool = False) -> list[str]:
    """Structural problems of every LOGGING defined in a settings module's source; [] when it is sound."""
    from fixbot.formats.python import parse_module

    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as error:
        return [f"does not parse: {error.message} (line {error.raw_line})"]
    except Refusal as refusal:
        return [str(refusal)]
    found, defined = [], False
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if not is_definition or value is None:
            continue
        defined = True
        try:
            found += problems(read_logging(value), allow_file_handlers=allow_file_handlers)
        except NotStatic as error:
            found.append(str(error))
        except RecursionError:
            found.append("LOGGING is nested too deeply to read")
    return found if defined else ["no LOGGING in this file"]


def _key(problem: str) -> str:
    """A problem without the code it quotes, which the rewrite may have changed (`…computed at run time: <code>`)."""
    return problem.split(": ", 1)[0]


def compare(before: str, after: str, *, allow_file_handlers: bool = False) -> tuple[list[str], list[str]]:
    """(the problems `after` has that `before` did not, every file handler left counting as one unless allowed;
    what is proven of `after`)."""
    old = {_key(p) for p in check_source(before, allow_file_handlers=allow_file_handlers)}
    now = check_source(after, allow_file_handlers=allow_file_handlers)
    new = [p for p in now if _key(p) not in old or (FILES in p and not allow_file_handlers)]
    if not allow_file_handlers:
        kept = set(_file_statements(before))
        new += [f"{FILES} here: {s}" for s in _file_statements(after) if s not in kept]  # one the rewrite wrote
    levels_before, levels_after = lowest_levels(before), lowest_levels(after)
    compared = 0
    for key, (owner, old_level) in levels_before.items():
        if key in levels_after and old_level is not None and levels_after[key][1] is not None:
            compared += 1
            if levels_after[key][1] > old_level:
                new.append(f"{owner} no longer writes its messages from level {_name(old_level)} up to {_name(levels_after[key][1])}")
    if new:
        return new, []
    kept = f"no logger's lowest level rose ({compared} compared), so none drops a message it wrote before" if compared else ""
    if not now:
        proven = ["LOGGING is valid for dictConfig: every handler, formatter and filter it names exists"]
        if not allow_file_handlers:
            proven.append("no handler writes to a file; no logger has two unfiltered stream handlers with literal levels (a line twice)")
        return [], proven + [kept] * bool(kept)
    proven = [f"the rewrite adds nothing dictConfig would trip on; as before it, {now[0]}" + (f" (and {len(now) - 1} more)" if len(now) > 1 else "")]
    if not allow_file_handlers:
        proven.append("no handler written in this file writes to a file (each became a StreamHandler in place); "
                      "handler lists fixbot cannot read are as they were, so a logger may print a line twice")
    return [], proven + [kept] * bool(kept)


def _file_statements(source: str) -> list[str]:
    """The module-level statements (under if/try too) of `source` that name a FileHandler or a filename."""
    from fixbot.formats.logconfig.pyedit import parse
    from fixbot.formats.logconfig.in_place import mentions_files

    try:
        module = parse(source)
    except Refusal:
        return []  # check_source says so
    empty = cst.Module([])
    return [
        empty.code_for_node(s) for s in iter_small_statements(module.body)
        if not isinstance(s, (cst.Import, cst.ImportFrom)) and mentions_files(s)
    ]


def lowest_levels(source: str) -> dict[tuple[int, tuple[str, ...]], tuple[str, int | None]]:
    """(which LOGGING definition, logger path) -> (owner, the lowest level it writes: its own level or its lowest
    handler's, whichever is higher; None when a level is not a literal) for every logger with a literal list."""
    from fixbot.formats.logconfig.levels import effective, level
    from fixbot.formats.python import parse_module

    try:
        module = parse_module(source)
    except (cst.ParserSyntaxError, Refusal):
        return {}
    out: dict[tuple[int, tuple[str, ...]], tuple[str, int | None]] = {}
    definitions = [v for s in iter_small_statements(module.body) for d, v in [definition_value(s)] if d and v is not None]
    for index, value in enumerate(definitions):
        try:
            config = read_logging(value)
        except (NotStatic, RecursionError):
            continue
        for ref in config.refs:
            if not ref.of_logger:
                continue
            try:
                node = config.mapping.get(ref.path[0])
                if len(ref.path) > 2:
                    node = read_mapping(node, "loggers").get(ref.path[1])
                own = level(read_mapping(node, "logger").get("level"))
            except NotStatic:
                own = None
            handlers = [level(config.handlers[n].mapping.get("level")) if n in config.handlers else None for n in ref.names]
            lowest = min(handlers) if handlers and None not in handlers else (99 if not handlers else None)
            out[(index, ref.path[:-1])] = (ref.owner, None if own is None else effective(lowest, own))
    return out


def _name(value: int) -> str:
    from fixbot.formats.logconfig.levels import LEVELS

    return next((name for name, n in LEVELS.items() if n == value), "no level at all" if value >= 99 else str(value))
