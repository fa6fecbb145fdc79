"""Run one codemod over many files, in worker processes like `python -m libcst.tool codemod -j`, results in input order.

Workers only read and compute (parse, rewrite, encode, diff); the parent writes, atomically and in the order the
files were given, so a Ctrl-C or a dead worker can cost no more than an unfinished run: every file is either as it
was or completely rewritten, and no temporary file is left. What the caller sees is what the serial run gives.
"""

from __future__ import annotations

import collections
import gc
import os
import signal
import sys
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from fixbot import files
from fixbot.errors import BadInput, FixbotError

# Below this many files per worker, starting the workers (~40 ms with fork; imports are inherited) costs more than
# it saves: a settings module takes ~5 ms to parse, rewrite and print. libcst hands out files 4 at a time.
FILES_PER_WORKER = 8
CHUNK = 4


@dataclass(frozen=True)
class Outcome:
    """One file's result: the refusal's one line, or whether it changed and its diff (when asked for)."""

    path: str
    changed: bool = False
    diff: str = ""
    error: str | None = None
    skipped: str = ""  # why the codemod had nothing to do here
    notes: tuple[str, ...] = ()  # what the reviewer must hear about the change, one line each (Codemod.notes)


@dataclass(frozen=True)
class _Job:
    codemod: Any  # a codemods.Codemod subclass: pickled by reference, so the workers import the same class
    diff: bool
    write: bool


def default_jobs(count: int) -> int:
    """libcst's default (one worker per CPU this process may use), but one for a handful of files."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, count // FILES_PER_WORKER))


def run(paths: Sequence[str], codemod: Any, *, diff: bool, write: bool, jobs: int) -> Iterator[Outcome]:
    """The outcome of `codemod` on each of `paths`, in their order, with `jobs` processes (1: this one alone).

    A file named twice (or through a link) is computed once by the workers; its later mentions run here when their
    turn comes, after the first has been written, exactly as a serial run sees them."""
    # What is loaded by now lives as long as the process: out of the collector's way, both here and in the
    # workers, who would otherwise walk (and so copy) the objects they inherit. gc.freeze's documented use.
    gc.freeze()
    job = _Job(codemod, diff, write)
    first = _first_mentions(paths)
    jobs = min(jobs, len(first))
    if jobs <= 1:
        for path in paths:
            yield _finish(_compute(job, path))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _warm_up()
    gc.freeze()  # the parser too
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    # Workers ignore Ctrl-C (it reaches the whole process group): the parent alone stops the run, between writes.
    # It is blocked while they are forked, so that one pressed meanwhile reaches neither a worker that has yet to
    # ignore it nor the parent outside the `finally` that stops them; the parent gets it when it is unblocked.
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_ctrl_c, initargs=(unblocked,))
    waiting, finished = paths[0], False
    try:
        # Submitted a chunk at a time and never cancelled (not Executor.map, which cancels what is left when it is
        # closed): Python 3.11's pool thread, finding a worker terminated, sets an exception on every pending
        # future, and one cancelled meanwhile makes it print an InvalidStateError traceback beside "interrupted".
        todo = [paths[i] for i in first]
        chunks = collections.deque(executor.submit(_compute_all, job, todo[i:i + CHUNK]) for i in range(0, len(todo), CHUNK))
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        computed = (one for _ in range(len(chunks)) for one in chunks.popleft().result())  # each let go once read
        by_workers = set(first)
        for index, waiting in enumerate(paths):
            yield _finish(next(computed) if index in by_workers else _compute(job, waiting))
        finished = True
    except BrokenProcessPool:  # killed, or out of memory: nothing it held was written
        raise BadInput(f"a worker process died before {waiting} was done: it and the files after it are"
                       " untouched") from None
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        if not finished:  # Ctrl-C, a dead worker or an error here: what the workers still compute is not needed
            for process in multiprocessing.active_children():
                process.terminate()
        # Waited for, even then: the pool's own thread must be gone before the interpreter's exit handlers run
        # (Python 3.11 may otherwise print a traceback from its atexit hook on the closed wakeup pipe).
        executor.shutdown(wait=True)


def _ignore_ctrl_c(unblocked: set[signal.Signals]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # also drops one that came while it was blocked
    signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)


def _first_mentions(paths: Sequence[str]) -> list[int]:
    """The indexes, ascending, of the paths that name a file for the first time (by inode, so links count as the
    file). Ascending: the workers' results are read back in this order."""
    seen: set[object] = set()
    first = []
    for index, path in enumerate(paths):
        try:
            st = os.stat(path)
            key: object = (st.st_dev, st.st_ino)
        except OSError:  # its error is reported, whichever process finds it
            key = path
        if key not in seen:
            seen.add(key)
            first.append(index)
    return first


def _warm_up() -> None:
    """Load libcst's parser before the fork, as libcst does, so that each worker does not load its own."""
    import libcst

    libcst.parse_module("")


@dataclass(frozen=True)
class _Computed:
    outcome: Outcome
    data: bytes | None = None  # the new bytes, when they are to be written


def _compute(job: _Job, path: str) -> _Computed:
    """Read, rewrite, encode and diff one file; in a worker, or here. Nothing is written."""
    try:
        result, data = files.prepare_rewrite(path, job.codemod, **files.context(path, job.codemod.CONTEXT))
    except FixbotError as err:
        return _Computed(Outcome(path, error=str(err)))
    if not result.changed:
        return _Computed(Outcome(path, skipped=result.skipped))
    outcome = Outcome(path, True, result.diff if job.diff else "", notes=result.notes)
    return _Computed(outcome, data if job.write else None)


def _compute_all(job: _Job, paths: Sequence[str]) -> list[_Computed]:
    return [_compute(job, path) for path in paths]


def _finish(computed: _Computed) -> Outcome:
    outcome = computed.outcome
    if computed.data is not None:
        try:
            files.save(outcome.path, computed.data)
        except FixbotError as err:
            return Outcome(outcome.path, error=str(err))
    return outcome
