"""Every place a repository's configuration names a log file, read with the codemods' own readers and never written.

A reader takes (repository, file, text) and yields `Site`s; `READERS` says which files each one reads. Python
`LOGGING` goes through settings_walk/settings_eval (star imports, `os.path.join`, environment defaults) and
codemods/_logging_dict (which handlers write files, and where in the file), Python's other dictConfig literals
(`logconfig_dict`, `dictConfig({...})`) through logging_configs, the locator's reader; Gunicorn's and Celery's log flags
through gunicorn_stdout's format table (`formats.FORMATS`: shell, Dockerfile, Procfile, supervisord, compose,
Gunicorn config modules); YAML/JSON/INI logging configs through codemods/_logging_formats.read_handlers. A
new file type is one more reader in `READERS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from fixbot.check.dirs import named
from fixbot.codemods import Refusal
from fixbot.codemods._logging_dict import (NotStatic, definition_value, iter_small_statements, read_handler, read_logging,
                                          string_value)
from fixbot.settings_eval import UNKNOWN, Alt


@dataclass(frozen=True)
class Site:
    """One log file a configuration names. `value` is the path as evaluated (a str when fixbot knows it, else
    None); `written` how the file writes it; `default_of` the environment variable whose default it is."""

    path: str  # repo-relative
    line: int
    written: str
    value: str | None
    codemod: str
    what: str  # "handler 'file'", "Gunicorn --error-logfile"
    default_of: str | None = None
    captures: bool = False  # Gunicorn's --capture-output / capture_output = True sends the app's output here


# --- Python LOGGING --------------------------------------------------------------------------------------

_ENV_CALL = re.compile(r"(?:environ\.get|getenv|environ\[|\benv(?:\.\w+)?\(|\bconfig\()\s*\(?\s*['\"](\w+)['\"]")


def python_logging(repo, file: str, text: str) -> Iterator[Site]:
    """File handlers written in `file` (`LOGGING = {...}`, `LOGGING["handlers"][name] = {...}`), their filenames as the
    settings chain makes them."""
    if "LOGGING" not in text or ("filename" not in text and "FileHandler" not in text):
        return
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except (cst.ParserSyntaxError, RecursionError):
        return
    from fixbot.codemods._logging_console_follow import mutation

    positions = wrapper.resolve(PositionProvider)
    handlers = {}
    for statement in iter_small_statements(wrapper.module.body):
        is_definition, value = definition_value(statement)
        try:
            if is_definition and value is not None:
                handlers.update((n, h) for n, h in read_logging(value).handlers.items() if h.file)
            elif (m := mutation(statement)) and m.kind == "assign" and m.path and len(m.path) == 2 \
                    and m.path[0] == "handlers":  # LOGGING["handlers"]["file"] = {...}, in a derived module
                handler = read_handler(m.path[1], m.value)
                if handler.file:
                    handlers[m.path[1]] = handler
        except NotStatic:
            continue
    if not handlers:
        return
    walked = _walk(repo, file)
    for name, handler in handlers.items():
        entry = handler.mapping.entries.get("filename")
        node = entry.element if entry else handler.entry.element if handler.entry else handler.mapping.node
        line = positions[node].start.line
        value = _handler_value(walked, name)
        written = _written(entry.value) if entry else "(no filename)"
        yield Site(file, line, written, _known(value), "logging-console", f"handler {name!r}",
                   _env_name(entry.value, text) if entry else None)


def _walk(repo, file: str):
    from fixbot.settings_find import module_name
    from fixbot.settings_walk import Walk

    walk = Walk(repo)
    try:
        walk.visit(file, module_name(repo, file), ())
    except Exception:  # a file of the chain that does not parse: nothing is known
        return None
    return walk


def _handler_value(walk, name: str):
    logging = walk.logging if walk is not None else UNKNOWN
    try:
        return logging["handlers"][name]["filename"]
    except (KeyError, TypeError):
        return UNKNOWN


def _known(value) -> str | None:
    """The path when every piece of it is known (an Alt only when all branches agree)."""
    if isinstance(value, Alt):
        options = {_known(v) for v in value.options}
        return options.pop() if len(options) == 1 else None
    return value if isinstance(value, str) else None


def _written(node: cst.BaseExpression) -> str:
    value = string_value(node)
    return repr(value) if value is not None else cst.Module([]).code_for_node(node).strip().splitlines()[0][:80]


def _env_name(node: cst.BaseExpression, text: str) -> str | None:
    """The environment variable a filename's default comes from: in the expression, or in a name it uses."""
    code = cst.Module([]).code_for_node(node)
    found = _ENV_CALL.search(code)
    if found:
        return found.group(1)
    for name in re.findall(r"\b([A-Z_][A-Z0-9_]*)\b", code):
        assigned = re.search(rf"(?m)^{name}\s*(?::[^=\n]*)?=(.*)$", text)
        if assigned and (found := _ENV_CALL.search(assigned.group(1))):
            return found.group(1)
    return None


# --- command lines: Gunicorn and Celery flags --------------------------------------------------------------

_CAPTURE = re.compile(r"(?m)--capture-output\b|^capture_output\s*=\s*True\b")
_EXPANSION = re.compile(r"\$\{(\w+):?-([^}$`]*)\}")


def command_flags(repo, file: str, text: str) -> Iterator[Site]:
    """Gunicorn's and Celery's log flags wherever gunicorn_stdout's readers find them started or configured."""
    from fixbot.codemods import celery_stderr, gunicorn_stdout
    from fixbot.codemods.gunicorn_stdout.formats import format_of

    lowered = text.lower()
    found = format_of(text, file)
    if found is None or (found.name == "python" and not named(file, found.files)):
        return
    config = found.name == "python"  # gunicorn.conf.py: Gunicorn's settings, whether or not it names gunicorn
    if "gunicorn" not in lowered and "celery" not in lowered and not config:
        return
    for program, codemod, find in (("Gunicorn", "gunicorn-stdout", gunicorn_stdout.find_invocations),
                                   ("Celery", "celery-stderr", celery_stderr.find_invocations)):
        try:
            invocations = find(text, file, config) if program == "Gunicorn" else find(text, file)
        except (Refusal, RecursionError):
            continue
        captures = len(invocations) == 1 and bool(_CAPTURE.search(text))
        for invocation in invocations:
            for flag in invocation.flags:
                if flag.value == "-" and program == "Gunicorn":
                    continue
                value, env = shell_value(flag.value)
                yield Site(file, flag.line, flag.value, value, codemod, f"{program} {flag.flag}", env,
                           program == "Gunicorn" and flag.setting == "errorlog" and captures)


def shell_value(shown: str) -> tuple[str | None, str | None]:
    """A shell word's value: literal text, or one `${VAR:-default}` judged by its default; None when unknown."""
    env = None
    if "$" in shown:
        match = _EXPANSION.search(shown)
        if match is None or "$" in shown.replace(match.group(0), "") or "`" in shown:
            return None, None
        env, shown = match.group(1), shown.replace(match.group(0), match.group(2))
    if not shown or "*" in shown or "%" in shown or "~" in shown:
        return None, None  # celery's %n/%I, globs, a home directory: not one path
    return shown, env


Reader = Callable[..., Iterator[Site]]


def logging_configs(repo, file: str, text: str) -> Iterator[Site]:
    """The file handlers of a YAML, JSON or INI logging config (codemods/_logging_formats.read_handlers, what
    logging-console rewrites), those with a plain-string filename: precision first."""
    from fixbot.codemods._logging_formats import read_handlers

    try:
        found = read_handlers(text, file) or []
    except Exception:  # a file that does not parse (Refusal), holds no config (NothingToDo), or trips a parser
        return
    for handler in found:
        if handler.writes_file and handler.filename:
            yield Site(file, handler.line, handler.filename, handler.filename if "%" not in handler.filename else None,
                       "logging-console", f"handler {handler.name!r}")


_DJANGO_LOGGING = re.compile(r"(?m)^LOGGING\s*[:=]")


def python_dict_configs(repo, file: str, text: str) -> Iterator[Site]:
    """The file handlers of the dictConfig literals of a Python module that are not Django's `LOGGING`
    (python_logging reads that one): Gunicorn's `logconfig_dict`, `LOGGING_CONFIG`, `dictConfig({...})`, a
    config a function returns; read as the locator reads them (logging_configs), literal filenames only."""
    if not any(w in text for w in ("dictConfig", "logconfig_dict", "LOGGING_CONFIG")) or _DJANGO_LOGGING.search(text) \
            or ("filename" not in text and "FileHandler" not in text):
        return
    from fixbot.logging_configs import Unreadable, handlers_of

    try:
        found = handlers_of(text, file) or {}
    except Unreadable:
        return
    for handler in found.values():
        if handler.writes_file and handler.filename:
            yield Site(file, handler.line, repr(handler.filename),
                       handler.filename if "%" not in handler.filename else None, "logging-console",
                       f"handler {handler.name!r}")


def _format_files() -> tuple[str, ...]:
    from fixbot.codemods._logging_formats import FORMAT_FILES

    return FORMAT_FILES


# (file-name patterns, reader): a file is read by every reader whose patterns take its name. A new kind of
# file is one more line here, its reader yielding Sites.
READERS: tuple[tuple[tuple[str, ...], Reader], ...] = (
    (("*.py",), python_logging),
    (("*.py",), python_dict_configs),
    (("*",), command_flags),
    (_format_files(), logging_configs),
)


def sites(repo, files: list[str], read: Callable[[str], str | None]) -> list[Site]:
    """Every Site in `files` (repo-relative), in file and line order."""
    out: list[Site] = []
    for file in files:
        readers = [r for patterns, r in READERS if named(file, patterns)]
        text = read(file) if readers else None
        if text is None:
            continue
        for reader in readers:
            out.extend(reader(repo, file, text))
    return sorted(set(out), key=lambda s: (s.path, s.line, s.what))
