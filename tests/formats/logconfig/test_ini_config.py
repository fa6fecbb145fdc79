"""fileConfig INI under hostile input: interpolation that fans out and lines no pattern should scan twice (issue 20)."""

from __future__ import annotations

import time

import pytest

from fixbot.formats import Refusal
from fixbot.formats.logconfig import ini_config
from tests.support import bounded, hostile

FIXTURE = hostile.ROOT / "tests" / "fixtures" / "logs" / "gunicorn-ini-missing-dir.log"
LOGGED = "/srv/app/no-such-dir/gunicorn.error.log"  # the path that real Gunicorn run failed on
START = "gunicorn app:app --log-config logging.ini"
SHAPES = {"interpolation": hostile.ini_interpolation, "long line": hostile.ini_long_line}


@pytest.mark.parametrize("shape", SHAPES)
def test_codemod_refuses_the_shape_in_one_line(tmp_path, shape):
    config = tmp_path / "logging.ini"
    config.write_text(SHAPES[shape]())
    before = config.read_bytes()
    line = bounded.assert_one_line(bounded.fixbot("codemod", "logging-console", str(config)))
    assert "refused" in line and len(line) < 400, line
    assert config.read_bytes() == before


@pytest.mark.parametrize("shape", SHAPES)
def test_apply_exits_2_with_the_reason(tmp_path, shape):
    repo = hostile.app_repo(tmp_path / "repo", {"logging.ini": SHAPES[shape](path=LOGGED)}, START)
    head = hostile.git(repo, "rev-parse", "HEAD")
    ran = bounded.fixbot("apply", "--log", str(FIXTURE), "--repo", str(repo))
    line = bounded.assert_one_line(ran)
    assert "logging.ini" in line and ("interpolat" in line or "characters" in line), line
    assert hostile.git(repo, "rev-parse", "HEAD") == head and hostile.git(repo, "branch", "--list") == "* main\n" \
        or hostile.git(repo, "branch", "--format=%(refname:short)").split() in (["main"], ["master"])


@pytest.mark.parametrize("shape", SHAPES)
def test_check_fix_still_fixes_the_real_finding_beside_it(tmp_path, shape):
    repo = hostile.ledgersg_with(tmp_path / "repo", {"logging.ini": SHAPES[shape]()},
                                 "gunicorn worker:app --log-config /app/logging.ini")
    ran = bounded.assert_bounded(bounded.fixbot("check", str(repo), "--fix"))
    assert "fixed: apps/backend/config/settings/service.py (logging-console)" in ran.stderr, ran
    if shape == "interpolation":  # its handler is read (no level needed), its rewrite refused and said so
        assert ran.returncode == 1 and "logging.ini" in ran.stdout and "interpolates" in ran.stderr, ran
    else:  # unreadable: no finding, like any config fixbot cannot read
        assert ran.returncode == 0 and "logging.ini" not in ran.stdout + ran.stderr, ran


def test_interpolation_within_the_bound_still_reads_as_configparser_reads_it():
    source = hostile.ini_interpolation(depth=3, fan=2).replace("l3=DEBUG", "l3=D")
    sites = ini_config.handlers(source)
    assert [s.filename for s in sites] == ["/var/log/app/app.log"]
    rewritten = ini_config.rewrite(source)
    assert "StreamHandler" in rewritten


def test_interpolation_past_the_bound_is_a_refusal_in_process():
    start = time.process_time()
    with pytest.raises(Refusal, match="interpolat"):
        ini_config.rewrite(hostile.ini_interpolation())
    assert time.process_time() - start < 1


def test_a_long_line_is_refused_before_any_pattern_reads_it():
    start = time.process_time()
    with pytest.raises(Refusal, match="characters"):
        ini_config.handlers(hostile.ini_long_line(400_000))
    assert time.process_time() - start < 0.5
