"""The generated reference pages (docs/build.py): one per kind and per codemod that fixbot knows, none stale."""

from __future__ import annotations

import subprocess
import sys

from fixbot import codemods
from tests.support import ROOT
from tests.support.cli import fixbot


def test_no_generated_page_is_stale():
    check = subprocess.run([sys.executable, "docs/build.py", "--check"], cwd=ROOT, capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stderr


def test_every_kind_and_codemod_fixbot_lists_has_its_page():
    listed = fixbot("codemods")
    assert listed.returncode == 0
    for name in codemods.all_codemods():
        assert name in listed.stdout
        page = (ROOT / "docs" / "codemods" / f"{name}.md").read_text()
        assert page.startswith("<!-- Generated") and f"# `{name}`" in page
        for kind in codemods.get(name).HANDLES:
            from fixbot import fixes

            assert (ROOT / "docs" / "kinds" / f"{fixes.canonical(kind)}.md").is_file()
