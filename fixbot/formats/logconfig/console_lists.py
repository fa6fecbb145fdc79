"""Which handlers each logger's list keeps once every file handler prints to the console, so that every record that reached a file or the console before prints there once: logging-console's plan, for every format.

Every file handler starts as a StreamHandler in place (nothing is lost that way, but a record may now print twice:
a logger's converted handler and the root's console both take it). Then, ancestors first, each list written out
loses what the standard library shows to be a duplicate (fixbot/formats/logconfig/stdlib.py follows levels,
filters and propagation): a file handler whose every record another console handler on the record's way prints
goes; one that printed records nobody else prints stays. A console handler goes from a list only where that
removes a line printed twice and loses none, and first in favour of a file handler beside it whose formatter gives
its lines a timestamp or a level the console's does not (so they keep them); where the console cannot go, the
file handler's formatter may end up unused, and the verdict names it. Where the rewrite may remove handlers (a Python literal whose lists are
all static), a file handler some list still needs can be replaced there by the console target, when it prints
everything that handler did with the same formatter, and a file handler no list names any more goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fixbot.formats import Refusal
from fixbot.formats.logconfig.stdlib import (
    CONSOLE, FILE, ROOT, Config, Verdict, chain, compare, deliveries, judge, level_name, logger_name, probes,
)

_INF = 10**9


class Doubled(Refusal):
    """Proven from a config read whole: whichever handler lists stay, some record is lost or printed twice. A
    rewrite that knows less (in place, filters unread) would only hide it, so nothing falls back past this."""


@dataclass(frozen=True)
class ListPlan:
    lists: dict[str, list[str | None]]  # logger -> at each position of its list, the name there after (None: dropped)
    converted: frozenset[str]  # file handlers that stay, as StreamHandlers
    removed: frozenset[str]  # file handlers that go: no list names them any more
    after: Config
    verdict: Verdict


def _order(name: str) -> tuple[int, str]:
    return (-1, "") if name == ROOT else (name.count("."), name)


def plan(config: Config, editable: set[str], *, target: str | None = None, may_remove: bool = False,
         held: set[str] = frozenset()) -> ListPlan:
    """The lists of the loggers in `editable` (those whose list a rewrite can change) after the rewrite.

    `target` is the console handler a list may name instead of a file handler (only with `may_remove`); `held`
    are handlers something outside the model names, which stay."""
    files = {n for n, h in config.handlers.items() if h.kind == FILE}
    base = config.with_kinds({n: CONSOLE for n in files})
    lists = {n: list(enumerate(lg.handlers)) for n, lg in config.loggers.items() if n in editable and lg.handlers is not None}
    records = probes(config)
    if files:
        _thin(config, base, lists, records, target if may_remove else None)
    after = base.with_lists({n: _names(v) for n, v in lists.items()})
    removed: frozenset[str] = frozenset()
    if may_remove:
        named = {n for lg in after.loggers.values() for n in (lg.handlers or ())}
        unknown = any(lg.handlers is None for lg in after.loggers.values())
        hold = set() if target else {t for h in after.handlers.values() for t in h.targets}
        removed = frozenset() if unknown else frozenset(files - named - held - set(hold) - {target})
        if removed:
            handlers = {n: replace(h, targets=tuple(target if t in removed else t for t in h.targets))
                        for n, h in after.handlers.items() if n not in removed}
            after = replace(after, handlers=handlers)
    verdict = compare(config, after, records)
    if verdict.doubled:  # no list can lose a handler without losing lines: keeping both prints them twice
        raise Doubled(f"no handler list can go without losing lines, and with both {verdict.wrong()[0]}; "
                      "set `propagate` false where the file handler's logger should not print through its ancestor")
    if verdict.maybe_doubled:  # a level or filter read at run time decides: for some of its values a line prints twice
        name, level = verdict.maybe_doubled[0]
        raise Refusal(f"{logger_name(name)} would print its {level_name(level)} records twice for some value of a "
                      "level, filter or propagate fixbot cannot read (computed at run time, or a filter class of the "
                      "project); no rewrite of the lists keeps every line once for every value")
    aligned = {}
    for n, entries in lists.items():
        aligned[n] = [None] * len(config.loggers[n].handlers)
        for i, name in entries:
            aligned[n][i] = name
    return ListPlan(aligned, frozenset(files - removed), removed, after, verdict)


def _names(entries: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(name for _, name in entries)


def _thin(config: Config, base: Config, lists: dict[str, list[tuple[int, str]]], records, target: str | None) -> None:
    ways = {name: chain(config, name) for name, _ in records}
    before: dict = {}  # what each record reaches in `config`, the same for every trial
    touching = {x: [r for r in records if x in ways[r[0]]] for x in lists}
    files = {n for n, h in config.handlers.items() if h.kind == FILE}

    def score(x: str, trial: list[str]) -> tuple[int, int]:
        """(records lost, extra console lines) over the records whose way passes logger `x`, with `trial` as its list."""
        after = base.with_lists({**{n: _names(v) for n, v in lists.items()}, x: _names(trial)})
        lost = doubled = 0
        for name, level in touching[x]:
            found = deliveries((config, after), name, level, before)
            if found is None:
                return _INF, _INF
            for b, a in found:
                lost += judge(b, a) == "lost"
                # What is known of it (a list fixbot cannot read adds the same before and after), with DEBUG on too:
                # the verdict lets Django's own DEBUG-only console print a line twice, the plan does what it can.
                if b.made:
                    doubled += max(0, a.count(CONSOLE) - max(1, b.count(CONSOLE)))
        return lost, doubled

    def formatter(n: str) -> str | None:
        return config.handlers[n].formatter if n in config.handlers else None

    def moves(current: list[tuple[int, str]]):
        """(a file handler leaves and another prints what it did, trial), best first. Drops of file handlers and
        their replacement by the target are taken unless they print more twice, drops of consoles only where they
        print less twice. A console beside a file handler whose formatter gives its lines more (a timestamp, the
        level) is tried first, so that those lines keep them."""
        names = _names(current)
        yield from ((False, _without(current, i)) for i, c in current if _console(config, c) and any(
            f in files and config.stamps(f) > config.stamps(c) for f in names))
        # Of two that print the same, the later file handler goes first, then a converted one, then a console.
        yield from ((True, _without(current, i)) for i, f in reversed(current) if f in files)
        if target is not None and target not in names:
            yield from ((True, [(j, target if j == i else n) for j, n in current]) for i, f in current
                        if f in files and f != target and formatter(f) in (None, formatter(target)))
        yield from ((False, _without(current, i)) for i, c in reversed(current) if c in files)
        yield from ((False, _without(current, i)) for i, c in reversed(current) if _console(config, c))

    for _ in range(3):
        changed = False
        for x in sorted(lists, key=_order):
            lost, doubled = score(x, lists[x])
            while not lost:
                for file_goes, trial in moves(lists[x]):
                    new_lost, new_doubled = score(x, trial)
                    if new_lost == 0 and (new_doubled < doubled or (file_goes and new_doubled <= doubled)):
                        lists[x], doubled, changed = trial, new_doubled, True
                        break
                else:
                    break
        if not changed:
            return


def _without(entries: list[tuple[int, str]], position: int) -> list[tuple[int, str]]:
    return [(i, n) for i, n in entries if i != position]


def _console(config: Config, name: str) -> bool:
    handler = config.handlers.get(name)
    return handler is not None and handler.kind == CONSOLE
