"""The static evaluator's work is bounded: a value past MAX_SIZE or a walk past its steps is UNKNOWN, never an error (issue 20)."""

from __future__ import annotations

import ast
import time

import pytest

from fixbot.formats import python_eval
from fixbot.formats.python_eval import UNKNOWN, Budget, Evaluator, Text, path_matches
from tests.support import bounded, hostile

BOOT_LOG = str(hostile.BOOT_LOG)


def run_module(source: str, budget: Budget | None = None) -> dict:
    env: dict = {}
    evaluate = Evaluator(env, "settings.py", budget)
    for statement in ast.parse(source).body:
        env[statement.targets[0].id] = evaluate(statement.value)
    return env


@pytest.mark.parametrize("source", [
    hostile.doubling_settings(),
    'X = [1]\n' + "X = [X, X]\nY = dict(a=X)\nX = list(X) if C else X\nZ = {'a': X, **{'b': X}}\n" * 40,
    'X = {"a": 1}\n' + "X = {'k': X, 'j': X}\nX = X | X\n" * 40,
    'X = "a"\n' + 'X = f"{X}{X}/{Y}"\n' * 40,
], ids=["string doubled", "list doubled", "dict doubled", "f-string doubled"])
def test_a_value_that_doubles_becomes_unknown_in_bounded_time(source):
    start = time.process_time()
    env = run_module(source + "LOGGING = {'handlers': {'file': {'filename': '/app/logs/api.log'}}}\n")
    # unbounded, these take minutes and gigabytes; the bound is loose so that a loaded machine cannot fail it
    assert time.process_time() - start < 5
    assert not isinstance(env["X"], str) or len(env["X"]) <= python_eval.MAX_SIZE
    # what follows is known, unless the doubling spent the walk's steps (copies of a dict: `X | X`)
    assert env["LOGGING"] is UNKNOWN if "|" in source else env["LOGGING"]["handlers"]["file"]["filename"] == "/app/logs/api.log"


def test_small_values_are_still_what_they_were():
    env = run_module('X = "ab"\nX = X + X\nP = X + "/" + Y\nD = {**{"a": X}, "b": [X]}\n')
    assert env["X"] == "abab" and env["P"] == Text(("abab/", UNKNOWN)) and env["D"] == {"a": "abab", "b": ["abab"]}


def test_a_spent_budget_makes_every_later_value_unknown():
    budget = Budget(50)
    env = run_module("A = 1\n" + "B = [1, 2, 3]\n" * 30 + "C = 'c'\n", budget)
    assert env["A"] == 1 and env["C"] is UNKNOWN and budget.spent


def test_path_matching_is_linear_in_the_unknown_pieces():
    value = Text(tuple(p for _ in range(40) for p in (UNKNOWN, "/")) + ("api.log",))
    path = "/" + "a/" * 2000 + "b.log"  # no match: a backtracking regex would try every split
    start = time.process_time()
    assert not path_matches(value, path.replace("b.log", "api.lo"))
    assert path_matches(value, "/x" * 41 + "/api.log")
    assert time.process_time() - start < 0.2
    assert path_matches(Text(("logs/", UNKNOWN, ".log")), "/srv/app/logs/a.log")
    assert path_matches("./logs/a.log", "/srv/app/logs/a.log") and not path_matches("logs/a.log", "/srv/app/xlogs/a.log")


@pytest.fixture
def doubled(tmp_path):
    return hostile.plant_settings(hostile.ledgersg_repo(tmp_path / "repo"), hostile.doubling_settings())


def test_check_still_reports_the_literal_logging_after_the_doubling(doubled):
    ran = bounded.assert_bounded(bounded.fixbot("check", str(doubled)))
    assert ran.returncode == 1 and "apps/backend/config/settings/service.py:" in ran.stdout, ran
    assert "handler 'file' writes /app/apps/backend/logs/api.log" in ran.stdout, ran


def test_apply_fixes_the_literal_logging_after_the_doubling(doubled):
    ran = bounded.assert_bounded(bounded.fixbot("apply", "--log", BOOT_LOG, "--repo", str(doubled), "--dry-run"))
    assert ran.returncode == 0 and "logging-console on apps/backend/config/settings/service.py" in ran.stdout, ran


def test_a_module_past_the_budget_is_never_already_fixed_and_hides_no_other_finding(tmp_path):
    repo = hostile.plant_settings(hostile.ledgersg_repo(tmp_path / "repo"), hostile.spending_settings())
    ran = bounded.assert_bounded(bounded.fixbot("apply", "--log", BOOT_LOG, "--repo", str(repo), "--dry-run"))
    # LOGGING's literal is unknown to the walk but plain to the codemod, which rewrites its file handler
    assert ran.returncode == 0 and "-            'class': 'logging.FileHandler'," in ran.stdout, ran
    ran = bounded.assert_bounded(bounded.fixbot("check", str(repo)))
    assert "service.py" not in ran.stdout, "a module the walk cannot finish gets no finding"
    assert ran.returncode == 1 and "entrypoint.sh:26: gunicorn-output-in-file Gunicorn" in ran.stdout, "the finding in another file stays"


def test_the_walk_of_a_module_past_the_budget_says_so(tmp_path):
    from fixbot import settings_find
    from fixbot.repo import RepoView

    repo = hostile.plant_settings(hostile.ledgersg_repo(tmp_path / "repo"), hostile.spending_settings())
    start = time.process_time()
    with RepoView.open(repo) as view:
        found = settings_find.candidate(view, "config.settings.service", "apps/backend/" + hostile.SERVICE.split(
            "apps/backend/")[1], "file", "/app/apps/backend/logs/api.log")
    assert time.process_time() - start < 1
    assert found.walk.budget.spent and found.evidence.unknown and "bound" in found.evidence.what
