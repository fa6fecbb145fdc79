"""Finds the Django settings module that failed by the log's evidence (the handler and path it names), with the deploy files as tie-breakers.

DJANGO_SETTINGS_MODULE is often set outside the repository (Heroku, Render, a manifest kept elsewhere), so the
module a deploy file or manage.py names is only a tie-breaker: every settings module that defines or changes
LOGGING is walked, and the one whose LOGGING still holds the failing handler (and its path) is the one that ran.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fixbot.errors import BadInput
from fixbot.formats.python_eval import UNKNOWN, Mapping, known, path_matches

if TYPE_CHECKING:
    from fixbot.repo import RepoView
    from fixbot.settings_walk import Walk

SETDEFAULT = re.compile(
    r"""os\.environ(?:\.setdefault\(\s*|\[\s*)['"]DJANGO_SETTINGS_MODULE['"]\s*(?:,|\]\s*=)\s*['"](?P<module>[\w.]+)['"]"""
)
# Shell, Dockerfile, .env, Procfile, Makefile, compose (list and mapping), supervisord `environment=` pairs,
# systemd `Environment=` (one pair or several in quotes), Gunicorn's raw_env.
_ENV_ASSIGN = re.compile(
    r"""(?:^|[\s;"'\[,=])(?:ENV\s+|export\s+|-e\s+|--env[=\s]|environment:\s*-?\s*|environment\s*=\s*)?DJANGO_SETTINGS_MODULE(?:=|[ \t]+|:[ \t]*)['"]?(?P<module>[A-Za-z_][\w.]*)""",
    re.M,
)
# Kubernetes: `- name: DJANGO_SETTINGS_MODULE` then `value: config.settings.prod` (or the flow form).
_K8S = re.compile(
    r"""name:\s*['"]?DJANGO_SETTINGS_MODULE['"]?\s*[,\n]\s*(?:-\s*)?value:\s*['"]?(?P<module>[A-Za-z_][\w.]*)"""
)
_SETTINGS_FLAG = re.compile(r"""--settings(?:=|\s+)['"]?(?P<module>[A-Za-z_][\w.]*)""")
MODULE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
ENTRY_POINTS = ("wsgi.py", "asgi.py", "manage.py")

# Files that set DJANGO_SETTINGS_MODULE without starting the app: documentation and test runners.
NOT_DEPLOY = re.compile(
    r"(?:^|/)(?:tests?|docs?)/|\.(?:md|rst|txt|html|ipynb)$|(?:^|/)(?:pytest\.ini|tox\.ini|setup\.cfg|pyproject\.toml|conftest\.py)$",
    re.I,
)
_WORDS = ("DJANGO_SETTINGS_MODULE", "--settings", "LOGGING")  # one `git grep` finds the files of every scan
MAX_DEPLOY_FILE = 256 << 10  # a deploy file is a few KiB; bigger ones are data
MAX_SCAN_BYTES = 8 << 20  # all files read by one scan together
MAX_SCAN_FILES = 400
MAX_SCAN_SECONDS = 5.0


def env_modules(text: str) -> list[str]:
    """Every settings module a deploy file sets, first `--settings`, then the environment; comments are skipped."""
    live = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found = [m["module"] for pattern in (_SETTINGS_FLAG, _K8S, _ENV_ASSIGN) for m in pattern.finditer(live)]
    return [m.rstrip(".") for m in dict.fromkeys(found) if MODULE.match(m.rstrip("."))]


@dataclass(frozen=True)
class SettingsChoice:
    module: str
    file: str  # repo-relative
    why: str


def _scan(repo: RepoView, word: str, suffix: str = "") -> list[tuple[str, str]]:
    """(file, text) of the tracked text files holding `word`, within the scan's bounds in files, bytes and time."""
    out, total, started = [], 0, time.monotonic()
    for file, words in repo.grep(*_WORDS).items():
        if word not in words or (suffix and not file.endswith(suffix)):
            continue
        if len(out) >= MAX_SCAN_FILES or total > MAX_SCAN_BYTES or time.monotonic() - started > MAX_SCAN_SECONDS:
            break
        text = repo.read_or_none(file)
        total += len(text or "")
        if text is not None and len(text) <= MAX_DEPLOY_FILE:
            out.append((file, text))
    return out


def deployed(repo: RepoView, frames: list[str]) -> list[SettingsChoice]:
    """Every settings module a tracked file that can start the app sets (a script in bin/, a supervisord or
    systemd unit, a Kubernetes manifest, compose, a Makefile, Procfile, .env...), nearest the top first."""
    near = frames or entry_points(repo, frames)
    sources = {f: t for f, t in _scan(repo, "DJANGO_SETTINGS_MODULE") + _scan(repo, "--settings")}
    choices: dict[str, SettingsChoice] = {}
    for source in sorted(sources, key=lambda t: (t.count("/"), t)):
        if NOT_DEPLOY.search(source) or (source.endswith(".py") and not source.rsplit("/", 1)[-1].startswith("gunicorn")):
            continue
        for module in env_modules(sources[source]):
            file = repo.module_file(module, near)
            if file and module not in choices:
                choices[module] = SettingsChoice(module, file, f"{source} sets DJANGO_SETTINGS_MODULE={module}")
    return list(choices.values())


def entry_points(repo: RepoView, frames: list[str]) -> list[str]:
    found = [f for f in frames if f.rsplit("/", 1)[-1] in ENTRY_POINTS]
    found += [t for t in repo.tracked if t.rsplit("/", 1)[-1] in ENTRY_POINTS]
    return list(dict.fromkeys(found))


def defaults(repo: RepoView, frames: list[str]) -> list[SettingsChoice]:
    """The `os.environ.setdefault(...)` defaults of wsgi.py, asgi.py and manage.py, the log's frames first."""
    out: dict[str, SettingsChoice] = {}
    for entry in entry_points(repo, frames):
        match = SETDEFAULT.search(repo.read_or_none(entry) or "")
        if match and match["module"] not in out:
            file = repo.module_file(match["module"], [entry])
            if file:
                out[match["module"]] = SettingsChoice(
                    match["module"], file, f"{entry} defaults DJANGO_SETTINGS_MODULE to {match['module']}"
                )
    return list(out.values())


def settings_module(repo: RepoView, frames: list[str]) -> SettingsChoice | None:
    """The DJANGO_SETTINGS_MODULE this repository says the process ran with: an environment set by the deploy
    wins over the entry points' default, as it does at run time."""
    mapped = [f for f in dict.fromkeys(repo.map_log_path(f.rsplit(":", 1)[0]) for f in frames) if f]
    return next(iter(deployed(repo, mapped) + defaults(repo, mapped)), None)


# --- evidence ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """How well a module's LOGGING matches the log: 3 the handler writing to the path, 2 the handler, 1 the path."""

    score: int
    file: str | None  # where the failing handler (or the one writing to the path) is defined
    unknown: bool  # its LOGGING is not static enough to say it no longer holds the failure
    what: str


def evidence(walk: Walk, handler: str | None, path: str | None) -> Evidence:
    logging = walk.logging
    if not isinstance(logging, Mapping):
        if walk.dynamic:  # every name was unknown from there on, LOGGING included (unless a literal follows)
            return Evidence(0, None, True, f"cannot be read statically: {walk.dynamic}, which may define anything")
        if walk.budget.spent:
            return Evidence(0, None, True, "cannot be read statically (the settings take more steps to evaluate "
                                           "than fixbot's bound)")
        if logging is UNKNOWN and walk.definer is None and not walk.opaque:
            return Evidence(0, None, False, "is not defined")
        return Evidence(0, None, True, "cannot be read statically (built by a call, or changed in a loop)")
    handlers = logging.get("handlers", UNKNOWN if logging.open else Mapping())
    if not isinstance(handlers, Mapping):
        return Evidence(0, None, True, "has handlers that cannot be read statically")
    shown = f" writing to {path}" if path else ""
    if handler in handlers:
        config = handlers[handler]
        origin = config.origin if isinstance(config, Mapping) else handlers.origin
        if not isinstance(config, Mapping):
            return Evidence(2, origin, True, f"defines handler '{handler}'")
        filename = config.get("filename", UNKNOWN if config.open else None)
        file_class = isinstance(config.get("class"), str) and "File" in config["class"]
        if filename is None and not file_class:
            pass  # a handler that writes no file any more (logging-console's fix)
        elif path and filename is not None and known(filename) and not path_matches(filename, path):
            pass  # its file moved (logging-path's fix)
        elif path and filename is not None and path_matches(filename, path):
            return Evidence(3, origin, False, f"defines handler '{handler}'{shown}")
        else:
            return Evidence(2, origin, False, f"defines handler '{handler}' writing to a file")
    if path:
        for name, config in handlers.items():
            if isinstance(config, Mapping) and path_matches(config.get("filename"), path):
                return Evidence(1, config.origin, False, f"defines handler '{name}'{shown}")
    unknown = handlers.open or logging.open or bool(walk.opaque)
    return Evidence(0, None, unknown, f"has no handler '{handler}'{shown}" if handler else f"has no handler{shown}")


@dataclass(frozen=True)
class Candidate:
    module: str
    file: str  # the module's own file
    walk: Walk
    evidence: Evidence


def module_name(repo: RepoView, file: str) -> str:
    """The dotted name of a tracked .py file: its directories up to the first one that is no package."""
    tracked = set(repo.tracked)
    parts = file.removesuffix(".py").split("/")
    start = len(parts) - 1
    while start > 0 and "/".join(parts[:start]) + "/__init__.py" in tracked:
        start -= 1
    names = parts[start:]
    return ".".join(names[:-1] if names[-1] == "__init__" and len(names) > 1 else names)


def candidate(repo: RepoView, module: str, file: str, handler: str | None, path: str | None) -> Candidate:
    from fixbot.settings_walk import Walk

    walk = Walk(repo)
    walk.visit(file, module, ())
    return Candidate(module, file, walk, evidence(walk, handler, path))


def candidates(repo: RepoView, handler: str | None, path: str | None, extra: list[SettingsChoice]) -> list[Candidate]:
    """Every settings module that defines or changes LOGGING (and those `extra` names), walked; the ones that
    do not parse are left out (a broken file elsewhere is no evidence), except the first of `extra`: the module
    the repository itself says ran, whose error is the answer."""
    modules = {c.file: c.module for c in extra}
    for file, text in _scan(repo, "LOGGING", ".py"):
        if re.search(r"^LOGGING\b|^\s*LOGGING\s*(?:\[|\.|\|=|=)", text, re.M) and file not in modules:
            modules[file] = module_name(repo, file)
    out = []
    for file, module in modules.items():
        try:
            out.append(candidate(repo, module, file, handler, path))
        except BadInput:
            if extra and file == extra[0].file:
                raise
            continue
    return out


# --- the choice ----------------------------------------------------------------------------------------------


class Ambiguous(BadInput):
    """Several settings modules could have failed and nothing in the log or the repository tells them apart."""


@dataclass(frozen=True)
class Located:
    """The settings module that failed, the file to fix in it, and why."""

    module: str
    file: str  # where the failing handler is defined: LOGGING's definer, or a file adding the handler
    chain: tuple[str, ...]
    mutations: tuple[str, ...]
    why: str
    still_failing: str  # why the failure is still there, "" when its LOGGING statically no longer holds it


HOW_TO_CHOOSE = "choose one with `fixbot apply --settings MODULE` or `settings: MODULE` in .fixbot.yml"


def locate(repo: RepoView, facts: dict, frames: list[str], forced: str | None = None) -> Located | None:
    """The module that failed, by evidence first and the repository's own DJANGO_SETTINGS_MODULE second; None
    when neither names one. Raises Ambiguous (exit 2) rather than guess, and never picks a module whose LOGGING
    lacks the failing handler while another one holds it."""
    handler, path = facts.get("handler"), facts.get("path")
    handler, path = (str(handler) if handler else None), (str(path) if path else None)
    mapped = [f for f in dict.fromkeys(repo.map_log_path(f.rsplit(":", 1)[0]) for f in frames) if f]
    if forced:
        file = repo.module_file(forced, mapped or entry_points(repo, mapped))
        if file is None:
            raise BadInput(f"settings module {forced}: no such module in this repository (--settings / settings:)")
        chosen = SettingsChoice(forced, file, f"the settings module was given as {forced}")
        found = candidate(repo, forced, file, handler, path)
        if found.evidence.score == 0:
            others = [c for c in candidates(repo, handler, path, []) if c.evidence.score and c.file != file]
            if others:
                raise Ambiguous(
                    f"{forced} was given as the settings module, but its LOGGING {found.evidence.what}, while "
                    f"{_names(others)} {'does' if len(others) == 1 else 'do'}: is it the module that failed?"
                )
        return _located(found, chosen, "")
    deploy, default = deployed(repo, mapped), defaults(repo, mapped)
    found = candidates(repo, handler, path, deploy + default)
    holders = [c for c in found if c.evidence.score]
    choice = next(iter(deploy + default), None)
    by_file = {c.file: c for c in found}
    if not holders:
        # Already fixed only when no module might hold the handler: one whose LOGGING cannot be read might. When
        # that is the module the repository names, it is planned on: the codemod says why it cannot read it, and
        # `still_failing` keeps a codemod that changes nothing from passing for a fix.
        if choice is not None and choice.file in by_file and by_file[choice.file].evidence.unknown:
            return _located(by_file[choice.file], choice, "")
        unknown = [c for c in found if c.evidence.unknown and (choice is None or c.file != choice.file)]
        if unknown and choice is not None:
            raise Ambiguous(f"cannot tell which settings module failed: {choice.why}, whose LOGGING "
                            f"{by_file[choice.file].evidence.what}, but the LOGGING of {_names(unknown)} cannot be "
                            f"read statically and may still hold it; {HOW_TO_CHOOSE}")
        if unknown:
            raise Ambiguous(f"cannot tell which settings module failed: the LOGGING of {_names(unknown)} cannot be "
                            f"read statically; {HOW_TO_CHOOSE}")
        if choice is None:
            return None
        return _located(by_file[choice.file], choice, "")
    best = max(c.evidence.score for c in holders)
    group = [c for c in holders if c.evidence.score == best]
    told_files = [p.file for p in deploy + default]
    winner = None
    if len({c.evidence.file for c in group}) == 1:
        winner = min(group, key=lambda c: told_files.index(c.file) if c.file in told_files else len(told_files))
    for preferred in (deploy, default):  # several files to fix: the deploy files, then the defaults, decide
        narrowed = [c for c in group if c.file in {p.file for p in preferred}]
        if winner is None and narrowed and len({c.evidence.file for c in narrowed}) == 1:
            winner = narrowed[0]
    if winner is None:
        raise Ambiguous(
            f"cannot tell which settings module failed: {_names(group)} all "
            f"{group[0].evidence.what.replace('defines', 'define', 1)} and no deploy file of this repository tells "
            f"them apart; {HOW_TO_CHOOSE}"
        )
    told = next((p for p in deploy + default if p.file == winner.file), None)
    if told is not None:
        return _located(winner, told, "")
    lacking = by_file.get(choice.file) if choice else None
    if lacking is not None and lacking.evidence.score >= 2:  # its handler's file is unknown: it may be the one
        raise Ambiguous(
            f"cannot tell which settings module failed: {choice.why}, which {lacking.evidence.what} (to a file fixbot "
            f"cannot read statically), and {winner.module} ({winner.file}) {winner.evidence.what}; {HOW_TO_CHOOSE}"
        )
    if lacking is not None and lacking.evidence.unknown:
        raise Ambiguous(
            f"cannot tell which settings module failed: {choice.why}, whose LOGGING {lacking.evidence.what}, while "
            f"{winner.module} ({winner.file}) {winner.evidence.what}; {HOW_TO_CHOOSE}"
        )
    if lacking is not None:
        reason = (f"{choice.why}, but its LOGGING {lacking.evidence.what}; {winner.module} ({winner.file}) "
                  f"{winner.evidence.what}, as the log says: the module that failed was set outside this repository")
    else:
        reason = (f"no DJANGO_SETTINGS_MODULE in this repository names the module; {winner.module} ({winner.file}) "
                  f"{winner.evidence.what}, as the log says")
    return _located(winner, SettingsChoice(winner.module, winner.file, reason), reason)


def _located(found: Candidate, choice: SettingsChoice, reason: str) -> Located | None:
    walk, ev = found.walk, found.evidence
    if walk.definer is None and ev.file is None:
        return None
    definer, chain = walk.definer if walk.definer else (ev.file, (found.file,))
    file = ev.file or definer
    if reason:
        why = reason
    elif len(chain) == 1:
        why = f"{choice.why}; {chain[0]} is the active settings module and defines LOGGING itself"
    else:
        why = f"{choice.why}; {chain[0]} is the active settings module; it gets LOGGING from {definer} through " + \
            " -> ".join(chain)
    if ev.score and not reason:
        why += f"; it {ev.what}"
    if file != definer:
        why += f"; the handler is added in {file}, after {definer} defines LOGGING"
    still = ""
    if ev.score:
        still = f"{found.module}'s LOGGING still {ev.what}"
    elif ev.unknown:
        still = f"{found.module}'s LOGGING {ev.what}, so fixbot cannot tell that the failure is gone"
    return Located(found.module, file, chain, tuple(walk.mutations), why, still)


def _names(found: list[Candidate]) -> str:
    shown = [f"{c.module} ({c.file})" for c in found[:5]]
    return ", ".join(shown) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
