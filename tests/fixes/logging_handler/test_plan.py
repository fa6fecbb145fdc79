"""`fixbot apply` where the failing settings module is not the one the repository defaults to: real failing boots, fixes found by evidence, fixed branches booted."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import realrun
from tests.support.cli import apply_json, fixbot
from tests.support.repos import clone, commit_all, without_branch
from tests.support.repos import git_out as git, snapshot

SETTINGS = "apps/backend/config/settings"

START_WEB = """\
#!/usr/bin/env bash
set -e
export DJANGO_SETTINGS_MODULE=config.settings.prod
cd "$(dirname "$0")/../apps/backend"
exec gunicorn config.wsgi:application -b 127.0.0.1:${PORT} --workers 1 --timeout 10
"""


@dataclass(frozen=True)
class Failed:
    repo: Path
    log: Path
    head: str
    output: str


def prod_failing_base_fine(top: Path) -> realrun.Project:
    """config.settings.prod writes to a missing directory; the repository's own default is `base`, whose LOGGING
    writes only to the console."""
    project = realrun.make_django_project(
        top / "repo", logging_source=realrun.file_logging(str(top / "no-such-dir" / "api.log")), active="prod"
    )
    for entry in (project.wsgi_file, project.manage_file):
        entry.write_text(entry.read_text().replace(project.settings_module, "config.settings.base"))
    base = project.active_file.parent / "base.py"
    base.write_text(base.read_text() + "\n" + realrun.CONSOLE_LOGGING)
    return project


def keep(top: Path, run: realrun.Run, repo: Path, head: str) -> Failed:
    log = top / "boot.log"
    log.write_text(run.output)
    return Failed(repo, log, head, run.output)


# --- shape 1: DJANGO_SETTINGS_MODULE set outside the repository -------------------------------------------------


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Failed:
    top = tmp_path_factory.mktemp("outside")
    project = prod_failing_base_fine(top)
    head = commit_all(project.root)
    run = realrun.run_gunicorn(project)  # DJANGO_SETTINGS_MODULE=config.settings.prod, from the environment only
    assert not run.booted and "Unable to configure handler 'file'" in run.output, run.output
    return keep(top, run, project.root, head)


@pytest.fixture(scope="module")
def outside_fixed(outside) -> dict:
    before = snapshot(outside.repo)
    code, out, err = apply_json(outside.log, outside.repo)
    return {"code": code, "json": out, "err": err, "before": before, "after": snapshot(outside.repo)}


def test_module_set_outside_the_repository_is_fixed_not_already_fixed(outside, outside_fixed):
    out = outside_fixed["json"]
    assert (outside_fixed["code"], out["status"]) == (0, "fixed"), outside_fixed["err"]
    assert [c["path"] for c in out["changes"]] == [f"{SETTINGS}/prod.py"]
    assert "set outside this repository" in out["changes"][0]["why"]
    assert git(outside.repo, "diff", "--name-only", outside.head, out["commit"]) == f"{SETTINGS}/prod.py\n"
    assert without_branch(outside_fixed["after"], out["branch"]) == outside_fixed["before"]


def test_module_set_outside_the_repository_boots_after_the_fix(outside, outside_fixed, tmp_path):
    tree = clone(outside.repo, tmp_path / "review", "--branch", outside_fixed["json"]["branch"])
    run = realrun.run_gunicorn(tree / "apps/backend", env={"DJANGO_SETTINGS_MODULE": "config.settings.prod"})
    assert run.status == 200 and "healthy" in run.body, run.output


def test_naming_a_module_without_the_handler_is_exit_2_naming_the_one_with_it(outside):
    before = snapshot(outside.repo)
    result = fixbot("apply", "--log", str(outside.log), "--repo", str(outside.repo), "--settings", "config.settings.base")
    assert result.returncode == 2 and result.stdout == "", result.stdout
    (line,) = result.stderr.splitlines()
    assert "config.settings.base was given" in line and f"config.settings.prod ({SETTINGS}/prod.py)" in line
    assert snapshot(outside.repo) == before


@pytest.mark.parametrize("value", ["not a module", "../etc"])
def test_settings_flag_that_is_no_module_name_is_one_line(outside, value):
    result = fixbot("apply", "--log", str(outside.log), "--repo", str(outside.repo), "--settings", value, "--dry-run")
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "is not a dotted Python module name" in result.stderr


# --- shape 2: the deploy file that sets it is in bin/ ----------------------------------------------------------------


@pytest.fixture(scope="module")
def in_bin(tmp_path_factory) -> Failed:
    """prod and staging hold the same failing handler; only bin/start-web says which one the deploy runs."""
    top = tmp_path_factory.mktemp("in-bin")
    project = prod_failing_base_fine(top)
    (project.active_file.parent / "staging.py").write_text(project.active_file.read_text())
    script = project.root / "bin" / "start-web"
    script.parent.mkdir()
    script.write_text(START_WEB)
    head = commit_all(project.root)
    run = realrun.run_script(script, cwd=project.root)
    assert not run.booted and "Unable to configure handler 'file'" in run.output, run.output
    return keep(top, run, project.root, head)


def test_deploy_script_in_bin_chooses_the_module_and_its_fix_boots(in_bin, tmp_path):
    before = snapshot(in_bin.repo)
    code, out, err = apply_json(in_bin.log, in_bin.repo)
    assert (code, out["status"]) == (0, "fixed"), err
    assert [c["path"] for c in out["changes"]] == [f"{SETTINGS}/prod.py"]
    assert out["changes"][0]["why"].startswith("bin/start-web sets DJANGO_SETTINGS_MODULE=config.settings.prod")
    assert without_branch(snapshot(in_bin.repo), out["branch"]) == before
    tree = clone(in_bin.repo, tmp_path / "review", "--branch", out["branch"])
    run = realrun.run_script(tree / "bin" / "start-web", cwd=tree)
    assert run.status == 200 and "healthy" in run.body, run.output


# --- shape 3: a derived module adds the handler by assignment ----------------------------------------------------------

ADDS_HANDLER = """\
LOGGING['handlers']['app_file'] = {{
    'class': 'logging.FileHandler',
    'filename': {filename!r},
}}
LOGGING['root']['handlers'].append('app_file')
"""


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> Failed:
    top = tmp_path_factory.mktemp("derived")
    project = realrun.make_django_project(
        top / "repo", logging_source=realrun.CONSOLE_LOGGING, settings_layout="base", active="prod",
        extra_settings=ADDS_HANDLER.format(filename=str(top / "no-such-dir" / "app.log")),
    )
    head = commit_all(project.root)
    run = realrun.run_gunicorn(project)
    assert not run.booted and "Unable to configure handler 'app_file'" in run.output, run.output
    return keep(top, run, project.root, head)


def test_handler_added_by_assignment_is_fixed_where_it_is_added_and_boots(derived, tmp_path):
    before = snapshot(derived.repo)
    code, out, err = apply_json(derived.log, derived.repo)
    assert (code, out["status"]) == (0, "fixed"), err
    assert [c["path"] for c in out["changes"]] == [f"{SETTINGS}/prod.py"]
    assert without_branch(snapshot(derived.repo), out["branch"]) == before
    tree = clone(derived.repo, tmp_path / "review", "--branch", out["branch"])
    run = realrun.run_gunicorn(tree / "apps/backend", env={"DJANGO_SETTINGS_MODULE": "config.settings.prod"})
    assert run.status == 200, run.output
    # The base's root console prints every record the added handler wrote (INFO and up): the append goes, and a
    # line of the app prints once. Converted in place with its append kept, the handler printed each one twice.
    assert ".append('app_file')" not in (tree / SETTINGS / "prod.py").read_text()
    said = subprocess.run([sys.executable, "-c", "import django, logging; django.setup(); "
                           "logging.getLogger('shop').warning('a line of the app')"],
                          cwd=tree / "apps/backend", env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod"},
                          capture_output=True, text=True, timeout=60)
    assert said.stderr.count("a line of the app") == 1, said.stderr


# --- never a wrong already-fixed --------------------------------------------------------------------------------------


def test_after_merging_the_fix_it_is_already_fixed(outside, outside_fixed, tmp_path):
    tree = clone(outside.repo, tmp_path / "merged")
    git(tree, "merge", "-q", "--ff-only", f"origin/{outside_fixed['json']['branch']}")
    code, out, err = apply_json(outside.log, tree)
    assert (code, out["status"], out["changes"]) == (0, "already-fixed", []), err


class _ChangesNothing:
    """A codemod that leaves every file as it is, as one that does not understand a file's shape would."""

    NAME = "logging-console"

    @staticmethod
    def rewrite(source: str, path: str, **options) -> str:
        return source


def test_a_codemod_that_leaves_the_failing_handler_in_place_is_a_refusal(outside, monkeypatch):
    from fixbot import apply, codemods, files

    monkeypatch.setattr(codemods, "get", lambda name: _ChangesNothing)
    before = snapshot(outside.repo)
    with pytest.raises(files.Refused, match=rf"^{SETTINGS}/prod.py: logging-console changed nothing, but "
                                            r"config.settings.prod's LOGGING still defines handler 'file'"):
        apply.run(str(outside.log), outside.repo, dry_run=True)
    assert snapshot(outside.repo) == before


def test_the_actions_settings_input_reaches_apply(outside, capsys):
    from fixbot import action

    env = {"GITHUB_WORKSPACE": str(outside.repo), "INPUT_LOG_FILE": str(outside.log), "INPUT_DRY_RUN": "true",
           "INPUT_SETTINGS": "config.settings.base"}
    assert action.main(env) == 2
    (error,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::error")]
    assert "config.settings.base was given as the settings module" in error
    assert action.main({**env, "INPUT_SETTINGS": ""}) == 0


def test_settings_key_in_the_config_is_used_and_the_flag_overrides_it(outside, tmp_path):
    from fixbot import apply
    from fixbot.settings_find import Ambiguous

    config = tmp_path / "fixbot.yml"
    config.write_text("settings: config.settings.base\n")
    with pytest.raises(Ambiguous, match="config.settings.base was given"):
        apply.run(str(outside.log), outside.repo, dry_run=True, config_path=config)
    result = apply.run(str(outside.log), outside.repo, dry_run=True, config_path=config, settings="config.settings.prod")
    assert result.status == "fixed" and [c.path for c in result.changes] == [f"{SETTINGS}/prod.py"]
    assert "given as config.settings.prod" in result.changes[0].why


def test_after_merging_the_logging_path_fix_it_is_already_fixed(outside, tmp_path):
    from fixbot import apply

    tree = clone(outside.repo, tmp_path / "path-fix")
    fixed = apply.run(str(outside.log), tree, codemod="logging-path")
    assert fixed.status == "fixed" and [c.path for c in fixed.changes] == [f"{SETTINGS}/prod.py"]
    git(tree, "merge", "-q", "--ff-only", fixed.branch)
    again = apply.run(str(outside.log), tree, codemod="logging-path")
    assert (again.status, again.exit_code) == ("already-fixed", 0)
