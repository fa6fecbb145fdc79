"""Undo what pasting did to a log line: Markdown quotes, fences and backticks, and tracebacks collapsed onto one line.

People hand fixbot what they have: a traceback quoted in an issue (`> ` before every line), fenced or wrapped in
backticks, or flattened to one line by a log collector or a cron job's mail. `unpaste` gives back the lines the
program printed, so the traceback reader sees them as it would have. Lines with none of these marks (nearly all
of a real log) cost a few character tests.
"""

from __future__ import annotations

import re

_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[\w+.-]*[ \t]*$")
_HEADER = "Traceback (most recent call last):"
# Where a collapsed traceback had its line breaks: before its header, each frame and each chaining sentence.
# `(?<![ \t])`: a run of blanks is tried from its start only, not again from each of its blanks (quadratic).
_BREAK = re.compile(
    r"(?<![ \t])[ \t]*(?=Traceback \(most recent call last\):"
    r"|(?<!\S)File \"[^\"]+\", line \d+"
    r"|(?:The above exception was the direct cause of the following exception"
    r"|During handling of the above exception, another exception occurred):"
    r"|\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d|(?<!\[)\d{4}-\d\d-\d\d[ T]\d\d:\d\d)"  # the next record of a log collapsed with it (Gunicorn's, logging's)
)
_FRAME_AT = re.compile(r'File "[^"]+", line \d+(?:, in \S+)?')
_FRAME = re.compile(r'(File "[^"]+", line \d+(?:, in \S+)?)\s*(.*)$')
_CHAIN = re.compile(r"((?:The above exception was the direct cause of the following exception"
                    r"|During handling of the above exception, another exception occurred):)\s*(.*)$")
# An exception line inside other text: its class name, then ": " (or the end of the text).
_EXCEPTION = re.compile(
    r"(?<![\w.'\"(])(?:(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Exit|Interrupt|Warning|Failure|Failed)"
    r"|(?:[A-Za-z_]\w*\.)+error)(?=: ?\S|$)"  # or a C module's lower-case `error` (`_dbm.error`)
)
# A failure fixbot diagnoses, printed after other text on its line (a timestamp, a sentence, a logger's prefix).
_INLINE = re.compile(
    r"(?<![\w.])(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception): ?(?:Unable to configure |\[Errno \d+\] )"
)


def unquote(text: str) -> str:
    """One line of a pasted log without its Markdown: `> ` quotes, a fence (which becomes a blank line), backticks."""
    head = text.lstrip()[:1]
    if head == ">":
        text = _QUOTE.sub("", text, count=1)
        head = text.lstrip()[:1]
    if head in ("`", "~") and _FENCE.match(text):
        return ""
    return _unbacktick(text) if "`" in text else text


def split(text: str) -> list[str]:
    """The lines a program printed that a collector or a paste put on this one (usually just [text])."""
    if ('File "' in text or _HEADER in text) and _collapsed(text.strip()):
        return _uncollapse(text)
    if "Unable to configure " in text or "[Errno " in text:
        return _inline(text)
    return [text]


def _collapsed(text: str) -> bool:
    if _HEADER in text:
        return text != _HEADER
    frame = _FRAME_AT.search(text)
    return frame is not None and (frame.start() > 0 or frame.end() < len(text))


def _unbacktick(text: str) -> str:
    """Backticks around a pasted line or block (`ValueError: ...`), not those inside it."""
    stripped = text.strip()
    if stripped.startswith("`"):
        text = text.replace("`", "", len(stripped) - len(stripped.lstrip("`")))
    if text.endswith("`"):
        text = text.rstrip("`")
    return text


def _inline(text: str) -> list[str]:
    match = _INLINE.search(text)
    if match is None or not text[: match.start()].strip():
        return [text]
    before, rest = text[: match.start()].rstrip(), text[match.start() :]
    if before.count("`") % 2:  # `ValueError: ...` inside a sentence: the line ends at the closing backtick
        rest = rest.split("`", 1)[0]
    return [before, rest]


def _uncollapse(text: str) -> list[str]:
    """A traceback flattened onto one line, broken where its lines ended, indented as Python indents them."""
    lines: list[str] = []
    for piece in _BREAK.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if piece.startswith(_HEADER):
            lines.append(_HEADER)
            rest = piece[len(_HEADER) :].strip()
        elif piece.startswith("File "):
            frame = _FRAME.match(piece)
            if frame is None:
                lines.append(piece)
                continue
            lines.append("  " + frame[1])
            rest = frame[2]
        else:
            chain = _CHAIN.match(piece)
            if chain is None:
                lines.extend(_inline(piece))
                continue
            lines.extend(("", chain[1], ""))
            rest = chain[2]
        if not rest:
            continue
        exception = _EXCEPTION.search(rest)
        if exception is None:
            lines.append("    " + rest)
            continue
        if exception.start():
            lines.append("    " + rest[: exception.start()].rstrip())
        lines.extend(_echoed(rest[exception.start() :], exception.end() - exception.start()))
    return lines


def _echoed(line: str, name_end: int) -> list[str]:
    """An exception line and, collapsed onto it, the program's echo of its message (Gunicorn prints it again)."""
    message = line[name_end:].lstrip(": ")
    half = len(message) // 2
    if message and message[half] == " " and message[:half] == message[half + 1 :]:
        return [line[: len(line) - half - 1], message[:half]]
    return [line]
