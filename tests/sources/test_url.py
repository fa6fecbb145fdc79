"""`url:URL` against a log server on 127.0.0.1: the plan a file would get, the token to that host only, and every
bad answer in one line (exit 2) or, for a stream that never ends, a warning and the diagnosis of what arrived."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.emulators import HTML, LEDGERSG_LOG, Reply, json_reply
from tests.support.emulators.logserver import LogServer
from tests.support.sources import LEDGERSG, assert_same_plan, fixbot, one_line_refusal, plans


@pytest.fixture
def server():
    emulator = LogServer().start()
    yield emulator
    emulator.stop()
    assert emulator.errors == []


def _env(server, token=None):
    return {"FIXBOT_LOG_TOKEN": token or server.token}


@pytest.mark.parametrize("path", ["/logs/backend", "/logs/stream", "/logs/moved"],
                         ids=["plain text", "event stream", "same-host redirect"])
def test_apply_from_a_url_plans_what_the_log_file_gets_and_shows_no_token(server, path):
    fetched, given = plans(f"url:{server.url}{path}", LEDGERSG_LOG, LEDGERSG, _env(server), )
    assert_same_plan(fetched, given, server.token)
    assert all(r.headers.get("authorization") == f"Bearer {server.token}" for r in server.requests)


def test_diagnose_from_a_url_prints_the_findings_and_a_preview_from_the_same_url(server):
    done = fixbot("diagnose", "--from", f"url:{server.url}/logs/backend", env=_env(server))
    assert done.returncode == 0, done.stderr
    assert "logging-handler (fixable)" in done.stdout
    assert f"fixbot apply --from url:{server.url}/logs/backend --dry-run" in done.stdout
    assert done.stderr == ""


def test_no_token_is_sent_when_none_is_set_and_the_server_asks_for_one(server):
    line = one_line_refusal(fixbot("diagnose", "--from", f"url:{server.url}/logs/backend"))
    assert "wants a token (HTTP 401)" in line and "set FIXBOT_LOG_TOKEN" in line
    assert "authorization" not in server.requests[0].headers


def test_a_redirect_to_another_host_is_refused_before_the_token_goes_there(server):
    line = one_line_refusal(fixbot("diagnose", "--from", f"url:{server.url}/logs/elsewhere", env=_env(server)),
                            server.token)
    assert "redirects to another host (localhost:9)" in line
    assert len(server.requests) == 1


BAD = [
    pytest.param("wrong-token", None, "refused the token (HTTP 401)", id="401"),
    pytest.param(None, json_reply({"message": "no such log"}, 404), "not found on", id="404"),
    pytest.param(None, Reply(429, b"slow down\n", {"Retry-After": "120"}), "(HTTP 429); retry after 120 s", id="429"),
    pytest.param(None, HTML, "answered with an HTML page, not a log", id="html"),
    pytest.param(None, json_reply({"lines": []}), "answered with a JSON document", id="json"),
    pytest.param(None, Reply(503, b"upstream down\n"), "answered HTTP 503", id="503"),
]


@pytest.mark.parametrize("token, reply, said", BAD)
def test_a_bad_answer_is_one_line_and_exit_2(server, token, reply, said):
    if reply is not None:
        server.fail("^/logs/", reply)
    line = one_line_refusal(fixbot("diagnose", "--from", f"url:{server.url}/logs/backend", env=_env(server, token)),
                            server.token)
    assert said in line, line


def test_a_429_whose_retry_after_fits_the_bound_is_waited_out(server):
    server.fail("^/logs/", Reply(429, b"slow down\n", {"Retry-After": "1"}), times=1)
    start = time.monotonic()
    done = fixbot("diagnose", "--from", f"url:{server.url}/logs/backend", env=_env(server))
    assert done.returncode == 0, done.stderr
    assert len(server.calls("^/logs/backend")) == 2 and time.monotonic() - start >= 1


@pytest.mark.parametrize("path", ["/logs/endless", "/logs/endless-stream"], ids=["plain", "event stream"])
def test_a_stream_that_never_ends_is_cut_at_the_timeout_and_what_arrived_is_fixed(server, path):
    start = time.monotonic()
    # 3 s: the whole log arrives well before, even on a loaded machine, so the plan can be compared
    fetched, given = plans(f"url:{server.url}{path}", LEDGERSG_LOG, LEDGERSG, _env(server), "--timeout", "3")
    assert time.monotonic() - start < 30
    plan = assert_same_plan(fetched, given, server.token)
    (warning,) = plan["warnings"]
    assert "the log was still coming after 3 s: cut there" in warning
    assert fetched.stderr.count("\n") == 1 and "cut there" in fetched.stderr


def test_a_stream_past_64_mib_is_cut_there(server):
    done = fixbot("diagnose", "--from", f"url:{server.url}/logs/firehose", "--format", "json", env=_env(server))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["findings"][0]["kind"] == "logging-handler"
    assert done.stderr.strip() == (f"fixbot: warning: url:{server.url}/logs/firehose: the log runs past 64.0 MiB:"
                                   " cut there; diagnosing what arrived")


def test_a_server_that_sends_nothing_is_a_timeout_in_one_line(server):
    server.fail("^/logs/", Reply(200, server.endless(b"", b""), {"Content-Type": "text/plain"}))
    start = time.monotonic()
    line = one_line_refusal(fixbot("diagnose", "--from", f"url:{server.url}/logs/backend", "--timeout", "1",
                                   env=_env(server)))
    assert "no log arrived within 1 s" in line and time.monotonic() - start < 20


def test_a_target_that_is_not_an_http_url_is_bad_input():
    line = one_line_refusal(fixbot("diagnose", "--from", "url:file:///etc/passwd"))
    assert "the target must be URL" in line
    line = one_line_refusal(fixbot("diagnose", "--from", "nowhere:x"))
    assert "give SCHEME:TARGET, one of" in line and "hf-space:OWNER/NAME" in line
