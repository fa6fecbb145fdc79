"""A progress line on a terminal while a long read goes on (bytes read, rate), cleared when it ends."""

from __future__ import annotations

import threading
import time
from typing import TextIO

AFTER = 2.0  # seconds before the line shows: most logs are read before anyone wonders
EVERY = 0.25


class Progress:
    """Counts the bytes read (`add`); inside its `with` block a thread redraws one line on `stream` every EVERY
    seconds from AFTER seconds on, if the line is `wanted` and `stream` is a terminal (else no thread starts).
    Leaving the block wipes the line, so what is printed next (the findings, an error) starts on a clean one."""

    def __init__(self, stream: TextIO, wanted: bool = True) -> None:
        self.done = 0
        self._stream = stream
        self._drawn = 0  # length of the line on screen
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        try:
            self._shown = wanted and stream.isatty()
        except (AttributeError, ValueError, OSError):  # closed or replaced by something that is no file
            self._shown = False

    def add(self, count: int) -> None:
        self.done += count

    def __enter__(self) -> Progress:
        if self._shown:
            self._start = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="fixbot-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def _run(self) -> None:
        if self._stop.wait(AFTER):
            return
        while self._shown:
            seconds = time.monotonic() - self._start
            line = f"fixbot: reading the log: {_size(self.done)} ({_size(self.done / seconds)}/s)"
            self._write("\r" + line.ljust(self._drawn))
            self._drawn = max(self._drawn, len(line))
            if self._stop.wait(EVERY):
                return

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the read goes on without its line
            self._shown = False


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1000:  # 1000 KiB and up is shown in MiB: never "1024.0 KiB"
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
