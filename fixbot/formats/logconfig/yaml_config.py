"""dictConfig in a YAML file (uvicorn's and Gunicorn's `--log-config`, `logging.yaml`): file handlers become StreamHandlers.

PyYAML's composed nodes carry the character offsets of every key and value, so the rewrite is a few byte-span
edits and every other character (comments, quoting, anchors, CRLF) stays. A block mapping loses whole lines
(the comment at the end of a removed line goes with it; a comment on its own line stays); a flow mapping
`{…}` loses the entry and its comma. A logging config is a mapping with `version` and a `handlers` mapping, at
the top of a document or under a key (`logging:` in an app's settings); see handlers.is_config. Every document of a multi-document
file is read. What an alias or a merge key (`<<`) shares with other parts of the file is refused: changing it
in one place would change it in all.
"""

from __future__ import annotations

import re
from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fixbot.formats import NothingToDo, Refusal, yaml_nodes
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
    line_span,
    plan_handler,
)

_PROPERTY = re.compile(r"\S+\s+")
_ALIAS = re.compile(r"\s*:\s*\*[^\s,\[\]{}]+")
_DASH = re.compile(r"[ \t]*-[ \t]+")
_MERGE = "tag:yaml.org,2002:merge"
_STR, _INT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"
_DEPTH = 6  # how deep under the top a `logging:` section is looked for


def rewrite(source: str) -> str:
    edits: list[Edit] = []
    for document, config in _documents_configs(source):
        edits += _config_edits(source, config, _count_uses(document))
    return apply_edits(source, edits) if edits else source


def handlers(source: str) -> list[HandlerSite]:
    """Every handler of every logging config in the file, read as rewrite reads them (merge keys left out)."""
    out = []
    for _, config in _documents_configs(source):
        for key, value in _pairs(config)["handlers"][1].value:
            if key.tag == _MERGE or _scalar(key) is None or not isinstance(value, MappingNode):
                continue
            pairs = _pairs(value)
            at = pairs["filename"][1] if "filename" in pairs else key
            out.append(handler_site(key.value, {k: _scalar(v) for k, (_, v) in pairs.items()}, at.start_mark.line + 1))
    return out


def models(source: str) -> list:
    """The stdlib.Config of every logging config in the file, in order (None for one that does not construct)."""
    from fixbot.formats.logconfig.stdlib_read import from_dict

    return [from_dict(v) if isinstance(v := plain(config), dict) else None for _, config in _documents_configs(source)]


def _documents_configs(source: str) -> list[tuple[Node, MappingNode]]:
    """(document, logging config) for every logging config of every document; NothingToDo when there is none."""
    try:
        documents = [d for d in yaml_nodes.compose_all(source) if d is not None]
    except yaml.YAMLError as error:
        raise Refusal(f"does not parse as YAML: {' '.join(str(error).split())}") from None
    found = [(document, config) for document in documents for config in _configs(document, 0)]
    if not found:
        raise NothingToDo(NO_CONFIG)
    return found


def _count_uses(root: Node) -> dict[int, int]:
    """id(node) -> how many places in the document hold it (more than one: an anchor with aliases)."""
    uses: dict[int, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        uses[id(node)] = uses.get(id(node), 0) + 1
        if uses[id(node)] > 1:
            continue
        if isinstance(node, MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, SequenceNode):
            stack += node.value
    return uses


def _pairs(node: MappingNode) -> dict[str, tuple[Node, Node]]:
    """The plain-string keys of a mapping; the last of two equal keys wins, as in yaml.safe_load."""
    return {k.value: (k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.tag != _MERGE}


def _configs(node: Node, depth: int) -> Iterator[MappingNode]:
    if not isinstance(node, MappingNode) or depth > _DEPTH:
        return
    pairs = _pairs(node)
    handlers = pairs.get("handlers", (None, None))[1]
    entries = [_pairs(h) for _, h in handlers.value if isinstance(h, MappingNode)] if isinstance(handlers, MappingNode) else None
    if is_config(depth, pairs, entries):
        yield node
        return
    for _, value in pairs.values():
        yield from _configs(value, depth + 1)


def _scalar(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _config_edits(source: str, config: MappingNode, uses: dict[int, int]) -> list[Edit]:
    handlers = _pairs(config)["handlers"][1]
    assert isinstance(handlers, MappingNode)
    edits: list[Edit] = []
    for key, value in handlers.value:
        if key.tag == _MERGE:
            if any(_is_file_handler(n, v) for n, v in _merged(value)):
                raise Refusal("file handlers come from a YAML merge key (<<) under handlers; fixbot cannot change them without changing every other user of that anchor")
            continue
        name = _scalar(key)
        if name is None or not isinstance(value, MappingNode):
            continue
        edits += _handler_edits(source, name, value, uses)
    if not edits:
        return []
    lists = {name: (key, names) for name, key, names in _logger_lists(config, uses)}
    planned = drops(plain(config), {n: len(names.value) for n, (_, names) in lists.items()})
    for name, positions in planned.items():
        edits += _drop_items(source, *lists[name], positions)
    return edits


def plain(node: Node) -> object:
    """The Python value of a YAML node, as yaml.safe_load builds it (aliases and merge keys resolved); None when
    it does not construct."""
    try:
        return yaml.SafeLoader("").construct_document(node)
    except (yaml.YAMLError, TypeError, ValueError, RecursionError):
        return None


def _logger_lists(config: MappingNode, uses: dict[int, int]) -> Iterator[tuple[str, Node, SequenceNode]]:
    """(logger, the `handlers` key, its list) of the root logger ("") and of each logger, when written out as plain
    names here."""
    pairs = _pairs(config)
    loggers = [(_scalar(k), v) for k, v in pairs["loggers"][1].value] if isinstance(pairs.get("loggers", (None, None))[1], MappingNode) else []
    for name, logger in [("", pairs.get("root", (None, None))[1]), *loggers]:
        key, names = _pairs(logger).get("handlers", (None, None)) if isinstance(logger, MappingNode) else (None, None)
        if (
            name is not None
            and isinstance(names, SequenceNode)
            and uses.get(id(names), 0) == 1
            and all(isinstance(n, ScalarNode) and uses.get(id(n), 0) == 1 and n.start_mark.index >= names.start_mark.index for n in names.value)
        ):
            yield ("" if name == "root" and "root" not in pairs else name), key, names


def _drop_items(source: str, key: Node, names: SequenceNode, drops: set[int]) -> list[Edit]:
    """Edits dropping the items at `drops` from a list of names: with their commas from `[a, b]`, as whole
    lines from a block list (`- b`; one that loses every item becomes `handlers: []`, not a null); a block
    list with an item sharing its line is left as it is."""
    if not drops:
        return []
    items = names.value
    if names.flow_style:
        return drop_flow_entries([(n.start_mark.index, n.end_mark.index) for n in items], [i in drops for i in range(len(items))])
    edits: list[Edit] = []
    for i in sorted(drops):
        start, end = items[i].start_mark.index, items[i].end_mark.index
        line_start = source.rfind("\n", 0, start) + 1
        eol = source.find("\n", end)
        eol = len(source) if eol < 0 else eol + 1
        rest = source[end:eol].strip()
        if not _DASH.fullmatch(source, line_start, start) or (rest and not rest.startswith("#")):
            return []
        edits.append((line_start, eol, ""))
    if len(drops) == len(items):
        colon = source.find(":", key.end_mark.index)
        edits.append((colon + 1, colon + 1, " []"))
    return edits


def _merged(value: Node) -> Iterator[tuple[str, Node]]:
    for mapping in value.value if isinstance(value, SequenceNode) else [value]:
        if isinstance(mapping, MappingNode):
            for name, (_, handler) in _pairs(mapping).items():
                yield name, handler


def _is_file_handler(name: str, node: Node) -> bool:
    if not isinstance(node, MappingNode):
        return False
    try:
        return plan_handler(name, {k: _scalar(v) for k, (_, v) in _pairs(node).items()}) is not None
    except Refusal:
        return True


def _handler_edits(source: str, name: str, node: MappingNode, uses: dict[int, int]) -> list[Edit]:
    pairs = _pairs(node)
    change = plan_handler(name, {k: _scalar(v) for k, (_, v) in pairs.items()})
    merges = [v for k, v in node.value if k.tag == _MERGE]
    if change is None:
        if any(_is_file_handler(name, m) for v in merges for m in (v.value if isinstance(v, SequenceNode) else [v])):
            raise Refusal(f"handler {name!r} takes its file from a YAML merge key (<<); fixbot cannot change it without changing every other user of that anchor")
        return []
    if merges:
        raise Refusal(f"handler {name!r} takes keys from a YAML merge key (<<); fixbot cannot change them without changing every other user of that anchor")
    if uses.get(id(node), 0) > 1:
        raise Refusal(f"handler {name!r} is a YAML anchor used elsewhere too (or an alias of one); fixbot cannot change one without the other")
    if len(pairs) != len(node.value):
        raise Refusal(f"handler {name!r} has a key twice or a key that is not a plain string")
    edits: list[Edit] = [_replace_class(source, name, pairs[change.class_key][1], uses)]
    dropped = [k.value in change.drop for k, _ in node.value]
    for (key, value), drop in zip(node.value, dropped):
        if drop:
            _check_removable(name, key, value, uses)
    if node.flow_style:
        spans = [(k.start_mark.index, _value_end(source, k, v)) for k, v in node.value]
        edits += drop_flow_entries(spans, dropped)
    else:
        for (key, value), drop in zip(node.value, dropped):
            if drop:
                start, end = line_span(source, key.start_mark.index, _value_end(source, key, value), f"the key {key.value!r} of handler {name!r}")
                edits.append((start, end, ""))
    return edits


def _value_end(source: str, key: Node, value: Node) -> int:
    """Where the entry's value ends in the text. An alias (`*name`) is the node of its anchor, marks and all,
    so its end is read from the text; a block scalar or collection ends where the next token starts, which
    may be lines further down, so it ends at its last non-blank character."""
    if value.start_mark.index < key.end_mark.index:
        return _ALIAS.match(source, key.end_mark.index).end()
    end = value.end_mark.index
    if isinstance(value, ScalarNode) and value.style not in ("|", ">"):
        return end
    return len(source[:end].rstrip())


def _replace_class(source: str, name: str, value: Node, uses: dict[int, int]) -> Edit:
    if not isinstance(value, ScalarNode) or value.style in ("|", ">") or uses.get(id(value), 0) > 1:
        raise Refusal(f"the class of handler {name!r} is not a plain or quoted string fixbot can replace (a block scalar or an anchor)")
    quote = value.style if value.style in ("'", '"') else ""
    start, end = value.start_mark.index, value.end_mark.index
    while source[start:start + 1] in ("&", "!"):  # an anchor or a tag before the value stays
        start = _PROPERTY.match(source, start).end()
    return start, end, f"{quote}{STREAM_CLASS}{quote}"


def _check_removable(name: str, key: Node, value: Node, uses: dict[int, int]) -> None:
    """Refuse to remove an anchor that an alias elsewhere still needs."""
    stack = [value]
    while stack:
        node = stack.pop()
        defined_here = node.start_mark.index >= key.end_mark.index
        if defined_here and uses.get(id(node), 0) > 1:
            raise Refusal(f"the key {key.value!r} of handler {name!r} holds an anchor used elsewhere; removing it would break the alias")
        if defined_here and isinstance(node, MappingNode):
            stack += [n for pair in node.value for n in pair]
        elif defined_here and isinstance(node, SequenceNode):
            stack += node.value
