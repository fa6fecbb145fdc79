"""A read-only view of the repository being repaired: where the log's paths, settings and Gunicorn live.

Paths quoted in a log are untrusted: they can only ever select a regular file inside the repository (no
`..`, no absolute escape, no symlink leading out). Only the files the log and the settings chain point to are
read, plus the names of tracked files and the few files one `git grep` finds naming LOGGING or
DJANGO_SETTINGS_MODULE, so an apply costs about the same in a repository of 10,000 unrelated files.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath, PureWindowsPath

from fixbot.errors import BadInput

_MODULE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")


@dataclass
class RepoView:
    """The repository as one revision of it: the files on disk (`rev=None`, for a directory that is not a
    repository's top level, or one with no commit, and for `fixbot check`), or a commit (`rev="HEAD"`), read from git's objects so that what is
    planned is exactly what the fix commit is made on: uncommitted edits, staged files and untracked files play
    no part. The same rules hold either way: no `..`, no `.git`, no symlink or submodule, at most
    `files.MAX_SOURCE` bytes."""

    root: Path
    rev: str | None = None
    _cache: dict[str, str] = field(default_factory=dict, repr=False)
    _encodings: dict[str, str] = field(default_factory=dict, repr=False)  # how each file read is written back
    _commit: object = field(default=None, repr=False)  # gitread.CommitReader when rev is set
    git: object = field(default=None, repr=False)  # the gitread.Session it reads through when rev is set
    _owns_git: bool = field(default=False, repr=False)  # made by `open` (closed with the view), not passed in
    _grepped: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: str | os.PathLike, rev: str | None = None) -> "RepoView":
        """The view of `path` (a directory, or the run's `gitread.Session`, which is then read through and left
        open); with `rev`, of that commit."""
        commit = session = None
        if rev is not None:  # first: it names what is wrong with the repository (not one, bare, detached HEAD...)
            from fixbot.gitops import read as gitread

            session = path if isinstance(path, gitread.Session) else gitread.Session(path)
            try:
                commit = gitread.CommitReader(session, rev)
            except BaseException:
                if session is not path:
                    session.close()
                raise
        root = Path(path)
        if not root.is_dir():
            if commit is not None:
                commit.close()
            if session is not None and session is not path:
                session.close()
            raise BadInput(f"{path}: not a directory")
        return cls(root.resolve(), rev, _commit=commit, git=session, _owns_git=session not in (None, path))

    def close(self) -> None:
        if self._commit is not None:
            self._commit.close()
        if self._owns_git:
            self.git.close()

    def __enter__(self) -> "RepoView":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def commit(self) -> str | None:
        """The sha of the commit this view reads, None when it reads the disk."""
        return None if self._commit is None else self._commit.sha

    # --- safe access ------------------------------------------------------------------------------------

    def safe(self, relative: str) -> str | None:
        """`relative` as a repo-relative posix path if it names a regular file inside the repository, else None."""
        parts = PurePosixPath(relative.replace("\\", "/")).parts
        if not parts or relative.startswith(("/", "\\")) or ".." in parts or any(":" in p for p in parts[:1]):
            return None
        if any(p.lower() == ".git" for p in parts):  # git's own files are never the repository's content
            return None
        if self._commit is not None:
            # A regular file of the commit's tree: a symlink or a submodule there is a leaf of another mode,
            # and nothing below a symlinked directory is listed at all, so no path leads out.
            from fixbot.gitops.read import REGULAR_MODES

            posix = PurePosixPath(*parts).as_posix()
            entry = self._commit.files.get(posix)
            return posix if entry is not None and entry.mode in REGULAR_MODES else None
        candidate = self.root.joinpath(*parts)
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_file() or not real.is_relative_to(self.root):
            return None
        return PurePosixPath(*parts).as_posix()

    def is_link(self, relative: str) -> bool:
        """Whether `relative` is a symlink in this revision (which `safe` never lets through)."""
        if self._commit is not None:
            entry = self._commit.files.get(PurePosixPath(relative).as_posix())
            return entry is not None and entry.mode == 0o120000
        return (self.root / relative).is_symlink()

    def read(self, relative: str) -> str:
        checked = self.safe(relative)
        if checked is None:
            raise BadInput(f"{relative}: not a file inside the repository")
        if checked not in self._cache:
            self._cache[checked] = self._load(checked)
        return self._cache[checked]

    def read_bytes(self, relative: str) -> bytes:
        """The bytes of `relative`, by the same rules as `read` (not cached: for files read once)."""
        checked = self.safe(relative)
        if checked is None:
            raise BadInput(f"{relative}: not a file inside the repository")
        return self._load_bytes(checked)

    def _load(self, checked: str) -> str:
        from fixbot.files import decode

        text, self._encodings[checked] = decode(checked, self._load_bytes(checked))
        return text

    def _load_bytes(self, checked: str) -> bytes:
        from fixbot.files import too_large

        if self._commit is not None:
            from fixbot.files import MAX_SOURCE
            from fixbot.gitops.read import FileTooLarge

            try:
                data = self._commit.read(checked, most=MAX_SOURCE)
            except FileTooLarge as err:  # parsing it would take seconds and gigabytes
                raise too_large(checked, err.size) from None
            if data is None:
                raise BadInput(f"{checked}: not a file of commit {self._commit.sha[:12]}")
        else:
            path = self.root / checked
            try:
                refusal = too_large(checked, path.stat().st_size)
                if refusal is not None:  # parsing it would take seconds and gigabytes
                    raise refusal
                data = path.read_bytes()
            except OSError as err:
                raise BadInput(f"{checked}: cannot read: {err.strerror or err}") from None
        refusal = too_large(checked, len(data))  # a file that grew while it was read
        if refusal is not None:
            raise refusal
        return data

    def encode(self, relative: str, text: str) -> bytes:
        """New `text` for a file this view read, in that file's own encoding (a BOM, a PEP 263 cookie)."""
        from fixbot.files import encode

        return encode(relative, text, self._encodings.get(relative, "utf-8"))

    def read_or_none(self, relative: str) -> str | None:
        """The text of `relative`, or None when it is not a readable text file inside the repository.

        For scans over many files: one deleted, binary or escaping file among them is skipped, not an error."""
        try:
            return self.read(relative)
        except (BadInput, OSError):
            return None

    @cached_property
    def tracked(self) -> tuple[str, ...]:
        """Names of the files git tracks (names only: nothing is read): the commit's regular files, or the
        index's names when the view reads the disk."""
        if self._commit is not None:
            from fixbot.gitops.read import REGULAR_MODES

            return tuple(
                path for path, entry in self._commit.files.items()
                if entry.mode in REGULAR_MODES and ".." not in path.split("/")
                and not any(p.lower() == ".git" for p in path.split("/"))
            )
        from fixbot.gitops.read import index_files

        return index_files(self.root)

    # --- paths from the log ---------------------------------------------------------------------------

    def map_log_path(self, path: str) -> str | None:
        """The repository file a path printed by the deployed program names, by its longest matching suffix.

        `/app/apps/backend/config/wsgi.py` finds `apps/backend/config/wsgi.py`, and `src/config/wsgi.py` when
        the repository keeps the code under another prefix; only files inside the repository can come out,
        whatever the log says. Two tracked files that match equally well are a guess, so neither is chosen."""
        if "\x00" in path or not path.strip():
            return None
        flavour = PureWindowsPath if re.match(r"^[A-Za-z]:[\\/]|\\\\", path) else PurePosixPath
        parts = [p for p in flavour(path).parts if p not in ("/", "\\") and not re.match(r"^[A-Za-z]:\\?$", p)]
        parts = [p for p in parts if not p.startswith("\\\\")]  # a UNC share names a machine, not a directory
        if not parts or ".." in parts:
            return None
        direct, direct_len = None, 0
        for start in range(len(parts)):  # the same suffix at the top of the repository, longest first
            found = self.safe("/".join(parts[start:]))
            if found:
                direct, direct_len = found, len(parts) - start
                break
        # The repository may hold the file under another prefix than the deploy: compare suffixes of tracked files.
        best: list[str] = []
        best_len = 0
        for tracked in self.tracked:
            tparts = tracked.split("/")
            if tparts[-1] != parts[-1]:
                continue
            common = 0
            while common < min(len(tparts), len(parts)) and tparts[-1 - common] == parts[-1 - common]:
                common += 1
            if common > best_len:
                best, best_len = [tracked], common
            elif common == best_len:
                best.append(tracked)
        if direct and direct_len >= best_len:
            return direct
        best = [b for b in best if self.safe(b)]
        return best[0] if len(best) == 1 and best_len >= 2 else None

    def grep(self, *words: str) -> dict[str, frozenset[str]]:
        """Tracked text files that hold some of `words` (fixed strings), and which: one `git grep` over this
        revision finds them in a repository of 10,000 files without reading any here. {} when git cannot."""
        import subprocess

        if words in self._grepped:
            return self._grepped[words]
        rev = [self.commit] if self.commit else []
        env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
        patterns = [arg for word in words for arg in ("-e", word)]
        try:
            out = subprocess.run(
                ["git", "-C", str(self.root), "grep", "-o", "-z", "-I", "-F", *patterns, *rev, "--"],
                capture_output=True, timeout=30, env=env,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = b""
        prefix, tracked = f"{self.commit}:" if self.commit else "", set(self.tracked)
        found: dict[str, set[str]] = {}
        for record in out.split(b"\n"):  # "path NUL match", one per match
            name, _, match = record.decode("utf-8", "replace").partition("\0")
            name = name.removeprefix(prefix)
            if match in words and name in tracked:
                found.setdefault(name, set()).add(match)
        self._grepped[words] = {name: frozenset(hits) for name, hits in found.items()}
        return self._grepped[words]

    def deploy_files(self, frames: list[str]) -> list[str]:
        """Deploy files at the top of the repository and beside the project's entry points, by name."""
        dirs = {""}
        for frame in frames:
            parts = frame.split("/")[:-1]
            dirs.update("/".join(parts[:i]) for i in range(len(parts) + 1))
        # The files a deploy starts from are the ones gunicorn-stdout reads, by name, plus .env files.
        from fixbot.formats.deploy.table import files

        by_name, found = _matcher(files())[0], []
        for tracked in self.tracked:
            directory, _, name = tracked.rpartition("/")
            if directory in dirs and by_name.match(name):
                found.append(tracked)
        return sorted(found, key=lambda t: (t.count("/"), t))

    def module_file(self, module: str, near: list[str]) -> str | None:
        """The file of a dotted module, looked for from the repository root and every ancestor of `near`."""
        if not _MODULE.match(module):
            return None
        roots = {""}
        for path in near:
            parts = path.split("/")[:-1]
            roots.update("/".join(parts[:i]) for i in range(len(parts) + 1))
        relative = module.replace(".", "/")
        tracked = set(self.tracked)
        for root in sorted(roots, key=len, reverse=True):
            for candidate in (f"{relative}.py", f"{relative}/__init__.py"):
                found = self.safe(f"{root}/{candidate}" if root else candidate)
                # An untracked file (a gitignored local_settings.py) is not part of what was deployed.
                if found and (not tracked or found in tracked):
                    return found
        return None

    def named_file(self, where: str, value: str) -> str | None:
        """The repository file a path written in `where` (a deploy file's `-c FILE`, `--log-config FILE`) names:
        relative to the top or to `where`'s directory, a deploy's absolute path by its longest suffix, or the one
        tracked file that ends with it (`cd apps/backend && gunicorn -c gunicorn.conf`); None if decided at run time."""
        import posixpath

        if "$" in value or not value.strip():
            return None
        beside = posixpath.normpath(posixpath.join(posixpath.dirname(where), value))
        for candidate in (value, beside):
            if not candidate.startswith(("/", "..")) and self.safe(candidate):
                return self.safe(candidate)
        mapped = self.map_log_path(value)
        if mapped:
            return mapped
        tail = "/" + posixpath.normpath(value).lstrip("/")
        below = [t for t in self.tracked if t.endswith(tail)]
        return below[0] if len(below) == 1 else None

    def importers_of(self, target: str, exclude: set[str]) -> tuple[str, ...]:
        """Sibling settings modules that star-import `target` too (fixing it there changes them as well)."""
        directory = target.rpartition("/")[0]
        stem = target.rpartition("/")[2].removesuffix(".py")
        pattern = re.compile(rf"^from\s+(?:\.|[\w.]*\.){re.escape(stem)}\s+import\s", re.M)
        out = []
        for tracked in self.tracked:
            if tracked.rpartition("/")[0] == directory and tracked.endswith(".py") and tracked not in exclude | {target}:
                if pattern.search(self.read_or_none(tracked) or ""):
                    out.append(tracked)
        return tuple(sorted(out))

    def star_imported(self, target: str) -> bool:
        """Whether a module in `target`'s star_scope does `from <…>.<its name> import *` (formats/python_tidy.py)."""
        from fixbot.formats.python_tidy import MAX_NEIGHBOURS, star_imported, star_scope

        near = [f for f in self.tracked if star_scope(target, f)]
        if len(near) > MAX_NEIGHBOURS:
            return star_imported(target, None)
        return star_imported(target, (self.read_or_none(f) or "" for f in near))

    # --- Gunicorn ------------------------------------------------------------------------------------

    def candidates(self, patterns: tuple[str, ...]) -> list[str]:
        """Tracked files whose name matches one of `patterns` (a codemod's FILES)."""
        return matching(self.tracked, patterns)


def matching(paths, patterns: tuple[str, ...]) -> list[str]:
    """The repo-relative posix `paths` a codemod's FILES `patterns` name: by the file's name, or by its path for a
    pattern with a "/" in it."""
    by_name, by_path = _matcher(tuple(patterns))
    return [t for t in paths if by_name.match(t.rpartition("/")[2]) or by_path.match(t)]


@lru_cache(maxsize=32)
def _matcher(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One regex for the name patterns and one for those with a directory in them ("*/supervisor*/*.conf"):
    a repository of 10,000 files is matched in one pass, not 10,000 x len(patterns) fnmatch calls. Case does
    not matter (`Dockerfile`, `dockerfile`), as for the codemods that read them."""

    def union(group: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(fnmatch.translate(p) for p in group) or r"(?!)", re.IGNORECASE)

    return union([p for p in patterns if "/" not in p]), union([p for p in patterns if "/" in p])
