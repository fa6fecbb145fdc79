"""Which of a repository's files its deploy runs: the ones `fixbot check` judges, so a stale or VM-only config is left out.

The deploy starts from the files that describe one (Dockerfiles, compose and Kubernetes YAML, Procfiles,
supervisord programs); a script runs when one of those (or a script that runs) names it, a Gunicorn config
module when a file that runs names it (`-c gunicorn.conf.py`, or Gunicorn's default `gunicorn.conf.py`), and a
Django settings file when it is in the star-import chain of a settings module the repository says it runs
(`DJANGO_SETTINGS_MODULE` / `--settings` in those files, else the default in `wsgi.py`/`manage.py`).
"""

from __future__ import annotations

import posixpath
import re

from fixbot.formats import named

ROOTS = ("dockerfile*", "*.dockerfile", "containerfile*", "docker-compose*.yml", "docker-compose*.yaml",
         "compose*.yml", "compose*.yaml", "procfile*", "supervisor*.conf", "*.ini", "*.yml", "*.yaml")
_SCRIPT = ("*.sh", "*.bash", "entrypoint*", "docker-entrypoint*", "start", "startup", "run", "*.env", ".env")


def _mentions(text: str, file: str) -> bool:
    name = posixpath.basename(file)
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def run_files(files: list[str], read) -> set[str]:
    """The deploy's own files and every script, config module or logging config (`--log-config logging.ini`) they
    reach by name."""
    from fixbot.formats.logconfig.files import FORMAT_FILES

    used = {f for f in files if named(f, ROOTS) and _deploy_text(f, read(f) or "")}
    candidates = [f for f in files if f not in used and (named(f, _SCRIPT + FORMAT_FILES) or _is_config_module(f))]
    changed = True
    while changed:
        changed = False
        texts = [read(f) or "" for f in used]
        for file in candidates:
            if file not in used and any(_mentions(t, file) for t in texts):
                used.add(file)
                changed = True
    starts_gunicorn = any("gunicorn" in (read(f) or "") for f in used)
    used |= {f for f in files if posixpath.basename(f) == "gunicorn.conf.py" and starts_gunicorn}
    return used


def _is_config_module(file: str) -> bool:
    return file.endswith(".py") and "gunicorn" in posixpath.basename(file).lower() or \
        posixpath.basename(file).lower().startswith("gunicorn")


def _deploy_text(file: str, text: str) -> bool:
    """A YAML or INI file describes a deploy when it is compose, Kubernetes or supervisord."""
    if file.lower().endswith((".yml", ".yaml")) and not named(file, ROOTS[3:7]):
        return bool(re.search(r"(?m)^\s*(services|containers|command|args)\s*:", text))
    if file.lower().endswith(".ini") or named(file, ("supervisor*.conf",)):
        return "[program:" in text or "[supervisord]" in text  # supervisord's own config writes its log
    return True


def named_by(files: list[str], texts: list[str]) -> set[str]:
    """The logging configs (YAML, JSON, INI) that one of `texts` names: `fileConfig("logging.ini")` in settings."""
    from fixbot.formats.logconfig.files import FORMAT_FILES

    return {f for f in files if named(f, FORMAT_FILES) and any(_mentions(t, f) for t in texts)}


def settings_walks(repo, files: list[str], used: set[str], read) -> list | None:
    """The settings modules the deploy runs, each walked to the LOGGING it produces (settings_walk.Walk); a chain
    that does not parse is left out. None when the repository names no settings module."""
    from fixbot.settings_walk import Walk

    modules = settings_modules(repo, files, used, read)
    if modules is None:
        return None
    walks = []
    for file, module in modules.items():
        walk = Walk(repo)
        try:
            walk.visit(file, module, ())
        except Exception:  # a chain that does not parse: its files are not judged
            continue
        walks.append(walk)
    return walks


def settings_modules(repo, files: list[str], used: set[str], read) -> dict[str, str] | None:
    """{settings file: module} for each settings module the deploy runs; None when the repository names none."""
    from fixbot.settings_find import ENTRY_POINTS, SETDEFAULT, env_modules, module_name

    entries = [f for f in files if posixpath.basename(f) in ENTRY_POINTS]
    modules: dict[str, str] = {}
    for file in sorted(used):
        for module in env_modules(read(file) or ""):
            found = repo.module_file(module, entries)
            if found:
                modules.setdefault(found, module)
    if not modules:  # the default the entry points set: `os.environ.setdefault("DJANGO_SETTINGS_MODULE", …)`
        for entry in entries:
            match = SETDEFAULT.search(read(entry) or "")
            found = repo.module_file(match["module"], [entry]) if match else None
            if found:
                modules.setdefault(found, match["module"])
    if not modules:
        return None
    return {file: module or module_name(repo, file) for file, module in modules.items()}
