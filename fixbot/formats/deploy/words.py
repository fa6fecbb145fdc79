"""Shell words as spans: decode tree-sitter-bash nodes and shlex-style text into editable, position-mapped units."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import tree_sitter_bash
from tree_sitter import Language, Node, Parser, Tree

from fixbot.formats import Refusal

_PARSER = Parser(Language(tree_sitter_bash.language()))
_DQ_ESCAPES = frozenset(b'$`"\\\n')  # what a backslash escapes inside "…" (bash manual, Double Quotes)
_SPACE = frozenset({b" ", b"\t", b"\r", b"\n"})
# Running these in a command, or expanding these in a value, means fixbot cannot know the words that result.
_OPAQUE = frozenset({"command_substitution", "process_substitution"})
_ALL_ARGS = frozenset({b"$@", b"${@}", b"$*", b"${*}"})
# Real scripts are a few levels deep (the incident's entrypoint, `bash -c "…"` inside it included, is 10); one
# nested hundreds deep is made to stall or crash whatever reads it (bash -n included), so it is refused. 200
# levels are about 100 nested `$(…)`. `a && b && c` and `1 + 2 + 3` are chains of one node type, as deep as
# they are long: a chain counts as one level.
MAX_NESTING = 200
_CHAINS = frozenset({"list", "binary_expression"})


@dataclass(frozen=True)
class Unit:
    """One character of a word as the program will see it, and the source bytes it comes from (root offsets).

    `text` is None for an expansion the shell fills in at run time; `raw` is then its source text. `outer` is
    the source span of the quotes around the unit, None when unquoted. `opaque`: a command substitution or
    "$@", whose words cannot be known statically.
    """

    text: bytes | None
    start: int
    end: int
    raw: bytes = b""
    outer: tuple[int, int] | None = None
    opaque: bool = False

    @property
    def shown(self) -> bytes:
        return self.raw if self.text is None else self.text


@dataclass(frozen=True)
class Word:
    """One argument: its units and its whole source span (quotes included)."""

    units: tuple[Unit, ...]
    start: int
    end: int
    node: Node | None = None
    dash: bytes = b"-"  # what to write when the whole word becomes "-" (YAML needs it quoted)

    @property
    def static(self) -> bytes | None:
        if any(u.text is None for u in self.units):
            return None
        return b"".join(u.text for u in self.units)  # type: ignore[misc]

    @property
    def prefix(self) -> bytes:
        """The literal text before the first expansion: enough to recognise `--flag=$X`."""
        out = []
        for u in self.units:
            if u.text is None:
                break
            out.append(u.text)
        return b"".join(out)

    @property
    def shown(self) -> bytes:
        return b"".join(u.shown for u in self.units)


class Script:
    """A shell script: its text, and where each of its bytes sits in the root file."""

    def __init__(self, text: bytes, base: int = 0, offsets: list[tuple[int, int]] | None = None):
        self.text, self.base, self.offsets = text, base, offsets

    @classmethod
    def of(cls, word: Word) -> Script:
        """The script a `bash -c WORD` runs, mapped back to WORD's source bytes."""
        text, offsets = [], []
        for u in word.units:
            text.append(u.shown)
            offsets += [(u.start, u.end)] * len(u.shown)
        return cls(b"".join(text), offsets=offsets)

    def span(self, a: int, b: int) -> tuple[int, int]:
        if self.offsets is None:
            return a + self.base, b + self.base
        if not self.offsets:
            return 0, 0
        if a == b:
            pos = self.offsets[a][0] if a < len(self.offsets) else self.offsets[-1][1]
            return pos, pos
        return self.offsets[a][0], self.offsets[b - 1][1]

    def parse(self) -> Tree:
        return _PARSER.parse(self.text)


def parse_error(tree: Tree) -> str | None:
    """'line N: <text>' of the first syntax error tree-sitter found, or None."""
    if not tree.root_node.has_error:
        return None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            text = node.text.decode(errors="replace").splitlines() if node.text else []
            return f"line {node.start_point[0] + 1}: {(text[0] if text else node.type)[:60]!r}"
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return "syntax error"


def check_nesting(tree: Tree) -> None:
    """Refusal when the script is more than MAX_NESTING levels deep."""
    stack = [(tree.root_node, 0)]
    while stack:
        node, depth = stack.pop()
        for child in node.children:
            level = depth if child.type == node.type and child.type in _CHAINS else depth + 1
            if level > MAX_NESTING:
                raise Refusal(f"nested more than {MAX_NESTING} levels deep (line {child.start_point[0] + 1})")
            stack.append((child, level))


def units(node: Node, script: Script, outer: tuple[int, int] | None = None) -> list[Unit]:
    """The units of a word-like node (word, string, raw_string, concatenation, expansion …)."""
    src, kind = script.text, node.type
    if kind in ("word", "number") or not node.is_named:
        return _escaped(src, node.start_byte, node.end_byte, script, outer, None)
    if kind == "raw_string":
        quotes = script.span(node.start_byte, node.end_byte)
        inside = range(node.start_byte + 1, node.end_byte - 1)
        return [Unit(src[i : i + 1], *script.span(i, i + 1), outer=quotes) for i in inside]
    if kind == "string":
        quotes = script.span(node.start_byte, node.end_byte)
        out: list[Unit] = []
        pos = node.start_byte + 1
        for child in node.named_children:
            if child.type == "string_content":
                continue
            out += _escaped(src, pos, child.start_byte, script, quotes, _DQ_ESCAPES)
            out += units(child, script, quotes)
            pos = child.end_byte
        return out + _escaped(src, pos, node.end_byte - 1, script, quotes, _DQ_ESCAPES)
    if kind == "concatenation":
        return [u for child in node.children for u in units(child, script, outer)]
    raw = src[node.start_byte : node.end_byte]
    opaque = kind in _OPAQUE or raw in _ALL_ARGS or any(n.type in _OPAQUE for n in _descendants(node))
    return [Unit(None, *script.span(node.start_byte, node.end_byte), raw=raw, outer=outer, opaque=opaque)]


def _escaped(src: bytes, a: int, b: int, script: Script, outer, escapes: frozenset[int] | None) -> list[Unit]:
    """Literal units of src[a:b], where a backslash escapes any byte (escapes=None) or only those in `escapes`."""
    out, i = [], a
    while i < b:
        if src[i] == 0x5C and i + 1 < b and (escapes is None or src[i + 1] in escapes):
            if src[i + 1] != 0x0A:  # backslash-newline is a line continuation: no character at all
                out.append(Unit(src[i + 1 : i + 2], *script.span(i, i + 2), outer=outer))
            i += 2
            continue
        out.append(Unit(src[i : i + 1], *script.span(i, i + 1), outer=outer))
        i += 1
    return out


def _descendants(node: Node) -> Iterator[Node]:
    stack = list(node.children)
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


def command_words(node: Node, parent: Node | None, script: Script) -> list[Word]:
    """argv of a `command` node, including words tree-sitter-bash files under a redirect (`cmd 2>&1 more args`).

    The caller's walk passes the parent down: tree-sitter's `node.parent` searches down from the root each
    time, which made a scan quadratic in the script's depth."""
    nodes = []
    name = node.child_by_field_name("name")
    if name is not None:
        nodes.append(name.named_children[0] if name.named_children else name)
    nodes += node.children_by_field_name("argument")
    if parent is not None and parent.type == "redirected_statement" and parent.child_by_field_name("body") == node:
        for redirect in parent.children_by_field_name("redirect"):
            if redirect.type == "file_redirect":
                nodes += redirect.children_by_field_name("destination")[1:]
    nodes.sort(key=lambda n: n.start_byte)
    return [Word(tuple(units(n, script)), *script.span(n.start_byte, n.end_byte), node=n) for n in nodes]


def split(seq: list[Unit] | tuple[Unit, ...], quotes: bool = True) -> list[Word]:
    """Split units the way `shlex.split` does (GUNICORN_CMD_ARGS, supervisord, compose); Refusal if unbalanced.

    `quotes=False` splits at whitespace only, as the shell's word splitting of an unquoted `$OPTS` does.
    """
    words: list[Word] = []
    cur: list[Unit] = []
    start = end = 0
    in_word = False
    quote: Unit | None = None
    opened = 0  # index in `cur` where the open quote's units begin
    i = 0
    while i < len(seq):
        u, t = seq[i], seq[i].text
        nxt = seq[i + 1] if i + 1 < len(seq) else None
        if quote is not None:
            if t == quote.text:
                cur[opened:] = [_outer(c, (quote.start, u.end)) for c in cur[opened:]]
                quote = None
            elif t == b"\\" and quote.text == b'"' and nxt is not None and nxt.text in (b'"', b"\\"):
                cur.append(Unit(nxt.text, u.start, nxt.end))
                i += 1
            else:
                cur.append(u)
        elif t is not None and t in _SPACE:
            if in_word:
                words.append(Word(tuple(cur), start, end))
            cur, in_word = [], False
        else:
            if not in_word:
                start, in_word = u.start, True
            if quotes and t in (b"'", b'"'):
                quote, opened = u, len(cur)
            elif quotes and t == b"\\" and nxt is not None:
                cur.append(Unit(nxt.text, u.start, nxt.end, nxt.raw, None, nxt.opaque))
                i += 1
            else:
                cur.append(_outer(u, None))
        end = seq[i].end
        i += 1
    if quote is not None:
        raise Refusal("does not parse: no closing quotation")
    if in_word:
        words.append(Word(tuple(cur), start, end))
    return words


def _outer(u: Unit, outer: tuple[int, int] | None) -> Unit:
    return Unit(u.text, u.start, u.end, u.raw, outer, u.opaque)


def literal_units(src: bytes, a: int, b: int, newline: bytes = b"\n") -> list[Unit]:
    """One unit per byte of src[a:b]; `newline` is what a line break reads as (YAML folding makes it a space)."""
    return [Unit(newline if src[i] == 0x0A else src[i : i + 1], i, i + 1) for i in range(a, b)]
