"""Deeply nested Python never reaches libcst's native parser, which segfaults (exit 139, past any `except`) at
~1,500 levels and raises RecursionError from a few hundred: CPython's own parser rejects such code first, and
fixbot says so in one line (`fixbot codemod` exits 2; `fixbot apply --dry-run` refuses or carries on)."""

from __future__ import annotations


import pytest

from fixbot import codemods
from fixbot.formats.deploy import gunicorn
from tests.support.cli import assert_one_line, fixbot
from tests.support import ROOT

LEDGERSG = ROOT / "examples" / "ledgersg"
LOG = LEDGERSG / "logs" / "boot-failure.log"
SERVICE = "apps/backend/config/settings/service.py"
FILE_LOGGING = (
    "LOGGING = {'version': 1, 'handlers': {'file': {'class': 'logging.FileHandler', 'filename': '/x/api.log'}},"
    " 'root': {'handlers': ['file']}}\n"
)

NESTS = {
    "parens-2000": "(" * 2000 + "1" + ")" * 2000,
    "lists-300": "[" * 300 + "1" + "]" * 300,
    "sum-5000": "+".join(["1"] * 5000),
    "calls-3000": "f" + "()" * 3000,
}


@pytest.mark.parametrize("nest", NESTS.values(), ids=NESTS.keys())
@pytest.mark.parametrize(
    ("codemod", "name", "text"),
    [
        ("logging-console", "settings.py", "X = {nest}\n" + FILE_LOGGING),
        ("logging-path", "settings.py", FILE_LOGGING + "X = {nest}\n"),
        ("gunicorn-stdout", "gunicorn.conf.py", "errorlog = '/var/log/x/error.log'\nX = {nest}\n"),
    ],
    ids=["logging-console", "logging-path", "gunicorn-stdout"],
)
def test_codemod_refuses_in_one_line_and_leaves_the_file(tmp_path, codemod, name, text, nest):
    target = tmp_path / name
    target.write_text(text.replace("{nest}", nest))
    data = target.read_bytes()
    line = assert_one_line(fixbot("codemod", codemod, str(target)), 2)
    assert "refused" in line and "does not parse" in line, line
    assert target.read_bytes() == data


@pytest.mark.parametrize("nest", NESTS.values(), ids=NESTS.keys())
def test_rewrite_and_scan_raise_refusal(nest):
    with pytest.raises(codemods.Refusal, match="^does not parse"):
        codemods.get("logging-console").rewrite(f"X = {nest}\n{FILE_LOGGING}", "settings.py")
    with pytest.raises(codemods.Refusal, match="^does not parse"):
        gunicorn.find_invocations(f"errorlog = '/x/e.log'\nX = {nest}\n", "gunicorn.conf.py")
    from fixbot.formats.logconfig.check import check_source

    [problem] = check_source(f"X = {nest}\n{FILE_LOGGING}")
    assert problem.startswith("does not parse")


def test_nesting_cpython_accepts_is_still_fixed():
    nest = "[" * 150 + "1" + "]" * 150
    after = codemods.get("logging-console").rewrite(f"X = {nest}\n{FILE_LOGGING}", "settings.py")
    assert "FileHandler" not in after and nest in after


@pytest.mark.parametrize("nest", NESTS.values(), ids=NESTS.keys())
def test_apply_dry_run_with_a_deep_gunicorn_config_carries_on(ledgersg, nest):
    (ledgersg / "gunicorn.conf.py").write_text(f"errorlog = '/var/log/x/error.log'\nX = {nest}\n")
    result = fixbot("apply", "--log", str(LOG), "--repo", str(ledgersg), "--dry-run")
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and f"+++ b/{SERVICE}" in result.stdout


@pytest.mark.parametrize("nest", NESTS.values(), ids=NESTS.keys())
def test_apply_dry_run_with_a_deep_settings_file_refuses_in_one_line(ledgersg, nest):
    settings = ledgersg / SERVICE
    settings.write_text(f"X = {nest}\n" + settings.read_text())
    line = assert_one_line(fixbot("apply", "--log", str(LOG), "--repo", str(ledgersg), "--dry-run"), 2)
    assert SERVICE in line and "does not parse" in line, line


NEWER = "type Pair = tuple[int, int]\n"  # Python 3.12 syntax: this interpreter's grammar rejects the file


@pytest.mark.parametrize("nest", NESTS.values(), ids=NESTS.keys())
def test_newer_python_nested_too_deeply_is_refused_without_a_crash(tmp_path, nest):
    target = tmp_path / "settings.py"
    target.write_text(f"{NEWER}X = {nest}\n{FILE_LOGGING}")
    assert "does not parse" in assert_one_line(fixbot("codemod", "logging-console", str(target)), 2)


def test_newer_python_is_rewritten():
    source = f"{NEWER}{FILE_LOGGING}def first[T](xs: list[T]) -> T:\n    return xs[0]\nNAME = f\"{{\"a\"}}\"\n"
    with pytest.raises(SyntaxError):
        compile(source, "settings.py", "exec")
    after = codemods.get("logging-console").rewrite(source, "settings.py")
    assert after == source.replace("'logging.FileHandler', 'filename': '/x/api.log'", "'logging.StreamHandler'")
