"""Findings + the repository + .fixbot.yml -> which codemod runs on which file, and why: a lookup of each finding's room.

What the log diagnosed is fixed where its room says (`fixbot/fixes/<kind>/`), and so is every other place on the
same start path that writes where the same deploy gives no place (check/start_path.py), each by its own room's
codemod: one deploy, one fix. What is on that path and no codemod can change is `remaining`; other places that log
to files become notes with the command that would fix them.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from fixbot import fixes
from fixbot.config import Config
from fixbot.fixes import NoPlan
from fixbot.model import Finding, Plan, Remaining, Step
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
    remaining: list[Remaining] = []
    for finding in (f for f in findings if f.fixable):
        more, left = on_path(finding, steps, repo, config)
        steps += [replace(n, fingerprint=_fingerprint(room(n.finding), n)) for n in more]
        remaining += [r for r in left if r not in remaining]
    changed = {s.path for s in steps}
    notes = [n for n in notes if n.split(":", 1)[0] not in changed]
    return Plan(tuple(steps), tuple(notes), tuple(remaining))


def on_path(finding: Finding, steps: list[Step], repo: RepoView, config: Config) -> tuple[list[Step], list[Remaining]]:
    """A step for each other site on the failing start path that cannot write (its room's codemod, as `fixbot
    check --fix` runs it), and what no enabled codemod fixes."""
    from fixbot import codemods
    from fixbot.check import start_path

    program = finding.facts.get("program") or room(finding).PROGRAM
    more: list[Step] = []
    left: list[Remaining] = []
    # A file a step already rewrites for the same kind (logging-path where logging-console would go) is taken.
    taken = {(kind, s.path) for s in steps for kind in getattr(codemods.get(s.codemod), "HANDLES", ())}
    for found in start_path.blocked(repo, finding.facts, program, config.deploy):
        site = found.site
        kind = fixes.canonical(codemods.get(site.codemod).HANDLES[0])
        if (kind, site.path) in taken:
            continue
        if not config.enables(site.codemod):
            left.append(Remaining(site.path, site.line, f"{found.why}; {site.codemod} is not enabled in .fixbot.yml"))
            continue
        taken.add((kind, site.path))
        fix = fixes.for_kind(kind)
        also = Finding(kind, f"{site.what} also writes where the deploy cannot", {"path": site.value}, (), (site.codemod,))
        more.append(Step(also, site.codemod, site.path, found.why, fix.site_options(repo, site), also=found.why,
                         line=site.line))
    return more, left


def _fingerprint(fix: fixes.Fix, step: Step) -> str:
    """Stable across runs for the same failure in the same file: names the branch and marks the PR."""
    key = [step.branch_kind, step.path] + [f"{k}={step.finding.facts.get(k, '')}" for k in fix.FINGERPRINT_KEYS]
    return hashlib.sha256("\0".join(key).encode()).hexdigest()[:10]
