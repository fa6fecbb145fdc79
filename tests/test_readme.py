"""README and docs/ stay true: the runnable examples give the lines they show, and every relative link leads to a file."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.support import ROOT
from tests.support.cli import fixbot

_RUNNABLE = re.compile(r"<!-- runnable\b[^>]*-->\n```console\n(.*?)\n```", re.S)
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _examples() -> list[tuple[str, list[str]]]:
    """(command, the lines shown after it) for every `$` line of the runnable blocks of README and docs/commands.md."""
    out: list[tuple[str, list[str]]] = []
    for block in (b for page in ("README.md", "docs/commands.md") for b in _RUNNABLE.findall((ROOT / page).read_text())):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            else:
                out[-1][1].append(line)
    return out


def test_readme_has_runnable_examples():
    assert len(_examples()) >= 2


@pytest.mark.parametrize("command, shown", _examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_readme_example_prints_what_readme_shows(command, shown):
    program, *args = shlex.split(command)
    assert program == "fixbot"  # only fixbot's own commands, never a shell
    result = fixbot(*args)
    assert result.returncode in (0, 1), result.stderr
    printed = iter((result.stdout + result.stderr).splitlines())
    for line in shown:  # in this order, with any lines between (README abbreviates); `…` ends a line early
        assert any(p == line or (line.endswith("…") and p.startswith(line[:-1])) for p in printed), f"README shows {line!r}; `{command}` printed:\n{result.stdout}"


@pytest.mark.parametrize("page", ["README.md", *sorted(p.relative_to(ROOT).as_posix()
                                                      for p in (ROOT / "docs").rglob("*.md"))])
def test_every_relative_link_leads_to_a_file(page):
    path = ROOT / page
    for target in _LINK.findall(path.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (path.parent / target).exists(), f"{page} links to {target}, which does not exist"
