"""fixbot's path through the codemods never imports libcst.codemod or libcst.matchers (~200 ms of every run)."""

from __future__ import annotations

import subprocess
import sys
from tests.support import ROOT

REPO = ROOT
HEAVY = ("libcst.codemod", "libcst.matchers")

# What fixbot codemod/apply, fixbot.plan and fixbot.verify do with the codemods.
FIXBOTS_PATH = """
from fixbot import codemods
from fixbot.codemods.logging_console import LoggingConsole
from fixbot.formats.deploy import gunicorn
from fixbot.formats.logconfig import check

settings = open("examples/ledgersg/apps/backend/config/settings/service.py").read()
assert LoggingConsole.rewrite(settings, "service.py") != settings
check.check_source(settings)
assert gunicorn.find_invocations(open("examples/ledgersg/entrypoint.sh").read(), "entrypoint.sh")
gunicorn.find_invocations("accesslog = '/var/log/a.log'\\n", "gunicorn.conf.py")
for codemod in codemods.all_codemods().values():
    for example in codemod.EXAMPLES:
        try:
            codemod.rewrite(example.before, example.filename, **example.options)
        except codemods.Refusal:
            pass
"""


def imported(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `code` in the repository (importlib's too,
    which `-X importtime` does not show)."""
    code += "\nimport sys\nprint(*sys.modules, sep='\\n')\n"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_fixbots_path_does_not_import_libcst_codemod():
    modules = imported(FIXBOTS_PATH)
    assert {"libcst", "fixbot.codemods.logging_console", "fixbot.codemods.gunicorn_stdout", "fixbot.formats.deploy.gunicorn"} <= modules, "the check sees the imports"
    assert not heavy(modules)


def test_the_libcst_tool_commands_still_import_it():
    modules = imported("from codemods.logging_console import LoggingConsoleCommand")
    assert set(HEAVY) <= heavy(modules)
