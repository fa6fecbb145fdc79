"""Compose YAML into PyYAML's nodes with a bound on how many nodes its aliases expand to.

An alias is the node of its anchor, so a 2 KB file whose keys alias the level above (`&a1 {k0: *a0, k1: *a0, …}`)
composes to a few hundred nodes but expands to billions for any walk that follows the aliases. Each node's
expanded size is counted as PyYAML composes it (1 for a scalar, 1 plus its children's for a collection, its
anchor's for an alias), in time linear in the text; a document past MAX_NODES, or an alias inside the node it
names (a cycle, which expands forever), is a yaml.YAMLError like any other that does not load.
"""

from __future__ import annotations

from typing import Iterator

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_NODES = 50_000  # a logging config has a few hundred; a large Kubernetes manifest a few thousand


class TooLarge(yaml.YAMLError):
    """The document's aliases expand past MAX_NODES, or into themselves."""


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str):
        super().__init__(stream)
        self.sizes: dict[int, int] = {}  # id(node) -> its expanded size, once composed

    def compose_node(self, parent, index):
        alias = self.check_event(yaml.AliasEvent)
        node = super().compose_node(parent, index)
        if alias:
            if id(node) not in self.sizes:
                raise TooLarge(f"an alias at line {node.start_mark.line + 1} names a node it is inside of")
            return node
        if isinstance(node, MappingNode):
            size = 1 + sum(self.sizes[id(k)] + self.sizes[id(v)] for k, v in node.value)
        elif isinstance(node, SequenceNode):
            size = 1 + sum(self.sizes[id(item)] for item in node.value)
        else:
            size = 1
        if size > MAX_NODES:
            raise TooLarge(f"its aliases expand to more than {MAX_NODES} nodes")
        self.sizes[id(node)] = size
        return node


def compose_all(text: str) -> Iterator[Node | None]:
    """Every document's root node, as yaml.compose_all(text, Loader=yaml.SafeLoader) gives it, within the bound."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """The one document's root node, as yaml.compose(text, Loader=yaml.SafeLoader) gives it, within the bound."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
