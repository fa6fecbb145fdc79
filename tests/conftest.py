"""Shared fixtures: git that sees no config of this machine, and a GitHub API emulator on 127.0.0.1."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from tests.support.github_emulator import GitHubEmulator
from tests.support.repos import git


# The suite draws the same examples every run (a red CI run does not land, so it must not depend on the draw: twice a
# random draw found a refusal a property test did not allow); `make explore` (FIXBOT_HYPOTHESIS=explore) draws new
# ones, and what it finds becomes a case of its own.
settings.register_profile("suite", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("FIXBOT_HYPOTHESIS", "suite"))


@pytest.fixture(scope="session", autouse=True)
def isolated_git(tmp_path_factory):
    """No git config or identity from this machine, for the whole session (module fixtures build repos too)."""
    home = tmp_path_factory.mktemp("home")
    (home / "gitconfig").write_text("[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("HOME", str(home))
        for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                    "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE",
                    "DJANGO_SETTINGS_MODULE", "FIXBOT_DEBUG"):
            mp.delenv(var, raising=False)
        yield home


@pytest.fixture
def origin(tmp_path, github):
    """A real bare repository as `origin`; the emulator reads its branches as GitHub reads its own."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    github.git_dir = bare
    return bare


@pytest.fixture
def github(monkeypatch):
    """A running emulator; GITHUB_API_URL/TOKEN/REPOSITORY name it, so nothing can reach api.github.com."""
    emulator = GitHubEmulator().start()
    monkeypatch.setenv("GITHUB_API_URL", emulator.api_url)
    monkeypatch.setenv("GITHUB_TOKEN", emulator.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", emulator.full_name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy from the machine must not see the traffic
    yield emulator
    emulator.stop()
    assert emulator.errors == [], "the GitHub emulator crashed"
