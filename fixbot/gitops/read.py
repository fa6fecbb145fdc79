"""Reading git, never writing it: one session per run, a commit's files from the object store, tree and index listings.

A `Session` is the repository a run works on: opened (and checked: a top level, not bare, GIT_DIR pinned) at its
first use and closed once at the end, so that `apply` reads, commits and pushes through one handle rather than
reopening a directory for every step. Everything that changes the repository is in `gitops`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # GitPython costs ~40 ms to import: only the functions that reach git load it
    import git

from fixbot.errors import FixbotError


_SHA = re.compile(r"[0-9a-f]{40}")  # a full commit sha, as git prints it


class GitError(FixbotError):
    """The repository cannot take fixbot's commit or push as asked; nothing in it was changed."""


class GitTimeout(GitError):
    """A git command ran past its `kill_after_timeout` and was killed."""


class Session:
    """The repository at `path` for one run: opened at its first use (so a run that never reaches git, or meets
    another error first, fails exactly as before), checked once, closed once.

    It is also the path it was opened with (`os.fspath(session)`), so it goes wherever a directory goes; every
    function of `gitread` and `gitops` takes either, and reuses the session instead of opening the repository
    again."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = os.fspath(path)
        self._repo: git.Repo | None = None

    def __fspath__(self) -> str:
        return self.path

    def __str__(self) -> str:  # messages name the directory as it was given
        return self.path

    @property
    def repo(self) -> "git.Repo":
        """The GitPython repository, opened and checked at the first call."""
        if self._repo is None:
            self._repo = self._connect()
        return self._repo

    def _connect(self) -> "git.Repo":
        import git

        where = self.path
        try:
            # expand_vars=False: a path is a path, "$HOME" in it must not be expanded.
            repo = git.Repo(where, search_parent_directories=True, expand_vars=False)
        except git.NoSuchPathError:
            raise GitError(f"{where}: no such directory") from None
        except git.InvalidGitRepositoryError:
            raise GitError(f"{where}: not a git repository") from None
        try:
            if repo.bare:
                raise GitError(f"{where}: is a bare repository; fixbot needs a repository with a working tree")
            top = Path(repo.working_tree_dir).resolve()
            if top != Path(where).resolve():
                raise GitError(f"{where}: is inside the git repository at {top}; pass its top level")
            # Pin the repository GitPython found, so an inherited GIT_DIR/GIT_WORK_TREE cannot redirect commands.
            repo.git.update_environment(GIT_DIR=repo.git_dir, GIT_WORK_TREE=str(top))
        except BaseException:
            repo.close()
            raise
        return repo

    def close(self) -> None:
        repo, self._repo = self._repo, None
        if repo is not None:
            repo.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Session({self.path!r}, {'open' if self._repo is not None else 'not opened yet'})"


@contextmanager
def session(where: str | os.PathLike[str]) -> Iterator[Session]:
    """`where` itself when it is a Session (left open), else a new one on that directory, closed on leaving."""
    if isinstance(where, Session):
        yield where
        return
    with Session(where) as opened:
        yield opened


@contextmanager
def _open(where: str | os.PathLike[str]) -> Iterator[git.Repo]:
    """The GitPython repository of `where` (a Session or a directory), for the length of the block."""
    with session(where) as opened:
        yield opened.repo


def current_branch(repo_dir: str | os.PathLike[str]) -> str | None:
    """The branch HEAD is on (what was checked out and deployed), or None when HEAD is detached or `repo_dir` is
    in no repository. Plain git, not GitPython: a dry run names the branch it would make, and stays light."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE")}
    try:
        done = subprocess.run(["git", "-C", os.fspath(repo_dir), "symbolic-ref", "--quiet", "HEAD"],
                              capture_output=True, timeout=60, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    # The full name: `--short` says `heads/main` when a tag is also called `main`.
    ref = done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else ""
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None


def head_commit(repo_dir: str | os.PathLike[str]) -> str:
    """The sha HEAD's branch points at; GitError when `repo_dir` is not a repository's top level, HEAD is detached
    or there is no commit yet (what a fix commit needs)."""
    with _open(repo_dir) as repo:
        return _head_commit(repo)


def uncommitted(repo_dir: str | os.PathLike[str]) -> list[str]:
    """The tracked files whose index or working tree differs from HEAD (staged or not), repo-relative: what a fix
    made on HEAD leaves out. Untracked files are not listed. `--no-optional-locks`: the index is not rewritten."""
    with _open(repo_dir) as repo:
        out = _git(repo, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no",
                   "--no-renames", "--ignore-submodules=dirty", strip_newline_in_stdout=False)
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


@dataclass(frozen=True)
class TreeEntry:
    """One file of a commit's tree: its mode (0o100644, 0o100755, 0o120000 a symlink, 0o160000 a submodule),
    and its object."""

    mode: int
    sha: str


REGULAR_MODES = frozenset({0o100644, 0o100755})


def tree_files(repo_dir: str | os.PathLike[str], rev: str = "HEAD") -> dict[str, TreeEntry]:
    """Every file of `rev`'s tree (`git ls-tree -r -z`), by repo-relative posix path; names only, nothing read.

    Symlinks and submodules are listed with their modes so that callers can leave them alone; a name that is
    not UTF-8 is left out (fixbot cannot name it in a commit either)."""
    with _open(repo_dir) as repo:
        return _tree_files(repo, _rev(repo, rev))


def index_files(directory: str | os.PathLike[str]) -> tuple[str, ...]:
    """Names of the files git's index tracks under `directory` (which may be a subdirectory of a repository),
    relative to it; () when it is not in a git repository or git cannot be run. Nothing is read."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "-C", os.fspath(directory), "ls-files", "-z", "--cached"],
            capture_output=True, check=True, timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(name for name in out.decode("utf-8", "replace").split("\0") if name)


class FileTooLarge(GitError):
    """A blob larger than the reader was asked to read; `size` is its size in bytes."""

    def __init__(self, path: str, size: int):
        super().__init__(f"{path}: is {size} bytes")
        self.size = size


class CommitReader:
    """The files of one commit, read from git's object store (never from the working tree or the index).

    `files` lists the tree once; `read` fetches blobs through one long-lived `git cat-file --batch`, so reading
    twenty settings files costs one process, not twenty. Close it (or use `with`) when done."""

    def __init__(self, repo_dir: str | os.PathLike[str], rev: str = "HEAD"):
        self._context = _open(repo_dir)
        self._repo = self._context.__enter__()
        try:
            self.sha = _rev(self._repo, rev)
            self.files: dict[str, TreeEntry] = _tree_files(self._repo, self.sha)
        except BaseException:
            self.close()
            raise

    def read(self, path: str, *, most: int | None = None) -> bytes | None:
        """The bytes of the regular file `path` in this commit, or None when it holds no such regular file.

        With `most`, a blob larger than that is not read: FileTooLarge says its size."""
        import git

        entry = self.files.get(path)
        if entry is None or entry.mode not in REGULAR_MODES:
            return None
        try:
            # The header (type, size) comes first on the one `cat-file --batch` pipe; the content of a blob too
            # large to parse is skipped through in chunks, never held.
            _, kind, size, stream = self._repo.git.stream_object_data(entry.sha)
            if most is not None and size > most:
                while stream.read(1 << 20):
                    pass
                raise FileTooLarge(path, size)
            data = stream.read(size)
            while stream.read(1 << 16):  # the pipe stays in step even if git sent more than it announced
                pass
        except git.GitCommandNotFound:
            raise GitError("git is not installed or not on PATH") from None
        except (ValueError, OSError, git.GitError) as err:  # a broken pipe, a missing object (a partial clone)
            raise GitError(f"{path}: cannot read it from commit {self.sha[:12]}: {_first_line(str(err))}") from None
        if kind not in ("blob", b"blob"):
            return None
        return data

    def close(self) -> None:
        context, self._context = getattr(self, "_context", None), None
        if context is not None:
            context.__exit__(None, None, None)

    def __enter__(self) -> "CommitReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()



# --- internals, shared with gitops ---------------------------------------------------------------------------


def _git(repo: git.Repo, *args: str, **kwargs) -> str:
    rc, out, err = _git_status(repo, *args, **kwargs)
    if rc != 0:
        raise GitError(f"git {_subcommand(args)} failed: {_first_line(err) or f'exit status {rc}'}")
    return out


def _git_status(repo: git.Repo, *args: str, **kwargs) -> tuple[int, str, str]:
    import git

    try:
        return repo.git.execute(
            [repo.git.GIT_PYTHON_GIT_EXECUTABLE, *args],
            with_extended_output=True,
            with_exceptions=False,
            **kwargs,
        )
    except git.GitCommandNotFound:
        raise GitError("git is not installed or not on PATH; fixbot needs it to commit") from None
    except git.GitCommandError as exc:  # raised by kill_after_timeout
        raise GitTimeout(f"git {_subcommand(args)} did not finish: {_first_line(str(exc.stderr))}") from None


def _subcommand(args: tuple[str, ...]) -> str:
    return next((a for i, a in enumerate(args) if not a.startswith("-") and (i == 0 or args[i - 1] != "-c")), "")


def _rev_parse(repo: git.Repo, ref: str) -> str | None:
    rc, out, _ = _git_status(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return out.strip() if rc == 0 else None


def _rev(repo: git.Repo, rev: str) -> str:
    """The commit sha of `rev` (HEAD: the checked-out branch, with the same refusals as a commit on it)."""
    if rev == "HEAD":
        return _head_commit(repo)
    if not isinstance(rev, str) or rev.startswith("-"):
        raise GitError(f"{rev!r} is not a revision")
    sha = _rev_parse(repo, rev)
    if sha is None:
        raise GitError(f"{rev}: no such commit")
    return sha


def _tree_files(repo: git.Repo, sha: str) -> dict[str, TreeEntry]:
    # Records are "<mode> SP <type> SP <object> TAB <path> NUL"; paths are data, never arguments. (No -l: sizes
    # would make git open every object, 25x the time in a repository of 10,000 files.)
    rc, out, err = _git_status(repo, "ls-tree", "-r", "-z", "--full-tree", sha, stdout_as_string=False)
    if rc != 0:
        raise GitError(f"git ls-tree failed: {_first_line(err) or f'exit status {rc}'}")
    files: dict[str, TreeEntry] = {}
    for record in out.split(b"\0"):
        meta, tab, raw = record.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 3:
            continue
        try:
            path = raw.decode("utf-8")
            mode = int(fields[0], 8)
        except (UnicodeDecodeError, ValueError):
            continue
        files[path] = TreeEntry(mode, fields[2].decode("ascii"))
    return files


def _head_commit(repo: git.Repo) -> str:
    rc, _, _ = _git_status(repo, "symbolic-ref", "--quiet", "HEAD")
    if rc != 0:
        raise GitError(f"{repo.working_tree_dir}: HEAD is detached; check out the branch the fix should start from")
    sha = _rev_parse(repo, "HEAD")
    if sha is None:
        raise GitError(f"{repo.working_tree_dir}: the repository has no commits yet")
    return sha

def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""

