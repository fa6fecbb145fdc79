"""Open a log source and stream its lines, normalised, in bounded memory.

Sources: a path, `-` (stdin), a `.gz`, a `.zip` of a GitHub Actions run's logs, or a log source's stream
(`fixbot/sources/`, `guarded`), read as a file is. Lines come out with ANSI colours, GitHub's timestamp prefix,
`##[group]`-style markers and CR removed, decoded as UTF-8 with replacement, and cut at `MAX_LINE` characters so one
endless line cannot exhaust memory. A source that would never end is refused: a path that is not a regular file (a
FIFO, /dev/zero), binary data (judged on the first block read, before any newline), and a line that runs past
`MAX_RAW_LINE` with no newline.

Most of a large log is noise; `interesting_chunks` lets the diagnosis skip whole chunks that cannot hold a
failure without decoding them line by line (see `fixbot/diagnose.py`).
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import sys
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from fixbot.errors import BadInput

CHUNK = 1 << 20
MAX_LINE = 64 * 1024
# The longest line read (its first MAX_LINE bytes are kept) before the source is refused: no log writes one this long,
# and endless input without a newline (`yes | tr -d '\n'`) must end: it does, after ~0.5 s of reading a pipe.
MAX_RAW_LINE = 64 << 20
# Compressed logs are inflated as they are read, so memory stays flat whatever they hold; these caps bound the
# time a zip bomb can take. Real logs compress 5-50x (crash loops without timestamps up to a few hundred);
# deflate cannot go past ~1030x. Past RATIO_FLOOR of output, more than MAX_RATIO times the compressed input
# is refused, and so is more than MAX_INFLATED in all (about 10 s of reading).
MAX_RATIO = 200
RATIO_FLOOR = 64 << 20
MAX_INFLATED = 2 << 30

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_GITHUB_TIMESTAMP = re.compile(r"^\ufeff?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
_GITHUB_MARKER = re.compile(r"^##\[(?:group|endgroup|error|warning|notice|debug|command|section)\]")


@dataclass(frozen=True)
class Line:
    """One normalised line: where it came from (a zip member, or None) and its 1-based number there."""

    source: str | None
    number: int
    text: str


def normalise(raw: bytes) -> str:
    """Bytes of one line (without its newline) to the text a person would read."""
    text = raw.decode("utf-8", "replace").rstrip("\r")
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\r" in text:  # progress bars redraw with CR: the last redraw is what was left on screen
        text = text.rsplit("\r", 1)[-1]
    if text[:1].isdigit() or text[:1] == "\ufeff":
        text = _GITHUB_TIMESTAMP.sub("", text, count=1)
    if text.startswith("##["):
        text = _GITHUB_MARKER.sub("", text, count=1)
    return text


def raw_lines(stream: BinaryIO, what: str = "the log") -> Iterator[bytes]:
    """Lines of a binary stream without their newline, each cut to MAX_LINE bytes, in bounded memory."""
    for chunk in chunks(stream, what):
        yield from chunk.split(b"\n")


def chunks(stream: BinaryIO, what: str = "the log") -> Iterator[bytes]:
    """Pieces of about CHUNK bytes that end at line boundaries, no line in them longer than MAX_LINE.

    Joining the pieces with b"\\n" gives the stream back (with over-long lines cut). BadInput, naming `what`,
    when a line runs past MAX_RAW_LINE."""
    # glibc maps each chunk afresh and faults all its pages in (a third of the time here); freeing a larger block
    # first raises its dynamic mmap threshold, so chunks reuse the pages of its heap.
    bytes(4 * CHUNK)
    carry = b""
    skipped = -1  # bytes of an over-long line whose head has already been kept; -1 outside one
    while True:
        block = stream.read(CHUNK)
        if not block:
            break
        if skipped >= 0:
            cut = block.find(b"\n")
            skipped += len(block) if cut < 0 else cut
            if skipped > MAX_RAW_LINE:
                raise BadInput(f"{what}: a line runs past {_size(MAX_RAW_LINE)} with no newline: not a text log")
            if cut < 0:
                continue
            block, skipped = block[cut:], -1  # keep the newline that ends the over-long line
        end = block.rfind(b"\n")
        if end < 0:
            data = carry + block
            if len(data) > MAX_LINE:
                carry, skipped = data[:MAX_LINE], len(data)
            else:
                carry = data
            continue
        body, carry = b"".join((carry, memoryview(block)[:end])), block[end + 1 :]
        if len(carry) > MAX_LINE:
            carry, skipped = carry[:MAX_LINE], len(carry)
        if len(body) > CHUNK + MAX_LINE or _has_long_line(body):
            body = b"\n".join(part[:MAX_LINE] for part in body.split(b"\n"))
        yield body
    if carry:
        yield carry


def _has_long_line(body: bytes) -> bool:
    """Whether some line of `body` is longer than MAX_LINE, in about len(body) / MAX_LINE steps."""
    start = 0
    while len(body) - start > MAX_LINE:
        last = body.rfind(b"\n", start, start + MAX_LINE + 1)
        if last < 0:
            return True
        start = last + 1
    return False


def open_sources(path: str) -> Iterator[tuple[str | None, BinaryIO]]:
    """The binary streams a log source is made of: one for a file, `-` or `.gz`; one per text file of a zip.

    Each stream refuses binary data on its first read (BadInput)."""
    if path == "-":
        stdin = sys.stdin.buffer
        # On a terminal, Ctrl-D ends one read and not the stream: a buffered read() would swallow it and wait for
        # a second one. One read of the terminal at a time sees it.
        yield None, _Wrapped(stdin, "stdin", one_read=stdin.isatty())
        return
    with open_regular(path, HINT) as handle:
        head = handle.read(4)
        handle.seek(0)
        if head[:2] == b"\x1f\x8b":
            yield None, _GzipStream(handle, path)
        elif head == b"PK\x03\x04" or path.endswith(".zip"):
            yield from _zip_members(handle, path)
        else:
            yield None, _Wrapped(handle, path)


HINT = "; save the log to a file, or pipe it to `-`"
# Kernel files look regular but are made as they are read: /proc/kmsg blocks until the kernel logs something.
_KERNEL_FILES = ("/proc/", "/sys/")


def open_regular(path: str, hint: str = "") -> BinaryIO:
    """`path` opened for reading, if it is a regular file: a FIFO would block the open until a writer comes,
    and a device (/dev/zero), a FIFO or a kernel file may never end. The type is checked before opening, so
    that opening has no effect on a device, and again on the open file, which O_NONBLOCK keeps from waiting
    for a writer if the path was swapped for a FIFO in between. `hint` ends the refusal's message."""
    if os.path.realpath(path).startswith(_KERNEL_FILES):
        raise BadInput(f"{path}: a kernel file, not a regular file (it may never end){hint}")
    try:
        kind = os.stat(path).st_mode
        if stat.S_ISREG(kind):
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            kind = os.fstat(fd).st_mode
            if not stat.S_ISREG(kind):
                os.close(fd)
        else:
            fd = -1
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except OSError as err:
        raise BadInput(f"{path}: cannot read: {err.strerror}") from None
    if stat.S_ISDIR(kind):
        raise BadInput(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(kind):
        raise BadInput(f"{path}: not a regular file (a FIFO, socket or device may never end){hint}")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _zip_members(handle: BinaryIO, path: str) -> Iterator[tuple[str, BinaryIO]]:
    try:
        archive = zipfile.ZipFile(handle)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise BadInput(f"{path}: not a readable zip archive ({err})") from None
    # A GitHub run's archive holds each job's whole log at the top level and the same lines again split per
    # step in a folder per job: read the whole logs when they are there, so nothing is read twice.
    top = [m for m in members if "/" not in m.filename.strip("/")]
    chosen = sorted(top or members, key=lambda m: m.filename)
    # zipfile never inflates a member past the size its directory declares, so checking the declared sizes
    # bounds what is read before any of it is.
    for member in chosen:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise BadInput(
                f"{path}: {member.filename}: inflates {_size(member.compress_size)} to {_size(member.file_size)}"
                f" (over {MAX_RATIO}x): refusing a likely zip bomb; extract the log yourself and pass the plain file"
            )
    total = sum(m.file_size for m in chosen)
    if total > MAX_INFLATED:
        raise BadInput(
            f"{path}: its logs inflate to {_size(total)}, more than the {_size(MAX_INFLATED)} fixbot reads from an"
            " archive; extract the failing job's log and pass it as a plain file"
        )
    with archive:
        for member in chosen:
            try:
                with archive.open(member) as stream:
                    yield member.filename, _ZipStream(stream, path, member.filename)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as err:
                raise BadInput(f"{path}: {member.filename}: cannot extract ({err})") from None


class _Wrapped:
    """A binary stream whose read errors (a truncated archive) become one-line BadInput errors, and whose
    first block is refused if it is binary: /dev/zero on stdin has no newline to wait for."""

    def __init__(self, stream: BinaryIO, what: str, *, one_read: bool = False):
        self._stream, self._what, self._first = stream, what, True
        self._read = stream.read1 if one_read else stream.read

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._read(size)
        except (EOFError, OSError, zipfile.BadZipFile, gzip.BadGzipFile, ValueError) as err:
            raise BadInput(f"{self._what}: truncated or corrupt ({err})") from None
        if self._first:
            self._first = False
            if looks_binary(data[:8192]):
                raise BadInput(f"{self._what}: binary data, not a text log")
        return data


class _GzipStream(_Wrapped):
    """A .gz inflated as it is read; a gzip header declares no trustworthy size, so the output is counted."""

    def __init__(self, handle: BinaryIO, path: str):
        super().__init__(gzip.GzipFile(fileobj=handle, mode="rb"), path)
        self._handle, self._path, self._out = handle, path, 0

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        self._out += len(data)
        if self._out > RATIO_FLOOR:
            consumed = max(self._handle.tell(), 1)
            if self._out > MAX_RATIO * consumed:
                raise BadInput(
                    f"{self._path}: inflates {_size(consumed)} to over {_size(self._out)} (over {MAX_RATIO}x):"
                    " refusing a likely gzip bomb; decompress it yourself and pass the plain file"
                )
            if self._out > MAX_INFLATED:
                raise BadInput(
                    f"{self._path}: inflates to more than the {_size(MAX_INFLATED)} fixbot reads from a .gz;"
                    " decompress it yourself and pass the plain file"
                )
        return data


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


class _ZipStream(_Wrapped):
    def __init__(self, stream: BinaryIO, path: str, member: str):
        super().__init__(stream, f"{path}: {member}")


guarded = _Wrapped  # a log source's stream: refused when binary, its read errors one line, as a file's are


def where(path: str, source: str | None) -> str:
    """How messages name a stream of `open_sources(path)`."""
    return f"{path}: {source}" if source else "stdin" if path == "-" else path


def read_lines(path: str) -> Iterator[Line]:
    """Every normalised line of a log source, numbered as in the original."""
    for source, stream in open_sources(path):
        number = 0
        for raw in raw_lines(stream, where(path, source)):
            number += 1
            yield Line(source, number, normalise(raw))


def looks_binary(sample: bytes) -> bool:
    """True for data no log is made of: NUL bytes, or mostly control characters."""
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls * 10 > len(sample)
