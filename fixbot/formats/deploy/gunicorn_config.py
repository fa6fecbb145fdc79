"""Gunicorn config modules (`gunicorn.conf.py`, read with libcst): the module-level settings a kind asks for (its log files unless told), edited as its codemod decides."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import PositionProvider

from fixbot.formats import Refusal
from fixbot.formats.deploy.edits import Change
from fixbot.formats.deploy.scan import LOG_SETTINGS, Invocation, LogFlag, Program

# Calls that only build or look up a path, like `${VAR}/x` in a shell: replacing them loses nothing. Any other call
# runs code of the project (that may create the directory, say), which is the config's `$(…)`: fixbot refuses.
_PATH_CALLS = frozenset(
    {"join", "joinpath", "str", "Path", "PurePath", "abspath", "expanduser", "resolve", "as_posix", "format", "get",
     "getenv", "fspath"}
)


class GunicornConfig(cst.CSTTransformer):
    """Read the module-level `settings` of a Gunicorn config module and set each as `change` decides (by default
    a log setting to "-"); run it through a `cst.MetadataWrapper`, which provides the line numbers."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, settings: frozenset[str] = LOG_SETTINGS, change=None) -> None:
        super().__init__()
        self.settings, self.change = settings, change
        self.dropped: list[cst.CSTNode] = []
        self.flags: list[LogFlag] = []
        self.problems: list[str] = []
        # daemon / enable_stdio_inheritance: (how it is set, whether it is literally True), None when false
        self.switches: dict[str, tuple[str, bool] | None] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # assignments in functions and classes are not the module's settings

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        names = [t.target.value for t in original.targets if isinstance(t.target, cst.Name)]
        return updated.with_changes(value=self._value(original, names, original.value))

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.AnnAssign:
        if original.value is None or not isinstance(original.target, cst.Name):
            return updated
        return updated.with_changes(value=self._value(original, [original.target.value], original.value))

    def _value(self, node: cst.CSTNode, names: list[str], value: cst.BaseExpression) -> cst.BaseExpression:
        for name in {"daemon", "enable_stdio_inheritance"}.intersection(names):
            # Gunicorn's validate_bool also takes the strings "true" and "false"; a value that is not literally
            # false may be true at run time: count it as set
            literal = _boolean(value)
            code = cst.Module([]).code_for_node(value)
            line = self.get_metadata(PositionProvider, node).start.line
            self.switches[name] = None if literal is False else (f"{name} = {code} on line {line}", bool(literal))
        settings = [n for n in names if n in self.settings]
        if not settings:
            return value
        line = self.get_metadata(PositionProvider, node).start.line
        simple = isinstance(value, cst.SimpleString)
        shown = str(value.evaluated_value) if simple else cst.Module([]).code_for_node(value)  # type: ignore[union-attr]
        self.flags += [LogFlag(s, s, shown, line) for s in settings]
        if self.change is not None:
            return self._changed(node, names, settings, value, self.change(self.flags[-1], None), line)
        if (simple and shown == "-") or (isinstance(value, cst.Name) and value.value == "None"):
            return value  # already stdout, or no access log at all
        call = _decided_at_run_time(value)
        if call or len(settings) != len(names):
            why = f"comes from `{call}`, code fixbot will not drop" if call else "is assigned together with other names"
            self.problems.append(f"{settings[0]} on line {line} {why}; set it to '-' by hand")
            return value
        if simple:
            return value.with_changes(value=value.prefix + value.quote + "-" + value.quote)  # type: ignore[union-attr]
        return cst.SimpleString('"-"')


    def _changed(self, node, names, settings, value, decided: Change | None, line: int) -> cst.BaseExpression:
        """A codemod's decision on one setting: its new value (a string literal, quoted like the old one), or
        the assignment dropped (leave_SimpleStatementLine removes it)."""
        if decided is None:
            return value
        if len(settings) != len(names):
            self.problems.append(f"{settings[0]} on line {line} is assigned together with other names; change it by hand")
            return value
        if decided.value is None:
            self.dropped.append(node)
            return value
        if isinstance(value, cst.SimpleString):
            return value.with_changes(value=value.prefix + value.quote + decided.value + value.quote)
        return cst.SimpleString(f'"{decided.value}"')

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if len(original.body) == 1 and any(original.body[0] is d for d in self.dropped):
            return cst.RemoveFromParent()
        return updated


def _boolean(value: cst.BaseExpression) -> bool | None:
    """What Gunicorn's validate_bool makes of a literal (None, True, False, "true", "false"); None if not one."""
    if isinstance(value, cst.Name) and value.value in ("True", "False", "None"):
        return value.value == "True"
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return {"true": True, "false": False}.get(value.evaluated_value.lower().strip())
    if isinstance(value, cst.Integer) and value.value == "0":
        return False
    return None


def _decided_at_run_time(value: cst.BaseExpression) -> str | None:
    """The code of a call in the value that runs the project's code (not a path helper or env lookup), else None."""
    stack: list[cst.CSTNode] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if name not in _PATH_CALLS:
                return cst.Module([]).code_for_node(node)
        if isinstance(node, cst.Await):
            return cst.Module([]).code_for_node(node)
        stack.extend(node.children)
    return None


def _config_module(source: str, settings: frozenset[str] = LOG_SETTINGS, change=None) -> tuple[str, GunicornConfig]:
    from fixbot.formats.python import TOO_DEEP, parse_module

    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as e:
        raise Refusal(f"does not parse: line {e.raw_line}: {e.message}") from None
    transformer = GunicornConfig(settings, change)
    try:
        # The tree was parsed here and nothing else holds it: the wrapper need not deep-copy it.
        result = cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer)
        return result.code, transformer
    except RecursionError:  # libcst visits recursively: a tree CPython still takes can be too deep for it
        raise Refusal(TOO_DEEP) from None




class ConfigReading:
    """A config module read and rewritten: the module itself is the one "invocation", with its log settings."""

    def __init__(self, source: str, settings: frozenset[str] = LOG_SETTINGS):
        self.source, self.wanted = source, settings
        self.code, self.config = _config_module(source, settings)

    @property
    def invocations(self) -> list[Invocation]:
        return [self.settings] if self.config.flags else []

    @property
    def settings(self) -> Invocation:
        """The module as one invocation: its log settings, and whether it daemonises and keeps stdio."""
        daemon, inherits = self.config.switches.get("daemon"), self.config.switches.get("enable_stdio_inheritance")
        return Invocation(1, "config", tuple(self.config.flags), daemon=daemon[0] if daemon else None,
                          inherits=bool(inherits and inherits[1]))

    def rewrite(self, change=None, add=None, **options: object) -> str:
        """As Scan.rewrite: each setting as `change` decides, the (setting, value) pairs of `add` assigned at the
        module's end; without them, the log settings go to "-" (gunicorn-stdout)."""
        if change is not None or add is not None:
            code, config = _config_module(self.source, self.wanted, change or (lambda flag, target: None))
            if config.problems:
                raise Refusal(config.problems[0])
            more = add(self.settings) if add is not None else ()
            newline = "\r\n" if "\r\n" in code else "\n"
            if more and code and not code.endswith("\n"):
                code += newline
            return code + "".join(f'{setting} = "{value}"{newline}' for setting, value in more)
        if self.config.problems:
            raise Refusal(self.config.problems[0])
        settings = self.settings
        if self.code != self.source and settings.daemon and not settings.inherits:
            # daemonize() in gunicorn/util.py points stdout and stderr at /dev/null unless stdio is inherited
            raise Refusal(f"Gunicorn runs as a daemon ({settings.daemon}), which sends its stdout and stderr to "
                          "/dev/null: logs pointed at '-' would be lost; set daemon = False (its supervisor or "
                          "journald keeps stderr) or enable_stdio_inheritance = True, then rerun fixbot")
        return self.code


# Settings only a Gunicorn config module assigns at its top level (docs.gunicorn.org/en/stable/settings.html).
_SETTINGS = ("bind", "workers", "worker_class", "worker_connections", "threads", "timeout", "graceful_timeout",
             "keepalive", "errorlog", "accesslog", "loglevel", "capture_output", "access_log_format", "daemon",
             "pidfile", "max_requests", "max_requests_jitter", "preload_app", "proc_name", "wsgi_app", "backlog",
             "forwarded_allow_ips", "enable_stdio_inheritance", "logconfig_dict", "worker_tmp_dir", "raw_env")
_ASSIGNED = re.compile(rf"(?m)^({'|'.join(_SETTINGS)})[ \t]*(?::[^=\n]*)?=(?!=)")


def looks_like(source: str) -> bool:
    """Whether a file whose name says nothing is a Gunicorn config module: Python that assigns accesslog or
    errorlog, or two of Gunicorn's other settings, at its top level (a `.conf` ini file is rarely Python)."""
    from fixbot.formats.python import precheck

    names = set(_ASSIGNED.findall(source))
    if not ({"accesslog", "errorlog"} & names or len(names) >= 2):
        return False
    try:
        precheck(source)
    except Refusal:
        return False
    return True


def read(source: str, program: Program | None = None) -> ConfigReading:
    """A Gunicorn config module: its settings are Gunicorn's whatever `program` the caller looks for (the celery
    codemod leaves Python files out of the formats it reads), read for the settings that program asks for."""
    return ConfigReading(source, program.settings if program is not None else LOG_SETTINGS)
