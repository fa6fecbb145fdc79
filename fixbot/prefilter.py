"""Where in a large plain log file the few lines worth reading are, found by grep at memory speed: the rest is counted, not read."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from fixbot.errors import BadInput
from fixbot.logs import HINT, MAX_LINE, open_regular


PREFILTER_MIN = 4 << 20  # below this, reading the file ourselves costs about what starting grep does
_MAX_MATCHES = 100_000  # a log where markers are everywhere is streamed whole instead
_SPAN = 400  # lines read after each marker: a whole traceback, its chained causes and Gunicorn's last words
_BACK = 32 << 10  # bytes read before each marker: the frames of a traceback pasted without its header
# grep holds a whole line in memory (twice, while matching): one 50 MB line would cost it 100 MB. Capped here,
# grep runs out ("memory exhausted", status 2) and the file is streamed instead, in bounded memory.
_GREP_MEMORY = 64 << 20


def _limit_grep_memory() -> None:  # runs in the child between fork and exec
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (_GREP_MEMORY, _GREP_MEMORY))
    except (ImportError, ValueError, OSError):
        pass


@dataclass(frozen=True)
class Region:
    """Lines first..last of a plain file, starting at byte `offset`: the only part of it worth reading."""

    first: int
    last: int
    offset: int


def marked_regions(path: str, markers: tuple[bytes, ...]) -> list[Region] | None:
    """Where in a large plain log file the markers are, found by grep; None when the file should be streamed.

    grep finds one fixed string at memory speed, which Python cannot (see benchmarks/diagnose.py); one grep
    per marker, run side by side, beats one grep for all of them. Only the user's path and fixbot's own
    markers reach grep, after `--`; nothing read from the log does."""
    grep = shutil.which("grep")
    if path == "-" or grep is None:
        return None
    try:
        with open_regular(path, HINT) as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(4)
    except BadInput:  # open_sources says what is wrong with it
        return None
    if size < PREFILTER_MIN or head[:2] == b"\x1f\x8b" or head == b"PK\x03\x04":
        return None
    limit = min(_MAX_MATCHES, size // _BACK)  # more markers than _BACK windows (a crash loop): regions cover all
    env = {**os.environ, "LC_ALL": "C"}
    runs = []
    try:
        for marker in markers:
            out = tempfile.TemporaryFile()
            command = [grep, "-a", "-b", "-n", "-o", "-F", "-m", str(limit + 1), "-e", marker.decode(), "--", path]
            proc = subprocess.Popen(
                command, stdout=out, stderr=subprocess.DEVNULL, env=env, preexec_fn=_limit_grep_memory
            )
            runs.append((proc, out))
        matches: set[tuple[int, int]] = set()
        for proc, out in runs:
            if proc.wait() not in (0, 1):
                return None
            out.seek(0)
            for raw in out:
                number, offset, _ = raw.split(b":", 2)
                matches.add((int(number), int(offset)))
            if len(matches) > limit:
                return None
    finally:
        for proc, out in runs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
    regions: list[Region] = []
    with open(path, "rb") as handle:
        for number, offset in sorted(matches):
            if regions and number <= regions[-1].last + 1:  # inside the region before: no need to look back
                regions[-1] = Region(regions[-1].first, number + _SPAN, regions[-1].offset)
                continue
            start, back = _lines_before(handle, _line_start(handle, offset))
            first = number - back
            if regions and first <= regions[-1].last + 1:
                regions[-1] = Region(regions[-1].first, number + _SPAN, regions[-1].offset)
            else:
                regions.append(Region(first, number + _SPAN, start))
    return regions


def _lines_before(handle: BinaryIO, line_start: int) -> tuple[int, int]:
    """(offset, count): where the whole lines of the _BACK bytes before `line_start` begin, and how many there are.

    A region starts there and not at its marker: a traceback pasted without its `Traceback` header has its
    frames above the first line that says `Error`. The newlines are counted, so line numbers stay exact."""
    back = max(0, line_start - _BACK)
    handle.seek(back)
    before = handle.read(line_start - back)
    cut = 0
    if back > 0:  # the window starts mid-line: begin at the first whole line in it (none: look no further)
        newline = before.find(b"\n")
        cut = len(before) if newline < 0 else newline + 1
    return back + cut, before.count(b"\n", cut)


def _line_start(handle: BinaryIO, offset: int) -> int:
    """The offset of the start of the line holding byte `offset` (lines are cut at MAX_LINE anyway)."""
    back = max(0, offset - MAX_LINE)
    handle.seek(back)
    before = handle.read(offset - back)
    return back + before.rfind(b"\n") + 1
