"""The remote side of a fix: checks before publishing, fixbot's branch on the remote, and its push with a lease."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # GitPython costs ~40 ms to import: only the functions that reach git load it
    import git

from fixbot.gitops.commit import validate_branch_name
from fixbot.gitops.read import _SHA, GitError, _first_line, _git_status, _open, _rev_parse

_REMOTE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Pushes and ls-remote talk to the network; a bot must never sit forever on a prompt or a dead host.
_NETWORK_TIMEOUT = 300
_NO_PROMPT = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "", "SSH_ASKPASS": ""}


@dataclass(frozen=True)
class Pushed:
    """What a push did: `updated` is False when the remote branch already held `sha`."""

    remote: str
    branch: str
    sha: str
    updated: bool


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


def delete_remote_branch(repo_dir: str | os.PathLike[str], branch: str, *, expect: str,
                         remote: str = "origin") -> None:
    """Delete `branch` on `remote`, only while it is still at `expect` (the remote's compare-and-swap, as for a
    push): a branch someone pushed to since is kept. GitError when it is not deleted."""
    validate_branch_name(branch)
    if not (isinstance(expect, str) and _SHA.fullmatch(expect)):
        raise GitError(f"expected remote commit must be a full 40-character sha, not {expect!r}")
    ref = f"refs/heads/{branch}"
    with _open(repo_dir) as repo:
        _check_remote(repo, remote)
        rc, out, err = _git_status(repo, "push", "--porcelain", "--no-verify", f"--force-with-lease={ref}:{expect}",
                                   remote, f":{ref}", env=_NO_PROMPT, kill_after_timeout=_NETWORK_TIMEOUT)
        flag, summary = _porcelain_status(out, ref)
        if rc != 0 or flag != "-":
            raise GitError(f"could not delete {branch} on {remote}: {summary or _first_line(err) or 'git push failed'}")


# --- internals -------------------------------------------------------------------------------------------------


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

