"""What a rewrite of a Python module leaves behind, taken away: imports it made unused, and `# noqa: F405` on lines it rewrote that no longer use a star-imported name.

Only what the rewrite caused goes: a module-level import whose name was used before and is used nowhere after it
(a repository whose CI runs flake8 would fail on the fix otherwise), unless `__all__` lists it or the module is
star-imported by others (`from .base import *` exports `os` to a module that may rely on it), which the caller
says with `star_imported` (True when it cannot tell). `from x import a, b` loses only the unused name.
"""

from __future__ import annotations

import builtins
import posixpath
import io
import re
import tokenize
from collections import Counter
from typing import Iterable

import libcst as cst

from fixbot.formats.logconfig.pyedit import StatementEditor

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:(?:\s*,\s*|\s+)[A-Z]+[0-9]+)*)(?P<rest>.*)$", re.I)


class _Uses(cst.CSTVisitor):
    """How many times each name is read or written outside the module's imports (attribute names and keyword
    arguments are not names)."""

    def __init__(self) -> None:
        super().__init__()
        self.count: Counter[str] = Counter()

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.count[node.value] += 1


def _uses(module: cst.Module) -> Counter[str]:
    uses = _Uses()
    module.visit(uses)
    return uses.count


def _bound(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):  # `import os.path` binds `os`
        name = name.value
    return name.value


def _exported(module: cst.Module) -> set[str]:
    """Names listed as strings in `__all__`, or everything (`*`) when `__all__` is not a plain literal."""
    for statement in module.body:
        for small in getattr(statement, "body", ()) if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)) and "__all__" in cst.Module([]).code_for_node(small):
                values = [getattr(e.value, "evaluated_value", None) for e in getattr(small.value, "elements", [])]
                return {"*"} if not values or None in values else set(values)
    return set()


def _fewer_mentions(after: cst.Module, source: str, code: str) -> bool:
    """Is a name a module-level import binds written fewer times in `code` (the rewrite) than in `source`?"""
    import re

    for statement in after.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    word = re.compile(rf"(?<![\w.]){re.escape(_bound(alias))}\b")
                    left = len(word.findall(code))
                    # Written fewer times, and at most twice now (its import and one more): only then is the precise
                    # count below worth a walk. A name written more often keeps its import even if the rest are
                    # comments: a missed tidy-up, never a wrong removal.
                    if left < len(word.findall(source)) and left <= 2:
                        return True
    return False


def unused_imports(
    before: cst.Module, after: cst.Module, *, star_imported: bool = True, texts: tuple[str, str] | None = None
) -> cst.Module:
    """`after` without the module-level imports that only the rewrite of `before` made unused."""
    if star_imported:
        return after
    if texts is not None and not _fewer_mentions(after, *texts):
        return after  # no imported name is written fewer times: none can have lost its last use
    old, new = _uses(before), _uses(after)
    gone = {name for name, n in old.items() if n and not new[name]}
    if not gone:
        return after
    keep = _exported(after)
    if "*" in keep:
        return after
    edits: dict[int, cst.BaseSmallStatement | None] = {}
    for statement in after.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
                continue
            if isinstance(small, cst.ImportFrom) and cst.Module([]).code_for_node(small.module or cst.Name("")) == "__future__":
                continue
            names = list(small.names)
            kept = [a for a in names if not (_bound(a) in gone and _bound(a) not in keep)]
            if len(kept) == len(names):
                continue
            if not kept:
                edits[id(small)] = None
                continue
            if kept[-1] is not names[-1]:  # the last name went: the new last one takes its comma (or none)
                kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
            edits[id(small)] = small.with_changes(names=kept)
    if not edits:
        return after
    tidied = after.visit(StatementEditor(edits))
    if tidied.body and tidied.body[0] is not after.body[0] and not tidied.header:
        # The imports at the top of the file went: so does the blank line that followed them.
        first = tidied.body[0]
        lead = list(first.leading_lines)
        while lead and lead[0].comment is None:
            lead.pop(0)
        tidied = tidied.with_changes(body=[first.with_changes(leading_lines=lead), *tidied.body[1:]])
    return tidied


def stale_noqa(before: str, after: str, after_module: cst.Module) -> str:
    """`after` without F405 in the `# noqa` of lines the rewrite changed that name no star-imported name anymore."""
    if "F405" not in after.upper():
        return after
    old_lines = set(before.splitlines())
    lines = after.splitlines(keepends=True)
    undefined = _undefined(after_module)
    try:
        comments = [t for t in tokenize.generate_tokens(io.StringIO(after).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):
        return after
    for token in comments:
        row, col = token.start
        line = lines[row - 1]
        match = _NOQA.match(token.string)
        codes = re.split(r"[\s,]+", match["codes"]) if match else []
        if line.rstrip("\r\n") in old_lines or "F405" not in (c.upper() for c in codes):
            continue
        if any(re.search(rf"\b{re.escape(n)}\b", line[:col]) for n in undefined):
            continue  # the line still uses a name only a star import provides
        codes = [c for c in codes if c.upper() != "F405"]
        ending = line[len(line.rstrip("\r\n")):]
        if codes:
            lines[row - 1] = line[:col] + f"# noqa: {', '.join(codes)}{match['rest']}" + line[token.end[1]:]
        else:
            lines[row - 1] = line[:col].rstrip() + (match["rest"].strip() and "  # " + match["rest"].strip()) + ending
    return "".join(lines)


def _undefined(module: cst.Module) -> set[str]:
    """Names the module reads but never binds itself: those a star import may provide (flake8's F405)."""
    bound: set[str] = set(dir(builtins))

    class Binds(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            bound.update(_names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            bound.update(_names(node.target))

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            bound.add(_bound(node))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            bound.add(node.name.value)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            bound.add(node.name.value)

    module.visit(Binds())
    return {name for name in _uses(module) if name not in bound}


def _names(target: cst.CSTNode) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {n for e in target.elements for n in _names(e.value)}
    return set()


def finish(source: str, before: cst.Module, after: cst.Module, *, star_imported: bool = True,
           code: str | None = None) -> str:
    """The text of `after`, a rewrite of `before` (parsed from `source`), with what the rewrite left behind gone;
    `code`: `after`'s text, when the caller printed it already."""
    if after is before:
        return source
    code = after.code if code is None else code
    tidied = unused_imports(before, after, star_imported=star_imported, texts=(source, code))
    if tidied is not after:
        after, code = tidied, tidied.code
    return stale_noqa(source, code, after)


# --- who may rely on a module's imports: `from .<it> import *` nearby -----------------------------------------

_STAR_IMPORT = re.compile(r"^[ \t]*from[ \t]+(?:[\w.]*\.)?(?P<stem>\w+)[ \t]+import[ \t]+\*", re.M)
MAX_NEIGHBOURS = 400  # more modules around a file than this: cannot tell, so it is taken as star-imported


def star_scope(path: str, candidate: str) -> bool:
    """Whether `candidate` (posix, repo- or root-relative) is a module that may star-import `path`: a .py file beside
    it, in the folder above, or in a folder directly below."""
    here = posixpath.dirname(path)
    there = posixpath.dirname(candidate)
    return candidate.endswith(".py") and candidate != path and (
        there in (here, posixpath.dirname(here)) or posixpath.dirname(there) == here)


def star_imported(path: str, neighbours: Iterable[str] | None) -> bool:
    """Whether the texts of the modules in `path`'s star_scope may rely on its imports through `import *` (True for
    a package's __init__ and when the neighbours are too many to read: None)."""
    stem = posixpath.splitext(posixpath.basename(path))[0]
    if stem == "__init__" or neighbours is None:
        return True
    return any(stem == m["stem"] for text in neighbours for m in _STAR_IMPORT.finditer(text))
