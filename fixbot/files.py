"""Run a codemod on a file on disk: read bytes exactly, write atomically (temp file + rename, mode kept).

Text is decoded as the program that reads the file does, and encoded back the same way, so that every byte
outside an edit stays as it was: Python source as Python decodes it (PEP 263: a UTF-8 BOM, or a coding
cookie in the first two lines), everything else as UTF-8, a BOM kept out of the text and written back.
`context` reads what a codemod takes from a file's surroundings (Codemod.CONTEXT), as `fixbot apply`'s rooms pass it.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import io
import os
import signal
import tempfile
import tokenize
from dataclasses import dataclass
from fnmatch import fnmatch

from fixbot.errors import BadInput, FixbotError

# The largest file fixbot parses and rewrites. Real settings modules, scripts and Dockerfiles are a few KiB
# (the largest seen are ~100 KiB); libcst needs ~400 bytes of memory and ~4 s per MB of source, so a generated
# multi-megabyte "settings" file would cost seconds and gigabytes. Past this size fixbot refuses, in one line.
MAX_SOURCE = 512 << 10


def too_large(path: str, size: int) -> BadInput | None:
    """The refusal for a file of `size` bytes, or None when fixbot can parse it."""
    if size <= MAX_SOURCE:
        return None
    return BadInput(
        f"{path}: is {size / (1 << 20):.1f} MiB; fixbot parses files up to {MAX_SOURCE >> 10} KiB"
        " (a file this large is generated: fix its logging by hand)"
    )


class Refused(FixbotError):
    """A codemod declined to rewrite a file; the message says which and why."""


@dataclass(frozen=True)
class Rewrite:
    path: str
    before: str
    after: str
    encoding: str = "utf-8"
    skipped: str = ""  # why the codemod had nothing to do in this file (codemods.NothingToDo)
    notes: tuple[str, ...] = ()  # what the reviewer must hear besides the change (Codemod.notes)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def diff(self) -> str:
        bom = "\ufeff" if self.encoding == "utf-8-sig" else ""  # so that `git apply` finds line 1 as it is
        return unified_diff(self.path, bom + self.before, bom + self.after)


def decode(path: str, data: bytes) -> tuple[str, str]:
    """The text of a file and the codec that gives its bytes back; BadInput when there is no such codec."""
    from fixbot.formats.python import SOURCE_FILES

    encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    if any(fnmatch(os.path.basename(path).lower(), p) for p in SOURCE_FILES):
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        except SyntaxError as err:  # a codec Python does not know, a BOM against the cookie, bad UTF-8 on line 1
            raise BadInput(f"{path}: {'not UTF-8 text' if 'invalid or missing' in err.msg else err.msg}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not {'UTF-8' if encoding.startswith('utf-8') else encoding} text") from None
    if text.encode(encoding) != data:  # utf-16 and other codecs that do not read back
        raise BadInput(f"{path}: {encoding} text that would not be written back byte for byte")
    return text, encoding


def encode(path: str, text: str, encoding: str) -> bytes:
    """`text` in the file's own encoding; BadInput when the rewrite has a character that encoding cannot hold."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as err:
        line = text.count("\n", 0, err.start) + 1
        raise BadInput(f"{path}: the rewrite has characters {_name(encoding)} cannot hold (line {line})") from None


def _name(encoding: str) -> str:
    return {"iso-8859-1": "latin-1"}.get(encoding, encoding)


def unified_diff(path: str, before: str, after: str) -> str:
    """A diff `git apply` takes: lines split on \\n only, as git does (str.splitlines would also split on
    \\f, \\v, \\x1c-\\x1e, \\x85 and U+2028, and put "No newline" markers mid-file)."""
    lines = difflib.unified_diff(split_lf(before), split_lf(after), f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def split_lf(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def read_source(path: str) -> tuple[str, str]:
    """The file's text, with its line endings as they are (no universal-newline translation), and its encoding."""
    try:
        with open(path, "rb") as handle:
            refusal = too_large(path, os.fstat(handle.fileno()).st_size)
            if refusal is not None:
                raise refusal
            data = handle.read(MAX_SOURCE + 1)
        refusal = too_large(path, len(data))  # a file that grew while it was read, or a pipe
        if refusal is not None:
            raise refusal
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory") from None
    except OSError as err:
        raise BadInput(f"{path}: cannot read: {err.strerror}") from None
    return decode(path, data)


def write_atomic(path: str, data: bytes) -> None:
    """Replace `path` with `data` so that a reader sees the old file or the new one, never half of either.

    The temporary file is made beside the real file (a symlink is followed, so the link stays a link and its
    target is rewritten), gets the old file's mode and, where allowed, its owner, and is renamed over it; on
    any failure it is removed and the old file is untouched."""
    # Ctrl-C waits until the file is whole, old or new, and the temporary file is gone: one arriving between
    # mkstemp and the `try`, or inside the clean-up, would otherwise leave `.fixbot-*.tmp` behind.
    block = getattr(signal, "pthread_sigmask", None)
    unblocked = block(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
    try:
        _write_atomic(path, data)
    finally:
        if block:
            block(signal.SIG_SETMASK, unblocked)


def _write_atomic(path: str, data: bytes) -> None:
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    st = os.stat(target)
    fd, tmp = tempfile.mkstemp(prefix=".fixbot-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if (st.st_uid, st.st_gid) != (os.fstat(handle.fileno()).st_uid, os.fstat(handle.fileno()).st_gid):
                try:
                    os.fchown(handle.fileno(), st.st_uid, st.st_gid)
                except PermissionError:  # not ours to give away: the file becomes the caller's, as with an editor
                    pass
            os.fchmod(handle.fileno(), st.st_mode & 0o7777)
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable; some filesystems cannot, which loses nothing but durability."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def rewrite_file(path: str, codemod, *, write: bool, **options) -> Rewrite:
    """Apply `codemod` to the file at `path`; write the result only if `write` and it changed."""
    result, data = prepare_rewrite(path, codemod, **options)
    if write and result.changed:
        save(path, data)
    return result


# How far `context` looks for modules that star-import a file: its folder, the one above and those below it.


def context(path: str, wanted: tuple[str, ...]) -> dict[str, object]:
    """The options a codemod reads from the surroundings of the file at `path` (Codemod.CONTEXT)."""
    found: dict[str, object] = {}
    here = os.path.dirname(os.path.abspath(path))
    if "project" in wanted:
        top = here
        while not os.path.exists(os.path.join(top, ".git")) and os.path.dirname(top) != top:
            top = os.path.dirname(top)
        if os.path.exists(os.path.join(top, ".git")):
            found["project"] = os.path.basename(top)  # as `fixbot apply` names it: the repository's folder
    if "star_imported" in wanted:
        found["star_imported"] = _star_imported(path, here)
    return found


def _star_imported(path: str, here: str) -> bool:
    """Does a module in `path`'s star_scope (formats/python_tidy.py, the rule `fixbot apply` follows too) do
    `from <…>.<its name> import *`?"""
    from fixbot.formats.python_tidy import star_imported

    return star_imported(path, _neighbour_texts(here))


@functools.lru_cache(maxsize=64)
def _neighbour_texts(here: str) -> tuple[str, ...] | None:
    """The .py files beside `here`, above it and one folder below, as text; None when there are more than
    python_tidy.MAX_NEIGHBOURS. Read once per folder: `fixbot codemod settings/*.py` asks for every file of it."""
    from fixbot.formats.python_tidy import MAX_NEIGHBOURS

    folders = [here, os.path.dirname(here)]
    try:
        folders += [e.path for e in os.scandir(here) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        pass
    texts: list[str] = []
    for folder in folders:
        try:
            entries = [e for e in os.scandir(folder) if e.name.endswith(".py") and e.is_file()]
        except OSError:
            continue
        for entry in entries:
            if len(texts) >= MAX_NEIGHBOURS:
                return None
            try:
                if entry.stat().st_size > MAX_SOURCE:
                    continue
                with open(entry.path, "rb") as f:
                    texts.append(f.read().decode("latin-1"))
            except OSError:
                continue
    return tuple(texts)


def prepare_rewrite(path: str, codemod, **options) -> tuple[Rewrite, bytes]:
    """What `codemod` makes of the file at `path` and the bytes to write for it; touches nothing on disk."""
    from fixbot import codemods
    before, encoding = read_source(path)
    try:
        after = codemod.rewrite(before, path, **options)
    except codemods.NothingToDo as skip:
        return Rewrite(path, before, before, encoding, str(skip)), b""
    except codemods.Refusal as refusal:
        raise Refused(f"{path}: {codemod.NAME} refused: {refusal}") from None
    # encoded before anything is written, so that a refusal leaves the file
    data = encode(path, after, encoding)
    notes = tuple(codemod.notes(before, after, path, **options)) if after != before else ()
    return Rewrite(path, before, after, encoding, notes=notes), data


def save(path: str, data: bytes) -> None:
    """`write_atomic`, its failure as the one-line BadInput the commands report."""
    try:
        write_atomic(path, data)
    except OSError as err:
        raise BadInput(f"{path}: cannot write: {err.strerror}") from None
