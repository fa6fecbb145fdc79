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


def python_logging(repo, file: str, text: str, walks: list | None = None) -> Iterator[Site]:
    """File handlers written in `file` (`LOGGING = {...}`, `LOGGING["handlers"][name] = {...}`,
    `LOGGING["handlers"][name]["filename"] = ...`), judged by the LOGGING the deployed settings module produces:
    `walks` are the deploy's settings modules walked (settings_walk.Walk). A handler is this file's site only when
    the handler that survives along a deployed chain that runs `file` still writes a file and was last written
    here; a file no deployed chain runs is judged by walking its own module (what it imports)."""
    if "LOGGING" not in text or ("filename" not in text and "FileHandler" not in text):
        return
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except (cst.ParserSyntaxError, RecursionError):
        return
    places = _handler_places(wrapper)
    if not places:
        return
    chains = [w for w in walks or () if file in w.seen] or [_walk(repo, file)]
    for walk in chains:
        if walk is None or walk.opaque:
            continue  # a file of the chain changes LOGGING in a way not followed (a loop, a function): unknown
        for name, (line, expr) in places.items():
            handler = _surviving(walk, name, file)
            if handler is None:
                continue
            written = _written(expr) if expr is not None else "(no filename)"
            yield Site(file, line, written, _known(handler.get("filename", UNKNOWN)), "logging-console",
                       f"handler {name!r}", _env_name(expr, text) if expr is not None else None)


def _handler_places(wrapper) -> dict[str, tuple[int, cst.BaseExpression | None]]:
    """{handler name: (line, filename expression or None)} for the last place `file` writes each file handler or
    its filename."""
    from fixbot.codemods._logging_console_follow import mutation

    positions = wrapper.resolve(PositionProvider)
    places: dict[str, tuple[int, cst.BaseExpression | None]] = {}

    def place(handler) -> tuple[int, cst.BaseExpression | None]:
        entry = handler.mapping.entries.get("filename")
        node = entry.element if entry else handler.entry.element if handler.entry else handler.mapping.node
        return positions[node].start.line, entry.value if entry else None

    for statement in iter_small_statements(wrapper.module.body):
        is_definition, value = definition_value(statement)
        try:
            if is_definition and value is not None:
                places.update((n, place(h)) for n, h in read_logging(value).handlers.items() if h.file)
            elif (m := mutation(statement)) and m.kind == "assign" and m.path and m.path[0] == "handlers":
                if len(m.path) == 2:  # LOGGING["handlers"]["file"] = {...}, in a derived module
                    handler = read_handler(m.path[1], m.value)
                    if handler.file:
                        places[m.path[1]] = place(handler)
                elif len(m.path) == 3 and m.path[2] == "filename":  # LOGGING["handlers"]["file"]["filename"] = …
                    places[m.path[1]] = (positions[statement].start.line, m.value)
            elif m and m.kind == "call" and m.method == "update" and m.path and len(m.path) == 2 \
                    and m.path[0] == "handlers" and (expr := _updated_filename(m.value)) is not None:
                places[m.path[1]] = (positions[expr].start.line, expr)  # LOGGING["handlers"]["file"].update(…)
        except NotStatic:
            continue
    return places


def _updated_filename(call: cst.Call) -> cst.BaseExpression | None:
    """The filename `.update(filename=…)` or `.update({"filename": …})` gives a handler, else None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "filename":
            return arg.value
    if len(call.args) == 1 and call.args[0].keyword is None and isinstance(call.args[0].value, cst.Dict):
        for element in call.args[0].value.elements:
            if isinstance(element, cst.DictElement) and string_value(element.key) == "filename":
                return element.value
    return None


def _surviving(walk, name: str, file: str):
    """The handler `name` in the LOGGING `walk` produces when it writes a file and `file` last wrote it (its dict,
    or its filename); None otherwise, or when something not followed may have replaced it."""
    from fixbot.settings_eval import Mapping

    logging = walk.logging if walk is not None else UNKNOWN
    handlers = logging.get("handlers") if isinstance(logging, Mapping) else None
    handler = handlers.get(name) if isinstance(handlers, Mapping) else None
    if not isinstance(handler, Mapping) or handlers.open or handler.open or handler.origin != file:
        return None
    cls = handler.get("class")
    if "filename" not in handler and not (isinstance(cls, str) and cls.rsplit(".", 1)[-1].endswith("FileHandler")):
        return None  # no longer a file handler: `{"class": "logging.StreamHandler"}` in a derived module
    return handler


def _walk(repo, file: str):
    from fixbot.settings_find import module_name
    from fixbot.settings_walk import Walk

    walk = Walk(repo)
    try:
        walk.visit(file, module_name(repo, file), ())
    except Exception:  # a file of the chain that does not parse: nothing is known
        return None
    return walk


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
    return _env_in(cst.Module([]).code_for_node(node), text)


def _env_in(code: str, text: str) -> str | None:
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
        assigned = _config_values(repo, file) if config and program == "Gunicorn" else None
        for invocation in invocations:
            for flag in invocation.flags:
                if flag.value == "-" and program == "Gunicorn":
                    continue
                value, env = shell_value(flag.value) if assigned is None else \
                    config_value(assigned.get((file, flag.line), UNKNOWN), flag.value, text,
                                 assigned.get(flag.setting, UNKNOWN))
                yield Site(file, flag.line, flag.value, value, codemod, f"{program} {flag.flag}", env,
                           program == "Gunicorn" and flag.setting == "errorlog" and captures)


def _config_values(repo, file: str) -> dict:
    """{(file, line): value} of the assignments a Python config module runs, evaluated statically (module-level
    names, f-strings, `+`, os.path.join, environment defaults; settings_walk), and {name: value} of what the module
    ends with; {} when it does not parse."""
    from fixbot.settings_find import module_name
    from fixbot.settings_walk import Walk

    walk = Walk(repo)
    walk.assigned = {}
    try:
        walk.visit(file, module_name(repo, file), ())
    except Exception:  # a module that does not parse: nothing in it is known
        return {}
    return {**walk.assigned, **walk.env}


def config_value(value, shown: str, text: str, final=UNKNOWN) -> tuple[str | None, str | None]:
    """A config module setting's value (`errorlog = f"{LOG_DIR}/error.log"`) as evaluated, None when it is not
    known or when what the module ends with (`final`) is known not to be it (a later `errorlog = "-"`). A value
    chosen at run time (`"/var/log/a.log" if PROD else "-"`) is judged by its one path when every branch is known
    and the others are the console; two different paths, or an unknown branch, are None."""
    options = value.options if isinstance(value, Alt) else (value,)
    ends = final.options if isinstance(final, Alt) else (final,)
    if final is not UNKNOWN and not any(v in ends for v in options if isinstance(v, str)):
        return None, None
    if not all(isinstance(v, str) or v is None for v in options):
        return None, None
    paths = {v for v in options if v is not None and v not in ("-", "/dev/stdout", "/dev/stderr")}
    if len(paths) != 1:
        return None, None
    return paths.pop(), _env_in(shown, text)


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


def sites(repo, files: list[str], read: Callable[[str], str | None], walks: list | None = None) -> list[Site]:
    """Every Site in `files` (repo-relative), in file and line order; `walks`: the deployed settings modules."""
    out: list[Site] = []
    for file in files:
        readers = [r for patterns, r in READERS if named(file, patterns)]
        text = read(file) if readers else None
        if text is None:
            continue
        for reader in readers:
            out.extend(reader(repo, file, text, walks) if reader is python_logging else reader(repo, file, text))
    return sorted(set(out), key=lambda s: (s.path, s.line, s.what))
