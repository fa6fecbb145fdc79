"""File handlers an application builds in its own code (`logging.FileHandler(...)`, the rotating and watched ones, `basicConfig(filename=...)`): where they are, and their rewrite into `logging.StreamHandler()`.

A handler built in a module is usually kept in a name (`handler = logging.FileHandler(path)`), given its level,
formatter and filters by later calls (`handler.setLevel(...)`, `setFormatter`, `addFilter`) and attached with
`addHandler`: replacing the construction alone keeps all of that, and the StreamHandler writes to stderr. Every
argument of the construction is about the file (filename, mode, maxBytes, backupCount, when, encoding, delay), so
none is kept. `basicConfig(filename=..., filemode=...)` loses those two keywords: it then logs to stderr. An
`os.makedirs(LOG_DIR)` (`os.mkdir`, `Path(LOG_DIR).mkdir(...)`, `LOG_DIR.mkdir(...)`, or an `if not os.path.exists(LOG_DIR):` around it)
whose directory only the converted handlers used goes too: on a read-only root it would be the next failure.
Names are resolved through the module's imports (`import logging as log`, `from logging.handlers import
RotatingFileHandler as RFH`); a class the module defines that subclasses a file handler is not converted.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from fixbot.formats import NothingToDo

FILE_CLASSES = frozenset({"logging.FileHandler", "logging.handlers.RotatingFileHandler",
                          "logging.handlers.TimedRotatingFileHandler", "logging.handlers.WatchedFileHandler"})
BASIC = "logging.basicConfig"
_FILE_KEYWORDS = ("filename", "filemode")
_MAKEDIRS = frozenset({"os.makedirs", "os.mkdir"})
NO_HANDLER = "no file handler built in this module's code"


@dataclass(frozen=True)
class Built:
    """One file handler the module builds: the line of its construction, the class, the filename expression."""

    line: int
    cls: str
    filename: ast.expr | None


def imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it is bound to, for the module's imports (anywhere in it)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    names[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def qualified(func: ast.expr, names: dict[str, str]) -> str | None:
    """The dotted name a call's function means, through the imports; None when it is not a dotted name."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    head = names.get(func.id)
    return ".".join([head, *reversed(parts)]) if head else None


def find(source: str) -> list[Built]:
    """Every file handler the module's code builds (read-only); [] when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return []
    names = imports(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = qualified(node.func, names)
        if name in FILE_CLASSES:
            filename = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "filename"), None)
            out.append(Built(node.lineno, name, filename))
        elif name == BASIC and any(k.arg == "filename" for k in node.keywords):
            out.append(Built(node.lineno, name, next(k.value for k in node.keywords if k.arg == "filename")))
    return sorted(out, key=lambda b: b.line)


def rewrite(module: cst.Module, source: str) -> cst.Module:
    """`module` with every file handler its code builds turned into `logging.StreamHandler()` and the directory
    making that only they needed removed; NothingToDo when it builds none."""
    tree = ast.parse(source)
    names = imports(tree)
    built = {b.line for b in find(source)}
    if not built:
        if any(isinstance(n, ast.Call) and ((q := qualified(n.func, names) or "").startswith("logging.") and
                                            (q.endswith("Handler") or q == BASIC)) for n in ast.walk(tree)):
            return module  # it builds its logging to the console already (a second run, a merged fix)
        raise NothingToDo(NO_HANDLER)
    logging_name = next((n for n, full in names.items() if full == "logging"), None)
    stream = f"{logging_name}.StreamHandler" if logging_name else next(
        (n for n, full in names.items() if full == "logging.StreamHandler"), None)
    dirs = _only_for_handlers(tree, names, built)
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    result = wrapper.visit(_Rewrite(names, stream or "logging.StreamHandler", dirs))
    if stream is None:  # the module names neither `logging` nor StreamHandler: it imports logging for it
        result = _add_import(result)
    return result


def _only_for_handlers(tree: ast.Module, names: dict[str, str], built: set[int]) -> set[int]:
    """Lines of the statements that make a directory only the converted handlers' filenames use."""
    handler_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno in built:
            args = node.args[:1] + [k.value for k in node.keywords if k.arg == "filename"]
            handler_names |= {n.id for a in args for n in ast.walk(a) if isinstance(n, ast.Name)}
    out: set[int] = set()
    for node in ast.walk(tree):
        made = _made_dir(node, names)
        if made is None:
            continue
        used = {n.id for n in ast.walk(made) if isinstance(n, ast.Name)} - {"os", "Path", "pathlib"}
        if not used or not used <= handler_names:
            continue
        if all(_uses_only_here(tree, name, built, node) for name in used):
            out.add(node.lineno)
    return out


def _made_dir(node: ast.AST, names: dict[str, str]) -> ast.expr | None:
    """The directory a statement makes: `os.makedirs(D, …)`, `os.mkdir(D)`, `Path(D).mkdir(…)`, `D.mkdir(…)`, or an `if not
    os.path.exists(D):` / `isdir` holding only that."""
    if isinstance(node, ast.If) and len(node.body) == 1 and not node.orelse:
        inner = _made_dir(node.body[0], names)
        test = node.test
        if inner is not None and isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and \
                isinstance(test.operand, ast.Call) and qualified(test.operand.func, names) in ("os.path.exists", "os.path.isdir"):
            return inner
        return None
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    name = qualified(call.func, names)
    if name in _MAKEDIRS and call.args:
        return call.args[0]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "mkdir" and isinstance(call.func.value, ast.Call):
        inner = call.func.value
        if qualified(inner.func, names) in ("pathlib.Path",) and inner.args:
            return inner.args[0]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "mkdir" and isinstance(call.func.value, ast.Name):
        return call.func.value  # LOG_DIR.mkdir(parents=True, exist_ok=True), LOG_DIR a Path
    return None


def _uses_only_here(tree: ast.Module, name: str, built: set[int], making: ast.AST) -> bool:
    """Whether every read of `name` is in a converted construction or in the statement making the directory."""
    inside = {id(n) for n in ast.walk(making)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno in built:
            inside |= {id(n) for n in ast.walk(node)}
    return all(id(n) in inside for n in ast.walk(tree)
               if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load))


class _Rewrite(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    def __init__(self, names: dict[str, str], stream: str, dirs: set[int]) -> None:
        super().__init__()
        self.names, self.stream, self.dirs = names, stream, dirs

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(cst.metadata.PositionProvider, node).start.line

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = qualified(ast.parse(cst.Module([]).code_for_node(original.func), mode="eval").body, self.names) \
            if isinstance(original.func, (cst.Name, cst.Attribute)) else None
        if name in FILE_CLASSES:
            return updated.with_changes(func=cst.parse_expression(self.stream), args=[])
        if name == BASIC and any(a.keyword and a.keyword.value == "filename" for a in updated.args):
            kept = [a for a in updated.args if not (a.keyword and a.keyword.value in _FILE_KEYWORDS)]
            if kept:
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated.with_changes(args=kept)
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        return cst.RemoveFromParent() if self._line(original) in self.dirs else updated

    def leave_If(self, original, updated):
        return cst.RemoveFromParent() if self._line(original) in self.dirs else updated

    def leave_IndentedBlock(self, original, updated):
        if not updated.body:  # a block whose only statement went keeps a `pass`
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated


def _add_import(module: cst.Module) -> cst.Module:
    """`import logging` after the module's docstring and its `from __future__` imports."""
    body = list(module.body)
    at = 0
    for i, statement in enumerate(body):
        small = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
        if (i == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)) or (
                isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"):
            at = i + 1
    body.insert(at, cst.parse_statement("import logging\n"))
    return module.with_changes(body=body)


def dirs_left_for_nothing(before: str, after: str) -> set[int]:
    """Lines of `after` (a rewrite of `before`) holding a module-level statement that makes a directory (`_made_dir`)
    whose names nothing else in `after` reads, where `before` read them elsewhere too: the file handlers the rewrite
    removed were all the directory was made for (`LOG_DIR = …; os.makedirs(LOG_DIR)` beside LOGGING). On a
    read-only root, or as a user who may not write there, that statement is the next failure of the same start."""
    if re.search(r"\b(?:globals|vars|locals|exec|__dict__|getattr)\b", after):
        return set()  # the module reads its names some other way too
    try:
        old, new = ast.parse(before), ast.parse(after)
    except (SyntaxError, ValueError, RecursionError):
        return set()

    def reads(tree: ast.Module, name: str) -> list[ast.Name]:
        return [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]

    was = {ast.dump(node): node for node, _ in _dir_makers(old)}
    starts = [n.lineno for n in new.body]
    lines = set()
    for node, used in _dir_makers(new):
        key = ast.dump(node)
        if key not in was or not used or starts.count(node.lineno) > 1:
            continue  # (a line holding another statement too, `os.makedirs(D); READY = True`, is left whole)
        if _named_otherwise(new, node, used):
            continue
        inside = {id(n) for n in ast.walk(node)}
        before_node = was[key]
        before_inside = {id(n) for n in ast.walk(before_node)}
        only_here_now = all(id(n) in inside for name in used for n in reads(new, name))
        elsewhere_before = any(id(n) not in before_inside for name in used for n in reads(old, name))
        if only_here_now and elsewhere_before:
            lines.add(node.lineno)
    return lines


def _dir_makers(tree: ast.Module) -> list[tuple[ast.stmt, set[str]]]:
    """The module-level statements that make a directory (`_made_dir`), each with the names its path reads."""
    names = imports(tree)
    found = [(node, _made_dir(node, names)) for node in tree.body]
    return [(node, {n.id for n in ast.walk(made) if isinstance(n, ast.Name)} - {"os", "Path", "pathlib"})
            for node, made in found if made is not None]


def _named_otherwise(tree: ast.Module, making: ast.stmt, used: set[str]) -> bool:
    """Does another statement of `tree` name the directory's path without its name: a string of the names'
    assignments (`"logs"` of `LOG_DIR = BASE_DIR / "logs"`) in `os.path.join(BASE_DIR, "logs", "celery.log")`?"""
    pieces: set[str] = set()
    assigned: set[int] = set()
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
                isinstance(t, ast.Name) and t.id in used for t in (node.targets if isinstance(node, ast.Assign) else [node.target])):
            assigned.add(id(node))
            pieces |= {c.value.strip("/") for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    pieces.discard("")
    for node in tree.body:
        if id(node) in assigned or node is making:
            continue
        for c in ast.walk(node):
            if isinstance(c, ast.Constant) and isinstance(c.value, str) and any(
                    p == c.value.strip("/") or f"/{p}/" in f"/{c.value}/" for p in pieces):
                return True
    return False


def without_lines(source: str, lines: set[int]) -> str:
    """`source` without the module-level statements that start on `lines` (a block left empty keeps a `pass`)."""
    module = cst.parse_module(source)
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    return wrapper.visit(_Rewrite({}, "logging.StreamHandler", lines)).code


def dirs_gone(before: str, after: str) -> list[str]:
    """The directory-making statements of `before` (`_made_dir`, module level) that `after` no longer has, as written."""
    try:
        old, new = ast.parse(before), ast.parse(after)
    except (SyntaxError, ValueError, RecursionError):
        return []
    kept = {ast.dump(n) for n, _ in _dir_makers(new)}
    return [(ast.get_source_segment(before, n) or "").splitlines()[0] for n, _ in _dir_makers(old)
            if ast.dump(n) not in kept]
