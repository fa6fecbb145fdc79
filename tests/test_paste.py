"""Logs as people hand them over, made from real failing runs: flattened, quoted, indented, fenced, cut at every line.

Every failure here is printed by a real run (plain `dictConfig`/`fileConfig`/`basicConfig` calls, Django's
`manage.py check`, Gunicorn booting Django), made once per module; the tests then do to its output what a medium
does (a log collector collapsing it to one line, a Markdown quote, a code block, a terminal that scrolled) and
read it in-process with the engine `fixbot diagnose` runs (the CLI is run where exit codes matter).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixbot import logs, paste
from tests.support import loggingrun, realrun
from tests.support.pasting import MEDIA, findings, fixable
from tests.support import ROOT
from tests.support import bounded, hostile

HANDLER = "logging-handler"


@dataclass(frozen=True)
class Failure:
    text: str
    path: str  # the file the handler could not open
    handler: str | None  # None: the run never names it (fileConfig, basicConfig)


def cli(text: str, tmp_path: Path) -> tuple[int, list[dict]]:
    log = tmp_path / "pasted.log"
    log.write_text(text)
    done = subprocess.run([sys.executable, "-m", "fixbot.cli", "diagnose", str(log), "--format", "json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


# --- the real runs ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def failures(tmp_path_factory) -> dict[str, Failure]:
    """Handler failures, each printed by a real run, made once for the module."""
    base = tmp_path_factory.mktemp("pasted")
    out: dict[str, Failure] = {}
    gone = str(base / "gone" / "api.log")
    out["dictconfig"] = Failure(loggingrun.dict_config(loggingrun.file_handler_config(gone), base), gone, "file")
    out["fileconfig"] = Failure(loggingrun.file_config(loggingrun.FILE_HANDLER_INI.format(path=gone), base), gone, None)
    (base / "a-file").write_text("")
    under_file = str(base / "a-file" / "errors.log")
    out["rotating-under-a-file"] = Failure(loggingrun.dict_config(loggingrun.file_handler_config(
        under_file, handler="errors", cls="logging.handlers.RotatingFileHandler", maxBytes=1024), base), under_file, "errors")
    out["is-a-directory"] = Failure(
        loggingrun.dict_config(loggingrun.file_handler_config(str(base)), base), str(base), "file")
    script = base / "basic.py"
    script.write_text(f"import logging\nlogging.basicConfig(filename={gone!r})\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    out["basicconfig"] = Failure(done.stderr, gone, None)
    read_only = base / "read-only"
    text = loggingrun.dict_config_read_only(loggingrun.file_handler_config(str(read_only / "api.log")), read_only, base)
    if text is not None:
        out["read-only-file-system"] = Failure(text, str(read_only / "api.log"), "file")
    denied = loggingrun.dict_config_as_nobody()
    if denied is not None:
        out["permission-denied"] = Failure(*denied, "file")
    project = realrun.make_django_project(base / "django", logging_source=realrun.file_logging(gone))
    out["manage-check"] = Failure(realrun.run_manage_check(project).output, gone, "file")
    run = realrun.run_gunicorn(project)
    assert not run.booted, run.output
    out["gunicorn"] = Failure(run.output, gone, "file")
    for name, failure in out.items():
        assert "[Errno" in failure.text, (name, failure.text)
    return out


@pytest.fixture(scope="module")
def near_misses(tmp_path_factory) -> dict[str, str]:
    """Real runs that fail in logging's configuration for reasons no fix of fixbot's would mend."""
    base = tmp_path_factory.mktemp("near")
    config = loggingrun.file_handler_config(str(base / "api.log"))
    bad_formatter = {**config, "formatters": {"plain": {"()": "no_such_module.Formatter"}}}
    no_class = loggingrun.file_handler_config(str(base / "api.log"), cls="raven.handlers.logging.SentryHandler")
    bad_kwarg = loggingrun.file_handler_config(str(base / "api.log"), no_such_option=1)
    missing_formatter = loggingrun.file_handler_config(str(base / "api.log"))
    missing_formatter["handlers"]["file"]["formatter"] = "verbose"
    out = {name: loggingrun.dict_config(cfg, base) for name, cfg in [
        ("formatter", bad_formatter), ("handler-class", no_class), ("keyword-argument", bad_kwarg),
        ("missing-formatter", missing_formatter)]}
    out["filter"] = loggingrun.dict_config({**config, "filters": {"f": {"()": "no_such_module.Filter"}}}, base)
    project = realrun.make_django_project(base / "django", logging_source=realrun.CONSOLE_LOGGING)
    (base / "a-file").write_text("")
    run = realrun.run_gunicorn(project, env={"HOME": str(base / "a-file")})  # no room for its control socket
    assert run.booted and "Control server error: [Errno 20]" in run.output, run.output
    out["gunicorn-control-socket"] = run.output
    with socket.socket() as taken:  # Gunicorn retries a bind five times, a second apart, then gives up
        taken.bind((realrun.LOOPBACK, 0))
        taken.listen()
        done = subprocess.run([str(realrun.GUNICORN), project.app, "--bind", f"{realrun.LOOPBACK}:{taken.getsockname()[1]}"],
                              cwd=project.backend, env=realrun.clean_env(project.backend, project.env(), home=base),
                              capture_output=True, text=True, timeout=60)
    assert "Connection in use" in done.stderr, done.stderr
    out["gunicorn-bind"] = done.stderr
    return out


# --- what media do to a log ----------------------------------------------------------------------------


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("name", ["dictconfig", "fileconfig", "rotating-under-a-file", "is-a-directory", "basicconfig",
                                  "read-only-file-system", "permission-denied", "manage-check", "gunicorn"])
def test_a_handler_failure_is_found_whatever_the_medium_did(failures, name, medium):
    if name not in failures:
        pytest.skip(f"this machine cannot make the {name} run")
    failure = failures[name]
    found = fixable(findings(MEDIA[medium](failure.text)))
    assert [f.kind for f in found] == [HANDLER], found
    assert found[0].facts["path"] == failure.path
    assert found[0].facts.get("handler") == failure.handler
    # basicConfig(filename=...) is a handler the script's own code builds: file-handler-stream rewrites it there.
    assert found[0].fixes[0] == ("file-handler-stream" if name == "basicconfig" else "logging-console")


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("name", ["formatter", "handler-class", "keyword-argument", "missing-formatter", "filter",
                                  "gunicorn-control-socket", "gunicorn-bind"])
def test_a_near_miss_stays_clean_whatever_the_medium_did(near_misses, name, medium):
    assert not fixable(findings(MEDIA[medium](near_misses[name])))


def test_a_near_miss_exits_1_and_names_what_failed(near_misses, tmp_path):
    code, found = cli(MEDIA["quoted"](near_misses["handler-class"]), tmp_path)
    assert code == 1 and [f["kind"] for f in found] == [HANDLER] and found[0]["fixes"] == []
    assert "raven" in found[0]["facts"]["cause"]


def test_read_only_file_system_is_a_cause_the_console_fix_solves(failures, tmp_path):
    if "read-only-file-system" not in failures:
        pytest.skip("this machine cannot mount a read-only file system")
    code, [f] = cli(failures["read-only-file-system"].text, tmp_path)
    assert code == 0 and f["facts"]["error"] == "OSError" and "[Errno 30]" in f["facts"]["cause"]
    assert f["fixes"][0] == "logging-console"


@pytest.fixture(scope="module")
def gunicorn_logfiles(tmp_path_factory) -> dict[str, str]:
    """Gunicorn failing on its own error log: checked first ("isn't writable"), or opened first (--capture-output)."""
    base = tmp_path_factory.mktemp("glog")
    project = realrun.make_django_project(base / "django", logging_source=realrun.CONSOLE_LOGGING)
    args = [*realrun.DEFAULT_GUNICORN_ARGS, "--error-logfile", str(base / "gone" / "error.log")]
    return {"checked": realrun.run_gunicorn(project, args).output,
            "capture-output": realrun.run_gunicorn(project, [*args, "--capture-output"]).output,
            "path": str(base / "gone" / "error.log")}


@pytest.mark.parametrize("medium", MEDIA)
@pytest.mark.parametrize("how", ["checked", "capture-output"])
def test_gunicorns_own_log_file_whatever_the_medium_did(gunicorn_logfiles, how, medium):
    found = fixable(findings(MEDIA[medium](gunicorn_logfiles[how])))
    assert [(f.kind, f.facts["path"], f.facts["error"]) for f in found] == [
        ("gunicorn-logfile", gunicorn_logfiles["path"], "FileNotFoundError")]
    assert found[0].fixes == ("gunicorn-stdout",)


# --- pieces pasted apart, and the shapes seen in public threads --------------------------------------------


def lines_of(failure: Failure) -> list[str]:
    return failure.text.splitlines()


def cause_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if "[Errno" in line and not line.startswith(" "))


def test_a_cause_line_and_the_valueerror_pasted_apart_are_one_finding(failures, tmp_path):
    lines = lines_of(failures["dictconfig"])
    error = lines[cause_line(lines)]
    value = next(line for line in lines if line.startswith("ValueError"))
    for text in (f"{error}\n\n{value}\n", f"{error}\n\nThe above exception was the direct cause of the following "
                 f"exception:\n\n{value}\n", f"`{error}`\n\n`{value}`\n"):
        code, [f] = cli(text, tmp_path)
        assert (code, f["facts"]["handler"], f["facts"]["path"]) == (0, "file", failures["dictconfig"].path), text


def test_a_leftover_valueerror_line_joins_the_cut_traceback_pasted_after_it(failures):
    lines = lines_of(failures["dictconfig"])
    value = next(line for line in lines if line.startswith("ValueError"))
    cut = lines[: cause_line(lines) + 4]  # down to the next traceback's header
    [f] = findings("\n".join(["compose-web-1  | " + value] + ["compose-web-1  | " + line for line in cut]))
    assert (f.facts["handler"], f.facts["path"], f.fixes[0]) == ("file", failures["dictconfig"].path, "logging-console")
    assert [e.line for e in f.evidence] == sorted(e.line for e in f.evidence)


def test_a_valueerror_inside_a_sentence(failures):
    value = next(line for line in lines_of(failures["dictconfig"]) if line.startswith("ValueError"))
    [f] = findings(f"Running the app while throw the following value error. `{value}` any idea?\n")
    assert f.facts["handler"] == "file" and f.fixes


# --- cut at every line in turn ------------------------------------------------------------------------------


def landmarks(failure: Failure) -> tuple[set[tuple[int, int]], set[int]]:
    """(failing frame, OSError line) pairs of each traceback in the run, and the lines of anything else that
    names the failure (the ValueError)."""
    lines = lines_of(failure)
    pairs, others = set(), set()
    for i, line in enumerate(lines):
        if re.match(r"\w+Error: \[Errno \d+\]", line):
            frame = max(j for j in range(i) if lines[j].lstrip().startswith('File "'))
            assert re.search(r"[/\\]logging[/\\]", lines[frame]), lines[frame]
            pairs.add((frame, i))
        elif "Unable to configure handler" in line and line.startswith("ValueError"):
            others.add(i)
    assert pairs
    return pairs, others


def check_cut(failure: Failure, start: int, end: int, medium: str) -> bool | None:
    """Whether the lines start..end of the run, through `medium`, are read right: True/False where the property
    speaks (it holds a failing frame and its OSError line; or holds no line naming the failure), else None."""
    pairs, others = landmarks(failure)
    window = lines_of(failure)[start:end]
    found = fixable(findings(MEDIA[medium]("\n".join(window) + "\n")))
    if any(start <= frame and cause < end for frame, cause in pairs):
        return len(found) == 1 and found[0].facts.get("path") == failure.path
    marks = {line for pair in pairs for line in pair} | others
    if not any(start <= mark < end for mark in marks):
        return not found
    return None


CUT_RUNS = ["dictconfig", "fileconfig", "rotating-under-a-file", "read-only-file-system", "manage-check", "gunicorn"]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
@pytest.mark.parametrize("name", CUT_RUNS)
def test_any_cut_that_holds_the_failing_frame_and_its_oserror_is_fixable_and_any_that_holds_nothing_is_not(
        failures, name, data):
    if name not in failures:
        pytest.skip(f"this machine cannot make the {name} run")
    failure = failures[name]
    size = len(lines_of(failure))
    start = data.draw(st.integers(0, size), label="start")
    end = data.draw(st.integers(start, size), label="end")
    medium = data.draw(st.sampled_from(sorted(set(MEDIA) - {"in backticks"})), label="medium")
    assert check_cut(failure, start, end, medium) is not False


@pytest.mark.parametrize("name", CUT_RUNS)
def test_cut_at_every_line_in_turn(failures, name):
    """The terminal that scrolled (the head lost) and the paste that stopped early (the tail lost), at every line."""
    if name not in failures:
        pytest.skip(f"this machine cannot make the {name} run")
    failure = failures[name]
    size = len(lines_of(failure))
    results = [check_cut(failure, start, end, "as printed")
               for cut in range(size + 1) for start, end in ((cut, size), (0, cut))]
    spoken = [r for r in results if r is not None]
    print(f"{name}: {sum(spoken)}/{len(spoken)} cuts read right ({len(results)} cuts)")
    assert all(spoken)


@pytest.mark.parametrize("line", [
    "Unable to configure " + "a." * 32000, "x [Errno 1] " + "Ab." * 20000, "Traceback (most recent call last): " +
    'File "x", line 1, in f ' * 2500, 'File "x", line 1, in f ' * 2 + "Aa." * 20000, "> " * 30000,
    'File "x", line 1, in f ' + "2026-12-01 10:00 " * 3500, "[Errno " + "FooError " * 7000,
], ids=["dots", "errno-dots", "frames", "frame-then-dots", "quotes", "timestamps", "error-words"])
def test_undoing_a_paste_is_linear_in_the_line(line):
    # Every line of a marked chunk goes through it: one line at the reader's 64 KB cap must stay cheap.
    started = time.perf_counter()
    paste.split(paste.unquote(line[: logs.MAX_LINE]))
    assert time.perf_counter() - started < 0.2


# --- issue 20: the un-collapser is linear in a line's length ---------------------------------------------


def test_a_collapsed_traceback_splits_where_its_lines_ended():
    line = ('Traceback (most recent call last):   File "/app/x.py", line 3, in <module>     main()  '
            "FileNotFoundError: [Errno 2] No such file or directory: '/var/log/x/a.log'")
    assert paste.split(line) == ["Traceback (most recent call last):", '  File "/app/x.py", line 3, in <module>',
                                 "    main()", "FileNotFoundError: [Errno 2] No such file or directory: '/var/log/x/a.log'"]


def test_a_long_run_of_spaces_costs_linear_time():
    times = {}
    for size in (25_000, 400_000):
        start = time.process_time()
        lines = paste.split(hostile.collapsed_spaces(size).rstrip("\n"))
        times[size] = time.process_time() - start
        assert lines[-1].startswith("FileNotFoundError")
    assert times[400_000] < 0.5, times  # 16x the text; quadratic was 5 s at 10 KB


def test_diagnose_answers_on_long_lines(tmp_path):
    log = tmp_path / "collapsed.log"
    log.write_text(hostile.collapsed_spaces(60_000))  # under logs.MAX_LINE: read whole, the cause found
    ran = bounded.assert_bounded(bounded.fixbot("diagnose", str(log)))
    assert ran.returncode == 1 and "FileNotFoundError" in ran.stdout, ran
    log.write_text(hostile.collapsed_spaces(1_000_000))  # cut at logs.MAX_LINE, so the cause is gone
    ran = bounded.assert_bounded(bounded.fixbot("diagnose", str(log)))
    assert ran.returncode == 1 and ran.stdout == "No known failure found in the log.\n", ran
