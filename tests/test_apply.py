"""`fixbot apply` end to end: a real failing boot, the fix on its own branch, the fixed tree booted again."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixbot import apply
from tests.support import realrun
from tests.support.repos import git_out as git, snapshot
from tests.support.repos import clone, commit_all, without_branch
from tests.support.realrun import boot_backend
from tests.support.cli import apply_json, fixbot
from tests.support import ROOT

LEDGERSG = ROOT / "examples" / "ledgersg"
BRANCH = re.compile(r"^fixbot/django-logging-handler-[0-9a-f]{8}$")
BASE = "apps/backend/config/settings/base.py"

# The start script of the incident's shape: Gunicorn inside `bash -c "…"` with backslash continuations, its
# error log in a directory that does not exist.
START_SH = """\
#!/usr/bin/env bash
set -e
cd "$(dirname "$0")/apps/backend"
bash -c "
gunicorn config.wsgi:application \\
-b 127.0.0.1:${BACKEND_PORT} \\
--workers 1 \\
--timeout 10 \\
--error-logfile /missing/dir/error.log
"
"""



@dataclass(frozen=True)
class Failing:
    repo: Path
    log: Path
    head: str
    settings: str


# --- the settings package: LOGGING in base.py, the active module star-imports it -------------------------------


@pytest.fixture(scope="module")
def base_layout(tmp_path_factory) -> Failing:
    """A committed project whose real Gunicorn boot failed on base.py's file handler; its log is kept."""
    top = tmp_path_factory.mktemp("base-layout")
    project = realrun.make_django_project(
        top / "repo", logging_source=realrun.file_logging(str(top / "no-such-dir" / "api.log")), settings_layout="base"
    )
    head = commit_all(project.root)
    run = realrun.run_gunicorn(project)
    assert not run.booted and "Unable to configure handler 'file'" in run.output, run.output
    log = top / "boot.log"
    log.write_text(run.output)
    return Failing(project.root, log, head, project.settings_module)


@pytest.fixture(scope="module")
def base_fixed(base_layout) -> dict:
    """`fixbot apply` run once, as a user runs it, on the failing log: its JSON and the checkout around it."""
    before = snapshot(base_layout.repo)
    dry = fixbot("apply", "--log", str(base_layout.log), "--repo", str(base_layout.repo), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    after_dry = snapshot(base_layout.repo)
    code, out, err = apply_json(base_layout.log, base_layout.repo)
    assert code == 0, err
    return {"before": before, "after_dry": after_dry, "dry": dry.stdout, "json": out, "after": snapshot(base_layout.repo)}


def test_fix_is_one_commit_on_top_of_head_changing_only_base_py(base_layout, base_fixed):
    out = base_fixed["json"]
    assert out["status"] == "fixed" and out["created"] is True
    assert BRANCH.match(out["branch"]), out["branch"]
    branch_sha = git(base_layout.repo, "rev-parse", f"refs/heads/{out['branch']}").strip()
    assert branch_sha == out["commit"]
    assert git(base_layout.repo, "rev-list", "--parents", "-n1", branch_sha).split() == [branch_sha, base_layout.head]
    assert git(base_layout.repo, "diff", "--name-only", base_layout.head, branch_sha) == f"{BASE}\n"
    assert out["changes"][0]["path"] == BASE and out["changes"][0]["codemod"] == "logging-console"
    assert "service.py" in out["changes"][0]["why"]  # says why base.py and not the active module


def test_checkout_is_untouched_by_dry_run_and_apply(base_layout, base_fixed):
    assert base_fixed["after_dry"] == base_fixed["before"]
    assert without_branch(base_fixed["after"], base_fixed["json"]["branch"]) == base_fixed["before"]
    assert "dry run: nothing changed" in base_fixed["dry"] and f"+++ b/{BASE}" in base_fixed["dry"]


def test_fixed_branch_boots_in_a_separate_clone(base_layout, base_fixed, tmp_path):
    assert not boot_backend(base_layout.repo, base_layout.settings).booted  # still broken where it was
    tree = clone(base_layout.repo, tmp_path / "review", "--branch", base_fixed["json"]["branch"])
    run = boot_backend(tree, base_layout.settings)
    assert run.status == 200 and "healthy" in run.body, run.output


def test_json_matches_the_contract(base_layout, base_fixed):
    out = base_fixed["json"]
    assert {"status", "changes", "branch", "commit", "pr_url", "diff"} <= set(out)
    assert all({"path", "codemod"} <= set(c) for c in out["changes"])
    assert re.fullmatch(r"[0-9a-f]{40}", out["commit"]) and out["pr_url"] is None
    assert f"--- a/{BASE}\n+++ b/{BASE}\n" in out["diff"] and "-            'class': 'logging.FileHandler'," in out["diff"]
    assert out["error"] is None


def test_rerun_before_merging_returns_the_same_branch(base_layout, base_fixed):
    before = snapshot(base_layout.repo)
    result = apply.run(str(base_layout.log), base_layout.repo)
    assert (result.status, result.branch, result.commit, result.created) == (
        "fixed", base_fixed["json"]["branch"], base_fixed["json"]["commit"], False
    )
    assert result.exit_code == 0
    assert snapshot(base_layout.repo) == before


def test_after_merging_the_fix_a_second_run_is_already_fixed(base_layout, base_fixed, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "merged")
    git(tree, "merge", "-q", "--ff-only", f"origin/{base_fixed['json']['branch']}")
    before = snapshot(tree)
    code, out, err = apply_json(base_layout.log, tree)
    assert (code, out["status"], out["branch"], out["commit"], out["changes"]) == (0, "already-fixed", None, None, []), err
    assert snapshot(tree) == before  # no branch, no commit


def test_on_the_fix_branch_itself_it_is_already_fixed(base_layout, base_fixed, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "on-branch", "--branch", base_fixed["json"]["branch"])
    before = snapshot(tree)
    result = fixbot("apply", "--log", str(base_layout.log), "--repo", str(tree))
    assert result.returncode == 0 and "Already fixed" in result.stdout, result.stderr
    assert snapshot(tree) == before


def test_dirty_work_tree_is_not_committed_and_stays_as_it_was(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "dirty")
    committed = (tree / BASE).read_bytes()
    (tree / BASE).write_bytes(committed + b"\nEXTRA = 'uncommitted'\n")
    (tree / "scratch.txt").write_text("untracked\n")
    (tree / "apps/backend/api/views.py").write_text("# staged\n")
    git(tree, "add", "apps/backend/api/views.py")
    before = snapshot(tree)

    result = apply.run(str(base_layout.log), tree)

    assert result.status == "fixed" and result.created
    assert without_branch(snapshot(tree), result.branch) == before
    fixed = git(tree, "show", f"{result.commit}:{BASE}")
    assert "EXTRA" not in fixed and "FileHandler" not in fixed
    assert git(tree, "diff", "--name-only", "HEAD", result.commit) == f"{BASE}\n"


SERVICE = "apps/backend/config/settings/service.py"


def _move_logging_to_service(tree: Path) -> None:
    """Working tree only: LOGGING leaves base.py for service.py (HEAD still has it, and its failure, in base.py)."""
    base = (tree / BASE).read_text()
    start = base.index("LOGGING = {")
    (tree / BASE).write_text(base[:start])
    (tree / SERVICE).write_text((tree / SERVICE).read_text() + "\n" + base[start:])


def _break_base(tree: Path) -> None:
    (tree / BASE).write_text((tree / BASE).read_text() + "\nDEBUG = (\n")  # a half-typed edit, never committed


def _add_local_settings(tree: Path) -> None:
    """A new settings module (staged, not committed) made active by a new .env, and an untracked one beside it."""
    settings = tree / "apps/backend/config/settings"
    (settings / "local.py").write_text("from .base import *\n\nLOGGING = {'version': 1}\n")
    (settings / "scratch.py").write_text("from .base import *\nLOGGING = None\n")
    (tree / ".env").write_text("DJANGO_SETTINGS_MODULE=config.settings.local\n")
    git(tree, "add", "apps/backend/config/settings/local.py", ".env")


@pytest.mark.parametrize("dirty", [_move_logging_to_service, _break_base, _add_local_settings],
                         ids=["logging-moved", "file-broken", "new-settings-module"])
def test_uncommitted_changes_do_not_steer_the_fix_of_head(base_layout, base_fixed, tmp_path, dirty):
    """The plan is made on HEAD, the commit is made on HEAD: what the working tree holds plays no part."""
    tree = clone(base_layout.repo, tmp_path / "dirty")
    dirty(tree)
    before = snapshot(tree)

    result = apply.run(str(base_layout.log), tree)

    assert result.status == "fixed" and [c.path for c in result.changes] == [BASE], result
    assert git(tree, "diff", "--name-only", "HEAD", result.commit) == f"{BASE}\n"
    clean = git(base_layout.repo, "show", f"{base_fixed['json']['commit']}:{BASE}")
    assert git(tree, "show", f"{result.commit}:{BASE}") == clean  # the very fix a clean checkout gets
    assert without_branch(snapshot(tree), result.branch) == before


def test_verify_cmd_runs_in_a_worktree_of_the_fix(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "verify")
    before = snapshot(tree)
    # manage.py check fails on HEAD (the file handler) and passes only on the fixed tree, from the backend dir.
    check = f"cd apps/backend && {sys.executable} -B manage.py check"
    assert subprocess.run(check, shell=True, cwd=tree, capture_output=True).returncode != 0
    code, out, err = apply_json(base_layout.log, tree, "--verify-cmd", check)
    assert code == 0 and out["status"] == "fixed", err
    assert without_branch(snapshot(tree), out["branch"]) == before
    assert git(tree, "worktree", "list", "--porcelain").count("worktree ") == 1
    # the proof is visible: in the JSON, and as a trailer of the very commit the branch holds
    assert out["verified"] == {"cmd": check, "exit": 0}
    assert git(tree, "rev-parse", out["branch"]).strip() == out["commit"]
    message = git(tree, "log", "-1", "--format=%B", out["commit"])
    assert f"\nVerified-by: {check} (exit 0)\n" in message and "Fixbot-Fingerprint: " in message, message
    assert git(tree, "diff", "--name-only", "HEAD", out["commit"]).strip() == BASE


def test_a_passing_verify_cmd_is_in_the_text_output_redacted(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "verify-text")
    token = "ghp_" + "V" * 36
    done = fixbot("apply", "--log", str(base_layout.log), "--repo", str(tree), "--verify-cmd", f"TOKEN={token} true")
    assert done.returncode == 0, done.stderr
    assert "verified: TOKEN=" in done.stdout and "true (exit 0) on the fix commit" in done.stdout, done.stdout
    branch = re.search(r"on branch (\S+)", done.stdout)[1]
    message = git(tree, "log", "-1", "--format=%B", branch)
    assert token not in done.stdout + message and "Verified-by: TOKEN=" in message, message


# --- bad input: one line, exit 2, the repository as it was ----------------------------------------------------


def assert_refused(log: Path, repo: Path, *args: str, expect: str) -> str:
    before = snapshot(repo)
    result = fixbot("apply", "--log", str(log), "--repo", str(repo), *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fixbot: ") and expect in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before
    return lines[0]


def test_verify_cmd_failing_removes_the_branch(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "verify-fails")
    assert_refused(base_layout.log, tree, "--verify-cmd", "false", expect="--verify-cmd exited 1")
    assert git(tree, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert "fixbot/" not in git(tree, "branch", "--list")


@pytest.mark.parametrize("hangs", ["add", "remove"])
def test_git_worktree_that_hangs_is_one_line_and_removes_the_branch(base_layout, tmp_path, monkeypatch, hangs):
    from fixbot import verify
    from fixbot.gitops import read as gitread
    from fixbot.gitops import worktrees

    tree = clone(base_layout.repo, tmp_path / "hangs")
    before = snapshot(tree)
    real_status = worktrees._git_status

    def status(repo, *args, **kwargs):
        if args[:2] == ("worktree", hangs):
            assert kwargs["kill_after_timeout"] == 120
            if hangs == "remove":
                real_status(repo, *args, **kwargs)  # it did its work but never returned
            raise gitread.GitTimeout(f"git worktree did not finish: killed after {kwargs['kill_after_timeout']}s")
        return real_status(repo, *args, **kwargs)

    monkeypatch.setattr(worktrees, "_git_status", status)
    with pytest.raises(verify.VerifyFailed, match=rf"^--verify-cmd: git worktree {hangs} did not finish within 120s"):
        apply.run(str(base_layout.log), tree, verify_cmd="true")
    assert snapshot(tree) == before  # the branch it made is gone again


def test_not_a_git_repository(base_layout, tmp_path):
    tree = tmp_path / "plain"
    shutil.copytree(base_layout.repo, tree, ignore=shutil.ignore_patterns(".git"))
    files = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = fixbot("apply", "--log", str(base_layout.log), "--repo", str(tree))
    assert result.returncode == 2 and "not a git repository" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == files


def test_bare_repository(base_layout, tmp_path):
    bare = clone(base_layout.repo, tmp_path / "bare.git", "--bare")
    refs = git(bare, "for-each-ref")
    result = fixbot("apply", "--log", str(base_layout.log), "--repo", str(bare))
    assert result.returncode == 2 and "bare repository" in result.stderr, result.stderr
    assert git(bare, "for-each-ref") == refs


def test_detached_head(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "detached")
    git(tree, "checkout", "-q", "--detach")
    assert_refused(base_layout.log, tree, expect="HEAD is detached")


def test_existing_branch_of_the_same_name_pointing_elsewhere(base_layout, base_fixed, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "taken")
    git(tree, "branch", base_fixed["json"]["branch"], "HEAD")
    assert_refused(base_layout.log, tree, expect="already exists")


def test_settings_file_with_a_syntax_error(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "syntax")
    (tree / BASE).write_text((tree / BASE).read_text() + "\nDEBUG = (\n")
    commit_all(tree, "break it")
    assert_refused(base_layout.log, tree, expect=f"{BASE}:")


def test_logging_built_by_a_function_is_refused(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "built")
    text = (tree / BASE).read_text()
    (tree / BASE).write_text(text[: text.index("LOGGING = {")] + "from logging_helpers import build\n\nLOGGING = build('api')\n")
    commit_all(tree, "build logging")
    assert_refused(base_layout.log, tree, expect="refused")
    code, out, _ = apply_json(base_layout.log, tree)
    assert code == 2 and out["status"] == "refused" and "built by build" in out["error"]


@pytest.mark.parametrize("named", ["/etc/passwd", "../../x/config/wsgi.py", "/app/escape/passwd"])
def test_log_naming_files_outside_the_repository(base_layout, tmp_path, named):
    tree = clone(base_layout.repo, tmp_path / "escape")
    (tree / "escape").symlink_to("/etc")  # a symlink inside the repository that leads out of it
    commit_all(tree, "a symlink out")
    log = tmp_path / "evil.log"
    log.write_text(base_layout.log.read_text().replace(str(base_layout.repo / "apps/backend/config/wsgi.py"), named))
    assert named in log.read_text()
    assert_refused(log, tree, expect="no file of this repository")


def test_settings_module_symlinked_outside_is_never_read_or_written(base_layout, tmp_path):
    tree = clone(base_layout.repo, tmp_path / "linked")
    outside = tmp_path / "outside-base.py"
    shutil.copy(tree / BASE, outside)
    (tree / BASE).unlink()
    (tree / BASE).symlink_to(outside)
    commit_all(tree, "base.py lives elsewhere")
    data = outside.read_bytes()
    assert_refused(base_layout.log, tree, expect="define no LOGGING")
    assert outside.read_bytes() == data


# --- the example of the incident ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ledgersg(tmp_path_factory) -> Failing:
    top = tmp_path_factory.mktemp("ledgersg")
    repo = top / "repo"
    shutil.copytree(LEDGERSG, repo, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    head = commit_all(repo)
    run = boot_backend(repo, "config.settings.service")
    assert not run.booted and "Unable to configure handler 'file'" in run.output, run.output
    return Failing(repo, LEDGERSG / "logs" / "boot-failure.log", head, "config.settings.service")


def test_ledgersg_fix_boots(ledgersg, tmp_path):
    tree = clone(ledgersg.repo, tmp_path / "work")
    before = snapshot(tree)

    result = apply.run(str(ledgersg.log), tree)

    assert result.status == "fixed" and result.created and BRANCH.match(result.branch)
    assert [(c.path, c.codemod) for c in result.changes] == [("apps/backend/config/settings/service.py", "logging-console")]
    assert "Dockerfile sets DJANGO_SETTINGS_MODULE=config.settings.service" in result.changes[0].why
    assert any("entrypoint.sh" in n and "gunicorn-stdout" in n for n in result.notes)
    assert without_branch(snapshot(tree), result.branch) == before
    review = clone(tree, tmp_path / "review", "--branch", result.branch)
    run = boot_backend(review, ledgersg.settings)
    assert run.status == 200, run.output


def test_ledgersg_logging_path_uses_the_entrypoints_directory(ledgersg, tmp_path):
    tree = clone(ledgersg.repo, tmp_path / "work")
    (tree / ".fixbot.yml").write_text("logging: path\n")
    commit_all(tree, "fixbot: keep log files")

    result = apply.run(str(ledgersg.log), tree)

    assert [(c.path, c.codemod) for c in result.changes] == [("apps/backend/config/settings/service.py", "logging-path")]
    assert "'/tmp/backend_logs'" in result.diff
    review = clone(tree, tmp_path / "review", "--branch", result.branch)
    logs = tmp_path / "logs"  # DJANGO_LOG_DIR keeps the boot's log file out of this machine's /tmp/backend_logs
    run = realrun.run_gunicorn(review / "apps/backend", env={"DJANGO_SETTINGS_MODULE": ledgersg.settings,
                                                           "DJANGO_LOG_DIR": str(logs)})
    assert run.status == 200, run.output
    assert (logs / "api.log").is_file()
    assert apply.run(str(ledgersg.log), review).status == "already-fixed"


# --- a start script whose Gunicorn log flags are the failure ------------------------------------------------------


@pytest.fixture(scope="module")
def start_script(tmp_path_factory) -> Failing:
    top = tmp_path_factory.mktemp("script")
    project = realrun.make_django_project(top / "repo", logging_source=realrun.CONSOLE_LOGGING)
    script = project.root / "start.sh"
    script.write_text(START_SH)
    script.chmod(0o755)
    head = commit_all(project.root)
    run = realrun.run_script(script)
    assert not run.booted and "/missing/dir/error.log" in run.output, run.output
    log = top / "start.log"
    log.write_text(run.output)
    return Failing(project.root, log, head, project.settings_module)


def test_start_script_fix_starts(start_script, tmp_path):
    before = snapshot(start_script.repo)
    code, out, err = apply_json(start_script.log, start_script.repo)
    assert code == 0 and out["status"] == "fixed", err
    assert out["branch"].startswith("fixbot/gunicorn-logfile-")
    assert [(c["path"], c["codemod"]) for c in out["changes"]] == [("start.sh", "gunicorn-stdout")]
    assert "+--error-logfile -\n" in out["diff"]
    assert without_branch(snapshot(start_script.repo), out["branch"]) == before
    review = clone(start_script.repo, tmp_path / "review", "--branch", out["branch"])
    run = realrun.run_script(review / "start.sh")
    assert run.status == 200, run.output

    # merged, the same log is already fixed: exit 0 and nothing made
    merged = clone(start_script.repo, tmp_path / "merged")
    git(merged, "merge", "-q", "--ff-only", f"origin/{out['branch']}")
    before = snapshot(merged)
    code, again, err = apply_json(start_script.log, merged)
    assert (code, again["status"], again["branch"]) == (0, "already-fixed", None), err
    assert snapshot(merged) == before


# --- what is left out of the fix is said, and the dry run previews the very commit ---------------------------


@pytest.fixture
def committed(tmp_path) -> Path:
    """The ledgersg example as a committed repository (its kept log is a real boot's)."""
    repo = tmp_path / "committed"
    shutil.copytree(LEDGERSG, repo, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit_all(repo)
    return repo


SERVICE_PY = "apps/backend/config/settings/service.py"


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fixbot: warning: ")]


def test_dry_run_and_apply_read_heads_config_and_warn_of_what_they_leave_out(committed):
    """An untracked .fixbot.yml and an uncommitted edit: the dry run shows the commit apply then makes (HEAD's
    settings, HEAD's file), and both say in one line each what they left out."""
    (committed / ".fixbot.yml").write_text("branch_prefix: hijack/\n")
    (committed / SERVICE_PY).write_text((committed / SERVICE_PY).read_text() + "\nEXTRA = 'uncommitted'\n")
    log = str(LEDGERSG / "logs" / "boot-failure.log")
    dry_code, dry, dry_err = apply_json(Path(log), committed, "--dry-run")
    code, out, err = apply_json(Path(log), committed)

    assert dry_code == code == 0, (dry_err, err)
    assert dry["branch"] == out["branch"] and out["branch"].startswith("fixbot/"), (dry["branch"], out["branch"])
    assert dry["diff"] == out["diff"] and "EXTRA" not in dry["diff"]
    for stderr in (dry_err, err):
        uncommitted, config = _warnings(stderr)
        assert f"uncommitted changes to {SERVICE_PY} are not in the fix" in uncommitted, uncommitted
        assert ".fixbot.yml is not committed" in config, config
    assert "EXTRA" not in git(committed, "show", f"{out['commit']}:{SERVICE_PY}")


def test_a_typo_only_in_the_working_trees_config_breaks_neither_run(committed):
    """The dry run used to read the working tree's .fixbot.yml and refuse a typo that the real run, reading HEAD's,
    ignored: both now read HEAD's, and say that the edited file is left out."""
    (committed / ".fixbot.yml").write_text("logging: console\n")
    commit_all(committed, "config")
    (committed / ".fixbot.yml").write_text("loging: console\n")
    log = LEDGERSG / "logs" / "boot-failure.log"
    for args in (("--dry-run",), ()):
        code, out, err = apply_json(log, committed, *args)
        assert code == 0 and out["status"] == "fixed", err
        (warning,) = _warnings(err)
        assert "uncommitted changes to .fixbot.yml are not in the fix" in warning


def test_a_typo_in_the_committed_config_is_refused_by_both_runs(committed):
    (committed / ".fixbot.yml").write_text("loging: console\n")
    commit_all(committed, "config with a typo")
    for args in (("--dry-run",), ()):
        result = fixbot("apply", "--log", str(LEDGERSG / "logs" / "boot-failure.log"), "--repo", str(committed), *args)
        line = result.stderr.strip()
        assert result.returncode == 2 and "unknown key loging; did you mean logging?" in line, result.stderr


def test_a_clean_checkout_gets_no_warning(committed):
    code, out, err = apply_json(LEDGERSG / "logs" / "boot-failure.log", committed, "--dry-run")
    assert code == 0 and out["warnings"] == [] and _warnings(err) == [], err


def test_a_directory_inside_a_repository_is_previewed_from_disk(committed):
    """`make demo`'s case: no commit can be made there, so the dry run reads the files as they are, and warns of
    nothing."""
    outer = committed.parent / "outer"
    outer.mkdir()
    shutil.move(committed, outer / "app")
    shutil.rmtree(outer / "app" / ".git")
    commit_all(outer)
    settings = outer / "app" / SERVICE_PY
    settings.write_text(settings.read_text().replace("'filename': '/app/apps/backend/logs/api.log'",
                                                     "'filename': '/app/apps/backend/logs/on-disk.log'"))
    code, out, err = apply_json(LEDGERSG / "logs" / "boot-failure.log", outer / "app", "--dry-run")
    assert code == 0 and out["status"] == "fixed" and _warnings(err) == [], err
    assert "-            'filename': '/app/apps/backend/logs/on-disk.log'," in out["diff"].splitlines()
