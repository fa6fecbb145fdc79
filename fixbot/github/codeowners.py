"""CODEOWNERS: which file GitHub reads in a revision of the repository, and who it says owns the changed paths."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixbot.repo import RepoView

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # GitHub's search order


def read_codeowners(view: RepoView) -> str | None:
    """The text of the CODEOWNERS file GitHub reads in `view`'s revision: the first of its places that holds one."""
    for candidate in CODEOWNERS_PATHS:
        if view.safe(candidate) is not None:
            return view.read_bytes(candidate).decode("utf-8", "replace")
    return None


def parse_codeowners(text: str, paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Owners of `paths`: for each path the last matching rule wins; `@org/team` becomes a team slug."""
    rules = []
    for line in text.splitlines():
        fields = re.sub(r"(^|\s)#.*", "", line).split()
        if fields:
            rules.append((_codeowners_pattern(fields[0]), fields[1:]))
    users: dict[str, None] = {}
    teams: dict[str, None] = {}
    for path in paths:
        owners = next((owners for rx, owners in reversed(rules) if rx.fullmatch(path)), [])
        for owner in owners:
            if not owner.startswith("@"):
                continue  # an email cannot be asked for a review
            org, _, team = owner[1:].partition("/")
            (teams if team else users)[team or org] = None
    return list(users), list(teams)


def _codeowners_pattern(pattern: str) -> re.Pattern[str]:
    """gitignore-style matching as GitHub documents it for CODEOWNERS."""
    anchored = "/" in pattern.rstrip("/")  # a slash at the start or in the middle ties it to the root
    directory = pattern.endswith("/")
    core = pattern.strip("/")
    out, i = [], 0
    while i < len(core):
        if core.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif core.startswith("**", i):
            out.append(".*")
            i += 2
        elif core[i] == "*":
            out.append("[^/]*")
            i += 1
        elif core[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(core[i]))
            i += 1
    # `docs/*` owns the files directly in docs/; anything else also owns what lies below a matching directory.
    tail = "/.*" if directory else ("" if core.endswith("/*") else "(?:/.*)?")
    return re.compile(("" if anchored else "(?:.*/)?") + "".join(out) + tail)
