"""Shared fixtures: a GitHub API emulator on 127.0.0.1, with the environment pointing fixbot at it."""

from __future__ import annotations

import pytest

from tests.github_emulator import GitHubEmulator


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
