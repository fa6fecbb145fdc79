"""`hf-space:OWNER/NAME` through huggingface_hub against the Hub emulator: the runtime's stage picks the log, the
plan is the one the log file gets, and the Hub's refusals are one line each."""

from __future__ import annotations

import time

import pytest

from tests.support.emulators import HTML, LEDGERSG_LOG, ROOT, Reply
from tests.support.emulators.hub import HubEmulator
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans

BUILD_LOG = ROOT / "examples" / "ledgersg" / "logs" / "manage-check.log"  # manage.py check, as a Dockerfile RUNs it


@pytest.fixture
def hub():
    emulator = HubEmulator().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(hub, token=None):
    return {"HF_ENDPOINT": hub.url, "HF_TOKEN": token or hub.token}


def test_a_crashed_space_gets_the_plan_its_run_log_gets_and_its_token_is_nowhere(hub):
    hub.add_space("acme/ledgersg", ["RUNTIME_ERROR"], error_message="Exit code: 3. Reason: Worker failed to boot.")
    fetched, given = plans("hf-space:acme/ledgersg", LEDGERSG_LOG, LEDGERSG, _env(hub))
    plan = assert_same_plan(fetched, given, hub.token)
    assert plan["warnings"] == ["hf-space:acme/ledgersg is RUNTIME_ERROR (Exit code: 3. Reason: Worker failed to"
                                " boot.): reading its run log"]
    assert [r.path for r in hub.requests] == ["/api/spaces/acme/ledgersg/runtime", "/api/spaces/acme/ledgersg/logs/run"]
    assert all(r.headers["authorization"] == f"Bearer {hub.token}" for r in hub.requests)


def test_a_build_error_reads_the_build_log(hub):
    hub.add_space("acme/ledgersg", ["BUILD_ERROR"], run_log=b"", build_log=BUILD_LOG.read_bytes())
    fetched, given = plans("hf-space:acme/ledgersg", BUILD_LOG, LEDGERSG, _env(hub))
    assert_same_plan(fetched, given, hub.token)
    assert hub.requests[-1].path == "/api/spaces/acme/ledgersg/logs/build"


@pytest.mark.parametrize("stage", ["BUILDING", "APP_STARTING", "RUNNING_BUILDING"])
def test_an_intermediate_stage_is_no_result(hub, stage):
    hub.add_space("acme/ledgersg", [stage])
    line = one_line_refusal(fixbot("diagnose", "--from", "hf-space:acme/ledgersg", env=_env(hub)), hub.token)
    assert f"the Space is {stage}: a build or start under way is not a result" in line
    assert len(hub.requests) == 1  # no log was read


def test_an_endless_event_stream_is_cut_at_the_timeout_and_what_arrived_is_fixed(hub):
    hub.add_space("acme/ledgersg", ["RUNTIME_ERROR"], endless=True)
    start = time.monotonic()
    fetched, given = plans("hf-space:acme/ledgersg", LEDGERSG_LOG, LEDGERSG, _env(hub), "--timeout", "3")
    assert time.monotonic() - start < 30
    plan = assert_same_plan(fetched, given, hub.token)
    assert "the log was still coming after 3 s: cut there" in plan["warnings"][-1]


BAD = [
    pytest.param("missing", None, None, "no such Space on", id="404"),
    pytest.param("acme/ledgersg", "hf_WrongToken0000000000000000000000000", None, "refused the token (HTTP 401)",
                 id="401"),
    pytest.param("acme/ledgersg", None, Reply(429, b'{"error": "slow down"}', {"Retry-After": "300",
                                                                                "Content-Type": "application/json"}),
                 "(HTTP 429); retry after 300 s", id="429"),
    pytest.param("acme/ledgersg", None, HTML, "not the Hub's JSON (an HTML page?", id="html"),
]


@pytest.mark.parametrize("space, token, reply, said", BAD)
def test_a_refusal_of_the_hub_is_one_line_and_exit_2(hub, space, token, reply, said):
    hub.add_space("acme/ledgersg", ["RUNTIME_ERROR"])
    if reply is not None:
        hub.fail("/runtime$", reply)
    name = "acme/missing" if space == "missing" else space
    line = one_line_refusal(fixbot("apply", "--from", f"hf-space:{name}", "--repo", str(LEDGERSG), "--dry-run",
                                   env=_env(hub, token)), hub.token)
    assert said in line, line
    assert line.startswith(f"fixbot: hf-space:{name}: ")


def test_a_hub_that_never_answers_is_a_timeout_in_one_line(hub):
    hub.add_space("acme/ledgersg", ["RUNTIME_ERROR"])
    hub.fail("/runtime$", Reply(200, hub.endless(b"", b""), {"Content-Type": "application/json"}))
    line = one_line_refusal(fixbot("diagnose", "--from", "hf-space:acme/ledgersg", "--timeout", "1", env=_env(hub)))
    assert "no log arrived within 1 s" in line
