"""Static reading of a settings module's `LOGGING` dict, shared by the logging codemods and their check.

`read_logging(expr)` turns the libcst expression assigned to `LOGGING` (a `{...}` literal or a `dict(...)`
call, nested either way) into a `LoggingConfig`: its handlers (class, file- or stream-based, formatter,
filters), every literal list of handler names (each logger, the root logger, handlers that point at other
handlers) and the formatters and filters it defines. Whatever cannot be known without running the module (a
`**spread`, a computed key or handler name, a class that is not a string) raises `NotStatic` with a one-line
reason, so callers refuse instead of guessing. A key or handler name written as a module-level constant
(`NAME = "shop"`, bound nowhere else in the module: `constants(module)`) is read as its string.

It also finds the `LOGGING` definitions among a module's statements (`iter_small_statements`,
`definition_value`). Checking a result is fixbot/formats/logconfig/check.py; editing literals, fixbot/formats/logconfig/pyedit.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping as Names, Sequence, Union

import libcst as cst

# Keys only file handlers take; StreamHandler(**rest) would raise TypeError on them.
FILE_ONLY_KEYS = frozenset(
    {"filename", "mode", "maxBytes", "backupCount", "when", "interval", "utc", "atTime", "encoding", "delay", "errors"}
)
# What a handler rewritten into a StreamHandler keeps; dictConfig passes anything else to the constructor.
STREAM_KEYS = frozenset({"class", "level", "formatter", "filters", "."})

MappingNode = Union[cst.Dict, cst.Call]


class NotStatic(Exception):
    """LOGGING depends on something only running the module would tell; the message says what, in one line."""


def code(node: cst.CSTNode) -> str:
    """Source of one node, first line only, for messages."""
    text = cst.Module([]).code_for_node(node).strip()
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= 70 else line[:67] + "..."


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain (possibly implicitly concatenated) str literal; None for anything else."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def constants(module: cst.Module, source: str | None = None) -> dict[str, str]:
    """Module-level names bound once in the whole module, to a plain str literal (`NAME = "shop"`): a handler or
    logger name written through one of them is that string. A name bound anywhere else (a second assignment, a
    loop, an import, a def, `global`, `:=`, in a function too) is not one; a star import makes none known. Only
    statements are walked, without recursion, so a deeply nested expression costs nothing here; `source` is the
    module's text when the caller has it (else it is printed, only when some name is a candidate)."""
    count: dict[str, int] = {}

    def bound(node: cst.CSTNode | None) -> None:
        todo = [node]
        while todo:
            node = todo.pop()
            if isinstance(node, cst.Name):
                count[node.value] = count.get(node.value, 0) + 1
            elif isinstance(node, (cst.Tuple, cst.List)):
                todo += [e.value for e in node.elements]
            elif isinstance(node, cst.StarredElement):
                todo.append(node.value)

    found: dict[str, str] = {}
    todo: list[cst.CSTNode] = list(module.body)
    while todo:
        statement = todo.pop()
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        bound(target.target)
                elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                    bound(small.target)
                elif isinstance(small, (cst.Import, cst.ImportFrom)):
                    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                        return {}
                    for alias in small.names:
                        name = alias.name
                        while isinstance(name, cst.Attribute):  # import H.sub binds H
                            name = name.value
                        bound(alias.asname.name if alias.asname else name)
                elif isinstance(small, cst.Global):
                    for item in small.names:
                        bound(item.name)
                        bound(item.name)
                elif isinstance(small, cst.Del):
                    bound(small.target)
                    bound(small.target)
            continue
        if isinstance(statement, cst.Match):  # its cases bind names in patterns fixbot does not read
            return {}
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            bound(statement.name)
        elif isinstance(statement, cst.For):
            bound(statement.target)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                bound(item.asname.name if item.asname else None)
        elif isinstance(statement, (cst.ExceptHandler, cst.ExceptStarHandler)) and statement.name:
            bound(statement.name.name)
        for part in (getattr(statement, "body", None), getattr(statement, "orelse", None),
                     getattr(statement, "finalbody", None), *getattr(statement, "handlers", ())):
            if isinstance(part, (cst.If, cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler)):
                todo.append(part)
            elif isinstance(part, cst.BaseSuite):
                todo += [b for b in part.body] if isinstance(part, cst.IndentedBlock) else [cst.SimpleStatementLine(part.body)]
    for statement in iter_small_statements(module.body):
        if isinstance(statement, cst.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0].target, cst.Name):
            name, value = statement.targets[0].target.value, string_value(statement.value)
            if value is not None and count.get(name) == 1:
                found[name] = value
    if found:
        text = source if source is not None else module.code
        if re.search(r"\b(?:globals|vars|locals|exec|setattr|__dict__)\b", text):
            return {}  # the module writes its namespace some other way: no name is known
        if ":=" in text:  # NAME := …, in an expression the walk above does not enter
            found = {n: v for n, v in found.items() if not re.search(rf"\b{n}\s*:=", text)}
    return found


def named(node: cst.CSTNode | None, names: Names[str, str]) -> str | None:
    """A str literal's value, or the string a module-level constant (`constants`) holds."""
    if isinstance(node, cst.Name):
        return names.get(node.value)
    return string_value(node)


def is_mapping(node: cst.CSTNode | None) -> bool:
    return isinstance(node, cst.Dict) or (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict"
    )


@dataclass(frozen=True)
class Entry:
    key: str
    index: int  # position among the literal's elements (Dict) or args (dict(...))
    element: Union[cst.DictElement, cst.Arg]

    @property
    def value(self) -> cst.BaseExpression:
        return self.element.value


@dataclass(frozen=True)
class Mapping:
    node: MappingNode
    entries: dict[str, Entry]

    def get(self, key: str) -> cst.BaseExpression | None:
        entry = self.entries.get(key)
        return entry.value if entry else None


def read_mapping(node: cst.CSTNode | None, what: str, names: Names[str, str] = {}) -> Mapping:
    if not is_mapping(node):
        raise NotStatic(f"{what} is not a dict literal: {code(node) if node else 'missing'}")
    entries: dict[str, Entry] = {}
    items = node.elements if isinstance(node, cst.Dict) else node.args
    for index, item in enumerate(items):
        if isinstance(item, cst.StarredDictElement) or (isinstance(item, cst.Arg) and item.star):
            raise NotStatic(f"{what} has a **spread of another dict: {code(item)}")
        if isinstance(item, cst.Arg):
            if item.keyword is None:
                raise NotStatic(f"{what} is dict() of something that is not written out: {code(item)}")
            key = item.keyword.value
        else:
            key = named(item.key, names)
            if key is None:
                raise NotStatic(f"{what} has a key computed at run time: {code(item.key)}")
        if key in entries:
            raise NotStatic(f"{what} has the key {key!r} twice")
        entries[key] = Entry(key, index, item)
    return Mapping(node, entries)


@dataclass(frozen=True)
class Handler:
    name: str
    entry: Entry | None  # its entry in LOGGING["handlers"]
    mapping: Mapping
    cls: str | None  # None: built by a "()" factory
    filters: tuple[str, ...] | None  # None: not a literal list of names

    @property
    def file(self) -> bool:
        """Writes to a file: a class whose name ends in FileHandler, or any handler given a filename."""
        return bool(self.cls and self.cls.rsplit(".", 1)[-1].endswith("FileHandler")) or "filename" in self.mapping.entries

    @property
    def stream(self) -> bool:
        """Writes to the console."""
        return not self.file and bool(self.cls) and self.cls.rsplit(".", 1)[-1] == "StreamHandler"

    @property
    def filtered(self) -> bool:
        """Has filters, so it may drop records (Django's console handler is often DEBUG-only)."""
        value = self.mapping.get("filters")
        return value is not None and not (isinstance(value, (cst.List, cst.Tuple)) and not value.elements)

    @property
    def formatter(self) -> str | None:
        return string_value(self.mapping.get("formatter"))


@dataclass(frozen=True)
class RefList:
    """A literal naming handlers: a logger's `handlers` list, or a handler's `target`/`handlers`."""

    owner: str  # for messages: "logger 'django'", "the root logger", "handler 'memory'"
    path: tuple[str, ...]  # keys from LOGGING down to the literal
    node: cst.BaseExpression  # the List/Tuple, or the string of a `target`
    names: tuple[str, ...]
    items: tuple[cst.BaseExpression, ...]  # the string node of each name
    of_logger: bool


@dataclass(frozen=True)
class LoggingConfig:
    mapping: Mapping
    handlers_mapping: Mapping | None
    handlers: dict[str, Handler]  # in source order
    refs: tuple[RefList, ...]
    formatters: frozenset[str] | None  # None: the section is not written out
    filters: frozenset[str] | None
    filter_refs: tuple[tuple[str, str], ...]  # (owner, filter name)
    names: Names[str, str]  # the module's constants it was read with (`constants`)


def read_names(node: cst.BaseExpression, owner: str, names_of: Names[str, str] = {}) -> tuple[tuple[str, ...], tuple[cst.BaseExpression, ...]]:
    if not isinstance(node, (cst.List, cst.Tuple)):
        raise NotStatic(f"the handlers of {owner} are computed at run time: {code(node)}")
    names, items = [], []
    for element in node.elements:
        name = named(element.value, names_of) if isinstance(element, cst.Element) else None
        if name is None:
            raise NotStatic(f"a handler name of {owner} is computed at run time: {code(element)}")
        names.append(name)
        items.append(element.value)
    return tuple(names), tuple(items)


def _section_names(top: Mapping, key: str) -> frozenset[str] | None:
    if key not in top.entries:
        return frozenset()
    try:
        return frozenset(read_mapping(top.get(key), f"LOGGING[{key!r}]").entries)
    except NotStatic:
        return None


def read_handler(name: str, node: cst.BaseExpression, entry: Entry | None = None) -> Handler:
    """One handler's dict; `entry` is where it sits in LOGGING["handlers"] (None when set by a later statement)."""
    mapping = read_mapping(node, f"handler {name!r}")
    cls = None
    if "class" in mapping.entries:
        cls = string_value(mapping.get("class"))
        if cls is None:
            raise NotStatic(f"the class of handler {name!r} is computed at run time")
    elif "()" not in mapping.entries:
        raise NotStatic(f"handler {name!r} has neither a class nor a '()' factory")
    filters = None
    if isinstance(mapping.get("filters"), (cst.List, cst.Tuple)):
        try:
            filters = read_names(mapping.get("filters"), f"handler {name!r}")[0]
        except NotStatic:
            pass
    return Handler(name, entry, mapping, cls, filters)


def read_logging(node: cst.BaseExpression, names: Names[str, str] = {}) -> LoggingConfig:
    """Read the expression assigned to LOGGING, with the module's `constants`; NotStatic says why it cannot be read
    without running it."""
    top = read_mapping(node, "LOGGING", names)
    handlers: dict[str, Handler] = {}
    refs: list[RefList] = []
    filter_refs: list[tuple[str, str]] = []
    handlers_mapping = None
    if "handlers" in top.entries:
        handlers_mapping = read_mapping(top.get("handlers"), "LOGGING['handlers']", names)
        for name, entry in handlers_mapping.entries.items():
            handlers[name] = handler = read_handler(name, entry.value, entry)
            mapping, filters = handler.mapping, handler.filters
            filter_refs += [(f"handler {name!r}", f) for f in filters or ()]
            owner = f"handler {name!r}"
            if "target" in mapping.entries:  # MemoryHandler
                target = named(mapping.get("target"), names)
                if target is None:
                    raise NotStatic(f"the target of {owner} is computed at run time")
                refs.append(RefList(owner, ("handlers", name, "target"), mapping.get("target"), (target,), (mapping.get("target"),), False))
            if "handlers" in mapping.entries:  # QueueHandler (3.12+)
                listed, items = read_names(mapping.get("handlers"), owner, names)
                refs.append(RefList(owner, ("handlers", name, "handlers"), mapping.get("handlers"), listed, items, False))
    loggers: list[tuple[str, tuple[str, ...], cst.BaseExpression]] = []
    if "root" in top.entries:
        loggers.append(("the root logger", ("root",), top.get("root")))
    if "loggers" in top.entries:
        for name, entry in read_mapping(top.get("loggers"), "LOGGING['loggers']", names).entries.items():
            loggers.append((f"logger {name!r}", ("loggers", name), entry.value))
    for owner, path, value in loggers:
        mapping = read_mapping(value, owner)
        if "handlers" in mapping.entries:
            listed, items = read_names(mapping.get("handlers"), owner, names)
            refs.append(RefList(owner, (*path, "handlers"), mapping.get("handlers"), listed, items, True))
        if isinstance(mapping.get("filters"), (cst.List, cst.Tuple)):
            try:
                filter_refs += [(owner, f) for f in read_names(mapping.get("filters"), owner)[0]]
            except NotStatic:
                pass
    return LoggingConfig(
        top, handlers_mapping, handlers, tuple(refs), _section_names(top, "formatters"), _section_names(top, "filters"), tuple(filter_refs), names
    )


# --- statements -------------------------------------------------------------------------------------


def iter_small_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.BaseSmallStatement]:
    """Module-level small statements, including those under if/try/with/for (not inside def or class)."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        elif isinstance(statement, cst.BaseCompoundStatement):
            for suite in _suites(statement):
                if isinstance(suite, cst.SimpleStatementSuite):
                    yield from suite.body
                else:
                    yield from iter_small_statements(suite.body)


def _suites(statement: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    body = getattr(statement, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield body
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for attr in ("orelse", "finalbody"):
        part = getattr(statement, attr, None)
        if isinstance(part, cst.If):
            yield from _suites(part)
        elif part is not None:
            yield part.body


def is_logging_name(node: cst.CSTNode | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "LOGGING"


def definition_value(statement: cst.BaseSmallStatement) -> tuple[bool, cst.BaseExpression | None]:
    """(is this `LOGGING = …` / `LOGGING: T = …`, the value or None)."""
    if isinstance(statement, cst.Assign) and any(is_logging_name(t.target) for t in statement.targets):
        return True, statement.value
    if isinstance(statement, cst.AnnAssign) and is_logging_name(statement.target):
        return True, statement.value
    return False, None


def plain(node: cst.CSTNode | None, names: Names[str, str] = {}) -> object:
    """The Python value of a literal (dicts, lists, strings, numbers, True/False/None, `logging.INFO`), with
    stdlib.UNKNOWN wherever something is computed at run time: what fixbot/formats/logconfig/stdlib_read.from_dict reads."""
    from fixbot.formats.logconfig.stdlib_read import NAMED_LEVELS, UNKNOWN

    if node is None:
        return None
    if is_mapping(node):
        out: dict = {}
        for item in node.elements if isinstance(node, cst.Dict) else node.args:
            if isinstance(item, cst.StarredDictElement) or (isinstance(item, cst.Arg) and (item.star or item.keyword is None)):
                return UNKNOWN
            key = item.keyword.value if isinstance(item, cst.Arg) else named(item.key, names)
            if key is None:
                return UNKNOWN
            out[key] = plain(item.value, names)
        return out
    if isinstance(node, (cst.List, cst.Tuple)):
        if any(not isinstance(e, cst.Element) for e in node.elements):
            return UNKNOWN
        return [plain(e.value, names) for e in node.elements]
    text = named(node, names)
    if text is not None:
        return text
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "logging":
        return NAMED_LEVELS.get(node.attr.value, UNKNOWN)
    return UNKNOWN
