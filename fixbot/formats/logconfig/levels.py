"""Level names and the one-list rule: which console handlers a handler list keeps by level, where the standard library's model (stdlib.py) cannot place the list.

A logger writes a record when the record's level reaches the logger's own level and some handler's level. So a
handler `k` can stand in for another one `s` in a list when `k` has no filters and `max(level(k), logger) <=
max(level(s), logger)`: every line `s` printed, `k` prints too. console_lists.py follows propagation and every
list at once; this rule is what is left for a list it cannot place (a branch of a conditional, a list a later
statement assigns) and for `Plan.names`. Levels that are not literals (a variable, a call) are unknown, and
nothing is dropped on an unknown level.
"""

from __future__ import annotations

import libcst as cst

from fixbot.formats.logconfig.pydict import string_value

LEVELS = {"NOTSET": 0, "DEBUG": 10, "INFO": 20, "WARN": 30, "WARNING": 30, "ERROR": 40, "FATAL": 50, "CRITICAL": 50}


def level(node: cst.BaseExpression | None) -> int | None:
    """The level a `level` value means (absent: NOTSET, 0); None when it is only known at run time."""
    if node is None:
        return 0
    text = string_value(node)
    if text is not None:
        return level_text(text)
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "logging":
        return LEVELS.get(node.attr.value)
    return None


def level_text(text: str) -> int | None:
    """The level a level written as text means (`INFO`, `10`: a YAML, JSON or INI value); None if not a literal."""
    return LEVELS.get(text.strip().upper(), int(text) if text.strip().isdigit() else None)


def effective(handler: int | None, logger: int | None) -> int | None:
    """The lowest level a logger writes through one handler (an unknown logger level counts as NOTSET: stricter)."""
    return None if handler is None else max(handler, logger or 0)


def stands_in(k: int | None, s: int | None, k_filtered: bool) -> bool:
    """Does an unfiltered handler of effective level `k` print every line one of effective level `s` printed?"""
    return not k_filtered and k is not None and s is not None and k <= s


def thin(names: list[str | None], consoles: dict[str, tuple[int | None, bool]], first: set[str] = frozenset()) -> list[str | None]:
    """`names` (None: already dropped) without the console handlers another console in the list stands in for.

    `consoles`: name -> (effective level, filtered) of every handler that prints to the console after the rewrite.
    Of two that stand in for each other (same level, no filters), the one in `first` (the list's own) stays, else
    the earlier one."""
    present = [n for n in names if n in consoles]
    rank = {n: (n not in first, i) for i, n in enumerate(present)}

    def dropped(s: str) -> bool:
        ls, fs = consoles[s]
        for k in present:
            lk, fk = consoles[k]
            if k == s or not stands_in(lk, ls, fk):
                continue
            if lk < ls or fs or rank[k] < rank[s]:
                return True
        return False

    gone = {s for s in present if dropped(s)}
    return [None if n in gone else n for n in names]
