"""Random dictConfig dicts (hypothesis), and the real `logging` module run on one: what each (logger, level) record printed on the console and wrote to files."""

from __future__ import annotations

import io
import logging
import logging.config
import os
import sys
from collections import Counter

from hypothesis import strategies as st

LOGGERS = ("a", "a.b", "a.b.c", "b", "c.d")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATTERS = ("plain", "stamped")
LEVEL_NUMBERS = (10, 20, 30, 40, 50)


@st.composite
def configs(draw) -> dict:
    """A dictConfig with stream and file handlers at random levels, stdlib filters, loggers with levels,
    propagate and handler lists, and a root that may or may not be configured."""
    names = draw(st.lists(st.sampled_from(["console", "out", "file", "file2", "debug_file", "err"]), min_size=1, max_size=5, unique=True))
    filters = {"all": {"name": ""}, "only_a": {"name": "a"}, "only_b": {"()": "logging.Filter", "name": "b"}}
    handlers = {}
    for name in names:
        h: dict = {"class": draw(st.sampled_from(["logging.StreamHandler", "logging.FileHandler", "logging.handlers.RotatingFileHandler"]))}
        if h["class"] != "logging.StreamHandler":
            h["filename"] = f"{name}.log"
        elif draw(st.booleans()):
            h["stream"] = "ext://sys.stdout"
        if draw(st.booleans()):
            h["level"] = draw(st.sampled_from(LEVELS))
        if draw(st.integers(0, 3)) == 0:
            h["filters"] = draw(st.lists(st.sampled_from(sorted(filters)), min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            h["formatter"] = draw(st.sampled_from(FORMATTERS))
        handlers[name] = h
    loggers = {}
    for name in draw(st.lists(st.sampled_from(LOGGERS), max_size=4, unique=True)):
        lg: dict = {}
        if draw(st.booleans()):
            lg["handlers"] = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        if draw(st.booleans()):
            lg["level"] = draw(st.sampled_from(LEVELS))
        if draw(st.booleans()):
            lg["propagate"] = draw(st.booleans())
        loggers[name] = lg
    config = {
        "version": 1,
        "disable_existing_loggers": draw(st.booleans()),
        "formatters": {"plain": {"format": "%(message)s"}, "stamped": {"format": "%(levelname)s %(message)s"}},
        "filters": filters,
        "handlers": handlers,
        "loggers": loggers,
    }
    if draw(st.booleans()):
        root: dict = {"handlers": draw(st.lists(st.sampled_from(names), max_size=3, unique=True))}
        if draw(st.booleans()):
            root["level"] = draw(st.sampled_from(LEVELS))
        config["root"] = root
    return config


def _reset() -> None:
    manager = logging.Logger.manager
    for logger in list(manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            for h in logger.handlers[:]:
                logger.removeHandler(h)
                h.close()
    manager.loggerDict.clear()
    root = logging.getLogger()
    for h in root.handlers[:]:
        root.removeHandler(h)
        h.close()
    root.setLevel(logging.WARNING)
    root.filters.clear()
    logging._handlers.clear()  # noqa: SLF001 - dictConfig's own registry of handler names
    del logging._handlerList[:]  # noqa: SLF001
    manager.emittedNoHandlerWarning = False


def run(config: dict, directory: str, probes: list[tuple[str, int]], first: dict | None = None) -> dict[tuple[str, int], tuple[int, int]]:
    """(logger, level) -> (times printed on stdout or stderr, times written to files) for each probe record,
    with `config` loaded by dictConfig in `directory` (its relative file names land there), after `first` (as
    Django loads its DEFAULT_LOGGING before a settings module's LOGGING)."""
    _reset()
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr, os.getcwd()
    os.chdir(directory)
    try:
        sys.stdout, sys.stderr = out, err
        if first is not None:
            logging.config.dictConfig(first)
        logging.config.dictConfig(config)
        for i, (name, level) in enumerate(probes):
            logging.getLogger(name or None).log(level, "probe-%d-end", i)
        files = ""
        _flush_all()
        for entry in sorted(os.listdir(".")):
            if entry.endswith(".log"):
                with open(entry) as f:
                    files += f.read()
                os.unlink(entry)
    finally:
        sys.stdout, sys.stderr = saved[0], saved[1]
        _reset()
        os.chdir(saved[2])
    console = Counter(_ids(out.getvalue() + err.getvalue()))
    written = Counter(_ids(files))
    return {p: (console[i], written[i]) for i, p in enumerate(probes)}


def _flush_all() -> None:
    for ref in logging._handlerList:  # noqa: SLF001
        handler = ref()
        if handler is not None:
            handler.flush()


def _ids(text: str) -> list[int]:
    import re

    return [int(m) for m in re.findall(r"probe-(\d+)-end", text)]
