"""Run a codemod on a file on disk: read bytes exactly, write atomically (temp file + rename, mode kept)."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass

from fixbot.errors import BadInput, FixbotError


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
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def read_text(path: str) -> str:
    """The file's text with its line endings as they are (no universal-newline translation)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
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
    """Replace `path` with `text` so that a reader sees the old file or the new one, never half of either."""
    data = text.encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=".fixbot-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


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
