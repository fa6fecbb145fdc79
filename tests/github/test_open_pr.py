"""`fixbot apply --open-pr` from the command line: log or run id in, one pull request out, however often it runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.github_emulator import make_zip
from tests.support.repos import git
from tests.support import ROOT

LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"


@pytest.fixture
def app(tmp_path, origin) -> Path:
    root = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", root, ignore=shutil.ignore_patterns("__pycache__", "logs"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "deployed")
    git(root, "remote", "add", "origin", str(origin))
    git(root, "push", "-q", "origin", "main")
    return root


def fixbot(*args: str) -> tuple[int, dict, str]:
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", *args, "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120)
    return done.returncode, json.loads(done.stdout), done.stderr


def test_open_pr_then_rerun_keeps_one_pr(github, app):
    code, first, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0, err
    assert (first["status"], first["pr_action"]) == ("fixed", "opened")
    assert first["pr_url"].endswith("/pull/1")
    code, again, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0, err
    assert again["pr_url"] == first["pr_url"] and again["pr_action"] in ("exists", "updated")
    assert len(github.pulls) == 1
    assert git(app, "rev-parse", "--abbrev-ref", "HEAD") == "main", "the user's checkout stays on its branch"


def test_run_id_downloads_the_logs_and_links_the_run(github, app, monkeypatch):
    github.add_run(99, zip_bytes=make_zip({"0_deploy.txt": LOG.read_text()}))
    monkeypatch.setenv("GITHUB_SERVER_URL", "http://127.0.0.1")
    code, result, err = fixbot("--run-id", "99", "--repo", str(app), "--open-pr")
    assert code == 0, err
    (pull,) = github.pulls.values()
    assert f"http://127.0.0.1/{github.full_name}/actions/runs/99" in pull["body"]
    assert result["findings"][0]["evidence"][0]["source"] == "0_deploy.txt"


def test_log_and_run_id_together_is_a_usage_error(app):
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", "--log", str(LOG), "--run-id", "1"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "one of --log, --from and --run-id" in done.stderr


def test_secrets_in_the_log_reach_neither_stdout_nor_the_pr(github, app, tmp_path, monkeypatch):
    secrets = {"pat": "ghp_" + "Q" * 36, "aws": "AKIA" + "ABCDEFGHIJKLMNOP", "db": "hunter2-Passw0rd",
               "env": "very-secret-session-value"}
    monkeypatch.setenv("SESSION_SECRET", secrets["env"])
    leaky = LOG.read_text().replace(
        "'/app/apps/backend/logs/api.log'\n",
        f"'/app/apps/backend/logs/api.log' postgres://app:{secrets['db']}@db token={secrets['pat']}"
        f" {secrets['aws']} {secrets['env']}\n",
    )
    log = tmp_path / "deploy.log"
    log.write_text(leaky)
    for fmt in ("text", "json"):
        done = subprocess.run([sys.executable, "-m", "fixbot.cli", "apply", "--log", str(log), "--repo", str(app),
                               "--open-pr", "--format", fmt], capture_output=True, text=True, cwd=ROOT,
                              env=dict(os.environ), timeout=120)
        assert done.returncode == 0, done.stderr
        assert "FileNotFoundError" in done.stdout
        for secret in secrets.values():
            assert secret not in done.stdout + done.stderr, (fmt, secret)
    (pull,) = github.pulls.values()
    commit = git(app, "log", "--format=%B", "-1", pull["head"]["ref"])
    for secret in secrets.values():
        assert secret not in pull["body"] + pull["title"] + commit


@pytest.mark.parametrize("unset", ["GITHUB_TOKEN", "GITHUB_REPOSITORY"])
def test_open_pr_without_what_it_needs_changes_nothing(github, app, monkeypatch, unset):
    monkeypatch.delenv(unset)
    refs = git(app, "for-each-ref")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and result["status"] == "refused" and unset in err
    assert git(app, "for-each-ref") == refs, "no branch is made when the PR cannot be opened"


def test_a_failed_publish_removes_the_branch_it_made(github, app):
    github.fail_next("POST", r"/pulls$", 403, message="Resource not accessible by integration")
    refs = git(app, "for-each-ref", "refs/heads")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and "pull-requests: write" in err
    assert git(app, "for-each-ref", "refs/heads") == refs


def test_actions_not_allowed_to_open_prs_is_one_line_and_leaves_nothing_behind(github, origin, app):
    github.actions_may_open_pulls = False
    refs, remote = git(app, "for-each-ref", "refs/heads"), git(origin, "for-each-ref", "refs/heads")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and result["status"] == "refused", err
    (line,) = err.strip().splitlines()
    assert '"Allow GitHub Actions to create and approve pull requests"' in line and "deleted the branch" in line
    assert git(app, "for-each-ref", "refs/heads") == refs and git(origin, "for-each-ref", "refs/heads") == remote


# --- the base is the branch that was deployed, and the PR carries only the fix -----------------------------------


def _deploy_staging(app: Path) -> str:
    """`staging` = main + a commit main has not reviewed, pushed and checked out (what a deploy of staging runs)."""
    git(app, "checkout", "-q", "-b", "staging")
    (app / "UNREVIEWED.md").write_text("a change only staging has\n")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "staging: unreviewed work")
    git(app, "push", "-q", "origin", "staging")
    return git(app, "rev-parse", "HEAD")


def _changed_by_pr(origin: Path, pull: dict) -> list[str]:
    """What GitHub shows as the PR's diff: the head against its merge base with the base branch."""
    return git(origin, "diff", "--name-only", f"{pull['base']['ref']}...{pull['head']['ref']}").splitlines()


FIXED_FILE = "apps/backend/config/settings/service.py"


def test_a_deploy_of_staging_opens_a_pr_into_staging_carrying_only_the_fix(github, origin, app):
    _deploy_staging(app)
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")

    assert code == 0 and result["pr_action"] == "opened", err
    (pull,) = github.pulls.values()
    assert pull["base"]["ref"] == "staging"
    assert _changed_by_pr(origin, pull) == [FIXED_FILE]
    assert git(origin, "rev-list", "--count", f"staging..{pull['head']['ref']}") == "1"


@pytest.mark.parametrize("first", ["open", "closed"])
def test_a_pr_into_main_never_takes_a_staging_fix(github, origin, app, first):
    """The same failure on main, then on staging: two fixes, two PRs. Before, the second run pushed staging's fix
    (and its unreviewed commit) onto the branch of the PR into main, or took main's closed PR as a "no"."""
    code, on_main, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0 and on_main["pr_action"] == "opened", err
    main_head = git(origin, "rev-parse", f"refs/heads/{on_main['branch']}")
    if first == "closed":
        github.pulls[1]["state"] = "closed"
    _deploy_staging(app)
    code, on_staging, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")

    assert code == 0 and on_staging["pr_action"] == "opened", err
    assert on_staging["branch"] != on_main["branch"] and on_staging["pr_url"] != on_main["pr_url"]
    assert git(origin, "rev-parse", f"refs/heads/{on_main['branch']}") == main_head, "main's PR was not touched"
    into_main, into_staging = github.pulls[1], github.pulls[2]
    assert into_main["base"]["ref"] == "main" and _changed_by_pr(origin, into_main) == [FIXED_FILE]
    assert into_staging["base"]["ref"] == "staging" and _changed_by_pr(origin, into_staging) == [FIXED_FILE]


@pytest.mark.parametrize("case", ["explicit main under staging", "unpushed commit on main"])
def test_a_base_that_lacks_head_is_refused_and_nothing_is_pushed(github, origin, app, case):
    if case == "explicit main under staging":
        _deploy_staging(app)
        extra = ["--base-branch", "main"]
    else:
        (app / "LOCAL.md").write_text("not on origin\n")
        git(app, "add", "-A")
        git(app, "commit", "-qm", "local only")
        extra = []
    remote_refs, local_refs = git(origin, "for-each-ref"), git(app, "for-each-ref")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr", *extra)

    assert code == 2 and result["status"] == "refused", err
    assert "is not on origin's main" in err and len(err.strip().splitlines()) == 1
    assert git(origin, "for-each-ref") == remote_refs and git(app, "for-each-ref") == local_refs
    assert github.pulls == {} and not github.calls("POST", r"^/repos/")


def test_a_detached_head_is_refused_before_anything_is_made(github, origin, app):
    git(app, "checkout", "-q", "--detach", "HEAD")
    remote_refs, local_refs = git(origin, "for-each-ref"), git(app, "for-each-ref")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")

    assert code == 2 and "HEAD is detached" in err
    assert git(origin, "for-each-ref") == remote_refs and git(app, "for-each-ref") == local_refs
    assert github.pulls == {}


def _action(app: Path, tmp_path: Path, head_branch: str, **inputs: str) -> tuple[int, str, str]:
    """fixbot's action entry (`action.main`) after a failed deploy of `head_branch`; (exit, outputs, summary)."""
    from fixbot import action

    event = tmp_path / "event.json"
    event.write_text(json.dumps({"workflow_run": {
        "id": 4242, "conclusion": "failure", "head_branch": head_branch,
        "head_repository": {"full_name": os.environ["GITHUB_REPOSITORY"]},
        "html_url": f"http://127.0.0.1/{os.environ['GITHUB_REPOSITORY']}/actions/runs/4242"}}))
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_EVENT_PATH": str(event), "GITHUB_WORKSPACE": str(app), "INPUT_LOG_FILE": str(LOG),
           "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary), **inputs}
    code = action.main(env)
    return code, outputs.read_text() if outputs.exists() else "", summary.read_text() if summary.exists() else ""


def test_the_action_targets_the_deployed_branch_from_the_event(github, origin, app, tmp_path, capsys):
    _deploy_staging(app)
    code, outputs, _ = _action(app, tmp_path, "staging")

    assert code == 0, capsys.readouterr().out
    (pull,) = github.pulls.values()
    assert pull["base"]["ref"] == "staging" and _changed_by_pr(origin, pull) == [FIXED_FILE]
    assert "\nfixed\n" in outputs


# --- answers that are not GitHub's API: one line, exit 2, JSON and the Action's outputs still written -------------

GARBAGE = ["html", "truncated", "array", "redirect"]
WHERE = {"the repository": ("GET", r"^/repos/octo/app$"), "the pull list": ("GET", r"/pulls$"),
         "the new pull": ("POST", r"/pulls$"), "the identity": ("POST", r"^/graphql$")}


@pytest.mark.parametrize("where", list(WHERE))
@pytest.mark.parametrize("kind", GARBAGE)
def test_a_garbage_answer_is_a_one_line_forge_error_with_json(github, app, kind, where):
    github.garble_next(*WHERE[where], kind)
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")

    assert code == 2 and result["status"] == "refused", err
    assert "internal error" not in err and len(err.strip().splitlines()) == 1, err
    assert result["error"].startswith("could not ")


@pytest.mark.parametrize("kind", GARBAGE)
def test_a_garbage_answer_in_the_action_writes_outputs_and_summary(github, app, tmp_path, capsys, kind):
    github.garble_next("GET", r"^/repos/octo/app$", kind)
    code, outputs, summary = _action(app, tmp_path, "main")

    assert code == 2
    assert "status<<" in outputs and "\nrefused\n" in outputs
    assert "fixbot could not fix this run: could not read the repository" in summary
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert len(errors) == 1


@pytest.mark.parametrize("kind", GARBAGE)
def test_a_garbage_search_answer_only_warns(github, app, kind):
    github.garble_next("GET", r"^/search/issues$", kind)
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")

    assert code == 0 and result["pr_action"] == "opened", err
    assert "warning: could not search pull requests by fingerprint" in err


def test_a_missing_graphql_endpoint_is_named_and_nothing_is_published(github, origin, app):
    github.fail_next("POST", r"^/graphql$", 404, message="Not Found")
    code, result, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 2 and result["status"] == "refused", err
    assert "GraphQL API answered 404" in err and "GITHUB_REPOSITORY" not in err and len(err.strip().splitlines()) == 1
    assert github.pulls == {} and git(origin, "for-each-ref") == git(origin, "for-each-ref", "refs/heads/main")


def test_another_codemod_for_the_same_failure_updates_its_branch_and_pr(github, origin, app):
    code, first, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr")
    assert code == 0 and first["pr_action"] == "opened", err
    other = next(name for name in first["findings"][0]["fixes"] if name != first["changes"][0]["codemod"])

    code, second, err = fixbot("--log", str(LOG), "--repo", str(app), "--open-pr", "--codemod", other)

    assert code == 0, err
    assert (second["status"], second["branch"], second["created"]) == ("fixed", first["branch"], True)
    assert second["replaced"] == first["commit"] and second["commit"] != first["commit"]
    assert [c["codemod"] for c in second["changes"]] == [other]
    head = git(app, "rev-parse", "main")
    assert git(app, "rev-parse", f"{second['branch']}^") == head  # remade on HEAD, not stacked on the old fix
    assert git(origin, "rev-parse", f"refs/heads/{second['branch']}") == second["commit"]
    assert len(github.pulls) == 1 and second["pr_url"] == first["pr_url"]


def test_another_codemod_whose_verify_cmd_fails_leaves_the_earlier_fix_on_its_branch(app):
    code, first, err = fixbot("--log", str(LOG), "--repo", str(app))
    assert code == 0, err
    other = next(name for name in first["findings"][0]["fixes"] if name != first["changes"][0]["codemod"])

    code, second, err = fixbot("--log", str(LOG), "--repo", str(app), "--codemod", other, "--verify-cmd", "exit 1")

    assert (code, second["status"]) == (2, "refused") and "--verify-cmd exited 1" in err
    assert git(app, "rev-parse", first["branch"]) == first["commit"]


def test_a_passing_verify_cmd_is_in_the_pr_body_and_the_pushed_commit(github, app):
    from tests.support.cli import apply_json

    check = "! grep -q FileHandler apps/backend/config/settings/service.py"
    assert subprocess.run(check, shell=True, cwd=app).returncode != 0  # it fails before the fix: it proves something
    code, out, err = apply_json(LOG, app, "--open-pr", "--verify-cmd", check)
    assert code == 0 and out["verified"] == {"cmd": check, "exit": 0}, (out, err)
    (pull,) = github.pulls.values()
    assert f"**Verified:** `{check} (exit 0)` passed on this branch's commit." in pull["body"], pull["body"]
    pushed = git(github.git_dir, "log", "-1", "--format=%H%n%B", out["branch"])
    assert pushed.startswith(out["commit"]) and f"Verified-by: {check} (exit 0)" in pushed, pushed
