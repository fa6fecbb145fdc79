"""The layout promises of issue 10 that no other test pins: every module says its job in its first sentence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p for package in ("fixbot", "codemods") for p in (ROOT / package).rglob("*.py"))
# A sentence ends at . ! or ? followed by a space or the end; `code` and "quotes" do not count.
_END = re.compile(r"[.!?](?:\s|$)")
_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"|\([^()]*\)")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_opens_with_one_sentence_on_its_job(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, "no docstring"
    opening = " ".join(docstring.split("\n\n")[0].split())
    assert len(_END.findall(_QUOTED.sub("", opening))) == 1 and _END.search(opening[-1:]), opening


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    # A module that outgrows this has two jobs; split it where they part (README, "How it is built").
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
