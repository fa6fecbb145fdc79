"""fixbot as a GitHub Action step: read the action's inputs, run apply or watch (and open the PR), write its outputs.

Inputs arrive as environment variables set by action.yml's `env:`, never spliced into a script. A run
triggered from a fork is skipped: its logs and branch are not this repository's to fix. Under `workflow_run` the
log is the failed run's; under `deployment_status` (failure or error) it is the status's `log_url` (else its
`target_url`) when that is a log, else the platform the `from` input names, and the pull request goes into the
deployment's `ref`. With `watch`, the `from` platform is polled until its deploy runs or fails.

The pull request's base is the input, else the branch whose deploy failed (what the example workflows check out),
else HEAD's branch; never the default branch by itself: a fix on top of `staging` proposed into `main` would carry
every commit `staging` has and `main` lacks (`pulls.publish` checks that origin's base contains HEAD).
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
    from fixbot.annotate import workflow_command

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


WATCH_INTERVAL = 10.0  # seconds between two polls of a platform under `watch`
WATCH_SETTLE = 60.0  # a running deploy counts once a new one was seen building, or after this long (watch.run)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes")


def _watch_timeout(value: str | None) -> float | None:
    """The `watch` input: false (no watch), true (10 minutes), or how long to wait (20m, 900s)."""
    text = (value or "").strip().lower()
    if text in ("", "false", "0", "no"):
        return None
    if _flag(text):
        return 600.0
    scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:])
    try:
        seconds = float(text[:-1] if scale else text) * (scale or 1)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 6 * 3600:  # a job runs six hours at most
        raise FixbotError(f"the watch input {value!r} is not true, false or a duration such as 15m")
    return seconds


def _deployment_log(env: Mapping[str, str], event: dict, scratch: Path, spec: str | None) -> tuple[str | None, str]:
    """Under deployment_status: the failed deploy's log spooled to a file from the status's log_url (else its
    target_url) when that is a log, and its label; (None, spec) when the `from` source should be read instead."""
    from fixbot import sources

    status = event.get("deployment_status") or {}
    address = next((status.get(k) for k in ("log_url", "target_url")
                    if isinstance(status.get(k), str) and status.get(k).startswith(("http://", "https://"))), None)
    if address is None:
        if spec is None:
            raise FixbotError("the deployment status has no log_url or target_url: give the action `from`")
        return None, spec
    source = sources.parse(f"url:{address}", env)
    try:
        path = scratch / "deployment.log"
        with open(path, "wb") as out:
            for _, stream in source.open(scratch):
                while block := stream.read(1 << 20):
                    out.write(block)
    except FixbotError as err:
        if spec is None:
            raise
        _command("warning", f"{err}; reading the log from {spec} instead")
        return None, spec
    for note in source.notes:
        _command("warning", note)
    return str(path), str(source)


def main(env: Mapping[str, str]) -> int:
    import tempfile

    from fixbot import annotate, apply, report, sources, watch

    repository = env.get("GITHUB_REPOSITORY", "")
    event = _event(env)
    if from_fork(event, repository):
        _command("notice", "the failed run came from a fork (or one since deleted); fixbot does nothing for forks")
        _write_outputs(env, {"status": "skipped", "pr-url": "", "finding": ""})
        return 0
    status = event.get("deployment_status")
    if isinstance(status, dict) and status.get("state") not in ("failure", "error"):
        _command("notice", f"the deployment's status is {status.get('state')!r}: nothing failed, nothing to fix")
        _write_outputs(env, {"status": "skipped", "pr-url": "", "finding": ""})
        return 0
    dry_run = _flag(env.get("INPUT_DRY_RUN", "false"))
    workspace = env.get("GITHUB_WORKSPACE") or "."
    run = event.get("workflow_run") or {}
    deployment = event.get("deployment") or {}
    base = env.get("INPUT_BASE_BRANCH", "").strip() or deployment.get("ref") or run.get("head_branch")
    options = dict(dry_run=dry_run, config_path=env.get("INPUT_CONFIG", "").strip() or None, open_pr=True,
                   base_branch=base if isinstance(base, str) and base.strip() else None,
                   settings=env.get("INPUT_SETTINGS", "").strip() or None)
    label = log = None
    try:
        with tempfile.TemporaryDirectory(prefix="fixbot-action-") as scratch:
            waiting = _watch_timeout(env.get("INPUT_WATCH"))
            log = env.get("INPUT_LOG_FILE", "").strip() or None
            spec = env.get("INPUT_FROM", "").strip() or None
            run_id = env.get("INPUT_RUN_ID", "").strip() or str(run.get("id") or "") or None
            if spec is None and run_id is not None:
                spec = f"github-run:{run_id}"
            if log is None and isinstance(status, dict) and waiting is None:
                log, spec = _deployment_log(env, event, Path(scratch), spec)
                label = spec
            source = None if log is not None else sources.parse(spec, env) if spec else None
            if log is None and source is None:
                raise FixbotError("give the action log-file, from or run-id (or run it on workflow_run or"
                                  " deployment_status)")
            label = label or log or str(source)
            if waiting is not None:
                if source is None:
                    raise FixbotError("watch needs the platform to poll: give the action `from`")
                result = watch.run(source, workspace, timeout=waiting, interval=WATCH_INTERVAL, settle=WATCH_SETTLE,
                                   progress=lambda line: print(report.redact(line), flush=True),
                                   **options)
                if result is None:
                    _write_outputs(env, {"status": "running", "pr-url": "", "finding": ""})
                    _summary(env, f"### fixbot\n\n{report.md_text(str(source))} runs: nothing to fix.")
                    return 0
            else:
                result = apply.run(log, workspace, source=source, run_url=run.get("html_url") or apply.run_url(source),
                                   **options)
        for warning in result.warnings:
            _command("warning", warning)
    except FixbotError as err:
        _command("error", str(err))
        _write_outputs(env, {"status": "refused", "pr-url": "", "finding": ""})
        _summary(env, f"### fixbot\n\nfixbot could not fix this run: {report.md_text(str(err))}")
        return 2
    named = None if label == log else label  # a source (or the deployment's log_url), not a file given as input
    print(report.apply_text(result, label or "-", preview=report.preview_command(log, named)), end="")
    print(annotate.diagnosis_annotations(list(result.findings), annotate.annotation_places(result)), end="")
    fixable = [f for f in result.findings if f.fixable]
    pr_url = result.pr_url or ""
    _write_outputs(env, {"status": result.status, "pr-url": pr_url, "finding": fixable[0].kind if fixable else ""})
    summary = report.diagnosis_markdown(list(result.findings)) + report.diff_markdown(result)
    if pr_url:
        summary += f"\nPull request ({result.pr_action}): {pr_url}\n"
    _summary(env, summary)
    return 0 if result.status in ("fixed", "already-fixed", "no-fix") else 2
