"""dictConfig in a JSON file (`logging.json`, Gunicorn's `--log-config-json`): file handlers become StreamHandlers.

The file is checked with json.loads, then walked once more by a small reader that keeps each key's and
value's offsets (strings and numbers are json's own scanner), so the rewrite is a few span edits: indentation,
key order, escapes and the trailing newline stay, and a removed key takes its comma with it in every position.
A logging config is an object with `version` and a `handlers` object, at the top or under a key; Gunicorn's
`--log-config-json` may leave out the version (handlers.is_config).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from fixbot.formats import NothingToDo, Refusal
from fixbot.formats.logconfig.handlers import (
    NO_CONFIG,
    STREAM_CLASS,
    Edit,
    HandlerSite,
    apply_edits,
    drop_flow_entries,
    handler_site,
    drops,
    is_config,
    plan_handler,
)

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_DEPTH = 6


@dataclass(frozen=True)
class Value:
    kind: str  # "object", "array" or "scalar"
    start: int
    end: int
    value: Any  # the Python value of a scalar; an object's Members; an array's Values


@dataclass(frozen=True)
class Member:
    key: str
    key_start: int
    value: Value


def rewrite(source: str) -> str:
    edits = [edit for config in _all_configs(source) for edit in _config_edits(source, config)]
    return apply_edits(source, edits) if edits else source


def handlers(source: str) -> list[HandlerSite]:
    """Every handler of every logging config in the file, read as rewrite reads them."""
    out = []
    for config in _all_configs(source):
        for member in _members(config)["handlers"].value.value:
            if member.value.kind == "object":
                members = _members(member.value)
                at = members["filename"].value.start if "filename" in members else member.key_start
                out.append(handler_site(member.key, _keys(member.value), source.count("\n", 0, at) + 1))
    return out


def models(source: str) -> list:
    """The stdlib.Config of every logging config in the file, in order."""
    from fixbot.formats.logconfig.stdlib_read import from_dict

    return [from_dict(json.loads(source[c.start:c.end])) for c in _all_configs(source)]


def _all_configs(source: str) -> list[Value]:
    """Every logging config in the file; Refusal when it is not JSON, NothingToDo when it holds none."""
    try:
        json.loads(source)
    except ValueError as error:
        raise Refusal(f"does not parse as JSON: {error}") from None
    configs = list(_configs(_read(source, _SPACE.match(source, 0).end()), 0))
    if not configs:
        raise NothingToDo(NO_CONFIG)
    return configs


def _config_edits(source: str, config: Value) -> list[Edit]:
    edits: list[Edit] = []
    handlers = _members(config)["handlers"].value
    for name, member in _members(handlers).items():  # the last of two equal names, as json.loads
        if member.value.kind == "object":
            edits += _handler_edits(name, member.value)
    if not edits:
        return []
    lists = dict(_logger_lists(config))
    planned = drops(json.loads(source[config.start:config.end]), {n: len(names) for n, names in lists.items()})
    for name, positions in planned.items():
        names = lists[name]
        edits += drop_flow_entries([(n.start, n.end) for n in names], [i in positions for i in range(len(names))]) if positions else []
    return edits


def _logger_lists(config: Value) -> Iterator[tuple[str, list[Value]]]:
    """(logger, its handler list) of the root logger ("") and of each logger, when they are arrays of names."""
    members = _members(config)
    loggers = list(_members(members["loggers"].value).items()) if "loggers" in members else []
    for name, logger in [("", members["root"]), *loggers] if "root" in members else loggers:
        names = _members(logger.value).get("handlers")
        if names is not None and names.value.kind == "array" and all(isinstance(n.value, str) for n in names.value.value):
            yield ("" if name == "root" and "root" not in members else name), names.value.value


def _read(source: str, pos: int) -> Value:
    """The JSON value at `pos` (already known to be valid), with its members' or items' offsets."""
    opening = pos
    if source[pos] in "{[":
        closing = "}" if source[pos] == "{" else "]"
        found: list[Any] = []
        pos = _SPACE.match(source, pos + 1).end()
        while source[pos] != closing:
            if closing == "}":
                key, after = json.decoder.scanstring(source, pos + 1)
                value = _read(source, _SPACE.match(source, _SPACE.match(source, after).end() + 1).end())
                found.append(Member(key, pos, value))
            else:
                value = _read(source, pos)
                found.append(value)
            pos = _SPACE.match(source, value.end).end()
            if source[pos] == ",":
                pos = _SPACE.match(source, pos + 1).end()
        return Value("object" if closing == "}" else "array", opening, pos + 1, found)
    value, end = _DECODER.raw_decode(source, pos)
    return Value("scalar", opening, end, value)


def _members(value: Value) -> dict[str, Member]:
    """An object's members by key; the last of two equal keys wins, as in json.loads."""
    return {m.key: m for m in value.value} if value.kind == "object" else {}


def _configs(value: Value, depth: int) -> Iterator[Value]:
    if depth > _DEPTH or value.kind != "object":
        return
    members = _members(value)
    handlers = members["handlers"].value if "handlers" in members else None
    entries = [_members(m.value) for m in handlers.value if m.value.kind == "object"] if handlers and handlers.kind == "object" else None
    if is_config(depth, members, entries):
        yield value
        return
    for member in members.values():
        yield from _configs(member.value, depth + 1)


def _keys(handler: Value) -> dict[str, Any]:
    """A handler's keys and their values (None for an object or an array)."""
    return {m.key: m.value.value if m.value.kind == "scalar" else None for m in handler.value}


def _handler_edits(name: str, handler: Value) -> list[Edit]:
    members: list[Member] = handler.value
    keys = _keys(handler)
    change = plan_handler(name, keys)
    if change is None:
        return []
    if len(keys) != len(members):
        raise Refusal(f"handler {name!r} has a key twice")
    target = _members(handler)[change.class_key].value
    edits: list[Edit] = [(target.start, target.end, json.dumps(STREAM_CLASS))]
    spans = [(m.key_start, m.value.end) for m in members]
    return edits + drop_flow_entries(spans, [m.key in change.drop for m in members])
