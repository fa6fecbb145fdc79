"""What a rewrite changed in a logging configuration, in a reviewer's words: handlers removed or sent to the console, paths moved, loggers now on other handlers.

The commit body says what fixbot changed as well as why. Both versions are read statically, as the post-check reads
them: Django's LOGGING (and the later statements that build it) through `pydict`, other dictConfig literals and
YAML/JSON/INI files through `configs.handlers_of`. What cannot be read gives no line, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixbot.formats import Refusal


@dataclass(frozen=True)
class _Handler:
    cls: str | None
    filename: str | None
    writes_file: bool


def described(before: str, after: str, filename: str) -> list[str]:
    """One line per change a reviewer would look for: `handler 'file' removed (a FileHandler writing …)`,
    `the root logger and logger 'django' now log to 'console'`."""
    old_handlers, old_loggers = _read(before, filename)
    new_handlers, new_loggers = _read(after, filename)
    out = []
    for name, old in old_handlers.items():
        new = new_handlers.get(name)
        if new is None:
            out.append(f"handler {name!r} removed ({_what(old)})")
        elif old.writes_file and not new.writes_file:
            out.append(f"handler {name!r} now writes to the console ({_short(new.cls) or 'a stream handler'};"
                       f" it was {_what(old)})")
        elif old.filename != new.filename and new.filename:
            out.append(f"handler {name!r} now writes {new.filename} (it wrote {old.filename or 'elsewhere'})")
    moved: dict[tuple[str, ...], list[str]] = {}
    for owner, names in old_loggers.items():
        now = new_loggers.get(owner)
        if now is not None and now != names:
            moved.setdefault(now, []).append(owner)
    for names, owners in moved.items():
        listed = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
        if not names:  # the rewrite empties a list only where an ancestor prints every record it printed
            out.append(f"{listed} now {'have' if len(owners) > 1 else 'has'} no handler of {'their' if len(owners) > 1 else 'its'} own:"
                       " records print through the ancestors' handlers")
            continue
        out.append(f"{listed} now {'log' if len(owners) > 1 else 'logs'} to {' and '.join(repr(n) for n in names)} only")
    return out


def _short(cls: str | None) -> str:
    return cls.rsplit(".", 1)[-1] if cls else ""


def _what(handler: _Handler) -> str:
    kind = _short(handler.cls) or "a handler"
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    return f"{article} {kind}" + (f" writing {handler.filename}" if handler.filename else "")


def _read(text: str, filename: str) -> tuple[dict[str, _Handler], dict[str, tuple[str, ...]]]:
    """The handlers (by name) and the loggers' handler lists (by owner) of every config in `text` fixbot reads."""
    from fixbot.formats.logconfig.configs import Unreadable, handlers_of

    handlers: dict[str, _Handler] = {}
    loggers: dict[str, tuple[str, ...]] = {}
    if filename.lower().endswith(".py"):
        handlers, loggers = _django_logging(text)
    try:
        others = handlers_of(text, filename) or {}
    except Unreadable:
        others = {}
    for name, site in others.items():
        handlers.setdefault(name, _Handler(site.cls, site.filename, site.writes_file))
    if not loggers:
        loggers = _file_loggers(text, filename)
    return handlers, loggers


def _file_loggers(text: str, filename: str) -> dict[str, tuple[str, ...]]:
    """The loggers' handler lists of a YAML, JSON or INI config holding one configuration (by owner, as a
    reviewer reads it); nothing where there are several or a list is not known."""
    from fixbot.formats.logconfig.files import read_models
    from fixbot.formats.logconfig.stdlib import logger_name

    try:
        models = read_models(text, filename)
    except Refusal:
        return {}
    if not models or len(models) != 1 or models[0] is None:
        return {}
    lists = {logger_name(n): lg.handlers for n, lg in models[0].loggers.items()}
    return {} if any(v is None for v in lists.values()) else lists


def _django_logging(text: str) -> tuple[dict[str, _Handler], dict[str, tuple[str, ...]]]:
    import libcst as cst

    from fixbot.formats.logconfig.pydict import NotStatic, constants, definition_value, iter_small_statements, read_logging
    from fixbot.formats.logconfig.pydict import string_value
    from fixbot.formats.python import parse_module

    handlers: dict[str, _Handler] = {}
    loggers: dict[str, tuple[str, ...]] = {}
    try:
        module = parse_module(text)
    except (cst.ParserSyntaxError, Refusal):
        return handlers, loggers
    names = constants(module, text)
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if not is_definition or value is None:
            continue
        try:
            config = read_logging(value, names)
        except (NotStatic, RecursionError):
            continue
        for name, handler in config.handlers.items():
            handlers[name] = _Handler(handler.cls, string_value(handler.mapping.get("filename")), handler.file)
        loggers.update((ref.owner, ref.names) for ref in config.refs if ref.of_logger)
    return handlers, loggers
