"""logging-console's plan for one LOGGING literal: which handler becomes the console, and the edits to every handler list.

The console handler is an existing StreamHandler without filters, else the first file handler rewritten in place
into a `logging.StreamHandler`; the other file handlers go, and each list that named one names the console instead,
without duplicates. The edits are recorded by literal and applied by `rebuild`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from fixbot.codemods._logging_dict import STREAM_KEYS, LoggingConfig, is_mapping
from fixbot.codemods._logging_edit import edit_items, like

Edits = dict[int, dict[int, Optional[cst.CSTNode]]]  # id(literal) -> {item index: new item, or None to drop}


@dataclass
class Plan:
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


def plan_literal(config: LoggingConfig, edits: Edits) -> Plan:
    handlers = config.handlers
    files = [n for n, h in handlers.items() if h.file]
    plan = Plan(streams={n for n, h in handlers.items() if h.stream}, filtered={n for n, h in handlers.items() if h.filtered})
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
