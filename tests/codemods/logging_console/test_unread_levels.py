"""logging-console where a handler's level is only known at run time (an environment variable, a condition): the real `logging` module, under each value the deploy may give, prints no record twice after the rewrite; fixbot refuses where it cannot make sure of that."""

from __future__ import annotations

from textwrap import dedent

import pytest

from fixbot.codemods.logging_console import LoggingConsole
from fixbot.formats import Refusal
from tests.support.logconfig_harness import run

# A console whose level the environment sets (default INFO) beside a file handler at INFO: converting the file
# handler in place and keeping both prints every INFO line twice under the default.
CONSOLE_LEVEL_FROM_ENV = dedent('''\
    import os

    LOGGING = {
        "version": 1,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "level": os.environ.get("CONSOLE_LEVEL", "INFO")},
            "file": {"class": "logging.FileHandler", "filename": "app.log", "level": "INFO"},
        },
        "loggers": {"shop": {"level": "DEBUG", "handlers": ["console", "file"]}},
    }
    ''')

# Two file handlers on the root, one at DEBUG or INFO by a condition, one at ERROR, beside an ERROR console: an
# ERROR record reached the console once before; after, the two converted handlers must not both print it.
FILE_LEVEL_BY_CONDITION = dedent('''\
    import os

    VERBOSE = os.environ.get("SHOP_ENV", "dev") == "dev"
    EVERYTHING = "DEBUG" if VERBOSE else "INFO"

    LOGGING = {
        "version": 1,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "level": "ERROR"},
            "everything": {"class": "logging.FileHandler", "filename": "all.log", "level": EVERYTHING},
            "errors": {"class": "logging.FileHandler", "filename": "errors.log", "level": "ERROR"},
        },
        "root": {"level": "DEBUG", "handlers": ["console", "everything", "errors"]},
    }
    ''')

PROBES = [(name, level) for name in ("", "shop", "shop.cart") for level in (10, 20, 30, 40, 50)]


def _logging_of(source: str, environ: dict, monkeypatch) -> dict:
    for key in ("CONSOLE_LEVEL", "SHOP_ENV"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    namespace: dict = {}
    exec(compile(source, "settings.py", "exec"), namespace)  # our own module above
    return namespace["LOGGING"]


@pytest.mark.parametrize("source, environments", [
    pytest.param(CONSOLE_LEVEL_FROM_ENV, [{}, {"CONSOLE_LEVEL": "DEBUG"}, {"CONSOLE_LEVEL": "WARNING"}], id="console-level-from-env"),
    pytest.param(FILE_LEVEL_BY_CONDITION, [{}, {"SHOP_ENV": "prod"}], id="file-level-by-condition"),
])
def test_no_record_prints_twice_whatever_the_unread_level_is(source, environments, tmp_path, monkeypatch):
    try:
        rewritten = LoggingConsole.rewrite(source, "settings.py")
    except Refusal as refusal:
        assert "twice" in str(refusal), refusal
        return
    for environ in environments:
        before = run(_logging_of(source, environ, monkeypatch), str(tmp_path), PROBES)
        after = run(_logging_of(rewritten, environ, monkeypatch), str(tmp_path), PROBES)
        for probe in PROBES:
            (console, files), (now, left) = before[probe], after[probe]
            assert left == 0, (environ, probe)
            assert now <= max(1, console), (environ, probe, before[probe], after[probe], rewritten)
            if console + files:
                assert now >= 1, (environ, probe, before[probe], after[probe], rewritten)


# A file handler whose name is a module constant, listed by that constant beside a console at the same level: it
# is converted in place and both stay, so every INFO line of 'shop' prints twice (found in a public settings module).
HANDLER_NAMED_BY_A_CONSTANT = dedent('''\
    NAME = "shop"

    LOGGING = {
        "version": 1,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "level": "INFO"},
            NAME: {"class": "logging.FileHandler", "filename": "shop.log", "level": "INFO"},
        },
        "loggers": {"shop": {"level": "INFO", "propagate": False, "handlers": ["console", NAME]}},
    }
    ''')


def test_a_handler_named_by_a_constant_prints_once(tmp_path, monkeypatch):
    rewritten = LoggingConsole.rewrite(HANDLER_NAMED_BY_A_CONSTANT, "settings.py")
    # read through the constant: the console stands in for it, and both its entry and its place in the list go
    assert "FileHandler" not in rewritten and '"handlers": ["console"]' in rewritten, rewritten
    test_no_record_prints_twice_whatever_the_unread_level_is(HANDLER_NAMED_BY_A_CONSTANT, [{}], tmp_path, monkeypatch)


# A constant read by a later statement (`.append(FILE)`): the static plan, which follows later statements by their
# literals, would delete the handler and keep the append (dictConfig then fails); it is rewritten in place, and the
# append goes where the console prints every line it did.
APPENDED_BY_A_CONSTANT = dedent('''\
    FILE = "file"

    LOGGING = {
        "version": 1,
        "handlers": {
            "console": {"class": "logging.StreamHandler", "level": "INFO"},
            FILE: {"class": "logging.FileHandler", "filename": "app.log", "level": "INFO"},
        },
        "root": {"handlers": ["console"], "level": "INFO"},
    }
    LOGGING["root"]["handlers"].append(FILE)
    ''')
# A name a `match` may rebind, or a function's parameter shadowing the module's name: not a constant.
REBOUND_BY_MATCH = HANDLER_NAMED_BY_A_CONSTANT.replace(
    'NAME = "shop"\n', 'NAME = "shop"\nmatch ENV:\n    case "dev":\n        NAME = "console2"\n')


def test_a_constant_a_later_statement_reads_still_loads_and_prints_once(tmp_path, monkeypatch):
    rewritten = LoggingConsole.rewrite(APPENDED_BY_A_CONSTANT, "settings.py")
    assert ".append(FILE)" not in rewritten and "FileHandler" not in rewritten, rewritten
    test_no_record_prints_twice_whatever_the_unread_level_is(APPENDED_BY_A_CONSTANT, [{}], tmp_path, monkeypatch)


def test_a_name_a_match_statement_may_rebind_is_not_read_as_a_constant():
    with pytest.raises(Refusal, match="cannot follow"):
        LoggingConsole.rewrite(REBOUND_BY_MATCH, "settings.py")
