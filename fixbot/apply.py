"""`fixbot apply`: from a failing log to a proven fix on its own branch, leaving the user's checkout as it was.

diagnose -> plan -> codemods -> verify, all in memory, on what HEAD holds (a --dry-run previews exactly that
commit; uncommitted changes and an untracked .fixbot.yml are named in a warning, never used); then (unless
--dry-run) one commit on a new branch made by `gitops` without touching the working tree, the index or HEAD. Any failure before the branch exists changes
nothing; a failure after it (--verify-cmd) removes the branch again. The repository is one `gitread.Session` for
the whole run: opened at its first use, read, committed to and pushed through, closed at the end.

Running again on the same log: while the fix is only on its branch, the run finds that branch holding exactly
this fix on top of HEAD and returns it with status `fixed` and `created=False` (nothing is written; the PR
step can still update its pull request). When the branch holds fixbot's own earlier commit for the same failure
but another change (another `--codemod`, or HEAD moved on), the branch is remade on HEAD, its old commit the lease. Once HEAD holds the fix (merged, or run on the branch itself), the
codemods change nothing and the status is `already-fixed`: exit 0, no branch, no commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from fixbot import codemods
from fixbot import diagnose, files, gitops, verify
from fixbot.gitops import read as gitread
from fixbot.config import SETTINGS_MODULE, Config, load_config
from fixbot.errors import BadInput
from fixbot.model import Change, Finding, Plan, Remaining, Result, Step
from fixbot.plan import make_plan, room
from fixbot.repo import RepoView
from fixbot.sources import Source


def run(
    log: str | None,
    repo_dir: str | Path = ".",
    *,
    source: Source | None = None,
    dry_run: bool = False,
    codemod: str | None = None,
    config_path: str | Path | None = None,
    verify_cmd: str | None = None,
    open_pr: bool = False,
    base_branch: str | None = None,
    force: bool = False,
    run_url: str | None = None,
    settings: str | None = None,
) -> Result:
    """The whole pipeline, for the command line, `fixbot watch` and the Action alike: diagnose `log` (a file) or
    the log `source` fetches (a platform, a URL, an Actions run), fix what it shows in the repository at
    `repo_dir`, and with `open_pr` publish the fix. What the source noted (its stage, a log cut at its bound)
    comes back among the warnings."""
    import tempfile

    if codemod is not None:
        codemods.get(codemod)  # an unknown name is a usage error before anything else happens
    if settings is not None and not SETTINGS_MODULE.fullmatch(settings):
        raise BadInput(f"--settings {settings!r} is not a dotted Python module name (like config.settings.prod)")
    with gitread.Session(repo_dir) as session:  # a dry run never opens it: it reads the disk
        if open_pr and not dry_run:
            from fixbot.github import pulls

            pulls.check_ready(session)  # before anything is committed: no token, no repository name, no remote
        with tempfile.TemporaryDirectory(prefix="fixbot-logs-") as scratch:
            try:
                if source is not None:
                    findings = diagnose.diagnose_streams(source.open(Path(scratch)), str(source))
                else:
                    findings = diagnose.diagnose_path(log)
            except diagnose.EmptyLog:
                findings = []
        # A commit is made on top of HEAD, so HEAD is what is planned on and rewritten (its .fixbot.yml too): the
        # working tree, the index and untracked files play no part. A dry run previews that commit, so it reads
        # HEAD too; only where there is no commit to make (a directory that is not a repository's top level, a
        # repository with no commit yet) does it read the disk.
        with RepoView.open(session, rev="HEAD" if not dry_run or _has_head(session) else None) as repo:
            config = load_config(config_path, repo, known_codemods=tuple(codemods.all_codemods()))
            if settings is not None:
                config = dataclasses.replace(config, settings=settings)
            # The deployed branch is part of the fix: the same failure on staging and on main are two fixes, two
            # branches and two pull requests, never one PR whose branch moves between bases.
            base = base_branch or gitread.current_branch(repo.root)
            result = _run(findings, repo, config, codemod, verify_cmd, dry_run=dry_run, base=base)
            if repo.commit is not None:
                result = dataclasses.replace(result, warnings=(*result.warnings, *_left_out(repo, config_path)))
        if source is not None and source.notes:
            result = dataclasses.replace(result, warnings=(*source.notes, *result.warnings))
        if open_pr:
            result = _open_pr(result, session, config, force=force, run_url=run_url)
    return result


def _run(
    findings: list[Finding], repo: RepoView, config: Config, codemod: str | None, verify_cmd: str | None, *,
    dry_run: bool, base: str | None = None,
) -> Result:
    """Plan, rewrite and prove in memory; then (unless `dry_run`) commit on the fix's branch."""
    fixable = tuple(f for f in findings if f.fixable)
    if not fixable:
        return Result("no-fix", tuple(findings), dry_run=dry_run)

    plan = make_plan(list(fixable), repo, config, codemod)
    originals: dict[str, str] = {}
    current: dict[str, str] = {}
    changes: list[Change] = []
    remaining = list(plan.remaining)
    for step in plan.steps:
        if step.path not in current:
            originals[step.path] = current[step.path] = _source(repo, step.path)
        before = current[step.path]
        codemod_class = codemods.get(step.codemod)
        try:
            after = codemod_class.rewrite(before, step.path, **step.options)
            if after == before and step.still_failing:  # the failing handler is still there: not already fixed
                raise files.Refused(f"{step.path}: {step.codemod} changed nothing, but {step.still_failing}")
            checks = verify.check(step.path, after, before).checks + tuple(
                room(step.finding).check(step.path, before, after, step.codemod)
            )
        except (codemods.Refusal, verify.VerifyFailed) as refusal:
            if not step.also:
                if isinstance(refusal, verify.VerifyFailed):
                    raise
                raise files.Refused(f"{step.path}: {step.codemod} refused: {refusal}") from None
            # Another place on the start path: the fix goes ahead, and says this one is left.
            remaining.append(Remaining(step.path, step.line, f"{step.also}; {step.codemod} refused: {refusal}"))
            continue
        repo.encode(step.path, after)  # a fix the file's encoding cannot hold is refused by a dry run too
        current[step.path] = after
        what = tuple(codemod_class.describe(before, after, step.path, **step.options))
        changes.append(Change(step.path, step.codemod, step.why, checks, "", what))

    changed = [c for c in changes if current[c.path] != originals[c.path]]
    if not changed:
        if remaining:  # already fixed only when nothing on the start path still writes where it cannot
            first = remaining[0]
            raise files.Refused(f"nothing left to change for this failure, but the deploy still cannot start: "
                                f"{first.path}:{first.line}: {first.why}")
        return Result("already-fixed", tuple(findings), notes=plan.notes, dry_run=dry_run, steps=plan.steps)
    shown: set[str] = set()
    with_diffs = []
    for c in changed:  # one diff per file, on the change that touched it first
        diff = "" if c.path in shown else files.unified_diff(c.path, originals[c.path], current[c.path])
        shown.add(c.path)
        with_diffs.append(dataclasses.replace(c, diff=diff))
    fingerprint = _fingerprint(plan, base)
    branch = f"{config.branch_prefix}{plan.steps[0].branch_kind}-{fingerprint[:8]}"
    first = plan.steps[0]
    result = Result(
        "fixed", tuple(findings), tuple(with_diffs), plan.notes, branch=branch, base=base, dry_run=dry_run,
        fingerprint=fingerprint, steps=plan.steps,
        subject=_subject(plan.steps, with_diffs),
        checklist=_checklist(plan.steps, with_diffs, _start(repo, first, current, config)), remaining=tuple(remaining),
    )
    if dry_run:
        return result
    return _commit(result, repo, config, {c.path: current[c.path] for c in with_diffs}, verify_cmd)


def _subject(steps: tuple[Step, ...], changes: list[Change]) -> str:
    """The room's subject for the log's failure, naming the other places on the start path this fix changes too."""
    first = steps[0]
    subject = room(first.finding).subject(first.codemod, dict(first.finding.facts))
    others = [c for c in changes if any(s.also and (s.path, s.codemod) == (c.path, c.codemod) for s in steps)]
    if others:
        subject += ", and " + ", ".join(f"{c.codemod} in {c.path}" for c in others)
    return subject


def _start(repo: RepoView, step: Step, texts: dict[str, str], config: Config):
    """How the failing process starts, as the repository spells it with the fix, for the reviewer's checklist."""
    from fixbot.check.start_command import start

    program = step.finding.facts.get("program") or room(step.finding).PROGRAM
    return start(repo, program, texts, settings=config.settings)


def _has_head(session: gitread.Session) -> bool:
    """Whether `session` is a repository's top level with a commit at HEAD, which a dry run then previews."""
    try:
        return gitread.head_commit(session) is not None
    except (gitread.GitError, ImportError):  # not a repository (or no git): the disk is all there is
        return False


def _left_out(repo: RepoView, config_path: str | Path | None) -> list[str]:
    """What the user may expect in the fix and is not, in one line each: uncommitted changes and an untracked
    .fixbot.yml (the fix, and the dry run that previews it, are made of what HEAD holds)."""
    out = []
    changed = gitread.uncommitted(repo.git)
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        out.append(f"uncommitted changes to {shown} are not in the fix, which is made on HEAD ({repo.commit[:12]});"
                   " commit them first to include them")
    config = repo.root / ".fixbot.yml"
    if config_path is None and (config.is_file() or config.is_symlink()) and repo.safe(".fixbot.yml") is None:
        out.append(".fixbot.yml is not committed, so the fix does not use it (it uses HEAD's settings: the defaults);"
                   " commit it first")
    return out


def _checklist(steps: tuple[Step, ...], changes: list[Change], start=None) -> tuple[str, ...]:
    """What the reviewer checks: that the change is the one needed, then each kind's own checks, once, in the order
    its fix was planned."""
    out = ["- [ ] The change is the one the failure needs, and nothing else changed"]
    used, paths = {c.codemod for c in changes}, {c.path for c in changes}
    for step in steps:
        out += [item for item in room(step.finding).checklist_for(used, paths, start) if item not in out]
    return tuple(out)


def _source(repo: RepoView, path: str) -> str:
    """The text to rewrite: as committed at HEAD when a commit is made on top of it (the view reads HEAD), else
    as on disk."""
    try:
        return repo.read(path)
    except BadInput:
        if repo.commit is not None and repo.safe(path) is None:
            raise BadInput(f"{path}: not committed; fixbot fixes what HEAD holds, and a --dry-run shows that"
                           " (commit it first)") from None
        raise


def _fingerprint(plan: Plan, base: str | None) -> str:
    parts = sorted(s.fingerprint for s in plan.steps) + ([f"base={base}"] if base else [])
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _commit(result: Result, repo: RepoView, config: Config, texts: dict[str, str], verify_cmd: str | None) -> Result:
    from fixbot import report

    committed = gitops.commit_fix(
        repo.git,
        branch=result.branch,
        changes={path: repo.encode(path, text) for path, text in texts.items()},
        message=report.commit_message(result),
        author=config.author.as_tuple(),
        expect_head=repo.commit,
    )
    sha = committed.sha
    if verify_cmd:
        try:
            verify.verify_command(repo.git, committed.sha, verify_cmd)
            result = dataclasses.replace(result, verified=(verify_cmd, 0))
            if committed.created:  # a commit already proposed keeps its sha: the PR's branch does not move
                sha = gitops.reword(repo.git, committed.branch, committed.sha, report.commit_message(result))
        except BaseException:  # a failed check, or an interrupted one: the branch goes back to what it was
            if committed.created:
                gitops.undo(repo.git, committed.branch, committed.sha, committed.replaced)
            raise
    return dataclasses.replace(result, commit=sha, created=committed.created, replaced=committed.replaced)


def _open_pr(result: Result, repo: gitread.Session, config: Config, *, force: bool = False,
             run_url: str | None = None) -> Result:
    """Push a committed fix and open (or update) its one pull request; the Result then carries the PR."""
    from fixbot import report
    from fixbot.github import pulls

    if result.status != "fixed" or result.dry_run:
        return result
    try:
        published = pulls.publish(
            repo, result, config, force=force, run_url=run_url,
            body=report.pr_body(result, run_url), title=report.pr_title(result),
        )
    except BaseException:
        # Exit 2 means nothing changed here: the branch this run made goes, or gets back the commit it held.
        if result.created and result.commit:
            gitops.undo(repo, result.branch, result.commit, result.replaced)
        raise
    return dataclasses.replace(
        result, pr_url=published.url, pr_action=published.action, warnings=tuple(published.warnings)
    )


def run_url(source: Source | None) -> str | None:
    """The web page of what failed, for the pull request's body, where the source has one (an Actions run)."""
    page = getattr(source, "web_url", None)
    return page() if page else None
