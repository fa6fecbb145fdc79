"""The logging configurations a file holds, read and rewritten statically: Python dictConfig literals and Django's LOGGING (libcst), YAML and JSON dictConfig files, fileConfig INI files.

`configs` is the one question "what logging configs does this file hold, and their handlers" that `apply`, its
post-check and `fixbot check` ask; `files` reads and rewrites YAML, JSON and INI by their byte positions; the
`py*` modules, `in_place`/`in_place_site`, `literals` and `console_*` read and edit Python; `stdlib` is the standard
library's model of where each record goes (levels, filters, propagation; `stdlib_read` reads a dict into it),
`console_lists` the plan every format shares for which handler lists keep which console handlers, `levels` the level
names and the one-list rule for lists the model cannot place; `check` proves a rewritten Python config.
"""

# The one answer to "is this dict a logging config": one assigned to these names (Django's module-level `LOGGING`
# is read as Django settings; Gunicorn's `logconfig_dict`, whose `version` Gunicorn adds; Airflow's and Celery's
# `LOGGING_CONFIG`/`DEFAULT_LOGGING_CONFIG`; the names apps give a dict they pass to dictConfig elsewhere), one
# passed to dictConfig(...), or a literal holding both `version` and `handlers` (a config a function returns).
CONFIG_NAMES = frozenset({"LOGGING", "logconfig_dict", "LOGGING_CONFIG", "DEFAULT_LOGGING_CONFIG", "LOG_CONFIG",
                          "LOGGING_DICT"})


def may_hold_config(text: str) -> bool:
    """A cheap test before any parse: whether a Python module's text can hold one of the configs above."""
    return "dictConfig" in text or "version" in text or any(name in text for name in CONFIG_NAMES)
