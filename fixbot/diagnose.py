"""Turn the lines of a failing log into Findings with the signatures: what failed, its root cause, its evidence, its fix.

Lines go through fixbot/paste.py (what pasting did to them is undone), the traceback reader (fixbot/tracebacks.py)
and every signature; the signatures are data, in each room's `fixes/<kind>/signatures.yml`. This module must stay
light: `fixbot diagnose` imports no libcst, git or GitHub, and no room's code.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Iterable

from fixbot import logs, paste
from fixbot.errors import BadInput, FixbotError
from fixbot.model import Evidence, Finding
from fixbot.tracebacks import PyException, TracebackReader, cause_facts, errno_error, is_project_frame, oserror_facts

if TYPE_CHECKING:
    from fixbot.sources import Source

SIGNATURES = Path(__file__).with_name("signatures.yml")


class EmptyLog(FixbotError):
    """The log has no lines: nothing to diagnose, so nothing fixable."""

    exit_code = 1


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

    def frames_match(self, chain: list[PyException], exc: PyException) -> bool:
        if self.exc_frames is None:
            return True
        if self.exc_function is None:
            return any(self.exc_frames.search(f.file) for e in chain for f in e.frames)
        return any(self.exc_frames.search(f.file) and self.exc_function.search(f.function or "") for f in exc.frames)

    def fixes_for(self, facts: dict[str, Any]) -> tuple[str, ...]:
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
                fix_facts=tuple(
                    (codemod, fact, frozenset(values))
                    for codemod, needs in room.get("fix_facts", {}).items() for fact, values in needs.items()
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


class _Summary(dict):
    def __missing__(self, key: str) -> str:
        return "?"


class Engine:
    """Feeds lines through the traceback reader and the signatures; collects de-duplicated findings."""

    def __init__(self, cat: Catalogue | None = None) -> None:
        self.cat = cat or catalogue()
        self._line_signatures = [s for s in self.cat.signatures if s.line is not None]
        self._context = tuple(dict.fromkeys(pair for s in self.cat.signatures for pair in s.context))
        self._seen: dict[str, str] = {}  # the context facts, as the log's last line giving each said
        self._exc_signatures = [s for s in self.cat.signatures if s.exc_type is not None]
        self._reader = TracebackReader()
        self._source: str | None = None
        self._found: dict[tuple, Finding] = {}
        self._signature: dict[tuple, Signature] = {}

    def feed(self, source: str | None, number: int, text: str) -> None:
        if source != self._source:
            self.gap()
            self._source = source
        text = paste.unquote(text)
        for prefix in self.cat.prefixes:
            text = prefix.sub("", text, count=1)
        for line in paste.split(text):
            for chain, from_tb in self._reader.feed(number, line):
                self._exception_chain(chain, from_tb)
            for name, pattern in self._context:
                found = pattern.search(line)
                if found:
                    self._seen[name] = found[name]
            for sig in self._line_signatures:
                match = sig.line.search(line)
                if match:
                    facts = {**dict(sig.facts), **{k: v for k, v in match.groupdict().items() if v is not None}}
                    if str(facts.get("errno", "")).isdigit():  # a shared shape's errno names the OSError it was
                        facts.setdefault("error", errno_error(int(facts["errno"])))
                    self._add(sig, facts, (Evidence(number, line, source),))
                    break

    def gap(self) -> None:
        """Lines were skipped (or a new file begins): no traceback continues across."""
        for chain, from_tb in self._reader.flush():
            self._exception_chain(chain, from_tb)

    def _exception_chain(self, chain: list[PyException], from_tb: bool) -> None:
        for exc in reversed(chain):
            for sig in self._exc_signatures:
                if sig.needs_traceback and not from_tb:
                    continue
                if not sig.exc_type.match(exc.type):
                    continue
                match = sig.exc_message.search(exc.message)
                if not match:
                    continue
                if not sig.frames_match(chain, exc):
                    continue
                facts = {**dict(sig.facts), **self._exception_facts(chain, exc, match), **_program(sig, chain)}
                if sig.path is not None:  # a shared shape's path, narrowed to what this room is about
                    where = sig.path.search(str(facts.get("path", "")))
                    if where is None:
                        continue
                    facts.update({k: v for k, v in where.groupdict().items() if v is not None})
                self._add(sig, facts, self._exception_evidence(chain, exc))
                return

    def _exception_facts(self, chain: list[PyException], exc: PyException, match: re.Match[str]) -> dict[str, Any]:
        groups = match.groupdict()
        detail = groups.pop("detail", None)
        facts: dict[str, Any] = {k: v for k, v in groups.items() if v is not None}
        facts.setdefault("exception", exc.type)
        if chain[0] is not exc or detail:
            for name, value in cause_facts(chain[: chain.index(exc) + 1], detail).items():
                facts.setdefault(name, value)
        else:  # a lone OSError is its own root cause, whether or not the signature already took its path
            for name, value in (oserror_facts(exc) or {}).items():
                facts.setdefault(name, value)
        frames = [f for e in chain for f in e.frames if is_project_frame(f)]
        if frames:
            facts["project_frames"] = [f"{f.file}:{f.line}" for f in dict.fromkeys(frames)]
        return facts

    def _exception_evidence(self, chain: list[PyException], exc: PyException) -> tuple[Evidence, ...]:
        picked: dict[int, str] = {}
        for e in chain[: chain.index(exc) + 1]:
            for f in e.frames:
                if is_project_frame(f):
                    picked[f.log_line] = f.text
            picked[e.log_line] = e.text
        return tuple(Evidence(n, t, self._source) for n, t in sorted(picked.items()))

    def _add(self, sig: Signature, facts: dict[str, Any], evidence: tuple[Evidence, ...]) -> None:
        key = (sig.kind, *(str(facts.get(k)) for k in sig.key))
        old = self._found.get(key)
        if old is not None:
            if len(facts) > len(old.facts):  # this occurrence tells more (its cause was not cut off)
                merged = {**old.facts, **facts}
            else:
                merged, evidence = {**facts, **old.facts}, old.evidence
            facts, occurrences = merged, old.occurrences + 1
        else:
            occurrences = 1
        self._signature[key] = sig
        self._found[key] = Finding(
            kind=sig.kind,
            summary=sig.summary.format_map(_Summary(facts)),
            facts=facts,
            evidence=evidence,
            fixes=sig.fixes_for(facts),
            occurrences=occurrences,
        )

    def findings(self) -> list[Finding]:
        self.gap()
        for key, sig in self._signature.items():  # what the rest of the log says (the program's command line)
            more = {name: self._seen[name] for name, _ in sig.context if name in self._seen}
            if any(name not in self._found[key].facts for name in more):
                self._found[key] = dataclasses.replace(self._found[key], facts={**more, **self._found[key].facts})
        for key in [k for k, sig in self._signature.items() if sig.missing]:
            self._join(key)
        subsumed = {s.kind for s in self.cat.signatures if s.subsumed}
        found = list(self._found.values())
        explained = [f for f in found if f.kind not in subsumed]
        return explained if explained else found


    def _join(self, key: tuple) -> None:
        """A finding that lacks its signature's `missing` facts (a traceback cut before the line naming the handler)
        joins the one finding of its kind that has them and does not contradict it: two pieces of one paste."""
        part, sig = self._found[key], self._signature[key]
        path = part.facts.get("path")
        whole = [k for k, f in self._found.items() if k != key and f.kind == part.kind
                 and all(m in f.facts for m in sig.missing) and f.facts.get("path", path) == path]
        if len(whole) != 1:
            return
        into = whole[0]
        old, into_sig = self._found.pop(into), self._signature[into]
        del self._found[key]
        facts = {**part.facts, **old.facts}
        self._found[into] = Finding(
            kind=old.kind,
            summary=into_sig.summary.format_map(_Summary(facts)),
            facts=facts,
            evidence=tuple(sorted({*old.evidence, *part.evidence}, key=lambda e: (e.source or "", e.line))),
            fixes=into_sig.fixes_for(facts),
            occurrences=max(old.occurrences, part.occurrences),
        )


_LOGGING_CONFIG_FRAME = re.compile(r"(?:python\d[\d.]*|[Ll]ib)[/\\]logging[/\\]config\.py$")


def _program(sig: Signature, chain: list[PyException]) -> dict[str, str]:
    """`program`: the first of the room's programs a frame runs (`python` if none); `config`: the project file
    whose frame called into logging.config (a module calling dictConfig or fileConfig itself)."""
    if not sig.programs:
        return {}
    frames = [f for e in chain for f in e.frames]
    found = next((name for name, pattern in sig.programs if any(pattern.search(f.file) for f in frames)), None)
    out = {"program": found or "python"} if frames else {}
    for caller, callee in zip(frames, frames[1:]):
        if is_project_frame(caller) and _LOGGING_CONFIG_FRAME.search(callee.file):
            out["config"] = caller.file
    return out


def diagnose_path(path: str) -> list[Finding]:
    """Findings of a log file (path, `-`, .gz, run .zip), streamed in bounded memory."""
    engine = Engine()
    regions = logs.marked_regions(path, engine.cat.prefilter_markers)
    if regions is not None:
        return _diagnose_regions(path, regions, engine)
    return diagnose_streams(logs.open_sources(path), path, engine)


def diagnose_streams(streams: Iterable[tuple[str | None, BinaryIO]], name: str,
                     engine: Engine | None = None) -> list[Finding]:
    """Findings of the streams a log is made of (`logs.open_sources`, or a log source's), `name` naming it.

    Chunks with none of the signatures' markers are counted, not read: most of a large log is noise."""
    engine = engine or Engine()
    markers = engine.cat.markers
    read_anything = False
    for source, stream in streams:  # each stream refuses binary data on its first read
        number, previous_interesting = 0, False
        for chunk in logs.chunks(stream, logs.where(name, source)):
            read_anything = read_anything or bool(chunk)
            interesting = any(marker in chunk for marker in markers)
            if interesting or previous_interesting:
                for raw in chunk.split(b"\n"):
                    number += 1
                    engine.feed(source, number, logs.normalise(raw))
            else:
                number += chunk.count(b"\n") + 1
                engine.gap()
            previous_interesting = interesting
        engine.gap()
    if not read_anything:
        raise EmptyLog(f"{name}: the log is empty")
    return engine.findings()


def diagnose_source(source: "Source") -> list[Finding]:
    """Findings of the log a source (fixbot/sources/) fetches, read as a file's lines are."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fixbot-logs-") as scratch:
        return diagnose_streams(source.open(Path(scratch)), str(source))


def _diagnose_regions(path: str, regions: list[logs.Region], engine: Engine) -> list[Finding]:
    """Read only the regions of a large plain file where the markers are (see logs.marked_regions)."""
    with logs.open_regular(path) as handle:  # marked_regions found it regular; it is opened the same guarded way
        if logs.looks_binary(handle.read(8192)):
            raise BadInput(f"{path}: binary data, not a text log")
        for region in regions:
            handle.seek(region.offset)
            number = region.first - 1
            for chunk in logs.chunks(handle, path):
                for raw in chunk.split(b"\n"):
                    number += 1
                    if number > region.last:
                        break
                    engine.feed(None, number, logs.normalise(raw))
                if number > region.last:
                    break
            engine.gap()
    return engine.findings()
