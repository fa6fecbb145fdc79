"""fixbot codemod logging-console names a formatter its rewrite leaves unused: the file handler that gave lines their timestamp and level goes from the lists, and the reviewer has to hear that those lines are now printed with another handler's format."""

from __future__ import annotations

import pytest

from tests.support.cli import fixbot

# The console's format says more, so the converted file handler leaves the root's list and its formatter
# 'stamped_file' is on no listed handler.
CONFIG = """\
version: 1
formatters:
  full: {format: '%(asctime)s %(levelname)s %(name)s %(process)d %(message)s'}
  stamped_file: {format: '%(asctime)s %(levelname)s %(message)s'}
handlers:
  console: {class: logging.StreamHandler, formatter: full, level: DEBUG}
  file: {class: logging.FileHandler, filename: app.log, formatter: stamped_file, level: DEBUG}
root: {level: DEBUG, handlers: [console, file]}
"""


@pytest.mark.xfail(strict=True, reason="issue 19: fixbot codemod prints only 'changed:'; the unused formatter is not named")
def test_the_codemod_names_the_formatter_it_leaves_unused(tmp_path):
    (tmp_path / "logging.yaml").write_text(CONFIG)
    result = fixbot("codemod", "logging-console", "--color", "never", "logging.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "handlers: [console]" in (tmp_path / "logging.yaml").read_text()  # and dropped from the root's list
    assert "stamped_file" in result.stdout + result.stderr
