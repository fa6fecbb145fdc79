"""Whether fixbot's text for people is coloured, and the few styles it uses: `--color`, then NO_COLOR, then FORCE_COLOR, then a terminal.

The order is CPython 3.13's own (an explicit choice, then NO_COLOR over FORCE_COLOR, each counted when set and not
empty, as no-color.org and force-color.org say), then whether the stream is a terminal that is not `TERM=dumb`.
Only text meant for people is ever styled: JSON, SARIF and GitHub's workflow commands never are.
"""

from __future__ import annotations

import os
from typing import IO, Mapping

import click

CHOICES = ("auto", "always", "never")


def wanted(stream: IO | None, choice: str = "auto", environ: Mapping[str, str] | None = None) -> bool:
    """Whether text written to `stream` is coloured under `--color choice` and the environment."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty()) and env.get("TERM") != "dumb"
    except ValueError:  # a closed stream
        return False


class Paint:
    """`paint(text, fg=..., bold=...)`: click.style when colour is on, the text as it is when off."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, **style) -> str:
        return click.style(text, **style) if self.on and text else text

    def diff(self, diff: str) -> str:
        """A unified diff with its added, removed and hunk lines coloured, as git does."""
        if not self.on:
            return diff
        colours = {"+": "green", "-": "red", "@": "cyan"}
        out = []
        for line in diff.splitlines(keepends=True):
            colour = None if line.startswith(("+++", "---")) else colours.get(line[:1])
            body = line.rstrip("\r\n")
            out.append(self(body, fg=colour) + line[len(body):] if colour else line)
        return "".join(out)
