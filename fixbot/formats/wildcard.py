"""Match text against literal pieces, wildcards (a glob's `*`) and choices (`{a,b}`) in linear time, where a regex of `.*`s backtracks.

`re.fullmatch("a.*b.*c.*d", path)` tries every split of the path between its `.*`s: with k unknown parts a
non-matching path of n characters costs about n**k steps, and both the parts (a settings value, a `mkdir $A$B`)
and the path (a log's) come from outside. Here the match keeps the set of positions the pieces so far can end
at (at most n + 1), so each piece costs n steps times its choices.
"""

from __future__ import annotations

from typing import Sequence, Union

ANY = None  # a wildcard piece: any text, empty included
Piece = Union[str, None, tuple]  # a literal, ANY, or a tuple of literal choices


def fullmatch(pieces: Sequence[Piece], text: str) -> bool:
    """Whether `text` is `pieces` joined: a literal as it is, ANY any text, a tuple any one of its literals."""
    ends = {0}
    for piece in pieces:
        if not ends:
            return False
        if piece is ANY:
            ends = set(range(min(ends), len(text) + 1))
            continue
        options = piece if isinstance(piece, tuple) else (piece,)
        ends = {end + len(o) for end in ends for o in options if text.startswith(o, end)}
    return len(text) in ends


def shown(pieces: Sequence[Piece]) -> str:
    """The pieces as a glob a person reads: `*` for ANY, `{a,b}` for choices."""
    return "".join("*" if p is ANY else "{" + ",".join(p) + "}" if isinstance(p, tuple) else p for p in pieces)
