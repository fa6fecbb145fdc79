"""The files below a directory that a codemod reads: git's list where it is a repository (.gitignore applied), else a walk; never through a symlink.

`fixbot codemod NAME DIR` takes directories as ruff and black do. In a git work tree the list is `git ls-files
--cached --others --exclude-standard` (tracked files, and untracked ones that .gitignore does not ignore);
elsewhere a walk that leaves out the usual virtualenv, cache and VCS folders. Either way a symlink (to a file,
or to a directory) is never followed, so nothing outside the directory is read.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Folders that hold no one's own source, left out of a walk where there is no .gitignore to say so.
NOT_SOURCE_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "site-packages",
                             ".mypy_cache"})


def files_below(directory: str, patterns: tuple[str, ...]) -> list[str]:
    """The regular files below `directory` that `patterns` (a codemod's FILES) name, as `directory`/relative
    paths, sorted."""
    from fixbot.repo import matching

    top = Path(directory)
    listed = _git_listing(top)
    if listed is None:
        listed = _walk(top)
    real_top = top.resolve()
    found = []
    for relative in matching(listed, patterns):
        path = top / relative
        if _no_link_below(top, relative) and path.is_file() and path.resolve().is_relative_to(real_top):
            found.append(os.path.join(directory, *relative.split("/")))
    return sorted(found)


def _git_listing(top: Path) -> list[str] | None:
    """Paths relative to `top` (posix) as git lists them, or None when `top` is in no work tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    try:
        done = subprocess.run(["git", "-C", str(top), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              capture_output=True, env=env, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return list(dict.fromkeys(p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p))


def _walk(top: Path) -> list[str]:
    found = []
    for here, subdirs, names in os.walk(top):  # os.walk does not follow symlinked directories
        subdirs[:] = sorted(d for d in subdirs if d not in NOT_SOURCE_DIRS)
        relative = Path(here).relative_to(top).as_posix()
        found += [n if relative == "." else f"{relative}/{n}" for n in sorted(names)]
    return found


def _no_link_below(top: Path, relative: str) -> bool:
    """Whether no part of `relative` below `top` is a symlink."""
    path = top
    for part in relative.split("/"):
        path = path / part
        if path.is_symlink():
            return False
    return True
