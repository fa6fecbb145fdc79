"""Every place a repository's configuration names a log file, as each room reads it (fixbot/fixes/<kind>/: `SITE_FILES`, `sites`).

check/ knows no codemod and no failure kind: a room yields the Sites of the files it reads, naming its own codemod,
and check/__init__.py judges them all alike. A new kind that `fixbot check` should judge is a `sites` method in
its room.
"""

from __future__ import annotations

from typing import Callable

from fixbot import fixes
from fixbot.fixes.sites import Site
from fixbot.formats import named

__all__ = ["Site", "sites"]


def sites(repo, files: list[str], read: Callable[[str], str | None], walks: list | None = None) -> list[Site]:
    """Every Site in `files` (repo-relative), in file and line order; `walks`: the deployed settings modules."""
    rooms = [fix for _, fix in sorted(fixes.registry().items()) if fix.SITE_FILES]
    out: list[Site] = []
    for file in files:
        readers = [fix for fix in rooms if named(file, fix.SITE_FILES)]
        text = read(file) if readers else None
        if text is None:
            continue
        for fix in readers:
            out.extend(fix.sites(repo, file, text, walks or []))
    return sorted(set(out), key=lambda s: (s.path, s.line, s.what))
