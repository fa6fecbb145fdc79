"""What flows between the stages: a Finding (with its Evidence), the Plan's Steps, and the Result of a fix with its Changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    line: int
    text: str
    source: str | None = None  # the file inside a run's zip archive


@dataclass(frozen=True)
class Finding:
    kind: str
    summary: str
    facts: dict[str, Any]
    evidence: tuple[Evidence, ...]
    fixes: tuple[str, ...]
    occurrences: int = 1

    @property
    def fixable(self) -> bool:
        return bool(self.fixes)


@dataclass(frozen=True)
class Step:
    finding: Finding
    codemod: str
    path: str  # repo-relative
    why: str
    options: dict[str, Any] = field(default_factory=dict)
    # Why the failure is still in `path` before the rewrite ("" when it is statically gone): a codemod that then
    # changes nothing has not fixed it, so the answer is a refusal, never `already-fixed`.
    still_failing: str = ""
    # The kind name the branch and fingerprint carry when it is not the finding's: a fix fixbot made before its
    # kind was renamed keeps its branch and marker, so a rerun still finds and updates its open pull request.
    published_as: str = ""
    # Stable across runs for the same failure in the same file (the plan fills it from the room's FINGERPRINT_KEYS):
    # it names the branch and marks the pull request.
    fingerprint: str = ""
    # Not the log's own failure but another place on the same start path that writes where the deploy cannot
    # (check/start_path.py): why, and the line. A refusal there leaves it remaining rather than refusing the fix.
    also: str = ""
    line: int = 0

    @property
    def branch_kind(self) -> str:
        return self.published_as or self.finding.kind


@dataclass(frozen=True)
class Remaining:
    """On the failing start path and still writing where the deploy cannot: this fix alone will not boot it."""

    path: str
    line: int
    why: str


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    notes: tuple[str, ...]
    remaining: tuple[Remaining, ...] = ()


@dataclass(frozen=True)
class Change:
    path: str
    codemod: str
    why: str
    checks: tuple[str, ...]
    diff: str
    what: tuple[str, ...] = ()  # what the rewrite changed, in a reviewer's words (Codemod.describe)


@dataclass(frozen=True)
class Result:
    status: str  # fixed | already-fixed | no-fix | refused
    findings: tuple[Finding, ...] = ()
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    branch: str | None = None
    base: str | None = None  # the branch the fix is made for and proposed into (the deployed one)
    commit: str | None = None
    created: bool = False
    replaced: str | None = None  # the commit fixbot's branch held before this run remade it
    pr_url: str | None = None
    pr_action: str | None = None  # what forge did: opened | reopened | updated | exists | kept | closed-unmerged
    warnings: tuple[str, ...] = ()
    dry_run: bool = False
    fingerprint: str | None = None
    error: str | None = None
    steps: tuple[Step, ...] = field(default=(), repr=False)
    subject: str = ""  # the commit's and the pull request's title, in the room's words (fixed only)
    remaining: tuple[Remaining, ...] = ()  # what this fix leaves on the start path that still cannot write
    checklist: tuple[str, ...] = ()  # what the reviewer checks, in the rooms' words (fixed only)
    verified: tuple[str, int] | None = None  # the --verify-cmd that passed on the fix commit, and its exit code

    @property
    def diff(self) -> str:
        return "".join(c.diff for c in self.changes)

    @property
    def exit_code(self) -> int:
        return {"fixed": 0, "already-fixed": 0, "no-fix": 1}.get(self.status, 2)
