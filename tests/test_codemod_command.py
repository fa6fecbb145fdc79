"""`fixbot codemod` and `fixbot codemods`: in-place rewrites, --diff, --check, refusals that touch nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "import os\r\n"
    "LOGGING = {\r\n"
    "    'version': 1,\r\n"
    "    'handlers': {'file': {'class': 'logging.FileHandler', 'filename': '/var/log/app/api.log'}},\r\n"
    "    'root': {'handlers': ['file'], 'level': 'INFO'},\r\n"
    "}\r\n"
)
SCRIPT = "#!/bin/sh\nexec gunicorn app.wsgi --error-logfile /var/log/app/error.log --workers 2\n"


def fixbot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fixbot.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_codemods_lists_every_codemod():
    result = fixbot("codemods")
    assert result.returncode == 0
    for name in ("logging-console", "logging-path", "gunicorn-stdout"):
        assert name in result.stdout


def test_rewrites_in_place_keeping_line_endings_and_mode(tmp_path):
    settings, script = tmp_path / "settings.py", tmp_path / "start.sh"
    settings.write_bytes(SETTINGS.encode())
    script.write_text(SCRIPT)
    script.chmod(0o755)
    assert fixbot("codemod", "logging-console", str(settings)).returncode == 0
    assert fixbot("codemod", "gunicorn-stdout", str(script)).returncode == 0
    text = settings.read_bytes().decode()
    assert "FileHandler" not in text and "StreamHandler" in text
    assert text.count("\r\n") == text.count("\n"), "CRLF kept on every line"
    assert "--error-logfile - --workers 2" in script.read_text()
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".fixbot-")], "no temporary file left behind"


def test_diff_and_check_write_nothing(tmp_path):
    script = tmp_path / "start.sh"
    script.write_text(SCRIPT)
    diff = fixbot("codemod", "gunicorn-stdout", str(script), "--diff")
    assert diff.returncode == 0
    assert "-exec gunicorn app.wsgi --error-logfile /var/log/app/error.log" in diff.stdout
    assert "+exec gunicorn app.wsgi --error-logfile - --workers 2" in diff.stdout
    check = fixbot("codemod", "gunicorn-stdout", str(script), "--check")
    assert check.returncode == 1 and str(script) in check.stdout
    assert script.read_text() == SCRIPT
    fixbot("codemod", "gunicorn-stdout", str(script))
    assert fixbot("codemod", "gunicorn-stdout", str(script), "--check").returncode == 0


def test_refusal_exits_2_with_the_reason_and_leaves_the_file(tmp_path):
    settings = tmp_path / "settings.py"
    original = "from common import build_logging\nLOGGING = build_logging('/var/log/app')\n"
    settings.write_text(original)
    result = fixbot("codemod", "logging-console", str(settings))
    assert result.returncode == 2
    assert "refused" in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert settings.read_text() == original


def test_unknown_codemod_and_missing_file_are_usage_errors(tmp_path):
    unknown = fixbot("codemod", "no-such-codemod", str(tmp_path / "x.py"))
    assert unknown.returncode == 2 and "unknown codemod" in unknown.stderr
    missing = fixbot("codemod", "logging-console", str(tmp_path / "missing.py"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_diff_applies_with_git_even_with_form_feeds_and_crlf(tmp_path):
    # str.splitlines would split on the form feed and break the diff; git splits on \n only.
    script = tmp_path / "start.sh"
    original = "#!/bin/sh\r\n# page\x0cbreak\r\nexec gunicorn app.wsgi --error-logfile /var/log/app/error.log\r\necho done"
    script.write_bytes(original.encode())
    diff = subprocess.run([sys.executable, "-m", "fixbot.cli", "codemod", "gunicorn-stdout", str(script), "--diff"],
                          capture_output=True, cwd=ROOT)  # bytes: the CRs are part of the diff
    assert diff.returncode == 0, diff.stderr
    patch = tmp_path / "fix.patch"
    patch.write_bytes(diff.stdout.replace(f"a/{script}".encode(), b"a/start.sh").replace(f"b/{script}".encode(), b"b/start.sh"))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    applied = subprocess.run(["git", "apply", "--check", "-p1", str(patch)], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr


def test_a_source_libcst_cannot_print_back_or_that_has_a_nul_is_refused_in_one_line(tmp_path):
    """A CR-only file came out without its last CR (a change where there was none); a NUL said `line None`."""
    settings = (ROOT / "examples/ledgersg/apps/backend/config/settings/service.py").read_text()
    cases = {"mac.py": settings.replace("\n", "\r").encode(), "nul.py": settings.encode().replace(b"import", b"imp\0ort", 1)}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        done = fixbot("codemod", "logging-console", str(path))
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "None" not in done.stderr, done.stderr
        assert path.read_bytes() == data
