"""`fixbot codemod NAME DIR`: the files each codemod reads below a directory, .gitignore applied, no symlink followed."""

from __future__ import annotations

import os

import pytest

from fixbot.listing import files_below
from tests.support.cli import fixbot
from tests.support.repos import git

BROKEN = ("LOGGING = {'version': 1, 'handlers': {'file': {'class': 'logging.FileHandler', 'filename': "
          "'/var/log/app/api.log'}}, 'root': {'handlers': ['file']}}\n")
SCRIPT = "#!/bin/sh\nexec gunicorn app:app --error-logfile /var/log/app/error.log\n"


def tree(root, files: dict[str, str]):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def project(tmp_path):
    """A repository with settings in several places: tracked, untracked, ignored, and links leading out."""
    outside = tree(tmp_path / "outside", {"secret_settings.py": BROKEN, "pkg/settings.py": BROKEN})
    root = tree(tmp_path / "project", {
        ".gitignore": "build/\n*.generated.py\n",
        "config/settings.py": BROKEN,
        "config/untracked_local.py": BROKEN,
        "config/notes.txt": BROKEN,  # not a file logging-console reads
        "build/settings.py": BROKEN,
        "config/x.generated.py": BROKEN,
        "entrypoint.sh": SCRIPT,
        "docs/conf.py": "project = 'x'\n",
    })
    (root / "config" / "linked.py").symlink_to(outside / "secret_settings.py")
    (root / "vendored").symlink_to(outside / "pkg", target_is_directory=True)
    git(root, "init", "-q")
    git(root, "add", ".gitignore", "config/settings.py", "config/notes.txt", "entrypoint.sh", "docs/conf.py")
    git(root, "commit", "-qm", "initial")
    return root


def test_in_a_repository_git_says_which_files_and_no_link_is_followed(project):
    assert files_below(str(project), ("*.py",)) == [
        str(project / "config" / "settings.py"), str(project / "config" / "untracked_local.py"),
        str(project / "docs" / "conf.py")]


def test_outside_a_repository_a_walk_leaves_out_virtualenvs_and_links(tmp_path):
    root = tree(tmp_path / "plain", {"app/settings.py": BROKEN, ".venv/lib/site.py": BROKEN,
                                     "node_modules/x/y.py": BROKEN, "deploy/entrypoint.sh": SCRIPT})
    (root / "app" / "link.py").symlink_to(root / "app" / "settings.py")  # even a link inside: named once, by itself
    assert files_below(str(root), ("*.py",)) == [str(root / "app" / "settings.py")]
    assert files_below(str(root), ("*.sh", "entrypoint*")) == [str(root / "deploy" / "entrypoint.sh")]


def test_codemod_on_a_directory_rewrites_what_it_reads_and_says_nothing_of_the_rest(project):
    done = fixbot("codemod", "logging-console", str(project))
    assert done.returncode == 0, done.stderr
    changed = sorted(line.removeprefix("changed: ") for line in done.stderr.splitlines())
    assert changed == [str(project / "config" / "settings.py"), str(project / "config" / "untracked_local.py")]
    assert "FileHandler" not in (project / "config" / "settings.py").read_text()
    for untouched in ("build/settings.py", "config/x.generated.py", "config/notes.txt"):
        assert (project / untouched).read_text() == BROKEN, untouched
    assert (project.parent / "outside" / "secret_settings.py").read_text() == BROKEN
    assert (project.parent / "outside" / "pkg" / "settings.py").read_text() == BROKEN


def test_each_codemod_reads_its_own_files_below_a_directory(project):
    done = fixbot("codemod", "gunicorn-stdout", str(project), "--check")
    assert (done.returncode, done.stdout) == (1, f"would change: {project / 'entrypoint.sh'}\n"), done.stderr


def test_a_directory_and_a_file_together_and_a_file_named_keeps_its_note(project, tmp_path):
    plain = tree(tmp_path / "one", {"app.py": "print('no logging here')\n"})
    done = fixbot("codemod", "logging-console", "--diff", str(project / "config"), str(plain / "app.py"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("+++ ") == 2 and "nothing to do" in done.stderr and str(plain / "app.py") in done.stderr
    assert (project / "config" / "settings.py").read_text() == BROKEN  # --diff writes nothing


def test_a_directory_with_nothing_the_codemod_reads_is_one_note_and_exit_0(tmp_path):
    empty = tree(tmp_path / "docs", {"index.md": "# docs\n"})
    done = fixbot("codemod", "logging-path", str(empty))
    assert done.returncode == 0 and done.stdout == ""
    assert done.stderr == f"fixbot: {empty}: no file logging-path reads (*.py)\n"


def test_a_relative_directory_gives_relative_paths(project):
    done = fixbot("codemod", "logging-console", "config", "--check", cwd=project)
    assert done.returncode == 1 and done.stdout.splitlines() == [
        f"would change: {os.path.join('config', 'settings.py')}",
        f"would change: {os.path.join('config', 'untracked_local.py')}"], done.stderr
