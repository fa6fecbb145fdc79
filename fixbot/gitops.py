"""Git side effects: one fix commit on its own branch, made without touching the user's checkout, and its push."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # GitPython costs ~40 ms to import: only the functions that reach git load it
    import git

from fixbot.errors import FixbotError

DEFAULT_AUTHOR = ("fixbot", "fixbot@users.noreply.github.com")

_ZERO = "0" * 40
_REGULAR, _SYMLINK, _GITLINK = 0o100644, 0o120000, 0o160000  # git tree entry modes
_BRANCH_CHARS = re.compile(r"[A-Za-z0-9._/-]+")
_REMOTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA = re.compile(r"[0-9a-f]{40}")
# Pushes and ls-remote talk to the network; a bot must never sit forever on a prompt or a dead host.
_NETWORK_TIMEOUT = 300
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


class GitError(FixbotError):
    """The repository cannot take fixbot's commit or push as asked; nothing in it was changed."""


@dataclass(frozen=True)
class Committed:
    """The branch fixbot's commit is on; `created` is False when an identical earlier run had already made it."""

    branch: str
    sha: str
    base_sha: str
    created: bool = True


@dataclass(frozen=True)
class Pushed:
    """What a push did: `updated` is False when the remote branch already held `sha`."""

    remote: str
    branch: str
    sha: str
    updated: bool


def branch_name_problem(name: object) -> str | None:
    """Why `name` cannot be a fixbot branch, or None when it can.

    Stricter than `git check-ref-format --branch`: a name is built from log facts, so only a small alphabet
    is allowed and nothing can read as an option, a revision expression or a path outside refs/heads.
    """
    if not isinstance(name, str) or not name:
        return "a branch name must be a non-empty string"
    if not _BRANCH_CHARS.fullmatch(name):
        bad = sorted({c for c in name if not _BRANCH_CHARS.fullmatch(c)})
        return f"branch name {name!r} may only use A-Z a-z 0-9 . _ / - (not {' '.join(map(repr, bad))})"
    if len(name) > 200:
        return f"branch name is {len(name)} characters long; at most 200 are allowed"
    if name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")) or "//" in name or ".." in name:
        return f"branch name {name!r} is not a valid git branch name"
    if name == "HEAD" or any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")):
        return f"branch name {name!r} is not a valid git branch name"
    return None


def validate_branch_name(name: str) -> str:
    """`name` if it can be a fixbot branch; GitError otherwise."""
    problem = branch_name_problem(name)
    if problem:
        raise GitError(problem)
    return name


def commit_fix(
    repo_dir: str | os.PathLike[str],
    *,
    branch: str,
    changes: Mapping[str, bytes],
    message: str,
    author: tuple[str, str] = DEFAULT_AUTHOR,
    expect_head: str | None = None,
) -> Committed:
    """Create `branch` from HEAD with one commit holding exactly `changes` (repo-relative posix path -> bytes).

    The tree is built in a temporary index from HEAD's tree, so the working tree, the real index, HEAD and
    every other ref stay as they were; uncommitted work is not included. File modes at HEAD are kept.
    `expect_head`: the commit the changes were made from; GitError if HEAD has moved away from it since.
    """
    validate_branch_name(branch)
    name, email = _identity(author)
    if not isinstance(message, str) or not message.strip():
        raise GitError("the commit message is empty")
    if not changes:
        raise GitError("there is nothing to commit: no file was changed")
    for path, content in changes.items():
        _check_path(path)
        if not isinstance(content, (bytes, bytearray)):
            raise GitError(f"{path}: new content must be bytes, not {type(content).__name__}")
    with _open(repo_dir) as repo:
        base = _head_commit(repo)
        if expect_head is not None and base != expect_head:
            raise GitError(f"HEAD moved from {expect_head[:12]} to {base[:12]} while fixbot was planning; run it again")
        head_tree = repo.commit(base).tree
        # path -> (mode, blob sha) of what differs from HEAD; hashed without writing, so that a refusal below
        # leaves not even an unreferenced object behind.
        wanted: dict[str, tuple[int, str]] = {}
        for path in sorted(changes):
            old = _lookup(head_tree, PurePosixPath(path))
            sha = _hash_blob(repo, bytes(changes[path]), write=False)
            if old is None or old.hexsha != sha:
                wanted[path] = (old.mode if old is not None else _REGULAR, sha)
        if not wanted:
            raise GitError("there is nothing to commit: every change is already in HEAD")

        ref = f"refs/heads/{branch}"
        existing = _rev_parse(repo, ref)
        if existing is not None:
            done = _existing_branch(repo, branch, existing, base, wanted, message, email)
            if done is not None:
                return done

        for path in wanted:
            _hash_blob(repo, bytes(changes[path]), write=True)
        tree = _write_tree(repo, base, [(mode, sha, path) for path, (mode, sha) in wanted.items()])

        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        # The message goes in on stdin: text quoted from a log must never be parsed as an argument.
        with _stdin(message.encode("utf-8") if message.endswith("\n") else (message + "\n").encode("utf-8")) as fh:
            # --no-gpg-sign: a user's commit.gpgSign would sign a bot's commit with their key, or wait on pinentry.
            sha = _git(repo, "commit-tree", "--no-gpg-sign", tree, "-p", base, "-F", "-", istream=fh, env=env)
        # The zero old value makes update-ref fail if another process created the branch in the meantime.
        old_value = existing or _ZERO  # an own stale branch moves only if nobody moved it meanwhile
        rc, _, err = _git_status(repo, "update-ref", "-m", f"fixbot: fix on top of {base[:12]}", ref, sha, old_value)
        if rc != 0:
            now = _rev_parse(repo, ref)
            if now is not None and now != existing:
                done = _existing_branch(repo, branch, now, base, wanted, message, email)
                if done is not None:
                    return done
            raise GitError(f"could not create branch {branch}: {_first_line(err)}")
        return Committed(branch=branch, sha=sha, base_sha=base, created=True)


def delete_branch(repo_dir: str | os.PathLike[str], branch: str, *, expect: str) -> None:
    """Remove `branch` if it still points at `expect`: undo fixbot's own commit when its verification failed."""
    validate_branch_name(branch)
    with _open(repo_dir) as repo:
        _git_status(repo, "update-ref", "-d", f"refs/heads/{branch}", expect)


def check_remote(repo_dir: str | os.PathLike[str], remote: str = "origin") -> None:
    """GitError unless the repository has `remote` to push to."""
    with _open(repo_dir) as repo:
        _check_remote(repo, remote)


def commits_not_by(
    repo_dir: str | os.PathLike[str], branch: str, *, remote_sha: str, ours: str, emails: set[str], remote: str = "origin"
) -> list[str] | None:
    """Commits of `remote`'s `branch` (at `remote_sha`) missing from `ours` that someone else authored or
    committed; None when the branch moved past `remote_sha` meanwhile. Fetches objects only: no ref, not even
    FETCH_HEAD, changes in the user's repository."""
    validate_branch_name(branch)
    if not (_SHA.fullmatch(remote_sha) and _SHA.fullmatch(ours)):
        raise GitError(f"could not compare {branch} with {remote}: {remote_sha!r} or {ours!r} is not a commit sha")
    with _open(repo_dir) as repo:
        _check_remote(repo, remote)
        # --refmap= stops the "opportunistic" update of refs/remotes/<remote>/<branch>.
        rc, _, err = _git_status(
            repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap=", remote, f"refs/heads/{branch}",
            env=_NO_PROMPT, kill_after_timeout=_NETWORK_TIMEOUT,
        )
        if rc != 0:
            raise GitError(f"could not fetch {branch} from {remote}: {_first_line(err) or f'exit status {rc}'}")
        rc, out, _ = _git_status(repo, "log", "--format=%H%x00%ae%x00%ce", remote_sha, f"^{ours}", "--")
    if rc != 0:
        return None
    lowered = {e.lower() for e in emails}
    return [sha for sha, author, committer in (line.split("\0") for line in out.splitlines() if line)
            if author.lower() not in lowered or committer.lower() not in lowered]


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


def check_based_on(repo_dir: str | os.PathLike[str], commit: str, base: str, *, remote: str = "origin") -> None:
    """GitError unless the parent of `commit` (fixbot's fix) is contained in `remote`'s `base` branch, so that a
    pull request of `commit` into `base` carries that one commit and nothing else. Fetches objects only."""
    if not _SHA.fullmatch(commit or ""):
        raise GitError(f"{commit!r} is not a commit sha")
    with _open(repo_dir) as repo:
        _check_base_name(repo, base)
        _check_remote(repo, remote)
        parent = _rev_parse(repo, f"{commit}^1")
        if parent is None:
            raise GitError(f"commit {commit[:12]} has no parent to compare with {base}")
        tip = _ls_remote(repo, remote, base)
        if tip is None:
            raise GitError(f"{remote} has no branch {base} to open the pull request against;"
                           " push it, or name the deployed branch with --base-branch")
        rc, _, err = _git_status(
            repo, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--refmap=", remote,
            f"refs/heads/{base}", env=_NO_PROMPT, kill_after_timeout=_NETWORK_TIMEOUT,
        )
        if rc == 0:  # merge-base exits 1 when parent is not an ancestor of the tip; anything else is an error
            rc, _, err = _git_status(repo, "merge-base", "--is-ancestor", parent, tip)
            if rc == 1:
                raise GitError(
                    f"HEAD ({parent[:12]}) is not on {remote}'s {base}: a pull request into {base} would carry every"
                    f" commit of HEAD that {base} lacks, not only the fix; check out the deployed branch (or name it"
                    " with --base-branch) and push it first")
    if rc != 0:
        raise GitError(f"could not compare HEAD with {remote}'s {base}: {_first_line(err) or f'exit status {rc}'}")


def _check_base_name(repo: git.Repo, name: object) -> None:
    """GitError unless `name` can be an existing branch's name. The base is a branch someone else named (the
    deployed one: `renovate/@types-x`, `feature/café`), not built from a log, so git's own rules apply, and
    nothing may read as an option."""
    if not isinstance(name, str) or not name or name.startswith("-") or any(c < " " or c == "\x7f" for c in name):
        raise GitError(f"branch name {name!r} is not a valid git branch name")
    rc, _, _ = _git_status(repo, "check-ref-format", f"refs/heads/{name}")
    if rc != 0:
        raise GitError(f"branch name {name!r} is not a valid git branch name")


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


def remote_branch_sha(repo_dir: str | os.PathLike[str], branch: str, *, remote: str = "origin") -> str | None:
    """The commit `branch` points at on `remote` right now, or None if the remote has no such branch.

    This is the value to pass as `push(expect=...)` after checking that the remote branch is fixbot's own.
    """
    validate_branch_name(branch)
    with _open(repo_dir) as repo:
        _check_remote(repo, remote)
        return _ls_remote(repo, remote, branch)


def push(
    repo_dir: str | os.PathLike[str],
    branch: str,
    *,
    remote: str = "origin",
    expect: str | None,
) -> Pushed:
    """Push local `branch` to the same name on `remote`, only if the remote branch is at `expect` now.

    `expect=None` means the remote branch must not exist yet. The lease is checked by the remote's own
    compare-and-swap, so commits someone else pushed to the branch are never overwritten.
    """
    validate_branch_name(branch)
    if expect is not None and not (isinstance(expect, str) and _SHA.fullmatch(expect)):
        raise GitError(f"expected remote commit must be a full 40-character sha, not {expect!r}")
    ref = f"refs/heads/{branch}"
    with _open(repo_dir) as repo:
        _check_remote(repo, remote)
        sha = _rev_parse(repo, ref)
        if sha is None:
            raise GitError(f"there is no local branch {branch} to push")
        rc, out, err = _git_status(
            repo,
            "push",
            "--porcelain",
            "--no-verify",  # the user's pre-push hooks are for their pushes, not for a bot's branch
            f"--force-with-lease={ref}:{expect or ''}",
            remote,
            f"{ref}:{ref}",
            env=_NO_PROMPT,
            kill_after_timeout=_NETWORK_TIMEOUT,
        )
        flag, summary = _porcelain_status(out, ref)
        if rc == 0 and flag in {"=", "*", "+", " "}:
            return Pushed(remote=remote, branch=branch, sha=sha, updated=flag != "=")
        if flag == "!" and "stale info" in summary:
            now = "does not exist" if expect is None else f"is no longer at {expect[:12]}"
            raise GitError(
                f"refusing to push {branch} to {remote}: the remote branch {now}"
                " (someone else pushed to it; their commits are kept)"
            )
        if flag == "!":
            raise GitError(f"{remote} rejected {branch}: {summary or _first_line(err)}")
        raise GitError(f"could not push {branch} to {remote}: {_first_line(err) or summary or 'git push failed'}")


# --- internals -------------------------------------------------------------------------------------------------


@contextmanager
def _open(repo_dir: str | os.PathLike[str]) -> Iterator[git.Repo]:
    import git

    where = os.fspath(repo_dir)
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
        yield repo
    finally:
        repo.close()


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
        raise GitError(f"git {_subcommand(args)} did not finish: {_first_line(str(exc.stderr))}") from None


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


def _ls_remote(repo: git.Repo, remote: str, branch: str) -> str | None:
    ref = f"refs/heads/{branch}"
    rc, out, err = _git_status(repo, "ls-remote", "--heads", remote, ref, env=_NO_PROMPT, kill_after_timeout=_NETWORK_TIMEOUT)
    if rc != 0:
        raise GitError(f"could not read branches of remote {remote}: {_first_line(err)}")
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        if name == ref:
            return sha
    return None


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def _identity(author: tuple[str, str]) -> tuple[str, str]:
    try:
        name, email = author
    except (TypeError, ValueError):
        raise GitError("author must be a (name, email) pair") from None
    for what, value in (("name", name), ("email", email)):
        # git strips or rejects these silently; say so instead of committing a mangled identity.
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "<>\n\r\0"):
            raise GitError(f"author {what} {value!r} cannot be used in a commit")
    if "@" not in email:
        raise GitError(f"author email {email!r} is not an email address")
    return name.strip(), email.strip()


def _check_path(path: object) -> PurePosixPath:
    """A repository-relative path that can only name something inside the repository."""
    if not isinstance(path, str) or not path:
        raise GitError(f"{path!r}: a changed path must be a non-empty string")
    if "\0" in path or "\\" in path:
        raise GitError(f"{path!r}: paths may not contain NUL or backslash")
    if path.startswith("/") or re.match(r"[A-Za-z]:", path):
        raise GitError(f"{path}: absolute paths are outside the repository")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise GitError(f"{path}: path must be normalised and stay inside the repository (no '..', '.' or '//')")
    if any(part.lower() == ".git" for part in parts):
        raise GitError(f"{path}: fixbot never writes inside .git")
    return PurePosixPath(path)


def _lookup(tree: git.Tree, path: PurePosixPath):
    """HEAD's blob at `path`, None if absent; GitError if reaching it would leave the tree's plain files."""
    node = tree
    parts = path.parts
    for depth, part in enumerate(parts):
        try:
            node = node[part]
        except KeyError:
            return None
        where = "/".join(parts[: depth + 1])
        last = depth == len(parts) - 1
        if node.mode == _SYMLINK:
            if last:
                raise GitError(f"{path}: is a symlink at HEAD; fixbot only rewrites regular files")
            raise GitError(f"{path}: goes through the symlink {where}, which may lead outside the repository")
        if node.mode == _GITLINK:
            raise GitError(f"{path}: {where} is a submodule; fixbot does not commit into submodules")
        if last:
            if node.type != "blob":
                raise GitError(f"{path}: is a directory at HEAD, not a file")
            return node
        if node.type != "tree":
            raise GitError(f"{path}: {where} is a file at HEAD, not a directory")
    return None


def _hash_blob(repo: git.Repo, content: bytes, *, write: bool) -> str:
    # hash-object reading stdin applies no filters: the bytes (CRLF included) go into the blob exactly.
    with _stdin(content) as fh:
        return _git(repo, "hash-object", *(["-w"] if write else []), "--stdin", istream=fh).strip()


def _write_tree(repo: git.Repo, base: str, entries: list[tuple[int, str, str]]) -> str:
    """HEAD's tree with `entries` replaced, built in a throwaway index so the user's index is never read or written."""
    with tempfile.TemporaryDirectory(prefix="fixbot-index-") as tmp:
        # splitIndex/sparse would make git write shared files next to the real index; a plain index is enough.
        env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
        opts = ("-c", "core.splitIndex=false", "-c", "index.sparse=false")
        _git(repo, *opts, "read-tree", base, env=env)
        # -z --index-info takes "mode sha<TAB>path<NUL>" records on stdin: paths are data, never arguments.
        records = b"".join(f"{mode:o} {sha}\t{path}".encode("utf-8") + b"\0" for mode, sha, path in entries)
        with _stdin(records) as fh:
            _git(repo, *opts, "update-index", "-z", "--index-info", istream=fh, env=env)
        return _git(repo, *opts, "write-tree", env=env).strip()


def _existing_branch(
    repo: git.Repo, branch: str, sha: str, base: str, wanted: dict[str, tuple[int, str]], message: str, email: str
) -> Committed | None:
    """The branch as already done if it is exactly this change on top of `base`; None if it is fixbot's own
    earlier commit of the same fix on an older base (HEAD moved on: it is rebuilt); GitError otherwise."""
    commit = repo.commit(sha)
    trailer = _fingerprint_trailer(message)
    if (
        trailer
        and len(commit.parents) == 1
        and _fingerprint_trailer(commit.message) == trailer
        and commit.author.email == email
        and commit.committer.email == email
        and _git_status(repo, "merge-base", "--is-ancestor", commit.parents[0].hexsha, base)[0] == 0
        and commit.parents[0].hexsha != base
    ):
        return None
    if [p.hexsha for p in commit.parents] == [base]:
        # Raw diff records: ":oldmode newmode oldsha newsha status\0path\0", compared without writing anything.
        fields = _git(repo, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", base, sha).split("\0")
        done = {}
        for meta, path in zip(fields[0::2], fields[1::2]):
            _, new_mode, _, new_sha, _ = meta.split(" ")
            done[path] = (int(new_mode, 8), new_sha)
        if done == wanted:
            return Committed(branch=branch, sha=sha, base_sha=base, created=False)
    raise GitError(
        f"branch {branch} already exists at {sha[:12]}, which is not this fix on top of HEAD ({base[:12]});"
        " delete or rename it, or choose another branch prefix"
    )


def _fingerprint_trailer(message: str) -> str | None:
    match = re.search(r"^Fixbot-Fingerprint: (\S+)\s*$", message or "", re.M)
    return match[1] if match else None


def _check_remote(repo: git.Repo, remote: str) -> None:
    if not isinstance(remote, str) or not _REMOTE_NAME.fullmatch(remote):
        raise GitError(f"{remote!r} is not a valid remote name")
    if remote not in {r.name for r in repo.remotes}:
        raise GitError(f"{repo.working_tree_dir}: has no remote named {remote}")


def _porcelain_status(out: str, ref: str) -> tuple[str | None, str]:
    # `git push --porcelain` prints "<flag>\t<from>:<to>\t<summary>" per ref.
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[1].endswith(f":{ref}"):
            return fields[0][:1], fields[2]
    return None, ""


@contextmanager
def _stdin(data: bytes) -> Iterator[object]:
    # GitPython hands istream to Popen as stdin, which needs a real file descriptor.
    with tempfile.TemporaryFile() as fh:
        fh.write(data)
        fh.seek(0)
        yield fh


