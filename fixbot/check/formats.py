"""Log files that YAML, JSON and INI logging configs name, read with codemods/_logging_formats' own parsers.

One function per format yields (handler, filename, line) for every file handler of every dictConfig (YAML,
JSON) or fileConfig (INI) in the text, read-only; `logging_configs` turns them into Sites for logging-console,
which rewrites these files too. A filename that is not a plain string (an INI `args` that is not a literal)
is left out: precision first.
"""

from __future__ import annotations

import ast
import posixpath
from typing import Iterator

from fixbot.check.sites import Site
from fixbot.codemods import Refusal

Found = tuple[str, str, int]  # handler name, filename, line


def _yaml(source: str) -> Iterator[Found]:
    import yaml

    from fixbot.codemods._logging_formats import yaml_config as y
    from fixbot.codemods._logging_formats.handlers import writes_file

    for document in yaml.compose_all(source, Loader=yaml.SafeLoader):
        for config in y._configs(document, 0) if document is not None else ():
            for key, handler in y._pairs(config)["handlers"][1].value:
                pairs = y._pairs(handler) if isinstance(handler, yaml.MappingNode) else {}
                filename = y._scalar(pairs["filename"][1]) if "filename" in pairs else None
                cls = y._scalar(pairs["class"][1]) if "class" in pairs else None
                if filename and (writes_file(cls) or cls is None):
                    yield key.value, filename, pairs["filename"][1].start_mark.line + 1


def _json(source: str) -> Iterator[Found]:
    import json

    from fixbot.codemods._logging_formats import json_config as j
    from fixbot.codemods._logging_formats.handlers import writes_file

    json.loads(source)
    root = j._read(source, j._SPACE.match(source, 0).end())
    for config in j._configs(root, 0):
        for member in j._members(config)["handlers"].value.value:
            members = j._members(member.value)
            filename = members.get("filename")
            cls = members["class"].value.value if "class" in members else None
            if filename and filename.value.kind == "scalar" and isinstance(filename.value.value, str) \
                    and (writes_file(cls) or cls is None):
                yield member.key, filename.value.value, source.count("\n", 0, filename.value.start) + 1


def _ini(source: str) -> Iterator[Found]:
    from fixbot.codemods._logging_formats import ini_config as i
    from fixbot.codemods._logging_formats.handlers import writes_file

    if not i.is_logging_ini(source):
        return
    for section, options in i._sections(source).items():
        if not section.startswith("handler_") or "args" not in options or "class" not in options:
            continue
        cls = source[slice(*options["class"].value)].strip()
        try:
            args = ast.literal_eval(source[slice(*options["args"].value)].strip())
        except (ValueError, SyntaxError):
            continue  # args that fileConfig evaluates with more than literals
        if writes_file(cls) and isinstance(args, tuple) and args and isinstance(args[0], str):
            yield section[len("handler_"):], args[0], source.count("\n", 0, options["args"].key_line[0]) + 1


READERS = {".yaml": _yaml, ".yml": _yaml, ".json": _json, ".ini": _ini, ".conf": _ini, ".cfg": _ini}


def logging_configs(repo, file: str, text: str) -> Iterator[Site]:
    """The file handlers of a YAML, JSON or INI logging config, as Sites that logging-console fixes."""
    read = READERS.get(posixpath.splitext(file)[1].lower())
    if read is None:
        return
    try:
        found = list(read(text))
    except (Refusal, RecursionError, Exception):  # a file that does not parse (YAML, JSON errors), or is no config
        return
    for handler, filename, line in found:
        yield Site(file, line, filename, filename if "%" not in filename else None, "logging-console",
                   f"handler {handler!r}")
