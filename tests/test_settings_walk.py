"""A settings module that runs code fixbot does not read (exec, execfile, runpy, globals().update, a computed import) is unknown from there on (issue 20)."""

from __future__ import annotations

import json

import pytest

from fixbot import settings_find
from fixbot.repo import RepoView
from tests.support import bounded, hostile

BOOT_LOG = str(hostile.BOOT_LOG)


@pytest.mark.parametrize("shape", hostile.EXEC_SHAPES)
def test_apply_exits_2_with_the_reason_never_already_fixed(tmp_path, shape):
    repo = hostile.exec_repo(tmp_path / "repo", shape)
    ran = bounded.assert_bounded(bounded.fixbot("apply", "--log", BOOT_LOG, "--repo", str(repo), "--format", "json"))
    assert ran.returncode == 2, ran
    result = json.loads(ran.stdout)
    assert result["status"] == "refused" and "cannot" in result["error"], result


@pytest.mark.parametrize("shape", hostile.EXEC_SHAPES)
def test_the_walk_says_where_the_unread_code_runs(tmp_path, shape):
    repo = hostile.exec_repo(tmp_path / "repo", shape)
    with RepoView.open(repo) as view:
        found = settings_find.candidate(view, "config.settings.service", "apps/backend/config/settings/service.py",
                                        "file", "/app/apps/backend/logs/api.log")
    assert found.evidence.unknown and found.evidence.score == 0
    if shape != "importlib, computed":  # a loop: unknown too, as every loop that touches LOGGING
        assert "service.py:" in found.evidence.what and "may define anything" in found.evidence.what, found.evidence


def test_a_literal_logging_after_the_exec_is_known_again(tmp_path):
    repo = hostile.ledgersg_repo(tmp_path / "repo")
    hostile.plant_settings(repo, "import os\n" + hostile.EXEC_SHAPES["exec"])
    with RepoView.open(repo) as view:
        found = settings_find.candidate(view, "config.settings.service", "apps/backend/config/settings/service.py",
                                        "file", "/app/apps/backend/logs/api.log")
    assert found.evidence.score == 3 and found.walk.dynamic


def test_check_gives_no_finding_for_it_and_keeps_the_others(tmp_path):
    repo = hostile.exec_repo(tmp_path / "repo", "exec")
    ran = bounded.assert_bounded(bounded.fixbot("check", str(repo)))
    assert "service.py" not in ran.stdout and "entrypoint.sh:26" in ran.stdout, ran
