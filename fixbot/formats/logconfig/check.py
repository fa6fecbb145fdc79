"""Check a rewritten settings module's LOGGING the way dictConfig would read it: the logging-handler room's post-check.

`check_source(source, allow_file_handlers=False) -> list[str]`: every referenced handler, formatter and filter
exists, no handler writes to a file (unless allowed). An empty list means sound. `compare(before, after)` is what
the room reports: only the problems the rewrite brought (a derived module naming handlers of its base, or lists
computed at run time, were so before it), every record the rewrite loses or prints more often on the console than
before, as the standard library would deliver it (fixbot/formats/logconfig/stdlib.py, over Django's own defaults),
and what was proven: no more than that.
"""

from __future__ import annotations

import libcst as cst

from fixbot.formats import Refusal
from fixbot.formats.logconfig import stdlib
from fixbot.formats.logconfig.pydict import LoggingConfig, NotStatic, constants, definition_value, iter_small_statements, read_logging

FILES = "still writes to a file"


def problems(config: LoggingConfig, *, allow_file_handlers: bool = False) -> list[str]:
    """What dictConfig would trip on, or what fixbot promises away, in one read LOGGING."""
    found = []
    for ref in config.refs:
        found += [f"{ref.owner} uses handler {n!r}, which is not defined" for n in ref.names if n not in config.handlers]
    for handler in config.handlers.values():
        if handler.file and not allow_file_handlers:
            found.append(f"handler {handler.name!r} {FILES}")
        if config.formatters is not None and handler.formatter and handler.formatter not in config.formatters:
            found.append(f"handler {handler.name!r} uses formatter {handler.formatter!r}, which is not defined")
    if config.filters is not None:
        found += [f"{owner} uses filter {name!r}, which is not defined" for owner, name in config.filter_refs if name not in config.filters]
    return found


def check_source(source: str, *, allow_file_handlers: bool = False) -> list[str]:
    """Structural problems of every LOGGING defined in a settings module's source; [] when it is sound."""
    from fixbot.formats.python import parse_module

    try:
        module = parse_module(source)
    except cst.ParserSyntaxError as error:
        return [f"does not parse: {error.message} (line {error.raw_line})"]
    except Refusal as refusal:
        return [str(refusal)]
    found, defined = [], False
    names = constants(module, source)
    for statement in iter_small_statements(module.body):
        is_definition, value = definition_value(statement)
        if not is_definition or value is None:
            continue
        defined = True
        try:
            found += problems(read_logging(value, names), allow_file_handlers=allow_file_handlers)
        except NotStatic as error:
            found.append(str(error))
        except RecursionError:
            found.append("LOGGING is nested too deeply to read")
    return found if defined else ["no LOGGING in this file"]


def _key(problem: str) -> str:
    """A problem without the code it quotes, which the rewrite may have changed (`…computed at run time: <code>`)."""
    return problem.split(": ", 1)[0]


def compare(before: str, after: str, *, allow_file_handlers: bool = False) -> tuple[list[str], list[str]]:
    """(the problems `after` has that `before` did not, every file handler left counting as one unless allowed;
    what is proven of `after`)."""
    old = {_key(p) for p in check_source(before, allow_file_handlers=allow_file_handlers)}
    now = check_source(after, allow_file_handlers=allow_file_handlers)
    new = [p for p in now if _key(p) not in old or (FILES in p and not allow_file_handlers)]
    if not allow_file_handlers:
        kept = set(_file_statements(before))
        new += [f"{FILES} here: {s}" for s in _file_statements(after) if s not in kept]  # one the rewrite wrote
    verdicts = [stdlib.compare(b, a) for b, a in pairs(before, after)]
    for verdict in verdicts:
        new += verdict.wrong()
    if new:
        return new, []
    proven = []
    if not now:
        proven.append("LOGGING is valid for dictConfig: every handler, formatter and filter it names exists")
        if not allow_file_handlers:
            proven.append("no handler writes to a file")
    else:
        proven.append(f"the rewrite adds nothing dictConfig would trip on; as before it, {now[0]}" + (f" (and {len(now) - 1} more)" if len(now) > 1 else ""))
        if not allow_file_handlers:
            proven.append("no handler written in this file writes to a file (each became a StreamHandler in place)")
    if not allow_file_handlers:
        proven += [said for verdict in verdicts for said in proof(verdict)]
        if not verdicts:
            proven.append("handler lists fixbot cannot read are as they were, so a logger may print a line twice")
    return [], proven


def proof(verdict: stdlib.Verdict) -> list[str]:
    """What a Verdict with nothing lost or doubled proves, in words, and where the proof stops."""
    shown = verdict.probes - len(verdict.unproven)
    said = [f"every record of the {shown} tried (each logger the config names and a child of each, at every level, "
            "through levels, filters and propagation) that reached a file or the console before prints on the "
            "console after, once (or no more often than it did)"]
    if verdict.unproven:
        said.append(f"{len(verdict.unproven)} records pass handler lists or filters fixbot cannot read, so a line of "
                    f"{stdlib.logger_name(verdict.unproven[0][0])} may print twice")
    said += [unused_formatter(f) for f in verdict.unused_formatters]
    return said


def unused_formatter(name: str) -> str:
    """How the post-check and `fixbot codemod` name a formatter the rewrite left on no listed handler."""
    return f"formatter {name!r} is no longer used: the lines it formatted are printed with another handler's format"


def unused_formatters(before: str, after: str, filename: str = "") -> list[str]:
    """One line (`unused_formatter`) for each formatter that the rewrite of `before` into `after` leaves on no listed
    handler, read as the post-check reads it (`pairs`, stdlib.unused_formatters); [] when either does not read."""
    return [unused_formatter(f) for old, new in pairs(before, after, filename)
            for f in stdlib.unused_formatters(old, new)]


def pairs(before: str, after: str, filename: str = "") -> list[tuple[stdlib.Config, stdlib.Config]]:
    """Each logging config of `before` with the same one of `after`, as logging-console reads the file `filename`: a
    YAML, JSON or INI file's configs (files.read_models), otherwise the Python module's LOGGING (`models`); [] when
    either does not read."""
    from fixbot.formats.logconfig.files import read_models

    try:
        old, new = read_models(before, filename), read_models(after, filename)
    except Refusal:
        return []
    if old is None:  # a Python module
        return list(zip(models(before), models(after)))
    return [(b, a) for b, a in zip(old, new or []) if b is not None and a is not None]


def models(source: str) -> list[stdlib.Config]:
    """The stdlib.Config of the module's LOGGING, its definition and every later change followed as logging-console
    follows them (fixbot/formats/logconfig/in_place_site.py), over Django's defaults; [] when it cannot be read."""
    from fixbot.formats.logconfig.in_place import site_of
    from fixbot.formats.logconfig.in_place_site import model
    from fixbot.formats.logconfig.pyedit import parse

    try:
        config = model(site_of(parse(source), source)[0])[0]
    except (Refusal, RecursionError):
        return []
    return [config] if config is not None else []


def _file_statements(source: str) -> list[str]:
    """The module-level statements (under if/try too) of `source` that name a FileHandler or a filename."""
    from fixbot.formats.logconfig.pyedit import parse
    from fixbot.formats.logconfig.in_place_site import mentions_files

    try:
        module = parse(source)
    except Refusal:
        return []  # check_source says so
    empty = cst.Module([])
    return [
        empty.code_for_node(s) for s in iter_small_statements(module.body)
        if not isinstance(s, (cst.Import, cst.ImportFrom)) and mentions_files(s)
    ]
