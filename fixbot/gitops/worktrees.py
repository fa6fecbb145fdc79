"""Temporary worktrees: a commit checked out in a scratch directory for a command to run in, then removed again."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fixbot.gitops.read import _SHA, GitError, GitTimeout, _git_status, _open


@contextmanager
def worktree(repo_dir: str | os.PathLike[str], commit: str, *, timeout: float = 120) -> Iterator[Path]:
    """A detached worktree of `commit` in a temporary directory, for the length of the block, readable (never
    writable) by other users, so a command that drops to a deploy user can read it.

    It is made through the run's pinned repository (an inherited GIT_DIR cannot redirect it) and removed again
    whatever happens in the block, so the repository keeps nothing of it. GitError in one line when git cannot
    check the commit out, or when `worktree add` or `remove` runs past `timeout` seconds."""
    if not isinstance(commit, str) or not _SHA.fullmatch(commit):
        raise GitError(f"{commit!r} is not a commit sha")
    with _open(repo_dir) as repo, tempfile.TemporaryDirectory(prefix="fixbot-verify-") as scratch:
        # The command may drop to a deploy user (`sudo -u app`, `su app -c`): the scratch directory (0700 from
        # tempfile) and the checkout are readable and searchable by others, and writable by nobody but us.
        os.chmod(scratch, 0o755)
        tree = Path(scratch) / "tree"
        mask = os.umask(0o022)
        os.umask((mask & ~0o055) | 0o022)  # whatever the user's umask hides from others, never their write bit
        try:
            rc, _, err = _worktree(repo, timeout, "add", "--detach", "--quiet", str(tree), commit)
        finally:
            os.umask(mask)
        if rc != 0:
            why = (err or "").strip().splitlines()[:1]
            raise GitError(f"could not check out the fix to run it: {' '.join(why)}")
        try:
            yield tree
        except BaseException:
            try:  # the worktree goes whatever happened; the first error is the one to report
                _worktree(repo, timeout, "remove", "--force", str(tree))
            except GitError:
                pass
            raise
        _worktree(repo, timeout, "remove", "--force", str(tree))


def _worktree(repo, timeout: float, *args: str) -> tuple[int, str, str]:
    """`git worktree ARGS`; a GitError that says how long it was given when it does not finish in time."""
    try:
        return _git_status(repo, "worktree", *args, kill_after_timeout=timeout)
    except GitTimeout:
        raise GitError(
            f"git worktree {args[0]} did not finish within {timeout:.0f}s"
            + ("; `git worktree prune` cleans up what it left" if args[0] == "remove" else "")
        ) from None
