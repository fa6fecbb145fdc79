"""Every dictConfig literal of a Python file that is not a module-level `LOGGING` (which logging_console.py reads itself), with its file handlers turned into StreamHandlers in place.

One lookup says what "a logging config" is (issue 13): a dict literal with a `handlers` key that
- holds a `version` key too (dictConfig requires it: a literal `return`ed by `build_logging()`, filled into
  `global LOGGING` by a function, kept in a local variable), or
- is assigned to one of CONFIG_NAMES (Gunicorn's `logconfig_dict`, whose `version` Gunicorn adds; Airflow's and
  Celery's `LOGGING_CONFIG` / `DEFAULT_LOGGING_CONFIG`; `LOGGING` inside a function), or
- is passed to `dictConfig(...)`, directly or through a module-level name.
Its handler dicts are converted as fixbot/formats/logconfig/in_place.py converts them (class, `filename` and the other
file-only keys; a class held in a variable counts when the dict has a `filename`), and a handler list written
out in the same literal loses the consoles another one stands in for (fixbot/formats/logconfig/levels.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from fixbot.formats.logconfig import CONFIG_NAMES
from fixbot.formats.logconfig.pydict import code, string_value



def _keys(node: cst.CSTNode) -> set[str]:
    if not isinstance(node, cst.Dict):
        return set()
    return {string_value(e.key) or "" for e in node.elements if isinstance(e, cst.DictElement)}


def _is_dictconfig(func: cst.BaseExpression) -> bool:
    return (isinstance(func, cst.Name) and func.value == "dictConfig") or (
        isinstance(func, cst.Attribute) and func.attr.value == "dictConfig"
    )


@dataclass
class Found:
    """The config literals of a module, each with the small statement holding it."""

    literals: list[tuple[cst.BaseSmallStatement, cst.Dict]] = field(default_factory=list)
    # arguments of dictConfig(...) that are no literal this lookup found: the config is built out of sight
    unfollowed: list[cst.BaseExpression] = field(default_factory=list)


def find(module: cst.Module, skip: set[int]) -> Found:
    """The config literals of `module`, except inside the small statements whose id is in `skip` (the module-level
    LOGGING statements logging_console.py rewrites itself)."""
    names: set[str] = set()  # module-level names passed to dictConfig(NAME)

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if _is_dictconfig(node.func) and node.args and isinstance(node.args[0].value, cst.Name):
                names.add(node.args[0].value.value)

    module.visit(Calls())
    found = Found()

    class Literals(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[cst.BaseSmallStatement] = []
            self.seen: set[int] = set()

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseSmallStatement):
                self.stack.append(node)
                if id(node) in skip:
                    return False
            if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, cst.Assign) else [node]
                named = [t.target.value for t in targets if isinstance(t.target, cst.Name) and t.target.value in CONFIG_NAMES | names]
                if named and self.add(node.value):
                    assigned.update(named)
            elif isinstance(node, cst.Call) and _is_dictconfig(node.func) and node.args:
                argument = node.args[0].value
                if isinstance(argument, cst.Dict):
                    self.add(argument)
                else:
                    calls.append((node, argument))
            elif isinstance(node, cst.Dict) and {"version", "handlers"} <= _keys(node):
                self.add(node)
            return True

        def on_leave(self, node: cst.CSTNode) -> None:
            if isinstance(node, cst.BaseSmallStatement):
                self.stack.pop()

        def add(self, value: cst.BaseExpression) -> bool:
            if isinstance(value, cst.Dict) and "handlers" in _keys(value) and self.stack:
                if id(value) not in self.seen:
                    self.seen.add(id(value))
                    found.literals.append((self.stack[-1], value))
                return True
            return False

    assigned: set[str] = set()
    calls: list[tuple[cst.Call, cst.BaseExpression]] = []
    module.visit(Literals())
    found.unfollowed = [a for _, a in calls if not (isinstance(a, cst.Name) and a.value in assigned)]
    return found


def convert(module: cst.Module, skip: set[int]) -> tuple[dict[int, cst.BaseSmallStatement], set[str], Found]:
    """(id(small statement) -> its replacement, the names of variables that held a converted handler's class or are
    never read, what was found): every file handler of every config literal turned into a StreamHandler in place,
    including the handler dicts a function of this module returns for it (`"handlers": _get_handlers(env)`)."""
    from fixbot.formats.logconfig.in_place import Replace, replacements_of
    from fixbot.formats.logconfig.in_place_site import Site, entries

    found = find(module, skip)
    returns = _returned_dicts(module)
    replaced: dict[int, cst.CSTNode] = {}
    class_names: set[str] = set()
    for _, literal in found.literals:
        site = Site(module, {}, {}, returns=returns, names={})
        site.config(literal)
        new = replacements_of(site)[0]
        replaced.update(new)
        class_names |= {
            value.value for _, _, node in site.handlers.values() if id(node) in new
            for key, value in entries(node) if key == "class" and isinstance(value, cst.Name)
        }
    edits: dict[int, cst.BaseSmallStatement] = {}
    if replaced:
        for statement in _holding(module, set(replaced)):
            edits[id(statement)] = statement.visit(Replace(replaced))
    return edits, class_names | _unread(module), found


def _returned_dicts(module: cst.Module) -> dict[str, list[cst.Dict]]:
    """Each module-level function -> the dict literals its own `return` statements give."""
    out: dict[str, list[cst.Dict]] = {}

    class Returns(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[cst.Dict] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False  # a nested function's returns are its own

        def visit_Return(self, node: cst.Return) -> None:
            if isinstance(node.value, cst.Dict):
                self.found.append(node.value)

    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            returns = Returns()
            statement.body.visit(returns)
            out[statement.name.value] = returns.found
    return out


def _holding(module: cst.Module, ids: set[int]) -> list[cst.BaseSmallStatement]:
    """The innermost small statements that contain a node whose id is in `ids`."""
    holding: dict[int, cst.BaseSmallStatement] = {}

    class Walk(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[cst.BaseSmallStatement] = []

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseSmallStatement):
                self.stack.append(node)
            elif id(node) in ids and self.stack:
                holding[id(self.stack[-1])] = self.stack[-1]
            return True

        def on_leave(self, node: cst.CSTNode) -> None:
            if isinstance(node, cst.BaseSmallStatement):
                self.stack.pop()

    module.visit(Walk())
    return list(holding.values())


def _unread(module: cst.Module) -> set[str]:
    """Names this module assigns but never reads (a `HANDLER_CLASS = "…FileHandler"` left by an earlier rewrite)."""
    uses: dict[str, int] = {}

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            uses[node.value] = uses.get(node.value, 0) + 1

    module.visit(Names())
    return {n for n, count in uses.items() if count == 1}


def unfollowed_reason(found: Found) -> str | None:
    """Why a file whose config is not written out in it is refused, or None when it holds no dictConfig call."""
    if found.unfollowed:
        return f"no logging config written out in this file, but it calls dictConfig on {code(found.unfollowed[0])}, which fixbot cannot follow"
    return None


def still_writes_files(module: cst.Module, class_names: set[str]) -> None:
    """Refusal when code of the rewritten `module` (not an import, a docstring, a class body, nor `NAME = "…FileHandler"`
    kept only for the converted handlers' class) still names a FileHandler or a filename: a handler built where
    fixbot cannot see."""
    from fixbot.formats import Refusal
    from fixbot.formats.logconfig.in_place_site import mentions_files

    gone = class_names & _unread(module)  # only its own assignment is left

    class Statements(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False  # a handler class defined here (`class MyHandler(RotatingFileHandler)`) configures nothing

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
            for small in node.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) or (isinstance(small, cst.Expr) and string_value(small.value)):
                    continue  # imports and docstrings
                if isinstance(small, cst.Assign) and string_value(small.value) is not None and all(
                    isinstance(t.target, cst.Name) and t.target.value in gone for t in small.targets
                ):  # `NAME = "…FileHandler"` only: never a config (an unread LOGGING) that still writes a file
                    continue
                if mentions_files(small):
                    raise Refusal(f"fixbot cannot tell whether this still writes to a file: {code(small)}")
            return False

    module.visit(Statements())


def built_here(module: cst.Module, found: Found, statements: list[cst.BaseSmallStatement]) -> bool:
    """Is each of these module-level LOGGING statements `LOGGING = f(...)` for a function `f` of this module that
    returns a config literal this lookup found (so converting that literal is the whole fix)?"""
    from fixbot.formats.logconfig.pydict import definition_value

    literals = {id(literal) for _, literal in found.literals}
    returns = _returned_dicts(module)
    for statement in statements:
        value = definition_value(statement)[1]
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name)):
            return False
        if not any(id(r) in literals for r in returns.get(value.func.value, [])):
            return False
    return bool(statements)
