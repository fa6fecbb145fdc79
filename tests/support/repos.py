"""Real git repositories for the tests: run git, commit a tree, clone it, and snapshot everything fixbot promises not to touch."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.support.gitcli import git as git  # noqa: F401  (stripped output; git_out keeps it whole)


def git_out(cwd: Path, *args: str, check: bool = True) -> str:
    """git's whole stdout (decoded losslessly), without a trailing newline stripped; AssertionError when it fails
    and `check`. GIT_OPTIONAL_LOCKS=0: `git status` would otherwise refresh and rewrite the index we compare."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr.decode()}")
    return result.stdout.decode("utf-8", "surrogateescape")


def commit_all(root: Path, message: str = "initial") -> str:
    """Every file under `root` committed (a repository made first when there is none); the new HEAD."""
    if not (root / ".git").exists():
        git_out(root, "init", "-q")
    git_out(root, "add", "-A")
    git_out(root, "commit", "-q", "-m", message)
    return git_out(root, "rev-parse", "HEAD").strip()


def clone(source: Path, dest: Path, *args: str) -> Path:
    git_out(source.parent, "clone", "-q", *args, str(source), str(dest))
    return dest


def snapshot(root: Path) -> dict:
    """Everything of the user's checkout that fixbot promises not to touch, byte for byte."""
    git_dir = Path(git_out(root, "rev-parse", "--absolute-git-dir").strip())
    files = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts:
            continue
        st = path.lstat()
        content = os.readlink(path) if path.is_symlink() else (path.read_bytes() if path.is_file() else None)
        files[path.relative_to(root).as_posix()] = (stat.S_IFMT(st.st_mode), st.st_mode & 0o777, content)
    return {
        "index": (git_dir / "index").read_bytes() if (git_dir / "index").exists() else None,
        "HEAD file": (git_dir / "HEAD").read_bytes(),
        "head": git_out(root, "rev-parse", "--verify", "-q", "HEAD", check=False),
        "status": git_out(root, "status", "--porcelain=v2", "--branch", "--untracked-files=all"),
        "refs": git_out(root, "for-each-ref", "--format=%(refname) %(objectname)"),
        "files": files,
    }


def without_branch(snap: dict, branch: str) -> dict:
    """A snapshot as it was before `branch` existed."""
    out = dict(snap)
    out["refs"] = "".join(line + "\n" for line in snap["refs"].splitlines() if f"refs/heads/{branch} " not in line)
    return out


def committed_files(root: Path, rev: str) -> dict[str, tuple[str, bytes]]:
    """path -> (mode, content) of every file in `rev`."""
    out = {}
    for line in git_out(root, "ls-tree", "-r", "-z", rev).split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            mode, _, sha = meta.split()
            out[path] = (mode, subprocess.run(["git", "cat-file", "blob", sha], cwd=root, capture_output=True).stdout)
    return out


def make_repo(root: Path, files: dict[str, str], *, untracked: dict[str, str] | None = None):
    """Files written and added to a fresh repository's index (what RepoView.tracked lists), then the view."""
    from fixbot.repo import RepoView

    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git_out(root, "init", "-q")
    git_out(root, "add", "-A")
    for name, text in (untracked or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return RepoView.open(root)
