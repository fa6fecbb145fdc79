"""A dictConfig dict (plain values, as a reader of Python, YAML or JSON gives them) read into the standard library's model: stdlib.Config, and what Django configures before a settings module's LOGGING.

Values a reader could not read are UNKNOWN; whatever depends on them is unknown in the model too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Optional

from fixbot.formats.logconfig.stdlib import (
    CONSOLE, DEBUG_ONLY, FILE, NOT_DEBUG, NULL, OTHER, ROOT, WARNING, Config, Handler, Logger,
)

_DJANGO_FILTERS = {"django.utils.log.RequireDebugTrue": DEBUG_ONLY, "django.utils.log.RequireDebugFalse": NOT_DEBUG}

class _Unknown:
    """A value only running the program would tell (a variable, a call): what a reader puts where it cannot read."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
NAMED_LEVELS = {"NOTSET": 0, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50, "CRITICAL": 50}
_FILE_FACTORIES = frozenset({"logging.FileHandler", "logging.handlers.RotatingFileHandler",
                             "logging.handlers.TimedRotatingFileHandler", "logging.handlers.WatchedFileHandler"})
_CONSOLE_CLASSES = frozenset({"rich.logging.RichHandler"})  # print to the console without being a StreamHandler


def level_of(value: object, present: bool = True) -> Optional[int]:
    """The level a `level` value means (absent: NOTSET); None when it is not a literal name or number."""
    if not present:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        return NAMED_LEVELS.get(text.upper(), int(text) if text.isdigit() else None)
    return None


def kind_of(cls: object, factory: object, has_filename: bool) -> str:
    """CONSOLE, FILE, NULL or OTHER for a handler with this `class`, `()` and (not) a `filename`."""
    if cls is None and factory is not None:
        return FILE if factory in _FILE_FACTORIES or has_filename else OTHER
    if has_filename or (isinstance(cls, str) and cls.rsplit(".", 1)[-1].endswith("FileHandler")):
        return FILE
    if isinstance(cls, str) and (cls.rsplit(".", 1)[-1] == "StreamHandler" or cls in _CONSOLE_CLASSES):
        return CONSOLE
    if cls in ("logging.NullHandler", "NullHandler"):
        return NULL
    return OTHER


def _names(value: object) -> Optional[tuple[str, ...]]:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _logger(value: object, root: bool, was: Logger | None = None) -> Logger:
    if not isinstance(value, Mapping):
        return Logger(level=None, propagate=None, handlers=None, filters=None)
    level = level_of(value.get("level"), "level" in value)
    if "level" not in value:  # dictConfig leaves a level it is not given as it was
        level = WARNING if root and was is None else (was.level if was else 0)
    propagate = value.get("propagate", was.propagate if was else True)
    return Logger(
        level=level,
        propagate=bool(propagate) if isinstance(propagate, (bool, int)) else None,
        handlers=_names(value.get("handlers") or ()),  # dictConfig reads a null list as none
        filters=_names(value.get("filters") or ()),
    )


def from_dict(config: Mapping, base: Config | None = None) -> Config | None:
    """The Config a dictConfig dict describes (values a reader could not read are UNKNOWN), applied over `base`
    (what an earlier dictConfig call set up: DJANGO for a settings module's LOGGING); None for an `incremental`
    one, which changes what another call configured."""
    if config.get("incremental") not in (None, False):
        return None
    handlers: dict[str, Handler] = dict(base.handlers) if base else {}
    section = config.get("handlers")
    for name, h in (section.items() if isinstance(section, Mapping) else ()):
        if not isinstance(h, Mapping):
            handlers[str(name)] = Handler(OTHER, None, None)
            continue
        targets = (h["target"],) if isinstance(h.get("target"), str) else ()
        targets += _names(h.get("handlers")) or ()
        formatter = h.get("formatter")
        handlers[str(name)] = Handler(
            kind_of(h.get("class"), h.get("()"), "filename" in h),
            level_of(h.get("level"), "level" in h),
            _names(h.get("filters") or ()),
            formatter if isinstance(formatter, str) else None,
            targets,
        )
    existing = dict(base.loggers) if base else {}
    loggers: dict[str, Logger] = {}
    section = config.get("loggers")
    for name, value in (section.items() if isinstance(section, Mapping) else ()):
        key = ROOT if name in ("root", "") else str(name)
        loggers[key] = _logger(value, key == ROOT, existing.get(key))
    if "root" in config:
        loggers[ROOT] = _logger(config["root"], True, existing.get(ROOT))
    disable = config.get("disable_existing_loggers", True)
    configured = set(loggers)
    for name, was in existing.items():
        if name in configured:
            continue
        if any(name.startswith(n + ".") for n in configured if n and n in existing):
            loggers[name] = Logger()  # a child of a logger configured again is reset, not disabled
        else:
            loggers[name] = replace(was, disabled=True) if disable is not False else was
    filters: dict[str, Optional[str]] = dict(base.filters) if base else {}
    section = config.get("filters")
    for name, f in (section.items() if isinstance(section, Mapping) else ()):
        factory = f.get("()", "logging.Filter") if isinstance(f, Mapping) else None
        prefix = f.get("name", "") if isinstance(f, Mapping) else None
        filters[str(name)] = _DJANGO_FILTERS.get(factory) or (prefix if factory == "logging.Filter" and isinstance(prefix, str) else None)
    formats: dict[str, Optional[str]] = dict(base.formats) if base else {}
    section = config.get("formatters")
    for name, f in (section.items() if isinstance(section, Mapping) else ()):
        text = (f.get("format", f.get("fmt")) if isinstance(f, Mapping) else None)
        formats[str(name)] = text if isinstance(text, str) else None
    return Config(handlers, loggers, filters, formats)


# What Django's configure_logging sets up (django.utils.log.DEFAULT_LOGGING) before it hands a settings module's
# LOGGING to dictConfig; its handlers keep names of their own here, as they are other objects than the settings'.
DJANGO = Config(
    handlers={
        "django:console": Handler(CONSOLE, 20, ("require_debug_true",)),
        "django:django.server": Handler(CONSOLE, 20, (), "django.server"),
        "django:mail_admins": Handler(OTHER, 40, ("require_debug_false",)),
    },
    loggers={
        "django": Logger(20, True, ("django:console", "django:mail_admins")),
        "django.server": Logger(20, False, ("django:django.server",)),
    },
    filters={"require_debug_false": NOT_DEBUG, "require_debug_true": DEBUG_ONLY},
)
