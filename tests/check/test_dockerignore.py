"""`.dockerignore` applied to COPY/ADD with Docker's own pattern rules: a tracked directory it leaves out is not in the image."""

from __future__ import annotations

import pytest

from fixbot.check.dockerignore import excluded, kept_dirs, patterns
from tests.support.checkrun import found, repo


@pytest.mark.parametrize("ignore, path, out", [
    ("log/", "log/.gitkeep", True),
    ("log", "log/a/b.txt", True),  # a directory's pattern takes everything below it
    ("/log", "log/.gitkeep", True),  # a leading slash is dropped
    ("log", "app/log/.gitkeep", False),  # patterns are anchored at the context's top
    ("*/log", "app/log/.gitkeep", True),
    ("*/log", "a/b/log/x", False),  # `*` never crosses a /
    ("**/log", "a/b/log/x", True),
    ("**/log", "log/x", True),  # `**` may be no directory at all
    ("**", "anything/at/all", True),
    ("*.log", "x.log", True),
    ("*.lo?", "x.log", True),
    ("log\n!log/.gitkeep", "log/.gitkeep", False),  # the last match wins
    ("!log/.gitkeep\nlog", "log/.gitkeep", True),
    ("*\n!app", "app/log/.gitkeep", False),
    ("# log\n\n  ", "log/.gitkeep", False),  # comments and blank lines
    ("./log/../log", "log/x", True),  # cleaned as a path
    ("[lL]og", "Log/x", True),
])
def test_patterns_follow_dockers_rules(ignore, path, out):
    assert excluded(path, patterns(ignore)) is out


def test_an_exception_below_an_excluded_directory_brings_the_directory():
    files = ["log/.gitkeep", "log/old/x.txt", "app/main.py"]
    assert kept_dirs(files, "", patterns("log\n!log/.gitkeep")) == {"log", "app"}
    assert kept_dirs(files, "", patterns("log")) == {"app"}


DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["gunicorn", "app:app", "--error-logfile", "/app/log/e.log"]\n'


@pytest.mark.parametrize("ignore, missing", [
    pytest.param(None, False, id="no .dockerignore"),
    pytest.param("log/\n", True, id="log/"),
    pytest.param("**/*.log\n", False, id="only log files"),
    pytest.param("log/*\n!log/.gitkeep\n", False, id="all but .gitkeep"),
    pytest.param("*\n!app.py\n", True, id="everything but app.py"),
])
def test_a_tracked_directory_dockerignore_leaves_out(tmp_path, ignore, missing):
    files = {"Dockerfile": DOCKERFILE, "log/.gitkeep": "", "app.py": "app = None\n"}
    if ignore is not None:
        files[".dockerignore"] = ignore
    assert found(repo(tmp_path, files)) == ([("Dockerfile", 4, "/app/log/e.log")] if missing else [])


def test_the_finding_says_dockerignore_left_it_out(tmp_path):
    from tests.support.checkrun import report

    files = {"Dockerfile": DOCKERFILE, "log/.gitkeep": "", ".dockerignore": "log\n"}
    code, out = report(repo(tmp_path, files))
    assert code == 1
    assert "Dockerfile:3 would copy it but .dockerignore leaves it out" in out["findings"][0]["evidence"]


def test_a_dockerfiles_own_ignore_file_wins_and_a_subdirectory_context_has_its_own(tmp_path):
    files = {"web/Dockerfile": DOCKERFILE, "web/log/.gitkeep": "", ".dockerignore": "web/log\n",
             "web/Dockerfile.dockerignore": "*.pyc\n"}
    assert found(repo(tmp_path, files)) == []  # each context that might be the build's keeps web/log in
    files["web/Dockerfile.dockerignore"] = "log\n"
    assert found(repo(tmp_path / "own", files)) == [("web/Dockerfile", 4, "/app/log/e.log")]
