"""What in_place reads of a module's logging config: every handler dict and handler list it writes out, and the levels and `propagate` of its loggers, as stdlib.Config.

`Site` walks the module's definition and later statements (in_place.py drives it; literals.py runs it on every
other dictConfig literal); `model` is what the standard library would build from what it found, with whatever it
could not read (a list computed at run time, the base module's part of a derived module's LOGGING) unknown, and
`drops` says which positions of the written-out logger lists go once the file handlers print to the console
(fixbot/formats/logconfig/console_lists.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig import console_lists, stdlib, stdlib_read
from fixbot.formats.logconfig.pydict import code, constants, is_logging_name, is_mapping, named, plain, string_value


def mentions_files(node: cst.CSTNode) -> bool:
    """Does code (not a comment) in `node` name a FileHandler class or a `filename`, as a string or a keyword?"""

    class Finder(cst.CSTVisitor):
        found = False

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            value = string_value(node)
            self.found |= bool(value) and ("FileHandler" in value or value == "filename")

        def visit_Arg(self, node: cst.Arg) -> None:
            self.found |= bool(node.keyword) and node.keyword.value == "filename"

    finder = Finder()
    node.visit(finder)
    return finder.found


def keys(node: cst.CSTNode) -> tuple[bool, tuple[Optional[str], ...]]:
    """Is `node` LOGGING[...][...] (or LOGGING itself), and its keys (None where computed at run time)."""
    found: list[Optional[str]] = []
    while isinstance(node, cst.Subscript):
        index = node.slice[0].slice if len(node.slice) == 1 else None
        found.append(string_value(index.value) if isinstance(index, cst.Index) else None)
        node = node.value
    return is_logging_name(node), tuple(reversed(found))


@dataclass
class Site:
    """Every handler dict and logger handler list of the module's LOGGING that this file writes out."""

    module: cst.Module
    assigned: dict[str, list[tuple[cst.BaseSmallStatement, cst.BaseExpression]]]
    # NAME["key"] = value at module level, for a handlers dict kept in its own variable and filled in later
    items_assigned: dict[str, list[tuple[cst.BaseSmallStatement, Optional[str], cst.BaseExpression]]]
    statement: cst.BaseSmallStatement | None = None
    handlers: dict[int, tuple[cst.BaseSmallStatement, Optional[str], cst.CSTNode]] = field(default_factory=dict)
    lists: dict[int, tuple[cst.BaseSmallStatement, cst.CSTNode]] = field(default_factory=dict)
    seen_names: set[str] = field(default_factory=set)
    owned: dict[tuple, list] = field(default_factory=dict)  # logger path -> its handler lists (None: not a literal)
    appends: list[tuple[cst.BaseSmallStatement, tuple, str]] = field(default_factory=list)
    returns: dict[str, list] = field(default_factory=dict)  # function of this module -> the dict literals it returns
    settings: dict[tuple, dict] = field(default_factory=dict)  # logger path -> its level and propagate, when written
    whole: set[tuple] = field(default_factory=set)  # logger paths whose dict this file writes out whole
    tops: dict[str, object] = field(default_factory=dict)  # disable_existing_loggers, incremental
    partial: bool = False  # part of the config comes from something this file does not write out (a base's dict)
    complete: bool = True  # the file defines the config (not a derived module that only changes its base's)
    base: stdlib.Config | None = None  # what was configured before it (stdlib_read.DJANGO for a settings module)
    # the module's constants (pydict.constants: NAME = "shop"); None: read them. A literal inside a function passes
    # {}: a parameter or a local may shadow a module's name there
    names: dict[str, str] | None = None
    source: str | None = None  # the module's text, when the caller has it

    def __post_init__(self) -> None:
        if self.names is None:
            self.names = constants(self.module, self.source)

    def name(self, node: cst.CSTNode) -> Optional[str]:
        """A handler's name in a list: a str literal, or a constant holding one."""
        return named(node, self.names)

    def resolve(self, node: cst.BaseExpression) -> Iterator[tuple[cst.BaseSmallStatement, cst.BaseExpression]]:
        """`node`, or for a module-level name the values this file assigns to it."""
        if isinstance(node, cst.Name) and node.value != "LOGGING" and node.value in self.assigned:
            if node.value not in self.seen_names:
                self.seen_names.add(node.value)
                yield from self.assigned[node.value]
            return
        yield self.statement, node

    def config(self, node: cst.BaseExpression) -> None:
        for statement, value in self.resolve(node):
            self.statement = statement
            for key, item in entries(value, self.names):
                self.statement = statement  # a spread before this item may have moved it to the base's statement
                if key is None and isinstance(item, cst.BaseExpression):
                    values = [v for _, v in self.assigned.get(item.value, [])] if isinstance(item, cst.Name) else [item]
                    self.partial |= not values or not all(is_mapping(v) for v in values)
                    self.config(item)  # {**BASE_LOGGING, ...}
                elif key in ("disable_existing_loggers", "incremental"):
                    self.tops[key] = plain(item, self.names)
                elif key == "handlers":
                    self.handler_map(item)
                elif key in ("root", "loggers"):
                    self.loggers(item, key == "root", (key,))

    def handler_map(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):  # handlers = {...}; if USE_FILE: handlers["file"] = {...}
            for statement, key, value in self.items_assigned.get(node.value, []):
                self.statement = statement
                self.handler(value, key)
        for statement, value in self.resolve(node):
            self.statement = statement
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.returns:
                for returned in self.returns.pop(value.func.value):  # "handlers": _get_handlers(env, log_dir)
                    self.handler_map(returned)
            elif not is_mapping(value):
                self.unreadable(value, "the logging config's handlers are")
            if not is_mapping(value):
                continue
            for key, item in entries(value, self.names):
                self.statement = statement
                if key is None:
                    self.handler_map(item)
                else:
                    self.handler(item, key or None)

    def handler(self, node: cst.BaseExpression, name: Optional[str]) -> None:
        for statement, value in self.resolve(node):
            self.statement = statement
            if is_mapping(value):
                self.handlers[id(value)] = (statement, name, value)
            elif isinstance(value, cst.IfExp):  # {…StreamHandler} if DEBUG else {…FileHandler}: each branch
                self.handler(value.body, name)
                self.handler(value.orelse, name)
            else:
                self.unreadable(value, f"handler {name!r} is" if name else "a handler is")

    def unreadable(self, value: cst.BaseExpression, what: str) -> None:
        """A call may build a file handler out of sight (in a function of this module): refused when this file
        mentions file handlers at all. Another name (a spread of the base module's dict) is that module's."""
        if isinstance(value, cst.Call) and mentions_files(self.module):
            raise Refusal(f"{what} built by {code(value.func)}(...) in a file that writes logs to files; fixbot cannot tell which")

    def loggers(self, node: cst.BaseExpression, one: bool, path: tuple) -> None:
        """A logger's dict (`one`), or the dict of loggers, at `path` ("root",) or ("loggers", name)."""
        for statement, value in self.resolve(node):
            self.statement = statement
            if not is_mapping(value):
                self.partial = True
            elif one:
                self.whole.add(path)
            for key, item in entries(value, self.names):
                if one and key == "handlers":
                    self.handler_list(item, path)
                elif one and key in ("level", "propagate"):
                    self.settings.setdefault(path, {})[key] = plain(item, self.names)
                elif not one and key is not None:
                    self.loggers(item, True, ("loggers", key))
                elif key is None:
                    self.partial = True

    def handler_list(self, node: cst.BaseExpression, path: tuple) -> None:
        self.owned.setdefault(path, []).append(node if isinstance(node, (cst.List, cst.Tuple)) else None)
        if isinstance(node, cst.IfExp):
            self.handler_list(node.body, ())
            self.handler_list(node.orelse, ())
        elif isinstance(node, (cst.List, cst.Tuple)) and node.elements:
            self.lists[id(node)] = (self.statement, node)


def entries(node: cst.BaseExpression, names: dict[str, str] = {}) -> Iterator[tuple[Optional[str], cst.BaseExpression]]:
    """(key, value) of a dict literal or dict(...) call, key "" when computed (a module constant of `names` is
    its string), None for a **spread or a dict given whole (dict(BASE, ...) copies it, as `.update(BASE)` does)."""
    if isinstance(node, cst.Dict):
        for item in node.elements:
            if isinstance(item, cst.StarredDictElement):
                yield None, item.value
            else:
                yield named(item.key, names) or "", item.value
    elif is_mapping(node):
        for arg in node.args:
            yield (arg.keyword.value if arg.keyword and not arg.star else None), arg.value


def model(site: Site) -> tuple[stdlib.Config | None, dict[str, cst.CSTNode]]:
    """(what the standard library builds from what `site` found, the list node of each logger whose list it knows).
    A list is known when it is the logger's one list, written out, naming only handlers defined here once."""
    names = [name for _, name, _ in site.handlers.values()]
    handlers = {name: plain(node, site.names) for _, name, node in site.handlers.values() if name and names.count(name) == 1}
    complete = site.complete and not site.partial
    shared = [id(n) for nodes in site.owned.values() for n in nodes if n is not None]
    appended = {logger for _, logger, _ in site.appends}
    loggers: dict[tuple, dict] = {}
    nodes: dict[str, cst.CSTNode] = {}
    for path in {*site.owned, *site.settings, *site.whole} - {()}:
        name = stdlib.ROOT if path == ("root",) else path[1]
        found = site.owned.get(path, [])
        values = [site.name(e.value) for e in found[0].elements] if len(found) == 1 and found[0] is not None else None
        known = values is not None and set(values) <= set(handlers) and path not in appended and shared.count(id(found[0])) == 1
        entry = dict(site.settings.get(path, {})) if complete or path in site.whole else {"level": stdlib_read.UNKNOWN, "propagate": stdlib_read.UNKNOWN}
        entry["handlers"] = values if known else (() if not found and (complete or path in site.whole) else stdlib_read.UNKNOWN)
        loggers[path] = entry
        if known:
            nodes[name] = found[0]
    config = {"handlers": handlers, **site.tops,
              "loggers": {p[1]: v for p, v in loggers.items() if p != ("root",)}}
    if ("root",) in loggers:
        config["root"] = loggers[("root",)]
    elif not complete:
        config["root"] = {"handlers": stdlib_read.UNKNOWN, "level": stdlib_read.UNKNOWN}
    return stdlib_read.from_dict(config, site.base), nodes


def drops(site: Site) -> dict[int, set[int]]:
    """id(list node) -> the positions that go from it once every file handler prints to the console, for the lists
    `model` knows (fixbot/formats/logconfig/console_lists.py); the others are not its business."""
    config, nodes = model(site)
    if config is None:
        return {}
    planned = console_lists.plan(config, {n for n, node in nodes.items() if id(node) in site.lists}).lists
    return {id(nodes[n]): {i for i, name in enumerate(names) if name is None} for n, names in planned.items() if n in nodes}
