"""What a rewrite changed in the log flags a deploy file gives a program, in a reviewer's words: `--error-logfile /x/error.log is now -`.

Both versions are read by the program's own reader (fixbot/formats/deploy/gunicorn.py, celery.py); the flags are
compared as written, so a flag set to another value and a flag dropped each give one line.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

from fixbot.formats import Refusal
from fixbot.formats.deploy.scan import Invocation


def described(program: str, find: Callable[[str], list[Invocation]], before: str, after: str, *,
              dropped: str = "") -> list[str]:
    """`flag_changes` between what `find` (the program's reader, on the codemod's settings) reads in each
    version; [] when either cannot be read."""
    try:
        return flag_changes(program, find(before), find(after), dropped=dropped)
    except Refusal:
        return []


def flag_changes(program: str, before: list[Invocation], after: list[Invocation], *, dropped: str = "") -> list[str]:
    """One line per log flag of `program` changed between the two readings; `dropped` says what a dropped flag
    means (Celery's "it logs to stderr")."""
    def flags(invocations: list[Invocation]) -> list[tuple[str, str, str]]:
        return [(f.setting, f.flag, f.value) for i in invocations for f in sorted(i.flags, key=lambda f: f.line)]

    old, new = flags(before), flags(after)
    gone = Counter(old) - Counter(new)
    added = Counter(new) - Counter(old)
    out = []
    for setting, flag, value in old:
        if not gone[(setting, flag, value)]:
            continue
        gone[(setting, flag, value)] -= 1
        now = next((key for key in added if added[key] and key[0] == setting), None)
        if now is not None:
            added[now] -= 1
            out.append(f"{program}'s {flag} {value} is now {now[2]}" + (" (the console)" if now[2] == "-" else ""))
        else:
            out.append(f"{program}'s {flag} {value} removed" + (f" ({dropped})" if dropped else ""))
    for (setting, flag, value), count in added.items():
        out += [f"{program}'s {flag}{' ' + value if value else ''} added"] * count  # a switch has no value
    return out
