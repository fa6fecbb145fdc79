"""Where a repository's logging configurations write files, for `fixbot check`: Django's LOGGING along the deployed settings chain, Python's other dictConfig literals, YAML, JSON and INI configs.

Python `LOGGING` goes through settings_walk/python_eval (star imports, `os.path.join`, environment defaults) and
fixbot/formats/logconfig/pydict (which handlers write files, and where in the file); the other configs through
the one reader of logging configs (fixbot/formats/logconfig/configs.py), literal filenames only: precision first.
"""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from fixbot.fixes.sites import Site, env_in, known
from fixbot.formats.logconfig import may_hold_config
from fixbot.formats.logconfig.pydict import (NotStatic, constants, definition_value, iter_small_statements, read_handler,
                                             read_logging, string_value)
from fixbot.formats.python_eval import UNKNOWN

CODEMOD = "logging-console"




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
            yield Site(file, line, written, known(handler.get("filename", UNKNOWN)), CODEMOD,
                       f"handler {name!r}", _env_name(expr, text) if expr is not None else None)


def _handler_places(wrapper) -> dict[str, tuple[int, cst.BaseExpression | None]]:
    """{handler name: (line, filename expression or None)} for the last place `file` writes each file handler or
    its filename."""
    from fixbot.formats.logconfig.console_follow import mutation

    positions = wrapper.resolve(PositionProvider)
    places: dict[str, tuple[int, cst.BaseExpression | None]] = {}

    def place(handler) -> tuple[int, cst.BaseExpression | None]:
        entry = handler.mapping.entries.get("filename")
        node = entry.element if entry else handler.entry.element if handler.entry else handler.mapping.node
        return positions[node].start.line, entry.value if entry else None

    names = constants(wrapper.module)
    for statement in iter_small_statements(wrapper.module.body):
        is_definition, value = definition_value(statement)
        try:
            if is_definition and value is not None:
                places.update((n, place(h)) for n, h in read_logging(value, names).handlers.items() if h.file)
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
    from fixbot.formats.python_eval import Mapping

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


def _written(node: cst.BaseExpression) -> str:
    value = string_value(node)
    return repr(value) if value is not None else cst.Module([]).code_for_node(node).strip().splitlines()[0][:80]


def _env_name(node: cst.BaseExpression, text: str) -> str | None:
    """The environment variable a filename's default comes from: in the expression, or in a name it uses."""
    return env_in(cst.Module([]).code_for_node(node), text)


def logging_configs(repo, file: str, text: str) -> Iterator[Site]:
    """The file handlers of a YAML, JSON or INI logging config (fixbot/formats/logconfig/files.read_handlers, what
    logging-console rewrites), those with a plain-string filename: precision first."""
    from fixbot.formats.logconfig.files import read_handlers

    try:
        found = read_handlers(text, file) or []
    except Exception:  # a file that does not parse (Refusal), holds no config (NothingToDo), or trips a parser
        return
    for handler in found:
        if handler.writes_file and handler.filename:
            yield Site(file, handler.line, handler.filename, handler.filename if "%" not in handler.filename else None,
                       CODEMOD, f"handler {handler.name!r}")


_DJANGO_LOGGING = re.compile(r"(?m)^LOGGING\s*[:=]")


def python_dict_configs(repo, file: str, text: str) -> Iterator[Site]:
    """The file handlers of the dictConfig literals of a Python module that are not Django's `LOGGING`
    (python_logging reads that one): Gunicorn's `logconfig_dict`, `LOG_CONFIG`, `dictConfig({...})`, a config a
    function returns (fixbot/formats/logconfig's CONFIG_NAMES); read as the locator reads them, literal filenames only."""
    if not may_hold_config(text) or _DJANGO_LOGGING.search(text) or ("filename" not in text and "FileHandler" not in text):
        return
    from fixbot.formats.logconfig.configs import Unreadable, handlers_of

    try:
        found = handlers_of(text, file) or {}
    except Unreadable:
        return
    for handler in found.values():
        if handler.writes_file and handler.filename:
            yield Site(file, handler.line, repr(handler.filename),
                       handler.filename if "%" not in handler.filename else None, CODEMOD,
                       f"handler {handler.name!r}")




def code_handlers(file: str, text: str):
    """The file handlers a module's own code builds (`logging.FileHandler(path)`, rotating, `basicConfig(filename=…)`),
    the path evaluated against the module's own module-level names (fixbot/formats/python_eval.py)."""
    import ast

    from fixbot.fixes.sites import Site, known
    from fixbot.formats.logconfig.code_handlers import find
    from fixbot.formats.python_eval import Evaluator

    if "Handler" not in text and "basicConfig" not in text:
        return
    built = find(text)
    if not built:
        return
    env: dict = {}
    evaluate = Evaluator(env, file)
    for statement in ast.parse(text).body:
        if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
            value = evaluate(statement.value)
            env.update((t.id, value) for t in statement.targets)
    lines = text.splitlines()
    for b in built:
        value = known(evaluate(b.filename)) if b.filename is not None else None
        written = lines[b.line - 1].strip() if b.line <= len(lines) else ""
        yield Site(file, b.line, written, value, "file-handler-stream", f"{b.cls.rsplit('.', 1)[-1]} built in code")
