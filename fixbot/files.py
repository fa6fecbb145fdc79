"""Run a codemod on a file on disk: read bytes exactly, write atomically (temp file + rename, mode kept)."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass

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

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def diff(self) -> str:
        return unified_diff(self.path, self.before, self.after)


def unified_diff(path: str, before: str, after: str) -> str:
    """A diff `git apply` takes: lines split on \\n only, as git does (str.splitlines would also split on
    \\f, \\v, \\x1c-\\x1e, \\x85 and U+2028, and put "No newline" markers mid-file)."""
    lines = difflib.unified_diff(split_lf(before), split_lf(after), f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def split_lf(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def read_text(path: str) -> str:
    """The file's text with its line endings as they are (no universal-newline translation)."""
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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None


def write_atomic(path: str, text: str) -> None:
    """Replace `path` with `text` so that a reader sees the old file or the new one, never half of either.

    The temporary file is made beside the real file (a symlink is followed, so the link stays a link and its
    target is rewritten), gets the old file's mode and, where allowed, its owner, and is renamed over it; on
    any failure it is removed and the old file is untouched. The bytes are written as given: line endings are
    whatever `text` holds."""
    data = text.encode("utf-8")
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
    import codemods

    before = read_text(path)
    try:
        after = codemod.rewrite(before, path, **options)
    except codemods.Refusal as refusal:
        raise Refused(f"{path}: {codemod.NAME} refused: {refusal}") from None
    result = Rewrite(path, before, after)
    if write and result.changed:
        try:
            write_atomic(path, after)
        except OSError as err:
            raise BadInput(f"{path}: cannot write: {err.strerror}") from None
    return result
