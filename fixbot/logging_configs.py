"""Read the handlers of a logging configuration statically (YAML, JSON, fileConfig INI, dict literals in Python), to locate and to check one.

Nothing is imported or run: YAML with the safe loader, JSON, configparser, and Python through `ast` (a dict literal
assigned to `logconfig_dict` or `LOGGING_CONFIG`, passed to `dictConfig(...)`, or returned by a function).
"""

from __future__ import annotations

import ast
import configparser
import json
import posixpath
import re
from dataclasses import dataclass

CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".ini", ".conf", ".cfg")
_PYTHON_NAMES = ("logconfig_dict", "LOGGING_CONFIG")
_MAX_DEPTH = 8  # where a dictConfig may sit inside a larger YAML or JSON file (`logging:` under an app's config)


class Unreadable(Exception):
    """The file does not load as its format says; the message says why, in one line."""


@dataclass(frozen=True)
class Handler:
    name: str
    cls: str | None  # None when not a literal
    filename: str | None  # the file it writes to, when that is a literal

    @property
    def writes_file(self) -> bool:
        return self.filename is not None or "File" in (self.cls or "")


def format_of(filename: str) -> str | None:
    """'yaml', 'json', 'ini' or 'python' by the file's name; None for anything else."""
    name = posixpath.basename(filename.replace("\\", "/")).lower()
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".ini", ".cfg")):
        return "ini"
    if name.endswith((".py", ".conf")):  # a .conf is INI when it has a [handlers] or [loggers] section
        return "python"
    return None


def handlers_of(text: str, filename: str) -> dict[str, Handler] | None:
    """The handlers of the logging configuration in `text` (None: it holds none). Unreadable when it does not load."""
    fmt = format_of(filename)
    if filename.lower().endswith(".conf") and re.search(r"^\s*\[(?:handlers|loggers)\]", text, re.M):
        fmt = "ini"
    if fmt == "yaml":
        import yaml

        try:
            documents = list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        except (yaml.YAMLError, RecursionError) as err:
            raise Unreadable(f"does not load as YAML: {str(err).splitlines()[0]}") from None
        return _first_dict_config(documents)
    if fmt == "json":
        try:
            return _first_dict_config([json.loads(text)])
        except (ValueError, RecursionError) as err:
            raise Unreadable(f"does not load as JSON: {err}") from None
    if fmt == "ini":
        return _ini(text)
    if fmt == "python":
        return _python(text, filename)
    return None


def _first_dict_config(values: list, depth: int = 0) -> dict[str, Handler] | None:
    for value in values:
        if isinstance(value, dict):
            handlers = value.get("handlers")
            if isinstance(handlers, dict) and all(isinstance(h, dict) for h in handlers.values()) and (
                "version" in value or any("class" in h or "()" in h for h in handlers.values())
            ):
                return {str(name): _handler(str(name), h) for name, h in handlers.items()}
            if depth < _MAX_DEPTH:
                found = _first_dict_config(list(value.values()), depth + 1)
                if found is not None:
                    return found
        elif isinstance(value, list) and depth < _MAX_DEPTH:
            found = _first_dict_config(value, depth + 1)
            if found is not None:
                return found
    return None


def _handler(name: str, config: dict) -> Handler:
    cls = config.get("class", config.get("()"))
    filename = config.get("filename")
    return Handler(name, cls if isinstance(cls, str) else None, filename if isinstance(filename, str) else None)


def _ini(text: str) -> dict[str, Handler] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as err:
        raise Unreadable(f"does not load as INI: {str(err).splitlines()[0]}") from None
    if not parser.has_section("handlers"):
        return None
    names = [n.strip() for n in parser.get("handlers", "keys", fallback="").split(",") if n.strip()]
    out = {}
    for name in names:
        section = f"handler_{name}"
        cls = parser.get(section, "class", fallback=None) if parser.has_section(section) else None
        filename = None
        args = parser.get(section, "args", fallback="") if parser.has_section(section) else ""
        kwargs = parser.get(section, "kwargs", fallback="") if parser.has_section(section) else ""
        try:
            parsed = ast.literal_eval(args) if args.strip() else ()
            if isinstance(parsed, tuple) and parsed and isinstance(parsed[0], str):
                filename = parsed[0]
            named = ast.literal_eval(kwargs) if kwargs.strip() else {}
            if isinstance(named, dict) and isinstance(named.get("filename"), str):
                filename = named["filename"]
        except (ValueError, SyntaxError, RecursionError):  # args naming sys.stdout and the like: no literal file
            pass
        out[name] = Handler(name, cls, filename)
    return out


def _python(text: str, filename: str) -> dict[str, Handler] | None:
    """The handlers of the dict literals this module assigns to `logconfig_dict` or `LOGGING_CONFIG`, passes to
    dictConfig (itself, or through a name assigned it) or returns from a function (a config factory). Django's
    `LOGGING` alone is settings_find's business."""
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


def _literal_handlers(config: ast.Dict) -> dict[str, Handler] | None:
    for key, value in zip(config.keys, config.values):
        if isinstance(key, ast.Constant) and key.value == "handlers" and isinstance(value, ast.Dict):
            out = {}
            for name, handler in zip(value.keys, value.values):
                if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                    continue
                fields = {}
                if isinstance(handler, ast.Dict):
                    fields = {k.value: v.value for k, v in zip(handler.keys, handler.values)
                              if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
                    if any(isinstance(k, ast.Constant) and k.value == "filename" for k in handler.keys):
                        fields.setdefault("filename", "")  # computed: it writes a file, which one is not literal
                out[name.value] = _handler(name.value, fields)
            return out
    return None


def path_matches(filename: str | None, path: str | None) -> bool:
    """Whether a handler's literal filename can be the path the log names (a relative one ends it)."""
    if not filename or not path:
        return False
    filename, path = filename.replace("\\", "/"), path.replace("\\", "/")
    return path == filename or (not filename.startswith("/") and path.endswith("/" + filename.lstrip("./")))
