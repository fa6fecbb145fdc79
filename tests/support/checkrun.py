"""`fixbot check` for the tests: a git repository made from a dict of files, and the command run on it as JSON."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from fixbot.cli import main
from tests.support.repos import git


def repo(where: Path, files: dict[str, str]) -> Path:
    """A git repository at `where`/repo holding `files` (dedented), all added to the index."""
    root = where / "repo"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def run(root: Path, *args: str, fmt: str = "json"):
    """The click result of `fixbot check ROOT --format FMT ARGS`; it never raised."""
    result = CliRunner().invoke(main, ["check", str(root), "--format", fmt, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def report(root: Path, *args: str) -> tuple[int, dict]:
    """(exit code, the whole JSON document) of `fixbot check --format json`."""
    result = run(root, *args)
    return result.exit_code, json.loads(result.stdout)


def found(root: Path, *args: str) -> list[tuple[str, int, str]]:
    """(path, line, log_path) of each finding."""
    return [(f["path"], f["line"], f["log_path"]) for f in report(root, *args)[1]["findings"]]
