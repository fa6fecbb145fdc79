"""Where the LOGGING in effect is defined: `from .base import *` chains walked from the active settings module (settings_walk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixbot.errors import BadInput
from tests.support.repos import make_repo
from tests.support import ROOT
from tests.support.settings import LOGGING, SETTINGS, logging_site, settings_package
import json
from fixbot import settings_find
from fixbot.repo import RepoView
from tests.support import bounded, hostile

LEDGERSG = ROOT / "examples" / "ledgersg"





# --- where LOGGING really is ----------------------------------------------------------------------------------------


def site_of(tmp_path: Path, files: dict[str, str], untracked: dict[str, str] | None = None):
    view = make_repo(tmp_path, files, untracked=untracked)
    return logging_site(view, f"{SETTINGS}/service.py", "config.settings.service")


@pytest.mark.parametrize(
    "importer", ["from .base import *\n", "from config.settings.base import *\n", "from config.settings.base import LOGGING\n"]
)
def test_logging_found_through_relative_and_absolute_imports(tmp_path, importer):
    site = site_of(tmp_path, settings_package(active=importer))
    assert site.file == f"{SETTINGS}/base.py"
    assert site.chain == (f"{SETTINGS}/service.py", f"{SETTINGS}/base.py")
    assert "gets LOGGING from" in site.why


def test_last_assignment_wins(tmp_path):
    after = site_of(tmp_path / "after", settings_package(active="from .base import *\n" + LOGGING))
    assert after.file == f"{SETTINGS}/service.py" and "defines LOGGING itself" in after.why
    before = site_of(tmp_path / "before", settings_package(active=LOGGING + "from .base import *\n"))
    assert before.file == f"{SETTINGS}/base.py"


def test_chain_of_three_modules(tmp_path):
    files = settings_package(active="from .common import *\n")
    files[f"{SETTINGS}/common.py"] = "from .base import *\nDEBUG = False\n"
    site = site_of(tmp_path, files)
    assert site.chain == (f"{SETTINGS}/service.py", f"{SETTINGS}/common.py", f"{SETTINGS}/base.py")


@pytest.mark.parametrize(
    "change",
    [
        "LOGGING['root'] = {'level': 'INFO'}\n",
        "LOGGING.update({'root': {}})\n",
        "LOGGING |= {'root': {}}\n",
        "if DEBUG:\n    LOGGING = {'version': 1}\n",
    ],
)
def test_mutations_after_the_definition_are_noted(tmp_path, change):
    site = site_of(tmp_path, settings_package(active="from .base import *\nDEBUG = True\n" + change))
    assert site.file == f"{SETTINGS}/base.py"
    assert site.mutations == (f"{SETTINGS}/service.py",)


def test_sibling_modules_sharing_the_definition_are_reported(tmp_path):
    files = settings_package()
    files[f"{SETTINGS}/dev.py"] = "from .base import *\nDEBUG = True\n"
    files[f"{SETTINGS}/test.py"] = "from config.settings.base import *\n"
    files[f"{SETTINGS}/other.py"] = "DEBUG = True\n"
    site = site_of(tmp_path, files)
    assert site.shared_with == (f"{SETTINGS}/dev.py", f"{SETTINGS}/test.py")


def test_local_settings_import_in_try_is_followed_only_when_committed(tmp_path):
    active = "from .base import *\ntry:\n    from .local import *\nexcept ImportError:\n    pass\n"
    local = {f"{SETTINGS}/local.py": LOGGING}
    tracked = site_of(tmp_path / "tracked", {**settings_package(active=active), **local})
    assert tracked.file == f"{SETTINGS}/local.py"
    # a gitignored local.py on this disk is not what was deployed
    untracked = site_of(tmp_path / "untracked", settings_package(active=active), untracked=local)
    assert untracked.file == f"{SETTINGS}/base.py"


def test_settings_with_a_syntax_error_is_one_line_of_bad_input(tmp_path):
    with pytest.raises(BadInput, match=rf"^{SETTINGS}/base.py:2: settings file does not parse"):
        site_of(tmp_path, settings_package(base="DEBUG = True\nLOGGING = {\n"))


def test_no_logging_anywhere(tmp_path):
    assert site_of(tmp_path, settings_package(base="DEBUG = True\n")) is None


# --- issue 20: settings that run code fixbot does not read are unknown from there on ---------------------


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
