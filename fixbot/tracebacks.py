"""Read Python tracebacks out of log lines: exception chains, root cause first, with their frames and the cause's facts.

Tracebacks are read whole, chained causes included ("The above exception was the direct cause of the following
exception:"), so a finding knows the root cause and not just the last line; pasted excerpts that lost their
header or had a quoted path wrapped are read too. Pure and light: only `re`, `ast` and dataclasses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

_TRACEBACK = re.compile(r"Traceback \(most recent call last\):?\s*$")
_FRAME = re.compile(r'^(?P<indent>\s*)File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.+?))?\s*$')
# A class name, or a C module's lower-case `error` (`_dbm.error`, `_gdbm.error`, `socket.error`: dbm's is what
# Celery beat dies on when its schedule file cannot be written).
_EXCEPTION = re.compile(
    r"^(?P<indent>\s*)(?P<type>(?:[A-Za-z_]\w*\.)*(?P<short>[A-Z]\w*)|(?:[A-Za-z_]\w*\.)+(?P<lower>error))"
    r"(?:: ?(?P<message>.*))?$")
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
# The same quoted path with words after it on its line (a collector appending fields, a paste that ran on).
_QUOTED_THEN_WORDS = re.compile(r""":\s*(?P<q>u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s+\S""")
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
        self._kept: dict[str, tuple] = {}  # see _plain

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
            exc = _EXCEPTION.match(text)
            if exc and exc["message"] is not None and self._continues(exc):
                # The ValueError a pasted cause led to, pasted apart from it: one chain, as printed.
                self._frames = []
                self._exception(number, text, exc, done)
                return done
            if text.strip() == "" or self._since_exception < _CHAIN_WINDOW and not _EXCEPTION.match(text):
                self._since_exception += 1
                if self._since_exception <= _CHAIN_WINDOW:
                    return done
            self.flush(done)
        exc = _EXCEPTION.match(text)
        if exc and exc["message"] is not None and _EXCEPTION_WORD.search(exc["short"] or ""):
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

    def snapshot(self, base: int) -> tuple | None:
        """The reader's state with log line numbers counted from line `base`, None between tracebacks: two equal
        snapshots read the lines that follow them alike (fixbot/repeats.py replays a block read before).
        Fields the reader does not look at in its current state are left out, so more states compare equal.
        The frames and the chain are plain tuples counted from their first line, kept while they only grow:
        a snapshot taken at every line of a long traceback costs a few steps each."""
        if self._frames is None and not self._chain and self._wrapped is None:
            return None
        frames = chain = None
        if self._frames is not None:
            frames = self._plain("_frames", _plain_frame, base)
        if self._chain:
            chain = self._plain("_chain", _plain_exception, base)
        return (
            frames,
            (self._tb_lines, self._last_frame_indent) if frames is not None else None,
            chain,
            (self._chain_open, self._since_exception) if chain is not None else None,
            None if self._wrapped is None else (self._wrapped[0] - base, self._wrapped[1]),
        )

    def _plain(self, name: str, plain, base: int) -> tuple[tuple, int]:
        """The list `name` (frames or chain) as plain tuples counted from its first line, and where that line is
        from `base`; the tuples are kept with the list they were made from and only the new items are added."""
        items = getattr(self, name)
        if not items:
            return (), 0
        kept = self._kept.get(name)
        if kept is None or kept[0] is not items:
            kept = (items, (), items[0].log_line)
        anchor = kept[2]
        if len(kept[1]) < len(items):
            kept = (items, kept[1] + tuple(plain(item, anchor) for item in items[len(kept[1]) :]), anchor)
        self._kept[name] = kept
        return kept[1], base - anchor

    def restore(self, snapshot: tuple | None, base: int) -> None:
        """The state `snapshot(base)` was taken in, with line numbers counted from `base` again."""
        self.__init__()
        if snapshot is None:
            return
        frames, in_traceback, chain, in_chain, wrapped = snapshot
        if frames is not None:
            plain, offset = frames
            anchor = base - offset
            self._frames = [Frame(*f[:3], f[3] + anchor, f[4]) for f in plain]
            self._tb_lines, self._last_frame_indent = in_traceback
            self._kept["_frames"] = (self._frames, plain, anchor)
        if chain is not None:
            plain, offset = chain
            anchor = base - offset
            self._chain = [PyException(kind, message, tuple(Frame(*f[:3], f[3] + anchor, f[4]) for f in tb),
                                       line + anchor, text) for kind, message, tb, line, text in plain]
            self._chain_open, self._since_exception = in_chain
            self._kept["_chain"] = (self._chain, plain, anchor)
        if wrapped is not None:
            number, text = wrapped
            self._wrapped = (number + base, text, _EXCEPTION.match(text), "")

    def _continues(self, exc: re.Match[str]) -> bool:
        """A lone exception line that continues the chain: after "The above exception ...", or within a few lines
        of an OSError's line when it says what the OSError stopped ("Unable to configure handler ...")."""
        if not _EXCEPTION_WORD.search(exc["short"] or ""):
            return False
        if self._chain_open:
            return True
        return (self._since_exception < _CHAIN_WINDOW and exc["message"].startswith("Unable to configure")
                and _ERRNO.match(self._chain[-1].message) is not None)

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


def shape(chain: list[PyException], base: int) -> tuple:
    """An exception chain as plain tuples, log line numbers counted from line `base`: equal for two chains that
    differ only in where the log has them (the same traceback printed by every worker)."""
    return tuple(_plain_exception(e, base) for e in chain)


def _plain_frame(f: Frame, base: int) -> tuple:
    return (f.file, f.line, f.function, f.log_line - base, f.text)


def _plain_exception(e: PyException, base: int) -> tuple:
    return (e.type, e.message, tuple(_plain_frame(f, base) for f in e.frames), e.log_line - base, e.text)


def _is_exception(exc: re.Match[str]) -> bool:
    # Custom exception classes may be named anything, but a dotted name or a conventional ending is needed
    # to tell them from the log lines that follow a traceback cut off before its last line.
    return bool(_EXCEPTION_WORD.search(exc["short"] or "")) or "." in exc["type"]


def _unclosed_quote(message: str) -> bool:
    tail = message.rsplit(": ", 1)[-1]
    return tail[:1] in "'\"" and (len(tail) < 2 or tail[-1] != tail[0])


def _make_exception(number: int, text: str, exc: re.Match[str], frames: tuple[Frame, ...]) -> PyException:
    return PyException(exc["short"] or exc["lower"], (exc["message"] or "").strip(), frames, number, text.strip())


def errno_error(errno: int) -> str:
    """The OSError subclass Python raises for `errno` (13: PermissionError; 30: OSError)."""
    return type(OSError(errno, "")).__name__


def _quoted_value(text: str) -> str | None:
    """The path in `...: '/x/y.log'` as Python meant it (repr escapes undone: Windows paths come out right)."""
    match = _QUOTED_TAIL.search(text) or _QUOTED_THEN_WORDS.search(text)
    if not match:
        cut = _CUT_QUOTE.search(text)  # a pasted excerpt that lost the closing quote
        return cut["rest"] if cut else None
    literal = match["q"].lstrip("u")
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return literal[1:-1]
    return value if isinstance(value, str) else None


def cause_facts(chain: list[PyException], detail: str | None) -> dict[str, Any]:
    """`error`, `cause` and `path` of the root cause: the error that stopped the process, which is the last OSError
    of the chain (a `PermissionError` on '/.cache' raised while handling the `FileNotFoundError` on
    '/.cache/app' that pathlib's `mkdir(parents=True)` met first), else its first exception, else the message's
    detail."""
    if len(chain) > 1:
        last = next((facts for e in reversed(chain) if (facts := oserror_facts(e))), None)
        return last or {"error": chain[0].type, "cause": chain[0].line}
    if detail:
        errno = _ERRNO.match(detail.strip())
        if errno:
            facts = {"error": errno_error(int(errno["errno"])), "cause": detail.strip()}
            path = _quoted_value(detail) if errno["quoted"] else None
            if path:
                facts["path"] = path
            return facts
        return {"cause": detail.strip()}
    return {}


def oserror_facts(exc: PyException) -> dict[str, Any] | None:
    """`error`, `cause` and `path` of an exception whose message is an OSError's (`[Errno 2] ...: '/x'`); else None."""
    if not _ERRNO.match(exc.message):
        return None
    facts: dict[str, Any] = {"error": exc.type, "cause": exc.line}
    path = _quoted_value(exc.message)
    if path:
        facts["path"] = path
    return facts


def is_project_frame(frame: Frame) -> bool:
    """Not a frame of the interpreter, an installed package or its console script."""
    return not _LIBRARY_FRAME.search(frame.file)

