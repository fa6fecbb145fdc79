"""Turn the lines of a failing log into Findings: what failed, its root cause, its evidence, and its fix.

Python tracebacks are read whole, chained causes included ("The above exception was the direct cause of the
following exception:"), so a finding knows the root cause and not just the last line. The signatures are
data, in each room's `fixes/<kind>/signatures.yml`. This module must stay light: `fixbot diagnose` imports
no libcst, git or GitHub, and no room's code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fixbot import logs
from fixbot.errors import BadInput, FixbotError
from fixbot.model import Evidence, Finding

SIGNATURES = Path(__file__).with_name("signatures.yml")


class EmptyLog(FixbotError):
    """The log has no lines: nothing to diagnose, so nothing fixable."""

    exit_code = 1


# --- Python exceptions, as tracebacks print them ---------------------------------------------------------

_TRACEBACK = re.compile(r"Traceback \(most recent call last\):?\s*$")
_FRAME = re.compile(r'^(?P<indent>\s*)File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.+?))?\s*$')
_EXCEPTION = re.compile(r"^(?P<indent>\s*)(?P<type>(?:[A-Za-z_]\w*\.)*(?P<short>[A-Z]\w*))(?:: ?(?P<message>.*))?$")
_EXCEPTION_WORD = re.compile(
    r"(?:Error|Exception|Exit|Interrupt|Warning|Configured|NotReady|DoesNotExist|Iteration|Operation|Failure|Fault)$"
)
_CHAIN = re.compile(
    r"^\s*(?:The above exception was the direct cause of the following exception"
    r"|During handling of the above exception, another exception occurred):?\s*$"
)
_ERRNO = re.compile(r"^\[Errno (?P<errno>\d+)\] (?P<reason>[^:]+?)(?:: (?P<quoted>.+))?$")
_QUOTED_TAIL = re.compile(r""":\s*(?P<q>u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s*$""")
# Frames of the interpreter, installed packages and their console scripts (`.venv/bin/gunicorn`).
_CUT_QUOTE = re.compile(r""":\s*u?['"](?P<rest>[^'"]+)$""")
_LIBRARY_FRAME = re.compile(
    r"site-packages|dist-packages|[/\\]lib(?:64)?[/\\]python\d|[/\\]Lib[/\\]|^<frozen |^<string>|[/\\]bin[/\\][\w.-]+(?<!\.py)$"
)

_MAX_TRACEBACK_LINES = 400  # a traceback longer than this without its exception line is abandoned
_CHAIN_WINDOW = 3  # lines between an exception and "The above exception ..." (blank lines, Gunicorn's echo)


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str | None
    log_line: int
    text: str


@dataclass(frozen=True)
class PyException:
    type: str  # without its module
    message: str
    frames: tuple[Frame, ...]
    log_line: int
    text: str

    @property
    def line(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


class TracebackReader:
    """A line-at-a-time state machine that yields exception chains (root cause first) as they complete."""

    def __init__(self) -> None:
        self._frames: list[Frame] | None = None  # inside a traceback: its frames so far
        self._tb_lines = 0
        self._last_frame_indent: int | None = None
        self._chain: list[PyException] = []
        self._chain_open = False  # "The above exception ..." seen: the next traceback continues the chain
        self._since_exception = 0
        self._wrapped: tuple[int, str, re.Match[str], str] | None = None  # exception line cut mid-quote

    def feed(self, number: int, text: str) -> list[tuple[list[PyException], bool]]:
        done: list[tuple[list[PyException], bool]] = []
        if self._wrapped is not None:
            if self._continue_wrapped(number, text, done):
                return done
        if _TRACEBACK.search(text):
            self._start_traceback(done)
            return done
        frame = _FRAME.match(text)
        if frame:
            if self._frames is None:  # a pasted excerpt that lost its "Traceback" header
                self._start_traceback(done)
            self._frames.append(
                Frame(frame["file"], int(frame["line"]), frame["func"], number, text.strip())
            )
            self._last_frame_indent = len(frame["indent"])
            self._tb_lines = 0
            return done
        if self._frames is not None:
            self._tb_lines += 1
            exc = _EXCEPTION.match(text)
            after_frame = self._last_frame_indent is not None
            if exc and _is_exception(exc) and not (
                after_frame and len(exc["indent"]) > self._last_frame_indent
            ):
                self._exception(number, text, exc, done)
            elif self._tb_lines > _MAX_TRACEBACK_LINES:
                self._frames = None
            else:
                self._last_frame_indent = None if text.strip().strip("^~ ") == "" else self._last_frame_indent
            return done
        if self._chain:
            if _CHAIN.match(text):
                self._chain_open = True
                return done
            if text.strip() == "" or self._since_exception < _CHAIN_WINDOW and not _EXCEPTION.match(text):
                self._since_exception += 1
                if self._since_exception <= _CHAIN_WINDOW:
                    return done
            self.flush(done)
        exc = _EXCEPTION.match(text)
        if exc and exc["message"] is not None and _EXCEPTION_WORD.search(exc["short"]):
            # A lone exception line (a pasted excerpt without its traceback) may still be the cause of a chain.
            self._frames = []
            self._exception(number, text, exc, done)
        return done

    def flush(self, done: list[tuple[list[PyException], bool]] | None = None) -> list:
        done = [] if done is None else done
        if self._wrapped is not None:
            number, text, exc, _ = self._wrapped
            self._wrapped = None
            self._exception(number, text, exc, done, joined=True)
        if self._chain:
            done.append((self._chain, any(e.frames for e in self._chain)))
        self._chain, self._chain_open, self._frames = [], False, None
        return done

    def _start_traceback(self, done: list) -> None:
        if self._chain and not self._chain_open:
            self.flush(done)
        self._frames, self._tb_lines, self._last_frame_indent = [], 0, None

    def _exception(self, number: int, text: str, exc: re.Match[str], done: list, joined: bool = False) -> None:
        message = exc["message"] or ""
        if not joined and _unclosed_quote(message):
            self._wrapped = (number, text, exc, "")
            return
        self._chain.append(_make_exception(number, text, exc, tuple(self._frames or ())))
        self._frames, self._chain_open, self._since_exception = None, False, 0

    def _continue_wrapped(self, number: int, text: str, done: list) -> bool:
        """A pasted exception line broken inside its quoted path: join the next line if it closes the quote."""
        first, head, exc, _ = self._wrapped
        self._wrapped = None
        piece = text.strip()
        joined = head + piece
        match = _EXCEPTION.match(joined)
        if piece and " " not in piece and match and not _unclosed_quote(match["message"] or ""):
            self._exception(first, joined, match, done, joined=True)
            return True
        self._exception(first, head, exc, done, joined=True)
        return False


def _is_exception(exc: re.Match[str]) -> bool:
    # Custom exception classes may be named anything, but a dotted name or a conventional ending is needed
    # to tell them from the log lines that follow a traceback cut off before its last line.
    return bool(_EXCEPTION_WORD.search(exc["short"])) or "." in exc["type"]


def _unclosed_quote(message: str) -> bool:
    tail = message.rsplit(": ", 1)[-1]
    return tail[:1] in "'\"" and (len(tail) < 2 or tail[-1] != tail[0])


def _make_exception(number: int, text: str, exc: re.Match[str], frames: tuple[Frame, ...]) -> PyException:
    return PyException(exc["short"], (exc["message"] or "").strip(), frames, number, text.strip())


def _oserror_name(errno: int) -> str:
    return type(OSError(errno, "")).__name__


def _quoted_value(text: str) -> str | None:
    """The path in `...: '/x/y.log'` as Python meant it (repr escapes undone: Windows paths come out right)."""
    match = _QUOTED_TAIL.search(text)
    if not match:
        cut = _CUT_QUOTE.search(text)  # a pasted excerpt that lost the closing quote
        return cut["rest"] if cut else None
    literal = match["q"].lstrip("u")
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return literal[1:-1]
    return value if isinstance(value, str) else None


def _cause_facts(chain: list[PyException], detail: str | None) -> dict[str, Any]:
    """`error`, `cause` and `path` of the root cause: the first exception of a chain, else the message's detail."""
    if len(chain) > 1:
        root = chain[0]
        facts: dict[str, Any] = {"error": root.type, "cause": root.line}
        errno = _ERRNO.match(root.message)
        path = _quoted_value(root.message) if errno else None
        if path:
            facts["path"] = path
        return facts
    if detail:
        errno = _ERRNO.match(detail.strip())
        if errno:
            facts = {"error": _oserror_name(int(errno["errno"])), "cause": detail.strip()}
            path = _quoted_value(detail) if errno["quoted"] else None
            if path:
                facts["path"] = path
            return facts
        return {"cause": detail.strip()}
    return {}


# --- Signatures --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    kind: str
    summary: str
    key: tuple[str, ...]
    fixes: tuple[str, ...]
    fix_if_error: frozenset[str] | None
    fix_if_cause_unknown: bool
    subsumed: bool
    line: re.Pattern[str] | None = None
    exc_type: re.Pattern[str] | None = None
    exc_message: re.Pattern[str] | None = None
    exc_frames: re.Pattern[str] | None = None
    needs_traceback: bool = False

    def fixes_for(self, facts: dict[str, Any]) -> tuple[str, ...]:
        if self.fix_if_error is None:
            return self.fixes
        if facts.get("error") in self.fix_if_error:
            return self.fixes
        if self.fix_if_cause_unknown and "cause" not in facts:
            return self.fixes
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
    for entry in (entry for room in rooms for entry in room["signatures"]):
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
                line=re.compile(entry["line"]) if "line" in entry else None,
                exc_type=re.compile(exc["type"] + r"\Z") if exc else None,
                exc_message=re.compile(exc.get("message", "")) if exc else None,
                exc_frames=re.compile(exc["frames"]) if "frames" in exc else None,
                needs_traceback=bool(exc.get("traceback")),
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


def _is_project_frame(frame: Frame) -> bool:
    return not _LIBRARY_FRAME.search(frame.file)


class Engine:
    """Feeds lines through the traceback reader and the signatures; collects de-duplicated findings."""

    def __init__(self, cat: Catalogue | None = None) -> None:
        self.cat = cat or catalogue()
        self._line_signatures = [s for s in self.cat.signatures if s.line is not None]
        self._exc_signatures = [s for s in self.cat.signatures if s.exc_type is not None]
        self._reader = TracebackReader()
        self._source: str | None = None
        self._found: dict[tuple, Finding] = {}

    def feed(self, source: str | None, number: int, text: str) -> None:
        if source != self._source:
            self.gap()
            self._source = source
        for prefix in self.cat.prefixes:
            text = prefix.sub("", text, count=1)
        for chain, from_tb in self._reader.feed(number, text):
            self._exception_chain(chain, from_tb)
        for sig in self._line_signatures:
            match = sig.line.search(text)
            if match:
                facts = {k: v for k, v in match.groupdict().items() if v is not None}
                self._add(sig, facts, (Evidence(number, text, source),))
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
                frames = [f for e in chain for f in e.frames]
                if sig.exc_frames and not any(sig.exc_frames.search(f.file) for f in frames):
                    continue
                self._add(sig, self._exception_facts(chain, exc, match), self._exception_evidence(chain, exc))
                return

    def _exception_facts(self, chain: list[PyException], exc: PyException, match: re.Match[str]) -> dict[str, Any]:
        groups = match.groupdict()
        detail = groups.pop("detail", None)
        facts: dict[str, Any] = {k: v for k, v in groups.items() if v is not None}
        facts.setdefault("exception", exc.type)
        if chain[0] is not exc or detail:
            for name, value in _cause_facts(chain[: chain.index(exc) + 1], detail).items():
                facts.setdefault(name, value)
        elif "path" not in facts and _ERRNO.match(exc.message):
            facts.update({"error": exc.type, "cause": exc.line})
            path = _quoted_value(exc.message)
            if path:
                facts["path"] = path
        frames = [f for e in chain for f in e.frames if _is_project_frame(f)]
        if frames:
            facts["project_frames"] = [f"{f.file}:{f.line}" for f in dict.fromkeys(frames)]
        return facts

    def _exception_evidence(self, chain: list[PyException], exc: PyException) -> tuple[Evidence, ...]:
        picked: dict[int, str] = {}
        for e in chain[: chain.index(exc) + 1]:
            for f in e.frames:
                if _is_project_frame(f):
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
        subsumed = {s.kind for s in self.cat.signatures if s.subsumed}
        found = list(self._found.values())
        explained = [f for f in found if f.kind not in subsumed]
        return explained if explained else found


def diagnose_path(path: str) -> list[Finding]:
    """Findings of a log source (path, `-`, .gz, run .zip), streamed in bounded memory.

    Chunks with none of the signatures' markers are counted, not read: most of a large log is noise."""
    engine = Engine()
    markers = engine.cat.markers
    regions = logs.marked_regions(path, engine.cat.prefilter_markers)
    if regions is not None:
        return _diagnose_regions(path, regions, engine)
    read_anything = False
    for source, stream in logs.open_sources(path):  # each stream refuses binary data on its first read
        number, previous_interesting = 0, False
        for chunk in logs.chunks(stream, logs.where(path, source)):
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
        raise EmptyLog(f"{path}: the log is empty")
    return engine.findings()


def _diagnose_regions(path: str, regions: list[logs.Region], engine: Engine) -> list[Finding]:
    """Read only the regions of a large plain file where the markers are (see logs.marked_regions)."""
    with open(path, "rb") as handle:
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
