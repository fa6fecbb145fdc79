"""`docker:CONTAINER` through the real docker CLI against the Engine API emulator on a unix socket
(DOCKER_HOST=unix://…): the multiplexed log of an exited container, its state for watch, the CLI's errors in one line."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.support.emulators import LEDGERSG_LOG
from tests.support.emulators.docker import DockerEmulator
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans

pytestmark = pytest.mark.skipif(shutil.which("docker") is None, reason="the docker CLI is not on this machine")


@pytest.fixture
def engine(tmp_path):
    emulator = DockerEmulator(tmp_path / "docker.sock").start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(engine):
    return {"DOCKER_HOST": engine.host}


def test_an_exited_container_gets_the_plan_its_log_gets(engine):
    engine.add_container("ledgersg", [{"Status": "exited", "ExitCode": 3}])
    fetched, given = plans("docker:ledgersg", LEDGERSG_LOG, LEDGERSG, _env(engine))
    plan = assert_same_plan(fetched, given)
    assert plan["warnings"] == ["docker:ledgersg: exited (exit code 3): reading its log"]
    (logs,) = engine.calls("/logs$")
    assert logs.arg("stdout") == logs.arg("stderr") == "1"


def test_a_missing_container_and_an_engine_that_does_not_run_are_one_line(engine, tmp_path):
    line = one_line_refusal(fixbot("diagnose", "--from", "docker:billing", env=_env(engine)))
    assert "Error response from daemon: No such container: billing" in line
    line = one_line_refusal(fixbot("diagnose", "--from", "docker:ledgersg",
                                   env={"DOCKER_HOST": f"unix://{tmp_path / 'none.sock'}"}))
    assert "Cannot connect to the Docker daemon" in line


def test_watch_fixes_a_container_that_starts_restarting(engine, ledgersg_repo):
    container = engine.add_container("ledgersg", [{"Status": "created"}, {"Status": "running",
                                                                          "Health": {"Status": "starting"}},
                                                  {"Status": "restarting", "ExitCode": 3}])
    done = fixbot("watch", "--from", "docker:ledgersg", "--repo", str(ledgersg_repo), "--interval", "0.1",
                  "--format", "json", env=_env(engine))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "fixed"
    assert "restarting (exit code 3) (failed; poll 3" in done.stderr
    assert container["polls"] >= 4


def test_watch_ends_when_the_container_is_healthy(engine):
    engine.add_container("ledgersg", [{"Status": "running", "Health": {"Status": "starting"}},
                                      {"Status": "running", "Health": {"Status": "healthy"}}])
    done = fixbot("watch", "--from", "docker:ledgersg", "--repo", str(LEDGERSG), "--interval", "0.1", env=_env(engine))
    assert done.returncode == 0 and done.stdout == "", done.stderr
