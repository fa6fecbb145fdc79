"""`fixbot watch`: poll a platform that reports nothing until its newest deploy runs or fails, then fix it.

A deploy that runs ends the watch with nothing done (the caller exits 0 and prints nothing), once it is the new
one: right after a push a platform can still report the previous deploy running, so a running state counts after
a building or starting one was seen, or when nothing else has shown within `settle` seconds. One that fails runs
apply's pipeline on the log the same source fetches. The stages on the way (building, starting) are not results;
neither is a paused or stopped app, nor no answer within the time given: those are errors.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from fixbot.model import Result
from fixbot.errors import SourceError
from fixbot.sources import Source


def run(source: Source, repo_dir: str | Path, *, timeout: float, interval: float,
        progress: Callable[[str], None], settle: float = 0.0, **apply_options) -> Result | None:
    """None when the deploy runs; apply's Result for its failure. One `progress` line a poll."""
    from fixbot import apply

    start = time.monotonic()
    polls = 0
    seen_pending = False
    answered = None  # when the platform first answered: the settle time counts from there, not from start-up
    while True:
        polls += 1
        state = source.poll()
        waited = time.monotonic() - start
        answered = answered if answered is not None else time.monotonic()
        settled = time.monotonic() - answered
        progress(f"watch {source}: {state.detail} ({state.phase}; poll {polls}, {waited:.0f} s)")
        if state.phase == "running" and (seen_pending or settled >= settle):
            return None
        if state.phase == "running":  # maybe still the previous deploy: wait for a new one to show
            time.sleep(min(interval, settle - settled))
            continue
        if state.phase == "failed":
            return apply.run(None, repo_dir, source=source, **apply_options)
        seen_pending = seen_pending or state.phase == "pending"
        if state.phase != "pending":
            raise SourceError(f"{source}: the deploy is {state.detail}: neither running nor failed, nothing to watch")
        if waited + interval > timeout:
            raise SourceError(f"{source}: still {state.detail} after {waited:.0f} s (--timeout {timeout:g} s);"
                              " nothing has failed yet")
        time.sleep(interval)
