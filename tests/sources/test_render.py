"""`render:SERVICE_ID` against the Render emulator: the newest deploy picks the log, its pages join into the log a
file holds, and a wrong key, a missing service or a rate limit is one line."""

from __future__ import annotations

import pytest

from tests.support.emulators import LEDGERSG_LOG, Reply
from tests.support.emulators.render import RenderEmulator
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans

SERVICE = "srv-d0emulator0000000001"


@pytest.fixture
def render():
    emulator = RenderEmulator().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(render, key=None):
    return {"RENDER_API_URL": f"{render.url}/v1", "RENDER_API_KEY": key or render.token}


def test_a_deploy_that_failed_to_boot_gets_the_plan_its_app_log_gets(render):
    render.add_service(SERVICE, ["update_failed"])
    fetched, given = plans(f"render:{SERVICE}", LEDGERSG_LOG, LEDGERSG, _env(render))
    plan = assert_same_plan(fetched, given, render.token)
    assert plan["warnings"] == [f"render:{SERVICE}: deploy dep-emulator000000000001 is update_failed: reading its"
                                " app log"]
    pages = render.calls("^/v1/logs$")
    assert len(pages) > 2 and {p.arg("type") for p in pages} == {"app"}
    assert all(r.headers["authorization"] == f"Bearer {render.token}" for r in render.requests)


def test_a_build_that_failed_reads_the_build_log(render):
    render.add_service(SERVICE, ["build_failed"])
    assert fixbot("diagnose", "--from", f"render:{SERVICE}", env=_env(render)).returncode == 0
    assert {p.arg("type") for p in render.calls("^/v1/logs$")} == {"build"}


@pytest.mark.parametrize("key, service, reply, said", [
    pytest.param("rnd_WrongKey000000000000000000000", SERVICE, None, "refused the token (HTTP 401): unauthorized",
                 id="401"),
    pytest.param(None, "srv-d0missing000000000001", None, "not found on", id="404"),
    pytest.param(None, SERVICE, Reply(429, b'{"message": "rate limit exceeded"}',
                                      {"Retry-After": "60", "Content-Type": "application/json"}),
                 "(HTTP 429): rate limit exceeded; retry after 60 s", id="429"),
    pytest.param(None, SERVICE, None, "the newest deploy is build_in_progress: not a result yet", id="building"),
])
def test_a_refusal_is_one_line_and_exit_2(render, key, service, reply, said):
    render.add_service(SERVICE, ["build_in_progress" if said.startswith("the newest") else "update_failed"])
    if reply is not None:
        render.fail("^/v1/", reply)
    line = one_line_refusal(fixbot("diagnose", "--from", f"render:{service}", env=_env(render, key)), render.token)
    assert said in line, line


def test_watch_polls_the_deploy_until_it_is_live(render, tmp_path):
    service = render.add_service(SERVICE, ["build_in_progress", "update_in_progress", "live"])
    done = fixbot("watch", "--from", f"render:{SERVICE}", "--repo", str(LEDGERSG), "--interval", "0.1",
                  env=_env(render))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert service["polls"] == 3 and len(done.stderr.splitlines()) == 3
