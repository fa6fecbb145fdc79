"""`fly:APP` against the Fly emulator: the logs API's pages join into the log a file holds, the FlyV1 token goes as
it is and to Fly's hosts only, and the Machines API tells watch a crash from a deploy that runs."""

from __future__ import annotations

import json

import pytest

from tests.support.emulators import LEDGERSG_LOG
from tests.support.emulators.fly import FlyEmulator, machine
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans


@pytest.fixture
def fly():
    emulator = FlyEmulator().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(fly, token=None):
    return {"FLY_API_URL": fly.url, "FLY_MACHINES_URL": f"{fly.url}/v1", "FLY_API_TOKEN": token or fly.token}


def test_the_apps_log_gets_the_plan_the_log_file_gets(fly):
    fly.add_app("ledgersg")
    fetched, given = plans("fly:ledgersg", LEDGERSG_LOG, LEDGERSG, _env(fly))
    assert_same_plan(fetched, given, fly.token, "fm2_")
    pages = fly.calls("/logs$")
    assert len(pages) > 2 and pages[0].arg("next_token") is None and pages[1].arg("next_token") == "50"
    assert all(r.headers["authorization"] == fly.token for r in fly.requests)


@pytest.mark.parametrize("token, app, said", [
    pytest.param("fo1_WrongToken0000000000000000000000", "ledgersg", "refused the token (HTTP 401): You must be"
                 " authenticated to view this.; check FLY_API_TOKEN", id="401"),
    pytest.param(None, "no-such-app", "not found on 127.0.0.1", id="404"),
])
def test_a_refusal_is_one_line_and_exit_2(fly, token, app, said):
    fly.add_app("ledgersg")
    line = one_line_refusal(fixbot("diagnose", "--from", f"fly:{app}", env=_env(fly, token)), fly.token, "fm2_")
    assert said in line, line


def test_watch_fixes_a_machine_that_exits_after_starting(fly, ledgersg_repo):
    app = fly.add_app("ledgersg", machines=[[machine("starting")], [machine("started", checks="critical")],
                                            [machine("stopped", exit_code=1)]])
    done = fixbot("watch", "--from", "fly:ledgersg", "--repo", str(ledgersg_repo), "--interval", "0.1",
                  "--dry-run", "--format", "json", env=_env(fly))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "fixed" and app["polls"] == 3
    assert "machine 9080e6f3a12345 exited with code 1 (failed" in done.stderr


def test_watch_ends_when_the_machines_run_with_passing_checks(fly):
    fly.add_app("ledgersg", machines=[[machine("started", checks="warning")], [machine("started", checks="passing")]])
    done = fixbot("watch", "--from", "fly:ledgersg", "--repo", str(LEDGERSG), "--interval", "0.1", env=_env(fly))
    assert done.returncode == 0 and done.stdout == "", done.stderr
