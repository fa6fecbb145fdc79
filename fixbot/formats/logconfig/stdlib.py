"""What the standard library does with a logging config: where a record of a logger at a level ends up, and whether a rewrite keeps every record once on the console.

https://docs.python.org/3/library/logging.html#logging.Logger.callHandlers
A record is made when its level reaches the logger's effective level (its own, else the nearest ancestor's that
is set) and the logger's own filters pass it; then every handler of the logger, and of each ancestor until one
has `propagate` false, is offered it: the handler's level, then its filters. When no logger on that way has a
handler at all, `lastResort` prints WARNING and up to stderr. A `logging.Filter` (a filter dict without `()`)
named `n` passes the records of logger `n` and its children, every record when `n` is empty. dictConfig leaves
the root's level at WARNING unless it sets one and sets `propagate` only where it is given.

What is not written out (a level held in a variable, a filter fixbot does not know, a list computed at run time)
is unknown: every answer it could give is tried (`outcomes`), so a proof holds whatever it is. The rewrite never
changes a logger's level, filters or `propagate`, so whether a record is made at all is the same before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterator, Mapping, Optional

CONSOLE, FILE, OTHER, NULL = "console", "file", "other", "null"
ROOT = ""  # the root logger's key among a Config's loggers
LAST_RESORT = "lastResort"
WARNING = 30
# Django's RequireDebugTrue and RequireDebugFalse: one unknown, the DEBUG setting. A record printed twice only with
# DEBUG on (Django's own DEBUG-only console beside the settings' handlers) is not a deploy's line twice.
DEBUG_ONLY, NOT_DEBUG = "\0debug", "\0not debug"
LEVELS = (10, 20, 30, 40, 50)
_MAX_UNKNOWNS = 10  # more unknowns on one record's way than this: that record is not proven


@dataclass(frozen=True)
class Handler:
    kind: str  # CONSOLE, FILE, OTHER (mail, syslog, a class fixbot does not know) or NULL
    level: Optional[int] = 0  # None: not a literal
    filters: Optional[tuple[str, ...]] = ()  # None: not a literal list
    formatter: Optional[str] = None
    targets: tuple[str, ...] = ()  # a MemoryHandler's target: handed every record it takes


@dataclass(frozen=True)
class Logger:
    level: Optional[int] = 0  # NOTSET; None: not a literal
    propagate: Optional[bool] = True
    handlers: Optional[tuple[str, ...]] = ()  # None: not known (computed at run time)
    filters: Optional[tuple[str, ...]] = ()
    disabled: bool = False  # disable_existing_loggers: it makes no record (its handlers still get its children's)


@dataclass(frozen=True)
class Config:
    handlers: Mapping[str, Handler]
    loggers: Mapping[str, Logger]  # by name; the root is ROOT, present or not (then WARNING and no handlers)
    filters: Mapping[str, Optional[str]] = field(default_factory=dict)  # name -> a logging.Filter's name; None: unknown
    formats: Mapping[str, Optional[str]] = field(default_factory=dict)  # formatter -> its format string; None: unknown

    def stamps(self, handler: str) -> int:
        """How much a handler's lines carry beyond the message: a timestamp and a level name count one each (a
        handler with no formatter prints the message alone)."""
        h = self.handlers.get(handler)
        text = self.formats.get(h.formatter) if h is not None and h.formatter else ""
        return sum(word in (text or "") for word in ("asctime", "levelname"))

    def root(self) -> Logger:
        return self.loggers.get(ROOT, Logger(level=WARNING))

    def with_lists(self, lists: Mapping[str, tuple[str, ...]]) -> "Config":
        loggers = dict(self.loggers)
        for name, names in lists.items():
            loggers[name] = replace(loggers.get(name, Logger(level=WARNING) if name == ROOT else Logger()), handlers=tuple(names))
        return replace(self, loggers=loggers)

    def with_kinds(self, kinds: Mapping[str, str], removed: frozenset[str] = frozenset()) -> "Config":
        handlers = {n: replace(h, kind=kinds.get(n, h.kind)) for n, h in self.handlers.items() if n not in removed}
        return replace(self, handlers=handlers)


def parent(config: Config, name: str) -> str:
    """The logger a record of `name` propagates to: its nearest ancestor the config names, else the root."""
    while "." in name:
        name = name.rsplit(".", 1)[0]
        if name in config.loggers:
            return name
    return ROOT


def chain(config: Config, name: str) -> list[str]:
    """`name` and its ancestors up to the root, as propagation visits them (without stopping at propagate)."""
    out = [name]
    while name != ROOT:
        name = parent(config, name)
        out.append(name)
    return out


class _Ask(Exception):
    """An unknown the answer depends on: the enumeration tries both values."""

    def __init__(self, key: tuple) -> None:
        self.key = key


@dataclass(frozen=True)
class Delivery:
    """Where one record went: (handler, kind) in the order the handlers got it; `unknown` when some logger on
    its way has a handler list that is not known (so there may be more)."""

    made: bool
    to: tuple[tuple[str, str], ...] = ()
    unknown: bool = False
    debug: bool = False  # Django's DEBUG is on in this outcome

    def count(self, kind: str) -> int:
        return sum(1 for _, k in self.to if k == kind)


class _Eval:
    def __init__(self, config: Config, assignment: dict) -> None:
        self.config, self.assignment = config, assignment

    def ask(self, key: tuple) -> bool:
        if key not in self.assignment:
            raise _Ask(key)
        return self.assignment[key]

    def passes(self, filters: Optional[tuple[str, ...]], record: str, owner: tuple) -> bool:
        if filters is None:
            return self.ask(("filters",) + owner)
        for f in filters:
            known = f in self.config.filters
            prefix = self.config.filters.get(f)
            if prefix in (DEBUG_ONLY, NOT_DEBUG):
                if self.ask(("debug",)) != (prefix == DEBUG_ONLY):
                    return False
            elif not known or prefix is None:
                if not self.ask(("filter", f)):
                    return False
            elif prefix and record != prefix and not record.startswith(prefix + "."):
                return False
        return True

    def reaches(self, level: Optional[int], record_level: int, owner: tuple) -> bool:
        return self.ask(("level",) + owner) if level is None else record_level >= level

    def made(self, name: str, level: int) -> bool:
        if name in self.config.loggers and self.config.loggers[name].disabled:
            return False
        for n in chain(self.config, name):
            logger = self.config.loggers.get(n) or (self.config.root() if n == ROOT else Logger())
            if logger.level is None:
                if not self.ask(("logger-level", n)):
                    return False
                break
            if logger.level:
                if level < logger.level:
                    return False
                break
        own = self.config.loggers.get(name) or (self.config.root() if name == ROOT else Logger())
        return self.passes(own.filters, name, ("logger", name))

    def handle(self, handler: str, record: str, level: int, out: list, via_target: bool = False, depth: int = 0) -> None:
        h = self.config.handlers.get(handler)
        if h is None or depth > 8:
            out.append((handler, OTHER))  # undefined: dictConfig refuses the config; the check says so
            return
        if not via_target and not self.reaches(h.level, level, ("handler", handler)):
            return
        if not self.passes(h.filters, record, ("handler", handler)):
            return
        if h.kind != NULL:
            out.append((handler, h.kind))
        for target in h.targets:  # MemoryHandler.flush calls target.handle(): its filters, not its level
            self.handle(target, record, level, out, True, depth + 1)

    def deliver(self, name: str, level: int) -> Delivery:
        if not self.made(name, level):
            return Delivery(False)
        out: list = []
        found, unknown = 0, False
        for n in chain(self.config, name):
            logger = self.config.loggers.get(n) or (self.config.root() if n == ROOT else Logger())
            if logger.handlers is None:
                unknown = True
            else:
                for handler in logger.handlers:
                    found += 1
                    self.handle(handler, name, level, out)
            if n == ROOT or not (logger.propagate if logger.propagate is not None else self.ask(("propagate", n))):
                break
        if not found and not unknown and level >= WARNING:
            out.append((LAST_RESORT, CONSOLE))
        return Delivery(True, tuple(out), unknown, self.assignment.get(("debug",), False))


def outcomes(evaluate: Callable[[Callable[[tuple], bool]], object]) -> Iterator[tuple[dict, object]] | None:
    """(assignment, result) of `evaluate(ask)` for every value the unknowns it asks about can take; None when
    there are more than _MAX_UNKNOWNS of them."""
    done, todo = [], [{}]
    while todo:
        assignment = todo.pop()
        try:
            done.append((assignment, evaluate(assignment)))
        except _Ask as asked:
            if len(assignment) >= _MAX_UNKNOWNS:
                return None
            todo += [{**assignment, asked.key: False}, {**assignment, asked.key: True}]
    return iter(done)


def deliveries(configs: tuple[Config, ...], name: str, level: int,
               first: dict | None = None) -> list[tuple[Delivery, ...]] | None:
    """What a record of logger `name` at `level` reaches in each config, for every value of the unknowns (the
    same value in each config: a filter says the same of the same record); None when they are too many.

    `first`: a cache the caller keeps for configs[0] while it tries many second configs against it (a plan's
    trials): where the first asks about no unknown, what it delivers is the same under every value of the second's."""
    if first is not None and len(configs) == 2:
        if (name, level) not in first:
            try:
                first[name, level] = _Eval(configs[0], {}).deliver(name, level)
            except _Ask:
                first[name, level] = None
        known = first[name, level]
        if known is not None:
            found = outcomes(lambda a: _Eval(configs[1], a).deliver(name, level))
            return None if found is None else [(known, result) for _, result in found]
    found = outcomes(lambda a: tuple(_Eval(c, a).deliver(name, level) for c in configs))
    return None if found is None else [result for _, result in found]


def probes(*configs: Config) -> list[tuple[str, int]]:
    """The records a proof tries: the root, every logger the configs name and a child of each, at every standard
    level and every other level the configs write out."""
    names = {ROOT}
    levels = set(LEVELS)
    for config in configs:
        names |= {n for n in config.loggers} | {f"{n}.fixbot_child" for n in config.loggers if n}
        levels |= {h.level for h in config.handlers.values() if h.level} | {lg.level for lg in config.loggers.values() if lg.level}
    return [(n, lv) for n in sorted(names) for lv in sorted(levels)]


@dataclass
class Verdict:
    """What a rewrite does to every probe record: the ones it loses, prints twice (more often than before) or
    leaves in a file, those fixbot cannot tell about, and the formatters no handler uses any more."""

    probes: int = 0
    lost: list[tuple[str, int]] = field(default_factory=list)
    doubled: list[tuple[str, int, int]] = field(default_factory=list)  # (logger, level, times on the console)
    in_files: list[tuple[str, int]] = field(default_factory=list)
    unproven: list[tuple[str, int]] = field(default_factory=list)
    maybe_doubled: list[tuple[str, int]] = field(default_factory=list)  # unproven, and twice for some unknowns
    unused_formatters: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not (self.lost or self.doubled or self.in_files)

    def wrong(self) -> list[str]:
        """What is lost or printed twice, one line per logger (a probe child is left out when its logger is named)."""
        out = []
        for what, found in (("lost", [(n, lv, 0) for n, lv in self.lost]), ("doubled", self.doubled)):
            by_logger: dict[str, list[tuple[int, int]]] = {}
            for name, level, times in found:
                by_logger.setdefault(name, []).append((level, times))
            for name, levels in by_logger.items():
                if name.endswith(".fixbot_child") and name.rsplit(".", 1)[0] in by_logger:
                    continue
                names = [level_name(lv) for lv, _ in levels]
                shown = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} and higher"
                if what == "lost":
                    out.append(f"{logger_name(name)} no longer prints its {shown} records anywhere")
                else:
                    out.append(f"{logger_name(name)} prints each of its {shown} records {max(t for _, t in levels)} times on the console")
        return out


def judge(before: Delivery, after: Delivery) -> str | None:
    """What is wrong with `after` for one record: "lost", "doubled", "file"; None when it is right (or unknown).
    A line may print twice with Django's DEBUG on, never with it off, as a deploy runs; none is lost either way."""
    if not before.made:
        return None
    if after.count(FILE):
        return "file"
    # Counted on what is known: a list fixbot cannot read may hold a console, but it cannot be relied on.
    reached = before.count(CONSOLE) + before.count(FILE)
    consoles = [h for h, k in after.to if k == CONSOLE and (h != LAST_RESORT or (h, k) in before.to)]
    if reached and not consoles:
        return "lost"
    if not (before.unknown or after.unknown or after.debug) and after.count(CONSOLE) > max(1, before.count(CONSOLE)):
        return "doubled"
    return None


def compare(before: Config, after: Config, names: list[tuple[str, int]] | None = None) -> Verdict:
    """The Verdict on rewriting `before` into `after`, over `names` (default: probes of both)."""
    verdict = Verdict()
    for name, level in names if names is not None else probes(before, after):
        verdict.probes += 1
        found = deliveries((before, after), name, level)
        if found is None:
            verdict.unproven.append((name, level))
            continue
        said = [judge(b, a) for b, a in found if b.made]
        # Twice whatever the unknowns are is a line twice; twice for some of their values (a level held in a
        # variable, a filter fixbot does not know) is not proven either way. A line lost for any value is lost.
        if "file" in said:
            verdict.in_files.append((name, level))
        elif "lost" in said:
            verdict.lost.append((name, level))
        elif said and all(s == "doubled" for s in said):
            verdict.doubled.append((name, level, max(a.count(CONSOLE) for _, a in found)))
        elif "doubled" in said or any(b.made and (b.unknown or a.unknown) for b, a in found):
            verdict.unproven.append((name, level))
            if "doubled" in said:
                verdict.maybe_doubled.append((name, level))
    verdict.unused_formatters = unused_formatters(before, after)
    return verdict


def unused_formatters(before: Config, after: Config) -> list[str]:
    """The formatters some listed handler of `before` uses and none of `after` does, sorted."""
    return sorted(used_formatters(before) - used_formatters(after))


def used_formatters(config: Config) -> set[str]:
    """The formatters of the handlers some logger's list names (or a named handler hands records to)."""
    named = {n for lg in config.loggers.values() for n in lg.handlers or ()}
    todo, seen = list(named), set()
    while todo:
        n = todo.pop()
        if n in seen or n not in config.handlers:
            continue
        seen.add(n)
        todo += config.handlers[n].targets
    return {config.handlers[n].formatter for n in seen if config.handlers[n].formatter}


def level_name(level: int) -> str:
    return {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}.get(level, f"level {level}")


def logger_name(name: str) -> str:
    return "the root logger" if name == ROOT else f"logger {name!r}"
