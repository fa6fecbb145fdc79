"""Whether the user a container runs as can write into a log directory: only what the Dockerfiles (and a declared platform) prove.

A Dockerfile's last `USER` runs the process (every Dockerfile must agree, and no compose `user:` or Kubernetes
`runAsUser` may say otherwise; a declared `deploy.user` or a platform that picks the user wins). A directory is
unwritable for that user when the image has it from root alone: the base image's own directories (`/var/log`,
`/opt`...) or ones made by `RUN mkdir` as root and `COPY` without `--chown`, with no `chown`/`chmod` of it or a
directory above it anywhere (Dockerfile or script), no volume and nothing else that might make it at run time.
With a read-only root filesystem (`deploy.read_only_root`), only volumes and the platform's writable
directories take files, whoever runs. Anything else is no finding.
"""

from __future__ import annotations

from fixbot.check.made import Dirs

_EVERYONE = frozenset({"/tmp", "/var/tmp", "/dev", "/dev/shm", "/run/shm"})
_MOUNTS = ("VOLUME", "volume")


def run_as(dirs: Dirs) -> str | None:
    """The non-root user every Dockerfile's last stage runs as, when that is certain."""
    users = set(dirs.users)
    if dirs.overridden or len(users) != 1:
        return None
    user = users.pop()
    return None if user in ("root", "0", "", None) or "$" in user else user


def _under(directory: str, top: str) -> bool:
    return directory == top or directory.startswith(top.rstrip("/") + "/")


def unwritable(dirs: Dirs, directory: str) -> str | None:
    """Why `directory` is not writable by the container's user (evidence), or None when it may be."""
    if any(_under(directory, w) for w in dirs.writable):
        return None
    if dirs.read_only:
        if any(m.how in _MOUNTS and (m.may_be(directory) or _under(directory, m.path)) for m in dirs.made):
            return None
        return f"the root filesystem is read-only ({dirs.declared}: read_only_root) and no volume is mounted there"
    user = run_as(dirs)
    if user is None or directory in _EVERYONE:
        return None
    exact = []
    for made in dirs.made:
        above = _under(directory, made.path) and made.path != directory
        if made.how in ("chown", "chmod") and (made.path == directory or above):
            return None  # handed over, or opened up
        if made.pattern is not None and made.owner != "root" and made.may_be(directory):
            return None  # a directory made at run time, maybe this one
        if made.path == directory and made.pattern is None:
            if made.owner != "root":
                return None
            exact.append(made)
    if exact:
        made = exact[0]
        return f"{made} as root and nothing hands it to {user}, the USER the container runs as"
    if directory in dirs.base:
        return f"{directory} belongs to root in the base image and the container runs as USER {user}"
    return None
