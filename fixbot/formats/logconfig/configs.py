"""Read the handlers of a logging configuration statically (YAML, JSON, fileConfig INI, dict literals in Python), to locate and to check one.

Nothing is imported or run. YAML, JSON and INI (and whether a `.conf` is INI, Python or neither) are read by
fixbot/formats/logconfig/files.read_handlers, the readers logging-console rewrites with; Python through `ast` (a dict
literal assigned to `logconfig_dict` or `LOGGING_CONFIG`, passed to `dictConfig(...)`, or returned by a
function), which is cheap enough for the locator to parse every candidate module.
"""

from __future__ import annotations

import ast

from fixbot.formats import NothingToDo, Refusal
from fixbot.formats.logconfig import CONFIG_NAMES
from fixbot.formats.logconfig.files import HandlerSite as Handler
from fixbot.formats.logconfig.files import read_handlers
from fixbot.formats.logconfig.handlers import handler_site

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".ini", ".conf", ".cfg")
# Django's module-level LOGGING is read as Django settings (fixbot/settings_find.py), not here.
_PYTHON_NAMES = tuple(sorted(CONFIG_NAMES - {"LOGGING"}))


class Unreadable(Exception):
    """The file does not load as its format says; the message says why, in one line."""


def handlers_of(text: str, filename: str) -> dict[str, Handler] | None:
    """The handlers of the logging configuration in `text` (None: it holds none). Unreadable when it does not load."""
    try:
        found = read_handlers(text, filename)
    except NothingToDo:
        return None
    except Refusal as err:
        raise Unreadable(str(err)) from None
    if found is not None:
        return {h.name: h for h in found}
    return _python(text, filename) if filename.lower().endswith((".py", ".conf")) else None


def _python(text: str, filename: str) -> dict[str, Handler] | None:
    """The handlers of the dict literals this module assigns to one of CONFIG_NAMES, passes to dictConfig (itself,
    or through a name assigned it), returns from a function (a config factory) or writes with both `version` and
    `handlers`: what logging-console rewrites (literals.py). Django's `LOGGING` alone is settings_find's business."""
    try:
        tree = ast.parse(text, filename)
    except (SyntaxError, ValueError, RecursionError):
        raise Unreadable("does not parse as Python") from None
    assigned: dict[str, ast.expr] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            assigned.update((t.id, node.value) for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            assigned[node.target.id] = node.value
    values = [assigned[name] for name in _PYTHON_NAMES if name in assigned]
    values += [node.value for node in ast.walk(tree) if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict)]
    django = {id(n) for s in tree.body for n in ast.walk(s) if _assigns_logging(s)}  # module-level LOGGING's dicts
    values += [node for node in ast.walk(tree) if isinstance(node, ast.Dict) and id(node) not in django
               and {"version", "handlers"} <= {k.value for k in node.keys if isinstance(k, ast.Constant)}]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name == "dictConfig":
                arg = node.args[0]
                values.append(assigned.get(arg.id, arg) if isinstance(arg, ast.Name) else arg)
    found: dict[str, Handler] | None = None
    for value in values:
        handlers = _literal_handlers(value) if isinstance(value, ast.Dict) else None
        if handlers is not None:
            found = {**(found or {}), **handlers}
    return found


def _assigns_logging(statement: ast.stmt) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] \
        if isinstance(statement, ast.AnnAssign) else []
    return any(isinstance(t, ast.Name) and t.id == "LOGGING" for t in targets)


def _literal_handlers(config: ast.Dict) -> dict[str, Handler] | None:
    for key, value in zip(config.keys, config.values):
        if isinstance(key, ast.Constant) and key.value == "handlers" and isinstance(value, ast.Dict):
            out = {}
            for name, handler in zip(value.keys, value.values):
                if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                    continue
                fields, line = {}, name.lineno
                if isinstance(handler, ast.Dict):
                    for k, v in zip(handler.keys, handler.values):
                        if isinstance(k, ast.Constant) and isinstance(k.value, str):
                            # a computed value is None: it is there (a filename writes a file), which one is not literal
                            fields[k.value] = v.value if isinstance(v, ast.Constant) else None
                            line = v.lineno if k.value == "filename" else line
                out[name.value] = handler_site(name.value, fields, line)
            return out
    return None


def path_matches(filename: str | None, path: str | None) -> bool:
    """Whether a handler's literal filename can be the path the log names (a relative one ends it)."""
    if not filename or not path:
        return False
    filename, path = filename.replace("\\", "/"), path.replace("\\", "/")
    return path == filename or (not filename.startswith("/") and path.endswith("/" + filename.lstrip("./")))
