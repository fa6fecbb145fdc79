"""logging-console for logging configurations that are not Python: YAML and JSON dictConfig files, fileConfig INI files.

One reader module per format (yaml_config, json_config, ini_config), each a pure text -> text rewrite built on
the shared handler rule of handlers.py; this module picks the reader by the file's name, and by its text for
`.conf`/`.cfg` (an INI logging config has a `[loggers]` or `[handlers]` section; a `.conf` that compiles is a
Gunicorn config module, Python; any other `.conf` holds no logging config: nginx's, logstash's, supervisord's).
logging_console.LoggingConsole.rewrite hands a file here first; `None` means "not one of these: read it as
Python". A file with no logging config at all raises codemods.NothingToDo (`fixbot codemod` leaves it and
exits 0); a logging config with no file handler comes back unchanged. read_handlers is the one read-only view
of the same readers (the locator, its post-check and `fixbot check` use it), so what they report is what the
rewrite sees.

Comments, in every format: a comment on its own line stays, even right above a removed key (it may speak of
more than that key, and a reviewer deletes a stale comment more easily than they recover a lost one); a
comment at the end of a removed line goes with the line.
"""

from __future__ import annotations

import posixpath
from types import ModuleType

from fixbot.formats import NothingToDo, Refusal
from fixbot.formats.logconfig import ini_config, json_config, yaml_config
from fixbot.formats.logconfig.handlers import NO_CONFIG, HandlerSite

__all__ = ["FORMAT_FILES", "FORMAT_NAMES", "HandlerSite", "read_handlers", "read_models", "rewrite_config"]

FORMAT_NAMES = ("logging YAML", "logging JSON", "fileConfig INI")  # what `fixbot codemods` says the readers read

# The file names `apply` looks for; any file can be handed to `fixbot codemod logging-console`.
FORMAT_FILES = ("*log*.yaml", "*log*.yml", "*log*.json", "*log*.ini", "*log*.conf", "*log*.cfg")


def rewrite_config(source: str, filename: str) -> str | None:
    """`source` with no file handler left, if `filename` is a YAML, JSON or INI file; None for anything else."""
    try:
        reader = _reader(source, filename)
        return reader.rewrite(source) if reader else None
    except RecursionError:  # PyYAML's composer and json's decoder recurse; so does the JSON reader here
        raise Refusal("does not parse: nested too deeply") from None


def read_handlers(source: str, filename: str) -> list[HandlerSite] | None:
    """The handlers rewrite_config would see, read-only: None, NothingToDo and Refusal as rewrite_config says them."""
    try:
        reader = _reader(source, filename)
        return reader.handlers(source) if reader else None
    except RecursionError:
        raise Refusal("does not parse: nested too deeply") from None


def read_models(source: str, filename: str) -> list | None:
    """The stdlib.Config of each logging config rewrite_config would see (None in the list: one that does not
    construct); None, NothingToDo and Refusal as rewrite_config says them."""
    try:
        reader = _reader(source, filename)
        return reader.models(source) if reader else None
    except RecursionError:
        raise Refusal("does not parse: nested too deeply") from None


def _reader(source: str, filename: str) -> ModuleType | None:
    name = posixpath.basename(filename.replace("\\", "/")).lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension in ("yaml", "yml"):
        return yaml_config
    if extension == "json":
        return json_config
    if extension in ("ini", "conf", "cfg"):
        if ini_config.is_logging_ini(source):
            return ini_config
        if extension != "conf" or not _is_python(source, filename):
            raise NothingToDo(NO_CONFIG)  # setup.cfg, tox.ini, supervisord's, nginx's, logstash's
    return None


def _is_python(source: str, filename: str) -> bool:
    """Whether a `.conf` is a Python module (Gunicorn's `-c gunicorn.conf`), for the Python codemod to read."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
