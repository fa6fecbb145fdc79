"""logging-console after LOGGING's definition: each later statement that reaches into LOGGING, kept, rewritten, removed or refused.

Statements that only touch what is gone (`LOGGING["handlers"]["file"]["filename"] = …`) are removed,
`…["handlers"].append("file")` is redirected or removed, and anything that could bring a file back or that
cannot be followed (another name for part of LOGGING included) is refused, checked against the literal's plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig.console_plan import Plan, element_changes
from fixbot.formats.logconfig.pydict import (
    FILE_ONLY_KEYS,
    STREAM_KEYS,
    NotStatic,
    code,
    is_logging_name,
    is_mapping,
    read_handler,
    read_mapping,
    string_value,
)
from fixbot.formats.logconfig.pyedit import edit_items, like
from fixbot.formats.logconfig.levels import stands_in


@dataclass(frozen=True)
class Mutation:
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


def mutation(statement: cst.BaseSmallStatement) -> Mutation | None:
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        ok, path = _chain(statement.targets[0].target)
        return Mutation(statement, path, "assign", value=statement.value) if ok else None
    if isinstance(statement, cst.AugAssign):
        ok, path = _chain(statement.target)
        return Mutation(statement, path, "augassign", value=statement.value) if ok else None
    if isinstance(statement, cst.Del):
        ok, path = _chain(statement.target)
        return Mutation(statement, path, "del") if ok else None
    if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
        func = statement.value.func
        if isinstance(func, cst.Attribute):
            ok, path = _chain(func.value)
            return Mutation(statement, path, "call", func.attr.value, statement.value) if ok else None
    return None


def _mentions_files(statement: cst.CSTNode, plan: Plan) -> bool:
    text = cst.Module([]).code_for_node(statement)
    quoted = [f"{q}{n}{q}" for n in plan.files | FILE_ONLY_KEYS for q in "'\""]
    return "FileHandler" in text or any(q in text for q in quoted) or any(f"{k}=" in text for k in FILE_ONLY_KEYS)


def unknown(statement: cst.CSTNode, plan: Plan):
    """A use of LOGGING this codemod does not model: fine unless it touches file handling."""
    if _mentions_files(statement, plan):
        raise Refusal(f"LOGGING is used in a way fixbot cannot follow: {code(statement)}")
    return statement


def follow(m: Mutation, plan: Plan):
    """The statement to put in place of `m` (itself when unchanged, None to remove it)."""
    p, st = m.path, m.statement
    if not p:
        return unknown(st, plan)
    if p[0] == "handlers" and len(p) > 1:
        return _follow_handler(m, p[1], p[2:], plan)
    if p[0] == "root" or (p[0] == "loggers" and len(p) > 1):
        logger = p[:1] if p[0] == "root" else p[:2]
        return _follow_logger(m, logger, p[len(logger):], plan)
    if p[0] in ("handlers", "loggers"):
        return unknown(st, plan)
    return st  # formatters, filters, version, ...


def _follow_handler(m: Mutation, name: str, rest: tuple[str, ...], plan: Plan):
    st = m.statement
    if name in plan.files and name not in plan.kept:  # the handler is gone, and so is what the statement does
        if not rest and m.kind == "assign":
            raise Refusal(f"file handler {name!r} is set again after the definition: {code(st)}")
        return None
    if name in plan.kept:  # rewritten in place into a console handler
        if not rest:
            if m.kind == "del":
                return st
            if m.kind == "assign":
                raise Refusal(f"handler {name!r} is replaced after the definition: {code(st)}")
            return unknown(st, plan)
        if rest[0] == "class":
            raise Refusal(f"the class of handler {name!r} is set after the definition: {code(st)}")
        return st if rest[0] in STREAM_KEYS else None
    if not rest and m.kind == "assign":
        if not is_mapping(m.value):
            return unknown(st, plan)
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


def _follow_logger(m: Mutation, logger: tuple[str, ...], rest: tuple[str, ...], plan: Plan):
    st, owner = m.statement, "the root logger" if logger == ("root",) else f"logger {logger[1]!r}"
    if not rest:
        if m.kind == "del":
            plan.lists.pop(logger, None)
            return st
        if m.kind != "assign" or not is_mapping(m.value):
            return unknown(st, plan)
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
            return unknown(st, plan)
        new_name = _appended(name, owner, plan, plan.lists.get(logger), st)
        if new_name is None:
            return None
        if new_name == name:
            return st
        return st.with_changes(value=m.value.with_changes(args=[*m.value.args[:-1], arg.with_changes(value=like(arg.value, new_name))]))
    if m.kind == "call" and m.method == "remove" and m.value.args and string_value(m.value.args[0].value) in plan.files - plan.kept:
        return None  # the file handler is no longer in the list; removing it would raise ValueError
    if m.kind == "del":
        return st
    return unknown(st, plan)


def _appended(name: str, owner: str, plan: Plan, current: list[str] | None, st) -> str | None:
    """What to append instead of `name` to a logger whose list is `current` (None: leave it out)."""
    if name not in plan.files or name in plan.kept:
        if current is not None:
            current.append(name)
        return name
    if current is None:
        raise Refusal(f"fixbot cannot tell which handlers {owner} has when this runs: {code(st)}")
    level = plan.levels.get(name)
    if any(n in plan.streams and stands_in(plan.levels.get(n), level, n in plan.filtered) for n in current):
        return None  # it already prints these lines to the console
    current.append(plan.target)
    return plan.target


def _rewrite_list(literal, owner: str, plan: Plan, *, fresh: bool = False, current: list[str] | None = None):
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
    changes = element_changes(literal.elements, names, new)
    return (edit_items(literal, changes) if changes else literal), [n for n in new if n]


def aliases_part(statement: cst.CSTNode) -> bool:
    value = getattr(statement, "value", None)
    return isinstance(statement, (cst.Assign, cst.AnnAssign)) and isinstance(value, cst.Subscript) and _chain(value)[0]


def other_uses(module: cst.Module, known: set[int]) -> list[cst.CSTNode]:
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
