"""The errors fixbot reports to users: one line each, and the exit code that goes with them."""

from __future__ import annotations

from collections.abc import Iterable


class FixbotError(Exception):
    """A failure the user can act on; `str(err)` is the one-line message, `exit_code` the process status."""

    exit_code = 2


class BadInput(FixbotError):
    """The log, the repository, a file or the command line cannot be used as given."""


class SourceError(FixbotError):
    """A platform or URL cannot give the log: a wrong token, a missing app, a web page, no answer in time."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """"; did you mean X?" for the one choice closest to a mistyped `name`, or "" when none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {close[0]}?" if close else ""
