"""What `fixbot apply` commits is a clean diff (issue 11, shapes 6 and 7): an import the fix left unused goes, syntax newer than fixbot's interpreter is kept, and the fixed project boots."""

from __future__ import annotations


import pytest

from tests.support import realrun
from tests.support.cli import apply_json
from tests.support.realrun import boot_backend
from tests.support.repos import commit_all, git_out as git

# `os` is used by the file handler's path alone: once the handler writes to the console, `import os` is unused,
# and a repository whose CI runs flake8 would fail lint (F401) on the fix's pull request.
ONLY_THE_FILENAME_USES_OS = """\
import os

LOGGING = {{
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {{
        "console": {{"class": "logging.StreamHandler"}},
        "file": {{"class": "logging.FileHandler", "filename": os.path.join({directory!r}, "api.log")}},
    }},
    "root": {{"handlers": ["console", "file"], "level": "INFO"}},
}}
"""


@pytest.fixture(scope="module")
def failed(tmp_path_factory):
    top = tmp_path_factory.mktemp("diffs")
    project = realrun.make_django_project(
        top / "repo",
        logging_source=ONLY_THE_FILENAME_USES_OS.format(directory=str(top / "no-such-dir")),
        settings_layout="single",
    )
    run = realrun.run_gunicorn(project)
    assert not run.booted and "Unable to configure handler 'file'" in run.output, run.output
    log = top / "boot.log"
    log.write_text(run.output)
    commit_all(project.root)  # here, not in a test: each test must run alone (and on its own xdist worker)
    return project, log


def test_an_import_only_the_removed_filename_used_is_removed(failed):
    project, log = failed
    code, out, err = apply_json(log, project.root)
    assert (code, out["status"]) == (0, "fixed"), err
    assert "-import os\n" in out["diff"], out["diff"]
    git(project.root, "checkout", "-q", out["branch"])
    try:
        fixed = project.logging_file.read_text()
        assert "import os" not in fixed and "FileHandler" not in fixed
        assert boot_backend(project.root, project.settings_module).status == 200
    finally:
        git(project.root, "checkout", "-q", "-")


def test_syntax_newer_than_fixbots_python_is_fixed_and_kept(failed, tmp_path):
    # The app runs on Python 3.12 (a `type` alias in its settings); fixbot runs on this machine's 3.11, which
    # cannot compile that line. The log is the real boot of the same project without the alias: Django cannot
    # boot 3.12 syntax here, so the fixed branch is proven by parsing, not by booting.
    project, log = failed
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(project.root), str(repo))
    settings = repo / project.logging_file.relative_to(project.root)
    settings.write_text("type Pair = tuple[int, int]\n\n" + settings.read_text())
    commit_all(repo, "settings for Python 3.12")
    code, out, err = apply_json(log, repo)
    assert (code, out["status"]) == (0, "fixed"), err
    change = out["changes"][0]
    assert any("newer Python" in check for check in change["checks"]), change
    fixed = git(repo, "show", f"{out['branch']}:{settings.relative_to(repo).as_posix()}")
    assert fixed.startswith("type Pair = tuple[int, int]\n") and "FileHandler" not in fixed
