"""One deploy, one fix: the other places on the failing process's start path that write a log where the same deploy gives no place, read with `fixbot check`'s own knowledge.

The start path is what `fixbot check` judges (check/deploy.py: the deploy files, the scripts and config modules they
name, the settings chain the deploy runs, the logging configs they pass) plus the application modules the deploy
imports (an app module building a FileHandler); its sites are the rooms' `sites()` (check/sites.py), made
absolute as check makes them (WORKDIR, `cd`, `--chdir`). A site is blocked when it writes into the directory the
log says is missing or unwritable, anywhere when the log says the root is read-only (except in a volume), or where
check would call it `log-dir-missing` or `log-dir-unwritable`. Another program's flags (Celery's, when Gunicorn
failed) are another process: left alone. The plan fixes each blocked site with its room's codemod in the same
commit; what no codemod can change is `remaining`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from fixbot.check import _DEPLOY, _STD, _resolved, judge
from fixbot.check import deploy
from fixbot.check import dirs as dirs_mod
from fixbot.check import sites as sites_mod
from fixbot.formats import named

_STARTERS = ("entrypoint*", "docker-entrypoint*", "*entrypoint*.sh", "start*.sh", "run*.sh", "boot*.sh")

# The failing programs whose process a room's program starts: Gunicorn serves Django, uvicorn workers, a WSGI app;
# Celery's worker is a process of its own. A room without a program (a logging config) is on every path that reads it.
_SERVES = {"gunicorn": {"gunicorn", "django", "uvicorn", "python", "flask", "fastapi", None},
           "celery": {"celery"}}


@dataclass(frozen=True)
class Blocked:
    """A site on the start path that cannot write: `site` (fixbot/fixes/sites.py), with the reason."""

    site: sites_mod.Site
    why: str


def condition(facts: dict) -> tuple[str, str | None]:
    """("read-only" | "missing" | "denied" | "", the directory the log names) from a finding's facts."""
    cause = " ".join(str(facts.get(k, "")) for k in ("cause", "error", "reason")) + f" Errno {facts.get('errno', '')} "
    path = facts.get("path")
    directory = posixpath.dirname(posixpath.normpath(str(path))) if path else None
    if "Read-only file system" in cause or "Errno 30 " in cause:
        return "read-only", directory
    if "PermissionError" in cause or "Permission denied" in cause or "Errno 13 " in cause:
        return "denied", directory
    if any(w in cause for w in ("FileNotFoundError", "NotADirectoryError", "No such file", "Errno 2 ", "Errno 20")):
        return "missing", directory
    return "", directory


def blocked(repo, facts: dict, program: str | None, extra_files: tuple[str, ...] = ()) -> list[Blocked]:
    """Every site on the start path of `program` that writes where the deploy of `repo` gives no place, by the
    condition of `facts` (the failing finding's). `extra_files`: application modules the deploy imports."""
    how, directory = condition(facts)
    if not how or not directory:
        return []
    files = list(repo.tracked)
    read = repo.read_or_none
    made = dirs_mod.collect(files, read)
    # A start script is a deploy's own file even when no Dockerfile or compose file of the repository names it (a
    # platform runs it, or a Dockerfile kept elsewhere): then the files it names are on the path too.
    starters = {f for f in files if named(f, _STARTERS) and (read(f) or "").startswith("#!")}
    used = deploy.run_files(files, read, frozenset(starters))
    walks = deploy.settings_walks(repo, files, used, read) or []
    settings = set().union(*(w.seen for w in walks)) if walks else set()
    settings |= deploy.named_by(files, [read(f) or "" for f in settings | used])
    judged = [f for f in files if f in used or f in settings or f in extra_files]
    found = sites_mod.sites(repo, judged, read, walks)
    moves = any(deploy_moves(read(f) or "") for f in used)
    texts = {f: read(f) or "" for f in files if _DEPLOY.search(posixpath.basename(f))}
    out = []
    for site in found:
        if program not in _SERVES.get(_program(site), {program}):
            continue
        site = _resolved(site, made, moves, read)
        why = _why(site, how, directory, made, texts, read)
        if why:
            out.append(Blocked(site, why))
    return out


def _program(site) -> str | None:
    """The program whose start a site is part of: its room's (the room of the kind its codemod handles)."""
    from fixbot import codemods, fixes

    room = fixes.for_kind(codemods.get(site.codemod).HANDLES[0])
    return room.PROGRAM if room is not None else None


def deploy_moves(text: str) -> bool:
    from fixbot.check import _MOVE

    return bool(_MOVE.search(text))


def _why(site, how: str, directory: str, made, texts, read) -> str | None:
    value = site.value
    if value is None or value in _STD:
        return None
    if not value.startswith("/"):
        return f"{site.what} writes {value}, relative to a directory fixbot cannot tell; the log's {directory} may be it" \
            if how == "read-only" else None
    there = posixpath.dirname(posixpath.normpath(value))
    if how == "read-only":
        maker = made.exists(there)
        if isinstance(maker, dirs_mod.Made) and maker.how in ("VOLUME", "volume"):
            return None  # a volume is writable on a read-only root
        return f"{site.what} writes {value}, on the same read-only root as the log's {directory}"
    if there == directory or there.startswith(directory.rstrip("/") + "/"):
        lacks = "lacks" if how == "missing" else "cannot write"
        return f"{site.what} writes {value}, in {directory}, which the same deploy {lacks}"
    if made.known:
        finding = judge(site, made, texts, read)
        if finding is not None and finding.rule in ("log-dir-missing", "log-dir-unwritable"):
            return finding.evidence
    return None
