"""What media do to a log as people hand it over (a collector's one line, a Markdown quote, a code block, a
timestamp per line…), and the engine `fixbot diagnose` runs, read in-process."""

from __future__ import annotations

import re

from fixbot import diagnose, logs


def findings(text: str) -> list:
    """What `fixbot diagnose` finds in `text`, read line by line as from a file."""
    engine = diagnose.Engine()
    for number, raw in enumerate(text.encode().split(b"\n"), 1):
        engine.feed(None, number, logs.normalise(raw))
    return engine.findings()


def fixable(found: list) -> list:
    return [f for f in found if f.fixes]


def one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def markdown_rendered(text: str) -> str:
    # A traceback copied from a rendered issue: Markdown took the dunders' underscores for emphasis.
    return re.sub(r"__(\w+?)__", r"_\1_", text)


MEDIA = {
    "as printed": lambda t: t,
    "one line": one_line,
    "quoted": lambda t: "".join(f"> {line}\n" for line in t.splitlines()),
    "indented": lambda t: "".join(f"    {line}\n" for line in t.splitlines()),
    "fenced": lambda t: f"```python\n{t}```\n",
    "quoted and fenced": lambda t: "".join(f"> {line}\n" for line in f"```\n{t}```".splitlines()),
    "in backticks": lambda t: f"`{t.strip()}`\n",
    "tildes, indentation lost": lambda t: "~~~\n" + "".join(f"{line.strip()}\n" for line in t.splitlines()) + "~~~\n",
    "compose": lambda t: "".join(f"worker_1    | {line}\n" for line in t.splitlines()),
    "timestamped": lambda t: "".join(f"2026-12-01 10:00:00,{i:03d}: {line}\n" for i, line in enumerate(t.splitlines())),
    "markdown rendered": markdown_rendered,
}


def cuts(text: str):
    """Every excerpt of `text` a terminal that scrolled (the head lost) or a paste that stopped early (the tail
    lost) leaves: (first line, end line, the excerpt)."""
    lines = text.splitlines()
    for cut in range(len(lines) + 1):
        for start, end in ((cut, len(lines)), (0, cut)):
            yield start, end, "\n".join(lines[start:end]) + "\n"


def cut_mistakes(text: str, groups: list[re.Pattern[str]], right) -> list[tuple[int, int]]:
    """The cuts of `text` read wrong: one that keeps a line of every group in `groups` must give findings that
    `right(fixable findings)` accepts; one that lost every line of some group must give no fixable finding."""
    lines = text.splitlines()
    marks = [{i for i, line in enumerate(lines) if group.search(line)} for group in groups]
    assert all(marks), "every group must name a line of the run"
    wrong = []
    for start, end, excerpt in cuts(text):
        kept = [any(start <= i < end for i in mark) for mark in marks]
        found = fixable(findings(excerpt))
        if (all(kept) and not right(found)) or (not all(kept) and found):
            wrong.append((start, end))
    return wrong
