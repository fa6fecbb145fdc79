"""GitHub's workflow commands for fixbot's findings: `::error`/`::warning`, with `file=` and `line=` where the fix located the file, escaped so nothing in them ends one early.

Everything in them is redacted (fixbot.redact) and escaped as the runner reads commands: `%`, CR and LF in the
message, and also `:` and `,` in a property, so that a log's text can neither end the command nor start another.
"""

from __future__ import annotations

import re

from fixbot.model import Finding
from fixbot.redact import redact
from fixbot.report import _shown, redacted


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, message: str, title: str = "fixbot", where: tuple[str, int | None] | None = None
                     ) -> str:
    """One GitHub workflow command (`::error`, `::warning`, `::notice`): redacted, and escaped so that nothing in
    `message` can end it early or start another command. `where` is (a repository path, its line) for `file=` and
    `line=`, which put the annotation on that line of the pull request's or commit's diff."""
    place = ""
    if where is not None:
        place = f"file={_escape_property(redact(where[0]))}," + (f"line={where[1]}," if where[1] else "")
    return f"::{level} {place}title={_escape_property(title)}::{_escape_data(redact(message, breaks_escaped=True))}"


def diagnosis_annotations(findings: list[Finding], places: list[tuple[str, int | None] | None] | None = None) -> str:
    """GitHub workflow commands: one `::error` (fixable) or `::warning` per finding; `places` (one per finding, as
    `annotation_places` gives them) adds the repository file and line to those fixbot located."""
    lines = []
    places = list(places or [])
    findings, more = _shown(findings)
    for i, f in enumerate(redacted(findings)):
        level = "error" if f.fixable else "warning"
        body = f.summary
        if "cause" in f.facts:
            body += f"\nroot cause: {f.facts['cause']}"
        if f.fixes:
            body += f"\nfix: {' or '.join(f.fixes)}"
        lines.append(workflow_command(level, body, "fixbot: " + f.kind, places[i] if i < len(places) else None))
    if more:
        lines.append(workflow_command("notice", more))
    return "\n".join(lines) + ("\n" if lines else "")


def annotation_places(result) -> list[tuple[str, int | None] | None]:
    """For each of `result.findings`, the repository file its fix changes and the first line changed there (in the
    file as committed, where the failure is), or None when the fix located no file."""
    first_lines = {c.path: _first_changed_line(c.diff) for c in result.changes if c.diff}
    out: list[tuple[str, int | None] | None] = []
    for f in result.findings:
        path = next((s.path for s in result.steps if s.finding is f and s.path in first_lines), None)
        out.append(None if path is None else (path, first_lines[path]))
    return out


_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


def _first_changed_line(diff: str) -> int | None:
    """The line of the old file at which a unified diff's first change is."""
    line = None
    for text in diff.splitlines():
        hunk = _HUNK.match(text)
        if hunk:
            line = int(hunk[1])
        elif line is not None and text[:1] in ("-", "+"):
            return max(line, 1)
        elif line is not None and text[:1] == " ":
            line += 1
    return None
