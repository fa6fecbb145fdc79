"""Feed a log's raw lines to the engine a block at a time: a block read before is replayed, not read again.

A crash-looping program writes the same traceback thousands of times. What a block of lines does to the engine
depends only on the block's bytes and on the traceback reader's state where it starts (its only memory of the
lines before), line numbers counted from the block's first line. So the first time a block is read in a state,
what it did is kept: the findings it counted (evidence lines relative to the block), the context facts it saw, the
state it left. Each later time the same bytes come in the same state they are replayed in a few steps, with the
result reading them would give: the same findings, the first occurrence's evidence, one more in each count.

Blocks begin at each line holding a traceback's header, so a log repeated whole is replayed a traceback at a time.
A block not met before is cut again after its frames (its indented lines), so a traceback is still replayed when
the lines after it differ (timestamps, pids); lines that never repeat cost one look-up per block, not per line.
"""

from __future__ import annotations

import re
from typing import Iterator

from fixbot import logs

_HEADER = b"Traceback (most recent call last):"
# The end of a traceback's frames: an indented line, then one that is not.
_FRAMES_END = re.compile(rb"(?m)^[ \t][^\n]*(?=\n[^ \t])")
# What is remembered; past either bound it is forgotten and learnt again, so a log whose blocks never repeat
# keeps memory flat.
MAX_BYTES = 8 << 20
MAX_BLOCKS = 1 << 14
MAX_RUN = 64 << 10  # the longest run of blocks replayed in one step


class _Read:
    """What reading a block did: its line count, the findings it counted ((key, signature, facts, evidence), evidence
    lines relative to the block's first), the context facts it saw, the state it left (its id and snapshot)."""

    __slots__ = ("data", "lines", "adds", "seen", "after", "snapshot", "next", "run")

    def __init__(self, data: bytes, lines: int, adds: tuple, seen: dict | None, after: int, snapshot: tuple | None):
        self.data, self.lines, self.adds, self.seen, self.after, self.snapshot = data, lines, adds, seen, after, snapshot
        self.next: _Read | None = None  # the block that came after it last time: the likeliest to come again
        self.run: _Read | None = None  # the blocks that came after it, up to MAX_RUN bytes, as one


class Repeats:
    """Reads blocks of raw lines into an engine (fixbot.diagnose.Engine), replaying those it has read before."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._forget()

    def _forget(self) -> None:
        self._read: dict[tuple[int, bytes], _Read] = {}
        self._ids: dict[tuple | None, int] = {None: 0}  # reader states (snapshots) by id; 0 is between tracebacks
        self._bytes = 0

    def feed(self, source: str | None, first: int, data: bytes) -> int:
        """Lines `first`, `first + 1`, ... of `source`: whole raw lines joined by b"\\n", as logs.chunks gives them.
        Returns how many lines that was."""
        engine = self.engine
        engine.begin(source)
        if self._bytes > MAX_BYTES or len(self._read) > MAX_BLOCKS or len(self._ids) > MAX_BLOCKS:
            self._forget()
        state, number, at, end = self._id(engine.state(first)), first, 0, len(data)
        last = head = None  # what was replayed last (a block or a run); the block the run growing from it begins with
        while at <= end:
            stop = _block_end(data, at)
            read = last.next if last is not None else None
            if read is not None and len(read.data) == stop - at and data.startswith(read.data, at):
                # What came after `last` before comes again (a crash loop): the run `last` ends grows by a block.
                if head is not None and (head.run is last or last is head and head.run is None) and stop < end \
                        and len(last.data) + len(read.data) < MAX_RUN:
                    self._replay(read, number)
                    done, last = read, self._grow(head, last, read)
                else:
                    head, done = read, _longest(read, data, at)
                    self._replay(done, number)
                    last = done
            else:
                block = data[at:stop]
                read = self._read.get((state, block))
                if read is None:
                    head = None
                    done = read = self._pieces(source, block, state, number)
                else:
                    head, done = read, _longest(read, data, at)
                    self._replay(done, number)
                if last is not None:
                    last.next = read
                last = done
            at, number, state = at + len(done.data) + 1, number + done.lines, done.after
        return number - first

    def _pieces(self, source: str | None, block: bytes, state: int, first: int) -> _Read:
        """A block not read before in this state, piece by piece: pieces read before are replayed."""
        parts, number, start = [], first, state
        for piece in _pieces(block):
            read = self._read.get((state, piece))
            if read is None:
                read = self._lines(source, piece, state, number)
            else:
                self._replay(read, number)
            parts.append((number - first, read))
            state, number = read.after, number + read.lines
        if len(parts) == 1:
            return parts[0][1]
        seen: dict = {}
        for _, read in parts:
            seen.update(read.seen or {})
        adds = tuple((key, sig, facts, tuple((offset + n, text) for n, text in evidence))
                     for offset, read in parts for key, sig, facts, evidence in read.adds)
        return self._keep(start, _Read(block, number - first, adds, seen or None, state, parts[-1][1].snapshot))

    def _lines(self, source: str | None, piece: bytes, state: int, first: int) -> _Read:
        engine = self.engine
        engine.recorded = adds, seen = [], {}
        number = first
        try:
            for raw in piece.split(b"\n"):
                engine.feed(source, number, logs.normalise(raw))
                number += 1
        finally:
            engine.recorded = None
        snapshot = engine.state(number)
        relative = tuple((key, sig, facts, tuple((n - first, text) for n, text in evidence))
                         for key, sig, facts, evidence in adds)
        return self._keep(state, _Read(piece, number - first, relative, seen or None, self._id(snapshot), snapshot))

    def _replay(self, read: _Read, first: int) -> None:
        self.engine.replay(read.adds, read.seen, first, read.snapshot, first + read.lines)

    def _grow(self, head: _Read, run: _Read, read: _Read) -> _Read:
        """`head`'s run (or `head` itself) and the block `read` after it, as one run: replayed in one step next time."""
        adds = run.adds + tuple((key, sig, facts, tuple((run.lines + n, text) for n, text in evidence))
                                for key, sig, facts, evidence in read.adds)
        seen = {**run.seen, **read.seen} if run.seen and read.seen else run.seen or read.seen
        head.run = _Read(run.data + b"\n" + read.data, run.lines + read.lines, adds, seen, read.after, read.snapshot)
        head.run.next = read.next
        self._bytes += len(head.run.data)
        return head.run

    def _keep(self, state: int, read: _Read) -> _Read:
        self._read[(state, read.data)] = read
        self._bytes += len(read.data)
        return read

    def _id(self, snapshot: tuple | None) -> int:
        return self._ids.setdefault(snapshot, len(self._ids))


def _longest(read: _Read, data: bytes, at: int) -> _Read:
    """`read`'s run if it comes again whole at `at`, ending where its last block did; else `read`."""
    run = read.run
    if run is not None and data.startswith(run.data, at):
        after = at + len(run.data)
        header = data.find(_HEADER, after)
        if header >= 0 and data.rfind(b"\n", after, header) == after:
            return run
    return read


def _block_end(data: bytes, at: int) -> int:
    """Where the block of `data` that begins at `at` ends: before the next line holding a traceback's header."""
    header = data.find(_HEADER, at)
    while header >= 0:
        newline = data.rfind(b"\n", at, header)
        if newline >= 0:
            return newline
        header = data.find(_HEADER, header + len(_HEADER))  # on the block's own first line
    return len(data)


def _pieces(block: bytes) -> Iterator[bytes]:
    """`block` cut after each run of indented lines (a traceback's frames): a traceback, then the lines after it."""
    start = 0
    for match in _FRAMES_END.finditer(block):
        yield block[start : match.end()]
        start = match.end() + 1
    yield block[start:]
