"""The command line on a terminal: the stdin hint, and colour by --color, NO_COLOR, FORCE_COLOR (under a pseudo-terminal)."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.support import ROOT
from tests.support.cli import fixbot, fixbot_on_terminal
from tests.support.repos import commit_all

LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"
SGR = re.compile(r"\x1b\[[0-9;]*m")
HINT = "fixbot: reading the log from stdin: paste it, then press Ctrl-D on a new line"


def env(**extra: str) -> dict:
    """This environment without the colour variables a developer's shell may set, plus `extra`."""
    out = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    return {**out, "TERM": "xterm-256color", **extra}


# --- a bare `fixbot diagnose` on a terminal says what it waits for ----------------------------------------------


def test_a_bare_diagnose_on_a_terminal_says_how_to_give_it_a_log_then_reads_what_is_pasted():
    """One line on stderr before it waits; the log pasted and one Ctrl-D on a new line end it."""
    done = fixbot_on_terminal("diagnose", terminal=("stdin",), typed=LOG.read_bytes() + b"\x04", env=env())
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [HINT + " (or pass a file: fixbot diagnose deploy.log)"]
    assert done.stdout.startswith("logging-handler (fixable): ") and "\x1b" not in done.stdout


def test_diagnose_dash_on_a_terminal_gets_the_hint_too_and_an_empty_paste_finds_nothing():
    done = fixbot_on_terminal("diagnose", "-", terminal=("stdin",), typed=b"\x04", env=env())
    assert done.returncode == 1 and done.stderr.startswith(HINT), done.stderr


@pytest.mark.parametrize("how", ["file", "pipe"])
def test_no_hint_when_the_log_is_a_file_or_a_pipe(how):
    args, stdin = ((str(LOG),), None) if how == "file" else ((), LOG.read_text())
    done = fixbot("diagnose", *args, stdin=stdin, env=env())
    assert done.returncode == 0 and done.stderr == "", done.stderr


# --- colour ------------------------------------------------------------------------------------------------------


def test_diagnose_is_coloured_on_a_terminal():
    done = fixbot_on_terminal("diagnose", str(LOG), env=env())
    assert done.returncode == 0
    assert "\x1b[31m\x1b[1mlogging-handler\x1b[0m (\x1b[32mfixable\x1b[0m)" in done.terminal, done.terminal
    assert SGR.sub("", done.terminal) == fixbot("diagnose", str(LOG), env=env()).stdout


@pytest.mark.parametrize("args, extra", [
    pytest.param(("--color", "never"), {}, id="--color never"),
    pytest.param((), {"NO_COLOR": "1"}, id="NO_COLOR"),
    pytest.param((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, id="NO_COLOR over FORCE_COLOR"),
    pytest.param((), {"TERM": "dumb"}, id="TERM=dumb"),
])
def test_no_colour_on_a_terminal_when_told(args, extra):
    done = fixbot_on_terminal("diagnose", str(LOG), *args, env=env(**extra))
    assert done.returncode == 0 and "\x1b" not in done.terminal and "logging-handler (fixable)" in done.terminal


@pytest.mark.parametrize("args, extra", [
    pytest.param(("--color", "always"), {"NO_COLOR": "1"}, id="--color always"),
    pytest.param((), {"FORCE_COLOR": "1"}, id="FORCE_COLOR"),
])
def test_colour_on_a_pipe_when_asked(args, extra):
    done = fixbot("diagnose", str(LOG), *args, env=env(**extra))
    assert done.returncode == 0 and "\x1b[32mfixable\x1b[0m" in done.stdout


@pytest.mark.parametrize("args", [
    pytest.param(("diagnose", str(LOG), "--format", "json"), id="diagnose json"),
    pytest.param(("diagnose", str(LOG), "--format", "github"), id="diagnose github"),
    pytest.param(("check", str(ROOT / "examples" / "ledgersg"), "--format", "json"), id="check json"),
    pytest.param(("check", str(ROOT / "examples" / "ledgersg"), "--format", "sarif"), id="check sarif"),
    pytest.param(("apply", "--log", str(LOG), "--repo", str(ROOT / "examples" / "ledgersg"), "--dry-run",
                  "--format", "json"), id="apply json"),
])
def test_output_for_programs_is_never_coloured(args):
    done = fixbot_on_terminal(*args, "--color", "always", env=env(FORCE_COLOR="1"))
    assert done.returncode in (0, 1) and done.terminal.strip() and "\x1b" not in done.terminal, done.terminal


def test_check_and_the_apply_diff_are_coloured_on_a_terminal():
    check = fixbot_on_terminal("check", str(ROOT / "examples" / "ledgersg"), env=env())
    assert check.returncode == 1
    assert "\x1b[31m\x1b[1mlog-dir-missing\x1b[0m" in check.terminal and "\x1b[1mFound 2 findings" in check.terminal
    dry = fixbot_on_terminal("apply", "--log", str(LOG), "--repo", str(ROOT / "examples" / "ledgersg"), "--dry-run",
                             env=env())
    assert dry.returncode == 0 and "\x1b[31m-        'file': {\x1b[0m" in dry.terminal, dry.terminal


def test_a_warning_is_coloured_on_a_terminals_stderr_only(tmp_path):
    repo = tmp_path / "app"
    shutil.copytree(ROOT / "examples" / "ledgersg", repo, ignore=shutil.ignore_patterns("__pycache__"))
    commit_all(repo)
    (repo / ".fixbot.yml").write_text("branch_prefix: mine/\n")
    args = ("apply", "--log", str(LOG), "--repo", str(repo), "--dry-run")
    on_terminal = fixbot_on_terminal(*args, terminal=("stderr",), env=env())
    assert on_terminal.returncode == 0 and "\x1b" not in on_terminal.stdout
    assert "\x1b[33m\x1b[1mwarning:\x1b[0m .fixbot.yml is not committed" in on_terminal.terminal, on_terminal.terminal
    piped = fixbot(*args, env=env())
    assert "fixbot: warning: .fixbot.yml is not committed" in piped.stderr and "\x1b" not in piped.stderr


# --- a mistyped codemod name -------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    pytest.param(("codemod", "logging-consle", str(LOG)), id="fixbot codemod"),
    pytest.param(("apply", "--log", str(LOG), "--codemod", "logging-consle", "--dry-run"), id="apply --codemod"),
])
def test_a_mistyped_codemod_gets_a_did_you_mean(args):
    done = fixbot(*args, env=env())
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "unknown codemod 'logging-consle'; did you mean logging-console? (known: " in done.stderr, done.stderr


def test_a_name_close_to_none_gets_only_the_list():
    done = fixbot("codemod", "zzz", str(LOG), env=env())
    assert done.returncode == 2 and "unknown codemod 'zzz' (known: " in done.stderr and "did you mean" not in done.stderr
