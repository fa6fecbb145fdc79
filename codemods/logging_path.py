"""logging-path: keep LOGGING's file handlers but point them at a log directory that exists at run time.

The incident's other option (shared/seed-report.md, "Fix #3"): each file handler's `filename` becomes
`os.path.join(DJANGO_LOG_DIR, "<the old file's name>")`, where, just before LOGGING,

    DJANGO_LOG_DIR = os.environ.get("DJANGO_LOG_DIR", "<dir>")
    os.makedirs(DJANGO_LOG_DIR, exist_ok=True)

and `<dir>` is option `log_dir` (a directory the repository's entrypoint already creates, such as
`/tmp/backend_logs`), else `/tmp/<project>-logs`. A module-level name rather than the expression repeated
in every handler: one place to read, and the second run recognises its own work.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

import libcst as cst

from fixbot.codemods import Codemod, Example, Refusal, lazy_commands
from fixbot.formats.logconfig.pydict import (
    constants,
    NotStatic,
    code,
    definition_value,
    is_logging_name,
    is_mapping,
    iter_small_statements,
    read_logging,
    string_value,
)
from fixbot.formats.logconfig.pyedit import StatementTransformer, parse

DIR_NAME = "DJANGO_LOG_DIR"


def default_log_dir(filename: str, project: str | None = None) -> str:
    """/tmp/<project>-logs, the project named after the settings package (config/settings/prod.py -> config)."""
    if not project:
        parts = [p for p in re.split(r"[\\/]", filename)[:-1] if p not in ("", ".", "..")]
        while parts and parts[-1] == "settings":
            parts.pop()
        project = parts[-1] if parts else "app"
    return f"/tmp/{re.sub(r'[^A-Za-z0-9_.-]', '-', project)}-logs"


def _basename(node: cst.BaseExpression) -> str | None:
    """The file name a filename expression ends in, when the source says it: "a/b.log", os.path.join(D, "b.log"),
    D / "b.log", str(...), Path(...), f"{D}/b.log", D + "/b.log"."""
    text = string_value(node)
    if text is not None:
        return posixpath.basename(text.replace("\\", "/")) or None
    if isinstance(node, cst.Call) and node.args and not any(a.star or a.keyword for a in node.args):
        func = code(node.func)
        if func in ("os.path.join", "join", "path.join", "posixpath.join"):
            return _basename(node.args[-1].value)
        if func in ("str", "Path", "pathlib.Path", "os.fspath", "PurePath") and len(node.args) == 1:
            return _basename(node.args[0].value)
        if func in ("Path", "pathlib.Path"):
            return _basename(node.args[-1].value)
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
        return _basename(node.right)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        tail = string_value(node.right)
        return posixpath.basename(tail) or None if tail and "/" in tail else None
    if isinstance(node, cst.FormattedString) and node.parts and isinstance(node.parts[-1], cst.FormattedStringText):
        tail = node.parts[-1].value
        return posixpath.basename(tail) or None if "/" in tail else None
    return None


def _already(node: cst.BaseExpression) -> bool:
    """Is this os.path.join(DJANGO_LOG_DIR, "<name>")?"""
    return (
        isinstance(node, cst.Call)
        and code(node.func) == "os.path.join"
        and len(node.args) == 2
        and isinstance(node.args[0].value, cst.Name)
        and node.args[0].value.value == DIR_NAME
        and string_value(node.args[1].value) is not None
    )


def _quote_like(template: cst.BaseExpression | None) -> str:
    if isinstance(template, cst.SimpleString) and template.quote == "'":
        return "'"
    return '"'


def point_at_log_dir(tree: cst.Module, filename: str = "", log_dir: str | None = None, project: str | None = None) -> cst.Module:
    """`tree` with LOGGING's file handlers under DJANGO_LOG_DIR (default: `default_log_dir(filename, project)`)."""
    return _Rewriter(log_dir or default_log_dir(filename, project)).rewrite(tree)


# The libcst.tool entry point lives in codemods/_libcst_commands.py, so that importing this module does not
# import libcst.codemod (and libcst.matchers, ~200 ms); libcst.tool finds it with getattr.
__getattr__, __dir__ = lazy_commands(__name__, "LoggingPathCommand")


class _Rewriter(StatementTransformer):
    """Plans the new filenames and the DJANGO_LOG_DIR setup, then puts them in place."""

    def __init__(self, log_dir: str) -> None:
        super().__init__()
        self.log_dir = log_dir
        self._edits: dict[int, cst.BaseSmallStatement] = {}
        self._setup_before: cst.BaseSmallStatement | None = None
        self._quote = '"'
        self._needs_import = False

    def rewrite(self, tree: cst.Module) -> cst.Module:
        self._plan(tree)
        return tree.visit(self) if self._edits else tree

    def _plan(self, tree: cst.Module) -> None:
        has_dir, has_os, seen_basenames = False, False, {}
        first_definition = None
        for statement in tree.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import) and any(
                        code(a.name) == "os" and a.asname is None for a in small.names
                    ):
                        has_os = True
        names = constants(tree)
        for small in iter_small_statements(tree.body):
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == DIR_NAME for t in small.targets
            ):
                value = small.value
                if not (
                    isinstance(value, cst.Call) and code(value.func) == "os.environ.get" and value.args
                    and string_value(value.args[0].value) == DIR_NAME
                ):
                    raise Refusal(f"{DIR_NAME} is already set to something else: {code(small)}")
                has_dir = True
            is_definition, value = definition_value(small)
            if is_definition and value is not None:
                if not is_mapping(value):
                    raise Refusal(f"LOGGING is {code(value)}, not a dict literal written out in this file")
                try:
                    config = read_logging(value, names)
                except NotStatic as error:
                    raise Refusal(str(error)) from None
                new_value = value
                for handler in config.handlers.values():
                    if not handler.file:
                        continue
                    entry = handler.mapping.entries.get("filename")
                    if entry is None:
                        raise Refusal(f"file handler {handler.name!r} has no filename")
                    new = self._filename(entry.value, handler.name, seen_basenames)
                    if new is not entry.value:
                        self._quote = _quote_like(entry.value)
                        new_value = _replace_value(new_value, entry.value, new)
                if new_value is not value:
                    self._edits[id(small)] = small.with_changes(value=new_value)
                    first_definition = first_definition or small
            elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                # LOGGING["handlers"][h]["filename"] = … after the definition would undo the fix: follow it.
                path = _path(small.targets[0].target)
                if path and len(path) == 3 and path[0] == "handlers" and path[2] == "filename":
                    new = self._filename(small.value, path[1], {})
                    if new is not small.value:
                        self._edits[id(small)] = small.with_changes(value=new)
        if not self._edits:
            return
        if not has_dir:
            self._setup_before = first_definition
            if first_definition is None:
                raise Refusal(f"only later statements set filenames; {DIR_NAME} has no place before LOGGING")
        self._needs_import = not has_os

    def _q(self, text: str) -> str:
        return f"{self._quote}{text}{self._quote}"

    def _filename(self, node: cst.BaseExpression, handler: str, seen: dict[str, str]) -> cst.BaseExpression:
        if _already(node):
            return node
        name = _basename(node)
        if not name:
            raise Refusal(f"the file name of handler {handler!r} is not known before run time: {code(node)}")
        if name in seen:
            raise Refusal(f"handlers {seen[name]!r} and {handler!r} would both write {name}")
        seen[name] = handler
        quote = _quote_like(node if isinstance(node, cst.SimpleString) else None)
        literal = cst.SimpleString(repr(name) if quote in name or "\\" in name else f"{quote}{name}{quote}")
        return cst.parse_expression(f"os.path.join({DIR_NAME}, {literal.value})")

    def _setup(self) -> list[cst.SimpleStatementLine]:
        return [
            cst.parse_statement(f"{DIR_NAME} = os.environ.get({self._q(DIR_NAME)}, {self._q(self.log_dir)})\n"),
            cst.parse_statement(f"os.makedirs({DIR_NAME}, exist_ok=True)\n"),
        ]

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not any(id(s) in self._edits for s in original_node.body):
            return updated_node
        line = updated_node.with_changes(body=[self._edits.get(id(s), s) for s in original_node.body])
        if self._setup_before is None or not any(s is self._setup_before for s in original_node.body):
            return line
        first, second = self._setup()
        # The blank lines above LOGGING go above the new lines; the comments stay with the LOGGING they describe.
        lead = list(line.leading_lines)
        at = next((i for i, empty in enumerate(lead) if empty.comment is not None), len(lead))
        own = lead[at:]
        if own and at:
            own.insert(0, lead[0])  # and a blank line keeps separating them from what comes before
        return cst.FlattenSentinel([first.with_changes(leading_lines=lead[:at]), second, line.with_changes(leading_lines=own)])

    def leave_Module(self, original_node, updated_node):
        if not self._needs_import:
            return updated_node
        body = list(updated_node.body)
        at = 0
        for i, statement in enumerate(body):
            small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
            is_docstring = i == 0 and isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
            if is_docstring or isinstance(small, (cst.Import, cst.ImportFrom)):
                at = i + 1
            else:
                break
        body.insert(at, cst.parse_statement("import os\n"))
        return updated_node.with_changes(body=body)


def _path(node: cst.CSTNode) -> tuple[str, ...] | None:
    keys = []
    while isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        keys.append(string_value(node.slice[0].slice.value))
        node = node.value
    return tuple(reversed(keys)) if is_logging_name(node) and None not in keys else None


def _replace_value(tree: cst.BaseExpression, old: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    """`tree` with the node `old` (found by identity, through dict literals only) replaced by `new`."""
    if tree is old:
        return new
    if not is_mapping(tree):
        return tree
    attr = "elements" if isinstance(tree, cst.Dict) else "args"
    items = list(getattr(tree, attr))
    for i, item in enumerate(items):
        if isinstance(item, cst.StarredDictElement):
            continue
        value = _replace_value(item.value, old, new)
        if value is not item.value:
            items[i] = item.with_changes(value=value)
            return tree.with_changes(**{attr: items})
    return tree


class LoggingPath(Codemod):
    NAME = "logging-path"
    DESCRIPTION = (
        "Keep LOGGING's file handlers but write them under os.environ.get('DJANGO_LOG_DIR', <dir>), a directory "
        "created just before LOGGING (<dir>: option log_dir, e.g. the one the entrypoint creates, else "
        "/tmp/<project>-logs)."
    )
    HANDLES = ("logging-handler",)
    FILES = ("*.py",)
    FORMATS = ("Python settings modules (LOGGING)",)
    CONTEXT = ("star_imported", "project")
    EXAMPLES = (
        Example(
            "the incident's service.py",
            "LOGGING = {\n    'handlers': {\n        'file': {\n            'level': 'INFO',\n            'class': 'logging.FileHandler',\n"
            "            'filename': '/app/apps/backend/logs/api.log',\n        },\n    },\n}\n",
            "import os\nDJANGO_LOG_DIR = os.environ.get('DJANGO_LOG_DIR', '/tmp/backend_logs')\nos.makedirs(DJANGO_LOG_DIR, exist_ok=True)\n"
            "LOGGING = {\n    'handlers': {\n        'file': {\n            'level': 'INFO',\n            'class': 'logging.FileHandler',\n"
            "            'filename': os.path.join(DJANGO_LOG_DIR, 'api.log'),\n        },\n    },\n}\n",
            filename="config/settings/service.py",
            options={"log_dir": "/tmp/backend_logs"},
        ),
        Example(
            "no file handler",
            'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}}\n',
        ),
        Example(
            "file name only known at run time",
            'LOGGING = {"handlers": {"file": {"class": "logging.FileHandler", "filename": LOG_FILE}}}\n',
            refuses="not known before run time",
        ),
    )

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.logconfig.changes import described

        return described(before, after, filename)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        from fixbot.formats.python import TOO_DEEP
        from fixbot.formats.python_tidy import finish

        try:
            tree = parse(source)
            after = point_at_log_dir(tree, filename, options.get("log_dir"), options.get("project"))
            return finish(source, tree, after, star_imported=options.get("star_imported", True))
        except RecursionError:  # libcst visits and prints recursively; CPython took a tree too deep for it
            raise Refusal(TOO_DEEP) from None
