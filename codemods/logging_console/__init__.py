"""logging-console: rewrite a settings module's LOGGING so that no handler writes to a file (issue 3).

https://docs.python.org/3/library/logging.config.html#dictionary-schema-details

The rewrite, in the user's terms:
- the console handler every former file user ends up with is an existing StreamHandler without filters
  (Django's usual `console` is often DEBUG-only through `require_debug_true`, so reusing it would silence
  production); when there is none, the first file handler is rewritten *in place* into a
  `logging.StreamHandler` under its own name, keeping `level`, `formatter`, `filters` and dropping every key a
  StreamHandler does not take. In place keeps every reference valid, including `LOGGING["handlers"]["file"]`
  in other settings modules, and it is the smallest diff; the other file handlers go.
- in every handler list that named a file handler, the file handlers are replaced by that one console
  handler (a list already holding an unfiltered console handler just loses them; a filtered one gives way),
  and duplicates collapse, so no logger prints a line twice.
- no logger loses a message it wrote: a handler only stands in for another when it has no filters and its level
  (with the logger's) is not higher (fixbot/formats/logconfig/levels.py). A file handler at INFO beside a console at
  ERROR is therefore turned into a StreamHandler in place too, and it is the console that goes from that list,
  as the duplicate; the room's post-check refuses any rewrite that raises a logger's lowest level.
- statements after the definition that reach into LOGGING are followed: ones that only touch what is gone
  (`LOGGING["handlers"]["file"]["filename"] = …`) are removed, `…["handlers"].append("file")` is redirected
  or removed.

That rewrite needs every handler list static, so that it can prove no logger prints a line twice. When they are
not (lists computed at run time, a handler added under `if` or by `.update`, a derived module that only changes
LOGGING after `from .base import *`, a handlers dict in its own variable), every file handler is instead
converted into a StreamHandler where it is written and nothing is removed (fixbot/formats/logconfig/in_place.py):
dictConfig builds every handler defined, so that is right whichever loggers point at it, here or in other
modules. What neither can follow is refused.

Every other dictConfig literal of the file (fixbot/formats/logconfig/literals.py: returned by a function, filled into
`global LOGGING`, passed to dictConfig, Gunicorn's `logconfig_dict`, `LOGGING_CONFIG`) is converted in place the
same way. A file with none of these is `NothingToDo`.

This module reads the file's LOGGING statements and puts the result in place; the plan for each literal is
fixbot/formats/logconfig/console_plan.py, the following of later statements fixbot/formats/logconfig/console_follow.py;
fixbot/formats/python_tidy.py then drops the imports and `# noqa: F405` the rewrite made stale.
"""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from fixbot.codemods import Codemod, Example, NothingToDo, Refusal, lazy_commands
from fixbot.formats.logconfig.console_follow import aliases_part, follow, mutation, other_uses, unknown
from fixbot.formats.logconfig.literals import Found, built_here, convert, still_writes_files, unfollowed_reason
from fixbot.formats.logconfig.console_lists import Doubled
from fixbot.formats.logconfig.console_plan import Edits, plan_literal, rebuild
from fixbot.formats.logconfig.stdlib_read import DJANGO
from fixbot.formats.logconfig.pydict import NotStatic, code, constants, definition_value, is_mapping, iter_small_statements, read_logging
from fixbot.formats.logconfig.pyedit import StatementEditor, parse
from fixbot.codemods.logging_console.examples import FORMAT_EXAMPLES
from fixbot.formats.logconfig.files import FORMAT_FILES, FORMAT_NAMES, rewrite_config
from fixbot.formats.logconfig.in_place import in_place

_LOGGING_WORD = re.compile(r"(?<![\w.])LOGGING\b")
# Words without which a module holds no dictConfig literal but its module-level LOGGING, and no file handler.
_CONFIG_WORDS = re.compile(
    r"\b(?:version|dictConfig|logconfig_dict|LOGGING_CONFIG|DEFAULT_LOGGING_CONFIG|LOG_CONFIG|LOGGING_DICT|LOGGING)\b"
)
_FILE_WORDS = re.compile(r"FileHandler|filename")


def _may_hold_other_configs(tree: cst.Module, source: str, statements: list) -> bool:
    """Does `source` name a config word outside its module-level LOGGING statements? Counting words first keeps a
    plain settings module free of the walks that look for other dictConfig literals."""
    inside = sum(len(_CONFIG_WORDS.findall(tree.code_for_node(s))) for s in statements)
    return len(_CONFIG_WORDS.findall(source)) > inside


def _plan_module(module: cst.Module, source: str | None = None, exempt: frozenset[str] = frozenset(),
                 produced: object = None) -> dict[int, cst.BaseSmallStatement | None]:
    """id(small statement) -> its replacement (None: remove it), for the module-level LOGGING statements. Raises
    Refusal when refusing, NothingToDo when there are none.

    A LOGGING whose handler lists are all static gets the static rewrite, which proves that no logger prints a
    line twice; anything else (lists computed at run time, handlers added later or only in this derived module)
    has each file handler turned into a StreamHandler where it is written (fixbot/formats/logconfig/in_place.py).
    A static LOGGING that cannot lose its file handlers without a line lost or printed twice is refused: the
    in-place rewrite, which reads less of it, would print that line twice unseen."""
    if not any(definition_value(s)[0] or mutation(s) for s in iter_small_statements(module.body)):
        raise NothingToDo("no LOGGING in this file")
    try:
        return _plan_static(module, source)
    except Doubled:
        raise
    except Refusal:
        return in_place(module, exempt, produced, source)


def _plan_static(module: cst.Module, source: str | None) -> dict[int, cst.BaseSmallStatement | None]:
    definitions, mutations, statements = [], [], []
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if is_definition:
            if value is not None:
                definitions.append((statement, value))
            statements.append(statement)
        elif (m := mutation(statement)) is not None:
            mutations.append(m)
            statements.append(statement)
    if not definitions:
        raise Refusal("LOGGING is only changed here; it is defined in a module this one imports")
    edits: dict[int, cst.BaseSmallStatement | None] = {}
    plans = []
    names = constants(module, source)
    if names and mutations:  # console_follow reads later statements' names as literals only: a constant there is unread
        empty = cst.Module([])
        used = {n for m in mutations for n in re.findall(r"\b[A-Za-z_]\w*\b", empty.code_for_node(m.statement))}
        if used & set(names):
            names = {}
    for statement, value in definitions:
        if not is_mapping(value):
            what = f"built by {code(value.func)}(...)" if isinstance(value, cst.Call) else f"{code(value)}, not a dict literal"
            raise Refusal(f"LOGGING is {what}; fixbot only rewrites a LOGGING written out in this file")
        try:
            config = read_logging(value, names)
        except NotStatic as error:
            raise Refusal(str(error)) from None
        literal_edits: Edits = {}
        plans.append(plan_literal(config, literal_edits, DJANGO))  # a module-level LOGGING is Django's
        if literal_edits:
            edits[id(statement)] = statement.with_changes(value=rebuild(value, literal_edits))
    plan = plans[0]
    if mutations and (len(definitions) > 1 or statements[0] is not definitions[0][0]):
        if any(p.files for p in plans):
            raise Refusal("LOGGING is defined more than once or changed before its definition; fixbot cannot tell which definition a change applies to")
    for m in mutations:
        replacement = follow(m, plan)
        if replacement is not m.statement:
            edits[id(m.statement)] = replacement
    # Other uses of LOGGING (aliases, reads inside functions) only matter when they touch file handling.
    # Counting words first keeps the common case free of a walk over the whole tree.
    if source is None or len(_LOGGING_WORD.findall(source)) > len(statements):
        for statement in other_uses(module, {id(s) for s in statements}):
            if plan.files and aliases_part(statement):
                raise Refusal(f"part of LOGGING is reached through another name, which fixbot cannot follow: {code(statement)}")
            unknown(statement, plan)
    return edits



def console_only(tree: cst.Module, source: str | None = None, produced: object = None) -> cst.Module:
    return _console_only(tree, source, produced)[0]


def _console_only(tree: cst.Module, source: str | None, produced: object) -> tuple[cst.Module, str | None]:
    """`tree` with no handler of its logging configs writing to a file; `source` is its text, when the caller has it;
    `produced`, the LOGGING the module produces through its imports, when the caller read its settings chain.

    The module-level LOGGING is planned here; every other dictConfig literal (fixbot/formats/logconfig/literals.py: one
    returned by a function, passed to dictConfig, Gunicorn's logconfig_dict, LOGGING_CONFIG) is converted in place."""
    statements = [s for s in iter_small_statements(tree.body) if definition_value(s)[0] or mutation(s)]
    try:
        if source is not None and not _may_hold_other_configs(tree, source, statements):
            others, class_names, found = {}, set(), Found()  # the common settings module: no walk for nothing
        else:
            others, class_names, found = convert(tree, {id(s) for s in statements})
    except RecursionError:  # a module nested deeper than a walk of it can go: only its module-level LOGGING is read
        others, class_names, found = {}, set(), Found()
    try:
        edits = _plan_module(tree, source, frozenset(class_names), produced)
    except NothingToDo:
        if not found.literals:
            raise Refusal(unfollowed_reason(found)) if found.unfollowed else NothingToDo("no LOGGING in this file, nor a dictConfig literal or logconfig_dict")
        edits = {}
    except Refusal:
        if not built_here(tree, found, statements):  # LOGGING = build_logging(...), defined in this file
            raise
        edits = {}
    result = tree.visit(StatementEditor({**edits, **others}, deep=bool(others))) if edits or others else tree
    # what no text names, no statement can: the walk is skipped (and the result printed once, for the caller too)
    code = source if result is tree and source is not None else result.code
    try:
        if _FILE_WORDS.search(code):
            still_writes_files(result, class_names)  # never exit 0 leaving a file handler fixbot can see
    except RecursionError:  # a statement too deep to walk (X = [[[…]]]): the LOGGING rewrite stands, as before
        if others:
            raise
    return result, code


# The libcst.tool entry point lives in codemods/_libcst_commands.py, so that importing this module does not
# import libcst.codemod (and libcst.matchers, ~200 ms); libcst.tool finds it with getattr.
__getattr__, __dir__ = lazy_commands(__name__, "LoggingConsoleCommand")


_BEFORE = """\
import os

LOG_DIR = "/app/apps/backend/logs"

LOGGING = {
    'version': 1,
    'handlers': {
        'console': {'class': 'logging.StreamHandler'},
        'file': {
            'level': 'INFO',
            'class': 'logging.FileHandler',
            'filename': os.path.join(LOG_DIR, 'api.log'),
        },
    },
    'root': {'handlers': ['console', 'file'], 'level': 'INFO'},
}
"""


class LoggingConsole(Codemod):
    NAME = "logging-console"
    DESCRIPTION = (
        "Rewrite a logging configuration so that no handler writes to a file: Django's LOGGING, any dictConfig "
        "literal in Python (logconfig_dict, LOGGING_CONFIG), dictConfig YAML and JSON, fileConfig INI. Loggers "
        "that used a file handler log to the console (an existing StreamHandler, or the file handler turned into "
        "one in place) without losing a message; everything else is kept byte for byte, comments included."
    )
    HANDLES = ("logging-handler",)
    FILES = ("*.py",) + FORMAT_FILES
    FORMATS = ("Python modules (LOGGING, logconfig_dict, any dictConfig literal)",) + FORMAT_NAMES
    CONTEXT = ("star_imported",)
    EXAMPLES = (
        Example(
            "reuses the console handler",
            _BEFORE,
            _BEFORE.replace(
                """        'file': {
            'level': 'INFO',
            'class': 'logging.FileHandler',
            'filename': os.path.join(LOG_DIR, 'api.log'),
        },
""",
                "",
            ).replace("['console', 'file']", "['console']"),
        ),
        Example(
            "turns the only file handler into a StreamHandler in place",
            'LOGGING = {\n    "version": 1,\n    "handlers": {\n        "file": {"level": "DEBUG", "class": "logging.FileHandler", "filename": "/path/to/django/debug.log"},\n    },\n    "loggers": {"django": {"handlers": ["file"], "level": "DEBUG", "propagate": True}},\n}\n',
            'LOGGING = {\n    "version": 1,\n    "handlers": {\n        "file": {"level": "DEBUG", "class": "logging.StreamHandler"},\n    },\n    "loggers": {"django": {"handlers": ["file"], "level": "DEBUG", "propagate": True}},\n}\n',
        ),
        Example(
            "already console-only",
            'LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}}, "root": {"handlers": ["console"]}}\n',
        ),
        Example(
            "an import only the file handler used goes, when no module star-imports this one",
            "import os\n\nLOGGING = {'handlers': {'f': {'class': 'logging.FileHandler', 'filename': os.path.join('/x', 'a.log')}}}\n",
            "LOGGING = {'handlers': {'f': {'class': 'logging.StreamHandler'}}}\n",
            options={"star_imported": False},
        ),
        Example(
            "any dictConfig literal, here one passed to dictConfig in a WSGI module, is converted in place",
            "import logging.config\n\nlogging.config.dictConfig({'version': 1, 'handlers': {'f': {'class': 'logging.FileHandler', 'filename': '/x/a.log'}}})\n",
            "import logging.config\n\nlogging.config.dictConfig({'version': 1, 'handlers': {'f': {'class': 'logging.StreamHandler'}}})\n",
            filename="wsgi.py",
        ),
        Example("LOGGING built by a function", "from .logs import build\n\nLOGGING = build('api')\n", refuses="built by build"),
        Example("no LOGGING: nothing to do (fixbot codemod leaves the file)", "DEBUG = True\n", refuses="no LOGGING in this file"),
    ) + FORMAT_EXAMPLES

    @classmethod
    def describe(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.logconfig.changes import described
        from fixbot.formats.logconfig.code_handlers import dirs_gone

        gone = [f"`{line}` goes: the directory was made only for the file handlers that went"
                for line in (dirs_gone(before, after) if "mkdir" in before or "makedirs" in before else [])]
        return described(before, after, filename) + gone

    @classmethod
    def notes(cls, before: str, after: str, filename: str = "", **options: Any) -> list[str]:
        from fixbot.formats.logconfig.check import unused_formatters

        return unused_formatters(before, after, filename)

    @classmethod
    def rewrite(cls, source: str, filename: str = "", **options: Any) -> str:
        # YAML, JSON and INI logging configs (fixbot/formats/logconfig/files/); None: the file is Python.
        rewritten = rewrite_config(source, filename)
        if rewritten is not None:
            return rewritten

        from fixbot.formats.python import TOO_DEEP
        from fixbot.formats.python_tidy import finish

        try:
            tree = parse(source)
            result, code = _console_only(tree, source, options.get("produced"))
            text = finish(source, tree, result, star_imported=options.get("star_imported", True), code=code)
        except RecursionError:  # libcst visits and prints recursively; CPython took a tree too deep for it
            raise Refusal(TOO_DEEP) from None
        if text is not source and not options.get("star_imported", True) and ("mkdir" in text or "makedirs" in text):
            # `os.makedirs(LOG_DIR)` made only for the file handlers that went: on a read-only root, the next failure
            from fixbot.formats.logconfig.code_handlers import dirs_left_for_nothing, without_lines

            lines = dirs_left_for_nothing(source, text)
            if lines:
                text = without_lines(text, lines)
        return text
