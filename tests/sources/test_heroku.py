"""`heroku:APP` against the Heroku emulator: a crashed app's log session, a failed build's output, the key to the
API's host only, and a wrong key or a missing app in one line."""

from __future__ import annotations

import pytest

from tests.support.emulators import LEDGERSG_LOG, Reply
from tests.support.emulators.heroku import HerokuEmulator, logplex
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans


@pytest.fixture
def heroku():
    emulator = HerokuEmulator().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(heroku, key=None):
    return {"HEROKU_API_URL": heroku.url, "HEROKU_API_KEY": key or heroku.token}


def test_crashed_dynos_get_the_plan_their_log_session_gets(heroku, tmp_path):
    heroku.add_app("ledgersg")
    log = tmp_path / "heroku.log"
    log.write_bytes(logplex(LEDGERSG_LOG))  # what `heroku logs` saves: every line behind Logplex's prefix
    fetched, given = plans("heroku:ledgersg", log, LEDGERSG, _env(heroku))
    assert_same_plan(fetched, given, heroku.token)
    (session,) = heroku.calls("/log-sessions$")
    assert session.method == "POST" and session.body == {"lines": 1500, "tail": False}
    (stream,) = heroku.calls("^/streams/")
    assert "authorization" not in stream.headers  # a pre-signed URL on another host gets no key
    assert all(r.headers["authorization"] == f"Bearer {heroku.token}" for r in heroku.calls("^/apps/"))


def test_a_failed_build_reads_its_output_stream(heroku):
    heroku.add_app("ledgersg", build="failed")
    fetched, given = plans("heroku:ledgersg", LEDGERSG_LOG, LEDGERSG, _env(heroku))
    assert_same_plan(fetched, given, heroku.token)
    assert [r.path for r in heroku.calls("^/streams/")] == ["/streams/build/ledgersg"]
    assert not heroku.calls("/log-sessions$")


@pytest.mark.parametrize("key, app, reply, said", [
    pytest.param("HRKU-00000000-0000-4000-8000-000000000000", "ledgersg", None,
                 "refused the token (HTTP 401): Invalid credentials provided.; check HEROKU_API_KEY", id="401"),
    pytest.param(None, "no-such-app", None, "not found on 127.0.0.1", id="404"),
    pytest.param(None, "ledgersg", Reply(429, b'{"id": "rate_limit", "message": "Your account reached the API rate'
                                         b' limit"}', {"Retry-After": "3600", "Content-Type": "application/json"}),
                 "(HTTP 429): Your account reached the API rate limit; retry after 3600 s", id="429"),
])
def test_a_refusal_is_one_line_and_exit_2(heroku, key, app, reply, said):
    heroku.add_app("ledgersg")
    if reply is not None:
        heroku.fail("^/apps/", reply)
    line = one_line_refusal(fixbot("diagnose", "--from", f"heroku:{app}", env=_env(heroku, key)), heroku.token)
    assert said in line, line


def test_watch_sees_the_dynos_come_up(heroku):
    app = heroku.add_app("ledgersg", dynos=[["starting"], ["starting", "up"], ["up", "up"]])
    done = fixbot("watch", "--from", "heroku:ledgersg", "--repo", str(LEDGERSG), "--interval", "0.1",
                  env=_env(heroku))
    assert done.returncode == 0 and done.stdout == "", done.stderr
    assert app["polls"] == 3 and "dynos up (running" in done.stderr.splitlines()[-1]
