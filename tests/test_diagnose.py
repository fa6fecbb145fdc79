"""`fixbot diagnose` on logs of real Django and Gunicorn runs, as CI systems wrap them, and on bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixbot import diagnose
from tests import realrun

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "logs"
SEED = FIXTURES / "seed-report.md"  # the incident report, kept byte for byte (shared/seed-report.md)
FIXBOT = [sys.executable, "-m", "fixbot.cli"]


def fixbot(*args: str, stdin: bytes | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*FIXBOT, *args], input=stdin, capture_output=True, env=env, cwd=ROOT, timeout=60)


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


# --- forms older releases printed: real runs rewritten as they printed them (tests/make_pasted_fixtures.py) ---


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
    monkeypatch.setattr(diagnose.logs, "PREFILTER_MIN", 0)
    assert diagnose.logs.marked_regions(str(path), diagnose.catalogue().prefilter_markers) is not None
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
    """Every line fixbot prints goes through detect-secrets (issue 20: no gate lets a short secret through), at the
    price of its import (~0.1 s, with requests)."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "fixbot.cli", "apply", "--log",
                             str(ROOT / "examples/ledgersg/logs/boot-failure.log"), "--repo",
                             str(ROOT / "examples/ledgersg"), "--dry-run"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert "libcst" in imported, "the check must see the imports it is about"
    assert "detect_secrets" in imported
