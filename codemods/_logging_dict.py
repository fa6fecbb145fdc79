"""Static reading of a settings module's `LOGGING` dict, shared by the logging codemods and fixbot.verify.

`read_logging(expr)` turns the libcst expression assigned to `LOGGING` (a `{...}` literal or a `dict(...)`
call, nested either way) into a `LoggingConfig`: its handlers (class, file- or stream-based, formatter,
filters), every literal list of handler names (each logger, the root logger, handlers that point at other
handlers) and the formatters and filters it defines. Whatever cannot be known without running the module (a
`**spread`, a computed key or handler name, a class that is not a string) raises `NotStatic` with a one-line
reason, so callers refuse instead of guessing.

`check_source(source, allow_file_handlers=False) -> list[str]` is the structural check for a rewritten file
(for fixbot/verify.py): every referenced handler, formatter and filter exists, no handler writes to a file
(unless allowed), no logger lists two stream handlers. An empty list means sound.

The module also holds the small libcst helpers both codemods need: walking module-level statements,
finding the `LOGGING` definitions, dropping or replacing items of a literal while keeping the
whitespace and comments of the items that stay, and the plain `cst.CSTTransformer` base they rewrite with
(plain libcst: fixbot's path never imports libcst.codemod; codemods/_libcst_commands.py wraps them for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence, Union

import libcst as cst

from codemods import Refusal

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


def read_mapping(node: cst.CSTNode | None, what: str) -> Mapping:
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
            key = string_value(item.key)
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


def read_names(node: cst.BaseExpression, owner: str) -> tuple[tuple[str, ...], tuple[cst.BaseExpression, ...]]:
    if not isinstance(node, (cst.List, cst.Tuple)):
        raise NotStatic(f"the handlers of {owner} are computed at run time: {code(node)}")
    names, items = [], []
    for element in node.elements:
        name = string_value(element.value) if isinstance(element, cst.Element) else None
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


def read_logging(node: cst.BaseExpression) -> LoggingConfig:
    """Read the expression assigned to LOGGING; NotStatic says why it cannot be read without running it."""
    top = read_mapping(node, "LOGGING")
    handlers: dict[str, Handler] = {}
    refs: list[RefList] = []
    filter_refs: list[tuple[str, str]] = []
    handlers_mapping = None
    if "handlers" in top.entries:
        handlers_mapping = read_mapping(top.get("handlers"), "LOGGING['handlers']")
        for name, entry in handlers_mapping.entries.items():
            handlers[name] = handler = read_handler(name, entry.value, entry)
            mapping, filters = handler.mapping, handler.filters
            filter_refs += [(f"handler {name!r}", f) for f in filters or ()]
            owner = f"handler {name!r}"
            if "target" in mapping.entries:  # MemoryHandler
                target = string_value(mapping.get("target"))
                if target is None:
                    raise NotStatic(f"the target of {owner} is computed at run time")
                refs.append(RefList(owner, ("handlers", name, "target"), mapping.get("target"), (target,), (mapping.get("target"),), False))
            if "handlers" in mapping.entries:  # QueueHandler (3.12+)
                names, items = read_names(mapping.get("handlers"), owner)
                refs.append(RefList(owner, ("handlers", name, "handlers"), mapping.get("handlers"), names, items, False))
    loggers: list[tuple[str, tuple[str, ...], cst.BaseExpression]] = []
    if "root" in top.entries:
        loggers.append(("the root logger", ("root",), top.get("root")))
    if "loggers" in top.entries:
        for name, entry in read_mapping(top.get("loggers"), "LOGGING['loggers']").entries.items():
            loggers.append((f"logger {name!r}", ("loggers", name), entry.value))
    for owner, path, value in loggers:
        mapping = read_mapping(value, owner)
        if "handlers" in mapping.entries:
            names, items = read_names(mapping.get("handlers"), owner)
            refs.append(RefList(owner, (*path, "handlers"), mapping.get("handlers"), names, items, True))
        if isinstance(mapping.get("filters"), (cst.List, cst.Tuple)):
            try:
                filter_refs += [(owner, f) for f in read_names(mapping.get("filters"), owner)[0]]
            except NotStatic:
                pass
    return LoggingConfig(
        top, handlers_mapping, handlers, tuple(refs), _section_names(top, "formatters"), _section_names(top, "filters"), tuple(filter_refs)
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


# --- the check fixbot.verify runs ---------------------------------------------------------------------


def problems(config: LoggingConfig, *, allow_file_handlers: bool = False) -> list[str]:
    """What dictConfig would trip on, or what fixbot promises away, in one read LOGGING."""
    found = []
    for ref in config.refs:
        found += [f"{ref.owner} uses handler {n!r}, which is not defined" for n in ref.names if n not in config.handlers]
        if ref.of_logger:
            streams = sorted({n for n in ref.names if n in config.handlers and config.handlers[n].stream})
            if len(streams) > 1:
                found.append(f"{ref.owner} has {len(streams)} stream handlers ({', '.join(streams)}): every line twice")
    for handler in config.handlers.values():
        if handler.file and not allow_file_handlers:
            found.append(f"handler {handler.name!r} still writes to a file")
        if config.formatters is not None and handler.formatter and handler.formatter not in config.formatters:
            found.append(f"handler {handler.name!r} uses formatter {handler.formatter!r}, which is not defined")
    if config.filters is not None:
        found += [f"{owner} uses filter {name!r}, which is not defined" for owner, name in config.filter_refs if name not in config.filters]
    return found


def check_source(source: str, *, allow_file_handlers: bool = False) -> list[str]:
    """Structural problems of every LOGGING defined in a settings module's source; [] when it is sound."""
    from codemods._python import parse_module

    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as error:
        return [f"does not parse: {error.message} (line {error.raw_line})"]
    except Refusal as refusal:
        return [str(refusal)]
    found, defined = [], False
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if not is_definition or value is None:
            continue
        defined = True
        try:
            found += problems(read_logging(value), allow_file_handlers=allow_file_handlers)
        except NotStatic as error:
            found.append(str(error))
        except RecursionError:
            found.append("LOGGING is nested too deeply to read")
    return found if defined else ["no LOGGING in this file"]


# --- editing literals ---------------------------------------------------------------------------------


def _merge(before: cst.BaseParenthesizableWhitespace, after: cst.BaseParenthesizableWhitespace):
    """Whitespace where a run of items was removed: the line end (and comment) of what precedes the run,
    then the comment lines and indentation of what follows it, so comments above a removed item go with it."""
    if isinstance(before, cst.ParenthesizedWhitespace) and isinstance(after, cst.ParenthesizedWhitespace):
        return after.with_changes(first_line=before.first_line)
    if isinstance(before, cst.ParenthesizedWhitespace):
        return before
    if isinstance(after, cst.ParenthesizedWhitespace):
        return after
    return min(before, after, key=lambda ws: len(ws.value))  # `{ 'b': 1}` after dropping 'a' would look odd


def _opening(node):
    if isinstance(node, cst.Dict):
        return node.lbrace.whitespace_after
    if isinstance(node, cst.List):
        return node.lbracket.whitespace_after
    if isinstance(node, cst.Tuple):
        return node.lpar[0].whitespace_after
    return node.whitespace_before_args


def _with_opening(node, ws):
    if isinstance(node, cst.Dict):
        return node.with_changes(lbrace=node.lbrace.with_changes(whitespace_after=ws))
    if isinstance(node, cst.List):
        return node.with_changes(lbracket=node.lbracket.with_changes(whitespace_after=ws))
    if isinstance(node, cst.Tuple):
        return node.with_changes(lpar=[node.lpar[0].with_changes(whitespace_after=ws), *node.lpar[1:]])
    return node.with_changes(whitespace_before_args=ws)


def _closing(node, items):
    if isinstance(node, cst.Dict):
        return node.rbrace.whitespace_before
    if isinstance(node, cst.List):
        return node.rbracket.whitespace_before
    if isinstance(node, cst.Tuple):
        return node.rpar[-1].whitespace_before
    return items[-1].whitespace_after_arg


def edit_items(node, replace: dict[int, cst.CSTNode | None]):
    """`node` (Dict, List, parenthesized Tuple or dict(...) Call) with item i replaced by replace[i], or
    dropped when that is None. Kept items keep their own whitespace and comments."""
    if not replace:
        return node
    attr = "args" if isinstance(node, cst.Call) else "elements"
    old = list(getattr(node, attr))
    if isinstance(node, cst.Tuple) and not node.lpar:
        raise NotStatic("a tuple of handler names without parentheses")
    kept = [i for i in range(len(old)) if replace.get(i, old[i]) is not None]
    new = [replace.get(i, old[i]) for i in kept]
    opening, closing = _opening(node), _closing(node, old) if old else None
    if not kept:
        empty = cst.SimpleWhitespace("")
        node = _with_opening(node.with_changes(**{attr: []}), empty)
        return _set_closing(node, empty)
    if kept[0] != 0:  # leading items dropped
        opening = _merge(opening, _after(old[kept[0] - 1]))
    for n, (i, item) in enumerate(zip(kept, new)):
        nxt = kept[n + 1] if n + 1 < len(kept) else None
        if nxt is not None and nxt != i + 1:  # items between this one and the next dropped
            new[n] = _with_after(item, _merge(_after(old[i]), _after(old[nxt - 1])))
    last, tail_dropped = kept[-1], kept[-1] != len(old) - 1
    if tail_dropped:
        trailing = isinstance(old[-1].comma, cst.Comma)
        if isinstance(node, cst.Call):  # a call keeps the last line break in the trailing comma or the last arg
            if trailing:
                new[-1] = _with_after(new[-1], _merge(_after(old[last]), _after(old[-1])))
            else:
                ws = _merge(_after(old[last]), old[-1].whitespace_after_arg)
                new[-1] = new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=ws)
        else:  # brackets keep it in the closing bracket
            closing = _merge(_after(old[last]), closing)
            new[-1] = _with_after(new[-1], _after(old[-1])) if trailing else new[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(node, cst.Tuple) and len(new) == 1 and not isinstance(new[0].comma, cst.Comma):
        new[0] = new[0].with_changes(comma=cst.Comma())  # ("a",) stays a tuple
    node = _with_opening(node.with_changes(**{attr: new}), opening)
    return node if isinstance(node, cst.Call) or not tail_dropped else _set_closing(node, closing)


def _after(item) -> cst.BaseParenthesizableWhitespace:
    return item.comma.whitespace_after if isinstance(item.comma, cst.Comma) else cst.SimpleWhitespace(" ")


def _with_after(item, ws):
    comma = item.comma if isinstance(item.comma, cst.Comma) else cst.Comma()
    return item.with_changes(comma=comma.with_changes(whitespace_after=ws))


def _set_closing(node, ws):
    if isinstance(node, cst.Dict):
        return node.with_changes(rbrace=node.rbrace.with_changes(whitespace_before=ws))
    if isinstance(node, cst.List):
        return node.with_changes(rbracket=node.rbracket.with_changes(whitespace_before=ws))
    if isinstance(node, cst.Tuple):
        return node.with_changes(rpar=[*node.rpar[:-1], node.rpar[-1].with_changes(whitespace_before=ws)])
    return node


def like(template: cst.BaseExpression, text: str) -> cst.SimpleString:
    """A str literal holding `text`, quoted like `template` when it is a plain string."""
    if isinstance(template, cst.SimpleString) and template.prefix.lower() in ("", "u", "r"):
        quote = template.quote
        if quote not in text and "\\" not in text and "\n" not in text:
            return cst.SimpleString(f"{template.prefix}{quote}{text}{quote}")
    return cst.SimpleString(repr(text) if '"' in text else f'"{text}"')


# --- running the rewrites ------------------------------------------------------------------------------


class StatementTransformer(cst.CSTTransformer):
    """Base of the logging rewrites: they replace whole statements, so the walk never enters expressions or
    function bodies."""

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def parse(text: str) -> cst.Module:
    """The module, or Refusal when it does not parse."""
    from codemods._python import parse_module

    try:
        return parse_module(text)
    except cst.ParserSyntaxError as error:
        raise Refusal(f"does not parse: {error.message} (line {error.raw_line})") from None
