"""detect-secrets' patterns, kept in the user's cache per installed copy, so that a run does not import it (0.16 s: requests).

The patterns are the plugins' own (`denylist`); importing the plugins imports requests for their `verify`, which
fixbot never calls. The first run of an installed copy imports them and writes `patterns-<key>.json` to
`$XDG_CACHE_HOME/fixbot/detect-secrets/` (else `~/.cache/…`); the key is the package's path and the times its
plugin files were written, so an upgrade or an edit is a new file. A cache that cannot be read, written or
trusted is ignored, and the patterns are then imported again: trusted means a list of [pattern, flags] pairs that
compile, in a file and a directory this user owns and no one else may write (XDG_CACHE_HOME may be /tmp/.cache,
where another user could leave a file that weakens the redaction).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path

# plugins that flag what is no secret in a deploy log: IP addresses are what it is about, the entropy plugins take
# git SHAs and quoted hashes, and the keyword plugin is fixbot's key=value rule (fixbot/redact.py)
_NOT_FOR_LOGS = frozenset({"IPPublicDetector", "Base64HighEntropyString", "HexHighEntropyString", "KeywordDetector"})


def _key() -> str | None:
    spec = importlib.util.find_spec("detect_secrets")
    if spec is None or not spec.origin:
        return None
    plugins = Path(spec.origin).parent / "plugins"
    try:
        stamps = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in plugins.glob("*.py"))
    except OSError:
        return None
    return hashlib.sha256(json.dumps([str(plugins), stamps]).encode()).hexdigest()[:24]


def _cache_file(key: str) -> Path:
    top = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(top) / "fixbot" / "detect-secrets" / f"patterns-{key}.json"


def _imported() -> list[tuple[str, int]]:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    return [(regex.pattern, regex.flags) for plugin in get_mapping_from_secret_type_to_class().values()
            if issubclass(plugin, RegexBasedDetector) and plugin.__name__ not in _NOT_FOR_LOGS
            for regex in plugin().denylist]


def _own(path: Path) -> bool:
    """Is `path` this user's, and writable by no one else?"""
    import stat

    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(path: Path) -> list[tuple[str, int]] | None:
    try:
        if not (_own(path.parent) and _own(path)):
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or not data or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int) for p in data):
        return None
    return [(p, f) for p, f in data]


def _write(path: Path, patterns: list[tuple[str, int]]) -> None:
    import tempfile  # only on the run that writes the cache

    temporary = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".patterns-")
        with os.fdopen(fd, "w") as out:
            json.dump(patterns, out)
        os.replace(temporary, path)
    except OSError:  # a home that cannot be written (a read-only root), a full disk: the next run imports them again
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def patterns() -> list[re.Pattern[str]]:
    """Every regex of detect-secrets' regex-based plugins, compiled as the plugin compiled it."""
    key = _key()
    cached = _read(_cache_file(key)) if key else None
    if cached is not None:
        try:
            return [re.compile(p, f) for p, f in cached]
        except (re.error, ValueError, TypeError):
            pass
    found = _imported()
    if key:
        _write(_cache_file(key), found)
    return [re.compile(p, f) for p, f in found]
