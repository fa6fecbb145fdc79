"""Turn the lines of a failing log into Findings with the signatures: what failed, its root cause, its evidence, its fix.

Lines go through fixbot/paste.py (what pasting did to them is undone), the traceback reader (fixbot/tracebacks.py)
and every signature; the signatures are data (fixbot/catalogue.py loads them). This module must stay
light: `fixbot diagnose` imports no libcst, git or GitHub, and no room's code.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable

from fixbot import logs, paste, prefilter
from fixbot.catalogue import Catalogue, Signature, catalogue
from fixbot.errors import BadInput, FixbotError
from fixbot.model import Evidence, Finding
from fixbot.repeats import Repeats
from fixbot.tracebacks import (PyException, TracebackReader, cause_facts, errno_error, is_project_frame,
                               oserror_facts, shape)

if TYPE_CHECKING:
    from fixbot.sources import Source

_MAX_CHAINS = 4096  # exception chains whose reading is remembered (see Engine._exception_chain)


class EmptyLog(FixbotError):
    """The log has no lines: nothing to diagnose, so nothing fixable."""

    exit_code = 1


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
        self._chains: dict[tuple, tuple | None] = {}  # what each chain read so far gave, by its shape
        self._resume: tuple | None = None  # (snapshot, line): the reader's state after a replayed block
        self._source: str | None = None
        # Each finding so far: [signature, facts, evidence, occurrences, facts known to add nothing to it].
        self._tally: dict[tuple, list] = {}
        # When set, what feeding lines does (findings counted, context seen), for fixbot/repeats.py to replay.
        self.recorded: tuple[list, dict] | None = None

    def begin(self, source: str | None) -> None:
        """Lines of `source` follow: no traceback continues from another file."""
        if source != self._source:
            self.gap()
            self._source = source

    def feed(self, source: str | None, number: int, text: str) -> None:
        self.begin(source)
        if self._resume is not None:
            self._take_up()
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
                    if self.recorded is not None:
                        self.recorded[1][name] = found[name]
            for sig in self._line_signatures:
                match = sig.line.search(line)
                if match:
                    facts = {**dict(sig.facts), **{k: v for k, v in match.groupdict().items() if v is not None}}
                    if str(facts.get("errno", "")).isdigit():  # a shared shape's errno names the OSError it was
                        facts.setdefault("error", errno_error(int(facts["errno"])))
                    self._add(sig, facts, ((number, line),))
                    break

    def gap(self) -> None:
        """Lines were skipped (or a new file begins): no traceback continues across."""
        if self._resume is not None:
            self._take_up()
        for chain, from_tb in self._reader.flush():
            self._exception_chain(chain, from_tb)

    def state(self, line: int) -> tuple | None:
        """The traceback reader's state before `line`, its line numbers counted from there (TracebackReader.snapshot)."""
        if self._resume is not None:
            if self._resume[1] == line:
                return self._resume[0]
            self._take_up()
        return self._reader.snapshot(line)

    def replay(self, adds: tuple, seen: dict | None, line: int, state: tuple | None, after: int) -> None:
        """What lines from `line` on did when read before (`recorded`, evidence lines counted from the first of
        them), done again without reading them; the reader takes up `state` (a snapshot) before line `after`."""
        for key, sig, facts, evidence in adds:
            self._count(key, sig, facts, evidence, line)
        if seen:
            self._seen.update(seen)
        self._resume = (state, after)  # taken up only if a line is read next, not after another replayed block

    def _take_up(self) -> None:
        snapshot, line = self._resume
        self._resume = None
        self._reader.restore(snapshot, line)

    def _exception_chain(self, chain: list[PyException], from_tb: bool) -> None:
        """The finding a chain gives: read once per shape, since every worker of a crash loop prints the same one,
        between lines of its own (timestamps, pids) that keep the block around it from being replayed."""
        base = chain[-1].log_line
        key = (from_tb, shape(chain, base))
        if key in self._chains:
            found = self._chains[key]
        else:
            found = self._read_chain(chain, from_tb)
            if found is not None:
                sig, facts, evidence = found
                found = (sig, facts, tuple((n - base, text) for n, text in evidence))
            if len(self._chains) >= _MAX_CHAINS:
                self._chains.clear()
            self._chains[key] = found
        if found is not None:
            sig, facts, evidence = found
            self._add(sig, facts, tuple((base + n, text) for n, text in evidence))

    def _read_chain(self, chain: list[PyException], from_tb: bool) -> tuple | None:
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
                return sig, facts, _exception_evidence(chain, exc)
        return None

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

    def _add(self, sig: Signature, facts: dict[str, Any], evidence: tuple[tuple[int, str], ...]) -> None:
        """One occurrence of a finding; `evidence` is (line, text) pairs."""
        key = (sig.kind, *(str(facts.get(k)) for k in sig.key))
        if self.recorded is not None:
            self.recorded[0].append((key, sig, facts, evidence))
        self._count(key, sig, facts, evidence, 0)

    def _count(self, key: tuple, sig: Signature, facts: dict[str, Any], evidence: tuple, base: int) -> None:
        tally = self._tally.get(key)
        if tally is None:
            self._tally[key] = [sig, facts, self._evidence(evidence, base), 1, None]
            return
        tally[0] = sig
        tally[3] += 1
        if tally[4] is facts:
            return
        old = tally[1]
        if len(facts) > len(old):  # this occurrence tells more (its cause was not cut off)
            tally[1], tally[2], tally[4] = {**old, **facts}, self._evidence(evidence, base), None
            return
        merged = {**facts, **old}
        if merged == old and list(merged) == list(old):
            tally[4] = facts  # the same facts again (a repeated block) can only be counted
        else:
            tally[1], tally[4] = merged, None

    def _evidence(self, evidence: tuple[tuple[int, str], ...], base: int) -> tuple[Evidence, ...]:
        return tuple(Evidence(base + n, t, self._source) for n, t in evidence)

    def findings(self) -> list[Finding]:
        self.gap()
        self._signature: dict[tuple, Signature] = {key: tally[0] for key, tally in self._tally.items()}
        self._found: dict[tuple, Finding] = {
            key: Finding(
                kind=sig.kind,
                summary=sig.summary.format_map(_Summary(facts)),
                facts=facts,
                evidence=evidence,
                fixes=sig.fixes_for(facts),
                occurrences=occurrences,
            )
            for key, (sig, facts, evidence, occurrences, _) in self._tally.items()
        }
        for key, sig in self._signature.items():  # what the rest of the log says (the program's command line)
            more = {name: self._seen[name] for name, _ in sig.context if name in self._seen}
            if any(name not in self._found[key].facts for name in more):
                facts = {**more, **self._found[key].facts}
                self._found[key] = dataclasses.replace(self._found[key], facts=facts, fixes=sig.fixes_for(facts))
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


def _exception_evidence(chain: list[PyException], exc: PyException) -> tuple[tuple[int, str], ...]:
    picked: dict[int, str] = {}
    for e in chain[: chain.index(exc) + 1]:
        for f in e.frames:
            if is_project_frame(f):
                picked[f.log_line] = f.text
        picked[e.log_line] = e.text
    return tuple(sorted(picked.items()))


_LOGGING_CONFIG_FRAME = re.compile(r"(?:python\d[\d.]*|[Ll]ib)[/\\]logging[/\\]config\.py$")
# Markdown may have eaten the underscores of __init__.py (fixbot/paste.py reads pasted logs).
_LOGGING_HANDLER_FRAME = re.compile(r"(?:python\d[\d.]*|[Ll]ib)[/\\]logging[/\\](?:_*init_*|handlers)\.py$")


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
    # A handler the application's own code built (`logging.FileHandler(path)` in a module), not a config's:
    # no logging.config frame, and a project frame calling into logging's handlers.
    if not any(_LOGGING_CONFIG_FRAME.search(f.file) for f in frames):
        for caller, callee in zip(frames, frames[1:]):
            if is_project_frame(caller) and _LOGGING_HANDLER_FRAME.search(callee.file):
                out["built_at"] = f"{caller.file}:{caller.line}"
    return out


def diagnose_path(path: str, progress: Callable[[int], None] | None = None) -> list[Finding]:
    """Findings of a log file (path, `-`, .gz, run .zip), streamed in bounded memory; `progress` is told how many
    more bytes were read after each chunk."""
    engine = Engine()
    regions = prefilter.marked_regions(path, engine.cat.prefilter_markers)
    if regions is not None:
        return _diagnose_regions(path, regions, engine, progress or (lambda count: None))
    return diagnose_streams(logs.open_sources(path), path, engine, progress)


def diagnose_streams(streams: Iterable[tuple[str | None, BinaryIO]], name: str, engine: Engine | None = None,
                     progress: Callable[[int], None] | None = None) -> list[Finding]:
    """Findings of the streams a log is made of (`logs.open_sources`, or a log source's), `name` naming it.

    Chunks with none of the signatures' markers are counted, not read: most of a large log is noise; a block
    already read is counted, not read again (fixbot/repeats.py)."""
    engine = engine or Engine()
    markers = engine.cat.markers
    progress = progress or (lambda count: None)
    read_anything = False
    repeats = Repeats(engine)
    for source, stream in streams:  # each stream refuses binary data on its first read
        number, previous_interesting = 1, False
        for chunk in logs.chunks(stream, logs.where(name, source)):
            progress(len(chunk) + 1)
            read_anything = read_anything or bool(chunk)
            interesting = any(marker in chunk for marker in markers)
            if interesting or previous_interesting:
                number += repeats.feed(source, number, chunk)
            else:
                number += chunk.count(b"\n") + 1
                engine.gap()
            previous_interesting = interesting
        engine.gap()
    if not read_anything:
        raise EmptyLog(f"{name}: the log is empty")
    return engine.findings()


def diagnose_source(source: "Source", progress: Callable[[int], None] | None = None) -> list[Finding]:
    """Findings of the log a source (fixbot/sources/) fetches, read as a file's lines are."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fixbot-logs-") as scratch:
        return diagnose_streams(source.open(Path(scratch)), str(source), progress=progress)


def _diagnose_regions(path: str, regions: list[prefilter.Region], engine: Engine,
                      progress: Callable[[int], None]) -> list[Finding]:
    """Read only the regions of a large plain file where the markers are (see prefilter.marked_regions)."""
    repeats = Repeats(engine)
    with logs.open_regular(path) as handle:  # marked_regions found it regular; it is opened the same guarded way
        if logs.looks_binary(handle.read(8192)):
            raise BadInput(f"{path}: binary data, not a text log")
        for region in regions:
            handle.seek(region.offset)
            number = region.first
            for chunk in logs.chunks(handle, path):
                progress(len(chunk) + 1)
                lines = chunk.count(b"\n") + 1
                if number + lines - 1 > region.last:
                    chunk, lines = _first_lines(chunk, region.last + 1 - number), region.last + 1 - number
                repeats.feed(None, number, chunk)
                number += lines
                if number > region.last:
                    break
            engine.gap()
    return engine.findings()


def _first_lines(chunk: bytes, count: int) -> bytes:
    end = -1
    for _ in range(count):
        end = chunk.find(b"\n", end + 1)
    return chunk[:end]
