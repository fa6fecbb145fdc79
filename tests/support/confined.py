"""Real runs under the conditions a container imposes: another user (setpriv to 65534), read-only directories (a
private mount namespace with read-only bind mounts, as `readOnlyRootFilesystem` makes them), of supervisord and
Gunicorn as a deploy's own start command runs them.

Root is never refused a write, so the permission failures of a deploy need another user; the read-only ones need
`unshare -m`. Both need root here: `available()` says whether this machine can make them, and tests skip
otherwise. Everything such a run reads must be readable by user 65534, so its trees live in `world_dir()`, not
in pytest's private temporary directories.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

import supervisor

from tests.support import realrun

NOBODY = 65534
# Another user cannot run the venv's interpreter (it links under /root); the system's own can, and supervisor is
# pure Python, so it runs from the venv's site-packages.
SYSTEM_PYTHON = next((p for p in ("/usr/bin/python3.11", "/usr/bin/python3") if os.access(p, os.X_OK)), None)
SITE_PACKAGES = Path(supervisor.__file__).resolve().parent.parent


def available() -> bool:
    return os.geteuid() == 0 and SYSTEM_PYTHON is not None and bool(shutil.which("unshare") and shutil.which("setpriv"))


def world_dir(prefix: str) -> Path:
    """A new directory under /tmp that every user can read and enter (the caller removes it)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def open_to_all(top: Path) -> None:
    """Make every directory below `top` enterable and every file readable by any user (a clone's tree)."""
    for directory, dirs, files in os.walk(top):
        os.chmod(directory, 0o755)
        for name in files:
            path = Path(directory, name)
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o644)


def shims(directory: Path) -> Path:
    """`supervisord`, `gunicorn`, `celery` and `python3` on a PATH every user can run: the system interpreter with the venv's
    packages (both are pure Python)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    for name, entry in (("supervisord", "supervisor.supervisord import main"), ("gunicorn", "gunicorn.app.wsgiapp import run as main"),
                        ("celery", "celery.__main__ import main")):
        (directory / name).write_text(f"#!{SYSTEM_PYTHON}\nimport sys\nsys.path.insert(0, {str(SITE_PACKAGES)!r})\n"
                                      f"from {entry}\nsys.exit(main())\n")
        (directory / name).chmod(0o755)
    (directory / "python3").symlink_to(SYSTEM_PYTHON)
    return directory


WSGI_APP = 'def app(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain")])\n    return [b"ok\\n"]\n'


def run(command: str, cwd: Path, *, user: int | None = None, read_only: Sequence[Path] = (), port: int | None = None,
        probe: str = "/", timeout: float = 20, env: Mapping[str, str | None] | None = None) -> realrun.Run:
    """Run a deploy's start command (a shell command line, as its entrypoint or Procfile spells it) in `cwd` with
    `read_only` directories mounted read-only and as `user`; until `port` answers `probe`, it exits, or `timeout`."""
    with tempfile.TemporaryDirectory(prefix="confined-") as scratch:
        base = Path(scratch)
        base.chmod(0o755)
        bin_dir = shims(base / "bin")
        mounts = "".join(f"mount --bind -o ro {shlex.quote(str(d))} {shlex.quote(str(d))} && " for d in read_only)
        # The container's stdout is a pipe (a file would be reopened at offset 0 by `/dev/stdout`), and runc hands
        # the container's stdio to its user (fixStdioPermissions), so `/dev/stdout` opens for it.
        drop = (f"chown {user}:{user} /proc/self/fd/1 /proc/self/fd/2 && "
                f"exec setpriv --reuid={user} --regid={user} --clear-groups ") if user is not None else "exec "
        process = f"{drop}bash -c {shlex.quote(command)}"
        # `cd` again after the mounts: a working directory entered before them would still be the writable one.
        inner = f'{mounts}cd "$(pwd -P)" && sh -c {shlex.quote(process)} 2>&1 | cat'
        script = base / "start"
        # A pid namespace of its own: when the run ends, the kernel kills whatever it started (supervisord's programs
        # are in process groups of their own, and outlive a supervisord killed before it stopped them).
        script.write_text(f"exec unshare -m -p -f sh -c {shlex.quote(inner)}\n")
        extra: dict[str, str | None] = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PYTHONPATH": None,
                                        "HOME": str(cwd), **(env or {})}
        return realrun.run_script(script, extra, cwd=cwd, port=port, timeout=timeout, probe=probe)
