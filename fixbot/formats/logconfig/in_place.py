"""logging-console where the handler lists are not static or LOGGING is only changed here: every file handler becomes a StreamHandler where it is written.

dictConfig builds every handler that is defined, used or not, so a file handler turned into a
`logging.StreamHandler` under its own name (keeping `level`, `formatter`, `filters`) is right whichever loggers
point at it: lists computed at run time (`["console", "file"] if LOCAL else ["console"]`, from the environment,
comprehensions), handlers added later, under `if`, by `.update(...)`, in a derived module after
`from .base import *`, or kept in their own variable (`HANDLERS = {...}`). Nothing else changes, except that a
handler list written out whole, whose handlers are all known, loses the converted handlers that would print a
line twice, and later statements setting a key the StreamHandler no longer takes (`…["file"]["filename"] = …`)
go. What cannot be followed (a handler built by a call, a spread, a class computed at run time) is refused
when it could write to a file.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig.pydict import (
    STREAM_KEYS,
    code,
    definition_value,
    is_mapping,
    iter_small_statements,
    string_value,
)
from fixbot.formats.logconfig.pyedit import edit_items, like
from fixbot.formats.logconfig import stdlib, stdlib_read
from fixbot.formats.logconfig.in_place_site import Site, entries, keys, mentions_files
from fixbot.formats.logconfig.in_place_site import drops as site_drops
from fixbot.formats.logconfig.levels import level, stands_in, thin

Replacements = dict[int, cst.CSTNode]  # id(node) -> its replacement


def in_place(module: cst.Module, exempt: frozenset[str] = frozenset(), produced: object = None,
             source: str | None = None) -> dict[int, cst.BaseSmallStatement | None]:
    """id(small statement) -> its replacement (None: remove it), every file handler turned into a StreamHandler;
    `produced`: the LOGGING the module produces through its imports (plain values), when the caller read them."""
    return _edits(*site_of(module, source), exempt, produced)


def site_of(module: cst.Module, source: str | None = None) -> tuple[Site, list]:
    """What the module's LOGGING statements write out (the definition and every later change), and the later
    statements that reach into a handler; Refusal for a LOGGING built by a call."""
    statements = list(iter_small_statements(module.body))
    assigned: dict[str, list] = {}
    items: dict[str, list] = {}
    for statement in statements:
        if isinstance(statement, (cst.Assign, cst.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, cst.Assign) else [statement]
            for target in targets:
                if isinstance(target.target, cst.Name):
                    assigned.setdefault(target.target.value, []).append((statement, statement.value))
                elif isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                    key = keys(target.target)[1]  # (the keys read as if it were LOGGING[...])
                    if len(key) == 1:
                        items.setdefault(target.target.value.value, []).append((statement, key[0], statement.value))
    defined = any(is_mapping(definition_value(s)[1]) for s in statements)
    site = Site(module, assigned, items, complete=defined, base=stdlib_read.DJANGO, source=source)  # a module-level LOGGING is Django's
    later: list[tuple[cst.BaseSmallStatement, tuple[Optional[str], ...]]] = []
    for statement in statements:
        site.statement = statement
        is_definition, value = definition_value(statement)
        if is_definition:
            if isinstance(value, cst.Call) and not is_mapping(value):
                raise Refusal(f"LOGGING is built by {code(value.func)}(...); fixbot only rewrites a LOGGING written out in this file")
            if isinstance(value, (cst.BaseString, cst.Integer, cst.Float, cst.List, cst.Tuple, cst.Set)):
                raise Refusal(f"LOGGING is {code(value)}, not a dict: dictConfig cannot take it, and fixbot has nothing to rewrite")
            if value is not None:
                site.seen_names.clear()
                site.config(value)
            continue
        _follow(site, statement, later)
    return site, later


def _follow(site: Site, statement: cst.BaseSmallStatement, later: list) -> None:
    """Collect what a statement after (or instead of) the definition adds to LOGGING."""
    site.seen_names.clear()
    if isinstance(statement, (cst.Assign, cst.AugAssign)) and (
        isinstance(statement, cst.AugAssign) or len(statement.targets) == 1
    ):
        target = statement.target if isinstance(statement, cst.AugAssign) else statement.targets[0].target
        ok, path = keys(target)
        if not ok or isinstance(statement, cst.AugAssign):
            return
        if path == ("handlers",):
            site.handler_map(statement.value)
        elif len(path) == 2 and path[0] == "handlers":
            site.handler(statement.value, path[1])
        elif len(path) > 2 and path[0] == "handlers":
            later.append((statement, path))
        elif path in (("root",), ("root", "handlers")) or (path[:1] == ("loggers",) and len(path) <= 3):
            logger = path[:1] if path[0] == "root" else path[:2]
            if path == ("loggers",):
                site.loggers(statement.value, False, path)
            elif path[-1] == "handlers":
                site.handler_list(statement.value, logger)
            elif path == logger:
                site.loggers(statement.value, True, logger)
    elif isinstance(statement, cst.Del):
        ok, path = keys(statement.target)
        if ok and len(path) > 2 and path[0] == "handlers":
            later.append((statement, path))
    elif isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
        call = statement.value
        if not isinstance(call.func, cst.Attribute):
            return
        ok, path = keys(call.func.value)
        if ok and len(path) in (2, 3) and path[0] in ("root", "loggers") and path[-1] == "handlers" and call.args:
            name = site.name(call.args[-1].value)
            logger = path[:-1]
            if call.func.attr.value in ("append", "insert") and name is not None:
                site.appends.append((statement, logger, name))
            else:
                site.owned.setdefault(logger, []).append(None)
        if not ok or call.func.attr.value not in ("update", "setdefault"):
            return
        if call.func.attr.value == "setdefault" and len(call.args) == 2 and path == ("handlers",):
            site.handler(call.args[1].value, string_value(call.args[0].value))
        elif call.func.attr.value == "update":
            wrapped = cst.Call(cst.Name("dict"), call.args)  # update(a_dict) or update(key=...)
            if path == ():
                site.config(wrapped)
            elif path == ("handlers",):
                site.handler_map(wrapped)
            elif len(path) == 2 and path[0] == "handlers":
                later.append((statement, path + (None,)))


def replacements_of(site: Site):
    """The handler dicts and lists to replace, with what the rest of _edits needs to know about the handlers."""
    replacements: Replacements = {}
    converted: set[str] = set()
    streams: dict[str, bool] = {}  # name -> has filters (a StreamHandler that is not converted)
    others: set[str] = set()
    by_statement: dict[int, cst.BaseSmallStatement] = {}
    levels: dict[str, tuple[int | None, bool]] = {}  # name -> (level, has filters) of each console after the rewrite
    for statement, name, node in site.handlers.values():
        new = _convert(node, name)
        found = dict((k, v) for k, v in entries(node) if k)
        console = (level(found.get("level")), "filters" in found)
        if new is None:
            kind = _class(node)
            if kind and kind.rsplit(".", 1)[-1] == "StreamHandler":
                streams[name or ""] = console[1]
                levels[name or ""] = console
            else:
                others.add(name or "")
            continue
        replacements[id(node)] = new
        by_statement[id(statement)] = statement
        converted.add(name or "")
        levels[name or ""] = console
    named = [name for _, name, _ in site.handlers.values()]
    # A name with two handler dicts (the branches of a conditional) is not known: its lists are left as they are.
    known = (converted | set(streams) | others) - {n or "" for n in named if named.count(n) > 1}
    planned = site_drops(site)  # the lists the standard library's model can follow, through propagation
    for statement, node in site.lists.values():
        names = [site.name(e.value) for e in node.elements]
        if id(node) in planned:
            changes = {i: None for i in planned[id(node)]}
        elif None in names or not set(names) <= known or not converted & set(names):
            if len(names) > 1 and converted and (converted & set(names) or None in names):
                # a converted handler (or a name fixbot cannot read, which may be one) beside another handler it
                # cannot place: both may print the same line on the console
                raise Refusal(f"a handler list names {code(node)}, which fixbot cannot follow; a converted file "
                              f"handler there may print a line twice")
            continue  # not provable: left as it is
        else:
            # A list the model cannot place (a branch of a conditional): a console (a converted handler included)
            # goes when another one there prints every line it printed (levels.py), the logger's level as NOTSET.
            deduped = [None if n in converted and n in names[:i] else n for i, n in enumerate(names)]
            new_names = thin(deduped, {n: levels[n] for n in names if n in levels}, {n for n in names if n in streams})
            changes = {i: None for i, n in enumerate(new_names) if n is None}
        if changes:
            replacements[id(node)] = edit_items(node, changes)
            by_statement[id(statement)] = statement
    return replacements, by_statement, converted, streams, levels, known


def _edits(site: Site, later: list, exempt: frozenset[str] = frozenset(), produced: object = None) -> dict[int, cst.BaseSmallStatement | None]:
    replacements, by_statement, converted, streams, levels, known = replacements_of(site)
    edits: dict[int, cst.BaseSmallStatement | None] = {}
    through = _appends_through(site, converted, produced)
    for statement, logger, name in site.appends:
        if name not in converted:
            continue
        lists = site.owned.get(logger, [])
        names = [site.name(e.value) for e in lists[0].elements] if len(lists) == 1 and lists[0] is not None else None
        if names is not None and any(n in streams and stands_in(levels[n][0], levels[name][0], levels[n][1]) for n in names):
            edits[id(statement)] = None  # it already prints these lines to the console
        elif names is None and id(statement) in through:
            if through[id(statement)]:
                edits[id(statement)] = None  # a console of the list it joins prints every line it did
        elif names is None or any(n is None or n not in known or n in streams or n in converted for n in names):
            # the list is another module's (a base's `root: {handlers: ["console"]}`), or holds a console that
            # prints only some of these lines: kept, the converted handler prints some twice; gone, some are lost
            raise Refusal(f"{code(statement)} adds the file handler {name!r} to a handler list fixbot cannot read "
                          "whole (written in another module, or beside a console that prints only part of its lines): "
                          "as a StreamHandler it may print a line twice there")
    elsewhere: set[str] = set()  # handlers of another module this one made write to a file, converted here
    for statement, path in later:
        name, key = path[1], path[2]
        if (name in converted or name in elsewhere) and key is not None and key not in STREAM_KEYS:
            edits[id(statement)] = None  # StreamHandler(filename=...) would raise TypeError
        elif name not in known and isinstance(statement, cst.Assign) and _to_file(key, statement.value):
            edits[id(statement)] = _stream_here(statement)
            elsewhere.add(name)
    for statement in by_statement.values():
        if id(statement) not in edits:
            edits[id(statement)] = statement.visit(Replace(replacements))
    for statement in iter_small_statements(site.module.body):
        new = edits.get(id(statement), statement)
        if new is not None and not isinstance(new, (cst.Import, cst.ImportFrom)) and mentions_files(new) and not _holds(new, exempt):
            name = next((p[1] for s, p in later if s is statement), None)
            if name is not None and name not in known:
                raise Refusal(f"handler {name!r}, defined in a module this one imports, is made to write to a file here: {code(statement)}")
            raise Refusal(f"fixbot cannot tell whether this still writes to a file: {code(new)}")
    return edits


def _appends_through(site: Site, converted: set[str], produced: object) -> dict[int, bool]:
    """id(append statement) -> whether it goes, for the appends of a converted handler to a list another module
    writes (the base's root: ["console"]), decided on `produced`, the LOGGING the module produces through its
    imports: the lists' plan (console_lists.py) over it, with Django's defaults first. Only where the plan drops
    exactly the appended places, or none, and no file handler but this module's is left; {} otherwise."""
    from fixbot.formats.logconfig import console_lists

    mine = [(s, logger, name) for s, logger, name in site.appends if name in converted and not site.owned.get(logger)]
    if not mine or not isinstance(produced, dict):
        return {}
    config = stdlib_read.from_dict(produced, stdlib_read.DJANGO)
    if config is None or {n for n, h in config.handlers.items() if h.kind == stdlib.FILE} - converted:
        return {}
    places: dict[str, set[int]] = {}
    for _, logger, name in mine:
        key = stdlib.ROOT if logger == ("root",) else logger[1]
        names = config.loggers.get(key, stdlib.Logger()).handlers
        if names is None or name not in names:
            return {}
        places.setdefault(key, set()).add(len(names) - 1 - names[::-1].index(name))
    try:
        planned = console_lists.plan(config, set(places)).lists
    except Refusal:
        return {}
    out = {}
    for statement, logger, name in mine:
        key = stdlib.ROOT if logger == ("root",) else logger[1]
        dropped = {i for i, n in enumerate(planned.get(key, [])) if n is None}
        if not dropped <= places[key]:
            return {}
        out[id(statement)] = bool(dropped)
    return out


def _to_file(key: Optional[str], value: cst.BaseExpression) -> bool:
    """Does setting `key` of a handler to `value` make it write to a file?"""
    return key == "filename" or (key == "class" and "FileHandler" in (string_value(value) or "FileHandler"))


def _stream_here(statement: cst.Assign) -> cst.BaseSmallStatement:
    """`LOGGING["handlers"]["x"]["filename"] = …` on a handler another module defines, made into the statement
    that turns that handler into a StreamHandler here: its class replaced, only `level`, `formatter` and
    `filters` kept (a StreamHandler takes no filename, maxBytes…, and the base's keys are not known here)."""
    target = statement.targets[0].target
    handler = cst.Module([]).code_for_node(target.value)
    key = target.slice[0].slice.value
    q = key.quote if isinstance(key, cst.SimpleString) and key.quote in "'\"" else '"'
    kept = ", ".join(f"{q}{k}{q}" for k in ("level", "formatter", "filters"))
    text = f"{handler} = {{{q}class{q}: {q}logging.StreamHandler{q}, **{{k: v for k, v in {handler}.items() if k in ({kept})}}}}"
    return cst.parse_statement(text).body[0].with_changes(semicolon=statement.semicolon)


def _holds(statement: cst.CSTNode, names: frozenset[str]) -> bool:
    """Is `statement` `NAME = "…FileHandler"` for a NAME only converted handlers used as their class?"""
    return (
        isinstance(statement, cst.Assign)
        and string_value(statement.value) is not None
        and all(isinstance(t.target, cst.Name) and t.target.value in names for t in statement.targets)
    )


def _class(node: cst.CSTNode) -> str | None:
    for key, value in entries(node):
        if key == "class":
            return string_value(value)
    return None


def _convert(node: cst.CSTNode, name: Optional[str]) -> cst.CSTNode | None:
    """The handler dict `node` turned into a StreamHandler, or None when it does not write to a file."""
    what = f"handler {name!r}" if name else f"the handler {code(node)}"
    pairs = list(entries(node))
    found = dict(pairs)
    cls = string_value(found.get("class")) if "class" in found else None
    if None in found or "" in found:
        if mentions_files(node):
            raise Refusal(f"{what} has a **spread or a computed key, so fixbot cannot tell what it writes to")
        return None
    if "class" in found and cls is None and "filename" not in found:  # with a filename it writes to a file anyway
        raise Refusal(f"the class of {what} is computed at run time")
    if not ((cls and cls.rsplit(".", 1)[-1].endswith("FileHandler")) or "filename" in found):
        return None
    items = node.elements if isinstance(node, cst.Dict) else node.args
    changes: dict[int, cst.CSTNode | None] = {}
    for index, (key, value) in enumerate(pairs):
        if key == "class":
            template = value if isinstance(value, cst.SimpleString) else items[index].key  # quoted like its key
            changes[index] = items[index].with_changes(value=like(template, "logging.StreamHandler"))
        elif key == "()" and "class" not in found:
            key_node = items[index].key
            changes[index] = items[index].with_changes(key=like(key_node, "class"), value=like(key_node, "logging.StreamHandler"))
        elif key not in STREAM_KEYS:
            changes[index] = None
    return edit_items(node, changes)


class Replace(cst.CSTTransformer):
    def __init__(self, replacements: Replacements) -> None:
        super().__init__()
        self._replacements = replacements

    def on_leave(self, original_node, updated_node):
        return self._replacements.get(id(original_node), updated_node)
