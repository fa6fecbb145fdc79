"""The rooms: one folder per failure kind, holding everything fixbot knows about that kind, found by walking this package.

A room is `fixbot/fixes/<kind>/`: its `signatures.yml` (how the failure looks in a log, with example logs that
one shared test runs), and, when the kind has a fix, a `FIX` object in its `__init__.py` saying which codemods
it may use, where they apply in a repository, its fingerprint keys, commit subject, reviewer checklist and
post-check. Diagnosis reads only the signature files, so `fixbot diagnose` imports no room's code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from fixbot.errors import FixbotError

if TYPE_CHECKING:
    from fixbot.config import Config
    from fixbot.fixes.sites import Site
    from fixbot.model import Finding, Step
    from fixbot.repo import RepoView

HERE = Path(__file__).parent


def signature_files() -> list[Path]:
    """Every room's signatures.yml."""
    return sorted(HERE.glob("*/signatures.yml"))


class NoPlan(FixbotError):
    """A fixable failure whose fix cannot be placed in this repository (the message says why)."""


def boots(start) -> list[str]:
    """What a reviewer checks once the process has a new logging configuration: its start commands and the health
    checks the repository declares, as fixbot read them (check/start_command.Start; None: nothing was read), each
    with the file and line it comes from."""
    from fixbot.commands import command
    from fixbot.redact import redact

    def code(text: str) -> str:  # one Markdown code span, redacted
        return "`" + redact(text).replace("`", "'") + "`"

    commands = getattr(start, "commands", ())
    out = [f"- [ ] It starts on this branch: {code(cmd)} ({redact(file)}:{line}) starts and keeps running"
           for file, line, cmd in commands]
    if not out:
        out.append("- [ ] The deploy's own start command starts the process on this branch and it keeps running")
    out += [f"- [ ] Its health check answers: {code(command('curl', '-fsS', h.url))} ({redact(h.file)}:{h.line})"
            for h in getattr(start, "health", ())]
    return out


class Fix:
    """What a room with a fix provides; the defaults suit a kind that needs nothing more."""

    KIND: ClassVar[str]
    # Names this kind was published under before: accepted wherever a kind is written (a codemod's HANDLES, a
    # room's signatures), and the first one still names the branch and fingerprint of fixes made before the rename.
    ALIASES: ClassVar[tuple[str, ...]] = ()
    # The facts that tell one failure of this kind from another, with the kind and the file: they name the
    # branch and mark the pull request, so changing them opens a second PR for a failure already proposed.
    FINGERPRINT_KEYS: ClassVar[tuple[str, ...]] = ()
    SUBJECTS: ClassVar[dict[str, str]] = {}  # codemod -> commit subject, formatted with the finding's facts
    # The files whose log sites this room reports to `fixbot check` (fnmatch patterns of the name, lower case).
    SITE_FILES: ClassVar[tuple[str, ...]] = ()
    # The program whose process this kind's failure stops, and whose start its sites are part of; None: whatever
    # program loads the config (a logging config's handlers), told by the finding's `program` fact.
    PROGRAM: ClassVar[str | None] = None

    def preferred(self, config: "Config") -> str | None:
        """The codemod `.fixbot.yml` prefers among this kind's fixes, if it says."""
        return None

    def plan(self, finding: "Finding", codemod: str, repo: "RepoView", config: "Config"
             ) -> tuple[list["Step"], list[str]]:
        """Where `codemod` applies for `finding` in `repo` (deployed with `config.settings`, when it says): the
        steps, and notes on what else was seen."""
        raise NotImplementedError

    def notes(self, repo: "RepoView") -> list[str]:
        """Places this kind's codemods would fix, noted when another kind's failure is planned."""
        return []

    def sites(self, repo: "RepoView", file: str, text: str, walks: list) -> Iterable["Site"]:
        """The log files `file` (one of SITE_FILES) names that this room's codemods fix, for `fixbot check` to
        judge; `walks` are the deployed settings modules, walked (settings_walk.Walk)."""
        return ()

    def site_options(self, repo: "RepoView", site: "Site") -> dict[str, Any]:
        """The codemod's options for one of this room's sites, fixed as another place on a failing start path."""
        return {}

    def check(self, path: str, before: str, after: str, codemod: str) -> list[str]:
        """This kind's own proof that rewriting `before` into `after` broke nothing (beyond it parsing): what was
        checked; VerifyFailed if it fails."""
        return []

    def checklist(self, codemods: set[str], start=None) -> list[str]:
        """What a reviewer should check once `codemods` ran; `start`: how the process starts (check/start_path.Start)."""
        return []

    def checklist_for(self, codemods: set[str], paths: set[str], start=None) -> list[str]:
        """What a reviewer should check once `codemods` ran on `paths` (by default what `checklist` says)."""
        return self.checklist(codemods, start)

    def subject(self, codemod: str, facts: dict[str, Any]) -> str:
        template = self.SUBJECTS.get(codemod, "fix(logging): repair the logging configuration")
        return template.format_map(facts)


@lru_cache(maxsize=None)
def registry() -> dict[str, Fix]:
    """Every room's FIX, by kind."""
    import importlib  # not at the top: `fixbot diagnose` reads only signature_files()
    import pkgutil

    found: dict[str, Fix] = {}
    for info in pkgutil.iter_modules([str(HERE)]):
        fix = getattr(importlib.import_module(f"{__name__}.{info.name}"), "FIX", None)
        if fix is not None:
            found[fix.KIND] = fix
    return found


@lru_cache(maxsize=None)
def aliases() -> dict[str, str]:
    """Every old kind name, to the kind it is now: each room keeps its own in ALIASES."""
    return {alias: kind for kind, fix in registry().items() for alias in fix.ALIASES}


def canonical(kind: str) -> str:
    """`kind`, or the kind an old name of it (`django-logging-handler`) now is."""
    return aliases().get(kind, kind)


def for_kind(kind: str) -> Fix | None:
    return registry().get(canonical(kind))


def notes_from_other_kinds(kind: str, repo: "RepoView") -> list[str]:
    """What the other rooms would fix in `repo`: noted, not changed, beside the fix for `kind`."""
    return [note for other, fix in sorted(registry().items()) if other != kind for note in fix.notes(repo)]
