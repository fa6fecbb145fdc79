"""One deploy, one fix: the other places on the failing process's start path that write a log where the same deploy gives no place, read with `fixbot check`'s own knowledge.

The start path is what `fixbot check` judges (check/deploy.py: the deploy files, the scripts and config modules they
name, the settings chain the deploy runs, the logging configs they pass) plus the application modules the deploy
imports (an app module building a FileHandler); its sites are the rooms' `sites()` (check/sites.py), made
absolute as check makes them (WORKDIR, `cd`, `--chdir`). A site is blocked when it writes into the directory the
log says is missing, unwritable or read-only, anywhere on a root the deploy declares read-only (compose,
Kubernetes, .fixbot.yml's `deploy:`; except in a volume; one read-only directory in a log does not tell its root), or where
check would call it `log-dir-missing` or `log-dir-unwritable`. Another program's flags (Celery's, when Gunicorn
failed) are another process: left alone. The plan fixes each blocked site with its room's codemod in the same
commit; what no codemod can change is `remaining`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

from fixbot.check import _DEPLOY, _STD, _resolved, judge
from fixbot.check import deploy
from fixbot.check import dirs as dirs_mod
from fixbot.check import sites as sites_mod

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
    path, named = facts.get("path"), facts.get("dir")  # a pid file's or heartbeat's room names the directory itself
    directory = posixpath.normpath(str(named)) if named else posixpath.dirname(posixpath.normpath(str(path))) if path else None
    if "Read-only file system" in cause or "Errno 30 " in cause:
        return "read-only", directory
    if "PermissionError" in cause or "Permission denied" in cause or "Errno 13 " in cause:
        return "denied", directory
    if any(w in cause for w in ("FileNotFoundError", "NotADirectoryError", "No such file", "Errno 2 ", "Errno 20")):
        return "missing", directory
    return "", directory


def blocked(repo, facts: dict, program: str | None, declared=None) -> list[Blocked]:
    """Every site on the start path of `program` that writes where the deploy of `repo` gives no place, by the
    condition of `facts` (the failing finding's); `declared`: what .fixbot.yml's `deploy:` says of where it runs
    (check/platforms.Declared: a read-only root, a user), as `fixbot check` reads it."""
    how, directory = condition(facts)
    if not how or not directory:
        return []
    files = list(repo.tracked)
    read = repo.read_or_none
    made = dirs_mod.collect(files, read, declared)
    # A start script is a deploy's own file even when no Dockerfile or compose file of the repository names it (the
    # failed deploy ran something: a platform runs it, or a Dockerfile kept elsewhere).
    used = deploy.run_files(files, read, starters=True)
    walks = deploy.settings_walks(repo, files, used, read) or []
    settings = set().union(*(w.seen for w in walks)) if walks else set()
    settings |= deploy.named_by(files, [read(f) or "" for f in settings | used])
    frames = [str(f).rsplit(":", 1)[0] for f in facts.get("project_frames", [])]
    app = app_modules(repo, [f for f in used], frames, read)
    judged = [f for f in files if f in used or f in settings or f in app]
    # A place writable everywhere but on a read-only root (Site.read_only_rule) is on the path where check sees it:
    # where the deploy declares that root, not where one mount of it is read-only.
    found = [s for s in sites_mod.sites(repo, judged, read, walks) if made.read_only or not s.read_only_rule]
    moves = any(deploy_moves(read(f) or "") for f in used)
    texts = {f: read(f) or "" for f in files if _DEPLOY.search(posixpath.basename(f))}
    out = []
    found = [_resolved(s, made, moves, read) for s in found if program in _SERVES.get(_program(s), {program})]
    if directory.startswith("/"):  # the log names an absolute path: so does each relative site, where it runs
        found = [_through_workdir(s, read) for s in found]
    cwd = working_directory(found, str(facts.get("path") or ""))
    for site in found:
        if cwd and site.value and not site.value.startswith("/") and site.value not in _STD:
            site = replace(site, value=posixpath.normpath(posixpath.join(cwd, site.value)),
                           what=f"{site.what} (relative to {cwd}, where the log shows the process ran)")
        why = _why(site, how, directory, made, texts, read)
        if why:
            out.append(Blocked(site, why))
    return out


# `module:callable` as Gunicorn, uvicorn, hypercorn, daphne and waitress are handed their application.
_APP_SPEC = re.compile(r"(?<![\w./-])(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*)(?:\(\))?(?![\w/])")
MAX_MODULES = 300


def app_modules(repo, deploy_files: list[str], frames: list[str], read) -> set[str]:
    """The application modules the deploy imports: the ones its start commands hand Gunicorn or uvicorn
    (`app.main:app`), the WSGI/ASGI entry points, the modules the log's traceback ran, and every module of the
    repository they import, followed through `import` and `from … import` (at most MAX_MODULES)."""
    from fixbot.settings_find import ENTRY_POINTS

    todo = [f for f in (repo.map_log_path(frame) for frame in frames) if f]
    for file in deploy_files:
        for match in _APP_SPEC.finditer(read(file) or ""):
            found = repo.module_file(match["module"], [file])
            if found:
                todo.append(found)
    todo += [f for f in repo.tracked if posixpath.basename(f) in ENTRY_POINTS]
    seen: set[str] = set()
    while todo and len(seen) < MAX_MODULES:
        file = todo.pop()
        if file in seen or not file.endswith(".py"):
            continue
        seen.add(file)
        todo += [f for f in _imported(repo, file, read(file) or "") if f not in seen]
    return seen


def _imported(repo, file: str, text: str) -> list[str]:
    """The repository modules a module imports (absolute from the repository's roots, or relative to it)."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    package = posixpath.dirname(file).replace("/", ".")
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join([*parts, base] if base else parts)
            names += [base] + [f"{base}.{a.name}" for a in node.names if base]
    return [f for f in (repo.module_file(n, [file]) for n in names if n) if f]


def _through_workdir(site, read):
    """A relative site made absolute through the directory its file starts the process in (`cd`, WORKDIR, compose
    working_dir, --chdir/--workdir), as formats/deploy/workdir.py reads it; as it was when the file does not say."""
    from fixbot.formats.deploy import workdir

    value = site.value
    if not value or value.startswith("/") or value in _STD:
        return site
    there = workdir.absolute(site.path, read(site.path) or "", site.line, value)
    if there is None:
        return site
    return replace(site, value=there, what=f"{site.what} (relative to where {site.path} starts it)")


def working_directory(sites, path: str) -> str | None:
    """The directory the failed process ran in, when a site names its log file relative to it: the log's absolute
    path ends with that relative path (`--error-logfile log/error.log` and `/app/log/error.log`: /app)."""
    path = posixpath.normpath(path) if path.startswith("/") else ""
    for site in sites:
        value = site.value
        if path and value and not value.startswith("/") and value not in _STD and "$" not in value:
            tail = "/" + posixpath.normpath(value).lstrip("/")
            if not tail.startswith("/..") and path.endswith(tail):
                return path[: -len(tail)] or "/"
    return None


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
    if not directory.startswith("/") and not value.startswith("/"):
        # The log names its file as the process was given it, relative to where it ran: so is this one.
        there = posixpath.dirname(posixpath.normpath(value))
        if there == posixpath.normpath(directory):
            return f"{site.what} writes {value}, in {directory}, beside the log's file, which the same deploy " + \
                {"missing": "lacks", "read-only": "has read-only"}.get(how, "cannot write")
        return None
    if not value.startswith("/"):
        return f"{site.what} writes {value}, relative to a directory fixbot cannot tell; the log's {directory} may be it" \
            if how == "read-only" and made.read_only else None
    there = posixpath.dirname(posixpath.normpath(value))
    if how == "read-only" and made.read_only:  # the deploy declares its root read-only: every path on it
        maker = made.exists(there)
        if isinstance(maker, dirs_mod.Made) and maker.how in ("VOLUME", "volume"):
            return None  # a volume is writable on a read-only root
        return f"{site.what} writes {value}, on the same read-only root as the log's {directory}"
    if there == directory or there.startswith(directory.rstrip("/") + "/"):
        lacks = {"missing": "lacks", "read-only": "has read-only"}.get(how, "cannot write")
        return f"{site.what} writes {value}, in {directory}, which the same deploy {lacks}"
    if made.known:
        finding = judge(site, made, texts, read)
        if finding is not None and finding.rule in ("log-dir-missing", "log-dir-unwritable"):
            return finding.evidence
    return None
