"""When text is coloured: --color, then NO_COLOR, then FORCE_COLOR, then a terminal that is not TERM=dumb."""

from __future__ import annotations

import io
import os

import pytest

from fixbot.colour import Paint, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream, choice, env, expected", [
    pytest.param(Terminal(), "auto", {}, True, id="a terminal"),
    pytest.param(io.StringIO(), "auto", {}, False, id="a pipe"),
    pytest.param(Terminal(), "auto", {"TERM": "dumb"}, False, id="a dumb terminal"),
    pytest.param(Terminal(), "auto", {"NO_COLOR": "1"}, False, id="NO_COLOR on a terminal"),
    pytest.param(Terminal(), "auto", {"NO_COLOR": ""}, True, id="an empty NO_COLOR counts for nothing"),
    pytest.param(io.StringIO(), "auto", {"FORCE_COLOR": "1"}, True, id="FORCE_COLOR on a pipe"),
    pytest.param(io.StringIO(), "auto", {"FORCE_COLOR": "0"}, True, id="FORCE_COLOR=0 is set, so it forces too"),
    pytest.param(io.StringIO(), "auto", {"FORCE_COLOR": ""}, False, id="an empty FORCE_COLOR counts for nothing"),
    pytest.param(Terminal(), "auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, id="NO_COLOR over FORCE_COLOR"),
    pytest.param(io.StringIO(), "always", {"NO_COLOR": "1"}, True, id="always over NO_COLOR"),
    pytest.param(Terminal(), "never", {"FORCE_COLOR": "1"}, False, id="never over FORCE_COLOR and a terminal"),
])
def test_the_colour_rules(stream, choice, env, expected):
    assert wanted(stream, choice, env) is expected


def test_a_closed_stream_gets_no_colour():
    stream = open(os.devnull)
    stream.close()
    assert wanted(stream, "auto", {}) is False


def test_paint_off_changes_nothing_and_on_colours_a_diff_as_git_does():
    diff = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old\r\n+new\n context\n"
    assert Paint(False).diff(diff) == diff and Paint(False)("x", fg="red") == "x"
    painted = Paint(True).diff(diff).splitlines(keepends=True)
    assert painted[:2] == ["--- a/x.py\n", "+++ b/x.py\n"]
    assert painted[2].startswith("\x1b[36m@@") and painted[3] == "\x1b[31m-old\x1b[0m\r\n"
    assert painted[4] == "\x1b[32m+new\x1b[0m\n" and painted[5] == " context\n"
