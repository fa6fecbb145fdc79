"""Bound what a source fetches in time and bytes, whatever client it uses underneath.

A source's generator runs in a daemon thread and hands its blocks over a small queue; the reader here waits for
each block only until the fetch's deadline. So a stream that never ends (an SSE stream sending keep-alives, a
plain one sending a line a second) is cut at the bound whatever the HTTP client's own timeouts do: those reset
with every byte that arrives. A fetch cut after some of the log arrived keeps what arrived, and says so in one
note; one that gave nothing in time is a SourceError.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from typing import BinaryIO, Callable, Iterator, TypeVar

from dataclasses import dataclass

from fixbot.errors import SourceError

T = TypeVar("T")
DEFAULT_TIMEOUT = 20.0
DEFAULT_MAX_BYTES = 64 << 20


@dataclass(frozen=True)
class Bounds:
    """How much one fetch may take: seconds from its first request, and bytes of log."""

    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES


def seconds(value: float) -> str:
    return f"{value:g} s"


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def pull(produce: Callable[[], Iterator[bytes]], bounds: Bounds, what: str, notes: list[str]) -> Iterator[bytes]:
    """The blocks `produce()` yields, until it ends, `bounds.timeout` has passed or `bounds.max_bytes` arrived."""
    handoff: queue.Queue = queue.Queue(maxsize=64)
    stop = threading.Event()

    def offer(item: tuple) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for block in produce():
                if block and not offer(("data", block)):
                    return
            offer(("end", None))
        except BaseException as err:  # handed to the reader, which raises it in the main thread
            offer(("error", err))

    deadline = time.monotonic() + bounds.timeout
    threading.Thread(target=work, name=f"fixbot-source {what}", daemon=True).start()
    size = 0
    try:
        while True:
            try:
                kind, value = handoff.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                if not size:
                    raise SourceError(f"{what}: no log arrived within {seconds(bounds.timeout)} (--timeout waits"
                                      " longer)") from None
                notes.append(f"warning: {what}: the log was still coming after {seconds(bounds.timeout)}: cut there;"
                             f" diagnosing the {_size(size)} that arrived")
                return
            if kind == "end":
                return
            if kind == "error":
                raise value
            if size + len(value) > bounds.max_bytes:
                yield value[: bounds.max_bytes - size]
                notes.append(f"warning: {what}: the log runs past {_size(bounds.max_bytes)}: cut there; diagnosing"
                             " what arrived")
                return
            size += len(value)
            yield value
    finally:
        stop.set()


class _Pulled(io.RawIOBase):
    """An iterator of byte blocks as a raw stream; buffered, its reads are whole, as a file's are (the diagnosis
    judges a chunk by the markers in it: a chunk of one event-stream line would break a traceback apart)."""

    def __init__(self, blocks: Iterator[bytes]):
        self._blocks, self._left = iter(blocks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self._left:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._left = block
        n = min(len(buffer), len(self._left))
        buffer[:n], self._left = self._left[:n], self._left[n:]
        return n


def stream(blocks: Iterator[bytes], what: str) -> BinaryIO:
    """Blocks of any size as the stream `fixbot/logs.py` reads a file's lines from."""
    from fixbot import logs

    return logs.guarded(io.BufferedReader(_Pulled(blocks), logs.CHUNK), what)  # type: ignore[arg-type]


def within(call: Callable[[], T], bounds: Bounds, what: str) -> T:
    """`call()`'s result, or SourceError when it takes longer than `bounds.timeout` (one poll of a platform)."""
    box: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as err:
            box["error"] = err
        done.set()

    threading.Thread(target=work, name=f"fixbot-poll {what}", daemon=True).start()
    if not done.wait(bounds.timeout):
        raise SourceError(f"{what}: no answer within {seconds(bounds.timeout)} (--timeout waits longer)")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
