"""Path expansion in `fixbot check` is bounded: past MAX_PATHS combinations a word is "any directory like it" (issue 20)."""

from __future__ import annotations

import time

from fixbot.check import dirs
from tests.support import bounded, hostile


def test_combinations_past_the_bound_are_a_pattern_not_a_list():
    start = time.process_time()
    made = dirs.shell_made(hostile.mkdir_combinations(), "start.sh", 1, None, {"A": {f"/v{i}" for i in range(10)}})
    assert time.process_time() - start < 0.5
    [one] = made
    assert one.path == "{/v0,/v1,/v2,/v3,/v4,/v5,/v6,/v7,/v8,/v9}" * 8
    found = dirs.Dirs(made=made)
    assert found.exists("/v1/v2/v3/v4/v5/v6/v7/v8") and found.exists("/v1/v2/v3/v4/v5/v6/v7/v8/logs")
    assert found.exists("/v1/v2/v3/v4/v5/v6/v7") is None and found.exists("/app/logs") is None


def test_a_few_combinations_are_still_listed():
    made = dirs.shell_made("mkdir -p $A/logs\n", "start.sh", 1, None, {"A": {"/srv", "/opt/app"}})
    assert sorted(m.path for m in made) == ["/opt/app/logs", "/srv/logs"]


def test_a_glob_matches_in_linear_time():
    pieces = dirs._pattern("/x/$A/y/$B/z/$C/q" * 20)
    found = dirs.Dirs(made=[dirs.Made("/x/*/y/*/z/*/q" * 20, "start.sh", 1, "mkdir", pieces)])
    start = time.process_time()
    assert found.exists("/x/" + "y/z/" * 3000 + "r") is None
    assert found.exists("/x/a/y/b/z/c/q" * 20 + "/logs") is not None
    assert time.process_time() - start < 0.2


def test_check_answers_and_keeps_the_real_finding(tmp_path):
    repo = hostile.ledgersg_with(tmp_path / "repo", {"start.sh": hostile.mkdir_combinations()})
    ran = bounded.assert_bounded(bounded.fixbot("check", str(repo)))
    assert ran.returncode == 1 and "apps/backend/config/settings/service.py:28" in ran.stdout, ran
