"""The byte edits a codemod asks of a command line a reader found: set an option's value, drop the option, add options.

A reader (scan.py and the formats below it) records where each option it was asked for sits (`Target`) and where
the program's words begin (`Anchor`); the codemod decides what becomes of them (`Change`), and these helpers turn
that into edits that keep every other byte, quoting included, in whatever format the words came from (a shell
line, a JSON exec form, a YAML list, a supervisord `command=`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixbot.formats import Refusal
from fixbot.formats.deploy.words import Unit, Word

Edit = tuple[int, int, bytes]
# What may lie between two words of one command line: blanks, line continuations, JSON commas, YAML dashes.
GAP = re.compile(rb"[ \t\r\n\\,-]*")


@dataclass(frozen=True)
class Change:
    """What a codemod makes of one option: `value` its new value, or None to drop the option and its value."""

    value: str | None = None


@dataclass(frozen=True)
class Target:
    """Where one option's value is: the word holding it, its units, where an empty value is written, and the edit
    that drops the option with its value (and the blanks before it)."""

    word: Word
    value: tuple[Unit, ...]
    insert: int
    drop: Edit

    @property
    def opaque(self) -> bool:
        return any(u.opaque for u in self.value)


@dataclass(frozen=True)
class Anchor:
    """The word that names the program (or its command: `celery … beat`), the one after it and the one before it:
    new options go after it, spelled like the word that follows, or like the one before it at the end of the line."""

    program: Word
    after: Word | None
    before: Word | None = None


def set_value(target: Target, text: bytes) -> list[Edit]:
    """Edits that make the option's value `text`: the first quoting group keeps its quotes, the rest go."""
    word, value = target.word, target.value
    if not value:
        return [(target.insert, word.end, text)]
    groups: list[list[Unit]] = []
    for u in value:
        if groups and groups[-1][0].outer == u.outer and (u.outer or groups[-1][-1].end == u.start):
            groups[-1].append(u)
        else:
            groups.append([u])
    first = groups[0]
    whole = first[0].start == word.start and first[-1].end == word.end
    edits = [(first[0].start, first[-1].end, word.dash.replace(b"-", text) if whole else text)]
    for group in groups[1:]:
        a, b = group[0].outer or (group[0].start, group[-1].end)
        edits.append((a, b, b""))
    return edits


def drop_words(source: bytes, words: list[Word], first: int, last: int) -> Edit:
    """The edit removing words[first..last] with the blanks before them (or after, when they open the line)."""
    a, b = words[first].start, words[last].end
    if first > 0 and GAP.fullmatch(source, words[first - 1].end, a):
        return words[first - 1].end, b, b""
    if last + 1 < len(words) and GAP.fullmatch(source, b, words[last + 1].start):
        return a, words[last + 1].start, b""
    return a, b, b""


def add_words(source: bytes, anchor: Anchor | None, new: list[str], line: int) -> Edit:
    """The edit putting `new` words right after the program's name, each spelled (quoted) like the word that
    follows it there and separated the same way; Refusal where that cannot be seen (nothing follows the name)."""
    if anchor is None or (anchor.after is None and anchor.before is None):
        raise Refusal(f"the command on line {line} has no other word to place new options beside")
    like = anchor.after or anchor.program
    gap = source[anchor.program.end:anchor.after.start] if anchor.after else source[anchor.before.end:anchor.program.start]
    if not GAP.fullmatch(gap) or not gap:
        raise Refusal(f"the command on line {line} is spread over more than one place (an ENTRYPOINT and a CMD)")
    spelled = source[like.start:like.end]
    quote = spelled[:1] if spelled[:1] in (b'"', b"'") and spelled[-1:] == spelled[:1] else b""
    if anchor.after is None:  # at the end of the command: after the program's word
        return like.end, like.end, b"".join(gap + quote + word.encode() + quote for word in new)
    text = b"".join(quote + word.encode() + quote + gap for word in new)
    return anchor.after.start, anchor.after.start, text


def apply_edits(source: bytes, edits: list[Edit]) -> bytes:
    """`source` with every edit made; deletions that overlap (two options dropped side by side, each with the
    blanks before it) are one deletion."""
    merged: list[Edit] = []
    for a, b, text in sorted(set(edits)):
        if merged and not text and not merged[-1][2] and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]), b"")
        else:
            merged.append((a, b, text))
    out, last = [], len(source)
    for a, b, text in reversed(merged):
        if b > last:
            raise Refusal("internal: overlapping edits; not touching the file")
        out.append(source[b:last])
        out.append(text)
        last = a
    out.append(source[:last])
    return b"".join(reversed(out))
