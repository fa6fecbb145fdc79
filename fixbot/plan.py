"""Findings + the repository + .fixbot.yml -> which codemod runs on which file, and why.

Only what the log diagnosed is fixed. Other places that log to files, found on the way, become notes with the
command that would fix them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from fixbot.config import Config
from fixbot.diagnose import Finding
from fixbot.errors import FixbotError
from fixbot.redact import redact
from fixbot.repo import RepoView

_LOG_DIR = re.compile(r"^\s*mkdir\s+(?:-\w+\s+)*['\"]?(?P<dir>/[\w./-]*log[\w./-]*?)/?['\"]?\s*$", re.M)


class NoPlan(FixbotError):
    """A fixable failure whose fix cannot be placed in this repository (the message says why)."""


@dataclass(frozen=True)
class Step:
    finding: Finding
    codemod: str
    path: str  # repo-relative
    why: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable across runs for the same failure in the same file: names the branch and marks the PR."""
        key = [self.finding.kind, self.path] + [f"{k}={self.finding.facts.get(k, '')}" for k in ("handler", "path")]
        return hashlib.sha256("\0".join(key).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    notes: tuple[str, ...]


def choose_codemod(finding: Finding, config: Config, override: str | None) -> str:
    if override:
        if override not in finding.fixes:
            raise NoPlan(f"--codemod {override} does not fix {finding.kind} (its fixes: {', '.join(finding.fixes)})")
        return override
    preferred = {"console": "logging-console", "path": "logging-path"}[config.logging]
    ordered = sorted(finding.fixes, key=lambda name: name != preferred)
    for name in ordered:
        if config.enables(name):
            return name
    raise NoPlan(f"every fix of {finding.kind} ({', '.join(finding.fixes)}) is disabled in {config.source or '.fixbot.yml'}")


def make_plan(findings: list[Finding], repo: RepoView, config: Config, override: str | None = None) -> Plan:
    steps: list[Step] = []
    notes: list[str] = []
    for finding in (f for f in findings if f.fixable):
        codemod = choose_codemod(finding, config, override)
        if finding.kind == "django-logging-handler":
            new, more = _plan_logging(finding, codemod, repo)
        elif finding.kind == "gunicorn-logfile":
            new, more = _plan_gunicorn(finding, codemod, repo)
        else:  # a signature offers a fix that no planner places: a bug in signatures.yml
            raise NoPlan(f"no planner for {finding.kind}")
        steps += [n for n in new if all((s.codemod, s.path) != (n.codemod, n.path) for s in steps)]
        notes += [n for n in more if n not in notes]
    fixed = {s.path for s in steps if s.codemod == "gunicorn-stdout"}
    notes = [n for n in notes if n.split(":", 1)[0] not in fixed]
    return Plan(tuple(steps), tuple(notes))


def _plan_logging(finding: Finding, codemod: str, repo: RepoView) -> tuple[list[Step], list[str]]:
    frames = [str(f) for f in finding.facts.get("project_frames", [])]
    if frames and not any(repo.map_log_path(f.rsplit(":", 1)[0]) for f in frames):
        # The traceback ran code that is not in this repository: fixing whatever settings it holds would be a guess.
        shown = redact(frames[0].rsplit(":", 1)[0])
        raise NoPlan(
            f"the log's traceback runs {shown}{f' (and {len(frames) - 1} more)' if len(frames) > 1 else ''}, "
            "which is no file of this repository: is this the repository that failed?"
        )
    choice = repo.settings_module(frames)
    if choice is None:
        raise NoPlan(
            "cannot tell which Django settings module failed: no DJANGO_SETTINGS_MODULE in the deploy files, "
            "wsgi.py, asgi.py or manage.py of this repository"
        )
    site = repo.logging_site(choice.file, choice.module)
    if site is None:
        raise NoPlan(f"{choice.file} (the active settings, as {choice.why}) and the modules it imports define no LOGGING")
    why = f"{choice.why}; {site.why}."
    if site.shared_with:
        why += (
            f" Fixed where it is defined, so {', '.join(site.shared_with)} (which import it too) get the fix as well:"
            " a broken file handler is broken for every environment that shares it."
        )
    options: dict[str, Any] = {}
    if codemod == "logging-path":
        options = {"project": repo.root.name}
        log_dir = _entrypoint_log_dir(repo)
        if log_dir:
            options["log_dir"] = log_dir
    notes = [
        f"{m}: changes LOGGING after it is defined; check it still applies" for m in site.mutations if m != site.file
    ]
    notes += _gunicorn_notes(repo)
    return [Step(finding, codemod, site.file, why, options)], notes


def _entrypoint_log_dir(repo: RepoView) -> str | None:
    for source in repo.deploy_files([]):
        match = _LOG_DIR.search(repo.read_or_none(source) or "")
        if match:
            return match["dir"]
    return None


def _gunicorn_files(repo: RepoView) -> list[tuple[str, list]]:
    """Every file that starts or configures Gunicorn, with the log flags that write to files (maybe none)."""
    from codemods import gunicorn_stdout

    found = []
    for path in repo.candidates(gunicorn_stdout.GunicornStdout.FILES):
        try:
            invocations = gunicorn_stdout.find_invocations(repo.read_or_none(path) or "", path)
        except Exception:  # a file it cannot read is not a site we can speak for
            continue
        if invocations:
            found.append((path, [flag for inv in invocations for flag in inv.flags if flag.value != "-"]))
    return found


def _gunicorn_sites(repo: RepoView) -> list[tuple[str, list]]:
    return [(path, flags) for path, flags in _gunicorn_files(repo) if flags]


def _gunicorn_notes(repo: RepoView) -> list[str]:
    return [
        f"{path}: Gunicorn also writes its logs to files ({', '.join(f'{f.flag} {f.value}' for f in flags)}); "
        f"to send them to stdout too: fixbot codemod gunicorn-stdout {path}"
        for path, flags in _gunicorn_sites(repo)
    ]


def _plan_gunicorn(finding: Finding, codemod: str, repo: RepoView) -> tuple[list[Step], list[str]]:
    target = str(finding.facts.get("path", ""))
    sites = _gunicorn_sites(repo)
    exact = [path for path, flags in sites if any(f.value == target for f in flags)]
    if exact:  # every invocation that names the failing file led to the failure
        return [Step(finding, codemod, path, f"{path} starts Gunicorn with its log at {target}.") for path in exact], []
    if len(sites) == 1:
        path = sites[0][0]
        why = f"{path} is the one place whose Gunicorn logs to a file (none names {target} literally)."
        return [Step(finding, codemod, path, why)], []
    if not sites:
        starts = [path for path, _ in _gunicorn_files(repo)]
        if starts:
            # Gunicorn is started here and already logs to stdout (the fix merged): the codemod changes nothing
            # on these files, which makes the result already-fixed rather than an error.
            why = f"{', '.join(starts)} start{'s' if len(starts) == 1 else ''} Gunicorn and no log of it goes to a file."
            return [Step(finding, codemod, path, why) for path in starts], []
        raise NoPlan(f"no Gunicorn invocation in this repository writes its logs to a file (looked for {target})")
    raise NoPlan(
        f"{target} is named nowhere and {len(sites)} files start Gunicorn with log files "
        f"({', '.join(p for p, _ in sites)}): run fixbot codemod gunicorn-stdout on the one that failed"
    )
