"""The commands fixbot prints for a person to run, each built with shlex.join so that no path can turn into a second command."""

from __future__ import annotations

import shlex


def fixbot(*args: str) -> str:
    """`fixbot ARGS...` quoted for a POSIX shell: `a;touch${IFS}x;logging.yaml` stays one argument."""
    return shlex.join(["fixbot", *args])


def command(*argv: str, env: dict[str, str] | None = None) -> str:
    """Any other command fixbot prints (`curl -fsS URL`, `NAME=value python manage.py check`), quoted the same way."""
    prefix = "".join(f"{name}={shlex.quote(value)} " for name, value in (env or {}).items())
    return prefix + shlex.join(argv)
