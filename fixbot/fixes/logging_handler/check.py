"""The post-check of a rewritten YAML, JSON or INI logging config: it still loads, no handler of it writes to a file any more, and every record prints once on the console, as the standard library delivers it."""

from __future__ import annotations

from fixbot.formats.logconfig.check import pairs, proof
from fixbot.formats.logconfig.configs import Unreadable, handlers_of


def check_config(path: str, before: str, after: str) -> list[str]:
    """What was checked; VerifyFailed when the rewrite does not load, lost a handler, or left one writing a file.
    Compared with the original, as fixbot/formats/logconfig/check.compare does: only what the rewrite broke counts."""
    from fixbot.verify import VerifyFailed

    try:
        old = handlers_of(before, path) or {}
    except Unreadable:
        old = None  # it did not load before: the rewrite is judged on its own
    try:
        new = handlers_of(after, path)
    except Unreadable as err:
        raise VerifyFailed(f"{path}: the rewritten logging config {err}") from None
    if new is None:
        if old:
            raise VerifyFailed(f"{path}: the rewritten file holds no logging handlers any more")
        return []
    gone = sorted(set(old or {}) - set(new))
    if gone:  # a logger or another module may still name it
        raise VerifyFailed(f"{path}: the rewrite removed handler {gone[0]!r}, which loggers may still name")
    files = [h.name for h in new.values() if h.writes_file]
    if files:
        raise VerifyFailed(f"{path}: handler {files[0]!r} still writes to a file")
    said = [f"{path} loads and none of its {len(new)} handler{'s' if len(new) != 1 else ''} writes to a file"]
    for verdict in _verdicts(path, before, after):
        if verdict.wrong():
            raise VerifyFailed(f"{path}: after the rewrite {verdict.wrong()[0]}")
        said += proof(verdict)
    return said


def _verdicts(path: str, before: str, after: str) -> list:
    """stdlib.compare of each config of `before` with the same one of `after`; [] when either does not read."""
    from fixbot.formats.logconfig import stdlib

    return [stdlib.compare(b, a) for b, a in pairs(before, after, path)]
