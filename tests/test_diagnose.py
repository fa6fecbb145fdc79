"""`fixbot diagnose` on logs of real Django and Gunicorn runs, as CI systems wrap them, and on bad input."""

from __future__ import annotations

import functools
import gzip
import json
import os
import pty
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from fixbot import diagnose, progress
from tests.support import realrun
from tests.support.cli import FIXBOT as FIXBOT_COMMAND
from tests.support.cli import fixbot as run_fixbot
from tests.support import ROOT

fixbot = functools.partial(run_fixbot, text=False, timeout=60)  # bytes in and out

FIXTURES = ROOT / "tests" / "fixtures" / "logs"
SEED = FIXTURES / "seed-report.md"  # the incident report, kept byte for byte (shared/seed-report.md)


def findings_of(path: Path) -> list[dict]:
    result = fixbot("diagnose", str(path), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def only(findings: list[dict], kind: str) -> dict:
    matching = [f for f in findings if f["kind"] == kind]
    assert len(matching) == 1, findings
    return matching[0]


# --- logs from real runs, made once per session --------------------------------------------------------


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, str]:
    """Real failing (and healthy) boots, each run once for the whole session."""
    base = tmp_path_factory.mktemp("real")
    out: dict[str, str] = {}

    missing = realrun.make_django_project(
        base / "missing", logging_source=realrun.file_logging(str(base / "no-such-dir" / "api.log"))
    )
    run = realrun.run_gunicorn(missing, ["config.wsgi:application", "--workers", "2", "--timeout", "10"])
    assert not run.booted, run.output
    out["gunicorn-missing-dir"] = run.output
    out["manage-check-missing-dir"] = realrun.run_manage_check(missing).output

    (base / "a-file").write_text("not a directory\n")
    rotating = realrun.make_django_project(
        base / "rotating",
        logging_source=realrun.file_logging(
            str(base / "a-file" / "errors.log"),
            handler="errors",
            handler_class="logging.handlers.RotatingFileHandler",
            extra="'maxBytes': 1048576, 'backupCount': 3,",
        ),
        settings_layout="base",
    )
    out["gunicorn-not-a-directory"] = realrun.run_gunicorn(rotating).output

    healthy = realrun.make_django_project(base / "healthy", logging_source=realrun.CONSOLE_LOGGING)
    run = realrun.run_gunicorn(healthy)
    assert run.status == 200, run.output
    out["gunicorn-healthy"] = run.output
    out["gunicorn-error-logfile"] = realrun.run_gunicorn(
        healthy, [*realrun.DEFAULT_GUNICORN_ARGS, "--error-logfile", str(base / "gone" / "error.log")]
    ).output
    out["gunicorn-access-logfile"] = realrun.run_gunicorn(
        healthy, [*realrun.DEFAULT_GUNICORN_ARGS, "--access-logfile", str(base / "gone" / "access.log")]
    ).output

    bad_class = realrun.make_django_project(
        base / "bad-class",
        logging_source=realrun.file_logging(str(base / "x.log"), handler_class="no_such_package.FileHandler"),
    )
    out["gunicorn-unknown-handler-class"] = realrun.run_gunicorn(bad_class).output

    broken_app = realrun.make_django_project(
        base / "broken-app", logging_source=realrun.CONSOLE_LOGGING, extra_settings="INSTALLED_APPS += ['no_such_app']"
    )
    out["gunicorn-unrelated-failure"] = realrun.run_gunicorn(broken_app).output
    out["paths"] = str(base)
    return out


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_filehandler_to_missing_directory_under_gunicorn(runs, tmp_path):
    found = findings_of(write(tmp_path, "boot.log", runs["gunicorn-missing-dir"]))
    f = only(found, "logging-handler")
    assert len(found) == 1, "the two workers' tracebacks and Gunicorn's shutdown are one failure"
    assert f["occurrences"] == 2
    assert f["facts"]["handler"] == "file"
    assert f["facts"]["error"] == "FileNotFoundError"
    assert f["facts"]["path"] == f"{runs['paths']}/no-such-dir/api.log"
    assert any(frame.endswith("config/wsgi.py:16") or "config/wsgi.py:" in frame for frame in f["facts"]["project_frames"])
    assert f["fixes"][0] == "logging-console"
    texts = [e["text"] for e in f["evidence"]]
    assert "ValueError: Unable to configure handler 'file'" in texts
    assert any(t.startswith("FileNotFoundError: [Errno 2]") for t in texts)


def test_manage_check_gives_the_same_finding(runs, tmp_path):
    f = only(findings_of(write(tmp_path, "check.log", runs["manage-check-missing-dir"])), "logging-handler")
    assert (f["facts"]["handler"], f["facts"]["error"], f["occurrences"]) == ("file", "FileNotFoundError", 1)
    assert any("manage.py:" in frame for frame in f["facts"]["project_frames"])


def test_rotating_handler_under_a_regular_file(runs, tmp_path):
    f = only(findings_of(write(tmp_path, "boot.log", runs["gunicorn-not-a-directory"])), "logging-handler")
    assert f["facts"]["handler"] == "errors"
    assert f["facts"]["error"] == "NotADirectoryError"
    assert f["facts"]["path"].endswith("/a-file/errors.log")
    assert "logging-console" in f["fixes"]


@pytest.mark.parametrize("flag", ["error", "access"])
def test_gunicorn_unwritable_logfile(runs, tmp_path, flag):
    log = runs[f"gunicorn-{flag}-logfile"]
    assert "isn't writable" in log
    f = only(findings_of(write(tmp_path, "boot.log", log)), "gunicorn-logfile")
    assert f["facts"]["path"] == f"{runs['paths']}/gone/{flag}.log"
    assert f["facts"]["error"] == "FileNotFoundError"
    assert f["fixes"] == ["gunicorn-stdout"]


def test_handler_that_fails_for_another_reason_gets_no_fix(runs, tmp_path):
    result = fixbot("diagnose", str(write(tmp_path, "boot.log", runs["gunicorn-unknown-handler-class"])), "--format", "json")
    assert result.returncode == 1
    f = only(json.loads(result.stdout)["findings"], "logging-handler")
    assert f["facts"]["error"] in {"ModuleNotFoundError", "ImportError", "ValueError"}
    assert "no_such_package" in f["facts"]["cause"]
    assert f["fixes"] == []


def test_unrelated_failure_is_reported_with_its_root_cause_and_exit_1(runs, tmp_path):
    result = fixbot("diagnose", str(write(tmp_path, "boot.log", runs["gunicorn-unrelated-failure"])), "--format", "json")
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)["findings"]
    f = only(found, "python-exception")
    assert f["facts"]["exception"] == "ModuleNotFoundError"
    assert "no_such_app" in f["facts"]["message"]
    assert all(not g["fixes"] for g in found)


def test_healthy_boot_has_no_finding_and_exits_1(runs, tmp_path):
    result = fixbot("diagnose", str(write(tmp_path, "boot.log", runs["gunicorn-healthy"])), "--format", "json")
    assert (result.returncode, json.loads(result.stdout)) == (1, {"findings": []})


# --- the same logs as CI systems and people pass them on -------------------------------------------------


def as_github_actions(log: str) -> bytes:
    lines = ["##[group]Run ./deploy.sh"] + log.splitlines() + ["##[endgroup]", "##[error]Process completed with exit code 1."]
    return "".join(f"2026-03-01T10:00:{i % 60:02d}.{i:07d}Z {line}\n" for i, line in enumerate(lines)).encode()


def with_ansi(log: str) -> bytes:
    return log.replace("ValueError", "\x1b[1;35mValueError\x1b[0m").replace("FileNotFoundError", "\x1b[31mFileNotFoundError\x1b[0m").encode()


WRAPPERS = {
    "github-actions": as_github_actions,
    "crlf": lambda log: log.replace("\n", "\r\n").encode(),
    "invalid-bytes": lambda log: log.replace("Booting worker", "Booting \xff\xfe worker").encode("latin-1", "replace"),
    "ansi": with_ansi,
    "docker-compose": lambda log: "".join(f"backend-1  | {line}\n" for line in log.splitlines()).encode(),
}


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_wrapped_logs_give_the_same_finding(runs, tmp_path, wrapper):
    f = only(findings_of(write(tmp_path, "boot.log", WRAPPERS[wrapper](runs["gunicorn-missing-dir"]))), "logging-handler")
    assert (f["facts"]["handler"], f["facts"]["error"]) == ("file", "FileNotFoundError")
    assert f["facts"]["path"].endswith("/no-such-dir/api.log")


def test_github_run_zip_and_gzip_and_stdin(runs, tmp_path):
    log = runs["gunicorn-error-logfile"]
    archive = tmp_path / "logs_42.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("0_deploy.txt", as_github_actions(log))
        z.writestr("deploy/3_Start backend.txt", as_github_actions(log))
    f = only(findings_of(archive), "gunicorn-logfile")
    assert f["evidence"][0]["source"] == "0_deploy.txt"
    assert f["occurrences"] == 1, "the per-step copy of the same lines is not read twice"

    gz = write(tmp_path, "boot.log.gz", gzip.compress(log.encode()))
    assert only(findings_of(gz), "gunicorn-logfile")["facts"]["path"].endswith("/gone/error.log")

    result = fixbot("diagnose", "-", "--format", "json", stdin=log.encode())
    assert result.returncode == 0
    assert json.loads(result.stdout)["findings"][0]["kind"] == "gunicorn-logfile"


def test_the_seed_report(tmp_path):
    f = only(findings_of(SEED), "logging-handler")
    assert f["facts"]["handler"] == "file"
    assert "/app/apps/backend/config/wsgi.py:16" in f["facts"]["project_frames"]
    assert "cause" not in f["facts"], "the report does not show the chained cause"
    assert f["fixes"][0] == "logging-console"


def test_the_example_fixture_log():
    f = only(findings_of(ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"), "logging-handler")
    assert (f["facts"]["handler"], f["facts"]["path"]) == ("file", "/app/apps/backend/logs/api.log")


# --- forms older releases printed: real runs rewritten as they printed them (tests/support/make_pasted_fixtures.py) ---


def test_python34_cause_inside_the_message_and_cut_off_path():
    found = findings_of(FIXTURES / "python34-pasted-cut.log")
    f = only(found, "logging-handler")
    assert f["facts"]["error"] == "FileNotFoundError"
    assert f["facts"]["path"] == "/srv/app/log/logging.log"
    assert f["fixes"]
    assert only(found, "python-exception")["facts"]["exception"] == "ImportError"


def test_python27_journald_unknown_class_gets_no_fix():
    f = only(findings_of(FIXTURES / "python27-journald-unknown-class.log"), "logging-handler")
    assert f["facts"]["handler"] == "null"
    assert "Cannot resolve" in f["facts"]["cause"]
    assert f["fixes"] == []
    assert "project_frames" not in f["facts"], "interpreter frames are not the project's"


def test_python36_permission_denied_in_the_message():
    f = only(findings_of(FIXTURES / "python36-permission.log"), "logging-handler")
    assert (f["facts"]["handler"], f["facts"]["error"], f["facts"]["path"]) == ("error", "PermissionError", "/srv/app/logs/api.log")


@pytest.mark.parametrize(
    "text, handler, path",
    [
        pytest.param(
            "FileNotFoundError: [Errno 2] No such file or directory: 'C:\\\\inetpub\\\\logs\\\\api.log'\n\n"
            "The above exception was the direct cause of the following exception:\n\n"
            "Traceback (most recent call last):\n"
            '  File "C:\\app\\config\\wsgi.py", line 16, in <module>\n'
            "ValueError: Unable to configure handler 'file'\n",
            "file", "C:\\inetpub\\logs\\api.log", id="windows path",
        ),
        pytest.param(
            "ValueError: Unable to configure handler 'file': [Errno 2] No such file or directory: '/srv/app/lo\n"
            "gs/api.log'\n",
            "file", "/srv/app/logs/api.log", id="path wrapped across lines",
        ),
        pytest.param(
            "ValueError: Unable to configure handler u'file': [Errno 2] No such file or directory: '/var/log/x.log'\n",
            "file", "/var/log/x.log", id="python 2 unicode name",
        ),
    ],
)
def test_pasted_excerpts(tmp_path, text, handler, path):
    f = only(findings_of(write(tmp_path, "pasted.log", text)), "logging-handler")
    assert (f["facts"]["handler"], f["facts"].get("path")) == (handler, path)


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, code, message",
    [
        pytest.param(lambda d: d / "missing.log", 2, "no such file", id="missing"),
        pytest.param(lambda d: d, 2, "is a directory", id="directory"),
        pytest.param(lambda d: write(d, "empty.log", b""), 1, "empty", id="empty"),
        pytest.param(lambda d: write(d, "a.bin", bytes(range(256)) * 64), 2, "binary", id="binary"),
        pytest.param(lambda d: write(d, "run.zip", b"PK\x03\x04" + b"\x00" * 40), 2, "zip", id="truncated zip"),
        pytest.param(lambda d: write(d, "x.gz", gzip.compress(b"line\n" * 50000)[:200]), 2, "truncated", id="truncated gz"),
    ],
)
def test_bad_input_is_one_line_and_a_distinct_exit_code(tmp_path, make, code, message):
    result = fixbot("diagnose", str(make(tmp_path)))
    assert result.returncode == code
    err = result.stderr.decode()
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_bad_format_is_a_usage_error():
    assert fixbot("diagnose", "--format", "xml").returncode == 2


def test_github_format_writes_annotations_and_the_step_summary(runs, tmp_path):
    summary = tmp_path / "summary.md"
    env = {**realrun.clean_env(), "GITHUB_STEP_SUMMARY": str(summary)}
    result = fixbot("diagnose", str(write(tmp_path, "boot.log", runs["gunicorn-missing-dir"])), "--format", "github", env=env)
    assert result.returncode == 0
    assert result.stdout.decode().startswith("::error title=fixbot%3A logging-handler::")
    assert "%0Aroot cause: FileNotFoundError" in result.stdout.decode()
    assert "**logging-handler**" in summary.read_text()


def test_diagnose_imports_nothing_heavy(tmp_path):
    log = write(tmp_path, "x.log", "ValueError: Unable to configure handler 'file'\n")
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "fixbot.cli", "diagnose", str(log)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    names = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    imported = {name.split(".")[0] for name in names}
    assert "yaml" in imported, "the check must see the imports it is about"
    # requests comes with detect-secrets' plugins, which redact every line fixbot prints (issue 20); PyGithub does not
    assert not imported & {"libcst", "github", "git", "tree_sitter"}
    assert not any(name.startswith(("fixbot.codemods", "fixbot.github", "fixbot.gitops")) for name in names)


def test_worker_boot_failure_without_its_cause_is_reported_without_a_fix(runs, tmp_path):
    # The tail of a real boot, as a monitor that keeps the last lines would show it: the cause is cut off.
    lines = runs["gunicorn-missing-dir"].splitlines()
    last_exit = max(i for i, line in enumerate(lines) if "Worker exiting" in line)
    result = fixbot("diagnose", str(write(tmp_path, "tail.log", "\n".join(lines[last_exit + 1 :]))), "--format", "json")
    assert result.returncode == 1
    f = only(json.loads(result.stdout)["findings"], "gunicorn-worker-boot")
    assert f["facts"]["reason"] == "Worker failed to boot" and f["fixes"] == []


@pytest.mark.parametrize("name", ["gunicorn-missing-dir", "manage-check-missing-dir", "gunicorn-not-a-directory",
                                  "gunicorn-error-logfile", "gunicorn-unrelated-failure", "gunicorn-healthy",
                                  "python34-pasted-cut.log", "seed-report.md", "pasted-frames"])
def test_large_file_path_through_grep_finds_the_same(runs, tmp_path, monkeypatch, name):
    # A large plain file is read only where grep finds the markers: it must find exactly what streaming finds,
    # also with the failure buried under noise far from the start of the file, and also for a traceback pasted
    # without its `Traceback` header, whose frames come before the first line that says `Error`.
    noise = "".join(f'10.0.0.{i % 250} - - [28/Nov/2026] "GET /api/v1/items/ HTTP/1.1" 200 512\n' for i in range(20000))
    if name == "pasted-frames":
        data = PASTED_FRAMES.encode()
    elif "." in name:
        data = (FIXTURES / name).read_bytes()
    else:
        data = runs[name].encode()
    path = write(tmp_path, "big.log", noise.encode() + data + noise.encode())
    streamed = diagnose.diagnose_path(str(path))
    monkeypatch.setattr(diagnose.prefilter, "PREFILTER_MIN", 0)
    assert diagnose.prefilter.marked_regions(str(path), diagnose.catalogue().prefilter_markers) is not None
    assert diagnose.diagnose_path(str(path)) == streamed
    if name == "pasted-frames":  # the frames above the exception line were read, with their line numbers
        [f] = [f for f in streamed if f.kind == "logging-handler"]
        assert any("config/wsgi.py" in str(frame) for frame in f.facts.get("project_frames", [])), f.facts


# A traceback as pasted into an issue: no `Traceback (most recent call last):` header, frames first.
PASTED_FRAMES = """\
  File "/app/apps/backend/config/wsgi.py", line 16, in <module>
    application = get_wsgi_application()
  File "/usr/local/lib/python3.12/site-packages/django/core/wsgi.py", line 12, in get_wsgi_application
    django.setup(set_prefix=False)
  File "/usr/local/lib/python3.12/site-packages/django/__init__.py", line 19, in setup
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
  File "/usr/local/lib/python3.12/site-packages/django/utils/log.py", line 76, in configure_logging
    logging_config_func(logging_settings)
  File "/usr/local/lib/python3.12/logging/config.py", line 920, in dictConfig
    dictConfigClass(config).configure()
  File "/usr/local/lib/python3.12/logging/config.py", line 588, in configure
    raise ValueError('Unable to configure handler '
ValueError: Unable to configure handler 'file'
"""


def test_a_dry_run_on_a_plain_log_runs_the_secret_ruleset():
    """Every line fixbot prints goes through detect-secrets' patterns (issue 20: no gate lets a short secret
    through); they come from fixbot/ruleset.py, read from the cache or imported (tests/test_ruleset.py)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "fixbot.cli", "apply", "--log",
                             str(ROOT / "examples/ledgersg/logs/boot-failure.log"), "--repo",
                             str(ROOT / "examples/ledgersg"), "--dry-run"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "libcst" in imported, "the check must see the imports it is about"
    assert "fixbot.ruleset" in imported


# --- crash loops: the same failure written over and over --------------------------------------------------

EXAMPLE_LOG = ROOT / "examples" / "ledgersg" / "logs" / "boot-failure.log"


def another_crash(log: bytes, i: int) -> bytes:
    """The example's boot as a later round of the same crash loop prints it: other seconds, other pids."""
    log = re.sub(rb"(\d\d):(\d\d):(\d\d) ", lambda m: b"%s:%02d:%02d " % (m[1], i // 60 % 60, i % 60), log)
    return re.sub(rb"\b(19980|20021|20028)\b", lambda m: b"%d" % (int(m[1]) + 100 * i), log)


def json_findings(result: subprocess.CompletedProcess) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["findings"]


@pytest.mark.parametrize("shape", ["dense", "dense-stdin", "varied", "varied-stdin", "sparse"])
def test_a_crash_loop_gives_the_findings_of_one_crash_counted_as_often(tmp_path, shape):
    # A crash-looping container writes one boot's failure thousands of times; fixbot reads each repeated
    # traceback once and counts the rest. What it finds must be what one copy gives, the first copy's evidence
    # lines included, with every count times the number of copies: as a file past the size grep prefilters
    # (4 MiB), from a pipe, with timestamps and pids that change every round, and spread out in noise.
    one = EXAMPLE_LOG.read_bytes()
    expected = findings_of(write(tmp_path, "one.log", one))
    assert expected and sum(f["occurrences"] for f in expected) == 2, "the two workers' crashes are one finding"
    noise = b"".join(b'10.0.0.%d - - [01/Dec/2026:05:46:%02d +0000] "GET /health HTTP/1.1" 200 2\n' % (i % 250, i % 60)
                     for i in range(6000))
    if shape.startswith("dense"):
        copies = [one] * 600
    elif shape.startswith("varied"):
        copies = [another_crash(one, i) for i in range(600)]
    else:
        copies = [one + noise] * 30  # far apart: grep finds the few places worth reading
    log = write(tmp_path, "loop.log", b"".join(copies))
    assert log.stat().st_size > diagnose.prefilter.PREFILTER_MIN
    regions = diagnose.prefilter.marked_regions(str(log), diagnose.catalogue().prefilter_markers)
    assert (regions is not None) == (shape == "sparse"), "a crash loop is streamed, the noise read where grep points"
    if shape.endswith("stdin"):
        found = json_findings(fixbot("diagnose", "-", "--format", "json", stdin=log.read_bytes()))
    else:
        found = findings_of(log)
    assert found == [{**f, "occurrences": f["occurrences"] * len(copies)} for f in expected]


def test_a_crash_loop_read_whole_or_as_pieces_gives_what_reading_each_line_gives():
    # The same lines fed one at a time to the engine, as before blocks were replayed: no shortcut may change
    # a finding, a fact, an evidence line or a count. Cut into chunks at odd places, as a pipe would.
    one = EXAMPLE_LOG.read_bytes()
    data = b"".join(another_crash(one, i // 3) for i in range(40)) + PASTED_FRAMES.encode() + one * 5
    lines = data.rstrip(b"\n").split(b"\n")
    by_line = diagnose.Engine()
    for number, raw in enumerate(lines, 1):
        by_line.feed(None, number, diagnose.logs.normalise(raw))
    for size in (7, 100, 1000, len(lines)):
        engine = diagnose.Engine()
        repeats = diagnose.Repeats(engine)
        number = 1
        for start in range(0, len(lines), size):
            number += repeats.feed(None, number, b"\n".join(lines[start : start + size]))
        assert number == len(lines) + 1
        assert engine.findings() == by_line.findings()


def diagnose_a_slow_pipe(fmt: str, stderr_on_a_terminal: bool) -> tuple[subprocess.Popen, bytes, bytes]:
    """`fixbot diagnose -` on a crash loop's log that comes through a pipe in two parts, AFTER + 1 s apart
    (a producer that stalls, as `kubectl logs -f` does), stderr a pseudo-terminal or a pipe; its stdout and stderr."""
    master, slave = pty.openpty() if stderr_on_a_terminal else (None, subprocess.PIPE)
    child = subprocess.Popen([*FIXBOT_COMMAND, "diagnose", "-", "--format", fmt], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=slave, cwd=ROOT)
    if master is not None:
        os.close(slave)
    log = EXAMPLE_LOG.read_bytes() * 300  # past one chunk (1 MiB): some of it is read before the pipe stalls

    def produce() -> None:
        child.stdin.write(log[: len(log) // 2])
        child.stdin.flush()
        time.sleep(progress.AFTER + 1)
        child.stdin.write(log[len(log) // 2 :])
        child.stdin.close()

    def read_terminal(into: list) -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child has gone and the terminal with it
                return
            if not data:
                return
            into.append(data)

    err: list[bytes] = []
    threads = [threading.Thread(target=produce)] + ([threading.Thread(target=read_terminal, args=(err,))] if master else [])
    for thread in threads:
        thread.start()
    out = child.stdout.read()
    if master is None:
        err.append(child.stderr.read())
    child.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=60)
    if master is not None:
        os.close(master)
    return child, out, b"".join(err)


def on_screen(written: bytes) -> str:
    """The last line a terminal shows after `written`: a carriage return goes back to its start, then overwrites."""
    line: list[str] = []
    column = 0
    for char in written.decode().split("\n")[-1]:
        if char == "\r":
            column = 0
            continue
        line[column : column + 1] = [char]
        column += 1
    return "".join(line)


def test_a_long_read_shows_progress_on_a_terminal_only_and_clears_it():
    results = {}
    runs = {"text on a terminal": ("text", True), "json on a terminal": ("json", True), "text to a pipe": ("text", False)}
    threads = [threading.Thread(target=lambda name=name, args=args: results.__setitem__(name, diagnose_a_slow_pipe(*args)))
               for name, args in runs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    child, out, err = results["text on a terminal"]
    assert child.returncode == 0 and b"logging-handler" in out, (out, err)
    assert re.search(rb"fixbot: reading the log: [1-9][\d.]* [KM]iB \([\d.]+ [KM]iB/s\)", err), err
    assert on_screen(err).strip() == "", f"the progress line is left on the screen: {err[-200:]!r}"
    assert b"\n" not in err, "the progress line is one line, redrawn in place"
    for name in ("json on a terminal", "text to a pipe"):
        child, out, err = results[name]
        assert child.returncode == 0 and b"logging-handler" in out, (name, out, err)
        assert err == b"", (name, err)
    assert json.loads(results["json on a terminal"][1])["findings"][0]["occurrences"] == 600
