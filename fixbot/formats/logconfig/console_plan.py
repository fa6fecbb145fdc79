"""logging-console's plan for one LOGGING literal: which handler becomes the console, and the edits to every handler list.

The console handler is an existing StreamHandler without filters, else the first file handler rewritten in place
into a `logging.StreamHandler`; the other file handlers go, and each list that named one names the console instead,
without duplicates. The edits are recorded by literal and applied by `rebuild`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig import console_lists
from fixbot.formats.logconfig.pydict import STREAM_KEYS, LoggingConfig, is_mapping, plain
from fixbot.formats.logconfig.pyedit import edit_items, like
from fixbot.formats.logconfig.levels import effective, level, stands_in, thin
from fixbot.formats.logconfig.stdlib import ROOT, Config
from fixbot.formats.logconfig.stdlib_read import from_dict

Edits = dict[int, dict[int, Optional[cst.CSTNode]]]  # id(literal) -> {item index: new item, or None to drop}


@dataclass
class Plan:
    """What became of the handlers of one LOGGING literal; the later statements are checked against it."""

    files: frozenset[str] = frozenset()
    target: str | None = None
    kept: frozenset[str] = frozenset()  # file handlers rewritten in place into StreamHandlers
    streams: set[str] = field(default_factory=set)  # console handlers after the rewrite
    filtered: set[str] = field(default_factory=set)  # handlers with filters (maybe DEBUG-only)
    levels: dict[str, int | None] = field(default_factory=dict)  # handler -> its level (None: unknown)
    lists: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # logger path -> handler names

    @property
    def in_place(self) -> bool:
        return bool(self.kept)

    def names(self, names: list[str], logger: int | None = 0) -> list[str | None]:
        """The new name at each position of a handler list (None: dropped) of a logger at level `logger`.

        A file handler that goes is replaced by the target console, unless a console already in the list stands
        in for it; then a console another one in the list stands in for goes (fixbot/formats/logconfig/levels.py)."""
        if not any(n in self.files for n in names):
            return list(names)
        consoles = {n: (effective(self.levels.get(n), logger), n in self.filtered) for n in {*self.streams, *self.kept}}
        own = [n for n in names if n in consoles and (n not in self.files or n in self.kept)]
        out: list[str | None] = []
        for n in names:
            if n in self.files and n not in self.kept:
                level = effective(self.levels.get(n), logger)
                covered = any(stands_in(consoles[c][0], level, consoles[c][1]) for c in own)
                out.append(None if covered else self.target)
            else:
                out.append(n)
        seen: set[str] = set()
        for i, n in enumerate(out):
            if n in seen:
                out[i] = None
            elif n:
                seen.add(n)
        return thin(out, consoles, set(own))


def _logger(path: tuple[str, ...], config: LoggingConfig) -> str | None:
    """The logger (stdlib.ROOT for the root) a handler list at `path` belongs to, as dictConfig configures it."""
    if path[0] == "root":
        return ROOT
    if path[1] in ("root", ""):  # getLogger("root") is the root logger, unless the top-level root overrides it
        return None if "root" in config.mapping.entries else ROOT
    return path[1]


def plan_literal(config: LoggingConfig, edits: Edits, base: Config | None = None) -> Plan:
    """The plan for one literal, its edits recorded in `edits`; `base` is what was configured before it (DJANGO)."""
    handlers = config.handlers
    files = [n for n, h in handlers.items() if h.file]
    plan = Plan(
        streams={n for n, h in handlers.items() if h.stream},
        filtered={n for n, h in handlers.items() if h.filtered},
        levels={n: level(h.mapping.get("level")) for n, h in handlers.items()},
    )
    for ref in config.refs:
        if ref.of_logger:
            plan.lists[ref.path[:-1]] = list(ref.names)
    if not files:
        return plan
    unfiltered = [n for n in handlers if n in plan.streams and n not in plan.filtered]
    plan.files, plan.target = frozenset(files), (unfiltered or files)[0]
    model = from_dict(plain(config.mapping.node, config.names), base)
    if model is None:
        raise Refusal("LOGGING is incremental: it changes what an earlier dictConfig call set up, which fixbot cannot see")
    loggers = {ref.path: _logger(ref.path[:-1], config) for ref in config.refs if ref.of_logger}
    # Two lists for one logger ('' and 'root' under loggers): dictConfig keeps the last; neither is edited.
    seen = [n for n in loggers.values() if n is not None]
    loggers = {p: (n if seen.count(n) == 1 else None) for p, n in loggers.items()}
    held = {n for ref in config.refs if ref.of_logger and loggers[ref.path] is None for n in ref.names}
    lists = console_lists.plan(model, {n for n in loggers.values() if n is not None}, target=plan.target, may_remove=True, held=held)
    plan.kept = lists.converted
    plan.streams |= {plan.target, *plan.kept}
    by_container = edits.setdefault(id(config.handlers_mapping.node), {})
    for name in files:
        if name not in plan.kept:
            by_container[handlers[name].entry.index] = None
    for name in plan.kept:
        mapping = handlers[name].mapping
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
            if ref.names[0] in lists.removed:
                entry = handlers[ref.path[1]].mapping.entries["target"]
                edits.setdefault(id(handlers[ref.path[1]].mapping.node), {})[entry.index] = entry.element.with_changes(
                    value=like(entry.value, plan.target)
                )
            continue
        logger = loggers.get(ref.path)
        if logger is not None and logger in lists.lists:
            new = lists.lists[logger]
        else:  # a QueueHandler's handlers, or a list dictConfig overrides: what was removed is the target there
            new, seen = [], set()
            for n in ref.names:
                n = plan.target if n in lists.removed else n
                new.append(None if n in seen else n)
                seen.add(n)
        if ref.of_logger:
            plan.lists[ref.path[:-1]] = [n for n in new if n]
        changes = element_changes(ref.node.elements, ref.names, new)
        if changes:
            edits[id(ref.node)] = changes
    return plan


def element_changes(elements, names, new) -> dict[int, cst.CSTNode | None]:
    changes = {}
    for i, (element, old, n) in enumerate(zip(elements, names, new)):
        if n is None:
            changes[i] = None
        elif n != old:
            changes[i] = element.with_changes(value=like(element.value, n))
    return changes


def rebuild(node: cst.BaseExpression, edits: Edits) -> cst.BaseExpression:
    """`node` with the edits applied, descending only through dict literals (everything else is a leaf)."""
    changes = dict(edits.get(id(node), {}))
    if is_mapping(node):
        for i, item in enumerate(node.elements if isinstance(node, cst.Dict) else node.args):
            if i not in changes and not isinstance(item, cst.StarredDictElement):
                value = rebuild(item.value, edits)
                if value is not item.value:
                    changes[i] = item.with_changes(value=value)
    return edit_items(node, changes) if changes else node
