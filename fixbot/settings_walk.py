"""Follows a Django settings module's star imports, statement by statement, to the LOGGING in effect and what it holds.

Only the files of the chain are read, through a `RepoView`; nothing is imported or run. Names are evaluated
statically as they go (`python_eval`), so the LOGGING a module really produces is known as far as it can be:
defined in one file, handlers added by assignment or `.update()` in another, `{**BASE, ...}`, conditions.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from fixbot.errors import BadInput
from fixbot.formats.python_eval import UNKNOWN, Budget, Evaluator, Mapping, copy, dotted, union

if TYPE_CHECKING:
    from fixbot.repo import RepoView

_MUTATORS = {"update", "setdefault", "append", "extend", "insert", "pop", "clear", "remove"}
# What runs code fixbot does not read into the module's namespace: from there on, any name may hold anything.
_RUNNERS = {"exec", "execfile", "runpy.run_path", "runpy.run_module", "run_path", "run_module"}
_IMPORTERS = {"importlib.import_module", "import_module", "__import__", "importlib.__import__"}
_NAMESPACES = {"globals", "vars", "locals"}


class Walk:
    """Executes the settings chain in the head, statement by statement: the last assignment of LOGGING wins."""

    def __init__(self, repo: RepoView):
        self.repo = repo
        self.definer: tuple[str, tuple[str, ...]] | None = None
        self.mutations: list[str] = []
        self.opaque: list[str] = []  # files that change LOGGING in ways not followed here (loops, functions)
        self.dynamic: str | None = None  # where the chain first runs code fixbot cannot read (`exec(...)`)
        self.seen: set[str] = set()
        self.env: dict = {}
        self.budget = Budget()  # once spent, every value is UNKNOWN (python_eval): a settings bomb costs no more
        # {(file, line): value} of every assignment run, when asked for (a Gunicorn config module's `errorlog = …`)
        self.assigned: dict[tuple[str, int], object] | None = None

    @property
    def logging(self):
        """The LOGGING the walked module produces, as far as it is static (UNKNOWN when it is not)."""
        return self.env.get("LOGGING", UNKNOWN)

    def visit(self, file: str, module: str, chain: tuple[str, ...]) -> None:
        if file in self.seen or len(chain) > 20:
            return
        self.seen.add(file)
        chain = (*chain, file)
        tree = parse(self.repo.read(file), file, self.opaque)
        package = module if file.endswith("__init__.py") else module.rpartition(".")[0]
        self._statements(tree.body, file, package, chain, top=True)

    def _statements(self, body: list[ast.stmt], file: str, package: str, chain: tuple[str, ...], top: bool) -> None:
        for node in body:
            runs = _runs_unread_code(node)
            if runs:  # exec(open(...).read()) and the like: every name is unknown from here on
                self.env = dict.fromkeys(self.env, UNKNOWN)
                self.dynamic = self.dynamic or f"{file}:{node.lineno} runs {runs}"
                self._note(self.opaque, file)
            elif isinstance(node, ast.ImportFrom) and any(a.name in ("*", "LOGGING") for a in node.names):
                target = _absolute(node, package)
                found = self.repo.module_file(target, [file]) if target else None
                if found:
                    self.visit(found, target, chain)
            elif isinstance(node, ast.Try):
                # `try: from .local import * except ImportError: pass` runs its body whenever the import works.
                self._statements(node.body + node.orelse + node.finalbody, file, package, chain, top)
                if any(_mentions_logging(h) for h in node.handlers):
                    self._note(self.mutations, file)
                    self._note(self.opaque, file)
            elif top and _assigns_logging(node):
                self._execute(node, file)
                self.definer = (file, chain)
                self.mutations = []
            elif isinstance(node, ast.If):
                self._branches(node, file, package, chain)
            elif isinstance(node, ast.With):
                self._statements(node.body, file, package, chain, top=False)
            else:
                self._execute(node, file)
                if _mentions_logging(node):
                    # Anything else that touches LOGGING (item assignment, .update(), |=, an assignment under
                    # an `if`) changes the LOGGING in effect: the report says where, so a reviewer can check it.
                    self._note(self.mutations, file)

    def _branches(self, node: ast.If, file: str, package: str, chain: tuple[str, ...]) -> None:
        """Both sides of an `if`: the names afterwards hold what either side gives (dicts keep both sides' keys)."""
        # Only what the `if` names can change in it, so only that is copied and joined (a name bound to the same
        # dict as one it changes shares the change, as if unconditional: the price of not copying the namespace).
        named = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(self.env)
        before = {**self.env, **{k: copy(self.env[k], self.budget) for k in named}}
        self._statements(node.body, file, package, chain, top=False)
        after_body, self.env = self.env, before
        self._statements(node.orelse, file, package, chain, top=False)
        for name in set(after_body) | set(self.env):
            a, b = after_body.get(name, UNKNOWN), self.env.get(name, UNKNOWN)
            self.env[name] = a if a is b else union(a, b, self.budget)
        if _mentions_logging(node):
            self._note(self.mutations, file)

    def _execute(self, node: ast.stmt, file: str) -> None:
        value = Evaluator(self.env, file, self.budget)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            result = value(node.value)
            if self.assigned is not None:
                self.assigned[(file, node.lineno)] = result
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                self._assign(target, result, value, file)
        elif isinstance(node, ast.AugAssign):
            current, change = value(node.target), value(node.value)
            if isinstance(node.op, ast.BitOr) and isinstance(current, Mapping) and isinstance(change, Mapping):
                _merge(current, change, self.budget)
            else:
                self._assign(node.target, value(ast.BinOp(node.target, node.op, node.value)), value, file)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._method(node.value, value, file)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Subscript):
                    container, key = value(target.value), value(target.slice)
                    if isinstance(container, Mapping) and isinstance(key, str):
                        container.pop(key, None)
                    elif _mentions_logging(target):
                        self._note(self.opaque, file)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.env[node.name] = UNKNOWN
            if _mentions_logging(node):
                self._note(self.opaque, file)
        elif not isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)) and _mentions_logging(node):
            self._note(self.opaque, file)  # a loop, a match: what it does to LOGGING is not followed

    def _assign(self, target: ast.expr, result, value: Evaluator, file: str) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = result
        elif isinstance(target, ast.Subscript):
            container, key = value(target.value), value(target.slice)
            if isinstance(container, Mapping) and isinstance(key, str):
                container[key] = result
                if key == "filename":  # `LOGGING["handlers"]["x"]["filename"] = …`: this file makes it write there
                    container.origin = file
            elif isinstance(container, Mapping):
                container.open = True
            elif _mentions_logging(target):
                self._note(self.opaque, file)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._assign(element.value if isinstance(element, ast.Starred) else element, UNKNOWN, value, file)

    def _method(self, call: ast.Call, value: Evaluator, file: str) -> None:
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in _MUTATORS:
            if _mentions_logging(call) and dotted(call.func) not in ("logging.config.dictConfig", "dictConfig"):
                self._note(self.opaque, file)
            return
        receiver, method = value(call.func.value), call.func.attr
        args = [value(a) for a in call.args]
        if isinstance(receiver, Mapping) and not call.keywords and method == "update" and len(args) == 1 \
                and isinstance(args[0], Mapping):
            _merge(receiver, args[0], self.budget)
            if "filename" in args[0]:  # `LOGGING["handlers"]["x"].update({"filename": …})`: this file decides it
                receiver.origin = file
        elif isinstance(receiver, Mapping) and method == "update" and not args:
            receiver.update({k.arg: value(k.value) for k in call.keywords if k.arg})
            if any(k.arg == "filename" for k in call.keywords):
                receiver.origin = file
        elif isinstance(receiver, Mapping) and method == "setdefault" and args and isinstance(args[0], str):
            receiver.setdefault(args[0], args[1] if len(args) > 1 else None)
        elif isinstance(receiver, Mapping) and method == "pop" and args and isinstance(args[0], str):
            receiver.pop(args[0], None)
        elif isinstance(receiver, list) and method == "append" and len(args) == 1 and not call.keywords:
            receiver.append(args[0])  # LOGGING["root"]["handlers"].append("file")
        elif isinstance(receiver, list) and method == "extend" and len(args) == 1 and isinstance(args[0], list):
            receiver.extend(args[0])
        elif isinstance(receiver, list) and method == "insert" and len(args) == 2 and type(args[0]) is int:
            receiver.insert(args[0], args[1])
        elif isinstance(receiver, list) and method in ("append", "extend", "insert"):
            receiver.extend([UNKNOWN])  # what it adds is not known
        elif isinstance(receiver, Mapping):
            receiver.open = True
        elif _mentions_logging(call):
            self._note(self.opaque, file)

    @staticmethod
    def _note(where: list[str], file: str) -> None:
        if file not in where:
            where.append(file)


def _runs_unread_code(node: ast.stmt) -> str | None:
    """What in a statement runs code fixbot does not read into the module (`exec()`, `runpy.run_path()`,
    `globals().update()`, an import of a computed name), or None; a function or class body only runs if called."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.Try, ast.With)):
        return None  # their bodies are walked statement by statement
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = dotted(sub.func)
            if name in _RUNNERS:
                return f"{name}()"
            if name in _IMPORTERS and not (sub.args and isinstance(sub.args[0], ast.Constant)):
                return f"{name}() of a computed name"
            if isinstance(sub.func, ast.Attribute) and isinstance(sub.func.value, ast.Call) \
                    and dotted(sub.func.value.func) in _NAMESPACES:
                return f"{dotted(sub.func.value.func)}().{sub.func.attr}()"
        elif isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Store) and isinstance(sub.value, ast.Call) \
                and dotted(sub.value.func) in _NAMESPACES:
            return f"{dotted(sub.value.func)}()[...] ="
    return None


def _merge(into: Mapping, other: Mapping, budget: Budget) -> None:
    """`into.update(other)`, or `into` left open when `other` is too big to copy."""
    copied = copy(other, budget)
    if isinstance(copied, Mapping):
        into.update(copied)
    into.open = into.open or other.open or not isinstance(copied, Mapping)


def parse(text: str, file: str, opaque: list[str] | None = None) -> ast.Module:
    """The statements of a settings file: CPython's parser first; what only a newer Python parses (a `type` alias
    under 3.11) through libcst, statement by statement, dropping the statements CPython cannot read. A file
    nested too deeply is refused before libcst sees it (its parser recurses per level and can crash)."""
    try:
        return ast.parse(text, file)
    except SyntaxError as err:
        if "too many nested" in (err.msg or "") or "too deeply" in (err.msg or ""):
            raise BadInput(f"{file}: settings file does not parse: nested too deeply") from None
        first = err
    except ValueError as err:  # NUL bytes
        raise BadInput(f"{file}: settings file does not parse: {err}") from None
    except (RecursionError, MemoryError):  # an expression nested too deeply for CPython to build
        raise BadInput(f"{file}: settings file does not parse: nested too deeply") from None
    if _too_deep(text):
        raise BadInput(f"{file}: settings file does not parse: nested too deeply") from None
    import libcst as cst

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        raise BadInput(f"{file}:{first.lineno}: settings file does not parse: {first.msg}") from None
    except (RecursionError, MemoryError):
        raise BadInput(f"{file}: settings file does not parse: nested too deeply") from None
    body: list[ast.stmt] = []
    for statement in module.body:
        code = module.code_for_node(statement)
        try:
            body += ast.parse(code, file).body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            if opaque is not None and "LOGGING" in code and file not in opaque:
                opaque.append(file)
    return ast.Module(body=body, type_ignores=[])


def _too_deep(text: str) -> bool:
    """More brackets open at once, or more indentation, than CPython takes (200 brackets, 100 levels)."""
    depth = deepest = 0
    for char in re.sub(r"[^()\[\]{}]", "", text):
        depth += 1 if char in "([{" else -1
        deepest = max(deepest, depth)
    return deepest > 200 or any(len(line) - len(line.lstrip()) > 400 for line in text.splitlines())


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module
    base = package.split(".") if package else []
    if node.level - 1 > len(base):
        return None
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def _assigns_logging(node: ast.stmt) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return any(isinstance(t, ast.Name) and t.id == "LOGGING" for t in targets)


def _mentions_logging(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id == "LOGGING" for sub in ast.walk(node))
