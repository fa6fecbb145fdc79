"""fixbot as a GitHub Action step: read the action's inputs, run apply (and open the PR), write its outputs.

Inputs arrive as environment variables set by action.yml's `env:`, never spliced into a script. A run
triggered from a fork is skipped: its logs and branch are not this repository's to fix.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Mapping

from fixbot.errors import FixbotError


def _event(env: Mapping[str, str]) -> dict:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def from_fork(event: dict, repository: str) -> bool:
    if "workflow_run" in event:
        run = event.get("workflow_run") or {}
        head = (run.get("head_repository") or {}).get("full_name")
        if not head:  # a deleted fork's run has no head repository: nothing shows the run is this repository's
            return True
        if repository and head != repository:
            return True
    pull = event.get("pull_request") or {}
    pr_head = ((pull.get("head") or {}).get("repo") or {}).get("full_name")
    return bool(pr_head and repository and pr_head != repository)


def _command(level: str, message: str) -> None:
    from fixbot.report import workflow_command

    print(workflow_command(level, message), flush=True)


def _append(env: Mapping[str, str], name: str, text: str) -> None:
    """Append to the runner's file `name`; one it cannot take is a warning, not a failed job."""
    target = env.get(name)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)
    except OSError as err:
        _command("warning", f"cannot write {name}: {err}")


def _write_outputs(env: Mapping[str, str], outputs: dict[str, str]) -> None:
    blocks = []
    for name, value in outputs.items():
        delimiter = f"fixbot_{secrets.token_hex(8)}"  # a value can never end the block early
        blocks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    _append(env, "GITHUB_OUTPUT", "".join(blocks))


def _summary(env: Mapping[str, str], text: str) -> None:
    _append(env, "GITHUB_STEP_SUMMARY", text + "\n")


def _base_branch(env: Mapping[str, str], run: dict) -> str | None:
    """The PR's base: the input, else the branch whose deploy failed (what the example workflow checks out), else
    (None) HEAD's branch. Never the default branch by itself: a fix on top of `staging` proposed into `main`
    would carry every commit `staging` has and `main` lacks. `pulls.publish` checks that origin's base contains HEAD."""
    given = env.get("INPUT_BASE_BRANCH", "").strip() or run.get("head_branch")
    return given if isinstance(given, str) and given.strip() else None


def main(env: Mapping[str, str]) -> int:
    from fixbot import apply, report

    repository = env.get("GITHUB_REPOSITORY", "")
    event = _event(env)
    if from_fork(event, repository):
        _command("notice", "the failed run came from a fork (or one since deleted); fixbot does nothing for forks")
        _write_outputs(env, {"status": "skipped", "pr-url": "", "finding": ""})
        return 0
    dry_run = env.get("INPUT_DRY_RUN", "false").strip().lower() in ("true", "1", "yes")
    workspace = env.get("GITHUB_WORKSPACE") or "."
    run = event.get("workflow_run") or {}
    run_url = run.get("html_url") or apply.run_url(dict(env), env.get("INPUT_RUN_ID", "").strip() or None)
    try:
        log = env.get("INPUT_LOG_FILE", "").strip() or None
        run_id = None if log else env.get("INPUT_RUN_ID", "").strip() or str(run.get("id") or "") or None
        if log is None and run_id is None:
            raise FixbotError("give the action log-file or run-id (or run it on workflow_run)")
        result = apply.run(
            log, workspace, run_id=run_id, dry_run=dry_run, config_path=env.get("INPUT_CONFIG", "").strip() or None,
            open_pr=True, base_branch=_base_branch(env, run), run_url=run_url,
            settings=env.get("INPUT_SETTINGS", "").strip() or None,
        )
        for warning in result.warnings:
            _command("warning", warning)
    except FixbotError as err:
        _command("error", str(err))
        _write_outputs(env, {"status": "refused", "pr-url": "", "finding": ""})
        _summary(env, f"### fixbot\n\nfixbot could not fix this run: {report.md_text(str(err))}")
        return 2
    print(report.apply_text(result, log or f"run {run_id}", preview=report.preview_command(log, None if log else run_id)),
          end="")
    print(report.diagnosis_annotations(list(result.findings)), end="")
    fixable = [f for f in result.findings if f.fixable]
    pr_url = result.pr_url or ""
    _write_outputs(env, {"status": result.status, "pr-url": pr_url, "finding": fixable[0].kind if fixable else ""})
    summary = report.diagnosis_markdown(list(result.findings))
    if pr_url:
        summary += f"\nPull request ({result.pr_action}): {pr_url}\n"
    _summary(env, summary)
    return 0 if result.status in ("fixed", "already-fixed", "no-fix") else 2
