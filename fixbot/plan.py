"""Findings + the repository + .fixbot.yml -> which codemod runs on which file, and why: a lookup of each finding's room.

Only what the log diagnosed is fixed. Other places that log to files, found on the way, become notes with the
command that would fix them. Where a kind's fix applies is its room's business (`fixbot/fixes/<kind>/`).
"""

from __future__ import annotations

from fixbot import fixes
from fixbot.config import Config
from fixbot.errors import FixbotError
from fixbot.model import Finding, Plan, Step
from fixbot.repo import RepoView


class NoPlan(FixbotError):
    """A fixable failure whose fix cannot be placed in this repository (the message says why)."""


def room(finding: Finding) -> fixes.Fix:
    found = fixes.for_kind(finding.kind)
    if found is None:  # a signature offers a fix that no room places: a bug in that signature
        raise NoPlan(f"no room plans {finding.kind}")
    return found


def choose_codemod(finding: Finding, config: Config, override: str | None) -> str:
    if override:
        if override not in finding.fixes:
            raise NoPlan(f"--codemod {override} does not fix {finding.kind} (its fixes: {', '.join(finding.fixes)})")
        return override
    preferred = room(finding).preferred(config)
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
        new, more = room(finding).plan(finding, codemod, repo)
        steps += [n for n in new if all((s.codemod, s.path) != (n.codemod, n.path) for s in steps)]
        notes += [n for n in more if n not in notes]
    changed = {s.path for s in steps}
    notes = [n for n in notes if n.split(":", 1)[0] not in changed]
    return Plan(tuple(steps), tuple(notes))


def notes_from_other_kinds(kind: str, repo: RepoView) -> list[str]:
    """What the other rooms would fix in `repo`: noted, not changed, beside the fix for `kind`."""
    return [note for other, fix in sorted(fixes.registry().items()) if other != kind for note in fix.notes(repo)]
