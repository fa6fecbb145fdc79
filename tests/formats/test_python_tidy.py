"""Clean diffs (issue 11, shape 7): no import the rewrite made unused, no stale `# noqa: F405` on a rewritten line,
and `fixbot codemod` learns from a file's surroundings what `fixbot apply` passes (star imports, the project)."""

from __future__ import annotations

from textwrap import dedent

import pytest

from fixbot import codemods
from tests.support.parsecheck import assert_parses
from tests.support.cli import fixbot

CONSOLE = codemods.get("logging-console")
HANDLER = '"file": {"class": "logging.FileHandler", "filename": %s}'


def settings(imports: str, filename: str, rest: str = "") -> str:
    return f'{imports}LOGGING = {{"version": 1, "handlers": {{{HANDLER % filename}}}, "root": {{"handlers": ["file"]}}}}\n{rest}'


AFTER = 'LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["file"]}}\n'

FIXES = [
    pytest.param(settings("import os\n\n", 'os.path.join("/app/logs", "a.log")'), AFTER, id="import os used only by the filename goes"),
    pytest.param(
        settings("import os, sys\nfrom pathlib import Path, PurePath\n", 'PurePath("/app") / os.sep', "print(sys.argv, Path)\n"),
        "import sys\nfrom pathlib import Path\n" + AFTER + "print(sys.argv, Path)\n",
        id="only the names the rewrite made unused go",
    ),
    pytest.param(
        settings("from os.path import (\n    join,\n    dirname,\n)\n", 'join("/app", "a.log")', "HERE = dirname(__file__)\n"),
        "from os.path import (\n    dirname,\n)\n" + AFTER + "HERE = dirname(__file__)\n",
        id="a parenthesized import keeps its layout",
    ),
    pytest.param(
        'from .base import *  # noqa: F403\n\nLOGGING["handlers"]["app"] = {"class": "logging.FileHandler", "filename": LOG_DIR / "a.log"}  # noqa: F405\n'
        'LOGGING["handlers"]["x"] = {\n    "class": "logging.FileHandler", "filename": LOG_DIR / "x.log", "level": "INFO"}  # noqa: E501,F405\n',
        'from .base import *  # noqa: F403\n\nLOGGING["handlers"]["app"] = {"class": "logging.StreamHandler"}  # noqa: F405\n'
        'LOGGING["handlers"]["x"] = {\n    "class": "logging.StreamHandler", "level": "INFO"}  # noqa: E501\n',
        id="F405 goes from a rewritten line that names no star-imported name; LOGGING itself is one",
    ),
]

NOOPS = [
    pytest.param(settings("import os\n", 'os.path.join("/app", "a.log")'), True, "import os\n", id="star-imported by another module: kept"),
    pytest.param(settings("import os\n__all__ = ['os', 'LOGGING']\n", '"a.log"'), False, "import os\n", id="listed in __all__"),
    pytest.param(settings("import os\n", 'os.path.join("/app", "a.log")', "SECRET = os.environ['S']\n"), False, "import os\n",
                 id="still used elsewhere"),
    pytest.param(settings("try:\n    import os\nexcept ImportError:\n    pass\n", 'os.sep'), False, "    import os\n",
                 id="an import under try is not the module's top level"),
]


@pytest.mark.parametrize("before, after", FIXES)
def test_tidy_fixes(before, after):
    once = CONSOLE.rewrite(before, "settings.py", star_imported=False)
    assert once == after
    assert CONSOLE.rewrite(once, "settings.py", star_imported=False) == once
    assert_parses(once, "settings.py")


@pytest.mark.parametrize("before, star_imported, kept", NOOPS)
def test_tidy_noop(before, star_imported, kept):
    after = CONSOLE.rewrite(before, "settings.py", star_imported=star_imported)
    assert "StreamHandler" in after and kept in after


def test_logging_path_drops_an_import_it_made_unused():
    before = settings("import os\nfrom pathlib import PurePath\n\n", 'PurePath("/app/logs") / "a.log"')
    after = codemods.get("logging-path").rewrite(before, "settings.py", star_imported=False, log_dir="/tmp/x")
    assert "PurePath" not in after and after.startswith("import os\n\nDJANGO_LOG_DIR = ")


def test_codemod_keeps_an_import_a_star_importing_neighbour_may_use(tmp_path):
    package = tmp_path / "repo" / "config" / "settings"
    package.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    base, alone = package / "base.py", package / "alone.py"
    for path in (base, alone):
        path.write_text(settings("import os\n\n", 'os.path.join("/app/logs", "a.log")'))
    (package / "production.py").write_text("from .base import *  # noqa: F403\nSECRET_KEY = os.environ['KEY']  # noqa: F405\n")
    assert fixbot("codemod", "logging-console", str(base), str(alone)).returncode == 0
    assert base.read_text().startswith("import os\n") and "StreamHandler" in base.read_text()
    assert alone.read_text() == AFTER


def test_logging_path_default_directory_is_the_one_apply_uses(tmp_path):
    """`fixbot apply` passes project=<the repository's folder>; `fixbot codemod` finds the same."""
    settings_file = tmp_path / "shop" / "config" / "settings" / "prod.py"
    settings_file.parent.mkdir(parents=True)
    (tmp_path / "shop" / ".git").mkdir()
    settings_file.write_text(dedent(settings("import os\n", '"/app/logs/a.log"')))
    through_apply = codemods.get("logging-path").rewrite(settings_file.read_text(), "config/settings/prod.py", project="shop")
    assert fixbot("codemod", "logging-path", str(settings_file)).returncode == 0
    assert settings_file.read_text() == through_apply and '"/tmp/shop-logs"' in through_apply
