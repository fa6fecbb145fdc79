"""Findings + the repository + .fixbot.yml -> which codemod runs on which file, and why: a lookup of each finding's room.

Only what the log diagnosed is fixed. Other places that log to files, found on the way, become notes with the
command that would fix them. Where a kind's fix applies is its room's business (`fixbot/fixes/<kind>/`).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from fixbot import fixes
from fixbot.config import Config
from fixbot.fixes import NoPlan
from fixbot.model import Finding, Plan, Step
from fixbot.repo import RepoView

__all__ = ["NoPlan", "choose_codemod", "make_plan", "room"]


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
        fix = room(finding)
        new, more = fix.plan(finding, codemod, repo, config)
        steps += [replace(n, fingerprint=_fingerprint(fix, n)) for n in new
                  if all((s.codemod, s.path) != (n.codemod, n.path) for s in steps)]
        notes += [n for n in more if n not in notes]
    changed = {s.path for s in steps}
    notes = [n for n in notes if n.split(":", 1)[0] not in changed]
    return Plan(tuple(steps), tuple(notes))


def _fingerprint(fix: fixes.Fix, step: Step) -> str:
    """Stable across runs for the same failure in the same file: names the branch and marks the PR."""
    key = [step.branch_kind, step.path] + [f"{k}={step.finding.facts.get(k, '')}" for k in fix.FINGERPRINT_KEYS]
    return hashlib.sha256("\0".join(key).encode()).hexdigest()[:10]
