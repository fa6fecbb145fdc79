"""Check a rewritten settings module's LOGGING the way dictConfig would read it: the django-logging-handler room's post-check.

`check_source(source, allow_file_handlers=False) -> list[str]`: every referenced handler, formatter and filter
exists, no handler writes to a file (unless allowed), no logger lists two stream handlers. An empty list means
sound.
"""

from __future__ import annotations

import libcst as cst

from fixbot.codemods import Refusal
from fixbot.codemods._logging_dict import LoggingConfig, NotStatic, definition_value, iter_small_statements, read_logging


def problems(config: LoggingConfig, *, allow_file_handlers: bool = False) -> list[str]:
    """What dictConfig would trip on, or what fixbot promises away, in one read LOGGING."""
    found = []
    for ref in config.refs:
        found += [f"{ref.owner} uses handler {n!r}, which is not defined" for n in ref.names if n not in config.handlers]
        if ref.of_logger:
            streams = sorted({n for n in ref.names if n in config.handlers and config.handlers[n].stream})
            if len(streams) > 1:
                found.append(f"{ref.owner} has {len(streams)} stream handlers ({', '.join(streams)}): every line twice")
    for handler in config.handlers.values():
        if handler.file and not allow_file_handlers:
            found.append(f"handler {handler.name!r} still writes to a file")
        if config.formatters is not None and handler.formatter and handler.formatter not in config.formatters:
            found.append(f"handler {handler.name!r} uses formatter {handler.formatter!r}, which is not defined")
    if config.filters is not None:
        found += [f"{owner} uses filter {name!r}, which is not defined" for owner, name in config.filter_refs if name not in config.filters]
    return found


def check_source(source: str, *, allow_file_handlers: bool = False) -> list[str]:
    """Structural problems of every LOGGING defined in a settings module's source; [] when it is sound."""
    from fixbot.codemods._python import parse_module

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
