"""logging-console: rewrite a settings module's LOGGING so that no handler writes to a file (issue 3).

https://docs.python.org/3/library/logging.config.html#dictionary-schema-details

The rewrite, in the user's terms:
- the console handler every former file user ends up with is an existing StreamHandler without filters
  (Django's usual `console` is often DEBUG-only through `require_debug_true`, so reusing it would silence
  production); when there is none, the first file handler is rewritten *in place* into a
  `logging.StreamHandler` under its own name, keeping `level`, `formatter`, `filters` and dropping every key a
  StreamHandler does not take. In place keeps every reference valid, including `LOGGING["handlers"]["file"]`
  in other settings modules, and it is the smallest diff; the other file handlers go.
- in every handler list that named a file handler, the file handlers are replaced by that one console
  handler (a list already holding an unfiltered console handler just loses them; a filtered one gives way),
  and duplicates collapse, so no logger prints a line twice.
- statements after the definition that reach into LOGGING are followed: ones that only touch what is gone
  (`LOGGING["handlers"]["file"]["filename"] = …`) are removed, `…["handlers"].append("file")` is redirected
  or removed, and anything that could bring a file back or that cannot be followed is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

import libcst as cst

from codemods import Codemod, Example, Refusal, lazy_commands
from codemods._logging_dict import (
    FILE_ONLY_KEYS,
    STREAM_KEYS,
    LoggingConfig,
    NotStatic,
    code,
    definition_value,
    is_logging_name,
    is_mapping,
    iter_small_statements,
    read_handler,
    read_logging,
    read_mapping,
    string_value,
)
from codemods._logging_edit import StatementTransformer, edit_items, like, parse

_LOGGING_WORD = re.compile(r"(?<![\w.])LOGGING\b")
_Edits = dict[int, dict[int, Optional[cst.CSTNode]]]  # id(literal) -> {item index: new item, or None to drop}


@dataclass
class _Plan:
    """What became of the handlers of one LOGGING literal; the later statements are checked against it."""

    files: frozenset[str] = frozenset()
    target: str | None = None
    in_place: bool = False
    streams: set[str] = field(default_factory=set)  # console handlers after the rewrite
    filtered: set[str] = field(default_factory=set)  # handlers with filters (maybe DEBUG-only)
    lists: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # logger path -> handler names

    def names(self, names: list[str]) -> list[str | None]:
        """The new name at each position of a handler list (None: dropped)."""
        if not any(n in self.files for n in names):
            return list(names)
        unfiltered = self.streams - self.filtered
        insert = not any(n in unfiltered and n not in self.files for n in names)
        out: list[str | None] = []
        seen: set[str] = set()
        for n in names:
            if n in self.files:
                m = self.target if insert and self.target not in seen else None
            elif insert and n in self.streams:
                m = None  # a filtered console handler gives way to the unfiltered one
            else:
                m = None if n in seen else n
            if m:
                seen.add(m)
            out.append(m)
        return out


def _plan(config: LoggingConfig, edits: _Edits) -> _Plan:
    handlers = config.handlers
    files = [n for n, h in handlers.items() if h.file]
    plan = _Plan(streams={n for n, h in handlers.items() if h.stream}, filtered={n for n, h in handlers.items() if h.filtered})
    for ref in config.refs:
        if ref.of_logger:
            plan.lists[ref.path[:-1]] = list(ref.names)
    if not files:
        return plan
    unfiltered = [n for n in handlers if n in plan.streams and n not in plan.filtered]
    plan.files, plan.target, plan.in_place = frozenset(files), (unfiltered or files)[0], not unfiltered
    plan.streams.add(plan.target)
    by_container = edits.setdefault(id(config.handlers_mapping.node), {})
    for name in files:
        if name != plan.target:
            by_container[handlers[name].entry.index] = None
    if plan.in_place:
        mapping = handlers[plan.target].mapping
        changes = edits.setdefault(id(mapping.node), {})
        for key, entry in mapping.entries.items():
            if key == "class":
                changes[entry.index] = entry.element.with_changes(value=like(entry.value, "logging.StreamHandler"))
            elif key == "()" and "class" not in mapping.entries:
                key_node = entry.element.key
                changes[entry.index] = entry.element.with_changes(key=like(key_node, "class"), value=like(key_node, "logging.StreamHandler"))
            elif key not in STREAM_KEYS:
                changes[entry.index] = None
    for ref in config.refs:
        if ref.path[-1] == "target":
            if ref.names[0] in plan.files:
                entry = handlers[ref.path[1]].mapping.entries["target"]
                edits.setdefault(id(handlers[ref.path[1]].mapping.node), {})[entry.index] = entry.element.with_changes(
                    value=like(entry.value, plan.target)
                )
            continue
        new = plan.names(list(ref.names))
        if ref.of_logger:
            plan.lists[ref.path[:-1]] = [n for n in new if n]
        changes = _element_changes(ref.node.elements, ref.names, new)
        if changes:
            edits[id(ref.node)] = changes
    return plan


def _element_changes(elements, names, new) -> dict[int, cst.CSTNode | None]:
    changes = {}
    for i, (element, old, n) in enumerate(zip(elements, names, new)):
        if n is None:
            changes[i] = None
        elif n != old:
            changes[i] = element.with_changes(value=like(element.value, n))
    return changes


def _rebuild(node: cst.BaseExpression, edits: _Edits) -> cst.BaseExpression:
    """`node` with the edits applied, descending only through dict literals (everything else is a leaf)."""
    changes = dict(edits.get(id(node), {}))
    if is_mapping(node):
        for i, item in enumerate(node.elements if isinstance(node, cst.Dict) else node.args):
            if i not in changes and not isinstance(item, cst.StarredDictElement):
                value = _rebuild(item.value, edits)
                if value is not item.value:
                    changes[i] = item.with_changes(value=value)
    return edit_items(node, changes) if changes else node


# --- the statements after the definition ---------------------------------------------------------------


@dataclass(frozen=True)
class _Mutation:
    statement: cst.BaseSmallStatement
    path: tuple[str, ...] | None  # None: an index computed at run time
    kind: str  # assign | augassign | del | call
    method: str | None = None
    value: Any = None  # assigned value, or the Call


def _chain(node: cst.CSTNode) -> tuple[bool, tuple[str, ...] | None]:
    """Is `node` LOGGING[...][...] (or LOGGING itself), and the literal keys."""
    keys: list[str | None] = []
    while isinstance(node, cst.Subscript):
        index = node.slice[0].slice if len(node.slice) == 1 else None
        keys.append(string_value(index.value) if isinstance(index, cst.Index) else None)
        node = node.value
    if not is_logging_name(node):
        return False, None
    return True, None if None in keys else tuple(reversed(keys))


def _mutation(statement: cst.BaseSmallStatement) -> _Mutation | None:
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        ok, path = _chain(statement.targets[0].target)
        return _Mutation(statement, path, "assign", value=statement.value) if ok else None
    if isinstance(statement, cst.AugAssign):
        ok, path = _chain(statement.target)
        return _Mutation(statement, path, "augassign", value=statement.value) if ok else None
    if isinstance(statement, cst.Del):
        ok, path = _chain(statement.target)
        return _Mutation(statement, path, "del") if ok else None
    if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
        func = statement.value.func
        if isinstance(func, cst.Attribute):
            ok, path = _chain(func.value)
            return _Mutation(statement, path, "call", func.attr.value, statement.value) if ok else None
    return None


def _mentions_files(statement: cst.CSTNode, plan: _Plan) -> bool:
    text = cst.Module([]).code_for_node(statement)
    quoted = [f"{q}{n}{q}" for n in plan.files | FILE_ONLY_KEYS for q in "'\""]
    return "FileHandler" in text or any(q in text for q in quoted) or any(f"{k}=" in text for k in FILE_ONLY_KEYS)


def _unknown(statement: cst.CSTNode, plan: _Plan):
    """A use of LOGGING this codemod does not model: fine unless it touches file handling."""
    if _mentions_files(statement, plan):
        raise Refusal(f"LOGGING is used in a way fixbot cannot follow: {code(statement)}")
    return statement


def _follow(m: _Mutation, plan: _Plan):
    """The statement to put in place of `m` (itself when unchanged, None to remove it)."""
    p, st = m.path, m.statement
    if not p:
        return _unknown(st, plan)
    if p[0] == "handlers" and len(p) > 1:
        return _follow_handler(m, p[1], p[2:], plan)
    if p[0] == "root" or (p[0] == "loggers" and len(p) > 1):
        logger = p[:1] if p[0] == "root" else p[:2]
        return _follow_logger(m, logger, p[len(logger):], plan)
    if p[0] in ("handlers", "loggers"):
        return _unknown(st, plan)
    return st  # formatters, filters, version, ...


def _follow_handler(m: _Mutation, name: str, rest: tuple[str, ...], plan: _Plan):
    st = m.statement
    if name in plan.files and name != plan.target:  # the handler is gone, and so is what the statement does
        if not rest and m.kind == "assign":
            raise Refusal(f"file handler {name!r} is set again after the definition: {code(st)}")
        return None
    if name in plan.files:  # rewritten in place into the console handler
        if not rest:
            if m.kind == "del":
                return st
            if m.kind == "assign":
                raise Refusal(f"handler {name!r} is replaced after the definition: {code(st)}")
            return _unknown(st, plan)
        if rest[0] == "class":
            raise Refusal(f"the class of handler {name!r} is set after the definition: {code(st)}")
        return st if rest[0] in STREAM_KEYS else None
    if not rest and m.kind == "assign":
        if not is_mapping(m.value):
            return _unknown(st, plan)
        try:
            handler = read_handler(name, m.value)
        except NotStatic as error:
            raise Refusal(str(error)) from None
        if handler.file:
            raise Refusal(f"a file handler {name!r} is added after the definition: {code(st)}")
        if handler.stream:
            plan.streams.add(name)
            if handler.filtered:
                plan.filtered.add(name)
        return st
    if rest[:1] == ("filename",) or (rest[:1] == ("class",) and "FileHandler" in (string_value(m.value) or "FileHandler")):
        raise Refusal(f"handler {name!r} is made to write to a file after the definition: {code(st)}")
    return st


def _follow_logger(m: _Mutation, logger: tuple[str, ...], rest: tuple[str, ...], plan: _Plan):
    st, owner = m.statement, "the root logger" if logger == ("root",) else f"logger {logger[1]!r}"
    if not rest:
        if m.kind == "del":
            plan.lists.pop(logger, None)
            return st
        if m.kind != "assign" or not is_mapping(m.value):
            return _unknown(st, plan)
        try:
            mapping = read_mapping(m.value, owner)
        except NotStatic as error:
            raise Refusal(str(error)) from None
        value = mapping.get("handlers")
        if value is None:
            plan.lists[logger] = []
            return st
        new_list, names = _rewrite_list(value, owner, plan, fresh=True)
        plan.lists[logger] = names
        entry = mapping.entries["handlers"]
        new_value = edit_items(m.value, {entry.index: entry.element.with_changes(value=new_list)}) if new_list is not value else m.value
        return st if new_value is m.value else st.with_changes(value=new_value)
    if rest != ("handlers",):
        return st
    if m.kind == "assign" and isinstance(m.value, (cst.List, cst.Tuple)):
        new_list, plan.lists[logger] = _rewrite_list(m.value, owner, plan, fresh=True)
        return st if new_list is m.value else st.with_changes(value=new_list)
    if (m.kind == "augassign" and isinstance(m.value, (cst.List, cst.Tuple))) or (
        m.kind == "call" and m.method == "extend" and len(m.value.args) == 1 and isinstance(m.value.args[0].value, (cst.List, cst.Tuple))
    ):
        literal = m.value if m.kind == "augassign" else m.value.args[0].value
        new_list, _ = _rewrite_list(literal, owner, plan, current=plan.lists.get(logger))
        if not new_list.elements:
            return None
        if m.kind == "augassign":
            return st if new_list is literal else st.with_changes(value=new_list)
        arg = m.value.args[0]
        return st if new_list is literal else st.with_changes(value=m.value.with_changes(args=[arg.with_changes(value=new_list)]))
    if m.kind == "call" and m.method in ("append", "insert") and m.value.args:
        arg = m.value.args[-1]
        name = string_value(arg.value)
        if name is None:
            return _unknown(st, plan)
        new_name = _appended(name, owner, plan, plan.lists.get(logger), st)
        if new_name is None:
            return None
        if new_name == name:
            return st
        return st.with_changes(value=m.value.with_changes(args=[*m.value.args[:-1], arg.with_changes(value=like(arg.value, new_name))]))
    if m.kind == "call" and m.method == "remove" and m.value.args and string_value(m.value.args[0].value) in plan.files:
        return None  # the file handler is no longer in the list; removing it would raise ValueError
    if m.kind == "del":
        return st
    return _unknown(st, plan)


def _appended(name: str, owner: str, plan: _Plan, current: list[str] | None, st) -> str | None:
    """What to append instead of `name` to a logger whose list is `current` (None: leave it out)."""
    if name not in plan.files:
        if current is not None:
            current.append(name)
        return name
    if current is None:
        raise Refusal(f"fixbot cannot tell which handlers {owner} has when this runs: {code(st)}")
    if any(n in plan.streams for n in current):  # it already prints to the console
        return None
    current.append(plan.target)
    return plan.target


def _rewrite_list(literal, owner: str, plan: _Plan, *, fresh: bool = False, current: list[str] | None = None):
    try:
        names = [string_value(e.value) for e in literal.elements]
    except AttributeError:
        names = [None]
    if None in names:
        if fresh or plan.files:
            raise Refusal(f"a handler name of {owner} is computed at run time: {code(literal)}")
        return literal, []
    if fresh:
        new = plan.names(names)
    else:
        new, seen = [], set()
        for n in names:
            m = _appended(n, owner, plan, current, literal) if n not in seen else None
            new.append(None if m in seen else m)
            seen.update((n, m))
    changes = _element_changes(literal.elements, names, new)
    return (edit_items(literal, changes) if changes else literal), [n for n in new if n]


# --- the codemod ---------------------------------------------------------------------------------------


def _plan_module(module: cst.Module, source: str | None = None) -> dict[int, cst.BaseSmallStatement | None]:
    """id(small statement) -> its replacement (None: remove it). Raises Refusal when refusing."""
    definitions, mutations, statements = [], [], []
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if is_definition:
            if value is not None:
                definitions.append((statement, value))
            statements.append(statement)
        elif (m := _mutation(statement)) is not None:
            mutations.append(m)
            statements.append(statement)
    if not definitions:
        raise Refusal("no LOGGING in this file" if not mutations else "LOGGING is only changed here; it is defined in a module this one imports")
    edits: dict[int, cst.BaseSmallStatement | None] = {}
    plans = []
    for statement, value in definitions:
        if not is_mapping(value):
            what = f"built by {code(value.func)}(...)" if isinstance(value, cst.Call) else f"{code(value)}, not a dict literal"
            raise Refusal(f"LOGGING is {what}; fixbot only rewrites a LOGGING written out in this file")
        try:
            config = read_logging(value)
        except NotStatic as error:
            raise Refusal(str(error)) from None
        literal_edits: _Edits = {}
        plans.append(_plan(config, literal_edits))
        if literal_edits:
            edits[id(statement)] = statement.with_changes(value=_rebuild(value, literal_edits))
    plan = plans[0]
    if mutations and (len(definitions) > 1 or statements[0] is not definitions[0][0]):
        if any(p.files for p in plans):
            raise Refusal("LOGGING is defined more than once or changed before its definition; fixbot cannot tell which definition a change applies to")
    for m in mutations:
        replacement = _follow(m, plan)
        if replacement is not m.statement:
            edits[id(m.statement)] = replacement
    # Other uses of LOGGING (aliases, reads inside functions) only matter when they touch file handling.
    # Counting words first keeps the common case free of a walk over the whole tree.
    if source is None or len(_LOGGING_WORD.findall(source)) > len(statements):
        for statement in _other_uses(module, {id(s) for s in statements}):
            if plan.files and _aliases_part(statement):
                raise Refusal(f"part of LOGGING is reached through another name, which fixbot cannot follow: {code(statement)}")
            _unknown(statement, plan)
    return edits


def _aliases_part(statement: cst.CSTNode) -> bool:
    value = getattr(statement, "value", None)
    return isinstance(statement, (cst.Assign, cst.AnnAssign)) and isinstance(value, cst.Subscript) and _chain(value)[0]


def _other_uses(module: cst.Module, known: set[int]) -> list[cst.CSTNode]:
    """Statements that contain the name LOGGING, other than as the root of a known definition or change
    (`LOGGING["x"] = LOGGING["y"]` counts for its second one)."""

    class Uses(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[cst.CSTNode] = []
            self.found: dict[int, cst.CSTNode] = {}
            self.count: dict[int, int] = {}

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                self.stack.append(node)
            elif is_logging_name(node) and self.stack:
                statement = self.stack[-1]
                self.count[id(statement)] = n = self.count.get(id(statement), 0) + 1
                if n > (id(statement) in known):
                    # a compound statement is judged by its header, not by the block it guards
                    self.found[id(statement)] = getattr(statement, "test", statement)
            return True

        def on_leave(self, node: cst.CSTNode) -> None:
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
                self.stack.pop()

    uses = Uses()
    module.visit(uses)
    return list(uses.found.values())


def console_only(tree: cst.Module, source: str | None = None) -> cst.Module:
    """`tree` with no LOGGING handler writing to a file; `source` is its text, when the caller has it."""
    edits = _plan_module(tree, source)
    return tree.visit(_Rewriter(edits)) if edits else tree


# The libcst.tool entry point lives in codemods/_libcst_commands.py, so that importing this module does not
# import libcst.codemod (and libcst.matchers, ~200 ms); libcst.tool finds it with getattr.
__getattr__, __dir__ = lazy_commands(__name__, "LoggingConsoleCommand")


class _Rewriter(StatementTransformer):
    """Puts the planned statements in place and drops the removed ones, keeping the blocks' spacing."""

    def __init__(self, edits: dict[int, cst.BaseSmallStatement | None]) -> None:
        super().__init__()
        self._edits = edits
        self._removed: set[int] = set()

    def _small(self, body):
        new = [self._edits.get(id(s), s) if id(s) in self._edits else s for s in body]
        new = [s for s in new if s is not None]
        if new and len(new) != len(body):
            new[-1] = new[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return new

    def leave_SimpleStatementLine(self, original_node, updated_node):
        if not any(id(s) in self._edits for s in original_node.body):
            return updated_node
        body = self._small(original_node.body)
        if body:
            return updated_node.with_changes(body=body)
        self._removed.add(id(updated_node))  # dropped by the enclosing block, which also keeps its spacing
        return updated_node

    def leave_SimpleStatementSuite(self, original_node, updated_node):
        if not any(id(s) in self._edits for s in original_node.body):
            return updated_node
        return updated_node.with_changes(body=self._small(original_node.body) or [cst.Pass()])

    def _drop(self, body):
        new, pending = [], []
        for statement in body:
            if id(statement) in self._removed:
                pending = pending or list(statement.leading_lines)
                continue
            blanks = [line for line in pending if line.comment is None]
            own = statement.leading_lines
            if blanks and pending[0].comment is None and not (own and own[0].comment is None):
                # the blank line that separated the removed statement now separates this one
                statement = statement.with_changes(leading_lines=[blanks[0], *own])
            new.append(statement)
            pending = []
        return new

    def leave_IndentedBlock(self, original_node, updated_node):
        # A block whose only statement was removed still needs one.
        body = self._drop(updated_node.body) or [cst.SimpleStatementLine([cst.Pass()])]
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node, updated_node):
        return updated_node.with_changes(body=self._drop(updated_node.body))


_BEFORE = """\
import os

LOG_DIR = "/app/apps/backend/logs"

LOGGING = {
    'version': 1,
    'handlers': {
        'console': {'class': 'logging.StreamHandler'},
        'file': {
            'level': 'INFO',
            'class': 'logging.FileHandler',
            'filename': os.path.join(LOG_DIR, 'api.log'),
        },
    },
    'root': {'handlers': ['console', 'file'], 'level': 'INFO'},
}
"""


class LoggingConsole(Codemod):
    NAME = "logging-console"
    DESCRIPTION = (
        "Rewrite LOGGING in a Django settings module so that no handler writes to a file: loggers that used a "
        "file handler log to the console (an existing StreamHandler, or the file handler turned into one in "
        "place), keeping everything else byte for byte."
    )
    HANDLES = ("django-logging-handler",)
    FILES = ("*.py",)
    EXAMPLES = (
        Example(
            "reuses the console handler",
            _BEFORE,
            _BEFORE.replace(
                """        'file': {
            'level': 'INFO',
            'class': 'logging.FileHandler',
            'filename': os.path.join(LOG_DIR, 'api.log'),
        },
""",
                "",
            ).replace("['console', 'file']", "['console']"),
        ),
        Example(
            "turns the only file handler into a StreamHandler in place",
            'LOGGING = {\n    "version": 1,\n    "handlers": {\n        "file": {"level": "DEBUG", "class": "logging.FileHandler", "filename": "/path/to/django/debug.log"},\n    },\n    "loggers": {"django": {"handlers": ["file"], "level": "DEBUG", "propagate": True}},\n}\n',
            'LOGGING = {\n    "version": 1,\n    "handlers": {\n        "file": {"level": "DEBUG", "class": "logging.StreamHandler"},\n    },\n    "loggers": {"django": {"handlers": ["file"], "level": "DEBUG", "propagate": True}},\n}\n',
        ),
        Example(
            "already console-only",
            'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["console"]}}\n',
        ),
        Example("LOGGING built by a function", "from .logs import build\n\nLOGGING = build('api')\n", refuses="built by build"),
        Example("no LOGGING", "DEBUG = True\n", refuses="no LOGGING in this file"),
    )

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        from codemods._python import TOO_DEEP

        try:
            return console_only(parse(source), source).code
        except RecursionError:  # libcst visits and prints recursively; CPython took a tree too deep for it
            raise Refusal(TOO_DEEP) from None
