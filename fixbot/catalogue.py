"""The signatures every room's `fixes/<kind>/signatures.yml` holds and the engine's own settings, loaded once.

fixbot/signatures.yml says how lines are unwrapped before matching (prefixes) and which markers the grep
prefilter looks for; each room's file holds its markers, signatures and fact tables. fixbot/diagnose.py runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fixbot.tracebacks import PyException

SIGNATURES = Path(__file__).with_name("signatures.yml")


@dataclass(frozen=True)
class Signature:
    kind: str
    summary: str
    key: tuple[str, ...]
    fixes: tuple[str, ...]
    fix_if_error: frozenset[str] | None
    fix_if_cause_unknown: bool
    subsumed: bool
    fix_needs: tuple[str, ...] = ()  # facts a fix needs when the root cause is known (a file handler's `path`)
    line: re.Pattern[str] | None = None
    exc_type: re.Pattern[str] | None = None
    exc_message: re.Pattern[str] | None = None
    exc_frames: re.Pattern[str] | None = None
    exc_function: re.Pattern[str] | None = None
    path: re.Pattern[str] | None = None  # the `path` fact must match it; its groups are facts too
    needs_traceback: bool = False
    missing: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # facts the signature itself implies (the program printing that line)
    programs: tuple[tuple[str, re.Pattern[str]], ...] = ()  # the room's: which program a frame's file is
    context: tuple[tuple[str, re.Pattern[str]], ...] = ()  # the room's: facts any line of the log may give
    fix_facts: tuple[tuple[str, str, frozenset[str]], ...] = ()  # the room's: (codemod, fact, values it needs)
    fix_presence: tuple[tuple[str, str, bool], ...] = ()  # the room's: (codemod, fact, whether it must be there)
    fix_when: tuple[tuple[str, re.Pattern[str]], ...] = ()  # facts that must be known and match for any fix

    def frames_match(self, chain: list[PyException], exc: PyException) -> bool:
        if self.exc_frames is None:
            return True
        if self.exc_function is None:
            return any(self.exc_frames.search(f.file) for e in chain for f in e.frames)
        return any(self.exc_frames.search(f.file) and self.exc_function.search(f.function or "") for f in exc.frames)

    def fixes_for(self, facts: dict[str, Any]) -> tuple[str, ...]:
        if any(name not in facts or not pattern.search(str(facts[name])) for name, pattern in self.fix_when):
            return ()  # a platform's line alone does not say what to change (the address the app bound)
        if "cause" in facts and any(fact not in facts for fact in self.fix_needs):
            return ()  # the cause is known and names no path: not a file (a socket, a device)
        if self.fix_if_error is None or facts.get("error") in self.fix_if_error or (
            self.fix_if_cause_unknown and "cause" not in facts
        ):
            # A codemod that reads only some programs' files is offered when the log shows one of those, or none.
            return tuple(
                fix for fix in self.fixes
                if not any(c == fix and fact in facts and str(facts[fact]) not in values
                           for c, fact, values in self.fix_facts)
                and not any(c == fix and (fact in facts) != wanted for c, fact, wanted in self.fix_presence)
            )
        return ()


@dataclass(frozen=True)
class Catalogue:
    markers: tuple[bytes, ...]
    prefilter_markers: tuple[bytes, ...]
    prefixes: tuple[re.Pattern[str], ...]
    signatures: tuple[Signature, ...]


@lru_cache(maxsize=None)
def catalogue() -> Catalogue:
    """The engine's settings (SIGNATURES) and every room's signatures, rooms in their `order`."""
    import yaml

    from fixbot.fixes import signature_files

    def load(path: Path) -> dict:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))

    engine = load(SIGNATURES)
    rooms = sorted((load(path) for path in signature_files()), key=lambda room: room["order"])
    signatures = []
    shapes = engine.get("shapes", {})

    def pattern(text: str) -> re.Pattern[str]:
        """A signature's regex with the shared shapes (`{denied}`) written out."""
        return re.compile(re.sub(r"\{(\w+)\}", lambda m: shapes.get(m[1], m[0]), text))

    def table(room: dict, key: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((name, re.compile(pattern)) for name, pattern in room.get(key, {}).items())

    entries = [(entry.get("order", room["order"]), entry, room) for room in rooms for entry in room["signatures"]]
    for _, entry, room in sorted(entries, key=lambda triple: triple[0]):
        exc = entry.get("exception") or {}
        signatures.append(
            Signature(
                kind=entry["kind"],
                summary=entry["summary"],
                key=tuple(entry.get("key", ())),
                fixes=tuple(entry.get("fixes", ())),
                fix_if_error=frozenset(entry["fix_if_error"]) if "fix_if_error" in entry else None,
                fix_if_cause_unknown=bool(entry.get("fix_if_cause_unknown")),
                subsumed=bool(entry.get("subsumed")),
                fix_needs=tuple(entry.get("fix_needs", ())),
                line=pattern(entry["line"]) if "line" in entry else None,
                exc_type=re.compile(exc["type"] + r"\Z") if exc else None,
                exc_message=pattern(exc.get("message", "")) if exc else None,
                exc_frames=re.compile(exc["frames"]) if "frames" in exc else None,
                exc_function=re.compile(exc["function"]) if "function" in exc else None,
                path=re.compile(entry["path"]) if "path" in entry else None,
                needs_traceback=bool(exc.get("traceback")),
                missing=tuple(entry.get("missing", ())),
                facts=tuple(entry.get("facts", {}).items()),
                programs=table(room, "programs"),
                context=table(room, "context"),
                fix_when=tuple((name, re.compile(p)) for name, p in entry.get("fix_when", {}).items()),
                fix_facts=tuple(
                    (codemod, fact, frozenset(values))
                    for codemod, needs in room.get("fix_facts", {}).items() for fact, values in needs.items()
                ),
                fix_presence=tuple(
                    (codemod, fact, bool(wanted))
                    for codemod, needs in room.get("fix_presence", {}).items() for fact, wanted in needs.items()
                ),
            )
        )
    markers = dict.fromkeys(m for room in rooms for m in room["markers"])
    return Catalogue(
        markers=tuple(m.encode() for m in markers),
        prefilter_markers=tuple(m.encode() for m in engine["prefilter_markers"]),
        prefixes=tuple(re.compile(p) for p in engine.get("prefixes", ())),
        signatures=tuple(signatures),
    )
