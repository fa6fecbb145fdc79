"""`fixbot watch --from hf-space:…` against the Hub emulator: a Space that comes up ends the watch with nothing done,
one that crashes gets its fix on a branch, and every watch ends within its polls."""

from __future__ import annotations

import json

import pytest

from tests.support.emulators.hub import HubEmulator
from tests.support.gitcli import git
from tests.support.sources import fixbot, ledgersg_repo, one_line_refusal  # noqa: F401 (a fixture)


@pytest.fixture
def hub():
    emulator = HubEmulator().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _watch(hub, repo, *more):
    return fixbot("watch", "--from", "hf-space:acme/ledgersg", "--repo", str(repo), "--interval", "0.1",
                  "--timeout", "20s", *more, env={"HF_ENDPOINT": hub.url, "HF_TOKEN": hub.token})


def _branches(repo):
    return git(repo, "branch", "--format=%(refname:short)").split()


def test_a_space_that_comes_up_ends_the_watch_with_nothing_done(hub, ledgersg_repo):
    space = hub.add_space("acme/ledgersg", ["BUILDING", "BUILDING", "APP_STARTING", "RUNNING"])
    done = _watch(hub, ledgersg_repo)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    progress = done.stderr.splitlines()
    assert [line.split(": ", 2)[2].split(" (")[0] for line in progress] == [
        "BUILDING", "BUILDING", "APP_STARTING", "RUNNING"]
    assert all(line.startswith("fixbot: watch hf-space:acme/ledgersg: ") for line in progress)
    assert space.polls == 4 and not hub.calls("/logs/")
    assert _branches(ledgersg_repo) == ["main"]


def test_a_space_that_crashes_gets_its_fix_on_a_branch(hub, ledgersg_repo):
    space = hub.add_space("acme/ledgersg", ["BUILDING", "APP_STARTING", "RUNTIME_ERROR"],
                          error_message="Exit code: 3. Reason: Worker failed to boot.")
    done = _watch(hub, ledgersg_repo, "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "fixed" and result["branch"].startswith("fixbot/django-logging-handler-")
    assert result["branch"] in _branches(ledgersg_repo)
    fixed = git(ledgersg_repo, "show", f"{result['branch']}:apps/backend/config/settings/service.py")
    assert "FileHandler" not in fixed
    assert space.polls == 4  # three watched, one more to pick the log
    assert len(hub.calls("/logs/run$")) == 1
    assert done.stderr.count("fixbot: watch ") == 3 and hub.token not in done.stdout + done.stderr


def test_the_previous_deploy_still_running_is_not_taken_for_the_new_one(hub, ledgersg_repo):
    # Right after a push the Hub still says RUNNING for the deploy before it; then the new build shows, and fails.
    space = hub.add_space("acme/ledgersg", ["RUNNING", "RUNNING", "BUILDING", "RUNTIME_ERROR"],
                          error_message="Exit code: 3. Reason: Worker failed to boot.")
    done = _watch(hub, ledgersg_repo, "--format", "json", "--settle", "10s")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "fixed" and space.polls == 5


def test_a_space_that_keeps_running_ends_the_watch_once_settled(hub, ledgersg_repo):
    space = hub.add_space("acme/ledgersg", ["RUNNING"])
    done = _watch(hub, ledgersg_repo, "--settle", "0.5")
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert 2 <= space.polls <= 12 and not hub.calls("/logs/")  # polled until settled, one every 0.1 s
    assert _branches(ledgersg_repo) == ["main"]


def test_a_space_that_stays_building_ends_the_watch_at_its_timeout(hub, ledgersg_repo):
    space = hub.add_space("acme/ledgersg", ["BUILDING"])
    done = fixbot("watch", "--from", "hf-space:acme/ledgersg", "--repo", str(ledgersg_repo), "--interval", "0.2",
                  "--timeout", "1", env={"HF_ENDPOINT": hub.url, "HF_TOKEN": hub.token})
    assert done.returncode == 2
    *progress, error = done.stderr.splitlines()
    assert "still BUILDING after" in error and "(--timeout 1 s); nothing has failed yet" in error
    assert 1 <= space.polls == len(progress) <= 6  # 1 s at one poll every 0.2 s, however slow the machine
    assert _branches(ledgersg_repo) == ["main"]


def test_a_paused_space_is_neither_and_a_url_cannot_be_watched(hub, ledgersg_repo):
    hub.add_space("acme/ledgersg", ["PAUSED"])
    done = _watch(hub, ledgersg_repo)
    assert done.returncode == 2 and "the deploy is PAUSED: neither running nor failed" in done.stderr
    line = one_line_refusal(fixbot("watch", "--from", "url:http://127.0.0.1:9/logs"))
    assert "url reports no deploy state to watch" in line
