"""One fix commit on its own branch, made in a temporary index without touching the user's checkout, and its undoing."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # GitPython costs ~40 ms to import: only the functions that reach git load it
    import git

from fixbot.gitops.read import GitError, _git, _git_status, _head_commit, _first_line, _open, _rev_parse

DEFAULT_AUTHOR = ("fixbot", "fixbot@users.noreply.github.com")

_ZERO = "0" * 40
_REGULAR, _SYMLINK, _GITLINK = 0o100644, 0o120000, 0o160000  # git tree entry modes
_BRANCH_CHARS = re.compile(r"[A-Za-z0-9._/-]+")


@dataclass(frozen=True)
class Committed:
    """The branch fixbot's commit is on; `created` is False when an identical earlier run had already made it.
    `replaced`: the commit the branch held before, when this run remade fixbot's own branch (`undo` puts it back)."""

    branch: str
    sha: str
    base_sha: str
    created: bool = True
    replaced: str | None = None


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
        return Committed(branch=branch, sha=sha, base_sha=base, created=True, replaced=existing)


def reword(repo_dir: str | os.PathLike[str], branch: str, sha: str, message: str) -> str:
    """The commit `sha` on `branch` made again with `message` (same tree, parent, author and committer), the branch
    moved to it only if it still points at `sha`: a trailer that can only be written once the commit was checked."""
    validate_branch_name(branch)
    with _open(repo_dir) as repo:
        commit = repo.commit(sha)
        env = {"GIT_AUTHOR_NAME": commit.author.name, "GIT_AUTHOR_EMAIL": commit.author.email,
               "GIT_AUTHOR_DATE": f"{commit.authored_date} {_tz(commit.author_tz_offset)}",
               "GIT_COMMITTER_NAME": commit.committer.name, "GIT_COMMITTER_EMAIL": commit.committer.email}
        parents = [a for p in commit.parents for a in ("-p", p.hexsha)]
        with _stdin(message.encode("utf-8") if message.endswith("\n") else (message + "\n").encode("utf-8")) as fh:
            new = _git(repo, "commit-tree", "--no-gpg-sign", commit.tree.hexsha, *parents, "-F", "-", istream=fh, env=env)
        rc, _, err = _git_status(repo, "update-ref", "-m", "fixbot: verified", f"refs/heads/{branch}", new, sha)
        if rc != 0:
            raise GitError(f"could not move branch {branch} to its verified commit: {_first_line(err)}")
        return new


def _tz(seconds_west: int) -> str:
    east = -seconds_west
    return f"{'+' if east >= 0 else '-'}{abs(east) // 3600:02d}{abs(east) % 3600 // 60:02d}"


def undo(repo_dir: str | os.PathLike[str], branch: str, sha: str, replaced: str | None) -> None:
    """Take back the commit `sha` a run put on `branch`, if the branch is still there: a branch it made goes, a
    branch it remade gets its earlier commit `replaced` back (a failed --verify-cmd must not lose the fix already
    proposed)."""
    if replaced is None:
        delete_branch(repo_dir, branch, expect=sha)
        return
    validate_branch_name(branch)
    with _open(repo_dir) as repo:
        _git_status(repo, "update-ref", "-m", "fixbot: undo", f"refs/heads/{branch}", replaced, sha)


def delete_branch(repo_dir: str | os.PathLike[str], branch: str, *, expect: str) -> None:
    """Remove `branch` if it still points at `expect`: undo fixbot's own commit when its verification failed."""
    validate_branch_name(branch)
    with _open(repo_dir) as repo:
        _git_status(repo, "update-ref", "-d", f"refs/heads/{branch}", expect)



# --- internals -------------------------------------------------------------------------------------------------


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
    earlier commit for the same failure (same fingerprint) on `base` or an older one: HEAD moved on, or another
    codemod was chosen, and the branch is remade on `base` as Renovate rebases its own branches (the caller moves
    it with the old commit as a lease); GitError for anything else, a human's commit above all."""
    commit = repo.commit(sha)
    trailer = _fingerprint_trailer(message)
    own = (
        trailer
        and len(commit.parents) == 1
        and _fingerprint_trailer(commit.message) == trailer
        and commit.author.email == email
        and commit.committer.email == email
        and _git_status(repo, "merge-base", "--is-ancestor", commit.parents[0].hexsha, base)[0] == 0
    )
    if [p.hexsha for p in commit.parents] == [base]:
        # Raw diff records: ":oldmode newmode oldsha newsha status\0path\0", compared without writing anything.
        fields = _git(repo, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", base, sha).split("\0")
        done = {}
        for meta, path in zip(fields[0::2], fields[1::2]):
            _, new_mode, _, new_sha, _ = meta.split(" ")
            done[path] = (int(new_mode, 8), new_sha)
        if done == wanted:
            return Committed(branch=branch, sha=sha, base_sha=base, created=False)
    if own:
        return None
    raise GitError(
        f"branch {branch} already exists at {sha[:12]}, which is not this fix on top of HEAD ({base[:12]});"
        " delete or rename it, or choose another branch prefix"
    )


def _fingerprint_trailer(message: str) -> str | None:
    match = re.search(r"^Fixbot-Fingerprint: (\S+)\s*$", message or "", re.M)
    return match[1] if match else None


@contextmanager
def _stdin(data: bytes) -> Iterator[object]:
    # GitPython hands istream to Popen as stdin, which needs a real file descriptor.
    with tempfile.TemporaryFile() as fh:
        fh.write(data)
        fh.seek(0)
        yield fh


