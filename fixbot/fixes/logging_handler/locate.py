"""Finds the logging configuration that failed by the log's evidence: Django settings, YAML, JSON, INI or a Python dictConfig.

One flow. Every configuration in the repository that could hold the failing handler is a candidate: the files
the program's command line names (`--log-config FILE`, `--log-config-json FILE`, Gunicorn's `logconfig = FILE`),
Gunicorn's `-c` config module (its `logconfig_dict`), the module whose traceback frame called logging.config and the files it names, every YAML, JSON, INI and Python
logging config holding a file handler (one bounded `git grep`, as settings_find scans), and Django's settings
modules (settings_find chooses among those by the same kind of evidence). The candidate whose handlers hold the
log's handler writing to its path wins (then the handler, then the path); files named by the command line or
the traceback break ties; a log from Django goes to its settings. Several candidates and no evidence: exit 2.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fixbot.errors import BadInput
from fixbot.formats.logconfig.configs import CONFIG_SUFFIXES, Unreadable, handlers_of, path_matches
from fixbot.settings_find import NOT_DEPLOY, MAX_DEPLOY_FILE, MAX_SCAN_BYTES, MAX_SCAN_FILES, MAX_SCAN_SECONDS

if TYPE_CHECKING:
    from fixbot.repo import RepoView
    from fixbot.settings_find import Located

# One `git grep` finds every file worth reading: configs with a file handler, and the places that name a config.
_WORDS = ("FileHandler", "--log-config", "logconfig", "LOGGING_CONFIG", "dictConfig", "fileConfig", "gunicorn")
_REFERENCE = re.compile(
    r"""--log-config(?:-json)?(?:=|\s+)['"]?(?P<flag>[^\s'"`;|&)]+)"""
    r"""|\blogconfig(?:_json)?\s*=\s*['"](?P<setting>[^'"]+)['"]"""
    r"""|\bgunicorn\b[^\n]*?\s(?:-c|--config)(?:=|\s+)['"]?(?P<module>[^\s'"`;|&)]+)"""  # logconfig_dict is in it
)
_QUOTED_CONFIG = re.compile(r"""['"](?P<file>[^'"\s]+\.(?:ya?ml|json|ini|conf|cfg))['"]""")
HOW_TO_CHOOSE = "run `fixbot codemod logging-console FILE` on the one that failed"


class Ambiguous(BadInput):
    """Several logging configurations could have failed and nothing in the log or the repository tells them apart."""


@dataclass(frozen=True)
class Candidate:
    file: str
    score: int  # 3 the handler writing to the path, 2 the handler (writing a file), 1 a handler writing to the path
    what: str
    named: str  # why the log or the deploy points at it ("" when nothing does)
    unknown: bool = False  # the traceback's caller configures logging in a way fixbot cannot read: it may hold it


@dataclass(frozen=True)
class Target:
    """The configuration to fix and why; `django` is set when it is a Django settings module (settings_find's)."""

    file: str
    why: str
    still_failing: str
    django: "Located | None" = None


def locate(repo: RepoView, facts: dict, frames: list[str], settings: str | None = None) -> Target | None:
    """The configuration that failed, or None when nothing in the repository holds it; Ambiguous (exit 2) rather
    than a guess. `settings`: the DJANGO_SETTINGS_MODULE the user named (--settings, `settings:`), if any."""
    program = facts.get("program")
    django = _django(repo, facts, frames, settings) if program in (None, "python", "django") else None
    if django is not None and _unused_by_django(repo, django):
        django = None  # `LOGGING_CONFIG = None`: Django never configured its LOGGING; something else did
    elif program == "django" and django is not None and django.still_failing:
        return django
    found = candidates(repo, facts, frames)
    holders = [c for c in found if c.score and (django is None or c.file != django.file)]
    if not holders and (django is None or not django.still_failing):
        # Already fixed only when nothing the log points at might still hold the handler.
        unknown = [c for c in found if c.unknown]
        if unknown:
            raise Ambiguous(f"cannot tell whether the failure is gone: {unknown[0].named}, and it {unknown[0].what}; "
                            f"{HOW_TO_CHOOSE}")
        outside = _outside(repo, facts, frames)
        if outside:
            raise Ambiguous(f"cannot tell which logging configuration failed: {outside}; {HOW_TO_CHOOSE}")
    if django is not None and (django.still_failing or not holders):
        if not holders:
            return django
        raise Ambiguous(f"cannot tell which logging configuration failed: {django.file} (Django's LOGGING) and "
                        f"{_names(holders)} all hold it; {HOW_TO_CHOOSE}")
    if holders:
        best = max(c.score for c in holders)
        group = [c for c in holders if c.score == best]
        named = [c for c in group if c.named]
        winner = group[0] if len(group) == 1 else named[0] if len(named) == 1 else None
        if winner is None:
            raise Ambiguous(f"cannot tell which logging configuration failed: {_names(group)} all "
                            f"{group[0].what.replace('defines', 'define', 1)}, "
                            f"and neither the log nor a deploy file tells them apart; {HOW_TO_CHOOSE}")
        why = f"{winner.file} {winner.what}, as the log says" + (f"; {winner.named}" if winner.named else "")
        return Target(winner.file, why + ".", f"{winner.file} still {winner.what}")
    named = [c for c in found if c.named]
    if len(named) == 1:  # the one config the deploy names no longer holds the failure: already fixed
        return Target(named[0].file, f"{named[0].named}; it {named[0].what}.", "")
    if named:
        raise Ambiguous(f"cannot tell which logging configuration failed: {_names(named)} are all named by the "
                        f"deploy and none holds the log's handler; {HOW_TO_CHOOSE}")
    return None


def candidates(repo: RepoView, facts: dict, frames: list[str]) -> list[Candidate]:
    """Every logging configuration file of the repository (not Django's settings), scored by the log's evidence."""
    handler, path = _text(facts.get("handler")), _text(facts.get("path"))
    named = references(repo, facts, frames)
    files = dict.fromkeys(named)
    for file in _scan(repo):
        if file.endswith(CONFIG_SUFFIXES + (".py",)) and not NOT_DEPLOY.search(file):
            files.setdefault(file)
    out = []
    for file in files:
        text = repo.read_or_none(file)
        if text is None or len(text) > MAX_DEPLOY_FILE:
            continue
        try:
            handlers = handlers_of(text, file)
        except Unreadable as why:
            if file in named:  # the config the deploy uses does not load: that is the answer
                raise BadInput(f"{file}: {named[file]}, but it cannot be read: {why}") from None
            continue
        if handlers is None:
            if file in named and not file.endswith(".py"):
                out.append(Candidate(file, 0, "holds no logging handlers", named[file]))
            elif named.get(file, "").startswith("the traceback shows") and not _names_a_config(repo, file, text):
                out.append(Candidate(file, 0, "builds its logging config in a way fixbot cannot read statically "
                                              "(not a dict literal)", named[file], unknown=True))
            continue
        out.append(_score(file, handlers, handler, path, named.get(file, "")))
    return out


def _score(file: str, handlers: dict, handler: str | None, path: str | None, named: str) -> Candidate:
    shown = f" writing to {path}" if path else ""
    found = handlers.get(handler) if handler else None
    if found is not None and found.writes_file:
        if path and path_matches(found.filename, path):
            return Candidate(file, 3, f"defines handler '{handler}'{shown}", named)
        if not (path and found.filename):  # a literal file elsewhere: it moved (logging-path's fix), not this one
            return Candidate(file, 2, f"defines handler '{handler}' writing to a file", named)
    if path:
        for other in handlers.values():
            if path_matches(other.filename, path):
                return Candidate(file, 1, f"defines handler '{other.name}'{shown}", named)
    what = f"has no handler '{handler}'{shown}" if handler else f"has no handler{shown}"
    return Candidate(file, 0, what, named)


def references(repo: RepoView, facts: dict, frames: list[str]) -> dict[str, str]:
    """Repository files the log or the deploy names as the logging config: file -> why."""
    out: dict[str, str] = {}
    config = str(facts.get("config") or "")
    caller = _mapped_config(repo, config, frames) if config else None
    if caller and not caller.endswith(".py"):
        out[caller] = f"the log's command line names it (--log-config {config})"
    elif caller:  # the module that called dictConfig or fileConfig, and the config files it names
        out[caller] = f"the traceback shows {caller} calling logging.config"
        for match in _QUOTED_CONFIG.finditer(repo.read_or_none(caller) or ""):
            found = _resolve(repo, caller, match["file"])
            if found:
                out.setdefault(found, f"{caller}, which the traceback shows configuring logging, names it")
    for file in _scan(repo):
        if NOT_DEPLOY.search(file):
            continue
        for match in _REFERENCE.finditer(_live(repo.read_or_none(file) or "")):
            value = match["flag"] or match["setting"] or match["module"]
            found = _resolve(repo, file, value)
            if found and found not in out:
                how = "--log-config" if match["flag"] else "logconfig" if match["setting"] else "gunicorn -c"
                out[found] = f"{file} names it ({how} {value})"
    return out


def _absolute(path: str) -> bool:
    return path.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", path))


def _mapped_config(repo: RepoView, config: str, frames: list[str]) -> str | None:
    """The repository file the log's config path names. A config (not a module) named by an absolute path must
    match by more than its file name, or sit where the traceback shows the repository deployed: `logging.yaml`
    is not `/etc/orders/logging.yaml`."""
    found = repo.map_log_path(config) or repo.named_file("", config)
    if not found or found.endswith(".py") or not _absolute(config):
        return found
    parts = [p for p in re.split(r"[/\\]+", config) if p]
    if len(found.split("/")) >= 2 and parts[-len(found.split("/")):] == found.split("/"):
        return found
    for frame in frames:  # /app/manage.py is manage.py: the repository is deployed at /app
        path = frame.rsplit(":", 1)[0]
        mapped = repo.map_log_path(path)
        if mapped and path.replace("\\", "/").endswith("/" + mapped):
            root = path.replace("\\", "/")[: -len(mapped)]
            if config.replace("\\", "/") == root + found:
                return found
    return None


def _outside(repo: RepoView, facts: dict, frames: list[str]) -> str:
    """Why the config the log's command line names is no file of this repository ("" when it is one, or none)."""
    config = str(facts.get("config") or "")
    if not config or config.endswith(".py") or not _absolute(config) or _mapped_config(repo, config, frames):
        return ""
    alike = repo.map_log_path(config)
    return (f"the log's command line names {config}, which is no file of this repository"
            + (f" ({alike} matches it by its file name only)" if alike else ""))


def _names_a_config(repo: RepoView, caller: str, text: str) -> bool:
    return any(_resolve(repo, caller, m["file"]) for m in _QUOTED_CONFIG.finditer(text))


def _unused_by_django(repo: RepoView, django: Target) -> bool:
    located = django.django
    files = located.chain if located is not None else (django.file,)
    return any(re.search(r"^LOGGING_CONFIG\s*=\s*None\b", repo.read_or_none(f) or "", re.M) for f in files)


def _live(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _resolve(repo: RepoView, where: str, value: str) -> str | None:
    return None if value.startswith("python:") else repo.named_file(where, value)


def _scan(repo: RepoView) -> list[str]:
    """The tracked text files holding one of _WORDS, within settings_find's bounds in files, bytes and time."""
    out, total, started = [], 0, time.monotonic()
    for file in sorted(repo.grep(*_WORDS), key=lambda f: (f.count("/"), f)):
        if len(out) >= MAX_SCAN_FILES or total > MAX_SCAN_BYTES or time.monotonic() - started > MAX_SCAN_SECONDS:
            break
        text = repo.read_or_none(file)
        if text is not None and len(text) <= MAX_DEPLOY_FILE:
            total += len(text)
            out.append(file)
    return out


def _django(repo: RepoView, facts: dict, frames: list[str], settings: str | None) -> Target | None:
    from fixbot.settings_find import locate as locate_settings

    located = locate_settings(repo, facts, frames, settings)
    if located is None:
        return None
    return Target(located.file, f"{located.why}.", located.still_failing, located)


def _text(value) -> str | None:
    return str(value) if value else None


def _names(found: list[Candidate]) -> str:
    shown = [c.file for c in found[:5]]
    return ", ".join(shown) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
