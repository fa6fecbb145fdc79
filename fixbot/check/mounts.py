"""What compose and Kubernetes files mount into a container: every volume's target, and the repository's own directories a bind mount brings (`volumes: [".:/code"]`)."""

from __future__ import annotations

import posixpath
import re

from fixbot.check.made import Dirs, Made

_COMPOSE_VOLUME = re.compile(r"""(?m)^[ \t]*-[ \t]*["']?([^:"'\s#]+):(/[^:"'\s#]*)""")
_TARGET = re.compile(r"""(?m)^[ \t]*(?:target|mountPath|mount_path)[ \t]*:[ \t]*["']?(/[^"'\s#]*)""")
_FLOW = re.compile(r"""(?m)^[ \t]*volumes[ \t]*:[ \t]*\[([^\]]*)\]""")
# compose `tmpfs: /tmp`, `tmpfs: [/tmp, /run]` or a list below it (`- /tmp:size=64m`)
_TMPFS = re.compile(r"""(?m)^([ \t]*)tmpfs[ \t]*:[ \t]*(.*)$""")
_TMPFS_PATH = re.compile(r"""["']?(/[^:"'\s,#\]]*)""")
_ITEM = re.compile(r"""["']?([^:"'\s,#]+):(/[^:"'\s,#\]]*)""")


def volumes(file: str, text: str, dirs: Dirs, tracked: set[str] = frozenset()) -> None:
    """Compose `volumes:` (short `src:/dst`, the flow form `[".:/code"]`, long `source:`/`target:`) and `tmpfs:`,
    Kubernetes `mountPath:`. A bind mount of a repository path (`.`, `./app`, relative to the compose file) also brings
    every tracked directory below it."""
    dirs.overridden = dirs.overridden or bool(re.search(r"(?m)^\s*(user|runAsUser)\s*:", text))
    dirs.moved = dirs.moved or bool(re.search(r"(?m)^\s*(working_dir|workingDir)\s*:", text))
    pairs: list[tuple[str | None, str, int]] = []
    for match in _COMPOSE_VOLUME.finditer(text):
        pairs.append((match.group(1), match.group(2), text.count("\n", 0, match.start()) + 1))
    for flow in _FLOW.finditer(text):
        line = text.count("\n", 0, flow.start()) + 1
        pairs += [(m.group(1), m.group(2), line) for m in _ITEM.finditer(flow.group(1))]
    for match in _TARGET.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        source = re.search(r"""(?m)^[ \t-]*source[ \t]*:[ \t]*["']?([^"'\s#]+)""",
                           "\n".join(text.splitlines()[max(0, line - 4): line + 3]))
        pairs.append((source.group(1) if source else None, match.group(1), line))
    for match in _TMPFS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        inline = match.group(2).split("#")[0].strip()
        if inline:
            pairs += [(None, m.group(1), line) for m in _TMPFS_PATH.finditer(inline)]
            continue
        for number, below in enumerate(text[match.end():].splitlines()[1:], line + 1):
            item = re.match(r"""[ \t]*-[ \t]*["']?(/[^:"'\s#]*)""", below)
            if item is None:
                break
            pairs.append((None, item.group(1), number))
    for source, target, line in pairs:
        target = posixpath.normpath(target)
        dirs.made.append(Made(target, file, line, "volume"))
        if source is not None and source.startswith("."):
            _bind(posixpath.normpath(posixpath.join(posixpath.dirname(file), source)), target, file, line, dirs, tracked)


def _bind(source: str, target: str, file: str, line: int, dirs: Dirs, tracked: set[str]) -> None:
    """The tracked directories under `source` (repo-relative; "." the top), as they appear under `target`."""
    if source.startswith(".."):
        return  # outside the repository
    base = "" if source == "." else source
    for d in tracked:
        if not base or d.startswith(base + "/"):
            relative = d[len(base) + 1:] if base else d
            dirs.made.append(Made(posixpath.normpath(posixpath.join(target, relative)), file, line, "volume"))
