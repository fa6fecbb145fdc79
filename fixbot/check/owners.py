"""Whether the user a container runs as can write into a log directory: only what the Dockerfiles prove.

A Dockerfile's last `USER` runs the process (every Dockerfile must agree, and no compose `user:` or Kubernetes
`runAsUser` may say otherwise). A directory is unwritable for that user when the image has it from root alone:
the base image's own directories (`/var/log`, `/opt`...) or ones made by `RUN mkdir` as root and `COPY` without
`--chown`, with no `chown`/`chmod` of it or a directory above it anywhere (Dockerfile or script), no volume and
nothing else that might make it at run time. Anything else is no finding.
"""

from __future__ import annotations

from fixbot.check.dirs import BASE_DIRS, Dirs

_EVERYONE = frozenset({"/tmp", "/var/tmp", "/dev", "/dev/shm", "/run/shm"})


def run_as(dirs: Dirs) -> str | None:
    """The non-root user every Dockerfile's last stage runs as, when that is certain."""
    users = set(dirs.users)
    if dirs.overridden or len(users) != 1:
        return None
    user = users.pop()
    return None if user in ("root", "0", "") or "$" in user else user


def unwritable(dirs: Dirs, directory: str) -> str | None:
    """Why `directory` is not writable by the container's user (evidence), or None when it may be."""
    user = run_as(dirs)
    if user is None or directory in _EVERYONE:
        return None
    exact = []
    for made in dirs.made:
        above = directory.startswith(made.path.rstrip("/") + "/")
        if made.how in ("chown", "chmod") and (made.path == directory or above):
            return None  # handed over, or opened up
        if made.pattern is not None and made.owner != "root":
            return None  # a directory made at run time, maybe this one
        if made.path == directory:
            if made.owner != "root":
                return None
            exact.append(made)
    if exact:
        made = exact[0]
        return f"{made} as root and nothing hands it to {user}, the USER the container runs as"
    if directory in BASE_DIRS:
        return f"{directory} belongs to root in the base image and the container runs as USER {user}"
    return None
